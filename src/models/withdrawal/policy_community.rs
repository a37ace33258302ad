//! Community building: bridging events and standing recovery groups (MODEL.md §7.15).
//!
//! Reads the community accounts of the week's ledger, agents' days out, shyness, substance
//! state and ties; writes event attendance (`last_event`), each attendee's session benefit,
//! group membership and the ties both make (queued in [`PolicyTies`], applied at the end of
//! the policy phase). Acts from the first recorded week on.
//!
//! Events are held from a carried account: a week whose money buys 1.79 events holds one or
//! two in turn, never silently moving the fraction to recovery groups. Their benefit is carried
//! mainly by the community ties they make; the direct benefit of one attendance is one session
//! of a multi-session course (`community.loneliness_effect / community.sessions`), not a course.
//! Recovery-group members get real community ties to other members of their neighbourhood's
//! group; whether a tie is to someone in recovery (and so lowers craving and raises the chance
//! of quitting, §7.8) follows from who those members are.

use rand::Rng;

use super::mechanisms::use_state;
use super::policy::{LeverParams, POLICY_WORDS};
use super::policy_ties::{Cause, PolicyTies};
use super::ties::Change;
use super::Withdrawal;
use crate::engine::rng::{unit, TickStream};
use crate::graph::Layer;
use crate::policy::Part;

impl Withdrawal {
    /// Bridging events: as many as the events account buys this week.
    pub(super) fn policy_events(
        &mut self,
        l: &LeverParams,
        stream: &TickStream,
        batches: &mut PolicyTies,
    ) {
        let n = self.n();
        let events = self.policy.ledger.affordable(Part::Events, l.event_cost);
        self.policy.ledger.spend(Part::Events, events, l.event_cost);
        self.policy.events = events;
        self.policy.attendees = 0;
        if events == 0 {
            return;
        }
        let per_session = l.event_effect / l.sessions.max(1.0);
        let mut stamp = vec![u32::MAX; n];
        let nh = self.neighbourhoods.offsets.len() - 1;
        for e in 0..events as usize {
            let mut rng = stream.agent_rng(n + e);
            let h = rng.random_range(0..nh) as u32;
            let members = self.neighbourhoods.of(h);
            let mut invited = Vec::new();
            let mark = 2 * e as u32;
            for _ in 0..3 * l.event_capacity {
                let k = members[rng.random_range(0..members.len())] as usize;
                if stamp[k] != mark {
                    stamp[k] = mark;
                    invited.push(k);
                }
            }
            let mut attendees = Vec::new();
            for &k in &invited {
                if attendees.len() >= l.event_capacity {
                    break;
                }
                let m = self
                    .ties
                    .range(k)
                    .filter(|&s| stamp[self.ties.target[s] as usize] == mark)
                    .count() as i32;
                let odds = l.attend / (1.0 - l.attend).max(1e-9) * (1.0 + l.contagion).powi(m);
                let out = (self.state.days_avg[k] as f64 / 7.0).clamp(0.0, 1.0);
                let p = odds / (1.0 + odds)
                    * out.max(0.1)
                    * (1.0 - 0.5 * self.traits.shyness[k] as f64);
                if rng.random::<f64>() < p {
                    attendees.push(k);
                }
            }
            let came = mark + 1;
            for &k in &attendees {
                stamp[k] = came;
                self.policy.last_event[k] = self.tick as i32;
                let b = &mut self.policy.benefit[k];
                *b = (*b + per_session).min(l.event_effect.max(*b));
            }
            for &k in &attendees {
                for s in self.ties.range(k) {
                    let j = self.ties.target[s] as usize;
                    if stamp[j] == came && k < j {
                        batches.push(
                            Cause::Events,
                            Change::Strengthen(k as u32, j as u32, l.strengthen),
                        );
                    }
                }
                let whole = l.ties_per_attendee.floor() as usize
                    + usize::from(rng.random::<f64>() < l.ties_per_attendee.fract());
                for _ in 0..whole {
                    if attendees.len() > 1 {
                        let j = attendees[rng.random_range(0..attendees.len())];
                        batches.push(
                            Cause::Events,
                            Change::Add(k as u32, j as u32, Layer::Community, self.p.new_weight),
                        );
                    }
                }
            }
            self.policy.attendees += attendees.len() as u64;
        }
    }

    /// Standing recovery groups: as many member-weeks as the groups account buys. Current
    /// members keep their place first (in agent order); then people in use or recovery join
    /// and meet members of their neighbourhood's group.
    pub(super) fn policy_groups(
        &mut self,
        l: &LeverParams,
        words: &[u32],
        stream: &TickStream,
        batches: &mut PolicyTies,
    ) {
        let n = self.n();
        let places = self
            .policy
            .ledger
            .affordable(Part::Groups, l.member_week_cost);
        let mut members: Vec<u32> = (0..n as u32)
            .filter(|&i| self.policy.member[i as usize] == 1)
            .collect();
        for &i in members.iter().skip(places as usize) {
            self.policy.member[i as usize] = 0;
        }
        members.truncate(places as usize);
        // Members by neighbourhood, so a newcomer meets a random few of its own group.
        let nh = self.neighbourhoods.offsets.len() - 1;
        let mut local: Vec<Vec<u32>> = vec![Vec::new(); nh];
        for &j in &members {
            local[self.traits.neighbourhood[j as usize] as usize].push(j);
        }
        for i in 0..n {
            if members.len() as u64 >= places {
                break;
            }
            let s = self.state.substance[i];
            if self.policy.member[i] == 0
                && s != use_state::NONE
                && unit(words[i * POLICY_WORDS + 2]) < l.join
            {
                let h = self.traits.neighbourhood[i] as usize;
                let mut rng = stream.agent_rng(i);
                let group = &local[h];
                let want = l.ties_per_member.floor() as usize
                    + usize::from(rng.random::<f64>() < l.ties_per_member.fract());
                if !group.is_empty() {
                    for _ in 0..want.min(group.len()) {
                        let j = group[rng.random_range(0..group.len())];
                        batches.push(
                            Cause::Groups,
                            Change::Add(i as u32, j, Layer::Community, self.p.new_weight),
                        );
                    }
                }
                self.policy.member[i] = 1;
                members.push(i as u32);
                local[h].push(i as u32);
            }
        }
        self.policy
            .ledger
            .spend(Part::Groups, members.len() as u64, l.member_week_cost);
    }
}
