//! `cocoon bench`: builds a population, steps its burn-in untimed, times warm-up and repeated
//! runs, and prints how fast and how big it was, as a table for people or one JSON record per
//! call (schema [`cocoon::bench::SCHEMA`]) for a tracking job to append to a file. The
//! measuring itself is in the library ([`cocoon::bench`]) so criterion benches share it.

use cocoon::bench::{self, environment, Kind, Report, Stats, Workload};
use cocoon::engine::Exec;

/// Which benchmark to run.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchModel {
    /// The withdrawal model with default parameters, timed after its burn-in (the default).
    Withdrawal,
    /// SISa on a Watts-Strogatz graph with k = 10.
    Sisa,
    /// Graph generation and CSR build at mean degree 20 (see `--graph`).
    Graph,
}

/// `cocoon bench`'s options.
pub struct Options {
    pub model: BenchModel,
    pub agents: Option<usize>,
    pub ticks: Option<u32>,
    pub burn_in: Option<u32>,
    pub warmup: u32,
    pub repeat: u32,
    pub threads: Option<usize>,
    pub graph: String,
    pub json: bool,
    pub max_memory: Option<u64>,
}

pub fn bench(o: Options) -> anyhow::Result<()> {
    let kind = match o.model {
        BenchModel::Sisa => Kind::Sisa,
        BenchModel::Withdrawal => Kind::Withdrawal,
        BenchModel::Graph => Kind::Graph(o.graph.clone()),
    };
    let graph = matches!(kind, Kind::Graph(_));
    let defaults = Workload::default_for(kind)?;
    if graph && (o.ticks.is_some() || o.burn_in.is_some()) {
        return Err(cocoon::error::Error::Usage(
            "--ticks and --burn-in do not apply to --model graph (it times generation only)".into(),
        )
        .into());
    }
    let work = Workload {
        agents: o.agents.unwrap_or(defaults.agents),
        ticks: o.ticks.unwrap_or(defaults.ticks),
        burn_in: o.burn_in.unwrap_or(defaults.burn_in),
        ..defaults
    };
    if work.agents > u32::MAX as usize {
        return Err(
            cocoon::error::Error::Usage("--agents must fit agent ids in 32 bits".into()).into(),
        );
    }
    // The same memory check as `cocoon run`, before any population is built.
    let threads = super::thread_count(o.threads)?;
    let scenario = bench::scenario(&work)?;
    super::check_resources(&[&scenario], threads.max(2), o.max_memory, false)?;
    let pool = super::pool(Some(threads))?;
    let mut machine = environment::machine();
    let measured = pool.install(|| bench::measure(&work, o.warmup, o.repeat, Exec::Parallel))?;
    machine.finish();
    let report = bench::report(
        &measured,
        environment::build(),
        machine,
        pool.current_num_threads(),
    );
    let text = if o.json {
        serde_json::to_string(&report)? + "\n"
    } else {
        table(&report)
    };
    crate::print_stdout(&text)
}

/// `median (min to max, spread x %)` with `unit` and `scale`.
fn summary(s: &Stats, scale: f64, digits: usize, unit: &str) -> String {
    if s.runs.len() == 1 {
        return format!("{:.digits$} {unit}", s.median * scale);
    }
    format!(
        "{:.digits$} {unit} (min {:.digits$}, max {:.digits$}; spread {:.1} %)",
        s.median * scale,
        s.min * scale,
        s.max * scale,
        s.spread * 100.0
    )
}

fn table(r: &Report) -> String {
    let w = &r.workload;
    let mut rows: Vec<(String, String)> = vec![
        ("model".into(), format!("{} ({})", w.model, w.detail)),
        ("agents".into(), w.agents.to_string()),
        ("threads".into(), r.threads.to_string()),
        (
            "runs".into(),
            format!(
                "{} kept after {} warm-up; medians first",
                r.repeat, r.warmup
            ),
        ),
        ("setup".into(), summary(&r.setup_seconds, 1.0, 3, "s")),
    ];
    if w.burn_in_ticks > 0 {
        rows.push((
            "burn-in (untimed)".into(),
            format!("{} ticks in {:.3} s", w.burn_in_ticks, w.burn_in_seconds),
        ));
    }
    rows.push(("mean degree".into(), format!("{:.2}", w.mean_degree)));
    if let Some(step) = &r.step_seconds {
        rows.push(("ticks timed".into(), w.ticks.to_string()));
        rows.push(("stepping".into(), summary(step, 1.0, 3, "s")));
    }
    if let Some(finish) = &r.finish_seconds {
        rows.push(("finish".into(), summary(finish, 1.0, 3, "s")));
    }
    if let Some(s) = &r.agent_updates_per_second {
        rows.push(("agent-updates/s".into(), summary(s, 1e-6, 2, "million")));
    }
    if let Some(s) = &r.tie_visits_per_second {
        rows.push(("tie-visits/s".into(), summary(s, 1e-6, 2, "million")));
    }
    if let Some(s) = &r.ns_per_agent_tick {
        rows.push(("time per agent-tick".into(), summary(s, 1.0, 1, "ns")));
    }
    for (name, s) in &r.phases.0 {
        rows.push((format!("  {name}"), format!("{:.3} s (median)", s.median)));
    }
    rows.push((
        "peak memory".into(),
        match r.peak_memory_bytes {
            Some(b) => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
            None => "unknown".into(),
        },
    ));
    let b = &r.build;
    rows.push((
        "build".into(),
        format!(
            "{} {}{} ({}, {})",
            b.version,
            b.commit.unwrap_or("(no commit)"),
            match b.dirty {
                Some(true) => " +dirty",
                _ => "",
            },
            b.profile,
            b.rustc
        ),
    ));
    let m = &r.machine;
    rows.push((
        "machine".into(),
        format!(
            "{} cores, {}",
            m.cores,
            m.cpu.clone().unwrap_or_else(|| "unknown cpu".into())
        ),
    ));
    let load = |l: Option<[f64; 3]>| {
        l.map(|[a, b, c]| format!("{a:.2} {b:.2} {c:.2}"))
            .unwrap_or_else(|| "unknown".into())
    };
    rows.push((
        "load average".into(),
        format!(
            "{} before, {} after",
            load(m.load_average_before),
            load(m.load_average_after)
        ),
    ));
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}
