//! Reading the comparison file's top-level keys into located values.
//!
//! Why a file of its own: this is the part that knows TOML's shapes (a key may hold text, a
//! boolean, a table, an array of tables or an inline array of tables) and turns each into a
//! value that remembers its file:line:column, or into a located error that says what was
//! expected and what was found. What the values mean (is the arm list long enough, does the
//! baseline exist, do the overrides fit the scenario) is checked in `arms.rs` and
//! `resolve.rs`.

use std::ops::Range;
use std::path::Path;

use toml_edit::{Item, Table, TableLike};

use super::TOP_KEYS;
use crate::error::{Error, Location, Result};
use crate::scenario::{self, spec, Override};
use crate::study::fields::Spans;

/// A value with its location.
pub(super) struct Located<T> {
    pub(super) value: T,
    pub(super) location: Location,
}

/// The top level of a comparison file, each value located; nothing checked beyond its type.
pub(super) struct Top<'a> {
    pub(super) question: Option<Located<String>>,
    pub(super) base: Option<Located<String>>,
    pub(super) baseline_name: Option<Located<String>>,
    /// `common_random_numbers` (default true).
    pub(super) crn: bool,
    /// The top-level `seed` and `replicates`.
    pub(super) common_overrides: Vec<Override>,
    /// The top-level `[set]`.
    pub(super) set_overrides: Vec<Override>,
    /// Every `[[arm]]` table (or inline arm table), with its span.
    pub(super) arm_tables: Vec<(&'a dyn TableLike, Option<Range<usize>>)>,
    /// Where the `arm` key is, if there is one.
    pub(super) arm_key_span: Option<Range<usize>>,
}

/// Reads every top-level key of `top`, in file order, failing at the first key that is unknown
/// or has the wrong type (`[uncertainty]` is read separately, by `super::super::uncertainty`).
pub(super) fn read_top<'a>(sp: &Spans<'_>, top: &'a Table) -> Result<Top<'a>> {
    let mut t = Top {
        question: None,
        base: None,
        baseline_name: None,
        crn: true,
        common_overrides: Vec::new(),
        set_overrides: Vec::new(),
        arm_tables: Vec::new(),
        arm_key_span: None,
    };
    for (key, item) in top.iter() {
        let key_span = top.key(key).and_then(|k| k.span());
        match key {
            "question" => t.question = Some(text_value(sp, key, item, key_span.clone())?),
            "base" => t.base = Some(text_value(sp, key, item, key_span.clone())?),
            "baseline_arm" => t.baseline_name = Some(text_value(sp, key, item, key_span.clone())?),
            "common_random_numbers" => match item.as_value() {
                Some(toml_edit::Value::Boolean(b)) => t.crn = *b.value(),
                _ => {
                    return Err(sp.err(
                        item.span().or(key_span),
                        format!("`{key}` must be true or false, found {}", item_type(item)),
                    ))
                }
            },
            "seed" | "replicates" => match item.as_value() {
                Some(v) => t.common_overrides.push(Override {
                    key: key.to_string(),
                    value: v.clone(),
                    location: sp.at(v.span().or(key_span)),
                }),
                None => {
                    return Err(sp.err(
                        item.span().or(key_span),
                        format!("`{key}` must be an integer, found {}", item_type(item)),
                    ))
                }
            },
            "set" => {
                let table = item.as_table_like().ok_or_else(|| {
                    sp.err(
                        item.span().or(key_span.clone()),
                        format!(
                            "`set` must be a table of parameter overrides, found {}",
                            item_type(item)
                        ),
                    )
                })?;
                flatten_set(sp, table, &mut t.set_overrides)?;
            }
            "arm" => {
                t.arm_key_span = key_span.clone();
                arm_tables(sp, item, key_span, &mut t.arm_tables)?;
            }
            // Parameter uncertainty, read and checked by `super::super::uncertainty::read`.
            "uncertainty" => {}
            other => return Err(sp.err(key_span, unknown_key(other, TOP_KEYS, "[set]"))),
        }
    }
    Ok(t)
}

/// The arm tables under the `arm` key: `[[arm]]` tables, or an inline array of inline tables.
fn arm_tables<'a>(
    sp: &Spans<'_>,
    item: &'a Item,
    key_span: Option<Range<usize>>,
    out: &mut Vec<(&'a dyn TableLike, Option<Range<usize>>)>,
) -> Result<()> {
    match item {
        Item::ArrayOfTables(a) => {
            for t in a.iter() {
                out.push((t as &dyn TableLike, t.span()));
            }
        }
        Item::Value(toml_edit::Value::Array(a)) => {
            for v in a.iter() {
                match v {
                    toml_edit::Value::InlineTable(t) => out.push((t as &dyn TableLike, v.span())),
                    _ => {
                        return Err(sp.err(
                            v.span(),
                            "each arm must be a table (write `[[arm]]`)".to_string(),
                        ))
                    }
                }
            }
        }
        _ => {
            return Err(sp.err(
                item.span().or(key_span),
                "arms are written as `[[arm]]` tables".to_string(),
            ))
        }
    }
    Ok(())
}

/// The error for a required top-level key that is absent.
pub(super) fn missing(path: &Path, key: &str, what: &str) -> Error {
    Error::Compare {
        location: Location::WholeFile(path.to_path_buf()),
        message: format!("missing `{key}` ({what})"),
    }
}

/// How a TOML item's type reads in a message ("a table", "an integer", …).
pub(super) fn item_type(item: &Item) -> &'static str {
    match item {
        Item::Value(v) => scenario::type_name(v),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::None => "nothing",
    }
}

/// A text value, or an error at the value.
pub(super) fn text_value(
    sp: &Spans<'_>,
    key: &str,
    item: &Item,
    key_span: Option<Range<usize>>,
) -> Result<Located<String>> {
    match item.as_value() {
        Some(v @ toml_edit::Value::String(s)) => Ok(Located {
            value: s.value().clone(),
            location: sp.at(v.span().or(key_span)),
        }),
        _ => Err(sp.err(
            item.span().or(key_span),
            format!("`{key}` must be text in quotes, found {}", item_type(item)),
        )),
    }
}

/// The message for an unknown key: the likely key, or where a parameter belongs.
pub(super) fn unknown_key(key: &str, allowed: &[&str], params_go: &str) -> String {
    let is_param = spec::find(key).is_some()
        || spec::all_specs()
            .iter()
            .any(|s| s.key.starts_with(&format!("{key}.")));
    if is_param {
        return format!(
            "`{key}` is a scenario parameter, not a comparison key; put it under {params_go}"
        );
    }
    let hint = allowed
        .iter()
        .min_by_key(|k| spec::edit_distance(k, key))
        .filter(|k| spec::edit_distance(k, key) <= 3.max(key.len() / 3))
        .map(|k| format!("did you mean `{k}`? "))
        .unwrap_or_default();
    format!("unknown key `{key}`; {hint}allowed: {}", allowed.join(", "))
}

/// Flattens a `set` table into dotted-key overrides with the scenario loader's
/// [`scenario::flatten`]. Both `"population.n" = 1` and nested tables (`[set.population]`,
/// `set = { population = { n = 1 } }`) are accepted. A known key is located at its value (where
/// a bad value is), an unknown one at its key.
pub(super) fn flatten_set(
    sp: &Spans<'_>,
    table: &dyn TableLike,
    out: &mut Vec<Override>,
) -> Result<()> {
    let mut leaves = Vec::new();
    scenario::flatten(
        table,
        "",
        &|span| sp.at(span),
        &[],
        &|location, key| Error::Compare {
            location,
            message: format!("`[[{key}]]` is not a parameter override"),
        },
        &mut leaves,
    )?;
    out.extend(leaves.into_iter().map(|(key, location, value)| Override {
        key,
        value,
        location,
    }));
    Ok(())
}
