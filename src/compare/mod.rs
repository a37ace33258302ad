//! Policy comparison: run several arms of one base scenario and say what each changes.
//!
//! A question like "given one budget, what do one-to-one services and community building each
//! do?" is answered by running the same population under each policy and comparing. Done
//! naively, the differences drown in run-to-run noise. Here every arm of replicate r draws
//! from the same random streams (the engine keys streams by seed, replicate and purpose, never
//! by policy), so the noise is common to all arms and cancels in the paired difference
//! arm − baseline; `--independent` turns this off, to show what it buys.
//!
//! The pieces: [`file`] reads and checks the comparison file (every error located, every arm
//! resolved before anything runs); [`execute`] runs the arms and replicates in parallel;
//! [`analysis`] computes outcomes, paired differences and rankings, [`cost`] the
//! cost-effectiveness; [`report`]
//! renders a self-contained HTML page whose sentences are generated from the numbers;
//! [`write`] (in `outputs.rs`, with the CSV and JSON files) puts everything on disk
//! atomically, manifest last.

pub mod analysis;
mod answer;
pub mod cost;
pub mod decision;
pub mod file;
pub mod html;
mod outputs;
pub mod report;
mod tables;
pub mod uncertainty;
pub mod units;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::Series;
use crate::error::Result;
use crate::scenario::Scenario;
use crate::stats::Interval;
pub use analysis::{CostEffect, Effect, Estimate, Headline, Outcomes};
pub use file::{load, ArmPlan, Plan};
pub use outputs::{comparison_csv, cost_csv, effects_csv, summary_json, write, COST_HEADER};

/// One arm's results.
#[derive(Clone, Debug)]
pub struct ArmResult {
    /// One series per replicate, in replicate order.
    pub series: Vec<Series>,
    /// Per-replicate outcome values.
    pub outcomes: Outcomes,
    /// Level and paired difference from the baseline for each outcome.
    pub effects: BTreeMap<String, Effect>,
    /// Cost-effectiveness against the baseline (all `None` for the baseline itself).
    pub cost: CostEffect,
}

/// Health-economics conventions of a comparison, from its baseline arm's scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conventions {
    /// Currency name shown beside every amount (`policy.currency`); `None` for models without
    /// a budget.
    pub currency: Option<String>,
    /// Annual discount rate applied weekly to costs and person-years (`policy.discount_rate`).
    pub discount_rate: f64,
}

impl Conventions {
    /// Reads `policy.currency` and `policy.discount_rate` where they apply.
    pub fn of(s: &Scenario) -> Conventions {
        let p = &s.params;
        let currency = (p.applies("policy.currency"))
            .then(|| p.opt_str("policy.currency").map(str::to_string))
            .flatten();
        let discount_rate = match p.get("policy.discount_rate") {
            Some(crate::scenario::Value::Float(r)) if p.applies("policy.discount_rate") => *r,
            _ => 0.0,
        };
        Conventions {
            currency,
            discount_rate,
        }
    }

    /// `amount` followed by the currency, e.g. "1,000,000 GBP".
    pub fn money(&self, amount: &str) -> String {
        match &self.currency {
            Some(c) => format!("{amount} {c}"),
            None => amount.to_string(),
        }
    }
}

/// The answer in brief: the headline outcome, the arms ranked on it, how often each arm was
/// best, and the paired difference between every two arms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    /// The outcome arms are ranked on.
    pub headline: Headline,
    /// Arm indices, best first.
    pub order: Vec<usize>,
    /// Per arm (arm order), the share of replicates in which it was best.
    pub probability_best: Option<Vec<f64>>,
    /// `pairwise[i][j]`: paired difference arm i − arm j on the headline.
    pub pairwise: Vec<Vec<Option<Interval>>>,
}

/// A finished comparison: the plan and every arm's results, in arm order.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// What was run.
    pub plan: Plan,
    /// Results, in the order of `plan.arms`.
    pub arms: Vec<ArmResult>,
    /// Currency and discounting.
    pub conventions: Conventions,
    /// Arms ranked on the headline outcome, when every arm has one.
    pub ranking: Option<Ranking>,
    /// The posterior whose draws replicate r of every arm used (`--posterior`), if any.
    pub posterior: Option<std::path::PathBuf>,
}

/// Number of agents in an arm's population, for totals such as bridging ties gained.
pub fn agent_count(s: &crate::scenario::Scenario) -> Option<f64> {
    let key = match s.model.as_str() {
        "withdrawal" => "population.n",
        _ => "graph.n",
    };
    if !s.params.applies(key) {
        return None;
    }
    match s.params.get(key) {
        Some(crate::scenario::Value::Int(n)) => Some(*n as f64),
        _ => None,
    }
}

impl Comparison {
    /// Analyses the series of each arm (in arm order, one series per replicate).
    pub fn new(plan: Plan, series: Vec<Vec<Series>>) -> Comparison {
        let conventions = Conventions::of(&plan.arms[plan.baseline].scenario);
        let outcomes: Vec<Outcomes> = series
            .iter()
            .map(|s| analysis::outcomes(s, conventions.discount_rate))
            .collect();
        let refs: Vec<&Outcomes> = outcomes.iter().collect();
        let ranking = analysis::headline(&refs).map(|h| Ranking {
            headline: h,
            order: analysis::ranking(&refs, h),
            probability_best: analysis::probability_best(&refs, h),
            pairwise: analysis::pairwise(&refs, h.outcome),
        });
        let base = &outcomes[plan.baseline];
        let arms = series
            .into_iter()
            .zip(&outcomes)
            .enumerate()
            .map(|(k, (series, o))| ArmResult {
                effects: analysis::effects(o, base),
                cost: if k == plan.baseline {
                    CostEffect::default()
                } else {
                    analysis::cost_effect(o, base, agent_count(&plan.arms[k].scenario))
                },
                outcomes: o.clone(),
                series,
            })
            .collect();
        Comparison {
            plan,
            arms,
            conventions,
            ranking,
            posterior: None,
        }
    }

    /// Every outcome name any arm has, sorted.
    pub fn outcome_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .arms
            .iter()
            .flat_map(|a| a.effects.keys().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The baseline arm's plan and results.
    pub fn baseline(&self) -> (&ArmPlan, &ArmResult) {
        (
            &self.plan.arms[self.plan.baseline],
            &self.arms[self.plan.baseline],
        )
    }
}

/// Total progress steps: every simulated week, counting a shared burn-in once per group of
/// arms that share it ([`execute`]).
pub fn progress_total(plan: &Plan) -> u64 {
    let runs: u64 = plan
        .arms
        .iter()
        .map(|a| a.scenario.ticks as u64 * a.scenario.replicates as u64)
        .sum();
    let burn_in: u64 = burn_in_groups(plan)
        .iter()
        .map(|g| {
            let s = &plan.arms[g[0]].scenario;
            crate::run::burn_in_ticks(s) * s.replicates as u64
        })
        .sum();
    runs + burn_in
}

/// Runs every arm on the current rayon pool, arms and replicates in parallel; results are in
/// arm and replicate order whatever the scheduling. `progress` is called once per
/// replicate-tick.
///
/// Withdrawal arms that differ only in keys the burn-in never reads (funding, levers, a later
/// shock) share one burn-in per replicate: the burn-in is built once and each arm continues
/// from a copy, with the same result as running the arm alone. The work is cut into
/// [`units`] (burn-in group × replicate), the same units shards and MPI ranks run.
pub fn execute(plan: Plan, progress: &(dyn Fn() + Sync)) -> Result<Comparison> {
    units::execute_cached(plan, progress, None)
}

/// Arm indices grouped so that each group can share a burn-in (withdrawal model), in order of
/// first arm; for other models every arm is its own group.
fn burn_in_groups(plan: &Plan) -> Vec<Vec<usize>> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, arm) in plan.arms.iter().enumerate() {
        if plan.model() != "withdrawal" {
            groups.push((String::new(), vec![k]));
            continue;
        }
        let sig = crate::models::withdrawal::burn_in_signature(&arm.scenario);
        match groups.iter_mut().find(|(s, _)| *s == sig) {
            Some((_, members)) => members.push(k),
            None => groups.push((sig, vec![k])),
        }
    }
    groups.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    /// A withdrawal-like replicate: `count` hikikomori each week, spending `weekly` a week.
    #[test]
    fn progress_counts_every_simulated_week_including_a_shared_burn_in() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let sets = |extra: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = [
                "model=withdrawal",
                "population.n=200",
                "withdrawal.burn_in_ticks=3",
                "ticks=2",
                "replicates=2",
            ]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect();
            v.sort();
            v
        };
        let arm = |name: &str, extra: &[&str]| ArmPlan {
            name: name.into(),
            description: String::new(),
            changes: vec![],
            scenario: Scenario::from_sets(name, &sets(extra)).unwrap(),
        };
        let plan = Plan {
            file: "c.toml".into(),
            question: "q".into(),
            base: "b.toml".into(),
            baseline: 0,
            common_random_numbers: true,
            seed: 1,
            common: vec![],
            arms: vec![
                arm("none", &[]),
                arm("spend", &["policy.budget=10000", "policy.services_share=1"]),
            ],
        };
        // One shared burn-in of 3 weeks per replicate, then 2 weeks per arm and replicate.
        assert_eq!(progress_total(&plan), 2 * 3 + 2 * 2 * 2);
        assert_eq!(
            crate::run::progress_total(&plan.arms[0].scenario),
            2 * (3 + 2)
        );
        let count = AtomicU64::new(0);
        let total = progress_total(&plan);
        execute(plan, &|| {
            count.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(count.load(Ordering::Relaxed), total);
    }
}
