//! The analyst's everyday frictions: a comparison file given to `run` (and a scenario given to
//! `compare`) is named for what it is, a `graph.*` key on the withdrawal model is an error,
//! and the closing line gives the result with its interval and the one file to open first.

mod common;

use common::*;

#[test]
fn the_wrong_kind_of_file_names_the_right_command() {
    let comparison = path_arg("scenarios/policy/pandemic.toml");
    rejected("run", &comparison, &[])
        .stderr_has("is a comparison file")
        .stderr_has(&format!("use `cocoon compare {comparison}`"));
    let (check, _dir) = cocoon(&["check", &comparison]);
    check
        .expect_code(2)
        .stderr_has(&format!("use `cocoon compare {comparison}`"));
    let scenario = path_arg("scenarios/baseline.toml");
    rejected("compare", &scenario, &[])
        .stderr_has("is a scenario file, not a comparison")
        .stderr_has(&format!("use `cocoon run {scenario}`"));
}

#[test]
fn graph_keys_are_rejected_by_the_withdrawal_model() {
    let scenario = path_arg("scenarios/baseline.toml");
    rejected("run", &scenario, &["--set", "graph.n=500"])
        .stderr_has("--set graph.n=500")
        .stderr_has("`graph.n` applies only when `model` is \"sisa\"");
}

#[test]
fn the_closing_line_gives_the_result_and_the_file_to_open() {
    let cwd = tempdir();
    let out = cwd.path().join("out");
    let args: Vec<String> = [
        "run",
        &path_arg("scenarios/baseline.toml"),
        "--out",
        &out.display().to_string(),
        "--set",
        "population.n=800",
        "--set",
        "withdrawal.burn_in_ticks=3",
        "--set",
        "ticks=4",
        "--set",
        "replicates=2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = cocoon_in(cwd.path(), &args);
    run.expect_code(0)
        .stderr_has("hikikomori prevalence at the final week")
        .stderr_has("(95% interval ")
        .stderr_has("hikikomori_prevalence.png first")
        .stderr_has("3-week burn-in + 4 weeks");
    assert!(
        !run.stderr.contains("timeseries.csv"),
        "no list of files\n{}",
        run.describe()
    );
}
