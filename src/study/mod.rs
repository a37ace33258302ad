//! Studies: many runs of one model, arranged by a design, to sweep parameters, measure how
//! sensitive outcomes are to them, calibrate them to observations, and carry their
//! uncertainty into policy decisions.
//!
//! The study layer knows models only through the scenario interface: it sets parameters by
//! key (checked by the scenario loader, like any override), runs scenarios through
//! [`crate::run`] or the withdrawal model's shared burn-in, and reads the metrics and
//! distributions a run records. Designs and estimators are pure functions of numbers and are
//! tested on analytic functions (Ishigami, Sobol's g) before they ever see the model.
//!
//! - [`file`], [`plan`]: the study file and its checks; [`prior`]: ranges and priors;
//! - [`quantity`]: outcomes and targets computed from a run;
//! - [`design`]: grid, Latin hypercube, scrambled Sobol, Morris, Saltelli;
//! - [`sweep`]: running a design in parallel, with shared burn-ins and resume;
//! - [`units`]: its runs as work units, for this process's threads or MPI ranks.

pub mod abc;
pub mod bootstrap;
pub mod calibrate;
pub mod design;
pub mod fields;
pub mod file;
pub mod morris;
pub mod out;
pub mod parameter;
pub mod plan;
pub mod prior;
pub mod quantity;
pub mod sensitivity;
pub mod sobol_indices;
pub mod sweep;
pub mod units;

pub use plan::{load, Study};
pub use sweep::{Point, PointResult};

use crate::error::Result;

/// Maps unit-hypercube positions to parameter values through each parameter's prior.
pub fn to_points(study: &Study, unit: &[Vec<f64>]) -> Vec<Point> {
    unit.iter()
        .map(|u| {
            study
                .parameters()
                .iter()
                .zip(u)
                .map(|(p, &x)| p.prior.quantile(x))
                .collect()
        })
        .collect()
}

/// The points of the study's own `design` (for `cocoon sweep`): a grid of `points` levels per
/// parameter (each listed value once for `values`), a Latin hypercube or a scrambled Sobol
/// sequence of `points` points.
pub fn design_points(study: &Study) -> Result<Vec<Point>> {
    let f = &study.file;
    let d = study.parameters().len();
    let unit = match f.design.as_str() {
        "grid" => {
            let levels: Vec<usize> = study
                .parameters()
                .iter()
                .map(|p| match p.prior {
                    prior::Prior::Choice { n } => n,
                    _ => f.points,
                })
                .collect();
            design::grid(&levels)?
        }
        "lhs" => design::latin_hypercube(f.points, d, f.seed),
        _ => design::sobol(f.points, d, f.seed)?,
    };
    Ok(to_points(study, &unit))
}
