//! The withdrawal model's state in a checkpoint ([`crate::checkpoint`]); [`super::resume`]
//! runs a work unit that saves and resumes through it.
//!
//! Why here: this child module of the model can read the model's private fields, and every
//! struct is destructured without `..`, so a field added to the model state is a compile error
//! in [`encode`] until it is saved too (a field that is only a cache or scratch is named and
//! skipped, with the reason). Parameters are not saved: they come from the scenario, whose
//! hash the file carries; random-stream positions are the model's clock (draws are keyed by
//! (seed, purpose, tick, agent)), which is saved with the seed and replicate.
//!
//! What is saved: traits, households, neighbourhoods, ties, the current state, this week's
//! days out, ended episodes, the tie counters, the clock and recorded tick, and the policy
//! state (ledger, per-agent and per-place columns, counters, queued ties). What is rebuilt:
//! the next-state buffer (phase 2 writes every slot of it each week before reading it), the
//! peer and mark scratch, the birthday index (from the birth weeks, which never change), the
//! friend-sum cache (phase 1 computes the sums itself when the cache is stale, with the same
//! result: a test in the parent checks this), the phase timings (never in results), and the
//! policy's funding schedule and lever parameters (from the scenario).

use std::io::Write;

use super::life::Birthdays;
use super::population::{Households, Neighbourhoods, Traits};
use super::ties::{Change, Ties};
use super::{policy, PhaseTimes, State, Withdrawal};
use crate::checkpoint::{Dec, Enc};
use crate::engine::Streams;
use crate::error::Result;
use crate::graph::Layer;
use crate::scenario::Params;

use super::params::WParams;

/// Writes the full state of `m`.
pub fn encode<W: Write>(m: &Withdrawal, e: &mut Enc<W>) {
    let Withdrawal {
        p: _,
        traits,
        households,
        neighbourhoods,
        ties,
        state,
        next: _,
        days,
        peers: _,
        birthdays: _,
        timings: _,
        streams,
        clock,
        tick,
        episodes,
        ties_added,
        ties_removed,
        refused_before,
        policy,
        friend_sums: _,
        friend_clock: _,
        marks: _,
    } = m;
    e.put_usize(m.n());
    e.put_u64(streams.seed());
    e.put_u32(streams.replicate());
    e.put_u64(*clock);
    e.put_i64(*tick);
    put_traits(e, traits);
    let Households {
        parenting,
        parent_phone,
        mediation,
    } = households;
    e.put_slice(parenting);
    e.put_slice(parent_phone);
    e.put_slice(mediation);
    let Neighbourhoods {
        offsets,
        members,
        lonely_effect,
    } = neighbourhoods;
    e.put_slice(offsets);
    e.put_slice(members);
    e.put_slice(lonely_effect);
    let Ties {
        start,
        len,
        target,
        weight,
        layer,
        refused,
    } = ties;
    e.put_slice(start);
    e.put_slice(len);
    e.put_slice(target);
    e.put_slice(weight);
    e.put_slice(layer);
    e.put_u64(*refused);
    put_state(e, state);
    e.put_slice(days);
    e.put_slice(episodes);
    e.put_u64(*ties_added);
    e.put_u64(*ties_removed);
    e.put_u64(*refused_before);
    put_policy(e, policy);
}

fn put_traits<W: Write>(e: &mut Enc<W>, t: &Traits) {
    let Traits {
        age,
        birth_week,
        male,
        group,
        household,
        neighbourhood,
        shyness,
        attachment,
        bully,
        role,
        victim_weeks,
    } = t;
    e.put_slice(age);
    e.put_slice(birth_week);
    e.put_slice(male);
    e.put_slice(group);
    e.put_slice(household);
    e.put_slice(neighbourhood);
    e.put_slice(shyness);
    e.put_slice(attachment);
    e.put_slice(bully);
    e.put_slice(role);
    e.put_slice(victim_weeks);
}

fn put_state<W: Write>(e: &mut Enc<W>, s: &State) {
    let State {
        days_avg,
        contact,
        loneliness,
        rejection,
        screen,
        craving,
        substance,
        isolated_weeks,
        weeks_out,
        last_trad,
        last_cyber,
        flags,
    } = s;
    e.put_slice(days_avg);
    e.put_slice(contact);
    e.put_slice(loneliness);
    e.put_slice(rejection);
    e.put_slice(screen);
    e.put_slice(craving);
    e.put_slice(substance);
    e.put_slice(isolated_weeks);
    e.put_slice(weeks_out);
    e.put_slice(last_trad);
    e.put_slice(last_cyber);
    e.put_slice(flags);
}

fn put_policy<W: Write>(e: &mut Enc<W>, p: &policy::PolicyState) {
    let policy::PolicyState {
        // Both come from the scenario; whether they are set is saved.
        schedule,
        levers: _,
        ledger,
        service_left,
        link_left,
        benefit,
        member,
        last_event,
        reached,
        covered,
        school_order,
        unused_places,
        events,
        attendees,
        households_reached,
        youth_shifted,
        roles_regained,
        ties,
    } = p;
    e.put_bool(schedule.is_some());
    let crate::policy::Ledger {
        available,
        spent_week,
        carried,
        credited_total,
        spent_total,
        unspent_total,
    } = ledger;
    for a in [
        available,
        spent_week,
        carried,
        credited_total,
        spent_total,
        unspent_total,
    ] {
        e.put_slice(a);
    }
    e.put_slice(service_left);
    e.put_slice(link_left);
    e.put_slice(benefit);
    e.put_slice(member);
    e.put_slice(last_event);
    e.put_slice(reached);
    e.put_slice(covered);
    e.put_slice(school_order);
    for c in [
        unused_places,
        events,
        attendees,
        households_reached,
        youth_shifted,
        roles_regained,
    ] {
        e.put_u64(*c);
    }
    let super::policy_ties::PolicyTies {
        queued,
        added,
        refused,
        grown,
    } = ties;
    for q in queued {
        e.put_usize(q.len());
        for c in q {
            put_change(e, c);
        }
    }
    e.put_slice(added);
    e.put_slice(refused);
    e.put_u64(*grown);
}

fn put_change<W: Write>(e: &mut Enc<W>, c: &Change) {
    match *c {
        Change::Drop(a, b) => {
            e.put_u8(0);
            e.put_u32(a);
            e.put_u32(b);
        }
        Change::Weaken(a, b, f) => {
            e.put_u8(1);
            e.put_u32(a);
            e.put_u32(b);
            e.put_u32(f.to_bits());
        }
        Change::Add(a, b, l, w) => {
            e.put_u8(2);
            e.put_u32(a);
            e.put_u32(b);
            e.put_u8(l as u8);
            e.put_u32(w.to_bits());
        }
        Change::Strengthen(a, b, f) => {
            e.put_u8(3);
            e.put_u32(a);
            e.put_u32(b);
            e.put_u32(f.to_bits());
        }
        Change::Relayer(a, b, from, to) => {
            e.put_u8(4);
            e.put_u32(a);
            e.put_u32(b);
            e.put_u8(from as u8);
            e.put_u8(to as u8);
        }
    }
}

fn get_change(d: &mut Dec<'_>) -> Result<Change> {
    Ok(match d.u8()? {
        0 => Change::Drop(d.u32()?, d.u32()?),
        1 => Change::Weaken(d.u32()?, d.u32()?, f32::from_bits(d.u32()?)),
        2 => {
            let (a, b, code) = (d.u32()?, d.u32()?, d.u8()?);
            let l = Layer::from_code(code)
                .ok_or_else(|| d.invalid(format!("bad tie layer code {code}")))?;
            Change::Add(a, b, l, f32::from_bits(d.u32()?))
        }
        3 => Change::Strengthen(d.u32()?, d.u32()?, f32::from_bits(d.u32()?)),
        4 => {
            let (a, b) = (d.u32()?, d.u32()?);
            let mut layer = || {
                let code = d.u8()?;
                Layer::from_code(code)
                    .ok_or_else(|| d.invalid(format!("bad tie layer code {code}")))
            };
            let (from, to) = (layer()?, layer()?);
            Change::Relayer(a, b, from, to)
        }
        k => return Err(d.invalid(format!("bad tie change kind {k}"))),
    })
}

/// Reads a state written by [`encode`] for parameters `p` (from the scenario whose `params`
/// install the policy) and the streams of `(seed, replicate)`, refusing a state of another
/// size, seed or replicate.
pub fn decode(
    d: &mut Dec<'_>,
    p: WParams,
    params: &Params,
    streams: Streams,
) -> Result<Withdrawal> {
    let n = d.usize()?;
    if n != p.n {
        return Err(d.invalid(format!("{n} agents, but the scenario has {}", p.n)));
    }
    let (seed, replicate) = (d.u64()?, d.u32()?);
    if (seed, replicate) != (streams.seed(), streams.replicate()) {
        return Err(d.invalid(format!(
            "seed {seed} replicate {replicate}, expected seed {} replicate {}",
            streams.seed(),
            streams.replicate()
        )));
    }
    let clock = d.u64()?;
    let tick = d.i64()?;
    let traits = Traits {
        age: d.column(n, "age")?,
        birth_week: d.column(n, "birth_week")?,
        male: d.column(n, "male")?,
        group: d.column(n, "group")?,
        household: d.column(n, "household")?,
        neighbourhood: d.column(n, "neighbourhood")?,
        shyness: d.column(n, "shyness")?,
        attachment: d.column(n, "attachment")?,
        bully: d.column(n, "bully")?,
        role: d.column(n, "role")?,
        victim_weeks: d.column(n, "victim_weeks")?,
    };
    let households = Households {
        parenting: d.vec()?,
        parent_phone: d.vec()?,
        mediation: d.vec()?,
    };
    let neighbourhoods = Neighbourhoods {
        offsets: d.vec()?,
        members: d.vec()?,
        lonely_effect: d.vec()?,
    };
    let start: Vec<usize> = d.column(n + 1, "slab starts")?;
    let slots = start[n];
    let ties = Ties {
        len: d.column(n, "tie counts")?,
        target: d.column(slots, "tie targets")?,
        weight: d.column(slots, "tie strengths")?,
        layer: d.column(slots, "tie layers")?,
        refused: d.u64()?,
        start,
    };
    let state = get_state(d, n)?;
    let days = d.column(n, "days out")?;
    let episodes = d.vec()?;
    let (ties_added, ties_removed, refused_before) = (d.u64()?, d.u64()?, d.u64()?);
    let mut m = Withdrawal {
        birthdays: Birthdays::new(&traits.birth_week),
        next: state.clone(),
        state,
        days,
        peers: Vec::new(),
        timings: PhaseTimes::default(),
        traits,
        households,
        neighbourhoods,
        ties,
        p,
        streams,
        clock,
        tick,
        episodes,
        ties_added,
        ties_removed,
        refused_before,
        policy: policy::PolicyState::default(),
        friend_sums: Vec::new(),
        friend_clock: u64::MAX,
        marks: Vec::new(),
    };
    get_policy(d, &mut m, params)?;
    Ok(m)
}

fn get_state(d: &mut Dec<'_>, n: usize) -> Result<State> {
    Ok(State {
        days_avg: d.column(n, "days_avg")?,
        contact: d.column(n, "contact")?,
        loneliness: d.column(n, "loneliness")?,
        rejection: d.column(n, "rejection")?,
        screen: d.column(n, "screen")?,
        craving: d.column(n, "craving")?,
        substance: d.column(n, "substance")?,
        isolated_weeks: d.column(n, "isolated_weeks")?,
        weeks_out: d.column(n, "weeks_out")?,
        last_trad: d.column(n, "last_trad")?,
        last_cyber: d.column(n, "last_cyber")?,
        flags: d.column(n, "flags")?,
    })
}

fn get_policy(d: &mut Dec<'_>, m: &mut Withdrawal, params: &Params) -> Result<()> {
    let active = d.bool()?;
    if active {
        m.install_policy(params);
        if !m.policy.active() {
            return Err(d.invalid("the saved policy is funded, but the scenario funds nothing"));
        }
    }
    let fixed = |d: &mut Dec<'_>| -> Result<[f64; crate::policy::PARTS]> {
        let v: Vec<f64> = d.column(crate::policy::PARTS, "ledger")?;
        Ok(v.try_into().expect("checked length"))
    };
    let ledger = crate::policy::Ledger {
        available: fixed(d)?,
        spent_week: fixed(d)?,
        carried: fixed(d)?,
        credited_total: fixed(d)?,
        spent_total: fixed(d)?,
        unspent_total: fixed(d)?,
    };
    let p = &mut m.policy;
    p.ledger = ledger;
    p.service_left = d.vec()?;
    p.link_left = d.vec()?;
    p.benefit = d.vec()?;
    p.member = d.vec()?;
    p.last_event = d.vec()?;
    p.reached = d.vec()?;
    p.covered = d.vec()?;
    p.school_order = d.vec()?;
    p.unused_places = d.u64()?;
    p.events = d.u64()?;
    p.attendees = d.u64()?;
    p.households_reached = d.u64()?;
    p.youth_shifted = d.u64()?;
    p.roles_regained = d.u64()?;
    for q in p.ties.queued.iter_mut() {
        let k = d.usize()?;
        q.clear();
        for _ in 0..k {
            q.push(get_change(d)?);
        }
    }
    let three = |d: &mut Dec<'_>| -> Result<[u64; 3]> {
        let v: Vec<u64> = d.column(3, "policy tie counts")?;
        Ok(v.try_into().expect("checked length"))
    };
    p.ties.added = three(d)?;
    p.ties.refused = three(d)?;
    p.ties.grown = d.u64()?;
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::engine::par::Exec;
    use crate::scenario::Scenario;

    /// A small funded scenario (every lever on), with extra `--set` values.
    pub(in crate::models::withdrawal) fn scenario(extra: &[&str]) -> Scenario {
        let mut sets: Vec<String> = [
            "model=withdrawal",
            "population.n=2500",
            "withdrawal.burn_in_ticks=12",
            "ticks=14",
            "replicates=1",
            "seed=11",
            "policy.budget=300000",
            "policy.services_share=0.3",
            "policy.community_share=0.4",
            "policy.parenting_share=0.1",
            "policy.anti_bullying_share=0.1",
            "services.link_worker_share=0.5",
            "community.recovery_fraction=0.5",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        sets.extend(extra.iter().map(|s| s.to_string()));
        Scenario::from_sets("t", &sets).unwrap()
    }

    fn bytes_of(m: &Withdrawal) -> Vec<u8> {
        let mut e = Enc::new(Vec::new(), "study", "m");
        encode(m, &mut e);
        e.finish().unwrap()
    }

    /// Encode, decode, encode gives the same bytes at every week of a funded run (all levers
    /// on), and the decoded model then evolves exactly as the original.
    #[test]
    fn state_round_trips_and_evolves_identically() {
        let s = scenario(&[]);
        let p = WParams::from_params(&s.params);
        let streams = Streams::new(s.seed, 0);
        let mut m = Withdrawal::new(p.clone(), streams);
        m.burn_in(Exec::Parallel);
        m.install_policy(&s.params);
        let path = std::path::Path::new("mem");
        for week in 1..=10 {
            m.advance(Exec::Parallel);
            let bytes = bytes_of(&m);
            let mut d = Dec::open(&bytes, path, "study", "m").unwrap();
            let mut back = decode(&mut d, p.clone(), &s.params, streams).unwrap();
            d.done().unwrap();
            assert_eq!(bytes_of(&back), bytes, "week {week}");
            if week % 3 == 0 {
                // Both continue; their states stay byte-identical.
                let mut a = m.clone();
                for _ in 0..3 {
                    a.advance(Exec::Parallel);
                    back.advance(Exec::Parallel);
                }
                assert_eq!(bytes_of(&a), bytes_of(&back), "3 weeks after week {week}");
            }
        }
        assert!(m.policy.ledger.spent_total.iter().sum::<f64>() > 0.0);
        assert!(
            m.policy.ties.added.iter().sum::<u64>() > 0,
            "levers made ties"
        );
    }
}
