//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Walrus's number of shards on mainnet and testnet.
const DEFAULT_N_SHARDS: u16 = 1000;

/// haulout: a Walrus-protocol storage network you can run on one machine.
#[derive(Debug, Parser)]
#[command(name = "haulout", version, about, propagate_version = true)]
pub struct Cli {
    /// Print the result as one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Walrus blob ID of a file (base64url), as any Walrus client computes it.
    BlobId(BlobIdArgs),
    /// Erasure-code a file into metadata and sliver files, one pair per shard.
    Encode(EncodeArgs),
    /// Rebuild a file from the metadata and whatever valid sliver files a directory holds.
    Decode(DecodeArgs),
    /// Run the Sui-compatible local chain (Sui gRPC v2 and gRPC-web, faucet) until Ctrl-C.
    Localnet(haulout_localnet::LocalnetArgs),
}

/// Arguments of `haulout blob-id`.
#[derive(Debug, Args)]
pub struct BlobIdArgs {
    /// The file, or `-` for standard input.
    pub file: PathBuf,
    /// The number of shards of the network the blob is for.
    #[arg(long, default_value_t = DEFAULT_N_SHARDS)]
    pub n_shards: u16,
}

/// Arguments of `haulout encode`.
#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// The file, or `-` for standard input.
    pub file: PathBuf,
    /// The number of shards (= sliver pairs).
    #[arg(long, default_value_t = DEFAULT_N_SHARDS)]
    pub n_shards: u16,
    /// The directory to write `metadata.bcs`, `primary-<i>.bcs` and `secondary-<i>.bcs` to
    /// (created if missing; existing sliver files are replaced).
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `haulout decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// A directory written by `haulout encode` (any subset of its sliver files).
    pub dir: PathBuf,
    /// Where to write the rebuilt file (`-` for standard output).
    #[arg(long)]
    pub out: PathBuf,
}
