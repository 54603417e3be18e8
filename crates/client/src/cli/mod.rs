//! The `haulout` command line: argument parsing, commands, and their human or JSON output.
//!
//! Results go to stdout, diagnostics and progress to stderr. Exit codes: 0 success, 1 the
//! command ran but the answer is negative, 2 an error (printed once as `haulout: <cause chain>`).

mod args;
mod encoding;
mod net;
mod output;
mod privacy;
mod up;

use std::{io, process::ExitCode};

use clap::Parser;
use tokio_util::sync::CancellationToken;

pub use args::{BlobIdArgs, Cli, Command, DecodeArgs, EncodeArgs, NetworkArgs};

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
        Command::Localnet(args) => localnet(args),
        Command::Node(args) => net::node(args, &cli.network, cli.json),
        Command::Store(args) => net::store(args, &cli.network, cli.json),
        Command::Read(args) => net::read(args, &cli.network, cli.json),
        Command::BlobStatus(args) => net::blob_status(args, &cli.network, cli.json),
        Command::ListBlobs(args) => net::list_blobs(args, &cli.network, cli.json),
        Command::Delete(args) => {
            net::object_tx(args, &cli.network, cli.json, "deleted", async |c, id| {
                c.delete(id).await
            })
        }
        Command::Extend(args) => net::extend(args, &cli.network, cli.json),
        Command::Info => net::info(&cli.network, cli.json),
        Command::Wallet(command) => net::wallet(command, &cli.network, cli.json),
        Command::Faucet(args) => net::faucet(args, &cli.network, cli.json),
        Command::Daemon(args) => net::daemon(args, &cli.network),
        Command::Stake(args) => net::stake(args, &cli.network, cli.json),
        Command::Unstake(args) => net::object_tx(
            args,
            &cli.network,
            cli.json,
            "withdrawal requested for",
            async |c, id| c.request_withdraw(id).await,
        ),
        Command::Withdraw(args) => {
            net::object_tx(args, &cli.network, cli.json, "withdrew", async |c, id| {
                c.withdraw(id).await
            })
        }
        Command::Nodes => net::nodes(&cli.network, cli.json),
        Command::Propose(args) => net::propose(args, &cli.network, cli.json),
        Command::Vote(args) => net::vote(args, &cli.network, cli.json),
        Command::Proposals(args) => net::proposals(args, cli.json),
        Command::Finalize(args) => {
            net::object_tx(args, &cli.network, cli.json, "finalized", async |c, id| {
                c.finalize(id).await
            })
        }
        Command::Execute(args) => {
            net::object_tx(args, &cli.network, cli.json, "executed", async |c, id| {
                c.execute_proposal(id).await
            })
        }
        Command::Up(args) => up::up(args, cli.json),
        Command::Down(args) => up::down(args, cli.json),
        Command::Allowlist(c) => privacy::allowlist(c, &cli.network, cli.json),
        Command::Subscription(c) => privacy::subscription(c, &cli.network, cli.json),
        Command::KeyServer(args) => privacy::key_server(args, &cli.network, cli.json),
    }
}

/// `haulout localnet`: serves the chain, and the Seal key servers its genesis made, until
/// Ctrl-C or SIGTERM, then seals a last checkpoint.
fn localnet(args: haulout_localnet::LocalnetArgs) -> anyhow::Result<ExitCode> {
    serve_until_signal(|shutdown| async move {
        let (localnet, chain) = haulout_localnet::Localnet::start(
            &args,
            haulout_localnet::package::registry(),
            shutdown.clone(),
        )
        .await?;
        localnet.print_ready(&args);
        let servers = privacy::start_key_servers(&localnet.info, &shutdown).await;
        let servers = match servers {
            Ok(servers) => servers,
            Err(e) => {
                shutdown.cancel();
                let _ = chain.await;
                return Err(e);
            }
        };
        let result = chain.await.map_err(anyhow::Error::from).and_then(|r| r);
        for server in servers {
            server.await??;
        }
        result
    })
}

/// Runs a long-lived service (with logs on stderr) until Ctrl-C or SIGTERM cancels its token.
pub(crate) fn serve_until_signal<F, Fut>(service: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    init_logging();
    net::runtime()?.block_on(async {
        let shutdown = CancellationToken::new();
        let signal = shutdown.clone();
        let waiter = tokio::spawn(async move {
            haulout_localnet::shutdown_signal().await;
            signal.cancel();
        });
        let result = service(shutdown).await;
        waiter.abort();
        result
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Logs of long-running commands go to stderr; `RUST_LOG` overrides the default filter.
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,haulout=debug"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .try_init();
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
