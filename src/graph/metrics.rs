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
//! Triangles use the forward ("compact-forward") algorithm: each tie is oriented from the
//! lower to the higher (degree, id) rank, and a triangle is counted once, at its lowest-ranked
//! corner, by merging two sorted out-lists. Orienting by degree bounds every out-list by
//! about √(2m), which keeps hubs of heavy-tailed graphs from costing O(degree²).

use super::Graph;
use petgraph::unionfind::UnionFind;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Connected components: `(count, share of agents in the largest)`. Isolated agents are
/// components of their own; an empty graph gives `(0, 0.0)`. Union-find, near-linear.
pub fn components(g: &Graph) -> (u64, f64) {
    let n = g.n();
    if n == 0 {
        return (0, 0.0);
    }
    let mut uf: UnionFind<u32> = UnionFind::new(n);
    for u in 0..n {
        let nbrs = g.neighbors(u);
        let start = nbrs.partition_point(|&v| (v as usize) <= u);
        for &v in &nbrs[start..] {
            uf.union(u as u32, v);
        }
    }
    let labels = uf.into_labeling();
    let mut sizes = vec![0u64; n];
    for &r in &labels {
        sizes[r as usize] += 1;
    }
    let count = sizes.iter().filter(|&&s| s > 0).count() as u64;
    let largest = sizes.iter().copied().max().unwrap_or(0);
    (count, largest as f64 / n as f64)
}

/// Size of the largest connected component of `n` agents whose ties `neighbours(i)` lists
/// (each tie listed at both ends), by a concurrent union-find that runs on rayon under
/// [`Exec::Parallel`](crate::engine::Exec).
///
/// Why it is safe to run in parallel and still exact: a root is only ever linked under a
/// smaller index, with a compare-and-swap that succeeds only while it is still a root, and path
/// halving only ever replaces a parent with that parent's parent; so parents only decrease,
/// no cycle can form, and a stale read is still an ancestor in the same set. Whatever the
/// interleaving, the final partition is the graph's components, so the size is the same on
/// any number of threads (a test checks it against a sequential union-find).
pub fn largest_component_size<'a, F>(exec: crate::engine::Exec, n: usize, neighbours: F) -> u64
where
    F: Fn(usize) -> &'a [u32] + Sync,
{
    use crate::engine::par;
    use std::sync::atomic::AtomicU32;
    let parent: Vec<AtomicU32> = (0..n as u32).map(AtomicU32::new).collect();
    let find = |mut x: u32| -> u32 {
        loop {
            let p = parent[x as usize].load(Ordering::Relaxed);
            if p == x {
                return x;
            }
            let g = parent[p as usize].load(Ordering::Relaxed);
            if g != p {
                // Losing this race only means less compression.
                let _ =
                    parent[x as usize].compare_exchange(p, g, Ordering::Relaxed, Ordering::Relaxed);
            }
            x = g;
        }
    };
    par::map_chunks(exec, n, |range| {
        for i in range {
            for &j in neighbours(i) {
                if (i as u32) >= j {
                    continue;
                }
                let (mut a, mut b) = (i as u32, j);
                loop {
                    a = find(a);
                    b = find(b);
                    if a == b {
                        break;
                    }
                    let (hi, lo) = (a.max(b), a.min(b));
                    if parent[hi as usize]
                        .compare_exchange(hi, lo, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                    {
                        break;
                    }
                }
            }
        }
    });
    let size: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
    par::map_chunks(exec, n, |range| {
        for i in range {
            size[find(i as u32) as usize].fetch_add(1, Ordering::Relaxed);
        }
    });
    size.iter()
        .map(|s| s.load(Ordering::Relaxed) as u64)
        .max()
        .unwrap_or(0)
}

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

/// Number of distinct group labels.
fn distinct_groups(g: &Graph) -> u64 {
    let mut labels = g.groups.clone();
    labels.par_sort_unstable();
    labels.dedup();
    labels.len() as u64
}

/// Unordered pairs among `d` items.
#[inline]
fn pairs(d: usize) -> u64 {
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
    use super::*;
    use crate::graph::generate;
    use crate::graph::{Edge, EdgeList, Layer};

    fn graph(n: usize, groups: Vec<u32>, ties: &[(u32, u32)]) -> Graph {
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

    /// The concurrent union-find finds the same largest component as the sequential
    /// `components` on graphs with many components, sequentially and on a pool of 3 threads.
    #[test]
    fn concurrent_largest_component_matches_union_find() {
        use crate::engine::Exec;
        for (seed, n, m) in [
            (1u64, 20_000usize, 9_000usize),
            (2, 30_000, 15_000),
            (3, 5, 0),
        ] {
            let mut x = seed;
            let mut next = || {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 33) as u32 % n as u32
            };
            let ties: Vec<(u32, u32)> = (0..m)
                .map(|_| (next(), next()))
                .filter(|(a, b)| a != b)
                .collect();
            let g = graph(n, vec![0; n], &ties);
            let (_, share) = components(&g);
            let expect = (share * n as f64).round() as u64;
            let seq = largest_component_size(Exec::Sequential, n, |i| g.neighbors(i));
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .unwrap();
            let par =
                pool.install(|| largest_component_size(Exec::Parallel, n, |i| g.neighbors(i)));
            assert_eq!(seq, expect, "seed {seed}");
            assert_eq!(par, expect, "seed {seed}");
        }
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

    #[test]
    fn two_components_and_isolates() {
        let g = graph(7, vec![0; 7], &[(0, 1), (1, 2), (3, 4)]);
        // {0,1,2}, {3,4}, {5}, {6}
        assert_eq!(components(&g), (4, 3.0 / 7.0));
        let g = graph(6, vec![0; 6], &[(0, 1), (1, 2), (3, 4), (4, 5)]);
        assert_eq!(components(&g), (2, 0.5));
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
