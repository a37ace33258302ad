//! Scenarios: TOML files → checked, resolved parameters ready to run.
//!
//! Loading has two stages, as in ripgrep's low-level/high-level arguments: the TOML text is
//! parsed with spans and flattened into dotted keys (`graph.kind`), each checked against the
//! parameter list in [`spec`] (type, range, whether it applies); then `extends` chains and
//! `--set` overrides are layered key by key into one [`Params`] map where every value remembers
//! where it was set. Every error names the file, line and column (or the `--set` argument) and
//! what is allowed, and nothing is written before a scenario has passed all checks.

mod observed;
mod overrides;
pub mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{ImDocument, Item};

use crate::error::{Error, Location, Result};
pub use spec::{Applies, Default as Dv, Kind, ParamSpec, Value};

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

/// Checks one key and value written in a file whose folder is `dir`.
fn raw_entry(
    key: &str,
    item: &toml_edit::Value,
    location: &Location,
    dir: &Path,
) -> Result<RawEntry> {
    let spec = lookup(key, location)?;
    let value = convert(spec, item, location)?;
    let value = match (spec.kind, value) {
        (Kind::Path, Value::Str(p)) => Value::Str(dir.join(p).display().to_string()),
        (_, v) => v,
    };
    Ok(RawEntry {
        spec,
        value,
        location: location.clone(),
    })
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Longest key looked up or echoed whole; no parameter key is near this long.
pub const MAX_KEY_CHARS: usize = 100;

fn lookup(key: &str, location: &Location) -> Result<&'static ParamSpec> {
    if key.chars().count() > MAX_KEY_CHARS {
        let head: String = key.chars().take(40).collect();
        return Err(Error::Scenario {
            location: location.clone(),
            message: format!(
                "unknown key `{head}...` ({} characters; keys are at most {MAX_KEY_CHARS}; \
                 `cocoon params` lists every key)",
                key.chars().count()
            ),
        });
    }
    spec::find(key).ok_or_else(|| {
        let hint = match spec::closest_key(key) {
            Some(k) => format!("; did you mean `{k}`?"),
            None => String::new(),
        };
        Error::Scenario {
            location: location.clone(),
            message: format!("unknown key `{key}`{hint} (`cocoon params` lists every key)"),
        }
    })
}

/// Most files in one `extends` chain (the file itself included).
pub const MAX_EXTENDS_DEPTH: usize = 64;

/// Reads `path` and its `extends` chain, base first, into `out`. The chain is followed in a
/// loop (not by recursion), at most [`MAX_EXTENDS_DEPTH`] files deep, so no input can
/// overflow the stack.
fn load_layers(path: &Path, out: &mut Vec<RawEntry>) -> Result<()> {
    let mut chain: Vec<PathBuf> = Vec::new();
    // Each file's own keys, from the named file down to the base.
    let mut layers: Vec<(PathBuf, Vec<Leaf>)> = Vec::new();
    let mut next = Some((path.to_path_buf(), None::<Location>));
    while let Some((path, named_at)) = next.take() {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        if chain.contains(&canonical) {
            return Err(Error::Scenario {
                location: named_at.unwrap_or(Location::WholeFile(path.clone())),
                message: "`extends` forms a cycle".to_string(),
            });
        }
        if chain.len() >= MAX_EXTENDS_DEPTH {
            return Err(Error::Scenario {
                location: named_at.unwrap_or(Location::WholeFile(path.clone())),
                message: format!("`extends` chain is more than {MAX_EXTENDS_DEPTH} files deep"),
            });
        }
        chain.push(canonical);
        let leaves = read_layer(&path)?;
        if let Some((_, loc, item)) = leaves.iter().find(|(k, _, _)| k == "extends") {
            let base = item.as_str().ok_or_else(|| Error::Scenario {
                location: loc.clone(),
                message: "`extends` must be a file path in quotes".to_string(),
            })?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let base_path = dir.join(base);
            crate::input::require_file(&base_path, "extended scenario", loc)?;
            next = Some((base_path, Some(loc.clone())));
        }
        layers.push((path, leaves));
    }
    // Base first, so each file's keys override those of the file it extends.
    for (path, leaves) in layers.into_iter().rev() {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (key, location, item) in leaves {
            if key == "extends" {
                continue;
            }
            out.push(raw_entry(&key, &item, &location, &dir)?);
        }
    }
    Ok(())
}

/// Reads and parses one scenario file into its leaves (its `extends` is one of them).
fn read_layer(path: &Path) -> Result<Vec<Leaf>> {
    let text =
        crate::input::read_text(path, crate::input::MAX_SCENARIO_BYTES).map_err(|source| {
            Error::ReadScenario {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let doc = ImDocument::parse(text.as_str()).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
        Error::Scenario {
            location: Location::File {
                path: path.to_path_buf(),
                line,
                column,
            },
            message: format!("invalid TOML: {}", e.message()),
        }
    })?;
    let at = |span: Option<std::ops::Range<usize>>| {
        let (line, column) = span.map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
        Location::File {
            path: path.to_path_buf(),
            line,
            column,
        }
    };
    let mut leaves = Vec::new();
    flatten(
        doc.as_table(),
        "",
        &at,
        &["extends"],
        &|location, key| Error::Scenario {
            location,
            message: format!("`[[{key}]]` arrays of tables are not scenario keys"),
        },
        &mut leaves,
    )?;
    // `"sisa.beta" = 1` and `[sisa] beta = 2` in one file name the same key; TOML allows it,
    // a scenario does not (the last one would silently win).
    let mut seen: BTreeMap<&str, &Location> = BTreeMap::new();
    for (key, location, _) in &leaves {
        if let Some(first) = seen.insert(key, location) {
            return Err(Error::Scenario {
                location: location.clone(),
                message: format!("`{key}` is set twice in this file (first at {first})"),
            });
        }
    }
    Ok(leaves)
}

/// One value found by [`flatten`]: its dotted key, where to report it, and the value as written.
pub(crate) type Leaf = (String, Location, toml_edit::Value);

/// Flattens a TOML table into dotted-key leaves, appended to `out` in file order. Nested
/// tables (`[graph]`, `graph = { n = 1 }`) and dotted keys (`"graph.n" = 1`) give the same
/// key; `prefix` is the dotted key of `table` itself (`""` at the top).
///
/// `at` turns a span into a location. A key that is a parameter, or is one of `extra_known`,
/// is located at its value (where a bad value is); any other key at the key (an unknown key).
/// An array of tables is an error, built by `array_of_tables` from its location and dotted key.
pub(crate) fn flatten(
    table: &dyn toml_edit::TableLike,
    prefix: &str,
    at: &dyn Fn(Option<std::ops::Range<usize>>) -> Location,
    extra_known: &[&str],
    array_of_tables: &dyn Fn(Location, &str) -> Error,
    out: &mut Vec<Leaf>,
) -> Result<()> {
    for (k, item) in table.iter() {
        let key = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        let key_span = table.key(k).and_then(|kk| kk.span());
        match item {
            Item::None => {}
            Item::Table(t) => flatten(t, &key, at, extra_known, array_of_tables, out)?,
            Item::Value(toml_edit::Value::InlineTable(t)) => {
                flatten(t, &key, at, extra_known, array_of_tables, out)?
            }
            Item::Value(v) => {
                // Report unknown keys at the key, bad values at the value.
                let loc = if spec::find(&key).is_some() || extra_known.contains(&key.as_str()) {
                    at(v.span().or(key_span))
                } else {
                    at(key_span.or(v.span()))
                };
                out.push((key, loc, v.clone()));
            }
            Item::ArrayOfTables(a) => return Err(array_of_tables(at(a.span().or(key_span)), &key)),
        }
    }
    Ok(())
}

pub(crate) fn type_name(v: &toml_edit::Value) -> &'static str {
    match v {
        toml_edit::Value::String(_) => "text",
        toml_edit::Value::Integer(_) => "an integer",
        toml_edit::Value::Float(_) => "a number",
        toml_edit::Value::Boolean(_) => "a boolean",
        toml_edit::Value::Datetime(_) => "a date",
        toml_edit::Value::Array(_) => "a list",
        toml_edit::Value::InlineTable(_) => "a table",
    }
}

/// Converts a TOML value to the spec's type and checks its range.
fn convert(spec: &ParamSpec, v: &toml_edit::Value, location: &Location) -> Result<Value> {
    use toml_edit::Value as T;
    let wrong = || Error::Scenario {
        location: location.clone(),
        message: format!(
            "`{}` must be {}, found {}",
            spec.key,
            spec.kind.allowed(),
            type_name(v)
        ),
    };
    let value = match (spec.kind, v) {
        (Kind::Float { .. }, T::Float(f)) => Value::Float(*f.value()),
        (Kind::Float { .. }, T::Integer(i)) => Value::Float(*i.value() as f64),
        (Kind::Int { .. }, T::Integer(i)) => Value::Int(*i.value()),
        (Kind::Bool, T::Boolean(b)) => Value::Bool(*b.value()),
        (Kind::Choice(_) | Kind::Text | Kind::Path, T::String(s)) => Value::Str(s.value().clone()),
        (Kind::IntList { .. }, T::Array(a)) => {
            let mut out = Vec::new();
            for x in a.iter() {
                match x {
                    T::Integer(i) => out.push(*i.value()),
                    _ => return Err(wrong()),
                }
            }
            Value::IntList(out)
        }
        (Kind::FloatList { .. }, T::Array(a)) => {
            let mut out = Vec::new();
            for x in a.iter() {
                match x {
                    T::Float(f) => out.push(*f.value()),
                    T::Integer(i) => out.push(*i.value() as f64),
                    _ => return Err(wrong()),
                }
            }
            Value::FloatList(out)
        }
        _ => return Err(wrong()),
    };
    check_value(spec, &value).map_err(|message| Error::Scenario {
        location: location.clone(),
        message: format!("`{}` = {}: {}", spec.key, value.display(), message),
    })?;
    Ok(value)
}

/// Checks a typed value against its spec's range; the message says what is allowed.
pub fn check_value(spec: &ParamSpec, value: &Value) -> std::result::Result<(), String> {
    let out_of_range = || {
        format!(
            "out of range; allowed: {} ({})",
            spec.kind.allowed(),
            spec.unit
        )
    };
    match (spec.kind, value) {
        (Kind::Float { min, max }, Value::Float(x)) => {
            if x.is_nan() || *x < min || *x > max {
                return Err(out_of_range());
            }
        }
        (Kind::Int { min, max }, Value::Int(x)) => {
            if *x < min || *x > max {
                return Err(out_of_range());
            }
        }
        (Kind::Bool, Value::Bool(_))
        | (Kind::Text, Value::Str(_))
        | (Kind::Path, Value::Str(_)) => {}
        (Kind::Choice(choices), Value::Str(s)) => {
            if !choices.contains(&s.as_str()) {
                return Err(format!("not allowed; allowed: {}", spec.kind.allowed()));
            }
        }
        (Kind::IntList { min, max }, Value::IntList(v)) => {
            if v.is_empty() || v.iter().any(|x| *x < min || *x > max) {
                return Err(out_of_range());
            }
        }
        (Kind::FloatList { min, max }, Value::FloatList(v)) => {
            if v.is_empty() || v.iter().any(|x| x.is_nan() || *x < min || *x > max) {
                return Err(out_of_range());
            }
        }
        _ => return Err(format!("wrong type; allowed: {}", spec.kind.allowed())),
    }
    Ok(())
}

fn parse_set(arg: &str) -> Result<RawEntry> {
    let location = Location::Set(arg.to_string());
    let Some((key, text)) = arg.split_once('=') else {
        return Err(Error::Usage(format!(
            "--set {arg}: expected key=value, e.g. --set graph.n=5000"
        )));
    };
    let key = key.trim();
    let text = text.trim();
    let spec = lookup(key, &location)?;
    let parsed: std::result::Result<toml_edit::Value, _> = text.parse();
    let tv = match (spec.kind, parsed) {
        // Words need no quotes on the command line.
        (Kind::Choice(_) | Kind::Text | Kind::Path, Ok(v)) if !v.is_str() => {
            toml_edit::Value::from(text)
        }
        (Kind::Choice(_) | Kind::Text | Kind::Path, Err(_)) => toml_edit::Value::from(text),
        (_, Ok(v)) => v,
        (_, Err(_)) => {
            return Err(Error::Scenario {
                location,
                message: format!(
                    "`{key}`: cannot read \"{text}\"; allowed: {}",
                    spec.kind.allowed()
                ),
            })
        }
    };
    let value = convert(spec, &tv, &location)?;
    Ok(RawEntry {
        spec,
        value,
        location,
    })
}

fn check_applies(params: &Params) -> Result<()> {
    for (key, entry) in params.iter() {
        let Some(location) = &entry.location else {
            continue;
        };
        // A graph setting the model does not read would be written to the manifest and
        // silently ignored.
        if key.starts_with("graph.") && !observed::graph_key_applies(params, key) {
            return Err(Error::Scenario {
                location: location.clone(),
                message: observed::not_applicable(params, key),
            });
        }
        let spec = spec::find(key).expect("resolved keys are known");
        if let Applies::When { key: ctl, values } = spec.applies {
            let current = params.opt_str(ctl).unwrap_or("");
            if !values.contains(&current) {
                return Err(Error::Scenario {
                    location: location.clone(),
                    message: format!(
                        "`{key}` applies only when `{ctl}` is {} (here it is \"{current}\")",
                        values
                            .iter()
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                });
            }
        }
    }
    Ok(())
}

fn check_files(params: &Params) -> Result<()> {
    if params.opt_str("graph.kind") == Some("edge_list") && params.opt_str("graph.path").is_none() {
        return Err(Error::Scenario {
            location: params
                .location("graph.kind")
                .cloned()
                .unwrap_or(Location::Set("graph.kind".into())),
            message:
                "`graph.kind` = \"edge_list\" needs `graph.path` (a CSV with header source,target)"
                    .to_string(),
        });
    }
    for (key, what) in [("graph.path", "edge list"), ("graph.nodes", "node table")] {
        if let Some(p) = params.opt_str(key) {
            let location = params
                .location(key)
                .cloned()
                .unwrap_or(Location::Set(key.into()));
            crate::input::require_file(Path::new(p), what, &location)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn unknown_key_names_line_column_and_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "s.toml",
            "model = \"sisa\"\n[sisa]\nbta = 0.1\n",
        );
        let err = Scenario::load(&p, &[]).unwrap_err().to_string();
        assert!(err.contains("s.toml:3:1"), "{err}");
        assert!(err.contains("sisa.beta"), "{err}");
    }

    #[test]
    fn out_of_range_probability_names_position_and_range() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", "[sisa]\nbeta = 1.5\n");
        let err = Scenario::load(&p, &[]).unwrap_err().to_string();
        assert!(err.contains("s.toml:2:8"), "{err}");
        assert!(err.contains("from 0 to 1"), "{err}");
    }

    #[test]
    fn nan_and_wrong_type_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", "[sisa]\ng = nan\n");
        assert!(Scenario::load(&p, &[])
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        let p = write(dir.path(), "t.toml", "ticks = \"many\"\n");
        let err = Scenario::load(&p, &[]).unwrap_err().to_string();
        assert!(
            err.contains("t.toml:1:9") && err.contains("found text"),
            "{err}"
        );
    }

    #[test]
    fn extends_overrides_key_by_key_and_set_wins() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "base.toml",
            "ticks = 10\nseed = 5\n[sisa]\nbeta = 0.2\ng = 0.3\n",
        );
        let p = write(
            dir.path(),
            "child.toml",
            "extends = \"base.toml\"\nseed = 7\n[sisa]\nbeta = 0.4\n",
        );
        let s = Scenario::load(&p, &["sisa.g=0.5".into()]).unwrap();
        assert_eq!(s.ticks, 10);
        assert_eq!(s.seed, 7);
        assert_eq!(s.params.f64("sisa.beta"), 0.4);
        assert_eq!(s.params.f64("sisa.g"), 0.5);
        assert_eq!(s.name, "child");
    }

    #[test]
    fn set_is_validated_like_the_file() {
        let err = Scenario::from_sets("x", &["sisa.beta=2".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--set sisa.beta=2") && err.contains("out of range"),
            "{err}"
        );
        let err = Scenario::from_sets("x", &["graph.nn=3".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("graph.n"), "{err}");
        let s = Scenario::from_sets("x", &["graph.kind=erdos_renyi".into()]).unwrap();
        assert_eq!(s.params.str("graph.kind"), "erdos_renyi");
    }

    #[test]
    fn overrides_are_checked_and_located_where_they_were_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", "[sisa]\nbeta = 0.2\n");
        let base = Scenario::load(&p, &[]).unwrap();
        let at = |line| Location::File {
            path: "arms.toml".into(),
            line,
            column: 3,
        };
        let o = |key: &str, value: toml_edit::Value, line| Override {
            key: key.into(),
            value,
            location: at(line),
        };
        let s = base
            .with_overrides(
                &[o("sisa.beta", 0.3.into(), 1), o("sisa.beta", 0.4.into(), 2)],
                dir.path(),
            )
            .unwrap();
        assert_eq!(s.params.f64("sisa.beta"), 0.4);
        assert_eq!(s.params.location("sisa.beta"), Some(&at(2)));
        assert_eq!(base.params.f64("sisa.beta"), 0.2);
        let err = base
            .with_overrides(&[o("sisa.bta", 0.3.into(), 7)], dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("arms.toml:7:3") && err.contains("sisa.beta"),
            "{err}"
        );
        let err = base
            .with_overrides(&[o("graph.m", 3.into(), 8)], dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("arms.toml:8:3") && err.contains("applies only"),
            "{err}"
        );
    }

    #[test]
    fn keys_of_another_graph_kind_are_rejected() {
        let err = Scenario::from_sets("x", &["graph.kind=erdos_renyi".into(), "graph.k=4".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("applies only when `graph.kind`"), "{err}");
    }

    #[test]
    fn missing_edge_file_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "s.toml",
            "[graph]\nkind = \"edge_list\"\npath = \"nope.csv\"\n",
        );
        let err = Scenario::load(&p, &[]).unwrap_err();
        assert!(err.is_input_error());
        assert!(err.to_string().contains("nope.csv"), "{err}");
    }

    #[test]
    fn silently_ignored_or_duplicated_settings_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        for (text, needle) in [
            (
                "model = \"sisa\"\n\"sisa.beta\" = 0.1\n[sisa]\nbeta = 0.2\n",
                "`sisa.beta` is set twice in this file",
            ),
            (
                "model = \"withdrawal\"\n[graph]\nkind = \"erdos_renyi\"\n",
                "applies only when `model` is \"sisa\"",
            ),
            (
                "model = \"sisa\"\n[graph]\nkind = \"erdos_renyi\"\nn = 5\nmean_degree = 10\n",
                "must be at most graph.n - 1 = 4",
            ),
        ] {
            let p = write(dir.path(), "s.toml", text);
            let err = Scenario::load(&p, &[]).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn extends_cycle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.toml", "extends = \"b.toml\"\n");
        let p = write(dir.path(), "b.toml", "extends = \"a.toml\"\n");
        assert!(Scenario::load(&p, &[])
            .unwrap_err()
            .to_string()
            .contains("cycle"));
    }

    #[test]
    fn array_of_tables_and_bad_extends_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", "model = \"sisa\"\n[[graph]]\nn = 1\n");
        let err = Scenario::load(&p, &[]).unwrap_err();
        assert!(matches!(err, Error::Scenario { .. }), "{err}");
        let err = err.to_string();
        assert!(
            err.ends_with("s.toml:2:1: `[[graph]]` arrays of tables are not scenario keys"),
            "{err}"
        );
        // `extends` is a known key: a bad value is located at the value.
        let p = write(dir.path(), "e.toml", "extends = 3\n");
        let err = Scenario::load(&p, &[]).unwrap_err().to_string();
        assert!(
            err.ends_with("e.toml:1:11: `extends` must be a file path in quotes"),
            "{err}"
        );
    }

    #[test]
    fn graph_keys_are_an_error_for_the_withdrawal_model() {
        let err = Scenario::from_sets("w", &["model=withdrawal".into(), "graph.n=500".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`graph.n` applies only when `model` is \"sisa\""),
            "{err}"
        );
        assert!(err.contains("--set graph.n=500"), "{err}");
        let w = Scenario::from_sets("w", &["model=withdrawal".into()]).unwrap();
        assert!(!w.params.applies("graph.kind"));
        assert!(!w.params.to_json().contains_key("graph.kind"));
        let s = Scenario::from_sets("s", &["graph.n=500".into()]).unwrap();
        assert!(s.params.applies("graph.n"));
    }
}
