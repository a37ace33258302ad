//! Writing a study's results into a folder (the binary passes a staging folder that it swaps
//! into place whole, see [`crate::output::Staging`]): every file rendered in memory first,
//! each written atomically, and `manifest.json` last.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::plan::Study;
use crate::error::Result;
use crate::output::{atomic, build_info, RunInfo};

/// Which command produced the results, with which design and how many points.
#[derive(Clone, Copy, Debug)]
pub struct What<'a> {
    /// `sweep`, `sensitivity` or `calibrate`.
    pub command: &'a str,
    /// The design or method.
    pub design: &'a str,
    /// Points evaluated.
    pub points: usize,
}

#[derive(Serialize)]
struct ManifestParameter<'a> {
    key: &'a str,
    prior: String,
    source: &'a str,
}

#[derive(Serialize)]
struct Manifest<'a> {
    study: String,
    name: &'a str,
    description: &'a str,
    command: &'a str,
    base: String,
    arms: Vec<&'a str>,
    design: &'a str,
    points: usize,
    replicates: u32,
    seed: u64,
    parameters: Vec<ManifestParameter<'a>>,
    outcomes: Vec<&'a str>,
    targets: Vec<&'a str>,
    version: &'static str,
    git_commit: Option<&'static str>,
    run: &'a RunInfo,
    files: Vec<String>,
}

/// Writes `files` (name, bytes; names may contain `charts/`) into `dir`, lists the files
/// `written` there already (charts), then writes the manifest.
/// Returns every file name written.
pub fn write(
    dir: &Path,
    study: &Study,
    what: What<'_>,
    files: &[(String, Vec<u8>)],
    written: &[PathBuf],
    info: &RunInfo,
) -> Result<Vec<String>> {
    atomic::create_dir(dir)?;
    let mut names: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
        .collect();
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            atomic::create_dir(parent)?;
        }
        atomic::write(&path, bytes)?;
        names.push(name.clone());
    }
    names.push("manifest.json".into());
    let (version, git_commit) = build_info();
    let f = &study.file;
    let manifest = Manifest {
        study: f.path.display().to_string(),
        name: &f.name,
        description: &f.description,
        command: what.command,
        base: f.base.0.display().to_string(),
        arms: study.arms.iter().map(|(n, _)| n.as_str()).collect(),
        design: what.design,
        points: what.points,
        replicates: f.replicates,
        seed: f.seed,
        parameters: f
            .parameters
            .iter()
            .map(|p| ManifestParameter {
                key: &p.key,
                prior: format!("{:?}", p.prior),
                source: &p.source,
            })
            .collect(),
        outcomes: study.outcomes.iter().map(|q| q.name.as_str()).collect(),
        targets: study
            .targets
            .iter()
            .map(|t| t.quantity.name.as_str())
            .collect(),
        version,
        git_commit,
        run: info,
        files: names.clone(),
    };
    let json = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    atomic::write(&dir.join("manifest.json"), json.as_bytes())?;
    Ok(names)
}
