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
type Columns<'a> = Vec<&'a [f64]>;

/// Per arm, per replicate: (H, C) where recorded.
fn columns(c: &Comparison) -> Option<(Columns<'_>, Option<Columns<'_>>)> {
    let h = c.ranking.as_ref()?.headline.outcome;
    let hs: Columns<'_> = c
        .arms
        .iter()
        .map(|a| a.outcomes.get(h).map(Vec::as_slice))
        .collect::<Option<_>>()?;
    let cs: Option<Columns<'_>> = c
        .arms
        .iter()
        .map(|a| a.outcomes.get(SPEND).map(Vec::as_slice))
        .collect();
    Some((hs, cs))
}

/// P(arm i beats arm j) for every ordered pair, from the headline outcome.
pub fn beats(c: &Comparison) -> Option<Vec<Vec<f64>>> {
    let (hs, _) = columns(c)?;
    Some(beats_of(&hs))
}

/// P(arm i beats arm j) for every ordered pair: the share of paired replicates in which arm
/// i's value is lower than arm j's (ties count half). Arms have the same number of replicates.
pub fn beats_of(hs: &[&[f64]]) -> Vec<Vec<f64>> {
    let n = hs.first().map_or(0, |h| h.len()).max(1) as f64;
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
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The acceptability curve of a comparison's headline and spending (see [`ceac_of`]).
pub fn ceac(c: &Comparison) -> Option<Vec<(f64, Vec<f64>)>> {
    let (hs, cs) = columns(c)?;
    Some(ceac_of(&hs, &cs?, c.plan.baseline))
}

/// The acceptability curve: (λ, probability per arm), 41 values of λ from 0 to twice the
/// largest mean cost per unit averted among the arms (at least 1).
pub fn ceac_of(hs: &[&[f64]], cs: &[&[f64]], baseline: usize) -> Vec<(f64, Vec<f64>)> {
    let b = baseline;
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
    (0..=40)
        .map(|i| {
            let lambda = top * i as f64 / 40.0;
            (lambda, acceptability(hs, cs, b, lambda))
        })
        .collect()
}

/// At willingness to pay `lambda` per unit of H averted, each arm's share of replicates in
/// which its net monetary benefit λ (H_base − H_k) − (C_k − C_base) is the highest (a tie goes
/// to the arm listed first).
pub fn acceptability(hs: &[&[f64]], cs: &[&[f64]], baseline: usize, lambda: f64) -> Vec<f64> {
    let b = baseline;
    let reps = hs[0].len();
    let mut wins = vec![0usize; hs.len()];
    for r in 0..reps {
        let nmb = |k: usize| lambda * (hs[b][r] - hs[k][r]) - (cs[k][r] - cs[b][r]);
        let best = (0..hs.len())
            .max_by(|&x, &y| nmb(x).total_cmp(&nmb(y)).then(y.cmp(&x)))
            .expect("arms");
        wins[best] += 1;
    }
    wins.iter()
        .map(|&w| w as f64 / reps.max(1) as f64)
        .collect()
}

/// One break-even row: (A, B, effect A, cost A, effect B, cost B, ratio).
pub type BreakEven = (usize, usize, f64, f64, f64, f64, f64);

/// Break-even unit-cost ratios of a comparison (see [`break_even_of`]).
pub fn break_even(c: &Comparison) -> Vec<BreakEven> {
    let Some((hs, Some(cs))) = columns(c) else {
        return Vec::new();
    };
    break_even_of(&hs, &cs, c.plan.baseline)
}

/// Break-even unit-cost ratios for every pair of funded arms (positive mean effect and
/// positive mean extra cost against `baseline`): (effect_B / cost_B) / (effect_A / cost_A).
pub fn break_even_of(hs: &[&[f64]], cs: &[&[f64]], baseline: usize) -> Vec<BreakEven> {
    let b = baseline;
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use rand::Rng;

    use super::{acceptability, beats_of, break_even_of, ceac_of};
    use crate::compare::analysis::{probability_best, Headline, Outcomes};
    use crate::study::prior::{norm_cdf, norm_quantile};

    /// `n` draws of N(mean, sd), by inversion of seeded uniforms.
    fn normal(n: usize, mean: f64, sd: f64, seed: u64) -> Vec<f64> {
        let mut rng = crate::study::design::rng(seed, "test.decision");
        (0..n)
            .map(|_| mean + sd * norm_quantile(rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12)))
            .collect()
    }

    const H: Headline = Headline {
        outcome: "h",
        text: "h",
        lower_is_better: true,
    };

    fn outcomes(cols: &[Vec<f64>]) -> Vec<Outcomes> {
        cols.iter()
            .map(|c| BTreeMap::from([("h".to_string(), c.clone())]))
            .collect()
    }

    #[test]
    fn beats_counts_paired_wins_and_half_ties() {
        let a = [1.0, 2.0, 3.0, 0.0];
        let b = [2.0, 2.0, 2.0, 5.0];
        let m = beats_of(&[&a, &b]);
        // Replicates: a wins, tie, b wins, a wins: (1 + 0.5 + 0 + 1) / 4.
        assert_eq!(m[0][1], 0.625);
        assert_eq!(m[1][0], 0.375);
        assert_eq!(m[0][0], 0.5);
    }

    #[test]
    fn beats_matches_the_normal_probability_of_two_independent_arms() {
        // A ~ N(0, 1), B ~ N(0.5, 1): P(A < B) = Phi(0.5 / sqrt 2) = 0.638.
        let n = 20_000;
        let a = normal(n, 0.0, 1.0, 1);
        let b = normal(n, 0.5, 1.0, 2);
        let p = beats_of(&[&a, &b])[0][1];
        let exact = norm_cdf(0.5 / 2f64.sqrt());
        assert!((p - exact).abs() < 0.015, "{p} vs {exact}");
        // Paired arms (B = A + 0.3 + N(0, 0.5)): P(A < B) = Phi(0.3 / 0.5) = 0.726.
        let e = normal(n, 0.3, 0.5, 3);
        let b: Vec<f64> = a.iter().zip(&e).map(|(x, y)| x + y).collect();
        let p = beats_of(&[&a, &b])[0][1];
        let exact = norm_cdf(0.6);
        assert!((p - exact).abs() < 0.015, "{p} vs {exact}");
    }

    #[test]
    fn probability_best_of_three_normal_arms_matches_integration() {
        // Independent arms N(0,1), N(0.3,1), N(1,1); P(arm 0 lowest) = ∫ φ(x) (1-Φ(x-0.3)) (1-Φ(x-1)) dx.
        let n = 20_000;
        let cols = vec![
            normal(n, 0.0, 1.0, 4),
            normal(n, 0.3, 1.0, 5),
            normal(n, 1.0, 1.0, 6),
        ];
        let o = outcomes(&cols);
        let refs: Vec<&Outcomes> = o.iter().collect();
        let p = probability_best(&refs, H).unwrap();
        let means = [0.0, 0.3, 1.0];
        let step = 0.001;
        for k in 0..3 {
            let exact: f64 = (-8000..8000)
                .map(|i| {
                    let x = i as f64 * step;
                    let others: f64 = (0..3)
                        .filter(|&j| j != k)
                        .map(|j| 1.0 - norm_cdf(x - means[j]))
                        .product();
                    crate::study::prior::norm_pdf(x - means[k]) * others * step
                })
                .sum();
            assert!((p[k] - exact).abs() < 0.015, "arm {k}: {} vs {exact}", p[k]);
        }
    }

    #[test]
    fn ceac_limits_are_the_cheapest_arm_and_the_most_effective_arm() {
        // Baseline costs nothing; arm 1 costs 100 a replicate and averts N(2, 1); arm 2
        // costs 300 and averts N(3, 2).
        let n = 5_000;
        let base = vec![10.0; n];
        let h1: Vec<f64> = normal(n, 2.0, 1.0, 7).iter().map(|e| 10.0 - e).collect();
        let h2: Vec<f64> = normal(n, 3.0, 2.0, 8).iter().map(|e| 10.0 - e).collect();
        let (c0, c1, c2) = (vec![0.0; n], vec![100.0; n], vec![300.0; n]);
        let hs: [&[f64]; 3] = [&base, &h1, &h2];
        let cs: [&[f64]; 3] = [&c0, &c1, &c2];
        // λ = 0: money only, the free arm always wins.
        assert_eq!(acceptability(&hs, &cs, 0, 0.0), vec![1.0, 0.0, 0.0]);
        // λ → ∞: effect only, the curve becomes P(best) on the headline.
        let o = outcomes(&[base.clone(), h1.clone(), h2.clone()]);
        let refs: Vec<&Outcomes> = o.iter().collect();
        let best = probability_best(&refs, H).unwrap();
        let limit = acceptability(&hs, &cs, 0, 1e12);
        for (x, y) in limit.iter().zip(&best) {
            assert!((x - y).abs() < 1e-9, "{limit:?} vs {best:?}");
        }
        // The curve starts at λ = 0, ends at twice the largest mean cost per unit averted
        // (300 / 3 = 100), and its probabilities sum to 1 at every λ.
        let curve = ceac_of(&hs, &cs, 0);
        assert_eq!(curve.len(), 41);
        assert_eq!(curve[0].0, 0.0);
        let top = curve[40].0;
        assert!((top - 200.0).abs() < 10.0, "{top}");
        for (_, p) in &curve {
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn ceac_of_one_arm_against_baseline_is_the_normal_curve() {
        // Effect E ~ N(2, 1) per replicate at a fixed cost 100: the arm wins when λE > 100,
        // so P = 1 − Φ(100/λ − 2).
        let n = 20_000;
        let base = vec![5.0; n];
        let h: Vec<f64> = normal(n, 2.0, 1.0, 9).iter().map(|e| 5.0 - e).collect();
        let (c0, c1) = (vec![0.0; n], vec![100.0; n]);
        for lambda in [25.0, 40.0, 50.0, 80.0, 200.0] {
            let p = acceptability(&[&base, &h], &[&c0, &c1], 0, lambda)[1];
            let exact = 1.0 - norm_cdf(100.0 / lambda - 2.0);
            assert!((p - exact).abs() < 0.015, "λ {lambda}: {p} vs {exact}");
        }
    }

    #[test]
    fn break_even_ratio_by_hand() {
        // Baseline 10 cases at no cost. A averts 2 for 100 (0.02 a unit of money); B averts
        // 3 for 300 (0.01). B is as good a buy as A at half its unit costs: ratio 0.5.
        let (h0, c0) = (vec![10.0, 10.0], vec![0.0, 0.0]);
        let (ha, ca) = (vec![7.0, 9.0], vec![90.0, 110.0]);
        let (hb, cb) = (vec![6.5, 7.5], vec![300.0, 300.0]);
        let unfunded = (vec![11.0, 11.0], vec![50.0, 50.0]);
        let hs: [&[f64]; 4] = [&h0, &ha, &unfunded.0, &hb];
        let cs: [&[f64]; 4] = [&c0, &ca, &unfunded.1, &cb];
        let rows = break_even_of(&hs, &cs, 0);
        assert_eq!(
            rows.len(),
            1,
            "the arm that does harm has no break-even: {rows:?}"
        );
        let (a, b, ea, cost_a, eb, cost_b, ratio) = rows[0];
        assert_eq!((a, b), (1, 3));
        assert_eq!((ea, cost_a, eb, cost_b), (2.0, 100.0, 3.0, 300.0));
        assert!((ratio - 0.5).abs() < 1e-12);
        // At that ratio the two are equally cost-effective.
        assert!((eb / (cost_b * ratio) - ea / cost_a).abs() < 1e-12);
    }

    fn arms(k: usize, n: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
        prop::collection::vec(prop::collection::vec(-5i32..5, n), k).prop_map(|a| {
            a.into_iter()
                .map(|c| c.into_iter().map(f64::from).collect())
                .collect()
        })
    }

    proptest! {
        #[test]
        fn probabilities_are_coherent(cols in (2usize..5, 1usize..30).prop_flat_map(|(k, n)| arms(k, n))) {
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            let m = beats_of(&refs);
            let o = outcomes(&cols);
            let orefs: Vec<&Outcomes> = o.iter().collect();
            let best = probability_best(&orefs, H).unwrap();
            // P(best) sums to one; P(i beats j) + P(j beats i) = 1; being best in a
            // replicate means beating or tying every other arm there.
            prop_assert!((best.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            for (i, row) in m.iter().enumerate() {
                for (j, p) in row.iter().enumerate() {
                    prop_assert!((p + m[j][i] - 1.0).abs() < 1e-9);
                    if i != j {
                        prop_assert!(best[i] <= p + 1e-9);
                    }
                }
            }
        }

        #[test]
        fn two_arm_ceac_rises_with_willingness_to_pay(
            effects in prop::collection::vec(-10.0f64..10.0, 1..40),
            cost in 0.1f64..100.0,
        ) {
            // One arm against a free baseline at a fixed extra cost: its probability of being
            // the better buy never falls as λ rises, and it tends to P(effect > 0).
            let n = effects.len();
            let base = vec![0.0; n];
            let h: Vec<f64> = effects.iter().map(|e| -e).collect();
            let (c0, c1) = (vec![0.0; n], vec![cost; n]);
            let (hs, cs): ([&[f64]; 2], [&[f64]; 2]) = ([&base, &h], [&c0, &c1]);
            let curve = ceac_of(&hs, &cs, 0);
            for w in curve.windows(2) {
                prop_assert!(w[1].1[1] >= w[0].1[1]);
            }
            let positive = effects.iter().filter(|&&e| e > 0.0).count() as f64 / n as f64;
            prop_assert_eq!(acceptability(&hs, &cs, 0, 1e15)[1], positive);
        }
    }
}
