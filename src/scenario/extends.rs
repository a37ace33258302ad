//! `extends`: a scenario file that names a base file and overrides only what differs. The chain
//! is read base first, so each file's keys override those of the file it extends.
//!
//! Why in a loop with a depth limit: the chain is user input, and a cycle or a very deep chain
//! must be a located error, never a stack overflow.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::ImDocument;

use super::parse::{flatten, line_col, raw_entry, Leaf};
use super::RawEntry;
use crate::error::{Error, Location, Result};

/// Most files in one `extends` chain (the file itself included).
pub const MAX_EXTENDS_DEPTH: usize = 64;

/// Reads `path` and its `extends` chain, base first, into `out`. The chain is followed in a
/// loop (not by recursion), at most [`MAX_EXTENDS_DEPTH`] files deep, so no input can
/// overflow the stack.
pub(super) fn load_layers(path: &Path, out: &mut Vec<RawEntry>) -> Result<()> {
    let mut chain: Vec<PathBuf> = Vec::new();
    // Each file's own keys, from the named file down to the base.
    let mut layers: Vec<(PathBuf, Vec<Leaf>)> = Vec::new();
    let mut next = Some((path.to_path_buf(), None::<Location>));
    while let Some((path, named_at)) = next.take() {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        if chain.contains(&canonical) {
            return Err(Error::Scenario {
                location: named_at.unwrap_or(Location::WholeFile(path.clone())),
                message: "`extends` forms a cycle".to_string(),
            });
        }
        if chain.len() >= MAX_EXTENDS_DEPTH {
            return Err(Error::Scenario {
                location: named_at.unwrap_or(Location::WholeFile(path.clone())),
                message: format!("`extends` chain is more than {MAX_EXTENDS_DEPTH} files deep"),
            });
        }
        chain.push(canonical);
        let leaves = read_layer(&path)?;
        if let Some((_, loc, item)) = leaves.iter().find(|(k, _, _)| k == "extends") {
            let base = item.as_str().ok_or_else(|| Error::Scenario {
                location: loc.clone(),
                message: "`extends` must be a file path in quotes".to_string(),
            })?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let base_path = dir.join(base);
            crate::input::require_file(&base_path, "extended scenario", loc)?;
            next = Some((base_path, Some(loc.clone())));
        }
        layers.push((path, leaves));
    }
    // Base first, so each file's keys override those of the file it extends.
    for (path, leaves) in layers.into_iter().rev() {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (key, location, item) in leaves {
            if key == "extends" {
                continue;
            }
            out.push(raw_entry(&key, &item, &location, &dir)?);
        }
    }
    Ok(())
}

/// Reads and parses one scenario file into its leaves (its `extends` is one of them).
pub(super) fn read_layer(path: &Path) -> Result<Vec<Leaf>> {
    let text =
        crate::input::read_text(path, crate::input::MAX_SCENARIO_BYTES).map_err(|source| {
            Error::ReadScenario {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let doc = ImDocument::parse(text.as_str()).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
        Error::Scenario {
            location: Location::File {
                path: path.to_path_buf(),
                line,
                column,
            },
            message: format!("invalid TOML: {}", e.message()),
        }
    })?;
    let at = |span: Option<std::ops::Range<usize>>| {
        let (line, column) = span.map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
        Location::File {
            path: path.to_path_buf(),
            line,
            column,
        }
    };
    let mut leaves = Vec::new();
    flatten(
        doc.as_table(),
        "",
        &at,
        &["extends"],
        &|location, key| Error::Scenario {
            location,
            message: format!("`[[{key}]]` arrays of tables are not scenario keys"),
        },
        &mut leaves,
    )?;
    // `"sisa.beta" = 1` and `[sisa] beta = 2` in one file name the same key; TOML allows it,
    // a scenario does not (the last one would silently win).
    let mut seen: BTreeMap<&str, &Location> = BTreeMap::new();
    for (key, location, _) in &leaves {
        if let Some(first) = seen.insert(key, location) {
            return Err(Error::Scenario {
                location: location.clone(),
                message: format!("`{key}` is set twice in this file (first at {first})"),
            });
        }
    }
    Ok(leaves)
}
