//! `mpirun -n N cocoon compare FILE` (feature `mpi`): rank 0 checks, hands out work units and
//! writes; the other ranks run units on their own thread pools.

use std::path::Path;
use std::time::Instant;

use cocoon::compare::units;
use cocoon::distributed::mpi::Mpi;
use cocoon::error::Error;
use cocoon::output::{Distributed, RunInfo};

use super::compare::{prepare, Options, Prepared};

pub fn compare(mpi: &Mpi, file: &Path, opts: &Options, sets: &[String]) -> anyhow::Result<()> {
    if mpi.rank() != 0 {
        let plan = cocoon::compare::load(file, sets, opts.independent);
        let pool = super::pool(opts.threads);
        mpi.work(&|unit| {
            let plan = plan.as_ref().map_err(|e| Error::Model(e.to_string()))?;
            let pool = pool.as_ref().map_err(|e| Error::Model(e.to_string()))?;
            pool.install(|| units::run_unit(plan, unit, &|| {}))
        });
        return Ok(());
    }
    let prepared = if opts.posterior.is_some() {
        Err(Error::Usage(
            "--posterior is not supported under mpirun yet: run it in one process".into(),
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
    let results = mpi.coordinate(&all, &|| bar.inc(1));
    bar.finish_and_clear();
    // On a failure the staging folder is dropped unwritten: nothing reaches `dir`.
    let comparison = units::assemble(plan, results?)?;
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: super::command_line(),
        distributed: Some(Distributed::MpiRanks(mpi.size() as usize)),
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
