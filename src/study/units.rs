//! A study's runs as work units, so that one code path runs them in this process's thread pool
//! or hands them to MPI ranks.
//!
//! The runs (point × arm) still to do are grouped by what their burn-in depends on and cut into
//! batches of at most [`super::sweep::BATCH`] (see `super::sweep`); a [`StudyUnit`] is one
//! replicate of one batch, so a withdrawal batch builds and burns in that replicate's
//! population once and runs each of its point-arms from a copy, wherever the unit runs. A unit
//! carries its points' values (as bit patterns) and seeds, so a rank needs only the study
//! file to run it: sweeps, sensitivity designs and a calibration's proposed candidates travel
//! the same way. Results are the unit's series, one per run; who ran a unit, and in which
//! order, cannot change them, so the assembled values are those of a single-process run.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::plan::Study;
use crate::engine::{Exec, Series};
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// One run of a unit: arm `arm` of point `point`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitRun {
    /// Index of the point in the list being run.
    pub point: usize,
    /// The point's values, as `f64` bit patterns (exact on any machine).
    pub theta: Vec<u64>,
    /// Its own seed (calibration candidates), or the study seed.
    pub seed: Option<u64>,
    /// Arm of the study's base.
    pub arm: usize,
}

/// Replicate `replicate` of a batch of runs that share one burn-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyUnit {
    /// The replicate.
    pub replicate: u32,
    /// The runs, all with one burn-in signature (withdrawal) or a single run (other models).
    pub runs: Vec<UnitRun>,
    /// Replicate-ticks the unit simulates (its burn-in once, then every run), for progress.
    pub ticks: u64,
}

impl StudyUnit {
    /// The unit in messages: `work unit (point 3, arm 0, replicate 1)`, with the number of
    /// further runs sharing its burn-in.
    pub fn name(&self) -> String {
        let first = &self.runs[0];
        let more = match self.runs.len() {
            1 => String::new(),
            n => format!(" and {} more point-arm(s) sharing its burn-in", n - 1),
        };
        format!(
            "work unit (point {}, arm {}{more}, replicate {})",
            first.point, first.arm, self.replicate
        )
    }
}

/// What a runner calls with each unit's result (one series per run), in any order.
pub type Done<'a> = dyn Fn(&StudyUnit, Vec<Series>) -> Result<()> + Sync + 'a;

/// Runs units (in this process or elsewhere) and gives each result to the [`Done`] callback;
/// returns when all are done or one failed.
pub type Runner<'a> = dyn Fn(&[StudyUnit], &Done<'_>) -> Result<()> + 'a;

/// The units of `batches` (runs as (point, arm) into `scenarios`, the points' values
/// `points`, seeds `seeds`): batch-major, then replicate.
pub fn units(
    scenarios: &[Vec<Scenario>],
    points: &[Vec<f64>],
    seeds: Option<&[u64]>,
    batches: &[Vec<(usize, usize)>],
) -> Vec<StudyUnit> {
    batches
        .iter()
        .flat_map(|batch| {
            let first = &scenarios[batch[0].0][batch[0].1];
            let ticks = crate::run::burn_in_ticks(first)
                + batch
                    .iter()
                    .map(|&(i, a)| u64::from(scenarios[i][a].ticks))
                    .sum::<u64>();
            let runs: Vec<UnitRun> = batch
                .iter()
                .map(|&(i, a)| UnitRun {
                    point: i,
                    theta: points[i].iter().map(|x| x.to_bits()).collect(),
                    seed: seeds.map(|s| s[i]),
                    arm: a,
                })
                .collect();
            (0..first.replicates).map(move |replicate| StudyUnit {
                replicate,
                runs: runs.clone(),
                ticks,
            })
        })
        .collect()
}

/// Runs one unit on the current rayon pool; `progress` is called once per replicate-tick.
pub fn run_unit(
    study: &Study,
    unit: &StudyUnit,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Series>> {
    let scenarios: Vec<Scenario> = unit
        .runs
        .iter()
        .map(|run| {
            let theta: Vec<f64> = run.theta.iter().map(|&b| f64::from_bits(b)).collect();
            let mut arms = super::sweep::scenarios_of(study, &theta, run.seed)?;
            if run.arm >= arms.len() {
                return Err(Error::Model(format!(
                    "{} names arm {}, but the study has {} arm(s)",
                    unit.name(),
                    run.arm,
                    arms.len()
                )));
            }
            Ok(arms.swap_remove(run.arm))
        })
        .collect::<Result<_>>()?;
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    if unit.replicate >= first.replicates {
        return Err(Error::Model(format!(
            "{} is not part of this study: it has {} replicate(s)",
            unit.name(),
            first.replicates
        )));
    }
    if first.model == "withdrawal" {
        let refs: Vec<&Scenario> = scenarios.iter().collect();
        crate::models::withdrawal::execute_sharing_burn_in_replicate(
            &refs,
            unit.replicate,
            Exec::Parallel,
            progress,
        )
    } else {
        scenarios
            .iter()
            .map(|s| crate::run::execute_replicate(s, unit.replicate, Exec::Parallel, progress))
            .collect()
    }
}

/// Runs every unit here, in parallel on the current rayon pool.
pub fn run_here(
    study: &Study,
    units: &[StudyUnit],
    progress: &(dyn Fn() + Sync),
    done: &Done<'_>,
) -> Result<()> {
    units
        .par_iter()
        .try_for_each(|u| done(u, run_unit(study, u, progress)?))
}

/// A unit as bytes, for an MPI message.
pub fn encode(unit: &StudyUnit) -> Vec<u8> {
    serde_json::to_vec(unit).expect("study units serialize")
}

/// An MPI rank's work: the unit in `bytes`, run, its series as bytes.
pub fn run_encoded(study: &Study, bytes: &[u8]) -> Result<Vec<u8>> {
    let unit: StudyUnit = serde_json::from_slice(bytes)
        .map_err(|e| Error::Model(format!("unreadable study work unit: {e}")))?;
    let series = run_unit(study, &unit, &|| {})?;
    Ok(crate::distributed::wire::encode_series(&series))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_survives_its_bytes_and_is_named() {
        let unit = StudyUnit {
            replicate: 2,
            runs: vec![
                UnitRun {
                    point: 7,
                    theta: vec![(0.1f64 + 0.2).to_bits()],
                    seed: Some(u64::MAX),
                    arm: 1,
                },
                UnitRun {
                    point: 9,
                    theta: vec![1.5f64.to_bits()],
                    seed: None,
                    arm: 1,
                },
            ],
            ticks: 30,
        };
        let back: StudyUnit = serde_json::from_slice(&encode(&unit)).unwrap();
        assert_eq!(back, unit);
        assert_eq!(
            unit.name(),
            "work unit (point 7, arm 1 and 1 more point-arm(s) sharing its burn-in, replicate 2)"
        );
    }
}
