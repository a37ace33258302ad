//! Morris elementary effects (Morris 1991; mu* from Campolongo, Cariboni & Saltelli 2007).
//!
//! Along each trajectory ([`super::design::morris`]) one parameter moves at a time by
//! `delta` on the unit scale; the elementary effect of that parameter is the change in the
//! outcome divided by the signed step. Over `r` trajectories: `mu` (mean effect: its sign
//! shows the direction), `mu*` (mean absolute effect: overall importance, robust to effects
//! of both signs) and `sigma` (standard deviation: interactions or non-linearity). Effects are
//! per unit of the parameter's quantile scale, so parameters with different units compare.
//! The 95% interval of mu* is a percentile bootstrap over trajectories.

use super::bootstrap;
use super::design::Trajectory;

/// Morris measures of one parameter for one outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effects {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// 95% bootstrap interval of `mu_star`.
    pub mu_star_ci: (f64, f64),
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
}

/// The elementary effects `ee[t][j]` of every parameter `j` on every trajectory `t`, from the
/// outcome `y` at the trajectories' points (in trajectory order, `d + 1` points each).
pub fn elementary_effects(trajectories: &[Trajectory], delta: f64, y: &[f64]) -> Vec<Vec<f64>> {
    let mut at = 0;
    trajectories
        .iter()
        .map(|t| {
            let d = t.order.len();
            let ys = &y[at..at + d + 1];
            at += d + 1;
            let mut ee = vec![0.0; d];
            for (m, &j) in t.order.iter().enumerate() {
                ee[j] = (ys[m + 1] - ys[m]) / (t.sign[j] * delta);
            }
            ee
        })
        .collect()
}

/// Morris measures for each parameter from the elementary effects.
pub fn analyse(ee: &[Vec<f64>], seed: u64) -> Vec<Effects> {
    let d = ee.first().map_or(0, Vec::len);
    let r = ee.len() as f64;
    (0..d)
        .map(|j| {
            let mu = ee.iter().map(|e| e[j]).sum::<f64>() / r;
            let mu_star = ee.iter().map(|e| e[j].abs()).sum::<f64>() / r;
            let sigma = if ee.len() > 1 {
                (ee.iter().map(|e| (e[j] - mu).powi(2)).sum::<f64>() / (r - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            let mu_star_ci = bootstrap::interval(ee.len(), seed ^ j as u64, |idx| {
                idx.iter().map(|&t| ee[t][j].abs()).sum::<f64>() / idx.len() as f64
            });
            Effects {
                mu,
                mu_star,
                mu_star_ci,
                sigma,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::design::{morris, morris_delta};

    fn run(f: impl Fn(&[f64]) -> f64, d: usize, r: usize) -> Vec<Effects> {
        let levels = 4;
        let t = morris(r, d, levels, 9);
        let y: Vec<f64> = t
            .iter()
            .flat_map(|t| t.points.iter().map(|p| f(p)))
            .collect();
        analyse(&elementary_effects(&t, morris_delta(levels), &y), 9)
    }

    #[test]
    fn linear_function_gives_its_slopes_with_no_spread() {
        let e = run(|x| 3.0 * x[0] - 2.0 * x[1] + 0.0 * x[2], 3, 30);
        assert!((e[0].mu - 3.0).abs() < 1e-9 && (e[0].mu_star - 3.0).abs() < 1e-9);
        assert!((e[1].mu + 2.0).abs() < 1e-9 && (e[1].mu_star - 2.0).abs() < 1e-9);
        assert!(e[2].mu_star.abs() < 1e-12);
        assert!(e[0].sigma < 1e-9);
    }

    #[test]
    fn interaction_shows_as_spread_and_mu_star_ranks_ishigami() {
        // x0 * x1: the effect of x0 depends on x1, so sigma > 0.
        let e = run(|x| x[0] * x[1], 2, 50);
        assert!(e[0].sigma > 0.1);
        // Ishigami on [-pi, pi]^3: x3 matters only through its interaction with x1 but has a
        // large mu*; x2 acts alone (sigma/mu* < x1's); all three are influential.
        let pi = std::f64::consts::PI;
        let ish = |x: &[f64]| {
            let (a, b, c) = (
                (2.0 * x[0] - 1.0) * pi,
                (2.0 * x[1] - 1.0) * pi,
                (2.0 * x[2] - 1.0) * pi,
            );
            a.sin() + 7.0 * b.sin().powi(2) + 0.1 * c.powi(4) * a.sin()
        };
        let e = run(ish, 3, 200);
        for (j, e) in e.iter().enumerate() {
            assert!(e.mu_star > 1.0, "{j}: {e:?}");
            assert!(e.mu_star_ci.0 <= e.mu_star && e.mu_star <= e.mu_star_ci.1);
        }
        assert!(
            e[2].mu.abs() < 0.3 * e[2].mu_star,
            "x3's effects cancel in mu: {:?}",
            e[2]
        );
    }
}
