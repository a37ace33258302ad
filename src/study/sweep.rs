//! Running a design: every point's scenarios (one per arm of the base), all replicates, each
//! quantity reduced to one number per replicate.
//!
//! Points run as work units ([`super::units`]) on the current rayon pool, or on MPI ranks.
//! Withdrawal runs whose scenarios reach tick 0 in the same state (equal
//! [`burn_in_signature`]: the swept keys act only after the burn-in, such as levers and
//! funding) share one burn-in per replicate, in batches of at most [`BATCH`] runs so that
//! finished work is saved often; a unit is one replicate of one batch. Each finished point is written to a
//! staging folder with a fingerprint of everything that determines it (its scenarios'
//! resolved parameters and the quantities); a rerun after an interruption reads the points
//! whose fingerprint matches instead of running them again. Values are stored in shortest
//! round-trip form, so a resumed sweep gives the same bytes as an uninterrupted one, and the
//! order of the output never depends on the order in which points finished.
//!
//! [`burn_in_signature`]: crate::models::withdrawal::burn_in_signature

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::plan::Study;
use super::units::{self, Runner};
use crate::engine::Series;
use crate::error::{Error, Result};
use crate::output::{atomic, fmt_f64};
use crate::scenario::Scenario;

/// Most runs (point-arm pairs) that share one burn-in batch.
pub const BATCH: usize = 16;

/// Where finished points wait, so that an interrupted (or sharded) study does not run them
/// again.
#[derive(Clone, Copy, Debug)]
pub enum Saved<'a> {
    /// A design's points, by index (`point-000003.txt`), read and written.
    Points(&'a Path),
    /// A calibration's evaluated candidates, by fingerprint (each candidate has its own seed,
    /// and batches differ from generation to generation); always read, written if `save`.
    Evaluations {
        /// The folder.
        dir: &'a Path,
        /// Whether evaluations are written as they finish (`calibrate --shard`).
        save: bool,
    },
}

impl Saved<'_> {
    fn dir(&self) -> &Path {
        match self {
            Saved::Points(d) | Saved::Evaluations { dir: d, .. } => d,
        }
    }

    fn saves(&self) -> bool {
        matches!(
            self,
            Saved::Points(_) | Saved::Evaluations { save: true, .. }
        )
    }

    fn path(&self, i: usize, fp: &str) -> PathBuf {
        match self {
            Saved::Points(d) => d.join(format!("point-{i:06}.txt")),
            Saved::Evaluations { dir, .. } => dir.join(format!("evaluation-{fp}.txt")),
        }
    }
}

/// Values of one point: `values[q][r]` is quantity `q` (outcomes, then targets) in
/// replicate `r`.
#[derive(Clone, Debug, PartialEq)]
pub struct PointResult {
    /// Per quantity, per replicate.
    pub values: Vec<Vec<f64>>,
}

impl PointResult {
    /// Mean over replicates of quantity `q`.
    pub fn mean(&self, q: usize) -> f64 {
        let v = &self.values[q];
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// A point to run: one value per parameter, on the prior's scale.
pub type Point = Vec<f64>;

/// Work still to do, for a progress bar: the ticks of the runs not staged, each shared
/// burn-in counted once per replicate (the bar then ends exactly at the end of the study).
pub fn progress_total(study: &Study, points: &[Point], staging: Option<&Path>) -> Result<u64> {
    let scenarios: Vec<Vec<Scenario>> = points
        .iter()
        .map(|p| scenarios_of(study, p, None))
        .collect::<Result<_>>()?;
    let done: Vec<usize> = (0..points.len())
        .filter(|&i| {
            staging.is_some_and(|d| {
                read_staged(&Saved::Points(d), i, &fingerprint(study, &scenarios[i])).is_some()
            })
        })
        .collect();
    Ok(batches(&scenarios, &done)
        .iter()
        .map(|batch| {
            let first = &scenarios[batch[0].0][batch[0].1];
            let burn_in = crate::run::burn_in_ticks(first) * first.replicates as u64;
            burn_in
                + batch
                    .iter()
                    .map(|&(i, a)| {
                        let s = &scenarios[i][a];
                        s.ticks as u64 * s.replicates as u64
                    })
                    .sum::<u64>()
        })
        .sum())
}

/// The runs (point, arm) still to do, grouped by what their burn-in depends on and cut into
/// batches of at most [`BATCH`] that share one burn-in per replicate.
fn batches(scenarios: &[Vec<Scenario>], done: &[usize]) -> Vec<Vec<(usize, usize)>> {
    let mut groups: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    for (i, point) in scenarios.iter().enumerate() {
        if done.contains(&i) {
            continue;
        }
        for (a, s) in point.iter().enumerate() {
            let sig = if s.model == "withdrawal" {
                crate::models::withdrawal::burn_in_signature(s)
            } else {
                format!("run {i} {a}")
            };
            match groups.iter_mut().find(|(g, _)| *g == sig) {
                Some((_, m)) => m.push((i, a)),
                None => groups.push((sig, vec![(i, a)])),
            }
        }
    }
    groups
        .iter()
        .flat_map(|(_, m)| m.chunks(BATCH).map(<[_]>::to_vec))
        .collect()
}

pub(super) fn scenarios_of(
    study: &Study,
    point: &Point,
    seed: Option<u64>,
) -> Result<Vec<Scenario>> {
    let values: Vec<toml_edit::Value> = study
        .parameters()
        .iter()
        .zip(point)
        .map(|(p, &x)| p.value_of(x))
        .collect();
    study.point_scenarios(&values, seed)
}

/// Runs every point (skipping those already staged under `staging`, and staging each one
/// as it finishes) on the current rayon pool. `progress` is called once per replicate-tick.
/// Results are in point order.
pub fn run(
    study: &Study,
    points: &[Point],
    staging: Option<&Path>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<PointResult>> {
    run_with(
        study,
        points,
        None,
        staging.map(Saved::Points),
        &|all, done| units::run_here(study, all, progress, done),
    )
}

/// [`run`], with point `i` run under seed `seeds[i]` instead of the study seed, and the work
/// units ([`units::StudyUnit`]) run by `runner` (here, or on MPI ranks). Whoever runs them,
/// the values are the same.
pub fn run_with(
    study: &Study,
    points: &[Point],
    seeds: Option<&[u64]>,
    saved: Option<Saved<'_>>,
    runner: &Runner<'_>,
) -> Result<Vec<PointResult>> {
    let scenarios: Vec<Vec<Scenario>> = points
        .iter()
        .enumerate()
        .map(|(i, p)| scenarios_of(study, p, seeds.map(|s| s[i])))
        .collect::<Result<_>>()?;
    let prints: Vec<String> = scenarios.iter().map(|s| fingerprint(study, s)).collect();
    let mut done: BTreeMap<usize, PointResult> = BTreeMap::new();
    if let Some(saved) = &saved {
        if saved.saves() {
            atomic::create_dir(saved.dir())?;
        }
        for (i, fp) in prints.iter().enumerate() {
            if let Some(r) = read_staged(saved, i, fp) {
                done.insert(i, r);
            }
        }
    }
    let done_points: Vec<usize> = done.keys().copied().collect();
    let work = units::units(
        &scenarios,
        points,
        seeds,
        &batches(&scenarios, &done_points),
    );
    // Per point still running: per arm, per replicate, its series once its unit is in.
    type Slots = Vec<Vec<Option<Series>>>;
    let pending: Mutex<BTreeMap<usize, Slots>> = Mutex::new(BTreeMap::new());
    let finished: Mutex<BTreeMap<usize, PointResult>> = Mutex::new(BTreeMap::new());
    runner(&work, &|unit, series| -> Result<()> {
        if series.len() != unit.runs.len() {
            return Err(Error::Model(format!(
                "{} returned {} series for {} run(s)",
                unit.name(),
                series.len(),
                unit.runs.len()
            )));
        }
        for (run, s) in unit.runs.iter().zip(series) {
            let complete = {
                let mut p = pending.lock().expect("no panics while locked");
                let slots = p.entry(run.point).or_insert_with(|| {
                    scenarios[run.point]
                        .iter()
                        .map(|sc| vec![None; sc.replicates as usize])
                        .collect()
                });
                let slot = slots
                    .get_mut(run.arm)
                    .and_then(|arm| arm.get_mut(unit.replicate as usize))
                    .ok_or_else(|| {
                        Error::Model(format!("{} is not one of this run's", unit.name()))
                    })?;
                *slot = Some(s);
                if slots.iter().flatten().all(Option::is_some) {
                    p.remove(&run.point)
                } else {
                    None
                }
            };
            if let Some(per_arm) = complete {
                let per_arm: Vec<Vec<Series>> = per_arm
                    .into_iter()
                    .map(|arm| arm.into_iter().flatten().collect())
                    .collect();
                let result = evaluate(study, &per_arm)?;
                if let Some(saved) = saved.filter(Saved::saves) {
                    stage(&saved, run.point, &prints[run.point], &result)?;
                }
                finished
                    .lock()
                    .expect("no panics while locked")
                    .insert(run.point, result);
            }
        }
        Ok(())
    })?;
    done.extend(finished.into_inner().expect("no panics while locked"));
    (0..points.len())
        .map(|i| {
            done.remove(&i)
                .ok_or_else(|| Error::Model(format!("point {i} was not run to the end")))
        })
        .collect()
}

/// Every quantity of one point, replicate by replicate.
fn evaluate(study: &Study, per_arm: &[Vec<Series>]) -> Result<PointResult> {
    let replicates = per_arm[0].len();
    let values = study
        .quantities()
        .iter()
        .map(|q| {
            (0..replicates)
                .map(|r| {
                    let row: Vec<&Series> = per_arm.iter().map(|s| &s[r]).collect();
                    q.value(&row).ok_or_else(|| {
                        Error::Model(format!(
                            "replicate {r} did not record what `{}` needs",
                            q.name
                        ))
                    })
                })
                .collect::<Result<Vec<f64>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PointResult { values })
}

/// A hash (FNV-1a 64, hex) of everything a sweep's results depend on: the cocoon version and
/// commit (another build may simulate differently, so its saved results are never reused),
/// the seed, the replicates, and every point's fingerprint (its scenarios' resolved
/// parameters and the quantities). Shards of one sweep have the same hash.
pub fn study_hash(study: &Study, points: &[Point]) -> Result<String> {
    let mut text = format!(
        "{}|{}|{}|{}",
        crate::checkpoint::codec::cocoon_version(),
        study.file.seed,
        study.file.replicates,
        points.len()
    );
    for p in points {
        text.push('|');
        text.push_str(&fingerprint(study, &scenarios_of(study, p, None)?));
    }
    Ok(crate::engine::rng::fnv1a_hex(text.as_bytes()))
}

/// FNV-1a of everything a point's values depend on.
fn fingerprint(study: &Study, scenarios: &[Scenario]) -> String {
    let mut text = crate::checkpoint::codec::cocoon_version();
    for s in scenarios {
        text.push_str(&serde_json::to_string(&s.params.to_json()).unwrap_or_default());
    }
    for q in study.quantities() {
        let _ = write!(text, "|{}:{:?}:{:?}", q.name, q.measure, q.arms);
    }
    crate::engine::rng::fnv1a_hex(text.as_bytes())
}

fn stage(saved: &Saved<'_>, i: usize, fp: &str, r: &PointResult) -> Result<()> {
    let mut text = format!("fingerprint {fp}\n");
    for (q, vals) in r.values.iter().enumerate() {
        for (rep, v) in vals.iter().enumerate() {
            let _ = writeln!(text, "{q},{rep},{}", fmt_f64(*v));
        }
    }
    atomic::write(&saved.path(i, fp), text.as_bytes())
}

/// A staged point, if its file exists, is complete and has fingerprint `fp`.
fn read_staged(saved: &Saved<'_>, i: usize, fp: &str) -> Option<PointResult> {
    let text = std::fs::read_to_string(saved.path(i, fp)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != format!("fingerprint {fp}") {
        return None;
    }
    let mut values: Vec<Vec<f64>> = Vec::new();
    for line in lines {
        let mut parts = line.split(',');
        let q: usize = parts.next()?.parse().ok()?;
        let r: usize = parts.next()?.parse().ok()?;
        let v: f64 = match parts.next()? {
            "" => f64::NAN,
            s => s.parse().ok()?,
        };
        if values.len() <= q {
            values.resize(q + 1, Vec::new());
        }
        if values[q].len() != r {
            return None;
        }
        values[q].push(v);
    }
    Some(PointResult { values })
}

/// `sweep.csv`: `point,<parameter keys>,replicate,outcome,value`, point-major, then replicate,
/// then quantity (outcomes, then targets).
pub fn sweep_csv(study: &Study, points: &[Point], results: &[PointResult]) -> String {
    let mut out = String::from("point");
    for p in study.parameters() {
        let _ = write!(out, ",{}", p.key);
    }
    out.push_str(",replicate,outcome,value\n");
    let names: Vec<&str> = study.quantities().iter().map(|q| q.name.as_str()).collect();
    for (i, (point, res)) in points.iter().zip(results).enumerate() {
        let mut head = i.to_string();
        for (p, &x) in study.parameters().iter().zip(point) {
            let _ = write!(head, ",{}", fmt_f64(p.numeric(x)));
        }
        let replicates = res.values.first().map_or(0, Vec::len);
        for r in 0..replicates {
            for (q, name) in names.iter().enumerate() {
                let _ = writeln!(out, "{head},{r},{name},{}", fmt_f64(res.values[q][r]));
            }
        }
    }
    out
}
