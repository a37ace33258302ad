//! Outcomes, levels, paired differences and rankings (cost-effectiveness is in `cost.rs`).
//!
//! Every arm ran the same replicates on the same random streams (unless `--independent`), so
//! the right comparison is paired: for replicate r, arm minus baseline (or arm minus any other
//! arm, [`pairwise`]). The shared noise cancels in the difference, which is why its interval is
//! much narrower than the difference of two separate means would be. Intervals are Student-t
//! 95% intervals over replicates; they describe the model's run-to-run variation, not
//! uncertainty in its parameters. A difference can have either sign and gets the plain
//! interval `mean ± t · se` ([`stats::interval`]). A level (one arm's mean) of an outcome that
//! cannot be negative, which is every outcome but the [`SIGNED`] ones, gets the t-interval on
//! the log scale, `mean × exp(∓ t · se / mean)` ([`stats::log_interval`], see [`level`]): with
//! few replicates the plain interval of a small count reaches below zero, which the log scale
//! never does, and with many the two agree.
//!
//! An outcome is the final-week value of every recorded metric, except the metrics that cycle
//! with the policy's cohorts ([`AVERAGED`]), which are averaged over the final year so the
//! phase of the cycle at the last week does not decide the result. Derived outcomes are added
//! when the metrics they need exist: person-weeks and (discounted) person-years of hikikomori
//! over the whole horizon, and the (discounted) spend. Health-economics conventions: costs and
//! outcomes are discounted alike, weekly, at `policy.discount_rate` a year
//! ([`discount_factor`]); cost-effectiveness divides spend over the horizon by person-years
//! averted over the same horizon, never by a count at one week. Missing metrics (the SISa
//! model, or a withdrawal build without policy levers) simply leave those outcomes out;
//! nothing is invented and no NaN is written.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::cost::{cost_effect, CostEffect, Estimate, MILLION};
use crate::engine::Series;
use crate::stats::{self, Interval};

/// Metric counting hikikomori agents at each tick.
pub const HIKIKOMORI_COUNT: &str = "hikikomori_count";
/// Metric with the cumulative policy spend.
pub const SPEND_CUMULATIVE: &str = "policy_spend_cumulative";
/// Metric with bridging ties per agent.
pub const BRIDGING: &str = "bridging_ties_per_agent";
/// Derived outcome: `hikikomori_count` summed over ticks 1..=T (undiscounted).
pub const HIKIKOMORI_PERSON_WEEKS: &str = "hikikomori_person_weeks";
/// Derived outcome: `hikikomori_count` summed over ticks 1..=T, discounted, divided by 52.
pub const HIKIKOMORI_PERSON_YEARS: &str = "hikikomori_person_years";
/// Derived outcome: the spend over ticks 1..=T, discounted (the final cumulative spend when the
/// discount rate is 0).
pub const SPEND: &str = "spend";

/// Weeks in a model year (a tick is a week).
pub const WEEKS_PER_YEAR: f64 = 52.0;

/// Metrics that cycle with the policy's cohorts (a service course admits a cohort together,
/// so `in_service` saw-tooths on the course length): their outcome is the mean over the final
/// year (the last 52 ticks, or the whole run if shorter), not the value at the final week.
pub const AVERAGED: &[&str] = &[
    "event_attendees",
    "in_service",
    "recovery_group_members",
    "service_unused_places",
];

/// Per-replicate outcome values of one arm: outcome name → one value per replicate, present
/// only when every replicate recorded it.
pub type Outcomes = BTreeMap<String, Vec<f64>>;

/// The weight of tick `t` (a week) under an annual discount rate: `(1 + rate)^(−t/52)`, so a
/// week in year k is discounted like the year, smoothly. Tick 1 is almost undiscounted.
pub fn discount_factor(rate: f64, tick: u32) -> f64 {
    if rate == 0.0 {
        1.0
    } else {
        (1.0 + rate).powf(-(tick as f64) / WEEKS_PER_YEAR)
    }
}

/// How an outcome value is read from a metric's series: the final value, or (for [`AVERAGED`]
/// metrics) the mean over the final year.
pub fn reading(metric: &str) -> &'static str {
    if AVERAGED.contains(&metric) {
        "mean over the final year"
    } else {
        "final week"
    }
}

fn read_metric(s: &Series, name: &str) -> Option<f64> {
    if !AVERAGED.contains(&name) {
        return s.last(name);
    }
    let v = s.values(name);
    let last = v.last()?.0;
    let from = last
        .saturating_sub(WEEKS_PER_YEAR as u32 - 1)
        .max(1)
        .min(last);
    let window: Vec<f64> = v
        .iter()
        .filter(|(t, _)| *t >= from)
        .map(|&(_, x)| x)
        .collect();
    Some(window.iter().sum::<f64>() / window.len() as f64)
}

/// The outcomes of one arm's replicates: every metric's reading ([`reading`]), plus the
/// derived ones, discounted at `discount_rate` a year.
pub fn outcomes(series: &[Series], discount_rate: f64) -> Outcomes {
    let mut names: Vec<&String> = series.iter().flat_map(|s| s.metrics.iter()).collect();
    names.sort();
    names.dedup();
    let mut out = Outcomes::new();
    let mut put = |name: &str, f: &dyn Fn(&Series) -> Option<f64>| {
        let vals: Option<Vec<f64>> = series.iter().map(f).collect();
        if let Some(v) = vals.filter(|v| !v.is_empty() && v.iter().all(|x| x.is_finite())) {
            out.insert(name.to_string(), v);
        }
    };
    for name in names {
        put(name, &|s: &Series| read_metric(s, name));
    }
    put(HIKIKOMORI_PERSON_WEEKS, &|s: &Series| {
        let v = s.values(HIKIKOMORI_COUNT);
        (!v.is_empty()).then(|| v.iter().filter(|(t, _)| *t >= 1).map(|&(_, x)| x).sum())
    });
    put(HIKIKOMORI_PERSON_YEARS, &|s: &Series| {
        let v = s.values(HIKIKOMORI_COUNT);
        (!v.is_empty()).then(|| {
            v.iter()
                .filter(|(t, _)| *t >= 1)
                .map(|&(t, x)| x * discount_factor(discount_rate, t))
                .sum::<f64>()
                / WEEKS_PER_YEAR
        })
    });
    put(SPEND, &|s: &Series| {
        if discount_rate == 0.0 {
            return s.last(SPEND_CUMULATIVE);
        }
        let v = s.values(SPEND_CUMULATIVE);
        let mut prev = v.first()?.1;
        let mut total = 0.0;
        for &(t, cum) in v.iter().skip(1) {
            total += (cum - prev) * discount_factor(discount_rate, t);
            prev = cum;
        }
        Some(total)
    });
    out
}

/// Outcomes that can be negative, by name, or by prefix where the entry ends in `*`: the E-I
/// index (from −1, all bonding, to +1) and the relative loneliness excess at each network
/// distance (`lonely_excess_d1` …, from −1 up). Every other outcome, of either model, is a
/// count, a share, a mean of non-negative values or an amount of money.
pub const SIGNED: &[&str] = &["ei_index", "lonely_excess_d*"];

/// Whether an outcome can take negative values ([`SIGNED`]).
pub fn is_signed(outcome: &str) -> bool {
    SIGNED.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => outcome.starts_with(prefix),
        None => outcome == *p,
    })
}

/// One arm's level of `outcome` over its replicates, with the 95% interval that suits it: on
/// the log scale ([`stats::log_interval`]) for an outcome that cannot be negative, so the
/// interval never claims impossible values; the plain t-interval for a [`SIGNED`] one.
pub fn level(outcome: &str, vals: &[f64]) -> Interval {
    if is_signed(outcome) {
        stats::interval(vals)
    } else {
        stats::log_interval(vals)
    }
}

/// Replicate-by-replicate differences `arm[r] - baseline[r]`; `None` if the counts differ.
pub fn paired_differences(arm: &[f64], baseline: &[f64]) -> Option<Vec<f64>> {
    (arm.len() == baseline.len() && !arm.is_empty())
        .then(|| arm.iter().zip(baseline).map(|(a, b)| a - b).collect())
}

/// One arm's level and paired difference from the baseline for one outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effect {
    /// Mean over replicates with its 95% interval ([`level`]: on the log scale unless the
    /// outcome can be negative).
    pub level: Interval,
    /// Mean paired difference from the baseline with its 95% interval (zero for the baseline
    /// itself); `None` when the baseline lacks the outcome.
    pub diff: Option<Interval>,
}

/// Effects of every outcome of one arm against the baseline's outcomes.
pub fn effects(arm: &Outcomes, baseline: &Outcomes) -> BTreeMap<String, Effect> {
    arm.iter()
        .map(|(name, vals)| {
            let diff = baseline
                .get(name)
                .and_then(|b| paired_differences(vals, b))
                .map(|d| stats::interval(&d));
            (
                name.clone(),
                Effect {
                    level: level(name, vals),
                    diff,
                },
            )
        })
        .collect()
}

/// The outcome a comparison is ranked on, and which direction is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Headline {
    /// Outcome name.
    pub outcome: &'static str,
    /// How it reads in a sentence.
    pub text: &'static str,
    /// Whether less is better (true for every headline so far: cases, prevalence).
    pub lower_is_better: bool,
}

/// Headline outcomes in order of preference; the first one every arm has is used.
pub const HEADLINES: &[Headline] = &[
    Headline {
        outcome: HIKIKOMORI_PERSON_YEARS,
        text: "hikikomori person-years over the horizon",
        lower_is_better: true,
    },
    Headline {
        outcome: "prevalence",
        text: "prevalence at the final tick",
        lower_is_better: true,
    },
];

/// The headline outcome of arms with these outcomes, if they all have one.
pub fn headline(arms: &[&Outcomes]) -> Option<Headline> {
    HEADLINES
        .iter()
        .copied()
        .find(|h| arms.iter().all(|o| o.contains_key(h.outcome)))
}

/// Arm indices from best to worst on the headline (by mean; ties keep arm order).
pub fn ranking(arms: &[&Outcomes], h: Headline) -> Vec<usize> {
    let mean = |k: usize| {
        let v = &arms[k][h.outcome];
        v.iter().sum::<f64>() / v.len() as f64
    };
    let mut order: Vec<usize> = (0..arms.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (mean(a), mean(b));
        let c = x.total_cmp(&y);
        if h.lower_is_better {
            c
        } else {
            c.reverse()
        }
    });
    order
}

/// For each arm, the share of replicates in which it is the best arm on the headline (ties
/// share the replicate equally). With common random numbers replicate r of every arm faced the
/// same chance events, so this is the probability of being best over the model's run-to-run
/// variation; `None` when the arms do not have the same number of replicates.
pub fn probability_best(arms: &[&Outcomes], h: Headline) -> Option<Vec<f64>> {
    let cols: Vec<&Vec<f64>> = arms.iter().map(|o| &o[h.outcome]).collect();
    let n = cols.first()?.len();
    if n == 0 || cols.iter().any(|c| c.len() != n) {
        return None;
    }
    let mut p = vec![0.0; arms.len()];
    for r in 0..n {
        let vals: Vec<f64> = cols.iter().map(|c| c[r]).collect();
        let best = if h.lower_is_better {
            vals.iter().copied().fold(f64::INFINITY, f64::min)
        } else {
            vals.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        };
        let winners: Vec<usize> = (0..vals.len()).filter(|&k| vals[k] == best).collect();
        for k in &winners {
            p[*k] += 1.0 / winners.len() as f64 / n as f64;
        }
    }
    Some(p)
}

/// Paired differences `arm i − arm j` on `outcome` for every ordered pair i ≠ j:
/// `result[i][j]`, `None` on the diagonal or where a pair lacks the outcome.
pub fn pairwise(arms: &[&Outcomes], outcome: &str) -> Vec<Vec<Option<Interval>>> {
    (0..arms.len())
        .map(|i| {
            (0..arms.len())
                .map(|j| {
                    if i == j {
                        return None;
                    }
                    paired_differences(arms[i].get(outcome)?, arms[j].get(outcome)?)
                        .map(|d| stats::interval(&d))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Row;

    /// A series with the given metrics, each a list of per-tick values from tick 0.
    fn series(replicate: u32, metrics: &[(&str, &[f64])]) -> Series {
        let mut s = Series {
            replicate,
            metrics: metrics.iter().map(|(m, _)| m.to_string()).collect(),
            ..Series::default()
        };
        let ticks = metrics.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        for t in 0..ticks {
            for (i, (_, v)) in metrics.iter().enumerate() {
                if let Some(x) = v.get(t) {
                    s.rows.push(Row {
                        tick: t as u32,
                        metric: i as u16,
                        value: *x,
                    });
                }
            }
        }
        s
    }

    #[test]
    fn outcomes_take_final_values_and_derive_person_weeks_and_spend() {
        let s = [
            series(
                0,
                &[
                    (HIKIKOMORI_COUNT, &[100.0, 10.0, 20.0, 30.0]),
                    (SPEND_CUMULATIVE, &[0.0, 5.0, 10.0, 15.0]),
                ],
            ),
            series(
                1,
                &[
                    (HIKIKOMORI_COUNT, &[100.0, 1.0, 2.0, 3.0]),
                    (SPEND_CUMULATIVE, &[0.0, 5.0, 10.0, 16.0]),
                ],
            ),
        ];
        let o = outcomes(&s, 0.0);
        assert_eq!(o[HIKIKOMORI_COUNT], vec![30.0, 3.0]);
        // Tick 0 is the starting state, not a week of the run.
        assert_eq!(o[HIKIKOMORI_PERSON_WEEKS], vec![60.0, 6.0]);
        assert_eq!(o[SPEND], vec![15.0, 16.0]);
    }

    #[test]
    fn derived_outcomes_are_skipped_without_their_metrics() {
        let s = [series(0, &[("infected", &[1.0, 2.0])])];
        let o = outcomes(&s, 0.0);
        assert_eq!(o.keys().collect::<Vec<_>>(), vec!["infected"]);
        let ce = cost_effect(&o, &o, Some(100.0));
        assert_eq!(ce, CostEffect::default());
    }

    #[test]
    fn paired_difference_is_replicate_by_replicate() {
        let base = [
            series(0, &[("x", &[0.0, 10.0])]),
            series(1, &[("x", &[0.0, 20.0])]),
            series(2, &[("x", &[0.0, 30.0])]),
        ];
        let arm = [
            series(0, &[("x", &[0.0, 9.0])]),
            series(1, &[("x", &[0.0, 18.0])]),
            series(2, &[("x", &[0.0, 30.0])]),
        ];
        let (b, a) = (outcomes(&base, 0.0), outcomes(&arm, 0.0));
        let e = effects(&a, &b);
        let d = e["x"].diff.unwrap();
        // Differences -1, -2, 0: mean -1, sd 1, half-width t(2) / sqrt(3).
        assert!((d.mean + 1.0).abs() < 1e-12);
        assert!((d.sd - 1.0).abs() < 1e-12);
        assert!((d.hi - (-1.0 + 4.303 / 3f64.sqrt())).abs() < 1e-9);
        // The levels differ by the same mean but vary far more than the differences.
        assert!(e["x"].level.sd > 9.0);
        let own = effects(&b, &b);
        let z = own["x"].diff.unwrap();
        assert_eq!((z.mean, z.lo, z.hi), (0.0, 0.0, 0.0));
        assert_eq!(paired_differences(&[1.0], &[1.0, 2.0]), None);
    }

    /// A level whose plain t-interval reaches below zero gets a positive lower bound on the
    /// log scale; signed outcomes and every paired difference keep the plain interval.
    #[test]
    fn levels_of_non_negative_outcomes_stay_positive_differences_stay_plain() {
        let py = [3.0, 12.0, 6.0];
        let plain = stats::interval(&py);
        assert!(plain.lo < 0.0, "{plain:?}");
        let arm = |v: &[f64]| {
            let mut o = Outcomes::new();
            for name in [HIKIKOMORI_PERSON_YEARS, "ei_index", "lonely_excess_d2"] {
                o.insert(name.into(), v.to_vec());
            }
            o
        };
        let (base, other) = (arm(&py), arm(&[2.0, 13.0, 4.0]));
        let e = effects(&base, &other);
        let level = e[HIKIKOMORI_PERSON_YEARS].level;
        assert_eq!(level, stats::log_interval(&py));
        assert!(level.lo > 0.0 && level.lo < level.mean && level.mean < level.hi);
        for signed in ["ei_index", "lonely_excess_d2"] {
            assert_eq!(e[signed].level, plain, "{signed}");
        }
        // Differences 1, -1, 2: plain interval, reaching below zero.
        let d = e[HIKIKOMORI_PERSON_YEARS].diff.unwrap();
        assert_eq!(d, stats::interval(&[1.0, -1.0, 2.0]));
        assert!(d.lo < 0.0);
        assert!(is_signed("lonely_excess_d4") && is_signed("ei_index"));
        assert!(!is_signed("ei_index_x") && !is_signed("hikikomori_count"));
    }

    #[test]
    fn discounting_weighs_later_weeks_less_and_zero_rate_changes_nothing() {
        let weeks = 104;
        let count: Vec<f64> = vec![10.0; weeks + 1];
        let cum: Vec<f64> = (0..=weeks).map(|t| 100.0 * t as f64).collect();
        let s = [series(
            0,
            &[(HIKIKOMORI_COUNT, &count), (SPEND_CUMULATIVE, &cum)],
        )];
        let flat = outcomes(&s, 0.0);
        assert_eq!(flat[HIKIKOMORI_PERSON_WEEKS], vec![1040.0]);
        assert!((flat[HIKIKOMORI_PERSON_YEARS][0] - 20.0).abs() < 1e-12);
        assert_eq!(flat[SPEND], vec![10_400.0]);
        let d = outcomes(&s, 0.035);
        // Two years at 3.5%: every week weighs between 1.035^-2 and 1.
        let py = d[HIKIKOMORI_PERSON_YEARS][0];
        assert!(py < 20.0 && py > 20.0 / 1.035f64.powi(2), "{py}");
        let spend = d[SPEND][0];
        assert!(spend < 10_400.0 && spend > 10_400.0 / 1.035f64.powi(2));
        // Costs and outcomes are discounted alike: the same weekly stream, the same factor.
        assert!((spend / 10_400.0 - py / 20.0).abs() < 1e-12);
        assert!((discount_factor(0.035, 52) - 1.0 / 1.035).abs() < 1e-12);
        assert_eq!(d[HIKIKOMORI_PERSON_WEEKS], vec![1040.0]);
    }

    #[test]
    fn cycling_metrics_are_averaged_over_the_final_year() {
        // A saw-tooth with period 4 over 100 weeks: the final week reads 0, the year's mean 25.
        let v: Vec<f64> = (0..=100)
            .map(|t| if t % 4 == 0 { 0.0 } else { 100.0 / 3.0 })
            .collect();
        let s = [series(0, &[("in_service", &v), ("lonely_share", &v)])];
        let o = outcomes(&s, 0.0);
        assert_eq!(o["lonely_share"], vec![0.0]);
        assert!(
            (o["in_service"][0] - 25.0).abs() < 1e-9,
            "{:?}",
            o["in_service"]
        );
        assert_eq!(reading("in_service"), "mean over the final year");
        assert_eq!(reading("lonely_share"), "final week");
    }

    #[test]
    fn ranking_probability_best_and_pairwise_differences() {
        let arm = |v: &[f64]| {
            let mut o = Outcomes::new();
            o.insert(HIKIKOMORI_PERSON_YEARS.into(), v.to_vec());
            o
        };
        let (a, b, c) = (
            arm(&[10.0, 12.0, 11.0, 9.0]),
            arm(&[8.0, 13.0, 9.0, 9.0]),
            arm(&[12.0, 14.0, 13.0, 12.0]),
        );
        let arms = [&a, &b, &c];
        let h = headline(&arms).unwrap();
        assert_eq!(h.outcome, HIKIKOMORI_PERSON_YEARS);
        assert_eq!(ranking(&arms, h), vec![1, 0, 2]);
        // b wins replicates 0 and 2, a wins 1, replicate 3 is a tie between a and b.
        let p = probability_best(&arms, h).unwrap();
        assert_eq!(p, vec![0.375, 0.625, 0.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let pw = pairwise(&arms, h.outcome);
        assert!(pw[0][0].is_none());
        // b − a per replicate: −2, 1, −2, 0.
        assert!((pw[1][0].unwrap().mean + 0.75).abs() < 1e-12);
        assert_eq!(pw[0][1].unwrap().mean, -pw[1][0].unwrap().mean);
        assert!(headline(&[&Outcomes::new()]).is_none());
    }
}
