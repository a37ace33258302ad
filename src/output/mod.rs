//! Results on disk: long-form time series, replicate summaries, graph metrics, charts
//! ([`charts`]) and the run manifest. Files are rendered to memory first and each is written atomically, so a run either
//! leaves complete files or none under their final names.
//!
//! Everything that reaches a file is ordered (replicate, tick, recording order; sorted maps),
//! and floats print with Rust's shortest round-trip formatting, so the same results give the
//! same bytes.

pub mod atomic;
pub mod charts;
pub mod staging;

pub use staging::Staging;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::engine::Series;
use crate::error::Result;
use crate::run::RunResult;
use crate::scenario::Scenario;
use crate::stats::{self, Interval};

/// Facts about the run that are not results: written only to `manifest.json`, which is
/// therefore the one file that differs between thread counts.
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    /// Worker threads used.
    pub threads: usize,
    /// Wall-clock seconds for building and running.
    pub wall_seconds: f64,
    /// The command line.
    pub command: Vec<String>,
    /// How the work was spread beyond this process (MPI ranks, merged shards), if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distributed: Option<Distributed>,
    /// For a run continued by `cocoon resume`: the checkpoints it continued from (the result
    /// files are those of an uninterrupted run; only this section tells them apart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed: Option<Vec<crate::checkpoint::ResumedFrom>>,
    /// With `--burn-in-cache`: the cache folder and, per file, whether the burn-in was loaded
    /// from it or written to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burn_in_cache: Option<crate::models::withdrawal::burn_in_cache::CacheReport>,
}

/// How a run's work units were spread beyond one process, for the manifest's run section.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Distributed {
    /// Run under MPI with this many ranks (rank 0 included).
    MpiRanks(usize),
    /// Merged from this many `--shard K/N` runs.
    MergedShards(u32),
}

/// Version and commit of this build.
pub fn build_info() -> (&'static str, Option<&'static str>) {
    let commit = env!("COCOON_GIT_COMMIT");
    (
        env!("CARGO_PKG_VERSION"),
        if commit.is_empty() {
            None
        } else {
            Some(commit)
        },
    )
}

/// `timeseries.csv`: `replicate,tick,metric,value`, replicate-major then tick then metric order.
pub fn timeseries_csv(series: &[Series]) -> String {
    let mut out = String::from("replicate,tick,metric,value\n");
    for s in series {
        for row in &s.rows {
            let _ = writeln!(
                out,
                "{},{},{},{}",
                s.replicate,
                row.tick,
                s.metrics[row.metric as usize],
                fmt_f64(row.value)
            );
        }
    }
    out
}

/// `distributions.csv`: `replicate,distribution,bin,count`.
pub fn distributions_csv(series: &[Series]) -> String {
    let mut out = String::from("replicate,distribution,bin,count\n");
    for s in series {
        for d in &s.distributions {
            for (b, c) in d.bins.iter().zip(&d.counts) {
                let _ = writeln!(out, "{},{},{},{}", s.replicate, d.name, fmt_f64(*b), c);
            }
        }
    }
    out
}

/// Formats a float for CSV: shortest round-trip text, `NaN` as empty.
pub fn fmt_f64(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else if x.is_nan() {
        String::new()
    } else if x > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// Summary of one metric over replicates.
#[derive(Clone, Debug, Serialize)]
pub struct MetricSummary {
    /// Tick of the final value.
    pub final_tick: u32,
    /// Final value per replicate, in replicate order.
    pub final_values: Vec<f64>,
    /// Mean of the final values with its 95% interval (Student t).
    pub final_mean: Interval,
    /// Mean over replicates of each replicate's average over the last quarter of its recorded
    /// ticks, with its 95% interval. (Called `steady_state_mean` before: the recorded decade is
    /// not at a steady state, docs/MODEL.md §12.2, so the name said more than the number.)
    pub mean_over_last_quarter: Interval,
}

/// Summaries of every metric, sorted by name.
pub fn summarize(series: &[Series]) -> BTreeMap<String, MetricSummary> {
    let mut names: Vec<&String> = series.iter().flat_map(|s| s.metrics.iter()).collect();
    names.sort();
    names.dedup();
    let mut out = BTreeMap::new();
    for name in names {
        let mut finals = Vec::new();
        let mut steady = Vec::new();
        let mut final_tick = 0;
        for s in series {
            let v = s.values(name);
            if let Some(&(t, x)) = v.last() {
                final_tick = final_tick.max(t);
                finals.push(x);
                let from = t - t / 4;
                let tail: Vec<f64> = v
                    .iter()
                    .filter(|(tt, _)| *tt >= from)
                    .map(|&(_, x)| x)
                    .collect();
                steady.push(tail.iter().sum::<f64>() / tail.len() as f64);
            }
        }
        out.insert(
            name.clone(),
            MetricSummary {
                final_tick,
                final_mean: stats::interval(&finals),
                mean_over_last_quarter: stats::interval(&steady),
                final_values: finals,
            },
        );
    }
    out
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    scenario: &'a str,
    model: &'a str,
    seed: u64,
    replicates: u32,
    ticks: u32,
    metrics: BTreeMap<String, MetricSummary>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    scenario: &'a str,
    model: &'a str,
    seed: u64,
    replicates: u32,
    ticks: u32,
    version: &'a str,
    git_commit: Option<&'a str>,
    run: &'a RunInfo,
    resolved: crate::scenario::ScenarioRecord<'a>,
    files: Vec<&'a str>,
}

fn json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("output types serialize");
    s.push('\n');
    s
}

/// Writes all result files of a run to `dir` (created if needed), charts under `charts/`.
/// The manifest goes last, so its presence means the other files are complete. Returns the
/// names written, relative to `dir`.
pub fn write_run(
    dir: &Path,
    scenario: &Scenario,
    result: &RunResult,
    info: &RunInfo,
) -> Result<Vec<String>> {
    atomic::create_dir(dir)?;
    let mut files: Vec<(&str, String)> = vec![
        ("timeseries.csv", timeseries_csv(&result.series)),
        (
            "summary.json",
            json(&SummaryFile {
                scenario: &scenario.name,
                model: &scenario.model,
                seed: scenario.seed,
                replicates: scenario.replicates,
                ticks: scenario.ticks,
                metrics: summarize(&result.series),
            }),
        ),
    ];
    if let Some(g) = &result.graph {
        files.push(("graph.json", json(g)));
    }
    if result.series.iter().any(|s| !s.distributions.is_empty()) {
        files.push(("distributions.csv", distributions_csv(&result.series)));
    }
    for (name, text) in &files {
        atomic::write(&dir.join(name), text.as_bytes())?;
    }
    let chart_paths = charts::run_charts(dir, scenario, &result.series)?;
    let mut names: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
    names.extend(chart_paths.iter().map(|p| relative_name(dir, p)));
    names.push("manifest.json".into());
    let (version, git_commit) = build_info();
    let manifest = Manifest {
        scenario: &scenario.name,
        model: &scenario.model,
        seed: scenario.seed,
        replicates: scenario.replicates,
        ticks: scenario.ticks,
        version,
        git_commit,
        run: info,
        resolved: scenario.record(),
        files: names.iter().map(String::as_str).collect(),
    };
    atomic::write(&dir.join("manifest.json"), json(&manifest).as_bytes())?;
    Ok(names)
}

/// `path` relative to `dir`, with `/` between components (as the manifest lists files).
fn relative_name(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
