//! `cocoon calibrate`: ABC-SMC fit of a study's parameters to its targets.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use cocoon::output::RunInfo;
use cocoon::study::{self, calibrate};

pub fn calibrate(
    file: &Path,
    out: Option<PathBuf>,
    threads: Option<usize>,
    quiet: bool,
) -> anyhow::Result<()> {
    let study = study::load(file)?;
    let pool = super::pool(threads)?;
    let dir = super::sweep::out_dir(file, out);
    let bar = super::run::progress_bar(calibrate::progress_estimate(&study), quiet);
    let started = Instant::now();
    let outcome = pool.install(|| calibrate::run(&study, &|| bar.inc(1)));
    bar.finish_and_clear();
    let outcome = outcome?;
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: std::env::args().collect(),
    };
    let summary = calibrate::summary_csv(&study, &outcome);
    let history = calibrate::history_csv(&outcome);
    let simulated: usize = outcome.history.iter().map(|g| g.simulated).sum();
    let write = || -> anyhow::Result<Vec<String>> {
        let charts = calibrate::write_charts(&dir, &study, &outcome)?;
        Ok(study::out::write(
            &dir,
            &study,
            study::out::What {
                command: "calibrate",
                design: "abc-smc",
                points: simulated,
            },
            &[
                (
                    "posterior.csv".into(),
                    calibrate::posterior_csv(&study, &outcome.posterior).into_bytes(),
                ),
                ("posterior_summary.csv".into(), summary.clone().into_bytes()),
                ("history.csv".into(), history.clone().into_bytes()),
            ],
            &charts,
            &info,
        )?)
    };
    let files = write().with_context(|| format!("writing results to {}", dir.display()))?;
    if !quiet {
        eprint!("{history}{summary}");
        eprintln!(
            "{}: {simulated} simulations in {:.2}s on {} thread(s); wrote {} files to {}",
            file.display(),
            info.wall_seconds,
            info.threads,
            files.len(),
            dir.display()
        );
    }
    Ok(())
}
