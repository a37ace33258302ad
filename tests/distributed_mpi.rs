//! `mpirun -n N cocoon compare` (and `sweep`, `sensitivity`, `calibrate`; feature `mpi`): 2
//! and 3 ranks write the bytes of a single-process run, and the manifest's run section records
//! the ranks; a failing or dying rank fails the job, naming the rank and its work unit, and
//! nothing is written.
//!
//! Needs Open MPI's `mpirun` (Debian `openmpi-bin`); run with
//! `cargo test --release --features mpi --test distributed_mpi` (`.ci/run` does).
#![cfg(feature = "mpi")]

mod common;

use std::path::Path;
use std::process::Command;

use common::{assert_same_outputs_except_run, cocoon_in, fixture, path_arg, read_json, tempdir};

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

/// Each study command over 3 ranks (rank 0 and two workers) writes the bytes of one process:
/// a withdrawal sweep whose points share burn-ins (4 points x 2 arms x 2 replicates), a Morris
/// screen of the same study, and a SISa ABC-SMC calibration (one round of work units per batch
/// of candidates, 6 generations).
#[test]
fn study_commands_over_mpi_ranks_write_the_bytes_of_one_process() {
    let cwd = tempdir();
    let cwd = cwd.path();
    let levers = fixture("studies/withdrawal_levers.toml")
        .display()
        .to_string();
    let sisa = fixture("studies/sisa_calibrate.toml").display().to_string();
    let cases: [(&str, &str, &[&str]); 3] = [
        ("sweep", &levers, &[]),
        ("sensitivity", &levers, &["--method", "morris"]),
        ("calibrate", &sisa, &[]),
    ];
    for (command, file, extra) in cases {
        let single = format!("{command}-single");
        let mut args = vec![command, file, "--quiet", "--threads", "1", "--out", &single];
        args.extend_from_slice(extra);
        cocoon_in(cwd, &args).expect_code(0);
        let ranked = format!("{command}-mpi");
        let mut args = vec![command, file, "--quiet", "--threads", "1", "--out", &ranked];
        args.extend_from_slice(extra);
        let o = mpirun(cwd, 3, &args);
        assert!(
            o.status.success(),
            "mpirun -n 3 cocoon {command} failed:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_same_outputs_except_run(&cwd.join(&single), &cwd.join(&ranked));
        let run = &read_json(&cwd.join(&ranked).join("manifest.json"))["run"];
        assert_eq!(run["distributed"]["mpi_ranks"], 3, "{command}: {run}");
    }
    // A sweep shard is a job-array task, not an MPI job: refused before any work.
    let o = mpirun(
        cwd,
        3,
        &[
            "sweep", &levers, "--quiet", "--shard", "1/2", "--out", "shard",
        ],
    );
    assert!(!o.status.success());
    assert!(!cwd.join("shard").exists());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--shard is for job arrays"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// An error inside a worker's unit reaches rank 0, which fails naming the rank and the unit
/// and writes nothing. The workers are started (MPMD) with a file that does not exist, so the
/// error is real: each worker fails on the first unit it is sent.
#[test]
fn an_error_on_a_worker_names_the_rank_and_unit_and_writes_nothing() {
    let cwd = tempdir();
    let cwd = cwd.path();
    let levers = fixture("studies/withdrawal_levers.toml")
        .display()
        .to_string();
    let compare = path_arg("scenarios/policy/micro_vs_community.toml");
    let cases: [(&str, &str, &str, &[&str]); 2] = [
        (
            "compare",
            &compare,
            "failed on work unit (group 0, replicate",
            SETS,
        ),
        ("sweep", &levers, "failed on work unit (point", &[]),
    ];
    for (command, file, unit, sets) in cases {
        let out = format!("{command}-failed");
        let o = Command::new("mpirun")
            .current_dir(cwd)
            .args(["--allow-run-as-root", "--oversubscribe", "-n", "1"])
            .arg(env!("CARGO_BIN_EXE_cocoon"))
            .args([command, file, "--quiet", "--threads", "1", "--out", &out])
            .args(sets)
            .args([":", "-n", "2"])
            .arg(env!("CARGO_BIN_EXE_cocoon"))
            .args([
                command,
                "gone.toml",
                "--quiet",
                "--threads",
                "1",
                "--out",
                &out,
            ])
            .args(sets)
            .output()
            .expect("mpirun (Debian openmpi-bin) is installed");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{command}: {stderr}");
        assert!(
            (stderr.contains("rank 1 ") || stderr.contains("rank 2 ")) && stderr.contains(unit),
            "{command}: the rank and unit are named:\n{stderr}"
        );
        assert!(
            stderr.contains("gone.toml"),
            "{command}: the cause:\n{stderr}"
        );
        assert!(!cwd.join(&out).exists(), "{command} wrote its output");
        let staging: Vec<String> = common::list_dir(cwd)
            .into_iter()
            .filter(|n| n.contains("cocoon-staging"))
            .collect();
        assert!(staging.is_empty(), "{command} left {staging:?}");
    }
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
        stderr.contains("process rank 2"),
        "mpirun names the dead rank:\n{stderr}"
    );
    assert!(!cwd.join("dead-rank").exists());
    // Rank 0 reports at once on mpirun's SIGTERM, naming the unit each rank was running, and
    // then removes its staging folder. mpirun follows with SIGKILL within a second; if that
    // comes first (it depends on the machine's load), the record of the units in flight stays
    // in the leftover staging folder, and the next run onto the same output, which clears it,
    // reports it. Either way the unit is named and nothing stands under the final name.
    let staging = |cwd: &std::path::Path| -> Vec<String> {
        common::list_dir(cwd)
            .into_iter()
            .filter(|n| n.contains("cocoon-staging"))
            .collect()
    };
    let left = staging(cwd);
    assert!(left.len() <= 1, "at most rank 0's staging folder: {left:?}");
    let next = cocoon_in(
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
    );
    next.expect_code(0);
    let unit = "rank 2 on work unit (group 0, replicate";
    let named_by_rank_0 = stderr.contains(unit);
    let named_by_record = !left.is_empty() && next.describe().contains(unit);
    assert!(
        named_by_rank_0 || named_by_record,
        "cocoon names rank 2's unit, at once or from its record:\n{stderr}\nnext run: {}",
        next.describe()
    );
    assert!(cwd.join("dead-rank").join("manifest.json").exists());
    let left = staging(cwd);
    assert!(left.is_empty(), "the next run clears leftovers: {left:?}");
}
