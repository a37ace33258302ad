//! Equivalence tests of the whole model: a shared burn-in gives what separate runs give, the
//! tally's friend sums change nothing, and every parallel phase agrees with its sequential run.

use super::days::FriendSums;
use super::params::WParams;
use super::*;
use crate::engine::par::CHUNK;
use crate::engine::rng::Streams;
use crate::scenario::Scenario;

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
