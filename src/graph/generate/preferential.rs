//! Barabási–Albert preferential attachment: a heavy-tailed degree distribution with hubs.
//!
//! Why a file of its own: growth by degree-proportional choice is a different mechanism from
//! the independent-pair and lattice generators, with its own linear-time device (the
//! repeated-endpoints list) and its own invariant (exactly `m` distinct new ties per agent).

use super::{check_population, contiguous_groups, peer};
use crate::graph::EdgeList;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Barabási–Albert preferential-attachment graph: starts from a clique on agents `0..=m`,
/// then each later agent ties to `m` distinct earlier agents, each drawn with probability
/// proportional to its current degree. Agents are labelled into `groups` contiguous blocks
/// (see [`contiguous_groups`]; 0 groups counts as 1).
///
/// Linear time: every tie appends both endpoints to a list, and a uniform draw from that list
/// is a degree-proportional draw of an agent. Repeated picks for the same new agent are
/// redrawn (checked in O(1) with a per-agent stamp), so the list has no self-loops or
/// duplicates and exactly `m(m+1)/2 + (n - m - 1) m` ties.
///
/// Clamping: `m` is clamped to `n - 1`, so `m >= n` gives the complete graph on `n` agents;
/// `m = 0` gives `n` isolated agents; `n < 2` gives no ties.
///
/// # Panics
/// If `n` exceeds `u32::MAX` (agent ids are `u32`).
pub fn barabasi_albert(n: usize, m: usize, groups: u32, seed: u64) -> EdgeList {
    check_population(n);
    let group_labels = contiguous_groups(n, groups);
    let m = m.min(n.saturating_sub(1));
    let clique = (m + 1).min(n);
    let total = m * (m + 1) / 2 + n.saturating_sub(clique) * m;
    let mut edges = Vec::with_capacity(total);
    let mut endpoints: Vec<u32> = Vec::with_capacity(2 * total);
    for v in 0..clique {
        for w in 0..v {
            edges.push(peer(v as u32, w as u32));
            endpoints.push(v as u32);
            endpoints.push(w as u32);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // stamp[t] == v means agent v already picked t. Ids are < u32::MAX, so MAX is "never".
    let mut stamp = vec![u32::MAX; n];
    let mut picked: Vec<u32> = Vec::with_capacity(m);
    let mut draws: Vec<usize> = Vec::with_capacity(m);
    for v in clique..n {
        let v32 = v as u32;
        picked.clear();
        // m >= 1 here implies the clique has m + 1 >= 2 agents, so `endpoints` is non-empty
        // and holds at least m distinct agents: the loop terminates.
        while picked.len() < m {
            // Draw exactly as many as are still missing, so the stream is consumed as by a
            // one-at-a-time loop; batching only lets the (cache-missing) lookups overlap.
            let len = endpoints.len();
            draws.clear();
            draws.extend((picked.len()..m).map(|_| rng.random_range(0..len)));
            for d in draws.iter_mut() {
                *d = endpoints[*d] as usize;
            }
            for &t in &draws {
                if stamp[t] != v32 {
                    stamp[t] = v32;
                    picked.push(t as u32);
                }
            }
        }
        for &t in &picked {
            edges.push(peer(v32, t));
            endpoints.push(v32);
            endpoints.push(t);
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
    use super::*;
    use crate::graph::Graph;

    #[test]
    fn ba_has_nm_ties_and_a_heavy_tail() {
        let (n, m) = (20_000, 3);
        let list = barabasi_albert(n, m, 1, 5);
        assert_eq!(list.edges.len(), m * (m + 1) / 2 + (n - m - 1) * m);
        let (g, report) = Graph::from_edge_list(list);
        assert_eq!(report, Default::default());
        let mean = 2.0 * g.edge_count() as f64 / n as f64;
        assert!((mean - 2.0 * m as f64).abs() < 0.01);
        assert!((0..n).all(|i| g.degree(i) >= m));
        // Expected max degree ~ m sqrt(n) ≈ 420; ER would give ~ 15.
        assert!(
            g.max_degree() as f64 > 15.0 * mean,
            "max {}",
            g.max_degree()
        );
    }

    #[test]
    fn ba_edge_cases() {
        assert!(barabasi_albert(0, 3, 1, 1).edges.is_empty());
        assert!(barabasi_albert(1, 3, 1, 1).edges.is_empty());
        assert!(barabasi_albert(10, 0, 1, 1).edges.is_empty());
        let (g, r) = Graph::from_edge_list(barabasi_albert(6, 50, 1, 1));
        assert_eq!(g.edge_count(), 15);
        assert_eq!(r, Default::default());
        let (g, _) = Graph::from_edge_list(barabasi_albert(6, 5, 1, 1));
        assert_eq!(g.edge_count(), 15);
        // m = n - 2: the last agent must find n - 2 distinct targets among n - 1.
        let (g, r) = Graph::from_edge_list(barabasi_albert(6, 4, 1, 1));
        assert_eq!(g.edge_count(), 10 + 4);
        assert_eq!(r, Default::default());
    }
}
