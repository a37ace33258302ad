//! The withdrawal state (phase 2, step 5): the running mean of days out, and the isolation
//! episode it opens, extends or (after enough consecutive weeks out) closes.
//!
//! - **Reads**: t-1 `days_avg`, `isolated_weeks`, `weeks_out`; this week's `days`.
//! - **Writes**: `days_avg`, `isolated_weeks`, `weeks_out`, EVER_HIKIKOMORI (in the sweep),
//!   and the length of an episode that ended.
//! - **Acts**: every tick from the first burn-in tick.
//! - **Random**: none.
//! - **Owns**: `states.*` (the episode kernel is [`episodes::step`]).

use super::episodes::{self, Step};
use super::mechanisms::{self, severity};
use super::week::Sweep;

/// Agent `i`'s days-out mean this week and its episode step.
#[inline]
pub(super) fn step(cx: &Sweep<'_>, i: usize) -> (f64, Step) {
    let (p, s) = (cx.p, cx.s);
    let avg = (1.0 - p.smoothing) * s.days_avg[i] as f64 + p.smoothing * cx.days[i] as f64;
    let isolated = mechanisms::severity_of(avg, p.severe_below) != severity::NONE;
    let ep = episodes::step(
        s.isolated_weeks[i],
        s.weeks_out[i],
        isolated,
        p.episode_exit_weeks,
    );
    (avg, ep)
}
