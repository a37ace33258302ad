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
//! [`analysis`] computes outcomes, paired differences and cost-effectiveness; [`report`]
//! renders a self-contained HTML page whose sentences are generated from the numbers;
//! [`write`] puts everything on disk atomically, manifest last.

pub mod analysis;
pub mod decision;
pub mod file;
pub mod html;
pub mod report;
mod tables;
pub mod uncertainty;
pub mod units;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::Series;
use crate::error::{Error, Result};
use crate::output::{self, atomic, fmt_f64, RunInfo};
use crate::scenario::Scenario;
use crate::stats::Interval;
pub use analysis::{CostEffect, Effect, Estimate, Headline, Outcomes};
pub use file::{load, ArmPlan, Plan};

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
    let results = units::units(&plan)
        .par_iter()
        .map(|&unit| units::run_unit(&plan, unit, progress))
        .collect::<Result<Vec<_>>>()?;
    units::assemble(plan, results)
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

/// `comparison.csv`: `arm,replicate,tick,metric,value`, arm-major, then as `timeseries.csv`.
pub fn comparison_csv(c: &Comparison) -> String {
    let mut out = String::from("arm,replicate,tick,metric,value\n");
    for (plan, arm) in c.plan.arms.iter().zip(&c.arms) {
        for s in &arm.series {
            for row in &s.rows {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    plan.name,
                    s.replicate,
                    row.tick,
                    s.metrics[row.metric as usize],
                    fmt_f64(row.value)
                );
            }
        }
    }
    out
}

/// `effects.csv`: `arm,metric,mean,lo,hi,diff,diff_lo,diff_hi`, arms in file order, outcomes
/// sorted. The baseline's diff is 0; an undefined cell is empty.
pub fn effects_csv(c: &Comparison) -> String {
    let mut out = String::from("arm,metric,mean,lo,hi,diff,diff_lo,diff_hi\n");
    for (plan, arm) in c.plan.arms.iter().zip(&c.arms) {
        for (name, e) in &arm.effects {
            let (d, dl, dh) = match e.diff {
                Some(d) => (fmt_f64(d.mean), fmt_f64(d.lo), fmt_f64(d.hi)),
                None => Default::default(),
            };
            let _ = writeln!(
                out,
                "{},{},{},{},{},{d},{dl},{dh}",
                plan.name,
                name,
                fmt_f64(e.level.mean),
                fmt_f64(e.level.lo),
                fmt_f64(e.level.hi),
            );
        }
    }
    out
}

/// Header of `cost_effectiveness.csv`. Spend and person-years are discounted at
/// `discount_rate` (last column); person-weeks are not; cases averted are read at the final
/// week; amounts are in `currency`.
pub const COST_HEADER: &str = "arm,spend,spend_diff,\
person_weeks_averted,person_weeks_averted_lo,person_weeks_averted_hi,\
person_years_averted,person_years_averted_lo,person_years_averted_hi,\
cost_per_person_year_averted,cost_per_person_year_averted_lo,cost_per_person_year_averted_hi,\
person_years_averted_per_million,person_years_averted_per_million_lo,person_years_averted_per_million_hi,\
cases_averted_final_week,cases_averted_final_week_lo,cases_averted_final_week_hi,\
bridging_ties_gained,bridging_ties_gained_lo,bridging_ties_gained_hi,\
bridging_ties_gained_per_million,bridging_ties_gained_per_million_lo,bridging_ties_gained_per_million_hi,\
currency,discount_rate";

/// `cost_effectiveness.csv`: one row per non-baseline arm. Cells are empty where a quantity is
/// not defined: its metrics are absent, the arm spends no more than the baseline, it averts
/// nothing, or (for an upper bound of a cost per person-year) the interval of person-years
/// averted reaches 0.
pub fn cost_csv(c: &Comparison) -> String {
    let opt = |x: Option<f64>| x.map(fmt_f64).unwrap_or_default();
    let iv = |x: Option<Interval>| -> [String; 3] {
        match x {
            Some(i) => [fmt_f64(i.mean), fmt_f64(i.lo), fmt_f64(i.hi)],
            None => Default::default(),
        }
    };
    let est = |x: Option<Estimate>| -> [String; 3] {
        match x {
            Some(e) => [fmt_f64(e.value), opt(e.lo), opt(e.hi)],
            None => Default::default(),
        }
    };
    let conv = &c.conventions;
    let mut out = format!("{COST_HEADER}\n");
    for (k, (plan, arm)) in c.plan.arms.iter().zip(&c.arms).enumerate() {
        if k == c.plan.baseline {
            continue;
        }
        let ce = &arm.cost;
        let mut cells = vec![
            plan.name.clone(),
            opt(ce.spend.map(|s| s.mean)),
            opt(ce.spend_diff.map(|s| s.mean)),
        ];
        cells.extend(iv(ce.person_weeks_averted));
        cells.extend(iv(ce.person_years_averted));
        cells.extend(est(ce.cost_per_person_year_averted));
        cells.extend(est(ce.person_years_averted_per_million));
        cells.extend(iv(ce.cases_averted_final_week));
        cells.extend(iv(ce.bridging_ties_gained));
        cells.extend(est(ce.bridging_ties_gained_per_million));
        cells.push(csv_text(conv.currency.as_deref().unwrap_or("")));
        cells.push(fmt_f64(conv.discount_rate));
        let _ = writeln!(out, "{}", cells.join(","));
    }
    out
}

/// A CSV cell for free text: quoted when it holds a comma, quote or line break.
fn csv_text(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[derive(Serialize)]
struct RankingSummary<'a> {
    outcome: &'a str,
    lower_is_better: bool,
    /// Arm names, best first.
    order: Vec<&'a str>,
    /// Arm name → share of replicates in which it was best.
    probability_best: Option<BTreeMap<&'a str, f64>>,
    /// Arm name → arm name → paired difference (row arm minus column arm).
    pairwise: BTreeMap<&'a str, BTreeMap<&'a str, Interval>>,
}

#[derive(Serialize)]
struct ArmSummary<'a> {
    name: &'a str,
    description: &'a str,
    baseline: bool,
    seed: u64,
    changes: BTreeMap<&'a str, &'a str>,
    outcomes: &'a BTreeMap<String, Effect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_effectiveness: Option<&'a CostEffect>,
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    question: &'a str,
    model: &'a str,
    baseline_arm: &'a str,
    seed: u64,
    replicates: u32,
    ticks: u32,
    common_random_numbers: bool,
    currency: Option<&'a str>,
    discount_rate: f64,
    ranking: Option<RankingSummary<'a>>,
    arms: Vec<ArmSummary<'a>>,
}

/// `summary.json`: per arm, every outcome's level and paired difference with intervals, and
/// cost-effectiveness against the baseline. Undefined numbers are `null`.
pub fn summary_json(c: &Comparison) -> String {
    let p = &c.plan;
    let file = SummaryFile {
        question: &p.question,
        model: p.model(),
        baseline_arm: &p.baseline_arm().name,
        seed: p.seed,
        replicates: p.replicates(),
        ticks: p.ticks(),
        common_random_numbers: p.common_random_numbers,
        currency: c.conventions.currency.as_deref(),
        discount_rate: c.conventions.discount_rate,
        ranking: c.ranking.as_ref().map(|r| {
            let name = |k: usize| p.arms[k].name.as_str();
            RankingSummary {
                outcome: r.headline.outcome,
                lower_is_better: r.headline.lower_is_better,
                order: r.order.iter().map(|&k| name(k)).collect(),
                probability_best: r
                    .probability_best
                    .as_ref()
                    .map(|pb| pb.iter().enumerate().map(|(k, v)| (name(k), *v)).collect()),
                pairwise: r
                    .pairwise
                    .iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let cells = row
                            .iter()
                            .enumerate()
                            .filter_map(|(j, d)| d.map(|d| (name(j), d)))
                            .collect();
                        (name(i), cells)
                    })
                    .collect(),
            }
        }),
        arms: p
            .arms
            .iter()
            .zip(&c.arms)
            .enumerate()
            .map(|(k, (a, r))| ArmSummary {
                name: &a.name,
                description: &a.description,
                baseline: k == p.baseline,
                seed: a.scenario.seed,
                changes: a
                    .changes
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect(),
                outcomes: &r.effects,
                cost_effectiveness: (k != p.baseline).then_some(&r.cost),
            })
            .collect(),
    };
    json(&file)
}

#[derive(Serialize)]
struct ManifestArm<'a> {
    name: &'a str,
    description: &'a str,
    seed: u64,
    resolved: crate::scenario::ScenarioRecord<'a>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    question: &'a str,
    compare_file: String,
    base: String,
    model: &'a str,
    baseline_arm: &'a str,
    seed: u64,
    replicates: u32,
    ticks: u32,
    common_random_numbers: bool,
    version: &'a str,
    git_commit: Option<&'a str>,
    run: &'a RunInfo,
    arms: Vec<ManifestArm<'a>>,
    files: Vec<String>,
}

fn json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("output types serialize");
    s.push('\n');
    s
}

/// Writes every result file of a comparison to `dir` (created if needed): `comparison.csv`,
/// `effects.csv`, `cost_effectiveness.csv`, `summary.json`, any charts, `report.html`, and
/// `manifest.json` last, so its presence means the rest is complete. Returns the file names.
pub fn write(dir: &Path, c: &Comparison, info: &RunInfo) -> Result<Vec<String>> {
    atomic::create_dir(dir)?;
    let mut files: Vec<(&str, String)> = vec![
        ("comparison.csv", comparison_csv(c)),
        ("effects.csv", effects_csv(c)),
        ("cost_effectiveness.csv", cost_csv(c)),
        ("summary.json", summary_json(c)),
    ];
    files.extend(decision::csvs(c));
    for (name, text) in &files {
        atomic::write(&dir.join(name), text.as_bytes())?;
    }
    let mut names: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
    let mut charts = Vec::new();
    for chart in output::charts::comparison_charts(dir, c)? {
        for path in &chart.files {
            // The page inlines the PNG of each chart; the SVG twin is listed, not inlined.
            if path.extension().is_some_and(|e| e == "png") {
                let bytes = std::fs::read(path).map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?;
                charts.push((chart.title.clone(), bytes));
            }
            let rel = path.strip_prefix(dir).unwrap_or(path);
            names.push(rel.display().to_string());
        }
    }
    atomic::write(
        &dir.join("report.html"),
        report::report_html(c, &charts).as_bytes(),
    )?;
    names.push("report.html".into());
    names.push("manifest.json".into());
    let p = &c.plan;
    let (version, git_commit) = output::build_info();
    let manifest = Manifest {
        question: &p.question,
        compare_file: p.file.display().to_string(),
        base: p.base.display().to_string(),
        model: p.model(),
        baseline_arm: &p.baseline_arm().name,
        seed: p.seed,
        replicates: p.replicates(),
        ticks: p.ticks(),
        common_random_numbers: p.common_random_numbers,
        version,
        git_commit,
        run: info,
        arms: p
            .arms
            .iter()
            .map(|a| ManifestArm {
                name: &a.name,
                description: &a.description,
                seed: a.scenario.seed,
                resolved: a.scenario.record(),
            })
            .collect(),
        files: names.clone(),
    };
    atomic::write(&dir.join("manifest.json"), json(&manifest).as_bytes())?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Row;
    use crate::scenario::Scenario;

    /// A withdrawal-like replicate: `count` hikikomori each week, spending `weekly` a week.
    fn series(r: u32, count: f64, weekly: f64, bridging: f64) -> Series {
        let metrics = vec![
            "hikikomori_prevalence".to_string(),
            analysis::HIKIKOMORI_COUNT.to_string(),
            analysis::SPEND_CUMULATIVE.to_string(),
            analysis::BRIDGING.to_string(),
        ];
        let mut rows = Vec::new();
        for t in 0..=10u32 {
            let vals = [count / 1000.0, count, weekly * t as f64, bridging];
            for (m, v) in vals.iter().enumerate() {
                rows.push(Row {
                    tick: t,
                    metric: m as u16,
                    value: *v,
                });
            }
        }
        Series {
            replicate: r,
            metrics,
            rows,
            distributions: vec![],
        }
    }

    fn comparison() -> Comparison {
        let s = Scenario::from_sets(
            "t",
            &["model=withdrawal".into(), "population.n=1000".into()],
        )
        .unwrap();
        let arm = |name: &str| ArmPlan {
            name: name.into(),
            description: String::new(),
            changes: vec![],
            scenario: s.clone(),
        };
        let plan = Plan {
            file: "c.toml".into(),
            question: "q".into(),
            base: "b.toml".into(),
            baseline: 0,
            common_random_numbers: true,
            seed: 1,
            common: vec![],
            arms: vec![arm("none"), arm("spend")],
        };
        let none = vec![series(0, 20.0, 0.0, 0.5), series(1, 30.0, 0.0, 0.5)];
        let spend = vec![
            series(0, 15.0, 100_000.0, 0.6),
            series(1, 25.0, 100_000.0, 0.6),
        ];
        Comparison::new(plan, vec![none, spend])
    }

    #[test]
    fn effects_csv_has_zero_baseline_differences() {
        let csv = effects_csv(&comparison());
        assert!(csv.contains("\nnone,spend,0,0,0,0,0,0\n"), "{csv}");
        assert!(csv.contains("\nnone,hikikomori_person_weeks,250,"), "{csv}");
        // 5 fewer cases every week for 10 weeks in both replicates: the levels vary between
        // replicates, the paired difference does not.
        let row = csv
            .lines()
            .find(|l| l.starts_with("spend,hikikomori_person_weeks,"))
            .unwrap();
        assert!(
            row.starts_with("spend,hikikomori_person_weeks,200,-"),
            "{row}"
        );
        assert!(row.ends_with(",-50,-50,-50"), "{row}");
    }

    #[test]
    fn cost_csv_has_one_row_per_arm_and_the_arithmetic() {
        let c = comparison();
        let csv = cost_csv(&c);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        let cells: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(cells.len(), COST_HEADER.split(',').count());
        // 1,000,000 spent; 50 person-weeks averted, 50/52 person-years: 1,040,000 per
        // person-year; 5 cases at the final week; 0.1 more bridging ties per agent on 1000
        // agents: 100 ties, 100 per million.
        let num = |i: usize| cells[i].parse::<f64>().unwrap();
        assert_eq!(&cells[..4], &["spend", "1000000", "1000000", "50"]);
        assert!((num(6) - 50.0 / 52.0).abs() < 1e-9);
        assert!((num(9) - 1_040_000.0).abs() < 1e-6);
        assert_eq!(cells[15], "5");
        assert!((num(18) - 100.0).abs() < 1e-9);
        assert!((num(21) - 100.0).abs() < 1e-9);
        assert_eq!(&cells[24..], &["money units", "0"]);
        assert!(!csv.contains("NaN"));
        let html = report::report_html(&c, &[]);
        assert!(html.contains("Cost-effectiveness</h2>"), "{html}");
        assert!(
            html.contains(
                "It spent 1.00 million money units more: 1.04 million money units (95% interval"
            ),
            "{html}"
        );
        assert!(
            html.contains("Cost per person-year of hikikomori averted"),
            "{html}"
        );
    }

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
