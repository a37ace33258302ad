//! `cocoon compare`: load and check every arm, run them, write the comparison.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use cocoon::output::RunInfo;

pub fn compare(
    file: &Path,
    out: Option<PathBuf>,
    threads: Option<usize>,
    quiet: bool,
    sets: &[String],
    independent: bool,
) -> anyhow::Result<()> {
    // Everything is checked before the pool, the bar or the output folder exist.
    let plan = cocoon::compare::load(file, sets, independent)?;
    for arm in &plan.arms {
        super::budget::warn_absolute_budget(&arm.name, &arm.scenario.params, sets);
    }
    let pool = super::pool(threads)?;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "compare".into());
    let dir = out.unwrap_or_else(|| PathBuf::from("output").join(stem));
    let (arms, replicates, ticks) = (plan.arms.len(), plan.replicates(), plan.ticks());
    let bar = super::run::progress_bar(cocoon::compare::progress_total(&plan), quiet);
    let started = Instant::now();
    let comparison = pool.install(|| cocoon::compare::execute(plan, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: std::env::args().collect(),
    };
    let files = cocoon::compare::write(&dir, &comparison, &info)
        .with_context(|| format!("writing results to {}", dir.display()))?;
    if !quiet {
        eprintln!(
            "{}: {arms} arms x {replicates} replicate(s) x {ticks} ticks in {:.2}s on {} \
             thread(s); wrote {} to {}",
            file.display(),
            info.wall_seconds,
            info.threads,
            files.join(", "),
            dir.display()
        );
    }
    Ok(())
}
