//! The arms of a comparison file: each arm's name, description and overrides, checked.
//!
//! Why a file of its own: these are the rules that make a comparison a fair experiment and its
//! outputs readable, and they are checked before the base scenario is even read: every arm has
//! a unique name fit for a CSV cell, no arm changes what all arms must share (seed,
//! replicates, ticks, model), there are at least two arms, and the baseline names one of them.

use std::ops::Range;
use std::path::Path;

use toml_edit::TableLike;

use super::parse::{flatten_set, item_type, text_value, unknown_key, Located};
use super::ARM_KEYS;
use crate::error::{Error, Location, Result};
use crate::scenario::{spec, Override};
use crate::study::fields::Spans;

/// Parameters an arm may not change, with the reason given to the user.
const SHARED_KEYS: &[(&str, &str)] = &[
    (
        "seed",
        "all arms share the seed (set the top-level `seed`, or use --independent)",
    ),
    (
        "replicates",
        "all arms run the same replicates (set the top-level `replicates`)",
    ),
    (
        "ticks",
        "all arms run for the same ticks (set `ticks` under the top-level [set])",
    ),
    (
        "model",
        "all arms run the same model (set `model` in the base scenario)",
    ),
];

/// One arm as written: checked on its own, not yet applied to the base scenario.
pub(super) struct RawArm {
    pub(super) name: String,
    pub(super) name_location: Location,
    pub(super) description: String,
    pub(super) overrides: Vec<Override>,
}

/// Reads and checks every arm table, in file order, then that there are at least two
/// (`arm_key_span` locates that error; the whole file without an `arm` key).
pub(super) fn read_arms(
    sp: &Spans<'_>,
    path: &Path,
    tables: &[(&dyn TableLike, Option<Range<usize>>)],
    arm_key_span: Option<Range<usize>>,
) -> Result<Vec<RawArm>> {
    let mut arms: Vec<RawArm> = Vec::new();
    for (table, span) in tables {
        let arm = read_arm(sp, *table, span.clone(), &arms)?;
        arms.push(arm);
    }
    if arms.len() < 2 {
        let location = match arm_key_span {
            Some(s) => sp.at(Some(s)),
            None => Location::WholeFile(path.to_path_buf()),
        };
        return Err(Error::Compare {
            location,
            message: format!(
                "a comparison needs at least two `[[arm]]` tables, found {}",
                arms.len()
            ),
        });
    }
    Ok(arms)
}

/// One arm table: its keys, a valid name not used by an `earlier` arm, and overrides that
/// leave the shared keys alone (checked in that order).
fn read_arm(
    sp: &Spans<'_>,
    table: &dyn TableLike,
    span: Option<Range<usize>>,
    earlier: &[RawArm],
) -> Result<RawArm> {
    let mut name: Option<Located<String>> = None;
    let mut description = String::new();
    let mut overrides = Vec::new();
    for (key, item) in table.iter() {
        let key_span = table.key(key).and_then(|k| k.span());
        match key {
            "name" => name = Some(text_value(sp, "name", item, key_span)?),
            "description" => description = text_value(sp, key, item, key_span)?.value,
            "set" => {
                let t = item.as_table_like().ok_or_else(|| {
                    sp.err(
                        item.span().or(key_span.clone()),
                        format!(
                            "an arm's `set` must be a table of parameter overrides, found {}",
                            item_type(item)
                        ),
                    )
                })?;
                flatten_set(sp, t, &mut overrides)?;
            }
            other => return Err(sp.err(key_span, unknown_key(other, ARM_KEYS, "the arm's `set`"))),
        }
    }
    let name = name.ok_or_else(|| {
        sp.err(
            span,
            "this arm has no `name` (add e.g. name = \"no_policy\")".to_string(),
        )
    })?;
    check_arm_name(&name)?;
    if let Some(first) = earlier.iter().find(|a| a.name == name.value) {
        return Err(Error::Compare {
            location: name.location,
            message: format!(
                "arm name `{}` is used twice (first at {}); arm names must be unique",
                name.value, first.name_location
            ),
        });
    }
    for o in &overrides {
        if let Some((_, why)) = SHARED_KEYS.iter().find(|(k, _)| *k == o.key) {
            return Err(Error::Compare {
                location: o.location.clone(),
                message: format!("an arm cannot set `{}`: {why}", o.key),
            });
        }
    }
    Ok(RawArm {
        name: name.value,
        name_location: name.location,
        description,
        overrides,
    })
}

fn check_arm_name(name: &Located<String>) -> Result<()> {
    let ok = !name.value.is_empty()
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Compare {
            location: name.location.clone(),
            message: format!(
                "arm name \"{}\" must be non-empty and use only letters, digits, `_`, `-` and `.` \
                 (it labels CSV rows)",
                name.value
            ),
        })
    }
}

/// The index of the baseline arm: the one `baseline_arm` names (with the likely name when it
/// names none), or the first.
pub(super) fn baseline_index(arms: &[RawArm], baseline: Option<&Located<String>>) -> Result<usize> {
    let Some(b) = baseline else {
        return Ok(0);
    };
    arms.iter().position(|a| a.name == b.value).ok_or_else(|| {
        let names: Vec<&str> = arms.iter().map(|a| a.name.as_str()).collect();
        let hint = names
            .iter()
            .min_by_key(|n| spec::edit_distance(n, &b.value))
            .filter(|n| spec::edit_distance(n, &b.value) <= 3)
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        Error::Compare {
            location: b.location.clone(),
            message: format!(
                "`baseline_arm` = \"{}\" is not an arm; {hint}arms: {}",
                b.value,
                names.join(", ")
            ),
        }
    })
}
