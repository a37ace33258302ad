//! `cocoon sweep`, and what the study commands share: the output folder (checked before any
//! work, written through a staging folder and swapped into place whole), the resume folder of
//! finished points beside it, and the progress bar.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use cocoon::distributed::shard::ShardSpec;
use cocoon::distributed::sweep_shard;
use cocoon::output::{self, RunInfo};
use cocoon::study;
use cocoon::study::units::{Done, Runner, StudyUnit};

/// Options shared by `sweep`, `sensitivity` and `calibrate`.
#[derive(clap::Args, Debug, Clone)]
pub struct StudyArgs {
    /// Study file (TOML): base, parameters, targets or outcomes, design, points, replicates,
    /// seed.
    pub file: PathBuf,
    /// Output folder (default: output/<study file name>/). It must not exist unless `--force`
    /// is given. Finished points wait beside it (`.NAME.cocoon-points/`), so an interrupted
    /// run resumes where it stopped.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output folder whole.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Where finished points of the study writing `dir` wait: `DIR/.NAME.cocoon-points`.
pub fn points_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.cocoon-points"))
}

/// Work units run elsewhere (on MPI ranks): the units, what to do with each result, and a
/// progress callback given each finished unit's replicate-ticks.
pub type Remote<'a> =
    dyn Fn(&[StudyUnit], &Done<'_>, &(dyn Fn(u64) + Sync)) -> cocoon::error::Result<()> + 'a;

/// A checked study with its output folder and worker pool, ready to run.
pub struct Prepared<'m> {
    pub study: study::Study,
    pub dir: PathBuf,
    pub pool: rayon::ThreadPool,
    pub quiet: bool,
    started: Instant,
    /// Under mpirun: who runs the work units, and the number of ranks.
    pub remote: Option<(&'m Remote<'m>, usize)>,
}

/// Checks the output folder, then the study (with its probe run), then starts the pool.
/// Nothing is written.
pub fn prepare(args: &StudyArgs) -> anyhow::Result<Prepared<'static>> {
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => super::compare::default_dir(&args.file)?,
    };
    output::staging::check_target(&dir, args.force)?;
    let note = points_dir(&dir).join(output::staging::NOTE_FILE);
    if let Ok(text) = std::fs::read_to_string(&note) {
        crate::print_stderr(&format!(
            "note: the interrupted run recorded: {}\n",
            text.trim()
        ));
        let _ = std::fs::remove_file(&note);
    }
    let study = study::load(&args.file)?;
    let pool = super::pool(args.threads)?;
    Ok(Prepared {
        study,
        dir,
        pool,
        quiet: args.quiet,
        started: Instant::now(),
        remote: None,
    })
}

/// Runs `command` on the checked study: in this process, or under `mpirun` (feature `mpi`) as
/// rank 0 with the other ranks running its work units (`refuse`: why this invocation cannot
/// run under mpirun, if it cannot).
pub fn on_ranks(
    args: &StudyArgs,
    refuse: Option<&str>,
    command: impl FnOnce(Prepared<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    #[cfg(feature = "mpi")]
    if let Some(mpi) = super::mpi::ranks()? {
        return super::mpi::ended(mpi, |mpi| super::mpi::study(mpi, args, refuse, command));
    }
    let _ = refuse;
    command(prepare(args)?)
}

impl Prepared<'_> {
    /// Calls `work` with a runner of work units: this process's pool, or the MPI ranks; `bar`
    /// counts replicate-ticks either way.
    pub fn run_on<T>(
        &self,
        bar: &indicatif::ProgressBar,
        work: impl FnOnce(&Runner<'_>) -> cocoon::error::Result<T> + Send,
    ) -> cocoon::error::Result<T>
    where
        T: Send,
    {
        let study = &self.study;
        match self.remote {
            None => self.pool.install(|| {
                work(&|all, done| study::units::run_here(study, all, &|| bar.inc(1), done))
            }),
            Some((remote, _)) => work(&|all, done| remote(all, done, &|n| bar.inc(n))),
        }
    }

    /// Runs `points` with one progress bar, resuming from (and saving to) the points folder.
    pub fn run_points(&self, points: &[study::Point]) -> anyhow::Result<Vec<study::PointResult>> {
        let saved = points_dir(&self.dir);
        let total = study::sweep::progress_total(&self.study, points, Some(&saved))?;
        let bar = super::run::progress_bar(total, self.quiet);
        let study = &self.study;
        let results = self.run_on(&bar, |runner| {
            study::sweep::run_with(
                study,
                points,
                None,
                Some(study::sweep::Saved::Points(&saved)),
                runner,
            )
        });
        bar.finish_and_clear();
        Ok(results?)
    }

    /// The run's facts for the manifest.
    pub fn info(&self) -> RunInfo {
        RunInfo {
            threads: self.pool.current_num_threads(),
            wall_seconds: self.started.elapsed().as_secs_f64(),
            command: super::command_line(),
            distributed: self
                .remote
                .map(|(_, ranks)| output::Distributed::MpiRanks(ranks)),
            resumed: None,
            burn_in_cache: None,
        }
    }

    /// Writes the results through a staging folder (`write` gets its path and returns the
    /// file names), swaps it into place, removes the points folder and reports.
    pub fn write(
        &self,
        force: bool,
        what: &str,
        write: impl FnOnce(&Path) -> cocoon::error::Result<Vec<String>>,
    ) -> anyhow::Result<()> {
        let context = || format!("writing results to {}", self.dir.display());
        let staging = output::Staging::begin(&self.dir, force).with_context(context)?;
        super::report_cleared(&staging);
        let files = write(staging.path()).with_context(context)?;
        staging.commit().with_context(context)?;
        let saved = points_dir(&self.dir);
        if saved.exists() {
            std::fs::remove_dir_all(&saved)
                .with_context(|| format!("removing {}", saved.display()))?;
        }
        if !self.quiet {
            let info = self.info();
            crate::print_stderr(&format!(
                "{}: {what} in {:.2}s on {} thread(s){}; wrote {} files to {}\n",
                self.study.file.path.display(),
                info.wall_seconds,
                info.threads,
                match info.distributed {
                    Some(output::Distributed::MpiRanks(n)) => format!(" per rank, {n} MPI ranks"),
                    _ => String::new(),
                },
                files.len(),
                self.dir.display()
            ));
        }
        Ok(())
    }
}

pub fn sweep(args: &StudyArgs, shard: Option<ShardSpec>) -> anyhow::Result<()> {
    let refuse = shard.map(|_| {
        "--shard is for job arrays without MPI; under mpirun, rank 0 hands out every work unit \
         itself"
    });
    on_ranks(args, refuse, |p| {
        let points = study::design_points(&p.study)?;
        if let Some(spec) = shard {
            return sweep_shard(args, &p, &points, spec);
        }
        let results = p.run_points(&points)?;
        let info = p.info();
        write_sweep(&p, args.force, &points, &results, &info)
    })
}

/// Writes `sweep.csv` and the manifest for `results` (one per point, in point order).
pub fn write_sweep(
    p: &Prepared,
    force: bool,
    points: &[study::Point],
    results: &[study::sweep::PointResult],
    info: &RunInfo,
) -> anyhow::Result<()> {
    let csv = study::sweep::sweep_csv(&p.study, points, results);
    let what = format!(
        "{} points x {} arm(s) x {} replicate(s)",
        points.len(),
        p.study.arms.len(),
        p.study.file.replicates
    );
    p.write(force, &what, |dir| {
        study::out::write(
            dir,
            &p.study,
            study::out::What {
                command: "sweep",
                design: &p.study.file.design,
                points: points.len(),
            },
            &[("sweep.csv".into(), csv.into_bytes())],
            &[],
            info,
        )
    })
}

/// `sweep --shard K/N`: runs this shard's share of the points and writes their values, with a
/// manifest naming the sweep, for `cocoon merge`.
fn sweep_shard(
    args: &StudyArgs,
    p: &Prepared,
    points: &[study::Point],
    spec: ShardSpec,
) -> anyhow::Result<()> {
    let mine = sweep_shard::share(points.len(), spec);
    let subset: Vec<study::Point> = mine.iter().map(|&i| points[i].clone()).collect();
    let results = p.run_points(&subset)?;
    let file = sweep_shard::SweepShardFile {
        format: "cocoon-sweep-shard".into(),
        format_version: sweep_shard::FORMAT_VERSION,
        study_hash: study::sweep::study_hash(&p.study, points)?,
        study_file: args.file.display().to_string(),
        seed: p.study.file.seed,
        shard: spec.k,
        shards: spec.n,
        points_total: points.len(),
        points: sweep_shard::pack(&mine, &results),
    };
    let info = p.info();
    p.write(
        args.force,
        &format!("shard {spec}, {} of {} points", mine.len(), points.len()),
        |dir| sweep_shard::write(dir, &file, &info),
    )
}

/// `cocoon merge` of sweep shards: checks them, loads the study again (from the path the
/// shards were given), checks its hash, and writes the single run's outputs.
pub fn merge(
    shards: &[(PathBuf, sweep_shard::SweepShardFile)],
    out: Option<PathBuf>,
    force: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let results = sweep_shard::assemble(shards)?;
    let first = &shards[0].1;
    let args = StudyArgs {
        file: PathBuf::from(&first.study_file),
        out,
        force,
        threads: Some(1),
        quiet,
    };
    let p = prepare(&args)?;
    let points = study::design_points(&p.study)?;
    let hash = study::sweep::study_hash(&p.study, &points)?;
    if hash != first.study_hash || points.len() != first.points_total {
        return Err(cocoon::error::Error::Usage(format!(
            "{}: the study (or its base, or this cocoon) changed since the shards ran: its hash \
             is now {hash}, the shards' is {}; run the shards again",
            first.study_file, first.study_hash
        ))
        .into());
    }
    let mut info = p.info();
    info.distributed = Some(output::Distributed::MergedShards(first.shards));
    write_sweep(&p, force, &points, &results, &info)
}
