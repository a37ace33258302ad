//! The command line as a user meets it: help, `params`, and what `run` writes.

mod common;

use std::collections::BTreeMap;

use common::{
    assert_same, cocoon, cocoon_in, fixture, list_dir, list_files, parse_timeseries, read,
    read_json, tempdir,
};

#[test]
fn help_and_version_exit_0_and_name_the_commands() {
    let (run, _dir) = cocoon(&["--help"]);
    run.expect_code(0)
        .stdout_has("run")
        .stdout_has("check")
        .stdout_has("params");
    let (run, _dir) = cocoon(&["run", "--help"]);
    run.expect_code(0);
    for flag in ["--seed", "--threads", "--out", "--set", "--quiet"] {
        run.stdout_has(flag);
    }
    let (run, _dir) = cocoon(&["--version"]);
    run.expect_code(0).stdout_has(env!("CARGO_PKG_VERSION"));
}

#[test]
fn unknown_subcommand_and_missing_subcommand_exit_2() {
    let (run, dir) = cocoon(&["frobnicate"]);
    run.expect_code(2).stderr_has("frobnicate");
    assert!(list_dir(dir.path()).is_empty());
    let (run, _dir) = cocoon::<&str>(&[]);
    run.expect_code(2);
    let (run, _dir) = cocoon(&["run", "--no-such-flag", "x.toml"]);
    run.expect_code(2);
}

#[test]
fn params_lists_every_key_with_its_range() {
    let (run, _dir) = cocoon(&["params"]);
    run.expect_code(0);
    let specs = cocoon::scenario::spec::all_specs();
    assert!(!specs.is_empty());
    for spec in &specs {
        // Each key starts its own block, followed by the allowed values.
        let block = run
            .stdout
            .split("\n\n")
            .find(|b| b.lines().next() == Some(spec.key))
            .unwrap_or_else(|| {
                panic!(
                    "`cocoon params` has no entry for {}\n{}",
                    spec.key, run.stdout
                )
            });
        let allowed = format!("allowed: {}", spec.kind.allowed());
        assert!(
            block.contains(&allowed),
            "entry for {} lacks {allowed:?}:\n{block}",
            spec.key
        );
    }
    // And the range printed for sisa.beta is the probability range.
    let beta = run
        .stdout
        .split("\n\n")
        .find(|b| b.starts_with("sisa.beta\n"))
        .expect("sisa.beta entry");
    assert!(beta.contains("a number from 0 to 1"), "{beta}");

    let (run, _dir) = cocoon(&["params", "sisa."]);
    run.expect_code(0).stdout_has("sisa.beta");
    let keys: Vec<&str> = run
        .stdout
        .split("\n\n")
        .filter_map(|b| b.lines().next())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        !keys.is_empty() && keys.iter().all(|k| k.starts_with("sisa.")),
        "`cocoon params sisa.` lists {keys:?}"
    );

    let (run, _dir) = cocoon(&["params", "--markdown", "sisa.beta"]);
    run.expect_code(0)
        .stdout_has("| key |")
        .stdout_has("| `sisa.beta` |")
        .stdout_has("a number from 0 to 1");
}

/// Runs the small fixture into `<scratch>/results`; returns the scratch folder (keep it alive) and the output folder.
fn small_run(replicates: u32, ticks: u32) -> (tempfile::TempDir, std::path::PathBuf) {
    let cwd = tempdir();
    let out = cwd.path().join("results");
    cocoon_in(
        cwd.path(),
        &[
            "run".to_string(),
            fixture("valid/small.toml").display().to_string(),
            "--set".into(),
            format!("replicates={replicates}"),
            "--set".into(),
            format!("ticks={ticks}"),
            "--quiet".into(),
            "--out".into(),
            out.display().to_string(),
        ],
    )
    .expect_code(0);
    (cwd, out)
}

#[test]
fn run_writes_a_long_form_timeseries_with_every_tick_of_every_replicate() {
    let (replicates, ticks) = (3u32, 9u32);
    let (_cwd, out) = small_run(replicates, ticks);
    let rows = parse_timeseries(&read(&out.join("timeseries.csv")));

    // metric -> replicate -> ticks seen, in file order.
    let mut seen: BTreeMap<String, BTreeMap<u32, Vec<u32>>> = BTreeMap::new();
    for r in &rows {
        seen.entry(r.metric.clone())
            .or_default()
            .entry(r.replicate)
            .or_default()
            .push(r.tick);
    }
    assert!(!seen.is_empty(), "timeseries.csv has no rows");
    assert!(seen.contains_key("prevalence") && seen.contains_key("infected"));
    let all_ticks: Vec<u32> = (0..=ticks).collect();
    let all_replicates: Vec<u32> = (0..replicates).collect();
    for (metric, by_rep) in &seen {
        assert_same(
            &format!("replicates of `{metric}`"),
            &all_replicates,
            &by_rep.keys().copied().collect(),
        );
        for (rep, t) in by_rep {
            assert_same(
                &format!("ticks of `{metric}`, replicate {rep}"),
                &all_ticks,
                t,
            );
        }
    }
    // Replicate-major order.
    assert!(rows.windows(2).all(|w| w[0].replicate <= w[1].replicate));
    assert!(rows.iter().all(|r| r.value.is_finite()));
}

#[test]
fn summary_has_final_means_inside_their_intervals_matching_the_timeseries() {
    let (replicates, ticks) = (4u32, 6u32);
    let (_cwd, out) = small_run(replicates, ticks);
    let rows = parse_timeseries(&read(&out.join("timeseries.csv")));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["replicates"].as_u64(), Some(replicates as u64));
    assert_eq!(summary["ticks"].as_u64(), Some(ticks as u64));
    let metrics = summary["metrics"]
        .as_object()
        .expect("summary.json has metrics");
    assert!(!metrics.is_empty());
    for (name, m) in metrics {
        let fm = &m["final_mean"];
        let (lo, mean, hi) = (
            fm["lo"].as_f64().unwrap(),
            fm["mean"].as_f64().unwrap(),
            fm["hi"].as_f64().unwrap(),
        );
        assert!(
            lo <= mean && mean <= hi,
            "{name}: final_mean not inside its interval: {fm}"
        );
        assert_eq!(m["final_tick"].as_u64(), Some(ticks as u64), "{name}");
        // The final values are the time series at the last tick, in replicate order.
        let from_ts: Vec<f64> = (0..replicates)
            .map(|r| {
                rows.iter()
                    .find(|x| x.metric == *name && x.replicate == r && x.tick == ticks)
                    .unwrap_or_else(|| panic!("no final row for {name}, replicate {r}"))
                    .value
            })
            .collect();
        let finals: Vec<f64> = m["final_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_same(&format!("{name} final values"), &from_ts, &finals);
        let avg = finals.iter().sum::<f64>() / finals.len() as f64;
        assert!(
            (avg - mean).abs() <= 1e-9 * avg.abs().max(1.0),
            "{name}: mean {mean} is not the average {avg} of {finals:?}"
        );
    }
}

#[test]
fn run_leaves_complete_files_and_no_temporaries() {
    let (_cwd, out) = small_run(2, 4);
    let files = list_files(&out);
    let tmp: Vec<&String> = files.iter().filter(|f| f.ends_with(".tmp")).collect();
    assert!(tmp.is_empty(), "temporary files left behind: {tmp:?}");
    let manifest = read_json(&out.join("manifest.json"));
    let mut listed: Vec<String> = manifest["files"]
        .as_array()
        .expect("manifest lists its files")
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    listed.sort();
    assert_same(
        "files in the output folder vs manifest.json",
        &listed,
        &files,
    );
    for f in [
        "timeseries.csv",
        "summary.json",
        "graph.json",
        "manifest.json",
        "charts/prevalence.png",
        "charts/prevalence.svg",
    ] {
        assert!(files.iter().any(|x| x == f), "{f} missing from {files:?}");
    }
    assert_eq!(
        manifest["run"]["threads"].as_u64().map(|t| t >= 1),
        Some(true)
    );
    assert_eq!(
        manifest["resolved"]["parameters"]["ticks"].as_u64(),
        Some(4)
    );
}

#[test]
fn run_without_out_writes_to_output_slash_name() {
    let cwd = tempdir();
    let run = cocoon_in(
        cwd.path(),
        &[
            "run".to_string(),
            fixture("valid/small.toml").display().to_string(),
            "--set".into(),
            "ticks=2".into(),
        ],
    );
    run.expect_code(0);
    // The scenario file sets name = "small".
    let out = cwd.path().join("output").join("small");
    assert!(
        out.join("manifest.json").is_file(),
        "no output/small/manifest.json\n{}",
        run.describe()
    );
    // Without --quiet a short closing report goes to stderr (the result and the file to open
    // first), and stdout stays clean for data.
    run.stderr_has("prevalence at the final tick")
        .stderr_has("output/small/charts/prevalence.png first");
    assert_eq!(run.stdout, "", "{}", run.describe());
}
