//! Importing an observed network from CSV files.
//!
//! Why: synthetic generators answer "what if", but a study usually wants to start from a real
//! contact network (a school survey, a town's household register). CSV is what such data come
//! in, and the people preparing it are rarely programmers, so this importer is strict and
//! loud: every problem is reported with the file, the 1-based line and the column, e.g.
//! `edges.csv:7: target "x" is not a non-negative integer`, rather than guessed around.
//! Nothing read from a file is unwrapped.
//!
//! The format is deliberately plain (no quoting, no embedded commas): fields are split on
//! commas and trimmed; a trailing `\r` (Windows line ends) and a leading UTF-8 byte-order mark
//! are ignored; blank lines and lines whose first non-blank character is `#` are skipped.
//! Header names are matched case-insensitively.
//!
//! * **Edge file** — header row required, with columns `source` and `target` (0-based agent
//!   ids) and optionally `weight` (a number in [0, 1], default 1.0) and `layer` (`family`,
//!   `peer`, `community`, `online` or code 0–3, default `peer`), in any order. An empty
//!   `weight` or `layer` field takes the default. Unknown or repeated columns are errors.
//! * **Node table** (optional) — header with columns `id` and `group`; every id `0..n` must
//!   appear exactly once, in any order, and `group` is a non-negative integer label. Then `n`
//!   is the number of rows and an edge naming an id ≥ n is an error. Without a node table,
//!   `n` is the largest id in the edge file plus one and every agent is in group 0. Ids
//!   index arrays directly, so an id must then be below 2 x rows + [`SPARSE_SLACK`]: an id of
//!   4e9 in a short file is a located error, not an attempt to allocate 16 GB. A header with
//!   no rows (and no node table) is an error, not a run with no agents.
//!
//! Self-loops and duplicate ties are not errors (surveys contain them); they are kept in the
//! [`EdgeList`] and dropped, and counted, when the graph is built (see [`import`]).

use super::{Edge, EdgeList, Graph, Layer};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Without a node table, ids may exceed what the rows name densely (two per row) by this much:
/// a few isolated agents are fine, an id of 4e9 in a one-line file is not.
pub const SPARSE_SLACK: u64 = 1024;

/// What importing read and what building the graph dropped.
#[derive(Serialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows (ties) read from the edge file, not counting header, blank or comment lines.
    pub rows: u64,
    /// Rows tying an agent to itself, dropped when the graph was built.
    pub self_loops_dropped: u64,
    /// Rows repeating an earlier tie between the same pair (either direction), dropped when
    /// the graph was built; the first occurrence's weight and layer are kept.
    pub duplicates_dropped: u64,
}

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

const EDGE_COLUMNS: &[&str] = &["source", "target", "weight", "layer"];
const NODE_COLUMNS: &[&str] = &["id", "group"];
const NOT_ID: &str = "a non-negative integer";
const TOO_BIG: &str = "a non-negative integer below 2^32";

/// Reads an edge file, and optionally a node table, into an [`EdgeList`] (see the module
/// docs for the format). Self-loops and duplicates are kept; the report's `rows` is filled
/// and its dropped counts are 0, since nothing is dropped until the list is built — use
/// [`import`] to build and count in one step.
pub fn read_edge_list(
    path: &Path,
    nodes: Option<&Path>,
) -> Result<(EdgeList, ImportReport), CsvError> {
    let node_groups = match nodes {
        Some(p) => Some(read_nodes(p)?),
        None => None,
    };
    let text = read_text(path)?;
    let mut lines = data_lines(&text);
    let Some((header_line, header)) = lines.next() else {
        return Err(CsvError::NoHeader {
            file: path.to_path_buf(),
            expected: "source,target[,weight][,layer]",
        });
    };
    let cols = parse_header(path, header_line, header, EDGE_COLUMNS, 2)?;
    let (c_source, c_target) = (cols.index[0], cols.index[1]);
    let (c_weight, c_layer) = (cols.index[2], cols.index[3]);
    let n_known = node_groups.as_ref().map(|g| g.len() as u64);

    let mut edges = Vec::new();
    let mut max_id: Option<(u32, u64, &'static str)> = None;
    let mut fields: Vec<&str> = Vec::with_capacity(cols.count);
    for (line, row) in lines {
        split_row(path, line, row, cols.count, &mut fields)?;
        let mut id = |col: Option<usize>, name: &'static str| -> Result<u32, CsvError> {
            let value = field(&fields, col);
            let id = parse_u32(path, line, name, value)?;
            if let Some(n) = n_known {
                if id as u64 >= n {
                    return Err(CsvError::IdOutOfRange {
                        file: path.to_path_buf(),
                        line,
                        column: name,
                        id: id as u64,
                        n,
                    });
                }
            }
            if max_id.is_none_or(|(m, _, _)| id > m) {
                max_id = Some((id, line, name));
            }
            Ok(id)
        };
        let a = id(c_source, "source")?;
        let b = id(c_target, "target")?;
        let weight = match field(&fields, c_weight) {
            "" => 1.0,
            s => match s.parse::<f64>() {
                Ok(w) if (0.0..=1.0).contains(&w) => w as f32,
                _ => return Err(bad(path, line, "weight", s, "a number in [0, 1]")),
            },
        };
        let layer = match field(&fields, c_layer) {
            "" => Layer::Peer,
            s => Layer::parse(s).ok_or_else(|| {
                bad(
                    path,
                    line,
                    "layer",
                    s,
                    "a layer (family, peer, community, online, or 0-3)",
                )
            })?,
        };
        edges.push(Edge {
            a,
            b,
            weight,
            layer,
        });
    }
    let report = ImportReport {
        rows: edges.len() as u64,
        ..ImportReport::default()
    };
    let (n, groups) = match node_groups {
        Some(groups) => (groups.len(), groups),
        None => {
            let Some((max, line, column)) = max_id else {
                return Err(CsvError::NoRows {
                    file: path.to_path_buf(),
                });
            };
            // Checked before anything of size n is allocated.
            let limit = 2 * report.rows + SPARSE_SLACK;
            if max as u64 >= limit {
                return Err(CsvError::SparseIds {
                    file: path.to_path_buf(),
                    line,
                    column,
                    id: max as u64,
                    rows: report.rows,
                    limit,
                });
            }
            let n = max as usize + 1;
            (n, vec![0; n])
        }
    };
    Ok((EdgeList { n, groups, edges }, report))
}

/// Reads the files like [`read_edge_list`] and builds the [`Graph`], reporting the rows read
/// and the self-loops and duplicate ties dropped.
pub fn import(path: &Path, nodes: Option<&Path>) -> Result<(Graph, ImportReport), CsvError> {
    let (list, mut report) = read_edge_list(path, nodes)?;
    let (graph, build) = Graph::from_edge_list(list);
    report.self_loops_dropped = build.self_loops_dropped;
    report.duplicates_dropped = build.duplicates_dropped;
    Ok((graph, report))
}

/// Reads a node table: group label per id, indexed by id.
fn read_nodes(path: &Path) -> Result<Vec<u32>, CsvError> {
    let text = read_text(path)?;
    let mut lines = data_lines(&text);
    let Some((header_line, header)) = lines.next() else {
        return Err(CsvError::NoHeader {
            file: path.to_path_buf(),
            expected: "id,group",
        });
    };
    let cols = parse_header(path, header_line, header, NODE_COLUMNS, 2)?;
    let mut rows: Vec<(u64, u64, u32)> = Vec::new(); // (line, id, group)
    let mut fields: Vec<&str> = Vec::with_capacity(cols.count);
    for (line, row) in lines {
        split_row(path, line, row, cols.count, &mut fields)?;
        let id_text = field(&fields, cols.index[0]);
        let id = id_text
            .parse::<u64>()
            .map_err(|_| bad(path, line, "id", id_text, NOT_ID))?;
        let group = parse_u32(path, line, "group", field(&fields, cols.index[1]))?;
        rows.push((line, id, group));
    }
    let n = rows.len();
    if n > u32::MAX as usize {
        // Ids would not fit the graph's u32 ids; report the first row that cannot.
        let (line, id, _) = rows[u32::MAX as usize];
        return Err(bad(path, line, "id", &id.to_string(), TOO_BIG));
    }
    let mut first_line = vec![0u64; n];
    let mut groups = vec![0u32; n];
    for &(line, id, group) in &rows {
        if id >= n as u64 {
            continue; // by pigeonhole some id below n is then missing; reported below
        }
        let seen = &mut first_line[id as usize];
        if *seen != 0 {
            return Err(CsvError::DuplicateId {
                file: path.to_path_buf(),
                line,
                id,
                first_line: *seen,
            });
        }
        *seen = line;
        groups[id as usize] = group;
    }
    if let Some(missing) = first_line.iter().position(|&l| l == 0) {
        return Err(CsvError::MissingId {
            file: path.to_path_buf(),
            id: missing as u64,
            rows: n as u64,
        });
    }
    Ok(groups)
}

fn read_text(path: &Path) -> Result<String, CsvError> {
    crate::input::read_text(path, crate::input::MAX_TABLE_BYTES).map_err(|source| CsvError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Non-blank, non-comment lines with their 1-based numbers, `\r` and BOM removed.
fn data_lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n').enumerate().filter_map(|(i, l)| {
        let l = l.strip_suffix('\r').unwrap_or(l);
        let t = l.trim();
        (!t.is_empty() && !t.starts_with('#')).then_some((i as u64 + 1, l))
    })
}

/// Where each known column sits in a row.
struct Columns {
    /// Field position per entry of the known-column list, `None` if absent.
    index: Vec<Option<usize>>,
    /// Number of fields per row.
    count: usize,
}

/// Maps header names onto `known`; the first `required` entries of `known` must be present.
fn parse_header(
    path: &Path,
    line: u64,
    header: &str,
    known: &'static [&'static str],
    required: usize,
) -> Result<Columns, CsvError> {
    let mut index = vec![None; known.len()];
    let mut unknown = Vec::new();
    let mut count = 0;
    for (pos, name) in header.split(',').enumerate() {
        count += 1;
        let name = name.trim();
        match known.iter().position(|k| k.eq_ignore_ascii_case(name)) {
            Some(k) if index[k].is_some() => {
                return Err(CsvError::DuplicateColumn {
                    file: path.to_path_buf(),
                    line,
                    column: known[k],
                })
            }
            Some(k) => index[k] = Some(pos),
            None => unknown.push(name.to_string()),
        }
    }
    if !unknown.is_empty() {
        return Err(CsvError::UnknownColumns {
            file: path.to_path_buf(),
            line,
            columns: unknown,
            allowed: known,
        });
    }
    if let Some(k) = (0..required).find(|&k| index[k].is_none()) {
        return Err(CsvError::MissingColumn {
            file: path.to_path_buf(),
            line,
            column: known[k],
        });
    }
    Ok(Columns { index, count })
}

/// Splits a row into trimmed fields, checking the count against the header.
fn split_row<'a>(
    path: &Path,
    line: u64,
    row: &'a str,
    expected: usize,
    fields: &mut Vec<&'a str>,
) -> Result<(), CsvError> {
    fields.clear();
    fields.extend(row.split(',').map(str::trim));
    if fields.len() != expected {
        return Err(CsvError::FieldCount {
            file: path.to_path_buf(),
            line,
            expected,
            found: fields.len(),
        });
    }
    Ok(())
}

/// The field for an optional column, `""` if the column is absent.
fn field<'a>(fields: &[&'a str], col: Option<usize>) -> &'a str {
    col.and_then(|c| fields.get(c).copied()).unwrap_or("")
}

fn parse_u32(path: &Path, line: u64, column: &'static str, value: &str) -> Result<u32, CsvError> {
    match value.parse::<u64>() {
        Ok(v) => u32::try_from(v).map_err(|_| bad(path, line, column, value, TOO_BIG)),
        Err(_) => Err(bad(path, line, column, value, NOT_ID)),
    }
}

fn bad(
    path: &Path,
    line: u64,
    column: &'static str,
    value: &str,
    expected: &'static str,
) -> CsvError {
    CsvError::BadValue {
        file: path.to_path_buf(),
        line,
        column,
        value: value.to_string(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn good_file_with_all_columns_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let edges = write(
            &dir,
            "edges.csv",
            "\u{feff}# a comment before the header\n\
             Layer, target ,source,weight\r\n\
             family,1,0,0.5\r\n\
             \n\
             # comment\n\
             2,2,1,\n\
             online,3,2,1\n\
             ,0,3,0\n",
        );
        let (list, report) = read_edge_list(&edges, None).unwrap();
        assert_eq!(report.rows, 4);
        assert_eq!(list.n, 4);
        assert_eq!(list.groups, vec![0; 4]);
        let e = &list.edges;
        assert_eq!(
            (e[0].a, e[0].b, e[0].weight, e[0].layer),
            (0, 1, 0.5, Layer::Family)
        );
        assert_eq!(
            (e[1].a, e[1].b, e[1].weight, e[1].layer),
            (1, 2, 1.0, Layer::Community)
        );
        assert_eq!((e[2].a, e[2].b, e[2].layer), (2, 3, Layer::Online));
        assert_eq!(
            (e[3].a, e[3].b, e[3].weight, e[3].layer),
            (3, 0, 0.0, Layer::Peer)
        );

        let (g, report) = import(&edges, None).unwrap();
        assert_eq!(g.edge_count(), 4);
        assert_eq!(
            (report.self_loops_dropped, report.duplicates_dropped),
            (0, 0)
        );
    }

    #[test]
    fn minimal_file_and_header_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "e.csv", "source,target\n0,5");
        let (list, _) = read_edge_list(&p, None).unwrap();
        assert_eq!(list.n, 6);
        assert_eq!(list.edges[0].weight, 1.0);
        assert_eq!(list.edges[0].layer, Layer::Peer);
        let p = write(&dir, "h.csv", "source,target\n");
        let err = read_edge_list(&p, None).unwrap_err().to_string();
        assert!(err.contains("no data rows"), "{err}");
    }

    #[test]
    fn an_id_far_beyond_the_rows_is_located_and_allocates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "e.csv", "source,target\n0,1\n4000000000,2\n");
        let err = read_edge_list(&p, None).unwrap_err().to_string();
        assert!(
            err.contains("e.csv:3: source 4000000000 is too large for 2 row(s)"),
            "{err}"
        );
        // The limit itself: 2 rows allow ids below 2 * 2 + 1024.
        let p = write(&dir, "f.csv", "source,target\n0,1\n1027,2\n");
        assert_eq!(read_edge_list(&p, None).unwrap().0.n, 1028);
        let p = write(&dir, "g.csv", "source,target\n0,1\n1028,2\n");
        assert!(read_edge_list(&p, None).is_err());
    }

    #[test]
    fn header_missing_a_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "edges.csv", "source,weight\n0,1\n");
        let err = read_edge_list(&p, None).unwrap_err();
        assert!(matches!(
            err,
            CsvError::MissingColumn {
                column: "target",
                line: 1,
                ..
            }
        ));
        let msg = err.to_string();
        assert!(
            msg.contains("edges.csv:1:") && msg.contains("\"target\""),
            "{msg}"
        );
    }

    #[test]
    fn unknown_duplicate_and_missing_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "edges.csv", "# c\nsource,target,colour,when\n");
        let err = read_edge_list(&p, None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("edges.csv:2:"), "{msg}");
        assert!(msg.contains("\"colour\", \"when\""), "{msg}");
        let p = write(&dir, "dup.csv", "source,target,Source\n");
        assert!(matches!(
            read_edge_list(&p, None).unwrap_err(),
            CsvError::DuplicateColumn {
                column: "source",
                ..
            }
        ));
        let p = write(&dir, "empty.csv", "\n# nothing\n\n");
        assert!(matches!(
            read_edge_list(&p, None).unwrap_err(),
            CsvError::NoHeader { .. }
        ));
    }

    #[test]
    fn bad_values_name_the_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "source,target\n0,1\n\n# c\n1,2\n2,x\n",
                6,
                "target \"x\" is not a non-negative integer",
            ),
            (
                "source,target\n-1,2\n",
                2,
                "source \"-1\" is not a non-negative integer",
            ),
            ("source,target\n1.5,2\n", 2, "source \"1.5\""),
            ("source,target\n4294967296,2\n", 2, "below 2^32"),
            (
                "source,target,weight\n0,1,1.5\n",
                2,
                "weight \"1.5\" is not a number in [0, 1]",
            ),
            ("source,target,weight\n0,1,NaN\n", 2, "weight \"NaN\""),
            ("source,target,layer\n0,1,pub\n", 2, "layer \"pub\""),
            ("source,target,layer\n0,1,4\n", 2, "layer \"4\""),
            (
                "source,target\n0,1,2\n",
                2,
                "expected 2 comma-separated fields",
            ),
            ("source,target\n0\n", 2, "found 1"),
            ("source,target\n,1\n", 2, "source \"\""),
        ];
        for (text, line, needle) in cases {
            let p = write(&dir, "edges.csv", text);
            let msg = read_edge_list(&p, None).unwrap_err().to_string();
            assert!(msg.contains(&format!("edges.csv:{line}: ")), "{msg}");
            assert!(msg.contains(needle), "{msg} lacks {needle}");
        }
    }

    #[test]
    fn missing_file_carries_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope.csv");
        match read_edge_list(&p, None).unwrap_err() {
            CsvError::Io { path, .. } => assert_eq!(path, p),
            e => panic!("unexpected {e}"),
        }
        let edges = write(&dir, "edges.csv", "source,target\n");
        let err = read_edge_list(&edges, Some(&p)).unwrap_err();
        assert!(err.to_string().contains("nope.csv"));
    }

    #[test]
    fn node_table_sets_groups_and_range() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = write(&dir, "nodes.csv", "group,id\n1,2\n0,0\n7,1\n3,3\n");
        let edges = write(&dir, "edges.csv", "source,target\n0,1\n");
        let (list, _) = read_edge_list(&edges, Some(&nodes)).unwrap();
        assert_eq!(list.n, 4);
        assert_eq!(list.groups, vec![0, 7, 1, 3]);

        let edges = write(&dir, "edges.csv", "source,target\n0,1\n2,4\n");
        let err = read_edge_list(&edges, Some(&nodes)).unwrap_err();
        assert!(matches!(
            err,
            CsvError::IdOutOfRange {
                line: 3,
                column: "target",
                id: 4,
                n: 4,
                ..
            }
        ));
        let msg = err.to_string();
        assert!(
            msg.contains("edges.csv:3: target 4: id out of range"),
            "{msg}"
        );
        assert!(msg.contains("must be below 4"), "{msg}");
    }

    #[test]
    fn node_table_with_missing_or_repeated_id() {
        let dir = tempfile::tempdir().unwrap();
        let edges = write(&dir, "edges.csv", "source,target\n0,1\n");
        let nodes = write(&dir, "nodes.csv", "id,group\n0,0\n1,0\n3,1\n");
        let err = read_edge_list(&edges, Some(&nodes)).unwrap_err();
        assert!(
            matches!(err, CsvError::MissingId { id: 2, rows: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("nodes.csv: id 2 is missing"));

        let nodes = write(&dir, "nodes.csv", "id,group\n0,0\n1,0\n\n1,1\n");
        let err = read_edge_list(&edges, Some(&nodes)).unwrap_err();
        assert!(matches!(
            err,
            CsvError::DuplicateId {
                line: 5,
                id: 1,
                first_line: 3,
                ..
            }
        ));
        let nodes = write(&dir, "nodes.csv", "id,group\n0,-1\n");
        let msg = read_edge_list(&edges, Some(&nodes))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("nodes.csv:2: group \"-1\""), "{msg}");
        let nodes = write(&dir, "nodes.csv", "id\n0\n");
        let msg = read_edge_list(&edges, Some(&nodes))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("\"group\""), "{msg}");
    }

    #[test]
    fn self_loops_and_duplicates_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "edges.csv",
            "source,target,weight\n0,1,0.2\n1,0,0.9\n2,2,1\n1,2,1\n0,1,1\n3,3,1\n",
        );
        let (g, report) = import(&p, None).unwrap();
        assert_eq!(
            report,
            ImportReport {
                rows: 6,
                self_loops_dropped: 2,
                duplicates_dropped: 2,
            }
        );
        assert_eq!(g.n(), 4);
        assert_eq!(g.edge_count(), 2);
        // First occurrence's weight kept.
        assert_eq!(g.weights[0], 0.2);
    }
}
