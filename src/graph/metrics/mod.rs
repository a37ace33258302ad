//! Structural measures of a population graph.
//!
//! Why these: withdrawal is about losing ties, and bridging capital is about which ties are
//! lost. Degree and its histogram show who is becoming isolated; clustering tells bonding
//! (closed, triangle-rich circles) from open structure; components show when withdrawal
//! fragments the population; the E-I index (Krackhardt & Stern 1988) measures how much of the
//! remaining contact crosses group boundaries, i.e. bridging versus bonding.
//!
//! Why they are computed this way: a model calls these every tick on graphs of millions of
//! agents, so everything is linear or near-linear and runs on rayon. Results must not depend
//! on the number of threads, or runs would not be reproducible across machines. Integer
//! counts are exact under any reduction order; the one float sum (mean local clustering) is
//! taken over fixed chunks of [`CHUNK`] agents, each summed in index order, and the chunk sums
//! are then added in index order — never with rayon's float `sum`, whose grouping varies.
//!
//! The families live in their own files: `clustering.rs` (triangles, transitivity, local
//! clustering) and `components.rs` (connected components, sequential and concurrent); this
//! file holds the summary [`compute`], the degree histogram and the E-I index.

mod clustering;
mod components;

pub use clustering::{clustering, local_triangles};
pub use components::{components, largest_component_size};

use super::Graph;
use rayon::prelude::*;
use serde::Serialize;

/// Agents per chunk for order-fixed float sums and chunked parallel work.
pub const CHUNK: usize = 4096;

/// How many agents have a given degree.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DegreeCount {
    /// Number of ties.
    pub degree: u64,
    /// Number of agents with exactly that many ties (never 0 in a histogram).
    pub count: u64,
}

/// Summary of a graph's structure, as written to run outputs.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct GraphMetrics {
    /// Number of agents.
    pub nodes: u64,
    /// Number of undirected ties.
    pub edges: u64,
    /// Mean number of ties per agent, `2 * edges / nodes` (0 for an empty graph).
    pub mean_degree: f64,
    /// Agents per degree, ascending by degree, only degrees that occur.
    pub degree_histogram: Vec<DegreeCount>,
    /// Global clustering: `3 * triangles / connected triples` (0 when there are no triples).
    pub transitivity: f64,
    /// Mean over all agents of local clustering (share of an agent's neighbour pairs that
    /// are tied). Agents with fewer than two ties count as 0, as in networkx's
    /// `average_clustering`; 0 for an empty graph.
    pub mean_local_clustering: f64,
    /// Number of connected components; every isolated agent is a component of its own.
    pub components: u64,
    /// Share of agents in the largest component (0 for an empty graph).
    pub largest_component_share: f64,
    /// Krackhardt's E-I index over ties by group label: `(E - I) / (E + I)` with `E` the ties
    /// between different groups and `I` the ties within a group; −1 is all bonding, +1 all
    /// bridging. `None` if there are no ties.
    pub ei_index: Option<f64>,
    /// Number of distinct group labels in use.
    pub groups: u64,
}

/// Computes every metric in [`GraphMetrics`].
pub fn compute(g: &Graph) -> GraphMetrics {
    let n = g.n();
    let edges = g.edge_count() as u64;
    let (transitivity, mean_local_clustering) = clustering(g);
    let (components, largest_component_share) = components(g);
    GraphMetrics {
        nodes: n as u64,
        edges,
        mean_degree: if n == 0 {
            0.0
        } else {
            2.0 * edges as f64 / n as f64
        },
        degree_histogram: degree_histogram(g),
        transitivity,
        mean_local_clustering,
        components,
        largest_component_share,
        ei_index: ei_index(g),
        groups: distinct_groups(g),
    }
}

/// Agents per degree, ascending, omitting degrees no agent has. O(n + max degree).
pub fn degree_histogram(g: &Graph) -> Vec<DegreeCount> {
    let mut counts = vec![0u64; g.max_degree() + 1];
    for i in 0..g.n() {
        counts[g.degree(i)] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .filter(|&(_, c)| c > 0)
        .map(|(d, c)| DegreeCount {
            degree: d as u64,
            count: c,
        })
        .collect()
}

/// Krackhardt's E-I index `(E - I) / (E + I)` over ties by group label (`E` = ties between
/// different groups, `I` = ties within one): −1 when every tie is within a group, +1 when
/// every tie crosses groups. `None` if the graph has no ties.
pub fn ei_index(g: &Graph) -> Option<f64> {
    let (external, internal) = (0..g.n())
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|u| {
            let gu = g.groups[u];
            let mut ext = 0u64;
            let mut int = 0u64;
            // Neighbours are sorted: the ties to higher ids are the suffix.
            let nbrs = g.neighbors(u);
            let start = nbrs.partition_point(|&v| (v as usize) <= u);
            for &v in &nbrs[start..] {
                if g.groups[v as usize] == gu {
                    int += 1;
                } else {
                    ext += 1;
                }
            }
            (ext, int)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let total = external + internal;
    if total == 0 {
        None
    } else {
        Some((external as f64 - internal as f64) / total as f64)
    }
}

/// Number of distinct group labels.
fn distinct_groups(g: &Graph) -> u64 {
    let mut labels = g.groups.clone();
    labels.par_sort_unstable();
    labels.dedup();
    labels.len() as u64
}

#[cfg(test)]
mod tests {
    use super::clustering::pairs;
    use super::*;
    use crate::graph::generate;
    use crate::graph::{Edge, EdgeList, Layer};

    pub(super) fn graph(n: usize, groups: Vec<u32>, ties: &[(u32, u32)]) -> Graph {
        let edges = ties
            .iter()
            .map(|&(a, b)| Edge {
                a,
                b,
                weight: 1.0,
                layer: Layer::Peer,
            })
            .collect();
        Graph::from_edge_list(EdgeList { n, groups, edges }).0
    }

    #[test]
    fn triangle() {
        let g = graph(3, vec![0; 3], &[(0, 1), (1, 2), (2, 0)]);
        let m = compute(&g);
        assert_eq!(m.transitivity, 1.0);
        assert_eq!(m.mean_local_clustering, 1.0);
        assert_eq!(m.nodes, 3);
        assert_eq!(m.edges, 3);
        assert_eq!(m.mean_degree, 2.0);
        assert_eq!(
            m.degree_histogram,
            vec![DegreeCount {
                degree: 2,
                count: 3
            }]
        );
        assert_eq!((m.components, m.largest_component_share), (1, 1.0));
        assert_eq!(m.ei_index, Some(-1.0));
        assert_eq!(m.groups, 1);
        assert_eq!(local_triangles(&g), vec![1, 1, 1]);
    }

    #[test]
    fn ei_index_hand_made() {
        // All within groups.
        let g = graph(4, vec![0, 0, 1, 1], &[(0, 1), (2, 3)]);
        assert_eq!(ei_index(&g), Some(-1.0));
        // All across.
        let g = graph(4, vec![0, 0, 1, 1], &[(0, 2), (1, 3), (0, 3)]);
        assert_eq!(ei_index(&g), Some(1.0));
        // 1 across, 3 within: (1 - 3) / 4.
        let g = graph(5, vec![0, 0, 0, 1, 1], &[(0, 1), (1, 2), (3, 4), (2, 3)]);
        assert_eq!(ei_index(&g), Some(-0.5));
        // No ties.
        let g = graph(3, vec![0, 1, 2], &[]);
        assert_eq!(ei_index(&g), None);
        assert_eq!(compute(&g).groups, 3);
    }

    #[test]
    fn empty_graph() {
        let g = graph(0, vec![], &[]);
        let m = compute(&g);
        assert_eq!(m.nodes, 0);
        assert_eq!(m.mean_degree, 0.0);
        assert!(m.degree_histogram.is_empty());
        assert_eq!((m.transitivity, m.mean_local_clustering), (0.0, 0.0));
        assert_eq!((m.components, m.largest_component_share), (0, 0.0));
        assert_eq!(m.ei_index, None);
        assert_eq!(m.groups, 0);
    }

    /// Plain sequential reference: triangles by checking every neighbour pair.
    fn reference(g: &Graph) -> (Vec<u64>, f64, f64) {
        let n = g.n();
        let mut tri = vec![0u64; n];
        for (i, t) in tri.iter_mut().enumerate() {
            let nb = g.neighbors(i);
            for a in 0..nb.len() {
                for b in a + 1..nb.len() {
                    if g.neighbors(nb[a] as usize).binary_search(&nb[b]).is_ok() {
                        *t += 1;
                    }
                }
            }
        }
        let triples: u64 = (0..n).map(|i| pairs(g.degree(i))).sum();
        let trans = tri.iter().sum::<u64>() as f64 / triples as f64;
        let mut plain_sum = 0.0;
        for (i, &t) in tri.iter().enumerate() {
            if g.degree(i) >= 2 {
                plain_sum += t as f64 / pairs(g.degree(i)) as f64;
            }
        }
        (tri, trans, plain_sum / n as f64)
    }

    #[test]
    fn parallel_equals_sequential_for_any_thread_count() {
        let graphs = [
            Graph::from_edge_list(generate::barabasi_albert(20_000, 4, 5, 3)).0,
            Graph::from_edge_list(generate::watts_strogatz(15_000, 8, 0.2, 4, 3)).0,
            Graph::from_edge_list(generate::sbm(&[5000, 3000, 2000], 0.002, 0.0003, 3)).0,
        ];
        for g in &graphs {
            let (tri, trans, mean_local) = reference(g);
            assert_eq!(local_triangles(g), tri);
            let (t, l) = clustering(g);
            assert_eq!(t, trans);
            // The chunked sum may differ from a plain left-to-right sum in the last bits.
            assert!((l - mean_local).abs() < 1e-12);
            // And it is bit-identical across thread counts.
            let run = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| compute(g))
            };
            let one = run(1);
            assert_eq!(one, run(2));
            assert_eq!(one, run(3));
            assert_eq!(one.mean_local_clustering.to_bits(), l.to_bits());

            // Sequential E-I and components.
            let (mut e, mut i) = (0i64, 0i64);
            for u in 0..g.n() {
                for &v in g.neighbors(u) {
                    if (v as usize) > u {
                        if g.groups[u] == g.groups[v as usize] {
                            i += 1;
                        } else {
                            e += 1;
                        }
                    }
                }
            }
            assert_eq!(one.ei_index, Some((e - i) as f64 / (e + i) as f64));
            let hist_total: u64 = one.degree_histogram.iter().map(|c| c.count).sum();
            assert_eq!(hist_total, g.n() as u64);
            let deg_total: u64 = one
                .degree_histogram
                .iter()
                .map(|c| c.degree * c.count)
                .sum();
            assert_eq!(deg_total, 2 * g.edge_count() as u64);
        }
    }
}
