//! Outcomes, paired differences and cost-effectiveness.
//!
//! Every arm ran the same replicates on the same random streams (unless `--independent`), so
//! the right comparison is paired: for replicate r, arm minus baseline. The shared noise
//! cancels in the difference, which is why its interval is much narrower than the difference
//! of two separate means would be. Intervals are Student-t 95% intervals over replicates
//! ([`stats::interval`]); they describe the model's run-to-run variation, not uncertainty in
//! its parameters.
//!
//! An outcome is the final value of every recorded metric, plus a few derived quantities when
//! the metrics they need exist ([`HIKIKOMORI_PERSON_WEEKS`], [`SPEND`]). Missing metrics (the
//! SISa model, or a withdrawal build without policy levers) simply leave those outcomes out;
//! nothing is invented and no NaN is written.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::Series;
use crate::stats::{self, Interval};

/// Metric counting hikikomori agents at each tick.
pub const HIKIKOMORI_COUNT: &str = "hikikomori_count";
/// Metric with the cumulative policy spend.
pub const SPEND_CUMULATIVE: &str = "policy_spend_cumulative";
/// Metric with bridging ties per agent.
pub const BRIDGING: &str = "bridging_ties_per_agent";
/// Derived outcome: `hikikomori_count` summed over ticks 1..=T.
pub const HIKIKOMORI_PERSON_WEEKS: &str = "hikikomori_person_weeks";
/// Derived outcome: the final cumulative spend.
pub const SPEND: &str = "spend";

/// Spend unit for the "per million" ratios.
pub const MILLION: f64 = 1_000_000.0;

/// Per-replicate outcome values of one arm: outcome name → one value per replicate, present
/// only when every replicate recorded it.
pub type Outcomes = BTreeMap<String, Vec<f64>>;

/// The outcomes of one arm's replicates: every metric's final value, plus the derived ones.
pub fn outcomes(series: &[Series]) -> Outcomes {
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
        put(name, &|s: &Series| s.last(name));
    }
    put(HIKIKOMORI_PERSON_WEEKS, &|s: &Series| {
        let v = s.values(HIKIKOMORI_COUNT);
        (!v.is_empty()).then(|| v.iter().filter(|(t, _)| *t >= 1).map(|&(_, x)| x).sum())
    });
    put(SPEND, &|s: &Series| s.last(SPEND_CUMULATIVE));
    out
}

/// Replicate-by-replicate differences `arm[r] - baseline[r]`; `None` if the counts differ.
pub fn paired_differences(arm: &[f64], baseline: &[f64]) -> Option<Vec<f64>> {
    (arm.len() == baseline.len() && !arm.is_empty())
        .then(|| arm.iter().zip(baseline).map(|(a, b)| a - b).collect())
}

/// One arm's level and paired difference from the baseline for one outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effect {
    /// Mean over replicates with its 95% interval.
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
                    level: stats::interval(vals),
                    diff,
                },
            )
        })
        .collect()
}

/// A ratio with its 95% interval. Bounds are `None` where the ratio is not bounded (e.g. the
/// interval of cases averted reaches zero, so the cost per case has no upper bound).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub lo: Option<f64>,
    /// Upper end of the 95% interval.
    pub hi: Option<f64>,
}

/// Cost-effectiveness of one arm against the baseline. Every field is `None` when the metrics
/// it needs are absent, or (for the ratios) when the arm spends no more than the baseline or
/// averts nothing.
///
/// Ratios divide paired mean differences by the mean incremental spend; their intervals are
/// the interval of the numerator scaled by that spend, i.e. conditional on it (the budget is
/// a parameter, so spend varies little between replicates).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CostEffect {
    /// Mean total spend of the arm.
    pub spend: Option<Interval>,
    /// Paired extra spend over the baseline.
    pub spend_diff: Option<Interval>,
    /// Hikikomori person-weeks averted (baseline minus arm).
    pub person_weeks_averted: Option<Interval>,
    /// Person-weeks averted per 1 million of extra spend.
    pub person_weeks_averted_per_million: Option<Estimate>,
    /// Hikikomori cases averted at the final tick (baseline minus arm).
    pub cases_averted: Option<Interval>,
    /// Extra spend per case averted.
    pub cost_per_case_averted: Option<Estimate>,
    /// Bridging ties gained: the paired difference in bridging ties per agent times agents.
    pub bridging_ties_gained: Option<Interval>,
    /// Bridging ties gained per 1 million of extra spend.
    pub bridging_ties_gained_per_million: Option<Estimate>,
}

fn negate(iv: Interval) -> Interval {
    Interval {
        mean: -iv.mean,
        lo: -iv.hi,
        hi: -iv.lo,
        ..iv
    }
}

fn scale(iv: Interval, k: f64) -> Interval {
    let (a, b) = (iv.lo * k, iv.hi * k);
    Interval {
        mean: iv.mean * k,
        sd: iv.sd * k.abs(),
        lo: a.min(b),
        hi: a.max(b),
        ..iv
    }
}

/// `iv` per million of `spend` (positive), with the interval scaled alike.
fn per_million(iv: Interval, spend: f64) -> Estimate {
    let m = spend / MILLION;
    Estimate {
        value: iv.mean / m,
        lo: Some(iv.lo / m),
        hi: Some(iv.hi / m),
    }
}

/// Cost-effectiveness of `arm` against `baseline`; `agents` is the population size (for
/// bridging ties gained), if known.
pub fn cost_effect(arm: &Outcomes, baseline: &Outcomes, agents: Option<f64>) -> CostEffect {
    let diff = |name: &str| -> Option<Interval> {
        paired_differences(arm.get(name)?, baseline.get(name)?).map(|d| stats::interval(&d))
    };
    let spend = arm.get(SPEND).map(|v| stats::interval(v));
    let spend_diff = diff(SPEND);
    let extra = spend_diff.map(|s| s.mean).filter(|s| *s > 0.0);
    let person_weeks_averted = diff(HIKIKOMORI_PERSON_WEEKS).map(negate);
    let cases_averted = diff(HIKIKOMORI_COUNT).map(negate);
    let bridging_ties_gained = diff(BRIDGING).zip(agents).map(|(d, n)| scale(d, n));
    let cost_per_case_averted = match (extra, cases_averted) {
        (Some(s), Some(c)) if c.mean > 0.0 => Some(Estimate {
            value: s / c.mean,
            // More cases averted means a lower cost per case: the bounds swap.
            lo: (c.hi > 0.0).then(|| s / c.hi),
            hi: (c.lo > 0.0).then(|| s / c.lo),
        }),
        _ => None,
    };
    CostEffect {
        spend,
        spend_diff,
        person_weeks_averted_per_million: extra
            .zip(person_weeks_averted)
            .map(|(s, a)| per_million(a, s)),
        person_weeks_averted,
        cases_averted,
        cost_per_case_averted,
        bridging_ties_gained_per_million: extra
            .zip(bridging_ties_gained)
            .map(|(s, g)| per_million(g, s)),
        bridging_ties_gained,
    }
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
        let o = outcomes(&s);
        assert_eq!(o[HIKIKOMORI_COUNT], vec![30.0, 3.0]);
        // Tick 0 is the starting state, not a week of the run.
        assert_eq!(o[HIKIKOMORI_PERSON_WEEKS], vec![60.0, 6.0]);
        assert_eq!(o[SPEND], vec![15.0, 16.0]);
    }

    #[test]
    fn derived_outcomes_are_skipped_without_their_metrics() {
        let s = [series(0, &[("infected", &[1.0, 2.0])])];
        let o = outcomes(&s);
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
        let (b, a) = (outcomes(&base), outcomes(&arm));
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

    #[test]
    fn cost_effectiveness_arithmetic() {
        let mk = |pw: [f64; 2], cases: [f64; 2], spend: [f64; 2], bridging: [f64; 2]| {
            let mut o = Outcomes::new();
            o.insert(HIKIKOMORI_PERSON_WEEKS.into(), pw.to_vec());
            o.insert(HIKIKOMORI_COUNT.into(), cases.to_vec());
            o.insert(SPEND.into(), spend.to_vec());
            o.insert(BRIDGING.into(), bridging.to_vec());
            o
        };
        let base = mk([1000.0, 1200.0], [50.0, 60.0], [0.0, 0.0], [0.5, 0.6]);
        let arm = mk(
            [900.0, 1000.0],
            [40.0, 50.0],
            [2_000_000.0, 2_000_000.0],
            [0.6, 0.8],
        );
        let ce = cost_effect(&arm, &base, Some(1000.0));
        assert_eq!(ce.spend_diff.unwrap().mean, 2_000_000.0);
        // Averted 100 and 200 person-weeks: mean 150, per million 75.
        let pwa = ce.person_weeks_averted.unwrap();
        assert!((pwa.mean - 150.0).abs() < 1e-9);
        let pm = ce.person_weeks_averted_per_million.unwrap();
        assert!((pm.value - 75.0).abs() < 1e-9);
        assert!((pm.lo.unwrap() - pwa.lo / 2.0).abs() < 1e-9);
        assert!(pm.lo.unwrap() < pm.value && pm.value < pm.hi.unwrap());
        // 10 cases averted in both replicates: 200,000 per case, no spread.
        let cpc = ce.cost_per_case_averted.unwrap();
        assert!((cpc.value - 200_000.0).abs() < 1e-6);
        assert!((cpc.lo.unwrap() - 200_000.0).abs() < 1e-6);
        // Bridging +0.1 and +0.2 per agent on 1000 agents: 150 ties, 75 per million.
        assert!((ce.bridging_ties_gained.unwrap().mean - 150.0).abs() < 1e-9);
        assert!((ce.bridging_ties_gained_per_million.unwrap().value - 75.0).abs() < 1e-9);
        // Without the agent count there are no tie totals.
        assert!(cost_effect(&arm, &base, None)
            .bridging_ties_gained
            .is_none());
        // No extra spend: no ratios, but the averted totals are still reported.
        let free = cost_effect(&arm, &arm, Some(1000.0));
        assert!(free.person_weeks_averted_per_million.is_none());
        assert!(free.cost_per_case_averted.is_none());
        assert_eq!(free.person_weeks_averted.unwrap().mean, 0.0);
    }

    #[test]
    fn cost_per_case_has_no_upper_bound_when_averted_cases_may_be_zero() {
        let mut base = Outcomes::new();
        base.insert(HIKIKOMORI_COUNT.into(), vec![10.0, 10.0, 10.0]);
        base.insert(SPEND.into(), vec![0.0, 0.0, 0.0]);
        let mut arm = Outcomes::new();
        arm.insert(HIKIKOMORI_COUNT.into(), vec![12.0, 9.0, 3.0]);
        arm.insert(SPEND.into(), vec![100.0, 100.0, 100.0]);
        let c = cost_effect(&arm, &base, None)
            .cost_per_case_averted
            .unwrap();
        // Averted -2, 1, 7: mean 2, so 50 per case; the interval reaches below zero.
        assert!((c.value - 50.0).abs() < 1e-9);
        assert!(c.lo.is_some() && c.hi.is_none());
    }
}
