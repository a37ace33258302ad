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
    super::run::wrong_kind(file, true)?;
    let plan = cocoon::compare::load(file, sets, independent)?;
    let pool = super::pool(threads)?;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "compare".into());
    let dir = out.unwrap_or_else(|| PathBuf::from("output").join(stem));
    let (arms, replicates, ticks) = (plan.arms.len(), plan.replicates(), plan.ticks());
    let burn_in = cocoon::run::burn_in_ticks(&plan.arms[plan.baseline].scenario);
    let started = Instant::now();
    let bar = super::progress::bar(cocoon::compare::progress_total(&plan), quiet);
    bar.set_message(super::progress::simulating(
        arms, replicates, burn_in, ticks,
    ));
    let comparison = pool.install(|| cocoon::compare::execute(plan, &|| bar.inc(1)))?;
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: std::env::args().collect(),
    };
    bar.set_message("writing the report, charts and tables");
    let files = cocoon::compare::write(&dir, &comparison, &info)
        .with_context(|| format!("writing results to {}", dir.display()))?;
    bar.finish_and_clear();
    if !quiet {
        eprintln!(
            "{}: {}\nOpen {} first ({} files, listed in manifest.json). {arms} arms x \
             {replicates} replicate(s) x ({}{ticks} weeks) in {} on {} thread(s).",
            file.display(),
            cocoon::compare::report::headline_sentence(&comparison),
            dir.join("report.html").display(),
            files.len(),
            if burn_in > 0 {
                format!("{burn_in}-week burn-in + ")
            } else {
                String::new()
            },
            super::progress::duration(started.elapsed().as_secs_f64()),
            info.threads,
        );
    }
    Ok(())
}
