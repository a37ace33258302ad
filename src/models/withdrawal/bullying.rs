//! Bullying (phase 2, step 2): in-person and online victimisation of youth (12-17), and the
//! damage it does to the bully-victim tie.
//!
//! - **Reads**: the agent's `traits` (`age`, `shyness`, `role`, `neighbourhood`), t-1
//!   `contact`, `screen`, `last_trad`, `flags`; this week's `days`; bullying contacts (from
//!   [`contact::gather`]); the share of bullies in the neighbourhood's school; the
//!   anti-bullying programme's factor (1 unless funded, from tick 1 on).
//! - **Writes**: `last_trad`, `last_cyber`, the TRAD_NOW, CYBER_NOW and EVER_VICTIM
//!   [`flag`]s; at most one `Change::Weaken` of a bullying peer's school or online tie.
//! - **Acts**: every tick from the first burn-in tick.
//! - **Random**: stream `withdrawal.week`, words 0 (in person), 1 (online) and 4 (which tie).
//! - **Owns**: `bullying.*` (apart from `bullying.screen_reference`), `mechanisms.bullying`.
//!
//! [`contact::gather`]: super::contact::gather

use rayon::prelude::*;

use super::contact::Gathered;
use super::mechanisms;
use super::population::{Neighbourhoods, Traits};
use super::state::flag;
use super::ties::Change;
use super::week::Sweep;
use crate::engine::par::Exec;
use crate::engine::rng::{below, chance};
use crate::graph::Layer;

/// This week's victimisations of one agent.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Hit {
    pub(super) trad: bool,
    pub(super) cyber: bool,
}

impl Hit {
    /// Whether the agent was victimised at all.
    pub(super) fn any(self) -> bool {
        self.trad || self.cyber
    }

    /// How many kinds of victimisation (0-2).
    pub(super) fn count(self) -> u32 {
        u32::from(self.trad) + u32::from(self.cyber)
    }

    /// The agent's flags after this week: last week's "now" bits cleared, this week's set.
    pub(super) fn flags(self, before: u8) -> u8 {
        let mut fl = before & !(flag::TRAD_NOW | flag::CYBER_NOW);
        if self.any() {
            fl |= flag::EVER_VICTIM
                | if self.trad { flag::TRAD_NOW } else { 0 }
                | if self.cyber { flag::CYBER_NOW } else { 0 };
        }
        fl
    }
}

/// This week's in-person and online victimisation of agent `i` (none unless a youth and
/// bullying is on).
#[inline]
pub(super) fn week(cx: &Sweep<'_>, i: usize, g: &Gathered, w: &[u32]) -> Hit {
    let (p, t, s) = (cx.p, cx.t, cx.s);
    if !(p.on.bullying && t.age[i] <= 17) {
        return Hit::default();
    }
    // Bullies met at school without a tie, plus bullying contacts.
    let h = t.neighbourhood[i] as usize;
    let exposure = p.school_contacts * cx.school_bullies[h] * cx.pol.bullying_factor(h);
    let target = mechanisms::targeting(
        t.shyness[i] as f64,
        s.contact[i] as f64,
        p.bully_shyness,
        p.bully_weak,
    );
    let at_school = (cx.days[i].min(5) as f64) / 5.0 * f64::from(t.role[i]);
    let pt = mechanisms::victimisation_probability(
        p.bully_trad * at_school,
        g.bully_peer as f64 + exposure,
        target,
    );
    let screen_factor = if p.on.screen_time {
        s.screen[i] as f64 / p.screen_reference
    } else {
        1.0
    };
    // Cyberbullying mostly extends school bullying to screens.
    let recent_trad = cx.tick.saturating_sub(s.last_trad[i]) < 52;
    let follow = if recent_trad {
        1.0 + p.cyber_follow
    } else {
        1.0
    };
    let pc = mechanisms::victimisation_probability(
        p.bully_cyber * screen_factor * follow,
        g.bully_any as f64 + exposure,
        target,
    );
    Hit {
        trad: chance(w[0], pt),
        cyber: chance(w[1], pc),
    }
}

/// The bully-victim tie weakens: one bullying contact of victim `i`, chosen by `word`. Only a
/// bullying peer's school or online tie is damaged, never a household tie.
pub(super) fn damage(cx: &Sweep<'_>, i: usize, word: u32) -> Option<Change> {
    let (t, ties) = (cx.t, cx.ties);
    let is_bully = |sl: &usize| {
        let j = ties.target[*sl] as usize;
        let layer = ties.layer[*sl];
        t.bully[j] == 1
            && t.age[j] <= 17
            && (layer == Layer::Peer as u8 || layer == Layer::Online as u8)
    };
    let count = ties.range(i).filter(is_bully).count();
    ties.range(i)
        .filter(is_bully)
        .nth(below(word, count.max(1)))
        .map(|sl| Change::Weaken(i as u32, ties.target[sl], 1.0 - cx.p.bully_damage))
}

/// Share of bullies among the youth of each neighbourhood's school.
/// Integer counts per neighbourhood over its members, so the result is the same in any
/// order; parallel because it runs every week over all agents.
pub(super) fn school_bully_shares(t: &Traits, nb: &Neighbourhoods, exec: Exec) -> Vec<f64> {
    let nh = nb.offsets.len() - 1;
    let share = |h: usize| {
        let (mut youth, mut bullies) = (0u32, 0u32);
        for &i in nb.of(h as u32) {
            let i = i as usize;
            if t.age[i] <= 17 {
                youth += 1;
                bullies += u32::from(t.bully[i] == 1);
            }
        }
        if youth == 0 {
            0.0
        } else {
            bullies as f64 / youth as f64
        }
    };
    match exec {
        Exec::Sequential => (0..nh).map(share).collect(),
        Exec::Parallel => (0..nh)
            .into_par_iter()
            .with_min_len(64)
            .map(share)
            .collect(),
    }
}
