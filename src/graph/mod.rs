//! The population graph: who is tied to whom, how strongly, on which layer.
//!
//! Storage is built for the hot loop: a compressed sparse row (CSR) adjacency in flat arrays
//! (`offsets`, `targets`, `weights`, `layers`), one entry per direction of every undirected tie.
//! No per-agent heap objects. Generators and the CSV importer produce an [`EdgeList`]; the
//! single constructor [`Graph::from_edge_list`] drops self-loops and duplicate ties (counting
//! them) and sorts each agent's neighbours, so every graph built here has the same invariants:
//! symmetric ties, no self-loops, no duplicates, neighbours in increasing id order.

pub mod build;
pub mod csv;
pub mod generate;
pub mod metrics;

use rayon::prelude::*;
use serde::Serialize;

/// The kind of relationship a tie stands for.
///
/// Online ties give contact but are not in-person contact and never count as bridging capital.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[repr(u8)]
pub enum Layer {
    /// Household ties.
    Family = 0,
    /// School or work ties.
    Peer = 1,
    /// Neighbourhood and community-setting ties.
    Community = 2,
    /// Ties kept only through screens.
    Online = 3,
}

impl Layer {
    /// All layers, in code order.
    pub const ALL: [Layer; 4] = [Layer::Family, Layer::Peer, Layer::Community, Layer::Online];

    /// The layer with this code, if any.
    pub fn from_code(code: u8) -> Option<Layer> {
        Layer::ALL.get(code as usize).copied()
    }

    /// The layer named `name` (`family`, `peer`, `community`, `online`) or with that numeric code.
    pub fn parse(name: &str) -> Option<Layer> {
        match name.trim().to_ascii_lowercase().as_str() {
            "family" | "0" => Some(Layer::Family),
            "peer" | "1" => Some(Layer::Peer),
            "community" | "2" => Some(Layer::Community),
            "online" | "3" => Some(Layer::Online),
            _ => None,
        }
    }

    /// Lower-case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Family => "family",
            Layer::Peer => "peer",
            Layer::Community => "community",
            Layer::Online => "online",
        }
    }
}

/// One undirected tie as produced by a generator or importer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// One end.
    pub a: u32,
    /// The other end.
    pub b: u32,
    /// Tie strength in [0, 1].
    pub weight: f32,
    /// Relationship layer.
    pub layer: Layer,
}

/// Ties before cleaning: may contain self-loops and duplicates.
#[derive(Clone, Debug, Default)]
pub struct EdgeList {
    /// Number of agents; ids are `0..n`.
    pub n: usize,
    /// Group label per agent (length `n`).
    pub groups: Vec<u32>,
    /// The ties.
    pub edges: Vec<Edge>,
}

/// What cleaning removed when a graph was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BuildReport {
    /// Ties from an agent to itself, dropped.
    pub self_loops_dropped: u64,
    /// Repeated ties between the same pair, dropped (the first occurrence is kept).
    pub duplicates_dropped: u64,
}

/// An undirected population graph in CSR form.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// `offsets[i]..offsets[i+1]` indexes agent `i`'s neighbours; length `n + 1`.
    pub offsets: Vec<usize>,
    /// Neighbour ids, sorted increasing within each agent's range.
    pub targets: Vec<u32>,
    /// Tie strength per directed entry (both directions hold the same value).
    pub weights: Vec<f32>,
    /// Layer code per directed entry (see [`Layer`]).
    pub layers: Vec<u8>,
    /// Group label per agent.
    pub groups: Vec<u32>,
}

impl Graph {
    /// Number of agents.
    pub fn n(&self) -> usize {
        self.groups.len()
    }

    /// Number of undirected ties.
    pub fn edge_count(&self) -> usize {
        self.targets.len() / 2
    }

    /// Degree of agent `i`.
    #[inline]
    pub fn degree(&self, i: usize) -> usize {
        self.offsets[i + 1] - self.offsets[i]
    }

    /// Neighbours of agent `i`, increasing.
    #[inline]
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Largest degree, 0 for an empty graph.
    pub fn max_degree(&self) -> usize {
        (0..self.n()).map(|i| self.degree(i)).max().unwrap_or(0)
    }
}

impl Graph {
    /// Builds the CSR graph from raw ties: drops self-loops and duplicate pairs (keeping the
    /// first occurrence's weight and layer), and sorts each agent's neighbours.
    ///
    /// Runs in O(n + m log d) time with a counting pass, so it scales to millions of agents.
    /// The agents are split into one contiguous range per rayon thread (at most 32), of about
    /// equal tie counts, built in parallel: each range scans the whole list in order (a cheap
    /// sequential read) and keeps the entries that belong to its agents, so every agent's
    /// entries arrive in list order and a stable sort by neighbour puts a duplicate's first
    /// occurrence first. The result is therefore the same for any number of threads.
    pub fn from_edge_list(list: EdgeList) -> (Graph, BuildReport) {
        let EdgeList { n, groups, edges } = list;
        debug_assert_eq!(groups.len(), n);
        let mut report = BuildReport::default();
        // Count both directions of every non-loop tie.
        let mut counts = vec![0usize; n + 1];
        for e in &edges {
            if e.a == e.b {
                report.self_loops_dropped += 1;
                continue;
            }
            counts[e.a as usize + 1] += 1;
            counts[e.b as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let total = counts[n];
        // Range boundaries: agent ids splitting the directed entries into equal shares.
        let ranges = rayon::current_num_threads().clamp(1, 32);
        let mut bounds: Vec<usize> = (0..ranges)
            .map(|r| counts.partition_point(|&c| c < total / ranges * r).min(n))
            .collect();
        bounds.push(n);
        let parts: Vec<BuildPart> = bounds
            .par_windows(2)
            .map(|w| BuildPart::build(w[0], w[1], &counts, &edges))
            .collect();
        drop(edges);
        let mut offsets = Vec::with_capacity(n + 1);
        let kept: usize = parts.iter().map(|p| p.targets.len()).sum();
        let mut targets = Vec::with_capacity(kept);
        let mut weights = Vec::with_capacity(kept);
        let mut layers = Vec::with_capacity(kept);
        offsets.push(0);
        let mut directed_dups = 0u64;
        for part in parts {
            for d in part.degrees {
                offsets.push(offsets[offsets.len() - 1] + d);
            }
            targets.extend_from_slice(&part.targets);
            weights.extend_from_slice(&part.weights);
            layers.extend_from_slice(&part.layers);
            directed_dups += part.directed_dups;
        }
        // Each duplicate undirected tie shows up once in each endpoint's list.
        report.duplicates_dropped = directed_dups / 2;
        (
            Graph {
                offsets,
                targets,
                weights,
                layers,
                groups,
            },
            report,
        )
    }
}

/// The CSR rows of agents `lo..hi`, built by [`Graph::from_edge_list`].
struct BuildPart {
    degrees: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f32>,
    layers: Vec<u8>,
    directed_dups: u64,
}

/// One directed entry while building: neighbour, weight, layer, and the owning agent's offset
/// within its bucket (see [`BuildPart::build`]).
#[derive(Clone, Copy, Default)]
struct Entry {
    target: u32,
    weight: f32,
    layer: u8,
    sub: u16,
}

/// Agents per bucket in [`BuildPart::build`]: a bucket's entries (about 2,048 × mean degree
/// × 12 bytes, half a megabyte at degree 20) fit in a core's L2 cache.
const BUCKET_SHIFT: u32 = 11;

impl BuildPart {
    /// `counts` are the prefix sums of directed entries per agent (before deduplication).
    ///
    /// Two-level scatter. Writing each entry straight to its agent's slot is a random write
    /// over the whole array, a cache miss per entry on millions of agents. Instead the scan
    /// appends each entry to its bucket of 2,048 agents (a few hundred sequential write
    /// streams), then each bucket is scattered to its agents' slots inside its own
    /// cache-sized region. Within a bucket entries stay in list order, so every agent's
    /// entries still arrive in list order and the result is exactly the one-level scatter's.
    fn build(lo: usize, hi: usize, counts: &[usize], edges: &[Edge]) -> BuildPart {
        let base = counts[lo];
        let len = counts[hi] - base;
        let span = hi - lo;
        let buckets = span.div_ceil(1 << BUCKET_SHIFT);
        let bucket_start = |k: usize| counts[(lo + (k << BUCKET_SHIFT)).min(hi)] - base;
        let mut entries: Vec<Entry> = vec![Entry::default(); len];
        let mut fill: Vec<usize> = (0..buckets).map(bucket_start).collect();
        let mut put = |local: usize, target: u32, weight: f32, layer: u8| {
            let k = local >> BUCKET_SHIFT;
            entries[fill[k]] = Entry {
                target,
                weight,
                layer,
                sub: (local & ((1 << BUCKET_SHIFT) - 1)) as u16,
            };
            fill[k] += 1;
        };
        for e in edges {
            if e.a == e.b {
                continue;
            }
            let layer = e.layer as u8;
            let ia = (e.a as usize).wrapping_sub(lo);
            if ia < span {
                put(ia, e.b, e.weight, layer);
            }
            let ib = (e.b as usize).wrapping_sub(lo);
            if ib < span {
                put(ib, e.a, e.weight, layer);
            }
        }
        drop(fill);
        // Second level: within each bucket, entries to their agents' slots, in order.
        let mut scratch: Vec<Entry> = Vec::new();
        let mut cursor: Vec<usize> = Vec::with_capacity(1 << BUCKET_SHIFT);
        for k in 0..buckets {
            let (first, last) = (
                lo + (k << BUCKET_SHIFT),
                (lo + ((k + 1) << BUCKET_SHIFT)).min(hi),
            );
            let region = bucket_start(k)..bucket_start(k + 1);
            let offset = region.start;
            cursor.clear();
            cursor.extend(counts[first..last].iter().map(|&c| c - base - offset));
            scratch.clear();
            scratch.resize(region.len(), Entry::default());
            for e in &entries[region.clone()] {
                let c = &mut cursor[e.sub as usize];
                scratch[*c] = *e;
                *c += 1;
            }
            entries[region].copy_from_slice(&scratch);
        }
        drop(scratch);
        let mut part = BuildPart {
            degrees: Vec::with_capacity(span),
            targets: Vec::with_capacity(len),
            weights: Vec::with_capacity(len),
            layers: Vec::with_capacity(len),
            directed_dups: 0,
        };
        for i in lo..hi {
            let slice = &mut entries[counts[i] - base..counts[i + 1] - base];
            // Stable: among duplicates the first occurrence stays first.
            slice.sort_by_key(|entry| entry.target);
            let before = part.targets.len();
            let mut last: Option<u32> = None;
            for e in slice.iter() {
                if last == Some(e.target) {
                    part.directed_dups += 1;
                    continue;
                }
                last = Some(e.target);
                part.targets.push(e.target);
                part.weights.push(e.weight);
                part.layers.push(e.layer);
            }
            part.degrees.push(part.targets.len() - before);
        }
        part
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The original sequential builder, kept as the reference the parallel one must match.
    fn reference_build(list: EdgeList) -> (Graph, BuildReport) {
        let EdgeList { n, groups, edges } = list;
        debug_assert_eq!(groups.len(), n);
        let mut report = BuildReport::default();
        // Count both directions of every non-loop tie.
        let mut counts = vec![0usize; n + 1];
        for e in &edges {
            if e.a == e.b {
                continue;
            }
            counts[e.a as usize + 1] += 1;
            counts[e.b as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let total = counts[n];
        let mut cursor = counts.clone();
        // (target, edge index) so duplicates resolve to the first occurrence.
        let mut entries: Vec<(u32, u32)> = vec![(0, 0); total];
        for (idx, e) in edges.iter().enumerate() {
            if e.a == e.b {
                report.self_loops_dropped += 1;
                continue;
            }
            let (a, b) = (e.a as usize, e.b as usize);
            entries[cursor[a]] = (e.b, idx as u32);
            cursor[a] += 1;
            entries[cursor[b]] = (e.a, idx as u32);
            cursor[b] += 1;
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(total);
        let mut weights = Vec::with_capacity(total);
        let mut layers = Vec::with_capacity(total);
        offsets.push(0);
        let mut directed_dups = 0u64;
        for i in 0..n {
            let slice = &mut entries[counts[i]..counts[i + 1]];
            slice.sort_unstable();
            let mut last: Option<u32> = None;
            for &(t, idx) in slice.iter() {
                if last == Some(t) {
                    directed_dups += 1;
                    continue;
                }
                last = Some(t);
                let e = &edges[idx as usize];
                targets.push(t);
                weights.push(e.weight);
                layers.push(e.layer as u8);
            }
            offsets.push(targets.len());
        }
        // Each duplicate undirected tie shows up once in each endpoint's list.
        report.duplicates_dropped = directed_dups / 2;
        (
            Graph {
                offsets,
                targets,
                weights,
                layers,
                groups,
            },
            report,
        )
    }

    fn edge(a: u32, b: u32) -> Edge {
        Edge {
            a,
            b,
            weight: 1.0,
            layer: Layer::Peer,
        }
    }

    #[test]
    fn build_drops_loops_and_duplicates_and_is_symmetric() {
        let list = EdgeList {
            n: 4,
            groups: vec![0, 0, 1, 1],
            edges: vec![edge(0, 1), edge(1, 0), edge(2, 2), edge(1, 2), edge(3, 1)],
        };
        let (g, report) = Graph::from_edge_list(list);
        assert_eq!(report.self_loops_dropped, 1);
        assert_eq!(report.duplicates_dropped, 1);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.neighbors(1), &[0, 2, 3]);
        for i in 0..g.n() {
            for &j in g.neighbors(i) {
                assert!(g.neighbors(j as usize).contains(&(i as u32)));
            }
        }
    }

    #[test]
    fn parallel_build_equals_sequential_reference() {
        use crate::graph::generate;
        let mut lists = vec![
            generate::watts_strogatz(3000, 8, 0.5, 3, 1),
            generate::barabasi_albert(20_000, 3, 2, 1),
            generate::erdos_renyi(0, 1.0, 1, 1),
            generate::erdos_renyi(50, 60.0, 1, 1),
        ];
        // Many duplicates in both directions with varying weights and layers, and loops.
        let mut messy = generate::erdos_renyi(300, 8.0, 2, 5);
        let copy = messy.edges.clone();
        for (k, e) in copy.iter().enumerate() {
            messy.edges.push(Edge {
                a: e.b,
                b: e.a,
                weight: 0.5,
                layer: Layer::ALL[k % 4],
            });
            if k % 3 == 0 {
                messy.edges.push(edge(e.a, e.a));
            }
        }
        messy.edges.rotate_left(100);
        lists.push(messy);
        for list in lists {
            let expected = reference_build(list.clone());
            for threads in [1, 2, 3] {
                let got = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| Graph::from_edge_list(list.clone()));
                assert_eq!(got, expected);
            }
        }
    }
}
