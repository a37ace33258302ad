//! shim
#![allow(missing_docs, unused)]
use super::*;
use std::path::{Path, PathBuf};
#[derive(Debug, thiserror::Error)]
pub enum CsvError { #[error("io {path:?}")] Io { path: PathBuf, #[source] source: std::io::Error } }
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ImportReport { pub rows: u64, pub self_loops_dropped: u64, pub duplicates_dropped: u64 }
pub fn import(path: &Path, nodes: Option<&Path>) -> Result<(Graph, ImportReport), CsvError> { unimplemented!() }
