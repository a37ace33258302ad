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
