//! `cocoon sweep`: run a study's design and write `sweep.csv` and the manifest. An
//! interrupted sweep resumes from the points staged in the output folder.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use cocoon::output::RunInfo;
use cocoon::study;

/// The output folder: `--out`, or `output/<study file stem>/`.
pub fn out_dir(file: &Path, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "study".into());
        PathBuf::from("output").join(stem)
    })
}

/// Runs `points` of `study` with a progress bar, staging finished points in `dir`.
pub fn run_points(
    study: &study::Study,
    points: &[study::Point],
    dir: &Path,
    pool: &rayon::ThreadPool,
    quiet: bool,
) -> anyhow::Result<Vec<study::PointResult>> {
    let staging = study::out::staging_dir(dir);
    let total = study::sweep::progress_total(study, points, Some(&staging))?;
    let bar = super::run::progress_bar(total, quiet);
    let results = pool.install(|| study::sweep::run(study, points, Some(&staging), &|| bar.inc(1)));
    bar.finish_and_clear();
    Ok(results?)
}

pub fn sweep(
    file: &Path,
    out: Option<PathBuf>,
    threads: Option<usize>,
    quiet: bool,
) -> anyhow::Result<()> {
    // Everything is checked (including a probe run) before the output folder exists.
    let study = study::load(file)?;
    let pool = super::pool(threads)?;
    let points = study::design_points(&study)?;
    let dir = out_dir(file, out);
    let started = Instant::now();
    let results = run_points(&study, &points, &dir, &pool, quiet)?;
    let info = RunInfo {
        threads: pool.current_num_threads(),
        wall_seconds: started.elapsed().as_secs_f64(),
        command: std::env::args().collect(),
        distributed: None,
    };
    let csv = study::sweep::sweep_csv(&study, &points, &results);
    let files = study::out::write(
        &dir,
        &study,
        study::out::What {
            command: "sweep",
            design: &study.file.design,
            points: points.len(),
        },
        &[("sweep.csv".into(), csv.into_bytes())],
        &[],
        &info,
    )
    .with_context(|| format!("writing results to {}", dir.display()))?;
    if !quiet {
        eprintln!(
            "{}: {} points x {} arm(s) x {} replicate(s) in {:.2}s on {} thread(s); wrote {} to {}",
            file.display(),
            points.len(),
            study.arms.len(),
            study.file.replicates,
            info.wall_seconds,
            info.threads,
            files.join(", "),
            dir.display()
        );
    }
    Ok(())
}
