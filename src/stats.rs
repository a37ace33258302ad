//! Small, dependency-free statistics for replicate summaries: means, standard deviations and
//! Student-t 95% confidence intervals, plain ([`interval`]) or on the log scale for quantities
//! that cannot be negative ([`log_interval`]).

use serde::Serialize;

/// Mean and 95% confidence interval of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// Sample size.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (0 for n < 2).
    pub sd: f64,
    /// Lower end of the 95% interval for the mean.
    pub lo: f64,
    /// Upper end of the 95% interval for the mean.
    pub hi: f64,
}

/// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        // Cornish-Fisher expansion around the normal quantile; error < 1e-3 for df > 30.
        _ => {
            let z: f64 = 1.959_964;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// Mean with a t-based 95% interval; with one value the interval is that value.
pub fn interval(xs: &[f64]) -> Interval {
    let n = xs.len();
    if n == 0 {
        return Interval {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Interval {
            n,
            mean,
            sd: 0.0,
            lo: mean,
            hi: mean,
        };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let half = t975(n - 1) * sd / (n as f64).sqrt();
    Interval {
        n,
        mean,
        sd,
        lo: mean - half,
        hi: mean + half,
    }
}

/// Mean with a 95% interval for a quantity that cannot be negative (a count, a share, an
/// amount of money): the Student-t interval of `ln(mean)` by the delta method, mapped back,
///
/// `mean × exp(∓ t(n−1) · se / mean)`, with `se = sd / √n`,
///
/// so the bounds are always positive and multiplicative around the mean (the lower bound is
/// `mean / f`, the upper `mean × f`). Why: with few replicates the plain interval
/// `mean ± t · se` of a small positive quantity reaches below zero (t(1) is 12.7), claiming
/// values the quantity cannot take; on the log scale the same standard error is spread
/// multiplicatively instead. When `se` is small next to the mean the two agree
/// (`exp(x) ≈ 1 + x`). Zeros among the values are fine (only the mean is logged); with a
/// negative value the quantity is evidently not non-negative, and with fewer than two values,
/// a mean of 0 or a non-finite value there is nothing to log, so the plain [`interval`] is
/// returned. The mean and standard deviation are those of [`interval`].
pub fn log_interval(xs: &[f64]) -> Interval {
    let iv = interval(xs);
    let loggable = iv.n >= 2
        && iv.mean > 0.0
        && iv.mean.is_finite()
        && iv.sd.is_finite()
        && xs.iter().all(|&x| x >= 0.0);
    if !loggable {
        return iv;
    }
    // For non-negative values se / mean <= 1, so the factor is at most e^t(1), always finite.
    let f = (t975(iv.n - 1) * iv.sd / (iv.n as f64).sqrt() / iv.mean).exp();
    Interval {
        lo: iv.mean / f,
        hi: iv.mean * f,
        ..iv
    }
}

/// Sample variance (n - 1 denominator); NaN for fewer than two values.
pub fn variance(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return f64::NAN;
    }
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_of_known_sample() {
        let iv = interval(&[1.0, 2.0, 3.0, 4.0]);
        assert!((iv.mean - 2.5).abs() < 1e-12);
        assert!((iv.sd - 1.290_994).abs() < 1e-5);
        assert!((iv.hi - (2.5 + 3.182 * 1.290_994 / 2.0)).abs() < 1e-4);
        assert!(iv.lo < iv.mean && iv.mean < iv.hi);
    }

    /// Three positive replicates whose plain t-interval reaches below zero: on the log scale
    /// the lower bound is positive, the interval still contains the mean, and its half-widths
    /// are the plain one's standard error spread multiplicatively.
    #[test]
    fn log_interval_of_positive_replicates_stays_positive() {
        let xs = [3.0, 12.0, 6.0];
        let plain = interval(&xs);
        assert!(plain.lo < 0.0, "{plain:?}");
        let iv = log_interval(&xs);
        assert_eq!((iv.n, iv.mean, iv.sd), (plain.n, plain.mean, plain.sd));
        assert!(iv.lo > 0.0 && iv.lo < iv.mean && iv.mean < iv.hi, "{iv:?}");
        let f = (4.303 * plain.sd / 3f64.sqrt() / plain.mean).exp();
        assert!((iv.lo - 7.0 / f).abs() < 1e-9 && (iv.hi - 7.0 * f).abs() < 1e-9);
        // Two replicates, one of them 0 (the widest non-negative case): still positive, finite.
        let iv = log_interval(&[0.0, 5.0]);
        assert!(iv.lo > 0.0 && iv.hi.is_finite() && iv.hi > 5.0, "{iv:?}");
        // A tight sample: the two intervals agree to the first order.
        let tight = [100.0, 101.0, 99.0, 100.5, 99.5];
        let (p, l) = (interval(&tight), log_interval(&tight));
        assert!((p.lo - l.lo).abs() < 0.01 && (p.hi - l.hi).abs() < 0.01);
    }

    #[test]
    fn log_interval_falls_back_where_there_is_nothing_to_log() {
        for xs in [
            &[-1.0, 2.0, 3.0][..],
            &[0.0, 0.0, 0.0],
            &[4.0],
            &[],
            &[1.0, f64::INFINITY],
        ] {
            let (p, l) = (interval(xs), log_interval(xs));
            assert_eq!(format!("{p:?}"), format!("{l:?}"), "{xs:?}");
        }
        let same = log_interval(&[2.0, 2.0, 2.0]);
        assert_eq!((same.lo, same.hi), (2.0, 2.0));
    }

    #[test]
    fn t_quantile_is_continuous_past_the_table() {
        assert!((t975(30) - t975(31)).abs() < 0.01);
        assert!((t975(10_000) - 1.96).abs() < 0.001);
    }
}
