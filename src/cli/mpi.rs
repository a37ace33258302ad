//! `mpirun -n N cocoon compare FILE` (and `sweep`, `sensitivity`, `calibrate`; feature `mpi`):
//! rank 0 checks, hands out work units and writes; the other ranks run units on their own
//! thread pools.

use std::path::Path;
use std::time::Instant;

use cocoon::compare::units;
use cocoon::distributed::mpi::{stopping, Mpi};
use cocoon::distributed::wire;
use cocoon::error::Error;
use cocoon::output::staging::NOTE_FILE;
use cocoon::output::{Distributed, RunInfo};
use cocoon::study::units::{Done, StudyUnit};

use super::compare::{prepare, Options, Prepared};
use super::sweep::StudyArgs;

/// MPI, if this process is one of several ranks (under `mpirun -n N`, N > 1); alone, the
/// command runs as an ordinary single process.
pub fn ranks() -> anyhow::Result<Option<Mpi>> {
    let mpi = Mpi::init()?;
    Ok((mpi.size() > 1).then_some(mpi))
}

/// Set once rank 0 has printed why `mpirun` is stopping the job.
static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// If `mpirun` is tearing the job down (a rank died), prints `e` at once: its SIGKILL follows
/// the SIGTERM within a second, so rank 0 reports before it cleans up. (If the SIGKILL still
/// comes first, the record of the units in flight stays in the leftover folder and the next
/// run onto the same output reports it.)
fn report_now(e: &impl std::fmt::Display) {
    if stopping() && !REPORTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        crate::print_stderr(&format!("error: {e}\n"));
    }
}

/// Runs `command` on the ranks. If `mpirun` is tearing the job down, the error is reported at
/// once and MPI is not finalised (finalising would wait for the dead rank).
pub fn ended(mpi: Mpi, command: impl FnOnce(&Mpi) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let done = command(&mpi);
    if let (Err(e), true) = (&done, stopping()) {
        report_now(&format!("{e:#}"));
        std::mem::forget(mpi);
        std::process::exit(1);
    }
    done
}

/// A study command (`sweep`, `sensitivity`, `calibrate`) on the ranks: rank 0 checks the study
/// and runs `command`, whose work units go to the other ranks, which load the study file
/// themselves and run each unit they are sent.
pub fn study(
    mpi: &Mpi,
    args: &StudyArgs,
    refuse: Option<&str>,
    command: impl FnOnce(super::sweep::Prepared<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if mpi.rank() != 0 {
        let study = cocoon::study::load(&args.file);
        let pool = super::pool(args.threads);
        mpi.work(&|bytes| {
            let study = study.as_ref().map_err(|e| Error::Model(e.to_string()))?;
            let pool = pool.as_ref().map_err(|e| Error::Model(e.to_string()))?;
            pool.install(|| cocoon::study::units::run_encoded(study, bytes))
        });
        return Ok(());
    }
    let prepared = match refuse {
        Some(why) => Err(Error::Usage(why.into()).into()),
        None => super::sweep::prepare(args),
    };
    let mut p = match prepared {
        Ok(p) => p,
        Err(e) => {
            mpi.stop_workers();
            return Err(e);
        }
    };
    let saved = super::sweep::points_dir(&p.dir);
    if let Err(e) = cocoon::output::atomic::create_dir(&saved) {
        mpi.stop_workers();
        return Err(e.into());
    }
    mpi.record_in(saved.join(NOTE_FILE));
    let remote = |all: &[StudyUnit],
                  done: &Done<'_>,
                  ticks: &(dyn Fn(u64) + Sync)|
     -> cocoon::error::Result<()> {
        let bytes: Vec<Vec<u8>> = all.iter().map(cocoon::study::units::encode).collect();
        let round = mpi.hand_out(&bytes, &|i| all[i].name(), &mut |i, b, rank| {
            let series = wire::decode_series(b, &format!("rank {rank}"))?;
            ticks(all[i].ticks);
            done(&all[i], series)
        });
        if let Err(e) = &round {
            report_now(e);
        }
        round
    };
    p.remote = Some((&remote, mpi.size() as usize));
    let outcome = command(p);
    if !stopping() {
        mpi.stop_workers();
    }
    outcome
}

pub fn compare(mpi: &Mpi, file: &Path, opts: &Options, sets: &[String]) -> anyhow::Result<()> {
    if mpi.rank() != 0 {
        let plan = cocoon::compare::load(file, sets, opts.independent);
        let pool = super::pool(opts.threads);
        mpi.work(&|bytes| {
            let plan = plan.as_ref().map_err(|e| Error::Model(e.to_string()))?;
            let pool = pool.as_ref().map_err(|e| Error::Model(e.to_string()))?;
            let unit = wire::decode_unit(bytes)?;
            pool.install(|| units::run_unit(plan, unit, &|| {}))
                .map(|r| wire::encode(&r))
        });
        return Ok(());
    }
    let prepared = if opts.posterior.is_some() {
        Err(Error::Usage(
            "--posterior is not supported under mpirun yet: run it in one process".into(),
        )
        .into())
    } else if super::compare::uncertainty(file, None).is_ok_and(|u| u.is_some()) {
        Err(Error::Usage(
            "a comparison with an [uncertainty] table is not supported under mpirun yet: run it \
             in one process"
                .into(),
        )
        .into())
    } else if opts.checkpoint_every.is_some() {
        Err(Error::Usage(
            "--checkpoint-every is not supported under mpirun yet: each work unit is short; \
             rerun the job if a rank fails"
                .into(),
        )
        .into())
    } else if opts.shard.is_some() {
        Err(Error::Usage(
            "--shard is for job arrays without MPI; under mpirun, rank 0 hands out every work \
             unit itself"
                .into(),
        )
        .into())
    } else {
        prepare(file, opts, sets)
    };
    let Prepared {
        dir,
        plan,
        staging,
        pool,
        ..
    } = match prepared {
        Ok(p) => p,
        Err(e) => {
            mpi.stop_workers();
            return Err(e);
        }
    };
    let all = units::units(&plan);
    let bar = super::run::progress_bar(all.len() as u64, opts.quiet);
    let started = Instant::now();
    mpi.record_in(staging.path().join(NOTE_FILE));
    let results = mpi.coordinate(&all, &|| bar.inc(1));
    bar.finish_and_clear();
    if let Err(e) = &results {
        report_now(e);
    }
    // On a failure the staging folder is dropped unwritten: nothing reaches `dir`.
    let comparison = units::assemble(plan, results?)?;
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: super::command_line(),
        distributed: Some(Distributed::MpiRanks(mpi.size() as usize)),
        resumed: None,
        burn_in_cache: None,
    };
    let what = format!(
        "{} arms x {} replicate(s) x {} ticks, {} work unit(s)",
        comparison.plan.arms.len(),
        comparison.plan.replicates(),
        comparison.plan.ticks(),
        all.len()
    );
    super::compare::finish(file, &dir, staging, &comparison, &info, &what, opts.quiet)
}
