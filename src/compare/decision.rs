//! Decision outputs: how sure we are that one arm is better than another, and at what prices.
//!
//! Per replicate r (arms paired: same streams and, under `--posterior`, the same parameter
//! set), with H the headline outcome (lower is better, e.g. hikikomori person-years) and C the
//! discounted spend:
//! - `decision_pairwise.csv`: P(A beats B), the share of replicates in which A's H is lower
//!   than B's (ties count half);
//! - `ceac.csv`: the cost-effectiveness acceptability curve: at willingness to pay λ per unit
//!   of H averted, the net monetary benefit of arm k is λ (H_base − H_k) − (C_k − C_base),
//!   and each arm's probability of having the highest;
//! - `break_even.csv`: for two funded arms A and B, the factor by which B's unit costs could
//!   be multiplied before B is no more cost-effective than A:
//!   (effect_B / cost_B) / (effect_A / cost_A), from the mean effects and costs over
//!   replicates. Above 1, B gives more per unit of money; the ranking flips at the ratio.
//!
//! Without `--posterior` these describe chance only; with it, parameter uncertainty too.

use std::fmt::Write as _;

use super::analysis::SPEND;
use super::html::{escape, fmt_num};
use super::Comparison;
use crate::output::fmt_f64;

/// Per arm, the values of one outcome over replicates.
type Columns<'a> = Vec<&'a Vec<f64>>;

/// Per arm, per replicate: (H, C) where recorded.
fn columns(c: &Comparison) -> Option<(Columns<'_>, Option<Columns<'_>>)> {
    let h = c.ranking.as_ref()?.headline.outcome;
    let hs: Vec<&Vec<f64>> = c
        .arms
        .iter()
        .map(|a| a.outcomes.get(h))
        .collect::<Option<_>>()?;
    let cs: Option<Vec<&Vec<f64>>> = c.arms.iter().map(|a| a.outcomes.get(SPEND)).collect();
    Some((hs, cs))
}

/// P(arm i beats arm j) for every ordered pair.
pub fn beats(c: &Comparison) -> Option<Vec<Vec<f64>>> {
    let (hs, _) = columns(c)?;
    let n = hs[0].len() as f64;
    Some(
        hs.iter()
            .map(|a| {
                hs.iter()
                    .map(|b| {
                        a.iter()
                            .zip(b.iter())
                            .map(|(x, y)| match x.total_cmp(y) {
                                std::cmp::Ordering::Less => 1.0,
                                std::cmp::Ordering::Equal => 0.5,
                                std::cmp::Ordering::Greater => 0.0,
                            })
                            .sum::<f64>()
                            / n
                    })
                    .collect()
            })
            .collect(),
    )
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The acceptability curve: (λ, probability per arm), 41 values of λ from 0 to twice the
/// largest mean cost per unit averted among the arms (at least 1).
pub fn ceac(c: &Comparison) -> Option<Vec<(f64, Vec<f64>)>> {
    let (hs, cs) = columns(c)?;
    let cs = cs?;
    let b = c.plan.baseline;
    let reps = hs[0].len();
    let max_ratio = (0..hs.len())
        .filter(|&k| k != b)
        .map(|k| {
            let eff = mean(hs[b]) - mean(hs[k]);
            let cost = mean(cs[k]) - mean(cs[b]);
            if eff > 0.0 && cost > 0.0 {
                cost / eff
            } else {
                0.0
            }
        })
        .fold(1.0f64, f64::max);
    let top = 2.0 * max_ratio;
    Some(
        (0..=40)
            .map(|i| {
                let lambda = top * i as f64 / 40.0;
                let mut wins = vec![0usize; hs.len()];
                for r in 0..reps {
                    let nmb = |k: usize| lambda * (hs[b][r] - hs[k][r]) - (cs[k][r] - cs[b][r]);
                    let best = (0..hs.len())
                        .max_by(|&x, &y| nmb(x).total_cmp(&nmb(y)).then(y.cmp(&x)))
                        .expect("arms");
                    wins[best] += 1;
                }
                (
                    lambda,
                    wins.iter().map(|&w| w as f64 / reps as f64).collect(),
                )
            })
            .collect(),
    )
}

/// One break-even row: (A, B, effect A, cost A, effect B, cost B, ratio).
pub type BreakEven = (usize, usize, f64, f64, f64, f64, f64);

/// Break-even unit-cost ratios for every pair of funded arms with a positive mean effect.
pub fn break_even(c: &Comparison) -> Vec<BreakEven> {
    let Some((hs, Some(cs))) = columns(c) else {
        return Vec::new();
    };
    let b = c.plan.baseline;
    let ec = |k: usize| (mean(hs[b]) - mean(hs[k]), mean(cs[k]) - mean(cs[b]));
    let funded: Vec<usize> = (0..hs.len())
        .filter(|&k| k != b && ec(k).0 > 0.0 && ec(k).1 > 0.0)
        .collect();
    let mut out = Vec::new();
    for &a in &funded {
        for &bb in funded.iter().filter(|&&x| x > a) {
            let ((ea, ca), (eb, cb)) = (ec(a), ec(bb));
            out.push((a, bb, ea, ca, eb, cb, (eb / cb) / (ea / ca)));
        }
    }
    out
}

/// The decision CSV files (name, text); empty when the comparison has no headline outcome.
pub fn csvs(c: &Comparison) -> Vec<(&'static str, String)> {
    let names: Vec<&str> = c.plan.arms.iter().map(|a| a.name.as_str()).collect();
    let mut out = Vec::new();
    if let Some(m) = beats(c) {
        let mut t = String::from("arm,other,probability_better\n");
        for (i, row) in m.iter().enumerate() {
            for (j, p) in row.iter().enumerate().filter(|(j, _)| *j != i) {
                let _ = writeln!(t, "{},{},{}", names[i], names[j], fmt_f64(*p));
            }
        }
        out.push(("decision_pairwise.csv", t));
    }
    if let Some(curve) = ceac(c) {
        let mut t = String::from("willingness_to_pay");
        for n in &names {
            let _ = write!(t, ",{n}");
        }
        t.push('\n');
        for (l, p) in curve {
            let _ = write!(t, "{}", fmt_f64(l));
            for x in p {
                let _ = write!(t, ",{}", fmt_f64(x));
            }
            t.push('\n');
        }
        out.push(("ceac.csv", t));
    }
    let be = break_even(c);
    if !be.is_empty() {
        let mut t =
            String::from("arm_a,arm_b,effect_a,cost_a,effect_b,cost_b,break_even_cost_ratio\n");
        for (a, b, ea, ca, eb, cb, r) in be {
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{}",
                names[a],
                names[b],
                fmt_f64(ea),
                fmt_f64(ca),
                fmt_f64(eb),
                fmt_f64(cb),
                fmt_f64(r)
            );
        }
        out.push(("break_even.csv", t));
    }
    out
}

/// The report's decision section (empty without a headline outcome).
pub fn html_section(c: &Comparison) -> String {
    let Some(r) = &c.ranking else {
        return String::new();
    };
    let names: Vec<String> = c.plan.arms.iter().map(|a| escape(&a.name)).collect();
    let mut h = String::from("<h2>Decisions under uncertainty</h2>\n");
    let _ = writeln!(
        h,
        "<p>Over {} paired replicates{}, on {}: the probability that each arm is best, that the \
         row arm beats the column arm, and (with spending) the cost-effectiveness acceptability \
         curve. Data in decision_pairwise.csv, ceac.csv and break_even.csv.</p>",
        c.plan.replicates(),
        if c.posterior.is_some() {
            ", each with its own parameter set drawn from the posterior (parameter and chance uncertainty)"
        } else {
            " (chance only: no --posterior was given)"
        },
        escape(r.headline.text)
    );
    if let (Some(m), Some(best)) = (beats(c), &r.probability_best) {
        h.push_str("<table><tr><th>arm</th><th>P(best)</th>");
        for n in &names {
            let _ = write!(h, "<th>beats {n}</th>");
        }
        h.push_str("</tr>\n");
        for (i, row) in m.iter().enumerate() {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td>",
                names[i],
                fmt_num(best[i], 2)
            );
            for (j, p) in row.iter().enumerate() {
                let cell = if i == j {
                    "–".to_string()
                } else {
                    fmt_num(*p, 2)
                };
                let _ = write!(h, "<td>{cell}</td>");
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
    if let Some(curve) = ceac(c) {
        h.push_str("<table><tr><th>willingness to pay per unit averted</th>");
        for n in &names {
            let _ = write!(h, "<th>P({n} best)</th>");
        }
        h.push_str("</tr>\n");
        for (l, p) in curve.iter().step_by(5) {
            let _ = write!(h, "<tr><td>{}</td>", fmt_num(*l, 3));
            for x in p {
                let _ = write!(h, "<td>{}</td>", fmt_num(*x, 2));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
    for (a, b, .., ratio) in break_even(c) {
        let _ = writeln!(
            h,
            "<p>{} is exactly as cost-effective as {} when its unit costs are {} times \
             what they are now (break-even unit-cost ratio: above 1 it is the better buy now).</p>",
            names[b],
            names[a],
            fmt_num(ratio, 3)
        );
    }
    h
}
