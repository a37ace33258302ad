//! Online ties turning offline (phase 3b, issue 9 item 6): two people who know each other
//! only through screens meet in person, and the tie becomes an in-person (community-layer)
//! tie. Online ties are drawn anywhere in the population, so this is a source of in-person
//! ties that cross neighbourhoods besides commuting (`roles.work_away`). Without it, every
//! in-person tie formed after set-up is made inside a neighbourhood or at work, and the
//! review (W6) found the in-person network fragmenting into neighbourhood islands over a
//! 50-year burn-in.
//!
//! - **Reads**: this week's days out (`days`), the ties after tie-strength updates.
//! - **Writes**: `Change::Relayer(i, j, Online, Community)`, applied with the week's other
//!   structural changes (in agent order, after them).
//! - **Acts**: every tick from the first burn-in tick when `mechanisms.tie_dynamics` and
//!   `mechanisms.online_offline` are on (its keys enter the burn-in signature).
//! - **Random**: stream `withdrawal.ties.offline`, [`WORDS`] words per agent per tick.
//! - **Owns**: `ties.online_to_offline`, `mechanisms.online_offline`.
//!
//! Each online tie is considered once a week by its lower-numbered end. With `m` such ties,
//! the agent meets one of them with probability `1 - (1 - q)^m` (word 0), the tie being chosen
//! uniformly (word 1), and the meeting happens if both go out: with probability
//! `min(d_i, d_j) / 7` (word 2). The weekly hazard of a tie is therefore `q min(d_i, d_j) / 7`
//! up to the rule of at most one meeting per agent per week (exact while `m q` is small).
//! A slab scan is needed only when word 0 passes the bound for the whole slab, so the cost
//! is a few words per agent and rarely a scan.

use super::burn_in::Acts;
use super::params::{P, W};
use super::ties::Change;
use super::Withdrawal;
use crate::engine::par::{self, Exec};
use crate::engine::rng::{below, chance, Purpose};
use crate::graph::Layer;
use crate::scenario::{ParamSpec, Params};

/// Meetings of online ties.
pub const OFFLINE: Purpose = Purpose::named("withdrawal.ties.offline");
/// Words per agent per tick.
pub const WORDS: usize = 3;

/// When [`SPECS`] first act: from setup and the first burn-in tick (they enter the burn-in
/// signature).
pub(super) const ACTS: Acts = Acts::DuringBurnIn;

/// The keys this mechanism owns.
pub static SPECS: &[ParamSpec] = &[
    ParamSpec::real("ties.online_to_offline", 0.004, 0.0, P, "probability per tie per week", "Weekly chance that an online-only tie becomes an in-person (community) tie when both go out every day (times min(days out) / 7).", "assumption, range 0-0.01 including 0 (Parks & Floyd 1996: about a third of online relationships had moved to face-to-face meetings, timing unknown; 0.004 at 4-5 joint days out is about 12% a year)", W),
    ParamSpec::switch("mechanisms.online_offline", true, "Online ties can turn into in-person ties (off: online ties stay online).", "model structure", W),
];

/// The weekly probability per online tie at full joint contact (0 when switched off).
pub fn rate(p: &Params) -> f64 {
    if p.bool("mechanisms.online_offline") {
        p.f64("ties.online_to_offline")
    } else {
        0.0
    }
}

/// This week's meetings, in agent order.
pub(super) fn week(m: &Withdrawal, exec: Exec) -> Vec<Change> {
    let q = m.p.online_to_offline;
    if q <= 0.0 {
        return Vec::new();
    }
    let stream = m.streams.tick(OFFLINE, m.clock);
    let (ties, days) = (&m.ties, &m.days);
    let any = |k: usize| 1.0 - (1.0 - q).powi(k as i32);
    let chunks = par::map_chunks(exec, ties.n(), |range| {
        let first = range.start;
        let mut words = vec![0u32; range.len() * WORDS];
        stream.fill(first, WORDS, &mut words);
        let mut out = Vec::new();
        for i in range {
            let w = &words[(i - first) * WORDS..(i - first + 1) * WORDS];
            let (targets, _, layers) = ties.slab(i);
            // Monotone in the count, so failing the whole slab's bound fails for sure.
            if !chance(w[0], any(targets.len())) {
                continue;
            }
            let mine = |q: usize| layers[q] == Layer::Online as u8 && targets[q] as usize > i;
            let count = (0..targets.len()).filter(|&q| mine(q)).count();
            if count == 0 || !chance(w[0], any(count)) {
                continue;
            }
            let pick = (0..targets.len())
                .filter(|&q| mine(q))
                .nth(below(w[1], count));
            if let Some(q) = pick {
                let j = targets[q];
                let together = f64::from(days[i].min(days[j as usize])) / 7.0;
                if chance(w[2], together) {
                    out.push(Change::Relayer(
                        i as u32,
                        j,
                        Layer::Online,
                        Layer::Community,
                    ));
                }
            }
        }
        out
    });
    chunks.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Streams;
    use crate::models::withdrawal::params::WParams;
    use crate::models::withdrawal::ties::Ties;
    use crate::scenario::Scenario;

    fn model(sets: &[&str]) -> Withdrawal {
        let mut all = vec![
            "model=withdrawal".to_string(),
            "population.n=5000".into(),
            "withdrawal.burn_in_ticks=0".into(),
        ];
        all.extend(sets.iter().map(|s| s.to_string()));
        let s = Scenario::from_sets("t", &all).unwrap();
        let mut m = Withdrawal::new(WParams::from_params(&s.params), Streams::new(4, 0));
        m.advance(Exec::Parallel);
        m
    }

    fn online(t: &Ties) -> Vec<(u32, u32)> {
        (0..t.n())
            .flat_map(|i| t.range(i).map(move |s| (i, s)))
            .filter(|&(i, s)| t.layer[s] == Layer::Online as u8 && t.target[s] as usize > i)
            .map(|(i, s)| (i as u32, t.target[s]))
            .collect()
    }

    #[test]
    fn online_ties_meet_at_the_documented_weekly_hazard() {
        // Expected meetings: the sum over online ties of q min(d_i, d_j) / 7. The count is a
        // sum of independent rare events (Poisson), so it lies within 4 sds of its mean; the
        // rule of one meeting per agent a week loses about q m / 2 of them (m: an agent's
        // online ties, about 3), under 2% at q = 0.01, inside that band.
        let q = 0.01;
        let m = model(&[&format!("ties.online_to_offline={q}")]);
        let pairs = online(&m.ties);
        let expected: f64 = pairs
            .iter()
            .map(|&(i, j)| q * f64::from(m.days[i as usize].min(m.days[j as usize])) / 7.0)
            .sum();
        let made = week(&m, Exec::Parallel);
        let got = made.len() as f64;
        assert!(expected > 50.0, "{expected}");
        assert!(
            (got - expected).abs() < 4.0 * expected.sqrt(),
            "{got} vs {expected}"
        );
        assert_eq!(made, week(&m, Exec::Sequential), "thread count");
        for c in &made {
            match *c {
                Change::Relayer(i, j, Layer::Online, Layer::Community) => {
                    assert!(i < j && pairs.contains(&(i, j)))
                }
                other => panic!("unexpected change {other:?}"),
            }
        }
        // Applied, the ties keep their ends and strength and move to the community layer.
        let mut after = m.ties.clone();
        let edges = after.edge_count();
        after.apply(&made, 0.05);
        assert_eq!(after.edge_count(), edges);
        assert_eq!(online(&after).len(), pairs.len() - made.len());
        after.check_symmetric().unwrap();
    }

    #[test]
    fn with_the_rate_at_zero_or_the_switch_off_no_tie_moves() {
        assert!(week(&model(&["ties.online_to_offline=0"]), Exec::Parallel).is_empty());
        assert!(week(&model(&["mechanisms.online_offline=false"]), Exec::Parallel).is_empty());
    }
}
