//! Withdrawal episodes with hysteresis, and their duration bins. In v1 one week with the
//! 4-week mean of days out above 3.5 reset the counter, so episodes flickered around the
//! threshold: two thirds of ended episodes lasted under a year and 28-33% of current cases
//! had lasted 3 years, against 41% in Japanese surveys (review §2b, W5). Here an episode ends
//! only after `states.episode_exit_weeks` consecutive weeks out of marked isolation; shorter
//! spells out count as part of the episode (a few outings do not end six months of
//! withdrawal).
//!
//! - **Reads**: this week's running mean of days out (phase 2), the agent's t-1
//!   `isolated_weeks` and `weeks_out`.
//! - **Writes**: `isolated_weeks` (weeks since the episode began, out-spells included) and
//!   `weeks_out` (consecutive weeks out within an open episode); the duration of an episode
//!   that ends after reaching 26 weeks.
//! - **Acts**: every tick from the first burn-in tick, inside phase 2.
//! - **Random**: none.
//! - **Owns**: `states.episode_exit_weeks`; the duration bins of `finish`.

use super::burn_in::Acts;
use super::mechanisms::HIKIKOMORI_WEEKS;
use super::params::W;
use crate::scenario::ParamSpec;

/// When [`SPECS`] first act: from setup and the first burn-in tick (they enter the burn-in
/// signature).
pub(super) const ACTS: Acts = Acts::DuringBurnIn;

/// The keys this mechanism owns.
pub static SPECS: &[ParamSpec] = &[ParamSpec::int(
    "states.episode_exit_weeks",
    6,
    1,
    52,
    "weeks",
    "Consecutive weeks out of marked isolation that end an episode (1: v1, any week out ends it).",
    "assumption, range 4-8 (review W5); Kato, Kanba & Teo 2019 define withdrawal over 6 months, not week by week",
    W,
)];

/// One agent's episode counters after this week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Weeks since the episode began (0: no episode).
    pub weeks: u16,
    /// Consecutive weeks out within the episode.
    pub out: u8,
    /// The length of an episode of 26+ weeks that ended this week, without its closing
    /// weeks out.
    pub ended: Option<u16>,
}

/// Advances the counters: an isolated week extends (or starts) the episode; a week out
/// extends an open episode until `exit_weeks` consecutive weeks out end it.
pub fn step(weeks: u16, out: u8, isolated: bool, exit_weeks: u8) -> Step {
    if isolated {
        return Step {
            weeks: weeks.saturating_add(1),
            out: 0,
            ended: None,
        };
    }
    if weeks == 0 {
        return Step {
            weeks: 0,
            out: 0,
            ended: None,
        };
    }
    let out = out.saturating_add(1);
    if out >= exit_weeks.max(1) {
        let length = weeks.saturating_sub(u16::from(out) - 1);
        Step {
            weeks: 0,
            out: 0,
            ended: (weeks >= HIKIKOMORI_WEEKS).then_some(length),
        }
    } else {
        Step {
            weeks: weeks.saturating_add(1),
            out,
            ended: None,
        }
    }
}

/// Lower edges (weeks) of the duration bins: every 26 weeks to 6 years, then 7, 8, 9 and 10
/// years; the last bin holds everything from 520 weeks on.
pub const DURATION_BINS: [u16; 16] = [
    26, 52, 78, 104, 130, 156, 182, 208, 234, 260, 286, 312, 364, 416, 468, 520,
];

/// The bin of a duration of `weeks` (at least 26).
pub fn bin_of(weeks: u16) -> usize {
    DURATION_BINS.iter().rposition(|&b| weeks >= b).unwrap_or(0)
}

/// Weeks from which a current case counts as long (3 years; Yong & Nomura 2019 report 41%).
pub const LONG_WEEKS: u16 = 156;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_spell_out_does_not_end_an_episode() {
        let mut s = Step {
            weeks: 40,
            out: 0,
            ended: None,
        };
        for _ in 0..5 {
            s = step(s.weeks, s.out, false, 6);
            assert_eq!(s.ended, None);
        }
        assert_eq!((s.weeks, s.out), (45, 5));
        s = step(s.weeks, s.out, true, 6);
        assert_eq!((s.weeks, s.out), (46, 0));
        for _ in 0..5 {
            s = step(s.weeks, s.out, false, 6);
        }
        let end = step(s.weeks, s.out, false, 6);
        assert_eq!((end.weeks, end.out, end.ended), (0, 0, Some(46)));
    }

    #[test]
    fn one_exit_week_is_the_v1_rule() {
        assert_eq!(step(30, 0, false, 1).ended, Some(30));
        assert_eq!(step(20, 0, false, 1).ended, None);
        assert_eq!(step(20, 0, false, 1).weeks, 0);
        assert_eq!(step(0, 0, true, 1).weeks, 1);
    }

    #[test]
    fn bins_reach_ten_years() {
        assert_eq!(bin_of(26), 0);
        assert_eq!(bin_of(51), 0);
        assert_eq!(bin_of(156), 5);
        assert_eq!(bin_of(363), 11);
        assert_eq!(bin_of(364), 12);
        assert_eq!(bin_of(519), 14);
        assert_eq!(bin_of(5000), 15);
    }
}
