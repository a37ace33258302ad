//! The ties the policy levers make, applied once at the end of the policy phase, by cause
//! (events, recovery groups, link workers).
//!
//! A tie a lever pays for is never refused silently: before a batch is applied, every agent
//! whose slab lacks room for the ties queued for it gets a larger slab ([`Ties::make_room`]),
//! so a policy tie is refused only if it already exists or joins an agent to itself. Ties
//! added and any refused (which should stay 0) are counted per cause and reported as metrics.
//! Growing relays the slabs out in agent order, keeping each agent's ties in the same order,
//! so results stay a function of the seed alone.

use super::ties::{Change, Ties};
use super::Withdrawal;
use crate::engine::Recorder;

/// Free slots an agent gets beyond what the week's policy ties need when its slab grows.
const HEADROOM: usize = 4;

/// Why the policy made a tie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Bridging events.
    Events = 0,
    /// Standing recovery groups.
    Groups = 1,
    /// Link workers.
    LinkWorkers = 2,
}

const CAUSES: [&str; 3] = ["events", "recovery_groups", "link_workers"];

/// Queued tie changes by cause, and counts since tick 0.
#[derive(Clone, Debug, Default)]
pub struct PolicyTies {
    /// Changes queued this week, per cause.
    pub(super) queued: [Vec<Change>; 3],
    /// Ties added per cause.
    pub added: [u64; 3],
    /// Ties refused per cause (slab full; 0 unless growth failed).
    pub refused: [u64; 3],
    /// Slabs grown.
    pub grown: u64,
}

impl PolicyTies {
    /// An empty set of queues for one week.
    pub fn batches() -> PolicyTies {
        PolicyTies::default()
    }

    /// Queues a change.
    pub fn push(&mut self, cause: Cause, change: Change) {
        self.queued[cause as usize].push(change);
    }

    /// Per-tick metrics.
    pub fn record(&self, rec: &mut Recorder<'_>) {
        for (k, name) in CAUSES.iter().enumerate() {
            rec.put(&format!("policy_ties_added.{name}"), self.added[k] as f64);
            rec.put(
                &format!("policy_ties_refused.{name}"),
                self.refused[k] as f64,
            );
        }
    }
}

impl Ties {
    /// Gives every agent room for `need[i]` more ties: agents whose free slots fall short get
    /// `need[i] + HEADROOM` free slots. Returns whether anything was relaid.
    pub fn make_room(&mut self, need: &[u32]) -> bool {
        let n = self.n();
        let free = |t: &Ties, i: usize| t.start[i + 1] - t.start[i] - t.len[i] as usize;
        if (0..n).all(|i| need[i] as usize <= free(self, i)) {
            return false;
        }
        let mut start = Vec::with_capacity(n + 1);
        start.push(0usize);
        for i in 0..n {
            let cap = self.start[i + 1] - self.start[i];
            let extra = if need[i] as usize > free(self, i) {
                need[i] as usize + HEADROOM - free(self, i)
            } else {
                0
            };
            start.push(start[i] + cap + extra);
        }
        let total = start[n];
        let mut target = vec![0u32; total];
        let mut weight = vec![0f32; total];
        let mut layer = vec![0u8; total];
        for (i, &b) in start.iter().enumerate().take(n) {
            let (a, l) = (self.start[i], self.len[i] as usize);
            target[b..b + l].copy_from_slice(&self.target[a..a + l]);
            weight[b..b + l].copy_from_slice(&self.weight[a..a + l]);
            layer[b..b + l].copy_from_slice(&self.layer[a..a + l]);
        }
        self.start = start;
        self.target = target;
        self.weight = weight;
        self.layer = layer;
        true
    }
}

impl Withdrawal {
    /// Applies the week's policy ties, cause by cause (events, recovery groups, link workers),
    /// growing slabs first so that none is refused for want of room.
    pub(super) fn apply_policy_ties(&mut self, mut batches: PolicyTies) {
        let n = self.n();
        let mut need = vec![0u32; n];
        for k in 0..CAUSES.len() {
            let changes = std::mem::take(&mut batches.queued[k]);
            if changes.is_empty() {
                continue;
            }
            need.iter_mut().for_each(|x| *x = 0);
            for c in &changes {
                if let Change::Add(i, j, _, _) = *c {
                    need[i as usize] += 1;
                    need[j as usize] += 1;
                }
            }
            if self.ties.make_room(&need) {
                self.policy.ties.grown += 1;
            }
            let before = self.ties.refused;
            let (a, r) = self.ties.apply(&changes, self.p.drop_below);
            self.ties_added += a;
            self.ties_removed += r;
            self.policy.ties.added[k] += a;
            self.policy.ties.refused[k] += self.ties.refused - before;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Edge, EdgeList, Graph, Layer};

    #[test]
    fn making_room_keeps_every_tie_and_lets_a_full_slab_take_more() {
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
                weight: 0.7,
                layer: Layer::Family,
            },
        ];
        let (g, _) = Graph::from_edge_list(EdgeList {
            n: 4,
            groups: vec![0; 4],
            edges,
        });
        let mut t = Ties::from_graph(&g, 0);
        let adds: Vec<Change> = (0..3)
            .map(|k| Change::Add(1, [0, 2, 3][k], Layer::Community, 0.2))
            .chain([Change::Add(0, 3, Layer::Community, 0.2)])
            .collect();
        let mut need = vec![0u32; 4];
        for c in &adds {
            if let Change::Add(i, j, _, _) = *c {
                need[i as usize] += 1;
                need[j as usize] += 1;
            }
        }
        assert!(t.make_room(&need));
        assert!(t.contains(0, 1) && t.contains(1, 2));
        t.apply(&adds, 0.01);
        assert_eq!(t.refused, 0);
        assert!(t.contains(1, 3) && t.contains(0, 3));
        assert_eq!(t.check_symmetric(), Ok(()));
        assert!(!t.make_room(&[0; 4]));
    }
}
