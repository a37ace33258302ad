//! `cocoon compare`: load and check every arm, run them, write the comparison.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use cocoon::output::{self, RunInfo};

/// `cocoon compare` options besides the file and the overrides.
pub struct Options {
    pub out: Option<PathBuf>,
    pub force: bool,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub independent: bool,
    pub max_memory: Option<u64>,
}

/// The default output folder, `output/<file stem>`; a stem that is not a plain folder name
/// (`..toml` has stem `.`, `...toml` has `..`) is refused rather than resolved upwards.
pub fn default_dir(file: &Path) -> anyhow::Result<PathBuf> {
    let stem = file.file_stem().unwrap_or_default();
    let s = stem.to_string_lossy();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        return Err(cocoon::error::Error::Usage(format!(
            "{}: the default output folder would be output/{s}, which is not a folder name of \
             its own; rename the file or give --out",
            file.display()
        ))
        .into());
    }
    Ok(PathBuf::from("output").join(stem))
}

pub fn compare(file: &Path, opts: Options, sets: &[String]) -> anyhow::Result<()> {
    let Options {
        out,
        force,
        threads,
        quiet,
        independent,
        max_memory,
    } = opts;
    // The output path is checked first (cheap), then everything else before the pool, the bar
    // or the output folder exist.
    let dir = match out {
        Some(d) => d,
        None => default_dir(file)?,
    };
    output::staging::check_target(&dir, force)?;
    super::run::wrong_kind(file, true)?;
    let plan = cocoon::compare::load(file, sets, independent)?;
    for arm in &plan.arms {
        super::budget::warn_absolute_budget(&arm.name, &arm.scenario.params, sets);
    }
    let threads = super::thread_count(threads)?;
    let arms: Vec<&cocoon::scenario::Scenario> = plan.arms.iter().map(|a| &a.scenario).collect();
    super::check_resources(&arms, threads, max_memory, true)?;
    let staging = output::Staging::begin(&dir, force)?;
    super::report_cleared(&staging);
    let pool = super::pool(Some(threads))?;
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
        command: super::command_line(),
    };
    bar.set_message("writing the report, charts and tables");
    let files = cocoon::compare::write(staging.path(), &comparison, &info)
        .with_context(|| format!("writing results to {}", dir.display()))?;
    staging
        .commit()
        .with_context(|| format!("writing results to {}", dir.display()))?;
    bar.finish_and_clear();
    if !quiet {
        crate::print_stderr(&format!(
            "{}: {}\nOpen {} first ({} files, listed in manifest.json). {arms} arms x \
             {replicates} replicate(s) x ({}{ticks} weeks) in {} on {} thread(s).\n",
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
        ));
    }
    Ok(())
}
