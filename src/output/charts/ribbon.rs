//! Series for time charts: the mean and 95% interval per tick over replicates, and the paired
//! difference of each arm from the baseline per tick.

use super::*;

/// Per-tick mean and 95% interval of `metric` over each labelled group of replicates, one
/// [`Ribbon`] per group in the same order, coloured by position (a comparison recolours them
/// with [`arm_colour`]), each with its band. A tick appears when
/// at least one replicate of the group recorded a finite value for it; non-finite values are
/// left out, and a group that never recorded the metric gives a ribbon with no points.
pub fn ribbons_from_series(groups: &[(String, &[Series])], metric: &str) -> Vec<Ribbon> {
    groups
        .iter()
        .map(|(label, replicates)| {
            let mut by_tick: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
            for s in replicates.iter() {
                for (tick, v) in s.values(metric) {
                    if v.is_finite() {
                        by_tick.entry(tick).or_default().push(v);
                    }
                }
            }
            ribbon_of(label, by_tick)
        })
        .enumerate()
        .map(|(i, mut r)| {
            r.colour = i;
            r
        })
        .collect()
}

/// One ribbon from the values gathered per tick: the mean and 95% interval at each tick (the
/// band always contains the mean, also when the interval is degenerate).
pub(super) fn ribbon_of(label: &str, by_tick: BTreeMap<u32, Vec<f64>>) -> Ribbon {
    let points = by_tick
        .into_iter()
        .map(|(tick, xs)| {
            let iv = crate::stats::interval(&xs);
            RibbonPoint {
                x: tick as f64,
                mean: iv.mean,
                lo: iv.lo.min(iv.mean),
                hi: iv.hi.max(iv.mean),
            }
        })
        .collect();
    Ribbon {
        label: label.to_string(),
        points,
        colour: 0,
        band: true,
    }
}

/// Per-tick mean and 95% interval of the paired difference `metric(group, r) − metric(baseline,
/// r)` over the replicates r that recorded a finite value at that tick in both, one [`Ribbon`]
/// per group in the same order as `groups` (so colours match the other charts; the baseline's
/// own ribbon is zero). Replicates are paired by [`Series::replicate`]: with common random
/// numbers replicate r of every arm shares its streams, so the paired difference removes the
/// noise the arms share and shows the policy's effect over time.
pub fn difference_ribbons(
    groups: &[(String, &[Series])],
    baseline: usize,
    metric: &str,
) -> Vec<Ribbon> {
    let base: BTreeMap<u32, BTreeMap<u32, f64>> = groups[baseline]
        .1
        .iter()
        .map(|s| (s.replicate, s.values(metric).into_iter().collect()))
        .collect();
    groups
        .iter()
        .map(|(label, replicates)| {
            let mut by_tick: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
            for s in replicates.iter() {
                let Some(b) = base.get(&s.replicate) else {
                    continue;
                };
                for (tick, v) in s.values(metric) {
                    if let Some(&bv) = b.get(&tick) {
                        if v.is_finite() && bv.is_finite() {
                            by_tick.entry(tick).or_default().push(v - bv);
                        }
                    }
                }
            }
            ribbon_of(label, by_tick)
        })
        .enumerate()
        .map(|(i, mut r)| {
            r.colour = i;
            r
        })
        .collect()
}
