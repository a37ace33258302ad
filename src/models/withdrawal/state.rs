//! The per-agent state that changes every week, by column: [`State`] (two copies in the model,
//! t-1 and t, swapped after phase 2), the chunked view the weekly sweep writes through, and the
//! [`flag`] bits.
//!
//! - **Reads**: at setup, `traits.age` (screen time by band) and the parameters' starting values.
//! - **Writes**: nothing by itself; every mechanism of phase 2 writes its own column of the
//!   next-state buffer through a [`StateChunk`].
//! - **Acts**: at setup (tick 0 before burn-in).
//!
//! Why by column: each sweep reads a few columns of every agent, so a column is a sequential
//! pass, and each chunk of [`CHUNK`] agents is one unit of parallel work.

use super::mechanisms::use_state;
use super::params::WParams;
use super::population::{band, Traits};
use crate::engine::par::CHUNK;

/// Flags in [`State::flags`].
pub mod flag {
    /// Ever victimised (traditional or cyber).
    pub const EVER_VICTIM: u8 = 1;
    /// Ever hikikomori.
    pub const EVER_HIKIKOMORI: u8 = 2;
    /// Victimised in person this week.
    pub const TRAD_NOW: u8 = 4;
    /// Victimised online this week.
    pub const CYBER_NOW: u8 = 8;
}

/// Per-agent state that changes every week, by column; the model keeps two copies (t-1, t).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// Running mean of days out (4-week memory).
    pub days_avg: Vec<f32>,
    /// In-person contact quality in [0, 1].
    pub contact: Vec<f32>,
    /// Loneliness in [0, 1].
    pub loneliness: Vec<f32>,
    /// Recent rejection in [0, 1].
    pub rejection: Vec<f32>,
    /// Leisure screen hours per day.
    pub screen: Vec<f32>,
    /// Craving in [0, 1].
    pub craving: Vec<f32>,
    /// Substance-use state (see [`use_state`]).
    pub substance: Vec<u8>,
    /// Weeks since the current isolation episode began, spells out included (0: none; see
    /// [`super::episodes`]).
    pub isolated_weeks: Vec<u16>,
    /// Consecutive weeks out of isolation within the current episode.
    pub weeks_out: Vec<u8>,
    /// Last tick of in-person victimisation (i32::MIN if never).
    pub last_trad: Vec<i32>,
    /// Last tick of online victimisation.
    pub last_cyber: Vec<i32>,
    /// See [`flag`].
    pub flags: Vec<u8>,
}

/// One chunk of [`CHUNK`] agents of every column, written by one worker of phase 2.
pub(super) struct StateChunk<'a> {
    pub(super) days_avg: &'a mut [f32],
    pub(super) contact: &'a mut [f32],
    pub(super) loneliness: &'a mut [f32],
    pub(super) rejection: &'a mut [f32],
    pub(super) screen: &'a mut [f32],
    pub(super) craving: &'a mut [f32],
    pub(super) substance: &'a mut [u8],
    pub(super) isolated_weeks: &'a mut [u16],
    pub(super) weeks_out: &'a mut [u8],
    pub(super) last_trad: &'a mut [i32],
    pub(super) last_cyber: &'a mut [i32],
    pub(super) flags: &'a mut [u8],
}

impl State {
    /// Everyone's starting values (tick 0 before burn-in).
    pub(super) fn new(n: usize, p: &WParams, traits: &Traits) -> State {
        State {
            days_avg: vec![5.0; n],
            contact: vec![0.5; n],
            loneliness: vec![0.15; n],
            rejection: vec![0.0; n],
            screen: traits
                .age
                .iter()
                .map(|&a| p.screen.base[band(a)] as f32)
                .collect(),
            craving: vec![p.substance.craving_base as f32; n],
            substance: vec![use_state::NONE; n],
            isolated_weeks: vec![0; n],
            weeks_out: vec![0; n],
            last_trad: vec![i32::MIN; n],
            last_cyber: vec![i32::MIN; n],
            flags: vec![0; n],
        }
    }

    /// The columns cut into chunks of [`CHUNK`] agents, one [`StateChunk`] each.
    pub(super) fn chunks(&mut self) -> Vec<StateChunk<'_>> {
        let a = self.days_avg.chunks_mut(CHUNK);
        let mut b = self.contact.chunks_mut(CHUNK);
        let mut c = self.loneliness.chunks_mut(CHUNK);
        let mut d = self.rejection.chunks_mut(CHUNK);
        let mut e = self.screen.chunks_mut(CHUNK);
        let mut f = self.craving.chunks_mut(CHUNK);
        let mut g = self.substance.chunks_mut(CHUNK);
        let mut h = self.isolated_weeks.chunks_mut(CHUNK);
        let mut h2 = self.weeks_out.chunks_mut(CHUNK);
        let mut i = self.last_trad.chunks_mut(CHUNK);
        let mut j = self.last_cyber.chunks_mut(CHUNK);
        let mut k = self.flags.chunks_mut(CHUNK);
        let mut out = Vec::new();
        for days_avg in a {
            out.push(StateChunk {
                days_avg,
                contact: b.next().expect("equal lengths"),
                loneliness: c.next().expect("equal lengths"),
                rejection: d.next().expect("equal lengths"),
                screen: e.next().expect("equal lengths"),
                craving: f.next().expect("equal lengths"),
                substance: g.next().expect("equal lengths"),
                isolated_weeks: h.next().expect("equal lengths"),
                weeks_out: h2.next().expect("equal lengths"),
                last_trad: i.next().expect("equal lengths"),
                last_cyber: j.next().expect("equal lengths"),
                flags: k.next().expect("equal lengths"),
            });
        }
        out
    }
}
