//! Contact (phase 2, step 1): one pass over an agent's slab gathers what the later steps read
//! of its contacts, and turns it into this week's contact quality.
//!
//! - **Reads**: the agent's ties (targets, strengths, layers); each contact's t-1
//!   `loneliness`, `screen`, `substance` and bully trait and this week's `days` (packed in
//!   [`Peer`]); the agent's `days` and t-1 `screen`.
//! - **Writes**: `contact` (through the sweep); the other counts go to later steps only.
//! - **Acts**: every tick from the first burn-in tick.
//! - **Random**: none.
//! - **Owns**: `contact.*`, `bullying.screen_reference` (shared with bullying
//!   and tie strength).

use super::mechanisms::{self, use_state};
use super::params::WParams;
use super::population::Traits;
use super::state::State;
use super::week::Sweep;
use super::Withdrawal;
use crate::engine::par::{self, Exec};
use crate::graph::Layer;

/// What an agent's contacts read about it in the weekly sweep (phase 2), packed together.
///
/// Why: the sweep reads five columns of every contact (days out, loneliness, screen time,
/// substance use, bullying); contacts are scattered over the population, so from separate
/// columns each tie costs up to five cache misses. Copying the values into one 12-byte
/// record per agent first (a sequential pass) makes it one. The values are copies, so the
/// arithmetic and its results are unchanged.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Peer {
    loneliness: f32,
    screen: f32,
    days: u8,
    /// In recovery from substance use.
    recovery: bool,
    /// A youth who bullies.
    bully_youth: bool,
}

impl Peer {
    /// Fills `out` from the tick t-1 state, traits and this week's days out.
    pub(super) fn gather(exec: Exec, out: &mut Vec<Peer>, t: &Traits, s: &State, days: &[u8]) {
        out.resize(days.len(), Peer::default());
        par::for_each_chunk(exec, out, |first, chunk| {
            for (k, q) in chunk.iter_mut().enumerate() {
                let j = first + k;
                *q = Peer {
                    loneliness: s.loneliness[j],
                    screen: s.screen[j],
                    days: days[j],
                    recovery: s.substance[j] == use_state::RECOVERY,
                    bully_youth: t.bully[j] == 1 && t.age[j] <= 17,
                };
            }
        });
    }
}

/// What the sweep gathers along one agent's ties.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Gathered {
    /// Summed in-person contact (strength times shared days out; household ties a fixed share).
    pub(super) in_person: f64,
    /// Summed online contact (strength times shared screen time).
    pub(super) online: f64,
    /// Strength-weighted loneliness of in-person contacts (household ties count half): the
    /// weights and the weighted sum.
    pub(super) lonely_w: f64,
    pub(super) lonely_sum: f64,
    /// Bullying youth among a youth's school ties, and among its school and online ties.
    pub(super) bully_peer: u32,
    pub(super) bully_any: u32,
    /// In-person ties in recovery from substance use, and all in-person ties.
    pub(super) recovery_ties: u32,
    pub(super) person_ties: u32,
}

/// Gathers along agent `i`'s ties.
#[inline]
pub(super) fn gather(cx: &Sweep<'_>, i: usize) -> Gathered {
    let (p, peers) = (cx.p, cx.peers);
    let youth = cx.t.age[i] <= 17;
    let mut g = Gathered::default();
    let di = cx.days[i] as f32;
    let si = cx.s.screen[i];
    let (tg, wts, ly) = cx.ties.slab(i);
    for ((&j, &w32), &layer) in tg.iter().zip(wts).zip(ly) {
        let q = peers[j as usize];
        let wt = w32 as f64;
        if layer == Layer::Online as u8 {
            g.online += wt * (si.min(q.screen) as f64 / p.screen_reference).min(1.0);
        } else if layer == Layer::Family as u8 {
            g.in_person += wt * p.contact_family;
            g.lonely_w += p.lonely.family_weight * wt;
            g.lonely_sum += p.lonely.family_weight * wt * q.loneliness as f64;
        } else {
            g.in_person += wt * (di.min(q.days as f32) / 7.0) as f64;
            g.lonely_w += wt;
            g.lonely_sum += wt * q.loneliness as f64;
        }
        if Withdrawal::in_person(layer) {
            g.person_ties += 1;
            g.recovery_ties += u32::from(q.recovery);
        }
        if q.bully_youth && youth {
            g.bully_any += u32::from(layer == Layer::Peer as u8 || layer == Layer::Online as u8);
            g.bully_peer += u32::from(layer == Layer::Peer as u8);
        }
    }
    g
}

/// In-person contact quality, and felt contact (online contact relieves part of what is
/// missing in person).
#[inline]
pub(super) fn quality(p: &WParams, g: &Gathered) -> (f64, f64) {
    let contact = mechanisms::contact_quality(g.in_person, p.contact_half);
    let online_q = mechanisms::contact_quality(g.online, p.contact_half);
    let felt = contact + p.online_relief * online_q * (1.0 - contact);
    (contact, felt)
}
