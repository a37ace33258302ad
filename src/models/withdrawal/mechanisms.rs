//! The weekly mechanisms, one documented function each. They are pure functions of an agent's
//! own values at tick t-1, of its neighbours' values (gathered by the caller), and of the
//! agent's random words at fixed positions; the model calls them from its sweep. Parameters
//! and their sources are in [`super::params`].

use super::params::{DaysParams, LonelyParams, ScreenParams, SubstanceParams};
use crate::engine::rng::{chance, unit};

/// Logistic function.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Standard logistic noise from one random word.
#[inline]
pub fn logistic_noise(word: u32) -> f64 {
    let u = (word as f64 + 0.5) / 4_294_967_296.0;
    (u / (1.0 - u)).ln()
}

/// What decides an agent's days out this week.
#[derive(Clone, Copy, Debug, Default)]
pub struct DaysInputs {
    /// Has school or work.
    pub role: bool,
    /// Total strength of in-person non-family ties.
    pub tie_strength: f64,
    /// Share of in-person non-family ties who went out 4+ days (running mean) last week.
    pub invited: f64,
    /// Shyness in [0, 1].
    pub shyness: f64,
    /// Anxious-ambivalent attachment.
    pub anxious: bool,
    /// Recent rejection in [0, 1].
    pub rejection: f64,
    /// Loneliness in [0, 1].
    pub loneliness: f64,
    /// Leisure screen hours per day.
    pub screen: f64,
    /// In active substance use.
    pub using: bool,
    /// Male.
    pub male: bool,
    /// Aged 18-29.
    pub young_adult: bool,
    /// Log-odds added by lasting traits (scar, avoidant attachment: [`super::susceptibility`]).
    pub shift: f64,
}

/// Mechanism 1, days out of home (0-7): the pull of in-person ties, school or work and
/// invitations, against shyness, anxiety, recent rejection, loneliness, screen time and
/// substance use, with weekly logistic noise. `days = min(7, floor(8 q))` with
/// `q = sigmoid(propensity + noise)`.
pub fn days_out(p: &DaysParams, x: &DaysInputs, word: u32) -> u8 {
    let b = |v: bool| f64::from(u8::from(v));
    let propensity = p.base
        + p.role * b(x.role)
        + p.pull * (1.0 - (-x.tie_strength / 2.0).exp())
        + p.invite * x.invited
        - p.shyness * x.shyness
        - p.anxious * b(x.anxious)
        - p.rejection * x.rejection
        - p.loneliness * x.loneliness
        - p.screen * x.screen
        - p.substance * b(x.using)
        - p.male * b(x.male)
        - p.young_adult * b(x.young_adult)
        + x.shift;
    let q = sigmoid(propensity + p.noise * logistic_noise(word));
    ((8.0 * q) as u8).min(7)
}

/// Mechanism 2, contact quality from the summed contact along ties: `1 - exp(-c / half)`,
/// in [0, 1]. In-person contact along a tie is its strength times the share of the week both
/// were out (household ties: times the family weight, every week); online contact is strength
/// times joint screen time over the reference.
#[inline]
pub fn contact_quality(summed: f64, half: f64) -> f64 {
    1.0 - (-summed / half).exp()
}

/// Mechanism 3, bullying: the chance of being victimised this week by any of `bully_contacts`
/// bullying contacts (bully ties plus the expected bullies met at school), each acting with probability `rate * targeting` (capped at 1), where
/// targeting rises with shyness and with weak ties: `(1 + s_shy * shyness)(1 + s_weak * (1 -
/// contact))`. Returns a probability in [0, 1].
pub fn victimisation_probability(rate: f64, bully_contacts: f64, targeting: f64) -> f64 {
    if bully_contacts <= 0.0 {
        return 0.0;
    }
    let per = (rate * targeting).clamp(0.0, 1.0);
    (1.0 - (1.0 - per).powf(bully_contacts)).clamp(0.0, 1.0)
}

/// The targeting multiplier of mechanism 3.
pub fn targeting(shyness: f64, contact: f64, s_shy: f64, s_weak: f64) -> f64 {
    (1.0 + s_shy * shyness) * (1.0 + s_weak * (1.0 - contact))
}

/// Mechanism 4a, rejection: decays each week; each victimisation adds a shock, larger for
/// anxious attachment. Stays in [0, 1].
pub fn rejection(
    p: &LonelyParams,
    previous: f64,
    shock: f64,
    victimisations: u32,
    anxious: bool,
) -> f64 {
    let sensitivity = if anxious { p.anxious_sensitivity } else { 1.0 };
    (previous * (1.0 - p.rejection_decay) + shock * sensitivity * victimisations as f64)
        .clamp(0.0, 1.0)
}

/// Mechanism 4b, loneliness: moves a share `rate` toward a target that mixes an individual
/// part, `sigmoid(base + place + deficit (1 - contact) + rejection_w rejection + shyness_w shyness +
/// noise)`, with the mean loneliness of one's contacts: `target = (1 - spread) individual +
/// spread contacts_mean` (household ties weigh less in the mean: Cacioppo et al. 2009 found
/// loneliness spreads more through friends than family). Because the mix is linear with
/// `spread < 1`, contagion alone cannot tip the whole population into loneliness, and the
/// association between agents falls off with each step of distance. `contacts_mean` is `None`
/// for an agent without in-person ties. Stays in [0, 1].
#[allow(clippy::too_many_arguments)]
pub fn loneliness(
    p: &LonelyParams,
    previous: f64,
    place: f64,
    contact: f64,
    rejection: f64,
    contacts_mean: Option<f64>,
    shyness: f64,
    word: u32,
) -> f64 {
    let individual = sigmoid(
        p.base
            + place
            + p.deficit * (1.0 - contact)
            + p.rejection * rejection
            + p.shyness * shyness
            + p.noise * logistic_noise(word),
    );
    let spread = p.spread.clamp(0.0, 1.0);
    let target = match contacts_mean {
        Some(m) => (1.0 - spread) * individual + spread * m,
        None => individual,
    };
    (previous + p.rate * (target - previous)).clamp(0.0, 1.0)
}

/// Mechanism 5, screen time (hours/day): moves toward a target that rises as soothing after
/// loneliness and rejection and with anxious attachment; for youth it follows parents' phone
/// use and falls with parental mediation. Stays in [0, 16].
#[allow(clippy::too_many_arguments)]
pub fn screen(
    p: &ScreenParams,
    previous: f64,
    band: usize,
    loneliness: f64,
    rejection: f64,
    anxious: bool,
    parent_phone: f64,
    mediated: bool,
) -> f64 {
    let mut target = p.base[band]
        + p.loneliness * loneliness
        + p.rejection * rejection
        + if anxious { p.anxious } else { 0.0 };
    if band == 0 {
        target += p.parent_phone * (parent_phone - 0.4);
        if mediated {
            target -= p.mediation;
        }
    }
    let target = target.clamp(0.0, 16.0);
    (previous + p.rate * (target - previous)).clamp(0.0, 16.0)
}

/// Substance-use states.
pub mod use_state {
    /// Not using.
    pub const NONE: u8 = 0;
    /// Active use.
    pub const USING: u8 = 1;
    /// In recovery.
    pub const RECOVERY: u8 = 2;
}

/// Mechanism 6a, craving: moves toward a target raised by loneliness and staying home and
/// lowered by ties to people in recovery (mutual aid). In [0, 1].
pub fn craving(
    p: &SubstanceParams,
    previous: f64,
    loneliness: f64,
    days_avg: f64,
    recovery_tie_share: f64,
) -> f64 {
    let target =
        (p.craving_base + p.loneliness * loneliness + p.isolation * (1.0 - days_avg / 7.0)
            - p.recovery_ties * recovery_tie_share)
            .clamp(0.0, 1.0);
    (previous + p.rate * (target - previous)).clamp(0.0, 1.0)
}

/// Mechanism 6b, substance-use transitions: onset (ages 15+, hazard `onset * craving^2`),
/// recovery (`quit * (1 - craving)`, times the mutual-aid risk ratio with a tie to someone in
/// recovery), relapse (`relapse * 2 * craving`) and sustained remission, recovery back to
/// none (`remission * (1 - craving)`), without which recovery was absorbing and the recovery
/// stock grew for decades (review W4).
pub fn substance_transition(
    p: &SubstanceParams,
    state: u8,
    craving: f64,
    age: u8,
    recovery_tie: bool,
    word: u32,
) -> u8 {
    match state {
        use_state::NONE if age >= 15 && chance(word, p.onset * craving * craving) => {
            use_state::USING
        }
        use_state::USING => {
            let rr = if recovery_tie { p.mutual_aid_rr } else { 1.0 };
            if chance(word, p.quit * (1.0 - craving) * rr) {
                use_state::RECOVERY
            } else {
                use_state::USING
            }
        }
        use_state::RECOVERY => {
            let relapse = p.relapse * 2.0 * craving;
            if chance(word, relapse) {
                use_state::USING
            } else if chance(word, relapse + p.remission * (1.0 - craving)) {
                use_state::NONE
            } else {
                use_state::RECOVERY
            }
        }
        s => s,
    }
}

/// Withdrawal severity grades (Kato, Kanba & Teo 2019).
pub mod severity {
    /// Leaves home 4+ days a week on average: not isolated.
    pub const NONE: u8 = 0;
    /// 2-3 days.
    pub const MILD: u8 = 1;
    /// 1 day or less.
    pub const MODERATE: u8 = 2;
    /// Rarely leaves one's room.
    pub const SEVERE: u8 = 3;
}

/// Mechanism 8, withdrawal state from the running mean of days out: severity grade by Kato et
/// al.'s thresholds (a mean below 3.5 days is marked isolation; below 1.5 moderate; below
/// `severe_below` severe).
pub fn severity_of(days_avg: f64, severe_below: f64) -> u8 {
    if days_avg >= 3.5 {
        severity::NONE
    } else if days_avg >= 1.5 {
        severity::MILD
    } else if days_avg >= severe_below {
        severity::MODERATE
    } else {
        severity::SEVERE
    }
}

/// Weeks of continuous marked isolation needed to count as hikikomori (6 months).
pub const HIKIKOMORI_WEEKS: u16 = 26;

/// Mechanism 7 (per tie), tie strength: grows with joint contact `together` in [0, 1] and
/// decays without it. Symmetric in the two ends, so both copies of a tie stay equal.
#[inline]
pub fn tie_strength(w: f32, together: f32, grow: f32, decay: f32) -> f32 {
    (w + grow * together * (1.0 - w) - decay * (1.0 - together) * w).clamp(0.0, 1.0)
}

/// A uniform draw in [0, 1) (re-export for mechanisms that need one).
#[inline]
pub fn u01(word: u32) -> f64 {
    unit(word)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::substance_params;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn probabilities_and_levels_stay_in_range(rate in 0.0f64..1.0, ties in 0u32..50, shy in 0.0f64..1.0,
            contact in 0.0f64..1.0, word: u32, prev in 0.0f64..1.0, rej in 0.0f64..1.0) {
            let p = victimisation_probability(rate, ties as f64, targeting(shy, contact, 1.5, 1.0));
            prop_assert!((0.0..=1.0).contains(&p));
            let lp = LonelyParams { base: -2.6, deficit: 3.0, rejection: 2.0, spread: 0.5, family_weight: 0.25, shyness: 0.5, rate: 0.15,
                noise: 0.5, threshold: 0.5, anxious_sensitivity: 1.6, rejection_decay: 0.1 };
            let l = loneliness(&lp, prev, 0.0, contact, rej, Some(prev), shy, word);
            prop_assert!((0.0..=1.0).contains(&l));
            prop_assert!((0.0..=1.0).contains(&rejection(&lp, rej, 0.5, 3, true)));
            let w = tie_strength(prev as f32, contact as f32, 0.1, 0.04);
            prop_assert!((0.0..=1.0).contains(&w));
        }
    }

    #[test]
    fn recovery_is_left_by_relapse_or_by_remission() {
        let p = substance_params();
        let rec = use_state::RECOVERY;
        let count = |to: u8, craving: f64| {
            (0..200_000u32)
                .filter(|k| {
                    let word = k.wrapping_mul(21_475);
                    substance_transition(&p, rec, craving, 30, false, word) == to
                })
                .count() as f64
                / 200_000.0
        };
        // craving 0.25: relapse 0.015 x 2 x 0.25, remission 0.004 x 0.75.
        assert!((count(use_state::USING, 0.25) - 0.0075).abs() < 0.001);
        assert!((count(use_state::NONE, 0.25) - 0.003).abs() < 0.001);
        let p0 = SubstanceParams {
            remission: 0.0,
            ..p
        };
        assert_eq!(substance_transition(&p0, rec, 0.0, 30, false, 0), rec);
    }

    #[test]
    fn severity_grades_follow_kato() {
        assert_eq!(severity_of(5.0, 0.5), severity::NONE);
        assert_eq!(severity_of(2.5, 0.5), severity::MILD);
        assert_eq!(severity_of(1.0, 0.5), severity::MODERATE);
        assert_eq!(severity_of(0.2, 0.5), severity::SEVERE);
    }

    #[test]
    fn more_pull_means_more_days_out() {
        let p = DaysParams {
            base: 0.0,
            role: 1.0,
            pull: 1.5,
            invite: 0.5,
            shyness: 1.0,
            anxious: 0.4,
            rejection: 2.0,
            loneliness: 2.5,
            screen: 0.25,
            substance: 0.8,
            male: 0.5,
            young_adult: 0.4,
            noise: 0.0,
        };
        let home = DaysInputs {
            loneliness: 0.9,
            rejection: 0.8,
            screen: 8.0,
            ..Default::default()
        };
        let out = DaysInputs {
            role: true,
            tie_strength: 5.0,
            invited: 1.0,
            ..Default::default()
        };
        assert!(days_out(&p, &out, 1 << 31) > days_out(&p, &home, 1 << 31));
    }
}
