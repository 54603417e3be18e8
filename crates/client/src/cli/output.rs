//! Printing command results: human-readable text, or one JSON object with `--json`.

use std::io::{self, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

/// A command's result: serialisable for `--json`, printable for people.
pub(crate) trait CliOutput: Serialize {
    /// Writes the human-readable form.
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()>;
}

/// Prints `output` to stdout in the requested form.
pub(crate) fn emit(output: &impl CliOutput, json: bool) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if json {
        serde_json::to_writer(&mut out, output)?;
        writeln!(out)?;
    } else {
        output.print_human(&mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// Prints a warning on stderr.
pub(crate) fn warn(message: impl std::fmt::Display) {
    eprintln!("haulout: warning: {message}");
}

/// A progress bar on stderr over `len` steps; invisible when stderr is not a terminal or the work
/// is too small to be worth showing.
pub(crate) fn progress(len: u64, message: &str, worth_showing: bool) -> ProgressBar {
    if !worth_showing {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_owned());
    bar
}

/// A spinner on stderr for one long step.
pub(crate) fn spinner(message: String, worth_showing: bool) -> ProgressBar {
    if !worth_showing {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("static template"),
    );
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
