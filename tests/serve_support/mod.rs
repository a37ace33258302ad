//! Helpers for the `cocoon serve` tests: start the real binary on a free loopback port, and a
//! small blocking HTTP client (ureq) that returns status and body for any status.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `cocoon serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// Base URL without the trailing slash, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl Server {
    /// Starts `cocoon serve --port 0` with `extra` arguments and waits for its address.
    pub fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cocoon"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cocoon serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the address");
        let url = line
            .trim()
            .strip_prefix("cocoon workshop page: ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .trim_end_matches('/')
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that treats every status as an answer.
pub fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Status and body text of an answer.
pub fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    let mut r = r.expect("HTTP request");
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    (status, body)
}

/// GET `path`.
pub fn get(agent: &ureq::Agent, base: &str, path: &str) -> (u16, String) {
    answer(agent.get(&format!("{base}{path}")).call())
}

/// POST `body` (JSON text) to `path`.
pub fn post(agent: &ureq::Agent, base: &str, path: &str, body: &str) -> (u16, String) {
    answer(
        agent
            .post(&format!("{base}{path}"))
            .header("Content-Type", "application/json")
            .send(body),
    )
}

/// DELETE `path`.
pub fn delete(agent: &ureq::Agent, base: &str, path: &str) -> (u16, String) {
    answer(agent.delete(&format!("{base}{path}")).call())
}

/// Creates a session and returns its id.
pub fn session(agent: &ureq::Agent, base: &str, body: &str) -> String {
    let (code, text) = post(agent, base, "/api/sessions", body);
    assert_eq!(code, 201, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    v["id"].as_str().expect("id").to_string()
}
