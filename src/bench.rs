//! Throughput measurements shared by `cocoon bench` and the criterion benches in `benches/`.
//!
//! Why it lives in the library: the command-line numbers that a tracking job records and the
//! criterion numbers a developer compares must come from the same code path, or a regression
//! could hide in the difference. Every function here builds its population the way `cocoon
//! run` does (same scenario defaults, same generators, same model constructors) and times the
//! parts separately:
//!
//! - **setup**: building the graph or population (for the withdrawal model, `Withdrawal::new`);
//! - **stepping**: the tick loop, `step` then `observe` each tick, as the engine runs it (the
//!   withdrawal model's end-of-run `finish` is timed on its own);
//! - **agent-updates**: agents × ticks; **tie-visits**: directed tie entries an agent reads
//!   in its tick's gather (SISa: the ties of susceptible agents, the only ones that look at
//!   their neighbours, counted by the model as it steps; withdrawal: all live directed ties
//!   at the start of the tick, counted outside the timed region);
//! - **peak memory**: the process's high-water resident set (`VmHWM` in `/proc/self/status`),
//!   so it includes everything the process did before; run one measurement per process when
//!   the number matters.
//!
//! Timings run on the current rayon pool: install a pool of the wanted size around the call.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::engine::{Exec, Model, Recorder, Series, Streams};
use crate::error::{Error, Result};
use crate::graph::{build, Graph};
use crate::models::sisa::{Sisa, SisaParams};
use crate::models::withdrawal::{params::WParams, PhaseTimes, Withdrawal};
use crate::scenario::Scenario;

/// Seed used by every benchmark (results do not depend on it beyond noise).
pub const SEED: u64 = 1;

/// What one benchmark measured.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// `sisa`, `withdrawal` or `graph`.
    pub model: String,
    /// Further description (graph kind and degree).
    pub detail: String,
    /// Number of agents.
    pub agents: usize,
    /// Ticks stepped (0 for graph generation).
    pub ticks: u32,
    /// Seconds to build the graph or population.
    pub setup_seconds: f64,
    /// Seconds in the tick loop (step and observe).
    pub step_seconds: f64,
    /// Seconds in the end-of-run `finish` (withdrawal model only; 0 otherwise).
    pub finish_seconds: f64,
    /// Agents × ticks.
    pub agent_updates: u64,
    /// Directed tie entries read by the ticks' gathers.
    pub tie_visits: u64,
    /// Mean degree of the initial graph.
    pub mean_degree: f64,
    /// Seconds per phase of the tick loop (withdrawal model only), in phase order.
    pub phases: Vec<(&'static str, f64)>,
}

impl Measurement {
    /// Agent-updates per second of stepping (0 when nothing was stepped).
    pub fn agent_updates_per_second(&self) -> f64 {
        rate(self.agent_updates, self.step_seconds)
    }

    /// Tie-visits per second of stepping.
    pub fn tie_visits_per_second(&self) -> f64 {
        rate(self.tie_visits, self.step_seconds)
    }

    /// Stepping time per agent-tick in nanoseconds.
    pub fn ns_per_agent_tick(&self) -> f64 {
        if self.agent_updates == 0 {
            0.0
        } else {
            self.step_seconds * 1e9 / self.agent_updates as f64
        }
    }
}

fn rate(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// The process's peak resident memory in bytes (`VmHWM`), if the OS reports it.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_kib(&status, "VmHWM:").map(|k| k * 1024)
}

fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
}

/// The CPU model name from `/proc/cpuinfo`, if any.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn scenario(sets: &[String]) -> Result<Scenario> {
    Scenario::from_sets("bench", sets)
}

/// The SISa benchmark scenario: a Watts-Strogatz graph of `agents` agents with `k` = 10 and
/// the default rewiring, groups and SISa rates.
pub fn sisa_scenario(agents: usize, ticks: u32) -> Result<Scenario> {
    scenario(&[
        "model=sisa".into(),
        "graph.kind=watts_strogatz".into(),
        format!("graph.n={agents}"),
        "graph.k=10".into(),
        format!("ticks={ticks}"),
        "replicates=1".into(),
        format!("seed={SEED}"),
    ])
}

/// Builds the SISa benchmark graph and model (not timed).
pub fn sisa_model(agents: usize) -> Result<Sisa> {
    let s = sisa_scenario(agents, 1)?;
    let graph = Arc::new(build::build(&s.params, graph_seed(&s))?.0);
    Ok(Sisa::new(
        graph,
        SisaParams::from_params(&s.params),
        Streams::new(s.seed, 0),
    ))
}

fn graph_seed(s: &Scenario) -> u64 {
    Streams::new(s.seed, 0).seed_for(crate::run::GRAPH)
}

/// Times SISa on a Watts-Strogatz graph (k = 10) of `agents` agents for `ticks` ticks.
pub fn sisa(agents: usize, ticks: u32, exec: Exec) -> Result<Measurement> {
    let s = sisa_scenario(agents, ticks)?;
    let t0 = Instant::now();
    let graph = Arc::new(build::build(&s.params, graph_seed(&s))?.0);
    let mut model = Sisa::new(
        graph.clone(),
        SisaParams::from_params(&s.params),
        Streams::new(s.seed, 0),
    );
    let setup = t0.elapsed().as_secs_f64();
    let mut series = Series::default();
    model.observe(&mut Recorder::new(&mut series, 0));
    // One timer around the whole loop: the model counts its own tie visits, so nothing
    // else runs between ticks to disturb the caches.
    let t1 = Instant::now();
    for t in 1..=ticks {
        model.step(t, exec);
        model.observe(&mut Recorder::new(&mut series, t));
    }
    let stepping = t1.elapsed().as_secs_f64();
    let visits = model.tie_visits();
    Ok(Measurement {
        model: "sisa".into(),
        detail: "watts_strogatz k=10".into(),
        agents,
        ticks,
        setup_seconds: setup,
        step_seconds: stepping,
        finish_seconds: 0.0,
        agent_updates: agents as u64 * ticks as u64,
        tie_visits: visits,
        mean_degree: mean_degree(&graph),
        phases: Vec::new(),
    })
}

fn mean_degree(g: &Graph) -> f64 {
    if g.n() == 0 {
        0.0
    } else {
        g.targets.len() as f64 / g.n() as f64
    }
}

/// The withdrawal benchmark scenario: defaults, `agents` agents, no burn-in, one replicate.
pub fn withdrawal_scenario(agents: usize, ticks: u32) -> Result<Scenario> {
    scenario(&[
        "model=withdrawal".into(),
        format!("population.n={agents}"),
        "withdrawal.burn_in_ticks=0".into(),
        format!("ticks={ticks}"),
        "replicates=1".into(),
        format!("seed={SEED}"),
    ])
}

/// Builds the withdrawal benchmark model (not timed).
pub fn withdrawal_model(agents: usize) -> Result<Withdrawal> {
    let s = withdrawal_scenario(agents, 1)?;
    Ok(Withdrawal::new(
        WParams::from_params(&s.params),
        Streams::new(s.seed, 0),
    ))
}

/// Times the withdrawal model: `Withdrawal::new` (setup), then `ticks` weekly ticks, then the
/// end-of-run `finish` (the loneliness-by-distance association).
pub fn withdrawal(agents: usize, ticks: u32, exec: Exec) -> Result<Measurement> {
    let s = withdrawal_scenario(agents, ticks)?;
    let p = WParams::from_params(&s.params);
    let t0 = Instant::now();
    let mut model = Withdrawal::new(p, Streams::new(s.seed, 0));
    let setup = t0.elapsed().as_secs_f64();
    let initial_degree = model.ties.edge_count() as f64 * 2.0 / agents.max(1) as f64;
    let mut series = Series::default();
    model.observe(&mut Recorder::new(&mut series, 0));
    // Phase timings cover the timed ticks only (tick 0 is observed outside the loop).
    model.timings = PhaseTimes::default();
    let (mut stepping, mut visits) = (0.0, 0u64);
    for t in 1..=ticks {
        visits += model.ties.edge_count() * 2;
        let t1 = Instant::now();
        model.step(t, exec);
        model.observe(&mut Recorder::new(&mut series, t));
        stepping += t1.elapsed().as_secs_f64();
    }
    let t2 = Instant::now();
    model.finish(&mut Recorder::new(&mut series, ticks));
    let finish = t2.elapsed().as_secs_f64();
    Ok(Measurement {
        model: "withdrawal".into(),
        detail: "defaults, no burn-in".into(),
        agents,
        ticks,
        setup_seconds: setup,
        step_seconds: stepping,
        finish_seconds: finish,
        agent_updates: agents as u64 * ticks as u64,
        tie_visits: visits,
        mean_degree: initial_degree,
        phases: {
            let t = model.timings;
            vec![
                ("days", t.days),
                ("week", t.week),
                ("tie_strength", t.tie_strength),
                ("tie_proposals", t.tie_proposals),
                ("apply", t.apply),
                ("life_policy", t.life_policy),
                ("tally", t.tally),
                ("components", t.components),
                ("clustering", t.clustering),
            ]
        },
    })
}

/// Graph generators `cocoon bench --model graph` can time, each at mean degree 20.
pub const GRAPH_KINDS: &[&str] = &["erdos_renyi", "watts_strogatz", "barabasi_albert"];

/// The `graph.*` settings for `kind` at mean degree 20.
pub fn graph_scenario(kind: &str, agents: usize) -> Result<Scenario> {
    let degree = match kind {
        "erdos_renyi" => "graph.mean_degree=20",
        "watts_strogatz" => "graph.k=20",
        "barabasi_albert" => "graph.m=10",
        other => {
            return Err(Error::Usage(format!(
                "graph kind `{other}`: expected one of {}",
                GRAPH_KINDS.join(", ")
            )))
        }
    };
    scenario(&[
        format!("graph.kind={kind}"),
        format!("graph.n={agents}"),
        degree.into(),
        format!("seed={SEED}"),
    ])
}

/// Times generating a graph of `kind` (mean degree 20) and building its CSR form.
pub fn graph(kind: &str, agents: usize) -> Result<Measurement> {
    let s = graph_scenario(kind, agents)?;
    let t0 = Instant::now();
    let (g, _) = build::build(&s.params, graph_seed(&s))?;
    let total = t0.elapsed().as_secs_f64();
    Ok(Measurement {
        model: "graph".into(),
        detail: kind.into(),
        agents,
        ticks: 0,
        setup_seconds: total,
        step_seconds: 0.0,
        finish_seconds: 0.0,
        agent_updates: 0,
        tie_visits: 0,
        mean_degree: mean_degree(&g),
        phases: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_parse() {
        let s = "Name:\tx\nVmHWM:\t  12345 kB\nVmRSS:\t 10 kB\n";
        assert_eq!(status_kib(s, "VmHWM:"), Some(12345));
        assert_eq!(status_kib(s, "VmPeak:"), None);
    }

    #[test]
    fn small_measurements_count_what_they_say() {
        let m = sisa(2000, 3, Exec::Parallel).unwrap();
        assert_eq!(m.agent_updates, 6000);
        assert!(m.tie_visits > 0 && m.tie_visits <= 3 * 2000 * 10);
        assert!((m.mean_degree - 10.0).abs() < 0.1);
        let w = withdrawal(600, 2, Exec::Parallel).unwrap();
        assert_eq!(w.agent_updates, 1200);
        assert!(w.tie_visits > 0);
        let g = graph("erdos_renyi", 3000).unwrap();
        assert!((g.mean_degree - 20.0).abs() < 1.0);
        assert!(graph("nope", 10).is_err());
    }
}
