//! Set-up at the equilibrium of the slow substance-use chain. v1 started everyone as never
//! having used, and because onset is slow (decades at typical craving) and recovery was
//! absorbing, the recorded decade was a transient: substance use 2.0% -> 3.3% and recovery
//! 2.6% -> 7.6% (review §2a, W4). Here an agent of age `a` starts in the state the chain
//! (onset, quitting, relapse, remission: [`super::mechanisms::substance_transition`]) would
//! have reached after `a - 15` years from "never used" at a reference craving, and starts with
//! that craving. A burn-in then only has to settle the fast loops.
//!
//! - **Reads**: `traits.age`; `substance.*` keys.
//! - **Writes**: `state.substance`, `state.craving` at set-up (before the burn-in).
//! - **Acts**: once, at set-up; only when `mechanisms.substance_use` is on.
//! - **Random**: stream `withdrawal.substance.initial`, one word per agent, once.
//! - **Owns**: `substance.initial_craving`.

use super::burn_in::Acts;
use super::mechanisms::use_state;
use super::params::{SubstanceParams, P, W};
use crate::engine::rng::{unit, Purpose};
use crate::engine::Streams;
use crate::scenario::ParamSpec;

/// Set-up draws of substance-use states.
pub const INITIAL_SUBSTANCE: Purpose = Purpose::named("withdrawal.substance.initial");

/// When [`SPECS`] first act: from setup and the first burn-in tick (they enter the burn-in
/// signature).
pub(super) const ACTS: Acts = Acts::DuringBurnIn;

/// The keys this mechanism owns.
pub static SPECS: &[ParamSpec] = &[ParamSpec::real(
    "substance.initial_craving",
    0.21,
    0.0,
    P,
    "0-1 scale",
    "Reference craving at which the substance-use states of the starting population are drawn (and everyone's starting craving).",
    "calibrated: no drift in substance use and recovery over a recorded decade without policy (review W4); range 0.15-0.35",
    W,
)];

/// Probabilities of (none, using, recovery) after `weeks` weeks of the chain from "none" at
/// craving `c`, with no ties to people in recovery. Pure.
pub fn distribution_after(p: &SubstanceParams, c: f64, weeks: usize) -> [f64; 3] {
    let onset = p.onset * c * c;
    let quit = p.quit * (1.0 - c);
    let relapse = p.relapse * 2.0 * c;
    let remission = p.remission * (1.0 - c);
    let mut x = [1.0, 0.0, 0.0];
    for _ in 0..weeks {
        let [n, u, r] = x;
        x = [
            n * (1.0 - onset) + r * remission,
            n * onset + u * (1.0 - quit) + r * relapse,
            u * quit + r * (1.0 - relapse - remission),
        ];
    }
    x
}

/// Draws every agent's starting substance state from [`distribution_after`] at its age
/// (years since 15) and sets its craving to the reference craving.
pub fn substance(
    p: &SubstanceParams,
    initial_craving: f64,
    ages: &[u8],
    streams: &Streams,
    state: &mut [u8],
    craving: &mut [f32],
) {
    let by_age: Vec<[f64; 3]> = (0..=64usize)
        .map(|a| distribution_after(p, initial_craving, a.saturating_sub(15) * 52))
        .collect();
    let stream = streams.tick(INITIAL_SUBSTANCE, 0);
    let mut words = vec![0u32; ages.len()];
    stream.fill(0, 1, &mut words);
    for (i, &age) in ages.iter().enumerate() {
        let [none, using, _] = by_age[(age as usize).min(64)];
        let u = unit(words[i]);
        state[i] = if u < none {
            use_state::NONE
        } else if u < none + using {
            use_state::USING
        } else {
            use_state::RECOVERY
        };
        craving[i] = initial_craving as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SubstanceParams {
        SubstanceParams {
            craving_base: 0.05,
            loneliness: 0.4,
            isolation: 0.3,
            recovery_ties: 0.4,
            rate: 0.1,
            onset: 0.004,
            quit: 0.02,
            relapse: 0.015,
            remission: 0.004,
            mutual_aid_rr: 1.21,
        }
    }

    #[test]
    fn the_chain_starts_clean_keeps_its_mass_and_accumulates_with_age() {
        let p = params();
        assert_eq!(distribution_after(&p, 0.25, 0), [1.0, 0.0, 0.0]);
        let young = distribution_after(&p, 0.25, 52 * 5);
        let old = distribution_after(&p, 0.25, 52 * 40);
        for x in [young, old] {
            assert!((x.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        assert!(old[0] < young[0], "more have ever used by 55 than by 20");
        // With remission the chain settles: 40 and 49 years give nearly the same shares.
        let older = distribution_after(&p, 0.25, 52 * 49);
        assert!((older[1] - old[1]).abs() < 0.002);
    }

    #[test]
    fn starting_states_follow_the_age_distribution() {
        let p = params();
        let n = 40_000;
        let ages = vec![50u8; n];
        let (mut s, mut c) = (vec![0u8; n], vec![0f32; n]);
        substance(&p, 0.25, &ages, &Streams::new(2, 0), &mut s, &mut c);
        let want = distribution_after(&p, 0.25, 35 * 52);
        let using = s.iter().filter(|&&x| x == use_state::USING).count() as f64 / n as f64;
        assert!((using - want[1]).abs() < 0.005, "{using} vs {}", want[1]);
        assert!(c.iter().all(|&v| v == 0.25));
        let kids = vec![14u8; 100];
        let (mut s, mut c) = (vec![9u8; 100], vec![0f32; 100]);
        substance(&p, 0.25, &kids, &Streams::new(2, 0), &mut s, &mut c);
        assert!(s.iter().all(|&x| x == use_state::NONE));
    }
}
