//! `cocoon merge DIR...`: the shards of one comparison (or of one sweep, see
//! [`super::sweep::merge`]), checked and assembled into its final
//! outputs, as one run on one machine would have written them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cocoon::compare::units;
use cocoon::distributed::{shard, sweep_shard};
use cocoon::error::Error;
use cocoon::output::{self, Distributed, RunInfo};

pub fn merge(
    dirs: &[PathBuf],
    out: Option<PathBuf>,
    force: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    // Every check comes before the output folder exists, so a refused merge writes nothing.
    if dirs.first().is_some_and(|d| sweep_shard::is_sweep_shard(d)) {
        let shards = dirs
            .iter()
            .map(|d| sweep_shard::read(d).map(|s| (d.clone(), s)))
            .collect::<cocoon::error::Result<Vec<_>>>()?;
        return super::sweep::merge(&shards, out, force, quiet);
    }
    let shards = dirs
        .iter()
        .map(|d| shard::read(d).map(|s| (d.clone(), s)))
        .collect::<cocoon::error::Result<Vec<_>>>()?;
    shard::check(&shards)?;
    let first = &shards[0].1;
    let file = PathBuf::from(&first.compare_file);
    let dir = match out {
        Some(d) => d,
        None => super::compare::default_dir(&file)?,
    };
    output::staging::check_target(&dir, force)?;
    let plan = cocoon::compare::load(&file, &first.sets, first.independent)?;
    let hash = shard::study_hash(&plan);
    if hash != first.study_hash {
        return Err(Error::Usage(format!(
            "{}: the comparison (or its base scenario, or this cocoon) changed since the shards \
             ran: its file hash is now {hash}, the shards' is {}; run the shards again",
            file.display(),
            first.study_hash
        ))
        .into());
    }
    let n = first.shards;
    let started = Instant::now();
    let results = shards.into_iter().flat_map(|(_, s)| s.results()).collect();
    let comparison = units::assemble(plan, results)?;
    let staging = output::Staging::begin(&dir, force)?;
    super::report_cleared(&staging);
    let info = RunInfo {
        threads: rayon::current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: super::command_line(),
        distributed: Some(Distributed::MergedShards(n)),
        resumed: None,
        burn_in_cache: None,
    };
    let what = format!("{} work unit(s)", units::units(&comparison.plan).len());
    super::compare::finish(
        Path::new(&file),
        &dir,
        staging,
        &comparison,
        &info,
        &what,
        quiet,
    )
}
