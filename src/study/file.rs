//! The study file: TOML naming a base (a scenario or a comparison file), the parameters to vary
//! with their ranges or priors, the targets to fit, the outcomes to analyse, and the design.
//!
//! It is read like scenario and comparison files: parsed with spans, so each mistake is
//! reported at file:line:column with what is allowed (an unknown key with the likely one, an
//! impossible prior, a prior reaching outside the parameter's range, an unknown arm, a tick
//! window past the run, an age window outside the population). Parameter keys and values are
//! checked by the scenario loader itself; metrics by a short probe run of the base
//! ([`super::plan`]). Nothing runs and nothing is written until the whole study has passed.

use std::path::{Path, PathBuf};

use super::fields::{self, tables, Fields, FileKind, Spans};
pub use super::parameter::{Parameter, FIXED_KEYS, PARAM_KEYS};
use super::quantity::{ArmSel, Measure, Quantity, Stat};
use crate::error::{Error, Location, Result};
use crate::scenario::{self, Override};

/// Keys allowed at the top of a study file.
pub const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "base",
    "design",
    "points",
    "replicates",
    "seed",
    "levels",
    "set",
    "parameter",
    "target",
    "outcome",
    "abc",
];
/// Keys of a `[[target]]`.
pub const TARGET_KEYS: &[&str] = &[
    "name",
    "metric",
    "distribution",
    "at_least",
    "ticks",
    "stat",
    "ages",
    "arm",
    "value",
    "sd",
    "tolerance",
    "source",
];
/// Keys of an `[[outcome]]`.
pub const OUTCOME_KEYS: &[&str] = &[
    "name",
    "metric",
    "distribution",
    "at_least",
    "ticks",
    "stat",
    "ages",
    "arm",
    "difference",
];
/// Keys of the `[abc]` table.
pub const ABC_KEYS: &[&str] = &["particles", "generations", "quantile", "min_acceptance"];
/// Designs `design` accepts (sensitivity methods choose their own).
pub const DESIGNS: &[&str] = &["grid", "lhs", "sobol"];

/// A target: a quantity with its observed value.
#[derive(Clone, Debug)]
pub struct Target {
    /// What is compared with the observation.
    pub quantity: Quantity,
    /// Observed value.
    pub value: f64,
    /// Scale of the distance: the observation's SD, or an accepted tolerance.
    pub scale: f64,
    /// Where the figure comes from.
    pub source: String,
}

/// ABC-SMC settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbcSettings {
    /// Accepted particles per generation.
    pub particles: usize,
    /// Generations after the prior.
    pub generations: usize,
    /// Quantile of the previous generation's distances that becomes the next tolerance.
    pub quantile: f64,
    /// Stop early when a generation's acceptance rate falls below this.
    pub min_acceptance: f64,
}

impl Default for AbcSettings {
    fn default() -> Self {
        AbcSettings {
            particles: 200,
            generations: 5,
            quantile: 0.5,
            min_acceptance: 0.02,
        }
    }
}

/// A study file as written (before the base is loaded and probed).
#[derive(Clone, Debug)]
pub struct StudyFile {
    /// The file.
    pub path: PathBuf,
    /// Name (default: the file stem).
    pub name: String,
    /// Free text.
    pub description: String,
    /// The base file, resolved against the study's folder, and where it is named.
    pub base: (PathBuf, Location),
    /// `design`.
    pub design: String,
    /// `points`.
    pub points: usize,
    /// `replicates`.
    pub replicates: u32,
    /// `seed`.
    pub seed: u64,
    /// Morris grid levels.
    pub levels: usize,
    /// Overrides applied to the base (every arm).
    pub set: Vec<Override>,
    /// Varied parameters.
    pub parameters: Vec<Parameter>,
    /// Targets (raw arm names resolved later).
    pub targets: Vec<(Target, RawArms)>,
    /// Outcomes.
    pub outcomes: Vec<(Quantity, RawArms)>,
    /// Age window shared by every quantity that names one, and where.
    pub ages: Option<((i64, i64), Location)>,
    /// ABC settings.
    pub abc: AbcSettings,
}

/// Arm names as written, resolved once the base is loaded.
#[derive(Clone, Debug, Default)]
pub struct RawArms {
    /// `arm = "..."`.
    pub arm: Option<(String, Location)>,
    /// `difference = ["a", "b"]`.
    pub difference: Option<(String, String, Location)>,
}

/// Reads and checks a study file (everything but the base's own content).
pub fn read(path: &Path) -> Result<StudyFile> {
    let doc = fields::parse(path, FileKind::Study)?;
    let sp = Spans {
        path,
        text: doc.raw(),
        kind: FileKind::Study,
    };
    let top = Fields {
        sp: &sp,
        table: doc.as_table(),
        span: None,
    };
    top.check_keys(TOP_KEYS)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "study".into());
    let name = top.text("name")?.map(|(s, _)| s).unwrap_or(stem);
    let description = top.text("description")?.map(|(s, _)| s).unwrap_or_default();
    let (base, base_loc) = top.text("base")?.ok_or_else(|| Error::Scenario {
        location: Location::WholeFile(path.to_path_buf()),
        message: "missing `base`: the scenario or comparison file the study starts from, relative to this file".into(),
    })?;
    let base_path = dir.join(&base);
    if !base_path.is_file() {
        return Err(Error::MissingFile {
            what: "base scenario or comparison",
            path: base_path,
            location: base_loc,
        });
    }
    let design = match top.text("design")? {
        None => "sobol".to_string(),
        Some((d, _)) if DESIGNS.contains(&d.as_str()) => d,
        Some(_) => return Err(top.bad("design", "one of \"grid\", \"lhs\", \"sobol\"")),
    };
    let points = top
        .int("points", 1, 65_536)?
        .map_or(64, |(i, _)| i as usize);
    let replicates = top
        .int("replicates", 1, 100_000)?
        .map_or(1, |(i, _)| i as u32);
    let seed = top.int("seed", 0, i64::MAX)?.map_or(1, |(i, _)| i as u64);
    let levels = top.int("levels", 2, 100)?.map_or(4, |(i, _)| i as usize);

    let mut set = Vec::new();
    if let Some(item) = doc.as_table().get("set") {
        let table = item
            .as_table_like()
            .ok_or_else(|| top.bad("set", "a table of parameter overrides"))?;
        let mut leaves = Vec::new();
        let at = |s: Option<std::ops::Range<usize>>| sp.at(s);
        scenario::flatten(
            table,
            "",
            &at,
            &[],
            &|location, key| Error::Scenario {
                location,
                message: format!("`[[{key}]]` arrays of tables are not parameters"),
            },
            &mut leaves,
        )?;
        for (key, location, value) in leaves {
            set.push(Override {
                key,
                value,
                location,
            });
        }
    }

    let mut parameters: Vec<Parameter> = Vec::new();
    if let Some(item) = doc.as_table().get("parameter") {
        for (table, span) in tables(&sp, "parameter", item)? {
            let f = Fields {
                sp: &sp,
                table,
                span,
            };
            let p = super::parameter::parameter(&f)?;
            if let Some(first) = parameters.iter().find(|q| q.key == p.key) {
                return Err(Error::Scenario {
                    location: p.location,
                    message: format!("`{}` is varied twice (first at {})", p.key, first.location),
                });
            }
            parameters.push(p);
        }
    }

    let mut ages: Option<((i64, i64), Location)> = None;
    let mut targets = Vec::new();
    if let Some(item) = doc.as_table().get("target") {
        for (table, span) in tables(&sp, "target", item)? {
            let f = Fields {
                sp: &sp,
                table,
                span,
            };
            f.check_keys(TARGET_KEYS)?;
            if f.value("difference").is_some() {
                return Err(f.bad("difference", "absent in a target"));
            }
            let (q, raw) = quantity(&f, &mut ages)?;
            let (value, _) = f.number("value")?.ok_or_else(|| Error::Scenario {
                location: f.here(),
                message: "a target needs `value`, the observed figure".into(),
            })?;
            let scale = match (f.number("sd")?, f.number("tolerance")?) {
                (Some((s, l)), None) | (None, Some((s, l))) => {
                    if s <= 0.0 {
                        return Err(Error::Scenario {
                            location: l,
                            message: "`sd` / `tolerance` must be greater than 0".into(),
                        });
                    }
                    s
                }
                (Some(_), Some(_)) => {
                    return Err(f.bad("tolerance", "absent when `sd` is given (use one)"))
                }
                (None, None) => return Err(Error::Scenario {
                    location: f.here(),
                    message:
                        "a target needs its uncertainty: `sd` (of the observation) or `tolerance`"
                            .into(),
                }),
            };
            let source = f.text("source")?.map(|(s, _)| s).unwrap_or_default();
            targets.push((
                Target {
                    quantity: q,
                    value,
                    scale,
                    source,
                },
                raw,
            ));
        }
    }

    let mut outcomes = Vec::new();
    if let Some(item) = doc.as_table().get("outcome") {
        for (table, span) in tables(&sp, "outcome", item)? {
            let f = Fields {
                sp: &sp,
                table,
                span,
            };
            f.check_keys(OUTCOME_KEYS)?;
            outcomes.push(quantity(&f, &mut ages)?);
        }
    }
    for (i, name) in outcomes
        .iter()
        .map(|(q, _)| &q.name)
        .chain(targets.iter().map(|(t, _)| &t.quantity.name))
        .enumerate()
    {
        let all: Vec<&Quantity> = outcomes
            .iter()
            .map(|(q, _)| q)
            .chain(targets.iter().map(|(t, _)| &t.quantity))
            .collect();
        if let Some(j) = all[..i].iter().position(|q| &q.name == name) {
            return Err(Error::Scenario {
                location: all[i].location.clone(),
                message: format!(
                    "name `{name}` is used twice (first at {}); give each outcome and target its own `name`",
                    all[j].location
                ),
            });
        }
    }

    let mut abc = AbcSettings::default();
    if let Some(item) = doc.as_table().get("abc") {
        let table = item
            .as_table_like()
            .ok_or_else(|| top.bad("abc", "a table"))?;
        let f = Fields {
            sp: &sp,
            table,
            span: item.span(),
        };
        f.check_keys(ABC_KEYS)?;
        if let Some((n, _)) = f.int("particles", 10, 100_000)? {
            abc.particles = n as usize;
        }
        if let Some((n, _)) = f.int("generations", 1, 100)? {
            abc.generations = n as usize;
        }
        if let Some((q, _)) = f.number("quantile")? {
            if !(0.05..=0.95).contains(&q) {
                return Err(f.bad("quantile", "a number from 0.05 to 0.95"));
            }
            abc.quantile = q;
        }
        if let Some((q, _)) = f.number("min_acceptance")? {
            if !(0.0..1.0).contains(&q) {
                return Err(f.bad("min_acceptance", "a number from 0 to below 1"));
            }
            abc.min_acceptance = q;
        }
    }

    Ok(StudyFile {
        path: path.to_path_buf(),
        name,
        description,
        base: (base_path, sp.at(None)),
        design,
        points,
        replicates,
        seed,
        levels,
        set,
        parameters,
        targets,
        outcomes,
        ages,
        abc,
    })
}

/// The common part of targets and outcomes.
fn quantity(
    f: &Fields<'_, '_>,
    ages: &mut Option<((i64, i64), Location)>,
) -> Result<(Quantity, RawArms)> {
    let metric = f.text("metric")?;
    let distribution = f.text("distribution")?;
    let measure = match (metric, distribution) {
        (Some((metric, _)), None) => {
            if f.value("at_least").is_some() {
                return Err(f.bad("at_least", "used with `distribution`, not `metric`"));
            }
            let (from, to) = match f.numbers("ticks", 2, "[first, last]")? {
                Some((v, l)) => {
                    if v[0] < 0.0 || v[1] < v[0] || v.iter().any(|x| x.fract() != 0.0) {
                        return Err(Error::Scenario {
                            location: l,
                            message: "`ticks` must be [first, last] whole ticks with 0 <= first <= last".into(),
                        });
                    }
                    (v[0] as u32, v[1] as u32)
                }
                None => (u32::MAX, u32::MAX),
            };
            let stat = match f.text("stat")? {
                None => Stat::Mean,
                Some((s, _)) => Stat::parse(&s).ok_or_else(|| f.bad("stat", "one of \"mean\", \"final\", \"sum\""))?,
            };
            Measure::Metric { metric, from, to, stat }
        }
        (None, Some((distribution, _))) => {
            for k in ["ticks", "stat"] {
                if f.value(k).is_some() {
                    return Err(f.bad(k, "absent with `distribution` (distributions are recorded at the end of a run)"));
                }
            }
            let (at_least, _) = f.number("at_least")?.ok_or_else(|| Error::Scenario {
                location: f.here(),
                message: "a `distribution` quantity needs `at_least`: the share of the distribution at or above it".into(),
            })?;
            Measure::ShareAtLeast { distribution, at_least }
        }
        _ => {
            return Err(Error::Scenario {
                location: f.here(),
                message: "give exactly one of `metric` (a recorded time series) or `distribution` (an end-of-run distribution)".into(),
            })
        }
    };
    let name = match f.text("name")? {
        Some((n, l)) => {
            if n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            {
                return Err(Error::Scenario {
                    location: l,
                    message: "`name` must be letters, digits, `_`, `-` or `.`".into(),
                });
            }
            n
        }
        None => match &measure {
            Measure::Metric { metric, .. } => metric.clone(),
            Measure::ShareAtLeast {
                distribution,
                at_least,
            } => format!("{distribution}_at_least_{at_least}"),
        },
    };
    if let Some((v, l)) = f.numbers("ages", 2, "[youngest, oldest]")? {
        let (a, b) = (v[0], v[1]);
        if a.fract() != 0.0 || b.fract() != 0.0 || a < 12.0 || b > 64.0 || a > b {
            return Err(Error::Scenario {
                location: l,
                message: format!("`ages` = [{a}, {b}] must be whole years within the population's ages 12 to 64, youngest first"),
            });
        }
        match &measure {
            Measure::Metric { metric, .. } if metric == "hikikomori_in_range" => {}
            _ => {
                return Err(f.bad(
                    "ages",
                    "used only with metric = \"hikikomori_in_range\" (the one age-windowed metric)",
                ))
            }
        }
        let window = (a as i64, b as i64);
        match ages {
            Some((w, first)) if *w != window => {
                return Err(Error::Scenario {
                    location: l,
                    message: format!(
                        "every quantity of a study uses one age window; {first} uses [{}, {}]",
                        w.0, w.1
                    ),
                })
            }
            Some(_) => {}
            None => *ages = Some((window, l)),
        }
    }
    let mut raw = RawArms::default();
    if let Some((a, l)) = f.text("arm")? {
        raw.arm = Some((a, l));
    }
    if let Some((v, l)) = f.value("difference") {
        let names: Vec<&str> = match v {
            toml_edit::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
            _ => Vec::new(),
        };
        if names.len() != 2 || raw.arm.is_some() {
            return Err(f.bad(
                "difference",
                "two arm names [\"a\", \"b\"] (a minus b), without `arm`",
            ));
        }
        raw.difference = Some((names[0].to_string(), names[1].to_string(), l));
    }
    Ok((
        Quantity {
            name,
            measure,
            arms: ArmSel::One(0),
            location: f.here(),
        },
        raw,
    ))
}
