//! `compare --shard K/N` and `merge`: three shards merged give the bytes of a single run, and
//! a set of shards that is not one whole study is refused with exit 2 and nothing written.
//!
//! Two comparisons at test size: the SISa fixture (every arm its own work unit) and the shipped
//! withdrawal micro_vs_community (all six arms share a burn-in inside one unit per replicate).

mod common;

use std::path::{Path, PathBuf};

use common::{assert_same_outputs_except_run, cocoon_in, fixture, path_arg, read_json, tempdir};

const SISA_SETS: &[&str] = &[
    "--set",
    "graph.n=400",
    "--set",
    "ticks=8",
    "--set",
    "replicates=2",
];
const WITHDRAWAL_SETS: &[&str] = &[
    "--set",
    "population.n=150",
    "--set",
    "ticks=3",
    "--set",
    "replicates=3",
];

fn run(cwd: &Path, args: &[&str]) -> common::Run {
    cocoon_in(cwd, args)
}

/// `compare FILE SETS --quiet --out OUT EXTRA...`, expecting success.
fn compare(cwd: &Path, file: &str, sets: &[&str], out: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["compare", file, "--quiet", "--out", out];
    args.extend_from_slice(sets);
    args.extend_from_slice(extra);
    run(cwd, &args).expect_code(0);
    cwd.join(out)
}

fn shards_merge_to_the_single_run(file: &str, sets: &[&str]) {
    let cwd = tempdir();
    let cwd = cwd.path();
    let single = compare(cwd, file, sets, "single", &["--threads", "2"]);
    for k in 1..=3 {
        let spec = format!("{k}/3");
        let out = format!("s{k}");
        let dir = compare(cwd, file, sets, &out, &["--shard", &spec, "--threads", "1"]);
        let manifest = read_json(&dir.join("manifest.json"));
        assert_eq!(manifest["shard"], k);
        assert_eq!(manifest["shards"], 3);
    }
    // Any order of the folders.
    run(
        cwd,
        &["merge", "s3", "s1", "s2", "--quiet", "--out", "merged"],
    )
    .expect_code(0);
    let merged = cwd.join("merged");
    assert_same_outputs_except_run(&single, &merged);
    let run_section = &read_json(&merged.join("manifest.json"))["run"];
    assert_eq!(
        run_section["distributed"]["merged_shards"], 3,
        "{run_section}"
    );
}

#[test]
fn three_sisa_shards_merge_to_the_bytes_of_one_run() {
    shards_merge_to_the_single_run(
        &fixture("compare/beta.toml").display().to_string(),
        SISA_SETS,
    );
}

#[test]
fn three_withdrawal_shards_sharing_a_burn_in_merge_to_the_bytes_of_one_run() {
    let file = path_arg("scenarios/policy/micro_vs_community.toml");
    shards_merge_to_the_single_run(&file, WITHDRAWAL_SETS);
}

#[test]
fn merge_refuses_anything_but_one_whole_study() {
    let cwd = tempdir();
    let cwd = cwd.path();
    let file = fixture("compare/beta.toml").display().to_string();
    for k in 1..=2 {
        compare(
            cwd,
            &file,
            SISA_SETS,
            &format!("s{k}"),
            &["--shard", &format!("{k}/2")],
        );
    }
    let mut other_seed = SISA_SETS.to_vec();
    other_seed.extend_from_slice(&["--set", "seed=99"]);
    compare(cwd, &file, &other_seed, "other", &["--shard", "2/2"]);
    compare(cwd, &file, SISA_SETS, "three", &["--shard", "2/3"]);
    std::fs::create_dir(cwd.join("empty")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["s1"], "shard(s) 2/2 missing"),
        (&["s1", "s2", "s1"], "shard 1/2 is given twice"),
        (
            &["s1", "other"],
            "s1 and other are shards of different studies: file hash",
        ),
        (&["s1", "three"], "shard count N 2 vs 3"),
        (&["s1", "empty"], "empty: not a finished shard folder"),
    ];
    for (dirs, message) in cases {
        let mut args = vec!["merge"];
        args.extend_from_slice(dirs);
        args.extend_from_slice(&["--out", "merged"]);
        run(cwd, &args).expect_code(2).stderr_has(message);
        assert!(!cwd.join("merged").exists(), "{dirs:?} wrote output");
    }
    run(cwd, &["compare", &file, "--shard", "3/2", "--out", "x"])
        .expect_code(2)
        .stderr_has("1 <= K <= N");
    assert!(!cwd.join("x").exists());
    run(cwd, &["merge", "s1", "s2", "--quiet", "--out", "merged"]).expect_code(0);
}

/// `sweep --shard K/N` then `merge`: the withdrawal sweep fixture (4 points, some sharing a
/// burn-in) in 3 shards gives the single run's bytes; a missing shard is refused.
#[test]
fn three_sweep_shards_merge_to_the_bytes_of_one_sweep() {
    let cwd = tempdir();
    let cwd = cwd.path();
    let file = fixture("studies/withdrawal_levers.toml")
        .display()
        .to_string();
    run(cwd, &["sweep", &file, "--quiet", "--out", "single"]).expect_code(0);
    for k in 1..=3 {
        let (spec, out) = (format!("{k}/3"), format!("s{k}"));
        run(
            cwd,
            &[
                "sweep",
                &file,
                "--quiet",
                "--out",
                &out,
                "--shard",
                &spec,
                "--threads",
                "1",
            ],
        )
        .expect_code(0);
        let manifest = read_json(&cwd.join(&out).join("manifest.json"));
        assert_eq!(manifest["kind"], "sweep-shard");
        assert_eq!(manifest["shard"], k);
    }
    run(cwd, &["merge", "s2", "s3", "--out", "partial"])
        .expect_code(2)
        .stderr_has("1/3 missing");
    assert!(!cwd.join("partial").exists());
    run(
        cwd,
        &["merge", "s3", "s1", "s2", "--quiet", "--out", "merged"],
    )
    .expect_code(0);
    assert_same_outputs_except_run(&cwd.join("single"), &cwd.join("merged"));
    let run_section = &read_json(&cwd.join("merged/manifest.json"))["run"];
    assert_eq!(run_section["distributed"]["merged_shards"], 3);
}

/// `calibrate --shard K/N`, one job-array step at a time: three shards evaluate their share of
/// each batch of candidates until one reports the calibration complete, then a run without
/// `--shard` writes the bytes of one uninterrupted calibration.
#[test]
fn calibration_shards_step_by_step_give_the_bytes_of_one_calibration() {
    let cwd = tempdir();
    let cwd = cwd.path();
    let text = std::fs::read_to_string(fixture("studies/sisa_calibrate.toml"))
        .unwrap()
        .replace(
            "base = \"sisa_truth.toml\"",
            &format!(
                "base = {:?}",
                fixture("studies/sisa_truth.toml").display().to_string()
            ),
        )
        .replace("particles = 50", "particles = 24")
        .replace("generations = 5", "generations = 2");
    std::fs::write(cwd.join("fit.toml"), text).unwrap();
    run(
        cwd,
        &["calibrate", "fit.toml", "--quiet", "--out", "single"],
    )
    .expect_code(0);
    let complete = cwd.join(".sharded.cocoon-points/calibration-complete");
    let mut steps = 0;
    while !complete.exists() {
        steps += 1;
        assert!(steps <= 20, "the calibration never completed");
        for k in 1..=3 {
            let spec = format!("{k}/3");
            let args = [
                "calibrate",
                "fit.toml",
                "--out",
                "sharded",
                "--shard",
                &spec,
                "--threads",
                "1",
            ];
            let r = run(cwd, &args);
            r.expect_code(0);
            assert!(
                r.describe().contains("Run all 3 shards again")
                    || r.describe().contains("the calibration is complete"),
                "{}",
                r.describe()
            );
        }
        assert!(!cwd.join("sharded").exists(), "a shard wrote the outputs");
    }
    // One step for the prior generation, at least one per later generation.
    assert!(steps >= 3, "{steps} steps");
    run(
        cwd,
        &["calibrate", "fit.toml", "--quiet", "--out", "sharded"],
    )
    .expect_code(0);
    assert_same_outputs_except_run(&cwd.join("single"), &cwd.join("sharded"));
    let run_section = &read_json(&cwd.join("sharded/manifest.json"))["run"];
    assert_eq!(run_section["distributed"]["merged_shards"], 3);
    assert!(!cwd.join(".sharded.cocoon-points").exists());
}
