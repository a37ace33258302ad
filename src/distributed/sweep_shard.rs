//! Job-array shards of a sweep: `sweep --shard K/N` runs the design points whose index is
//! `K-1` modulo `N` and writes their values; `merge` checks that the shards are one whole
//! sweep and puts the values back in point order for the same `sweep.csv` a single run
//! writes.
//!
//! A point's values depend only on the point (its scenarios run under the study seed, and a
//! burn-in shared between points gives what separate burn-ins give), not on which other points
//! ran beside it, so any split gives the single run's bytes. Values travel as bit patterns.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::shard::{ShardId, ShardSpec};
use crate::error::{Error, Result};
use crate::output::{self, atomic, RunInfo};
use crate::study::sweep::PointResult;

/// Name of the partial-result file in a sweep shard's folder.
pub const SWEEP_SHARD_FILE: &str = "sweep-shard.json";
/// Version of the sweep shard format.
pub const FORMAT_VERSION: u32 = 1;

/// The indices of the points shard `spec` of a sweep of `total` points runs.
pub fn share(total: usize, spec: ShardSpec) -> Vec<usize> {
    (0..total)
        .filter(|i| *i as u64 % spec.n as u64 == (spec.k - 1) as u64)
        .collect()
}

/// The partial result of one sweep shard.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepShardFile {
    /// Always `cocoon-sweep-shard`.
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// [`crate::study::sweep::study_hash`] of the sweep.
    pub study_hash: String,
    /// The study file as given on the command line (merge loads it again).
    pub study_file: String,
    /// The study's seed.
    pub seed: u64,
    /// This shard (1..=shards).
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
    /// Points in the whole sweep.
    pub points_total: usize,
    /// (point index, values by quantity then replicate as `f64` bit patterns).
    pub points: Vec<(usize, Vec<Vec<u64>>)>,
}

impl SweepShardFile {
    /// The shard's identity for [`super::shard::check_ids`].
    pub fn id(&self) -> ShardId {
        ShardId {
            study_hash: self.study_hash.clone(),
            seed: self.seed,
            shard: self.shard,
            shards: self.shards,
        }
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    kind: &'a str,
    study_file: &'a str,
    study_hash: &'a str,
    seed: u64,
    shard: u32,
    shards: u32,
    points_total: usize,
    points: Vec<usize>,
    version: &'a str,
    git_commit: Option<&'a str>,
    run: &'a RunInfo,
    files: Vec<&'a str>,
}

/// Writes [`SWEEP_SHARD_FILE`] and `manifest.json` (last) into `dir`; returns the names.
pub fn write(dir: &Path, file: &SweepShardFile, info: &RunInfo) -> Result<Vec<String>> {
    atomic::create_dir(dir)?;
    let text = serde_json::to_string(file).expect("sweep shards serialize");
    atomic::write(&dir.join(SWEEP_SHARD_FILE), text.as_bytes())?;
    let (version, git_commit) = output::build_info();
    let manifest = Manifest {
        kind: "sweep-shard",
        study_file: &file.study_file,
        study_hash: &file.study_hash,
        seed: file.seed,
        shard: file.shard,
        shards: file.shards,
        points_total: file.points_total,
        points: file.points.iter().map(|(i, _)| *i).collect(),
        version,
        git_commit,
        run: info,
        files: vec![SWEEP_SHARD_FILE, "manifest.json"],
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("manifests serialize");
    json.push('\n');
    atomic::write(&dir.join("manifest.json"), json.as_bytes())?;
    Ok(vec![SWEEP_SHARD_FILE.into(), "manifest.json".into()])
}

/// Packs the results of the points `indices` for the shard file.
pub fn pack(indices: &[usize], results: &[PointResult]) -> Vec<(usize, Vec<Vec<u64>>)> {
    indices
        .iter()
        .zip(results)
        .map(|(&i, r)| {
            let bits = r
                .values
                .iter()
                .map(|q| q.iter().map(|v| v.to_bits()).collect())
                .collect();
            (i, bits)
        })
        .collect()
}

/// True if `dir` holds a sweep shard (rather than a comparison shard).
pub fn is_sweep_shard(dir: &Path) -> bool {
    dir.join(SWEEP_SHARD_FILE).is_file()
}

/// Reads the sweep shard in `dir`.
pub fn read(dir: &Path) -> Result<SweepShardFile> {
    let path = dir.join(SWEEP_SHARD_FILE);
    let text = std::fs::read(&path).map_err(|e| {
        Error::Usage(format!(
            "{}: not a finished sweep shard folder ({} cannot be read: {e}); run `cocoon sweep \
             FILE --shard K/N --out {}` first",
            dir.display(),
            path.display(),
            dir.display()
        ))
    })?;
    let file: SweepShardFile = serde_json::from_slice(&text)
        .map_err(|e| Error::Usage(format!("{}: not a cocoon sweep shard: {e}", path.display())))?;
    if file.format != "cocoon-sweep-shard" || file.format_version != FORMAT_VERSION {
        return Err(Error::Usage(format!(
            "{}: sweep shard format `{}` version {} cannot be merged by this cocoon (it reads \
             `cocoon-sweep-shard` version {FORMAT_VERSION})",
            path.display(),
            file.format,
            file.format_version
        )));
    }
    Ok(file)
}

/// Checks that `shards` are one whole sweep (see [`super::shard::check_ids`]) and puts their
/// values back in point order; every point must come exactly once.
pub fn assemble(shards: &[(PathBuf, SweepShardFile)]) -> Result<Vec<PointResult>> {
    let ids: Vec<(PathBuf, ShardId)> = shards.iter().map(|(d, s)| (d.clone(), s.id())).collect();
    super::shard::check_ids(&ids)?;
    let total = shards[0].1.points_total;
    let mut slots: Vec<Option<PointResult>> = vec![None; total];
    for (dir, s) in shards {
        for (i, bits) in &s.points {
            let slot = slots.get_mut(*i).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: point {i} is not part of a sweep of {total} points",
                    dir.display()
                ))
            })?;
            if slot.is_some() {
                return Err(Error::Usage(format!(
                    "{}: point {i} was given twice",
                    dir.display()
                )));
            }
            *slot = Some(PointResult {
                values: bits
                    .iter()
                    .map(|q| q.iter().map(|&b| f64::from_bits(b)).collect())
                    .collect(),
            });
        }
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            s.ok_or_else(|| Error::Usage(format!("point {i} is missing from the shards")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_point_once() {
        for n in 1..=7 {
            let mut all: Vec<usize> = (1..=n)
                .flat_map(|k| share(10, ShardSpec { k, n }))
                .collect();
            all.sort();
            assert_eq!(all, (0..10).collect::<Vec<_>>(), "n = {n}");
        }
    }

    fn shard(k: u32, points: Vec<usize>) -> (PathBuf, SweepShardFile) {
        (
            PathBuf::from(format!("s{k}")),
            SweepShardFile {
                format: "cocoon-sweep-shard".into(),
                format_version: FORMAT_VERSION,
                study_hash: "h".into(),
                study_file: "s.toml".into(),
                seed: 1,
                shard: k,
                shards: 2,
                points_total: 3,
                points: points
                    .into_iter()
                    .map(|i| (i, vec![vec![(i as f64).to_bits()]]))
                    .collect(),
            },
        )
    }

    #[test]
    fn assembly_restores_point_order_and_names_gaps() {
        let got = assemble(&[shard(2, vec![1]), shard(1, vec![0, 2])]).unwrap();
        let firsts: Vec<f64> = got.iter().map(|r| r.values[0][0]).collect();
        assert_eq!(firsts, [0.0, 1.0, 2.0]);
        let e = assemble(&[shard(1, vec![0]), shard(2, vec![1])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("point 2 is missing"), "{e}");
        let e = assemble(&[shard(1, vec![0, 1]), shard(2, vec![1, 2])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("point 1 was given twice"), "{e}");
        let e = assemble(&[shard(1, vec![0, 2])]).unwrap_err().to_string();
        assert!(e.contains("2/2 missing"), "{e}");
    }
}
