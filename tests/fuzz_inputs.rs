//! Fuzzing the inputs: a proptest-driven generator writes scenario files (with `extends`),
//! comparison files and edge-list CSVs mixing valid keys, extreme and wrong-typed values,
//! control characters, long keys and broken syntax, and hands them to the binary.
//!
//! Property, for every input: `check` (and `run` or `compare` whenever `check` passes and the
//! estimate is small) exits 0 or 2; on 2 it prints one `error: ...` naming the input file or
//! flag; never a panic, a signal or exit 1, under an address-space cap of 3 GB while the
//! memory estimate is capped at 1 GB (`--max-memory`), so an allocation the estimate missed
//! aborts and fails the test.
//!
//! The test runs batches for a fixed time budget (`COCOON_FUZZ_SECONDS`, default 40 s) from
//! fixed seeds and prints how many inputs it tried; longer runs only need the variable.

mod common;

use std::cell::Cell;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// Keys the generator draws from: real keys of both models and all graph kinds, plus keys
/// that do not exist.
const KEYS: &[&str] = &[
    "name",
    "model",
    "ticks",
    "seed",
    "replicates",
    "graph.kind",
    "graph.n",
    "graph.groups",
    "graph.mean_degree",
    "graph.k",
    "graph.rewire",
    "graph.m",
    "graph.sizes",
    "graph.p_in",
    "graph.p_out",
    "graph.path",
    "graph.nodes",
    "sisa.a",
    "sisa.beta",
    "sisa.g",
    "sisa.i0",
    "withdrawal.burn_in_ticks",
    "population.n",
    "population.groups",
    "population.neighbourhood_size",
    "population.household_max",
    "population.work_size",
    "policy.budget",
    "policy.community_share",
    "policy.services_share",
    "policy.schedule_ticks",
    "policy.schedule_budget",
    "community.capacity",
    "community.cost_per_event",
    "community.ties_per_attendee",
    "services.weeks",
    "graph.zz",
    "sisa",
    "a.b.c.d.e.f",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        (-5i64..5).prop_map(|v| v.to_string()),
        (0i64..3000).prop_map(|v| v.to_string()),
        prop::sample::select(vec![
            "0",
            "1",
            "2",
            "-1",
            "4294967296",
            "100000000",
            "9223372036854775807",
            "1e12",
            "1e308",
            "nan",
            "inf",
            "-inf",
            "0.5",
            "0.0001",
            "true",
            "\"sisa\"",
            "\"withdrawal\"",
            "\"erdos_renyi\"",
            "\"watts_strogatz\"",
            "\"barabasi_albert\"",
            "\"sbm\"",
            "\"edge_list\"",
            "\"e.csv\"",
            "\"nodes.csv\"",
            "\"missing.csv\"",
            "\".\"",
            "\"..\"",
            "\"x\\u001b[2J\"",
            "\"a\\u0000b\"",
            "[]",
            "[1, 2, 3]",
            "[100, 0, 7]",
            "[0.5, 2.0]",
            "[1e9]",
            "{ n = 5 }",
            "\"",
            "[[",
            "1979-05-27",
        ])
        .prop_map(str::to_string),
        "[a-z_]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => "[a-z.]{1,30}",
        1 => (1usize..5000).prop_map(|n| "k".repeat(n)),
    ]
}

/// A scenario file: small defaults (so passing runs are quick) overridden by random keys,
/// sometimes a broken line, sometimes an `extends`.
fn scenario() -> impl Strategy<Value = String> {
    (
        prop::collection::btree_map(key(), value(), 0..8),
        prop::option::weighted(0.1, "[ -~\\n]{0,40}"),
        prop::option::weighted(
            0.15,
            prop::sample::select(vec!["base.toml", "s.toml", "nothing.toml", "."]),
        ),
    )
        .prop_map(|(map, junk, extends)| {
            let mut text = String::new();
            if let Some(e) = extends {
                text.push_str(&format!("extends = \"{e}\"\n"));
            }
            let mut all: std::collections::BTreeMap<String, String> = [
                ("ticks", "3"),
                ("replicates", "1"),
                ("graph.n", "200"),
                ("population.n", "300"),
                ("withdrawal.burn_in_ticks", "2"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            all.extend(map);
            // A value only fits its model; pick one from the keys, like a user would.
            if !all.contains_key("model") {
                let withdrawal = all.keys().any(|k| {
                    ["population.", "policy.", "community.", "services."]
                        .iter()
                        .any(|p| k.starts_with(p))
                });
                let m = if withdrawal { "withdrawal" } else { "sisa" };
                all.insert("model".into(), format!("\"{m}\""));
            }
            for (k, v) in &all {
                let wrong_model = (all["model"] == "\"sisa\""
                    && [
                        "population.",
                        "policy.",
                        "community.",
                        "services.",
                        "withdrawal.",
                    ]
                    .iter()
                    .any(|p| k.starts_with(p)))
                    || (all["model"] == "\"withdrawal\""
                        && (k.starts_with("graph.") || k.starts_with("sisa.")));
                if wrong_model && !k.contains("zz") {
                    continue;
                }
                text.push_str(&format!("\"{k}\" = {v}\n"));
            }
            if let Some(j) = junk {
                text.push_str(&j);
                text.push('\n');
            }
            text
        })
}

fn csv() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        (0u64..40).prop_map(|v| v.to_string()),
        prop::sample::select(vec![
            "",
            "-1",
            "x",
            "4000000000",
            "99999999999",
            "1e3",
            "0.5",
            "peer",
            "family",
            "7",
            "\u{1b}[31m",
            " 3 ",
        ])
        .prop_map(str::to_string),
    ];
    (
        prop::sample::select(vec![
            "source,target",
            "source,target,weight",
            "target,source,layer",
            "source,target,weight,layer",
            "source",
            "a,b",
            "\u{feff}source,target",
            "",
        ]),
        prop::collection::vec(prop::collection::vec(field, 1..5), 0..30),
    )
        .prop_map(|(header, rows)| {
            let mut text = format!("{header}\n");
            for r in rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            text
        })
}

fn comparison() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["s.toml", "base.toml", "nothing.toml", "e.csv"]),
        prop::collection::vec(
            (
                "[a-z_]{0,6}",
                prop::collection::btree_map(key(), value(), 0..3),
            ),
            0..4,
        ),
        prop::option::weighted(
            0.2,
            prop::sample::select(vec!["seed = 3", "ticks = 2", "[x]"]),
        ),
    )
        .prop_map(|(base, arms, extra)| {
            let mut text = format!("question = \"q\"\nbase = \"{base}\"\n");
            if let Some(e) = extra {
                text.push_str(e);
                text.push('\n');
            }
            for (name, sets) in arms {
                text.push_str(&format!("[[arm]]\nname = \"{name}\"\n"));
                if !sets.is_empty() {
                    let body: Vec<String> =
                        sets.iter().map(|(k, v)| format!("\"{k}\" = {v}")).collect();
                    text.push_str(&format!("set = {{ {} }}\n", body.join(", ")));
                }
            }
            text
        })
}

/// Runs the binary under an address-space cap and a time limit; returns (exit code or
/// `None` if killed, stdout, stderr).
fn cocoon(cwd: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cocoon"));
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: only async-signal-safe setrlimit between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: 3 << 30,
                rlim_max: 3 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &cap);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("cocoon starts");
    let start = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            return (
                None,
                String::from_utf8_lossy(&out.stdout).into_owned(),
                format!(
                    "(killed after 60 s)\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ),
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The property for one invocation; `inputs` are the file names an error may be located in.
fn holds(cwd: &Path, args: &[&str], inputs: &[&str]) -> Result<(i32, String), TestCaseError> {
    let (code, stdout, stderr) = cocoon(cwd, args);
    let files: Vec<String> = ["s.toml", "base.toml", "c.toml", "e.csv", "nodes.csv"]
        .iter()
        .map(|f| {
            format!(
                "--- {f} ---\n{}",
                std::fs::read_to_string(cwd.join(f)).unwrap_or_default()
            )
        })
        .collect();
    let show = || {
        format!(
            "cocoon {}\nexit {code:?}\nstdout: {stdout}\nstderr: {stderr}\n{}",
            args.join(" "),
            files.join("\n")
        )
    };
    let code = code
        .ok_or_else(|| TestCaseError::fail(format!("killed by a signal or timeout\n{}", show())))?;
    prop_assert!(code == 0 || code == 2, "exit code {code}\n{}", show());
    prop_assert!(!stderr.contains("panicked"), "panic\n{}", show());
    prop_assert!(
        !stderr.chars().any(|c| c == '\u{1b}'),
        "an escape character reached the terminal\n{}",
        show()
    );
    if code == 2 {
        prop_assert!(stderr.starts_with("error: "), "no error line\n{}", show());
        prop_assert!(
            inputs.iter().any(|f| stderr.contains(f)) || stderr.contains("--"),
            "the error names neither an input file nor a flag\n{}",
            show()
        );
        prop_assert_eq!(stderr.matches("error: ").count(), 1, "{}", show());
    }
    Ok((code, stdout))
}

/// True if `check`'s estimate says the run is quick enough to try here.
fn quick(check_stdout: &str) -> bool {
    check_stdout.contains("under a second")
        || check_stdout
            .split(" of memory and ")
            .nth(1)
            .and_then(|t| t.split(" s ").next())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .is_some_and(|s| s <= 3.0)
}

#[test]
fn any_input_gives_exit_0_or_a_located_error_and_never_a_panic() {
    let budget = Duration::from_secs(
        std::env::var("COCOON_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(40),
    );
    let start = Instant::now();
    let (tried, ok, runs) = (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
    let strategy = (scenario(), scenario(), csv(), csv(), comparison(), 0u8..4);
    let mut batch = 0u64;
    while start.elapsed() < budget {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&batch.to_le_bytes());
        let config = Config {
            cases: 16,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let result = runner.run(&strategy, |(s, base, edges, nodes, cmp, pick)| {
            let dir = tempfile::tempdir().unwrap();
            let cwd = dir.path();
            for (name, text) in [
                ("s.toml", &s),
                ("base.toml", &base),
                ("e.csv", &edges),
                ("nodes.csv", &nodes),
                ("c.toml", &cmp),
            ] {
                std::fs::write(cwd.join(name), text).unwrap();
            }
            tried.set(tried.get() + 1);
            let inputs = [
                "s.toml",
                "base.toml",
                "c.toml",
                "e.csv",
                "nodes.csv",
                "output",
            ];
            let mm = ["--max-memory", "1G"];
            if pick == 0 {
                // A comparison, checked by running it (it has no `check`) when small.
                let mut args = vec!["compare", "c.toml", "-q", "--out", "o"];
                args.extend(mm);
                args.extend(["--set", "ticks=2", "--set", "replicates=1"]);
                let (code, _) = holds(cwd, &args, &inputs)?;
                runs.set(runs.get() + 1);
                ok.set(ok.get() + u64::from(code == 0));
                return Ok(());
            }
            let mut args = vec!["check", "s.toml"];
            args.extend(mm);
            let (code, stdout) = holds(cwd, &args, &inputs)?;
            if code == 0 {
                ok.set(ok.get() + 1);
                if quick(&stdout) {
                    let mut args = vec!["run", "s.toml", "-q", "--out", "o"];
                    args.extend(mm);
                    let (code, _) = holds(cwd, &args, &inputs)?;
                    prop_assert_eq!(code, 0, "check passed but run failed");
                    runs.set(runs.get() + 1);
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("fuzz batch {batch} found a failing input:\n{e}");
        }
        batch += 1;
    }
    eprintln!(
        "fuzz: {} inputs in {:.1} s ({} accepted, {} run or compared end to end)",
        tried.get(),
        start.elapsed().as_secs_f64(),
        ok.get(),
        runs.get()
    );
    assert!(tried.get() > 0);
}
