//! Scenarios: TOML files → checked, resolved parameters ready to run.
//!
//! Loading has two stages, as in ripgrep's low-level/high-level arguments: the TOML text is
//! parsed with spans and flattened into dotted keys (`graph.kind`), each checked against the
//! parameter list in [`spec`] (type, range, whether it applies); then `extends` chains and
//! `--set` overrides are layered key by key into one [`Params`] map where every value remembers
//! where it was set. Every error names the file, line and column (or the `--set` argument) and
//! what is allowed, and nothing is written before a scenario has passed all checks.

mod extends;
mod observed;
mod overrides;
mod parse;
pub mod spec;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Location, Result};
use extends::load_layers;
pub use extends::MAX_EXTENDS_DEPTH;
use overrides::parse_set;
pub use parse::check_value;
pub(crate) use parse::{flatten, line_col, type_name};
use parse::{lookup, raw_entry};
pub use spec::{Applies, Default as Dv, Kind, ParamSpec, Value};
use validate::{check_applies, check_files};

/// Models this program can run.
pub const MODELS: &[&str] = &["sisa", "withdrawal"];

/// Parameters of the run itself, shared by every model.
pub static RUN_SPECS: &[ParamSpec] = &[
    ParamSpec {
        key: "name",
        kind: Kind::Text,
        default: Dv::None,
        unit: "text",
        meaning:
            "Scenario name; results go to output/<name>/ by default (defaults to the file name).",
        source: "convention",
        applies: Applies::Always,
    },
    ParamSpec {
        key: "description",
        kind: Kind::Text,
        default: Dv::None,
        unit: "text",
        meaning: "Free text describing the question the scenario answers.",
        source: "convention",
        applies: Applies::Always,
    },
    ParamSpec {
        key: "model",
        kind: Kind::Choice(MODELS),
        default: Dv::S("sisa"),
        unit: "choice",
        meaning: "Which model runs on the population graph.",
        source: "convention",
        applies: Applies::Always,
    },
    ParamSpec {
        key: "ticks",
        kind: Kind::Int {
            min: 0,
            max: 1_000_000,
        },
        default: Dv::I(100),
        unit: "ticks (weeks)",
        meaning: "Number of ticks simulated after tick 0; a tick is one week.",
        source: "convention",
        applies: Applies::Always,
    },
    ParamSpec {
        key: "seed",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: Dv::I(1),
        unit: "integer",
        meaning: "Master random seed; every random stream is derived from it.",
        source: "convention",
        applies: Applies::Always,
    },
    ParamSpec {
        key: "replicates",
        kind: Kind::Int {
            min: 1,
            max: 100_000,
        },
        default: Dv::I(1),
        unit: "runs",
        meaning: "Independent replicates; replicate r draws from streams derived from (seed, r).",
        source: "convention",
        applies: Applies::Always,
    },
];

/// One resolved parameter value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The checked value.
    pub value: Value,
    /// Where it was set; `None` for a default.
    pub location: Option<Location>,
}

/// All parameters of a scenario after `extends`, `--set` and defaults, keyed in sorted order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    entries: BTreeMap<&'static str, Entry>,
    /// The withdrawal model's observed network, read once at load ([`observed`]).
    observed: Option<std::sync::Arc<crate::graph::build::Observed>>,
}

impl Params {
    /// The observed network a withdrawal scenario names (`graph.kind = "edge_list"`), read
    /// and checked when the scenario was loaded.
    pub fn observed(&self) -> Option<&std::sync::Arc<crate::graph::build::Observed>> {
        self.observed.as_ref()
    }

    /// The value of `key`, if set or defaulted.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key).map(|e| &e.value)
    }

    /// Where `key` was set, if it was set explicitly.
    pub fn location(&self, key: &str) -> Option<&Location> {
        self.entries.get(key).and_then(|e| e.location.as_ref())
    }

    /// Whether `key` was set explicitly (not defaulted).
    pub fn is_set(&self, key: &str) -> bool {
        self.location(key).is_some()
    }

    fn expect(&self, key: &str) -> &Value {
        match self.entries.get(key) {
            Some(e) => &e.value,
            // Keys read by the program all have defaults in the spec list; a missing one is a
            // bug in this program, not bad input.
            None => panic!("parameter `{key}` has no value and no default"),
        }
    }

    /// A real parameter (integers are accepted and widened).
    pub fn f64(&self, key: &str) -> f64 {
        match self.expect(key) {
            Value::Float(x) => *x,
            Value::Int(i) => *i as f64,
            v => panic!("parameter `{key}` is not a number: {v:?}"),
        }
    }

    /// An integer parameter.
    pub fn i64(&self, key: &str) -> i64 {
        match self.expect(key) {
            Value::Int(i) => *i,
            v => panic!("parameter `{key}` is not an integer: {v:?}"),
        }
    }

    /// A non-negative integer parameter as usize (ranges in the spec guarantee non-negative).
    pub fn usize(&self, key: &str) -> usize {
        self.i64(key).max(0) as usize
    }

    /// A boolean parameter.
    pub fn bool(&self, key: &str) -> bool {
        match self.expect(key) {
            Value::Bool(b) => *b,
            v => panic!("parameter `{key}` is not a boolean: {v:?}"),
        }
    }

    /// A text, choice or path parameter.
    pub fn str(&self, key: &str) -> &str {
        match self.expect(key) {
            Value::Str(s) => s,
            v => panic!("parameter `{key}` is not text: {v:?}"),
        }
    }

    /// An optional text or path parameter.
    pub fn opt_str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// An integer-list parameter.
    pub fn int_list(&self, key: &str) -> &[i64] {
        match self.expect(key) {
            Value::IntList(v) => v,
            v => panic!("parameter `{key}` is not an integer list: {v:?}"),
        }
    }

    /// A real-list parameter.
    pub fn float_list(&self, key: &str) -> &[f64] {
        match self.expect(key) {
            Value::FloatList(v) => v,
            v => panic!("parameter `{key}` is not a list of numbers: {v:?}"),
        }
    }

    /// Sets `key` programmatically (used by tests, benches and comparison arms); the value is
    /// checked against the spec like any other.
    pub fn set(&mut self, key: &str, value: Value, location: Location) -> Result<()> {
        let spec = lookup(key, &location)?;
        check_value(spec, &value).map_err(|message| Error::Scenario {
            location: location.clone(),
            message: format!("`{key}`: {message}"),
        })?;
        self.entries.insert(
            spec.key,
            Entry {
                value,
                location: Some(location),
            },
        );
        Ok(())
    }

    /// The resolved parameters that apply, as a JSON-ready sorted map (for the manifest).
    pub fn to_json(&self) -> BTreeMap<&'static str, Value> {
        self.entries
            .iter()
            .filter(|(k, _)| self.applies(k))
            .map(|(k, e)| (*k, e.value.clone()))
            .collect()
    }

    /// Whether `key` applies under the current values (e.g. `graph.k` only for Watts-Strogatz).
    /// The withdrawal model builds its own population and network from `population.*`; the
    /// only `graph.*` keys it reads are an observed network's ([`observed::KEYS`]), and
    /// `graph.layer` is read by no other model.
    pub fn applies(&self, key: &str) -> bool {
        if key.starts_with("graph.") && !observed::graph_key_applies(self, key) {
            return false;
        }
        match spec::find(key).map(|s| s.applies) {
            Some(Applies::When { key: ctl, values }) => {
                values.contains(&self.opt_str(ctl).unwrap_or(""))
            }
            _ => true,
        }
    }

    /// Iterates over `(key, entry)` in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Entry)> {
        self.entries.iter().map(|(k, e)| (*k, e))
    }
}

/// A validated scenario, ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file it was loaded from (`None` for scenarios built in code).
    pub file: Option<PathBuf>,
    /// Name used for the default output folder.
    pub name: String,
    /// The model to run.
    pub model: String,
    /// Ticks after tick 0.
    pub ticks: u32,
    /// Master seed.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: u32,
    /// Every parameter, resolved.
    pub params: Params,
    /// What loading changed on its own that the user should hear about (e.g. a file's
    /// generator keys dropped because `--set graph.kind=...` chose another generator).
    pub notes: Vec<String>,
}

/// Serializable view of a scenario for `manifest.json`.
#[derive(Serialize)]
pub struct ScenarioRecord<'a> {
    /// Scenario file.
    pub file: Option<String>,
    /// Every resolved parameter.
    pub parameters: BTreeMap<&'static str, Value>,
    #[serde(skip)]
    _marker: std::marker::PhantomData<&'a ()>,
}

impl Scenario {
    /// Loads `path`, follows `extends`, applies `--set` overrides (`key=value`), fills defaults
    /// and checks everything.
    pub fn load(path: &Path, sets: &[String]) -> Result<Scenario> {
        let mut raw = Vec::new();
        load_layers(path, &mut raw)?;
        let from_file = raw.len();
        for arg in sets {
            raw.push(parse_set(arg)?);
        }
        let notes = overrides::drop_superseded(&mut raw, from_file);
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut s = Scenario::from_raw(Some(path.to_path_buf()), &stem, raw)?;
        s.notes = notes;
        Ok(s)
    }

    /// Builds a scenario from defaults and `key=value` overrides, without a file (tests,
    /// benchmarks). Path values are relative to the current folder.
    pub fn from_sets(name: &str, sets: &[String]) -> Result<Scenario> {
        let raw = sets
            .iter()
            .map(|a| parse_set(a))
            .collect::<Result<Vec<_>>>()?;
        Scenario::from_raw(None, name, raw)
    }

    fn from_raw(file: Option<PathBuf>, default_name: &str, raw: Vec<RawEntry>) -> Result<Scenario> {
        let mut params = Params::default();
        for spec in spec::all_specs() {
            if let Some(v) = spec.default.value() {
                params.entries.insert(
                    spec.key,
                    Entry {
                        value: v,
                        location: None,
                    },
                );
            }
        }
        for r in raw {
            params.entries.insert(
                r.spec.key,
                Entry {
                    value: r.value,
                    location: Some(r.location),
                },
            );
        }
        check_applies(&params)?;
        check_files(&params)?;
        observed::resolve(&mut params)?;
        crate::models::validate(&params)?;
        let name = params.opt_str("name").unwrap_or(default_name).to_string();
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            // A name taken from the file name is blamed on the file, not on `--set`.
            let (location, from) = match (params.location("name"), &file) {
                (Some(l), _) => (l.clone(), ""),
                (None, Some(f)) => (
                    Location::WholeFile(f.clone()),
                    " (taken from the file name; set `name`)",
                ),
                (None, None) => (Location::Set("name".into()), ""),
            };
            return Err(Error::Scenario {
                location,
                message: format!(
                    "`name` = \"{name}\" must be a non-empty folder name without slashes{from}"
                ),
            });
        }
        Ok(Scenario {
            file,
            name,
            model: params.str("model").to_string(),
            ticks: params.i64("ticks") as u32,
            seed: params.i64("seed") as u64,
            replicates: params.i64("replicates") as u32,
            params,
            notes: Vec::new(),
        })
    }

    /// Applies one more `key=value` override to an already loaded scenario and re-checks it.
    pub fn with_sets(&self, sets: &[String]) -> Result<Scenario> {
        let mut raw = self.explicit_entries();
        let before = raw.len();
        for arg in sets {
            raw.push(parse_set(arg)?);
        }
        let notes = overrides::drop_superseded(&mut raw, before);
        let mut s = Scenario::from_raw(self.file.clone(), &self.name, raw)?;
        s.notes = self.notes.iter().cloned().chain(notes).collect();
        Ok(s)
    }

    /// Applies overrides written in another file (e.g. the arms of a comparison) in order,
    /// later winning, and re-checks the whole scenario. Each value is checked like a value in
    /// a scenario file, and errors name the override's own location. Path values are relative
    /// to `dir`, the folder of the file that sets them.
    pub fn with_overrides(&self, overrides: &[Override], dir: &Path) -> Result<Scenario> {
        let mut raw = self.explicit_entries();
        for o in overrides {
            raw.push(raw_entry(&o.key, &o.value, &o.location, dir)?);
        }
        Scenario::from_raw(self.file.clone(), &self.name, raw)
    }

    /// The explicitly set entries, in key order, ready to be layered again.
    fn explicit_entries(&self) -> Vec<RawEntry> {
        self.params
            .iter()
            .filter_map(|(k, e)| {
                e.location.clone().map(|location| RawEntry {
                    spec: spec::find(k).expect("resolved keys are known"),
                    value: e.value.clone(),
                    location,
                })
            })
            .collect()
    }

    /// The record written to the manifest.
    pub fn record(&self) -> ScenarioRecord<'_> {
        ScenarioRecord {
            file: self.file.as_ref().map(|p| p.display().to_string()),
            parameters: self.params.to_json(),
            _marker: std::marker::PhantomData,
        }
    }
}

/// A parameter override written outside a scenario file: its dotted key, its TOML value and
/// where it was written (so a bad key or value is reported there).
#[derive(Clone, Debug)]
pub struct Override {
    /// Dotted key, e.g. `sisa.beta`.
    pub key: String,
    /// The value as written.
    pub value: toml_edit::Value,
    /// Where it was written.
    pub location: Location,
}

struct RawEntry {
    spec: &'static ParamSpec,
    value: Value,
    location: Location,
}

#[cfg(test)]
mod tests;
