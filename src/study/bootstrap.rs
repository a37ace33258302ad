//! Percentile bootstrap over independent units (Morris trajectories, Saltelli base rows):
//! resample the units with replacement, recompute the statistic, and take the 2.5% and 97.5%
//! quantiles. The resampling draws come from the keyed streams, so intervals are reproducible.

use rand::Rng;

use super::design;

/// Resamples drawn for each interval.
pub const RESAMPLES: usize = 1000;

/// The 95% percentile interval of `stat` over `RESAMPLES` resamples of `n` units: `stat`
/// receives the indices of the units drawn (with repeats).
pub fn interval(n: usize, seed: u64, stat: impl Fn(&[usize]) -> f64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut rng = design::rng(seed, "study.bootstrap");
    let mut idx = vec![0usize; n];
    let mut values: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            for i in idx.iter_mut() {
                *i = rng.random_range(0..n);
            }
            stat(&idx)
        })
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
}

#[cfg(test)]
mod tests {
    #[test]
    fn interval_of_a_mean_brackets_it_and_is_reproducible() {
        let xs: Vec<f64> = (0..200).map(|i| (i % 10) as f64).collect();
        let mean = |idx: &[usize]| idx.iter().map(|&i| xs[i]).sum::<f64>() / idx.len() as f64;
        let (lo, hi) = super::interval(xs.len(), 1, mean);
        assert!(lo < 4.5 && 4.5 < hi && hi - lo < 1.5, "{lo} {hi}");
        assert_eq!((lo, hi), super::interval(xs.len(), 1, mean));
    }
}
