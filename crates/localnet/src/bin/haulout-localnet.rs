//! `haulout-localnet`: runs the Sui-compatible local chain (the same as `haulout localnet`).

use clap::Parser;
use tokio_util::sync::CancellationToken;

/// A Sui-compatible local chain serving the Sui gRPC v2 API.
#[derive(Debug, Parser)]
#[command(name = "haulout-localnet", version)]
struct Cli {
    #[command(flatten)]
    args: haulout_localnet::LocalnetArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,haulout=debug")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        // Ctrl-C or SIGTERM: stop serving, seal a final checkpoint, exit.
        wait_for_signal().await;
        signal.cancel();
    });
    match haulout_localnet::run(cli.args, shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("haulout-localnet: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
