//! How the policy levers of [`crate::policy`] act on the withdrawal model's agents each week.
//! Runs after the model's own phases, sequentially (its work is bounded by capacity, not by
//! population size, apart from a few linear scans), from its own random stream
//! (`withdrawal.policy`), so switching a policy on never changes any other mechanism's draws:
//! arms of a comparison share every other stream.
//!
//! This file holds the policy state, the weekly orchestration and one-to-one services; the
//! community levers are in `policy_community.rs`, link workers in `link_worker.rs`, parenting
//! and anti-bullying in `policy_family.rs`, and the ties the levers make in `policy_ties.rs`.

use super::burn_in::Acts;
use super::mechanisms::use_state;
use super::policy_ties::PolicyTies;
use super::Withdrawal;
use crate::engine::rng::{chance, mix64, Purpose};
use crate::engine::Recorder;
use crate::policy::{Funding, Ledger, Lever, Part, Schedule, PARTS};
use crate::scenario::Params;

/// When the levers' keys ([`crate::policy::SPECS`]) first act: from tick 1, since
/// [`Withdrawal::phase_policy`] does nothing before, and the state [`Withdrawal::install_policy`]
/// sets up before the burn-in is inert until then (the burn-in test in `burn_in.rs` checks
/// every key).
pub(super) const ACTS: Acts = Acts::AfterBurnIn;

/// Stream for policy decisions.
pub const POLICY: Purpose = Purpose::named("withdrawal.policy");
/// Words per agent per week: 0 referral, 1 admission order, 2 group joining, 3 link worker.
pub(super) const POLICY_WORDS: usize = 4;

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
    pub link_share: f64,
    pub link_cost: f64,
    pub link_connect: f64,
    pub link_ties: f64,
    pub link_role_regain: f64,
    pub event_cost: f64,
    pub event_capacity: usize,
    pub attend: f64,
    pub contagion: f64,
    pub ties_per_attendee: f64,
    pub strengthen: f32,
    pub event_effect: f32,
    pub sessions: f32,
    pub recovery_fraction: f64,
    pub member_week_cost: f64,
    pub join: f64,
    pub ties_per_member: f64,
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
            link_share: f("services.link_worker_share"),
            link_cost: f("services.link_cost_per_client_week"),
            link_connect: f("services.link_connect"),
            link_ties: f("services.link_ties"),
            link_role_regain: f("services.link_role_regain"),
            event_cost: f("community.cost_per_event"),
            event_capacity: f("community.capacity") as usize,
            attend: f("community.attend"),
            contagion: f("community.contagion"),
            ties_per_attendee: f("community.ties_per_attendee"),
            strengthen: f("community.strengthen") as f32,
            event_effect: f("community.loneliness_effect") as f32,
            sessions: f("community.sessions") as f32,
            recovery_fraction: f("community.recovery_fraction"),
            member_week_cost: f("community.cost_per_member_week"),
            join: f("community.join"),
            ties_per_member: f("community.ties_per_member"),
            household_cost: f("parenting.cost_per_household"),
            parenting_effect: f("parenting.effect"),
            school_year_cost: f("anti_bullying.cost_per_school_year"),
            anti_bullying_effect: f("anti_bullying.effect"),
        }
    }

    /// Unit cost of each ledger account, in [`Part`] order.
    pub fn unit_costs(&self) -> [f64; PARTS] {
        [
            self.client_week_cost,
            self.event_cost,
            self.member_week_cost,
            self.household_cost,
            self.school_year_cost / 52.0,
            self.link_cost,
        ]
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
    /// Paid weeks of therapy left per agent, including the coming week (0: not in service).
    pub service_left: Vec<u8>,
    /// Paid weeks with a link worker left per agent, including the coming week.
    pub link_left: Vec<u8>,
    /// Current benefit (log-odds off the loneliness target) per agent.
    pub benefit: Vec<f32>,
    /// 1 = member of a standing recovery group.
    pub member: Vec<u8>,
    /// Tick of the agent's last event attendance (`i32::MIN`: never).
    pub last_event: Vec<i32>,
    /// 1 = household has had parenting support.
    pub reached: Vec<u8>,
    /// 1 = the neighbourhood's school runs the anti-bullying programme this week.
    pub covered: Vec<u8>,
    /// Order in which schools join the programme.
    pub(super) school_order: Vec<u32>,
    /// Service places funded but unused this week.
    pub unused_places: u64,
    /// Events held this week.
    pub events: u64,
    /// Attendees at events this week.
    pub attendees: u64,
    /// Households reached since tick 0.
    pub households_reached: u64,
    /// Youth whose attachment moved from anxious after parenting support, since tick 0.
    pub youth_shifted: u64,
    /// Link-worker clients who regained school or work, since tick 0.
    pub roles_regained: u64,
    /// Ties the levers made and refused, by cause, since tick 0.
    pub ties: PolicyTies,
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
            link_left: vec![0; n],
            benefit: vec![0.0; n],
            member: vec![0; n],
            last_event: vec![i32::MIN; n],
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

    /// Whether agent `i` is in one-to-one services (therapy) this week.
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

    /// Clears agent `i`'s policy state when it is replaced by a newcomer.
    pub fn forget(&mut self, i: usize) {
        if self.active() {
            self.service_left[i] = 0;
            self.link_left[i] = 0;
            self.benefit[i] = 0.0;
            self.member[i] = 0;
            self.last_event[i] = i32::MIN;
        }
    }

    /// Per-tick policy metrics (MODEL.md §9.1).
    pub fn record(&self, rec: &mut Recorder<'_>) {
        let l = &self.ledger;
        rec.put("policy_spend_cumulative", l.total_spent());
        rec.put(
            "policy_credited_cumulative",
            l.credited_total.iter().sum::<f64>(),
        );
        rec.put("policy_carried", l.carried.iter().sum::<f64>());
        for lever in Lever::ALL {
            rec.put(&format!("spend.{}", lever.name()), l.spent_lever(lever));
            rec.put(&format!("unspent.{}", lever.name()), l.unspent_lever(lever));
        }
        for part in [Part::Events, Part::Groups, Part::LinkWorkers] {
            rec.put(
                &format!("spend.{}", part.name()),
                l.spent_total[part as usize],
            );
        }
        let count = |v: &[u8]| v.iter().filter(|&&w| w > 0).count() as f64;
        rec.put("in_service", count(&self.service_left));
        rec.put("link_worker_clients", count(&self.link_left));
        rec.put("service_unused_places", self.unused_places as f64);
        rec.put("events_held", self.events as f64);
        rec.put("event_attendees", self.attendees as f64);
        rec.put("recovery_group_members", count(&self.member));
        rec.put("households_reached", self.households_reached as f64);
        rec.put("youth_attachment_shifted", self.youth_shifted as f64);
        rec.put("roles_regained_link_worker", self.roles_regained as f64);
        rec.put("schools_covered", count(&self.covered));
        self.ties.record(rec);
    }
}

impl Withdrawal {
    /// The weekly policy phase: services and link workers, events, recovery groups, parenting
    /// support and the anti-bullying programme, each from its own account of this week's money;
    /// then the ties they made.
    pub(super) fn phase_policy(&mut self) {
        if !self.policy.active() || self.tick < 1 {
            return;
        }
        let funding: Funding = self.policy.schedule.as_ref().expect("active").at(self.tick);
        let l = self.policy.levers.clone().expect("active");
        self.policy
            .ledger
            .open_week(&funding, l.recovery_fraction, l.link_share);
        let stream = self.streams.tick(POLICY, self.clock);
        let n = self.n();
        let mut words = vec![0u32; n * POLICY_WORDS];
        stream.fill(0, POLICY_WORDS, &mut words);

        // Benefits fade for everyone not in therapy.
        for i in 0..n {
            if self.policy.service_left[i] == 0 {
                self.policy.benefit[i] *= 1.0 - l.fade;
            }
        }
        self.policy_services(&l, &words);
        let mut batches = PolicyTies::batches();
        self.policy_events(&l, &stream, &mut batches);
        self.policy_groups(&l, &words, &stream, &mut batches);
        self.policy_link_workers(&l, &words, &stream, &mut batches);
        self.policy_parenting(&l, &stream);
        self.policy_anti_bullying(&l);
        self.policy.ledger.close_week(&l.unit_costs());
        self.apply_policy_ties(batches);
    }

    /// Whether agent `i` needs help: lonely, in active use or isolated.
    fn in_need(&self, i: usize) -> bool {
        self.is_lonely(i)
            || self.state.substance[i] == use_state::USING
            || self.state.isolated_weeks[i] > 0
    }

    /// One-to-one services and link-worker admissions. A course is paid week by week: each
    /// client's coming week is paid at the end of this one (continuing clients first), and a
    /// client whose week cannot be paid leaves. So a full course of `services.weeks` weeks costs
    /// exactly `services.weeks` client-weeks.
    fn policy_services(&mut self, l: &LeverParams, words: &[u32]) {
        let n = self.n();
        let per_session = l.service_effect / l.service_weeks as f32;
        let accounts = [
            (Part::Services, l.client_week_cost),
            (Part::LinkWorkers, l.link_cost),
        ];
        let mut used = [0u64; 2];
        let mut places = [0u64; 2];
        for (a, &(part, cost)) in accounts.iter().enumerate() {
            places[a] = self.policy.ledger.affordable(part, cost);
            let left = if a == 0 {
                &mut self.policy.service_left
            } else {
                &mut self.policy.link_left
            };
            for w in left.iter_mut() {
                // The week just delivered is done.
                *w = w.saturating_sub(1);
                if *w > 0 {
                    if used[a] < places[a] {
                        used[a] += 1;
                    } else {
                        *w = 0; // funding cut: the course ends early
                    }
                }
            }
        }
        // Therapy clients in service this coming week gain one session's benefit.
        for i in 0..n {
            if self.policy.service_left[i] > 0 {
                let b = &mut self.policy.benefit[i];
                *b = (*b + per_session).min(l.service_effect.max(*b));
            }
        }
        if used[0] < places[0] || used[1] < places[1] {
            let mut candidates: Vec<(u32, u32)> = Vec::new();
            for i in 0..n {
                if self.policy.service_left[i] > 0
                    || self.policy.link_left[i] > 0
                    || self.policy.benefit[i] > 0.5 * l.service_effect
                    || !self.in_need(i)
                {
                    continue;
                }
                let out = (self.state.days_avg[i] as f64 / 7.0).clamp(0.0, 1.0);
                let reach = l.referral * (out + l.outreach * (1.0 - out));
                if chance(words[i * POLICY_WORDS], reach) {
                    candidates.push((words[i * POLICY_WORDS + 1], i as u32));
                }
            }
            candidates.sort_unstable();
            for &(_, i) in &candidates {
                let i = i as usize;
                if used[0] < places[0] {
                    self.policy.service_left[i] = l.service_weeks;
                    let b = &mut self.policy.benefit[i];
                    *b = (*b + per_session).min(l.service_effect.max(*b));
                    used[0] += 1;
                } else if used[1] < places[1] {
                    self.policy.link_left[i] = l.service_weeks;
                    used[1] += 1;
                } else {
                    break;
                }
            }
        }
        for (a, &(part, cost)) in accounts.iter().enumerate() {
            self.policy.ledger.spend(part, used[a], cost);
        }
        self.policy.unused_places = places[0] - used[0] + places[1] - used[1];
    }
}
