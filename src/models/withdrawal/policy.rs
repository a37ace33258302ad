//! How the policy levers of [`crate::policy`] act on the withdrawal model's agents each week.
//! Runs after the model's own phases, sequentially (its work is bounded by capacity, not by
//! population size, apart from two linear scans), from its own random stream
//! (`withdrawal.policy`), so switching a policy on never changes any other mechanism's draws:
//! arms of a comparison share every other stream.

use rand::Rng;

use super::mechanisms::use_state;
use super::ties::Change;
use super::Withdrawal;
use crate::engine::rng::{chance, mix64, unit, Purpose};
use crate::graph::Layer;
use crate::policy::{Funding, Ledger, Lever, Schedule};
use crate::scenario::Params;

/// Stream for policy decisions.
pub const POLICY: Purpose = Purpose::named("withdrawal.policy");
const POLICY_WORDS: usize = 3;

/// Lever parameters, read once.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct LeverParams {
    pub client_week_cost: f64,
    pub service_weeks: u8,
    pub referral: f64,
    pub outreach: f64,
    pub service_effect: f32,
    pub service_craving: f32,
    pub fade: f32,
    pub event_cost: f64,
    pub event_capacity: usize,
    pub attend: f64,
    pub contagion: f64,
    pub ties_per_attendee: f64,
    pub strengthen: f32,
    pub event_effect: f32,
    pub recovery_fraction: f64,
    pub member_week_cost: f64,
    pub join: f64,
    pub household_cost: f64,
    pub parenting_effect: f64,
    pub school_year_cost: f64,
    pub anti_bullying_effect: f64,
}

impl LeverParams {
    /// Reads the lever keys.
    pub fn from_params(p: &Params) -> LeverParams {
        let f = |k: &str| p.f64(k);
        LeverParams {
            client_week_cost: f("services.cost_per_client_week"),
            service_weeks: f("services.weeks").round().clamp(1.0, 255.0) as u8,
            referral: f("services.referral"),
            outreach: f("services.outreach"),
            service_effect: f("services.loneliness_effect") as f32,
            service_craving: f("services.craving_effect") as f32,
            fade: f("services.fade") as f32,
            event_cost: f("community.cost_per_event"),
            event_capacity: f("community.capacity") as usize,
            attend: f("community.attend"),
            contagion: f("community.contagion"),
            ties_per_attendee: f("community.ties_per_attendee"),
            strengthen: f("community.strengthen") as f32,
            event_effect: f("community.loneliness_effect") as f32,
            recovery_fraction: f("community.recovery_fraction"),
            member_week_cost: f("community.cost_per_member_week"),
            join: f("community.join"),
            household_cost: f("parenting.cost_per_household"),
            parenting_effect: f("parenting.effect"),
            school_year_cost: f("anti_bullying.cost_per_school_year"),
            anti_bullying_effect: f("anti_bullying.effect"),
        }
    }
}

/// Per-agent and per-place policy state, by column.
#[derive(Clone, Debug, Default)]
pub struct PolicyState {
    /// Funding schedule.
    pub schedule: Option<Schedule>,
    /// Lever parameters.
    pub levers: Option<LeverParams>,
    /// Money.
    pub ledger: Ledger,
    /// Weeks of service left per agent (0: not in service).
    pub service_left: Vec<u8>,
    /// Current benefit (log-odds off the loneliness target) per agent.
    pub benefit: Vec<f32>,
    /// 1 = member of a standing recovery group.
    pub member: Vec<u8>,
    /// 1 = household has had parenting support.
    pub reached: Vec<u8>,
    /// 1 = the neighbourhood's school runs the anti-bullying programme this week.
    pub covered: Vec<u8>,
    /// Order in which schools join the programme.
    school_order: Vec<u32>,
    /// Service places funded but unused this week.
    pub unused_places: u64,
    /// Attendees at events this week.
    pub attendees: u64,
    /// Households reached since tick 0.
    pub households_reached: u64,
}

impl PolicyState {
    /// Sets up policy state (empty when the scenario spends nothing).
    pub fn new(p: &Params, n: usize, households: usize, schools: usize, seed: u64) -> PolicyState {
        let schedule = Schedule::from_params(p).ok().filter(|s| s.is_active());
        let Some(schedule) = schedule else {
            return PolicyState::default();
        };
        let mut order: Vec<u32> = (0..schools as u32).collect();
        order.sort_by_key(|&h| mix64(seed ^ mix64(h as u64)));
        PolicyState {
            schedule: Some(schedule),
            levers: Some(LeverParams::from_params(p)),
            service_left: vec![0; n],
            benefit: vec![0.0; n],
            member: vec![0; n],
            reached: vec![0; households],
            covered: vec![0; schools],
            school_order: order,
            ..PolicyState::default()
        }
    }

    /// Whether any lever is funded.
    pub fn active(&self) -> bool {
        self.schedule.is_some()
    }

    /// Benefit of agent `i` (0 without policy).
    #[inline]
    pub fn benefit_of(&self, i: usize) -> f32 {
        self.benefit.get(i).copied().unwrap_or(0.0)
    }

    /// Whether agent `i` is in one-to-one services.
    #[inline]
    pub fn in_service(&self, i: usize) -> bool {
        self.service_left.get(i).is_some_and(|&w| w > 0)
    }

    /// Whether agent `i` belongs to a recovery group.
    #[inline]
    pub fn is_member(&self, i: usize) -> bool {
        self.member.get(i).is_some_and(|&m| m == 1)
    }

    /// Bullying multiplier for neighbourhood `h` (1 without the programme).
    #[inline]
    pub fn bullying_factor(&self, h: usize) -> f64 {
        match (&self.levers, self.covered.get(h)) {
            (Some(l), Some(1)) => 1.0 - l.anti_bullying_effect,
            _ => 1.0,
        }
    }
}

impl Withdrawal {
    /// The weekly policy phase: services, events, recovery groups, parenting support and the
    /// anti-bullying programme, each within its share of this week's money.
    pub(super) fn phase_policy(&mut self) {
        if !self.policy.active() || self.tick < 1 {
            return;
        }
        let funding: Funding = self.policy.schedule.as_ref().expect("active").at(self.tick);
        self.policy.ledger.open_week(&funding);
        let stream = self.streams.tick(POLICY, self.clock);
        let n = self.n();
        let mut words = vec![0u32; n * POLICY_WORDS];
        stream.fill(0, POLICY_WORDS, &mut words);
        let l = self.policy.levers.clone().expect("active");
        let mut changes = Vec::new();

        // Benefits fade for everyone not in service.
        for i in 0..n {
            if self.policy.service_left[i] == 0 {
                self.policy.benefit[i] *= 1.0 - l.fade;
            }
        }

        // One-to-one services: continuing clients first, then new ones by priority.
        let places = self
            .policy
            .ledger
            .affordable(Lever::Services, l.client_week_cost);
        let mut used = 0u64;
        for i in 0..n {
            if self.policy.service_left[i] > 0 {
                if used < places {
                    used += 1;
                    self.policy.service_left[i] -= 1;
                    self.policy.benefit[i] = l.service_effect;
                } else {
                    self.policy.service_left[i] = 0; // funding cut: course ends early
                }
            }
        }
        if used < places {
            let mut candidates: Vec<(u32, u32)> = Vec::new();
            for i in 0..n {
                if self.policy.service_left[i] > 0
                    || self.policy.benefit[i] > 0.5 * l.service_effect
                {
                    continue;
                }
                let need = self.is_lonely(i)
                    || self.state.substance[i] == use_state::USING
                    || self.state.isolated_weeks[i] > 0;
                if !need {
                    continue;
                }
                let out = (self.state.days_avg[i] as f64 / 7.0).clamp(0.0, 1.0);
                let reach = l.referral * (out + l.outreach * (1.0 - out));
                if chance(words[i * POLICY_WORDS], reach) {
                    candidates.push((words[i * POLICY_WORDS + 1], i as u32));
                }
            }
            candidates.sort_unstable();
            for &(_, i) in candidates.iter().take((places - used) as usize) {
                self.policy.service_left[i as usize] = l.service_weeks;
                self.policy.benefit[i as usize] = l.service_effect;
                used += 1;
            }
        }
        self.policy
            .ledger
            .spend(Lever::Services, used, l.client_week_cost);
        self.policy.unused_places = places - used;

        // Community building: bridging events, then standing recovery groups.
        let community = self.policy.ledger.available[Lever::Community as usize];
        let events = ((community * (1.0 - l.recovery_fraction)) / l.event_cost).floor() as u64;
        let events = events.min(
            self.policy
                .ledger
                .affordable(Lever::Community, l.event_cost),
        );
        self.policy
            .ledger
            .spend(Lever::Community, events, l.event_cost);
        self.policy.attendees = 0;
        let mut stamp = vec![u32::MAX; n];
        for e in 0..events as usize {
            let mut rng = stream.agent_rng(n + e);
            let nh = self.neighbourhoods.offsets.len() - 1;
            let h = rng.random_range(0..nh) as u32;
            let members = self.neighbourhoods.of(h);
            let mut invited = Vec::new();
            for _ in 0..3 * l.event_capacity {
                let k = members[rng.random_range(0..members.len())] as usize;
                if stamp[k] != e as u32 {
                    stamp[k] = e as u32;
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
                    .filter(|&s| stamp[self.ties.target[s] as usize] == e as u32)
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
            // Mark attendees with a second stamp value space (offset by events).
            for &k in &attendees {
                stamp[k] = (events as u32).saturating_add(e as u32 + 1);
                self.policy.benefit[k] = self.policy.benefit[k].max(l.event_effect);
            }
            let mark = (events as u32).saturating_add(e as u32 + 1);
            for &k in &attendees {
                for s in self.ties.range(k) {
                    let j = self.ties.target[s] as usize;
                    if stamp[j] == mark && k < j {
                        changes.push(Change::Strengthen(k as u32, j as u32, l.strengthen));
                    }
                }
                let whole = l.ties_per_attendee.floor() as usize
                    + usize::from(rng.random::<f64>() < l.ties_per_attendee.fract());
                for _ in 0..whole {
                    if attendees.len() > 1 {
                        let j = attendees[rng.random_range(0..attendees.len())];
                        changes.push(Change::Add(
                            k as u32,
                            j as u32,
                            Layer::Community,
                            self.p.new_weight,
                        ));
                    }
                }
            }
            self.policy.attendees += attendees.len() as u64;
        }
        let places = self
            .policy
            .ledger
            .affordable(Lever::Community, l.member_week_cost);
        let mut members: Vec<u32> = (0..n as u32)
            .filter(|&i| self.policy.member[i as usize] == 1)
            .collect();
        for &i in members.iter().skip(places as usize) {
            self.policy.member[i as usize] = 0;
        }
        members.truncate(places as usize);
        for i in 0..n {
            if members.len() as u64 >= places {
                break;
            }
            let s = self.state.substance[i];
            if self.policy.member[i] == 0
                && s != use_state::NONE
                && unit(words[i * POLICY_WORDS + 2]) < l.join
            {
                // Meet up to two members from the same neighbourhood.
                let h = self.traits.neighbourhood[i];
                for &j in members
                    .iter()
                    .filter(|&&j| self.traits.neighbourhood[j as usize] == h)
                    .take(2)
                {
                    changes.push(Change::Add(
                        i as u32,
                        j,
                        Layer::Community,
                        self.p.new_weight,
                    ));
                }
                self.policy.member[i] = 1;
                members.push(i as u32);
            }
        }
        self.policy
            .ledger
            .spend(Lever::Community, members.len() as u64, l.member_week_cost);

        // Parenting support: households with youth, in a random order, once each.
        let courses = self
            .policy
            .ledger
            .affordable(Lever::Parenting, l.household_cost);
        if courses > 0 {
            let mut with_youth = vec![false; self.households.parenting.len()];
            for i in 0..n {
                if self.traits.age[i] <= 17 {
                    with_youth[self.traits.household[i] as usize] = true;
                }
            }
            let key = mix64(self.clock ^ 0x5eed);
            let mut order: Vec<(u64, usize)> = (0..with_youth.len())
                .filter(|&h| with_youth[h] && self.policy.reached[h] == 0)
                .map(|h| (mix64(key ^ h as u64), h))
                .collect();
            order.sort_unstable();
            let mut done = 0;
            for &(k, h) in order.iter().take(courses as usize) {
                self.policy.reached[h] = 1;
                self.households.mediation[h] = 1;
                if self.households.parenting[h] == super::population::parenting::REJECTING
                    && unit(k as u32) < l.parenting_effect
                {
                    self.households.parenting[h] = super::population::parenting::SUPPORTIVE;
                }
                done += 1;
            }
            self.policy
                .ledger
                .spend(Lever::Parenting, done, l.household_cost);
            self.policy.households_reached += done;
        }

        // Anti-bullying: as many schools as this week's money covers.
        let school_week = l.school_year_cost / 52.0;
        let schools = self
            .policy
            .ledger
            .affordable(Lever::AntiBullying, school_week)
            .min(self.policy.covered.len() as u64);
        self.policy.covered.iter_mut().for_each(|c| *c = 0);
        for &h in self.policy.school_order.iter().take(schools as usize) {
            self.policy.covered[h as usize] = 1;
        }
        self.policy
            .ledger
            .spend(Lever::AntiBullying, schools, school_week);
        self.policy.ledger.close_week(true);
        let (a, r) = self.ties.apply(&changes, self.p.drop_below);
        self.ties_added += a;
        self.ties_removed += r;
    }
}
