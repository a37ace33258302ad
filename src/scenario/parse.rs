//! Parsing scenario text: TOML values flattened into dotted keys, each looked up in the
//! parameter list and converted to a checked [`Value`], with the file, line and column of
//! every value kept for errors.
//!
//! Why a module of its own: comparison, study and story files reuse the same flattening and
//! value checks ([`flatten`], [`check_value`], [`line_col`]), so a value means the same and is
//! refused with the same message wherever it is written.

use std::path::Path;

use super::spec::{self, Kind, ParamSpec, Value};
use super::RawEntry;
use crate::error::{Error, Location, Result};
use toml_edit::Item;

/// Checks one key and value written in a file whose folder is `dir`.
pub(super) fn raw_entry(
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

pub(super) fn lookup(key: &str, location: &Location) -> Result<&'static ParamSpec> {
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
pub(super) fn convert(
    spec: &ParamSpec,
    v: &toml_edit::Value,
    location: &Location,
) -> Result<Value> {
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
