//! Connected components: how far withdrawal has fragmented the population.
//!
//! Why a file of its own: two implementations of one question live here. [`components`] is a
//! sequential union-find over a built [`Graph`] for run summaries; [`largest_component_size`]
//! is a concurrent union-find over any adjacency (the withdrawal model calls it on its live
//! tie slabs every observation), and its test checks it against the sequential one.

use super::Graph;
use petgraph::unionfind::UnionFind;
use std::sync::atomic::Ordering;

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

#[cfg(test)]
mod tests {
    use super::super::tests::graph;
    use super::*;

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
    fn two_components_and_isolates() {
        let g = graph(7, vec![0; 7], &[(0, 1), (1, 2), (3, 4)]);
        // {0,1,2}, {3,4}, {5}, {6}
        assert_eq!(components(&g), (4, 3.0 / 7.0));
        let g = graph(6, vec![0; 6], &[(0, 1), (1, 2), (3, 4), (4, 5)]);
        assert_eq!(components(&g), (2, 0.5));
    }
}
