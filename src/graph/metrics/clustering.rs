//! Triangles and clustering: bonding (closed, triangle-rich circles) versus open structure.
//!
//! Why a file of its own: counting triangles is the one costly metric, and it carries its own
//! machinery (a degree-oriented forward adjacency, per-task scratch buffers, an order-fixed
//! float sum), which the other metrics do not need.
//!
//! Triangles use the forward ("compact-forward") algorithm: each tie is oriented from the
//! lower to the higher (degree, id) rank, and a triangle is counted once, at its lowest-ranked
//! corner, by merging two sorted out-lists. Orienting by degree bounds every out-list by
//! about √(2m), which keeps hubs of heavy-tailed graphs from costing O(degree²).

use super::{Graph, CHUNK};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Clustering: `(transitivity, mean local clustering)`.
///
/// Transitivity is `3 * triangles / connected triples` (0 if there are no triples). Mean
/// local clustering averages, over all agents, the share of neighbour pairs that are tied;
/// agents with fewer than two ties count as 0 (0 for an empty graph).
pub fn clustering(g: &Graph) -> (f64, f64) {
    let n = g.n();
    let tri = local_triangles(g);
    let total3: u128 = tri.iter().map(|&t| t as u128).sum();
    let triples: u128 = (0..n).map(|i| pairs(g.degree(i)) as u128).sum();
    let transitivity = if triples == 0 {
        0.0
    } else {
        total3 as f64 / triples as f64
    };
    let local = |i: usize| {
        let p = pairs(g.degree(i));
        if p == 0 {
            0.0
        } else {
            tri[i] as f64 / p as f64
        }
    };
    let mean_local = if n == 0 {
        0.0
    } else {
        ordered_sum(n, local) / n as f64
    };
    (transitivity, mean_local)
}

/// Number of triangles each agent belongs to. Their sum is three times the number of
/// triangles. Independent of thread count (integer counts).
pub fn local_triangles(g: &Graph) -> Vec<u64> {
    let n = g.n();
    let fwd = Forward::new(g);
    let tri: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    (0..n)
        .into_par_iter()
        .with_min_len(256)
        .for_each_init(Scratch::default, |scratch, u| {
            let out_u = fwd.out(u);
            if out_u.len() < 2 {
                return;
            }
            let (u_min, u_max) = (out_u[0], out_u[out_u.len() - 1]);
            // Look up every out-list's bounds and first entry up front: the lookups are
            // independent cache misses, which overlap in a tight loop but not when
            // interleaved with the branchy merges below.
            let Scratch { hits, lists } = scratch;
            lists.clear();
            lists.extend(out_u.iter().map(|&v| {
                let (s, e) = (fwd.offsets[v as usize], fwd.offsets[v as usize + 1]);
                (s, e, fwd.targets.get(s).copied().unwrap_or(u32::MAX))
            }));
            // hits[j]: triangles found here that contain out_u[j]. Every triangle counted at
            // u has its other two corners in out_u, so this needs no shared writes.
            hits.clear();
            hits.resize(out_u.len(), 0);
            let mut at_u = 0u64;
            for (j, &(s, e, first)) in lists.iter().enumerate() {
                if s == e || first > u_max || fwd.targets[e - 1] < u_min {
                    continue;
                }
                let out_v = &fwd.targets[s..e];
                // Merge the sorted lists out_u and out_v.
                let (mut a, mut b) = (0, 0);
                let mut found = 0u64;
                while a < out_u.len() && b < out_v.len() {
                    let (x, y) = (out_u[a], out_v[b]);
                    if x < y {
                        a += 1;
                    } else if y < x {
                        b += 1;
                    } else {
                        hits[a] += 1;
                        found += 1;
                        a += 1;
                        b += 1;
                    }
                }
                hits[j] += found;
                at_u += found;
            }
            if at_u > 0 {
                tri[u].fetch_add(at_u, Ordering::Relaxed);
                for (&w, &h) in out_u.iter().zip(hits.iter()) {
                    if h > 0 {
                        tri[w as usize].fetch_add(h, Ordering::Relaxed);
                    }
                }
            }
        });
    tri.into_iter().map(AtomicU64::into_inner).collect()
}

/// Per-task buffers for [`local_triangles`].
#[derive(Default)]
struct Scratch {
    hits: Vec<u64>,
    lists: Vec<(usize, usize, u32)>,
}

/// Unordered pairs among `d` items.
#[inline]
pub(super) fn pairs(d: usize) -> u64 {
    let d = d as u64;
    d * d.saturating_sub(1) / 2
}

/// `f(0) + … + f(n-1)` with a grouping fixed by [`CHUNK`], so the result is bit-identical
/// for any thread count.
fn ordered_sum(n: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    let chunk_sums: Vec<f64> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut s = 0.0;
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                s += f(i);
            }
            s
        })
        .collect();
    let mut total = 0.0;
    for s in chunk_sums {
        total += s;
    }
    total
}

/// Ties oriented from lower to higher (degree, id) rank, in CSR form, out-lists sorted by id.
struct Forward {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Forward {
    fn new(g: &Graph) -> Forward {
        let n = g.n();
        let above = |u: usize, v: usize| (g.degree(u), u) < (g.degree(v), v);
        let parts: Vec<(Vec<u32>, Vec<u32>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let range = c * CHUNK..((c + 1) * CHUNK).min(n);
                let mut lens = Vec::with_capacity(range.len());
                let mut targets = Vec::new();
                for u in range {
                    let before = targets.len();
                    targets.extend(
                        g.neighbors(u)
                            .iter()
                            .copied()
                            .filter(|&v| above(u, v as usize)),
                    );
                    lens.push((targets.len() - before) as u32);
                }
                (lens, targets)
            })
            .collect();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut targets = Vec::with_capacity(g.edge_count());
        for (lens, part) in parts {
            for l in lens {
                offsets.push(offsets[offsets.len() - 1] + l as usize);
            }
            targets.extend_from_slice(&part);
        }
        Forward { offsets, targets }
    }

    #[inline]
    fn out(&self, u: usize) -> &[u32] {
        &self.targets[self.offsets[u]..self.offsets[u + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::graph;
    use super::super::{degree_histogram, DegreeCount};
    use super::*;

    #[test]
    fn star_has_no_clustering() {
        let g = graph(5, vec![0; 5], &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        assert_eq!(clustering(&g), (0.0, 0.0));
        assert_eq!(
            degree_histogram(&g),
            vec![
                DegreeCount {
                    degree: 1,
                    count: 4
                },
                DegreeCount {
                    degree: 4,
                    count: 1
                }
            ]
        );
    }

    #[test]
    fn triangle_with_tail_local_clustering() {
        // 0-1-2 triangle, 2-3 tail: local = (1 + 1 + 1/3 + 0) / 4; transitivity 3/5.
        let g = graph(4, vec![0; 4], &[(0, 1), (1, 2), (2, 0), (2, 3)]);
        let (t, l) = clustering(&g);
        assert!((t - 0.6).abs() < 1e-15);
        assert!((l - (7.0 / 3.0) / 4.0).abs() < 1e-15);
    }
}
