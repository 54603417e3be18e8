//! The `haulout` command-line tool. Thin: everything lives in `haulout_client::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    haulout_client::cli::main()
}
