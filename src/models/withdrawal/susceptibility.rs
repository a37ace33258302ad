//! Lasting susceptibility: the victimisation scar and avoidant attachment. In v1 bullying left
//! only a rejection level with a half-life of about 6.6 weeks, so switching bullying off moved
//! prevalence by 1% (review §2h) although the essay names it as a lead pathway; and avoidant
//! attachment was drawn but read nowhere. Here a youth victimised in at least `scar.weeks`
//! weeks carries a scar for life (a frequent-victimisation marker, after Takizawa, Maughan &
//! Arseneault 2014, whose frequently bullied children still had poorer social relationships
//! at 50), which lowers the propensity to leave home by `days.scar`; avoidant attachment lowers
//! it by `days.avoidant`.
//!
//! - **Reads**: this week's `state.flags` (`TRAD_NOW`, `CYBER_NOW`, written by phase 2);
//!   `traits.attachment`, `traits.victim_weeks` (phase 1, through [`days_shift`]).
//! - **Writes**: `traits.victim_weeks` (youth victimised this week; reset at replacement).
//! - **Acts**: every tick from the first burn-in tick, after phase 2; the shift enters phase 1
//!   of the next week. At set-up, agents past 12 get a youth history ([`initial`]).
//! - **Random**: stream `withdrawal.scar.initial`, once, at set-up (one agent generator each).
//! - **Owns**: `scar.*`, `days.scar`, `days.avoidant`.

use rand::Rng;

use super::burn_in::Acts;
use super::flag;
use super::params::{P, W};
use super::population::{attachment, Traits};
use crate::engine::rng::Purpose;
use crate::engine::Streams;
use crate::scenario::{ParamSpec, Params};

/// Set-up draws of scars for agents who were youth before the run began.
pub const INITIAL: Purpose = Purpose::named("withdrawal.scar.initial");

/// When [`SPECS`] first act: from setup and the first burn-in tick (they enter the burn-in
/// signature).
pub(super) const ACTS: Acts = Acts::DuringBurnIn;

/// The keys this mechanism owns.
pub static SPECS: &[ParamSpec] = &[
    ParamSpec::int("scar.weeks", 5, 1, 255, "weeks", "Weeks of victimisation (in person or online) in youth after which a lasting scar remains.", "calibrated: about 15% of youth scarred by 18, the share Takizawa, Maughan & Arseneault 2014 call frequently bullied (before the 60-year refit; about 20% of 18-29s now, not refitted)", W),
    ParamSpec::real("scar.initial_share", 0.205, 0.0, P, "share", "Share of agents aged 18+ at set-up who carry a scar (ages 13-17: times years since 12 / 6).", "derived: the model's own share of scarred 18-29s after the 60-year burn-in, 20.5% at 20,000 agents (trial W1; a test checks it)", W),
    ParamSpec::real("days.scar", 0.18, -20.0, 20.0, "log-odds", "A victimisation scar keeps agents home, at every later age.", "calibrated: switching bullying off lowers young-adult prevalence by a population-attributable fraction of 15-30% (OR about 2 at 24% exposure; Yong & Nomura 2019 OR 2.30 is cross-sectional, so only its direction is used); range 0-1", W),
    ParamSpec::real("days.avoidant", 0.2, -20.0, 20.0, "log-odds", "Avoidant attachment keeps agents home (less than anxious attachment).", "assumption, range 0-0.4 (Krieg & Dickie 2013 found the path through ambivalent, not avoidant, attachment)", W),
];

/// Typed view of [`SPECS`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct SusceptibilityParams {
    pub weeks: u8,
    pub initial_share: f64,
    pub scar_days: f64,
    pub avoidant_days: f64,
}

impl SusceptibilityParams {
    /// Reads the keys.
    pub fn from_params(p: &Params) -> SusceptibilityParams {
        SusceptibilityParams {
            weeks: p.usize("scar.weeks").min(255) as u8,
            initial_share: p.f64("scar.initial_share"),
            scar_days: p.f64("days.scar"),
            avoidant_days: p.f64("days.avoidant"),
        }
    }

    /// Whether `victim_weeks` leave a scar.
    pub fn scarred(&self, victim_weeks: u8) -> bool {
        victim_weeks >= self.weeks
    }
}

/// The log-odds added to the propensity to leave home (negative: keeps the agent home).
#[inline]
pub fn days_shift(p: &SusceptibilityParams, victim_weeks: u8, attachment_style: u8) -> f64 {
    let mut s = 0.0;
    if p.scarred(victim_weeks) {
        s -= p.scar_days;
    }
    if attachment_style == attachment::AVOIDANT {
        s -= p.avoidant_days;
    }
    s
}

/// Set-up: agents aged 18+ carry a scar with chance `scar.initial_share`, ages 13-17 with that
/// times (age - 12) / 6 (part of their youth lay before the run). None when bullying is off.
pub fn initial(p: &SusceptibilityParams, bullying: bool, t: &mut Traits, streams: &Streams) {
    let stream = streams.tick(INITIAL, 0);
    t.victim_weeks = (0..t.age.len())
        .map(|i| {
            let years = f64::from(t.age[i].saturating_sub(12).min(6));
            let chance = p.initial_share * years / 6.0;
            if bullying && chance > 0.0 && stream.agent_rng(i).random::<f64>() < chance {
                p.weeks
            } else {
                0
            }
        })
        .collect();
}

/// After phase 2: each youth victimised this week adds a week to its count (saturating).
pub fn week(t: &mut Traits, flags: &[u8]) {
    for (v, &f) in t.victim_weeks.iter_mut().zip(flags) {
        if f & (flag::TRAD_NOW | flag::CYBER_NOW) != 0 {
            *v = v.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SusceptibilityParams {
        SusceptibilityParams {
            weeks: 4,
            initial_share: 0.15,
            scar_days: 0.4,
            avoidant_days: 0.2,
        }
    }

    #[test]
    fn a_scar_and_avoidance_keep_agents_home_and_add_up() {
        let p = params();
        assert_eq!(days_shift(&p, 0, attachment::SECURE), 0.0);
        assert_eq!(days_shift(&p, 3, attachment::SECURE), 0.0);
        assert_eq!(days_shift(&p, 4, attachment::SECURE), -0.4);
        assert_eq!(days_shift(&p, 0, attachment::AVOIDANT), -0.2);
        assert!((days_shift(&p, 200, attachment::AVOIDANT) + 0.6).abs() < 1e-12);
        assert_eq!(days_shift(&p, 0, attachment::ANXIOUS), 0.0);
    }

    #[test]
    fn victimised_weeks_accumulate_and_never_fade() {
        let mut t = Traits {
            victim_weeks: vec![0, 3, 255],
            ..Default::default()
        };
        let flags = [
            flag::TRAD_NOW,
            flag::CYBER_NOW | flag::EVER_VICTIM,
            flag::TRAD_NOW,
        ];
        week(&mut t, &flags);
        assert_eq!(t.victim_weeks, vec![1, 4, 255]);
        week(&mut t, &[flag::EVER_VICTIM, 0, 0]);
        assert_eq!(t.victim_weeks, vec![1, 4, 255]);
    }

    #[test]
    fn initial_scars_follow_age_and_the_bullying_switch() {
        let n = 20_000;
        let mut t = Traits {
            age: (0..n).map(|i| if i % 2 == 0 { 12 } else { 40 }).collect(),
            ..Default::default()
        };
        let p = params();
        initial(&p, true, &mut t, &Streams::new(1, 0));
        let adults = (0..n)
            .filter(|i| i % 2 == 1 && t.victim_weeks[*i] >= 4)
            .count();
        let share = adults as f64 / (n / 2) as f64;
        assert!((share - 0.15).abs() < 0.015, "{share}");
        assert!((0..n)
            .filter(|i| i % 2 == 0)
            .all(|i| t.victim_weeks[i] == 0));
        initial(&p, false, &mut t, &Streams::new(1, 0));
        assert!(t.victim_weeks.iter().all(|&v| v == 0));
    }
}
