//! The SISa reference model checked two ways:
//!
//! * against theory: on a dense random graph the steady-state prevalence must match the
//!   fixed point of the mean-field map `i' = i(1-g) + (1-i)(1-(1-a)(1-beta*i)^k)`;
//! * against a second implementation ("docking"): a plain single-threaded loop written here
//!   from the model's definition, drawing the same random words as the engine, must give the
//!   engine's infected count at every tick, exactly.

use cocoon::engine::rng::{threshold, Streams};
use cocoon::engine::Exec;
use cocoon::graph::Graph;
use cocoon::models::sisa::{INIT, TRANSITION};
use cocoon::scenario::Scenario;

fn scenario(sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    Scenario::from_sets("sisa-reference-test", &sets)
        .unwrap_or_else(|e| panic!("test scenario {sets:?} is invalid: {e}"))
}

/// The graph a run of `s` uses, built exactly as `cocoon::run::execute` builds it.
fn graph_of(s: &Scenario) -> Graph {
    let seed = Streams::new(s.seed, 0).seed_for(cocoon::run::GRAPH);
    cocoon::graph::build::build(&s.params, seed)
        .unwrap_or_else(|e| panic!("graph build failed: {e}"))
        .0
}

/// Per-replicate series of `metric` from the engine, in tick order, checking ticks 0..=T.
fn engine_series(s: &Scenario, metric: &str) -> Vec<Vec<f64>> {
    let result = cocoon::run::execute(s, Exec::Parallel, &|| {})
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(result.series.len(), s.replicates as usize);
    result
        .series
        .iter()
        .enumerate()
        .map(|(r, series)| {
            assert_eq!(series.replicate, r as u32);
            let v = series.values(metric);
            let ticks: Vec<u32> = v.iter().map(|&(t, _)| t).collect();
            let expected: Vec<u32> = (0..=s.ticks).collect();
            assert_eq!(ticks, expected, "ticks of `{metric}` in replicate {r}");
            v.into_iter().map(|(_, x)| x).collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Mean field
// ---------------------------------------------------------------------------------------

/// One step of the mean-field map.
fn mean_field_step(i: f64, a: f64, beta: f64, g: f64, k: f64) -> f64 {
    i * (1.0 - g) + (1.0 - i) * (1.0 - (1.0 - a) * (1.0 - beta * i).powf(k))
}

/// The fixed point reached by iterating the map from `start`.
fn mean_field_fixed_point(start: f64, a: f64, beta: f64, g: f64, k: f64) -> f64 {
    let mut i = start;
    for _ in 0..100_000 {
        let next = mean_field_step(i, a, beta, g, k);
        if (next - i).abs() < 1e-15 {
            return next;
        }
        i = next;
    }
    panic!("mean-field iteration did not converge (a={a}, beta={beta}, g={g}, k={k})");
}

/// Runs SISa on the dense graph `graph_sets` and compares the steady-state prevalence with
/// the mean-field fixed point for the graph's actual mean degree.
fn check_mean_field(graph_sets: &[&str]) {
    let (a, beta, g) = (0.02, 0.004, 0.3);
    let ticks = 200;
    let mut sets: Vec<String> = graph_sets.iter().map(|s| s.to_string()).collect();
    sets.extend([
        format!("sisa.a={a}"),
        format!("sisa.beta={beta}"),
        format!("sisa.g={g}"),
        "sisa.i0=0.05".to_string(),
        format!("ticks={ticks}"),
        "replicates=4".to_string(),
        "seed=2024".to_string(),
    ]);
    let set_refs: Vec<&str> = sets.iter().map(String::as_str).collect();
    let s = scenario(&set_refs);

    let graph = graph_of(&s);
    let k = 2.0 * graph.edge_count() as f64 / graph.n() as f64;
    assert!(
        k >= 90.0,
        "the mean-field check needs a dense graph; {graph_sets:?} has mean degree {k}"
    );

    // The map must have one attracting fixed point, and a clearly non-trivial one, or the
    // comparison means little.
    let fixed = mean_field_fixed_point(0.0, a, beta, g, k);
    let from_above = mean_field_fixed_point(1.0, a, beta, g, k);
    assert!(
        (fixed - from_above).abs() < 1e-9,
        "mean-field map has two attractors ({fixed}, {from_above}); pick other rates"
    );
    assert!(
        (0.2..=0.6).contains(&fixed),
        "fixed point {fixed} is not in 20-60%"
    );

    let series = engine_series(&s, "prevalence");
    let from = (ticks / 2) as usize;
    let per_replicate: Vec<f64> = series
        .iter()
        .map(|v| v[from..].iter().sum::<f64>() / v[from..].len() as f64)
        .collect();
    let simulated = per_replicate.iter().sum::<f64>() / per_replicate.len() as f64;
    assert!(
        (simulated - fixed).abs() < 0.01,
        "steady-state prevalence on {graph_sets:?} (mean degree {k:.2}) is {:.4}% \
         (per replicate {per_replicate:?}); the mean-field fixed point is {:.4}%",
        simulated * 100.0,
        fixed * 100.0
    );
}

#[test]
fn dense_erdos_renyi_graph_settles_at_the_mean_field_fixed_point() {
    check_mean_field(&[
        "graph.kind=erdos_renyi",
        "graph.n=3000",
        "graph.mean_degree=100",
    ]);
}

#[test]
fn fully_rewired_watts_strogatz_graph_settles_at_the_mean_field_fixed_point() {
    check_mean_field(&[
        "graph.kind=watts_strogatz",
        "graph.n=3000",
        "graph.k=100",
        "graph.rewire=1",
    ]);
}

// ---------------------------------------------------------------------------------------
// Docking
// ---------------------------------------------------------------------------------------

/// The SISa rule written out plainly, agent by agent, on one thread. Returns the number of
/// infected agents at ticks 0..=ticks.
fn plain_sisa(
    graph: &Graph,
    streams: Streams,
    ticks: u32,
    a: f64,
    beta: f64,
    g: f64,
    i0: f64,
) -> Vec<u64> {
    let n = graph.n();
    let mut words = vec![0u32; n];

    // Tick 0: agent i is infected iff its word of the INIT stream is below threshold(i0).
    streams.tick(INIT, 0).fill(0, 1, &mut words);
    let mut infected: Vec<bool> = words.iter().map(|&w| (w as u64) < threshold(i0)).collect();
    let mut counts = vec![infected.iter().filter(|&&x| x).count() as u64];

    for t in 1..=ticks {
        streams.tick(TRANSITION, t as u64).fill(0, 1, &mut words);
        let next: Vec<bool> = (0..n)
            .map(|i| {
                let w = words[i] as u64;
                if infected[i] {
                    // Recovers with probability g: stays infected iff the word is not below it.
                    w >= threshold(g)
                } else {
                    let m = graph
                        .neighbors(i)
                        .iter()
                        .filter(|&&j| infected[j as usize])
                        .count();
                    let p = 1.0 - (1.0 - a) * (1.0 - beta).powi(m as i32);
                    w < threshold(p)
                }
            })
            .collect();
        infected = next;
        counts.push(infected.iter().filter(|&&x| x).count() as u64);
    }
    counts
}

/// Runs the engine and the plain loop on the graph `graph_sets` and compares every tick.
fn check_docking(graph_sets: &[&str], n: usize) {
    let (a, beta, g, i0) = (0.01, 0.15, 0.2, 0.05);
    let ticks = 60;
    let mut sets: Vec<String> = graph_sets.iter().map(|s| s.to_string()).collect();
    sets.extend([
        format!("sisa.a={a}"),
        format!("sisa.beta={beta}"),
        format!("sisa.g={g}"),
        format!("sisa.i0={i0}"),
        format!("ticks={ticks}"),
        "replicates=3".to_string(),
        "seed=77".to_string(),
    ]);
    let set_refs: Vec<&str> = sets.iter().map(String::as_str).collect();
    let s = scenario(&set_refs);
    let graph = graph_of(&s);
    assert_eq!(graph.n(), n);

    let engine = engine_series(&s, "infected");
    let mut finals = Vec::new();
    for (r, engine_counts) in engine.iter().enumerate() {
        let engine_counts: Vec<u64> = engine_counts.iter().map(|&x| x as u64).collect();
        let plain = plain_sisa(
            &graph,
            Streams::new(s.seed, r as u32),
            ticks,
            a,
            beta,
            g,
            i0,
        );
        if let Some(t) = (0..plain.len()).find(|&t| plain[t] != engine_counts[t]) {
            panic!(
                "{graph_sets:?}, replicate {r}: infected count differs first at tick {t}: \
                 plain loop {}, engine {}\n  plain:  {plain:?}\n  engine: {engine_counts:?}",
                plain[t], engine_counts[t]
            );
        }
        // The comparison must exercise contagion, not a dead or saturated population.
        let max = *plain.iter().max().unwrap();
        let min = *plain.iter().min().unwrap();
        assert!(
            min < max && max < n as u64 && plain[ticks as usize] > plain[0],
            "{graph_sets:?}, replicate {r}: series too flat to be a useful check: {plain:?}"
        );
        finals.push(plain[ticks as usize]);
    }
    // Replicates draw from different streams.
    assert!(
        finals.windows(2).any(|w| w[0] != w[1]),
        "{graph_sets:?}: all replicates ended with the same count {finals:?}"
    );
}

#[test]
fn engine_matches_a_plain_implementation_on_a_small_world() {
    check_docking(
        &[
            "graph.kind=watts_strogatz",
            "graph.n=2000",
            "graph.k=6",
            "graph.rewire=0.1",
        ],
        2000,
    );
}

#[test]
fn engine_matches_a_plain_implementation_on_a_scale_free_graph() {
    // Hubs exercise large numbers of infected neighbours; 5000 agents span two engine chunks.
    check_docking(
        &["graph.kind=barabasi_albert", "graph.n=5000", "graph.m=2"],
        5000,
    );
}
