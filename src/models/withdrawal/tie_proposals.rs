//! Phase 3b, tie proposals: structural change proposed from this week's state, applied once
//! afterwards in agent order with the other phases' changes ([`Ties::apply`]).
//!
//! - **Reads**: this week's `loneliness` and `days`; `traits.group`, `traits.neighbourhood`;
//!   ties (the agent's and its contacts' slabs).
//! - **Writes**: `Change::Drop` (lonely agents shed a friend), `Change::Add` (triadic closure
//!   through an in-person friend, homophilous; mixing with a neighbour in community settings).
//! - **Acts**: every tick from the first burn-in tick, when `mechanisms.tie_dynamics` is on.
//! - **Random**: stream `withdrawal.ties`, [`TIE_WORDS`] words per agent per tick.
//! - **Owns**: `ties.shed`, `ties.closure*`, `ties.mixing*`, `ties.new_weight`.
//!
//! [`Ties::apply`]: super::ties::Ties::apply

use super::ties::Change;
use super::Withdrawal;
use crate::engine::par::{self, Exec};
use crate::engine::rng::{below, chance, unit, Purpose};
use crate::graph::Layer;

/// Draws of tie proposals.
const TIES: Purpose = Purpose::named("withdrawal.ties");
/// Words per agent per tick on the `withdrawal.ties` stream.
const TIE_WORDS: usize = 9;

impl Withdrawal {
    /// Phase 3b: proposals for structural change: lonely agents shed ties, friends of friends
    /// meet (triadic closure, homophilous), neighbours meet in community settings (bridging).
    pub(super) fn phase_tie_proposals(&self, exec: Exec) -> Vec<Change> {
        let stream = self.streams.tick(TIES, self.clock);
        let (t, s, ties, p, days, nb) = (
            &self.traits,
            &self.state,
            &self.ties,
            &self.p,
            &self.days,
            &self.neighbourhoods,
        );
        let per_chunk = par::map_chunks(exec, self.n(), |range| {
            let first = range.start;
            let mut words = vec![0u32; range.len() * TIE_WORDS];
            stream.fill(first, TIE_WORDS, &mut words);
            let mut out = Vec::new();
            for i in range {
                let w = &words[(i - first) * TIE_WORDS..(i - first + 1) * TIE_WORDS];
                let (targets, _, layers) = ties.slab(i);
                let is_friend = |l: &u8| *l != Layer::Family as u8;
                let is_person = |l: &u8| is_friend(l) && Self::in_person(*l);
                // The nth tie of a kind, by position in the slab.
                let nth = |keep: &dyn Fn(&u8) -> bool, word: u32, count: usize| {
                    let pos = layers.iter().enumerate().filter(|(_, l)| keep(l));
                    pos.map(|(q, _)| targets[q]).nth(below(word, count))
                };
                let out_share = days[i] as f64 / 7.0;
                // The conditions are pure, so testing the cheap ones first changes nothing
                // but saves counting ties for the many agents who propose nothing.
                if s.loneliness[i] as f64 > p.lonely.threshold && chance(w[0], p.shed) {
                    let friends = layers.iter().filter(|l| is_friend(l)).count();
                    if friends > 0 {
                        let j = nth(&is_friend, w[1], friends).expect("counted");
                        out.push(Change::Drop(i as u32, j));
                    }
                }
                let persons = if chance(w[2], p.closure * out_share) {
                    layers.iter().filter(|l| is_person(l)).count()
                } else {
                    0
                };
                if persons > 0 {
                    let j = nth(&is_person, w[3], persons).expect("counted") as usize;
                    let rj = ties.range(j);
                    if !rj.is_empty() {
                        let sl2 = rj.start + below(w[4], rj.len());
                        let k = ties.target[sl2] as usize;
                        let code = ties.layer[sl2];
                        if k != i && Self::in_person(code) && code != Layer::Family as u8 {
                            let same = t.group[i] == t.group[k];
                            if same || unit(w[5]) < p.closure_cross {
                                let layer = Layer::from_code(code).unwrap_or(Layer::Peer);
                                out.push(Change::Add(i as u32, k as u32, layer, p.new_weight));
                            }
                        }
                    }
                }
                if chance(w[6], p.mixing * out_share) {
                    let members = nb.of(t.neighbourhood[i]);
                    let k = members[below(w[7], members.len())] as usize;
                    if k != i && (t.group[i] == t.group[k] || unit(w[8]) < p.mixing_cross) {
                        out.push(Change::Add(
                            i as u32,
                            k as u32,
                            Layer::Community,
                            p.new_weight,
                        ));
                    }
                }
            }
            out
        });
        per_chunk.into_iter().flatten().collect()
    }
}
