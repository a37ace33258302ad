//! `cocoon bench`: builds a population, runs it, and prints how fast and how big it was, as a
//! table for people or one JSON object per run for a tracking job to append to a file. The
//! measuring itself is in the library ([`cocoon::bench`]) so criterion benches share it.

use serde::Serialize;

use cocoon::bench::{self, Measurement};
use cocoon::engine::Exec;

/// Which benchmark to run.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchModel {
    /// SISa on a Watts-Strogatz graph with k = 10.
    Sisa,
    /// The withdrawal model with default parameters and no burn-in.
    Withdrawal,
    /// Graph generation and CSR build at mean degree 20 (see `--graph`).
    Graph,
}

/// One JSON line.
#[derive(Serialize)]
struct Report<'a> {
    version: &'a str,
    commit: Option<&'a str>,
    threads: usize,
    cpu: Option<String>,
    #[serde(flatten)]
    measurement: &'a Measurement,
    agent_updates_per_second: f64,
    tie_visits_per_second: f64,
    ns_per_agent_tick: f64,
    peak_memory_bytes: Option<u64>,
}

#[allow(clippy::too_many_arguments)]
pub fn bench(
    model: BenchModel,
    agents: Option<usize>,
    ticks: Option<u32>,
    threads: Option<usize>,
    graph: &str,
    json: bool,
) -> anyhow::Result<()> {
    let agents = agents.unwrap_or(match model {
        BenchModel::Sisa => 300_000,
        BenchModel::Withdrawal => 100_000,
        BenchModel::Graph => 1_000_000,
    });
    let ticks = ticks.unwrap_or(match model {
        BenchModel::Sisa => 100,
        BenchModel::Withdrawal => 52,
        BenchModel::Graph => 0,
    });
    if agents < 2 {
        return Err(cocoon::error::Error::Usage("--agents must be at least 2".into()).into());
    }
    if agents > u32::MAX as usize {
        return Err(
            cocoon::error::Error::Usage("--agents must fit agent ids in 32 bits".into()).into(),
        );
    }
    let pool = super::pool(threads)?;
    let m = pool.install(|| match model {
        BenchModel::Sisa => bench::sisa(agents, ticks, Exec::Parallel),
        BenchModel::Withdrawal => bench::withdrawal(agents, ticks, Exec::Parallel),
        BenchModel::Graph => bench::graph(graph, agents),
    })?;
    let (version, commit) = cocoon::output::build_info();
    let report = Report {
        version,
        commit,
        threads: pool.current_num_threads(),
        cpu: bench::cpu_model(),
        measurement: &m,
        agent_updates_per_second: m.agent_updates_per_second(),
        tie_visits_per_second: m.tie_visits_per_second(),
        ns_per_agent_tick: m.ns_per_agent_tick(),
        peak_memory_bytes: bench::peak_memory_bytes(),
    };
    let text = if json {
        serde_json::to_string(&report)? + "\n"
    } else {
        table(&report)
    };
    crate::print_stdout(&text)
}

fn table(r: &Report<'_>) -> String {
    let m = r.measurement;
    let mut rows: Vec<(&str, String)> = vec![
        ("model", format!("{} ({})", m.model, m.detail)),
        ("agents", m.agents.to_string()),
        ("mean degree", format!("{:.2}", m.mean_degree)),
        ("threads", r.threads.to_string()),
        ("setup", format!("{:.3} s", m.setup_seconds)),
    ];
    if m.ticks > 0 {
        rows.push(("ticks", m.ticks.to_string()));
        rows.push(("stepping", format!("{:.3} s", m.step_seconds)));
        if m.finish_seconds > 0.0 {
            rows.push(("finish", format!("{:.3} s", m.finish_seconds)));
        }
        rows.push((
            "agent-updates/s",
            format!("{:.2} million", r.agent_updates_per_second / 1e6),
        ));
        rows.push((
            "tie-visits/s",
            format!("{:.2} million", r.tie_visits_per_second / 1e6),
        ));
        rows.push((
            "time per agent-tick",
            format!("{:.1} ns", r.ns_per_agent_tick),
        ));
        for (name, secs) in &m.phases {
            rows.push((name, format!("  {secs:.3} s")));
        }
    }
    rows.push((
        "peak memory",
        match r.peak_memory_bytes {
            Some(b) => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
            None => "unknown".into(),
        },
    ));
    rows.push((
        "build",
        format!("{} {}", r.version, r.commit.unwrap_or("(no commit)")),
    ));
    rows.push(("cpu", r.cpu.clone().unwrap_or_else(|| "unknown".into())));
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}
