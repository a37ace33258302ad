//! The library's one error type.
//!
//! Every failure a user can cause (a bad scenario, a missing file, a malformed CSV) is a
//! variant that carries where it happened; [`Error::is_input_error`] tells the binary which exit
//! code to use (2 for bad input or usage, 1 for anything else). The library never prints and
//! never exits.

use std::path::PathBuf;

use crate::graph::csv::CsvError;

/// A position in a scenario file, or the command line for `--set` values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A place in a file, 1-based line and column.
    File {
        /// The file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1 (in characters).
        column: usize,
    },
    /// A `--set key=value` argument.
    Set(String),
    /// A whole file, without a position.
    WholeFile(PathBuf),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File { path, line, column } => {
                write!(f, "{}:{}:{}", path.display(), line, column)
            }
            Location::Set(arg) => write!(f, "--set {arg}"),
            Location::WholeFile(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario value, key or structure is invalid.
    #[error("{location}: {message}")]
    Scenario {
        /// Where the bad input is.
        location: Location,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A scenario file could not be read.
    #[error("cannot read scenario {}", path.display())]
    ReadScenario {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A comparison file's key, value or structure is invalid.
    #[error("{location}: {message}")]
    Compare {
        /// Where the bad input is.
        location: Location,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A comparison file could not be read.
    #[error("cannot read comparison {}", path.display())]
    ReadCompare {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file the scenario refers to does not exist.
    #[error("{what} not found: {} (set by {location})", path.display())]
    MissingFile {
        /// What kind of file it is (e.g. "edge list").
        what: &'static str,
        /// The resolved path.
        path: PathBuf,
        /// Where the scenario names it.
        location: Location,
    },
    /// A file the input names exists but is not a regular file (a folder, FIFO, device).
    #[error("{what} {} is {kind}, not a regular file (set by {location})", path.display())]
    NotAFile {
        /// What kind of file it should be (e.g. "edge list").
        what: &'static str,
        /// The resolved path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
        /// Where the input names it.
        location: Location,
    },
    /// An edge list or node table is malformed.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A command-line argument is invalid.
    #[error("{0}")]
    Usage(String),
    /// An output file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An output folder cannot be used: it exists without `--force`, is a file or a link,
    /// has a bad name, or its parent is not a writable folder. Found before any work is done.
    #[error("output folder {}: {message}", path.display())]
    OutputPath {
        /// The output folder as given.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A checkpoint or resume file cannot be continued: another cocoon build, another
    /// scenario or comparison, or damaged.
    #[error("checkpoint {}: {message}", path.display())]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// Another process holds the lock of an output folder.
    #[error(
        "output folder {} is being written by another cocoon process (it holds the lock on {}); \
         wait for it to finish or choose another --out",
        path.display(),
        lock.display()
    )]
    Busy {
        /// The output folder.
        path: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// The run would need more memory than allowed (estimated before anything is allocated).
    #[error("{0}")]
    Resources(String),
    /// A model could not be built from valid parameters (e.g. a population too small).
    #[error("{0}")]
    Model(String),
    /// A chart could not be drawn or encoded (nothing is written under its name).
    #[error("cannot draw chart {}: {message}", path.display())]
    Chart {
        /// The file that was to be written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// True when the user's input caused this error (exit code 2).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Error::Scenario { .. }
                | Error::ReadScenario { .. }
                | Error::Compare { .. }
                | Error::ReadCompare { .. }
                | Error::MissingFile { .. }
                | Error::NotAFile { .. }
                | Error::Csv(_)
                | Error::Usage(_)
                | Error::OutputPath { .. }
                | Error::Checkpoint { .. }
                | Error::Resources(_)
        )
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
