//! Phase 2, the weekly sweep: every agent's next state from the t-1 state and this week's days
//! out, written to the next-state buffer (so no agent sees another's update of this week).
//!
//! Per agent, in this order (each step reads what the steps before it wrote this week):
//! 1. [`contact`]: one pass over the agent's slab gathers everything the other steps read of
//!    its contacts; contact quality and felt contact;
//! 2. [`bullying`]: in-person and online victimisation of youth, and damage to the bully tie;
//! 3. [`loneliness`]: rejection (from this week's victimisations), then loneliness;
//! 4. [`screen`]: leisure screen time (from the new loneliness and rejection);
//! 5. [`isolation`]: the days-out mean and the isolation episode;
//! 6. [`substance`]: craving (from the new loneliness and days-out mean) and use state.
//!
//! - **Reads**: t-1 `state`, `traits`, `households`, `neighbourhoods`, ties and this week's
//!   `days`; the policy state (benefits, services, anti-bullying).
//! - **Writes**: the next-state buffer (all of [`State`]'s columns), `Change::Weaken` for
//!   bully ties, and the lengths of episodes that ended.
//! - **Acts**: every tick from the first burn-in tick.
//! - **Random**: stream `withdrawal.week`, [`WEEK_WORDS`] words per agent per tick: bullying
//!   words 0, 1 and 4, loneliness 2, substance 3.
//!
//! [`State`]: super::state::State

use rayon::prelude::*;

use super::contact::{self, Peer};
use super::mechanisms::HIKIKOMORI_WEEKS;
use super::params::{ScreenParams, WParams};
use super::policy::PolicyState;
use super::population::{attachment, Households, Neighbourhoods, Traits};
use super::state::{flag, State, StateChunk};
use super::ties::{Change, Ties};
use super::{bullying, isolation, loneliness, screen, substance, Withdrawal, AHEAD};
use crate::engine::par::{self, Exec, CHUNK};
use crate::engine::rng::Purpose;

/// Draws of the weekly sweep.
const WEEK: Purpose = Purpose::named("withdrawal.week");
/// Words per agent per tick on the `withdrawal.week` stream.
const WEEK_WORDS: usize = 5;

/// What a chunk of the weekly sweep hands back for sequential application.
#[derive(Default)]
pub(super) struct ChunkOut {
    pub(super) changes: Vec<Change>,
    pub(super) episodes: Vec<u16>,
}

/// What every step of the sweep may read: the t-1 state and this week's inputs.
pub(super) struct Sweep<'a> {
    pub(super) t: &'a Traits,
    pub(super) hh: &'a Households,
    pub(super) s: &'a State,
    pub(super) ties: &'a Ties,
    pub(super) p: &'a WParams,
    pub(super) days: &'a [u8],
    pub(super) nb: &'a Neighbourhoods,
    pub(super) pol: &'a PolicyState,
    /// Contacts' values, packed (see [`Peer`]).
    pub(super) peers: &'a [Peer],
    /// Share of bullies among each neighbourhood school's youth.
    pub(super) school_bullies: &'a [f64],
    /// Screen-time parameters with this week's trend (see [`screen::params_at`]).
    pub(super) screen_params: &'a ScreenParams,
    /// The recorded tick (negative during burn-in).
    pub(super) tick: i32,
}

impl Sweep<'_> {
    /// Agent `i` (slot `k` of chunk `ch`): every step in order, with this agent's words `w`.
    fn agent(&self, i: usize, k: usize, w: &[u32], ch: &mut StateChunk<'_>, out: &mut ChunkOut) {
        let s = self.s;
        let anxious = self.t.attachment[i] == attachment::ANXIOUS;
        let g = contact::gather(self, i);
        let (contact, felt) = contact::quality(self.p, &g);
        ch.contact[k] = contact as f32;
        let hit = bullying::week(self, i, &g, w);
        ch.last_trad[k] = if hit.trad { self.tick } else { s.last_trad[i] };
        ch.last_cyber[k] = if hit.cyber {
            self.tick
        } else {
            s.last_cyber[i]
        };
        let mut fl = hit.flags(s.flags[i]);
        if hit.any() {
            out.changes.extend(bullying::damage(self, i, w[4]));
        }
        let rej = loneliness::rejection(self, i, hit.count(), anxious);
        ch.rejection[k] = rej as f32;
        let lon = loneliness::next(self, i, &g, felt, rej, w[2]);
        ch.loneliness[k] = lon as f32;
        ch.screen[k] = screen::next(self, i, lon, rej, anxious);
        let (avg, ep) = isolation::step(self, i);
        ch.days_avg[k] = avg as f32;
        ch.isolated_weeks[k] = ep.weeks;
        ch.weeks_out[k] = ep.out;
        out.episodes.extend(ep.ended);
        if ch.isolated_weeks[k] >= HIKIKOMORI_WEEKS {
            fl |= flag::EVER_HIKIKOMORI;
        }
        ch.flags[k] = fl;
        let (craving, use_state) = substance::step(self, i, &g, lon, avg, w[3]);
        ch.craving[k] = craving;
        ch.substance[k] = use_state;
    }
}

impl Withdrawal {
    /// Phase 2: contact, bullying, loneliness, screen, substance and withdrawal state.
    pub(super) fn phase_week(&mut self, exec: Exec) -> Vec<ChunkOut> {
        let stream = self.streams.tick(WEEK, self.clock);
        let school_bullies =
            bullying::school_bully_shares(&self.traits, &self.neighbourhoods, exec);
        let screen_params = screen::params_at(&self.p, self.tick);
        let mut peer_buf = std::mem::take(&mut self.peers);
        Peer::gather(exec, &mut peer_buf, &self.traits, &self.state, &self.days);
        let cx = Sweep {
            t: &self.traits,
            hh: &self.households,
            s: &self.state,
            ties: &self.ties,
            p: &self.p,
            days: &self.days,
            nb: &self.neighbourhoods,
            pol: &self.policy,
            peers: &peer_buf,
            school_bullies: &school_bullies,
            screen_params: &screen_params,
            tick: self.tick as i32,
        };
        let mut next = std::mem::take(&mut self.next);
        let chunks = next.chunks();
        let work = |(c, mut ch): (usize, StateChunk<'_>)| -> ChunkOut {
            let first = c * CHUNK;
            let len = ch.days_avg.len();
            let mut words = vec![0u32; len * WEEK_WORDS];
            stream.fill(first, WEEK_WORDS, &mut words);
            let mut out = ChunkOut::default();
            for k in 0..len {
                let i = first + k;
                if i + AHEAD < cx.peers.len() {
                    for &j in cx.ties.slab(i + AHEAD).0 {
                        par::prefetch(cx.peers, j as usize);
                    }
                }
                let w = &words[k * WEEK_WORDS..(k + 1) * WEEK_WORDS];
                cx.agent(i, k, w, &mut ch, &mut out);
            }
            out
        };
        let outs: Vec<ChunkOut> = match exec {
            Exec::Sequential => chunks.into_iter().enumerate().map(work).collect(),
            Exec::Parallel => chunks.into_par_iter().enumerate().map(work).collect(),
        };
        self.next = next;
        self.peers = peer_buf;
        outs
    }
}
