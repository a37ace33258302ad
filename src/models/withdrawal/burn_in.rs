//! Running replicates, and sharing one burn-in between scenarios that differ only in keys the
//! burn-in never reads (the arms of a comparison, the points of a sweep, a workshop's worlds).
//!
//! - **Reads**: the scenarios' parameters and seed.
//! - **Writes**: one series per scenario and replicate.
//! - **Acts**: around the run: builds each replicate, burns it in (negative ticks), then runs
//!   ticks 1.. of every scenario from its own copy of the burnt-in state.
//!
//! Why: the burn-in is most of the cost of a short comparison, and arms that share common
//! random numbers reach tick 0 in exactly the same state, so computing that state once per
//! replicate changes no result (a test in `tests.rs` checks this).

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::burn_in_cache::BurnInCache;
use super::params::WParams;
use super::Withdrawal;
use crate::engine::par::Exec;
use crate::engine::rng::Streams;
use crate::error::{Error, Result};
use crate::run::RunResult;
use crate::scenario::{ParamSpec, Params, Scenario};

/// Runs a withdrawal scenario: every replicate builds its own population from (seed, r).
pub fn execute(scenario: &Scenario, exec: Exec, progress: &(dyn Fn() + Sync)) -> Result<RunResult> {
    let p = WParams::from_params(&scenario.params);
    let series = crate::engine::run_replicates(
        scenario.replicates,
        scenario.seed,
        scenario.ticks,
        exec,
        |streams| {
            let mut m = Withdrawal::new(p.clone(), streams);
            m.install_policy(&scenario.params);
            m.burn_in_counted(exec, progress);
            Ok(m)
        },
        progress,
    )?;
    Ok(RunResult {
        series,
        graph: None,
    })
}

/// When the keys of one parameter table first act on the model's state. Every table the model
/// reads carries one (see [`Table`]), beside its keys in the mechanism's file, and the burn-in
/// signature is derived from them: no list of keys is kept by hand.
///
/// The burn-in runs at ticks `1 - b ..= 0`: its last week is tick 0, the state every recorded
/// run starts from. Recorded weeks are ticks 1 and later.
#[derive(Clone, Copy, Debug)]
pub enum Acts {
    /// From setup or the first burn-in tick: the burn-in reads these keys.
    DuringBurnIn,
    /// Never during the burn-in: from tick 1 on, or only on what is recorded. Scenarios that
    /// differ only in such keys reach tick 0 in the same state (a test perturbs each one).
    AfterBurnIn,
    /// From the tick this function gives for a scenario's values (`None`: never). The keys
    /// act during the burn-in when that tick is 0 or earlier.
    FromTick(fn(&Params) -> Option<i64>),
}

impl Acts {
    /// Whether keys declared so are read during the burn-in of a scenario with values `p`.
    pub fn during_burn_in(&self, p: &Params) -> bool {
        match self {
            Acts::DuringBurnIn => true,
            Acts::AfterBurnIn => false,
            Acts::FromTick(first) => first(p).is_some_and(|t| t <= 0),
        }
    }
}

/// A table of parameters the model reads, with when its keys first act.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// The keys.
    pub specs: &'static [ParamSpec],
    /// When they first act.
    pub acts: Acts,
}

/// The keys of `p` that the burn-in does not read, by their tables' declarations. A key no
/// table of this model declares (run keys such as `ticks`, other models' keys) is not among
/// them: it enters the signature, which can only stop a sharing that was possible.
pub fn after_burn_in_keys(p: &Params) -> BTreeSet<&'static str> {
    super::tables()
        .filter(|t| !t.acts.during_burn_in(p))
        .flat_map(|t| t.specs.iter().map(|s| s.key))
        .collect()
}

/// What the burn-in of `scenario` depends on, as text: the seed and every parameter except
/// [`after_burn_in_keys`]. Two scenarios with the same signature reach tick 0 in the same state.
pub fn burn_in_signature(scenario: &Scenario) -> String {
    let neutral = after_burn_in_keys(&scenario.params);
    let mut sig = format!("seed={}", scenario.seed);
    for (key, entry) in scenario.params.iter() {
        if !neutral.contains(key) {
            sig.push_str(&format!(";{key}={:?}", entry.value));
        }
    }
    sig
}

/// Runs scenarios that share one [`burn_in_signature`] (and replicate count): each replicate's
/// population is built and burnt in once, then every scenario continues from its own copy with
/// its own parameters and policy. Each result is identical to [`execute`] on that scenario
/// alone (a test checks this), at a fraction of the cost when the burn-in is long.
pub fn execute_sharing_burn_in(
    scenarios: &[&Scenario],
    exec: Exec,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<RunResult>> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let per_replicate = |r: u32| execute_sharing_burn_in_replicate(scenarios, r, exec, progress);
    let by_replicate: Vec<Vec<crate::engine::Series>> = match exec {
        Exec::Sequential => (0..first.replicates)
            .map(per_replicate)
            .collect::<Result<_>>()?,
        Exec::Parallel => (0..first.replicates)
            .into_par_iter()
            .map(per_replicate)
            .collect::<Result<_>>()?,
    };
    let mut results: Vec<RunResult> = (0..scenarios.len())
        .map(|_| RunResult {
            series: Vec::with_capacity(first.replicates as usize),
            graph: None,
        })
        .collect();
    for row in by_replicate {
        for (k, series) in row.into_iter().enumerate() {
            results[k].series.push(series);
        }
    }
    Ok(results)
}

/// Replicate `r` of every scenario in `scenarios`, sharing one burn-in: one series per
/// scenario, in order. This is the unit of work a distributed comparison hands out
/// ([`crate::compare::units`]); [`execute_sharing_burn_in`] runs it for every replicate.
pub fn execute_sharing_burn_in_replicate(
    scenarios: &[&Scenario],
    r: u32,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<crate::engine::Series>> {
    execute_sharing_burn_in_replicate_cached(scenarios, r, exec, progress, None)
}

/// [`execute_sharing_burn_in_replicate`], taking the burnt-in state from `cache` (or saving it
/// there) when one is given: the same series either way.
pub fn execute_sharing_burn_in_replicate_cached(
    scenarios: &[&Scenario],
    r: u32,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
    cache: Option<&BurnInCache>,
) -> Result<Vec<crate::engine::Series>> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let signature = burn_in_signature(first);
    if let Some(other) = scenarios
        .iter()
        .find(|s| burn_in_signature(s) != signature || s.replicates != first.replicates)
    {
        return Err(Error::Model(format!(
            "scenario `{}` cannot share a burn-in with `{}`: they differ in a key the burn-in reads",
            other.name, first.name
        )));
    }
    let params: Vec<WParams> = scenarios
        .iter()
        .map(|s| WParams::from_params(&s.params))
        .collect();
    let warm = match cache {
        Some(c) => c.warm(first, &params[0], r, exec, progress)?,
        None => {
            let mut m = Withdrawal::new(params[0].clone(), Streams::new(first.seed, r));
            m.burn_in_counted(exec, progress);
            m
        }
    };
    let arm = |k: usize| {
        let mut m = warm.clone();
        m.p = params[k].clone();
        m.install_policy(&scenarios[k].params);
        crate::engine::run_one(&mut m, r, scenarios[k].ticks, exec, progress)
    };
    Ok(match exec {
        Exec::Sequential => (0..scenarios.len()).map(arm).collect(),
        Exec::Parallel => (0..scenarios.len()).into_par_iter().map(arm).collect(),
    })
}
