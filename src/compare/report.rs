//! `report.html`: one self-contained page answering the comparison's question.
//!
//! The page has no external resources (inline CSS, charts as base64 `data:` images), so it can
//! be mailed or archived as a single file. Every sentence about results is generated from the
//! numbers in [`Comparison`] (differences, intervals, whether an interval excludes zero), never
//! written by hand, so the text cannot drift from the tables. All text that comes from input
//! files (question, arm names and descriptions, parameter values) is HTML-escaped.

use std::fmt::Write as _;

use super::analysis::{self, Effect, Estimate};
use super::Comparison;
use crate::stats::Interval;

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for inlining PNG bytes.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A number for reading: `sig` significant digits below 1000, whole numbers with thousands
/// separators from 1000, and a true minus sign.
pub fn fmt_num(x: f64, sig: usize) -> String {
    if x.is_nan() {
        return "not defined".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "−∞" }.into();
    }
    let a = x.abs();
    let body = if a == 0.0 {
        "0".to_string()
    } else if a >= 1e15 {
        format!("{a:.3e}")
    } else if a >= 1000.0 {
        let digits = format!("{}", a.round() as u64);
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        grouped
    } else {
        let mag = a.log10().floor() as i32;
        let decimals = (sig as i32 - 1 - mag).clamp(0, 12) as usize;
        format!("{a:.decimals$}")
    };
    let zero = body.chars().all(|c| c == '0' || c == '.');
    if x < 0.0 && !zero {
        format!("−{body}")
    } else {
        body
    }
}

/// How an outcome is described in sentences.
#[derive(Clone, Copy)]
struct Label<'a> {
    metric: &'a str,
    text: &'a str,
    /// Multiplier for display (100 for shares shown as percentages).
    scale: f64,
    /// Unit of a difference, with a leading space if not empty.
    diff_unit: &'a str,
    /// Unit of a level, appended directly.
    level_unit: &'a str,
}

/// Outcomes described in the per-arm paragraphs, in order, when present.
const HEADLINES: &[Label<'static>] = &[
    Label {
        metric: "hikikomori_prevalence",
        text: "hikikomori prevalence",
        scale: 100.0,
        diff_unit: " percentage points",
        level_unit: "%",
    },
    Label {
        metric: analysis::HIKIKOMORI_PERSON_WEEKS,
        text: "hikikomori person-weeks over the run",
        scale: 1.0,
        diff_unit: "",
        level_unit: "",
    },
    Label {
        metric: analysis::BRIDGING,
        text: "bridging ties per agent",
        scale: 1.0,
        diff_unit: "",
        level_unit: "",
    },
    Label {
        metric: "prevalence",
        text: "prevalence",
        scale: 100.0,
        diff_unit: " percentage points",
        level_unit: "%",
    },
];

fn excludes_zero(iv: &Interval) -> bool {
    iv.n >= 2 && (iv.lo > 0.0 || iv.hi < 0.0)
}

/// The sentence on one outcome of one arm against the baseline.
fn effect_sentence(
    base_name: &str,
    arm_name: &str,
    l: Label<'_>,
    arm: &Effect,
    base: &Effect,
) -> Option<String> {
    let d = arm.diff?;
    let (label, scale, diff_unit, level_unit) =
        (escape(l.text), l.scale, l.diff_unit, l.level_unit);
    let (b, a) = (escape(base_name), escape(arm_name));
    let level = |iv: &Interval| format!("{}{level_unit}", fmt_num(iv.mean * scale, 3));
    if d.mean == 0.0 && d.sd == 0.0 {
        return Some(format!(
            "{a} left {label} exactly as in {b} in every replicate ({}).",
            level(&arm.level)
        ));
    }
    let mut s = format!(
        "Compared with {b}, {a} changed {label} by {}{diff_unit}",
        fmt_num(d.mean * scale, 3)
    );
    if d.n >= 2 {
        let _ = write!(
            s,
            " (95% interval {} to {})",
            fmt_num(d.lo * scale, 3),
            fmt_num(d.hi * scale, 3)
        );
    }
    let _ = write!(
        s,
        ", from {} to {}; ",
        level(&base.level),
        level(&arm.level)
    );
    if d.n < 2 {
        s.push_str(
            "with a single replicate there is no interval, so this is one run, not an estimate.",
        );
    } else if excludes_zero(&d) {
        let _ = write!(
            s,
            "the interval excludes zero, so within this model the change is larger than the \
             variation between the {} paired replicates.",
            d.n
        );
    } else {
        let _ = write!(
            s,
            "the interval includes zero, so the {} paired replicates cannot tell this change \
             apart from no change.",
            d.n
        );
    }
    Some(s)
}

fn estimate_text(e: &Estimate) -> String {
    let mut s = fmt_num(e.value, 3);
    match (e.lo, e.hi) {
        (Some(lo), Some(hi)) => {
            let _ = write!(
                s,
                " (95% interval {} to {})",
                fmt_num(lo, 3),
                fmt_num(hi, 3)
            );
        }
        (Some(lo), None) => {
            let _ = write!(
                s,
                " (95% interval from {} with no upper bound, because the interval of cases \
                 averted reaches zero)",
                fmt_num(lo, 3)
            );
        }
        _ => {}
    }
    s
}

/// The paragraph on one non-baseline arm, generated from its numbers.
fn arm_paragraph(c: &Comparison, k: usize) -> String {
    let (bplan, bres) = c.baseline();
    let (plan, res) = (&c.plan.arms[k], &c.arms[k]);
    let mut sentences = Vec::new();
    let mut labelled: Vec<Label<'_>> = HEADLINES
        .iter()
        .copied()
        .filter(|l| res.effects.contains_key(l.metric))
        .collect();
    if labelled.is_empty() {
        // A model without the known outcomes: describe its first outcome by name.
        if let Some(first) = res.effects.keys().next() {
            labelled.push(Label {
                metric: first,
                text: first,
                scale: 1.0,
                diff_unit: "",
                level_unit: "",
            });
        }
    }
    for l in labelled {
        let (Some(a), Some(b)) = (res.effects.get(l.metric), bres.effects.get(l.metric)) else {
            continue;
        };
        if let Some(s) = effect_sentence(&bplan.name, &plan.name, l, a, b) {
            sentences.push(s);
        }
    }
    let ce = &res.cost;
    if let Some(sd) = ce.spend_diff {
        if sd.mean > 0.0 {
            let mut s = format!(
                "It spent {} more than {} on average",
                fmt_num(sd.mean, 3),
                escape(&bplan.name)
            );
            let mut parts = Vec::new();
            if let Some(e) = &ce.person_weeks_averted_per_million {
                parts.push(format!(
                    "{} hikikomori person-weeks averted per 1 million spent",
                    estimate_text(e)
                ));
            }
            if let Some(e) = &ce.cost_per_case_averted {
                parts.push(format!(
                    "a cost of {} per hikikomori case averted at the final tick",
                    estimate_text(e)
                ));
            } else if ce.cases_averted.is_some_and(|c| c.mean <= 0.0) {
                parts.push(
                    "no hikikomori cases averted on average at the final tick, so no cost per \
                     case averted"
                        .to_string(),
                );
            }
            if let Some(e) = &ce.bridging_ties_gained_per_million {
                parts.push(format!(
                    "{} bridging ties gained per 1 million spent",
                    estimate_text(e)
                ));
            }
            if parts.is_empty() {
                s.push('.');
            } else {
                let _ = write!(s, ": {}.", parts.join("; "));
            }
            sentences.push(s);
        } else {
            sentences.push(format!(
                "It spent no more than {} ({} difference), so cost-effectiveness is not defined.",
                escape(&bplan.name),
                fmt_num(sd.mean, 3)
            ));
        }
    }
    if sentences.is_empty() {
        sentences.push(format!(
            "No outcome could be compared between {} and {}.",
            escape(&plan.name),
            escape(&bplan.name)
        ));
    }
    sentences.join(" ")
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:70rem;\
margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:0.5rem 0;font-size:0.9rem}\
th,td{border:1px solid #ddd;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}\
th{background:#f4f4f6}td.num{text-align:right;white-space:nowrap}\
.diff{color:#555;font-size:0.85em}.sig{font-weight:600;color:#0b5394}\
.meta{color:#555;font-size:0.9rem}code{background:#f4f4f6;padding:0 0.2rem}\
figure{margin:1rem 0}figure img{max-width:100%}figcaption{color:#555;font-size:0.9rem}";

fn interval_text(iv: &Interval) -> String {
    if iv.n >= 2 {
        format!(
            "{} ({} to {})",
            fmt_num(iv.mean, 4),
            fmt_num(iv.lo, 4),
            fmt_num(iv.hi, 4)
        )
    } else {
        fmt_num(iv.mean, 4)
    }
}

fn opt_cell(out: &mut String, iv: Option<Interval>) {
    match iv {
        Some(i) => {
            let _ = write!(out, "<td class=\"num\">{}</td>", interval_text(&i));
        }
        None => out.push_str("<td></td>"),
    }
}

fn est_cell(out: &mut String, e: Option<Estimate>) {
    match e {
        Some(e) => {
            let lo = e.lo.map(|x| fmt_num(x, 4)).unwrap_or_else(|| "?".into());
            let hi = e.hi.map(|x| fmt_num(x, 4)).unwrap_or_else(|| "∞".into());
            let _ = write!(
                out,
                "<td class=\"num\">{} ({lo} to {hi})</td>",
                fmt_num(e.value, 4)
            );
        }
        None => out.push_str("<td></td>"),
    }
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
        "<p class=\"meta\">Model <code>{}</code>, {} replicate(s) per arm, {} ticks (weeks) \
         after tick 0, seed {}, {}. Base scenario <code>{}</code>; comparison file \
         <code>{}</code>. cocoon {}{}.</p>",
        escape(p.model()),
        p.replicates(),
        p.ticks(),
        p.seed,
        if p.common_random_numbers {
            "common random numbers (replicate r of every arm draws from the same streams, so \
             differences are paired)"
        } else {
            "independent streams per arm (arm k uses seed + 1,000,003 × k)"
        },
        escape(&p.base.display().to_string()),
        escape(&p.file.display().to_string()),
        escape(version),
        commit
            .map(|c| format!(", commit <code>{}</code>", escape(c)))
            .unwrap_or_default()
    );

    // Arms.
    h.push_str(
        "<h2>Arms</h2>\n<table>\n<tr><th>Arm</th><th>Description</th><th>Settings</th></tr>\n",
    );
    for (k, a) in p.arms.iter().enumerate() {
        let settings = if a.changes.is_empty() {
            "as the base".to_string()
        } else {
            a.changes
                .iter()
                .map(|(key, v)| format!("<code>{} = {}</code>", escape(key), escape(v)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = writeln!(
            h,
            "<tr><td><b>{}</b>{}</td><td>{}</td><td>{settings}</td></tr>",
            escape(&a.name),
            if k == p.baseline { " (baseline)" } else { "" },
            escape(&a.description),
        );
    }
    h.push_str("</table>\n");
    if !p.common.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"meta\">Set for every arm: {}.</p>",
            p.common
                .iter()
                .map(|(key, v)| format!("<code>{} = {}</code>", escape(key), escape(v)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    // Findings.
    h.push_str("<h2>Findings</h2>\n");
    for k in (0..p.arms.len()).filter(|k| *k != p.baseline) {
        let _ = writeln!(h, "<p>{}</p>", arm_paragraph(c, k));
    }
    h.push_str(
        "<p class=\"meta\">Intervals are 95% Student-t intervals over replicates; differences \
         are paired replicate by replicate. They measure the model's run-to-run variation, \
         not uncertainty in its parameters.</p>\n",
    );

    // Cost-effectiveness, when the model records spending.
    let costed: Vec<usize> = (0..p.arms.len())
        .filter(|k| *k != p.baseline && c.arms[*k].cost.spend_diff.is_some())
        .collect();
    if !costed.is_empty() {
        h.push_str(
            "<h2>Cost-effectiveness</h2>\n<table>\n<tr><th>Arm</th><th>Extra spend</th>\
             <th>Person-weeks averted</th><th>per 1 million</th><th>Cases averted</th>\
             <th>Cost per case averted</th><th>Bridging ties gained</th><th>per 1 million</th></tr>\n",
        );
        for k in costed {
            let ce = &c.arms[k].cost;
            let _ = write!(h, "<tr><td>{}</td>", escape(&p.arms[k].name));
            opt_cell(&mut h, ce.spend_diff);
            opt_cell(&mut h, ce.person_weeks_averted);
            est_cell(&mut h, ce.person_weeks_averted_per_million);
            opt_cell(&mut h, ce.cases_averted);
            est_cell(&mut h, ce.cost_per_case_averted);
            opt_cell(&mut h, ce.bridging_ties_gained);
            est_cell(&mut h, ce.bridging_ties_gained_per_million);
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }

    // Charts.
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

    // Effects.
    h.push_str(
        "<h2>Effects</h2>\n<p class=\"meta\">Final value (or total over the run) per arm: mean \
         (95% interval); below it, Δ the paired difference from the baseline, in bold where \
         its interval excludes zero.</p>\n<table>\n<tr><th>Outcome</th>",
    );
    for (k, a) in p.arms.iter().enumerate() {
        let _ = write!(
            h,
            "<th>{}{}</th>",
            escape(&a.name),
            if k == p.baseline { " (baseline)" } else { "" }
        );
    }
    h.push_str("</tr>\n");
    for name in c.outcome_names() {
        let _ = write!(h, "<tr><td><code>{}</code></td>", escape(name));
        for (k, r) in c.arms.iter().enumerate() {
            match r.effects.get(name) {
                None => h.push_str("<td></td>"),
                Some(e) => {
                    let _ = write!(h, "<td class=\"num\">{}", interval_text(&e.level));
                    if k != p.baseline {
                        if let Some(d) = e.diff {
                            let _ = write!(
                                h,
                                "<br><span class=\"diff{}\">Δ {}</span>",
                                if excludes_zero(&d) { " sig" } else { "" },
                                interval_text(&d)
                            );
                        }
                    }
                    h.push_str("</td>");
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"meta\">Generated by cocoon {}{}; files: comparison.csv, effects.csv, \
         cost_effectiveness.csv, summary.json, manifest.json.</p>\n</body>\n</html>",
        escape(version),
        commit
            .map(|c| format!(" ({})", escape(c)))
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

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("plain −0.3"), "plain −0.3");
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(-0.3123, 3), "−0.312");
        assert_eq!(fmt_num(0.0, 3), "0");
        assert_eq!(fmt_num(1234567.8, 3), "1,234,568");
        assert_eq!(fmt_num(-999.0, 3), "−999");
        assert_eq!(fmt_num(12.345, 3), "12.3");
        assert_eq!(fmt_num(-0.0, 3), "0");
    }

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
            html.contains("Compared with base, more changed prevalence by 5.00 percentage points"),
            "{html}"
        );
        assert!(html.contains("excludes zero"), "{html}");
        assert!(html.contains("src=\"data:image/png;base64,UE5H\""));
        assert!(html.contains("alt=\"a &lt;chart&gt;\""));
        assert!(!html.contains("http"), "no external resources");
    }

    #[test]
    fn an_interval_through_zero_is_reported_as_such() {
        let c = comparison("", [0.19, 0.23, 0.22]);
        let html = report_html(&c, &[]);
        assert!(html.contains("includes zero"), "{html}");
        assert!(!html.contains("<h2>Charts</h2>"));
        // No spend metric, so no cost-effectiveness section.
        assert!(!html.contains("Cost-effectiveness</h2>"));
    }
}
