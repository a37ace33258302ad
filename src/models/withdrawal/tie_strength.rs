//! Phase 3a, tie strength: every tie's strength follows this week's joint contact; weak
//! non-household ties drop.
//!
//! - **Reads**: ties (targets, strengths, layers); this week's `days` and `screen` of both ends.
//! - **Writes**: tie strengths, and drops ties below `ties.drop_below` (compacting each slab in
//!   place). Both ends see the same strength, so both drop: the slabs stay symmetric.
//! - **Acts**: every tick from the first burn-in tick, when `mechanisms.tie_dynamics` is on.
//! - **Random**: none.
//! - **Owns**: `ties.grow`, `ties.decay`, `ties.drop_below` (kernel
//!   [`mechanisms::tie_strength`]).

use rayon::prelude::*;

use super::mechanisms;
use super::ties::{self, Ties};
use super::{Withdrawal, AHEAD};
use crate::engine::par::{self, Exec, CHUNK};
use crate::graph::Layer;

/// One chunk's slabs in phase 3a: ((strengths, targets), layers), and the live counts.
type SlabChunk<'a> = (
    ((&'a mut [f32], &'a mut [u32]), &'a mut [u8]),
    &'a mut [u32],
);

impl Withdrawal {
    /// Phase 3a: every tie's strength from this week's joint contact; weak non-family ties drop
    /// (both ends see the same strength, so both drop).
    pub(super) fn phase_tie_strength(&mut self, exec: Exec) {
        let (p, days, s) = (&self.p, &self.days, &self.state);
        let Ties {
            start,
            len,
            target,
            weight,
            layer,
            ..
        } = &mut self.ties;
        let start = &*start;
        let ws = ties::split_by_agents(weight, start, CHUNK);
        let ts = ties::split_by_agents(target, start, CHUNK);
        let ls = ties::split_by_agents(layer, start, CHUNK);
        let lens: Vec<&mut [u32]> = len.chunks_mut(CHUNK).collect();
        let work = |(c, (((w, tg), ly), ln)): (usize, SlabChunk<'_>)| {
            let first = c * CHUNK;
            let base = start[first];
            let reference = p.screen_reference as f32;
            for k in 0..ln.len() {
                let i = first + k;
                if k + AHEAD < ln.len() {
                    let ahead = start[i + AHEAD] - base;
                    // Both: online ties read screen time, the others days out, and which
                    // is which is not worth a branch here.
                    for &j in &tg[ahead..ahead + ln[k + AHEAD] as usize] {
                        par::prefetch(days, j as usize);
                        par::prefetch(&s.screen, j as usize);
                    }
                }
                let l = &mut ln[k];
                let s0 = start[i] - base;
                let live = s0..s0 + *l as usize;
                let (w, tg, ly) = (&mut w[live.clone()], &mut tg[live.clone()], &mut ly[live]);
                let (days_i, screen_i) = (days[i], s.screen[i]);
                let mut keep = 0usize;
                for q in 0..w.len() {
                    let (j, code) = (tg[q] as usize, ly[q]);
                    let mut wt = w[q];
                    if code != Layer::Family as u8 {
                        let together = if code == Layer::Online as u8 {
                            (screen_i.min(s.screen[j]) / reference).min(1.0)
                        } else {
                            days_i.min(days[j]) as f32 / 7.0
                        };
                        wt = mechanisms::tie_strength(wt, together, p.grow, p.decay);
                        if wt < p.drop_below {
                            continue;
                        }
                    }
                    // Compact in place (stable); until the first drop this rewrites each
                    // slot with itself.
                    w[keep] = wt;
                    tg[keep] = tg[q];
                    ly[keep] = code;
                    keep += 1;
                }
                *l = keep as u32;
            }
        };
        let zipped: Vec<_> = ws
            .into_iter()
            .zip(ts)
            .zip(ls)
            .zip(lens)
            .enumerate()
            .collect();
        match exec {
            Exec::Sequential => zipped.into_iter().for_each(work),
            Exec::Parallel => zipped.into_par_iter().for_each(work),
        }
    }
}
