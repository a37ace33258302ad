//! Seeded random-graph generators for synthetic populations.
//!
//! Why these four: Erdős–Rényi is the structureless null model, Watts–Strogatz gives the
//! high-clustering "small world" of real friendship circles, Barabási–Albert gives the
//! heavy-tailed degree distribution where a few hubs hold many ties, and the stochastic block
//! model plants group structure (schools, neighbourhoods) so bridging versus bonding ties can
//! be tuned directly. Comparing a withdrawal model across them separates effects of the model
//! from effects of the network.
//!
//! Why they are written the way they are:
//!
//! * **Reproducible.** Every generator takes a `seed` and draws from one sequential
//!   [`ChaCha8Rng`] stream, so its output is a pure function of the arguments: no thread
//!   RNG, no parallelism, so no dependence on thread count, and integer draws are portable
//!   across word sizes. A run can be repeated exactly from its configuration. (The geometric
//!   skips use `f64::ln`; a platform whose libm rounds `ln` differently could in principle
//!   shift a tie, so exact replication across platforms is only as good as libm.)
//! * **Linear time.** Populations of millions of agents are the point of the CSR layout, so
//!   nothing here loops over all pairs. Sparse Bernoulli graphs use geometric skipping
//!   (Batagelj & Brandes 2005, "Efficient generation of large random networks"): instead of a
//!   coin per pair we draw the gap to the next tie, so the cost is O(n + m) rather than O(n²).
//!   Preferential attachment uses the repeated-endpoints list, where drawing a uniform entry
//!   is drawing an agent with probability proportional to its degree.
//! * **Forgiving at the edges.** Out-of-range parameters (n = 0 or 1, probabilities outside
//!   [0, 1] or NaN, k ≥ n, m ≥ n) are clamped to the nearest meaningful value, as documented
//!   per function, instead of panicking. Range checks with messages belong to the caller.
//!
//! Output is a raw [`EdgeList`] (weights 1.0, layer [`Layer::Peer`]); build it with
//! [`Graph::from_edge_list`](super::Graph::from_edge_list), which also drops any duplicates.
//!
//! One file per family: `bernoulli.rs` (the independent-pair models, Erdős–Rényi and the
//! stochastic block model, with the geometric skipping they share), `small_world.rs`
//! (Watts–Strogatz) and `preferential.rs` (Barabási–Albert). This file holds what they share:
//! group labels, clamping and the seed-determinism tests that cover all four.

mod bernoulli;
mod preferential;
mod small_world;

pub use bernoulli::{erdos_renyi, sbm};
pub use preferential::barabasi_albert;
pub use small_world::watts_strogatz;

use super::{Edge, Layer};

/// Group labels for `n` agents split into `groups` contiguous, nearly equal blocks:
/// agent `i` gets `(i * groups / n)`. A `groups` of 0 is treated as 1.
pub fn contiguous_groups(n: usize, groups: u32) -> Vec<u32> {
    let groups = groups.max(1) as u64;
    let n64 = n as u64;
    (0..n64).map(|i| (i * groups / n64) as u32).collect()
}

/// Agent ids are `u32`; larger populations cannot be represented by [`super::Graph`].
pub(super) fn check_population(n: usize) {
    assert!(
        n <= u32::MAX as usize,
        "population of {n} agents exceeds the u32 id space"
    );
}

/// Clamps a probability to [0, 1]; NaN becomes 0.
pub(super) fn clamp_prob(p: f64) -> f64 {
    if p.is_nan() {
        0.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// An unweighted peer tie, the only kind the generators make.
#[inline]
pub(super) fn peer(a: u32, b: u32) -> Edge {
    Edge {
        a,
        b,
        weight: 1.0,
        layer: Layer::Peer,
    }
}

/// Capacity to reserve for an expected number of ties: a little slack above the mean so the
/// vector rarely reallocates, capped so absurd requests fail by growing rather than upfront.
pub(super) fn reserve_for(expected: f64) -> usize {
    let slack = expected + 4.0 * expected.sqrt() + 16.0;
    slack.min((1u64 << 26) as f64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::metrics;
    use crate::graph::{EdgeList, Graph};

    pub(super) fn pairs(list: &EdgeList) -> Vec<(u32, u32)> {
        list.edges.iter().map(|e| (e.a, e.b)).collect()
    }

    #[test]
    fn contiguous_groups_are_nearly_equal_blocks() {
        let g = contiguous_groups(10, 3);
        assert_eq!(g, vec![0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
        assert_eq!(contiguous_groups(4, 0), vec![0; 4]);
        assert!(contiguous_groups(0, 5).is_empty());
    }

    #[test]
    fn generators_are_deterministic_in_the_seed() {
        type Gen = fn(u64) -> EdgeList;
        let gens: [Gen; 4] = [
            |s| erdos_renyi(2000, 6.0, 3, s),
            |s| watts_strogatz(2000, 6, 0.3, 3, s),
            |s| barabasi_albert(2000, 3, 3, s),
            |s| sbm(&[700, 600, 700], 0.01, 0.001, s),
        ];
        for gen in gens {
            let a = gen(42);
            let b = gen(42);
            let c = gen(43);
            assert_eq!(pairs(&a), pairs(&b));
            assert_eq!(a.groups, b.groups);
            assert_ne!(pairs(&a), pairs(&c));
        }
    }

    #[test]
    fn generators_do_not_depend_on_thread_count() {
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| pairs(&erdos_renyi(3000, 5.0, 1, 8)))
        };
        assert_eq!(run(1), run(2));
    }

    /// Timing of the 1,000,000-agent builds; run with
    /// `cargo test --release --lib timing_1m -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing_1m() {
        use std::time::Instant;
        let n = 1_000_000;
        let time = |name: &str, f: &dyn Fn() -> EdgeList| {
            let t0 = Instant::now();
            let list = f();
            let t1 = Instant::now();
            let (g, _) = Graph::from_edge_list(list);
            let t2 = Instant::now();
            let m = metrics::compute(&g);
            let t3 = Instant::now();
            let mut parts = String::new();
            let mut part = |name: &str, f: &dyn Fn()| {
                let t = Instant::now();
                f();
                parts += &format!(" {name} {:.3}s", t.elapsed().as_secs_f64());
            };
            part("histogram", &|| {
                let _ = std::hint::black_box(metrics::degree_histogram(&g));
            });
            part("clustering", &|| {
                let _ = std::hint::black_box(metrics::clustering(&g));
            });
            part("components", &|| {
                let _ = std::hint::black_box(metrics::components(&g));
            });
            part("ei", &|| {
                let _ = std::hint::black_box(metrics::ei_index(&g));
            });
            println!("  metrics parts:{parts}");
            println!(
                "{name}: {} ties; generate {:.3}s, build {:.3}s, total {:.3}s; metrics {:.3}s \
                 (transitivity {:.4}, components {})",
                g.edge_count(),
                (t1 - t0).as_secs_f64(),
                (t2 - t1).as_secs_f64(),
                (t2 - t0).as_secs_f64(),
                (t3 - t2).as_secs_f64(),
                m.transitivity,
                m.components,
            );
        };
        time("ER d=20", &|| erdos_renyi(n, 20.0, 10, 1));
        time("WS k=20 p=0.1", &|| watts_strogatz(n, 20, 0.1, 10, 1));
        time("BA m=10", &|| barabasi_albert(n, 10, 10, 1));
        time("SBM 100x10k", &|| sbm(&[10_000; 100], 0.0019, 0.0000001, 1));
    }
}
