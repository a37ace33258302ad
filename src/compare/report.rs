//! `report.html`: one self-contained page answering the comparison's question.
//!
//! A funder reads the first screen and stops, so the page leads with the answer (written by
//! `answer.rs`): the question, then the arms ranked on the headline outcome with their paired
//! differences and intervals, the best arm and how often it was best over paired replicates,
//! and the cost per person-year averted. Short per-arm paragraphs, arm-vs-arm differences,
//! the cost-effectiveness table, the charts and the full table of effects follow as detail.
//!
//! The page has no external resources (inline CSS, charts as base64 `data:` images), so it can
//! be mailed or archived as a single file. Tables never widen the page: each sits in its own
//! scroll box, numbers wrap at the interval, and a print stylesheet fits A4. Every sentence
//! about results is generated from the numbers in [`Comparison`] (differences, intervals,
//! whether an interval excludes zero), never written by hand, so the text cannot drift from
//! the tables. All text from input files (question, arm names and descriptions, parameter
//! values, currency) is HTML-escaped.

use std::fmt::Write as _;

use super::analysis;
pub use super::html::{base64, escape, fmt_num};
use super::html::{currency_suffix, diff_text, estimate_text, money, money_num};
use super::tables::{arms_table, cost_table, effects_table, pairwise_table};
use super::Comparison;
use crate::stats::Interval;

/// How an outcome is shown: words, display scale, and units of a level and of a difference.
#[derive(Clone, Copy)]
pub(super) struct Show<'a> {
    pub(super) metric: &'a str,
    pub(super) text: &'a str,
    /// Multiplier for display (100 for shares shown as percentages).
    pub(super) scale: f64,
    /// Unit of a difference, appended directly.
    pub(super) diff_unit: &'a str,
}

/// Outcomes described in the per-arm paragraphs, in order, when present.
const DESCRIBED: &[Show<'static>] = &[
    Show {
        metric: analysis::HIKIKOMORI_PERSON_YEARS,
        text: "hikikomori person-years over the horizon",
        scale: 1.0,
        diff_unit: "",
    },
    Show {
        metric: "hikikomori_prevalence",
        text: "hikikomori prevalence at the final week",
        scale: 100.0,
        diff_unit: " percentage points",
    },
    Show {
        metric: "lonely_share",
        text: "share lonely at the final week",
        scale: 100.0,
        diff_unit: " percentage points",
    },
    Show {
        metric: analysis::BRIDGING,
        text: "bridging ties per agent at the final week",
        scale: 1.0,
        diff_unit: "",
    },
    Show {
        metric: "prevalence",
        text: "prevalence at the final tick",
        scale: 100.0,
        diff_unit: " percentage points",
    },
];

pub(super) fn show(metric: &str) -> Show<'_> {
    DESCRIBED
        .iter()
        .copied()
        .find(|s| s.metric == metric)
        .unwrap_or(Show {
            metric,
            text: metric,
            scale: 1.0,
            diff_unit: "",
        })
}

pub(super) fn excludes_zero(iv: &Interval) -> bool {
    iv.n >= 2 && (iv.lo > 0.0 || iv.hi < 0.0)
}

/// Where an outcome's value is read: the final week, a mean over the final year, or a total
/// over the horizon.
pub(super) fn reading(metric: &str) -> &'static str {
    match metric {
        analysis::HIKIKOMORI_PERSON_WEEKS | analysis::HIKIKOMORI_PERSON_YEARS | analysis::SPEND => {
            "total over the horizon"
        }
        m => analysis::reading(m),
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72rem;\
margin:1.5rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}\
h1{font-size:1.6rem;margin-bottom:0.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}\
.answer{background:#f4f8fb;border:1px solid #c9dceb;border-radius:6px;padding:0.25rem 1rem 0.5rem}\
.answer h2{margin-top:0.75rem;border:none}.lead{font-size:1.05rem}\
.scroll{overflow-x:auto;max-width:100%}\
table{border-collapse:collapse;margin:0.5rem 0;font-size:0.9rem}\
th,td{border:1px solid #ddd;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}\
th{background:#f4f4f6}td.num{text-align:right}td code{overflow-wrap:anywhere}\
.ci{color:#555;font-size:0.85em;white-space:nowrap}.diff{color:#555;font-size:0.85em}\
.sig{font-weight:600;color:#0b5394}\
.meta{color:#555;font-size:0.9rem}code{background:#f4f4f6;padding:0 0.2rem}\
figure{margin:1rem 0}figure img{max-width:100%;height:auto}figcaption{color:#555;font-size:0.9rem}\
@page{size:A4;margin:14mm}\
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}\
.scroll{overflow:visible}table{font-size:7.5pt}.ci{white-space:normal}\
tr,figure,.answer{break-inside:avoid}h2{break-after:avoid}figure img{max-width:100%}}";

/// Horizon and burn-in in words, e.g. "520 weeks (10 years) after a 260-week burn-in".
fn horizon(c: &Comparison) -> String {
    let p = &c.plan;
    let s = &p.arms[p.baseline].scenario;
    let withdrawal = p.model() == "withdrawal";
    let mut t = if withdrawal {
        format!(
            "{} weeks ({} years)",
            p.ticks(),
            fmt_num(p.ticks() as f64 / analysis::WEEKS_PER_YEAR, 3)
        )
    } else {
        format!("{} ticks", p.ticks())
    };
    if withdrawal && s.params.applies("withdrawal.burn_in_ticks") {
        if let Some(crate::scenario::Value::Int(b)) = s.params.get("withdrawal.burn_in_ticks") {
            let _ = write!(
                t,
                " after a {b}-week burn-in ({} years, not shown or counted)",
                fmt_num(*b as f64 / analysis::WEEKS_PER_YEAR, 2)
            );
        }
    }
    t
}

/// The short paragraph on one non-baseline arm, generated from its numbers.
fn arm_paragraph(c: &Comparison, k: usize) -> String {
    let p = &c.plan;
    let (base, res) = (&p.arms[p.baseline], &c.arms[k]);
    let conv = &c.conventions;
    let mut s = format!("<b>{}</b>", escape(&p.arms[k].name));
    if !p.arms[k].description.is_empty() {
        let _ = write!(
            s,
            " ({})",
            escape(p.arms[k].description.trim_end_matches('.'))
        );
    }
    // Clear changes with their numbers; the rest named once, without boilerplate per outcome.
    let (mut clear, mut unclear) = (Vec::new(), Vec::new());
    for sh in DESCRIBED {
        let Some(d) = res.effects.get(sh.metric).and_then(|e| e.diff) else {
            continue;
        };
        if d.n >= 2 && !excludes_zero(&d) {
            unclear.push(sh.text);
        } else {
            clear.push(format!(
                "{} {}",
                sh.text,
                diff_text(&d, sh.scale, sh.diff_unit)
            ));
        }
    }
    if clear.is_empty() && unclear.is_empty() {
        if let Some((name, d)) = res.effects.iter().find_map(|(n, e)| Some((n, e.diff?))) {
            clear.push(format!("{} {}", escape(name), diff_text(&d, 1.0, "")));
        }
    }
    if clear.is_empty() && unclear.is_empty() {
        let _ = write!(
            s,
            ": no outcome could be compared with {}.",
            escape(&base.name)
        );
        return s;
    }
    if !clear.is_empty() {
        let _ = write!(s, ", against {}: {}.", escape(&base.name), clear.join("; "));
    } else {
        s.push('.');
    }
    if !unclear.is_empty() {
        let _ = write!(
            s,
            " No change distinguishable from zero in {}.",
            unclear.join(", ")
        );
    }
    let ce = &res.cost;
    if let Some(sd) = ce.spend_diff {
        if sd.mean > 0.0 {
            let _ = write!(s, " It spent {} more", money(conv, sd.mean));
            if let Some(e) = &ce.cost_per_person_year_averted {
                let _ = write!(
                    s,
                    ": {} per person-year averted",
                    estimate_text(e, &money_num, &currency_suffix(conv))
                );
            } else if ce.person_years_averted.is_some_and(|a| a.mean <= 0.0) {
                s.push_str(" and averted no person-years on average");
            }
            s.push('.');
        }
    }
    s
}

/// The answer in one plain-text sentence, for the closing line of `cocoon compare`: the best
/// arm on the headline outcome, its paired difference from the baseline with its interval,
/// and how often it was best.
pub fn headline_sentence(c: &Comparison) -> String {
    let p = &c.plan;
    let Some(r) = &c.ranking else {
        return format!("{} arms compared.", p.arms.len());
    };
    let sh = show(r.headline.outcome);
    let best = r.order[0];
    let e = &c.arms[best].effects[r.headline.outcome];
    let mut s = format!("best on {}: {}", sh.text, p.arms[best].name);
    match e.diff {
        Some(d) if best != p.baseline => {
            let _ = write!(
                s,
                ", {} against {}",
                diff_text(&d, sh.scale, sh.diff_unit),
                p.arms[p.baseline].name
            );
        }
        _ => s.push_str(" (the baseline)"),
    }
    if let Some(pb) = &r.probability_best {
        let _ = write!(
            s,
            "; best in {}% of {} paired replicates",
            fmt_num(pb[best] * 100.0, 3),
            e.level.n
        );
    }
    s.push('.');
    s
}

/// The report page. `charts` are `(caption, PNG bytes)` pairs, inlined in order.
pub fn report_html(c: &Comparison, charts: &[(String, Vec<u8>)]) -> String {
    let p = &c.plan;
    let (version, commit) = crate::output::build_info();
    let mut h = String::new();
    let q = escape(&p.question);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{q}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{q}</h1>\n"
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} arms of model <code>{}</code>, {} replicate(s) each, {}; {}. \
         Seed {}.</p>",
        p.arms.len(),
        escape(p.model()),
        p.replicates(),
        horizon(c),
        if p.common_random_numbers {
            "common random numbers (replicate r of every arm meets the same chance events, so \
             differences are paired)"
        } else {
            "independent streams per arm (arm k uses seed + 1,000,003 × k)"
        },
        p.seed,
    );
    super::answer::answer(&mut h, c);

    // Detail, one short paragraph per arm.
    h.push_str("<h2>Each arm</h2>\n");
    for k in (0..p.arms.len()).filter(|k| *k != p.baseline) {
        let _ = writeln!(h, "<p>{}</p>", arm_paragraph(c, k));
    }
    pairwise_table(&mut h, c);
    cost_table(&mut h, c);
    h.push_str(&super::decision::html_section(c));

    if !charts.is_empty() {
        h.push_str("<h2>Charts</h2>\n");
        for (cap, png) in charts {
            let cap = escape(cap);
            let _ = writeln!(
                h,
                "<figure><img alt=\"{cap}\" src=\"data:image/png;base64,{}\">\
                 <figcaption>{cap}</figcaption></figure>",
                base64(png)
            );
        }
    }
    arms_table(&mut h, c);
    effects_table(&mut h, c);
    let _ = writeln!(
        h,
        "<p class=\"meta\">Base scenario <code>{}</code>; comparison file <code>{}</code>. \
         Generated by cocoon {}{}; data in comparison.csv, effects.csv, \
         cost_effectiveness.csv, summary.json; provenance in manifest.json.</p>\n</body>\n</html>",
        escape(&p.base.display().to_string()),
        escape(&p.file.display().to_string()),
        escape(version),
        commit
            .map(|c| format!(" (commit <code>{}</code>)", escape(c)))
            .unwrap_or_default()
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{ArmPlan, Plan};
    use crate::engine::{Row, Series};
    use crate::scenario::Scenario;

    fn series(r: u32, prev: f64) -> Series {
        Series {
            replicate: r,
            metrics: vec!["prevalence".into()],
            rows: vec![
                Row {
                    tick: 0,
                    metric: 0,
                    value: 0.5,
                },
                Row {
                    tick: 1,
                    metric: 0,
                    value: prev,
                },
            ],
            distributions: vec![],
        }
    }

    fn comparison(description: &str, arm_prev: [f64; 3]) -> Comparison {
        let s = Scenario::from_sets("t", &["graph.n=100".into()]).unwrap();
        let arm = |name: &str| ArmPlan {
            name: name.into(),
            description: description.into(),
            changes: vec![("sisa.beta".into(), "0.1".into())],
            scenario: s.clone(),
        };
        let plan = Plan {
            file: "c.toml".into(),
            question: "Is <this> & that \"better\"?".into(),
            base: "b.toml".into(),
            baseline: 0,
            common_random_numbers: true,
            seed: 1,
            common: vec![],
            arms: vec![arm("base"), arm("more")],
        };
        let base: Vec<Series> = (0..3).map(|r| series(r, 0.20 + 0.01 * r as f64)).collect();
        let more: Vec<Series> = (0..3).map(|r| series(r, arm_prev[r as usize])).collect();
        Comparison::new(plan, vec![base, more])
    }

    #[test]
    fn report_escapes_file_text_and_generates_sentences_from_numbers() {
        let c = comparison("<script>alert(1)</script>", [0.25, 0.26, 0.27]);
        let html = report_html(&c, &[("a <chart>".into(), b"PNG".to_vec())]);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Is &lt;this&gt; &amp; that &quot;better&quot;?"));
        // Differences are exactly +5 points in every replicate.
        assert!(
            html.contains("against base: prevalence at the final tick +5.00 percentage points"),
            "{html}"
        );
        assert!(!html.contains("No change distinguishable"), "{html}");
        // Lower prevalence is better: the baseline ranks first, in every replicate.
        assert!(
            html.contains("the best arm is <b>base</b>, the baseline"),
            "{html}"
        );
        assert!(
            html.contains("best arm in 100% of the 3 paired replicates"),
            "{html}"
        );
        // The summary comes before the detail.
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("The answer in brief") < at("Each arm") && at("Each arm") < at("All effects"));
        assert!(html.contains("src=\"data:image/png;base64,UE5H\""));
        assert!(html.contains("alt=\"a &lt;chart&gt;\""));
        assert!(!html.contains("http"), "no external resources");
    }

    #[test]
    fn an_interval_through_zero_is_reported_as_such() {
        let c = comparison("", [0.19, 0.23, 0.22]);
        let html = report_html(&c, &[]);
        assert!(
            html.contains("No change distinguishable from zero in prevalence at the final tick"),
            "{html}"
        );
        assert!(!html.contains("<h2>Charts</h2>"));
        // No spend metric, so no cost-effectiveness section.
        assert!(!html.contains("Cost-effectiveness</h2>"));
    }
}
