//! The process itself, as classes: closed or full stdout/stderr never give exit 101;
//! non-UTF-8 arguments work as paths or are refused up front; control characters never reach
//! the terminal; `check` and `run` agree on exit codes; "not found" only for missing paths;
//! caps on threads, extends depth, file size, key length, edge-list ids and resources.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const SMALL: &[&str] = &[
    "--set",
    "graph.n=300",
    "--set",
    "ticks=3",
    "--set",
    "replicates=1",
];

fn raw(cwd: &Path, args: &[&OsStr], stdout: Stdio, stderr: Stdio) -> (i32, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .args(args)
        .current_dir(cwd)
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stderr)
}

fn os(args: &[&str]) -> Vec<&'static OsStr> {
    args.iter()
        .map(|a| OsStr::new(Box::leak(a.to_string().into_boxed_str())))
        .collect()
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

#[test]
fn closed_or_full_stdout_and_stderr_never_crash() {
    let cwd = tempdir();
    let scen = reference_scenario();
    // A closed pipe: spawn with a pipe and close the read end before the child writes.
    for args in [vec!["check", scen.as_str()], vec!["params"], vec!["--help"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cocoon"))
            .args(&args)
            .current_dir(cwd.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?} into a closed pipe");
        // A full device is an error (exit 1), not a crash and not success.
        let (code, err) = raw(cwd.path(), &os(&args), dev_full(), Stdio::piped());
        assert_eq!(
            code,
            1,
            "{args:?} > /dev/full: {}",
            String::from_utf8_lossy(&err)
        );
    }
    // stderr closed or full: the run still succeeds or fails with its own code.
    let mut args = vec!["run", scen.as_str(), "--out", "o"];
    args.extend(SMALL);
    let (code, _) = raw(cwd.path(), &os(&args), Stdio::null(), dev_full());
    assert_eq!(code, 0);
    let (code, _) = raw(
        cwd.path(),
        &os(&["run", "nothing.toml"]),
        Stdio::null(),
        dev_full(),
    );
    assert_eq!(code, 2, "bad input with stderr on /dev/full");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .args(["check", "nothing.toml"])
        .current_dir(cwd.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(2));
}

#[test]
fn non_utf8_paths_work_and_non_utf8_settings_are_refused_up_front() {
    let cwd = tempdir();
    let scen = reference_scenario();
    let out = OsStr::from_bytes(b"o\xff");
    let mut args: Vec<&OsStr> = os(&["run", scen.as_str(), "-q"]);
    args.extend(os(SMALL));
    args.push(OsStr::new("--out"));
    args.push(out);
    let (code, err) = raw(cwd.path(), &args, Stdio::null(), Stdio::piped());
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert!(cwd.path().join(out).join("manifest.json").is_file());
    // A scenario file with a non-UTF-8 name.
    let name = OsStr::from_bytes(b"s\xfe.toml");
    std::fs::copy(&scen, cwd.path().join(name)).unwrap();
    let (code, _) = raw(
        cwd.path(),
        &[OsStr::new("check"), name],
        Stdio::null(),
        Stdio::null(),
    );
    assert_eq!(code, 0);
    // In --set it cannot be a value: refused by argument parsing, before anything runs.
    let start = Instant::now();
    let (code, err) = raw(
        cwd.path(),
        &[
            OsStr::new("run"),
            OsStr::new(&scen),
            OsStr::new("--set"),
            OsStr::from_bytes(b"name=\xff"),
        ],
        Stdio::null(),
        Stdio::piped(),
    );
    assert_eq!(code, 2, "{}", String::from_utf8_lossy(&err));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let cwd = tempdir();
    std::fs::write(
        cwd.path().join("n.toml"),
        "model = \"sisa\"\nname = \"x\\u001b[2J\\u009b\"\nticks = 2\n[graph]\nn = 300\n",
    )
    .unwrap();
    let run = cocoon_in(cwd.path(), &["run", "n.toml", "--set", "replicates=1"]);
    run.expect_code(0).stderr_has("x\\u{1b}[2J\\u{9b}");
    assert!(!run.stderr.contains('\u{1b}'));
    std::fs::write(
        cwd.path().join("e.csv"),
        "source,target\n0,\u{1b}]0;pwned\u{7}\n",
    )
    .unwrap();
    std::fs::write(
        cwd.path().join("e.toml"),
        "model = \"sisa\"\n[graph]\nkind = \"edge_list\"\npath = \"e.csv\"\n",
    )
    .unwrap();
    for cmd in ["check", "run"] {
        let run = cocoon_in(cwd.path(), &[cmd, "e.toml"]);
        run.expect_code(2).stderr_has("e.csv:2");
        assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}'));
    }
}

#[test]
fn check_and_run_agree_on_bad_csvs() {
    let cwd = tempdir();
    for (i, (csv, needle)) in [
        ("source,target\n0,x\n", "e0.csv:2"),
        ("source,target\n0,4000000000\n", "is too large for 1 row(s)"),
        ("source,target\n", "no data rows"),
        ("source\n0\n", "lacks the required column"),
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(cwd.path().join(format!("e{i}.csv")), csv).unwrap();
        let scen = format!("s{i}.toml");
        std::fs::write(
            cwd.path().join(&scen),
            format!("model = \"sisa\"\n[graph]\nkind = \"edge_list\"\npath = \"e{i}.csv\"\n"),
        )
        .unwrap();
        for cmd in ["check", "run"] {
            let start = Instant::now();
            cocoon_in(
                cwd.path(),
                &[cmd, &scen, "-q"][..if cmd == "run" { 3 } else { 2 }],
            )
            .expect_code(2)
            .stderr_has(needle);
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "4e9 ids must not allocate"
            );
        }
    }
    assert!(!cwd.path().join("output").exists());
}

#[test]
fn not_found_only_for_missing_paths() {
    let cwd = tempdir();
    std::fs::create_dir(cwd.path().join("dir.toml")).unwrap();
    let fifo = cwd.path().join("fifo.toml");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for (file, needle) in [
        ("nothing.toml", "No such file"),
        ("dir.toml", "a folder, not a regular file"),
        ("fifo.toml", "a FIFO"),
        ("/dev/zero", "a device"),
    ] {
        let start = Instant::now();
        let run = cocoon_in(cwd.path(), &["check", file]);
        run.expect_code(2).stderr_has(needle);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{file} blocked or read forever"
        );
        if file != "nothing.toml" {
            assert!(!run.stderr.contains("not found"), "{}", run.describe());
        }
    }
    for (path, needle) in [("sub", "edge list"), ("fifo.toml", "FIFO")] {
        std::fs::create_dir_all(cwd.path().join("sub")).unwrap();
        std::fs::write(
            cwd.path().join("g.toml"),
            format!("model = \"sisa\"\n[graph]\nkind = \"edge_list\"\npath = \"{path}\"\n"),
        )
        .unwrap();
        cocoon_in(cwd.path(), &["check", "g.toml"])
            .expect_code(2)
            .stderr_has(needle)
            .stderr_has("not a regular file");
    }
}

#[test]
fn caps_on_threads_extends_file_size_keys_and_echoes() {
    let cwd = tempdir();
    let scen = reference_scenario();
    let start = Instant::now();
    let mut args = vec![
        "run",
        scen.as_str(),
        "-q",
        "--threads",
        "100000",
        "--out",
        "o",
    ];
    args.extend(SMALL);
    cocoon_in(cwd.path(), &args)
        .expect_code(2)
        .stderr_has("--threads 100000 is out of range");
    assert!(start.elapsed() < Duration::from_secs(5));
    // 10,000 files of `extends`: a located error, no stack overflow.
    for i in 0..10_000 {
        std::fs::write(
            cwd.path().join(format!("l{i}.toml")),
            format!("extends = \"l{}.toml\"\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(cwd.path().join("l10000.toml"), "ticks = 2\n").unwrap();
    cocoon_in(cwd.path(), &["check", "l0.toml"])
        .expect_code(2)
        .stderr_has("more than 64 files deep");
    cocoon_in(cwd.path(), &["check", "l9950.toml"]).expect_code(0);
    // A 2 MB scenario file and a 512 kB key.
    std::fs::write(cwd.path().join("big.toml"), "#".repeat(2 << 20)).unwrap();
    cocoon_in(cwd.path(), &["check", "big.toml"])
        .expect_code(2)
        .stderr_has("at most 1048576 bytes");
    let key = "k".repeat(1 << 19);
    std::fs::write(cwd.path().join("key.toml"), format!("{key} = 1\n")).unwrap();
    let start = Instant::now();
    let run = cocoon_in(cwd.path(), &["check", "key.toml"]);
    run.expect_code(2).stderr_has("keys are at most 100");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(run.stderr.len() < 2000, "echoed {} bytes", run.stderr.len());
    // A 100 kB argument is shortened in the middle.
    let arg = format!("graph.zz={}", "v".repeat(100_000));
    let run = cocoon_in(cwd.path(), &["check", scen.as_str(), "--set", &arg]);
    run.expect_code(2).stderr_has("characters omitted");
    assert!(run.stderr.len() < 2000, "echoed {} bytes", run.stderr.len());
}

#[test]
fn combinations_over_the_memory_limit_are_refused_before_any_allocation() {
    let cwd = tempdir();
    let scen = reference_scenario();
    let baseline = path_arg("scenarios/baseline.toml");
    for (file, sets) in [
        (&scen, vec!["graph.n=100000000"]),
        (&scen, vec!["graph.n=1000000", "graph.k=10000"]),
        (&scen, vec!["ticks=1000000", "replicates=100000"]),
        (&baseline, vec!["population.n=100000000"]),
        (
            &baseline,
            vec![
                "population.n=20000",
                "policy.budget=1000000000000",
                "policy.community_share=1",
                "community.capacity=10000",
                "community.cost_per_event=0.01",
            ],
        ),
    ] {
        let mut args = vec![
            "run",
            file.as_str(),
            "-q",
            "--out",
            "o",
            "--max-memory",
            "8G",
        ];
        for s in &sets {
            args.extend(["--set", s]);
        }
        let start = Instant::now();
        cocoon_in(cwd.path(), &args)
            .expect_code(2)
            .stderr_has("more than the limit of 8.6 GB (--max-memory)");
        assert!(start.elapsed() < Duration::from_secs(5), "{sets:?}");
        args[0] = "check";
        args.retain(|a| !["-q", "--out", "o"].contains(a));
        cocoon_in(cwd.path(), &args)
            .expect_code(2)
            .stderr_has("more than the limit");
    }
    // SBM with one block of 1e8 agents (the reference file's graph.k would not apply).
    std::fs::write(
        cwd.path().join("sbm.toml"),
        "model = \"sisa\"\nticks = 1\nreplicates = 1\n[graph]\nkind = \"sbm\"\nsizes = [100000000]\n",
    )
    .unwrap();
    cocoon_in(cwd.path(), &["check", "sbm.toml", "--max-memory", "8G"])
        .expect_code(2)
        .stderr_has("more than the limit");
    assert!(!cwd.path().join("o").exists());
}
