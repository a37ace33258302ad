//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Toni et al. 2009,
//! with the adaptive weights and kernel of Beaumont, Cornuet, Marin & Robert 2009).
//!
//! Generation 0 draws `particles` parameter sets from the prior and simulates them all. Each
//! later generation sets its tolerance to a quantile of the previous generation's distances,
//! then proposes candidates by picking a particle of the previous generation by weight and
//! moving it with a Gaussian kernel whose per-parameter variance is twice the previous
//! population's weighted variance (a listed-values parameter keeps its value with probability
//! 0.7, else takes any value). Candidates outside the prior are redrawn without simulating. A
//! candidate is accepted when its distance is within the tolerance, and weighted
//! `prior(θ) / Σ_j w_j K(θ | θ_j)`, which makes the weighted population a sample of the ABC
//! posterior.
//!
//! The distance is the root mean square of the targets' standardised errors,
//! `sqrt(mean_k ((s_k - y_k) / sd_k)^2)`, so targets on different scales count equally and a
//! distance of 1 means "within one SD on average".
//!
//! Candidates are simulated in batches (in parallel by the caller), each with its own seed,
//! and accepted in candidate order, so the result does not depend on scheduling. A generation
//! that cannot accept enough particles within `particles / min_acceptance` simulations stops
//! the algorithm; the last complete generation is the posterior.

use rand::Rng;

use super::design;
use super::prior::{norm_pdf, Prior};
use crate::engine::rng::mix64;
use crate::error::Result;

/// Settings (the `[abc]` table of a study).
pub use super::file::AbcSettings as Settings;

/// One accepted parameter set.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    /// Values on the priors' scales.
    pub theta: Vec<f64>,
    /// Normalised importance weight.
    pub weight: f64,
    /// Distance of its simulation from the observations.
    pub distance: f64,
    /// Its simulated target values.
    pub summary: Vec<f64>,
}

/// What one generation did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Generation {
    /// Tolerance (infinite for the prior generation).
    pub tolerance: f64,
    /// Candidates simulated.
    pub simulated: usize,
    /// Candidates accepted.
    pub accepted: usize,
    /// Effective sample size of the weights, `1 / Σ w²`.
    pub ess: f64,
    /// Whether it reached the full population (an incomplete one ends the run).
    pub complete: bool,
}

/// Result of a calibration.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The prior generation (for prior-predictive comparisons).
    pub prior: Vec<Particle>,
    /// The last complete generation: the posterior sample.
    pub posterior: Vec<Particle>,
    /// Every generation, the prior's first.
    pub history: Vec<Generation>,
}

/// Simulates a batch: for each parameter set and seed, the target values.
pub type Simulate<'a> = dyn Fn(&[Vec<f64>], &[u64]) -> Result<Vec<Vec<f64>>> + 'a;

/// The distance of `summary` from `observed` (root mean square standardised error).
pub fn distance(summary: &[f64], observed: &[f64], scale: &[f64]) -> f64 {
    let k = observed.len().max(1) as f64;
    let ss: f64 = summary
        .iter()
        .zip(observed)
        .zip(scale)
        .map(|((s, y), sd)| ((s - y) / sd).powi(2))
        .sum();
    let d = (ss / k).sqrt();
    if d.is_nan() {
        f64::INFINITY
    } else {
        d
    }
}

const KEEP: f64 = 0.7;

fn prior_density(priors: &[Prior], theta: &[f64]) -> f64 {
    priors
        .iter()
        .zip(theta)
        .map(|(p, &x)| p.density(x))
        .product()
}

/// Weighted mean and variance of each parameter.
fn moments(pop: &[Particle], d: usize) -> Vec<(f64, f64)> {
    (0..d)
        .map(|j| {
            let m: f64 = pop.iter().map(|p| p.weight * p.theta[j]).sum();
            let v: f64 = pop
                .iter()
                .map(|p| p.weight * (p.theta[j] - m).powi(2))
                .sum();
            (m, v)
        })
        .collect()
}

/// Kernel density of moving from `from` to `to`.
fn kernel(priors: &[Prior], sd: &[f64], from: &[f64], to: &[f64]) -> f64 {
    priors
        .iter()
        .enumerate()
        .map(|(j, p)| match p {
            Prior::Choice { n } => {
                let same = if from[j] == to[j] { KEEP } else { 0.0 };
                same + (1.0 - KEEP) / *n as f64
            }
            _ => norm_pdf((to[j] - from[j]) / sd[j]) / sd[j],
        })
        .product()
}

/// Weighted quantile `q` of `values`.
pub fn weighted_quantile(values: &[(f64, f64)], q: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = values.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|x| x.1).sum();
    let mut acc = 0.0;
    for (x, w) in &v {
        acc += w / total;
        if acc >= q {
            return *x;
        }
    }
    v.last().map_or(f64::NAN, |x| x.0)
}

/// Runs ABC-SMC. `observed` and `scale` are the targets' values and SDs (or tolerances).
pub fn run(
    priors: &[Prior],
    observed: &[f64],
    scale: &[f64],
    settings: &Settings,
    seed: u64,
    simulate: &Simulate<'_>,
) -> Result<Outcome> {
    let n = settings.particles;
    let d = priors.len();
    let seeds = |t: usize, start: usize, len: usize| -> Vec<u64> {
        (start..start + len)
            .map(|i| mix64(seed ^ mix64(((t as u64) << 40) ^ i as u64)))
            .collect()
    };
    // Generation 0: the prior.
    let mut rng = design::rng(seed, "study.abc.0");
    let thetas: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            priors
                .iter()
                .map(|p| p.quantile(rng.random::<f64>()))
                .collect()
        })
        .collect();
    let sums = simulate(&thetas, &seeds(0, 0, n))?;
    let mut pop: Vec<Particle> = thetas
        .into_iter()
        .zip(sums)
        .map(|(theta, summary)| Particle {
            distance: distance(&summary, observed, scale),
            theta,
            weight: 1.0 / n as f64,
            summary,
        })
        .collect();
    let prior_pop = pop.clone();
    let mut history = vec![Generation {
        tolerance: f64::INFINITY,
        simulated: n,
        accepted: n,
        ess: n as f64,
        complete: true,
    }];
    let budget = (n as f64 / settings.min_acceptance.max(1e-3)).ceil() as usize;
    for t in 1..=settings.generations {
        let mut dists: Vec<(f64, f64)> = pop.iter().map(|p| (p.distance, 1.0)).collect();
        dists.retain(|x| x.0.is_finite());
        let tolerance = weighted_quantile(&dists, settings.quantile);
        let sd: Vec<f64> = moments(&pop, d)
            .into_iter()
            .map(|(_, v)| (2.0 * v).sqrt().max(1e-12))
            .collect();
        let cumulative: Vec<f64> = pop
            .iter()
            .scan(0.0, |acc, p| {
                *acc += p.weight;
                Some(*acc)
            })
            .collect();
        let mut rng = design::rng(seed, &format!("study.abc.{t}"));
        let mut propose = || -> Vec<f64> {
            loop {
                let u = rng.random::<f64>() * cumulative[cumulative.len() - 1];
                let k = cumulative.partition_point(|&c| c < u).min(pop.len() - 1);
                let theta: Vec<f64> = priors
                    .iter()
                    .enumerate()
                    .map(|(j, p)| match p {
                        Prior::Choice { n } => {
                            if rng.random::<f64>() < KEEP {
                                pop[k].theta[j]
                            } else {
                                rng.random_range(0..*n) as f64
                            }
                        }
                        _ => {
                            let z = super::prior::norm_quantile(rng.random::<f64>());
                            pop[k].theta[j] + sd[j] * z
                        }
                    })
                    .collect();
                if prior_density(priors, &theta) > 0.0 {
                    return theta;
                }
            }
        };
        let mut next: Vec<Particle> = Vec::with_capacity(n);
        let mut simulated = 0;
        while next.len() < n && simulated < budget {
            let rate = (history
                .last()
                .map_or(1.0, |g| g.accepted as f64 / g.simulated as f64))
            .max(0.05);
            let want = (((n - next.len()) as f64 / rate).ceil() as usize)
                .clamp(1, 4 * n)
                .min(budget - simulated);
            let batch: Vec<Vec<f64>> = (0..want).map(|_| propose()).collect();
            let sums = simulate(&batch, &seeds(t, simulated, want))?;
            simulated += want;
            for (theta, summary) in batch.into_iter().zip(sums) {
                let dist = distance(&summary, observed, scale);
                if dist <= tolerance && next.len() < n {
                    let denom: f64 = pop
                        .iter()
                        .map(|p| p.weight * kernel(priors, &sd, &p.theta, &theta))
                        .sum();
                    next.push(Particle {
                        weight: prior_density(priors, &theta) / denom,
                        theta,
                        distance: dist,
                        summary,
                    });
                }
            }
        }
        let complete = next.len() == n;
        let total: f64 = next.iter().map(|p| p.weight).sum();
        for p in &mut next {
            p.weight /= total;
        }
        let ess = 1.0 / next.iter().map(|p| p.weight * p.weight).sum::<f64>();
        history.push(Generation {
            tolerance,
            simulated,
            accepted: next.len(),
            ess: if complete { ess } else { f64::NAN },
            complete,
        });
        if !complete {
            break;
        }
        pop = next;
    }
    Ok(Outcome {
        prior: prior_pop,
        posterior: pop,
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Normal mean with known SD: y ~ N(mu, 1) averaged over 25 draws, observed 0.3, prior
    /// U(-5, 5). The posterior is close to N(0.3, 0.2^2) (ABC widens it a little).
    #[test]
    fn recovers_a_normal_mean() {
        let priors = [Prior::Uniform { lo: -5.0, hi: 5.0 }];
        let sim = |thetas: &[Vec<f64>], seeds: &[u64]| -> Result<Vec<Vec<f64>>> {
            Ok(thetas
                .iter()
                .zip(seeds)
                .map(|(t, &s)| {
                    let mut rng = design::rng(s, "test");
                    let mean = (0..25)
                        .map(|_| t[0] + super::super::prior::norm_quantile(rng.random::<f64>()))
                        .sum::<f64>()
                        / 25.0;
                    vec![mean]
                })
                .collect())
        };
        let settings = Settings {
            particles: 300,
            generations: 6,
            quantile: 0.5,
            min_acceptance: 0.01,
        };
        let out = run(&priors, &[0.3], &[0.2], &settings, 7, &sim).unwrap();
        assert_eq!(out.history.len(), 7);
        let tol: Vec<f64> = out.history.iter().map(|g| g.tolerance).collect();
        assert!(
            tol.windows(2).all(|w| w[1] <= w[0]),
            "tolerances shrink: {tol:?}"
        );
        let vals: Vec<(f64, f64)> = out
            .posterior
            .iter()
            .map(|p| (p.theta[0], p.weight))
            .collect();
        let (lo, hi) = (
            weighted_quantile(&vals, 0.025),
            weighted_quantile(&vals, 0.975),
        );
        assert!(lo < 0.3 && 0.3 < hi, "[{lo}, {hi}]");
        assert!(
            hi - lo < 1.2,
            "posterior 95% width {} (prior width 10)",
            hi - lo
        );
        let w: f64 = out.posterior.iter().map(|p| p.weight).sum();
        assert!((w - 1.0).abs() < 1e-9);
        // Same seed, same result.
        let again = run(&priors, &[0.3], &[0.2], &settings, 7, &sim).unwrap();
        assert_eq!(again.posterior, out.posterior);
    }
}
