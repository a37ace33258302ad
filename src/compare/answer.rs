//! The first screen of `report.html`: "The answer in brief".
//!
//! Why a file of its own: this section is what a funder reads before stopping, so its parts
//! are kept together and small: the lead sentence (best arm, its paired difference, how often
//! it was best, how it compares with the runner-up, its cost per person-year averted), the
//! arms ranked on the headline outcome, and the methods note saying what the intervals are
//! and what "how sure" covers. Like the rest of the page, every sentence is generated from
//! the numbers in [`Comparison`].

use std::fmt::Write as _;

use super::analysis;
use super::html::{currency_suffix, diff_text, escape, estimate_text, fmt_num, money_num};
use super::report::{excludes_zero, show};
use super::tables::{close_table, diff_cell, est_cell, iv_cell, open_table};
use super::{Comparison, Ranking};

/// How the intervals are computed, for the methods notes under the tables.
pub(super) fn levels_method() -> String {
    let signed: Vec<String> = analysis::SIGNED
        .iter()
        .map(|m| format!("<code>{}</code>", escape(m)))
        .collect();
    format!(
        "Intervals of a level (one arm's mean) are Student-t intervals on the log scale, \
         mean × exp(∓t·SE/mean), so they stay above zero for outcomes that cannot be negative \
         (all but {}, which keep mean ± t·SE); differences, which can take either sign, use \
         mean ± t·SE.",
        signed.join(" and ")
    )
}

/// The summary at the top: best arm, how sure, cost per person-year, and the ranked table.
pub(super) fn answer(h: &mut String, c: &Comparison) {
    h.push_str("<section class=\"answer\">\n<h2>The answer in brief</h2>\n");
    let Some(r) = &c.ranking else {
        h.push_str(
            "<p>This model has no headline outcome to rank the arms on; see the effects \
             below.</p>\n</section>\n",
        );
        return;
    };
    let _ = writeln!(h, "<p class=\"lead\">{}</p>", lead(c, r));
    let costed = c.arms.iter().any(|a| a.cost.spend_diff.is_some());
    ranked_table(h, c, r, costed);
    answer_note(h, c, r, costed);
    h.push_str("</section>\n");
}

/// The lead sentence: the best arm and its difference from the baseline, how often it was
/// best and how it compares with the runner-up, and its cost per person-year averted.
fn lead(c: &Comparison, r: &Ranking) -> String {
    let p = &c.plan;
    let conv = &c.conventions;
    let base = p.baseline;
    let name = |k: usize| escape(&p.arms[k].name);
    let sh = show(r.headline.outcome);
    let best = r.order[0];
    let n = c.arms[best].effects[r.headline.outcome].level.n;
    let mut lead = format!(
        "On {}, the best arm is <b>{}</b>",
        escape(sh.text),
        name(best)
    );
    if best != base {
        if let Some(d) = c.arms[best].effects[r.headline.outcome].diff {
            let _ = write!(
                lead,
                ": {} against {}",
                diff_text(&d, sh.scale, sh.diff_unit),
                name(base)
            );
        }
    } else {
        let _ = write!(lead, ", the baseline: no other arm beat it on average");
    }
    lead.push('.');
    if let Some(pb) = &r.probability_best {
        let _ = write!(
            lead,
            " It was the best arm in {}% of the {n} paired replicates",
            fmt_num(pb[best] * 100.0, 3)
        );
        if let (Some(&second), Some(d)) = (
            r.order.get(1),
            r.order.get(1).and_then(|&s| r.pairwise[best][s]),
        ) {
            let _ = write!(
                lead,
                "; against the runner-up, {}, the paired difference is {}{}",
                name(second),
                diff_text(&d, sh.scale, sh.diff_unit),
                if excludes_zero(&d) {
                    ""
                } else {
                    ", which the replicates cannot tell apart from zero"
                }
            );
        }
        lead.push('.');
    }
    let icer = c.arms[best].cost.cost_per_person_year_averted;
    if let Some(e) = &icer {
        let _ = write!(
            lead,
            " Cost per person-year of hikikomori averted: {}.",
            estimate_text(e, &money_num, &currency_suffix(conv))
        );
    }
    lead
}

/// The arms in rank order on the headline: level, paired difference from the baseline, share
/// of replicates best, and (when any arm spends more) extra spend and cost per person-year.
fn ranked_table(h: &mut String, c: &Comparison, r: &Ranking, costed: bool) {
    let p = &c.plan;
    let conv = &c.conventions;
    let base = p.baseline;
    let name = |k: usize| escape(&p.arms[k].name);
    let sh = show(r.headline.outcome);
    let mut headers: Vec<String> = vec![
        "Rank".into(),
        "Arm".into(),
        format!("{} (mean, 95% interval)", escape(sh.text)),
        format!("Paired difference from {}", name(base)),
    ];
    if r.probability_best.is_some() {
        headers.push("Best in share of replicates".into());
    }
    if costed {
        headers.push(format!(
            "Extra spend ({})",
            escape(conv.currency.as_deref().unwrap_or("money units"))
        ));
        headers.push("Cost per person-year averted".into());
    }
    open_table(h, &headers);
    for (rank, &k) in r.order.iter().enumerate() {
        let e = &c.arms[k].effects[r.headline.outcome];
        let _ = write!(
            h,
            "<tr><td class=\"num\">{}</td><td><b>{}</b>{}</td>",
            rank + 1,
            name(k),
            if k == base { " (baseline)" } else { "" }
        );
        iv_cell(h, Some(e.level), sh.scale);
        if k == base {
            h.push_str("<td class=\"num\">—</td>");
        } else {
            match e.diff {
                Some(d) => diff_cell(h, &d, sh.scale, 4),
                None => h.push_str("<td></td>"),
            }
        }
        if let Some(pb) = &r.probability_best {
            let _ = write!(h, "<td class=\"num\">{}%</td>", fmt_num(pb[k] * 100.0, 3));
        }
        if costed {
            let ce = &c.arms[k].cost;
            match ce.spend_diff {
                Some(s) if k != base => {
                    let _ = write!(h, "<td class=\"num\">{}</td>", money_num(s.mean));
                }
                _ => h.push_str("<td class=\"num\">—</td>"),
            }
            est_cell(h, ce.cost_per_person_year_averted, &money_num);
        }
        h.push_str("</tr>\n");
    }
    close_table(h);
}

/// The methods note under the ranked table: pairing, what "how sure" covers, how intervals
/// are computed, and the currency and discounting.
fn answer_note(h: &mut String, c: &Comparison, r: &Ranking, costed: bool) {
    let conv = &c.conventions;
    let best = r.order[0];
    let _ = writeln!(
        h,
        "<p class=\"meta\">Differences are paired replicate by replicate (bold where the 95% \
         interval excludes zero). “How sure” is over the model's run-to-run variation only \
         ({} paired replicates), not over uncertainty in its parameters. {}{}</p>",
        c.arms[best].effects[r.headline.outcome].level.n,
        levels_method(),
        if costed {
            format!(
                " Amounts in {}; spend and person-years {}.",
                escape(conv.currency.as_deref().unwrap_or("money units")),
                if conv.discount_rate > 0.0 {
                    format!(
                        "discounted at {}% a year, applied weekly",
                        fmt_num(conv.discount_rate * 100.0, 3)
                    )
                } else {
                    "not discounted".to_string()
                }
            )
        } else {
            String::new()
        }
    );
}
