//! Resolving checked arms into runnable scenarios: the base scenario with every layer of
//! overrides applied, in order.
//!
//! Why a file of its own: the layering is the comparison's contract with the scenario loader
//! (base, then the top-level `seed`, `replicates` and `[set]`, then the arm's `set`, then
//! `--set`, each checked by [`Scenario::with_overrides`] exactly as in a scenario file), and
//! the seeds of independent arms are derived here; reading the file's shape is elsewhere.

use std::path::Path;

use super::arms::RawArm;
use super::parse::Located;
use super::{ArmPlan, Plan, SEED_STRIDE};
use crate::error::{Error, Result};
use crate::scenario::{Override, Scenario};

/// A comparison file read and checked up to its arms, not yet applied to the base scenario.
pub(super) struct Draft {
    pub(super) question: Located<String>,
    pub(super) base: Located<String>,
    pub(super) arms: Vec<RawArm>,
    pub(super) baseline: usize,
    /// `common_random_numbers` from the file (`--independent` may still turn it off).
    pub(super) crn: bool,
    /// Overrides for every arm, in order: the top-level `seed` and `replicates`, then `[set]`.
    pub(super) shared: Vec<Override>,
}

/// Loads the base scenario (relative to the comparison file at `path`) and resolves every arm
/// on it; `sets` (`--set`) apply to every arm last, and without common random numbers arm k
/// runs with `seed + SEED_STRIDE * k`.
pub(super) fn resolve(path: &Path, d: Draft, sets: &[String], independent: bool) -> Result<Plan> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let base_path = dir.join(&d.base.value);
    crate::input::require_file(&base_path, "base scenario", &d.base.location)?;
    let base_scenario = Scenario::load(&base_path, &[])?;
    let crn = d.crn && !independent;
    let shared = d.shared;
    let mut resolved = Vec::with_capacity(d.arms.len());
    for (k, arm) in d.arms.into_iter().enumerate() {
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
    let common = describe(&resolved[d.baseline].scenario, &common_keys);
    Ok(Plan {
        file: path.to_path_buf(),
        question: d.question.value,
        base: base_path,
        baseline: d.baseline,
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
