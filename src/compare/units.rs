//! A comparison as independent work units, and the one place their results are assembled.
//!
//! A comparison is many runs that do not talk to each other: every replicate of every arm.
//! To spread it over threads, job-array shards or MPI ranks, it is cut into [`Unit`]s of
//! (burn-in group × replicate): the arms that can share a burn-in (see
//! [`crate::models::withdrawal::execute_sharing_burn_in`]) stay together in one unit, so the
//! burn-in is still built once per replicate wherever the unit runs; for other models every
//! arm is its own group. [`run_unit`] computes one unit from the plan alone, and [`assemble`]
//! puts any set of unit results, in any order, back into a [`Comparison`] in the fixed arm and
//! replicate order. Single-process `compare`, `compare --shard` + `merge` and MPI all go
//! through these two functions, which is why their outputs are byte-identical.

use crate::engine::{Exec, Series};
use crate::error::{Error, Result};
use crate::models::withdrawal::burn_in_cache::BurnInCache;
use crate::scenario::Scenario;

use super::{burn_in_groups, Comparison, Plan};

/// One unit of work: replicate `replicate` of every arm in burn-in group `group`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit {
    /// Index into [`groups`] of the plan.
    pub group: usize,
    /// Replicate index.
    pub replicate: u32,
}

/// What one unit computed: one series per member arm of its group, in group order.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitResult {
    /// The unit.
    pub unit: Unit,
    /// One series per arm of the group, in the order of [`groups`].
    pub series: Vec<Series>,
}

/// Arm indices grouped by shared burn-in, in order of first arm (each arm alone for models
/// without a burn-in). [`Unit::group`] indexes this list.
pub fn groups(plan: &Plan) -> Vec<Vec<usize>> {
    burn_in_groups(plan)
}

/// Every unit of the plan, group-major then replicate order. This order is fixed by the plan
/// alone, so a shard `K/N` can take its share of it on any machine.
pub fn units(plan: &Plan) -> Vec<Unit> {
    groups(plan)
        .iter()
        .enumerate()
        .flat_map(|(g, members)| {
            let replicates = plan.arms[members[0]].scenario.replicates;
            (0..replicates).map(move |replicate| Unit {
                group: g,
                replicate,
            })
        })
        .collect()
}

/// Runs one unit on the current rayon pool (arms and agents in parallel); `progress` is called
/// once per replicate-tick. The result is the same wherever and whenever it runs.
pub fn run_unit(plan: &Plan, unit: Unit, progress: &(dyn Fn() + Sync)) -> Result<UnitResult> {
    run_unit_cached(plan, unit, progress, None)
}

/// [`run_unit`], taking each burnt-in state from `cache` (or saving it there) when one is
/// given (withdrawal comparisons): the same result.
pub fn run_unit_cached(
    plan: &Plan,
    unit: Unit,
    progress: &(dyn Fn() + Sync),
    cache: Option<&BurnInCache>,
) -> Result<UnitResult> {
    let groups = groups(plan);
    let members = check_unit(plan, &groups, unit)?;
    let series = if plan.model() == "withdrawal" {
        let scenarios: Vec<&Scenario> = members.iter().map(|&k| &plan.arms[k].scenario).collect();
        crate::models::withdrawal::execute_sharing_burn_in_replicate_cached(
            &scenarios,
            unit.replicate,
            Exec::Parallel,
            progress,
            cache,
        )?
    } else {
        members
            .iter()
            .map(|&k| {
                crate::run::execute_replicate(
                    &plan.arms[k].scenario,
                    unit.replicate,
                    Exec::Parallel,
                    progress,
                )
            })
            .collect::<Result<_>>()?
    };
    Ok(UnitResult { unit, series })
}

/// [`run_unit`] with checkpoints in `ck`, continuing from what it already holds: the same
/// result. Withdrawal comparisons only (see [`crate::checkpoint::supported`]).
pub fn run_unit_checkpointed(
    plan: &Plan,
    unit: Unit,
    progress: &(dyn Fn() + Sync),
    ck: &crate::checkpoint::Checkpoints,
) -> Result<UnitResult> {
    crate::checkpoint::supported(plan.model())?;
    let groups = groups(plan);
    let members = check_unit(plan, &groups, unit)?;
    let scenarios: Vec<&Scenario> = members.iter().map(|&k| &plan.arms[k].scenario).collect();
    let series = crate::models::withdrawal::resume::execute_unit(
        &scenarios,
        unit.group,
        unit.replicate,
        Exec::Parallel,
        progress,
        ck,
    )?;
    Ok(UnitResult { unit, series })
}

/// [`super::execute`], with the burnt-in states taken from (or saved to) `cache` when one is
/// given: every unit through [`run_unit_cached`], assembled as always, so the comparison is
/// identical with or without it.
pub fn execute_cached(
    plan: Plan,
    progress: &(dyn Fn() + Sync),
    cache: Option<&BurnInCache>,
) -> Result<Comparison> {
    if cache.is_some() {
        crate::run::cache_supported(plan.model())?;
    }
    use rayon::prelude::*;
    let results = units(&plan)
        .par_iter()
        .map(|&unit| run_unit_cached(&plan, unit, progress, cache))
        .collect::<Result<Vec<_>>>()?;
    assemble(plan, results)
}

/// [`super::execute`] with checkpoints in `ck` (continuing from what it holds): every unit
/// through [`run_unit_checkpointed`], assembled as always, so the comparison is identical.
pub fn execute_checkpointed(
    plan: Plan,
    progress: &(dyn Fn() + Sync),
    ck: &crate::checkpoint::Checkpoints,
) -> Result<Comparison> {
    use rayon::prelude::*;
    let results = units(&plan)
        .par_iter()
        .map(|&unit| run_unit_checkpointed(&plan, unit, progress, ck))
        .collect::<Result<Vec<_>>>()?;
    assemble(plan, results)
}

/// The members of `unit`'s group, or an error if the unit is not one of the plan's.
fn check_unit<'g>(plan: &Plan, groups: &'g [Vec<usize>], unit: Unit) -> Result<&'g [usize]> {
    let members = groups.get(unit.group).ok_or_else(|| {
        Error::Usage(format!(
            "work unit (group {}, replicate {}) is not part of this comparison: it has {} \
             burn-in group(s)",
            unit.group,
            unit.replicate,
            groups.len()
        ))
    })?;
    let replicates = plan.arms[members[0]].scenario.replicates;
    if unit.replicate >= replicates {
        return Err(Error::Usage(format!(
            "work unit (group {}, replicate {}) is not part of this comparison: it has {} \
             replicate(s)",
            unit.group, unit.replicate, replicates
        )));
    }
    Ok(members)
}

/// Puts unit results (in any order) back in arm and replicate order and analyses them. Every
/// unit of the plan must appear exactly once, each with one series per member arm; otherwise
/// the error names the unit.
pub fn assemble(plan: Plan, results: Vec<UnitResult>) -> Result<Comparison> {
    let groups = groups(&plan);
    let mut slots: Vec<Vec<Option<Series>>> = plan
        .arms
        .iter()
        .map(|a| vec![None; a.scenario.replicates as usize])
        .collect();
    for result in results {
        let unit = result.unit;
        let members = check_unit(&plan, &groups, unit)?;
        if result.series.len() != members.len() {
            return Err(Error::Usage(format!(
                "work unit (group {}, replicate {}) has {} series, but its group has {} arm(s)",
                unit.group,
                unit.replicate,
                result.series.len(),
                members.len()
            )));
        }
        for (&k, series) in members.iter().zip(result.series) {
            let slot = &mut slots[k][unit.replicate as usize];
            if slot.is_some() {
                return Err(Error::Usage(format!(
                    "work unit (group {}, replicate {}) was given twice",
                    unit.group, unit.replicate
                )));
            }
            *slot = Some(series);
        }
    }
    let mut series = Vec::with_capacity(slots.len());
    for (k, arm) in slots.into_iter().enumerate() {
        let mut by_replicate = Vec::with_capacity(arm.len());
        for (r, s) in arm.into_iter().enumerate() {
            match s {
                Some(s) => by_replicate.push(s),
                None => {
                    let group = groups.iter().position(|m| m.contains(&k)).unwrap_or(0);
                    return Err(Error::Usage(format!(
                        "work unit (group {group}, replicate {r}) is missing: arm `{}` has no \
                         result for it",
                        plan.arms[k].name
                    )));
                }
            }
        }
        series.push(by_replicate);
    }
    Ok(Comparison::new(plan, series))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny withdrawal comparison whose arms all share one burn-in, and a SISa one whose
    /// arms are each their own group.
    fn plan(file: &str, sets: &[&str]) -> Plan {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        super::super::load(&root.join(file), &sets, false).unwrap()
    }

    fn withdrawal() -> Plan {
        plan(
            "scenarios/policy/micro_vs_community.toml",
            &["population.n=200", "ticks=3", "replicates=2"],
        )
    }

    fn sisa() -> Plan {
        plan(
            "tests/fixtures/compare/beta.toml",
            &["graph.n=300", "ticks=5", "replicates=2"],
        )
    }

    /// The series the comparison ran before it was cut into units: whole groups at once.
    fn whole(plan: &Plan) -> Vec<Vec<Series>> {
        let mut out = vec![Vec::new(); plan.arms.len()];
        for members in groups(plan) {
            let scenarios: Vec<&Scenario> =
                members.iter().map(|&k| &plan.arms[k].scenario).collect();
            let results = if plan.model() == "withdrawal" {
                crate::models::withdrawal::execute_sharing_burn_in(
                    &scenarios,
                    Exec::Parallel,
                    &|| {},
                )
                .unwrap()
            } else {
                scenarios
                    .iter()
                    .map(|s| crate::run::execute(s, Exec::Parallel, &|| {}).unwrap())
                    .collect()
            };
            for (&k, r) in members.iter().zip(results) {
                out[k] = r.series;
            }
        }
        out
    }

    fn unit_series(plan: &Plan, reverse: bool) -> Vec<Vec<Series>> {
        let mut units = units(plan);
        if reverse {
            units.reverse();
        }
        let results = units
            .iter()
            .map(|&u| run_unit(plan, u, &|| {}).unwrap())
            .collect();
        let c = assemble(plan.clone(), results).unwrap();
        c.arms.into_iter().map(|a| a.series).collect()
    }

    #[test]
    fn units_give_the_series_of_whole_groups_in_any_order() {
        for plan in [withdrawal(), sisa()] {
            let expected = whole(&plan);
            assert_eq!(unit_series(&plan, false), expected, "{}", plan.model());
            assert_eq!(unit_series(&plan, true), expected, "{}", plan.model());
        }
    }

    #[test]
    fn withdrawal_arms_share_a_burn_in_within_a_unit() {
        let plan = withdrawal();
        assert_eq!(groups(&plan).len(), 1);
        assert_eq!(units(&plan).len(), 2);
        let sisa = sisa();
        assert_eq!(groups(&sisa).len(), 3);
        assert_eq!(units(&sisa).len(), 6);
    }

    #[test]
    fn assemble_names_a_missing_or_repeated_unit() {
        let plan = sisa();
        let results: Vec<UnitResult> = units(&plan)
            .iter()
            .map(|&u| run_unit(&plan, u, &|| {}).unwrap())
            .collect();
        let mut missing = results.clone();
        missing.remove(3);
        let e = assemble(plan.clone(), missing).unwrap_err().to_string();
        assert!(e.contains("(group 1, replicate 1) is missing"), "{e}");
        let mut twice = results.clone();
        twice.push(results[0].clone());
        let e = assemble(plan.clone(), twice).unwrap_err().to_string();
        assert!(e.contains("(group 0, replicate 0) was given twice"), "{e}");
        let bad = Unit {
            group: 0,
            replicate: 9,
        };
        let e = run_unit(&plan, bad, &|| {}).unwrap_err().to_string();
        assert!(e.contains("has 2 replicate(s)"), "{e}");
    }
}
