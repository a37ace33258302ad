//! Fault injection: `run` and `compare` are killed (SIGKILL, SIGTERM) at pseudo-random points
//! from start to finish. Afterwards the output folder is either absent or byte-identical to an
//! uninterrupted reference run (manifest.json's `run` block, with wall time and command line,
//! is the only part allowed to differ), and the next run reports and removes the leftovers.
//!
//! The kill points are fractions of the reference run's wall time drawn from a fixed seed
//! (`COCOON_FAULT_SEED` overrides it), so a failure can be replayed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::*;

/// Every file under `dir`, by relative path; manifest.json without its `run` block.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    list_files(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            let bytes = if rel == "manifest.json" {
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                v.as_object_mut().unwrap().remove("run");
                serde_json::to_vec(&v).unwrap()
            } else {
                bytes
            };
            (rel, bytes)
        })
        .collect()
}

/// A small deterministic generator for the kill points (xorshift).
struct Points(u64);

impl Points {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn seed() -> u64 {
    std::env::var("COCOON_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c0c0_0001)
}

fn spawn(cwd: &Path, args: &[String]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs `args` (which write to `out` under `cwd`) once to completion as the reference, then
/// `kills` times killed at a random point; checks the invariants after each kill.
fn kill_at_random_points(what: &str, args: &[String], out: &str, kills: usize) {
    let cwd = tempdir();
    let target = cwd.path().join(out);
    let start = Instant::now();
    let status = spawn(cwd.path(), args).wait().unwrap();
    assert!(status.success(), "the reference {what} failed");
    let duration = start.elapsed();
    let reference = snapshot(&target);
    assert!(reference.contains_key("manifest.json"));
    std::fs::remove_dir_all(&target).unwrap();

    let mut points = Points(seed());
    let mut outcomes = BTreeMap::new();
    let mut cleared = 0;
    for k in 0..kills {
        let at = duration.mul_f64(1.2 * points.next_fraction());
        let signal = if k % 2 == 0 {
            libc::SIGKILL
        } else {
            libc::SIGTERM
        };
        let mut args = args.to_vec();
        if target.exists() {
            args.push("--force".into());
        }
        let mut child = spawn(cwd.path(), &args);
        std::thread::sleep(at);
        // SAFETY: signalling our own child by its pid.
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let status = child.wait().unwrap();
        let completed = status.success();
        *outcomes.entry(completed).or_insert(0) += 1;
        if target.exists() {
            assert_eq!(
                snapshot(&target),
                reference,
                "{what}: after signal {signal} at {at:?} the folder {out} is not the reference \
                 run (seed {})",
                seed()
            );
        }
        // Leftovers, if any, are reported and cleared by the next run.
        let leftovers: Vec<String> = list_dir(cwd.path())
            .into_iter()
            .filter(|n| n.contains(".cocoon-staging-"))
            .collect();
        if !leftovers.is_empty() {
            cleared += 1;
            let mut again: Vec<String> = args.iter().filter(|a| *a != "-q").cloned().collect();
            if !again.contains(&"--force".to_string()) && target.exists() {
                again.push("--force".into());
            }
            let run = cocoon_in(cwd.path(), &again);
            run.expect_code(0);
            for l in &leftovers {
                run.stderr_has(l);
            }
            assert_eq!(snapshot(&target), reference);
            let rest: Vec<String> = list_dir(cwd.path())
                .into_iter()
                .filter(|n| n.contains(".cocoon-"))
                .collect();
            assert!(rest.is_empty(), "{what}: {rest:?} left after a clean run");
        }
    }
    let interrupted = *outcomes.get(&false).unwrap_or(&0);
    eprintln!(
        "{what}: {kills} kills over {duration:?} (seed {}): {} completed before the signal, \
         {interrupted} interrupted, {cleared} left a staging folder that the next run cleared",
        seed(),
        outcomes.get(&true).unwrap_or(&0),
    );
    assert!(interrupted > 0, "{what}: no kill landed during the run");
}

#[test]
fn run_killed_anywhere_leaves_the_reference_folder_or_none() {
    let args: Vec<String> = [
        "run",
        &reference_scenario(),
        "-q",
        "--set",
        "graph.n=3000",
        "--set",
        "ticks=60",
        "--set",
        "replicates=2",
        "--out",
        "o",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    kill_at_random_points("run", &args, "o", 10);
}

#[test]
fn compare_killed_anywhere_leaves_the_reference_folder_or_none() {
    let cwd = tempdir();
    let file: PathBuf = cwd.path().join("c.toml");
    std::fs::write(
        &file,
        format!(
            "question = \"q\"\nbase = \"{}\"\n[[arm]]\nname = \"low\"\n[[arm]]\nname = \"high\"\n\
             set = {{ \"sisa.beta\" = 0.1 }}\n",
            reference_scenario()
        ),
    )
    .unwrap();
    let args: Vec<String> = [
        "compare",
        &file.display().to_string(),
        "-q",
        "--set",
        "graph.n=2000",
        "--set",
        "ticks=40",
        "--set",
        "replicates=2",
        "--out",
        "c",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    kill_at_random_points("compare", &args, "c", 8);
}
