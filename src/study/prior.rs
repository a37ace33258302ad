//! Priors and ranges of study parameters: how a point of the unit interval becomes a parameter
//! value (the quantile function), and how likely a value is under the prior (the density, for
//! ABC-SMC importance weights).
//!
//! Why quantile functions: every design (grid, Latin hypercube, scrambled Sobol, Morris, the
//! Saltelli matrices) is built in the unit hypercube, where its space-filling properties are
//! defined; each coordinate is then pushed through its prior's quantile function, which turns a
//! uniform design into one distributed as the prior. Unbounded priors (normal, lognormal) are
//! truncated to the parameter's allowed range, so every value they give is valid for the model.
//!
//! The special functions (normal CDF and quantile, log-gamma, the regularised incomplete beta
//! function) are small textbook implementations: Acklam's rational approximation refined by one
//! Halley step (quantile), the complementary error function of Numerical Recipes §6.2 (CDF),
//! Lanczos (g = 7, n = 9) for log-gamma and the Lentz continued fraction for the incomplete
//! beta. Each is tested against known values below.

/// The distribution of one study parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Prior {
    /// Uniform on `[lo, hi]`.
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Uniform in the logarithm on `[lo, hi]`, `0 < lo < hi`.
    LogUniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Normal, truncated to `[lo, hi]` (the parameter's allowed range).
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
        /// Truncation bounds.
        lo: f64,
        /// Upper truncation bound.
        hi: f64,
    },
    /// Lognormal (`ln x` normal with `mu`, `sigma`), truncated to `[lo, hi]`.
    LogNormal {
        /// Mean of `ln x`.
        mu: f64,
        /// Standard deviation of `ln x`.
        sigma: f64,
        /// Lower truncation bound.
        lo: f64,
        /// Upper truncation bound.
        hi: f64,
    },
    /// Beta(`a`, `b`) on `[0, 1]`.
    Beta {
        /// First shape.
        a: f64,
        /// Second shape.
        b: f64,
    },
    /// Triangular on `[lo, hi]` with its peak at `mode`.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Peak.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
    /// Equal chances for each of `n` listed values (the value is an index).
    Choice {
        /// Number of values.
        n: usize,
    },
}

impl Prior {
    /// Checks the prior's own parameters; the message says what is allowed.
    pub fn check(&self) -> Result<(), String> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        match *self {
            Prior::Uniform { lo, hi } if !finite(&[lo, hi]) || lo >= hi => {
                Err(format!("uniform needs lo < hi, got [{lo}, {hi}]"))
            }
            Prior::LogUniform { lo, hi } if !finite(&[lo, hi]) || lo <= 0.0 || lo >= hi => Err(
                format!("log_uniform needs 0 < lo < hi, got [{lo}, {hi}]"),
            ),
            Prior::Normal { mean, sd, .. } if !finite(&[mean, sd]) || sd <= 0.0 => {
                Err(format!("normal needs [mean, sd] with sd > 0, got [{mean}, {sd}]"))
            }
            Prior::LogNormal { mu, sigma, lo, hi } if !finite(&[mu, sigma]) || sigma <= 0.0 || hi <= 0.0 || lo >= hi => {
                Err(format!(
                    "lognormal needs [mu, sigma] with sigma > 0 on a parameter that allows positive values, got [{mu}, {sigma}]"
                ))
            }
            Prior::Beta { a, b } if !finite(&[a, b]) || a <= 0.0 || b <= 0.0 => {
                Err(format!("beta needs [a, b] with a > 0 and b > 0, got [{a}, {b}]"))
            }
            Prior::Triangular { lo, mode, hi }
                if !finite(&[lo, mode, hi]) || lo >= hi || mode < lo || mode > hi =>
            {
                Err(format!(
                    "triangular needs [lo, mode, hi] with lo <= mode <= hi and lo < hi, got [{lo}, {mode}, {hi}]"
                ))
            }
            Prior::Choice { n: 0 } => Err("values needs at least one value".into()),
            Prior::Normal { lo, hi, mean, sd } if normal_mass(mean, sd, lo, hi) < 1e-12 => Err(
                format!("normal [{mean}, {sd}] puts no mass on the parameter's range [{lo}, {hi}]"),
            ),
            _ => Ok(()),
        }
    }

    /// The smallest and largest values the prior can give (for range checks).
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Prior::Uniform { lo, hi } | Prior::LogUniform { lo, hi } => (lo, hi),
            Prior::Normal { lo, hi, .. } | Prior::LogNormal { lo, hi, .. } => (lo, hi),
            Prior::Beta { .. } => (0.0, 1.0),
            Prior::Triangular { lo, hi, .. } => (lo, hi),
            Prior::Choice { n } => (0.0, n.saturating_sub(1) as f64),
        }
    }

    /// The value at cumulative probability `u` in `[0, 1)` (for `Choice`, the index).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(1e-12, 1.0 - 1e-12);
        match *self {
            Prior::Uniform { lo, hi } => lo + u * (hi - lo),
            Prior::LogUniform { lo, hi } => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
            Prior::Normal { mean, sd, lo, hi } => {
                let (a, b) = (norm_cdf((lo - mean) / sd), norm_cdf((hi - mean) / sd));
                (mean + sd * norm_quantile(a + u * (b - a))).clamp(lo, hi)
            }
            Prior::LogNormal { mu, sigma, lo, hi } => {
                let a = if lo > 0.0 {
                    norm_cdf((lo.ln() - mu) / sigma)
                } else {
                    0.0
                };
                let b = norm_cdf((hi.ln() - mu) / sigma);
                (mu + sigma * norm_quantile(a + u * (b - a)))
                    .exp()
                    .clamp(lo.max(0.0), hi)
            }
            Prior::Beta { a, b } => beta_quantile(u, a, b),
            Prior::Triangular { lo, mode, hi } => {
                let f = (mode - lo) / (hi - lo);
                if u < f {
                    lo + (u * (hi - lo) * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * (hi - lo) * (hi - mode)).sqrt()
                }
            }
            Prior::Choice { n } => ((u * n as f64).floor() as usize).min(n - 1) as f64,
        }
    }

    /// The prior density at `x` (for `Choice`, the probability of index `x`); 0 outside the
    /// support.
    pub fn density(&self, x: f64) -> f64 {
        let (lo, hi) = self.support();
        if !(lo..=hi).contains(&x) {
            return 0.0;
        }
        match *self {
            Prior::Uniform { lo, hi } => 1.0 / (hi - lo),
            Prior::LogUniform { lo, hi } => 1.0 / (x * (hi.ln() - lo.ln())),
            Prior::Normal { mean, sd, lo, hi } => {
                norm_pdf((x - mean) / sd) / sd / normal_mass(mean, sd, lo, hi)
            }
            Prior::LogNormal { mu, sigma, lo, hi } => {
                if x <= 0.0 {
                    return 0.0;
                }
                let a = if lo > 0.0 {
                    norm_cdf((lo.ln() - mu) / sigma)
                } else {
                    0.0
                };
                let mass = norm_cdf((hi.ln() - mu) / sigma) - a;
                norm_pdf((x.ln() - mu) / sigma) / (sigma * x) / mass
            }
            Prior::Beta { a, b } => {
                ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta(a, b)).exp()
            }
            Prior::Triangular { lo, mode, hi } => {
                if x < mode {
                    2.0 * (x - lo) / ((hi - lo) * (mode - lo))
                } else if x > mode {
                    2.0 * (hi - x) / ((hi - lo) * (hi - mode))
                } else {
                    2.0 / (hi - lo)
                }
            }
            Prior::Choice { n } => 1.0 / n as f64,
        }
    }

    /// Whether values are indices into a list (no continuous perturbation).
    pub fn is_discrete(&self) -> bool {
        matches!(self, Prior::Choice { .. })
    }
}

fn normal_mass(mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    norm_cdf((hi - mean) / sd) - norm_cdf((lo - mean) / sd)
}

/// Standard normal density.
pub fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal CDF, from the complementary error function (relative error < 1.2e-7).
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Standard normal quantile (Acklam's approximation, relative error about 1e-9).
pub fn norm_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Natural log of the gamma function (Lanczos, g = 7, n = 9), for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Regularised incomplete beta function I_x(a, b).
pub fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b)).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

/// Lentz's continued fraction for the incomplete beta function.
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Inverse of [`beta_cdf`] in x, by bisection (the CDF is monotone; 60 halvings reach f64
/// resolution on [0, 1]).
pub fn beta_quantile(u: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if beta_cdf(mid, a, b) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_functions_match_tabulated_values() {
        assert!((norm_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((norm_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!((norm_quantile(0.001) + 3.090_232).abs() < 1e-5);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        // I_0.5(2, 3) = 11/16.
        assert!((beta_cdf(0.5, 2.0, 3.0) - 11.0 / 16.0).abs() < 1e-12);
        assert!((beta_quantile(11.0 / 16.0, 2.0, 3.0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn quantile_and_density_agree() {
        let priors = [
            Prior::Uniform { lo: 1.0, hi: 3.0 },
            Prior::LogUniform { lo: 0.01, hi: 1.0 },
            Prior::Normal {
                mean: 0.3,
                sd: 0.2,
                lo: 0.0,
                hi: 1.0,
            },
            Prior::LogNormal {
                mu: 0.0,
                sigma: 0.5,
                lo: 0.0,
                hi: 10.0,
            },
            Prior::Beta { a: 2.0, b: 5.0 },
            Prior::Triangular {
                lo: 0.0,
                mode: 0.2,
                hi: 1.0,
            },
        ];
        for p in &priors {
            p.check().unwrap();
            // The density integrates to the quantile function's increments: check that the
            // CDF implied by the quantile at u matches a numerical integral of the density.
            let (lo, _) = p.support();
            let x = p.quantile(0.7);
            let steps = 20_000;
            let h = (x - lo) / steps as f64;
            let mass: f64 = (0..steps)
                .map(|i| p.density(lo + (i as f64 + 0.5) * h) * h)
                .sum();
            assert!((mass - 0.7).abs() < 2e-3, "{p:?}: {mass}");
        }
    }

    #[test]
    fn impossible_priors_are_rejected() {
        assert!(Prior::Uniform { lo: 2.0, hi: 1.0 }.check().is_err());
        assert!(Prior::LogUniform { lo: 0.0, hi: 1.0 }.check().is_err());
        assert!(Prior::Beta { a: 0.0, b: 1.0 }.check().is_err());
        assert!(Prior::Triangular {
            lo: 0.0,
            mode: 2.0,
            hi: 1.0
        }
        .check()
        .is_err());
        let far = Prior::Normal {
            mean: 100.0,
            sd: 1.0,
            lo: 0.0,
            hi: 1.0,
        };
        assert!(far.check().is_err());
    }
}
