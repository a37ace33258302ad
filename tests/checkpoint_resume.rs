//! Checkpoint and resume: a `run` or `compare` started with `--checkpoint-every` is killed
//! (SIGKILL) in its burn-in or in the middle of its arms, `cocoon resume OUT` continues it,
//! and the output folder is byte-identical to an uninterrupted run without checkpoints
//! (except the manifest's `run` section: wall time and threads). A checkpoint from another
//! cocoon build or a changed scenario is refused with a clear message and exit code 2.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A small withdrawal scenario with every lever funded, long enough to be killed mid-way.
const SCENARIO: &str = r#"name = "ck"
model = "withdrawal"
ticks = 160
seed = 3
replicates = 2

[population]
n = 3000

[withdrawal]
burn_in_ticks = 24

[policy]
budget = 400000
services_share = 0.3
community_share = 0.4
parenting_share = 0.1
anti_bullying_share = 0.1
"#;

fn write_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("ck.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    path
}

fn checkpoint_folder(cwd: &Path, out: &str) -> PathBuf {
    cwd.join(format!(".{out}.cocoon-staging-resumable"))
        .join("checkpoint")
}

/// Starts `args` in `cwd`, waits until a checkpoint file whose name ends in `suffix` exists
/// in the checkpoint folder of `out`, and kills the process (SIGKILL).
fn kill_when(cwd: &Path, args: &[String], out: &str, suffix: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let folder = checkpoint_folder(cwd, out);
    let started = Instant::now();
    loop {
        let hit = std::fs::read_dir(&folder).ok().is_some_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(suffix))
        });
        if hit {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before a `{suffix}` checkpoint appeared");
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no `{suffix}` checkpoint after 300 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !cwd.join(out).exists(),
        "the run finished before the kill; make it longer"
    );
}

/// Kills `args` (which write to `out` with checkpoints) once at a checkpoint ending in
/// `suffix`, resumes it, and compares with `reference`.
fn kill_and_resume(cwd: &Path, args: &[String], out: &str, suffix: &str, reference: &Path) {
    kill_when(cwd, args, out, suffix);
    assert!(checkpoint_folder(cwd, out).join("resume.json").is_file());
    // A fresh run onto the interrupted target is refused: it would discard the checkpoints.
    cocoon_in(cwd, args)
        .expect_code(2)
        .stderr_has("cocoon resume");
    cocoon_in(cwd, &["resume", out, "--quiet"]).expect_code(0);
    assert_same_outputs_except_run(reference, &cwd.join(out));
    // Only the manifest's run section tells a resumed run apart: which checkpoints (files
    // ending in `suffix` among them) it continued from, and from which week (none for a
    // finished arm's series).
    let run = &read_json(&cwd.join(out).join("manifest.json"))["run"];
    let resumed = run["resumed"].as_array().expect("a resumed marker");
    assert!(
        resumed.iter().any(|r| r["checkpoint"]
            .as_str()
            .is_some_and(|c| c.ends_with(suffix))),
        "{run}"
    );
    assert!(
        resumed
            .iter()
            .all(|r| r["week"].is_null() || r["week"].as_u64().is_some_and(|w| w > 0)),
        "{run}"
    );
    assert!(read_json(&reference.join("manifest.json"))["run"]
        .get("resumed")
        .is_none());
    let left: Vec<String> = list_dir(cwd)
        .into_iter()
        .filter(|n| n.contains("cocoon"))
        .collect();
    assert!(left.is_empty(), "leftovers after the resume: {left:?}");
    std::fs::remove_dir_all(cwd.join(out)).unwrap();
}

#[test]
fn a_killed_run_resumes_to_the_same_bytes() {
    let cwd = tempdir();
    let file = write_scenario(cwd.path()).display().to_string();
    let reference = cwd.path().join("reference");
    cocoon_in(
        cwd.path(),
        &quiet_out_args("run", &file, &reference, &["--threads", "2"]),
    )
    .expect_code(0);
    let args = quiet_out_args("run", &file, Path::new("out"), &["--checkpoint-every", "4"]);
    // Killed in the burn-in (its first checkpoint is week 4 of 24), then in the arms.
    kill_and_resume(cwd.path(), &args, "out", "-burnin.ckpt", &reference);
    kill_and_resume(cwd.path(), &args, "out", "-arm0.ckpt", &reference);
    // Without a kill, a checkpointed run gives the same bytes too and leaves nothing behind.
    cocoon_in(cwd.path(), &args).expect_code(0);
    assert_same_outputs_except_run(&reference, &cwd.path().join("out"));
    assert_eq!(list_dir(cwd.path()), ["ck.toml", "out", "reference"]);
}

#[test]
fn a_killed_comparison_resumes_to_the_same_bytes() {
    let cwd = tempdir();
    let file = path_arg("scenarios/policy/micro_vs_community.toml");
    let sets = [
        "--set",
        "population.n=2500",
        "--set",
        "ticks=60",
        "--set",
        "withdrawal.burn_in_ticks=16",
        "--set",
        "replicates=2",
    ];
    let reference = cwd.path().join("reference");
    cocoon_in(
        cwd.path(),
        &quiet_out_args("compare", &file, &reference, &sets),
    )
    .expect_code(0);
    let mut extra = sets.to_vec();
    extra.extend(["--checkpoint-every", "8"]);
    let args = quiet_out_args("compare", &file, Path::new("out"), &extra);
    kill_and_resume(cwd.path(), &args, "out", "-arm0.ckpt", &reference);
}

/// Resume refuses checkpoints it must not continue, names why, writes nothing, and keeps the
/// checkpoints (so restoring the inputs lets it continue).
#[test]
fn checkpoints_of_another_build_or_scenario_are_refused() {
    let cwd = tempdir();
    let file = write_scenario(cwd.path());
    let file_arg = file.display().to_string();
    let args = quiet_out_args(
        "run",
        &file_arg,
        Path::new("out"),
        &["--checkpoint-every", "4"],
    );
    kill_when(cwd.path(), &args, "out", "-arm0.ckpt");
    let folder = checkpoint_folder(cwd.path(), "out");

    // The scenario changed: refused, naming the file.
    std::fs::write(&file, SCENARIO.replace("seed = 3", "seed = 4")).unwrap();
    cocoon_in(cwd.path(), &["resume", "out"])
        .expect_code(2)
        .stderr_has("changed since the interrupted run started");
    std::fs::write(&file, SCENARIO).unwrap();

    // A checkpoint written by another build: its header names the version.
    let ckpt = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-arm0.ckpt"))
        .unwrap();
    let original = std::fs::read(&ckpt).unwrap();
    let mut other = original.clone();
    // Magic (8), format (4), version length (8), then the version text: "0.1.0 (...)".
    other[20] = b'7';
    std::fs::write(&ckpt, &other).unwrap();
    cocoon_in(cwd.path(), &["resume", "out"])
        .expect_code(2)
        .stderr_has("written by cocoon 7")
        .stderr_has("only by the build that wrote it");
    assert!(!cwd.path().join("out").exists());
    std::fs::write(&ckpt, &original).unwrap();

    // The resume spec of another build.
    let spec_path = folder.join("resume.json");
    let spec = std::fs::read_to_string(&spec_path).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&spec).unwrap();
    v["version"] = "0.0.1 (elsewhere)".into();
    std::fs::write(&spec_path, serde_json::to_string(&v).unwrap()).unwrap();
    cocoon_in(cwd.path(), &["resume", "out"])
        .expect_code(2)
        .stderr_has("started by cocoon 0.0.1 (elsewhere)");
    std::fs::write(&spec_path, spec).unwrap();

    // Restored, it continues.
    cocoon_in(cwd.path(), &["resume", "out", "--quiet"]).expect_code(0);
    assert!(cwd.path().join("out/manifest.json").is_file());
    // A complete folder has nothing to resume.
    cocoon_in(cwd.path(), &["resume", "out"])
        .expect_code(2)
        .stderr_has("the run it holds is complete");
}

#[test]
fn checkpoints_are_refused_where_they_cannot_work() {
    rejected(
        "run",
        &reference_scenario(),
        &["--set", "ticks=3", "--checkpoint-every", "2"],
    )
    .stderr_has("withdrawal model only");
    rejected(
        "run",
        &path_arg("scenarios/baseline.toml"),
        &["--checkpoint-every", "0"],
    );
    let (run, _dir) = cocoon(&["resume", "nothing-here"]);
    run.expect_code(2).stderr_has("no interrupted run");
}
