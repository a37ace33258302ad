//! The files of a comparison: `comparison.csv`, `effects.csv`, `cost_effectiveness.csv`,
//! `summary.json`, the charts, `report.html` and `manifest.json` (last), rendered from a
//! [`Comparison`] and written atomically. Kept apart from the running of arms in `mod.rs`
//! so that what is computed and how it is laid out on disk can be read separately.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::{decision, report, Comparison, CostEffect, Effect, Estimate};
use crate::error::{Error, Result};
use crate::output::{self, atomic, fmt_f64, RunInfo};
use crate::stats::Interval;

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
/// sorted. `lo,hi` is the level's 95% interval, on the log scale for outcomes that cannot be
/// negative ([`super::analysis::level`]); `diff_lo,diff_hi` the paired difference's plain
/// t-interval. The baseline's diff is 0; an undefined cell is empty.
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
    use crate::compare::{analysis, ArmPlan, Plan};
    use crate::engine::{Row, Series};
    use crate::scenario::Scenario;

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
        // replicates (150 and 250 person-weeks, so two replicates give a wide interval, on the
        // log scale and so above zero, where mean ± t(1)·SE would reach −435), the paired
        // difference does not.
        let row = csv
            .lines()
            .find(|l| l.starts_with("spend,hikikomori_person_weeks,"))
            .unwrap();
        let cells: Vec<f64> = row.split(',').skip(2).map(|c| c.parse().unwrap()).collect();
        assert_eq!(cells[0], 200.0, "{row}");
        assert!(
            cells[1] > 0.0 && cells[1] < 10.0 && cells[2] > 4000.0,
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
}
