//! Link workers (social prescribing): the services variant that builds ties and roles instead
//! of giving therapy (MODEL.md §7.15).
//!
//! Reads the clients admitted by the services phase (`link_left`), event attendance in the last
//! 26 weeks, recovery-group membership, days out, age and role; writes community ties (queued in
//! [`PolicyTies`]) and, for clients without school or work, the role (with new colleagues for
//! adults, drawn as the roles mechanism draws them). Acts from the first recorded week on. A link-worker client gives no direct loneliness benefit: whatever it
//! gains comes through the ties and the role.
//!
//! Each week of a course a client is connected to a community group with probability
//! `services.link_connect`: it makes `services.link_ties` community ties with people of its
//! neighbourhood who attended an event in the last 26 weeks or belong to a recovery group
//! (the group's people), or, when the neighbourhood has none, with neighbours who go out four
//! or more days a week (the clubs, churches and classes that exist without public money). A
//! role-less adult client regains school or work with probability `services.link_role_regain`
//! per week (a parameter whose prior includes 0).

use rand::Rng;

use super::policy::{LeverParams, POLICY_WORDS};
use super::policy_ties::{Cause, PolicyTies};
use super::roles;
use super::ties::Change;
use super::Withdrawal;
use crate::engine::rng::{chance, TickStream};
use crate::graph::Layer;

/// Weeks after an event during which an attendee counts as one of a group's people.
const RECENT_EVENT_WEEKS: i32 = 26;
/// First generator index of link-worker draws on the policy stream (events use `n + e`).
const LINK_RNG_BASE: usize = 1 << 40;

impl Withdrawal {
    /// Link-worker connections and role regain for this week's clients.
    pub(super) fn policy_link_workers(
        &mut self,
        l: &LeverParams,
        words: &[u32],
        stream: &TickStream,
        batches: &mut PolicyTies,
    ) {
        let n = self.n();
        if self.policy.link_left.iter().all(|&w| w == 0) {
            return;
        }
        let tick = self.tick as i32;
        for i in 0..n {
            if self.policy.link_left[i] == 0 {
                continue;
            }
            let mut rng = stream.agent_rng(LINK_RNG_BASE + i);
            if chance(words[i * POLICY_WORDS + 3], l.link_connect) {
                let h = self.traits.neighbourhood[i];
                let group: Vec<u32> = self
                    .neighbourhoods
                    .of(h)
                    .iter()
                    .copied()
                    .filter(|&j| {
                        let j = j as usize;
                        j != i
                            && (self.policy.member[j] == 1
                                || tick.saturating_sub(self.policy.last_event[j])
                                    < RECENT_EVENT_WEEKS)
                    })
                    .collect();
                let pool: Vec<u32> = if group.is_empty() {
                    self.neighbourhoods
                        .of(h)
                        .iter()
                        .copied()
                        .filter(|&j| j as usize != i && self.state.days_avg[j as usize] >= 4.0)
                        .collect()
                } else {
                    group
                };
                let want = l.link_ties.floor() as usize
                    + usize::from(rng.random::<f64>() < l.link_ties.fract());
                if !pool.is_empty() {
                    for _ in 0..want {
                        let j = pool[rng.random_range(0..pool.len())];
                        batches.push(
                            Cause::LinkWorkers,
                            Change::Add(i as u32, j, Layer::Community, self.p.new_weight),
                        );
                    }
                }
            }
            let regain = rng.random::<f64>() < l.link_role_regain;
            if self.traits.role[i] == 0 && regain {
                self.traits.role[i] = 1;
                self.policy.roles_regained += 1;
                if self.traits.age[i] >= 18 {
                    // New colleagues, as when the roles mechanism gives back work.
                    let mut work = Vec::new();
                    roles::colleagues(
                        &self.p,
                        &self.traits,
                        &self.neighbourhoods,
                        i,
                        &mut rng,
                        &mut work,
                    );
                    for c in work {
                        batches.push(Cause::LinkWorkers, c);
                    }
                }
            }
        }
    }
}
