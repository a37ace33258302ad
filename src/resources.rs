//! What a run will cost, estimated from the whole scenario before anything is allocated.
//!
//! Why: every key is range-checked on its own, but combinations of allowed values are not
//! affordable (Watts-Strogatz with n = 10^8, k = 10,000 at n = 10^6, 10^6 ticks x 10^5
//! replicates, a policy budget that buys 10^12 events a week). Such runs used to abort on
//! allocation or grow to 11 GB before failing. [`scenario`] and [`comparison`] add up the big
//! allocations from n, degree, k or m, SBM blocks, edge-list rows, ticks, replicates, arms,
//! worker threads and the policy's weekly event capacity, and [`check`] refuses (exit code 2,
//! with the estimate and its largest parts) anything over the limit: `--max-memory`, by
//! default [`DEFAULT_SHARE`] of the machine's available memory.
//!
//! The bytes-per-unit constants were measured on release builds (peak RSS, `/usr/bin/time`)
//! and rounded up: SISa graphs about 60 bytes per undirected edge (Watts-Strogatz,
//! Erdos-Renyi, Barabasi-Albert and SBM alike), the withdrawal model about 620 bytes per agent
//! per live replicate (20,000 and 100,000 agents). The estimate is an upper-side guide for
//! refusing the impossible, not a promise; ordinary runs sit far below any limit.

use std::path::Path;

use crate::error::{Error, Result};
use crate::scenario::{Scenario, Value};

/// Share of `MemAvailable` (from `/proc/meminfo`) a run may use when `--max-memory` is not
/// given.
pub const DEFAULT_SHARE: f64 = 0.75;
/// Limit used when available memory cannot be read.
pub const FALLBACK_LIMIT: u64 = 4 << 30;

/// Bytes per undirected edge of a built graph, generation included (measured 60-62).
const GRAPH_EDGE: f64 = 64.0;
/// Bytes per agent of a built graph (offsets, groups, metrics scratch).
const GRAPH_AGENT: f64 = 64.0;
/// Bytes per agent of one live SISa replicate.
const SISA_AGENT: f64 = 16.0;
/// Bytes per agent of one live withdrawal replicate (measured about 620, rounded up).
const WITHDRAWAL_AGENT: f64 = 768.0;
/// Bytes per recorded value: the row (16) plus its line in `timeseries.csv`.
const ROW: f64 = 64.0;
/// Metrics recorded per tick: SISa 2, withdrawal about 50.
const SISA_METRICS: f64 = 2.0;
const WITHDRAWAL_METRICS: f64 = 64.0;
/// Bytes per edge-list row held while importing (the text line and the parsed edge), on top
/// of the built graph.
const CSV_ROW: f64 = 40.0;
/// Bytes per planned tie change from one event attendee (a 16-byte change per new tie or
/// strengthened tie, allowing a few strengthened ties each).
const CHANGE: f64 = 16.0;
/// Fixed cost: the binary, fonts, charts, thread stacks.
const BASE: f64 = 32.0 * 1024.0 * 1024.0;
/// Work units per second per thread: SISa agent- or tie-visits, withdrawal agent-ticks.
const SISA_RATE: f64 = 2e8;
const WITHDRAWAL_RATE: f64 = 7e5;

/// A cost estimate: peak memory, wall time, and the parts that make up the memory.
#[derive(Clone, Debug, Default)]
pub struct Estimate {
    /// Peak resident memory, bytes.
    pub bytes: f64,
    /// Wall-clock seconds on the given threads (rough).
    pub seconds: f64,
    /// The memory by part, largest first: (what, bytes).
    pub parts: Vec<(String, f64)>,
}

impl Estimate {
    fn add(&mut self, what: String, bytes: f64) {
        self.bytes += bytes;
        self.parts.push((what, bytes));
    }

    fn finish(mut self) -> Estimate {
        self.parts
            .sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        self
    }

    /// One line: "about 1.2 GB of memory and 3 s on 2 thread(s)".
    pub fn describe(&self) -> String {
        format!(
            "about {} of memory and {}",
            bytes_text(self.bytes),
            seconds_text(self.seconds)
        )
    }
}

/// `1.2 GB`, `340 MB`, `12 kB`.
pub fn bytes_text(b: f64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut x = b.max(0.0);
    let mut u = 0;
    while x >= 1000.0 && u + 1 < UNITS.len() {
        x /= 1000.0;
        u += 1;
    }
    if !x.is_finite() || x >= 1000.0 {
        return "more than 1000 EB".into();
    }
    if x >= 10.0 || u == 0 {
        format!("{x:.0} {}", UNITS[u])
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

fn seconds_text(s: f64) -> String {
    if !s.is_finite() || s > 1e9 {
        "more than 30 years".into()
    } else if s < 1.0 {
        "under a second".into()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 2.0 * 86400.0 {
        format!("{:.0} h", s / 3600.0)
    } else {
        format!("{:.0} days", s / 86400.0)
    }
}

/// Agents and undirected edges of the scenario's SISa graph.
fn graph_size(s: &Scenario) -> (f64, f64) {
    let p = &s.params;
    let n = || p.i64("graph.n") as f64;
    match p.str("graph.kind") {
        "erdos_renyi" => {
            let n = n();
            (
                n,
                n * p.f64("graph.mean_degree").min((n - 1.0).max(0.0)) / 2.0,
            )
        }
        "watts_strogatz" => (n(), n() * p.i64("graph.k") as f64 / 2.0),
        "barabasi_albert" => (n(), n() * p.i64("graph.m") as f64),
        "sbm" => {
            let sizes: Vec<f64> = p
                .int_list("graph.sizes")
                .iter()
                .map(|&x| x as f64)
                .collect();
            let n: f64 = sizes.iter().sum();
            let within: f64 = sizes.iter().map(|s| s * (s - 1.0).max(0.0) / 2.0).sum();
            let all = n * (n - 1.0).max(0.0) / 2.0;
            let m = p.f64("graph.p_in") * within + p.f64("graph.p_out") * (all - within).max(0.0);
            (n, m)
        }
        "edge_list" => {
            let rows = p.opt_str("graph.path").map_or(0.0, |f| lines(Path::new(f)));
            let agents = match p.opt_str("graph.nodes") {
                Some(nodes) => lines(Path::new(nodes)),
                None => 2.0 * rows + crate::graph::csv::SPARSE_SLACK as f64,
            };
            (agents, rows)
        }
        _ => (n(), 0.0),
    }
}

/// Lines in a file (an upper bound on its rows); 0 if it cannot be read.
fn lines(path: &Path) -> f64 {
    use std::io::Read as _;
    let Ok(mut f) = std::fs::File::open(path) else {
        return 0.0;
    };
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return 0.0;
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut count = 1u64;
    while let Ok(k) = f.read(&mut buf) {
        if k == 0 {
            break;
        }
        count += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    count as f64
}

/// The largest value a policy money key takes over the schedule.
fn max_over_schedule(s: &Scenario, key: &str, schedule_key: &str) -> f64 {
    let first = s.params.f64(key);
    match s.params.get(schedule_key) {
        Some(Value::FloatList(v)) => v.iter().copied().fold(first, f64::max),
        _ => first,
    }
}

/// Bridging events one week of the most generous funding entry buys (upper bound).
pub fn events_per_week(s: &Scenario) -> f64 {
    let budget = max_over_schedule(s, "policy.budget", "policy.schedule_budget");
    let share = max_over_schedule(
        s,
        "policy.community_share",
        "policy.schedule_community_share",
    );
    let p = &s.params;
    (budget * share / 52.0 * (1.0 - p.f64("community.recovery_fraction"))
        / p.f64("community.cost_per_event"))
    .floor()
}

/// Adds the model's own memory and work for `live` replicates held at once.
fn model_cost(s: &Scenario, live: f64, threads: f64, e: &mut Estimate, label: &str) -> f64 {
    let reps = s.replicates as f64;
    let ticks = s.ticks as f64;
    match s.model.as_str() {
        "withdrawal" => {
            let n = s.params.i64("population.n") as f64;
            e.add(
                format!("{label}{live} live replicate(s) of {n} agents"),
                live * n * WITHDRAWAL_AGENT,
            );
            let events = events_per_week(s);
            let capacity = s.params.f64("community.capacity").min(n);
            let ties = s.params.f64("community.ties_per_attendee").ceil() + 4.0;
            let attendees = events * capacity;
            if attendees > 0.0 {
                e.add(
                    format!(
                        "{label}tie changes from {events} bridging event(s) a week of up to \
                         {capacity} attendees (policy.budget x policy.community_share / \
                         community.cost_per_event)"
                    ),
                    live * attendees * ties * CHANGE,
                );
            }
            let burn_in = s.params.i64("withdrawal.burn_in_ticks") as f64;
            let work = reps * (ticks + burn_in) * (n + 3.0 * attendees) / WITHDRAWAL_RATE;
            work / threads.min(reps).max(1.0)
        }
        _ => {
            let (n, m) = graph_size(s);
            e.add(
                format!("{label}graph of {n} agents and {m} ties"),
                n * GRAPH_AGENT + m * GRAPH_EDGE,
            );
            if s.params.str("graph.kind") == "edge_list" {
                e.add(format!("{label}edge-list rows being read"), m * CSV_ROW);
            }
            e.add(
                format!("{label}{live} live replicate(s)"),
                live * n * SISA_AGENT,
            );
            reps * ticks * (n + 2.0 * m) / SISA_RATE / threads.min(reps).max(1.0)
        }
    }
}

/// Adds the recorded time series of one scenario.
fn results_cost(s: &Scenario, e: &mut Estimate, label: &str) {
    let metrics = if s.model == "withdrawal" {
        WITHDRAWAL_METRICS
    } else {
        SISA_METRICS
    };
    let rows = s.replicates as f64 * (s.ticks as f64 + 1.0) * metrics;
    e.add(
        format!(
            "{label}time series of {} replicate(s) x {} ticks",
            s.replicates,
            s.ticks as u64 + 1
        ),
        rows * ROW,
    );
}

/// The estimate for `cocoon run` of `s` on `threads` worker threads.
pub fn scenario(s: &Scenario, threads: usize) -> Estimate {
    let threads = threads.max(1) as f64;
    let mut e = Estimate::default();
    e.add("fixed (program, charts)".into(), BASE);
    let live = threads.min(s.replicates as f64).max(1.0);
    e.seconds = model_cost(s, live, threads, &mut e, "");
    results_cost(s, &mut e, "");
    e.finish()
}

/// The estimate for `cocoon compare` of `arms` (resolved scenarios) on `threads` threads:
/// arms run side by side (up to the thread count), every arm's results are kept.
pub fn comparison(arms: &[&Scenario], threads: usize) -> Estimate {
    let t = threads.max(1) as f64;
    let mut e = Estimate::default();
    e.add("fixed (program, charts)".into(), BASE);
    // Arms and replicates share the threads; nested parallel loops can hold up to two model
    // instances per thread.
    let total: f64 = arms.iter().map(|a| a.replicates as f64).sum();
    let live = (2.0 * t).min(total).max(1.0);
    let mut worst = Estimate::default();
    let mut seconds = 0.0;
    for (k, a) in arms.iter().enumerate() {
        let mut one = Estimate::default();
        let label = format!("arm {}: ", k + 1);
        seconds += model_cost(a, live.min(a.replicates as f64), t, &mut one, &label);
        if one.bytes > worst.bytes {
            worst = one;
        }
        results_cost(a, &mut e, &label);
    }
    // Arms side by side: as many as threads, each as costly as the costliest arm, at most.
    let side = t.min(arms.len() as f64).max(1.0);
    for (what, b) in worst.parts {
        let scaled = if what.contains("graph") { b * side } else { b };
        e.add(what, scaled);
    }
    e.seconds = seconds;
    e.finish()
}

/// `MemAvailable` from `/proc/meminfo`, in bytes.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// The memory limit and where it comes from: `--max-memory`, or [`DEFAULT_SHARE`] of
/// available memory.
pub fn limit(max_memory: Option<u64>) -> (u64, String) {
    match max_memory {
        Some(b) => (b, "--max-memory".into()),
        None => match available_memory() {
            Some(avail) => (
                (avail as f64 * DEFAULT_SHARE) as u64,
                format!(
                    "{:.0}% of the {} available on this machine",
                    DEFAULT_SHARE * 100.0,
                    bytes_text(avail as f64)
                ),
            ),
            None => (
                FALLBACK_LIMIT,
                "the default when available memory is unknown".into(),
            ),
        },
    }
}

/// Refuses `estimate` if it exceeds `limit` bytes (exit code 2), naming the largest parts.
pub fn check(estimate: &Estimate, limit: u64, source: &str) -> Result<()> {
    if estimate.bytes <= limit as f64 {
        return Ok(());
    }
    let parts: Vec<String> = estimate
        .parts
        .iter()
        .take(3)
        .map(|(w, b)| format!("{w}: {}", bytes_text(*b)))
        .collect();
    Err(Error::Resources(format!(
        "this would need {} (largest parts: {}), more than the limit of {} ({source}); \
         make the scenario smaller or raise --max-memory",
        estimate.describe(),
        parts.join("; "),
        bytes_text(limit as f64)
    )))
}

/// Parses a size: bytes, or a number with `K`, `M`, `G` or `T` (powers of 1024; `B`, `iB`
/// and lower case accepted), e.g. `512M`, `1.5G`.
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let stripped = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (num, mult) = match stripped.chars().last() {
        Some('k') => (&stripped[..stripped.len() - 1], 1u64 << 10),
        Some('m') => (&stripped[..stripped.len() - 1], 1 << 20),
        Some('g') => (&stripped[..stripped.len() - 1], 1 << 30),
        Some('t') => (&stripped[..stripped.len() - 1], 1 << 40),
        _ => (stripped, 1),
    };
    let bad = || format!("\"{t}\" is not a size; write bytes or e.g. 512M, 4G, 1.5T");
    let x: f64 = num.trim().parse().map_err(|_| bad())?;
    let bytes = x * mult as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 / 2.0 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(sets: &[&str]) -> Scenario {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Scenario::from_sets("t", &sets).unwrap()
    }

    const GB: u64 = 1 << 30;

    #[test]
    fn the_reported_combinations_are_refused_and_ordinary_runs_pass() {
        for sets in [
            &["model=sisa", "graph.n=100000000"][..],
            &["model=sisa", "graph.n=1000000", "graph.k=10000"],
            &[
                "model=sisa",
                "graph.kind=erdos_renyi",
                "graph.n=1000000",
                "graph.mean_degree=10000",
            ],
            &[
                "model=sisa",
                "graph.kind=barabasi_albert",
                "graph.n=1000000",
                "graph.m=10000",
            ],
            &["model=sisa", "graph.kind=sbm", "graph.sizes=[100000000]"],
            &["model=sisa", "ticks=1000000", "replicates=100000"],
            &["model=withdrawal", "population.n=100000000"],
            &[
                "model=withdrawal",
                "population.n=20000",
                "policy.budget=1000000000000",
                "policy.community_share=1",
                "community.capacity=10000",
                "community.cost_per_event=0.01",
            ],
        ] {
            let e = scenario(&sc(sets), 2);
            let err = check(&e, 8 * GB, "test").unwrap_err();
            assert!(err.is_input_error());
            assert!(err.to_string().contains("more than the limit"), "{err}");
        }
        for sets in [
            &["model=sisa"][..],
            &["model=sisa", "graph.n=1000000"],
            &["model=withdrawal", "population.n=100000"],
            &[
                "model=withdrawal",
                "policy.budget=100000000",
                "policy.community_share=0.5",
            ],
        ] {
            let e = scenario(&sc(sets), 2);
            assert!(e.bytes < GB as f64, "{sets:?}: {}", e.describe());
            check(&e, GB, "test").unwrap();
        }
    }

    #[test]
    fn estimates_match_measurements_within_a_factor_of_two() {
        // Measured peak RSS: WS n=1e6 k=10, 1 replicate: 307 MB; withdrawal 100,000: 67 MB.
        let e = scenario(
            &sc(&["model=sisa", "graph.n=1000000", "replicates=1", "ticks=2"]),
            1,
        );
        assert!((307e6..2.0 * 307e6).contains(&e.bytes), "{}", e.describe());
        let e = scenario(
            &sc(&[
                "model=withdrawal",
                "population.n=100000",
                "replicates=1",
                "ticks=2",
            ]),
            1,
        );
        assert!((67e6..2.5 * 67e6).contains(&e.bytes), "{}", e.describe());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("4g"), Ok(4 << 30));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert_eq!(bytes_text(1.5e9), "1.5 GB");
        assert_eq!(bytes_text(3.4e8), "340 MB");
    }
}
