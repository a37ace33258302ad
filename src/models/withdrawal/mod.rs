//! The withdrawal model: how bullying, insecure attachment, screen time, substance use,
//! loneliness and ties move agents toward hikikomori (six months or more of marked isolation at
//! home) or back into contact. `docs/MODEL.md` describes it in the ODD protocol.
//!
//! State is stored by column ([`population::Traits`], [`State`]) and ties in slabs
//! ([`ties::Ties`]). A week runs in fixed phases, each reading the previous phase's complete
//! output:
//! 1. days out (from tick t-1 state);
//! 2. contact, bullying, rejection, loneliness, screen time, substance use and withdrawal state
//!    (from t-1 state and this week's days out), written to the next-state buffer;
//! 3. tie strengths (each agent its own slab, symmetric formula), then structural changes
//!    (shedding, triadic closure, mixing, bully-victim damage) applied once, in agent order;
//! 4. birthdays, and replacement of agents past 64 by 12-year-olds.
//!
//! Every random word sits at a position fixed by (purpose, tick, agent), so results are the
//! same on any number of threads.

pub mod association;
pub mod checkpoint;
pub mod episodes;
pub mod initial;
mod link_worker;
pub mod mechanisms;
pub mod params;
pub mod policy;
mod policy_community;
mod policy_family;
pub mod policy_ties;
pub mod population;
pub mod roles;
pub mod susceptibility;
pub mod ties;

use std::time::Instant;

use rand::Rng;
use rayon::prelude::*;

use crate::engine::par::{self, Exec, CHUNK};
use crate::engine::rng::{below, chance, unit, Purpose, Streams};
use crate::engine::{Distribution, Model, Recorder};
use crate::error::{Error, Location, Result};
use crate::graph::{metrics, Layer};
use crate::run::RunResult;
use crate::scenario::{ParamSpec, Params, Scenario};
use mechanisms::{severity, use_state, DaysInputs, HIKIKOMORI_WEEKS};
use params::WParams;
use population::{attachment, band, Households, Neighbourhoods, Traits};
use ties::{Change, Ties};

/// The withdrawal model's parameters.
pub fn all_specs() -> Vec<&'static ParamSpec> {
    params::SPECS
        .iter()
        .chain(roles::SPECS)
        .chain(susceptibility::SPECS)
        .chain(episodes::SPECS)
        .chain(initial::SPECS)
        .collect()
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

/// Runs a withdrawal scenario: every replicate builds its own population from (seed, r).
pub fn execute(scenario: &Scenario, exec: Exec, progress: &(dyn Fn() + Sync)) -> Result<RunResult> {
    let p = WParams::from_params(&scenario.params);
    let series = crate::engine::run_replicates(
        scenario.replicates,
        scenario.seed,
        scenario.ticks,
        exec,
        |streams| {
            let mut m = Withdrawal::new(p.clone(), streams);
            m.install_policy(&scenario.params);
            m.burn_in_counted(exec, progress);
            Ok(m)
        },
        progress,
    )?;
    Ok(RunResult {
        series,
        graph: None,
    })
}

/// Keys (or key prefixes ending in `.`) that cannot change the burn-in: the funding and the
/// levers act from tick 1 (their keys are read only by [`policy`]), a contact shock starts at
/// tick 0 or later, and the screen-time trend counts from tick 0, while the burn-in runs at
/// negative ticks. Scenarios that differ only in these keys reach tick 0 in the same state,
/// which [`execute_sharing_burn_in`] exploits.
pub const AFTER_BURN_IN_KEYS: &[&str] = &[
    "policy.",
    "services.",
    "community.",
    "parenting.",
    "anti_bullying.",
    "shock.",
    "screen.trend_per_year",
];

/// What the burn-in of `scenario` depends on, as text: the seed and every parameter except
/// [`AFTER_BURN_IN_KEYS`]. Two scenarios with the same signature reach tick 0 in the same state.
pub fn burn_in_signature(scenario: &Scenario) -> String {
    let mut sig = format!("seed={}", scenario.seed);
    for (key, entry) in scenario.params.iter() {
        let neutral = AFTER_BURN_IN_KEYS.iter().any(|k| {
            if k.ends_with('.') {
                key.starts_with(k)
            } else {
                key == *k
            }
        });
        if !neutral {
            sig.push_str(&format!(";{key}={:?}", entry.value));
        }
    }
    sig
}

/// Runs scenarios that share one [`burn_in_signature`] (and replicate count): each replicate's
/// population is built and burnt in once, then every scenario continues from its own copy with
/// its own parameters and policy. Each result is identical to [`execute`] on that scenario
/// alone (a test checks this), at a fraction of the cost when the burn-in is long.
pub fn execute_sharing_burn_in(
    scenarios: &[&Scenario],
    exec: Exec,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<RunResult>> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let per_replicate = |r: u32| execute_sharing_burn_in_replicate(scenarios, r, exec, progress);
    let by_replicate: Vec<Vec<crate::engine::Series>> = match exec {
        Exec::Sequential => (0..first.replicates)
            .map(per_replicate)
            .collect::<Result<_>>()?,
        Exec::Parallel => (0..first.replicates)
            .into_par_iter()
            .map(per_replicate)
            .collect::<Result<_>>()?,
    };
    let mut results: Vec<RunResult> = (0..scenarios.len())
        .map(|_| RunResult {
            series: Vec::with_capacity(first.replicates as usize),
            graph: None,
        })
        .collect();
    for row in by_replicate {
        for (k, series) in row.into_iter().enumerate() {
            results[k].series.push(series);
        }
    }
    Ok(results)
}

/// Replicate `r` of every scenario in `scenarios`, sharing one burn-in: one series per
/// scenario, in order. This is the unit of work a distributed comparison hands out
/// ([`crate::compare::units`]); [`execute_sharing_burn_in`] runs it for every replicate.
pub fn execute_sharing_burn_in_replicate(
    scenarios: &[&Scenario],
    r: u32,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<crate::engine::Series>> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let signature = burn_in_signature(first);
    if let Some(other) = scenarios
        .iter()
        .find(|s| burn_in_signature(s) != signature || s.replicates != first.replicates)
    {
        return Err(Error::Model(format!(
            "scenario `{}` cannot share a burn-in with `{}`: they differ in a key the burn-in reads",
            other.name, first.name
        )));
    }
    let params: Vec<WParams> = scenarios
        .iter()
        .map(|s| WParams::from_params(&s.params))
        .collect();
    let mut warm = Withdrawal::new(params[0].clone(), Streams::new(first.seed, r));
    warm.burn_in_counted(exec, progress);
    let arm = |k: usize| {
        let mut m = warm.clone();
        m.p = params[k].clone();
        m.install_policy(&scenarios[k].params);
        crate::engine::run_one(&mut m, r, scenarios[k].ticks, exec, progress)
    };
    Ok(match exec {
        Exec::Sequential => (0..scenarios.len()).map(arm).collect(),
        Exec::Parallel => (0..scenarios.len()).into_par_iter().map(arm).collect(),
    })
}

const DAYS: Purpose = Purpose::named("withdrawal.days");
const WEEK: Purpose = Purpose::named("withdrawal.week");
const TIES: Purpose = Purpose::named("withdrawal.ties");
const LIFE: Purpose = Purpose::named("withdrawal.life");
/// How many agents ahead the sweeps prefetch their contacts' values (see [`par::prefetch`]).
const AHEAD: usize = 4;
/// Words per agent per tick on the `withdrawal.week` stream.
const WEEK_WORDS: usize = 5;
/// Words per agent per tick on the `withdrawal.ties` stream.
const TIE_WORDS: usize = 9;

/// Flags in [`State::flags`].
pub mod flag {
    /// Ever victimised (traditional or cyber).
    pub const EVER_VICTIM: u8 = 1;
    /// Ever hikikomori.
    pub const EVER_HIKIKOMORI: u8 = 2;
    /// Victimised in person this week.
    pub const TRAD_NOW: u8 = 4;
    /// Victimised online this week.
    pub const CYBER_NOW: u8 = 8;
}

/// Per-agent state that changes every week, by column; the model keeps two copies (t-1, t).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// Running mean of days out (4-week memory).
    pub days_avg: Vec<f32>,
    /// In-person contact quality in [0, 1].
    pub contact: Vec<f32>,
    /// Loneliness in [0, 1].
    pub loneliness: Vec<f32>,
    /// Recent rejection in [0, 1].
    pub rejection: Vec<f32>,
    /// Leisure screen hours per day.
    pub screen: Vec<f32>,
    /// Craving in [0, 1].
    pub craving: Vec<f32>,
    /// Substance-use state (see [`use_state`]).
    pub substance: Vec<u8>,
    /// Weeks since the current isolation episode began, spells out included (0: none; see
    /// [`episodes`]).
    pub isolated_weeks: Vec<u16>,
    /// Consecutive weeks out of isolation within the current episode.
    pub weeks_out: Vec<u8>,
    /// Last tick of in-person victimisation (i32::MIN if never).
    pub last_trad: Vec<i32>,
    /// Last tick of online victimisation.
    pub last_cyber: Vec<i32>,
    /// See [`flag`].
    pub flags: Vec<u8>,
}

struct StateChunk<'a> {
    days_avg: &'a mut [f32],
    contact: &'a mut [f32],
    loneliness: &'a mut [f32],
    rejection: &'a mut [f32],
    screen: &'a mut [f32],
    craving: &'a mut [f32],
    substance: &'a mut [u8],
    isolated_weeks: &'a mut [u16],
    weeks_out: &'a mut [u8],
    last_trad: &'a mut [i32],
    last_cyber: &'a mut [i32],
    flags: &'a mut [u8],
}

impl State {
    fn new(n: usize, p: &WParams, traits: &Traits) -> State {
        State {
            days_avg: vec![5.0; n],
            contact: vec![0.5; n],
            loneliness: vec![0.15; n],
            rejection: vec![0.0; n],
            screen: traits
                .age
                .iter()
                .map(|&a| p.screen.base[band(a)] as f32)
                .collect(),
            craving: vec![p.substance.craving_base as f32; n],
            substance: vec![use_state::NONE; n],
            isolated_weeks: vec![0; n],
            weeks_out: vec![0; n],
            last_trad: vec![i32::MIN; n],
            last_cyber: vec![i32::MIN; n],
            flags: vec![0; n],
        }
    }

    fn chunks(&mut self) -> Vec<StateChunk<'_>> {
        let a = self.days_avg.chunks_mut(CHUNK);
        let mut b = self.contact.chunks_mut(CHUNK);
        let mut c = self.loneliness.chunks_mut(CHUNK);
        let mut d = self.rejection.chunks_mut(CHUNK);
        let mut e = self.screen.chunks_mut(CHUNK);
        let mut f = self.craving.chunks_mut(CHUNK);
        let mut g = self.substance.chunks_mut(CHUNK);
        let mut h = self.isolated_weeks.chunks_mut(CHUNK);
        let mut h2 = self.weeks_out.chunks_mut(CHUNK);
        let mut i = self.last_trad.chunks_mut(CHUNK);
        let mut j = self.last_cyber.chunks_mut(CHUNK);
        let mut k = self.flags.chunks_mut(CHUNK);
        let mut out = Vec::new();
        for days_avg in a {
            out.push(StateChunk {
                days_avg,
                contact: b.next().expect("equal lengths"),
                loneliness: c.next().expect("equal lengths"),
                rejection: d.next().expect("equal lengths"),
                screen: e.next().expect("equal lengths"),
                craving: f.next().expect("equal lengths"),
                substance: g.next().expect("equal lengths"),
                isolated_weeks: h.next().expect("equal lengths"),
                weeks_out: h2.next().expect("equal lengths"),
                last_trad: i.next().expect("equal lengths"),
                last_cyber: j.next().expect("equal lengths"),
                flags: k.next().expect("equal lengths"),
            });
        }
        out
    }
}

/// What an agent's contacts read about it in the weekly sweep (phase 2), packed together.
///
/// Why: the sweep reads five columns of every contact (days out, loneliness, screen time,
/// substance use, bullying); contacts are scattered over the population, so from separate
/// columns each tie costs up to five cache misses. Copying the values into one 12-byte
/// record per agent first (a sequential pass) makes it one. The values are copies, so the
/// arithmetic and its results are unchanged.
#[derive(Clone, Copy, Debug, Default)]
struct Peer {
    loneliness: f32,
    screen: f32,
    days: u8,
    /// In recovery from substance use.
    recovery: bool,
    /// A youth who bullies.
    bully_youth: bool,
}

impl Peer {
    /// Fills `out` from the tick t-1 state, traits and this week's days out.
    fn gather(exec: Exec, out: &mut Vec<Peer>, t: &Traits, s: &State, days: &[u8]) {
        out.resize(days.len(), Peer::default());
        par::for_each_chunk(exec, out, |first, chunk| {
            for (k, q) in chunk.iter_mut().enumerate() {
                let j = first + k;
                *q = Peer {
                    loneliness: s.loneliness[j],
                    screen: s.screen[j],
                    days: days[j],
                    recovery: s.substance[j] == use_state::RECOVERY,
                    bully_youth: t.bully[j] == 1 && t.age[j] <= 17,
                };
            }
        });
    }
}

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

/// Agents grouped by birth week, each week's in increasing id order, so phase 4 visits the
/// ~n/52 agents with a birthday instead of testing all n every week (same agents, same order).
#[derive(Clone, Debug, Default)]
struct Birthdays {
    /// `offsets[w]..offsets[w + 1]` indexes week `w`'s agents; length 53.
    offsets: Vec<usize>,
    agents: Vec<u32>,
}

impl Birthdays {
    fn new(birth_week: &[u8]) -> Birthdays {
        let mut offsets = vec![0usize; 53];
        for &w in birth_week {
            offsets[w as usize + 1] += 1;
        }
        for w in 0..52 {
            offsets[w + 1] += offsets[w];
        }
        let mut cursor = offsets.clone();
        let mut agents = vec![0u32; birth_week.len()];
        for (i, &w) in birth_week.iter().enumerate() {
            agents[cursor[w as usize]] = i as u32;
            cursor[w as usize] += 1;
        }
        Birthdays { offsets, agents }
    }
}

/// One chunk's slabs in phase 3a: ((strengths, targets), layers), and the live counts.
type SlabChunk<'a> = (
    ((&'a mut [f32], &'a mut [u32]), &'a mut [u8]),
    &'a mut [u32],
);

/// What a chunk of the weekly sweep hands back for sequential application.
#[derive(Default)]
struct ChunkOut {
    changes: Vec<Change>,
    episodes: Vec<u16>,
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
    /// Scratch for phase 2 (see [`Peer`]).
    peers: Vec<Peer>,
    /// Agents by birth week (birth weeks never change).
    birthdays: Birthdays,
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
    /// Friend-tie sums for phase 1, taken by the tally (see [`FriendSums`]).
    friend_sums: Vec<FriendSums>,
    /// The clock value whose end-of-week state `friend_sums` describes (`u64::MAX`: none).
    friend_clock: u64,
    /// Scratch for the tally: each agent's group, with the top bit set if it goes out often.
    marks: Vec<u32>,
}

/// What phase 1 (days out) reads of an agent's friend ties (in-person, not household): their
/// summed strength, how many there are and how many go out on four or more days. They depend
/// only on the ties and state at the end of a week, so the tally, which sweeps every slab for
/// its own counts anyway, takes them in the same pass and phase 1 of the next week reuses them
/// (it computes them itself when no tally ran, as in the burn-in). Same sums, same order, so
/// the results are identical either way.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct FriendSums {
    strength: f64,
    friends: u32,
    out: u32,
}

impl FriendSums {
    /// The sums for agent `i`, straight from the slabs.
    fn of(ties: &Ties, days_avg: &[f32], i: usize) -> FriendSums {
        let mut f = FriendSums::default();
        let (tg, wt, ly) = ties.slab(i);
        for ((&j, &w), &l) in tg.iter().zip(wt).zip(ly) {
            if l == Layer::Family as u8 || l == Layer::Online as u8 {
                continue;
            }
            f.strength += w as f64;
            f.friends += 1;
            f.out += u32::from(days_avg[j as usize] >= OUT_OFTEN);
        }
        f
    }
}

/// Days out (4-week mean) from which a friend counts as going out, for phase 1's invitations.
const OUT_OFTEN: f32 = 4.0;
/// The bit of [`Withdrawal::marks`] that says a friend goes out often.
const OUT_BIT: u32 = 1 << 31;

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
            birthdays: Birthdays::new(&pop.traits.birth_week),
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
        self.episodes.clear();
        self.refused_before = self.ties.refused;
        self.tick = 0;
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

    /// Phase 1: days out from the t-1 state.
    fn phase_days(&mut self, exec: Exec) {
        let stream = self.streams.tick(DAYS, self.clock);
        let (t, s, ties, p) = (&self.traits, &self.state, &self.ties, &self.p);
        // A contact shock (e.g. a pandemic) lowers everyone's pull to go out while it lasts.
        let mut days_params = p.days;
        if self.tick >= p.shock_start && self.tick < p.shock_start + p.shock_weeks {
            days_params.base -= p.shock_days_out;
        }
        let days_params = &days_params;
        // The tally after last week took the friend sums from this very state.
        let cached = self.friend_clock == self.clock - 1 && self.friend_sums.len() == self.n();
        let sums = &self.friend_sums;
        let mut days = std::mem::take(&mut self.days);
        par::for_each_chunk(exec, &mut days, |first, out| {
            let mut words = [0u32; CHUNK];
            let words = &mut words[..out.len()];
            stream.fill(first, 1, words);
            for (k, d) in out.iter_mut().enumerate() {
                let i = first + k;
                let f = if cached {
                    sums[i]
                } else {
                    FriendSums::of(ties, &s.days_avg, i)
                };
                let x = DaysInputs {
                    role: t.role[i] == 1,
                    tie_strength: f.strength,
                    invited: if f.friends > 0 {
                        f.out as f64 / f.friends as f64
                    } else {
                        0.0
                    },
                    shyness: t.shyness[i] as f64,
                    anxious: t.attachment[i] == attachment::ANXIOUS,
                    rejection: s.rejection[i] as f64,
                    loneliness: s.loneliness[i] as f64,
                    screen: if p.on.screen_time {
                        s.screen[i] as f64
                    } else {
                        0.0
                    },
                    using: s.substance[i] == use_state::USING,
                    male: t.male[i] == 1,
                    young_adult: band(t.age[i]) == 1,
                    shift: susceptibility::days_shift(
                        &p.susceptibility,
                        t.victim_weeks[i],
                        t.attachment[i],
                    ),
                };
                *d = mechanisms::days_out(days_params, &x, words[k]);
            }
        });
        self.days = days;
    }

    /// Phase 2: contact, bullying, loneliness, screen, substance and withdrawal state.
    fn phase_week(&mut self, exec: Exec) -> Vec<ChunkOut> {
        let stream = self.streams.tick(WEEK, self.clock);
        let tick = self.tick as i32;
        let school_bullies = self.school_bully_shares(exec);
        let school_bullies = &school_bullies;
        // Screen-time trend (e.g. a smartphone rollout) for ages 12-29 from tick 0 on.
        let mut screen_params = self.p.screen;
        let trend = self.p.screen_trend * (self.tick.max(0) as f64 / 52.0);
        screen_params.base[0] += trend;
        screen_params.base[1] += trend;
        let screen_params = &screen_params;
        let (t, hh, s, ties, p, days) = (
            &self.traits,
            &self.households,
            &self.state,
            &self.ties,
            &self.p,
            &self.days,
        );
        let nb = &self.neighbourhoods;
        let pol = &self.policy;
        let mut peer_buf = std::mem::take(&mut self.peers);
        Peer::gather(exec, &mut peer_buf, t, s, days);
        let peers = &peer_buf[..];
        let mut next = std::mem::take(&mut self.next);
        let chunks = next.chunks();
        let work = |(c, ch): (usize, StateChunk<'_>)| -> ChunkOut {
            let first = c * CHUNK;
            let len = ch.days_avg.len();
            let mut words = vec![0u32; len * WEEK_WORDS];
            stream.fill(first, WEEK_WORDS, &mut words);
            let mut out = ChunkOut::default();
            for k in 0..len {
                let i = first + k;
                if i + AHEAD < peers.len() {
                    for &j in ties.slab(i + AHEAD).0 {
                        par::prefetch(peers, j as usize);
                    }
                }
                let w = &words[k * WEEK_WORDS..(k + 1) * WEEK_WORDS];
                let youth = t.age[i] <= 17;
                let anxious = t.attachment[i] == attachment::ANXIOUS;
                // Gather along ties.
                let (mut in_person, mut online) = (0.0f64, 0.0f64);
                // Strength-weighted loneliness of in-person contacts (household ties count half).
                let (mut lonely_w, mut lonely_sum) = (0.0f64, 0.0f64);
                let (mut bully_peer, mut bully_any, mut recovery_ties, mut person_ties) =
                    (0u32, 0u32, 0u32, 0u32);
                let di = days[i] as f32;
                let si = s.screen[i];
                let (tg, wts, ly) = ties.slab(i);
                for ((&j, &w32), &layer) in tg.iter().zip(wts).zip(ly) {
                    let q = peers[j as usize];
                    let wt = w32 as f64;
                    if layer == Layer::Online as u8 {
                        online += wt * (si.min(q.screen) as f64 / p.screen_reference).min(1.0);
                    } else if layer == Layer::Family as u8 {
                        in_person += wt * p.contact_family;
                        lonely_w += p.lonely.family_weight * wt;
                        lonely_sum += p.lonely.family_weight * wt * q.loneliness as f64;
                    } else {
                        in_person += wt * (di.min(q.days as f32) / 7.0) as f64;
                        lonely_w += wt;
                        lonely_sum += wt * q.loneliness as f64;
                    }
                    if Self::in_person(layer) {
                        person_ties += 1;
                        recovery_ties += u32::from(q.recovery);
                    }
                    if q.bully_youth && youth {
                        bully_any +=
                            u32::from(layer == Layer::Peer as u8 || layer == Layer::Online as u8);
                        bully_peer += u32::from(layer == Layer::Peer as u8);
                    }
                }
                let contact = mechanisms::contact_quality(in_person, p.contact_half);
                let online_q = mechanisms::contact_quality(online, p.contact_half);
                let felt = contact + p.online_relief * online_q * (1.0 - contact);
                ch.contact[k] = contact as f32;
                // Bullying (youth).
                let mut fl = s.flags[i] & !(flag::TRAD_NOW | flag::CYBER_NOW);
                let (mut trad, mut cyber) = (false, false);
                if p.on.bullying && youth {
                    // Bullies met at school without a tie, plus bullying contacts.
                    let h = t.neighbourhood[i] as usize;
                    let exposure = p.school_contacts * school_bullies[h] * pol.bullying_factor(h);
                    let target = mechanisms::targeting(
                        t.shyness[i] as f64,
                        s.contact[i] as f64,
                        p.bully_shyness,
                        p.bully_weak,
                    );
                    let at_school = (days[i].min(5) as f64) / 5.0 * f64::from(t.role[i]);
                    let pt = mechanisms::victimisation_probability(
                        p.bully_trad * at_school,
                        bully_peer as f64 + exposure,
                        target,
                    );
                    let screen_factor = if p.on.screen_time {
                        si as f64 / p.screen_reference
                    } else {
                        1.0
                    };
                    // Cyberbullying mostly extends school bullying to screens.
                    let recent_trad = tick.saturating_sub(s.last_trad[i]) < 52;
                    let follow = if recent_trad {
                        1.0 + p.cyber_follow
                    } else {
                        1.0
                    };
                    let pc = mechanisms::victimisation_probability(
                        p.bully_cyber * screen_factor * follow,
                        bully_any as f64 + exposure,
                        target,
                    );
                    trad = chance(w[0], pt);
                    cyber = chance(w[1], pc);
                }
                ch.last_trad[k] = if trad { tick } else { s.last_trad[i] };
                ch.last_cyber[k] = if cyber { tick } else { s.last_cyber[i] };
                if trad || cyber {
                    fl |= flag::EVER_VICTIM
                        | if trad { flag::TRAD_NOW } else { 0 }
                        | if cyber { flag::CYBER_NOW } else { 0 };
                    // The bully-victim tie weakens: one bullying contact, chosen by a word.
                    // Only a bullying peer's school or online tie is damaged, never a household tie.
                    let is_bully = |sl: &usize| {
                        let j = ties.target[*sl] as usize;
                        let layer = ties.layer[*sl];
                        t.bully[j] == 1
                            && t.age[j] <= 17
                            && (layer == Layer::Peer as u8 || layer == Layer::Online as u8)
                    };
                    let count = ties.range(i).filter(is_bully).count();
                    if let Some(sl) = ties
                        .range(i)
                        .filter(is_bully)
                        .nth(below(w[4], count.max(1)))
                    {
                        out.changes.push(Change::Weaken(
                            i as u32,
                            ties.target[sl],
                            1.0 - p.bully_damage,
                        ));
                    }
                }
                let victimisations = u32::from(trad) + u32::from(cyber);
                let rej = mechanisms::rejection(
                    &p.lonely,
                    s.rejection[i] as f64,
                    p.bully_shock,
                    victimisations,
                    anxious,
                );
                ch.rejection[k] = rej as f32;
                // Loneliness.
                let lon = if p.on.loneliness {
                    let spread = if p.on.loneliness_spread && lonely_w > 0.0 {
                        Some(lonely_sum / lonely_w)
                    } else {
                        None
                    };
                    mechanisms::loneliness(
                        &p.lonely,
                        s.loneliness[i] as f64,
                        (nb.lonely_effect[t.neighbourhood[i] as usize] - pol.benefit_of(i)) as f64,
                        felt,
                        rej,
                        spread,
                        t.shyness[i] as f64,
                        w[2],
                    )
                } else {
                    0.0
                };
                ch.loneliness[k] = lon as f32;
                // Screen time.
                let h = t.household[i] as usize;
                ch.screen[k] = if p.on.screen_time {
                    mechanisms::screen(
                        screen_params,
                        si as f64,
                        band(t.age[i]),
                        lon,
                        rej,
                        anxious,
                        hh.parent_phone[h] as f64,
                        hh.mediation[h] == 1,
                    ) as f32
                } else {
                    p.screen.base[band(t.age[i])] as f32
                };
                // Withdrawal state.
                let avg = (1.0 - p.smoothing) * s.days_avg[i] as f64 + p.smoothing * days[i] as f64;
                ch.days_avg[k] = avg as f32;
                let isolated = mechanisms::severity_of(avg, p.severe_below) != severity::NONE;
                let ep = episodes::step(
                    s.isolated_weeks[i],
                    s.weeks_out[i],
                    isolated,
                    p.episode_exit_weeks,
                );
                ch.isolated_weeks[k] = ep.weeks;
                ch.weeks_out[k] = ep.out;
                out.episodes.extend(ep.ended);
                if ch.isolated_weeks[k] >= HIKIKOMORI_WEEKS {
                    fl |= flag::EVER_HIKIKOMORI;
                }
                ch.flags[k] = fl;
                // Substance use.
                if p.on.substance_use {
                    // Recovery-group members count only through their real ties (no floor).
                    let share = if person_ties > 0 {
                        recovery_ties as f64 / person_ties as f64
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
                    let cr =
                        (mechanisms::craving(&p.substance, s.craving[i] as f64, lon, avg, share)
                            - p.substance.rate * relief)
                            .clamp(0.0, 1.0);
                    ch.craving[k] = cr as f32;
                    ch.substance[k] = mechanisms::substance_transition(
                        &p.substance,
                        s.substance[i],
                        cr,
                        t.age[i],
                        recovery_ties > 0,
                        w[3],
                    );
                } else {
                    ch.craving[k] = 0.0;
                    ch.substance[k] = use_state::NONE;
                }
            }
            out
        };
        let outs: Vec<ChunkOut> = match exec {
            Exec::Sequential => chunks.into_iter().enumerate().map(work).collect(),
            Exec::Parallel => chunks.into_par_iter().enumerate().map(work).collect(),
        };
        self.next = next;
        self.peers = peer_buf;
        outs
    }

    /// Phase 3a: every tie's strength from this week's joint contact; weak non-family ties drop
    /// (both ends see the same strength, so both drop).
    fn phase_tie_strength(&mut self, exec: Exec) {
        let (p, days, s) = (&self.p, &self.days, &self.state);
        let Ties {
            start,
            len,
            target,
            weight,
            layer,
            ..
        } = &mut self.ties;
        let start = &*start;
        let ws = ties::split_by_agents(weight, start, CHUNK);
        let ts = ties::split_by_agents(target, start, CHUNK);
        let ls = ties::split_by_agents(layer, start, CHUNK);
        let lens: Vec<&mut [u32]> = len.chunks_mut(CHUNK).collect();
        let work = |(c, (((w, tg), ly), ln)): (usize, SlabChunk<'_>)| {
            let first = c * CHUNK;
            let base = start[first];
            let reference = p.screen_reference as f32;
            for k in 0..ln.len() {
                let i = first + k;
                if k + AHEAD < ln.len() {
                    let ahead = start[i + AHEAD] - base;
                    // Both: online ties read screen time, the others days out, and which
                    // is which is not worth a branch here.
                    for &j in &tg[ahead..ahead + ln[k + AHEAD] as usize] {
                        par::prefetch(days, j as usize);
                        par::prefetch(&s.screen, j as usize);
                    }
                }
                let l = &mut ln[k];
                let s0 = start[i] - base;
                let live = s0..s0 + *l as usize;
                let (w, tg, ly) = (&mut w[live.clone()], &mut tg[live.clone()], &mut ly[live]);
                let (days_i, screen_i) = (days[i], s.screen[i]);
                let mut keep = 0usize;
                for q in 0..w.len() {
                    let (j, code) = (tg[q] as usize, ly[q]);
                    let mut wt = w[q];
                    if code != Layer::Family as u8 {
                        let together = if code == Layer::Online as u8 {
                            (screen_i.min(s.screen[j]) / reference).min(1.0)
                        } else {
                            days_i.min(days[j]) as f32 / 7.0
                        };
                        wt = mechanisms::tie_strength(wt, together, p.grow, p.decay);
                        if wt < p.drop_below {
                            continue;
                        }
                    }
                    // Compact in place (stable); until the first drop this rewrites each
                    // slot with itself.
                    w[keep] = wt;
                    tg[keep] = tg[q];
                    ly[keep] = code;
                    keep += 1;
                }
                *l = keep as u32;
            }
        };
        let zipped: Vec<_> = ws
            .into_iter()
            .zip(ts)
            .zip(ls)
            .zip(lens)
            .enumerate()
            .collect();
        match exec {
            Exec::Sequential => zipped.into_iter().for_each(work),
            Exec::Parallel => zipped.into_par_iter().for_each(work),
        }
    }

    /// Phase 3b: proposals for structural change: lonely agents shed ties, friends of friends
    /// meet (triadic closure, homophilous), neighbours meet in community settings (bridging).
    fn phase_tie_proposals(&self, exec: Exec) -> Vec<Change> {
        let stream = self.streams.tick(TIES, self.clock);
        let (t, s, ties, p, days, nb) = (
            &self.traits,
            &self.state,
            &self.ties,
            &self.p,
            &self.days,
            &self.neighbourhoods,
        );
        let per_chunk = par::map_chunks(exec, self.n(), |range| {
            let first = range.start;
            let mut words = vec![0u32; range.len() * TIE_WORDS];
            stream.fill(first, TIE_WORDS, &mut words);
            let mut out = Vec::new();
            for i in range {
                let w = &words[(i - first) * TIE_WORDS..(i - first + 1) * TIE_WORDS];
                let (targets, _, layers) = ties.slab(i);
                let is_friend = |l: &u8| *l != Layer::Family as u8;
                let is_person = |l: &u8| is_friend(l) && Self::in_person(*l);
                // The nth tie of a kind, by position in the slab.
                let nth = |keep: &dyn Fn(&u8) -> bool, word: u32, count: usize| {
                    let pos = layers.iter().enumerate().filter(|(_, l)| keep(l));
                    pos.map(|(q, _)| targets[q]).nth(below(word, count))
                };
                let out_share = days[i] as f64 / 7.0;
                // The conditions are pure, so testing the cheap ones first changes nothing
                // but saves counting ties for the many agents who propose nothing.
                if s.loneliness[i] as f64 > p.lonely.threshold && chance(w[0], p.shed) {
                    let friends = layers.iter().filter(|l| is_friend(l)).count();
                    if friends > 0 {
                        let j = nth(&is_friend, w[1], friends).expect("counted");
                        out.push(Change::Drop(i as u32, j));
                    }
                }
                let persons = if chance(w[2], p.closure * out_share) {
                    layers.iter().filter(|l| is_person(l)).count()
                } else {
                    0
                };
                if persons > 0 {
                    let j = nth(&is_person, w[3], persons).expect("counted") as usize;
                    let rj = ties.range(j);
                    if !rj.is_empty() {
                        let sl2 = rj.start + below(w[4], rj.len());
                        let k = ties.target[sl2] as usize;
                        let code = ties.layer[sl2];
                        if k != i && Self::in_person(code) && code != Layer::Family as u8 {
                            let same = t.group[i] == t.group[k];
                            if same || unit(w[5]) < p.closure_cross {
                                let layer = Layer::from_code(code).unwrap_or(Layer::Peer);
                                out.push(Change::Add(i as u32, k as u32, layer, p.new_weight));
                            }
                        }
                    }
                }
                if chance(w[6], p.mixing * out_share) {
                    let members = nb.of(t.neighbourhood[i]);
                    let k = members[below(w[7], members.len())] as usize;
                    if k != i && (t.group[i] == t.group[k] || unit(w[8]) < p.mixing_cross) {
                        out.push(Change::Add(
                            i as u32,
                            k as u32,
                            Layer::Community,
                            p.new_weight,
                        ));
                    }
                }
            }
            out
        });
        per_chunk.into_iter().flatten().collect()
    }

    /// Phase 4: birthdays; agents past 64 are replaced by 12-year-olds in the same household
    /// (new temperament and attachment, household ties kept, other ties dropped, a few school
    /// ties made with neighbourhood youth). Sequential: about n/52 agents a week.
    fn phase_life(&mut self) {
        let week = (self.clock % 52) as usize;
        let stream = self.streams.tick(LIFE, self.clock);
        let mut changes = Vec::new();
        let (lo, hi) = (
            self.birthdays.offsets[week],
            self.birthdays.offsets[week + 1],
        );
        for b in lo..hi {
            let i = self.birthdays.agents[b] as usize;
            let mut rng = stream.agent_rng(i);
            let t = &mut self.traits;
            t.age[i] += 1;
            if t.age[i] == 18 {
                // Leaving school: work or education with the band's share, with new
                // colleagues (some from outside the neighbourhood: `roles::colleagues`). A
                // youth out of school (futōkō) stays out; the regain hazard brings it back.
                let draw = population::draw_role(&self.p, 18, rng.random());
                if !self.p.roles.dynamic || t.role[i] == 1 {
                    t.role[i] = draw;
                }
                if t.role[i] == 1 {
                    roles::colleagues(&self.p, t, &self.neighbourhoods, i, &mut rng, &mut changes);
                }
            }
            if t.age[i] <= 64 {
                continue;
            }
            // Replacement.
            let h = t.household[i] as usize;
            t.age[i] = 12;
            t.male[i] = u8::from(rng.random::<f64>() < self.p.male_share);
            t.shyness[i] = population::draw_shyness(&mut rng);
            t.attachment[i] = population::draw_attachment(
                &self.p,
                self.households.parenting[h],
                t.shyness[i] as f64,
                self.households.parent_phone[h] as f64,
                rng.random(),
            );
            t.bully[i] = u8::from(rng.random::<f64>() < self.p.bully_share);
            t.role[i] = 1;
            let s = &mut self.state;
            s.days_avg[i] = 5.0;
            s.contact[i] = 0.5;
            s.loneliness[i] = 0.15;
            s.rejection[i] = 0.0;
            s.screen[i] = self.p.screen.base[0] as f32;
            s.craving[i] = self.p.substance.craving_base as f32;
            s.substance[i] = use_state::NONE;
            s.isolated_weeks[i] = 0;
            s.weeks_out[i] = 0;
            t.victim_weeks[i] = 0;
            s.last_trad[i] = i32::MIN;
            s.last_cyber[i] = i32::MIN;
            s.flags[i] = 0;
            self.policy.forget(i);
            for sl in self.ties.range(i) {
                if self.ties.layer[sl] != Layer::Family as u8 {
                    changes.push(Change::Drop(i as u32, self.ties.target[sl]));
                }
            }
            // The newcomer makes a full starting set of ties itself (at setup each agent
            // proposed half and received half): school, community and online.
            let members = self.neighbourhoods.of(t.neighbourhood[i]);
            let w0 = self.p.initial_weight;
            let mut made = 0;
            for _ in 0..4 * self.p.ties_school {
                if made >= self.p.ties_school {
                    break;
                }
                let k = members[rng.random_range(0..members.len())];
                if k as usize != i && t.age[k as usize] <= 17 {
                    changes.push(Change::Add(i as u32, k, Layer::Peer, w0));
                    made += 1;
                }
            }
            for _ in 0..self.p.ties_community {
                let k = members[rng.random_range(0..members.len())];
                changes.push(Change::Add(i as u32, k, Layer::Community, w0));
            }
            for _ in 0..self.p.ties_online {
                let k = rng.random_range(0..self.p.n as u32);
                changes.push(Change::Add(i as u32, k, Layer::Online, w0));
            }
        }
        let (a, r) = self.ties.apply(&changes, self.p.drop_below);
        self.ties_added += a;
        self.ties_removed += r;
    }

    fn tally(&mut self, exec: Exec) -> Tally {
        let n = self.n();
        let mut marks = std::mem::take(&mut self.marks);
        marks.resize(n, 0);
        let (t, s) = (&self.traits, &self.state);
        par::for_each_chunk(exec, &mut marks, |first, chunk| {
            let (group, days_avg) = (&t.group[first..], &s.days_avg[first..]);
            for ((m, &g), &d) in chunk.iter_mut().zip(group).zip(days_avg) {
                *m = g | (u32::from(d >= OUT_OFTEN) << 31);
            }
        });
        let mut sums = std::mem::take(&mut self.friend_sums);
        sums.resize(n, FriendSums::default());
        let (ties, p, marks_ref) = (&self.ties, &self.p, &marks[..]);
        let tick = self.tick as i32;
        let chunks = par::map_each_chunk(exec, &mut sums, |first, sums_out| {
            let mut y = Tally::default();
            for (k, sums_i) in sums_out.iter_mut().enumerate() {
                let i = first + k;
                if i + AHEAD < n {
                    for &j in ties.slab(i + AHEAD).0 {
                        par::prefetch(marks_ref, j as usize);
                    }
                }
                let b = band(t.age[i]);
                let male = t.male[i] as usize;
                y.n_band[b] += 1;
                y.role_band[b] += u64::from(t.role[i]);
                let a5 = age_group(t.age[i]);
                y.n_age5[a5] += 1;
                y.scarred_band[b] += u64::from(p.susceptibility.scarred(t.victim_weeks[i]));
                y.n_sex[male] += 1;
                let in_range = (p.report_age.0..=p.report_age.1).contains(&t.age[i]);
                y.n_range += u64::from(in_range);
                let weeks = s.isolated_weeks[i];
                if weeks >= HIKIKOMORI_WEEKS {
                    y.hik += 1;
                    y.hik_band[b] += 1;
                    y.hik_sex[male] += 1;
                    y.hik_range += u64::from(in_range);
                    y.hik_long += u64::from(weeks >= episodes::LONG_WEEKS);
                    y.hik_age5[a5] += 1;
                    let sev = mechanisms::severity_of(s.days_avg[i] as f64, p.severe_below);
                    y.hik_sev[(sev.max(1) - 1) as usize] += 1;
                } else if weeks > 0 && s.weeks_out[i] == 0 {
                    // Isolated now, for under 26 weeks (a spell out within an open episode
                    // does not count: Wong et al. 2015 asked who is withdrawn now).
                    y.isolated_short += 1;
                }
                y.loneliness += s.loneliness[i] as f64;
                y.lonely += u64::from(s.loneliness[i] as f64 > p.lonely.threshold);
                y.screen += s.screen[i] as f64;
                if b == 0 {
                    let tr = tick.saturating_sub(s.last_trad[i]) < 52;
                    let cy = tick.saturating_sub(s.last_cyber[i]) < 52;
                    y.victim_trad += u64::from(tr);
                    y.victim_cyber += u64::from(cy);
                    y.victim_both += u64::from(tr && cy);
                }
                y.using += u64::from(s.substance[i] == use_state::USING);
                y.recovery += u64::from(s.substance[i] == use_state::RECOVERY);
                let (targets, weights, layers) = ties.slab(i);
                y.degree += targets.len() as u64;
                let gi = t.group[i];
                // Branch-free: whether a tie is a friend tie, and within the group, is close to
                // random from tie to tie, so branches on it mispredict (a profile showed the
                // branchy loop at a tenth of the run; the same trick elsewhere cost more
                // instructions than the mispredictions it saved). A non-friend adds w * 0.0 = +0.0,
                // which leaves the strength sum bit for bit what phase 1 would add up.
                let (mut friends, mut bonding, mut out) = (0u32, 0u32, 0u32);
                let mut strength = 0.0f64;
                for ((&j, &w), &l) in targets.iter().zip(weights).zip(layers) {
                    let friend = Self::in_person(l) && l != Layer::Family as u8;
                    let m = marks_ref[j as usize];
                    let f = u32::from(friend);
                    friends += f;
                    bonding += f & u32::from(m & !OUT_BIT == gi);
                    out += f & (m >> 31);
                    strength += w as f64 * f64::from(f);
                }
                y.bonding += bonding as u64;
                y.bridging += (friends - bonding) as u64;
                *sums_i = FriendSums {
                    strength,
                    friends,
                    out,
                };
            }
            y
        });
        self.marks = marks;
        self.friend_sums = sums;
        self.friend_clock = self.clock;
        let mut total = Tally::default();
        for c in chunks {
            total.add(&c);
        }
        total
    }

    /// Share of bullies among the youth of each neighbourhood's school.
    /// Integer counts per neighbourhood over its members, so the result is the same in any
    /// order; parallel because it runs every week over all agents.
    fn school_bully_shares(&self, exec: Exec) -> Vec<f64> {
        let (t, nb) = (&self.traits, &self.neighbourhoods);
        let nh = nb.offsets.len() - 1;
        let share = |h: usize| {
            let (mut youth, mut bullies) = (0u32, 0u32);
            for &i in nb.of(h as u32) {
                let i = i as usize;
                if t.age[i] <= 17 {
                    youth += 1;
                    bullies += u32::from(t.bully[i] == 1);
                }
            }
            if youth == 0 {
                0.0
            } else {
                bullies as f64 / youth as f64
            }
        };
        match exec {
            Exec::Sequential => (0..nh).map(share).collect(),
            Exec::Parallel => (0..nh)
                .into_par_iter()
                .with_min_len(64)
                .map(share)
                .collect(),
        }
    }

    /// Largest connected share over all ties (concurrent union-find over the slabs).
    pub fn largest_component_share(&self) -> f64 {
        let ties = &self.ties;
        let largest = metrics::largest_component_size(Exec::Parallel, self.n(), |i| ties.slab(i).0);
        largest as f64 / self.n().max(1) as f64
    }
}

/// Counts for one tick's metrics (integers and chunk-ordered float sums).
#[derive(Default, Clone)]
struct Tally {
    n_band: [u64; 3],
    role_band: [u64; 3],
    n_sex: [u64; 2],
    n_range: u64,
    hik: u64,
    hik_band: [u64; 3],
    hik_sex: [u64; 2],
    hik_sev: [u64; 3],
    hik_range: u64,
    hik_long: u64,
    /// Agents and cases by five-year age group (12-14, 15-19, ..., 60-64).
    n_age5: [u64; AGE_GROUPS],
    hik_age5: [u64; AGE_GROUPS],
    scarred_band: [u64; 3],
    isolated_short: u64,
    loneliness: f64,
    lonely: u64,
    screen: f64,
    victim_trad: u64,
    victim_cyber: u64,
    victim_both: u64,
    using: u64,
    recovery: u64,
    degree: u64,
    bonding: u64,
    bridging: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        for k in 0..3 {
            self.n_band[k] += o.n_band[k];
            self.role_band[k] += o.role_band[k];
            self.scarred_band[k] += o.scarred_band[k];
            self.hik_band[k] += o.hik_band[k];
            self.hik_sev[k] += o.hik_sev[k];
        }
        for k in 0..2 {
            self.n_sex[k] += o.n_sex[k];
            self.hik_sex[k] += o.hik_sex[k];
        }
        self.n_range += o.n_range;
        self.hik += o.hik;
        self.hik_range += o.hik_range;
        self.hik_long += o.hik_long;
        for k in 0..AGE_GROUPS {
            self.n_age5[k] += o.n_age5[k];
            self.hik_age5[k] += o.hik_age5[k];
        }
        self.isolated_short += o.isolated_short;
        self.loneliness += o.loneliness;
        self.lonely += o.lonely;
        self.screen += o.screen;
        self.victim_trad += o.victim_trad;
        self.victim_cyber += o.victim_cyber;
        self.victim_both += o.victim_both;
        self.using += o.using;
        self.recovery += o.recovery;
        self.degree += o.degree;
        self.bonding += o.bonding;
        self.bridging += o.bridging;
    }
}

/// Five-year age groups in the outputs: 12-14, then 15-19, ..., 60-64, so every survey window
/// that starts and ends on a group edge (Japan's 15-39 and 40-64) comes from one run.
const AGE_GROUPS: usize = 11;

fn age_group(age: u8) -> usize {
    if age < 15 {
        0
    } else {
        (((age - 15) / 5) as usize + 1).min(AGE_GROUPS - 1)
    }
}

fn age_group_range(k: usize) -> (usize, usize) {
    if k == 0 {
        (12, 14)
    } else {
        (15 + 5 * (k - 1), 19 + 5 * (k - 1))
    }
}

fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Model for Withdrawal {
    fn observe(&mut self, rec: &mut Recorder<'_>) {
        let started = Instant::now();
        let y = self.tally(Exec::Parallel);
        self.timings.tally += started.elapsed().as_secs_f64();
        let n = self.n() as u64;
        rec.put("hikikomori_prevalence", share(y.hik, n));
        rec.put("hikikomori_in_range", share(y.hik_range, y.n_range));
        for (b, name) in population::BANDS.iter().enumerate() {
            rec.put(
                &format!("hikikomori.{name}"),
                share(y.hik_band[b], y.n_band[b]),
            );
        }
        for (b, name) in population::BANDS.iter().enumerate() {
            rec.put(
                &format!("role_share.{name}"),
                share(y.role_band[b], y.n_band[b]),
            );
            rec.put(
                &format!("scarred_share.{name}"),
                share(y.scarred_band[b], y.n_band[b]),
            );
        }
        for k in 0..AGE_GROUPS {
            let (lo, hi) = age_group_range(k);
            rec.put(
                &format!("hikikomori.age_{lo}_{hi}"),
                share(y.hik_age5[k], y.n_age5[k]),
            );
        }
        rec.put("hikikomori.female", share(y.hik_sex[0], y.n_sex[0]));
        rec.put("hikikomori.male", share(y.hik_sex[1], y.n_sex[1]));
        for (k, name) in ["mild", "moderate", "severe"].iter().enumerate() {
            rec.put(&format!("hikikomori.{name}"), share(y.hik_sev[k], n));
        }
        rec.put("hikikomori_male_share", share(y.hik_sex[1], y.hik));
        rec.put("hikikomori_young_adult_share", share(y.hik_band[1], y.hik));
        rec.put("isolated_under_26_weeks", share(y.isolated_short, n));
        rec.put("hikikomori_long_share", share(y.hik_long, y.hik));
        rec.put("loneliness_mean", y.loneliness / n.max(1) as f64);
        rec.put("lonely_share", share(y.lonely, n));
        rec.put(
            "victimisation_traditional",
            share(y.victim_trad, y.n_band[0]),
        );
        rec.put("victimisation_cyber", share(y.victim_cyber, y.n_band[0]));
        rec.put("victimisation_overlap", share(y.victim_both, y.victim_trad));
        rec.put("screen_hours_mean", y.screen / n.max(1) as f64);
        rec.put("substance_use_prevalence", share(y.using, n));
        rec.put("recovery_share", share(y.recovery, n));
        rec.put("bonding_ties_per_agent", share(y.bonding, n));
        rec.put("bridging_ties_per_agent", share(y.bridging, n));
        rec.put("mean_degree", share(y.degree, n));
        rec.put(
            "ties_refused",
            (self.ties.refused - self.refused_before) as f64,
        );
        rec.put("hikikomori_count", y.hik as f64);
        self.policy.record(rec);
        let tick = rec.tick();
        if tick.is_multiple_of(self.p.network_every) {
            let ei = if y.bonding + y.bridging > 0 {
                (y.bridging as f64 - y.bonding as f64) / (y.bridging + y.bonding) as f64
            } else {
                0.0
            };
            rec.put("ei_index", ei);
            let started = Instant::now();
            rec.put("largest_component_share", self.largest_component_share());
            self.timings.components += started.elapsed().as_secs_f64();
        }
        if tick.is_multiple_of(self.p.clustering_every) {
            let started = Instant::now();
            let g = self.ties.snapshot(&self.traits.group);
            let (transitivity, local) = metrics::clustering(&g);
            self.timings.clustering += started.elapsed().as_secs_f64();
            rec.put("transitivity", transitivity);
            rec.put("mean_local_clustering", local);
        }
    }

    fn step(&mut self, _tick: u32, exec: Exec) {
        self.advance(exec);
    }

    fn finish(&mut self, rec: &mut Recorder<'_>) {
        let n = self.n();
        let mut days = vec![0u64; 8];
        for &d in &self.days {
            days[d as usize] += 1;
        }
        rec.distribution(Distribution {
            name: "days_out".into(),
            bins: (0..8).map(f64::from).collect(),
            counts: days,
        });
        let bins: Vec<f64> = episodes::DURATION_BINS.iter().map(|&b| b as f64).collect();
        let bin_of = episodes::bin_of;
        let mut current = vec![0u64; bins.len()];
        for i in 0..n {
            if self.is_hikikomori(i) {
                current[bin_of(self.state.isolated_weeks[i])] += 1;
            }
        }
        let mut ended = vec![0u64; bins.len()];
        for &w in &self.episodes {
            ended[bin_of(w)] += 1;
        }
        rec.distribution(Distribution {
            name: "hikikomori_duration_current_weeks".into(),
            bins: bins.clone(),
            counts: current,
        });
        rec.distribution(Distribution {
            name: "hikikomori_duration_ended_weeks".into(),
            bins,
            counts: ended,
        });
        let lonely: Vec<bool> = (0..n).map(|i| self.is_lonely(i)).collect();
        let table = association::by_distance(&self.ties, &lonely, 4, 500);
        for (d, excess) in table.iter().enumerate() {
            rec.put(&format!("lonely_excess_d{}", d + 1), *excess);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(n: usize, seed: u64) -> Withdrawal {
        let s = Scenario::from_sets(
            "t",
            &[
                "model=withdrawal".into(),
                format!("population.n={n}"),
                "withdrawal.burn_in_ticks=0".into(),
            ],
        )
        .unwrap();
        Withdrawal::new(WParams::from_params(&s.params), Streams::new(seed, 0))
    }

    fn assert_same(a: &Withdrawal, b: &Withdrawal, tick: u32) {
        assert_eq!(a.state, b.state, "state at tick {tick}");
        assert_eq!(a.days, b.days, "days at tick {tick}");
        assert_eq!(a.episodes, b.episodes, "episodes at tick {tick}");
        assert_eq!(a.traits.age, b.traits.age, "ages at tick {tick}");
        assert_eq!(a.traits.role, b.traits.role, "roles at tick {tick}");
        assert_eq!(
            a.traits.victim_weeks, b.traits.victim_weeks,
            "victimised weeks at tick {tick}"
        );
        let (x, y) = (&a.ties, &b.ties);
        assert_eq!(x.start, y.start, "slab starts at tick {tick}");
        assert_eq!(x.len, y.len, "tie counts at tick {tick}");
        for i in 0..x.n() {
            let (r, q) = (x.range(i), y.range(i));
            assert_eq!(x.target[r.clone()], y.target[q.clone()], "ties of {i}");
            assert_eq!(x.layer[r.clone()], y.layer[q.clone()], "layers of {i}");
            let bits = |w: &[f32]| w.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&x.weight[r]), bits(&y.weight[q]), "weights of {i}");
        }
        assert_eq!(x.refused, y.refused);
        assert_eq!(
            (a.ties_added, a.ties_removed),
            (b.ties_added, b.ties_removed)
        );
    }

    /// Scenarios that differ only in after-burn-in keys give, from one shared burn-in, exactly
    /// what each gives when run alone; a key the burn-in reads changes the signature.
    #[test]
    fn a_shared_burn_in_gives_what_separate_runs_give() {
        let base = [
            "model=withdrawal",
            "population.n=3000",
            "withdrawal.burn_in_ticks=40",
            "ticks=30",
            "replicates=2",
            "seed=7",
        ];
        let with = |extra: &[&str]| {
            let sets: Vec<String> = base.iter().chain(extra).map(|s| s.to_string()).collect();
            Scenario::from_sets("t", &sets).unwrap()
        };
        let arms = [
            with(&[]),
            with(&["policy.budget=200000", "policy.services_share=1"]),
            with(&[
                "policy.budget=200000",
                "policy.community_share=0.7",
                "community.attend=0.5",
                "shock.start=5",
                "shock.weeks=10",
                "shock.days_out=1.5",
            ]),
            with(&["screen.trend_per_year=1.0", "anti_bullying.effect=0.5"]),
        ];
        let sig = burn_in_signature(&arms[0]);
        for a in &arms {
            assert_eq!(burn_in_signature(a), sig);
        }
        assert_ne!(burn_in_signature(&with(&["days.base=1.0"])), sig);
        assert_ne!(burn_in_signature(&with(&["seed=8"])), sig);
        let refs: Vec<&Scenario> = arms.iter().collect();
        let shared = execute_sharing_burn_in(&refs, Exec::Parallel, &|| {}).unwrap();
        for (a, got) in arms.iter().zip(&shared) {
            let alone = execute(a, Exec::Parallel, &|| {}).unwrap();
            // Debug text compares NaN as equal to NaN and every other value exactly.
            assert_eq!(format!("{:?}", got.series), format!("{:?}", alone.series));
        }
        // The arms really differ after tick 0, so the comparison above is not vacuous.
        assert_ne!(
            format!("{:?}", shared[0].series),
            format!("{:?}", shared[2].series)
        );
        let mixed = [&arms[0], &with(&["days.base=1.0"])];
        assert!(execute_sharing_burn_in(&mixed, Exec::Parallel, &|| {}).is_err());
    }

    /// The friend-tie sums the tally hands to the next week's phase 1 are the ones phase 1
    /// computes itself: a model tallied between weeks (sequentially or on three threads)
    /// evolves exactly as one never tallied, and the sums equal the direct ones.
    #[test]
    fn friend_sums_from_the_tally_change_nothing() {
        let n = 3 * CHUNK + 77;
        let mut direct = model(n, 5);
        let mut seq = model(n, 5);
        let mut par = model(n, 5);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for t in 1..=10 {
            direct.advance(Exec::Sequential);
            seq.advance(Exec::Sequential);
            pool.install(|| par.advance(Exec::Parallel));
            assert_same(&direct, &seq, t);
            assert_same(&direct, &par, t);
            seq.tally(Exec::Sequential);
            pool.install(|| par.tally(Exec::Parallel));
            let expect: Vec<FriendSums> = (0..n)
                .map(|i| FriendSums::of(&direct.ties, &direct.state.days_avg, i))
                .collect();
            assert!(
                seq.friend_sums == expect,
                "sequential tally sums at tick {t}"
            );
            assert!(par.friend_sums == expect, "parallel tally sums at tick {t}");
            assert_eq!(seq.friend_clock, seq.clock);
        }
        // The sums are not trivial: friends with and without days out both occur.
        assert!(seq.friend_sums.iter().any(|f| f.out > 0));
        assert!(seq.friend_sums.iter().any(|f| f.friends > f.out));
    }

    /// Every parallel phase of `advance` gives the same result as running it chunk after
    /// chunk on one thread (several chunks, a ragged last one, a pool of three threads).
    #[test]
    fn age_groups_cover_12_to_64_in_fives() {
        assert_eq!(age_group(12), 0);
        assert_eq!(age_group(14), 0);
        assert_eq!(age_group(15), 1);
        assert_eq!(age_group(39), 5);
        assert_eq!(age_group(40), 6);
        assert_eq!(age_group(64), 10);
        for age in 12u8..=64 {
            let (lo, hi) = age_group_range(age_group(age));
            assert!((lo..=hi).contains(&(age as usize)), "{age}");
        }
    }

    #[test]
    fn sequential_and_parallel_advance_agree() {
        let n = 3 * CHUNK + 77;
        let mut a = model(n, 11);
        let mut b = model(n, 11);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for t in 1..=12 {
            a.advance(Exec::Sequential);
            pool.install(|| b.advance(Exec::Parallel));
            assert_same(&a, &b, t);
        }
        a.ties.check_symmetric().unwrap();
        assert_eq!(
            a.tally(Exec::Sequential).degree,
            b.tally(Exec::Parallel).degree
        );
    }
}
