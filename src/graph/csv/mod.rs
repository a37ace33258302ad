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

mod error;
mod fields;
mod nodes;

pub use error::CsvError;

use super::{Edge, EdgeList, Graph, Layer};
use fields::{bad, data_lines, field, parse_header, parse_u32, read_text, split_row};
use serde::Serialize;
use std::path::Path;

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

const EDGE_COLUMNS: &[&str] = &["source", "target", "weight", "layer"];

/// Reads an edge file, and optionally a node table, into an [`EdgeList`] (see the module
/// docs for the format). Self-loops and duplicates are kept; the report's `rows` is filled
/// and its dropped counts are 0, since nothing is dropped until the list is built — use
/// [`import`] to build and count in one step.
pub fn read_edge_list(
    path: &Path,
    nodes: Option<&Path>,
) -> Result<(EdgeList, ImportReport), CsvError> {
    let node_groups = match nodes {
        Some(p) => Some(nodes::read_nodes(p)?),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use tempfile::TempDir;

    pub(super) fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
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
