//! Ties that change: an adjacency array with a fixed slab of slots per agent.
//!
//! Agent `i` owns slots `start[i]..start[i+1]`, of which the first `len[i]` are live. Weights
//! change in parallel (each agent writes only its own slab, from a formula that is symmetric in
//! the two ends, so both copies of a tie stay equal bit for bit). Ties are added or removed only
//! in [`Ties::apply`], sequentially and in a fixed order, so the structure never depends on
//! thread scheduling. A full slab refuses new ties (counted), which bounds memory.

use rayon::prelude::*;

use crate::engine::par::CHUNK;
use crate::graph::{Graph, Layer};

/// A structural change, collected during a tick and applied once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Change {
    /// Remove the tie between the two agents.
    Drop(u32, u32),
    /// Multiply the tie's strength by the factor (drop it if it falls below the drop threshold).
    Weaken(u32, u32, f32),
    /// Add a tie on a layer with a strength, unless it exists or a slab is full.
    Add(u32, u32, Layer, f32),
    /// Add to the tie's strength (capped at 1), if the tie exists.
    Strengthen(u32, u32, f32),
    /// Move the tie from the first layer to the second, if it exists on the first (an online
    /// tie whose ends meet in person; its strength is kept).
    Relayer(u32, u32, Layer, Layer),
}

/// Dynamic undirected ties.
#[derive(Clone, Debug)]
pub struct Ties {
    /// Slab start per agent (length n + 1).
    pub start: Vec<usize>,
    /// Live ties per agent.
    pub len: Vec<u32>,
    /// Neighbour per slot.
    pub target: Vec<u32>,
    /// Strength per slot, in (0, 1].
    pub weight: Vec<f32>,
    /// Layer code per slot.
    pub layer: Vec<u8>,
    /// Ties refused because a slab was full (cumulative).
    pub refused: u64,
}

impl Ties {
    /// Copies a graph into slabs with `slack` free slots per agent (plus half its degree).
    pub fn from_graph(g: &Graph, slack: usize) -> Ties {
        let n = g.n();
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        for i in 0..n {
            let d = g.degree(i);
            start.push(start[i] + d + d / 2 + slack);
        }
        let total = start[n];
        let mut t = Ties {
            len: vec![0; n],
            target: vec![0; total],
            weight: vec![0.0; total],
            layer: vec![0; total],
            refused: 0,
            start,
        };
        for i in 0..n {
            let s = t.start[i];
            let (a, b) = (g.offsets[i], g.offsets[i + 1]);
            t.target[s..s + b - a].copy_from_slice(&g.targets[a..b]);
            t.weight[s..s + b - a].copy_from_slice(&g.weights[a..b]);
            t.layer[s..s + b - a].copy_from_slice(&g.layers[a..b]);
            t.len[i] = (b - a) as u32;
        }
        t
    }

    /// Number of agents.
    pub fn n(&self) -> usize {
        self.len.len()
    }

    /// Live slot range of agent `i`.
    #[inline]
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.start[i]..self.start[i] + self.len[i] as usize
    }

    /// Agent `i`'s live ties as parallel slices (targets, strengths, layers): iterating these
    /// zipped checks bounds once per agent rather than three times per tie.
    #[inline]
    pub fn slab(&self, i: usize) -> (&[u32], &[f32], &[u8]) {
        let r = self.range(i);
        (
            &self.target[r.clone()],
            &self.weight[r.clone()],
            &self.layer[r],
        )
    }

    /// Degree of agent `i`.
    #[inline]
    pub fn degree(&self, i: usize) -> usize {
        self.len[i] as usize
    }

    /// Total undirected ties.
    pub fn edge_count(&self) -> u64 {
        self.len.iter().map(|&l| l as u64).sum::<u64>() / 2
    }

    fn find(&self, i: u32, j: u32) -> Option<usize> {
        self.range(i as usize).find(|&s| self.target[s] == j)
    }

    fn remove_slot(&mut self, i: u32, slot: usize) {
        // Keep order stable so iteration order stays a function of history alone.
        let r = self.range(i as usize);
        self.target.copy_within(slot + 1..r.end, slot);
        self.weight.copy_within(slot + 1..r.end, slot);
        self.layer.copy_within(slot + 1..r.end, slot);
        self.len[i as usize] -= 1;
    }

    fn remove(&mut self, i: u32, j: u32) -> bool {
        match (self.find(i, j), self.find(j, i)) {
            (Some(a), Some(b)) => {
                self.remove_slot(i, a);
                self.remove_slot(j, b);
                true
            }
            _ => false,
        }
    }

    /// Whether `i` and `j` are tied.
    pub fn contains(&self, i: u32, j: u32) -> bool {
        self.find(i, j).is_some()
    }

    fn has_room(&self, i: u32) -> bool {
        self.start[i as usize] + (self.len[i as usize] as usize) < self.start[i as usize + 1]
    }

    fn push(&mut self, i: u32, j: u32, layer: Layer, w: f32) {
        let s = self.start[i as usize] + self.len[i as usize] as usize;
        self.target[s] = j;
        self.weight[s] = w;
        self.layer[s] = layer as u8;
        self.len[i as usize] += 1;
    }

    /// Applies changes in the given order. Returns (added, removed).
    pub fn apply(&mut self, changes: &[Change], drop_below: f32) -> (u64, u64) {
        let (mut added, mut removed) = (0, 0);
        for &c in changes {
            match c {
                Change::Drop(i, j) => removed += u64::from(self.remove(i, j)),
                Change::Weaken(i, j, f) => {
                    if let (Some(a), Some(b)) = (self.find(i, j), self.find(j, i)) {
                        let w = self.weight[a] * f;
                        if w < drop_below && self.layer[a] != Layer::Family as u8 {
                            removed += u64::from(self.remove(i, j));
                        } else {
                            self.weight[a] = w;
                            self.weight[b] = w;
                        }
                    }
                }
                Change::Strengthen(i, j, d) => {
                    if let (Some(a), Some(b)) = (self.find(i, j), self.find(j, i)) {
                        let w = (self.weight[a] + d).min(1.0);
                        self.weight[a] = w;
                        self.weight[b] = w;
                    }
                }
                Change::Relayer(i, j, from, to) => {
                    if let (Some(a), Some(b)) = (self.find(i, j), self.find(j, i)) {
                        if self.layer[a] == from as u8 {
                            self.layer[a] = to as u8;
                            self.layer[b] = to as u8;
                        }
                    }
                }
                Change::Add(i, j, layer, w) => {
                    if i == j || self.contains(i, j) {
                        continue;
                    }
                    if !self.has_room(i) || !self.has_room(j) {
                        self.refused += 1;
                        continue;
                    }
                    self.push(i, j, layer, w);
                    self.push(j, i, layer, w);
                    added += 1;
                }
            }
        }
        (added, removed)
    }

    /// A CSR snapshot (sorted neighbours) for graph metrics.
    ///
    /// Built straight from the slabs, in parallel: each agent's live ties sorted by
    /// neighbour. Because ties are symmetric with equal copies and have no duplicates or
    /// self-loops (see [`Ties::check_symmetric`]), this is exactly the graph
    /// [`Graph::from_edge_list`] would build from the tie list, without the edge list and
    /// build buffers that made the snapshot the run's memory peak (hundreds of MB at a million
    /// agents).
    pub fn snapshot(&self, groups: &[u32]) -> Graph {
        let n = self.n();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0usize);
        for i in 0..n {
            offsets.push(offsets[i] + self.len[i] as usize);
        }
        let total = offsets[n];
        let (mut targets, mut weights, mut layers) =
            (vec![0u32; total], vec![0f32; total], vec![0u8; total]);
        let parts: Vec<_> = split_by_agents(&mut targets, &offsets, CHUNK)
            .into_iter()
            .zip(split_by_agents(&mut weights, &offsets, CHUNK))
            .zip(split_by_agents(&mut layers, &offsets, CHUNK))
            .enumerate()
            .collect();
        parts.into_par_iter().for_each(|(c, ((tg, wt), ly))| {
            let first = c * CHUNK;
            // Rows are contiguous: each starts where the previous one ended.
            let mut at = 0usize;
            let mut row: Vec<(u32, f32, u8)> = Vec::new();
            for i in first..(first + CHUNK).min(n) {
                let (t, w, l) = self.slab(i);
                row.clear();
                row.extend(t.iter().zip(w).zip(l).map(|((&t, &w), &l)| {
                    let layer = Layer::from_code(l).unwrap_or(Layer::Peer) as u8;
                    (t, w, layer)
                }));
                // Neighbours are distinct, so an unstable sort is deterministic.
                row.sort_unstable_by_key(|e| e.0);
                debug_assert!(row.windows(2).all(|p| p[0].0 < p[1].0));
                debug_assert!(row.iter().all(|e| e.0 as usize != i));
                for (k, &(t, w, l)) in row.iter().enumerate() {
                    tg[at + k] = t;
                    wt[at + k] = w;
                    ly[at + k] = l;
                }
                at += row.len();
            }
        });
        Graph {
            offsets,
            targets,
            weights,
            layers,
            groups: groups.to_vec(),
        }
    }

    /// The snapshot as it used to be built, through an edge list (the reference for tests).
    #[cfg(test)]
    fn snapshot_via_edge_list(&self, groups: &[u32]) -> Graph {
        use crate::graph::{Edge, EdgeList};
        let mut edges = Vec::with_capacity(self.edge_count() as usize);
        for i in 0..self.n() {
            for s in self.range(i) {
                let j = self.target[s];
                if (i as u32) < j {
                    let layer = Layer::from_code(self.layer[s]).unwrap_or(Layer::Peer);
                    edges.push(Edge {
                        a: i as u32,
                        b: j,
                        weight: self.weight[s],
                        layer,
                    });
                }
            }
        }
        Graph::from_edge_list(EdgeList {
            n: self.n(),
            groups: groups.to_vec(),
            edges,
        })
        .0
    }

    /// Checks the invariants: every tie present on both sides with the same weight and layer,
    /// no self-loops, no duplicates. Used by tests.
    pub fn check_symmetric(&self) -> Result<(), String> {
        for i in 0..self.n() {
            let mut seen = Vec::new();
            for s in self.range(i) {
                let j = self.target[s];
                if j as usize == i {
                    return Err(format!("self-loop at {i}"));
                }
                if seen.contains(&j) {
                    return Err(format!("duplicate tie {i}-{j}"));
                }
                seen.push(j);
                match self.find(j, i as u32) {
                    Some(b)
                        if self.weight[b].to_bits() == self.weight[s].to_bits()
                            && self.layer[b] == self.layer[s] => {}
                    _ => return Err(format!("tie {i}-{j} is not symmetric")),
                }
            }
        }
        Ok(())
    }
}

/// Splits `data` into consecutive mutable pieces, one per chunk of agents, cut at the agents'
/// slab starts, so chunks can update their own slabs in parallel.
pub fn split_by_agents<'a, T>(
    mut data: &'a mut [T],
    start: &[usize],
    chunk: usize,
) -> Vec<&'a mut [T]> {
    let n = start.len() - 1;
    let mut out = Vec::with_capacity(n.div_ceil(chunk));
    let mut a = 0;
    while a < n {
        let b = (a + chunk).min(n);
        let (head, tail) = data.split_at_mut(start[b] - start[a]);
        out.push(head);
        data = tail;
        a = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Edge, EdgeList};

    fn small() -> Ties {
        let edges = vec![
            Edge {
                a: 0,
                b: 1,
                weight: 0.5,
                layer: Layer::Peer,
            },
            Edge {
                a: 1,
                b: 2,
                weight: 0.5,
                layer: Layer::Family,
            },
        ];
        let (g, _) = Graph::from_edge_list(EdgeList {
            n: 4,
            groups: vec![0; 4],
            edges,
        });
        Ties::from_graph(&g, 1)
    }

    #[test]
    fn changes_keep_ties_symmetric() {
        let mut t = small();
        let changes = [
            Change::Add(0, 3, Layer::Community, 0.3),
            Change::Add(3, 0, Layer::Community, 0.3), // duplicate: ignored
            Change::Add(2, 2, Layer::Peer, 0.3),      // self-loop: ignored
            Change::Weaken(1, 2, 0.1),                // family ties are never dropped by weakening
            Change::Drop(0, 1),
        ];
        let (added, removed) = t.apply(&changes, 0.1);
        assert_eq!((added, removed), (1, 1));
        t.check_symmetric().unwrap();
        assert!(t.contains(0, 3) && t.contains(3, 0) && !t.contains(0, 1));
        assert_eq!(t.edge_count(), 2);
    }

    #[test]
    fn full_slabs_refuse_ties() {
        let mut t = small();
        // Agent 3 has 1 free slot; the second add must be refused.
        t.apply(
            &[
                Change::Add(3, 0, Layer::Peer, 0.2),
                Change::Add(3, 2, Layer::Peer, 0.2),
            ],
            0.0,
        );
        assert_eq!(t.refused, 1);
        t.check_symmetric().unwrap();
    }

    #[test]
    fn snapshot_equals_the_edge_list_build() {
        // Several chunks, ties added and dropped out of order so slabs are unsorted.
        let list = crate::graph::generate::watts_strogatz(3 * CHUNK + 17, 6, 0.3, 2, 4);
        let (g, _) = Graph::from_edge_list(list);
        let mut t = Ties::from_graph(&g, 4);
        let n = t.n() as u32;
        let mut changes = Vec::new();
        for i in 0..n {
            changes.push(Change::Add(
                i,
                (i * 7919 + 13) % n,
                Layer::ALL[(i % 4) as usize],
                0.3,
            ));
            if i % 3 == 0 {
                changes.push(Change::Drop(i, (i + 1) % n));
            }
        }
        t.apply(&changes, 0.0);
        t.check_symmetric().unwrap();
        let groups: Vec<u32> = (0..n).map(|i| i % 3).collect();
        assert_eq!(t.snapshot(&groups), t.snapshot_via_edge_list(&groups));
    }

    #[test]
    fn split_follows_slab_boundaries() {
        let t = small();
        let mut w = t.weight.clone();
        let parts = split_by_agents(&mut w, &t.start, 3);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), t.start[3]);
    }
}
