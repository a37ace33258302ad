//! The `cocoon` binary: parse the command line, call the library, print any error once with
//! its cause chain, and exit 0 (success), 2 (bad input or usage) or 1 (anything else).
//!
//! All terminal output goes through [`print_stdout`] and [`print_stderr`], which never panic
//! (a closed pipe or a full device is an exit code, not exit 101) and escape control
//! characters, so text from a scenario or a CSV file cannot drive the terminal.

mod cli;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

/// Longest piece of an error message echoed, in characters: a 20 MB CSV field or a 100 kB
/// argument is shortened in the middle.
const ECHO_MAX: usize = 600;

/// `text` with every control character except newline and tab written as `\u{..}` (escape
/// sequences in a scenario name or CSV field would otherwise reach the terminal).
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // Controls, plus the byte-order mark and bidirectional overrides, which reorder or
        // hide text without being controls.
        let invisible = matches!(c, '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n' && c != '\t') || invisible {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` shortened to about [`ECHO_MAX`] characters, keeping both ends.
pub fn shorten(text: &str) -> String {
    let n = text.chars().count();
    if n <= ECHO_MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(ECHO_MAX / 2).collect();
    let tail: String = text.chars().skip(n - ECHO_MAX / 2).collect();
    format!("{head}[... {} characters omitted ...]{tail}", n - ECHO_MAX)
}

/// Prints to stdout; a closed pipe (e.g. `| head`) is not an error, a full device is.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(terminal_safe(text).as_bytes())
        .and_then(|_| out.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to standard output")),
        Ok(()) => Ok(()),
    }
}

/// Prints diagnostics to stderr; if stderr is closed or full there is nowhere to report
/// that, so it is ignored.
pub fn print_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(terminal_safe(text).as_bytes())
        .and_then(|_| err.flush());
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let printed = e.print();
            return ExitCode::from(match (e.use_stderr(), printed) {
                (true, _) => 2,
                // --help or --version into a closed pipe is fine; into a full disk it is not.
                (false, Err(p)) if p.kind() != std::io::ErrorKind::BrokenPipe => 1,
                (false, _) => 0,
            });
        }
    };
    match cli::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let chain: Vec<String> = err.chain().map(|c| shorten(&c.to_string())).collect();
            print_stderr(&format!("error: {}\n", chain.join(": ")));
            let input = err.chain().any(|c| {
                c.downcast_ref::<cocoon::error::Error>()
                    .is_some_and(|e| e.is_input_error())
            });
            ExitCode::from(if input { 2 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            super::terminal_safe("x\u{1b}[2J\r\u{9b}y\n\tz"),
            "x\\u{1b}[2J\\u{d}\\u{9b}y\n\tz"
        );
    }

    #[test]
    fn long_echoes_are_shortened_at_both_ends() {
        let s = "a".repeat(10_000) + "END";
        let short = super::shorten(&s);
        assert!(short.len() < 700 && short.ends_with("END"), "{short}");
        assert_eq!(super::shorten("short"), "short");
    }
}
