//! The Watts–Strogatz small world: a ring lattice with a share of ties rewired at random.
//!
//! Why a file of its own: it is the one generator that starts from a fixed structure (the
//! high-clustering lattice of friendship circles) and randomises it, and the one whose output
//! may hold duplicate ties (see [`watts_strogatz`]), so its clamping and duplicate rules are
//! documented and tested here.

use super::{check_population, clamp_prob, contiguous_groups, peer};
use crate::graph::EdgeList;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Watts–Strogatz small-world graph: a ring lattice where each agent is tied to its `k / 2`
/// nearest neighbours on each side, after which every lattice tie `(i, i + j)` keeps `i` and,
/// with probability `rewire`, replaces `i + j` by an agent drawn uniformly from everyone
/// except `i`. Agents are labelled into `groups` contiguous blocks (see
/// [`contiguous_groups`]; 0 groups counts as 1).
///
/// Self-loops are avoided by construction. **Duplicates are not avoided**: a rewired tie can
/// land on an existing neighbour, and [`Graph::from_edge_list`](super::Graph::from_edge_list)
/// then drops it. Avoiding them exactly would need a dynamic adjacency set; instead we accept
/// an expected loss of about `rewire * k² / 2` ties in total (about 20 of 10 million ties for
/// n = 10⁶, k = 20, rewire = 0.1), so the mean degree falls short of `k` by roughly
/// `rewire * k² / n`.
///
/// Clamping: an odd `k` is rounded down; the per-side count is `min(k / 2, (n - 1) / 2)` so
/// every lattice tie is distinct (with `k >= n` this is the densest such ring: complete for
/// odd `n`, degree `n - 2` for even `n`). `rewire` is clamped to `[0, 1]` (NaN counts as 0).
/// With `n < 3` there are no ties. With `rewire = 0` no random numbers are drawn and the
/// result is the exact lattice.
///
/// # Panics
/// If `n` exceeds `u32::MAX` (agent ids are `u32`).
pub fn watts_strogatz(n: usize, k: usize, rewire: f64, groups: u32, seed: u64) -> EdgeList {
    check_population(n);
    let group_labels = contiguous_groups(n, groups);
    let half = (k / 2).min(n.saturating_sub(1) / 2);
    let rewire = clamp_prob(rewire);
    let mut edges = Vec::with_capacity(n * half);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if half > 0 {
        // half >= 1 implies n >= 3, so `0..n - 1` below is non-empty.
        for i in 0..n {
            for j in 1..=half {
                let mut t = i + j;
                if t >= n {
                    t -= n;
                }
                if rewire > 0.0 && rng.random::<f64>() < rewire {
                    // Uniform over all agents except i.
                    let r = rng.random_range(0..n - 1);
                    t = if r >= i { r + 1 } else { r };
                }
                edges.push(peer(i as u32, t as u32));
            }
        }
    }
    EdgeList {
        n,
        groups: group_labels,
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::pairs;
    use super::*;
    use crate::graph::metrics;
    use crate::graph::Graph;

    #[test]
    fn ws_without_rewiring_is_the_exact_lattice() {
        let (n, k) = (1000, 10);
        let (g, report) = Graph::from_edge_list(watts_strogatz(n, k, 0.0, 1, 1));
        assert_eq!(report, Default::default());
        assert!((0..n).all(|i| g.degree(i) == k));
        assert_eq!(g.neighbors(0), &[1, 2, 3, 4, 5, 995, 996, 997, 998, 999]);
        let expected = 3.0 * (k as f64 - 2.0) / (4.0 * (k as f64 - 1.0));
        let (trans, local) = metrics::clustering(&g);
        assert!((trans - expected).abs() < 1e-12, "{trans} vs {expected}");
        assert!((local - expected).abs() < 1e-12, "{local} vs {expected}");
    }

    #[test]
    fn ws_rewiring_keeps_tie_count_and_lowers_clustering() {
        let (n, k) = (5000, 10);
        let list = watts_strogatz(n, k, 0.2, 2, 9);
        assert_eq!(list.edges.len(), n * k / 2);
        assert!(list.edges.iter().all(|e| e.a != e.b));
        let (g, report) = Graph::from_edge_list(list);
        assert_eq!(report.self_loops_dropped, 0);
        assert!(report.duplicates_dropped < 50);
        let (trans, _) = metrics::clustering(&g);
        // Roughly C(0) (1 - p)^3 = 0.667 * 0.512.
        assert!(trans > 0.25 && trans < 0.45, "transitivity {trans}");
    }

    #[test]
    fn ws_edge_cases() {
        for n in 0..3 {
            assert!(watts_strogatz(n, 4, 0.5, 1, 1).edges.is_empty());
        }
        // k >= n: densest distinct ring.
        let (g, r) = Graph::from_edge_list(watts_strogatz(7, 100, 0.0, 1, 1));
        assert_eq!(r, Default::default());
        assert_eq!(g.edge_count(), 21);
        let (g, r) = Graph::from_edge_list(watts_strogatz(8, 100, 0.0, 1, 1));
        assert_eq!(r, Default::default());
        assert!((0..8).all(|i| g.degree(i) == 6));
        // Odd k rounds down; out-of-range rewire is clamped.
        assert_eq!(watts_strogatz(20, 5, 0.0, 1, 1).edges.len(), 40);
        let list = watts_strogatz(20, 4, 7.0, 1, 1);
        assert!(list.edges.iter().all(|e| e.a != e.b));
        assert_eq!(
            pairs(&watts_strogatz(20, 4, f64::NAN, 1, 1)),
            pairs(&watts_strogatz(20, 4, 0.0, 1, 1))
        );
    }
}
