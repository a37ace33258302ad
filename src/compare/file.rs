//! The comparison file: TOML naming a base scenario and the arms to run on it.
//!
//! It is parsed with spans (`toml_edit::ImDocument`), so every mistake is reported at its
//! file:line:column: an unknown key (with the likely key), a value of the wrong type, an arm
//! without a name, two arms with one name, an override that is not a parameter or is out of
//! range, a base scenario that does not exist. Parameter overrides are checked by the scenario
//! loader itself ([`Scenario::with_overrides`]), so an arm's `set` obeys exactly the rules of a
//! scenario file. Every arm is resolved before anything runs, so one bad arm stops the whole
//! comparison before any work is done or any file is written.
//!
//! Overrides are layered in this order, later winning: the base scenario, the top-level
//! `seed` and `replicates`, the top-level `[set]`, the arm's `set`, then `--set` on the command
//! line. Arms may not change `seed`, `replicates`, `ticks` or `model`: replicate r of every arm
//! must be the same experiment with the same random streams, differing only in policy.

use std::path::{Path, PathBuf};

use toml_edit::{Item, TableLike};

use crate::error::{Error, Location, Result};
use crate::scenario::{self, spec, Override, Scenario};
use crate::study::fields::{self, FileKind, Spans};

/// Keys allowed at the top of a comparison file.
pub const TOP_KEYS: &[&str] = &[
    "question",
    "base",
    "replicates",
    "seed",
    "baseline_arm",
    "common_random_numbers",
    "set",
    "arm",
    "uncertainty",
];

/// Keys allowed in an `[[arm]]` table.
pub const ARM_KEYS: &[&str] = &["name", "description", "set"];

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

/// Seed offset between arms under `--independent`: arm k uses `seed + SEED_STRIDE * k`.
pub const SEED_STRIDE: u64 = 1_000_003;

/// One arm, resolved and checked.
#[derive(Clone, Debug)]
pub struct ArmPlan {
    /// Name (letters, digits, `_`, `-`, `.`), used in CSV files and the report.
    pub name: String,
    /// Free-text description from the file (may be empty).
    pub description: String,
    /// The keys this arm's `set` changes, with their resolved values as text.
    pub changes: Vec<(String, String)>,
    /// The scenario this arm runs: the base with every override applied.
    pub scenario: Scenario,
}

/// A checked comparison, ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The comparison file.
    pub file: PathBuf,
    /// The question the comparison answers.
    pub question: String,
    /// The base scenario file (resolved against the comparison file's folder).
    pub base: PathBuf,
    /// Index of the baseline arm in [`Plan::arms`].
    pub baseline: usize,
    /// Whether all arms share the seed (common random numbers).
    pub common_random_numbers: bool,
    /// The master seed (arm k uses `seed + SEED_STRIDE * k` without common random numbers).
    pub seed: u64,
    /// Keys set for every arm (top-level `seed`, `replicates`, `[set]`, `--set`), resolved.
    pub common: Vec<(String, String)>,
    /// The arms, in file order.
    pub arms: Vec<ArmPlan>,
}

impl Plan {
    /// The model every arm runs.
    pub fn model(&self) -> &str {
        &self.arms[self.baseline].scenario.model
    }

    /// Ticks after tick 0, shared by every arm.
    pub fn ticks(&self) -> u32 {
        self.arms[self.baseline].scenario.ticks
    }

    /// Replicates per arm, shared by every arm.
    pub fn replicates(&self) -> u32 {
        self.arms[self.baseline].scenario.replicates
    }

    /// The baseline arm.
    pub fn baseline_arm(&self) -> &ArmPlan {
        &self.arms[self.baseline]
    }
}

/// A string value with its location.
struct Located<T> {
    value: T,
    location: Location,
}

/// Loads and checks the comparison file at `path`, its base scenario and every arm.
/// `sets` are `--set key=value` overrides applied to every arm last; `independent` gives each
/// arm its own seed (as does `common_random_numbers = false` in the file).
pub fn load(path: &Path, sets: &[String], independent: bool) -> Result<Plan> {
    let doc = fields::parse(path, FileKind::Compare)?;
    let sp = Spans {
        path,
        text: doc.raw(),
        kind: FileKind::Compare,
    };
    let top = doc.as_table();

    let mut question = None;
    let mut base = None;
    let mut baseline_name: Option<Located<String>> = None;
    let mut crn = true;
    let mut common_overrides: Vec<Override> = Vec::new();
    let mut set_overrides: Vec<Override> = Vec::new();
    let mut arm_tables: Vec<(&dyn TableLike, Option<std::ops::Range<usize>>)> = Vec::new();
    let mut arm_key_span = None;

    for (key, item) in top.iter() {
        let key_span = top.key(key).and_then(|k| k.span());
        match key {
            "question" => question = Some(text_value(&sp, key, item, key_span.clone())?),
            "base" => base = Some(text_value(&sp, key, item, key_span.clone())?),
            "baseline_arm" => baseline_name = Some(text_value(&sp, key, item, key_span.clone())?),
            "common_random_numbers" => match item.as_value() {
                Some(toml_edit::Value::Boolean(b)) => crn = *b.value(),
                _ => {
                    return Err(sp.err(
                        item.span().or(key_span),
                        format!("`{key}` must be true or false, found {}", item_type(item)),
                    ))
                }
            },
            "seed" | "replicates" => match item.as_value() {
                Some(v) => common_overrides.push(Override {
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
                flatten_set(&sp, table, &mut set_overrides)?;
            }
            "arm" => {
                arm_key_span = key_span.clone();
                match item {
                    Item::ArrayOfTables(a) => {
                        for t in a.iter() {
                            arm_tables.push((t as &dyn TableLike, t.span()));
                        }
                    }
                    Item::Value(toml_edit::Value::Array(a)) => {
                        for v in a.iter() {
                            match v {
                                toml_edit::Value::InlineTable(t) => {
                                    arm_tables.push((t as &dyn TableLike, v.span()))
                                }
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
            }
            // Parameter uncertainty, read and checked by `super::uncertainty::read`.
            "uncertainty" => {}
            other => return Err(sp.err(key_span, unknown_key(other, TOP_KEYS, "[set]"))),
        }
    }

    let question = question.ok_or_else(|| {
        missing(
            path,
            "question",
            "the question the comparison answers, in quotes",
        )
    })?;
    let base = base.ok_or_else(|| {
        missing(
            path,
            "base",
            "the scenario file the arms start from, relative to this file",
        )
    })?;
    if question.value.trim().is_empty() {
        return Err(Error::Compare {
            location: question.location,
            message: "`question` must not be empty".to_string(),
        });
    }

    // Arms: names, descriptions, overrides; all checked before the base is even read.
    struct RawArm {
        name: String,
        name_location: Location,
        description: String,
        overrides: Vec<Override>,
    }
    let mut arms: Vec<RawArm> = Vec::new();
    for (table, span) in &arm_tables {
        let mut name: Option<Located<String>> = None;
        let mut description = String::new();
        let mut overrides = Vec::new();
        for (key, item) in table.iter() {
            let key_span = table.key(key).and_then(|k| k.span());
            match key {
                "name" => name = Some(text_value(&sp, "name", item, key_span)?),
                "description" => description = text_value(&sp, key, item, key_span)?.value,
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
                    flatten_set(&sp, t, &mut overrides)?;
                }
                other => {
                    return Err(sp.err(key_span, unknown_key(other, ARM_KEYS, "the arm's `set`")))
                }
            }
        }
        let name = name.ok_or_else(|| {
            sp.err(
                span.clone(),
                "this arm has no `name` (add e.g. name = \"no_policy\")".to_string(),
            )
        })?;
        check_arm_name(&name)?;
        if let Some(first) = arms.iter().find(|a| a.name == name.value) {
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
        arms.push(RawArm {
            name: name.value,
            name_location: name.location,
            description,
            overrides,
        });
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
    let baseline = match &baseline_name {
        None => 0,
        Some(b) => arms.iter().position(|a| a.name == b.value).ok_or_else(|| {
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
        })?,
    };

    // The base scenario, then every arm on top of it.
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let base_path = dir.join(&base.value);
    crate::input::require_file(&base_path, "base scenario", &base.location)?;
    let base_scenario = Scenario::load(&base_path, &[])?;
    let crn = crn && !independent;
    let mut shared = common_overrides;
    shared.extend(set_overrides);
    let mut resolved = Vec::with_capacity(arms.len());
    for (k, arm) in arms.into_iter().enumerate() {
        let mut overrides = shared.clone();
        overrides.extend(arm.overrides.iter().cloned());
        let mut s = base_scenario.with_overrides(&overrides, &dir)?;
        if !sets.is_empty() {
            s = s.with_sets(sets)?;
        }
        if !crn && k > 0 {
            let seed = s
                .seed
                .checked_add(SEED_STRIDE * k as u64)
                .filter(|x| *x <= i64::MAX as u64)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "seed {} is too large for independent streams over {} arms",
                        s.seed, k
                    ))
                })?;
            s = s.with_sets(&[format!("seed={seed}")])?;
        }
        let changes = arm
            .overrides
            .iter()
            .map(|o| o.key.clone())
            .collect::<Vec<_>>();
        resolved.push(ArmPlan {
            changes: describe(&s, &changes),
            name: arm.name,
            description: arm.description,
            scenario: s,
        });
    }
    let seed = resolved[0].scenario.seed;
    let mut common_keys: Vec<String> = shared.iter().map(|o| o.key.clone()).collect();
    for arg in sets {
        if let Some((k, _)) = arg.split_once('=') {
            common_keys.push(k.trim().to_string());
        }
    }
    let common = describe(&resolved[baseline].scenario, &common_keys);
    Ok(Plan {
        file: path.to_path_buf(),
        question: question.value,
        base: base_path,
        baseline,
        common_random_numbers: crn,
        seed,
        common,
        arms: resolved,
    })
}

/// `(key, resolved value as text)` for each distinct key, in first-mention order.
fn describe(s: &Scenario, keys: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for k in keys {
        if out.iter().any(|(kk, _)| kk == k) {
            continue;
        }
        if let Some(v) = s.params.get(k) {
            out.push((k.clone(), v.display()));
        }
    }
    out
}

fn missing(path: &Path, key: &str, what: &str) -> Error {
    Error::Compare {
        location: Location::WholeFile(path.to_path_buf()),
        message: format!("missing `{key}` ({what})"),
    }
}

fn item_type(item: &Item) -> &'static str {
    match item {
        Item::Value(v) => scenario::type_name(v),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::None => "nothing",
    }
}

/// A text value, or an error at the value.
fn text_value(
    sp: &Spans<'_>,
    key: &str,
    item: &Item,
    key_span: Option<std::ops::Range<usize>>,
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
fn unknown_key(key: &str, allowed: &[&str], params_go: &str) -> String {
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

/// Flattens a `set` table into dotted-key overrides with the scenario loader's
/// [`scenario::flatten`]. Both `"population.n" = 1` and nested tables (`[set.population]`,
/// `set = { population = { n = 1 } }`) are accepted. A known key is located at its value (where
/// a bad value is), an unknown one at its key.
fn flatten_set(sp: &Spans<'_>, table: &dyn TableLike, out: &mut Vec<Override>) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const BASE: &str = "model = \"sisa\"\nticks = 5\n[graph]\nn = 200\nk = 4\n[sisa]\nbeta = 0.1\n";

    fn setup(compare: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "base.toml", BASE);
        let p = write(dir.path(), "c.toml", compare);
        (dir, p)
    }

    fn err(compare: &str) -> String {
        let (_d, p) = setup(compare);
        let e = load(&p, &[], false).unwrap_err();
        assert!(e.is_input_error(), "{e}");
        e.to_string()
    }

    const GOOD: &str = r#"question = "Does beta matter?"
base = "base.toml"
replicates = 3
seed = 9
baseline_arm = "high"
[set]
"graph.n" = 300
[[arm]]
name = "low"
description = "Low beta"
set = { "sisa.beta" = 0.05 }
[[arm]]
name = "high"
[arm.set.sisa]
beta = 0.2
"#;

    #[test]
    fn parses_arms_overrides_and_baseline() {
        let (_d, p) = setup(GOOD);
        let plan = load(&p, &[], false).unwrap();
        assert_eq!(plan.question, "Does beta matter?");
        assert_eq!(plan.arms.len(), 2);
        assert_eq!(plan.baseline, 1);
        assert_eq!(plan.seed, 9);
        assert_eq!(plan.replicates(), 3);
        assert!(plan.common_random_numbers);
        let low = &plan.arms[0].scenario;
        let high = &plan.arms[1].scenario;
        assert_eq!(low.params.f64("sisa.beta"), 0.05);
        assert_eq!(high.params.f64("sisa.beta"), 0.2);
        assert_eq!(low.params.i64("graph.n"), 300);
        assert_eq!(low.seed, high.seed);
        assert_eq!(plan.arms[0].description, "Low beta");
        assert_eq!(
            plan.arms[1].changes,
            vec![("sisa.beta".to_string(), "0.2".to_string())]
        );
        assert!(plan
            .common
            .iter()
            .any(|(k, v)| k == "graph.n" && v == "300"));
    }

    #[test]
    fn command_line_sets_win_and_independent_shifts_seeds() {
        let (_d, p) = setup(GOOD);
        let plan = load(&p, &["sisa.beta=0.3".into()], true).unwrap();
        assert!(!plan.common_random_numbers);
        assert_eq!(plan.arms[0].scenario.params.f64("sisa.beta"), 0.3);
        assert_eq!(plan.arms[0].scenario.seed, 9);
        assert_eq!(plan.arms[1].scenario.seed, 9 + SEED_STRIDE);
        let (_d, p) = setup(&GOOD.replace("seed = 9", "seed = 9\ncommon_random_numbers = false"));
        assert!(!load(&p, &[], false).unwrap().common_random_numbers);
    }

    #[test]
    fn unknown_top_key_suggests_the_likely_key() {
        let e = err(&GOOD.replace("replicates = 3", "replicate = 3"));
        assert!(e.contains("c.toml:3:1"), "{e}");
        assert!(e.contains("did you mean `replicates`?"), "{e}");
    }

    #[test]
    fn parameter_at_top_level_says_where_it_belongs() {
        let e = err(&GOOD.replace("seed = 9", "seed = 9\nticks = 4"));
        assert!(
            e.contains("c.toml:5:1") && e.contains("put it under [set]"),
            "{e}"
        );
    }

    #[test]
    fn arm_without_name_is_located_at_its_table() {
        let e = err(&GOOD.replace("name = \"high\"\n", ""));
        assert!(e.contains("c.toml:12:1") && e.contains("no `name`"), "{e}");
    }

    #[test]
    fn duplicate_arm_names_name_both_places() {
        let e = err(&GOOD.replace("name = \"high\"", "name = \"low\""));
        assert!(e.contains("c.toml:13:8"), "{e}");
        assert!(e.contains("first at") && e.contains("c.toml:9:8"), "{e}");
    }

    #[test]
    fn override_that_is_not_a_parameter_is_located_in_the_compare_file() {
        let e = err(&GOOD.replace("{ \"sisa.beta\" = 0.05 }", "{ \"sisa.bta\" = 0.05 }"));
        assert!(e.contains("c.toml:11:9"), "{e}");
        assert!(e.contains("did you mean `sisa.beta`?"), "{e}");
        let e = err(&GOOD.replace("beta = 0.2", "beta = 1.5"));
        assert!(
            e.contains("c.toml:15:8") && e.contains("out of range"),
            "{e}"
        );
    }

    #[test]
    fn array_of_tables_in_a_set_is_located() {
        let (_d, p) = setup(&GOOD.replace("[set]\n", "[[set.graph]]\n"));
        let e = load(&p, &[], false).unwrap_err();
        assert!(matches!(e, Error::Compare { .. }), "{e}");
        let e = e.to_string();
        assert!(
            e.ends_with("c.toml:6:1: `[[graph]]` is not a parameter override"),
            "{e}"
        );
        // `extends` is not a comparison key: it is located at the key, as any unknown key.
        let e = err(&GOOD.replace("[set]\n", "[set]\nextends = \"base.toml\"\n"));
        assert!(e.contains("c.toml:7:1: unknown key `extends`"), "{e}");
    }

    #[test]
    fn arms_cannot_change_shared_keys() {
        let e = err(&GOOD.replace("beta = 0.2", "beta = 0.2\n[arm.set]\nticks = 3"));
        assert!(e.contains("cannot set `ticks`"), "{e}");
    }

    #[test]
    fn missing_base_names_the_file_and_the_key() {
        let e = err(&GOOD.replace("base.toml", "nope.toml"));
        assert!(e.contains("nope.toml") && e.contains("c.toml:2:8"), "{e}");
    }

    #[test]
    fn unknown_baseline_and_too_few_arms() {
        let e = err(&GOOD.replace("baseline_arm = \"high\"", "baseline_arm = \"hihg\""));
        assert!(
            e.contains("did you mean `high`?") && e.contains("c.toml:5:16"),
            "{e}"
        );
        let one = GOOD
            .split("[[arm]]\nname = \"high\"")
            .next()
            .unwrap()
            .replace("baseline_arm = \"high\"\n", "");
        let e = err(&one);
        assert!(e.contains("at least two"), "{e}");
    }

    #[test]
    fn bad_toml_and_bad_types_are_located() {
        let e = err("question = \"x\nbase = 1\n");
        assert!(e.contains("c.toml:1:"), "{e}");
        let e = err(&GOOD.replace("question = \"Does beta matter?\"", "question = 3"));
        assert!(
            e.contains("c.toml:1:12") && e.contains("must be text"),
            "{e}"
        );
        let e = err(&GOOD.replace("name = \"low\"", "name = \"a,b\""));
        assert!(e.contains("only letters"), "{e}");
    }
}
