//! `[uncertainty]` in a comparison file: a posterior and priors drawn per replicate (the same
//! draw for every arm), identical on 1 and 2 threads, the same as `--posterior` when the table
//! only names the posterior; bad tables are located errors, exit code 2, nothing written.

mod common;

use common::*;

const WITH_TABLE: &str = "tests/fixtures/studies/compare_uncertainty.toml";
const COMPARE: &str = "tests/fixtures/studies/compare.toml";

fn run(file: &str, threads: &str, extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let out = dir.path().join("out");
    let mut more = vec!["--threads", threads];
    more.extend_from_slice(extra);
    cocoon_in(dir.path(), &quiet_out_args("compare", file, &out, &more)).expect_code(0);
    (dir, out)
}

/// A comparison file in `dir` on the fixture base, with `table` as its `[uncertainty]` part.
fn comparison(dir: &std::path::Path, table: &str) -> (std::path::PathBuf, String) {
    let base = fixture("studies/base.toml");
    let text = format!(
        "question = \"q\"\nbase = {:?}\nbaseline_arm = \"services\"\nreplicates = 4\n\n{table}\n\
         [[arm]]\nname = \"services\"\nset = {{ \"policy.services_share\" = 1.0 }}\n\n\
         [[arm]]\nname = \"community\"\nset = {{ \"policy.community_share\" = 1.0 }}\n",
        base.display().to_string()
    );
    let path = dir.join("c.toml");
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

#[test]
fn priors_and_posterior_in_the_file_are_paired_and_deterministic() {
    let (_a, one) = run(&path_arg(WITH_TABLE), "1", &[]);
    let (_b, two) = run(&path_arg(WITH_TABLE), "2", &[]);
    for f in ["comparison.csv", "effects.csv", "decision_pairwise.csv"] {
        assert_same_text(f, &read(&one.join(f)), &read(&two.join(f)));
    }
    let html = read(&two.join("report.html"));
    assert!(html.contains("drawn from the posterior or priors of compare_uncertainty.toml"));
    // The priors change the runs: not the same as the posterior alone.
    let (_c, post) = run(
        &path_arg(COMPARE),
        "2",
        &[
            "--posterior",
            &path_arg("tests/fixtures/studies/posterior.csv"),
        ],
    );
    assert_ne!(
        read(&post.join("comparison.csv")),
        read(&two.join("comparison.csv"))
    );
}

#[test]
fn a_table_naming_only_the_posterior_equals_the_flag() {
    let dir = tempdir();
    let posterior = fixture("studies/posterior.csv");
    let (file, _) = comparison(
        dir.path(),
        &format!(
            "[uncertainty]\nposterior = {:?}\n",
            posterior.display().to_string()
        ),
    );
    let (_a, table) = run(&file.display().to_string(), "2", &[]);
    let (_b, flag) = run(
        &path_arg(COMPARE),
        "2",
        &["--posterior", &posterior.display().to_string()],
    );
    for f in ["comparison.csv", "effects.csv", "decision_pairwise.csv"] {
        assert_same_text(f, &read(&flag.join(f)), &read(&table.join(f)));
    }
}

#[test]
fn bad_uncertainty_tables_are_located() {
    let dir = tempdir();
    let cases: &[(&str, &str, &str)] = &[
        (
            "[uncertainty]\nposteriors = \"p.csv\"\n",
            "posteriors",
            "did you mean `posterior`?",
        ),
        (
            "[[uncertainty.parameter]]\nkey = \"days.bse\"\nuniform = [0, 1]\n",
            "\"days.bse\"",
            "did you mean `days.base`?",
        ),
        (
            "[[uncertainty.parameter]]\nkey = \"community.attend\"\nnormal = [0.15, -0.1]\n",
            "[0.15, -0.1]",
            "`community.attend`",
        ),
        (
            "[[uncertainty.parameter]]\nkey = \"community.attend\"\nuniform = [0.5, 2]\n",
            "[0.5, 2]",
            "outside the parameter's range",
        ),
        (
            "[[uncertainty.parameter]]\nkey = \"policy.services_share\"\nuniform = [0, 1]\n",
            "uniform = [0, 1]",
            "arm `services` sets it",
        ),
        (
            "[[uncertainty.parameter]]\nkey = \"seed\"\nuniform = [0, 9]\n",
            "\"seed\"",
            "cannot vary `seed`",
        ),
        (
            "[uncertainty]\nposterior = \"missing.csv\"\n",
            "\"missing.csv\"",
            "posterior not found",
        ),
        ("[uncertainty]\n", "[uncertainty]", "needs `posterior"),
    ];
    for (table, at, says) in cases {
        let (file, text) = comparison(dir.path(), table);
        let (line, column) = locate(&text, at);
        let place = format!("{}:{line}:{column}", file.display());
        rejected("compare", &file.display().to_string(), &[])
            .stderr_has(&place)
            .stderr_has(says);
    }
}

#[test]
fn the_flag_and_the_table_together_are_refused() {
    rejected(
        "compare",
        &path_arg(WITH_TABLE),
        &[
            "--posterior",
            &path_arg("tests/fixtures/studies/posterior.csv"),
        ],
    )
    .stderr_has("use one of them");
}
