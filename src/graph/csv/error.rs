//! Why an edge file or node table could not be imported.
//!
//! Why a file of its own: the error type is the importer's user interface. Every variant
//! names the file and, where it is about one row, the 1-based line, so a message such as
//! `edges.csv:7: target "x" is not a non-negative integer` can be acted on by someone who is
//! not a programmer; keeping the messages together makes them easy to review as a set.

use std::path::PathBuf;

/// Why a CSV file could not be imported. Every variant names the file; those about a
/// particular line carry its 1-based number.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The file could not be opened or read (or is not UTF-8).
    #[error("cannot read {}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file has no header row (it is empty or holds only blank and comment lines).
    #[error("{}: no header row (expected columns {})", .file.display(), .expected)]
    NoHeader {
        /// The file.
        file: PathBuf,
        /// The columns a header should name, e.g. `source,target[,weight][,layer]`.
        expected: &'static str,
    },
    /// The header lacks a required column.
    #[error("{}:{line}: header lacks the required column \"{column}\"", .file.display())]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// Line of the header.
        line: u64,
        /// The missing column.
        column: &'static str,
    },
    /// The header names columns this importer does not know.
    #[error(
        "{}:{line}: unknown column{} {} (allowed: {})",
        .file.display(),
        if .columns.len() == 1 { "" } else { "s" },
        quoted_list(.columns),
        .allowed.join(", ")
    )]
    UnknownColumns {
        /// The file.
        file: PathBuf,
        /// Line of the header.
        line: u64,
        /// The unknown column names, as written.
        columns: Vec<String>,
        /// The column names that are allowed.
        allowed: &'static [&'static str],
    },
    /// The header names a column twice.
    #[error("{}:{line}: column \"{column}\" appears twice in the header", .file.display())]
    DuplicateColumn {
        /// The file.
        file: PathBuf,
        /// Line of the header.
        line: u64,
        /// The repeated column.
        column: &'static str,
    },
    /// A row has a different number of fields than the header.
    #[error(
        "{}:{line}: expected {expected} comma-separated fields (as in the header), found {found}",
        .file.display()
    )]
    FieldCount {
        /// The file.
        file: PathBuf,
        /// Line of the row.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// Without a node table, an id is larger than the rows could name densely (ids index
    /// arrays, so one huge id would mean that many agents).
    #[error(
        "{}:{line}: {column} {id} is too large for {rows} row(s): without a node table ids must be \
         below {limit} (2 per row plus 1024), since every id up to the largest becomes an agent; number the \
         agents 0..n-1, or give `graph.nodes` (a node table with columns id,group listing every agent)",
        .file.display()
    )]
    SparseIds {
        /// The file.
        file: PathBuf,
        /// Line of the row with the largest id.
        line: u64,
        /// The column it is in.
        column: &'static str,
        /// The id.
        id: u64,
        /// Data rows read.
        rows: u64,
        /// Ids must be below this.
        limit: u64,
    },
    /// The edge file has a header but no data rows, and no node table says who the agents are.
    #[error(
        "{}: no data rows after the header, so there are no agents (give at least one tie, or a node table)",
        .file.display()
    )]
    NoRows {
        /// The file.
        file: PathBuf,
    },
    /// A field could not be parsed or is outside its allowed range.
    #[error("{}:{line}: {column} \"{value}\" is not {expected}", .file.display())]
    BadValue {
        /// The file.
        file: PathBuf,
        /// Line of the row.
        line: u64,
        /// The column.
        column: &'static str,
        /// The field as written (trimmed).
        value: String,
        /// What the field should be, e.g. "a non-negative integer".
        expected: &'static str,
    },
    /// An edge names an agent the node table does not have.
    #[error(
        "{}:{line}: {column} {id}: id out of range (the node table lists {n} agents, so ids \
         must be below {n})",
        .file.display()
    )]
    IdOutOfRange {
        /// The edge file.
        file: PathBuf,
        /// Line of the row.
        line: u64,
        /// `source` or `target`.
        column: &'static str,
        /// The offending id.
        id: u64,
        /// Number of agents in the node table.
        n: u64,
    },
    /// The node table lists an id twice.
    #[error("{}:{line}: id {id} appears twice (first on line {first_line})", .file.display())]
    DuplicateId {
        /// The node table.
        file: PathBuf,
        /// Line of the second occurrence.
        line: u64,
        /// The repeated id.
        id: u64,
        /// Line of the first occurrence.
        first_line: u64,
    },
    /// The node table skips an id.
    #[error(
        "{}: id {id} is missing (a node table with {rows} rows must list every id 0 to {} \
         exactly once)",
        .file.display(),
        .rows.saturating_sub(1)
    )]
    MissingId {
        /// The node table.
        file: PathBuf,
        /// The smallest missing id.
        id: u64,
        /// Number of rows in the table.
        rows: u64,
    },
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
