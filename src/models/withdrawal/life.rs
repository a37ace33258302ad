//! Phase 4, the life course: birthdays, leaving school at 18, and replacement of agents past
//! 64 by 12-year-olds in the same household.
//!
//! - **Reads**: `traits` (age, role, household, neighbourhood), the household's parenting and
//!   parent phone use, neighbourhood membership, the agent's ties.
//! - **Writes**: `traits.age`; at 18 `traits.role` and new colleagues' ties; for a newcomer
//!   every trait and state column, the policy's record of the agent, `Change::Drop` of its
//!   non-household ties and `Change::Add` of a starting set of school, community and online
//!   ties (applied at the end of the phase).
//! - **Acts**: every tick from the first burn-in tick, when `mechanisms.aging` is on.
//!   Sequential: about n/52 agents a week.
//! - **Random**: stream `withdrawal.life`, one generator per agent with a birthday.
//! - **Owns**: `population.*` draws for newcomers (shared with setup, [`population`]).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::mechanisms::use_state;
use super::ties::Change;
use super::{population, roles, Withdrawal};
use crate::engine::rng::Purpose;
use crate::graph::Layer;

/// Draws of the life course.
const LIFE: Purpose = Purpose::named("withdrawal.life");

/// Agents grouped by birth week, each week's in increasing id order, so phase 4 visits the
/// ~n/52 agents with a birthday instead of testing all n every week (same agents, same order).
#[derive(Clone, Debug, Default)]
pub(super) struct Birthdays {
    /// `offsets[w]..offsets[w + 1]` indexes week `w`'s agents; length 53.
    offsets: Vec<usize>,
    agents: Vec<u32>,
}

impl Birthdays {
    pub(super) fn new(birth_week: &[u8]) -> Birthdays {
        let mut offsets = vec![0usize; 53];
        for &w in birth_week {
            offsets[w as usize + 1] += 1;
        }
        for w in 0..52 {
            offsets[w + 1] += offsets[w];
        }
        let mut cursor = offsets.clone();
        let mut agents = vec![0u32; birth_week.len()];
        for (i, &w) in birth_week.iter().enumerate() {
            agents[cursor[w as usize]] = i as u32;
            cursor[w as usize] += 1;
        }
        Birthdays { offsets, agents }
    }
}

impl Withdrawal {
    /// Phase 4: birthdays; agents past 64 are replaced by 12-year-olds in the same household
    /// (new temperament and attachment, household ties kept, other ties dropped, a few school
    /// ties made with neighbourhood youth). Sequential: about n/52 agents a week.
    pub(super) fn phase_life(&mut self) {
        let week = (self.clock % 52) as usize;
        let stream = self.streams.tick(LIFE, self.clock);
        let mut changes = Vec::new();
        let (lo, hi) = (
            self.birthdays.offsets[week],
            self.birthdays.offsets[week + 1],
        );
        for b in lo..hi {
            let i = self.birthdays.agents[b] as usize;
            let mut rng = stream.agent_rng(i);
            let t = &mut self.traits;
            t.age[i] += 1;
            if t.age[i] == 18 {
                // Leaving school: work or education with the band's share, with new
                // colleagues (some from outside the neighbourhood: `roles::colleagues`). A
                // youth out of school (futōkō) stays out; the regain hazard brings it back.
                let draw = population::draw_role(&self.p, 18, rng.random());
                if !self.p.roles.dynamic || t.role[i] == 1 {
                    t.role[i] = draw;
                }
                if t.role[i] == 1 {
                    roles::colleagues(&self.p, t, &self.neighbourhoods, i, &mut rng, &mut changes);
                }
            }
            if t.age[i] <= 64 {
                continue;
            }
            self.replace(i, &mut rng, &mut changes);
        }
        let (a, r) = self.ties.apply(&changes, self.p.drop_below);
        self.ties_added += a;
        self.ties_removed += r;
    }

    /// Agent `i`, past 64, is replaced by a 12-year-old in the same household: new traits and
    /// starting state, household ties kept, other ties dropped, a starting set made.
    fn replace(&mut self, i: usize, rng: &mut ChaCha8Rng, changes: &mut Vec<Change>) {
        let t = &mut self.traits;
        let h = t.household[i] as usize;
        t.age[i] = 12;
        t.male[i] = u8::from(rng.random::<f64>() < self.p.male_share);
        t.shyness[i] = population::draw_shyness(rng);
        t.attachment[i] = population::draw_attachment(
            &self.p,
            self.households.parenting[h],
            t.shyness[i] as f64,
            self.households.parent_phone[h] as f64,
            rng.random(),
        );
        t.bully[i] = u8::from(rng.random::<f64>() < self.p.bully_share);
        t.role[i] = 1;
        let s = &mut self.state;
        s.days_avg[i] = 5.0;
        s.contact[i] = 0.5;
        s.loneliness[i] = 0.15;
        s.rejection[i] = 0.0;
        s.screen[i] = self.p.screen.base[0] as f32;
        s.craving[i] = self.p.substance.craving_base as f32;
        s.substance[i] = use_state::NONE;
        s.isolated_weeks[i] = 0;
        s.weeks_out[i] = 0;
        t.victim_weeks[i] = 0;
        s.last_trad[i] = i32::MIN;
        s.last_cyber[i] = i32::MIN;
        s.flags[i] = 0;
        self.policy.forget(i);
        for sl in self.ties.range(i) {
            if self.ties.layer[sl] != Layer::Family as u8 {
                changes.push(Change::Drop(i as u32, self.ties.target[sl]));
            }
        }
        // The newcomer makes a full starting set of ties itself (at setup each agent
        // proposed half and received half): school, community and online.
        let members = self.neighbourhoods.of(t.neighbourhood[i]);
        let w0 = self.p.initial_weight;
        let mut made = 0;
        for _ in 0..4 * self.p.ties_school {
            if made >= self.p.ties_school {
                break;
            }
            let k = members[rng.random_range(0..members.len())];
            if k as usize != i && t.age[k as usize] <= 17 {
                changes.push(Change::Add(i as u32, k, Layer::Peer, w0));
                made += 1;
            }
        }
        for _ in 0..self.p.ties_community {
            let k = members[rng.random_range(0..members.len())];
            changes.push(Change::Add(i as u32, k, Layer::Community, w0));
        }
        for _ in 0..self.p.ties_online {
            let k = rng.random_range(0..self.p.n as u32);
            changes.push(Change::Add(i as u32, k, Layer::Online, w0));
        }
    }
}
