//! One uncertain parameter (a study's `[[parameter]]`, or a comparison's
//! `[[uncertainty.parameter]]`): a key of `cocoon params` with a range or prior. The key is
//! checked against the parameter list, the prior for impossible values and for reaching
//! outside the key's allowed range, each error at its file:line:column.

use super::fields::Fields;
use super::prior::Prior;
use crate::error::{Error, Location, Result};
use crate::scenario::{spec, Kind};

/// Keys of a `[[parameter]]`.
pub const PARAM_KEYS: &[&str] = &[
    "key",
    "uniform",
    "log_uniform",
    "normal",
    "lognormal",
    "beta",
    "triangular",
    "values",
    "source",
];
/// Keys a study may not vary (the study's own `seed` and `replicates` set them for every run).
pub const FIXED_KEYS: &[&str] = &["seed", "replicates", "model", "ticks", "name"];

/// One varied parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Dotted key, e.g. `days.base`.
    pub key: String,
    /// Its range or prior.
    pub prior: Prior,
    /// For `values = [...]`: the listed values, as written.
    pub values: Vec<toml_edit::Value>,
    /// Whether the key takes integers (values are rounded).
    pub integer: bool,
    /// Where the figures come from.
    pub source: String,
    /// Where the prior is written.
    pub location: Location,
}

impl Parameter {
    /// The override for quantile position `u` (what a design point sets).
    pub fn value_at(&self, u: f64) -> toml_edit::Value {
        self.value_of(self.prior.quantile(u))
    }

    /// The override for a value `x` on the prior's scale.
    pub fn value_of(&self, x: f64) -> toml_edit::Value {
        if self.prior.is_discrete() {
            self.values[x as usize].clone()
        } else if self.integer {
            toml_edit::Value::from(x.round() as i64)
        } else {
            toml_edit::Value::from(x)
        }
    }

    /// The value as a number for CSV files (a listed value that is not a number: its index).
    pub fn numeric(&self, x: f64) -> f64 {
        match self.value_of(x) {
            toml_edit::Value::Float(f) => *f.value(),
            toml_edit::Value::Integer(i) => *i.value() as f64,
            toml_edit::Value::Boolean(b) => f64::from(u8::from(*b.value())),
            _ => x,
        }
    }
}

/// One `[[parameter]]`: its key is checked against the parameter list, its prior for
/// impossible values and for reaching outside the key's allowed range.
pub fn parameter(f: &Fields<'_, '_>) -> Result<Parameter> {
    f.check_keys(PARAM_KEYS)?;
    let (key, key_loc) = f.text("key")?.ok_or_else(|| Error::Scenario {
        location: f.here(),
        message: "a parameter needs `key`, e.g. key = \"days.base\"".into(),
    })?;
    let spec = spec::find(&key).ok_or_else(|| Error::Scenario {
        location: key_loc.clone(),
        message: format!(
            "unknown parameter `{key}`{} (`cocoon params` lists every key)",
            spec::closest_key(&key)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default()
        ),
    })?;
    if FIXED_KEYS.contains(&spec.key) {
        return Err(Error::Scenario {
            location: key_loc,
            message: format!("a study or comparison cannot vary `{key}`: `seed`, `replicates`, `ticks`, `model` and `name` are fixed for every run (the file's own `seed`, `replicates` and `set` fix them)"),
        });
    }
    let (lo, hi, integer) = match spec.kind {
        Kind::Float { min, max } => (min, max, false),
        Kind::Int { min, max } => (min as f64, max as f64, true),
        _ => (f64::NEG_INFINITY, f64::INFINITY, false),
    };
    let numeric = matches!(spec.kind, Kind::Float { .. } | Kind::Int { .. });
    // PARAM_KEYS lists `key`, then the forms, then `source`.
    let forms = &PARAM_KEYS[1..PARAM_KEYS.len() - 1];
    let given: Vec<&str> = forms
        .iter()
        .copied()
        .filter(|k| f.table.contains_key(k))
        .collect();
    if given.len() != 1 {
        return Err(Error::Scenario {
            location: f.here(),
            message: format!(
                "parameter `{key}` needs exactly one of `uniform`, `log_uniform`, `normal`, `lognormal`, `beta`, `triangular` or `values` (found {})",
                if given.is_empty() { "none".to_string() } else { given.join(", ") }
            ),
        });
    }
    let form = given[0];
    if form != "values" && !numeric {
        return Err(f.bad(
            form,
            &format!(
                "replaced by `values = [...]`: `{key}` is {}",
                spec.kind.allowed()
            ),
        ));
    }
    let mut values = Vec::new();
    let (prior, location) = match form {
        "uniform" | "log_uniform" => {
            let (v, l) = f.numbers(form, 2, "[lo, hi]")?.expect("present");
            let p = if form == "uniform" {
                Prior::Uniform { lo: v[0], hi: v[1] }
            } else {
                Prior::LogUniform { lo: v[0], hi: v[1] }
            };
            (p, l)
        }
        "normal" => {
            let (v, l) = f.numbers(form, 2, "[mean, sd]")?.expect("present");
            (
                Prior::Normal {
                    mean: v[0],
                    sd: v[1],
                    lo,
                    hi,
                },
                l,
            )
        }
        "lognormal" => {
            let (v, l) = f
                .numbers(form, 2, "[mu, sigma] (of the log)")?
                .expect("present");
            (
                Prior::LogNormal {
                    mu: v[0],
                    sigma: v[1],
                    lo: lo.max(0.0),
                    hi,
                },
                l,
            )
        }
        "beta" => {
            let (v, l) = f.numbers(form, 2, "[a, b]")?.expect("present");
            (Prior::Beta { a: v[0], b: v[1] }, l)
        }
        "triangular" => {
            let (v, l) = f.numbers(form, 3, "[lo, mode, hi]")?.expect("present");
            (
                Prior::Triangular {
                    lo: v[0],
                    mode: v[1],
                    hi: v[2],
                },
                l,
            )
        }
        _ => match f.value("values") {
            Some((toml_edit::Value::Array(a), l)) => {
                values = a.iter().cloned().collect();
                (Prior::Choice { n: values.len() }, l)
            }
            _ => return Err(f.bad("values", "a list of values, e.g. [0.1, 0.2]")),
        },
    };
    prior.check().map_err(|m| Error::Scenario {
        location: location.clone(),
        message: format!("`{key}`: {m}"),
    })?;
    let (a, b) = prior.support();
    if !prior.is_discrete() && (a < lo || b > hi) {
        return Err(Error::Scenario {
            location,
            message: format!(
                "`{key}`: the {form} prior reaches [{a}, {b}], outside the parameter's range: {}",
                spec.kind.allowed()
            ),
        });
    }
    let source = f.text("source")?.map(|(s, _)| s).unwrap_or_default();
    Ok(Parameter {
        key: spec.key.to_string(),
        prior,
        values,
        integer,
        source,
        location,
    })
}
