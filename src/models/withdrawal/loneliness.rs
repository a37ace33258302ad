//! Rejection and loneliness (phase 2, step 3).
//!
//! - **Reads**: t-1 `rejection` and `loneliness`; this week's victimisations (step 2) and felt
//!   contact (step 1); the strength-weighted loneliness of in-person contacts (step 1);
//!   `traits.shyness`, `traits.attachment`; the neighbourhood's loneliness effect; a policy
//!   benefit (0 unless funded, from tick 1 on).
//! - **Writes**: `rejection`, `loneliness`.
//! - **Acts**: every tick from the first burn-in tick.
//! - **Random**: stream `withdrawal.week`, word 2 (loneliness noise).
//! - **Owns**: `loneliness.*`, `bullying.shock`, `mechanisms.loneliness`,
//!   `mechanisms.loneliness_spread` (kernels [`mechanisms::rejection`] and
//!   [`mechanisms::loneliness`]).

use super::contact::Gathered;
use super::mechanisms;
use super::week::Sweep;

/// Agent `i`'s rejection this week, after `victimisations` (0-2) this week.
#[inline]
pub(super) fn rejection(cx: &Sweep<'_>, i: usize, victimisations: u32, anxious: bool) -> f64 {
    let p = cx.p;
    mechanisms::rejection(
        &p.lonely,
        cx.s.rejection[i] as f64,
        p.bully_shock,
        victimisations,
        anxious,
    )
}

/// Agent `i`'s loneliness this week (0 when the mechanism is off).
#[inline]
pub(super) fn next(cx: &Sweep<'_>, i: usize, g: &Gathered, felt: f64, rej: f64, word: u32) -> f64 {
    let (p, t) = (cx.p, cx.t);
    if !p.on.loneliness {
        return 0.0;
    }
    let spread = if p.on.loneliness_spread && g.lonely_w > 0.0 {
        Some(g.lonely_sum / g.lonely_w)
    } else {
        None
    };
    mechanisms::loneliness(
        &p.lonely,
        cx.s.loneliness[i] as f64,
        (cx.nb.lonely_effect[t.neighbourhood[i] as usize] - cx.pol.benefit_of(i)) as f64,
        felt,
        rej,
        spread,
        t.shyness[i] as f64,
        word,
    )
}
