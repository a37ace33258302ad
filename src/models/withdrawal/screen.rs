//! Leisure screen time (phase 2, step 4).
//!
//! - **Reads**: t-1 `screen`; this week's `loneliness` and `rejection` (step 3);
//!   `traits.age`, `traits.attachment`; the household's parent phone use and mediation.
//! - **Writes**: `screen`.
//! - **Acts**: every tick from the first burn-in tick; the trend (`screen.trend_per_year`)
//!   counts from tick 0, so it is 0 throughout the burn-in.
//! - **Random**: none.
//! - **Owns**: `screen.*`, `mechanisms.screen_time` (kernel [`mechanisms::screen`]); the trend
//!   key is in [`SPECS`] here, declared to act after the burn-in, the others in `params.rs`.

use super::burn_in::Acts;
use super::mechanisms;
use super::params::{ScreenParams, WParams, W};
use super::population::band;
use super::week::Sweep;
use crate::scenario::ParamSpec;

/// The trend key: it scales with the recorded tick from tick 0, so it is 0 throughout the
/// burn-in (whose last week is tick 0).
pub static SPECS: &[ParamSpec] = &[ParamSpec::real(
    "screen.trend_per_year",
    0.0,
    -24.0,
    24.0,
    "hours/day per year",
    "Rise in baseline screen time at ages 12-29 per year from tick 0 (e.g. a smartphone rollout).",
    "scenario input",
    W,
)];

/// When [`SPECS`] first act.
pub(super) const ACTS: Acts = Acts::AfterBurnIn;

/// The screen-time parameters at recorded tick `tick`: a trend (e.g. a smartphone rollout)
/// raises the baseline of ages 12-29 from tick 0 on.
pub(super) fn params_at(p: &WParams, tick: i64) -> ScreenParams {
    let mut screen_params = p.screen;
    let trend = p.screen_trend * (tick.max(0) as f64 / 52.0);
    screen_params.base[0] += trend;
    screen_params.base[1] += trend;
    screen_params
}

/// Agent `i`'s screen hours per day this week (the band's baseline when the mechanism is off).
#[inline]
pub(super) fn next(cx: &Sweep<'_>, i: usize, lon: f64, rej: f64, anxious: bool) -> f32 {
    let (p, t, hh) = (cx.p, cx.t, cx.hh);
    let h = t.household[i] as usize;
    if p.on.screen_time {
        mechanisms::screen(
            cx.screen_params,
            cx.s.screen[i] as f64,
            band(t.age[i]),
            lon,
            rej,
            anxious,
            hh.parent_phone[h] as f64,
            hh.mediation[h] == 1,
        ) as f32
    } else {
        p.screen.base[band(t.age[i])] as f32
    }
}
