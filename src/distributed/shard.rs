//! Job-array shards: `compare --shard K/N` computes a fixed share of a comparison's work units
//! and writes them with a manifest; `merge` checks that a set of shards is one whole study
//! before their results are assembled.
//!
//! A shard's share is every unit whose index (in [`crate::compare::units::units`] order) is
//! `K-1` modulo `N`, so each shard gets units from every burn-in group and the shares differ
//! by at most one unit. A study is identified by a hash of everything that determines its
//! results (the resolved scenario of every arm, the seeds, the replicate count, the cocoon
//! version); shards with different hashes, seeds or `N` are never merged.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::wire::WireUnit;
use crate::compare::units::{Unit, UnitResult};
use crate::compare::Plan;
use crate::error::{Error, Result};
use crate::output::{self, atomic, RunInfo};

/// Name of the partial-result file in a shard's folder.
pub const SHARD_FILE: &str = "shard.json";
/// Version of the shard file format; a shard of another format is refused.
pub const FORMAT_VERSION: u32 = 1;

/// Which share of the units a shard computes: `k` of `n`, counting from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardSpec {
    /// This shard, 1..=n.
    pub k: u32,
    /// Number of shards.
    pub n: u32,
}

impl FromStr for ShardSpec {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<ShardSpec, String> {
        let bad = || {
            format!(
                "`{s}` is not a shard: write K/N with 1 <= K <= N, e.g. 2/8 for the second of \
                 eight shards"
            )
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(ShardSpec { k, n })
    }
}

impl fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// The units shard `spec` computes: those whose index is `k-1` modulo `n`.
pub fn share(units: &[Unit], spec: ShardSpec) -> Vec<Unit> {
    units
        .iter()
        .enumerate()
        .filter(|(i, _)| *i as u64 % spec.n as u64 == (spec.k - 1) as u64)
        .map(|(_, u)| *u)
        .collect()
}

#[derive(Serialize)]
struct StudyIdentity<'a> {
    version: &'a str,
    question: &'a str,
    baseline: usize,
    common_random_numbers: bool,
    seed: u64,
    arms: Vec<(&'a str, u64, u32, u32, crate::scenario::ScenarioRecord<'a>)>,
}

/// A hash (FNV-1a, 64 bits, as hex) of everything that determines the comparison's results:
/// the cocoon version, every arm's name, seed, replicates, ticks and resolved parameters.
pub fn study_hash(plan: &Plan) -> String {
    let identity = StudyIdentity {
        version: output::build_info().0,
        question: &plan.question,
        baseline: plan.baseline,
        common_random_numbers: plan.common_random_numbers,
        seed: plan.seed,
        arms: plan
            .arms
            .iter()
            .map(|a| {
                let s = &a.scenario;
                (a.name.as_str(), s.seed, s.replicates, s.ticks, s.record())
            })
            .collect(),
    };
    let bytes = serde_json::to_vec(&identity).expect("scenario records serialize");
    crate::engine::rng::fnv1a_hex(&bytes)
}

/// The partial result of one shard, as written to [`SHARD_FILE`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile {
    /// Always `cocoon-shard`.
    pub format: String,
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// [`study_hash`] of the comparison.
    pub study_hash: String,
    /// The comparison file as given on the command line (merge loads it again).
    pub compare_file: String,
    /// The `--set` overrides given.
    pub sets: Vec<String>,
    /// Whether `--independent` was given.
    pub independent: bool,
    /// The comparison's seed.
    pub seed: u64,
    /// This shard (1..=shards).
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
    /// Number of units in the whole comparison.
    pub units_total: usize,
    /// The results of this shard's units.
    pub units: Vec<WireUnit>,
}

impl ShardFile {
    /// The shard's results, in the order they were written.
    pub fn results(self) -> Vec<UnitResult> {
        self.units.into_iter().map(UnitResult::from).collect()
    }
}

#[derive(Serialize)]
struct ShardManifest<'a> {
    kind: &'a str,
    compare_file: &'a str,
    study_hash: &'a str,
    seed: u64,
    shard: u32,
    shards: u32,
    units_total: usize,
    units: Vec<(usize, u32)>,
    version: &'a str,
    git_commit: Option<&'a str>,
    run: &'a RunInfo,
    files: Vec<&'a str>,
}

/// What a shard is of: the comparison as the command line gave it.
pub struct ShardOf<'a> {
    /// The loaded comparison.
    pub plan: &'a Plan,
    /// The comparison file as given.
    pub compare_file: &'a str,
    /// The `--set` overrides.
    pub sets: &'a [String],
    /// `--independent`.
    pub independent: bool,
}

/// Writes [`SHARD_FILE`] and `manifest.json` (last) to `dir`. Returns the file names.
pub fn write(
    dir: &Path,
    of: &ShardOf<'_>,
    spec: ShardSpec,
    results: &[UnitResult],
    info: &RunInfo,
) -> Result<Vec<String>> {
    atomic::create_dir(dir)?;
    let file = ShardFile {
        format: "cocoon-shard".into(),
        format_version: FORMAT_VERSION,
        study_hash: study_hash(of.plan),
        compare_file: of.compare_file.to_string(),
        sets: of.sets.to_vec(),
        independent: of.independent,
        seed: of.plan.seed,
        shard: spec.k,
        shards: spec.n,
        units_total: crate::compare::units::units(of.plan).len(),
        units: results.iter().map(WireUnit::from).collect(),
    };
    let text = serde_json::to_string(&file).expect("shard files serialize");
    atomic::write(&dir.join(SHARD_FILE), text.as_bytes())?;
    let (version, git_commit) = output::build_info();
    let manifest = ShardManifest {
        kind: "shard",
        compare_file: &file.compare_file,
        study_hash: &file.study_hash,
        seed: file.seed,
        shard: spec.k,
        shards: spec.n,
        units_total: file.units_total,
        units: results
            .iter()
            .map(|r| (r.unit.group, r.unit.replicate))
            .collect(),
        version,
        git_commit,
        run: info,
        files: vec![SHARD_FILE, "manifest.json"],
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("manifests serialize");
    json.push('\n');
    atomic::write(&dir.join("manifest.json"), json.as_bytes())?;
    Ok(vec![SHARD_FILE.into(), "manifest.json".into()])
}

/// Reads the shard in folder `dir`.
pub fn read(dir: &Path) -> Result<ShardFile> {
    let path = dir.join(SHARD_FILE);
    let text = std::fs::read(&path).map_err(|e| {
        Error::Usage(format!(
            "{}: not a finished shard folder ({} cannot be read: {e}); run `cocoon compare \
             FILE --shard K/N --out {}` first",
            dir.display(),
            path.display(),
            dir.display()
        ))
    })?;
    let file: ShardFile = serde_json::from_slice(&text)
        .map_err(|e| Error::Usage(format!("{}: not a cocoon shard file: {e}", path.display())))?;
    if file.format != "cocoon-shard" || file.format_version != FORMAT_VERSION {
        return Err(Error::Usage(format!(
            "{}: shard format `{}` version {} cannot be merged by this cocoon (it reads \
             `cocoon-shard` version {FORMAT_VERSION})",
            path.display(),
            file.format,
            file.format_version
        )));
    }
    Ok(file)
}

/// What identifies a shard of a study (comparison or sweep), for [`check_ids`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardId {
    /// The study's hash.
    pub study_hash: String,
    /// The study's seed.
    pub seed: u64,
    /// This shard, 1..=shards.
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
}

/// Checks that `shards` (folder, file) are all of one study, each of `1..=N` exactly once.
pub fn check(shards: &[(PathBuf, ShardFile)]) -> Result<()> {
    let ids: Vec<(PathBuf, ShardId)> = shards
        .iter()
        .map(|(d, s)| {
            (
                d.clone(),
                ShardId {
                    study_hash: s.study_hash.clone(),
                    seed: s.seed,
                    shard: s.shard,
                    shards: s.shards,
                },
            )
        })
        .collect();
    check_ids(&ids)
}

/// Checks that the shards (folder, identity) are all of one study, each of `1..=N` exactly
/// once; the error names the offending folders or the missing shards.
pub fn check_ids(shards: &[(PathBuf, ShardId)]) -> Result<()> {
    let Some((first_dir, first)) = shards.first() else {
        return Err(Error::Usage("merge needs at least one shard folder".into()));
    };
    for (dir, s) in &shards[1..] {
        let differ = |what: &str, a: &dyn fmt::Display, b: &dyn fmt::Display| {
            Error::Usage(format!(
                "{} and {} are shards of different studies: {what} {a} vs {b}",
                first_dir.display(),
                dir.display()
            ))
        };
        if s.study_hash != first.study_hash {
            return Err(differ("file hash", &first.study_hash, &s.study_hash));
        }
        if s.seed != first.seed {
            return Err(differ("seed", &first.seed, &s.seed));
        }
        if s.shards != first.shards {
            return Err(differ("shard count N", &first.shards, &s.shards));
        }
    }
    let mut seen: BTreeMap<u32, &Path> = BTreeMap::new();
    for (dir, s) in shards {
        if s.shard == 0 || s.shard > s.shards {
            return Err(Error::Usage(format!(
                "{}: shard {}/{} is out of range",
                dir.display(),
                s.shard,
                s.shards
            )));
        }
        if let Some(other) = seen.insert(s.shard, dir) {
            return Err(Error::Usage(format!(
                "shard {}/{} is given twice: {} and {}",
                s.shard,
                s.shards,
                other.display(),
                dir.display()
            )));
        }
    }
    let missing: Vec<String> = (1..=first.shards)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{}", first.shards))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "shard(s) {} missing: the study has {} shards and {} were given",
            missing.join(", "),
            first.shards,
            shards.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs_parse_or_say_what_is_allowed() {
        assert_eq!("2/8".parse(), Ok(ShardSpec { k: 2, n: 8 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            let e = bad.parse::<ShardSpec>().unwrap_err();
            assert!(e.contains("1 <= K <= N"), "{bad}: {e}");
        }
    }

    #[test]
    fn shares_cover_every_unit_once() {
        let units: Vec<Unit> = (0..3)
            .flat_map(|g| {
                (0..7).map(move |r| Unit {
                    group: g,
                    replicate: r,
                })
            })
            .collect();
        for n in 1..=25 {
            let mut all: Vec<Unit> = (1..=n)
                .flat_map(|k| share(&units, ShardSpec { k, n }))
                .collect();
            let sizes: Vec<usize> = (1..=n)
                .map(|k| share(&units, ShardSpec { k, n }).len())
                .collect();
            assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
            all.sort();
            assert_eq!(all, units, "n = {n}");
        }
    }

    fn shard(k: u32, n: u32, hash: &str, seed: u64) -> (PathBuf, ShardFile) {
        (
            PathBuf::from(format!("s{k}")),
            ShardFile {
                format: "cocoon-shard".into(),
                format_version: FORMAT_VERSION,
                study_hash: hash.into(),
                compare_file: "c.toml".into(),
                sets: vec![],
                independent: false,
                seed,
                shard: k,
                shards: n,
                units_total: 3,
                units: vec![],
            },
        )
    }

    #[test]
    fn merge_checks_name_the_offending_shards() {
        let ok = vec![shard(1, 2, "h", 1), shard(2, 2, "h", 1)];
        check(&ok).unwrap();
        let e = check(&[shard(1, 2, "h", 1), shard(2, 2, "x", 1)])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s1 and s2 are shards of different studies: file hash h vs x"),
            "{e}"
        );
        let e = check(&[shard(1, 2, "h", 1), shard(2, 2, "h", 5)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("seed 1 vs 5"), "{e}");
        let e = check(&[shard(1, 2, "h", 1), shard(2, 3, "h", 1)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("shard count N 2 vs 3"), "{e}");
        let e = check(&[shard(1, 3, "h", 1), shard(1, 3, "h", 1)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("shard 1/3 is given twice"), "{e}");
        let e = check(&[shard(2, 3, "h", 1)]).unwrap_err().to_string();
        assert!(e.contains("shard(s) 1/3, 3/3 missing"), "{e}");
    }
}
