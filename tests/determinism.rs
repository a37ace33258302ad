//! Results depend on the seed only: the same scenario gives byte-identical result files on
//! 1, 2 or 8 threads and when run twice, and a different seed gives a different time series.

mod common;

use std::path::Path;

use common::{assert_same_text, cocoon_in, read, read_json, reference_scenario, tempdir};

/// Files that must not depend on the thread count or the run.
const RESULT_FILES: [&str; 3] = ["timeseries.csv", "summary.json", "graph.json"];

/// Runs the reference scenario, shrunk to test size, into `out`.
fn run_reference(cwd: &Path, out: &Path, threads: usize, seed: Option<u64>) {
    let out_arg = out.display().to_string();
    let threads_arg = threads.to_string();
    let mut args = vec![
        "run".to_string(),
        reference_scenario(),
        "--set".into(),
        "graph.n=5000".into(),
        "--set".into(),
        "ticks=30".into(),
        "--quiet".into(),
        "--out".into(),
        out_arg,
        "--threads".into(),
        threads_arg,
    ];
    if let Some(s) = seed {
        args.push("--seed".into());
        args.push(s.to_string());
    }
    cocoon_in(cwd, &args).expect_code(0);
}

fn check_manifest(out: &Path, threads: usize) {
    let manifest = read_json(&out.join("manifest.json"));
    assert_eq!(
        manifest["run"]["threads"].as_u64(),
        Some(threads as u64),
        "manifest.json run.threads for a run with --threads {threads}:\n{manifest:#}"
    );
}

#[test]
fn result_files_are_identical_for_1_2_and_8_threads() {
    let cwd = tempdir();
    let outs: Vec<(usize, std::path::PathBuf)> = [1usize, 2, 8]
        .into_iter()
        .map(|t| (t, cwd.path().join(format!("out-t{t}"))))
        .collect();
    for (t, out) in &outs {
        run_reference(cwd.path(), out, *t, None);
        check_manifest(out, *t);
    }
    let (t0, base) = &outs[0];
    // The runs must have produced something worth comparing.
    let rows = read(&base.join("timeseries.csv")).lines().count();
    assert!(rows > 30, "timeseries.csv has only {rows} lines");
    for file in RESULT_FILES {
        let expected = read(&base.join(file));
        for (t, out) in &outs[1..] {
            assert_same_text(
                &format!("{file} with --threads {t} (vs --threads {t0})"),
                &expected,
                &read(&out.join(file)),
            );
        }
    }
}

#[test]
fn same_seed_twice_is_identical_and_another_seed_differs() {
    let cwd = tempdir();
    let a = cwd.path().join("a");
    let b = cwd.path().join("b");
    let c = cwd.path().join("c");
    run_reference(cwd.path(), &a, 2, Some(11));
    run_reference(cwd.path(), &b, 2, Some(11));
    run_reference(cwd.path(), &c, 2, Some(12));
    for file in RESULT_FILES {
        assert_same_text(
            &format!("{file} of a second run with --seed 11"),
            &read(&a.join(file)),
            &read(&b.join(file)),
        );
    }
    let ts_a = read(&a.join("timeseries.csv"));
    let ts_c = read(&c.join("timeseries.csv"));
    assert_ne!(
        ts_a, ts_c,
        "timeseries.csv is the same for --seed 11 and --seed 12"
    );
    // The seed override must reach the recorded scenario too.
    assert_eq!(
        read_json(&a.join("summary.json"))["seed"].as_u64(),
        Some(11)
    );
    assert_eq!(
        read_json(&c.join("summary.json"))["seed"].as_u64(),
        Some(12)
    );
}
