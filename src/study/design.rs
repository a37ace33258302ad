//! Designs: where in the unit hypercube a study evaluates the model. Each coordinate is a
//! cumulative probability, turned into a parameter value by that parameter's prior
//! ([`super::prior::Prior::quantile`]).
//!
//! - Full grid: `levels` evenly spaced positions per parameter, ends included (a parameter
//!   given as a list of values uses each value once), every combination.
//! - Latin hypercube: each parameter's range cut into `n` equal-probability strata, one point
//!   per stratum, strata paired across parameters by independent random permutations.
//! - Scrambled Sobol: the first `n` points of an Owen-scrambled Sobol sequence
//!   (`sobol_burley`: Burley 2020 hash-based Owen scrambling, Joe-Kuo direction numbers, up to
//!   256 dimensions and 65,536 points). Scrambling gives unbiased estimates and lets one seed
//!   choose an independent replicate of the design.
//! - Morris trajectories (Morris 1991) and Saltelli's A, B, AB_i matrices (Saltelli et al.
//!   2010) for the sensitivity estimators.
//!
//! Every random choice comes from the keyed streams (seed, purpose), so a design depends only
//! on the study seed.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::engine::{Purpose, Streams};
use crate::error::{Error, Result};

/// Largest design a study may ask for.
pub const MAX_POINTS: usize = 1_000_000;

/// A generator for one purpose of one study seed.
pub fn rng(seed: u64, purpose: &str) -> ChaCha8Rng {
    Streams::new(seed, 0)
        .tick(Purpose::named(purpose), 0)
        .agent_rng(0)
}

/// Full grid over `levels[j]` positions per dimension, first dimension slowest.
pub fn grid(levels: &[usize]) -> Result<Vec<Vec<f64>>> {
    let total = levels
        .iter()
        .try_fold(1usize, |acc, &l| acc.checked_mul(l.max(1)))
        .filter(|&t| t <= MAX_POINTS)
        .ok_or_else(|| {
            Error::Usage(format!(
                "the grid has more than {MAX_POINTS} points; use fewer levels or design = \"sobol\""
            ))
        })?;
    let pos = |i: usize, l: usize| {
        if l <= 1 {
            0.5
        } else {
            i as f64 / (l - 1) as f64
        }
    };
    Ok((0..total)
        .map(|mut idx| {
            let mut u = vec![0.0; levels.len()];
            for j in (0..levels.len()).rev() {
                let l = levels[j].max(1);
                u[j] = pos(idx % l, l);
                idx /= l;
            }
            u
        })
        .collect())
}

/// Latin hypercube of `n` points in `d` dimensions.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rng(seed, "study.lhs");
    let mut u = vec![vec![0.0; d]; n];
    for j in 0..d {
        let mut perm: Vec<usize> = (0..n).collect();
        perm.shuffle(&mut rng);
        for (i, row) in u.iter_mut().enumerate() {
            row[j] = (perm[i] as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    u
}

/// The first `n` points of an Owen-scrambled Sobol sequence in `d` dimensions.
pub fn sobol(n: usize, d: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
    if d > sobol_burley::NUM_DIMENSIONS as usize || n > 1 << 16 {
        return Err(Error::Usage(format!(
            "a Sobol design has at most {} dimensions and 65536 points (asked: {d}, {n})",
            sobol_burley::NUM_DIMENSIONS
        )));
    }
    let scramble = Streams::new(seed, 0).seed_for(Purpose::named("study.sobol")) as u32;
    Ok((0..n as u32)
        .map(|i| {
            (0..d as u32)
                .map(|j| {
                    // f32 samples are multiples of 2^-24; centre them in their cell.
                    sobol_burley::sample(i, j, scramble) as f64 + 0.5 / (1u64 << 24) as f64
                })
                .collect()
        })
        .collect())
}

/// Morris trajectories: `r` trajectories of `d + 1` points on a `levels`-level grid, step
/// `delta = levels / (2 (levels - 1))`. Point `m + 1` of a trajectory differs from point `m` in
/// dimension `order[m]` only, by `sign[order[m]] * delta`.
#[derive(Clone, Debug)]
pub struct Trajectory {
    /// The `d + 1` points.
    pub points: Vec<Vec<f64>>,
    /// Which dimension each step moves.
    pub order: Vec<usize>,
    /// Direction of each dimension's step (+1 or -1).
    pub sign: Vec<f64>,
}

/// The Morris step on a `levels`-level grid.
pub fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `r` Morris trajectories in `d` dimensions (`levels` even, at least 2).
pub fn morris(r: usize, d: usize, levels: usize, seed: u64) -> Vec<Trajectory> {
    let mut rng = rng(seed, "study.morris");
    let delta = morris_delta(levels);
    let low_levels = levels / 2; // start levels from which +delta stays on the grid
    (0..r)
        .map(|_| {
            let mut sign = vec![1.0; d];
            let mut x: Vec<f64> = (0..d)
                .map(|j| {
                    let start = rng.random_range(0..low_levels) as f64 / (levels - 1) as f64;
                    if rng.random::<bool>() {
                        start
                    } else {
                        sign[j] = -1.0;
                        start + delta
                    }
                })
                .collect();
            let mut order: Vec<usize> = (0..d).collect();
            order.shuffle(&mut rng);
            let mut points = vec![x.clone()];
            for &j in &order {
                x[j] += sign[j] * delta;
                points.push(x.clone());
            }
            Trajectory {
                points,
                order,
                sign,
            }
        })
        .collect()
}

/// Saltelli's design for first-order and total indices: `n` base rows from a 2d-dimensional
/// scrambled Sobol sequence, A its first d columns and B its last d. The rows come in blocks of
/// `d + 2` per base row: A, AB_1 .. AB_d (A with column j taken from B), B.
pub fn saltelli(n: usize, d: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
    let base = sobol(n, 2 * d, seed)?;
    let mut out = Vec::with_capacity(n * (d + 2));
    for row in base {
        let (a, b) = row.split_at(d);
        out.push(a.to_vec());
        for j in 0..d {
            let mut ab = a.to_vec();
            ab[j] = b[j];
            out.push(ab);
        }
        out.push(b.to_vec());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_every_combination_with_ends() {
        let g = grid(&[3, 2]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0.0, 0.0]);
        assert_eq!(g[5], vec![1.0, 1.0]);
        assert!(grid(&[1000, 1000, 1000]).is_err());
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let n = 17;
        let u = latin_hypercube(n, 3, 5);
        for j in 0..3 {
            let mut strata: Vec<usize> = u.iter().map(|r| (r[j] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(u, latin_hypercube(n, 3, 5));
        assert_ne!(u, latin_hypercube(n, 3, 6));
    }

    #[test]
    fn sobol_points_are_balanced_and_seeded() {
        let u = sobol(64, 4, 1).unwrap();
        for j in 0..4 {
            // A (0, m, s)-net in base 2: each half of each axis holds exactly half the points.
            assert_eq!(u.iter().filter(|r| r[j] < 0.5).count(), 32);
        }
        assert_ne!(u, sobol(64, 4, 2).unwrap());
        assert!(sobol(8, 300, 1).is_err());
    }

    #[test]
    fn morris_steps_move_one_coordinate_by_delta_inside_the_cube() {
        let levels = 4;
        let delta = morris_delta(levels);
        for t in morris(20, 5, levels, 3) {
            for (m, &j) in t.order.iter().enumerate() {
                let (a, b) = (&t.points[m], &t.points[m + 1]);
                assert!((b[j] - a[j] - t.sign[j] * delta).abs() < 1e-12);
                for k in (0..5).filter(|&k| k != j) {
                    assert_eq!(a[k], b[k]);
                }
            }
            assert!(t.points.iter().flatten().all(|x| (0.0..=1.0).contains(x)));
        }
    }

    #[test]
    fn saltelli_blocks_mix_a_and_b_one_column_at_a_time() {
        let d = 3;
        let rows = saltelli(8, d, 1).unwrap();
        assert_eq!(rows.len(), 8 * (d + 2));
        let (a, b) = (&rows[0], &rows[d + 1]);
        for j in 0..d {
            let ab = &rows[1 + j];
            for k in 0..d {
                assert_eq!(ab[k], if k == j { b[k] } else { a[k] });
            }
        }
    }
}
