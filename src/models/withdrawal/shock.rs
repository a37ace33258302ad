//! A contact shock (e.g. pandemic restrictions): for `shock.weeks` weeks from tick
//! `shock.start`, everyone's propensity to leave home falls by `shock.days_out` (read by
//! phase 1, `days.rs`).
//!
//! - **Reads**: the recorded tick.
//! - **Writes**: nothing itself; it shifts the days-out intercept of the ticks it covers.
//! - **Acts**: from tick `shock.start` (0 or later) for `shock.weeks` weeks ([`first_tick`]).
//!   The burn-in's last week is tick 0, so a shock from tick 0 acts in the burn-in and its keys
//!   then enter the burn-in signature; a later one leaves the burn-in alone.
//! - **Random**: none.
//! - **Owns**: `shock.*`.

use super::burn_in::Acts;
use super::params::{DaysParams, WParams, W};
use crate::scenario::{ParamSpec, Params};

/// The keys this mechanism owns.
pub static SPECS: &[ParamSpec] = &[
    ParamSpec::int(
        "shock.start",
        0,
        0,
        10_000_000,
        "tick",
        "First tick of a contact shock (e.g. pandemic restrictions).",
        "scenario input",
        W,
    ),
    ParamSpec::int(
        "shock.weeks",
        0,
        0,
        10_000_000,
        "weeks",
        "Length of the contact shock (0: none).",
        "scenario input",
        W,
    ),
    ParamSpec::real(
        "shock.days_out",
        0.0,
        0.0,
        20.0,
        "log-odds",
        "Fall in everyone's propensity to leave home during the shock.",
        "scenario input",
        W,
    ),
];

/// When [`SPECS`] first act: from the shock's first tick.
pub(super) const ACTS: Acts = Acts::FromTick(first_tick);

/// The first tick the shock covers (`None`: no shock).
pub(super) fn first_tick(p: &Params) -> Option<i64> {
    (p.i64("shock.weeks") > 0).then(|| p.i64("shock.start"))
}

/// The days-out parameters at recorded tick `tick`: the intercept lowered while the shock lasts.
pub(super) fn days_params(p: &WParams, tick: i64) -> DaysParams {
    let mut days_params = p.days;
    if tick >= p.shock_start && tick < p.shock_start + p.shock_weeks {
        days_params.base -= p.shock_days_out;
    }
    days_params
}
