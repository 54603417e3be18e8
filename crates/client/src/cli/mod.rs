//! The `haulout` command line: argument parsing, commands, and their human or JSON output.
//!
//! Results go to stdout, diagnostics and progress to stderr. Exit codes: 0 success, 1 the
//! command ran but the answer is negative, 2 an error (printed once as `haulout: <cause chain>`).

mod args;
mod encoding;
mod output;

use std::{io, process::ExitCode};

use clap::Parser;

pub use args::{BlobIdArgs, Cli, Command, DecodeArgs, EncodeArgs};

/// Parses the process arguments, runs the command and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("haulout: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs one parsed command.
///
/// # Errors
/// Whatever the command fails with, with context for the user.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::BlobId(args) => encoding::blob_id(args, cli.json),
        Command::Encode(args) => encoding::encode(args, cli.json),
        Command::Decode(args) => encoding::decode(args, cli.json),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
