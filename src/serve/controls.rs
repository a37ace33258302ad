//! The page's sliders: what each one says in plain words, which model parameters it sets, in
//! which unit, and within which range. A slider's value is checked here before it reaches a
//! scenario, and the scenario then checks the parameters again, so a bad value is refused
//! twice over with a message rather than reaching the model.
//!
//! The twin worlds share the "world" sliders (what happens to everyone) and differ in the
//! "policy" sliders, which act only in the world with the policy.

use serde::Serialize;

use crate::scenario::Scenario;

/// Calibrated in-person bullying rate (the model default of `bullying.traditional`).
const BULLY_TRAD: f64 = 0.0037;
/// Calibrated online bullying rate (the model default of `bullying.cyber`).
const BULLY_CYBER: f64 = 0.00034;
/// Length of a contact shock switched on from the page with no end in the story (weeks).
const OPEN_SHOCK_WEEKS: i64 = 1_000_000;

/// Which twin a slider acts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Twin {
    /// Both worlds.
    Both,
    /// Only the world with the policy.
    Policy,
}

/// One slider.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Control {
    /// Name in requests.
    pub id: &'static str,
    /// Label on the page.
    pub label: &'static str,
    /// One sentence under the label.
    pub help: &'static str,
    /// Unit shown beside the value.
    pub unit: &'static str,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Slider step.
    pub step: f64,
    /// Which twin it acts in.
    pub twin: Twin,
    /// The model parameters it sets.
    pub keys: &'static [&'static str],
}

/// Every slider, in page order.
pub const CONTROLS: &[Control] = &[
    Control { id: "bullying", label: "Bullying", help: "How often bullies pick on other youth, in school and online. 1 = today's rate (about 1 in 4 youth bullied in person each year).", unit: "x today's rate", min: 0.0, max: 4.0, step: 0.1, twin: Twin::Both, keys: &["bullying.traditional", "bullying.cyber"] },
    Control { id: "parent_phone", label: "Parents' phone use", help: "How much parents are on their own phones (0 = never, 1 = always). Youth copy it, and it weakens secure attachment in new children.", unit: "0-1 scale", min: 0.0, max: 1.0, step: 0.05, twin: Twin::Both, keys: &["population.parent_phone_mean"] },
    Control { id: "screen_trend", label: "Screen-time trend", help: "Extra leisure screen time at ages 12-29, added every year from week 0 (a smartphone rollout).", unit: "hours/day per year", min: -1.0, max: 2.0, step: 0.1, twin: Twin::Both, keys: &["screen.trend_per_year"] },
    Control { id: "shock", label: "Contact shock", help: "How hard going out is made for everyone (a lockdown). 0 = none. Without a shock in the story it starts next week and lasts until set back to 0.", unit: "log-odds of going out", min: 0.0, max: 3.0, step: 0.1, twin: Twin::Both, keys: &["shock.days_out", "shock.start", "shock.weeks"] },
    Control { id: "budget", label: "Budget", help: "Money a year for the policy (0 = the twins are identical).", unit: "money per year", min: 0.0, max: 5_000_000.0, step: 50_000.0, twin: Twin::Policy, keys: &["policy.budget"] },
    Control { id: "community", label: "Services vs community", help: "How the money not earmarked below is split: 0 = all one-to-one services (therapy, peer support), 1 = all community (bridging events and recovery groups).", unit: "community share", min: 0.0, max: 1.0, step: 0.05, twin: Twin::Policy, keys: &["policy.services_share", "policy.community_share"] },
    Control { id: "anti_bullying", label: "Anti-bullying programme", help: "Share of the budget for school anti-bullying programmes (about 20% less bullying in a covered school).", unit: "share of budget", min: 0.0, max: 0.5, step: 0.05, twin: Twin::Policy, keys: &["policy.anti_bullying_share"] },
];

/// The sliders' values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Settings {
    /// Bullying multiple of the calibrated rates.
    pub bullying: f64,
    /// Parents' phone use.
    pub parent_phone: f64,
    /// Screen-time trend.
    pub screen_trend: f64,
    /// Contact shock strength.
    pub shock: f64,
    /// Budget.
    pub budget: f64,
    /// Community share of the services + community money.
    pub community: f64,
    /// Anti-bullying share of the budget.
    pub anti_bullying: f64,
}

impl Settings {
    /// The sliders' positions for a story's scenario (the world with the policy).
    pub fn of(s: &Scenario) -> Settings {
        let p = &s.params;
        let services = p.f64("policy.services_share");
        let community = p.f64("policy.community_share");
        Settings {
            bullying: p.f64("bullying.traditional") / BULLY_TRAD,
            parent_phone: p.f64("population.parent_phone_mean"),
            screen_trend: p.f64("screen.trend_per_year"),
            shock: p.f64("shock.days_out"),
            budget: p.f64("policy.budget"),
            community: if services + community > 0.0 {
                community / (services + community)
            } else {
                0.5
            },
            anti_bullying: p.f64("policy.anti_bullying_share"),
        }
    }

    /// The value of slider `id`.
    pub fn get(&self, id: &str) -> Option<f64> {
        Some(match id {
            "bullying" => self.bullying,
            "parent_phone" => self.parent_phone,
            "screen_trend" => self.screen_trend,
            "shock" => self.shock,
            "budget" => self.budget,
            "community" => self.community,
            "anti_bullying" => self.anti_bullying,
            _ => return None,
        })
    }

    /// Sets slider `id` to `value` after checking both; the message names the allowed values.
    pub fn set(&mut self, id: &str, value: f64) -> Result<(), String> {
        let Some(c) = CONTROLS.iter().find(|c| c.id == id) else {
            let ids: Vec<&str> = CONTROLS.iter().map(|c| c.id).collect();
            return Err(format!(
                "unknown setting `{id}`; allowed: {}",
                ids.join(", ")
            ));
        };
        if !value.is_finite() || value < c.min || value > c.max {
            return Err(format!(
                "`{id}` = {value} is out of range; allowed: {} to {} ({})",
                c.min, c.max, c.unit
            ));
        }
        let slot = match id {
            "bullying" => &mut self.bullying,
            "parent_phone" => &mut self.parent_phone,
            "screen_trend" => &mut self.screen_trend,
            "shock" => &mut self.shock,
            "budget" => &mut self.budget,
            "community" => &mut self.community,
            _ => &mut self.anti_bullying,
        };
        *slot = value;
        Ok(())
    }

    /// The `key=value` overrides these settings make on `story` for the twin with or without
    /// the policy; `shock_from` is the week a contact shock switched on here starts.
    pub fn sets(&self, story: &Scenario, with_policy: bool, shock_from: u32) -> Vec<String> {
        let p = &story.params;
        let mut out = vec![
            format!("bullying.traditional={:?}", BULLY_TRAD * self.bullying),
            format!("bullying.cyber={:?}", BULLY_CYBER * self.bullying),
            format!("population.parent_phone_mean={:?}", self.parent_phone),
            format!("screen.trend_per_year={:?}", self.screen_trend),
            format!("shock.days_out={:?}", self.shock),
        ];
        if self.shock > 0.0 && p.i64("shock.weeks") == 0 {
            out.push(format!("shock.start={}", shock_from.max(1)));
            out.push(format!("shock.weeks={OPEN_SHOCK_WEEKS}"));
        }
        if with_policy {
            let parenting = p.f64("policy.parenting_share");
            let anti = self.anti_bullying.min(1.0 - parenting).max(0.0);
            let rest = (1.0 - parenting - anti).max(0.0);
            out.push(format!("policy.budget={:?}", self.budget));
            out.push(format!("policy.anti_bullying_share={anti:?}"));
            out.push(format!(
                "policy.community_share={:?}",
                rest * self.community
            ));
            out.push(format!(
                "policy.services_share={:?}",
                rest * (1.0 - self.community)
            ));
        } else {
            out.push("policy.budget=0.0".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_a_scenario() {
        let base = Scenario::from_sets("t", &["model=withdrawal".into()]).unwrap();
        let mut s = Settings::of(&base);
        s.set("bullying", 2.0).unwrap();
        s.set("budget", 1_000_000.0).unwrap();
        s.set("community", 0.75).unwrap();
        s.set("anti_bullying", 0.2).unwrap();
        let policy = base.with_sets(&s.sets(&base, true, 0)).unwrap();
        let back = Settings::of(&policy);
        assert!((back.bullying - 2.0).abs() < 1e-12);
        assert!((back.community - 0.75).abs() < 1e-12);
        assert_eq!(back.budget, 1_000_000.0);
        let plain = base.with_sets(&s.sets(&base, false, 0)).unwrap();
        assert_eq!(plain.params.f64("policy.budget"), 0.0);
    }

    #[test]
    fn bad_settings_are_refused_with_the_allowed_values() {
        let mut s = Settings::of(&Scenario::from_sets("t", &["model=withdrawal".into()]).unwrap());
        assert!(s
            .set("bullying", -1.0)
            .unwrap_err()
            .contains("allowed: 0 to 4"));
        assert!(s.set("bullying", f64::NAN).is_err());
        assert!(s
            .set("volume", 1.0)
            .unwrap_err()
            .contains("allowed: bullying"));
        for c in CONTROLS {
            assert!(s.get(c.id).is_some());
            s.set(c.id, c.max).unwrap();
            assert_eq!(s.get(c.id), Some(c.max));
        }
    }
}
