//! shim
#![allow(missing_docs, unused)]
use super::*;
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GraphMetrics { pub nodes: u64 }
pub fn compute(g: &Graph) -> GraphMetrics { GraphMetrics { nodes: g.n() as u64 } }
