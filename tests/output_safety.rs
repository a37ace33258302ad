//! Output folders as a class: a folder under its final name is always exactly one complete
//! run. Reruns are refused without `--force` and replace the folder whole with it; the output
//! path is checked before any simulation; a second writer fails at once on the lock; planted
//! symbolic links never redirect a write; leftovers of killed runs are reported and removed.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const SMALL: &[&str] = &[
    "--set",
    "graph.n=300",
    "--set",
    "ticks=5",
    "--set",
    "replicates=2",
];

fn run_small(cwd: &Path, out: &str, extra: &[&str]) -> Run {
    let mut args = vec!["run".to_string(), reference_scenario(), "-q".into()];
    args.extend(SMALL.iter().map(|s| s.to_string()));
    args.extend(["--out".into(), out.into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    cocoon_in(cwd, &args)
}

/// Entries of `dir` that are cocoon's staging folders, temporaries or lock files.
fn temporaries(dir: &Path) -> Vec<String> {
    list_dir(dir)
        .into_iter()
        .filter(|n| n.contains(".cocoon-"))
        .collect()
}

#[test]
fn a_rerun_is_refused_without_force_and_replaces_the_folder_whole_with_it() {
    let cwd = tempdir();
    run_small(cwd.path(), "o", &[]).expect_code(0);
    let first = read(&cwd.path().join("o/timeseries.csv"));
    // A stale file from "an earlier run" must not survive a rerun.
    std::fs::write(cwd.path().join("o/stale.txt"), "old").unwrap();
    run_small(cwd.path(), "o", &["--seed", "9"])
        .expect_code(2)
        .stderr_has("already exists; use --force");
    assert_eq!(read(&cwd.path().join("o/timeseries.csv")), first);
    run_small(cwd.path(), "o", &["--seed", "9", "--force"]).expect_code(0);
    assert!(
        !cwd.path().join("o/stale.txt").exists(),
        "merged, not replaced"
    );
    assert_ne!(read(&cwd.path().join("o/timeseries.csv")), first);
    let manifest = read_json(&cwd.path().join("o/manifest.json"));
    assert_eq!(manifest["seed"], 9);
    assert!(
        temporaries(cwd.path()).is_empty(),
        "{:?}",
        list_dir(cwd.path())
    );
}

#[test]
fn unusable_output_paths_fail_in_check_and_before_the_run() {
    let cwd = tempdir();
    std::fs::write(cwd.path().join("file"), "mine").unwrap();
    let long = "x".repeat(240);
    for (out, needle) in [
        ("file", "is a file, not a folder"),
        ("file/sub", "not a folder"),
        (long.as_str(), "bytes long"),
        ("..", "does not end in a folder name"),
    ] {
        let start = Instant::now();
        // A run that would take minutes fails at once.
        let mut args = vec![
            "run".to_string(),
            reference_scenario(),
            "-q".into(),
            "--set".into(),
            "ticks=100000".into(),
            "--out".into(),
            out.into(),
        ];
        let run = cocoon_in(cwd.path(), &args);
        run.expect_code(2).stderr_has(needle);
        assert!(start.elapsed() < Duration::from_secs(5));
        args[0] = "check".into();
        args.retain(|a| a != "-q");
        cocoon_in(cwd.path(), &args)
            .expect_code(2)
            .stderr_has(needle);
    }
    assert_eq!(read(&cwd.path().join("file")), "mine");
    // A NUL byte can only come from the scenario name (the command line cannot carry one).
    let scen = cwd.path().join("nul.toml");
    std::fs::write(&scen, "model = \"sisa\"\nname = \"a\\u0000b\"\n").unwrap();
    cocoon_in(cwd.path(), &["check", "nul.toml"])
        .expect_code(2)
        .stderr_has("NUL");
    assert_eq!(list_dir(cwd.path()), ["file", "nul.toml"]);
}

#[test]
fn compare_refuses_a_default_folder_that_is_not_a_name_of_its_own() {
    let cwd = tempdir();
    let base = path_arg("scenarios/reference/sisa_ws.toml");
    let text = format!(
        "question = \"q\"\nbase = \"{base}\"\n[[arm]]\nname = \"a\"\n[[arm]]\nname = \"b\"\nset = {{ \"sisa.beta\" = 0.1 }}\n"
    );
    std::fs::create_dir(cwd.path().join("output")).unwrap();
    std::fs::write(cwd.path().join("output/summary.json"), "mine").unwrap();
    for name in ["...toml", "..toml"] {
        std::fs::write(cwd.path().join(name), &text).unwrap();
        cocoon_in(cwd.path(), &["compare", name, "-q"])
            .expect_code(2)
            .stderr_has("not a folder name of its own");
    }
    assert_eq!(read(&cwd.path().join("output/summary.json")), "mine");
    assert_eq!(list_dir(&cwd.path().join("output")), ["summary.json"]);
}

#[test]
fn a_second_writer_fails_at_once_and_the_first_completes() {
    let cwd = tempdir();
    let mut long = Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .args([
            "run",
            &reference_scenario(),
            "-q",
            "--set",
            "graph.n=200",
            "--set",
            "graph.k=4",
            "--set",
            "ticks=200000",
            "--set",
            "replicates=1",
            "--out",
            "o",
        ])
        .current_dir(cwd.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first run holds the lock.
    let lock = cwd.path().join(".o.cocoon-lock");
    let start = Instant::now();
    while !lock.exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(lock.exists(), "the first run never took the lock");
    let t = Instant::now();
    run_small(cwd.path(), "o", &["--force"])
        .expect_code(1)
        .stderr_has("being written by another cocoon process");
    assert!(t.elapsed() < Duration::from_secs(5), "did not fail at once");
    let status = long.wait().unwrap();
    assert!(status.success());
    let manifest = read_json(&cwd.path().join("o/manifest.json"));
    assert_eq!(
        manifest["ticks"], 200000,
        "the folder is the first run's, whole"
    );
    assert!(
        temporaries(cwd.path()).is_empty(),
        "{:?}",
        list_dir(cwd.path())
    );
}

#[test]
fn planted_symbolic_links_never_redirect_a_write() {
    let cwd = tempdir();
    let victim = cwd.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("precious"), "keep").unwrap();
    // The target itself a link to a folder: refused, even with --force.
    std::os::unix::fs::symlink(&victim, cwd.path().join("o")).unwrap();
    run_small(cwd.path(), "o", &["--force"])
        .expect_code(2)
        .stderr_has("symbolic link");
    // A link planted under a staging name, where a killed run's leftovers would be: removed
    // as a link, never followed.
    std::os::unix::fs::symlink(
        &victim,
        cwd.path().join(".p.cocoon-staging-0000000000000000"),
    )
    .unwrap();
    // A link planted at the lock file's name: not followed (O_NOFOLLOW), the run fails.
    std::os::unix::fs::symlink(victim.join("lockfile"), cwd.path().join(".q.cocoon-lock")).unwrap();
    run_small(cwd.path(), "q", &[]).expect_code(1);
    assert!(!victim.join("lockfile").exists());
    let run = run_small(cwd.path(), "p", &[]);
    run.expect_code(0);
    assert_eq!(list_dir(&victim), ["precious"]);
    assert_eq!(read(&victim.join("precious")), "keep");
    assert!(cwd.path().join("p/timeseries.csv").is_file());
    assert!(!cwd
        .path()
        .join(".p.cocoon-staging-0000000000000000")
        .exists());
}

#[test]
fn leftovers_of_a_killed_run_are_reported_and_removed() {
    let cwd = tempdir();
    let left = cwd.path().join(".o.cocoon-staging-0123456789abcdef");
    std::fs::create_dir(&left).unwrap();
    std::fs::write(left.join("timeseries.csv"), "half").unwrap();
    let mut args = vec!["run".to_string(), reference_scenario()];
    args.extend(SMALL.iter().map(|s| s.to_string()));
    args.extend(["--out".into(), "o".into()]);
    let run = cocoon_in(cwd.path(), &args);
    run.expect_code(0)
        .stderr_has("note: removed")
        .stderr_has(".o.cocoon-staging-0123456789abcdef");
    assert_eq!(list_dir(cwd.path()), ["o"]);
}
