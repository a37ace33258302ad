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

/// Every key that applies to the withdrawal model is declared by exactly one table the model
/// reads, so the burn-in signature knows when it acts; a new table (here or in
/// `scenario::spec::all_specs`) without a declaration fails here.
#[test]
fn every_withdrawal_key_is_declared_once() {
    let declared: Vec<&str> = tables()
        .flat_map(|t| t.specs.iter().map(|s| s.key))
        .collect();
    let mut checked = 0;
    for spec in crate::scenario::spec::all_specs() {
        let withdrawal = matches!(spec.applies,
            crate::scenario::Applies::When { key: "model", values } if values.contains(&"withdrawal"));
        if withdrawal {
            let n = declared.iter().filter(|k| **k == spec.key).count();
            assert_eq!(n, 1, "`{}` is declared by {n} tables", spec.key);
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        declared.len(),
        "a declared key is not a withdrawal key"
    );
}

/// A scenario that burns in like [`execute`] does: policy installed first, then the burn-in.
fn burnt(sets: &[String]) -> std::result::Result<(Scenario, Withdrawal), String> {
    let s = Scenario::from_sets("t", sets).map_err(|e| e.to_string())?;
    validate(&s.params).map_err(|e| e.to_string())?;
    let mut m = Withdrawal::new(WParams::from_params(&s.params), Streams::new(s.seed, 0));
    m.install_policy(&s.params);
    m.burn_in(Exec::Parallel);
    Ok((s, m))
}

/// The whole model state at tick 0, apart from the parameters and the policy levers.
fn assert_same_at_tick_0(a: &Withdrawal, b: &Withdrawal, what: &str) {
    // Short messages first: the full state is long.
    assert!(a.state == b.state, "state at tick 0 differs: {what}");
    assert!(a.days == b.days, "days out at tick 0 differ: {what}");
    assert!(
        a.ties.weight == b.ties.weight,
        "tie strengths differ: {what}"
    );
    assert_same(a, b, 0);
    assert_eq!(
        format!("{:?}", a.traits),
        format!("{:?}", b.traits),
        "traits: {what}"
    );
    assert_eq!(
        format!("{:?}", (&a.households, &a.neighbourhoods)),
        format!("{:?}", (&b.households, &b.neighbourhoods)),
        "places: {what}"
    );
    assert_eq!(
        (a.clock, a.tick, a.refused_before),
        (b.clock, b.tick, b.refused_before),
        "clock: {what}"
    );
}

/// Values to try for `key`, off its current value and inside its range, as `--set` text.
fn perturbations(spec: &ParamSpec, current: Option<&crate::scenario::Value>) -> Vec<String> {
    use crate::scenario::{Kind, Value};
    let real = |min: f64, max: f64, cur: f64| {
        let up = if max.is_finite() {
            (cur + max) / 2.0
        } else {
            cur + 1.0
        };
        let down = if min.is_finite() {
            (cur + min) / 2.0
        } else {
            cur - 1.0
        };
        [up, down]
            .into_iter()
            .filter(|v| *v != cur)
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
    };
    match (spec.kind, current) {
        (Kind::Float { min, max }, Some(Value::Float(c))) => real(min, max, *c),
        (Kind::Int { min, max }, Some(Value::Int(c))) => {
            let (c, lo, hi) = (*c as i128, min as i128, max as i128);
            [(c + hi) / 2, (c + lo) / 2]
                .into_iter()
                .filter(|v| *v != c)
                .map(|v| v.to_string())
                .collect()
        }
        (Kind::Bool, Some(Value::Bool(b))) => vec![(!b).to_string()],
        (Kind::Text, _) => vec!["other_units".into()],
        (Kind::IntList { min, max }, _) => vec![format!("[{}]", (min + max.min(1000)) / 2)],
        (Kind::FloatList { min, max }, _) => {
            vec![format!("[{:?}]", min + (max.min(1e6) - min) / 4.0)]
        }
        (kind, value) => panic!("no perturbation for `{}`: {kind:?} {value:?}", spec.key),
    }
}

/// Every key declared to act after the burn-in (for a scenario with every lever funded and a
/// shock from tick 1): changed alone, it leaves the signature and the whole state at tick 0
/// unchanged, and the policy state installed before the burn-in is what installing it after
/// gives (as a shared burn-in does). A key the burn-in reads changes both.
#[test]
fn keys_declared_after_burn_in_leave_tick_0_unchanged() {
    let base: Vec<String> = [
        "model=withdrawal",
        "population.n=600",
        "population.neighbourhood_size=100",
        "withdrawal.burn_in_ticks=25",
        "seed=13",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let active: Vec<String> = base
        .iter()
        .cloned()
        .chain(
            [
                "policy.budget_per_person=40",
                "policy.services_share=0.2",
                "policy.community_share=0.2",
                "policy.parenting_share=0.2",
                "policy.anti_bullying_share=0.2",
                "policy.schedule_ticks=[3]",
                "shock.start=1",
                "shock.weeks=10",
                "shock.days_out=2",
                "screen.trend_per_year=1",
            ]
            .iter()
            .map(|s| s.to_string()),
        )
        .collect();
    let (plain, reference) = burnt(&base).unwrap();
    let sig = burn_in_signature(&plain);
    let (active_s, m) = burnt(&active).unwrap();
    assert_eq!(burn_in_signature(&active_s), sig);
    assert_same_at_tick_0(&reference, &m, "levers and shock on");
    let keys = after_burn_in_keys(&active_s.params);
    assert!(keys.len() >= 40, "{} keys", keys.len());
    for key in keys {
        let spec = crate::scenario::spec::find(key).unwrap();
        let mut tested = false;
        // On the active scenario, or, where the value clashes with it (`policy.budget` beside
        // `policy.budget_per_person`), on the plain one.
        let values = perturbations(spec, active_s.params.get(key));
        let tries = values.iter().flat_map(|v| [(&active, v), (&base, v)]);
        for (on, value) in tries {
            let mut sets = on.clone();
            sets.retain(|s| !s.starts_with(&format!("{key}=")));
            sets.push(format!("{key}={value}"));
            let Ok((s, m)) = burnt(&sets) else { continue };
            if burn_in_signature(&s) != sig {
                continue;
            }
            let what = format!("{key}={value}");
            assert_same_at_tick_0(&reference, &m, &what);
            let mut shared = reference.clone();
            shared.install_policy(&s.params);
            assert_eq!(
                format!("{:?}", m.policy),
                format!("{:?}", shared.policy),
                "policy state: {what}"
            );
            tested = true;
        }
        assert!(
            tested,
            "no value of `{key}` was tried with an equal signature"
        );
    }
    // Not vacuous: a key the burn-in reads changes the signature and the state at tick 0.
    let (s, m) = burnt(&[base.clone(), vec!["days.base=0.5".into()]].concat()).unwrap();
    assert_ne!(burn_in_signature(&s), sig);
    assert_ne!(m.state, reference.state);
}

/// A shock from tick 0 acts in the burn-in's last week: its keys then enter the signature
/// (a hand-kept list of `shock.` keys could not say so), and the state at tick 0 does differ.
#[test]
fn a_shock_from_tick_0_enters_the_burn_in_signature() {
    let sets = |start: u32| -> Vec<String> {
        [
            "model=withdrawal".to_string(),
            "population.n=600".into(),
            "population.neighbourhood_size=100".into(),
            "withdrawal.burn_in_ticks=10".into(),
            format!("shock.start={start}"),
            "shock.weeks=5".into(),
            "shock.days_out=3".into(),
        ]
        .to_vec()
    };
    let plain: Vec<String> = sets(0)[..4].to_vec();
    let (p, reference) = burnt(&plain).unwrap();
    let (later, _) = burnt(&sets(1)).unwrap();
    assert_eq!(burn_in_signature(&later), burn_in_signature(&p));
    let (at_0, m) = burnt(&sets(0)).unwrap();
    assert!(!after_burn_in_keys(&at_0.params).contains("shock.start"));
    assert_ne!(burn_in_signature(&at_0), burn_in_signature(&p));
    assert_ne!(m.days, reference.days);
}
