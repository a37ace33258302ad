//! The withdrawal model: how bullying, insecure attachment, screen time, substance use,
//! loneliness and ties move agents toward hikikomori (six months or more of marked isolation at
//! home) or back into contact. `docs/MODEL.md` describes it in the ODD protocol.
//!
//! State is stored by column ([`population::Traits`], [`State`]) and ties in slabs
//! ([`ties::Ties`]). Each mechanism has its own file, which opens with what it reads, what it
//! writes and from when it acts. A week ([`Withdrawal::advance`]) runs in fixed phases, each
//! reading the previous phase's complete output:
//! 1. days out from the t-1 state (`days.rs`);
//! 2. the weekly sweep (`week.rs`), per agent: contact (`contact.rs`), bullying (`bullying.rs`),
//!    rejection and loneliness (`loneliness.rs`), screen time (`screen.rs`), the withdrawal
//!    state (`isolation.rs`) and substance use (`substance.rs`), written to the next-state
//!    buffer, which then becomes the state; then the lasting mark of bullying
//!    ([`susceptibility`]) and roles that change ([`roles`]);
//! 3. tie strengths (`tie_strength.rs`: each agent its own slab, symmetric formula), then
//!    proposals (`tie_proposals.rs`: shedding, triadic closure, mixing), applied once with the
//!    bully-tie damage and new colleagues, in agent order;
//! 4. the life course (`life.rs`): birthdays, and replacement of agents past 64 by 12-year-olds;
//! 5. the policy levers ([`policy`]), from tick 1 on.
//!
//! Recorded ticks are counted by `tally.rs` and written by `observe.rs`; `burn_in.rs` runs
//! replicates and shares one burn-in between scenarios that differ only after it.
//!
//! Every random word sits at a position fixed by (purpose, tick, agent), so results are the
//! same on any number of threads.

pub mod association;
mod bullying;
mod burn_in;
pub mod burn_in_cache;
pub mod checkpoint;
mod contact;
mod days;
pub mod episodes;
#[cfg(test)]
mod fixtures;
pub mod initial;
mod isolation;
mod life;
mod link_worker;
mod loneliness;
pub mod mechanisms;
mod observe;
mod offline;
pub mod params;
pub mod policy;
mod policy_community;
mod policy_family;
pub mod policy_ties;
pub mod population;
pub mod resume;
pub mod roles;
mod screen;
mod shock;
mod state;
mod substance;
pub mod susceptibility;
mod tally;
#[cfg(test)]
mod tests;
mod tie_proposals;
mod tie_strength;
pub mod ties;
mod week;

use std::time::Instant;

use crate::engine::par::Exec;
use crate::engine::rng::Streams;
use crate::engine::{Model, Recorder};
use crate::error::{Error, Location, Result};
use crate::graph::Layer;
use crate::scenario::{ParamSpec, Params};
use mechanisms::HIKIKOMORI_WEEKS;
use params::WParams;
use population::{Households, Neighbourhoods, Traits};
use ties::Ties;

pub use burn_in::{
    after_burn_in_keys, burn_in_signature, execute, execute_sharing_burn_in,
    execute_sharing_burn_in_replicate, execute_sharing_burn_in_replicate_cached, Acts, Table,
};
pub use state::{flag, State};

/// Every parameter table the model owns, each with its declaration of when it first acts
/// (`burn_in.rs`): the model's parameter list and its burn-in signature both come from here.
static TABLES: &[Table] = &[
    Table {
        specs: params::SPECS,
        acts: params::ACTS,
    },
    Table {
        specs: roles::SPECS,
        acts: roles::ACTS,
    },
    Table {
        specs: susceptibility::SPECS,
        acts: susceptibility::ACTS,
    },
    Table {
        specs: episodes::SPECS,
        acts: episodes::ACTS,
    },
    Table {
        specs: initial::SPECS,
        acts: initial::ACTS,
    },
    Table {
        specs: offline::SPECS,
        acts: offline::ACTS,
    },
    Table {
        specs: shock::SPECS,
        acts: shock::ACTS,
    },
    Table {
        specs: screen::SPECS,
        acts: screen::ACTS,
    },
    Table {
        specs: observe::SPECS,
        acts: observe::ACTS,
    },
];

/// The policy levers' keys: listed by [`crate::policy`], read by [`policy`].
static POLICY_TABLE: Table = Table {
    specs: crate::policy::SPECS,
    acts: policy::ACTS,
};

/// Every parameter table the model reads, its own and the levers'.
fn tables() -> impl Iterator<Item = &'static Table> {
    TABLES.iter().chain(std::iter::once(&POLICY_TABLE))
}

/// The withdrawal model's parameters.
pub fn all_specs() -> Vec<&'static ParamSpec> {
    TABLES.iter().flat_map(|t| t.specs).collect()
}

/// Cross-parameter checks.
pub fn validate(p: &Params) -> Result<()> {
    let at = |key: &str| {
        p.location(key)
            .cloned()
            .unwrap_or_else(|| Location::Set(key.to_string()))
    };
    if p.f64("population.supportive_share") + p.f64("population.rejecting_share") > 1.0 + 1e-9 {
        return Err(Error::Scenario {
            location: at("population.rejecting_share"),
            message: "`population.supportive_share` + `population.rejecting_share` must be at most 1 (the rest are overprotective)".into(),
        });
    }
    crate::policy::Schedule::from_params(p)?;
    if p.i64("withdrawal.report_age_min") > p.i64("withdrawal.report_age_max") {
        return Err(Error::Scenario {
            location: at("withdrawal.report_age_min"),
            message: "`withdrawal.report_age_min` must not exceed `withdrawal.report_age_max`"
                .into(),
        });
    }
    Ok(())
}

/// How many agents ahead the sweeps prefetch their contacts' values (see
/// [`crate::engine::par::prefetch`]).
const AHEAD: usize = 4;

/// Wall-clock seconds spent in each phase of [`Withdrawal::advance`] and in the costly parts
/// of `observe`, accumulated over the run. Timing only: nothing here reaches any output file,
/// so results stay identical; `cocoon bench` prints them to show where the time goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PhaseTimes {
    /// Phase 1, days out.
    pub days: f64,
    /// Phase 2, the weekly sweep (contact, bullying, loneliness, screen, substance, state).
    pub week: f64,
    /// Phase 3a, tie strengths.
    pub tie_strength: f64,
    /// Phase 3b, proposals for new and dropped ties.
    pub tie_proposals: f64,
    /// Applying structural changes (sequential).
    pub apply: f64,
    /// Phase 4 (birthdays, replacement; sequential) and the policy levers.
    pub life_policy: f64,
    /// The per-tick metrics tally.
    pub tally: f64,
    /// Largest connected component (every `withdrawal.network_every` ticks; sequential).
    pub components: f64,
    /// Tie snapshot and clustering (every `withdrawal.clustering_every` ticks).
    pub clustering: f64,
}

/// The withdrawal model for one replicate.
#[derive(Clone)]
pub struct Withdrawal {
    /// Parameters.
    pub p: WParams,
    /// Traits by column.
    pub traits: Traits,
    /// Households.
    pub households: Households,
    /// Neighbourhood membership (static slots).
    pub neighbourhoods: Neighbourhoods,
    /// Ties.
    pub ties: Ties,
    /// State at the current tick.
    pub state: State,
    next: State,
    /// Days out this week.
    pub days: Vec<u8>,
    /// Scratch for phase 2 (see [`contact::Peer`]).
    peers: Vec<contact::Peer>,
    /// Agents by birth week (birth weeks never change).
    birthdays: life::Birthdays,
    /// Wall-clock seconds spent in each phase so far (for `cocoon bench`; never in results).
    pub timings: PhaseTimes,
    streams: Streams,
    /// Internal tick counter including burn-in (stream position).
    clock: u64,
    /// Recorded tick (0 after burn-in).
    tick: i64,
    /// Durations (weeks) of hikikomori episodes that ended, in order of ending.
    pub episodes: Vec<u16>,
    ties_added: u64,
    ties_removed: u64,
    /// `ties.refused` when the burn-in ended (refusals are reported from tick 0).
    refused_before: u64,
    /// Policy levers and their state (inactive unless the scenario funds them).
    pub policy: policy::PolicyState,
    /// Friend-tie sums for phase 1, taken by the tally (see [`days::FriendSums`]).
    friend_sums: Vec<days::FriendSums>,
    /// The clock value whose end-of-week state `friend_sums` describes (`u64::MAX`: none).
    friend_clock: u64,
    /// Scratch for the tally: each agent's group, with the top bit set if it goes out often.
    marks: Vec<u32>,
}

impl Withdrawal {
    /// Sets up the policy levers the scenario funds (they act from tick 1 on, after burn-in).
    pub fn install_policy(&mut self, params: &Params) {
        let schools = self.neighbourhoods.offsets.len() - 1;
        let seed = self.streams.seed_for(policy::POLICY);
        self.policy = policy::PolicyState::new(
            params,
            self.n(),
            self.households.parenting.len(),
            schools,
            seed,
        );
    }

    /// Builds the population of one replicate (tick 0 before burn-in).
    pub fn new(p: WParams, streams: Streams) -> Withdrawal {
        let mut pop = population::build(&p, &streams);
        susceptibility::initial(&p.susceptibility, p.on.bullying, &mut pop.traits, &streams);
        let n = p.n;
        let ties = Ties::from_graph(&pop.graph, p.slack);
        let mut state = State::new(n, &p, &pop.traits);
        if p.on.substance_use {
            initial::substance(
                &p.substance,
                p.initial_craving,
                &pop.traits.age,
                &streams,
                &mut state.substance,
                &mut state.craving,
            );
        }
        Withdrawal {
            next: state.clone(),
            state,
            days: vec![5; n],
            peers: Vec::new(),
            birthdays: life::Birthdays::new(&pop.traits.birth_week),
            timings: PhaseTimes::default(),
            ties,
            traits: pop.traits,
            households: pop.households,
            neighbourhoods: pop.neighbourhoods,
            p,
            streams,
            clock: 0,
            tick: 0,
            episodes: Vec::new(),
            ties_added: 0,
            ties_removed: 0,
            refused_before: 0,
            policy: policy::PolicyState::default(),
            friend_sums: Vec::new(),
            friend_clock: u64::MAX,
            marks: Vec::new(),
        }
    }

    /// Runs the burn-in ticks; afterwards the recorded tick is 0.
    pub fn burn_in(&mut self, exec: Exec) {
        self.burn_in_counted(exec, &|| {});
    }

    /// [`Self::burn_in`], calling `progress` once per burn-in tick (so a progress bar counts
    /// the burn-in as the work it is).
    pub fn burn_in_counted(&mut self, exec: Exec, progress: &(dyn Fn() + Sync)) {
        let b = self.p.burn_in as i64;
        self.tick = -b;
        for _ in 0..b {
            self.advance(exec);
            progress();
        }
        self.end_burn_in();
    }

    /// Number of agents.
    pub fn n(&self) -> usize {
        self.p.n
    }

    /// Whether agent `i` is hikikomori now.
    pub fn is_hikikomori(&self, i: usize) -> bool {
        self.state.isolated_weeks[i] >= HIKIKOMORI_WEEKS
    }

    /// Whether agent `i` is lonely now.
    pub fn is_lonely(&self, i: usize) -> bool {
        self.state.loneliness[i] as f64 > self.p.lonely.threshold
    }

    /// One week: phases 1-4.
    pub fn advance(&mut self, exec: Exec) {
        self.clock += 1;
        self.tick += 1;
        let mut clock = Instant::now();
        let mut lap = |slot: &mut f64| {
            let now = Instant::now();
            *slot += (now - clock).as_secs_f64();
            clock = now;
        };
        self.phase_days(exec);
        lap(&mut self.timings.days);
        let outs = self.phase_week(exec);
        std::mem::swap(&mut self.state, &mut self.next);
        let mut changes = Vec::new();
        for o in outs {
            changes.extend(o.changes);
            self.episodes.extend(o.episodes);
        }
        susceptibility::week(&mut self.traits, &self.state.flags);
        changes.extend(roles::week(self, exec));
        lap(&mut self.timings.week);
        if self.p.on.tie_dynamics {
            self.phase_tie_strength(exec);
            lap(&mut self.timings.tie_strength);
            changes.extend(self.phase_tie_proposals(exec));
            changes.extend(offline::week(self, exec));
            lap(&mut self.timings.tie_proposals);
        }
        let (a, r) = self.ties.apply(&changes, self.p.drop_below);
        self.ties_added += a;
        self.ties_removed += r;
        lap(&mut self.timings.apply);
        if self.p.on.aging {
            self.phase_life();
        }
        self.phase_policy();
        lap(&mut self.timings.life_policy);
    }

    fn in_person(layer: u8) -> bool {
        layer != Layer::Online as u8
    }
}

impl Model for Withdrawal {
    fn observe(&mut self, rec: &mut Recorder<'_>) {
        self.record(rec);
    }

    fn step(&mut self, _tick: u32, exec: Exec) {
        self.advance(exec);
    }

    fn finish(&mut self, rec: &mut Recorder<'_>) {
        self.record_final(rec);
    }
}
