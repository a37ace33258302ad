//! Roles that change (phase 2b): school or work is lost and regained, and youth refuse school
//! (futōkō). In v1 a role was drawn once at 18 and kept for life, so withdrawal never cost a
//! job and a job never ended an episode; the review (W3) found role carried nearly all cases
//! by construction. Here the role is a two-state process per agent whose hazards depend on
//! how long the agent has been isolated (withdrawal costs the role, and the longer it lasts
//! the harder the way back) and, for regaining work or education, on bridging ties
//! (Granovetter's non-redundant opportunities, [`SPECS`] `bridging.role_regain`, prior
//! includes 0).
//!
//! - **Reads**: `traits.age`, `traits.role`, `traits.group`; this week's `state.isolated_weeks`
//!   and `state.rejection` (phase 2 output); in-person non-family ties and their ends' groups
//!   (bridging count, only for agents without a role).
//! - **Writes**: `traits.role`; when an adult regains work, `Change::Add` peer ties to new
//!   colleagues (a share `roles.work_away` met anywhere in the population: commuting makes
//!   in-person ties that cross neighbourhoods).
//! - **Acts**: every tick from the first burn-in tick (its keys enter the burn-in signature),
//!   after phase 2 and before tie dynamics; `mechanisms.roles = false` keeps v1's fixed roles.
//! - **Random**: stream `withdrawal.roles`, 1 word per agent per tick; colleagues from the
//!   agent generator of stream `withdrawal.roles.colleagues` (only agents who regain work).
//! - **Owns**: `roles.*`, `bridging.role_regain`, `mechanisms.roles`, `mechanisms.bridging`.
//!
//! The regain hazard of an adult without isolation or bridging ties is
//! `roles.loss x s / (1 - s)` with `s` the band's `population.role_*` share, so without
//! isolation and bridging the share in a role stays at the documented share the population
//! was drawn with.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::burn_in::Acts;
use super::params::{WParams, P, W};
use super::population::{band, Neighbourhoods, Traits};
use super::ties::{Change, Ties};
use super::Withdrawal;
use crate::engine::par::{self, Exec, CHUNK};
use crate::engine::rng::{chance, Purpose};
use crate::graph::Layer;
use crate::scenario::{ParamSpec, Params};

/// Weekly role transitions.
pub const ROLES: Purpose = Purpose::named("withdrawal.roles");
/// New colleagues of agents who regain work.
pub const COLLEAGUES: Purpose = Purpose::named("withdrawal.roles.colleagues");

/// Isolated weeks beyond which the isolation terms stop growing (two years).
pub const ISOLATION_CAP_WEEKS: u16 = 104;

/// When [`SPECS`] first act: from setup and the first burn-in tick (they enter the burn-in
/// signature).
pub(super) const ACTS: Acts = Acts::DuringBurnIn;

/// The keys this mechanism owns.
pub static SPECS: &[ParamSpec] = &[
    ParamSpec::real("roles.loss", 0.0015, 0.0, P, "probability per week", "Weekly hazard that an adult (18+) not isolated loses work or education.", "assumption, range 0.0005-0.004 (annual job separation of a few to 20% in OECD labour-force flows)", W),
    ParamSpec::real("roles.loss_isolated", 0.8, 0.0, 5.0, "log-hazard per 26 isolated weeks", "Rise in the hazard of losing school or work per 26 consecutive weeks of marked isolation (capped at 104 weeks).", "assumption, range 0-2 (withdrawal costs the role; no per-week estimate exists)", W),
    ParamSpec::real("roles.regain_isolated", 2.2, 0.0, 5.0, "log-hazard per 26 isolated weeks", "Fall in the hazard of regaining school or work per 26 consecutive weeks of isolation (capped at 104 weeks).", "calibrated with ties.shed (before the 60-year burn-in; after it, 1.6 and 1.9 give nearly the same share, 0.53, so ties.shed carries the fit): 35-47% of current cases last 3+ years (Yong & Nomura 2019: 41%; Cabinet Office 2016: about 35% 7 years or more); prior 0-2.5", W),
    ParamSpec::real("roles.refusal", 0.0008, 0.0, P, "probability per week", "Weekly hazard that a youth (12-17) not isolated and not rejected stops attending school (futōkō).", "derived: MEXT 2022, about 4% of ages 12-17 long-term absent (6.0% lower, 2.0% upper secondary), with roles.refusal_return: 0.02 x 0.04 / 0.96", W),
    ParamSpec::real("roles.refusal_return", 0.02, 0.0, P, "probability per week", "Weekly chance a youth out of school returns (times the isolation term).", "assumption, range 0.01-0.05 (absence spells of months to a year)", W),
    ParamSpec::real("roles.refusal_rejection", 2.0, 0.0, 20.0, "log-hazard per unit rejection", "Recent rejection (bullying) raises the hazard of school refusal.", "MEXT surveys name bullying and peer trouble among the main reasons (direction); size assumption, range 0-3", W),
    ParamSpec::real("roles.work_away", 0.5, 0.0, P, "share", "Share of new colleagues (at 18 or on regaining work) met at a workplace outside the neighbourhood.", "assumption, range 0.3-0.8 (most people commute out of their neighbourhood)", W),
    ParamSpec::real("bridging.role_regain", 0.03, 0.0, 1.0, "log-hazard per bridging tie", "Rise in the hazard of regaining work or education per in-person tie across groups (non-redundant opportunities).", "Granovetter 1973; Rajkumar et al. 2022 (LinkedIn experiment: weak ties raise job mobility), direction only; size assumption with prior 0-0.1 including 0", W),
    ParamSpec::switch("mechanisms.roles", true, "Roles change: school or work is lost and regained, youth refuse school (off: v1, role fixed after 18).", "model structure", W),
    ParamSpec::switch("mechanisms.bridging", true, "Bridging ties raise the hazard of regaining work (off: bridging.role_regain = 0).", "model structure", W),
];

/// Typed view of [`SPECS`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct RoleParams {
    pub loss: f64,
    pub loss_isolated: f64,
    pub regain_isolated: f64,
    pub refusal: f64,
    pub refusal_return: f64,
    pub refusal_rejection: f64,
    pub work_away: f64,
    /// Log-hazard per bridging tie (0 when `mechanisms.bridging` is off).
    pub bridging: f64,
    pub dynamic: bool,
}

impl RoleParams {
    /// Reads the keys.
    pub fn from_params(p: &Params) -> RoleParams {
        RoleParams {
            loss: p.f64("roles.loss"),
            loss_isolated: p.f64("roles.loss_isolated"),
            regain_isolated: p.f64("roles.regain_isolated"),
            refusal: p.f64("roles.refusal"),
            refusal_return: p.f64("roles.refusal_return"),
            refusal_rejection: p.f64("roles.refusal_rejection"),
            work_away: p.f64("roles.work_away"),
            bridging: if p.bool("mechanisms.bridging") {
                p.f64("bridging.role_regain")
            } else {
                0.0
            },
            dynamic: p.bool("mechanisms.roles"),
        }
    }
}

/// What decides one agent's role change this week.
#[derive(Clone, Copy, Debug, Default)]
pub struct RoleInputs {
    /// Age in years.
    pub age: u8,
    /// In school or work now.
    pub has_role: bool,
    /// Consecutive weeks of marked isolation (this week's).
    pub isolated_weeks: u16,
    /// Recent rejection in [0, 1].
    pub rejection: f64,
    /// In-person non-family ties to members of other groups.
    pub bridging_ties: u32,
}

/// The weekly probability that the agent's role flips (lost if it has one, regained if not).
/// `share` is the band's documented share in a role (`population.role_young_adult` or
/// `population.role_adult`; ignored for youth). Pure.
pub fn switch_probability(p: &RoleParams, share: f64, x: &RoleInputs) -> f64 {
    let iso = f64::from(x.isolated_weeks.min(ISOLATION_CAP_WEEKS)) / 26.0;
    let hazard = match (band(x.age) == 0, x.has_role) {
        (true, true) => {
            p.refusal * (p.loss_isolated * iso + p.refusal_rejection * x.rejection).exp()
        }
        (true, false) => p.refusal_return * (-p.regain_isolated * iso).exp(),
        (false, true) => p.loss * (p.loss_isolated * iso).exp(),
        (false, false) => {
            if share >= 1.0 {
                return 1.0;
            }
            let base = p.loss * share / (1.0 - share);
            base * (p.bridging * f64::from(x.bridging_ties) - p.regain_isolated * iso).exp()
        }
    };
    1.0 - (-hazard).exp()
}

/// In-person non-family ties of `i` to members of another group.
pub fn bridging_ties(ties: &Ties, group: &[u32], i: usize) -> u32 {
    let (tg, _, ly) = ties.slab(i);
    let gi = group[i];
    tg.iter()
        .zip(ly)
        .filter(|(&j, &l)| {
            l != Layer::Family as u8 && l != Layer::Online as u8 && group[j as usize] != gi
        })
        .count() as u32
}

/// Peer ties to up to `ties.work` new colleagues of agent `i`: each is a worker (18+, in a
/// role) met at a workplace outside the neighbourhood with chance `roles.work_away` (anyone
/// in the population), else in the neighbourhood; a few tries each.
pub fn colleagues(
    p: &WParams,
    t: &Traits,
    nb: &Neighbourhoods,
    i: usize,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<Change>,
) {
    let members = nb.of(t.neighbourhood[i]);
    let mut made = 0;
    for _ in 0..4 * p.ties_work {
        if made >= p.ties_work {
            break;
        }
        let away = rng.random::<f64>() < p.roles.work_away;
        let k = if away {
            rng.random_range(0..p.n as u32)
        } else {
            members[rng.random_range(0..members.len())]
        };
        let k_us = k as usize;
        if k_us != i && t.age[k_us] >= 18 && t.role[k_us] == 1 {
            out.push(Change::Add(i as u32, k, Layer::Peer, p.initial_weight));
            made += 1;
        }
    }
}

/// Phase 2b: every agent's role transition for this week, then new colleagues for adults who
/// regained work (sequential, in agent order). Returns the tie additions.
pub(super) fn week(m: &mut Withdrawal, exec: Exec) -> Vec<Change> {
    if !m.p.roles.dynamic {
        return Vec::new();
    }
    let stream = m.streams.tick(ROLES, m.clock);
    let mut role = std::mem::take(&mut m.traits.role);
    let (t, s, ties, p) = (&m.traits, &m.state, &m.ties, &m.p);
    let regained: Vec<Vec<u32>> = par::map_each_chunk(exec, &mut role, |first, chunk| {
        let mut words = [0u32; CHUNK];
        let words = &mut words[..chunk.len()];
        stream.fill(first, 1, words);
        let mut back = Vec::new();
        for (k, r) in chunk.iter_mut().enumerate() {
            let i = first + k;
            let age = t.age[i];
            let has_role = *r == 1;
            let share = if band(age) == 1 {
                p.role_young_adult
            } else {
                p.role_adult
            };
            let x = RoleInputs {
                age,
                has_role,
                isolated_weeks: s.isolated_weeks[i],
                rejection: s.rejection[i] as f64,
                bridging_ties: if !has_role && age >= 18 && p.roles.bridging != 0.0 {
                    bridging_ties(ties, &t.group, i)
                } else {
                    0
                },
            };
            if chance(words[k], switch_probability(&p.roles, share, &x)) {
                *r = u8::from(!has_role);
                if !has_role && age >= 18 {
                    back.push(i as u32);
                }
            }
        }
        back
    });
    m.traits.role = role;
    let stream = m.streams.tick(COLLEAGUES, m.clock);
    let mut changes = Vec::new();
    for i in regained.into_iter().flatten() {
        let mut rng = stream.agent_rng(i as usize);
        colleagues(
            &m.p,
            &m.traits,
            &m.neighbourhoods,
            i as usize,
            &mut rng,
            &mut changes,
        );
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn params() -> RoleParams {
        RoleParams {
            loss: 0.0015,
            loss_isolated: 0.8,
            regain_isolated: 1.6,
            refusal: 0.0008,
            refusal_return: 0.02,
            refusal_rejection: 2.0,
            work_away: 0.5,
            bridging: 0.03,
            dynamic: true,
        }
    }

    #[test]
    fn isolation_raises_loss_and_lowers_regain() {
        let p = params();
        for age in [14u8, 22, 45] {
            let lose = |w| {
                switch_probability(
                    &p,
                    0.8,
                    &RoleInputs {
                        age,
                        has_role: true,
                        isolated_weeks: w,
                        ..Default::default()
                    },
                )
            };
            let regain = |w| {
                switch_probability(
                    &p,
                    0.8,
                    &RoleInputs {
                        age,
                        has_role: false,
                        isolated_weeks: w,
                        ..Default::default()
                    },
                )
            };
            assert!(lose(52) > lose(0) && lose(104) > lose(52), "age {age}");
            assert!(regain(52) < regain(0), "age {age}");
            // Capped at two years.
            assert_eq!(lose(104), lose(300));
        }
    }

    #[test]
    fn without_isolation_or_bridging_the_documented_share_is_the_equilibrium() {
        let p = params();
        for share in [0.6, 0.75, 0.9] {
            let x = |has_role| RoleInputs {
                age: 30,
                has_role,
                ..Default::default()
            };
            let (loss, regain) = (
                switch_probability(&p, share, &x(true)),
                switch_probability(&p, share, &x(false)),
            );
            let eq = regain / (loss + regain);
            assert!((eq - share).abs() < 0.001, "{eq} vs {share}");
        }
    }

    #[test]
    fn bridging_ties_raise_regain_only_when_the_effect_is_on() {
        let mut p = params();
        let x = |b| RoleInputs {
            age: 25,
            bridging_ties: b,
            ..Default::default()
        };
        assert!(switch_probability(&p, 0.75, &x(10)) > switch_probability(&p, 0.75, &x(0)));
        p.bridging = 0.0;
        assert_eq!(
            switch_probability(&p, 0.75, &x(10)),
            switch_probability(&p, 0.75, &x(0))
        );
    }

    #[test]
    fn rejection_raises_school_refusal() {
        let p = params();
        let x = |r| RoleInputs {
            age: 14,
            has_role: true,
            rejection: r,
            ..Default::default()
        };
        assert!(switch_probability(&p, 1.0, &x(0.8)) > 3.0 * switch_probability(&p, 1.0, &x(0.0)));
    }

    proptest! {
        #[test]
        fn probabilities_stay_in_range(age in 12u8..65, has_role: bool, w in 0u16..2000,
            r in 0.0f64..1.0, b in 0u32..200, share in 0.0f64..1.0) {
            let x = RoleInputs { age, has_role, isolated_weeks: w, rejection: r, bridging_ties: b };
            let q = switch_probability(&params(), share, &x);
            prop_assert!((0.0..=1.0).contains(&q));
        }
    }
}
