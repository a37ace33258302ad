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
//!
//! The work is split by stage: `parse.rs` reads the top-level keys into located values,
//! `arms.rs` checks the arms (names, shared keys, count, baseline) and `resolve.rs` applies
//! them to the base scenario; this file holds the resulting [`Plan`] and [`load`], which runs
//! the stages in order.

mod arms;
mod parse;
mod resolve;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::scenario::Scenario;
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

/// Loads and checks the comparison file at `path`, its base scenario and every arm.
/// `sets` are `--set key=value` overrides applied to every arm last; `independent` gives each
/// arm its own seed (as does `common_random_numbers = false` in the file).
///
/// The checks run in a fixed order, so the first mistake in a file is the one reported: the
/// top-level keys in file order (`parse.rs`), the required `question` and `base`, each arm in
/// file order and then the arm count and the baseline (`arms.rs`), and last the base scenario
/// and every arm's overrides on it (`resolve.rs`).
pub fn load(path: &Path, sets: &[String], independent: bool) -> Result<Plan> {
    let doc = fields::parse(path, FileKind::Compare)?;
    let sp = Spans {
        path,
        text: doc.raw(),
        kind: FileKind::Compare,
    };
    let top = parse::read_top(&sp, doc.as_table())?;
    let question = top.question.ok_or_else(|| {
        parse::missing(
            path,
            "question",
            "the question the comparison answers, in quotes",
        )
    })?;
    let base = top.base.ok_or_else(|| {
        parse::missing(
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
    let arms = arms::read_arms(&sp, path, &top.arm_tables, top.arm_key_span)?;
    let baseline = arms::baseline_index(&arms, top.baseline_name.as_ref())?;
    let mut shared = top.common_overrides;
    shared.extend(top.set_overrides);
    let draft = resolve::Draft {
        question,
        base,
        arms,
        baseline,
        crn: top.crn,
        shared,
    };
    resolve::resolve(path, draft, sets, independent)
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
