//! `cocoon compare`: load and check every arm, run them, write the comparison.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use cocoon::compare::units;
use cocoon::distributed::shard::{self, ShardSpec};
use cocoon::output::{self, RunInfo};
use rayon::prelude::*;

/// `cocoon compare` options besides the file and the overrides.
pub struct Options {
    pub out: Option<PathBuf>,
    pub force: bool,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub independent: bool,
    pub max_memory: Option<u64>,
    /// `--shard K/N`: compute only this share of the work units.
    pub shard: Option<ShardSpec>,
    /// `--posterior`: replicate r of every arm runs with the r-th posterior draw.
    pub posterior: Option<PathBuf>,
    /// `--checkpoint-every WEEKS`.
    pub checkpoint_every: Option<u32>,
    /// Continuing this interrupted comparison (`cocoon resume`).
    pub resume: Option<cocoon::checkpoint::ResumeSpec>,
    /// `--burn-in-cache DIR`.
    pub burn_in_cache: Option<PathBuf>,
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

/// Everything checked and opened before any work unit runs.
pub struct Prepared {
    pub dir: PathBuf,
    pub plan: cocoon::compare::Plan,
    pub staging: output::Staging,
    pub pool: rayon::ThreadPool,
    /// The parameter uncertainty (`--posterior` or the file's `[uncertainty]`), checked
    /// against the plan.
    pub posterior: Option<cocoon::compare::uncertainty::Uncertainty>,
    /// Where checkpoints go (`--checkpoint-every`, or a resumed comparison).
    pub checkpoints: Option<cocoon::checkpoint::Checkpoints>,
}

/// Checks the output path (cheap) first, then the comparison, threads and memory, before the
/// pool or the output folder exist.
pub fn prepare(file: &Path, opts: &Options, sets: &[String]) -> anyhow::Result<Prepared> {
    let dir = match &opts.out {
        Some(d) => d.clone(),
        None => default_dir(file)?,
    };
    output::staging::check_target(&dir, opts.force)?;
    super::run::wrong_kind(file, true)?;
    let plan = cocoon::compare::load(file, sets, opts.independent)?;
    if opts.posterior.is_some() && opts.shard.is_some() {
        anyhow::bail!(cocoon::error::Error::Usage(
            "--posterior cannot be combined with --shard yet: run the comparison in one process (or over MPI without --posterior)".into()
        ));
    }
    let posterior = uncertainty(file, opts.posterior.as_deref())?;
    if let Some(u) = &posterior {
        let elsewhere =
            opts.shard.is_some() || opts.checkpoint_every.is_some() || opts.resume.is_some();
        if opts.posterior.is_none() && elsewhere {
            anyhow::bail!(cocoon::error::Error::Usage(format!(
                "{}: a comparison with an [uncertainty] table cannot be combined with --shard or \
                 checkpoints yet: run it in one process",
                file.display()
            )));
        }
        cocoon::compare::uncertainty::check(&plan, u)?;
    }
    for arm in &plan.arms {
        super::budget::warn_absolute_budget(&arm.name, &arm.scenario.params, sets);
    }
    // What `--set` dropped from the base file is the same in every arm: say it once.
    let mut notes: Vec<&String> = plan.arms.iter().flat_map(|a| &a.scenario.notes).collect();
    notes.sort();
    notes.dedup();
    for note in notes {
        crate::print_stderr(&format!("note: {note}\n"));
    }
    let threads = super::thread_count(opts.threads)?;
    let arms: Vec<&cocoon::scenario::Scenario> = plan.arms.iter().map(|a| &a.scenario).collect();
    super::check_resources(&arms, threads, opts.max_memory, true)?;
    let (staging, checkpoints) = stage(file, opts, sets, &dir, &plan)?;
    let pool = super::pool(Some(threads))?;
    Ok(Prepared {
        dir,
        plan,
        staging,
        pool,
        posterior,
        checkpoints,
    })
}

/// The parameter uncertainty of a comparison: `--posterior`, or the file's `[uncertainty]`
/// table (giving both is an error: one would silently replace the other).
pub fn uncertainty(
    file: &Path,
    posterior: Option<&Path>,
) -> anyhow::Result<Option<cocoon::compare::uncertainty::Uncertainty>> {
    use cocoon::compare::uncertainty::{load, read, Uncertainty};
    Ok(match (posterior, read(file)?) {
        (Some(_), Some(_)) => anyhow::bail!(cocoon::error::Error::Usage(format!(
            "{} has an [uncertainty] table and --posterior was given too: use one of them",
            file.display()
        ))),
        (Some(path), None) => Some(Uncertainty::from_posterior(load(path)?)),
        (None, table) => table,
    })
}

/// Opens the output's staging folder: a fresh one, the resumable one of a checkpointed
/// comparison (with its resume spec written), or the interrupted one being resumed.
fn stage(
    file: &Path,
    opts: &Options,
    sets: &[String],
    dir: &Path,
    plan: &cocoon::compare::Plan,
) -> anyhow::Result<(output::Staging, Option<cocoon::checkpoint::Checkpoints>)> {
    let study = || shard::study_hash(plan);
    if let Some(spec) = &opts.resume {
        let (staging, ck) = super::resume::reopen(spec, dir, &study())?;
        return Ok((staging, Some(ck)));
    }
    let Some(every) = opts.checkpoint_every else {
        let staging = output::Staging::begin(dir, opts.force)?;
        super::report_cleared(&staging);
        return Ok((staging, None));
    };
    if opts.shard.is_some() || opts.posterior.is_some() {
        anyhow::bail!(cocoon::error::Error::Usage(
            "--checkpoint-every cannot be combined with --shard or --posterior yet: a shard is \
             one job-array task (rerun it if it fails)"
                .into()
        ));
    }
    cocoon::checkpoint::supported(plan.model())?;
    let mut staging = output::Staging::begin_resumable(dir, opts.force)?;
    super::report_cleared(&staging);
    let spec = cocoon::checkpoint::ResumeSpec {
        format: "cocoon-resume".into(),
        format_version: cocoon::checkpoint::codec::FORMAT_VERSION,
        version: cocoon::checkpoint::codec::cocoon_version(),
        command: "compare".into(),
        cwd: std::env::current_dir().context("the current folder")?,
        file: file.to_path_buf(),
        sets: sets.to_vec(),
        seed: None,
        independent: opts.independent,
        out: dir.to_path_buf(),
        force: opts.force,
        every,
        study: study(),
        command_line: super::command_line(),
    };
    let ck = super::resume::start(&mut staging, &spec)?;
    Ok((staging, Some(ck)))
}

/// Continues the interrupted comparison of `spec` (see `cocoon resume`).
pub fn resume(
    spec: &cocoon::checkpoint::ResumeSpec,
    dir: &Path,
    threads: Option<usize>,
    quiet: bool,
) -> anyhow::Result<()> {
    let opts = Options {
        out: Some(dir.to_path_buf()),
        force: spec.force,
        threads,
        quiet,
        independent: spec.independent,
        max_memory: None,
        shard: None,
        posterior: None,
        checkpoint_every: Some(spec.every),
        burn_in_cache: None,
        resume: Some(spec.clone()),
    };
    compare(&spec.file, opts, &spec.sets)
}

pub fn compare(file: &Path, opts: Options, sets: &[String]) -> anyhow::Result<()> {
    if opts.burn_in_cache.is_some() && (opts.shard.is_some() || opts.checkpoint_every.is_some()) {
        anyhow::bail!(cocoon::error::Error::Usage(
            "--burn-in-cache cannot be combined with --shard or --checkpoint-every yet: run the \
             comparison in one process without checkpoints"
                .into()
        ));
    }
    #[cfg(feature = "mpi")]
    if let Some(mpi) = super::mpi::ranks()? {
        if opts.burn_in_cache.is_some() {
            anyhow::bail!(cocoon::error::Error::Usage(
                "--burn-in-cache cannot be combined with MPI yet: run the comparison in one \
                 process"
                    .into()
            ));
        }
        return super::mpi::ended(mpi, |mpi| super::mpi::compare(mpi, file, &opts, sets));
    }
    // A bad cache folder is found before the output folder is staged.
    let cache = match &opts.burn_in_cache {
        Some(dir) => Some(cocoon::models::withdrawal::burn_in_cache::BurnInCache::open(dir)?),
        None => None,
    };
    let prepared = prepare(file, &opts, sets)?;
    if let Some(c) = &cache {
        cocoon::run::cache_supported(prepared.plan.model())?;
        if prepared.posterior.is_some() {
            anyhow::bail!(cocoon::error::Error::Usage(format!(
                "--burn-in-cache {}: cannot be combined with --posterior or an [uncertainty] \
                 table yet (each replicate has its own parameters)",
                c.dir().display()
            )));
        }
    }
    if let Some(spec) = opts.shard {
        return shard(file, &opts, sets, spec, prepared);
    }
    let Prepared {
        dir,
        plan,
        staging,
        pool,
        posterior,
        checkpoints,
    } = prepared;
    let (arms, replicates, ticks) = (plan.arms.len(), plan.replicates(), plan.ticks());
    let burn_in = cocoon::run::burn_in_ticks(&plan.arms[plan.baseline].scenario);
    let started = Instant::now();
    let bar = super::progress::bar(cocoon::compare::progress_total(&plan), opts.quiet);
    bar.set_message(super::progress::simulating(
        arms, replicates, burn_in, ticks,
    ));
    let comparison = pool.install(|| match (&posterior, &checkpoints) {
        (Some(post), _) => cocoon::compare::uncertainty::execute(plan, post, &|| bar.inc(1)),
        (None, Some(ck)) => units::execute_checkpointed(plan, &|| bar.inc(1), ck),
        (None, None) => units::execute_cached(plan, &|| bar.inc(1), cache.as_ref()),
    })?;
    bar.set_message("writing the report, charts and tables");
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: match &opts.resume {
            Some(spec) => spec.command_line.clone(),
            None => super::command_line(),
        },
        distributed: None,
        resumed: checkpoints.as_ref().and_then(|ck| ck.resumed()),
        burn_in_cache: cache.as_ref().map(|c| c.report()),
    };
    let what = format!(
        "{arms} arms x {replicates} replicate(s) x ({}{ticks} weeks)",
        if burn_in > 0 {
            format!("{burn_in}-week burn-in + ")
        } else {
            String::new()
        }
    );
    let done = finish(file, &dir, staging, &comparison, &info, &what, opts.quiet);
    bar.finish_and_clear();
    if let (Ok(()), Some(ck), false) = (&done, &checkpoints, opts.quiet) {
        crate::print_stderr(&super::resume::describe(ck));
    }
    done
}

/// Writes the comparison into the staging folder, commits it and says what was written.
pub fn finish(
    file: &Path,
    dir: &Path,
    staging: output::Staging,
    comparison: &cocoon::compare::Comparison,
    info: &RunInfo,
    what: &str,
    quiet: bool,
) -> anyhow::Result<()> {
    let files = cocoon::compare::write(staging.path(), comparison, info)
        .with_context(|| format!("writing results to {}", dir.display()))?;
    staging
        .commit()
        .with_context(|| format!("writing results to {}", dir.display()))?;
    if !quiet {
        crate::print_stderr(&format!(
            "{}: {}\nOpen {} first ({} files, listed in manifest.json). {what} in {} on {} \
             thread(s){}.\n",
            file.display(),
            cocoon::compare::report::headline_sentence(comparison),
            dir.join("report.html").display(),
            files.len(),
            super::progress::duration(info.wall_seconds),
            info.threads,
            match info.distributed {
                Some(output::Distributed::MpiRanks(n)) => format!(" per rank, {n} MPI ranks"),
                Some(output::Distributed::MergedShards(n)) => format!(", merged from {n} shards"),
                None => String::new(),
            },
        ));
    }
    Ok(())
}

/// `compare --shard K/N`: runs this shard's share of the work units and writes them, with a
/// manifest naming the study, for `cocoon merge`.
fn shard(
    file: &Path,
    opts: &Options,
    sets: &[String],
    spec: ShardSpec,
    prepared: Prepared,
) -> anyhow::Result<()> {
    let Prepared {
        dir,
        plan,
        staging,
        pool,
        ..
    } = prepared;
    let groups = units::groups(&plan);
    let mine = shard::share(&units::units(&plan), spec);
    let total: u64 = mine
        .iter()
        .map(|u| groups[u.group].len() as u64 * plan.ticks() as u64)
        .sum();
    let bar = super::run::progress_bar(total, opts.quiet);
    let started = Instant::now();
    let results = pool.install(|| {
        mine.par_iter()
            .map(|&u| units::run_unit(&plan, u, &|| bar.inc(1)))
            .collect::<cocoon::error::Result<Vec<_>>>()
    })?;
    bar.finish_and_clear();
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: super::command_line(),
        distributed: None,
        resumed: None,
        burn_in_cache: None,
    };
    let compare_file = file.display().to_string();
    let of = shard::ShardOf {
        plan: &plan,
        compare_file: &compare_file,
        sets,
        independent: opts.independent,
    };
    let files = shard::write(staging.path(), &of, spec, &results, &info)
        .with_context(|| format!("writing shard to {}", dir.display()))?;
    staging
        .commit()
        .with_context(|| format!("writing shard to {}", dir.display()))?;
    if !opts.quiet {
        crate::print_stderr(&format!(
            "{}: shard {spec}, {} of {} work unit(s) in {:.2}s on {} thread(s); wrote {} to {}\n",
            file.display(),
            mine.len(),
            units::units(&plan).len(),
            info.wall_seconds,
            info.threads,
            files.join(", "),
            dir.display()
        ));
    }
    Ok(())
}
