//! Parameter uncertainty in a comparison (`cocoon compare FILE --posterior posterior.csv`, or
//! an `[uncertainty]` table in the comparison file).
//!
//! A posterior (the weighted particles `cocoon calibrate` writes) is resampled by weight into
//! one parameter set per replicate, by systematic resampling from the keyed streams; priors
//! (`[[uncertainty.parameter]]`, written like a study's `[[parameter]]`) are drawn for
//! replicate r from the stream keyed by (seed, r), so the draw of replicate r does not depend
//! on how many replicates run. Both may be given (for different keys). Replicate
//! r of every arm runs with parameter set r and the same seed, so arms stay paired: their
//! difference in replicate r is the policy's effect under one plausible parameter set and one
//! draw of chance. The spread of effects over replicates then carries both parameter and
//! stochastic uncertainty, and every downstream figure (effects, rankings, the probability
//! that each arm is best, the decision outputs of [`super::decision`]) inherits it.

use std::path::{Path, PathBuf};

use rand::Rng;
use rayon::prelude::*;

use super::{Comparison, Plan};
use crate::engine::rng::{mix64, Purpose, Streams};
use crate::engine::Series;
use crate::error::{Error, Location, Result};
use crate::scenario::{spec, Kind, Override};
use crate::study::fields::{self, Fields, FileKind, Spans};
use crate::study::parameter::{self, Parameter};

/// Keys of a comparison file's `[uncertainty]` table.
pub const UNCERTAINTY_KEYS: &[&str] = &["posterior", "parameter"];

/// The parameter uncertainty a comparison runs under: a posterior to resample, priors to
/// draw, or both (for different keys).
#[derive(Clone, Debug)]
pub struct Uncertainty {
    /// Weighted parameter sets (`--posterior`, or `posterior = "..."` in the table).
    pub posterior: Option<Posterior>,
    /// Priors drawn independently per replicate (`[[uncertainty.parameter]]`).
    pub priors: Vec<Parameter>,
    /// Where it is declared: the posterior file of `--posterior`, or the comparison file.
    pub origin: PathBuf,
}

impl Uncertainty {
    /// A posterior given on the command line.
    pub fn from_posterior(post: Posterior) -> Uncertainty {
        Uncertainty {
            origin: post.path.clone(),
            posterior: Some(post),
            priors: Vec::new(),
        }
    }

    /// The parameter overrides of replicates `0..n`: replicate r's posterior draw (systematic
    /// resampling) and its prior draws (stream keyed by seed and r).
    pub fn draws(&self, n: usize, seed: u64) -> Vec<Vec<Override>> {
        let rows = self.posterior.as_ref().map(|p| p.resample(n, seed));
        (0..n)
            .map(|r| {
                let mut o = match (&self.posterior, &rows) {
                    (Some(p), Some(rows)) => p.overrides(rows[r]),
                    _ => Vec::new(),
                };
                let mut rng = Streams::new(seed, r as u32)
                    .tick(Purpose::named("compare.uncertainty"), 0)
                    .agent_rng(0);
                for p in &self.priors {
                    o.push(Override {
                        key: p.key.clone(),
                        value: p.value_at(rng.random::<f64>()),
                        location: p.location.clone(),
                    });
                }
                o
            })
            .collect()
    }
}

/// Reads the `[uncertainty]` table of the comparison file at `path`, if it has one: every
/// prior checked like a study's (known key, possible prior, inside the key's range), the
/// posterior file read and checked, no key given twice.
pub fn read(path: &Path) -> Result<Option<Uncertainty>> {
    let doc = fields::parse(path, FileKind::Compare)?;
    let sp = Spans {
        path,
        text: doc.raw(),
        kind: FileKind::Compare,
    };
    let top = doc.as_table();
    let Some(item) = top.get("uncertainty") else {
        return Ok(None);
    };
    let span = item
        .span()
        .or_else(|| top.key("uncertainty").and_then(|k| k.span()));
    let want = "a table: `[uncertainty]` with `posterior = \"posterior.csv\"` and/or \
                `[[uncertainty.parameter]]` priors";
    let table = item
        .as_table_like()
        .ok_or_else(|| sp.err(span.clone(), format!("`uncertainty` must be {want}")))?;
    let f = Fields {
        sp: &sp,
        table,
        span: span.clone(),
    };
    f.check_keys(UNCERTAINTY_KEYS)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let posterior = match f.text("posterior")? {
        Some((rel, location)) => {
            let file = dir.join(rel);
            crate::input::require_file(&file, "posterior", &location)?;
            Some(load(&file)?)
        }
        None => None,
    };
    let mut priors: Vec<Parameter> = Vec::new();
    if let Some(item) = table.get("parameter") {
        for (t, span) in fields::tables(&sp, "uncertainty.parameter", item)? {
            let p = parameter::parameter(&Fields {
                sp: &sp,
                table: t,
                span,
            })?;
            let twice = priors.iter().any(|q| q.key == p.key)
                || posterior
                    .as_ref()
                    .is_some_and(|post| post.keys.contains(&p.key));
            if twice {
                return Err(Error::Compare {
                    location: p.location,
                    message: format!(
                        "`{}` is uncertain twice (a key takes one prior, or comes from the posterior)",
                        p.key
                    ),
                });
            }
            priors.push(p);
        }
    }
    if posterior.is_none() && priors.is_empty() {
        return Err(sp.err(
            span,
            "`[uncertainty]` needs `posterior = \"posterior.csv\"` or at least one \
             `[[uncertainty.parameter]]` (key and prior, as in a study file)"
                .into(),
        ));
    }
    Ok(Some(Uncertainty {
        posterior,
        priors,
        origin: path.to_path_buf(),
    }))
}

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

/// The plan of one replicate: every arm with the overrides `o`, one replicate, seed `seed`.
fn replicate_plan(plan: &Plan, o: &[Override], origin: &Path, seed: u64) -> Result<Plan> {
    let mut o = o.to_vec();
    let whole = Location::WholeFile(origin.to_path_buf());
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

/// Checks, before anything runs, that no arm sets an uncertain key (the draw would overwrite
/// the arm's policy) and that every posterior row applies to every arm.
pub fn check(plan: &Plan, u: &Uncertainty) -> Result<()> {
    let keys: Vec<(&str, Location)> = u
        .priors
        .iter()
        .map(|p| (p.key.as_str(), p.location.clone()))
        .chain(u.posterior.iter().flat_map(|post| {
            post.keys.iter().map(|k| {
                (
                    k.as_str(),
                    Location::File {
                        path: post.path.clone(),
                        line: 1,
                        column: 1,
                    },
                )
            })
        }))
        .collect();
    for (key, location) in keys {
        if let Some(arm) = plan
            .arms
            .iter()
            .find(|a| a.changes.iter().any(|(k, _)| k == key))
        {
            return Err(Error::Compare {
                location,
                message: format!(
                    "`{key}` is uncertain but arm `{}` sets it; an uncertain parameter is drawn \
                     for every arm alike, so it cannot be a lever",
                    arm.name
                ),
            });
        }
    }
    if let Some(post) = &u.posterior {
        for row in 0..post.rows.len() {
            replicate_plan(plan, &post.overrides(row), &u.origin, 0)?;
        }
    }
    Ok(())
}

/// Runs `plan` with replicate r of every arm under parameter draw r (paired across arms).
pub fn execute(plan: Plan, u: &Uncertainty, progress: &(dyn Fn() + Sync)) -> Result<Comparison> {
    let n = plan.replicates() as usize;
    let draws = u.draws(n, plan.seed);
    let per_rep: Vec<Vec<Series>> = draws
        .par_iter()
        .enumerate()
        .map(|(r, o)| -> Result<Vec<Series>> {
            let seed = mix64(plan.seed ^ mix64(r as u64 + 1));
            let c = super::execute(replicate_plan(&plan, o, &u.origin, seed)?, progress)?;
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
    c.posterior = Some(u.origin.clone());
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::Uncertainty;
    use crate::study::parameter::Parameter;
    use crate::study::prior::Prior;

    fn prior(key: &str, prior: Prior) -> Parameter {
        Parameter {
            key: key.into(),
            prior,
            values: Vec::new(),
            integer: false,
            source: String::new(),
            location: crate::error::Location::WholeFile("c.toml".into()),
        }
    }

    #[test]
    fn prior_draws_are_keyed_by_replicate_and_stay_in_support() {
        let u = Uncertainty {
            posterior: None,
            priors: vec![
                prior("community.attend", Prior::Uniform { lo: 0.1, hi: 0.2 }),
                prior(
                    "services.outreach",
                    Prior::Triangular {
                        lo: 0.0,
                        mode: 0.2,
                        hi: 0.5,
                    },
                ),
            ],
            origin: "c.toml".into(),
        };
        let show = |d: &[Vec<crate::scenario::Override>]| -> Vec<String> {
            d.iter()
                .flatten()
                .map(|o| format!("{}={}", o.key, o.value))
                .collect()
        };
        let few = u.draws(3, 9);
        let many = u.draws(50, 9);
        // Replicate r draws the same set however many replicates run.
        assert_eq!(show(&few), show(&many[..3]));
        let values = |k: usize| -> Vec<f64> {
            many.iter()
                .map(|o| o[k].value.as_float().unwrap())
                .collect()
        };
        let (a, b) = (values(0), values(1));
        assert!(a.iter().all(|x| (0.1..=0.2).contains(x)));
        assert!(b.iter().all(|x| (0.0..=0.5).contains(x)));
        // Different replicates draw different values, another seed other ones.
        assert!(a.windows(2).all(|w| w[0] != w[1]));
        assert_ne!(show(&u.draws(3, 10)), show(&few));
    }

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
