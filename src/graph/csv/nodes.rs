//! Reading the optional node table (`id,group`).
//!
//! Why a file of its own: the node table fixes who the agents are (every id `0..n` exactly
//! once) and which group each is in; its checks (missing and repeated ids, located by line)
//! are a different concern from parsing ties, and the edge reader only needs its result, the
//! group label per id.

use super::fields::{
    bad, data_lines, field, parse_header, parse_u32, read_text, split_row, NOT_ID, TOO_BIG,
};
use super::CsvError;
use std::path::Path;

const NODE_COLUMNS: &[&str] = &["id", "group"];

/// Reads a node table: group label per id, indexed by id.
pub(super) fn read_nodes(path: &Path) -> Result<Vec<u32>, CsvError> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::write;
    use super::super::{read_edge_list, CsvError};

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
}
