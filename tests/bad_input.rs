//! Bad input is reported once, precisely, with exit code 2, and nothing is written.
//!
//! Every failing case runs `cocoon run FIXTURE --out DIR` in an empty scratch folder and
//! checks the exit code, that the message names the place (file:line:column for scenario
//! values, file:line for CSV rows, the path for missing files) and what is allowed, and that
//! neither DIR nor anything else was created. Expected positions are computed from the fixture
//! text, so editing a fixture cannot silently turn a check into a no-op.

mod common;

use common::{
    cocoon, cocoon_in, fixture, fixture_position, locate, read, read_json, rejected, tempdir, Run,
};

/// Runs `cocoon run <scenario> --quiet --out <scratch>/out <extra...>`, expects exit code 2
/// and checks that nothing at all was written (see [`common::rejected`]).
fn run_rejected(scenario: &str, extra: &[&str]) -> Run {
    rejected("run", scenario, extra)
}

/// Like [`run_rejected`] for a fixture under `tests/fixtures/`.
fn fixture_rejected(rel: &str) -> Run {
    run_rejected(&fixture(rel).display().to_string(), &[])
}

fn check(rel: &str) -> Run {
    cocoon(&["check".to_string(), fixture(rel).display().to_string()]).0
}

#[test]
fn unknown_key_names_its_position_and_the_likely_key() {
    let rel = "invalid/unknown_key.toml";
    fixture_rejected(rel)
        .stderr_has(&fixture_position(rel, "bta = 0.1", "bta"))
        .stderr_has("unknown key `sisa.bta`")
        .stderr_has("did you mean `sisa.beta`?");
}

#[test]
fn probability_above_one_names_the_value_position_and_the_range() {
    let rel = "invalid/probability.toml";
    fixture_rejected(rel)
        .stderr_has(&fixture_position(rel, "beta = 1.5", "1.5"))
        .stderr_has("`sisa.beta` = 1.5")
        .stderr_has("a number from 0 to 1");
}

#[test]
fn wrong_type_names_the_value_position_and_the_type() {
    let rel = "invalid/wrong_type.toml";
    fixture_rejected(rel)
        .stderr_has(&fixture_position(rel, "ticks = \"many\"", "\"many\""))
        .stderr_has("`ticks` must be an integer")
        .stderr_has("found text");
}

#[test]
fn nan_is_rejected_at_its_position() {
    let rel = "invalid/nan.toml";
    fixture_rejected(rel)
        .stderr_has(&fixture_position(rel, "g = nan", "nan"))
        .stderr_has("`sisa.g`")
        .stderr_has("out of range");
}

#[test]
fn extends_of_a_missing_file_names_the_file_and_where_it_is_named() {
    let rel = "invalid/extends_missing.toml";
    let base = fixture("invalid/no_such_base.toml");
    assert!(!base.exists());
    fixture_rejected(rel)
        .stderr_has(&base.display().to_string())
        .stderr_has(&fixture_position(
            rel,
            "extends = \"no_such_base.toml\"",
            "\"no_such",
        ));
}

#[test]
fn missing_edge_file_names_the_path() {
    let missing = fixture("missing/no_such_edges.csv");
    assert!(!missing.exists());
    fixture_rejected("missing/edge_file.toml")
        .stderr_has("edge list not found")
        .stderr_has(&missing.display().to_string());
}

#[test]
fn missing_scenario_file_names_the_path() {
    let missing = fixture("missing/no_such_scenario.toml");
    assert!(!missing.exists());
    run_rejected(&missing.display().to_string(), &[]).stderr_has(&missing.display().to_string());
}

#[test]
fn malformed_toml_names_file_and_line() {
    let rel = "malformed/syntax.toml";
    let path = fixture(rel);
    let (line, _) = locate(&read(&path), "ticks =");
    fixture_rejected(rel)
        .stderr_has(&format!("{}:{line}:", path.display()))
        .stderr_has("invalid TOML");
}

#[test]
fn bad_set_arguments_are_rejected() {
    let scenario = fixture("valid/small.toml").display().to_string();
    // Out of range, named by the argument itself.
    run_rejected(&scenario, &["--set", "sisa.beta=2"])
        .stderr_has("--set sisa.beta=2")
        .stderr_has("a number from 0 to 1");
    // Unknown key, with a suggestion.
    run_rejected(&scenario, &["--set", "graph.nn=50"]).stderr_has("`graph.n`");
    // Not key=value at all.
    run_rejected(&scenario, &["--set", "ticks"]).stderr_has("key=value");
    // Not a number.
    run_rejected(&scenario, &["--set", "ticks=soon"]).stderr_has("--set ticks=soon");
    // A key of another graph kind.
    run_rejected(&scenario, &["--set", "graph.mean_degree=4"]).stderr_has("applies only when");
}

#[test]
fn zero_threads_is_a_usage_error() {
    let scenario = fixture("valid/small.toml").display().to_string();
    run_rejected(&scenario, &["--threads", "0"]).stderr_has("--threads");
}

#[test]
fn edge_list_with_a_bad_row_names_file_and_line() {
    let csv = fixture("malformed/bad_row.csv");
    let (line, _) = locate(&read(&csv), "2,x");
    fixture_rejected("malformed/bad_row.toml")
        .stderr_has(&format!("{}:{line}:", csv.display()))
        .stderr_has("\"x\"");
}

#[test]
fn edge_list_with_an_id_outside_the_node_table_names_file_and_line() {
    let csv = fixture("malformed/out_of_range_edges.csv");
    let (line, _) = locate(&read(&csv), "2,9");
    let nodes = read(&fixture("malformed/out_of_range_nodes.csv"));
    let n = nodes
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    fixture_rejected("malformed/out_of_range.toml")
        .stderr_has(&format!("{}:{line}:", csv.display()))
        .stderr_has("9")
        .stderr_has("out of range")
        .stderr_has(&format!("{n} agents"));
}

#[test]
fn check_accepts_valid_and_rejects_invalid_scenarios() {
    check("valid/small.toml").expect_code(0).stdout_has("ok");
    // `extends`: child.toml takes everything from small.toml but its seed and beta.
    check("valid/child.toml")
        .expect_code(0)
        .stdout_has("seed 9");
    for rel in [
        "invalid/unknown_key.toml",
        "invalid/probability.toml",
        "invalid/wrong_type.toml",
        "invalid/nan.toml",
        "invalid/extends_missing.toml",
        "missing/edge_file.toml",
        "malformed/syntax.toml",
    ] {
        check(rel).expect_code(2).stderr_has("error: ");
    }
    cocoon(&[
        "check".to_string(),
        fixture("valid/small.toml").display().to_string(),
        "--set".into(),
        "sisa.g=-0.1".into(),
    ])
    .0
    .expect_code(2);
}

/// Self-loops and repeated ties (either direction) in a CSV, counted independently of cocoon.
fn expected_drops(csv: &str) -> (u64, u64, u64) {
    let mut rows = 0;
    let mut loops = 0;
    let mut dups = 0;
    let mut seen = std::collections::HashSet::new();
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<u32> = line
            .split(',')
            .take(2)
            .map(|x| x.trim().parse().unwrap())
            .collect();
        rows += 1;
        if f[0] == f[1] {
            loops += 1;
        } else if !seen.insert((f[0].min(f[1]), f[0].max(f[1]))) {
            dups += 1;
        }
    }
    (rows, loops, dups)
}

#[test]
fn valid_edge_list_runs_and_reports_what_was_dropped() {
    let (rows, loops, dups) = expected_drops(&read(&fixture("valid/edges.csv")));
    assert!(loops > 0 && dups > 0, "the fixture must contain both");
    let cwd = tempdir();
    let out = cwd.path().join("out");
    cocoon_in(
        cwd.path(),
        &[
            "run".to_string(),
            fixture("valid/edge_list.toml").display().to_string(),
            "--quiet".into(),
            "--out".into(),
            out.display().to_string(),
        ],
    )
    .expect_code(0);
    let graph = read_json(&out.join("graph.json"));
    let prov = &graph["provenance"];
    let show = format!("{graph:#}");
    assert_eq!(prov["kind"].as_str(), Some("edge_list"), "{show}");
    assert_eq!(prov["rows_read"].as_u64(), Some(rows), "rows_read\n{show}");
    assert_eq!(
        prov["self_loops_dropped"].as_u64(),
        Some(loops),
        "self_loops_dropped\n{show}"
    );
    assert_eq!(
        prov["duplicates_dropped"].as_u64(),
        Some(dups),
        "duplicates_dropped\n{show}"
    );
    assert!(out.join("timeseries.csv").is_file());
}
