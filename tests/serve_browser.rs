//! The workshop page in a real browser: headless Debian `chromium` driven by `playwright-core`
//! (`tests/browser/serve.mjs`) against `cocoon serve` on a free loopback port. It picks a story,
//! plays, moves a slider, checks that the charts and both network canvases change, opens a
//! person's story, and saves screenshots under `target/tmp/serve-browser/`.
//!
//! Needs `/usr/bin/chromium`, `node` and `npm ci --prefix tests/browser` (`.ci/run` does both).
//! Without them the test fails when `CI` is set and otherwise says it skipped.

mod serve_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serve_support::Server;

/// What is missing to run the browser test, if anything.
fn missing() -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !Path::new("/usr/bin/chromium").exists() {
        return Some("/usr/bin/chromium (apt-get install chromium)".into());
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node (apt-get install nodejs npm)".into());
    }
    if !root
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        return Some("tests/browser/node_modules (npm ci --prefix tests/browser)".into());
    }
    None
}

#[test]
fn a_teacher_drives_the_page_in_chromium() {
    if let Some(what) = missing() {
        if std::env::var_os("CI").is_some() {
            panic!("the browser test needs {what}");
        }
        eprintln!("SKIPPED the browser test: missing {what}; `.ci/run` installs it");
        return;
    }
    let server = Server::start(&[]);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-browser");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/serve.mjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(format!("{}/", server.url))
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let started = Instant::now();
    let limit = Duration::from_secs(150);
    loop {
        if child.try_wait().expect("wait for node").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let result = child.wait_with_output().expect("node output");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        started.elapsed() <= limit,
        "the browser test took over {limit:?}\n{log}"
    );
    assert!(result.status.success(), "the browser checks failed:\n{log}");
    for shot in ["serve-first-screen.png", "serve-full.png"] {
        let bytes = std::fs::metadata(out.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(bytes > 20_000, "{shot}: {bytes} bytes\n{log}");
    }
    eprintln!("screenshots in {}", out.display());
}
