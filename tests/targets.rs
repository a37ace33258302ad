//! The population-dynamics targets of model v2 (issue 9), each with its source and tolerance.
//!
//! The fast tests run in the normal suite on small populations with loose but meaningful
//! tolerances (they fail if a mechanism is missing or acts the wrong way). The real-size
//! checks, at 20,000 agents with the tolerances, are `#[ignore]`d because each takes
//! minutes; docs/MODEL.md §11 gives the command:
//! `cargo test --release --test targets -- --ignored --test-threads 1`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use cocoon::engine::Exec;
use cocoon::scenario::Scenario;

/// Per metric: the mean over replicates of (mean over all recorded ticks, over the first
/// recorded year, over the last recorded year).
#[derive(Clone, Debug, Default)]
struct Means {
    all: BTreeMap<String, f64>,
    first_year: BTreeMap<String, f64>,
    last_year: BTreeMap<String, f64>,
    /// Current cases by duration bin (lower edge in weeks), summed over replicates.
    durations: BTreeMap<u32, u64>,
}

impl Means {
    fn get(&self, k: &str) -> f64 {
        *self.all.get(k).unwrap_or_else(|| panic!("no metric {k}"))
    }

    /// Prevalence over ages `lo..=hi` from the five-year groups (agents are uniform by age,
    /// so a group weighs by its years inside the window).
    fn window(&self, lo: usize, hi: usize) -> f64 {
        let mut groups = vec![(12, 14)];
        groups.extend((0..10).map(|k| (15 + 5 * k, 19 + 5 * k)));
        let (mut sum, mut years) = (0.0, 0.0);
        for (a, b) in groups {
            let overlap = (b.min(hi) + 1).saturating_sub(a.max(lo)) as f64;
            if overlap > 0.0 {
                sum += overlap * self.get(&format!("hikikomori.age_{a}_{b}"));
                years += overlap;
            }
        }
        sum / years
    }

    /// Share of current cases (at the last tick) that have lasted 156 weeks or more.
    fn long_share(&self) -> f64 {
        let total: u64 = self.durations.values().sum();
        let long: u64 = self.durations.range(156..).map(|(_, c)| c).sum();
        long as f64 / total.max(1) as f64
    }
}

fn run(base: Option<&str>, sets: &[&str]) -> Means {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let s = match base {
        Some(file) => {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            Scenario::load(&path, &sets).expect("valid scenario")
        }
        None => {
            let mut all = vec!["model=withdrawal".to_string()];
            all.extend(sets);
            Scenario::from_sets("targets", &all).expect("valid scenario")
        }
    };
    let r = cocoon::run::execute(&s, Exec::Parallel, &|| {}).expect("runs");
    let mut m = Means::default();
    let reps = r.series.len() as f64;
    for name in &r.series[0].metrics {
        let (mut all, mut first, mut last) = (0.0, 0.0, 0.0);
        for series in &r.series {
            let v = series.values(name);
            let mean = |xs: &[(u32, f64)]| xs.iter().map(|x| x.1).sum::<f64>() / xs.len() as f64;
            let end = v.last().map_or(0, |x| x.0);
            let f: Vec<(u32, f64)> = v.iter().copied().filter(|x| x.0 < 52).collect();
            let l: Vec<(u32, f64)> = v.iter().copied().filter(|x| x.0 + 52 > end).collect();
            all += mean(&v) / reps;
            first += mean(&f) / reps;
            last += mean(&l) / reps;
        }
        m.all.insert(name.clone(), all);
        m.first_year.insert(name.clone(), first);
        m.last_year.insert(name.clone(), last);
    }
    for series in &r.series {
        for d in &series.distributions {
            if d.name == "hikikomori_duration_current_weeks" {
                for (b, c) in d.bins.iter().zip(&d.counts) {
                    *m.durations.entry(*b as u32).or_default() += c;
                }
            }
        }
    }
    m
}

/// One default run shared by the fast tests: 10,000 agents, 3 replicates, the default
/// burn-in, ten recorded years.
fn default_run() -> &'static Means {
    static RUN: OnceLock<Means> = OnceLock::new();
    RUN.get_or_init(|| {
        run(
            None,
            &["population.n=10000", "ticks=520", "replicates=3", "seed=3"],
        )
    })
}

/// Bridging (issue 9, "bridging with a causal role"): with the bridging effect at 0 and no
/// homophily, group labels act nowhere, so the segregation level changes nothing at all
/// (identical runs); with the effect on, more cross-group ties mean more adults regain work.
#[test]
fn bridging_acts_only_through_its_effect_and_grows_with_the_cross_group_share() {
    let arm = |seg: &str, effect: &str| {
        let sets = [
            "model=withdrawal".to_string(),
            "population.n=6000".into(),
            "withdrawal.burn_in_ticks=104".into(),
            "ticks=104".into(),
            "replicates=2".into(),
            "ties.closure_cross=1".into(),
            "ties.mixing_cross=1".into(),
            format!("population.segregation={seg}"),
            format!("bridging.role_regain={effect}"),
        ];
        let s = Scenario::from_sets("bridging", &sets).unwrap();
        cocoon::run::execute(&s, Exec::Parallel, &|| {}).unwrap()
    };
    let mean = |r: &cocoon::run::RunResult, k: &str| {
        let mut acc = 0.0;
        for s in &r.series {
            let v = s.values(k);
            acc += v.iter().map(|x| x.1).sum::<f64>() / v.len() as f64;
        }
        acc / r.series.len() as f64
    };
    let (mixed0, segregated0) = (arm("0.1", "0"), arm("0.95", "0"));
    // Debug text compares every value exactly; the bridging metrics themselves differ.
    for k in ["hikikomori_prevalence", "role_share.adult", "lonely_share"] {
        assert_eq!(
            format!("{:?}", mixed0.series[0].values(k)),
            format!("{:?}", segregated0.series[0].values(k)),
            "{k} depends on segregation with the bridging effect at 0"
        );
    }
    assert!(
        mean(&mixed0, "bridging_ties_per_agent")
            > 2.0 * mean(&segregated0, "bridging_ties_per_agent")
    );
    let (mixed, segregated) = (arm("0.1", "0.08"), arm("0.95", "0.08"));
    let effect = |r, k| mean(r, k) - mean(&mixed0, k);
    let (role_mixed, role_segregated) = (
        effect(&mixed, "role_share.adult"),
        effect(&segregated, "role_share.adult"),
    );
    let (prev_mixed, prev_segregated) = (
        effect(&mixed, "hikikomori_prevalence"),
        effect(&segregated, "hikikomori_prevalence"),
    );
    eprintln!(
        "bridging effect on adult role share: mixed {role_mixed:+.4}, segregated {role_segregated:+.4}; \
         on prevalence: mixed {prev_mixed:+.5}, segregated {prev_segregated:+.5}"
    );
    assert!(role_mixed > 0.0 && role_segregated > 0.0);
    assert!(
        role_mixed > 2.0 * role_segregated,
        "the effect grows with the cross-group share"
    );
    assert!(
        prev_mixed < prev_segregated,
        "more bridging, fewer cases: {prev_mixed} vs {prev_segregated}"
    );
}

/// Bullying leaves a lasting mark: switching it off lowers young-adult prevalence by a
/// population-attributable fraction of 15-30% (an OR of about 2 at 24% exposure gives 19%).
/// Fast version: 12,000 agents, tolerance widened to 5-45% for small-sample noise.
#[test]
fn switching_bullying_off_lowers_young_adult_prevalence_by_a_real_fraction() {
    let sets = ["population.n=12000", "ticks=104", "replicates=3", "seed=5"];
    let on = run(None, &sets);
    let mut off_sets = sets.to_vec();
    off_sets.push("mechanisms.bullying=false");
    let off = run(None, &off_sets);
    let k = "hikikomori.young_adult";
    let paf = 1.0 - off.get(k) / on.get(k);
    eprintln!(
        "young-adult prevalence {:.4} with bullying, {:.4} without: PAF {paf:.3}",
        on.get(k),
        off.get(k)
    );
    assert!((0.05..=0.45).contains(&paf), "PAF {paf}");
}

/// The scar share that set-up gives adults equals the share the model's own youth reach.
#[test]
fn initial_scars_match_what_the_model_produces() {
    let m = default_run();
    let made = m.last_year["scarred_share.young_adult"];
    eprintln!("scarred 18-29s after ten years: {made:.3} (set-up share 0.205)");
    assert!((made - 0.205).abs() < 0.04, "{made}");
}

/// A steady state (review W4): with no policy the first and last recorded years differ by
/// less than 0.05 pp in prevalence and 0.2 pp in substance use. Fast version at 10,000 agents:
/// 0.3 pp and 0.5 pp (the sampling noise of a yearly mean at this size is about 0.1 pp).
#[test]
fn a_run_without_policy_is_stationary() {
    let m = default_run();
    let d = |k: &str| m.last_year[k] - m.first_year[k];
    let (prev, sub, rec) = (
        d("hikikomori_prevalence"),
        d("substance_use_prevalence"),
        d("recovery_share"),
    );
    eprintln!("last - first year: prevalence {prev:+.5}, substance {sub:+.5}, recovery {rec:+.5}");
    assert!(prev.abs() < 0.003, "prevalence drifts by {prev}");
    assert!(sub.abs() < 0.005, "substance use drifts by {sub}");
    assert!(rec.abs() < 0.01, "recovery drifts by {rec}");
}

/// Episodes last (review W5): share of current cases lasting 3 years or more in [0.35, 0.47]
/// (Yong & Nomura 2019: 41%); isolated under 26 weeks : hikikomori in [1, 2] (Wong et al.
/// 2015, Hong Kong: 2.5% : 1.9%). Fast version: [0.25, 0.57] and [0.7, 2.5].
#[test]
fn episodes_last_years_and_short_isolation_is_not_dominant() {
    let m = default_run();
    let long = m.long_share();
    let ratio = m.get("isolated_under_26_weeks") / m.get("hikikomori_prevalence");
    eprintln!("share lasting 3+ years {long:.3}; short : hikikomori {ratio:.2}");
    assert!((0.25..=0.57).contains(&long), "long share {long}");
    assert!((0.7..=2.5).contains(&ratio), "ratio {ratio}");
}

/// Loneliness levels (ONS 2018: 5% of adults often or always lonely, about 10% at 16-24; the
/// real-size check asks 4-7% at 18-64). Fast version at 10,000 agents: 3-9% at 18-64, and the
/// young more often lonely than adults 30-64 (ONS: the youngest are the loneliest).
#[test]
fn about_one_adult_in_twenty_is_lonely() {
    let m = default_run();
    let (adults, young, old) = (
        m.get("lonely_share_18_64"),
        m.get("lonely_share.young_adult"),
        m.get("lonely_share.adult"),
    );
    eprintln!("lonely: 18-64 {adults:.4}, 18-29 {young:.4}, 30-64 {old:.4}");
    assert!(
        (0.03..=0.09).contains(&adults),
        "lonely share 18-64 {adults}"
    );
    assert!(young > old, "{young} vs {old}");
}

// ---------------------------------------------------------------------------------------
// Real-size checks (20,000 agents), run with `--ignored`.
// ---------------------------------------------------------------------------------------

fn within(name: &str, got: f64, want: f64, tol: f64) {
    eprintln!("{name}: {got:.4} (want {want} +/- {tol})");
    assert!(
        (got - want).abs() <= tol,
        "{name}: {got} vs {want} +/- {tol}"
    );
}

/// Japan, one parameter set: ages 15-39 at 1.57% (Cabinet Office 2015) and 40-64 at 1.45%
/// (Cabinet Office 2019), each +/- 0.3 pp; men 65-77% of cases.
#[test]
#[ignore = "20,000 agents, minutes; see docs/MODEL.md §11"]
fn japan_preset_hits_both_survey_windows() {
    let m = run(
        Some("scenarios/presets/japan.toml"),
        &["population.n=20000", "ticks=260"],
    );
    within("Japan 15-39", m.window(15, 39), 0.0157, 0.003);
    within("Japan 40-64", m.window(40, 64), 0.0145, 0.003);
    let male = m.get("hikikomori_male_share");
    within("male share", male, 0.71, 0.06);
}

/// Hong Kong 12-29 at 1.9% (Wong et al. 2015) and South Korea 19-34 at 3.0% (KIHASA 2019),
/// each +/- 0.3 pp.
#[test]
#[ignore = "20,000 agents, minutes; see docs/MODEL.md §11"]
fn hong_kong_and_south_korea_presets_hit_their_windows() {
    for (file, want) in [
        ("scenarios/presets/hong_kong.toml", 0.019),
        ("scenarios/presets/south_korea.toml", 0.030),
    ] {
        let m = run(Some(file), &["population.n=20000", "ticks=260"]);
        within(file, m.get("hikikomori_in_range"), want, 0.003);
    }
}

/// The default scenario at 20,000 agents: stationarity (< 0.05 pp prevalence, < 0.2 pp
/// substance use between first and last recorded year), episode durations, victimisation
/// (24.3% and 11.1% +/- 2 pp, meta-analysis 2024), men 65-77% of cases, 4-7% of adults lonely
/// (ONS 2018: 5% often or always lonely), and the loneliness profile by network distance.
#[test]
#[ignore = "20,000 agents, minutes; see docs/MODEL.md §11"]
fn baseline_targets_at_twenty_thousand() {
    let m = run(
        Some("scenarios/baseline.toml"),
        &["population.n=20000", "replicates=8"],
    );
    let d = |k: &str| m.last_year[k] - m.first_year[k];
    within("prevalence drift", d("hikikomori_prevalence"), 0.0, 0.0005);
    within("substance drift", d("substance_use_prevalence"), 0.0, 0.002);
    within("long share", m.long_share(), 0.41, 0.06);
    let ratio = m.get("isolated_under_26_weeks") / m.get("hikikomori_prevalence");
    within("short : hikikomori", ratio, 1.5, 0.5);
    within(
        "victimisation in person",
        m.get("victimisation_traditional"),
        0.243,
        0.02,
    );
    within(
        "victimisation online",
        m.get("victimisation_cyber"),
        0.111,
        0.02,
    );
    within("male share", m.get("hikikomori_male_share"), 0.71, 0.06);
    within(
        "lonely share, ages 18-64",
        m.get("lonely_share_18_64"),
        0.055,
        0.015,
    );
    loneliness_profile(&m);
}

/// Cacioppo, Fowler & Christakis (2009), Framingham: a lonely contact at distance 1, 2, 3, 4
/// raises one's chance of loneliness by +52%, +25%, +15%, ~0 (each checked +/- 0.10, the
/// issue's tolerance), measured against a permutation null (docs/MODEL.md §9.2); means over
/// replicates, because one replicate's value moves by about 0.1 at 20,000 agents.
fn loneliness_profile(m: &Means) {
    for (d, want) in [(1, 0.52), (2, 0.25), (3, 0.15), (4, 0.0)] {
        within(
            &format!("loneliness excess at distance {d}"),
            m.get(&format!("lonely_excess_d{d}")),
            want,
            0.10,
        );
    }
}

/// The loneliness profile must not be an artefact of a transient (review W6: after a 50-year
/// burn-in v1's distance-4 excess reached +69%): checked after a 5-year and a 50-year
/// burn-in, 20,000 agents, 6 replicates each, at the end of one recorded year.
#[test]
#[ignore = "20,000 agents and a 50-year burn-in, about ten minutes; see docs/MODEL.md §11"]
fn loneliness_profile_holds_after_five_and_fifty_years() {
    profile_after_five_and_fifty_years("population.n=20000", "replicates=6");
}

/// The same at 100,000 agents, one replicate per burn-in (the closing note reports at
/// this size). Until the neighbourhood effects were stratified (docs/MODEL.md §5 step 4) the
/// profile grew with the population: d1 +0.48 at 20,000 and +0.76 at 100,000 agents.
#[test]
#[ignore = "100,000 agents and a 50-year burn-in, about 25 minutes; see docs/MODEL.md §11"]
fn loneliness_profile_holds_at_one_hundred_thousand() {
    profile_after_five_and_fifty_years("population.n=100000", "replicates=1");
}

fn profile_after_five_and_fifty_years(size: &str, replicates: &str) {
    for burn_in in [
        "withdrawal.burn_in_ticks=260",
        "withdrawal.burn_in_ticks=2600",
    ] {
        eprintln!("{size}, {burn_in}");
        let m = run(
            Some("scenarios/baseline.toml"),
            &[size, replicates, "ticks=52", burn_in],
        );
        loneliness_profile(&m);
        within(
            "lonely share, ages 18-64",
            m.get("lonely_share_18_64"),
            0.055,
            0.015,
        );
    }
}

/// Bullying's population-attributable fraction for young adults, 15-30%, at 20,000 agents.
#[test]
#[ignore = "20,000 agents, minutes; see docs/MODEL.md §11"]
fn bullying_paf_at_twenty_thousand() {
    let sets = ["population.n=20000", "ticks=260", "replicates=4"];
    let on = run(Some("scenarios/baseline.toml"), &sets);
    let mut off_sets = sets.to_vec();
    off_sets.push("mechanisms.bullying=false");
    let off = run(Some("scenarios/baseline.toml"), &off_sets);
    let k = "hikikomori.young_adult";
    let paf = 1.0 - off.get(k) / on.get(k);
    within("bullying PAF, ages 18-29", paf, 0.225, 0.075);
}
