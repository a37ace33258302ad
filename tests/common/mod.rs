//! Helpers shared by the integration tests: run the built `cocoon` binary in a scratch
//! folder, locate fixtures, and assertions that show what was expected next to what came out.
//!
//! Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the binary did.
pub struct Run {
    /// The arguments it was given (for failure messages).
    pub args: Vec<String>,
    /// Exit code (`-1` if it was killed by a signal).
    pub code: i32,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

impl Run {
    /// A description of the run for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "cocoon {}\n  exit code: {}\n  --- stdout ---\n{}\n  --- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// Asserts the exit code, showing the whole run if it differs.
    pub fn expect_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            expected,
            "expected exit code {expected}, got {}\n{}",
            self.code,
            self.describe()
        );
        self
    }

    /// Asserts that stderr contains `needle`.
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "expected stderr to contain {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that stdout contains `needle`.
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "expected stdout to contain {needle:?}\n{}",
            self.describe()
        );
        self
    }
}

/// The crate root (where `Cargo.toml`, `scenarios/` and `tests/fixtures/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Absolute path of a file under the crate root, as a string for the command line.
pub fn path_arg(rel: &str) -> String {
    root().join(rel).display().to_string()
}

/// Absolute path of a fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(rel)
}

/// The reference SISa scenario, as an absolute path.
pub fn reference_scenario() -> String {
    path_arg("scenarios/reference/sisa_ws.toml")
}

/// Runs the binary with `args`, working directory `cwd`.
pub fn cocoon_in<S: AsRef<str>>(cwd: &Path, args: &[S]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .args(&args)
        .current_dir(cwd)
        .output()
        .expect("the cocoon binary can be started");
    Run {
        args,
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary with `args` in a fresh temporary folder; the folder is returned too so
/// the caller can look at (and keeps alive) whatever the run wrote there.
pub fn cocoon<S: AsRef<str>>(args: &[S]) -> (Run, tempfile::TempDir) {
    let dir = tempdir();
    let run = cocoon_in(dir.path(), args);
    (run, dir)
}

/// A fresh temporary folder.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder can be created")
}

/// The arguments `COMMAND FILE --quiet --out OUT EXTRA...` (e.g. `run scenario.toml` or
/// `compare comparison.toml`), for [`cocoon_in`].
pub fn quiet_out_args(command: &str, file: &str, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        command.to_string(),
        file.to_string(),
        "--quiet".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Runs `cocoon COMMAND FILE --quiet --out <scratch>/out EXTRA...` in a fresh scratch folder
/// and checks that it was rejected as bad input: exit code 2, a single `error: ...` message
/// (not a panic or a backtrace), and nothing written, neither the output folder nor anything
/// else in the scratch folder. Returns the run for checks on its message.
pub fn rejected(command: &str, file: &str, extra: &[&str]) -> Run {
    let cwd = tempdir();
    let out = cwd.path().join("out");
    let run = cocoon_in(cwd.path(), &quiet_out_args(command, file, &out, extra));
    run.expect_code(2);
    assert!(
        !out.exists(),
        "the output folder {} was created by a failing `cocoon {command}`\n{}",
        out.display(),
        run.describe()
    );
    let left = list_dir(cwd.path());
    assert!(
        left.is_empty(),
        "a failing `cocoon {command}` left {left:?} in its working folder\n{}",
        run.describe()
    );
    assert!(
        run.stderr.starts_with("error: ") && !run.stderr.contains("panicked"),
        "expected a single `error: ...` message\n{}",
        run.describe()
    );
    run
}

/// Reads a file that must exist, naming it if it does not.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reads and parses a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = read(path);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}\n{text}", path.display()))
}

/// Asserts two values are equal, printing both in full with a label.
#[track_caller]
pub fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, expected: &T, got: &T) {
    if expected != got {
        panic!("{what} differs\n  expected: {expected:?}\n       got: {got:?}");
    }
}

/// Asserts two texts are equal; on failure shows the first differing line of each.
#[track_caller]
pub fn assert_same_text(what: &str, expected: &str, got: &str) {
    if expected == got {
        return;
    }
    let (el, gl): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let first = el
        .iter()
        .zip(&gl)
        .position(|(a, b)| a != b)
        .unwrap_or(el.len().min(gl.len()));
    panic!(
        "{what} differs (expected {} lines, got {}); first difference at line {}:\n  expected: {:?}\n       got: {:?}",
        el.len(),
        gl.len(),
        first + 1,
        el.get(first).copied().unwrap_or("<end of text>"),
        gl.get(first).copied().unwrap_or("<end of text>"),
    );
}

/// The 1-based (line, column) of the first occurrence of `needle` in `text`, counting
/// columns in characters as the scenario loader does.
pub fn locate(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the fixture text:\n{text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// `file:line:column` of `target` inside the first occurrence of `context` in the fixture
/// file `rel`, with the file's full path as the binary prints it. `context` makes the spot
/// unique (e.g. context `g = nan`, target `nan`).
pub fn fixture_position(rel: &str, context: &str, target: &str) -> String {
    let path = fixture(rel);
    let text = read(&path);
    let offset = context
        .find(target)
        .unwrap_or_else(|| panic!("{target:?} is not part of {context:?}"));
    let (line, column) = locate(&text, context);
    let column = column + context[..offset].chars().count();
    format!("{}:{line}:{column}", path.display())
}

/// One row of `timeseries.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TsRow {
    /// Replicate index.
    pub replicate: u32,
    /// Tick.
    pub tick: u32,
    /// Metric name.
    pub metric: String,
    /// Value (NaN for an empty field).
    pub value: f64,
}

/// Parses `timeseries.csv`, checking its header.
pub fn parse_timeseries(text: &str) -> Vec<TsRow> {
    let mut lines = text.lines();
    assert_same(
        "timeseries.csv header",
        &Some("replicate,tick,metric,value"),
        &lines.next(),
    );
    lines
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 4, "timeseries.csv line {}: {l:?}", i + 2);
            TsRow {
                replicate: f[0]
                    .parse()
                    .unwrap_or_else(|_| panic!("line {}: {l:?}", i + 2)),
                tick: f[1]
                    .parse()
                    .unwrap_or_else(|_| panic!("line {}: {l:?}", i + 2)),
                metric: f[2].to_string(),
                value: if f[3].is_empty() {
                    f64::NAN
                } else {
                    f[3].parse()
                        .unwrap_or_else(|_| panic!("line {}: {l:?}", i + 2))
                },
            }
        })
        .collect()
}

/// Files (including hidden ones) directly in `dir`, sorted.
pub fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Files (including hidden ones) anywhere under `dir`, as `/`-separated paths relative to it,
/// sorted; folders themselves are not listed.
pub fn list_files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for e in
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        {
            let e = e.expect("directory entry");
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.path().is_dir() {
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }
    let mut names = Vec::new();
    walk(dir, "", &mut names);
    names.sort();
    names
}

/// Asserts that two output folders hold the same files with the same bytes, except that the
/// manifests may differ in their `run` section (threads, wall time, command, ranks/shards).
pub fn assert_same_outputs_except_run(expected: &Path, got: &Path) {
    let files = list_files(expected);
    assert_same("files", &files, &list_files(got));
    for f in &files {
        let (a, b) = (expected.join(f), got.join(f));
        if f == "manifest.json" {
            let (mut a, mut b) = (read_json(&a), read_json(&b));
            for m in [&mut a, &mut b] {
                m.as_object_mut().expect("manifest object").remove("run");
            }
            assert_same("manifest.json without its run section", &a, &b);
        } else {
            let (x, y) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
            assert!(
                x == y,
                "{f} differs between {} and {}",
                expected.display(),
                got.display()
            );
        }
    }
}
