//! Policy levers and their funding: what a budget buys each week, kept apart from the model
//! so the same accounting serves every scenario and a comparison of arms.
//!
//! A scenario sets a yearly budget and its split between four levers: one-to-one services,
//! community building (bridging events and standing recovery groups), parenting support and an
//! anti-bullying programme. A funding schedule can change the budget and split at given ticks
//! (e.g. moving community money to individual services in year 3). Each week one fifty-second
//! of the yearly amount is available per lever; what is not used is reported, never carried
//! over, and spending can never exceed what is available ([`Ledger::spend`]).

use serde::Serialize;

use crate::error::{Error, Location, Result};
use crate::scenario::{Applies, Dv, Kind, ParamSpec, Params};

const W: Applies = Applies::When {
    key: "model",
    values: &["withdrawal"],
};

macro_rules! real {
    ($k:literal, $d:expr, $lo:expr, $hi:expr, $u:literal, $m:literal, $s:literal) => {
        ParamSpec::real($k, $d, $lo, $hi, $u, $m, $s, W)
    };
}

/// Policy parameters.
pub static SPECS: &[ParamSpec] = &[
    real!("policy.budget", 0.0, 0.0, 1e12, "money per year", "Yearly budget for all levers (0: no policy).", "scenario input"),
    real!("policy.services_share", 0.0, 0.0, 1.0, "share of budget", "Share of the budget for one-to-one services (therapy, peer support).", "scenario input"),
    real!("policy.community_share", 0.0, 0.0, 1.0, "share of budget", "Share for community building: bridging events and standing recovery groups.", "scenario input"),
    real!("policy.parenting_share", 0.0, 0.0, 1.0, "share of budget", "Share for parenting support.", "scenario input"),
    real!("policy.anti_bullying_share", 0.0, 0.0, 1.0, "share of budget", "Share for a school anti-bullying programme.", "scenario input"),
    ParamSpec { key: "policy.currency", kind: Kind::Text, default: Dv::S("money units"), unit: "text", meaning: "Name of the currency every cost and budget is in, shown beside every amount in the outputs (e.g. \"GBP\", \"JPY\").", source: "scenario input (the shipped costs are in no particular currency)", applies: W },
    real!("policy.discount_rate", 0.0, 0.0, 0.2, "per year", "Annual discount rate applied weekly to costs and person-years in comparisons (0: none).", "scenario input; 0.035 is the NICE reference case"),
    ParamSpec { key: "policy.schedule_ticks", kind: Kind::IntList { min: 0, max: 10_000_000 }, default: Dv::None, unit: "ticks", meaning: "Ticks at which the budget and split change (increasing); each list below gives the new value per change.", source: "scenario input", applies: W },
    ParamSpec { key: "policy.schedule_budget", kind: Kind::FloatList { min: 0.0, max: 1e12 }, default: Dv::None, unit: "money per year", meaning: "Budget from each schedule tick on.", source: "scenario input", applies: W },
    ParamSpec { key: "policy.schedule_services_share", kind: Kind::FloatList { min: 0.0, max: 1.0 }, default: Dv::None, unit: "share", meaning: "Services share from each schedule tick on.", source: "scenario input", applies: W },
    ParamSpec { key: "policy.schedule_community_share", kind: Kind::FloatList { min: 0.0, max: 1.0 }, default: Dv::None, unit: "share", meaning: "Community share from each schedule tick on.", source: "scenario input", applies: W },
    ParamSpec { key: "policy.schedule_parenting_share", kind: Kind::FloatList { min: 0.0, max: 1.0 }, default: Dv::None, unit: "share", meaning: "Parenting share from each schedule tick on.", source: "scenario input", applies: W },
    ParamSpec { key: "policy.schedule_anti_bullying_share", kind: Kind::FloatList { min: 0.0, max: 1.0 }, default: Dv::None, unit: "share", meaning: "Anti-bullying share from each schedule tick on.", source: "scenario input", applies: W },
    // Services.
    real!("services.cost_per_client_week", 150.0, 0.01, 1e9, "money per client-week", "Cost of one client in one-to-one services for one week.", "assumption (order of a weekly therapy or peer-support session)"),
    real!("services.weeks", 12.0, 1.0, 520.0, "weeks", "Length of one course of service.", "assumption (typical 8-16 session course)"),
    real!("services.referral", 0.05, 0.0, 1.0, "probability per week", "Chance a lonely, using or isolated agent who goes out every day is detected or referred.", "assumption"),
    real!("services.outreach", 0.2, 0.0, 1.0, "relative reach", "How reachable an agent who stays home is, relative to one who goes out every day (1 = no disadvantage).", "assumption (home-bound people rarely present to services)"),
    real!("services.loneliness_effect", 0.35, 0.0, 10.0, "log-odds", "Fall in the loneliness target while in service; fades afterwards.", "Lasgaard et al. 2022: SMD -0.47 in RCTs (sized to about that shift on the model's loneliness scale)"),
    real!("services.craving_effect", 0.1, 0.0, 1.0, "craving units", "Fall in the craving target while in service.", "assumption"),
    real!("services.fade", 0.05, 0.0, 1.0, "per week", "Share of the benefit lost each week after a course ends.", "Lasgaard et al. 2022: effects hold 1-6 months"),
    // Community building.
    real!("community.cost_per_event", 3000.0, 0.01, 1e9, "money per event", "Cost of one bridging event (arts, volunteering, neighbourhood gathering).", "assumption"),
    real!("community.capacity", 30.0, 2.0, 10_000.0, "attendees", "Most people one event can hold.", "assumption"),
    real!("community.attend", 0.15, 0.0, 1.0, "probability", "Chance an invited agent with no invited contacts comes.", "assumption"),
    real!("community.contagion", 0.5, 0.0, 10.0, "per invited contact", "Each invited contact raises the odds of coming by this factor (complex contagion).", "assumption (Centola: behaviour spreads through multiple contacts)"),
    real!("community.ties_per_attendee", 1.5, 0.0, 100.0, "ties", "New ties each attendee makes with other attendees (bridging when groups differ).", "assumption"),
    real!("community.strengthen", 0.1, 0.0, 1.0, "strength", "Added to ties between attendees who already knew each other.", "assumption"),
    real!("community.loneliness_effect", 0.35, 0.0, 10.0, "log-odds", "Fall in the loneliness target after attending; fades like services.", "Lasgaard et al. 2022: community groups, choirs, arts SMD -0.46"),
    real!("community.recovery_fraction", 0.3, 0.0, 1.0, "share of community budget", "Share of the community budget for standing recovery groups and mutual-aid meetings.", "assumption; RCSP history (community-focused recovery funding)"),
    real!("community.cost_per_member_week", 20.0, 0.01, 1e9, "money per member-week", "Cost of one recovery-group member for one week.", "Kelly et al. 2020: centres with $17k-$760k a year and dozens to 2,000 visitors a month"),
    real!("community.join", 0.05, 0.0, 1.0, "probability per week", "Chance a person in active use or recovery joins a recovery group with a free place.", "assumption"),
    // Parenting and anti-bullying.
    real!("parenting.cost_per_household", 1500.0, 0.01, 1e9, "money per household", "Cost of a parenting-support course for one household with youth.", "assumption"),
    real!("parenting.effect", 0.5, 0.0, 1.0, "probability", "Chance a course turns rejecting parenting supportive; every course starts screen-time mediation.", "Ren & Zhu 2022 (mediation lowers online time); size assumption"),
    real!("anti_bullying.cost_per_school_year", 15000.0, 0.01, 1e9, "money per school-year", "Cost of the programme in one school (neighbourhood) for a year.", "assumption"),
    real!("anti_bullying.effect", 0.2, 0.0, 1.0, "share", "Fall in bullying rates in a covered school.", "Gaffney, Ttofi & Farrington 2019 meta-analysis: about 19-20% less victimisation"),
];

/// The levers, in a fixed order used for accounting and outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Lever {
    /// One-to-one services.
    Services = 0,
    /// Bridging events and recovery groups.
    Community = 1,
    /// Parenting support.
    Parenting = 2,
    /// Anti-bullying programme.
    AntiBullying = 3,
}

impl Lever {
    /// All levers.
    pub const ALL: [Lever; 4] = [
        Lever::Services,
        Lever::Community,
        Lever::Parenting,
        Lever::AntiBullying,
    ];

    /// Name in outputs.
    pub fn name(self) -> &'static str {
        ["services", "community", "parenting", "anti_bullying"][self as usize]
    }
}

/// Budget and split in force from a tick on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Funding {
    /// First tick (recorded ticks; 0 = start).
    pub from_tick: i64,
    /// Yearly budget.
    pub budget: f64,
    /// Share per lever, in [`Lever`] order (sum at most 1).
    pub shares: [f64; 4],
}

/// The funding schedule: the initial funding and any changes, by tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Entries in increasing `from_tick`.
    pub entries: Vec<Funding>,
}

impl Schedule {
    /// Reads and checks the schedule (lists of equal length, increasing ticks, shares summing to
    /// at most 1).
    pub fn from_params(p: &Params) -> Result<Schedule> {
        let at = |key: &str| {
            p.location(key)
                .cloned()
                .unwrap_or_else(|| Location::Set(key.to_string()))
        };
        let bad = |key: &str, message: String| Error::Scenario {
            location: at(key),
            message,
        };
        let shares = |s: [f64; 4], key: &str| -> Result<[f64; 4]> {
            if s.iter().sum::<f64>() > 1.0 + 1e-9 {
                return Err(bad(
                    key,
                    format!(
                        "policy shares add up to {:.3}; they must add up to at most 1",
                        s.iter().sum::<f64>()
                    ),
                ));
            }
            Ok(s)
        };
        let first = shares(
            [
                p.f64("policy.services_share"),
                p.f64("policy.community_share"),
                p.f64("policy.parenting_share"),
                p.f64("policy.anti_bullying_share"),
            ],
            "policy.services_share",
        )?;
        let mut entries = vec![Funding {
            from_tick: i64::MIN,
            budget: p.f64("policy.budget"),
            shares: first,
        }];
        let ticks: Vec<i64> = match p.get("policy.schedule_ticks") {
            Some(crate::scenario::Value::IntList(v)) => v.clone(),
            _ => Vec::new(),
        };
        if ticks.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad(
                "policy.schedule_ticks",
                "`policy.schedule_ticks` must be increasing".into(),
            ));
        }
        let list = |key: &str| -> Result<Option<Vec<f64>>> {
            match p.get(key) {
                Some(crate::scenario::Value::FloatList(v)) => {
                    if v.len() != ticks.len() {
                        return Err(bad(
                            key,
                            format!(
                                "`{key}` has {} values but `policy.schedule_ticks` has {}",
                                v.len(),
                                ticks.len()
                            ),
                        ));
                    }
                    Ok(Some(v.clone()))
                }
                _ => Ok(None),
            }
        };
        let budgets = list("policy.schedule_budget")?;
        let lists = [
            list("policy.schedule_services_share")?,
            list("policy.schedule_community_share")?,
            list("policy.schedule_parenting_share")?,
            list("policy.schedule_anti_bullying_share")?,
        ];
        for (k, &t) in ticks.iter().enumerate() {
            let prev = *entries.last().expect("initial entry");
            let mut s = prev.shares;
            for (lever, l) in lists.iter().enumerate() {
                if let Some(v) = l {
                    s[lever] = v[k];
                }
            }
            let budget = budgets.as_ref().map(|b| b[k]).unwrap_or(prev.budget);
            entries.push(Funding {
                from_tick: t,
                budget,
                shares: shares(s, "policy.schedule_ticks")?,
            });
        }
        Ok(Schedule { entries })
    }

    /// The funding in force at `tick`.
    pub fn at(&self, tick: i64) -> Funding {
        *self
            .entries
            .iter()
            .rev()
            .find(|f| f.from_tick <= tick)
            .unwrap_or(&self.entries[0])
    }

    /// Whether any money is ever spent.
    pub fn is_active(&self) -> bool {
        self.entries
            .iter()
            .any(|f| f.budget > 0.0 && f.shares.iter().any(|&s| s > 0.0))
    }
}

/// Money available and spent, per lever, this week and in total.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Ledger {
    /// Available this week per lever.
    pub available: [f64; 4],
    /// Spent this week per lever.
    pub spent_week: [f64; 4],
    /// Spent since tick 0 per lever.
    pub spent_total: [f64; 4],
    /// Available but unspent since tick 0 per lever.
    pub unspent_total: [f64; 4],
}

impl Ledger {
    /// Opens a week under `funding`.
    pub fn open_week(&mut self, funding: &Funding) {
        for l in 0..4 {
            self.available[l] = funding.budget * funding.shares[l] / 52.0;
            self.spent_week[l] = 0.0;
        }
    }

    /// How many units costing `unit_cost` the lever can still buy this week.
    pub fn affordable(&self, lever: Lever, unit_cost: f64) -> u64 {
        let left = self.available[lever as usize] - self.spent_week[lever as usize];
        if unit_cost <= 0.0 || left <= 0.0 {
            0
        } else {
            // A tiny epsilon so that e.g. 300 / 150 buys exactly 2 despite rounding.
            ((left / unit_cost) * (1.0 + 1e-12)).floor() as u64
        }
    }

    /// Spends `units * unit_cost` on `lever`; refuses (returns false) anything beyond this
    /// week's money.
    pub fn spend(&mut self, lever: Lever, units: u64, unit_cost: f64) -> bool {
        if units > self.affordable(lever, unit_cost) {
            return false;
        }
        let cost = units as f64 * unit_cost;
        self.spent_week[lever as usize] += cost;
        true
    }

    /// Closes the week: adds this week's spending and leftovers to the totals (only for
    /// recorded ticks, `count = true`).
    pub fn close_week(&mut self, count: bool) {
        if !count {
            return;
        }
        for l in 0..4 {
            self.spent_total[l] += self.spent_week[l];
            self.unspent_total[l] += (self.available[l] - self.spent_week[l]).max(0.0);
        }
    }

    /// Total spent on all levers since tick 0.
    pub fn total_spent(&self) -> f64 {
        self.spent_total.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn spending_never_exceeds_the_weekly_budget(budget in 0.0f64..1e7, share in 0.0f64..1.0,
            cost in 1.0f64..5000.0, asks in proptest::collection::vec(0u64..1000, 1..20)) {
            let mut l = Ledger::default();
            l.open_week(&Funding { from_tick: 0, budget, shares: [share, 0.0, 0.0, 0.0] });
            for a in asks {
                let _ = l.spend(Lever::Services, a, cost);
                prop_assert!(l.spent_week[0] <= l.available[0] * (1.0 + 1e-9) + 1e-9);
            }
            l.close_week(true);
            prop_assert!(l.spent_total[0] + l.unspent_total[0] <= l.available[0] * (1.0 + 1e-9) + 1e-6);
        }
    }

    #[test]
    fn schedule_switches_at_its_ticks() {
        let s = crate::scenario::Scenario::from_sets(
            "x",
            &[
                "model=withdrawal".into(),
                "policy.budget=1000".into(),
                "policy.community_share=1".into(),
                "policy.schedule_ticks=[104]".into(),
                "policy.schedule_services_share=[1.0]".into(),
                "policy.schedule_community_share=[0.0]".into(),
            ],
        )
        .unwrap();
        let sch = Schedule::from_params(&s.params).unwrap();
        assert_eq!(sch.at(0).shares, [0.0, 1.0, 0.0, 0.0]);
        assert_eq!(sch.at(104).shares, [1.0, 0.0, 0.0, 0.0]);
        assert_eq!(sch.at(103).budget, 1000.0);
    }

    #[test]
    fn over_allocated_shares_are_rejected() {
        let s = crate::scenario::Scenario::from_sets(
            "x",
            &[
                "model=withdrawal".into(),
                "policy.services_share=0.7".into(),
                "policy.community_share=0.6".into(),
            ],
        );
        assert!(s.unwrap_err().to_string().contains("at most 1"));
    }
}
