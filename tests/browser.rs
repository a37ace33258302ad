//! The report of a small comparison, rendered in a real browser (Debian's `chromium`, driven
//! by `playwright-core` from `tests/browser/`): at a 1,400 px window nothing overflows the page
//! horizontally (wide tables scroll inside their own box), the A4 print layout fits, and every
//! inlined chart decodes. The screenshots are kept as test artefacts in
//! `target/tmp/browser/` (`report-first-screen.png`, `report-full.png`).
//!
//! Needs `/usr/bin/chromium` and `npm ci --prefix tests/browser` (`.ci/run` installs both).
//! Without them the test fails when the environment variable `CI` is set, and otherwise
//! prints why it was skipped.

use std::path::Path;
use std::process::Command;

#[test]
fn report_fits_a_1400_px_window_and_every_chart_decodes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/browser/report.mjs");
    let missing: Vec<&str> = [
        (
            Path::new("/usr/bin/chromium").is_file(),
            "/usr/bin/chromium (apt-get install chromium)",
        ),
        (
            root.join("tests/browser/node_modules/playwright-core")
                .is_dir(),
            "playwright-core (npm ci --prefix tests/browser)",
        ),
        (
            Command::new("node").arg("--version").output().is_ok(),
            "node",
        ),
    ]
    .into_iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, what)| what)
    .collect();
    if !missing.is_empty() {
        let why = format!("browser test needs {}", missing.join(", "));
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }

    let artefacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&artefacts).unwrap();
    let out = tempfile::tempdir().unwrap();
    let report_dir = out.path().join("report");
    let run = Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .arg("compare")
        .arg(root.join("scenarios/policy/micro_vs_community.toml"))
        .args(["--quiet", "--threads", "2", "--out"])
        .arg(&report_dir)
        .args([
            "--set",
            "population.n=1500",
            "--set",
            "withdrawal.burn_in_ticks=8",
            "--set",
            "ticks=52",
            "--set",
            "replicates=3",
            "--set",
            "policy.currency=GBP",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let check = Command::new("node")
        .arg(&script)
        .arg(report_dir.join("report.html"))
        .arg(artefacts.join("report"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(check.status.success(), "browser check failed:\n{text}");
    assert!(text.contains("images decoded"), "{text}");
    for shot in ["report-first-screen.png", "report-full.png"] {
        let bytes = std::fs::read(artefacts.join(shot)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{shot}");
    }
    eprintln!("{text}screenshots in {}", artefacts.display());
}
