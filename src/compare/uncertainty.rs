//! Parameter uncertainty in a comparison (`cocoon compare FILE --posterior posterior.csv`).
//!
//! A posterior (the weighted particles `cocoon calibrate` writes) is resampled by weight into
//! one parameter set per replicate, by systematic resampling from the keyed streams. Replicate
//! r of every arm runs with parameter set r and the same seed, so arms stay paired: their
//! difference in replicate r is the policy's effect under one plausible parameter set and one
//! draw of chance. The spread of effects over replicates then carries both parameter and
//! stochastic uncertainty, and every downstream figure (effects, rankings, the probability
//! that each arm is best, the decision outputs of [`super::decision`]) inherits it.

use std::path::{Path, PathBuf};

use rand::Rng;
use rayon::prelude::*;

use super::{Comparison, Plan};
use crate::engine::rng::mix64;
use crate::engine::Series;
use crate::error::{Error, Location, Result};
use crate::scenario::{spec, Kind, Override};

/// Weighted parameter sets read from a `posterior.csv`.
#[derive(Clone, Debug)]
pub struct Posterior {
    /// The file.
    pub path: PathBuf,
    /// Parameter keys (columns between `particle` and `weight`).
    pub keys: Vec<String>,
    /// One row per particle: values and weight, with the row's line number.
    pub rows: Vec<(Vec<f64>, f64, usize)>,
}

/// Reads `path` (header `particle,<keys...>,weight,...`), checking every key and number.
pub fn load(path: &Path) -> Result<Posterior> {
    let text = crate::input::read_text(path, crate::input::MAX_TABLE_BYTES).map_err(|source| {
        Error::ReadCompare {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let at = |line: usize, column: usize, message: String| Error::Compare {
        location: Location::File {
            path: path.to_path_buf(),
            line,
            column,
        },
        message,
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let w = header.iter().position(|h| *h == "weight");
    let (true, Some(w)) = (header.first() == Some(&"particle"), w) else {
        return Err(at(1, 1, "a posterior starts with `particle,<parameter keys>,weight` (as `cocoon calibrate` writes it)".into()));
    };
    let keys: Vec<String> = header[1..w].iter().map(|s| s.to_string()).collect();
    for k in &keys {
        if spec::find(k).is_none() {
            return Err(at(
                1,
                1,
                format!("`{k}` is not a parameter (`cocoon params` lists them)"),
            ));
        }
    }
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let num = |j: usize| -> Result<f64> {
            f.get(j)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    at(
                        i + 2,
                        1,
                        format!("column {} must be a finite number", j + 1),
                    )
                })
        };
        let values = (1..w).map(num).collect::<Result<Vec<f64>>>()?;
        let weight = num(w)?;
        if weight < 0.0 {
            return Err(at(i + 2, 1, "weights must not be negative".into()));
        }
        rows.push((values, weight, i + 2));
    }
    if rows.is_empty() || rows.iter().all(|r| r.1 == 0.0) {
        return Err(at(
            1,
            1,
            "the posterior has no particle with positive weight".into(),
        ));
    }
    Ok(Posterior {
        path: path.to_path_buf(),
        keys,
        rows,
    })
}

impl Posterior {
    /// Indices of `n` particles drawn by weight (systematic resampling, seeded).
    pub fn resample(&self, n: usize, seed: u64) -> Vec<usize> {
        let total: f64 = self.rows.iter().map(|r| r.1).sum();
        let mut rng = crate::study::design::rng(seed, "compare.posterior");
        let start = rng.random::<f64>() / n as f64;
        let mut out = Vec::with_capacity(n);
        let (mut k, mut acc) = (0, self.rows[0].1 / total);
        for i in 0..n {
            let u = start + i as f64 / n as f64;
            while acc < u && k + 1 < self.rows.len() {
                k += 1;
                acc += self.rows[k].1 / total;
            }
            out.push(k);
        }
        out
    }

    fn overrides(&self, row: usize) -> Vec<Override> {
        let (values, _, line) = &self.rows[row];
        self.keys
            .iter()
            .zip(values)
            .map(|(k, &x)| Override {
                key: k.clone(),
                value: match spec::find(k).map(|s| s.kind) {
                    Some(Kind::Int { .. }) => toml_edit::Value::from(x.round() as i64),
                    _ => toml_edit::Value::from(x),
                },
                location: Location::File {
                    path: self.path.clone(),
                    line: *line,
                    column: 1,
                },
            })
            .collect()
    }
}

/// The plan of replicate `r`: every arm with parameter set `row`, one replicate, seed `seed`.
fn replicate_plan(plan: &Plan, post: &Posterior, row: usize, seed: u64) -> Result<Plan> {
    let mut o = post.overrides(row);
    let whole = Location::WholeFile(post.path.clone());
    for (key, v) in [("replicates", 1i64), ("seed", (seed >> 1) as i64)] {
        o.push(Override {
            key: key.into(),
            value: toml_edit::Value::from(v),
            location: whole.clone(),
        });
    }
    let dir = plan
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut p = plan.clone();
    for arm in &mut p.arms {
        arm.scenario = arm.scenario.with_overrides(&o, &dir)?;
    }
    Ok(p)
}

/// Checks that every parameter set can be applied to every arm (before anything runs).
pub fn check(plan: &Plan, post: &Posterior) -> Result<()> {
    for row in 0..post.rows.len() {
        replicate_plan(plan, post, row, 0)?;
    }
    Ok(())
}

/// Runs `plan` with replicate r of every arm under posterior draw r (paired across arms).
pub fn execute(plan: Plan, post: &Posterior, progress: &(dyn Fn() + Sync)) -> Result<Comparison> {
    let n = plan.replicates() as usize;
    let draws = post.resample(n, plan.seed);
    let per_rep: Vec<Vec<Series>> = draws
        .par_iter()
        .enumerate()
        .map(|(r, &row)| -> Result<Vec<Series>> {
            let seed = mix64(plan.seed ^ mix64(r as u64 + 1));
            let c = super::execute(replicate_plan(&plan, post, row, seed)?, progress)?;
            Ok(c.arms
                .into_iter()
                .map(|a| {
                    let mut s = a.series.into_iter().next().expect("one replicate");
                    s.replicate = r as u32;
                    s
                })
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut series: Vec<Vec<Series>> = vec![Vec::with_capacity(n); plan.arms.len()];
    for rep in per_rep {
        for (k, s) in rep.into_iter().enumerate() {
            series[k].push(s);
        }
    }
    let mut c = Comparison::new(plan, series);
    c.posterior = Some(post.path.clone());
    Ok(c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn resampling_follows_the_weights() {
        let post = super::Posterior {
            path: "p.csv".into(),
            keys: vec![],
            rows: vec![(vec![], 0.0, 2), (vec![], 3.0, 3), (vec![], 1.0, 4)],
        };
        let draws = post.resample(400, 1);
        assert!(draws.iter().all(|&k| k != 0));
        assert_eq!(draws.iter().filter(|&&k| k == 1).count(), 300);
    }
}
