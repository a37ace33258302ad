//! `cocoon compare --posterior`: replicate r of every arm runs under the r-th posterior draw
//! (paired arms), results are identical on 1 and 2 threads, the decision files are written, and
//! a bad posterior is rejected before anything runs.

mod common;

use common::*;

const COMPARE: &str = "tests/fixtures/studies/compare.toml";
const POSTERIOR: &str = "tests/fixtures/studies/posterior.csv";

fn compare(threads: &str, posterior: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let out = dir.path().join("out");
    let args = quiet_out_args(
        "compare",
        &path_arg(COMPARE),
        &out,
        &["--threads", threads, "--posterior", posterior],
    );
    cocoon_in(dir.path(), &args).expect_code(0);
    (dir, out)
}

#[test]
fn posterior_comparison_is_paired_deterministic_and_reports_decisions() {
    let (_a, one) = compare("1", &path_arg(POSTERIOR));
    let (_b, two) = compare("2", &path_arg(POSTERIOR));
    for f in [
        "comparison.csv",
        "effects.csv",
        "decision_pairwise.csv",
        "ceac.csv",
    ] {
        assert_same_text(f, &read(&one.join(f)), &read(&two.join(f)));
    }
    let pairwise = read(&two.join("decision_pairwise.csv"));
    assert!(pairwise.starts_with("arm,other,probability_better\nservices,community,"));
    let html = read(&two.join("report.html"));
    assert!(html.contains("Decisions under uncertainty"));
    assert!(html.contains("drawn from the posterior"));
    // Parameter draws differ between replicates: with a plain comparison every replicate has
    // days.base at its default, so the loneliness outcomes differ from the posterior run's.
    let plain = tempdir();
    let out = plain.path().join("out");
    cocoon_in(
        plain.path(),
        &quiet_out_args("compare", &path_arg(COMPARE), &out, &[]),
    )
    .expect_code(0);
    assert_ne!(
        read(&out.join("comparison.csv")),
        read(&two.join("comparison.csv"))
    );
}

#[test]
fn bad_posteriors_are_rejected_with_their_line() {
    let dir = tempdir();
    let bad_key = dir.path().join("bad_key.csv");
    std::fs::write(&bad_key, "particle,days.bse,weight\n0,1.0,1\n").unwrap();
    rejected(
        "compare",
        &path_arg(COMPARE),
        &["--posterior", &bad_key.display().to_string()],
    )
    .stderr_has("bad_key.csv:1:1")
    .stderr_has("`days.bse` is not a parameter");
    let bad_value = dir.path().join("bad_value.csv");
    std::fs::write(&bad_value, "particle,days.base,weight\n0,1.0,1\n1,99,1\n").unwrap();
    rejected(
        "compare",
        &path_arg(COMPARE),
        &["--posterior", &bad_value.display().to_string()],
    )
    .stderr_has("bad_value.csv:3:1");
}
