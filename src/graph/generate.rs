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

use super::{Edge, EdgeList, Layer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Group labels for `n` agents split into `groups` contiguous, nearly equal blocks:
/// agent `i` gets `(i * groups / n)`. A `groups` of 0 is treated as 1.
pub fn contiguous_groups(n: usize, groups: u32) -> Vec<u32> {
    let groups = groups.max(1) as u64;
    let n64 = n as u64;
    (0..n64).map(|i| (i * groups / n64) as u32).collect()
}

/// Agent ids are `u32`; larger populations cannot be represented by [`super::Graph`].
fn check_population(n: usize) {
    assert!(
        n <= u32::MAX as usize,
        "population of {n} agents exceeds the u32 id space"
    );
}

/// Clamps a probability to [0, 1]; NaN becomes 0.
fn clamp_prob(p: f64) -> f64 {
    if p.is_nan() {
        0.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

#[inline]
fn peer(a: u32, b: u32) -> Edge {
    Edge {
        a,
        b,
        weight: 1.0,
        layer: Layer::Peer,
    }
}

/// Capacity to reserve for an expected number of ties: a little slack above the mean so the
/// vector rarely reallocates, capped so absurd requests fail by growing rather than upfront.
fn reserve_for(expected: f64) -> usize {
    let slack = expected + 4.0 * expected.sqrt() + 16.0;
    slack.min((1u64 << 26) as f64) as usize
}

/// Calls `emit(k)`, in increasing order, for each index `k` in `0..total` independently with
/// probability `p`, by drawing geometric gaps between successes (Batagelj & Brandes 2005).
/// Cost is O(1 + number of successes) random draws.
fn bernoulli_indices(total: u64, p: f64, rng: &mut ChaCha8Rng, mut emit: impl FnMut(u64)) {
    if total == 0 || p <= 0.0 || p.is_nan() {
        return;
    }
    if p >= 1.0 {
        (0..total).for_each(emit);
        return;
    }
    // ln(1 - p), accurate for tiny p.
    let log_q = (-p).ln_1p();
    let mut k: u64 = 0;
    loop {
        let r: f64 = rng.random();
        // 1 - r is in (0, 1], so the quotient is >= 0 (possibly +inf for tiny p; the
        // float-to-int cast saturates).
        let skip = ((1.0 - r).ln() / log_q).floor() as u64;
        if skip >= total - k {
            return;
        }
        k += skip;
        emit(k);
        k += 1;
        if k >= total {
            return;
        }
    }
}

/// Runs `bernoulli_indices` over the pairs `(v, w)`, `0 <= w < v < size`, of a triangle
/// enumerated row by row (row `v` holds `v` pairs), calling `emit(v, w)`. The row cursor only
/// moves forward, so the total cost is O(size + ties).
fn bernoulli_triangle(size: u64, p: f64, rng: &mut ChaCha8Rng, mut emit: impl FnMut(u64, u64)) {
    let total = size * size.saturating_sub(1) / 2;
    let mut v: u64 = 1;
    let mut row_start: u64 = 0;
    bernoulli_indices(total, p, rng, |k| {
        while k >= row_start + v {
            row_start += v;
            v += 1;
        }
        emit(v, k - row_start);
    });
}

/// Erdős–Rényi G(n, p) graph with `p = mean_degree / (n - 1)`: every pair of agents is tied
/// independently with probability `p`. Agents are labelled into `groups` contiguous blocks
/// (see [`contiguous_groups`]; 0 groups counts as 1).
///
/// Uses geometric skipping over the n(n−1)/2 pairs, so time is O(n + m). The list never
/// contains self-loops or duplicates.
///
/// Clamping: `mean_degree` is clamped to `[0, n - 1]` (NaN counts as 0), so a mean degree of
/// `n - 1` or more gives the complete graph. With `n < 2` there are no ties.
///
/// # Panics
/// If `n` exceeds `u32::MAX` (agent ids are `u32`).
pub fn erdos_renyi(n: usize, mean_degree: f64, groups: u32, seed: u64) -> EdgeList {
    check_population(n);
    let group_labels = contiguous_groups(n, groups);
    if n < 2 {
        return EdgeList {
            n,
            groups: group_labels,
            edges: Vec::new(),
        };
    }
    let p = clamp_prob(mean_degree / (n - 1) as f64);
    let pairs = n as u64 * (n as u64 - 1) / 2;
    let mut edges = Vec::with_capacity(reserve_for(p * pairs as f64));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    bernoulli_triangle(n as u64, p, &mut rng, |v, w| {
        edges.push(peer(v as u32, w as u32));
    });
    EdgeList {
        n,
        groups: group_labels,
        edges,
    }
}

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

/// Stochastic block model: group `g` is `sizes[g]` consecutive agents labelled `g`; each
/// pair within a group is tied with probability `p_in`, each pair across groups with
/// probability `p_out`, all independently.
///
/// Every block pair (g, h), g ≤ h, is sampled with geometric skipping, so time is
/// O(n + m + groups²). The list never contains self-loops or duplicates. Empty groups are
/// allowed (their label is simply unused).
///
/// Clamping: probabilities are clamped to `[0, 1]` (NaN counts as 0).
///
/// # Panics
/// If the total population exceeds `u32::MAX`, or there are more than 2³² groups.
pub fn sbm(sizes: &[usize], p_in: f64, p_out: f64, seed: u64) -> EdgeList {
    let n = sizes
        .iter()
        .try_fold(0usize, |acc, &s| acc.checked_add(s))
        .unwrap_or(usize::MAX);
    check_population(n);
    assert!(
        sizes.len() <= u32::MAX as usize + 1,
        "more than 2^32 groups"
    );
    let p_in = clamp_prob(p_in);
    let p_out = clamp_prob(p_out);
    let mut starts = Vec::with_capacity(sizes.len());
    let mut group_labels = Vec::with_capacity(n);
    for (g, &s) in sizes.iter().enumerate() {
        starts.push(group_labels.len() as u64);
        group_labels.extend(std::iter::repeat_n(g as u32, s));
    }
    let within: f64 = sizes
        .iter()
        .map(|&s| (s as f64) * (s as f64 - 1.0).max(0.0) / 2.0)
        .sum();
    let all_pairs = (n as f64) * (n as f64 - 1.0).max(0.0) / 2.0;
    let expected = p_in * within + p_out * (all_pairs - within).max(0.0);
    let mut edges = Vec::with_capacity(reserve_for(expected));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Group g's members take every later agent as one rectangle of candidate pairs (the later
    // groups are contiguous), so the work is one draw per group plus one per edge: linear in
    // n + m whatever the number of groups (a loop over group pairs was quadratic in groups).
    for g in 0..sizes.len() {
        let (sg, start_g) = (sizes[g] as u64, starts[g]);
        bernoulli_triangle(sg, p_in, &mut rng, |v, w| {
            edges.push(peer((start_g + v) as u32, (start_g + w) as u32));
        });
        let later_start = start_g + sg;
        let later = n as u64 - later_start;
        // later > 0 whenever an index is emitted (the rectangle is empty otherwise).
        bernoulli_indices(sg * later, p_out, &mut rng, |k| {
            edges.push(peer(
                (start_g + k / later) as u32,
                (later_start + k % later) as u32,
            ));
        });
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
    use crate::graph::metrics;
    use crate::graph::Graph;

    fn pairs(list: &EdgeList) -> Vec<(u32, u32)> {
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
    fn er_mean_degree_near_expectation() {
        let n = 20_000;
        let list = erdos_renyi(n, 10.0, 4, 7);
        assert_eq!(list.n, n);
        assert_eq!(list.groups.len(), n);
        assert_eq!(*list.groups.last().unwrap(), 3);
        let (g, report) = Graph::from_edge_list(list);
        assert_eq!(report, Default::default());
        let mean = 2.0 * g.edge_count() as f64 / n as f64;
        assert!((mean - 10.0).abs() < 0.3, "mean degree {mean}");
    }

    #[test]
    fn er_edge_cases() {
        assert!(erdos_renyi(0, 5.0, 1, 1).edges.is_empty());
        assert!(erdos_renyi(1, 5.0, 1, 1).edges.is_empty());
        assert!(erdos_renyi(100, 0.0, 1, 1).edges.is_empty());
        assert!(erdos_renyi(100, -3.0, 1, 1).edges.is_empty());
        assert!(erdos_renyi(100, f64::NAN, 1, 1).edges.is_empty());
        // p = 1 and beyond: complete graph.
        for d in [49.0, 1e9, f64::INFINITY] {
            let (g, r) = Graph::from_edge_list(erdos_renyi(50, d, 1, 1));
            assert_eq!(g.edge_count(), 50 * 49 / 2);
            assert_eq!(r, Default::default());
        }
        // Tiny p on a big pair space must not overflow.
        let list = erdos_renyi(1 << 20, 1e-9, 1, 3);
        assert!(list.edges.len() < 5);
    }

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

    #[test]
    fn sbm_within_share_near_expectation() {
        let sizes = [3000, 3000, 4000];
        let (p_in, p_out) = (0.004, 0.0005);
        let list = sbm(&sizes, p_in, p_out, 11);
        assert_eq!(list.n, 10_000);
        assert_eq!(list.groups[2999], 0);
        assert_eq!(list.groups[3000], 1);
        assert_eq!(list.groups[9999], 2);
        let within_pairs: f64 = sizes.iter().map(|&s| (s * (s - 1) / 2) as f64).sum();
        let all_pairs = 10_000.0 * 9_999.0 / 2.0;
        let exp_in = p_in * within_pairs;
        let exp_out = p_out * (all_pairs - within_pairs);
        let within = list
            .edges
            .iter()
            .filter(|e| list.groups[e.a as usize] == list.groups[e.b as usize])
            .count() as f64;
        let total = list.edges.len() as f64;
        assert!((total - (exp_in + exp_out)).abs() < 0.05 * (exp_in + exp_out));
        let share = within / total;
        let exp_share = exp_in / (exp_in + exp_out);
        assert!((share - exp_share).abs() < 0.02, "{share} vs {exp_share}");
        let (_, report) = Graph::from_edge_list(list);
        assert_eq!(report, Default::default());
    }

    #[test]
    fn sbm_time_is_linear_in_groups() {
        // 200,000 groups of one agent: a loop over group pairs would make 2e10 draws.
        let sizes = vec![1usize; 200_000];
        let start = std::time::Instant::now();
        let list = sbm(&sizes, 0.5, 0.00001, 3);
        assert!(start.elapsed().as_secs_f64() < 5.0, "{:?}", start.elapsed());
        let expected = 0.00001 * 200_000.0 * 199_999.0 / 2.0;
        let m = list.edges.len() as f64;
        assert!((m - expected).abs() < 0.1 * expected, "{m} vs {expected}");
        let (_, report) = Graph::from_edge_list(list);
        assert_eq!(report, Default::default());
    }

    #[test]
    fn sbm_edge_cases() {
        assert!(sbm(&[], 0.5, 0.5, 1).edges.is_empty());
        let list = sbm(&[0, 4, 0, 3], 1.0, 0.0, 1);
        assert_eq!(list.groups, vec![1, 1, 1, 1, 3, 3, 3]);
        assert_eq!(list.edges.len(), 6 + 3);
        let list = sbm(&[2, 3], 0.0, 1.0, 1);
        assert_eq!(list.edges.len(), 6);
        assert!(list
            .edges
            .iter()
            .all(|e| list.groups[e.a as usize] != list.groups[e.b as usize]));
        let list = sbm(&[5, 5], f64::NAN, 2.0, 1);
        assert_eq!(list.edges.len(), 25);
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
