//! Bad study files are rejected before anything runs: exit code 2, a message naming
//! file:line:column and what is allowed, and nothing written.

mod common;

use common::*;

/// Writes a study on the reference SISa scenario (or `base`) with `body` and checks that
/// every command rejects it with a message containing `line_col` and `needle`.
fn rejects(body: &str, line_col: &str, needle: &str) {
    let dir = tempdir();
    let path = dir.path().join("study.toml");
    let text = format!(
        "base = \"{}\"\npoints = 4\n{body}",
        root().join("scenarios/reference/sisa_ws.toml").display()
    );
    std::fs::write(&path, &text).unwrap();
    let file = path.display().to_string();
    for (command, extra) in [
        ("sweep", vec![]),
        ("sensitivity", vec!["--method", "morris"]),
    ] {
        let run = rejected(command, &file, &extra);
        run.stderr_has(&format!("study.toml:{line_col}"))
            .stderr_has(needle);
    }
}

const OUTCOME: &str = "[[outcome]]\nmetric = \"infected\"\n";

#[test]
fn unknown_parameter_key_suggests_the_closest() {
    rejects(
        &format!("[[parameter]]\nkey = \"sisa.bta\"\nuniform = [0.01, 0.1]\n{OUTCOME}"),
        "4:7",
        "did you mean `sisa.beta`?",
    );
}

#[test]
fn impossible_priors_are_located() {
    rejects(
        &format!("[[parameter]]\nkey = \"sisa.beta\"\nbeta = [0.0, 2.0]\n{OUTCOME}"),
        "5:8",
        "beta needs [a, b] with a > 0 and b > 0",
    );
    rejects(
        &format!("[[parameter]]\nkey = \"sisa.beta\"\nuniform = [-0.5, 0.5]\n{OUTCOME}"),
        "5:11",
        "outside the parameter's range",
    );
    rejects(
        &format!("[[parameter]]\nkey = \"sisa.beta\"\ntriangular = [0.1, 0.5, 0.3]\n{OUTCOME}"),
        "5:14",
        "lo <= mode <= hi",
    );
}

#[test]
fn unknown_metric_lists_what_the_model_records() {
    rejects(
        "[[parameter]]\nkey = \"sisa.beta\"\nuniform = [0.01, 0.1]\n[[outcome]]\nmetric = \"hikikomori_prevalence\"\n",
        "6:1",
        "`hikikomori_prevalence` is not recorded by this model; it records: infected",
    );
}

#[test]
fn age_window_outside_the_population_is_rejected() {
    rejects(
        "[[parameter]]\nkey = \"sisa.beta\"\nuniform = [0.01, 0.1]\n[[target]]\nmetric = \"hikikomori_in_range\"\nages = [10, 39]\nvalue = 0.01\nsd = 0.001\n",
        "8:8",
        "within the population's ages 12 to 64",
    );
}

#[test]
fn unknown_keys_and_bad_windows_are_located() {
    rejects("desing = \"lhs\"\n", "3:1", "did you mean `design`?");
    rejects(
        &format!("[[parameter]]\nkey = \"sisa.beta\"\nuniform = [0.01, 0.1]\n{OUTCOME}ticks = [0, 500]\n"),
        "6:1",
        "after the run's last tick 110",
    );
    rejects(
        "[[parameter]]\nkey = \"seed\"\nvalues = [1, 2]\n",
        "4:7",
        "cannot vary `seed`",
    );
}

#[test]
fn shipped_studies_are_valid() {
    let dir = root().join("scenarios/studies");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            if let Err(e) = cocoon::study::load(&path) {
                panic!("{}: {e}", path.display());
            }
            n += 1;
        }
    }
    assert!(n >= 4, "expected the shipped studies in {}", dir.display());
}
