//! `cocoon sensitivity`: Morris screening or Sobol indices for a study's outcomes.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use cocoon::output::RunInfo;
use cocoon::study::{self, sensitivity::Method};

/// Which estimator to use.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MethodArg {
    /// Morris elementary effects (mu*, sigma): `points` trajectories of parameters + 1 runs.
    Morris,
    /// Sobol first-order and total indices: `points` base rows of parameters + 2 runs.
    Sobol,
}

pub fn sensitivity(
    file: &Path,
    method: MethodArg,
    out: Option<PathBuf>,
    threads: Option<usize>,
    quiet: bool,
) -> anyhow::Result<()> {
    let method = match method {
        MethodArg::Morris => Method::Morris,
        MethodArg::Sobol => Method::Sobol,
    };
    let study = study::load(file)?;
    let (points, trajectories) = study::sensitivity::design(&study, method)?;
    let pool = super::pool(threads)?;
    let dir = super::sweep::out_dir(file, out);
    let started = Instant::now();
    let results = super::sweep::run_points(&study, &points, &dir, &pool, quiet)?;
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: std::env::args().collect(),
        distributed: None,
    };
    let table = study::sensitivity::table(&study, method, &trajectories, &results);
    let csv = study::sweep::sweep_csv(&study, &points, &results);
    let write = || -> anyhow::Result<Vec<String>> {
        let charts = study::sensitivity::write_charts(
            &dir,
            &study,
            method,
            &trajectories,
            &points,
            &results,
        )?;
        Ok(study::out::write(
            &dir,
            &study,
            study::out::What {
                command: "sensitivity",
                design: method.name(),
                points: points.len(),
            },
            &[
                (format!("{}.csv", method.name()), table.clone().into_bytes()),
                ("sweep.csv".into(), csv.into_bytes()),
            ],
            &charts,
            &info,
        )?)
    };
    let files = write().with_context(|| format!("writing results to {}", dir.display()))?;
    if !quiet {
        eprint!("{table}");
        eprintln!(
            "{}: {} runs x {} replicate(s) in {:.2}s on {} thread(s); wrote {} files to {}",
            file.display(),
            points.len() * study.arms.len(),
            study.file.replicates,
            info.wall_seconds,
            info.threads,
            files.len(),
            dir.display()
        );
    }
    Ok(())
}
