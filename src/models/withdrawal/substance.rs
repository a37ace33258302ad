//! Craving and substance use (phase 2, step 6).
//!
//! - **Reads**: t-1 `craving` and `substance`; this week's `loneliness` (step 3) and
//!   `days_avg` (step 5); the share of in-person ties in recovery (step 1); `traits.age`;
//!   services' craving relief (0 unless funded, from tick 1 on).
//! - **Writes**: `craving`, `substance`.
//! - **Acts**: every tick from the first burn-in tick.
//! - **Random**: stream `withdrawal.week`, word 3.
//! - **Owns**: `substance.*`, `mechanisms.substance_use` (kernels [`mechanisms::craving`] and
//!   [`mechanisms::substance_transition`]).

use super::contact::Gathered;
use super::mechanisms::{self, use_state};
use super::week::Sweep;

/// Agent `i`'s craving and use state this week (0 and none when the mechanism is off).
#[inline]
pub(super) fn step(
    cx: &Sweep<'_>,
    i: usize,
    g: &Gathered,
    lon: f64,
    avg: f64,
    word: u32,
) -> (f32, u8) {
    let (p, pol) = (cx.p, cx.pol);
    if !p.on.substance_use {
        return (0.0, use_state::NONE);
    }
    // Recovery-group members count only through their real ties (no floor).
    let share = if g.person_ties > 0 {
        g.recovery_ties as f64 / g.person_ties as f64
    } else {
        0.0
    };
    let relief = if pol.in_service(i) {
        pol.levers
            .as_ref()
            .map_or(0.0, |l| l.service_craving as f64)
    } else {
        0.0
    };
    let cr = (mechanisms::craving(&p.substance, cx.s.craving[i] as f64, lon, avg, share)
        - p.substance.rate * relief)
        .clamp(0.0, 1.0);
    let state = mechanisms::substance_transition(
        &p.substance,
        cx.s.substance[i],
        cr,
        cx.t.age[i],
        g.recovery_ties > 0,
        word,
    );
    (cr as f32, state)
}
