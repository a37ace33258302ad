//! Cost-effectiveness of an arm against the baseline: spend, person-years and cases averted,
//! bridging ties gained, and their ratios to the extra spend.
//!
//! Why a file of its own: these are health-economics conventions layered on the paired
//! differences of [`super::analysis`] (averted = baseline minus arm; a ratio's interval is
//! its numerator's, scaled by the mean extra spend; a cost per person-year has no upper bound
//! when the averted interval reaches zero), and they are read by funders, so they are kept
//! where they can be checked on their own.

use serde::Serialize;

use super::analysis::{
    level, paired_differences, Outcomes, BRIDGING, HIKIKOMORI_COUNT, HIKIKOMORI_PERSON_WEEKS,
    HIKIKOMORI_PERSON_YEARS, SPEND,
};
use crate::stats::{self, Interval};

/// Spend unit for the "per million" ratios.
pub const MILLION: f64 = 1_000_000.0;

/// A ratio with its 95% interval. Bounds are `None` where the ratio is not bounded (e.g. the
/// interval of person-years averted reaches zero, so the cost per person-year has no upper
/// bound).
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
/// averts nothing. Spend and person-years are discounted alike ([`outcomes`](super::analysis::outcomes)).
///
/// Ratios divide paired mean differences by the mean incremental spend; their intervals are
/// the interval of the numerator scaled by that spend, i.e. conditional on it (the budget is
/// a parameter, so spend varies little between replicates).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CostEffect {
    /// Mean total spend of the arm over the horizon (discounted), a level with its interval on
    /// the log scale ([`level`](super::analysis::level)).
    pub spend: Option<Interval>,
    /// Paired extra spend over the baseline (discounted).
    pub spend_diff: Option<Interval>,
    /// Hikikomori person-weeks averted over the horizon, undiscounted (baseline minus arm).
    pub person_weeks_averted: Option<Interval>,
    /// Hikikomori person-years averted over the horizon, discounted (baseline minus arm).
    pub person_years_averted: Option<Interval>,
    /// Extra spend per person-year averted (the incremental cost-effectiveness ratio).
    pub cost_per_person_year_averted: Option<Estimate>,
    /// Person-years averted per 1 million of extra spend.
    pub person_years_averted_per_million: Option<Estimate>,
    /// Hikikomori cases averted, read at the final week (baseline minus arm); a level, never
    /// divided by the spend of the whole horizon.
    pub cases_averted_final_week: Option<Interval>,
    /// Bridging ties gained at the final week: the paired difference in bridging ties per
    /// agent times agents.
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

/// `spend` per unit of `averted` (mean positive); more averted means a lower cost, so the
/// bounds swap, and a bound is `None` where the averted interval reaches zero.
fn cost_per(spend: f64, averted: Interval) -> Option<Estimate> {
    (averted.mean > 0.0).then(|| Estimate {
        value: spend / averted.mean,
        lo: (averted.hi > 0.0).then(|| spend / averted.hi),
        hi: (averted.lo > 0.0).then(|| spend / averted.lo),
    })
}

/// Cost-effectiveness of `arm` against `baseline`; `agents` is the population size (for
/// bridging ties gained), if known.
pub fn cost_effect(arm: &Outcomes, baseline: &Outcomes, agents: Option<f64>) -> CostEffect {
    let diff = |name: &str| -> Option<Interval> {
        paired_differences(arm.get(name)?, baseline.get(name)?).map(|d| stats::interval(&d))
    };
    let spend = arm.get(SPEND).map(|v| level(SPEND, v));
    let spend_diff = diff(SPEND);
    let extra = spend_diff.map(|s| s.mean).filter(|s| *s > 0.0);
    let person_years_averted = diff(HIKIKOMORI_PERSON_YEARS).map(negate);
    let bridging_ties_gained = diff(BRIDGING).zip(agents).map(|(d, n)| scale(d, n));
    CostEffect {
        spend,
        spend_diff,
        person_weeks_averted: diff(HIKIKOMORI_PERSON_WEEKS).map(negate),
        person_years_averted,
        cost_per_person_year_averted: extra
            .zip(person_years_averted)
            .and_then(|(s, a)| cost_per(s, a)),
        person_years_averted_per_million: extra
            .zip(person_years_averted)
            .map(|(s, a)| per_million(a, s)),
        cases_averted_final_week: diff(HIKIKOMORI_COUNT).map(negate),
        bridging_ties_gained_per_million: extra
            .zip(bridging_ties_gained)
            .map(|(s, g)| per_million(g, s)),
        bridging_ties_gained,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_effectiveness_arithmetic() {
        let mk = |py: [f64; 2], cases: [f64; 2], spend: [f64; 2], bridging: [f64; 2]| {
            let mut o = Outcomes::new();
            o.insert(HIKIKOMORI_PERSON_YEARS.into(), py.to_vec());
            o.insert(HIKIKOMORI_COUNT.into(), cases.to_vec());
            o.insert(SPEND.into(), spend.to_vec());
            o.insert(BRIDGING.into(), bridging.to_vec());
            o
        };
        let base = mk([100.0, 120.0], [50.0, 60.0], [0.0, 0.0], [0.5, 0.6]);
        let arm = mk(
            [90.0, 100.0],
            [40.0, 50.0],
            [2_000_000.0, 2_000_000.0],
            [0.6, 0.8],
        );
        let ce = cost_effect(&arm, &base, Some(1000.0));
        assert_eq!(ce.spend_diff.unwrap().mean, 2_000_000.0);
        // Averted 10 and 20 person-years: mean 15, 7.5 per million, 133,333 per person-year.
        let pya = ce.person_years_averted.unwrap();
        assert!((pya.mean - 15.0).abs() < 1e-9);
        let pm = ce.person_years_averted_per_million.unwrap();
        assert!((pm.value - 7.5).abs() < 1e-9);
        assert!((pm.lo.unwrap() - pya.lo / 2.0).abs() < 1e-9);
        let icer = ce.cost_per_person_year_averted.unwrap();
        assert!((icer.value - 2_000_000.0 / 15.0).abs() < 1e-6);
        // The interval of averted person-years reaches below zero with two replicates
        // (t(1) = 12.7), so the cost per person-year has no upper bound.
        assert!(pya.lo < 0.0 && icer.hi.is_none() && icer.lo.is_some());
        assert_eq!(ce.cases_averted_final_week.unwrap().mean, 10.0);
        // Bridging +0.1 and +0.2 per agent on 1000 agents: 150 ties, 75 per million.
        assert!((ce.bridging_ties_gained.unwrap().mean - 150.0).abs() < 1e-9);
        assert!((ce.bridging_ties_gained_per_million.unwrap().value - 75.0).abs() < 1e-9);
        // Without the agent count there are no tie totals.
        assert!(cost_effect(&arm, &base, None)
            .bridging_ties_gained
            .is_none());
        // No extra spend: no ratios, but the averted totals are still reported.
        let free = cost_effect(&arm, &arm, Some(1000.0));
        assert!(free.person_years_averted_per_million.is_none());
        assert!(free.cost_per_person_year_averted.is_none());
        assert_eq!(free.person_years_averted.unwrap().mean, 0.0);
    }
}
