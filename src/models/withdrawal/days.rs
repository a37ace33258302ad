//! Phase 1, days out: how many days this week each agent leaves home, from the t-1 state.
//!
//! - **Reads**: t-1 `state` (`days_avg` of friends, `rejection`, `loneliness`, `screen`,
//!   `substance`); `traits` (`role`, `shyness`, `attachment`, `male`, `age`, `victim_weeks`);
//!   in-person non-household ties and their strengths ([`FriendSums`]); a contact shock
//!   (`shock.rs`) while it lasts.
//! - **Writes**: `days` (this week's days out, 0-7).
//! - **Acts**: every tick from the first burn-in tick.
//! - **Random**: stream `withdrawal.days`, 1 word per agent per tick.
//! - **Owns**: `days.*` (the kernel is [`mechanisms::days_out`]).

use super::mechanisms::{self, use_state, DaysInputs};
use super::population::{attachment, band};
use super::ties::Ties;
use super::Withdrawal;
use super::{shock, susceptibility};
use crate::engine::par::{self, Exec, CHUNK};
use crate::engine::rng::Purpose;
use crate::graph::Layer;

/// Days-out draws.
const DAYS: Purpose = Purpose::named("withdrawal.days");

/// What phase 1 (days out) reads of an agent's friend ties (in-person, not household): their
/// summed strength, how many there are and how many go out on four or more days. They depend
/// only on the ties and state at the end of a week, so the tally, which sweeps every slab for
/// its own counts anyway, takes them in the same pass and phase 1 of the next week reuses them
/// (it computes them itself when no tally ran, as in the burn-in). Same sums, same order, so
/// the results are identical either way.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct FriendSums {
    pub(super) strength: f64,
    pub(super) friends: u32,
    pub(super) out: u32,
}

impl FriendSums {
    /// The sums for agent `i`, straight from the slabs.
    pub(super) fn of(ties: &Ties, days_avg: &[f32], i: usize) -> FriendSums {
        let mut f = FriendSums::default();
        let (tg, wt, ly) = ties.slab(i);
        for ((&j, &w), &l) in tg.iter().zip(wt).zip(ly) {
            if l == Layer::Family as u8 || l == Layer::Online as u8 {
                continue;
            }
            f.strength += w as f64;
            f.friends += 1;
            f.out += u32::from(days_avg[j as usize] >= OUT_OFTEN);
        }
        f
    }
}

/// Days out (4-week mean) from which a friend counts as going out, for phase 1's invitations.
pub(super) const OUT_OFTEN: f32 = 4.0;
/// The bit of [`Withdrawal::marks`] that says a friend goes out often.
pub(super) const OUT_BIT: u32 = 1 << 31;

impl Withdrawal {
    /// Phase 1: days out from the t-1 state.
    pub(super) fn phase_days(&mut self, exec: Exec) {
        let stream = self.streams.tick(DAYS, self.clock);
        let (t, s, ties, p) = (&self.traits, &self.state, &self.ties, &self.p);
        // A contact shock (e.g. a pandemic) lowers everyone's pull to go out while it lasts.
        let days_params = &shock::days_params(p, self.tick);
        // The tally after last week took the friend sums from this very state.
        let cached = self.friend_clock == self.clock - 1 && self.friend_sums.len() == self.n();
        let sums = &self.friend_sums;
        let mut days = std::mem::take(&mut self.days);
        par::for_each_chunk(exec, &mut days, |first, out| {
            let mut words = [0u32; CHUNK];
            let words = &mut words[..out.len()];
            stream.fill(first, 1, words);
            for (k, d) in out.iter_mut().enumerate() {
                let i = first + k;
                let f = if cached {
                    sums[i]
                } else {
                    FriendSums::of(ties, &s.days_avg, i)
                };
                let x = DaysInputs {
                    role: t.role[i] == 1,
                    tie_strength: f.strength,
                    invited: if f.friends > 0 {
                        f.out as f64 / f.friends as f64
                    } else {
                        0.0
                    },
                    shyness: t.shyness[i] as f64,
                    anxious: t.attachment[i] == attachment::ANXIOUS,
                    rejection: s.rejection[i] as f64,
                    loneliness: s.loneliness[i] as f64,
                    screen: if p.on.screen_time {
                        s.screen[i] as f64
                    } else {
                        0.0
                    },
                    using: s.substance[i] == use_state::USING,
                    male: t.male[i] == 1,
                    young_adult: band(t.age[i]) == 1,
                    shift: susceptibility::days_shift(
                        &p.susceptibility,
                        t.victim_weeks[i],
                        t.attachment[i],
                    ),
                };
                *d = mechanisms::days_out(days_params, &x, words[k]);
            }
        });
        self.days = days;
    }
}
