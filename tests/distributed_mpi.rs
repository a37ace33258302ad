//! `mpirun -n N cocoon compare` (feature `mpi`): 2 and 3 ranks write the bytes of a
//! single-process run, and the manifest's run section records the ranks.
//!
//! Needs Open MPI's `mpirun` (Debian `openmpi-bin`); run with
//! `cargo test --release --features mpi --test distributed_mpi` (`.ci/run` does).
#![cfg(feature = "mpi")]

mod common;

use std::path::Path;
use std::process::Command;

use common::{assert_same_outputs_except_run, cocoon_in, path_arg, read_json, tempdir};

const SETS: &[&str] = &[
    "--set",
    "population.n=150",
    "--set",
    "ticks=3",
    "--set",
    "replicates=4",
];

fn mpirun(cwd: &Path, ranks: usize, args: &[&str]) -> std::process::Output {
    let n = ranks.to_string();
    Command::new("mpirun")
        .current_dir(cwd)
        .args(["--allow-run-as-root", "--oversubscribe", "-n", &n])
        .arg(env!("CARGO_BIN_EXE_cocoon"))
        .args(args)
        .output()
        .expect("mpirun (Debian openmpi-bin) is installed")
}

#[test]
fn mpi_ranks_write_the_bytes_of_one_process() {
    let cwd = tempdir();
    let cwd = cwd.path();
    let file = path_arg("scenarios/policy/micro_vs_community.toml");
    let mut single = vec![
        "compare",
        &file,
        "--quiet",
        "--threads",
        "1",
        "--out",
        "single",
    ];
    single.extend_from_slice(SETS);
    cocoon_in(cwd, &single).expect_code(0);
    for ranks in [2, 3] {
        let out = format!("mpi{ranks}");
        let mut args = vec!["compare", &file, "--quiet", "--threads", "1", "--out", &out];
        args.extend_from_slice(SETS);
        let o = mpirun(cwd, ranks, &args);
        assert!(
            o.status.success(),
            "mpirun -n {ranks} failed:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_same_outputs_except_run(&cwd.join("single"), &cwd.join(&out));
        let run = &read_json(&cwd.join(&out).join("manifest.json"))["run"];
        assert_eq!(run["distributed"]["mpi_ranks"], ranks, "{run}");
    }
    // Bad input under mpirun: rank 0 refuses it, stops the other ranks, writes nothing.
    let o = mpirun(
        cwd,
        3,
        &[
            "compare", &file, "--quiet", "--out", "bad", "--set", "nope=1",
        ],
    );
    assert!(!o.status.success());
    assert!(!cwd.join("bad").exists());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("nope"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The pid of the process of MPI rank `rank` whose command line contains `marker`, if any.
fn rank_pid(rank: u32, marker: &str) -> Option<i32> {
    let want = format!("OMPI_COMM_WORLD_RANK={rank}");
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let environ = std::fs::read(e.path().join("environ")).ok()?;
        let has =
            |hay: &[u8], needle: &str| hay.split(|&b| b == 0).any(|part| part == needle.as_bytes());
        (has(&cmdline, marker) && has(&environ, &want)).then_some(pid)
    })
}

/// A worker rank killed outright (SIGKILL) in the middle of its unit: the job fails, mpirun
/// names the dead rank, nothing is written, and rank 0 (stopped by mpirun's SIGTERM) fails the
/// normal way, removing its staging folder (or, if mpirun kills it first, the next run onto
/// the same output clears it). (Rank 0's own message, which names each rank's
/// unit, is not forwarded by Open MPI 4.1's mpirun once it is aborting the job.)
#[test]
fn a_rank_that_dies_fails_the_job_naming_it_and_writes_nothing() {
    let cwd = tempdir();
    let cwd = cwd.path();
    let file = path_arg("scenarios/policy/micro_vs_community.toml");
    // Units of a few seconds each (a 1040-week burn-in at 1,500 agents).
    let child = Command::new("mpirun")
        .current_dir(cwd)
        .args(["--allow-run-as-root", "--oversubscribe", "-n", "3"])
        .arg(env!("CARGO_BIN_EXE_cocoon"))
        .args([
            "compare",
            &file,
            "--quiet",
            "--threads",
            "1",
            "--out",
            "dead-rank",
            "--set",
            "population.n=1500",
            "--set",
            "replicates=4",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("mpirun (Debian openmpi-bin) is installed");
    let started = std::time::Instant::now();
    let pid = loop {
        if let Some(pid) = rank_pid(2, "dead-rank") {
            break pid;
        }
        assert!(started.elapsed().as_secs() < 120, "rank 2 never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Once rank 2 has spent a second of CPU (loading the plan takes milliseconds, so it is
    // inside its first unit, however busy the machine), kill it outright.
    let cpu_ticks = |pid: i32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let f: Vec<&str> = after.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command.
        f.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
            + f.get(12).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
    };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    while cpu_ticks(pid) < hz {
        assert!(
            started.elapsed().as_secs() < 300,
            "rank 2 never got to work"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // SAFETY: plain kill(2) on a pid we found above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{stderr}");
    assert!(
        stderr.contains("process rank 2") || stderr.contains("rank 2 on work unit"),
        "the dead rank is named:\n{stderr}"
    );
    assert!(!cwd.join("dead-rank").exists());
    // Rank 0 usually removes its staging folder on mpirun's SIGTERM, but mpirun may follow with
    // SIGKILL before it can (a race that depends on the machine's load). Either way nothing
    // stands under the final name, and the next run onto the same output clears any leftover.
    let staging = |cwd: &std::path::Path| -> Vec<String> {
        common::list_dir(cwd)
            .into_iter()
            .filter(|n| n.contains("cocoon-staging"))
            .collect()
    };
    let left = staging(cwd);
    assert!(left.len() <= 1, "at most rank 0's staging folder: {left:?}");
    cocoon_in(
        cwd,
        &[
            "compare",
            file.as_str(),
            "--quiet",
            "--out",
            "dead-rank",
            "--set",
            "population.n=300",
            "--set",
            "replicates=1",
            "--set",
            "ticks=4",
            "--set",
            "withdrawal.burn_in_ticks=4",
        ],
    )
    .expect_code(0);
    assert!(cwd.join("dead-rank").join("manifest.json").exists());
    let left = staging(cwd);
    assert!(left.is_empty(), "the next run clears leftovers: {left:?}");
}
