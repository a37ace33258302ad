//! The `cocoon` binary: parse the command line, call the library, print any error once with
//! its cause chain, and exit 0 (success), 2 (bad input or usage) or 1 (anything else).

mod cli;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

/// Prints to stdout; a closed pipe (e.g. `| head`) is not an error.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let chain: Vec<String> = err.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", chain.join(": "));
            let input = err.chain().any(|c| {
                c.downcast_ref::<cocoon::error::Error>()
                    .is_some_and(|e| e.is_input_error())
            });
            ExitCode::from(if input { 2 } else { 1 })
        }
    }
}
