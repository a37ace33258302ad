//! The JSON record of one `cocoon bench` call, with a versioned schema so a tracking job can
//! append it to a history file and read old lines years later.
//!
//! Why a fixed, nested shape: the earlier record was flat, had no version and gave phases as
//! a list of `[name, seconds]` pairs, so every reader had to know the order. Now every key is
//! always present (a value that does not apply is `null`, e.g. `step_seconds` of a graph
//! benchmark), phases are an object keyed by phase name (in phase order in the text), and
//! [`SCHEMA`] changes whenever a key changes meaning or disappears.

use serde::{Serialize, Serializer};

use super::environment::{Build, Machine};
use super::{peak_memory_bytes, rate, Bench, Kind};

/// Version of the record's layout (1 was the unversioned flat record before `--repeat`).
pub const SCHEMA: u32 = 2;

/// Summary of one quantity over the kept runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Median over the runs (mean of the two middle values for an even count).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// (max - min) / median: 0.1 means the runs differed by 10 % of the median (0 when the
    /// median is 0).
    pub spread: f64,
    /// Every run's value, in run order.
    pub runs: Vec<f64>,
}

/// [`Stats`] of `values` (which must not be empty).
pub fn stats(values: &[f64]) -> Stats {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n == 0 {
        0.0
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let (min, max) = (
        sorted.first().copied().unwrap_or(0.0),
        sorted.last().copied().unwrap_or(0.0),
    );
    Stats {
        median,
        min,
        max,
        spread: if median > 0.0 {
            (max - min) / median
        } else {
            0.0
        },
        runs: values.to_vec(),
    }
}

/// What was timed.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadRecord {
    /// `sisa`, `withdrawal` or `graph`.
    pub model: &'static str,
    /// Graph kind and degree, or `defaults`.
    pub detail: String,
    /// Number of agents.
    pub agents: usize,
    /// Timed ticks per run (0 for graphs).
    pub ticks: u32,
    /// Ticks stepped once before timing; never part of a timing or rate.
    pub burn_in_ticks: u32,
    /// Seconds the burn-in took (for information only).
    pub burn_in_seconds: f64,
    /// Mean degree when the timed ticks start.
    pub mean_degree: f64,
    /// Agents x timed ticks per run.
    pub agent_updates: u64,
    /// How the timed runs relate to the burn-in, in words.
    pub note: String,
}

/// Phases keyed by name, serialised in phase order.
#[derive(Clone, Debug)]
pub struct Phases(pub Vec<(&'static str, Stats)>);

impl Serialize for Phases {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// One JSON record (schema [`SCHEMA`]).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The build that ran.
    pub build: Build,
    /// The machine and when.
    pub machine: Machine,
    /// Worker threads.
    pub threads: usize,
    /// What was timed.
    pub workload: WorkloadRecord,
    /// Runs stepped and discarded first.
    pub warmup: u32,
    /// Runs kept.
    pub repeat: usize,
    /// Building the population or graph: once for models, every run for graphs.
    pub setup_seconds: Stats,
    /// The timed tick loop (`null` for graphs).
    pub step_seconds: Option<Stats>,
    /// The withdrawal model's end-of-run `finish` (`null` otherwise).
    pub finish_seconds: Option<Stats>,
    /// Agents x ticks per second of stepping, per run (`null` for graphs).
    pub agent_updates_per_second: Option<Stats>,
    /// Directed ties read per second of stepping, per run (`null` for graphs).
    pub tie_visits_per_second: Option<Stats>,
    /// Stepping time per agent-tick in nanoseconds, per run (`null` for graphs).
    pub ns_per_agent_tick: Option<Stats>,
    /// Seconds per phase of the tick loop (withdrawal model; `{}` otherwise).
    pub phases: Phases,
    /// The process's peak resident memory in bytes.
    pub peak_memory_bytes: Option<u64>,
}

/// The record of `bench`, run on `threads` threads, built by `build` on `machine`.
pub fn report(bench: &Bench, build: Build, machine: Machine, threads: usize) -> Report {
    let w = &bench.workload;
    let of = |f: &dyn Fn(&super::Run) -> f64| stats(&bench.runs.iter().map(f).collect::<Vec<_>>());
    let stepped = !matches!(w.kind, Kind::Graph(_));
    let updates = bench.agent_updates;
    let note = match w.kind {
        Kind::Graph(_) => "each run generates the graph anew; setup_seconds is the timing".into(),
        _ if w.burn_in > 0 => format!(
            "{} burn-in ticks stepped once, untimed; every run times the {} ticks that follow, \
             each from a copy of the burnt-in state, as a real run's recorded weeks follow its \
             burn-in",
            w.burn_in, w.ticks
        ),
        _ => "no burn-in: every run times the first ticks after setup".into(),
    };
    let phase_names: Vec<&'static str> = bench
        .runs
        .first()
        .map(|r| r.phases.iter().map(|(n, _)| *n).collect())
        .unwrap_or_default();
    Report {
        schema: SCHEMA,
        build,
        machine,
        threads,
        workload: WorkloadRecord {
            model: w.kind.name(),
            detail: w.detail(),
            agents: w.agents,
            ticks: w.ticks,
            burn_in_ticks: w.burn_in,
            burn_in_seconds: bench.burn_in_seconds,
            mean_degree: bench.mean_degree,
            agent_updates: updates,
            note,
        },
        warmup: bench.warmup,
        repeat: bench.runs.len(),
        setup_seconds: if stepped {
            stats(&[bench.setup_seconds])
        } else {
            of(&|r| r.setup_seconds)
        },
        step_seconds: stepped.then(|| of(&|r| r.step_seconds)),
        finish_seconds: matches!(w.kind, Kind::Withdrawal).then(|| of(&|r| r.finish_seconds)),
        agent_updates_per_second: stepped.then(|| of(&|r| rate(updates, r.step_seconds))),
        tie_visits_per_second: stepped.then(|| of(&|r| rate(r.tie_visits, r.step_seconds))),
        ns_per_agent_tick: stepped.then(|| {
            of(&|r| {
                if updates == 0 {
                    0.0
                } else {
                    r.step_seconds * 1e9 / updates as f64
                }
            })
        }),
        phases: Phases(
            phase_names
                .iter()
                .enumerate()
                .map(|(i, name)| (*name, of(&|r| r.phases[i].1)))
                .collect(),
        ),
        peak_memory_bytes: peak_memory_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_give_median_min_and_spread() {
        let s = stats(&[3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert!((s.spread - 1.0).abs() < 1e-12);
        assert_eq!(s.runs, vec![3.0, 1.0, 2.0]);
        assert_eq!(stats(&[1.0, 2.0, 4.0, 10.0]).median, 3.0);
        assert_eq!(stats(&[0.0]).spread, 0.0);
    }

    #[test]
    fn phases_serialise_as_an_object_in_phase_order() {
        let p = Phases(vec![("week", stats(&[1.0])), ("apply", stats(&[2.0]))]);
        let text = serde_json::to_string(&p).unwrap();
        assert!(text.starts_with("{\"week\":{\"median\":1.0"), "{text}");
        assert!(text.find("week") < text.find("apply"));
    }
}
