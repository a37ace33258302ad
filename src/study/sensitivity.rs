//! `cocoon sensitivity`: which parameters move each outcome. The method chooses the design
//! (Morris trajectories, or Saltelli's matrices on a scrambled Sobol base), the sweep runner
//! evaluates it, and the estimators ([`super::morris`], [`super::sobol_indices`]) turn the
//! replicate-averaged outcome of each point into indices with bootstrap intervals.
//!
//! Outputs: `morris.csv` or `sobol.csv` (one row per outcome and parameter), and per outcome
//! a mu*-sigma plot (Morris) or first-order and total bars (Sobol), plus a tornado ranking: the
//! change in the outcome's mean from the lowest to the highest quarter of each parameter's
//! sampled values, sorted by size (drawn as bars, largest first).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::design::{self, Trajectory};
use super::plan::Study;
use super::sweep::{Point, PointResult};
use super::{morris, sobol_indices, to_points};
use crate::error::{Error, Result};
use crate::output::charts::{self, ChartSpec};
use crate::output::fmt_f64;

/// A sensitivity method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Morris elementary effects: `points` trajectories of `d + 1` runs.
    Morris,
    /// Sobol indices: `points` base rows, `points (d + 2)` runs.
    Sobol,
}

impl Method {
    /// Its name in file names and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
}

/// The design of a method, on the parameters' scales, with the Morris trajectories.
pub fn design(study: &Study, method: Method) -> Result<(Vec<Point>, Vec<Trajectory>)> {
    let d = study.parameters().len();
    let f = &study.file;
    if d == 0 || study.outcomes.is_empty() {
        return Err(Error::Scenario {
            location: crate::error::Location::WholeFile(f.path.clone()),
            message: "a sensitivity analysis needs at least one [[parameter]] and one [[outcome]]"
                .into(),
        });
    }
    Ok(match method {
        Method::Morris => {
            let t = design::morris(f.points, d, f.levels, f.seed);
            let unit: Vec<Vec<f64>> = t.iter().flat_map(|t| t.points.clone()).collect();
            (to_points(study, &unit), t)
        }
        Method::Sobol => (
            to_points(study, &design::saltelli(f.points, d, f.seed)?),
            Vec::new(),
        ),
    })
}

/// Replicate means of outcome `q` at every point.
fn means(results: &[PointResult], q: usize) -> Vec<f64> {
    results.iter().map(|r| r.mean(q)).collect()
}

/// The analysis table (`morris.csv` or `sobol.csv`).
pub fn table(
    study: &Study,
    method: Method,
    trajectories: &[Trajectory],
    results: &[PointResult],
) -> String {
    let d = study.parameters().len();
    let seed = study.file.seed;
    let mut out = String::new();
    match method {
        Method::Morris => {
            out.push_str("outcome,parameter,mu,mu_star,mu_star_lo,mu_star_hi,sigma\n");
            let delta = design::morris_delta(study.file.levels);
            for (q, o) in study.outcomes.iter().enumerate() {
                let ee = morris::elementary_effects(trajectories, delta, &means(results, q));
                for (p, e) in study.parameters().iter().zip(morris::analyse(&ee, seed)) {
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{},{},{}",
                        o.name,
                        p.key,
                        fmt_f64(e.mu),
                        fmt_f64(e.mu_star),
                        fmt_f64(e.mu_star_ci.0),
                        fmt_f64(e.mu_star_ci.1),
                        fmt_f64(e.sigma)
                    );
                }
            }
        }
        Method::Sobol => {
            out.push_str("outcome,parameter,first,first_lo,first_hi,total,total_lo,total_hi\n");
            for (q, o) in study.outcomes.iter().enumerate() {
                let ix = sobol_indices::analyse(&means(results, q), d, seed);
                for (p, s) in study.parameters().iter().zip(ix) {
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{},{},{},{}",
                        o.name,
                        p.key,
                        fmt_f64(s.first),
                        fmt_f64(s.first_ci.0),
                        fmt_f64(s.first_ci.1),
                        fmt_f64(s.total),
                        fmt_f64(s.total_ci.0),
                        fmt_f64(s.total_ci.1)
                    );
                }
            }
        }
    }
    out
}

/// Tornado bars for outcome `q`: per parameter, the mean outcome over the points in the top
/// quarter of its values minus that over the bottom quarter, sorted by size.
pub fn tornado(
    study: &Study,
    points: &[Point],
    results: &[PointResult],
    q: usize,
) -> Vec<(String, f64)> {
    let y = means(results, q);
    let quarter = (points.len() / 4).max(1);
    let mut bars: Vec<(String, f64)> = study
        .parameters()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let mut order: Vec<usize> = (0..points.len()).collect();
            order.sort_by(|&a, &b| points[a][j].total_cmp(&points[b][j]).then(a.cmp(&b)));
            let mean = |idx: &[usize]| idx.iter().map(|&i| y[i]).sum::<f64>() / idx.len() as f64;
            let swing = mean(&order[order.len() - quarter..]) - mean(&order[..quarter]);
            (p.key.clone(), swing)
        })
        .collect();
    bars.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    bars
}

/// Draws every chart into `dir/charts/`; returns the files written.
pub fn write_charts(
    dir: &Path,
    study: &Study,
    method: Method,
    trajectories: &[Trajectory],
    points: &[Point],
    results: &[PointResult],
) -> Result<Vec<PathBuf>> {
    let charts_dir = dir.join("charts");
    let d = study.parameters().len();
    let seed = study.file.seed;
    let mut files = Vec::new();
    for (q, o) in study.outcomes.iter().enumerate() {
        match method {
            Method::Morris => {
                let ee = morris::elementary_effects(
                    trajectories,
                    design::morris_delta(study.file.levels),
                    &means(results, q),
                );
                let pts: Vec<charts::PlanePoint> = study
                    .parameters()
                    .iter()
                    .zip(morris::analyse(&ee, seed))
                    .enumerate()
                    .map(|(k, (p, e))| charts::PlanePoint {
                        label: p.key.clone(),
                        x: (e.mu_star, e.mu_star_ci.0, e.mu_star_ci.1),
                        y: (e.sigma, e.sigma, e.sigma),
                        colour: k,
                    })
                    .collect();
                let spec = ChartSpec::new(
                    format!("Morris screening: {}", o.name),
                    "mu* (mean absolute elementary effect, per unit of the parameter's quantile scale)",
                    "sigma (interactions, non-linearity)",
                )
                .x_from_zero(true)
                .subtitle(format!("{} trajectories, {} levels", trajectories.len(), study.file.levels));
                files.extend(charts::scatter_chart(
                    &charts_dir.join(format!("morris_{}", o.name)),
                    &spec,
                    &pts,
                )?);
            }
            Method::Sobol => {
                let ix = sobol_indices::analyse(&means(results, q), d, seed);
                let mut bars = Vec::new();
                for (p, s) in study.parameters().iter().zip(ix) {
                    let k = bars.len();
                    bars.push(charts::Bar {
                        label: format!("{} S1", p.key),
                        value: s.first,
                        lo: s.first_ci.0,
                        hi: s.first_ci.1,
                        colour: k,
                    });
                    bars.push(charts::Bar {
                        label: format!("{} ST", p.key),
                        value: s.total,
                        lo: s.total_ci.0,
                        hi: s.total_ci.1,
                        colour: k + 1,
                    });
                }
                let spec = ChartSpec::new(
                    format!("Sobol indices: {}", o.name),
                    "parameter: first-order (S1) and total (ST) index",
                    "share of the outcome's variance",
                )
                .subtitle(format!(
                    "{} base rows; whiskers: 95% bootstrap intervals",
                    study.file.points
                ));
                files.extend(charts::bar_chart(
                    &charts_dir.join(format!("sobol_{}", o.name)),
                    &spec,
                    &bars,
                )?);
            }
        }
        let bars: Vec<charts::Bar> = tornado(study, points, results, q)
            .into_iter()
            .enumerate()
            .map(|(i, (label, s))| charts::Bar {
                label,
                value: s,
                lo: s,
                hi: s,
                colour: i,
            })
            .collect();
        let spec = ChartSpec::new(
            format!("Tornado: {}", o.name),
            "parameter (largest swing first)",
            format!("{}: top-quarter mean minus bottom-quarter mean", o.name),
        );
        files.extend(charts::bar_chart(
            &charts_dir.join(format!("tornado_{}", o.name)),
            &spec,
            &bars,
        )?);
    }
    Ok(files)
}
