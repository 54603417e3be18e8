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
    /// Which network and wallet.
    #[command(flatten)]
    pub network: NetworkArgs,
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
    /// Run a storage node (`--config FILE`), or make (`init`) and register (`register`) one.
    Node(NodeArgs),
    /// Store files: encode, buy storage, upload to the storage nodes, certify on chain.
    Store(StoreArgs),
    /// Read a blob from the storage nodes.
    Read(ReadArgs),
    /// The status of a blob, as the storage nodes report it.
    BlobStatus(BlobStatusArgs),
    /// The Blob objects an address owns.
    ListBlobs(ListBlobsArgs),
    /// Delete a deletable blob (its storage resource stays with the owner).
    Delete(ObjectArgs),
    /// Extend a certified blob's storage by some epochs.
    Extend(ExtendArgs),
    /// The network: epoch, committee, prices, capacity.
    Info,
    /// The wallet: new keys, the address, balances.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Get SUI from a local network's faucet.
    Faucet(FaucetArgs),
    /// Serve the publisher/aggregator HTTP API.
    Daemon(DaemonArgs),
    /// Stake WAL with a storage node.
    Stake(StakeArgs),
    /// Request the withdrawal of a StakedWal (it can be withdrawn from the next epoch on).
    Unstake(ObjectArgs),
    /// Withdraw a StakedWal whose withdrawal epoch has come: its WAL goes to the wallet.
    Withdraw(ObjectArgs),
    /// The committee: nodes, shards, stake, commission.
    Nodes,
    /// Create a governance proposal (a signal, or a parameter change).
    Propose(ProposeArgs),
    /// Vote on a proposal with a StakedWal.
    Vote(VoteArgs),
    /// The proposals, from the indexer's GraphQL.
    Proposals(ProposalsArgs),
    /// Finalize a proposal whose voting has ended (passed or rejected).
    Finalize(ObjectArgs),
    /// Execute a passed proposal.
    Execute(ObjectArgs),
    /// Run a whole local network: chain, storage nodes, Postgres, indexer, daemon.
    Up(UpArgs),
    /// Stop a network started with `haulout up --detach`.
    Down(DownArgs),
    /// Manage Seal allowlists (who may read files encrypted with `--policy allowlist:<ID>`).
    #[command(subcommand)]
    Allowlist(AllowlistCommand),
    /// Sell or buy access to files encrypted with `--policy subscription:<ID>`.
    #[command(subcommand)]
    Subscription(SubscriptionCommand),
    /// Run a Seal key server (`--config FILE`), or make and register one (`init`).
    KeyServer(KeyServerArgs),
}

/// Arguments of `haulout propose`.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// The title (at most 200 bytes).
    #[arg(long)]
    pub title: String,
    /// The description (at most 4,000 bytes).
    #[arg(long, default_value = "")]
    pub description: String,
    /// A parameter change `NAME=VALUE` (a signal proposal without it).
    #[arg(long, value_name = "NAME=VALUE")]
    pub set_parameter: Option<String>,
    /// The StakedWal that proposes (active, with at least the minimum stake).
    #[arg(long)]
    pub stake: String,
}

/// Arguments of `haulout vote`.
#[derive(Debug, Args)]
pub struct VoteArgs {
    /// The Proposal object ID.
    pub proposal: String,
    /// yes, no or abstain.
    pub choice: String,
    /// The StakedWal that votes.
    #[arg(long)]
    pub stake: String,
}

/// Arguments of `haulout proposals`.
#[derive(Debug, Args)]
pub struct ProposalsArgs {
    /// The indexer's GraphQL endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8000/graphql")]
    pub graphql: String,
}

/// Arguments of `haulout up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// Storage nodes (a fresh network).
    #[arg(long, default_value_t = 10)]
    pub nodes: u16,
    /// Shards (a fresh network).
    #[arg(long, default_value_t = 100)]
    pub n_shards: u16,
    /// The Walrus epoch duration (a fresh network).
    #[arg(long, default_value = "10m")]
    pub epoch_duration: String,
    /// WAL staked with each storage node at genesis (a fresh network; default: the local
    /// chain's). Governance quorum is 20% of all stake: with `--stake-per-node 1000` a funded
    /// account can reach it alone.
    #[arg(long, value_name = "WAL")]
    pub stake_per_node: Option<u64>,
    /// Where everything lives; running again resumes the network from here.
    #[arg(long, default_value = ".data")]
    pub data: PathBuf,
    /// Start a new network, discarding the old one.
    #[arg(long)]
    pub fresh: bool,
    /// Start, print, and return, leaving the network running (`haulout down` stops it).
    #[arg(long)]
    pub detach: bool,
    /// The indexer's GraphQL address.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub indexer_listen: String,
    /// The daemon's address.
    #[arg(long, default_value = "127.0.0.1:31415")]
    pub daemon_listen: String,
    /// Postgres's port (127.0.0.1 only).
    #[arg(long, env = "HAULOUT_PG_PORT", default_value_t = 5433)]
    pub postgres_port: u16,
}

/// Arguments of `haulout down`.
#[derive(Debug, Args)]
pub struct DownArgs {
    /// The data directory of the network.
    #[arg(long, default_value = ".data")]
    pub data: PathBuf,
}

/// Arguments of `haulout stake`.
#[derive(Debug, Args)]
pub struct StakeArgs {
    /// The node ID (its staking pool).
    #[arg(long)]
    pub node: String,
    /// WAL to stake (decimals allowed: 1.5).
    #[arg(long)]
    pub amount: String,
}

/// How commands find the network and the wallet.
#[derive(Debug, Args, Clone)]
pub struct NetworkArgs {
    /// The network file (`localnet.json` as `haulout localnet` writes it).
    #[arg(
        long,
        global = true,
        env = "HAULOUT_NETWORK",
        default_value = ".data/localnet/localnet.json"
    )]
    pub network: PathBuf,
    /// The Sui keystore whose first key signs (default: the `keystore` beside the network file).
    #[arg(long, global = true, env = "HAULOUT_WALLET")]
    pub wallet: Option<PathBuf>,
    /// A real Sui network instead of a network file: its gRPC URL (needs the IDs below).
    #[arg(long, global = true, requires_all = ["walrus_package", "wal_package", "system_object", "staking_object"])]
    pub rpc_url: Option<String>,
    /// The `walrus` package (type origin), with `--rpc-url`.
    #[arg(long, global = true)]
    pub walrus_package: Option<String>,
    /// The `wal` package, with `--rpc-url`.
    #[arg(long, global = true)]
    pub wal_package: Option<String>,
    /// The shared `System` object, with `--rpc-url`.
    #[arg(long, global = true)]
    pub system_object: Option<String>,
    /// The shared `Staking` object, with `--rpc-url`.
    #[arg(long, global = true)]
    pub staking_object: Option<String>,
}

/// Arguments of `haulout node`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct NodeArgs {
    /// The node's configuration (`node.toml`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// `init` or `register`.
    #[command(subcommand)]
    pub command: Option<NodeCommand>,
}

/// `haulout node` subcommands.
#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Make a new node: fresh BLS protocol key, P-256 network key and Sui account key.
    Init(NodeInitArgs),
    /// Register the node as a candidate (`staking::register_candidate`, with proof of
    /// possession) and record its node ID and cap in the configuration.
    Register(NodeRegisterArgs),
}

/// Arguments of `haulout node init`.
#[derive(Debug, Args)]
pub struct NodeInitArgs {
    /// Where to write the configuration (refuses to overwrite).
    #[arg(long)]
    pub config: PathBuf,
    /// The node's name.
    #[arg(long)]
    pub name: String,
    /// Where the REST API listens.
    #[arg(long, default_value = "127.0.0.1:9200")]
    pub listen: std::net::SocketAddr,
    /// `host:port` others reach it at (default: the listen address).
    #[arg(long)]
    pub public_address: Option<String>,
    /// The database directory (default: `db` beside the configuration).
    #[arg(long)]
    pub storage: Option<PathBuf>,
}

/// Arguments of `haulout node register`.
#[derive(Debug, Args)]
pub struct NodeRegisterArgs {
    /// The node's configuration.
    #[arg(long)]
    pub config: PathBuf,
    /// Commission in basis points.
    #[arg(long, default_value_t = 0)]
    pub commission_rate: u16,
    /// Vote on the storage price (FROST per MiB per epoch).
    #[arg(long, default_value_t = 1000)]
    pub storage_price: u64,
    /// Vote on the write price (FROST per MiB).
    #[arg(long, default_value_t = 2000)]
    pub write_price: u64,
    /// Vote on the capacity (bytes).
    #[arg(long, default_value_t = 1 << 40)]
    pub capacity: u64,
}

/// Arguments of `haulout store`.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The files to store.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Epochs to store for: a number, or `max`.
    #[arg(long, default_value = "1")]
    pub epochs: String,
    /// A permanent blob (it cannot be deleted before it expires); blobs are deletable otherwise.
    #[arg(long)]
    pub permanent: bool,
    /// An attribute `key=value` recorded on the Blob object (repeatable).
    #[arg(long = "attribute", value_name = "KEY=VALUE")]
    pub attributes: Vec<String>,
    /// Encrypt with Seal before storing: the nodes get only ciphertext.
    #[arg(long)]
    pub encrypt: bool,
    /// Who may read an encrypted file: `private`, `allowlist:<ID>`, `subscription:<ID>` or
    /// `tle:<TIME>` (Unix ms, `+10m`, or `2027-01-31T12:00:00Z`).
    #[arg(long, default_value = "private", requires = "encrypt")]
    pub policy: String,
    /// The key servers to encrypt for (object IDs, comma-separated; default: the network's).
    #[arg(long, value_delimiter = ',', requires = "encrypt")]
    pub key_servers: Vec<String>,
    /// How many key servers must release a key (default: the network's, 2 on a local one).
    #[arg(long, requires = "encrypt")]
    pub threshold: Option<u8>,
}

/// Arguments of `haulout read`.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The blob ID (it may start with `-`, as base64url IDs do).
    #[arg(allow_hyphen_values = true)]
    pub blob_id: String,
    /// Where to write it (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write a Seal-encrypted blob as stored (ciphertext) instead of decrypting it.
    #[arg(long)]
    pub raw: bool,
}

/// `haulout allowlist` subcommands.
#[derive(Debug, Subcommand)]
pub enum AllowlistCommand {
    /// Create an allowlist (shared) administered by the wallet.
    Create {
        /// Its name.
        name: String,
    },
    /// Add an address to an allowlist the wallet administers.
    Add {
        /// The allowlist's object ID.
        allowlist: String,
        /// The address to allow.
        address: String,
    },
    /// Remove an address from an allowlist the wallet administers.
    Remove {
        /// The allowlist's object ID.
        allowlist: String,
        /// The address to remove.
        address: String,
    },
}

/// `haulout subscription` subcommands.
#[derive(Debug, Subcommand)]
pub enum SubscriptionCommand {
    /// Create a subscription service (shared) paying the wallet.
    Create {
        /// Its name.
        name: String,
        /// What a subscription costs, in WAL (decimals allowed).
        #[arg(long)]
        fee: String,
        /// How long a subscription lasts (`30s`, `10m`, `2h`, `1d`).
        #[arg(long, value_parser = haulout_localnet::walrus::parse_duration)]
        ttl: std::time::Duration,
    },
    /// Buy a subscription to a service (pays its fee in WAL).
    Buy {
        /// The service's object ID.
        service: String,
    },
}

/// Arguments of `haulout key-server`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct KeyServerArgs {
    /// The key server's configuration (`key-server.toml`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// `init`.
    #[command(subcommand)]
    pub command: Option<KeyServerCommand>,
}

/// `haulout key-server` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyServerCommand {
    /// Make a new key server: a fresh master key, registered on chain as a
    /// `seal::key_server::KeyServer` owned by the wallet.
    Init(KeyServerInitArgs),
}

/// Arguments of `haulout key-server init`.
#[derive(Debug, Args)]
pub struct KeyServerInitArgs {
    /// Where to write the configuration (refuses to overwrite).
    #[arg(long)]
    pub config: PathBuf,
    /// The server's name.
    #[arg(long)]
    pub name: String,
    /// Where the API listens.
    #[arg(long, default_value = "127.0.0.1:9400")]
    pub listen: std::net::SocketAddr,
    /// The URL clients reach it at (default: `http://<listen>`).
    #[arg(long)]
    pub url: Option<String>,
}

/// Arguments of `haulout blob-status`.
#[derive(Debug, Args)]
pub struct BlobStatusArgs {
    /// The blob ID (it may start with `-`, as base64url IDs do).
    #[arg(allow_hyphen_values = true)]
    pub blob_id: String,
}

/// Arguments of `haulout list-blobs`.
#[derive(Debug, Args)]
pub struct ListBlobsArgs {
    /// The owner (default: the wallet's address).
    #[arg(long)]
    pub owner: Option<String>,
}

/// A `Blob` object.
#[derive(Debug, Args)]
pub struct ObjectArgs {
    /// The Blob object ID.
    pub object_id: String,
}

/// Arguments of `haulout extend`.
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// The Blob object ID.
    pub object_id: String,
    /// Epochs to add.
    #[arg(long)]
    pub epochs: u32,
}

/// `haulout wallet` subcommands.
#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// Make a new keystore with one Ed25519 key (refuses to overwrite).
    New {
        /// The keystore file to write.
        path: PathBuf,
    },
    /// The wallet's address.
    Address,
    /// SUI and WAL balances of the wallet (or `--address`).
    Balance {
        /// Another address.
        #[arg(long)]
        address: Option<String>,
    },
}

/// Arguments of `haulout faucet`.
#[derive(Debug, Args)]
pub struct FaucetArgs {
    /// The recipient (default: the wallet's address).
    #[arg(long)]
    pub address: Option<String>,
}

/// Arguments of `haulout daemon`.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:31415")]
    pub listen: std::net::SocketAddr,
    /// The largest upload accepted, in bytes.
    #[arg(long, default_value_t = 512 << 20)]
    pub max_upload: usize,
    /// Serve reads only (no wallet).
    #[arg(long)]
    pub read_only: bool,
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
