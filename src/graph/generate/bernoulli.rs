//! Independent-pair generators: Erdős–Rényi and the stochastic block model.
//!
//! Why a file of its own: both tie every pair of agents independently (with one probability,
//! or one within and one across groups), and both are made linear-time by the same geometric
//! skipping (Batagelj & Brandes 2005), which lives here with them.

use super::{check_population, clamp_prob, contiguous_groups, peer, reserve_for};
use crate::graph::EdgeList;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
    use crate::graph::Graph;

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
}
