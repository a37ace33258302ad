//! The per-tick tally: one parallel pass over agents and their slabs counts what the outputs
//! report, and on the way takes the friend-tie sums phase 1 of the next week reads.
//!
//! - **Reads**: the current `state`, `traits` and ties.
//! - **Writes**: [`Tally`]; the scratch `marks`; `friend_sums` and `friend_clock` (see
//!   [`FriendSums`]: the same sums phase 1 would compute, so results do not depend on whether
//!   a tally ran).
//! - **Acts**: at every recorded tick (0..), never during burn-in.
//! - **Random**: none.
//! - **Owns**: nothing (the reported age window, `withdrawal.report_age_*`, is in
//!   `observe.rs`).

use super::days::{FriendSums, OUT_BIT, OUT_OFTEN};
use super::mechanisms::{self, use_state, HIKIKOMORI_WEEKS};
use super::population::band;
use super::{episodes, Withdrawal, AHEAD};
use crate::engine::par::{self, Exec};
use crate::graph::Layer;

/// Counts for one tick's metrics (integers and chunk-ordered float sums).
#[derive(Default, Clone)]
pub(super) struct Tally {
    pub(super) n_band: [u64; 3],
    pub(super) role_band: [u64; 3],
    pub(super) n_sex: [u64; 2],
    pub(super) n_range: u64,
    pub(super) hik: u64,
    pub(super) hik_band: [u64; 3],
    pub(super) hik_sex: [u64; 2],
    pub(super) hik_sev: [u64; 3],
    pub(super) hik_range: u64,
    pub(super) hik_long: u64,
    /// Agents and cases by five-year age group (12-14, 15-19, ..., 60-64).
    pub(super) n_age5: [u64; AGE_GROUPS],
    pub(super) hik_age5: [u64; AGE_GROUPS],
    pub(super) scarred_band: [u64; 3],
    pub(super) isolated_short: u64,
    pub(super) loneliness: f64,
    pub(super) lonely: u64,
    pub(super) lonely_band: [u64; 3],
    pub(super) screen: f64,
    pub(super) victim_trad: u64,
    pub(super) victim_cyber: u64,
    pub(super) victim_both: u64,
    pub(super) using: u64,
    pub(super) recovery: u64,
    pub(super) degree: u64,
    pub(super) bonding: u64,
    pub(super) bridging: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        for k in 0..3 {
            self.n_band[k] += o.n_band[k];
            self.role_band[k] += o.role_band[k];
            self.scarred_band[k] += o.scarred_band[k];
            self.hik_band[k] += o.hik_band[k];
            self.hik_sev[k] += o.hik_sev[k];
            self.lonely_band[k] += o.lonely_band[k];
        }
        for k in 0..2 {
            self.n_sex[k] += o.n_sex[k];
            self.hik_sex[k] += o.hik_sex[k];
        }
        self.n_range += o.n_range;
        self.hik += o.hik;
        self.hik_range += o.hik_range;
        self.hik_long += o.hik_long;
        for k in 0..AGE_GROUPS {
            self.n_age5[k] += o.n_age5[k];
            self.hik_age5[k] += o.hik_age5[k];
        }
        self.isolated_short += o.isolated_short;
        self.loneliness += o.loneliness;
        self.lonely += o.lonely;
        self.screen += o.screen;
        self.victim_trad += o.victim_trad;
        self.victim_cyber += o.victim_cyber;
        self.victim_both += o.victim_both;
        self.using += o.using;
        self.recovery += o.recovery;
        self.degree += o.degree;
        self.bonding += o.bonding;
        self.bridging += o.bridging;
    }
}

/// Five-year age groups in the outputs: 12-14, then 15-19, ..., 60-64, so every survey window
/// that starts and ends on a group edge (Japan's 15-39 and 40-64) comes from one run.
pub(super) const AGE_GROUPS: usize = 11;

pub(super) fn age_group(age: u8) -> usize {
    if age < 15 {
        0
    } else {
        (((age - 15) / 5) as usize + 1).min(AGE_GROUPS - 1)
    }
}

pub(super) fn age_group_range(k: usize) -> (usize, usize) {
    if k == 0 {
        (12, 14)
    } else {
        (15 + 5 * (k - 1), 19 + 5 * (k - 1))
    }
}

impl Withdrawal {
    pub(super) fn tally(&mut self, exec: Exec) -> Tally {
        let n = self.n();
        let mut marks = std::mem::take(&mut self.marks);
        marks.resize(n, 0);
        let (t, s) = (&self.traits, &self.state);
        par::for_each_chunk(exec, &mut marks, |first, chunk| {
            let (group, days_avg) = (&t.group[first..], &s.days_avg[first..]);
            for ((m, &g), &d) in chunk.iter_mut().zip(group).zip(days_avg) {
                *m = g | (u32::from(d >= OUT_OFTEN) << 31);
            }
        });
        let mut sums = std::mem::take(&mut self.friend_sums);
        sums.resize(n, FriendSums::default());
        let (ties, p, marks_ref) = (&self.ties, &self.p, &marks[..]);
        let tick = self.tick as i32;
        let chunks = par::map_each_chunk(exec, &mut sums, |first, sums_out| {
            let mut y = Tally::default();
            for (k, sums_i) in sums_out.iter_mut().enumerate() {
                let i = first + k;
                if i + AHEAD < n {
                    for &j in ties.slab(i + AHEAD).0 {
                        par::prefetch(marks_ref, j as usize);
                    }
                }
                let b = band(t.age[i]);
                let male = t.male[i] as usize;
                y.n_band[b] += 1;
                y.role_band[b] += u64::from(t.role[i]);
                let a5 = age_group(t.age[i]);
                y.n_age5[a5] += 1;
                y.scarred_band[b] += u64::from(p.susceptibility.scarred(t.victim_weeks[i]));
                y.n_sex[male] += 1;
                let in_range = (p.report_age.0..=p.report_age.1).contains(&t.age[i]);
                y.n_range += u64::from(in_range);
                let weeks = s.isolated_weeks[i];
                if weeks >= HIKIKOMORI_WEEKS {
                    y.hik += 1;
                    y.hik_band[b] += 1;
                    y.hik_sex[male] += 1;
                    y.hik_range += u64::from(in_range);
                    y.hik_long += u64::from(weeks >= episodes::LONG_WEEKS);
                    y.hik_age5[a5] += 1;
                    let sev = mechanisms::severity_of(s.days_avg[i] as f64, p.severe_below);
                    y.hik_sev[(sev.max(1) - 1) as usize] += 1;
                } else if weeks > 0 && s.weeks_out[i] == 0 {
                    // Isolated now, for under 26 weeks (a spell out within an open episode
                    // does not count: Wong et al. 2015 asked who is withdrawn now).
                    y.isolated_short += 1;
                }
                y.loneliness += s.loneliness[i] as f64;
                let lonely = u64::from(s.loneliness[i] as f64 > p.lonely.threshold);
                y.lonely += lonely;
                y.lonely_band[b] += lonely;
                y.screen += s.screen[i] as f64;
                if b == 0 {
                    let tr = tick.saturating_sub(s.last_trad[i]) < 52;
                    let cy = tick.saturating_sub(s.last_cyber[i]) < 52;
                    y.victim_trad += u64::from(tr);
                    y.victim_cyber += u64::from(cy);
                    y.victim_both += u64::from(tr && cy);
                }
                y.using += u64::from(s.substance[i] == use_state::USING);
                y.recovery += u64::from(s.substance[i] == use_state::RECOVERY);
                let (targets, weights, layers) = ties.slab(i);
                y.degree += targets.len() as u64;
                let gi = t.group[i];
                // Branch-free: whether a tie is a friend tie, and within the group, is close to
                // random from tie to tie, so branches on it mispredict (a profile showed the
                // branchy loop at a tenth of the run; the same trick elsewhere cost more
                // instructions than the mispredictions it saved). A non-friend adds w * 0.0 = +0.0,
                // which leaves the strength sum bit for bit what phase 1 would add up.
                let (mut friends, mut bonding, mut out) = (0u32, 0u32, 0u32);
                let mut strength = 0.0f64;
                for ((&j, &w), &l) in targets.iter().zip(weights).zip(layers) {
                    let friend = Self::in_person(l) && l != Layer::Family as u8;
                    let m = marks_ref[j as usize];
                    let f = u32::from(friend);
                    friends += f;
                    bonding += f & u32::from(m & !OUT_BIT == gi);
                    out += f & (m >> 31);
                    strength += w as f64 * f64::from(f);
                }
                y.bonding += bonding as u64;
                y.bridging += (friends - bonding) as u64;
                *sums_i = FriendSums {
                    strength,
                    friends,
                    out,
                };
            }
            y
        });
        self.marks = marks;
        self.friend_sums = sums;
        self.friend_clock = self.clock;
        let mut total = Tally::default();
        for c in chunks {
            total.add(&c);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_cover_12_to_64_in_fives() {
        assert_eq!(age_group(12), 0);
        assert_eq!(age_group(14), 0);
        assert_eq!(age_group(15), 1);
        assert_eq!(age_group(39), 5);
        assert_eq!(age_group(40), 6);
        assert_eq!(age_group(64), 10);
        for age in 12u8..=64 {
            let (lo, hi) = age_group_range(age_group(age));
            assert!((lo..=hi).contains(&(age as usize)), "{age}");
        }
    }
}
