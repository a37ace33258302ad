//! `cocoon run` and `cocoon check`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;

use cocoon::engine::Exec;
use cocoon::output::{self, RunInfo};
use cocoon::scenario::Scenario;

use super::{progress, ScenarioArgs};

/// Whether the TOML text has a top-level `[[arm]]` table or a top-level `base = ...` key: the
/// marks of a comparison file. A `base` key inside a table (e.g. `[days] base = 0.9` in a
/// preset) is a parameter, not a base scenario.
fn looks_like_comparison(text: &str) -> bool {
    let mut top_level = true;
    text.lines().map(str::trim_start).any(|l| {
        if l.starts_with("[[arm]]") {
            return true;
        }
        if l.starts_with('[') {
            top_level = false;
        }
        top_level
            && l.strip_prefix("base")
                .is_some_and(|r| r.trim_start().starts_with('='))
    })
}

/// An error when `file` is the other kind of input than the command takes: `run` and `check`
/// given a comparison file, or `compare` given a scenario file. Unreadable files are left to
/// the normal loading, which names the problem.
pub fn wrong_kind(file: &std::path::Path, want_comparison: bool) -> cocoon::error::Result<()> {
    let Ok(text) = cocoon::input::read_text(file, cocoon::input::MAX_SCENARIO_BYTES) else {
        return Ok(());
    };
    let is_comparison = looks_like_comparison(&text);
    let f = file.display();
    match (want_comparison, is_comparison) {
        (false, true) => Err(cocoon::error::Error::Usage(format!(
            "{f} is a comparison file (it has [[arm]] tables or a `base` scenario); use `cocoon compare {f}`"
        ))),
        (true, false) => Err(cocoon::error::Error::Usage(format!(
            "{f} is a scenario file, not a comparison (it has no [[arm]] tables and no `base`); use `cocoon run {f}`"
        ))),
        _ => Ok(()),
    }
}

/// Loads and validates the scenario named on the command line.
pub fn load(args: &ScenarioArgs) -> cocoon::error::Result<Scenario> {
    wrong_kind(&args.file, false)?;
    let mut sets = args.sets.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    let scenario = Scenario::load(&args.file, &sets)?;
    for note in &scenario.notes {
        crate::print_stderr(&format!("note: {note}\n"));
    }
    Ok(scenario)
}

/// A progress bar over `total` units for commands that run many scenarios (sweep,
/// calibrate); see [`progress::bar`].
pub fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    let bar = progress::bar(total, quiet);
    bar.set_message("simulating");
    bar
}

/// The headline of a run for its closing line: the final value of the main outcome, its
/// interval over replicates, and the chart to open first.
fn headline(result: &cocoon::run::RunResult) -> Option<(String, &'static str)> {
    const MAIN: &[(&str, &str, &str)] = &[
        (
            "hikikomori_prevalence",
            "hikikomori prevalence at the final week",
            "charts/hikikomori_prevalence.png",
        ),
        (
            "prevalence",
            "prevalence at the final tick",
            "charts/prevalence.png",
        ),
    ];
    MAIN.iter().find_map(|&(metric, words, chart)| {
        let finals: Vec<f64> = result
            .series
            .iter()
            .map(|s| s.last(metric))
            .collect::<Option<Vec<f64>>>()?;
        let iv = cocoon::stats::interval(&finals);
        let pct = |x: f64| format!("{:.2}%", x * 100.0);
        let text = if iv.n >= 2 {
            format!(
                "{words} {} (95% interval {} to {}, {} replicates)",
                pct(iv.mean),
                pct(iv.lo),
                pct(iv.hi),
                iv.n
            )
        } else {
            format!("{words} {} (one replicate, no interval)", pct(iv.mean))
        };
        Some((text, chart))
    })
}

/// The output folder of a run: `--out`, or `output/<scenario name>`.
pub fn output_dir(scenario: &Scenario, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| PathBuf::from("output").join(&scenario.name))
}

pub fn run(
    args: &ScenarioArgs,
    threads: Option<usize>,
    out: Option<PathBuf>,
    force: bool,
    quiet: bool,
    checkpoint_every: Option<u32>,
    burn_in_cache: Option<PathBuf>,
) -> anyhow::Result<()> {
    let scenario = load(args)?;
    // A bad cache folder or combination is found before the output folder is staged.
    let cache = match &burn_in_cache {
        Some(dir) => {
            cocoon::run::cache_supported(&scenario.model)?;
            if checkpoint_every.is_some() {
                anyhow::bail!(cocoon::error::Error::Usage(
                    "--burn-in-cache cannot be combined with --checkpoint-every yet".into()
                ));
            }
            Some(cocoon::models::withdrawal::burn_in_cache::BurnInCache::open(dir)?)
        }
        None => None,
    };
    super::budget::warn_absolute_budget(&scenario.name, &scenario.params, &args.sets);
    let dir = output_dir(&scenario, out);
    // The output folder is checked, locked and staged before any simulation work.
    let threads = super::thread_count(threads)?;
    super::check_resources(&[&scenario], threads, args.max_memory, false)?;
    if checkpoint_every.is_some() {
        cocoon::checkpoint::supported(&scenario.model)?;
    }
    let mut staging = match checkpoint_every {
        Some(_) => output::Staging::begin_resumable(&dir, force)?,
        None => output::Staging::begin(&dir, force)?,
    };
    super::report_cleared(&staging);
    let checkpoints = match checkpoint_every {
        Some(every) => {
            let spec = cocoon::checkpoint::ResumeSpec {
                format: "cocoon-resume".into(),
                format_version: cocoon::checkpoint::codec::FORMAT_VERSION,
                version: cocoon::checkpoint::codec::cocoon_version(),
                command: "run".into(),
                cwd: std::env::current_dir().context("the current folder")?,
                file: args.file.clone(),
                sets: args.sets.clone(),
                seed: args.seed,
                independent: false,
                out: dir.clone(),
                force,
                every,
                study: cocoon::checkpoint::scenario_hash(&scenario),
                command_line: super::command_line(),
            };
            Some(super::resume::start(&mut staging, &spec)?)
        }
        None => None,
    };
    execute(
        &scenario,
        &dir,
        staging,
        threads,
        checkpoints.as_ref(),
        cache.as_ref(),
        super::command_line(),
        quiet,
    )
}

/// Continues the interrupted `run` of `spec` (see `cocoon resume`).
pub fn resume(
    spec: &cocoon::checkpoint::ResumeSpec,
    dir: &std::path::Path,
    threads: Option<usize>,
    quiet: bool,
) -> anyhow::Result<()> {
    let args = ScenarioArgs {
        file: spec.file.clone(),
        sets: spec.sets.clone(),
        seed: spec.seed,
        max_memory: None,
    };
    let scenario = load(&args)?;
    let threads = super::thread_count(threads)?;
    let (staging, checkpoints) =
        super::resume::reopen(spec, dir, &cocoon::checkpoint::scenario_hash(&scenario))?;
    execute(
        &scenario,
        dir,
        staging,
        threads,
        Some(&checkpoints),
        None,
        spec.command_line.clone(),
        quiet,
    )
}

/// Runs `scenario` (with checkpoints or a burn-in cache if given), writes it into `staging`
/// and commits.
#[allow(clippy::too_many_arguments)]
fn execute(
    scenario: &Scenario,
    dir: &std::path::Path,
    staging: output::Staging,
    threads: usize,
    checkpoints: Option<&cocoon::checkpoint::Checkpoints>,
    cache: Option<&cocoon::models::withdrawal::burn_in_cache::BurnInCache>,
    command: Vec<String>,
    quiet: bool,
) -> anyhow::Result<()> {
    let pool = super::pool(Some(threads))?;
    let started = Instant::now();
    let bar = progress::bar(cocoon::run::progress_total(scenario), quiet);
    let burn_in = cocoon::run::burn_in_ticks(scenario);
    bar.set_message(progress::simulating(
        1,
        scenario.replicates,
        burn_in,
        scenario.ticks,
    ));
    let result = pool.install(|| match (checkpoints, cache) {
        (Some(ck), _) => {
            cocoon::run::execute_checkpointed(scenario, Exec::Parallel, &|| bar.inc(1), ck)
        }
        (None, Some(c)) => cocoon::run::execute_cached(scenario, Exec::Parallel, &|| bar.inc(1), c),
        (None, None) => cocoon::run::execute(scenario, Exec::Parallel, &|| bar.inc(1)),
    })?;
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command,
        distributed: None,
        resumed: checkpoints.and_then(|ck| ck.resumed()),
        burn_in_cache: cache.map(|c| c.report()),
    };
    bar.set_message("writing results and charts");
    let files = output::write_run(staging.path(), scenario, &result, &info)
        .with_context(|| format!("writing results to {}", dir.display()))?;
    staging
        .commit()
        .with_context(|| format!("writing results to {}", dir.display()))?;
    bar.finish_and_clear();
    if !quiet {
        let first = headline(&result)
            .map(|(_, chart)| chart)
            .filter(|c| files.iter().any(|f| f == c))
            .unwrap_or("summary.json");
        crate::print_stderr(&format!(
            "{}: {}.\nOpen {} first ({} files, listed in manifest.json). {} replicate(s) x ({}{} \
             weeks) in {} on {} thread(s).\n",
            scenario.name,
            headline(&result)
                .map(|(t, _)| t)
                .unwrap_or_else(|| "done".to_string()),
            dir.join(first).display(),
            files.len(),
            scenario.replicates,
            if burn_in > 0 {
                format!("{burn_in}-week burn-in + ")
            } else {
                String::new()
            },
            scenario.ticks,
            progress::duration(started.elapsed().as_secs_f64()),
            info.threads,
        ));
        if let Some(ck) = checkpoints {
            crate::print_stderr(&super::resume::describe(ck));
        }
    }
    Ok(())
}

pub fn check(args: &ScenarioArgs, out: Option<PathBuf>) -> anyhow::Result<()> {
    let s = load(args)?;
    // Whatever would make `run` fail before simulating fails here too.
    let dir = output_dir(&s, out);
    output::staging::check_target(&dir, true)?;
    let threads = super::thread_count(None)?;
    let estimate = super::check_resources(&[&s], threads, args.max_memory, false)?;
    // An imported graph is part of the input: read it so bad rows are caught here too.
    if s.params.applies("graph.path") {
        if let Some(path) = s.params.opt_str("graph.path") {
            let nodes = s.params.opt_str("graph.nodes").map(std::path::Path::new);
            cocoon::graph::csv::import(std::path::Path::new(path), nodes)
                .map_err(cocoon::error::Error::from)?;
        }
    }
    let mut text = format!(
        "{}: ok (model {}, {} ticks, {} replicate(s), seed {}); a run needs {} on {threads} \
         thread(s)\n",
        args.file.display(),
        s.model,
        s.ticks,
        s.replicates,
        s.seed,
        estimate.describe(),
    );
    if dir.symlink_metadata().is_ok() {
        text.push_str(&format!(
            "note: {} exists; `run` will need --force to replace it\n",
            dir.display()
        ));
    }
    crate::print_stdout(&text)
}

#[cfg(test)]
mod tests {
    use super::looks_like_comparison;

    #[test]
    fn a_base_key_inside_a_table_is_a_parameter_not_a_base_scenario() {
        assert!(looks_like_comparison(
            "base = \"a.toml\"\n[[arm]]\nname = \"x\"\n"
        ));
        assert!(looks_like_comparison("name = \"c\"\n[[arm]]\n"));
        assert!(!looks_like_comparison(
            "name = \"hk\"\n[days]\nbase = 0.86\n"
        ));
    }
}
