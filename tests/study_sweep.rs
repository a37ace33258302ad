//! `cocoon sweep` and `cocoon sensitivity`: outputs byte-identical on 1 and 2 threads, a
//! resumed sweep equal to an uninterrupted one, and the files each command writes.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::*;

fn sweep_bytes(study: &str, threads: &str, extra: &[&str]) -> (String, tempfile::TempDir) {
    let dir = tempdir();
    let out = dir.path().join("out");
    let mut args = quiet_out_args("sweep", &path_arg(study), &out, &["--threads", threads]);
    args.extend(extra.iter().map(|s| s.to_string()));
    cocoon_in(dir.path(), &args).expect_code(0);
    (read(&out.join("sweep.csv")), dir)
}

#[test]
fn sweep_is_identical_on_one_and_two_threads() {
    for study in [
        "scenarios/studies/sisa_sweep.toml",
        "tests/fixtures/studies/withdrawal_levers.toml",
    ] {
        let (one, _a) = sweep_bytes(study, "1", &[]);
        let (two, dir) = sweep_bytes(study, "2", &[]);
        assert_same_text(study, &one, &two);
        assert!(one.lines().count() > 8, "{study}: too few rows\n{one}");
        let manifest = read_json(&dir.path().join("out/manifest.json"));
        assert_eq!(manifest["command"], "sweep");
        assert!(
            !dir.path().join(".out.cocoon-points").exists(),
            "the points folder is removed after a finished sweep"
        );
    }
}

#[test]
fn withdrawal_sweep_with_shared_burn_ins_equals_separate_runs() {
    // Points share a burn-in where only the lever differs; each point's values must equal
    // those of its arms run alone, each with its own burn-in.
    let study =
        cocoon::study::load(&root().join("tests/fixtures/studies/withdrawal_levers.toml")).unwrap();
    let points = cocoon::study::design_points(&study).unwrap();
    let swept = cocoon::study::sweep::run(&study, &points, None, &|| {}).unwrap();
    for (point, result) in points.iter().zip(&swept) {
        let values: Vec<toml_edit::Value> = study
            .parameters()
            .iter()
            .zip(point)
            .map(|(p, &x)| p.value_of(x))
            .collect();
        let runs: Vec<Vec<cocoon::engine::Series>> = study
            .point_scenarios(&values, None)
            .unwrap()
            .iter()
            .map(|s| {
                cocoon::run::execute(s, cocoon::engine::Exec::Sequential, &|| {})
                    .unwrap()
                    .series
            })
            .collect();
        for (q, quantity) in study.quantities().iter().enumerate() {
            for r in 0..2 {
                let row: Vec<&cocoon::engine::Series> = runs.iter().map(|a| &a[r]).collect();
                assert_eq!(
                    quantity.value(&row),
                    Some(result.values[q][r]),
                    "{}",
                    quantity.name
                );
            }
        }
    }
}

#[test]
fn resumed_sweep_skips_staged_points_and_gives_the_same_results() {
    let study = cocoon::study::load(&root().join("scenarios/studies/sisa_sweep.toml")).unwrap();
    let points = cocoon::study::design_points(&study).unwrap();
    let dir = tempdir();
    let staging = dir.path().join(".partial");
    let ticks = AtomicU64::new(0);
    let count = || {
        ticks.fetch_add(1, Ordering::Relaxed);
    };
    let full = cocoon::study::sweep::run(&study, &points, Some(&staging), &count).unwrap();
    let all_ticks = ticks.swap(0, Ordering::Relaxed);
    // "Interrupt": lose half the staged points and corrupt one more.
    for i in (0..points.len()).step_by(2) {
        std::fs::remove_file(staging.join(format!("point-{i:06}.txt"))).unwrap();
    }
    std::fs::write(staging.join("point-000001.txt"), "fingerprint 0\n0,0,1\n").unwrap();
    let resumed = cocoon::study::sweep::run(&study, &points, Some(&staging), &count).unwrap();
    assert_eq!(full, resumed);
    let rerun = ticks.load(Ordering::Relaxed);
    let expected = all_ticks * (points.len() / 2 + 1) as u64 / points.len() as u64;
    assert_eq!(rerun, expected, "only the missing points run again");
    assert_eq!(
        cocoon::study::sweep::sweep_csv(&study, &points, &full),
        cocoon::study::sweep::sweep_csv(&study, &points, &resumed)
    );
}

#[test]
fn sensitivity_writes_tables_and_charts() {
    for (method, table, chart) in [
        ("morris", "morris.csv", "charts/morris_infected_late.png"),
        ("sobol", "sobol.csv", "charts/sobol_infected_late.png"),
    ] {
        let dir = tempdir();
        let out = dir.path().join("out");
        let args = quiet_out_args(
            "sensitivity",
            &path_arg("scenarios/studies/sisa_sweep.toml"),
            &out,
            &["--method", method],
        );
        cocoon_in(dir.path(), &args).expect_code(0);
        let text = read(&out.join(table));
        assert_eq!(text.lines().count(), 1 + 2 * 2, "{text}");
        assert!(text.contains("infected_late,sisa.beta,"));
        for f in [
            chart,
            "charts/tornado_infected_late.svg",
            "sweep.csv",
            "manifest.json",
        ] {
            assert!(out.join(f).is_file(), "{method}: missing {f}");
        }
    }
}
