//! The detail tables of `report.html`: arm against arm, cost-effectiveness, the arms and
//! every effect. Each sits in its own scroll box ([`open_table`]), and a value's interval goes
//! on a second line so columns stay narrow enough for a 1,400 px window and A4 print.

use std::fmt::Write as _;

use super::html::{escape, fmt_num, money_num, signed};
use super::report::{excludes_zero, reading, show};
use super::{analysis::Estimate, Comparison};
use crate::stats::Interval;

/// A table cell with a value and its interval on a second line (so columns can be narrow).
pub(super) fn iv_cell(out: &mut String, iv: Option<Interval>, scale: f64) {
    match iv {
        Some(i) if i.n >= 2 => {
            let _ = write!(
                out,
                "<td class=\"num\">{}<br><span class=\"ci\">{} to {}</span></td>",
                fmt_num(i.mean * scale, 4),
                fmt_num(i.lo * scale, 4),
                fmt_num(i.hi * scale, 4)
            );
        }
        Some(i) => {
            let _ = write!(out, "<td class=\"num\">{}</td>", fmt_num(i.mean * scale, 4));
        }
        None => out.push_str("<td></td>"),
    }
}

pub(super) fn est_cell(out: &mut String, e: Option<Estimate>, fmt: &dyn Fn(f64) -> String) {
    match e {
        Some(e) => {
            let lo = e.lo.map(fmt).unwrap_or_else(|| "?".into());
            let hi = e.hi.map(fmt).unwrap_or_else(|| "no bound".into());
            let _ = write!(
                out,
                "<td class=\"num\">{}<br><span class=\"ci\">{lo} to {hi}</span></td>",
                fmt(e.value)
            );
        }
        None => out.push_str("<td></td>"),
    }
}

/// A paired difference: the signed mean (times `scale`, `sig` significant digits) over its
/// interval, bold where the interval excludes zero.
pub(super) fn diff_cell(h: &mut String, d: &Interval, scale: f64, sig: usize) {
    let _ = write!(
        h,
        "<td class=\"num{}\">{}<br><span class=\"ci\">{} to {}</span></td>",
        if excludes_zero(d) { " sig" } else { "" },
        signed(d.mean * scale, sig),
        fmt_num(d.lo * scale, sig),
        fmt_num(d.hi * scale, sig)
    );
}

/// Opens a table inside its own horizontal scroll box.
pub(super) fn open_table(h: &mut String, headers: &[String]) {
    h.push_str("<div class=\"scroll\"><table>\n<tr>");
    for th in headers {
        let _ = write!(h, "<th>{th}</th>");
    }
    h.push_str("</tr>\n");
}

pub(super) fn close_table(h: &mut String) {
    h.push_str("</table></div>\n");
}

/// Arm-vs-arm paired differences on the headline: row arm minus column arm.
pub(super) fn pairwise_table(h: &mut String, c: &Comparison) {
    let Some(r) = &c.ranking else { return };
    if c.plan.arms.len() < 3 {
        return;
    }
    let sh = show(r.headline.outcome);
    let p = &c.plan;
    let _ = writeln!(
        h,
        "<h2>Arm against arm</h2>\n<p class=\"meta\">Paired difference in {}: the row's arm \
         minus the column's (mean, 95% interval); arms in rank order; bold where the interval \
         excludes zero.</p>",
        escape(sh.text)
    );
    let mut headers = vec!["Row − column".to_string()];
    headers.extend(r.order.iter().map(|&k| escape(&p.arms[k].name)));
    open_table(h, &headers);
    for &i in &r.order {
        let _ = write!(h, "<tr><th>{}</th>", escape(&p.arms[i].name));
        for &j in &r.order {
            match r.pairwise[i][j] {
                Some(d) => diff_cell(h, &d, sh.scale, 3),
                None => h.push_str("<td class=\"num\">—</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    close_table(h);
}

pub(super) fn cost_table(h: &mut String, c: &Comparison) {
    let p = &c.plan;
    let conv = &c.conventions;
    let costed: Vec<usize> = (0..p.arms.len())
        .filter(|k| *k != p.baseline && c.arms[*k].cost.spend_diff.is_some())
        .collect();
    if costed.is_empty() {
        return;
    }
    let cur = escape(conv.currency.as_deref().unwrap_or("money units"));
    let _ = writeln!(
        h,
        "<h2>Cost-effectiveness</h2>\n<p class=\"meta\">Against {}, over the whole horizon; \
         amounts in {cur}{}. Person-years are hikikomori person-years averted. Bridging ties \
         gained are read at the final week.</p>",
        escape(&p.baseline_arm().name),
        if conv.discount_rate > 0.0 {
            format!(
                ", spend and person-years discounted at {}% a year",
                fmt_num(conv.discount_rate * 100.0, 3)
            )
        } else {
            String::new()
        }
    );
    let headers: Vec<String> = [
        "Arm",
        "Extra spend",
        "Person-years averted",
        "Cost per person-year averted",
        "Person-years averted per 1 million",
        "Bridging ties gained",
        "per 1 million",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    open_table(h, &headers);
    for k in costed {
        let ce = &c.arms[k].cost;
        let _ = write!(h, "<tr><td>{}</td>", escape(&p.arms[k].name));
        let _ = write!(
            h,
            "<td class=\"num\">{}</td>",
            ce.spend_diff.map(|s| money_num(s.mean)).unwrap_or_default()
        );
        iv_cell(h, ce.person_years_averted, 1.0);
        est_cell(h, ce.cost_per_person_year_averted, &money_num);
        est_cell(h, ce.person_years_averted_per_million, &|x| fmt_num(x, 3));
        iv_cell(h, ce.bridging_ties_gained, 1.0);
        est_cell(h, ce.bridging_ties_gained_per_million, &|x| fmt_num(x, 3));
        h.push_str("</tr>\n");
    }
    close_table(h);
}

pub(super) fn arms_table(h: &mut String, c: &Comparison) {
    let p = &c.plan;
    h.push_str("<h2>Arms</h2>\n");
    let headers = ["Arm", "Description", "Settings"].map(String::from);
    open_table(h, &headers);
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
    close_table(h);
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
}

pub(super) fn effects_table(h: &mut String, c: &Comparison) {
    let p = &c.plan;
    h.push_str(
        "<h2>All effects</h2>\n<p class=\"meta\">Every outcome per arm: mean (95% interval); \
         below it, Δ the paired difference from the baseline, bold where its interval excludes \
         zero. “When” says where the value is read: the final week, the mean over the final \
         year (for counts that cycle with service cohorts), or the total over the horizon. ",
    );
    h.push_str(&super::answer::levels_method());
    h.push_str("</p>\n");
    let mut headers = vec!["Outcome".to_string(), "When".to_string()];
    for (k, a) in p.arms.iter().enumerate() {
        headers.push(format!(
            "{}{}",
            escape(&a.name),
            if k == p.baseline { " (baseline)" } else { "" }
        ));
    }
    open_table(h, &headers);
    for name in c.outcome_names() {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td>",
            escape(name),
            reading(name)
        );
        for (k, r) in c.arms.iter().enumerate() {
            match r.effects.get(name) {
                None => h.push_str("<td></td>"),
                Some(e) => {
                    let iv = &e.level;
                    let _ = write!(h, "<td class=\"num\">{}", fmt_num(iv.mean, 4));
                    if iv.n >= 2 {
                        let _ = write!(
                            h,
                            "<br><span class=\"ci\">{} to {}</span>",
                            fmt_num(iv.lo, 4),
                            fmt_num(iv.hi, 4)
                        );
                    }
                    if k != p.baseline {
                        if let Some(d) = e.diff {
                            let _ = write!(
                                h,
                                "<br><span class=\"diff{}\">Δ {}</span>",
                                if excludes_zero(&d) { " sig" } else { "" },
                                signed(d.mean, 4)
                            );
                        }
                    }
                    h.push_str("</td>");
                }
            }
        }
        h.push_str("</tr>\n");
    }
    close_table(h);
}
