//! Throughput measurements shared by `cocoon bench` and the criterion benches in `benches/`.
//!
//! Why it lives in the library: the command-line numbers that a tracking job records and the
//! criterion numbers a developer compares must come from the same code path, or a regression
//! could hide in the difference. Every function here builds its population the way `cocoon
//! run` does (same scenario defaults, same generators, same model constructors) and times the
//! parts separately:
//!
//! - **setup**: building the graph or population (for the withdrawal model, `Withdrawal::new`);
//! - **burn-in**: ticks stepped before timing starts, untimed in the results. A real withdrawal
//!   run steps 260 burn-in weeks first, during which ties grow from about 15 to about 26 per
//!   agent; timing the first weeks after setup would time a sparser network than any recorded
//!   week of a real run. The burn-in runs once; every timed run starts from a copy of its end
//!   state, so all runs time the same work;
//! - **stepping**: the tick loop, `step` then `observe` each tick, as the engine runs it (the
//!   withdrawal model's end-of-run `finish` is timed on its own);
//! - **warm-up and repeats**: `warmup` runs are stepped and discarded (caches, page faults,
//!   CPU frequency), then `repeat` runs are kept; the report gives their median, minimum,
//!   maximum and spread;
//! - **agent-updates**: agents x ticks; **tie-visits**: directed tie entries an agent reads
//!   in its tick's gather (SISa: the ties of susceptible agents, the only ones that look at
//!   their neighbours, counted by the model as it steps; withdrawal: all live directed ties
//!   at the start of the tick, counted outside the timed region);
//! - **peak memory**: the process's high-water resident set (`VmHWM` in `/proc/self/status`),
//!   so it includes everything the process did before; run one measurement per process when
//!   the number matters.
//!
//! Timings run on the current rayon pool: install a pool of the wanted size around the call.
//! [`report`] turns a [`Bench`] into the versioned JSON record ([`SCHEMA`]).

pub mod environment;
mod report;

pub use environment::cpu_model;
pub use report::{report, stats, Report, Stats, SCHEMA};

use std::sync::Arc;
use std::time::Instant;

use crate::engine::{Exec, Model, Recorder, Series, Streams};
use crate::error::{Error, Location, Result};
use crate::graph::{build, Graph};
use crate::models::sisa::{Sisa, SisaParams};
use crate::models::withdrawal::{params::WParams, PhaseTimes, Withdrawal};
use crate::scenario::Scenario;

/// Seed used by every benchmark (results do not depend on it beyond noise).
pub const SEED: u64 = 1;

/// Untimed SISa ticks before timing by default: from the initial 5 % infected to the steady
/// prevalence (the slowest rate, recovery at 0.1 a tick, relaxes within about 30 ticks).
pub const SISA_BURN_IN: u32 = 50;

/// Which benchmark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// SISa on a Watts-Strogatz graph with k = 10.
    Sisa,
    /// The withdrawal model with default parameters.
    Withdrawal,
    /// Generating a graph of this kind at mean degree 20 and building its CSR form.
    Graph(String),
}

impl Kind {
    /// `sisa`, `withdrawal` or `graph`.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Sisa => "sisa",
            Kind::Withdrawal => "withdrawal",
            Kind::Graph(_) => "graph",
        }
    }
}

/// What to time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// The model or generator.
    pub kind: Kind,
    /// Number of agents.
    pub agents: usize,
    /// Timed ticks per run (0 for graphs).
    pub ticks: u32,
    /// Untimed ticks stepped once before the timed runs (0 for graphs).
    pub burn_in: u32,
}

impl Workload {
    /// The default workload of `kind`: the withdrawal model at 100,000 agents, 52 timed weeks
    /// after the scenario's own burn-in (260 weeks, as `cocoon run` does); SISa at 300,000
    /// agents, 100 ticks after [`SISA_BURN_IN`]; graphs of 1,000,000 agents.
    pub fn default_for(kind: Kind) -> Result<Workload> {
        Ok(match kind {
            Kind::Sisa => Workload {
                kind,
                agents: 300_000,
                ticks: 100,
                burn_in: SISA_BURN_IN,
            },
            Kind::Withdrawal => Workload {
                kind,
                agents: 100_000,
                ticks: 52,
                burn_in: Scenario::from_sets("bench", &["model=withdrawal".into()])?
                    .params
                    .i64("withdrawal.burn_in_ticks")
                    .try_into()
                    .unwrap_or(0),
            },
            Kind::Graph(_) => Workload {
                kind,
                agents: 1_000_000,
                ticks: 0,
                burn_in: 0,
            },
        })
    }

    /// One line for people: `withdrawal, 100000 agents, 260 untimed burn-in weeks, 52 timed`.
    pub fn detail(&self) -> String {
        match &self.kind {
            Kind::Sisa => "watts_strogatz k=10, default rates".into(),
            Kind::Withdrawal => "defaults".into(),
            Kind::Graph(g) => format!("{g}, mean degree 20"),
        }
    }
}

/// One timed run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    /// Seconds to build the graph or population (graphs: every run; models: 0, built once).
    pub setup_seconds: f64,
    /// Seconds in the tick loop (step and observe).
    pub step_seconds: f64,
    /// Seconds in the end-of-run `finish` (withdrawal model only; 0 otherwise).
    pub finish_seconds: f64,
    /// Directed tie entries read by the ticks' gathers.
    pub tie_visits: u64,
    /// Seconds per phase of the tick loop (withdrawal model only), in phase order.
    pub phases: Vec<(&'static str, f64)>,
}

/// What a benchmark measured: the workload, the one-off costs and the kept runs.
#[derive(Clone, Debug)]
pub struct Bench {
    /// What was timed.
    pub workload: Workload,
    /// Seconds to build the population once (graphs: see the runs).
    pub setup_seconds: f64,
    /// Seconds of the untimed burn-in (reported, never part of a rate).
    pub burn_in_seconds: f64,
    /// Mean degree when the timed ticks start (after the burn-in).
    pub mean_degree: f64,
    /// Agents x timed ticks, the same in every run.
    pub agent_updates: u64,
    /// Runs stepped and discarded before the kept ones.
    pub warmup: u32,
    /// The kept runs, in order.
    pub runs: Vec<Run>,
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

/// Graph generators `cocoon bench --model graph` can time, each at mean degree 20.
pub const GRAPH_KINDS: &[&str] = &["erdos_renyi", "watts_strogatz", "barabasi_albert"];

/// The scenario `w` runs. It is validated like any scenario, but a value out of range is
/// reported against the `cocoon bench` option that set it (`--agents`, `--ticks`,
/// `--burn-in`), not as a `--set` the user never typed.
pub fn scenario(w: &Workload) -> Result<Scenario> {
    let mut sets: Vec<String> = Vec::new();
    match &w.kind {
        Kind::Sisa => sets.extend([
            "model=sisa".into(),
            "graph.kind=watts_strogatz".into(),
            format!("graph.n={}", w.agents),
            "graph.k=10".into(),
        ]),
        Kind::Withdrawal => sets.extend([
            "model=withdrawal".into(),
            format!("population.n={}", w.agents),
            format!("withdrawal.burn_in_ticks={}", w.burn_in),
        ]),
        Kind::Graph(kind) => {
            let degree = match kind.as_str() {
                "erdos_renyi" => "graph.mean_degree=20",
                "watts_strogatz" => "graph.k=20",
                "barabasi_albert" => "graph.m=10",
                other => {
                    return Err(Error::Usage(format!(
                        "--graph {other}: expected one of {}",
                        GRAPH_KINDS.join(", ")
                    )))
                }
            };
            sets.extend([
                format!("graph.kind={kind}"),
                format!("graph.n={}", w.agents),
                degree.into(),
            ]);
        }
    }
    if !matches!(w.kind, Kind::Graph(_)) {
        // The burnt-in state and the copy being timed are alive together.
        sets.push(format!("ticks={}", w.ticks));
        sets.push("replicates=2".into());
    }
    sets.push(format!("seed={SEED}"));
    Scenario::from_sets("bench", &sets).map_err(|e| blame_option(e, w))
}

/// Rewrites a `--set` error from [`scenario`] to name the bench option behind the value.
fn blame_option(e: Error, w: &Workload) -> Error {
    match e {
        Error::Scenario {
            location: Location::Set(arg),
            message,
        } => {
            let key = arg.split('=').next().unwrap_or_default();
            let option = match key {
                "ticks" => format!("--ticks {}", w.ticks),
                "withdrawal.burn_in_ticks" => format!("--burn-in {}", w.burn_in),
                _ => format!("--agents {}", w.agents),
            };
            Error::Usage(format!(
                "{option} does not fit the {} benchmark: {message}",
                w.kind.name()
            ))
        }
        other => other,
    }
}

fn graph_seed(s: &Scenario) -> u64 {
    Streams::new(s.seed, 0).seed_for(crate::run::GRAPH)
}

fn mean_degree(g: &Graph) -> f64 {
    if g.n() == 0 {
        0.0
    } else {
        g.targets.len() as f64 / g.n() as f64
    }
}

/// Builds the SISa benchmark graph and model (not timed).
pub fn sisa_model(agents: usize) -> Result<Sisa> {
    let s = scenario(&Workload {
        kind: Kind::Sisa,
        agents,
        ticks: 1,
        burn_in: 0,
    })?;
    let graph = Arc::new(build::build(&s.params, graph_seed(&s))?.0);
    Ok(Sisa::new(
        graph,
        SisaParams::from_params(&s.params),
        Streams::new(s.seed, 0),
    ))
}

/// Builds the withdrawal benchmark model and steps `burn_in` weeks (not timed).
pub fn withdrawal_model(agents: usize, burn_in: u32) -> Result<Withdrawal> {
    let s = scenario(&Workload {
        kind: Kind::Withdrawal,
        agents,
        ticks: 1,
        burn_in,
    })?;
    let mut m = Withdrawal::new(WParams::from_params(&s.params), Streams::new(s.seed, 0));
    m.install_policy(&s.params);
    m.burn_in(Exec::Parallel);
    Ok(m)
}

/// Generates the benchmark graph of `kind` (mean degree 20) and builds its CSR form.
pub fn graph(kind: &str, agents: usize) -> Result<Graph> {
    let s = scenario(&Workload {
        kind: Kind::Graph(kind.into()),
        agents,
        ticks: 0,
        burn_in: 0,
    })?;
    Ok(build::build(&s.params, graph_seed(&s))?.0)
}

/// Times `w`: builds once, steps the burn-in once (untimed), then `warmup` discarded and
/// `repeat` kept runs of `w.ticks` ticks, each from a copy of the burnt-in state (graphs:
/// each run generates the graph anew).
pub fn measure(w: &Workload, warmup: u32, repeat: u32, exec: Exec) -> Result<Bench> {
    if repeat == 0 {
        return Err(Error::Usage("--repeat must be at least 1".into()));
    }
    if w.ticks == 0 && !matches!(w.kind, Kind::Graph(_)) {
        return Err(Error::Usage(format!(
            "--ticks must be at least 1 for the {} benchmark (it times ticks)",
            w.kind.name()
        )));
    }
    let s = scenario(w)?;
    let total = warmup + repeat;
    let mut bench = Bench {
        workload: w.clone(),
        setup_seconds: 0.0,
        burn_in_seconds: 0.0,
        mean_degree: 0.0,
        agent_updates: w.agents as u64 * u64::from(w.ticks),
        warmup,
        runs: Vec::with_capacity(repeat as usize),
    };
    let keep = |k: u32, run: Run, runs: &mut Vec<Run>| {
        if k >= warmup {
            runs.push(run);
        }
    };
    match &w.kind {
        Kind::Graph(_) => {
            for k in 0..total {
                let t0 = Instant::now();
                let (g, _) = build::build(&s.params, graph_seed(&s))?;
                let run = Run {
                    setup_seconds: t0.elapsed().as_secs_f64(),
                    ..Run::default()
                };
                bench.mean_degree = mean_degree(&g);
                keep(k, run, &mut bench.runs);
            }
        }
        Kind::Sisa => {
            let t0 = Instant::now();
            let graph = Arc::new(build::build(&s.params, graph_seed(&s))?.0);
            let mut warm = Sisa::new(
                graph.clone(),
                SisaParams::from_params(&s.params),
                Streams::new(s.seed, 0),
            );
            bench.setup_seconds = t0.elapsed().as_secs_f64();
            let t1 = Instant::now();
            for t in 1..=w.burn_in {
                warm.step(t, exec);
            }
            bench.burn_in_seconds = t1.elapsed().as_secs_f64();
            bench.mean_degree = mean_degree(&graph);
            for k in 0..total {
                let run = sisa_run(&warm, w, exec);
                keep(k, run, &mut bench.runs);
            }
        }
        Kind::Withdrawal => {
            let t0 = Instant::now();
            let mut warm =
                Withdrawal::new(WParams::from_params(&s.params), Streams::new(s.seed, 0));
            warm.install_policy(&s.params);
            bench.setup_seconds = t0.elapsed().as_secs_f64();
            let t1 = Instant::now();
            warm.burn_in(exec);
            bench.burn_in_seconds = t1.elapsed().as_secs_f64();
            bench.mean_degree = warm.ties.edge_count() as f64 * 2.0 / w.agents.max(1) as f64;
            for k in 0..total {
                let run = withdrawal_run(&warm, w, exec);
                keep(k, run, &mut bench.runs);
            }
        }
    }
    Ok(bench)
}

/// One timed SISa run from a copy of `warm` (ticks after the burn-in).
fn sisa_run(warm: &Sisa, w: &Workload, exec: Exec) -> Run {
    let mut model = warm.clone();
    let before = model.tie_visits();
    let mut series = Series::default();
    model.observe(&mut Recorder::new(&mut series, 0));
    // One timer around the whole loop: the model counts its own tie visits, so nothing
    // else runs between ticks to disturb the caches.
    let t1 = Instant::now();
    for t in w.burn_in + 1..=w.burn_in + w.ticks {
        model.step(t, exec);
        model.observe(&mut Recorder::new(&mut series, t));
    }
    Run {
        step_seconds: t1.elapsed().as_secs_f64(),
        tie_visits: model.tie_visits() - before,
        ..Run::default()
    }
}

/// One timed withdrawal run from a copy of `warm`: `w.ticks` weeks, then `finish`.
fn withdrawal_run(warm: &Withdrawal, w: &Workload, exec: Exec) -> Run {
    let mut model = warm.clone();
    let mut series = Series::default();
    model.observe(&mut Recorder::new(&mut series, 0));
    // Phase timings cover the timed ticks only (tick 0 is observed outside the loop).
    model.timings = PhaseTimes::default();
    let (mut stepping, mut visits) = (0.0, 0u64);
    for t in 1..=w.ticks {
        visits += model.ties.edge_count() * 2;
        let t1 = Instant::now();
        model.step(t, exec);
        model.observe(&mut Recorder::new(&mut series, t));
        stepping += t1.elapsed().as_secs_f64();
    }
    let t2 = Instant::now();
    model.finish(&mut Recorder::new(&mut series, w.ticks));
    let t = model.timings;
    Run {
        setup_seconds: 0.0,
        step_seconds: stepping,
        finish_seconds: t2.elapsed().as_secs_f64(),
        tie_visits: visits,
        phases: vec![
            ("days", t.days),
            ("week", t.week),
            ("tie_strength", t.tie_strength),
            ("tie_proposals", t.tie_proposals),
            ("apply", t.apply),
            ("life_policy", t.life_policy),
            ("tally", t.tally),
            ("components", t.components),
            ("clustering", t.clustering),
        ],
    }
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

    fn work(kind: Kind, agents: usize, ticks: u32, burn_in: u32) -> Workload {
        Workload {
            kind,
            agents,
            ticks,
            burn_in,
        }
    }

    #[test]
    fn small_measurements_count_what_they_say() {
        let m = measure(&work(Kind::Sisa, 2000, 3, 5), 1, 2, Exec::Parallel).unwrap();
        assert_eq!(m.agent_updates, 6000);
        assert_eq!(m.runs.len(), 2);
        for r in &m.runs {
            assert!(r.tie_visits > 0 && r.tie_visits <= 3 * 2000 * 10);
        }
        // Every run steps the same ticks from the same state: the same tie visits.
        assert_eq!(m.runs[0].tie_visits, m.runs[1].tie_visits);
        assert!((m.mean_degree - 10.0).abs() < 0.1);
        let w = measure(&work(Kind::Withdrawal, 600, 2, 0), 0, 1, Exec::Parallel).unwrap();
        assert_eq!(w.agent_updates, 1200);
        assert!(w.runs[0].tie_visits > 0);
        assert_eq!(w.runs[0].phases.len(), 9);
        let g = measure(
            &work(Kind::Graph("erdos_renyi".into()), 3000, 0, 0),
            0,
            3,
            Exec::Parallel,
        )
        .unwrap();
        assert!((g.mean_degree - 20.0).abs() < 1.0);
        assert_eq!(g.runs.len(), 3);
        assert!(g.runs.iter().all(|r| r.setup_seconds > 0.0));
        assert!(graph("nope", 10).is_err());
    }

    #[test]
    fn the_burn_in_makes_the_withdrawal_network_denser() {
        let fresh = measure(&work(Kind::Withdrawal, 800, 1, 0), 0, 1, Exec::Parallel).unwrap();
        let burnt = measure(&work(Kind::Withdrawal, 800, 1, 40), 0, 1, Exec::Parallel).unwrap();
        assert!(burnt.burn_in_seconds > 0.0);
        assert!(
            burnt.mean_degree > fresh.mean_degree,
            "{} vs {}",
            burnt.mean_degree,
            fresh.mean_degree
        );
    }

    #[test]
    fn bad_sizes_name_the_bench_option() {
        let e = scenario(&work(Kind::Withdrawal, 5, 52, 0))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--agents 5 does not fit the withdrawal benchmark"),
            "{e}"
        );
        assert!(!e.contains("--set"), "{e}");
        let e = scenario(&work(Kind::Sisa, 6, 10, 0))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--agents 6"), "{e}");
        let e = measure(&work(Kind::Sisa, 100, 1, 0), 0, 0, Exec::Parallel)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--repeat"), "{e}");
    }
}
