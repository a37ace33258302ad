//! A checked study: the study file joined with its base. The base is a scenario (one arm,
//! named `base`) or a comparison file (its arms). The study's `set`, `seed` and `replicates`
//! are applied to every arm, arm names in targets and outcomes are resolved, tick windows are
//! checked against the run length, every varied key is tried on the base (so a key that does
//! not apply to its model is reported at the study file's line), and a short probe run checks
//! that every metric and distribution named is one the model records.

use std::path::Path;

use super::file::{self, Parameter, RawArms, StudyFile, Target};
use super::quantity::{self, ArmSel, Measure, Quantity};
use crate::engine::{Exec, Series};
use crate::error::{Error, Location, Result};
use crate::scenario::{Override, Scenario};

/// A checked study, ready to run.
#[derive(Clone, Debug)]
pub struct Study {
    /// The file as read.
    pub file: StudyFile,
    /// Arm names and scenarios (one arm, `base`, for a scenario base), with the study's
    /// `set`, seed, replicates and age window applied.
    pub arms: Vec<(String, Scenario)>,
    /// Targets with arms resolved.
    pub targets: Vec<Target>,
    /// Outcomes with arms resolved.
    pub outcomes: Vec<Quantity>,
}

impl Study {
    /// The varied parameters.
    pub fn parameters(&self) -> &[Parameter] {
        &self.file.parameters
    }

    /// The scenarios of one point: every arm with `values` (one override per parameter), and
    /// its own `seed` if given (calibration candidates; sweeps share the study seed).
    pub fn point_scenarios(
        &self,
        values: &[toml_edit::Value],
        seed: Option<u64>,
    ) -> Result<Vec<Scenario>> {
        let mut overrides: Vec<Override> = self
            .parameters()
            .iter()
            .zip(values)
            .map(|(p, v)| Override {
                key: p.key.clone(),
                value: v.clone(),
                location: p.location.clone(),
            })
            .collect();
        if let Some(seed) = seed {
            overrides.push(Override {
                key: "seed".into(),
                value: toml_edit::Value::from((seed >> 1) as i64),
                location: Location::WholeFile(self.file.path.clone()),
            });
        }
        let dir = self.dir();
        self.arms
            .iter()
            .map(|(_, s)| s.with_overrides(&overrides, &dir))
            .collect()
    }

    /// The study file's folder.
    pub fn dir(&self) -> std::path::PathBuf {
        self.file
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// Every quantity: outcomes first, then targets.
    pub fn quantities(&self) -> Vec<&Quantity> {
        self.outcomes
            .iter()
            .chain(self.targets.iter().map(|t| &t.quantity))
            .collect()
    }
}

/// Reads `path`, loads its base and checks everything, including a probe run.
pub fn load(path: &Path) -> Result<Study> {
    let file = file::read(path)?;
    let (base_path, _) = &file.base;
    let base_text =
        crate::input::read_text(base_path, crate::input::MAX_SCENARIO_BYTES).map_err(|source| {
            Error::ReadScenario {
                path: base_path.clone(),
                source,
            }
        })?;
    let is_comparison = toml_edit::ImDocument::parse(base_text.as_str())
        .map(|d| d.as_table().contains_key("arm"))
        .unwrap_or(false);
    let raw_arms: Vec<(String, Scenario)> = if is_comparison {
        crate::compare::load(base_path, &[], false)?
            .arms
            .into_iter()
            .map(|a| (a.name, a.scenario))
            .collect()
    } else {
        vec![("base".to_string(), Scenario::load(base_path, &[])?)]
    };
    let mut common = file.set.clone();
    let whole = Location::WholeFile(path.to_path_buf());
    common.push(Override {
        key: "seed".into(),
        value: toml_edit::Value::from(file.seed as i64),
        location: whole.clone(),
    });
    common.push(Override {
        key: "replicates".into(),
        value: toml_edit::Value::from(file.replicates as i64),
        location: whole.clone(),
    });
    if let Some(((a, b), loc)) = &file.ages {
        for (key, v) in [
            ("withdrawal.report_age_min", a),
            ("withdrawal.report_age_max", b),
        ] {
            common.push(Override {
                key: key.into(),
                value: toml_edit::Value::from(*v),
                location: loc.clone(),
            });
        }
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let arms = raw_arms
        .iter()
        .map(|(n, s)| Ok((n.clone(), s.with_overrides(&common, &dir)?)))
        .collect::<Result<Vec<_>>>()?;
    let ticks = arms[0].1.ticks;
    let names: Vec<&str> = arms.iter().map(|(n, _)| n.as_str()).collect();
    let resolve = |q: &Quantity, raw: &RawArms| -> Result<Quantity> {
        let find = |name: &str, loc: &Location| {
            names
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| Error::Scenario {
                    location: loc.clone(),
                    message: format!("no arm named `{name}`; the base has: {}", names.join(", ")),
                })
        };
        let arms = match (&raw.arm, &raw.difference) {
            (Some((a, l)), _) => ArmSel::One(find(a, l)?),
            (None, Some((a, b, l))) => {
                let (a, b) = (find(a, l)?, find(b, l)?);
                if a == b {
                    return Err(Error::Scenario {
                        location: l.clone(),
                        message: "`difference` needs two different arms".into(),
                    });
                }
                ArmSel::Difference(a, b)
            }
            (None, None) if names.len() == 1 => ArmSel::One(0),
            (None, None) => {
                return Err(Error::Scenario {
                    location: q.location.clone(),
                    message: format!(
                        "the base is a comparison: name an `arm` or a `difference` of two arms (arms: {})",
                        names.join(", ")
                    ),
                })
            }
        };
        let mut q = q.clone();
        q.arms = arms;
        if let Measure::Metric { from, to, .. } = &mut q.measure {
            if *to == u32::MAX {
                (*from, *to) = (ticks, ticks);
            } else if *to > ticks {
                return Err(Error::Scenario {
                    location: q.location.clone(),
                    message: format!(
                        "`ticks` window ends at {to}, after the run's last tick {ticks}"
                    ),
                });
            }
        }
        Ok(q)
    };
    let outcomes = file
        .outcomes
        .iter()
        .map(|(q, raw)| resolve(q, raw))
        .collect::<Result<Vec<_>>>()?;
    let targets = file
        .targets
        .iter()
        .map(|(t, raw)| {
            Ok(Target {
                quantity: resolve(&t.quantity, raw)?,
                ..t.clone()
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let study = Study {
        file,
        arms,
        targets,
        outcomes,
    };
    // Every varied key, at its prior's median, must be a valid override of every arm.
    let median: Vec<toml_edit::Value> =
        study.parameters().iter().map(|p| p.value_at(0.5)).collect();
    study.point_scenarios(&median, None)?;
    let probe = probe(&study)?;
    let refs: Vec<&Series> = probe.iter().collect();
    quantity::check_recorded(&study.quantities(), &refs)?;
    Ok(study)
}

/// One short replicate per arm, small and without burn-in, to learn what the model records.
fn probe(study: &Study) -> Result<Vec<Series>> {
    let ticks = study.arms[0].1.ticks;
    study
        .arms
        .iter()
        .map(|(_, s)| {
            let mut sets = vec!["replicates=1".to_string()];
            if s.model == "withdrawal" {
                sets.push("population.n=300".into());
                sets.push("withdrawal.burn_in_ticks=0".into());
                sets.push(format!("ticks={}", ticks.min(60)));
            } else {
                sets.push(format!("ticks={}", ticks.min(2)));
            }
            let s = s.with_sets(&sets)?;
            let mut r = crate::run::execute(&s, Exec::Sequential, &|| {})?;
            Ok(r.series.remove(0))
        })
        .collect()
}
