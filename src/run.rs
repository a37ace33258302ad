//! One scenario, start to finish: build the population, run every replicate, collect results.
//! This is the library's entry point for `cocoon run`; it never touches the file system except
//! to read inputs the scenario names.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::{self, Exec, Purpose, Series, Streams};
use crate::error::{Error, Result};
use crate::graph::{build, metrics};
use crate::models::sisa::{Sisa, SisaParams};
use crate::scenario::Scenario;

/// Stream from which generated graphs are drawn.
pub const GRAPH: Purpose = Purpose::named("graph");

/// The graph a run used, for `graph.json`.
#[derive(Clone, Debug, Serialize)]
pub struct GraphReport {
    /// How it was made and what cleaning dropped.
    pub provenance: build::Provenance,
    /// Structure metrics.
    pub metrics: metrics::GraphMetrics,
}

/// Results of one scenario.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// One series per replicate, in replicate order.
    pub series: Vec<Series>,
    /// The graph (for models on a fixed graph), if any.
    pub graph: Option<GraphReport>,
}

/// Burn-in ticks each replicate of `s` simulates before tick 0 (withdrawal model only).
pub fn burn_in_ticks(s: &Scenario) -> u64 {
    match s.params.get("withdrawal.burn_in_ticks") {
        Some(crate::scenario::Value::Int(b)) if s.model == "withdrawal" => (*b).max(0) as u64,
        _ => 0,
    }
}

/// Replicate `r` of `scenario` alone, identical to the `r`-th series of [`execute`]: the unit
/// of work a distributed comparison hands out for models that share no burn-in. A model on a
/// fixed graph rebuilds it (from the same stream as [`execute`]) in every unit.
pub fn execute_replicate(
    scenario: &Scenario,
    r: u32,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
) -> Result<Series> {
    match scenario.model.as_str() {
        "sisa" => {
            let seed = Streams::new(scenario.seed, 0).seed_for(GRAPH);
            let (graph, _) = build::build(&scenario.params, seed)?;
            let params = SisaParams::from_params(&scenario.params);
            let mut model = Sisa::new(Arc::new(graph), params, Streams::new(scenario.seed, r));
            Ok(engine::run_one(
                &mut model,
                r,
                scenario.ticks,
                exec,
                progress,
            ))
        }
        "withdrawal" => crate::models::withdrawal::execute_sharing_burn_in_replicate(
            &[scenario],
            r,
            exec,
            progress,
        )
        .map(|mut v| v.remove(0)),
        other => Err(Error::Model(format!("model `{other}` is not available"))),
    }
}

/// [`execute`] with checkpoints in `ck` (continuing from what it holds): replicates in
/// parallel, each a work unit of one arm ([`crate::models::withdrawal::resume`]). The
/// result is identical to [`execute`]'s (an observed network's `graph.json` included). Withdrawal model only (see
/// [`crate::checkpoint::supported`]).
pub fn execute_checkpointed(
    scenario: &Scenario,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
    ck: &crate::checkpoint::Checkpoints,
) -> Result<RunResult> {
    crate::checkpoint::supported(&scenario.model)?;
    by_replicate(scenario, exec, |r| {
        crate::models::withdrawal::resume::execute_unit(&[scenario], 0, r, exec, progress, ck)
    })
}

/// Every replicate of a withdrawal `scenario` through `one` (which gives the one-arm series
/// of replicate r), in parallel or not, in replicate order, with the observed network's
/// description as [`execute`] gives it.
fn by_replicate(
    scenario: &Scenario,
    exec: Exec,
    one: impl Fn(u32) -> Result<Vec<Series>> + Sync,
) -> Result<RunResult> {
    use rayon::prelude::*;
    let one = |r: u32| one(r).map(|mut v| v.remove(0));
    let series = match exec {
        Exec::Sequential => (0..scenario.replicates).map(one).collect::<Result<_>>()?,
        Exec::Parallel => (0..scenario.replicates)
            .into_par_iter()
            .map(one)
            .collect::<Result<_>>()?,
    };
    Ok(RunResult {
        series,
        graph: observed_graph(scenario),
    })
}

/// [`execute`] with the burnt-in states taken from (or saved to) `cache`: replicates in
/// parallel, each through [`crate::models::withdrawal::execute_sharing_burn_in_replicate_cached`].
/// The result is identical to [`execute`]'s. Withdrawal model only.
pub fn execute_cached(
    scenario: &Scenario,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
    cache: &crate::models::withdrawal::burn_in_cache::BurnInCache,
) -> Result<RunResult> {
    cache_supported(&scenario.model)?;
    by_replicate(scenario, exec, |r| {
        crate::models::withdrawal::execute_sharing_burn_in_replicate_cached(
            &[scenario],
            r,
            exec,
            progress,
            Some(cache),
        )
    })
}

/// Refuses `--burn-in-cache` for a model without a burn-in (exit code 2).
pub fn cache_supported(model: &str) -> Result<()> {
    if model == "withdrawal" {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--burn-in-cache is available for the withdrawal model only; this runs `{model}`, \
             which has no burn-in"
        )))
    }
}

/// An observed network is described in graph.json, as SISa's graph is.
fn observed_graph(scenario: &Scenario) -> Option<GraphReport> {
    scenario.params.observed().map(|o| GraphReport {
        provenance: o.provenance(),
        metrics: metrics::compute(&o.graph),
    })
}

/// Total progress steps of a scenario: every simulated week of every replicate, burn-in
/// included.
pub fn progress_total(s: &Scenario) -> u64 {
    (s.ticks as u64 + burn_in_ticks(s)) * s.replicates as u64
}

/// Runs `scenario` on the current rayon pool. `progress` is called once per simulated tick of
/// every replicate, burn-in ticks included.
pub fn execute(scenario: &Scenario, exec: Exec, progress: &(dyn Fn() + Sync)) -> Result<RunResult> {
    match scenario.model.as_str() {
        "sisa" => {
            let seed = Streams::new(scenario.seed, 0).seed_for(GRAPH);
            let (graph, provenance) = build::build(&scenario.params, seed)?;
            let graph_metrics = metrics::compute(&graph);
            let graph = Arc::new(graph);
            let params = SisaParams::from_params(&scenario.params);
            let series = engine::run_replicates(
                scenario.replicates,
                scenario.seed,
                scenario.ticks,
                exec,
                |streams| Ok(Sisa::new(graph.clone(), params, streams)),
                progress,
            )?;
            Ok(RunResult {
                series,
                graph: Some(GraphReport {
                    provenance,
                    metrics: graph_metrics,
                }),
            })
        }
        "withdrawal" => {
            let mut result = crate::models::withdrawal::execute(scenario, exec, progress)?;
            result.graph = observed_graph(scenario);
            Ok(result)
        }
        other => Err(Error::Model(format!("model `{other}` is not available"))),
    }
}
