//! `cocoon run` and `cocoon check`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cocoon::engine::Exec;
use cocoon::output::{self, RunInfo};
use cocoon::scenario::Scenario;

use super::ScenarioArgs;

/// Loads and validates the scenario named on the command line.
pub fn load(args: &ScenarioArgs) -> cocoon::error::Result<Scenario> {
    let mut sets = args.sets.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    Scenario::load(&args.file, &sets)
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with `--quiet`.
pub fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} replicate-ticks, eta {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    bar
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
) -> anyhow::Result<()> {
    let scenario = load(args)?;
    super::budget::warn_absolute_budget(&scenario.name, &scenario.params, &args.sets);
    let dir = output_dir(&scenario, out);
    // The output folder is checked, locked and staged before any simulation work.
    let threads = super::thread_count(threads)?;
    super::check_resources(&[&scenario], threads, args.max_memory, false)?;
    let staging = output::Staging::begin(&dir, force)?;
    super::report_cleared(&staging);
    let pool = super::pool(Some(threads))?;
    let bar = progress_bar(cocoon::run::progress_total(&scenario), quiet);
    let started = Instant::now();
    let result =
        pool.install(|| cocoon::run::execute(&scenario, Exec::Parallel, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: super::command_line(),
    };
    let files = output::write_run(staging.path(), &scenario, &result, &info)
        .with_context(|| format!("writing results to {}", dir.display()))?;
    staging
        .commit()
        .with_context(|| format!("writing results to {}", dir.display()))?;
    if !quiet {
        crate::print_stderr(&format!(
            "{}: {} replicate(s) x {} ticks in {:.2}s on {} thread(s); wrote {} to {}\n",
            scenario.name,
            scenario.replicates,
            scenario.ticks,
            info.wall_seconds,
            info.threads,
            files.join(", "),
            dir.display()
        ));
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
