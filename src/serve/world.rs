//! The one place `cocoon serve` touches the withdrawal model. Everything the page shows (the
//! weekly series, the sampled network, one agent's story) and everything it changes (settings
//! mid-run) goes through here, so a change inside `models::withdrawal` needs a change in this
//! file only.
//!
//! A world is built exactly as `cocoon run` builds replicate 0 (`Withdrawal::new` on
//! `Streams::new(seed, 0)`, the policy installed, the burn-in run) and observed with the same
//! `Model::observe` into the same `Series`, so its numbers are the CLI's numbers. The twin worlds
//! share one burn-in: their scenarios differ only in policy keys, which act from week 1 (the
//! model's own `execute_sharing_burn_in` rests on the same fact and a test checks it).

use serde::Serialize;

use crate::engine::{Exec, Model, Recorder, Series, Streams};
use crate::error::{Error, Result};
use crate::graph::Layer;
use crate::models::withdrawal::mechanisms::use_state;
use crate::models::withdrawal::params::WParams;
use crate::models::withdrawal::population::attachment;
use crate::models::withdrawal::{burn_in_signature, flag, Withdrawal};
use crate::scenario::Scenario;

/// A population burnt in and ready for week 1, kept so that a reset with the same burn-in
/// inputs need not burn in again.
#[derive(Clone)]
pub struct Warm {
    signature: String,
    model: Withdrawal,
}

impl Warm {
    /// Builds and burns in replicate 0 of `scenario` (its policy keys play no part).
    pub fn build(scenario: &Scenario) -> Result<Warm> {
        if scenario.model != "withdrawal" {
            return Err(Error::Model(format!(
                "the workshop page runs the withdrawal model, not `{}`",
                scenario.model
            )));
        }
        let mut model = Withdrawal::new(
            WParams::from_params(&scenario.params),
            Streams::new(scenario.seed, 0),
        );
        model.burn_in(Exec::Parallel);
        Ok(Warm {
            signature: burn_in_signature(scenario),
            model,
        })
    }

    /// Whether `scenario` reaches week 0 in this state.
    pub fn fits(&self, scenario: &Scenario) -> bool {
        self.signature == burn_in_signature(scenario)
    }
}

/// One running world: the model, its series so far and its current week.
pub struct World {
    model: Withdrawal,
    series: Series,
    week: u32,
}

/// An agent's state as the page colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// None of the below.
    Active,
    /// Lonely, but not isolated.
    Lonely,
    /// Marked isolation for under 26 weeks.
    Isolated,
    /// Marked isolation for 26 weeks or more.
    Hikikomori,
    /// In services, a recovery group, or recovering from substance use.
    InRecovery,
}

/// A tie between two sampled agents.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Edge {
    /// Position of one end in the sample.
    pub a: u32,
    /// Position of the other end.
    pub b: u32,
    /// `family`, `bonding` (same group), `bridging` (across groups) or `online`.
    pub kind: &'static str,
    /// Tie strength in [0, 1].
    pub w: f32,
}

/// The sampled network at the current week.
#[derive(Clone, Debug, Serialize)]
pub struct Network {
    /// Week of the snapshot.
    pub week: u32,
    /// Agent ids of the sample, in sample order.
    pub ids: Vec<u32>,
    /// Status of each sampled agent.
    pub status: Vec<Status>,
    /// Ties among sampled agents (each once).
    pub edges: Vec<Edge>,
}

/// One agent's story, for the page's "click an agent" panel.
#[derive(Clone, Debug, Serialize)]
pub struct AgentStory {
    /// Agent id.
    pub id: u32,
    /// Age in years.
    pub age: u8,
    /// `male` or `female`.
    pub sex: &'static str,
    /// `secure`, `anxious` or `avoidant`.
    pub attachment: &'static str,
    /// Ever bullied (in person or online).
    pub ever_bullied: bool,
    /// Weeks since the last bullying, if any.
    pub weeks_since_bullied: Option<i64>,
    /// Leisure screen hours a day.
    pub screen_hours: f32,
    /// Days out a week (4-week mean).
    pub days_out: f32,
    /// Loneliness in [0, 1].
    pub loneliness: f32,
    /// Consecutive weeks at home in marked isolation.
    pub weeks_at_home: u16,
    /// Status as the network view colours it.
    pub status: Status,
    /// Ties by kind.
    pub ties_family: u32,
    /// Friend ties within the agent's group.
    pub ties_bonding: u32,
    /// Friend ties across groups.
    pub ties_bridging: u32,
    /// Online-only ties.
    pub ties_online: u32,
    /// In one-to-one services now.
    pub in_services: bool,
    /// Member of a standing recovery group.
    pub in_recovery_group: bool,
    /// Still carries a (fading) benefit from services or a bridging event.
    pub helped_recently: bool,
    /// `none`, `using` or `recovery`.
    pub substance: &'static str,
    /// Was ever hikikomori since the population was built.
    pub ever_hikikomori: bool,
}

impl World {
    /// Starts a world from a burnt-in population with `scenario`'s parameters and policy, and
    /// records week 0.
    pub fn start(warm: &Warm, scenario: &Scenario) -> World {
        let mut model = warm.model.clone();
        model.p = WParams::from_params(&scenario.params);
        model.install_policy(&scenario.params);
        let mut w = World {
            model,
            series: Series::default(),
            week: 0,
        };
        w.model.observe(&mut Recorder::new(&mut w.series, 0));
        w
    }

    /// Runs one week and records it.
    pub fn step(&mut self) {
        self.week += 1;
        self.model.step(self.week, Exec::Parallel);
        self.model
            .observe(&mut Recorder::new(&mut self.series, self.week));
    }

    /// The current week (0 before the first step).
    pub fn week(&self) -> u32 {
        self.week
    }

    /// Number of agents.
    pub fn n(&self) -> usize {
        self.model.n()
    }

    /// Everything recorded so far, as `cocoon run` records it.
    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Takes `scenario`'s parameters from the next week on. Only keys that act after the
    /// burn-in and the rates read each week change anything here; the population's structure
    /// (size, groups, households) stays. Parents' phone use is a household trait drawn at
    /// the start, so a new mean shifts every household's value by the difference.
    pub fn retune(&mut self, scenario: &Scenario) {
        let p = WParams::from_params(&scenario.params);
        let shift = (p.parent_phone_mean - self.model.p.parent_phone_mean) as f32;
        if shift != 0.0 {
            for x in &mut self.model.households.parent_phone {
                *x = (*x + shift).clamp(0.0, 1.0);
            }
        }
        self.model.p = p;
        let params = &scenario.params;
        if self.model.policy.active() {
            // Keep who is in services or a group; change only the money and its split.
            if let Ok(s) = crate::policy::Schedule::from_params(params) {
                self.model.policy.schedule = Some(s);
                self.model.policy.levers = Some(
                    crate::models::withdrawal::policy::LeverParams::from_params(params),
                );
            }
        } else {
            self.model.install_policy(params);
        }
    }

    /// The status of agent `i`.
    fn status(&self, i: usize) -> Status {
        let m = &self.model;
        if m.is_hikikomori(i) {
            Status::Hikikomori
        } else if m.state.isolated_weeks[i] > 0 {
            Status::Isolated
        } else if m.policy.in_service(i)
            || m.policy.is_member(i)
            || m.state.substance[i] == use_state::RECOVERY
        {
            Status::InRecovery
        } else if m.is_lonely(i) {
            Status::Lonely
        } else {
            Status::Active
        }
    }

    fn kind(&self, i: usize, j: usize, layer: u8) -> &'static str {
        if layer == Layer::Family as u8 {
            "family"
        } else if layer == Layer::Online as u8 {
            "online"
        } else if self.model.traits.group[i] == self.model.traits.group[j] {
            "bonding"
        } else {
            "bridging"
        }
    }

    /// A sample of `size` agents (all of them if fewer): every k-th agent in neighbourhood
    /// order, so each neighbourhood appears as its own cluster and the ties between clusters
    /// (often bridging) show; a whole neighbourhood would be too dense a ball to read.
    pub fn sample(&self, size: usize) -> Vec<u32> {
        let members = &self.model.neighbourhoods.members;
        let len = members.len();
        let size = size.min(len);
        (0..size).map(|k| members[k * len / size.max(1)]).collect()
    }

    /// The ties among the sampled agents and their status now.
    pub fn network(&self, ids: &[u32]) -> Network {
        let mut pos = vec![u32::MAX; self.n()];
        for (k, &i) in ids.iter().enumerate() {
            pos[i as usize] = k as u32;
        }
        let mut edges = Vec::new();
        for (a, &i) in ids.iter().enumerate() {
            let (targets, weights, layers) = self.model.ties.slab(i as usize);
            for ((&j, &w), &l) in targets.iter().zip(weights).zip(layers) {
                let b = pos[j as usize];
                if b != u32::MAX && (a as u32) < b {
                    edges.push(Edge {
                        a: a as u32,
                        b,
                        kind: self.kind(i as usize, j as usize, l),
                        w,
                    });
                }
            }
        }
        Network {
            week: self.week,
            ids: ids.to_vec(),
            status: ids.iter().map(|&i| self.status(i as usize)).collect(),
            edges,
        }
    }

    /// The story of agent `id`, or `None` if there is no such agent.
    pub fn agent(&self, id: u32) -> Option<AgentStory> {
        let i = id as usize;
        if i >= self.n() {
            return None;
        }
        let m = &self.model;
        let (targets, _, layers) = m.ties.slab(i);
        let mut count = [0u32; 4];
        for (&j, &l) in targets.iter().zip(layers) {
            let k = match self.kind(i, j as usize, l) {
                "family" => 0,
                "bonding" => 1,
                "bridging" => 2,
                _ => 3,
            };
            count[k] += 1;
        }
        let last = m.state.last_trad[i].max(m.state.last_cyber[i]);
        let now = i64::from(self.week);
        Some(AgentStory {
            id,
            age: m.traits.age[i],
            sex: if m.traits.male[i] == 1 {
                "male"
            } else {
                "female"
            },
            attachment: match m.traits.attachment[i] {
                attachment::SECURE => "secure",
                attachment::ANXIOUS => "anxious",
                _ => "avoidant",
            },
            ever_bullied: m.state.flags[i] & flag::EVER_VICTIM != 0,
            weeks_since_bullied: (last != i32::MIN && i64::from(last) <= now)
                .then(|| now - i64::from(last)),
            screen_hours: m.state.screen[i],
            days_out: m.state.days_avg[i],
            loneliness: m.state.loneliness[i],
            weeks_at_home: m.state.isolated_weeks[i],
            status: self.status(i),
            ties_family: count[0],
            ties_bonding: count[1],
            ties_bridging: count[2],
            ties_online: count[3],
            in_services: m.policy.in_service(i),
            in_recovery_group: m.policy.is_member(i),
            helped_recently: m.policy.benefit_of(i) > 0.01,
            substance: match m.state.substance[i] {
                use_state::USING => "using",
                use_state::RECOVERY => "recovery",
                _ => "none",
            },
            ever_hikikomori: m.state.flags[i] & flag::EVER_HIKIKOMORI != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(sets: &[&str]) -> Scenario {
        let mut all: Vec<String> = vec![
            "model=withdrawal".into(),
            "population.n=600".into(),
            "withdrawal.burn_in_ticks=10".into(),
            "ticks=6".into(),
            "replicates=1".into(),
        ];
        all.extend(sets.iter().map(|s| s.to_string()));
        Scenario::from_sets("t", &all).unwrap()
    }

    #[test]
    fn a_world_records_what_cocoon_run_records() {
        let s = scenario(&["policy.budget=200000", "policy.community_share=1"]);
        let mut w = World::start(&Warm::build(&s).unwrap(), &s);
        for _ in 0..6 {
            w.step();
        }
        let cli = crate::run::execute(&s, Exec::Parallel, &|| {}).unwrap();
        let mine = crate::output::timeseries_csv(std::slice::from_ref(w.series()));
        let theirs = crate::output::timeseries_csv(&cli.series);
        let theirs: Vec<&str> = theirs
            .lines()
            .filter(|l| !l.contains("lonely_excess_d"))
            .collect();
        assert_eq!(mine.lines().collect::<Vec<_>>(), theirs);
    }

    #[test]
    fn network_sample_is_connected_and_agents_have_stories() {
        let s = scenario(&[]);
        let w = World::start(&Warm::build(&s).unwrap(), &s);
        let ids = w.sample(200);
        assert_eq!(ids.len(), 200);
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 200);
        let net = w.network(&ids);
        assert!(net.edges.len() > 50, "{} edges", net.edges.len());
        assert!(net
            .edges
            .iter()
            .all(|e| e.a < e.b && (e.b as usize) < ids.len()));
        let story = w.agent(ids[0]).unwrap();
        assert!((12..=64).contains(&story.age));
        assert!(w.agent(600).is_none());
    }

    #[test]
    fn retune_changes_parents_phone_use_within_bounds() {
        let s = scenario(&[]);
        let mut w = World::start(&Warm::build(&s).unwrap(), &s);
        let before: f32 = w.model.households.parent_phone.iter().sum();
        w.retune(&scenario(&["population.parent_phone_mean=0.8"]));
        let after: f32 = w.model.households.parent_phone.iter().sum();
        assert!(after > before);
        assert!(w
            .model
            .households
            .parent_phone
            .iter()
            .all(|x| (0.0..=1.0).contains(x)));
    }
}
