//! `cocoon bench` on tiny workloads: the JSON record keeps its schema (version, environment,
//! statistics over repeats, phases as an object, the burn-in stated), the table names what it
//! measured, and bad sizes are usage errors that name the bench option, not `--set`. No
//! assertion here is about speed: timings on a shared machine are noise.

mod common;

use common::cocoon;
use serde_json::Value;

fn json_of(args: &[&str]) -> Value {
    let (run, _dir) = cocoon(args);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one JSON line\n{}", run.describe());
    serde_json::from_str(lines[0]).expect("bench --json prints JSON")
}

fn assert_stats(v: &Value, runs: usize, what: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {v}"));
    for key in ["median", "min", "max", "spread"] {
        assert!(obj[key].is_f64(), "{what}.{key}: {v}");
    }
    assert_eq!(obj["runs"].as_array().unwrap().len(), runs, "{what}: {v}");
    let (min, med, max) = (
        obj["min"].as_f64().unwrap(),
        obj["median"].as_f64().unwrap(),
        obj["max"].as_f64().unwrap(),
    );
    assert!(min <= med && med <= max, "{what}: {v}");
}

#[test]
fn withdrawal_record_has_the_schema_environment_and_repeats() {
    let v = json_of(&[
        "bench",
        "--model",
        "withdrawal",
        "--agents",
        "300",
        "--ticks",
        "3",
        "--burn-in",
        "4",
        "--warmup",
        "1",
        "--repeat",
        "3",
        "--threads",
        "2",
        "--json",
    ]);
    assert_eq!(v["schema"], 2);
    let build = &v["build"];
    assert!(build["version"].is_string());
    assert!(build["rustc"].as_str().unwrap().starts_with("rustc "));
    assert!(build["profile"].is_string());
    assert!(build["dirty"].is_boolean() || build["dirty"].is_null());
    let m = &v["machine"];
    let ts = m["timestamp"].as_str().unwrap();
    assert!(
        ts.len() == 20 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
        "{ts}"
    );
    assert!(m["cores"].as_u64().unwrap() >= 1);
    for key in ["host", "cpu", "os", "arch"] {
        assert!(m.get(key).is_some(), "machine.{key} missing: {m}");
    }
    for key in ["load_average_before", "load_average_after"] {
        let l = &m[key];
        assert!(
            l.is_null() || l.as_array().unwrap().len() == 3,
            "{key}: {l}"
        );
    }
    assert_eq!(v["threads"], 2);
    let w = &v["workload"];
    assert_eq!(w["model"], "withdrawal");
    assert_eq!(w["agents"], 300);
    assert_eq!(w["ticks"], 3);
    assert_eq!(w["burn_in_ticks"], 4);
    assert_eq!(w["agent_updates"], 900);
    assert!(w["note"].as_str().unwrap().contains("untimed"));
    assert!(w["mean_degree"].as_f64().unwrap() > 0.0);
    assert_eq!(v["warmup"], 1);
    assert_eq!(v["repeat"], 3);
    assert_stats(&v["setup_seconds"], 1, "setup_seconds");
    for key in [
        "step_seconds",
        "finish_seconds",
        "agent_updates_per_second",
        "tie_visits_per_second",
        "ns_per_agent_tick",
    ] {
        assert_stats(&v[key], 3, key);
    }
    let phases = v["phases"].as_object().expect("phases is an object");
    for name in [
        "days",
        "week",
        "tie_strength",
        "apply",
        "tally",
        "clustering",
    ] {
        assert_stats(&phases[name], 3, name);
    }
    assert!(v["peak_memory_bytes"].is_u64() || v["peak_memory_bytes"].is_null());
}

#[test]
fn graph_and_sisa_records_keep_every_key() {
    let g = json_of(&[
        "bench", "--model", "graph", "--agents", "2000", "--repeat", "2", "--warmup", "0", "--json",
    ]);
    assert_eq!(g["schema"], 2);
    assert_eq!(g["workload"]["model"], "graph");
    assert_stats(&g["setup_seconds"], 2, "setup_seconds");
    for key in ["step_seconds", "finish_seconds", "agent_updates_per_second"] {
        assert!(g[key].is_null(), "{key} should be null for graphs: {g}");
    }
    assert_eq!(g["phases"], serde_json::json!({}));
    let s = json_of(&[
        "bench", "--model", "sisa", "--agents", "1000", "--ticks", "5", "--repeat", "2", "--json",
    ]);
    assert_eq!(s["workload"]["burn_in_ticks"], 50);
    assert!(s["finish_seconds"].is_null());
    assert_stats(
        &s["agent_updates_per_second"],
        2,
        "agent_updates_per_second",
    );
    // Both records have exactly the same keys.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&g), keys(&s));
}

#[test]
fn the_table_names_runs_burn_in_and_load() {
    let (run, _dir) = cocoon(&[
        "bench",
        "--agents",
        "200",
        "--ticks",
        "2",
        "--burn-in",
        "2",
        "--repeat",
        "2",
    ]);
    run.expect_code(0)
        .stdout_has("withdrawal (defaults)")
        .stdout_has("2 kept after 1 warm-up")
        .stdout_has("burn-in (untimed)")
        .stdout_has("load average")
        .stdout_has("spread");
}

#[test]
fn bad_sizes_blame_the_bench_option() {
    let (run, _dir) = cocoon(&["bench", "--model", "withdrawal", "--agents", "5"]);
    run.expect_code(2).stderr_has("--agents 5");
    assert!(!run.stderr.contains("--set"), "{}", run.describe());
    let (run, _dir) = cocoon(&["bench", "--model", "sisa", "--agents", "8", "--ticks", "1"]);
    run.expect_code(2).stderr_has("--agents 8");
    let (run, _dir) = cocoon(&["bench", "--agents", "200", "--ticks", "0"]);
    run.expect_code(2).stderr_has("--ticks");
    let (run, _dir) = cocoon(&["bench", "--model", "graph", "--burn-in", "3"]);
    run.expect_code(2).stderr_has("--burn-in");
    let (run, _dir) = cocoon(&["bench", "--repeat", "0"]);
    run.expect_code(2);
}

#[test]
fn bench_gets_the_memory_check_of_run() {
    let (run, _dir) = cocoon(&["bench", "--agents", "10000000", "--max-memory", "64M"]);
    run.expect_code(2)
        .stderr_has("more than the limit")
        .stderr_has("--max-memory");
    assert!(run.stdout.is_empty(), "{}", run.describe());
}
