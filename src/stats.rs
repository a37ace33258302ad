//! Small, dependency-free statistics for replicate summaries: means, standard deviations and
//! Student-t 95% confidence intervals.

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

    #[test]
    fn t_quantile_is_continuous_past_the_table() {
        assert!((t975(30) - t975(31)).abs() < 0.01);
        assert!((t975(10_000) - 1.96).abs() < 0.001);
    }
}
