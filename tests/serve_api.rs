//! `cocoon serve` over real HTTP on loopback: bad input gets a 400 with a message, sessions
//! run side by side without touching each other, the cap holds, and the page's numbers are
//! `cocoon run`'s numbers for the downloaded scenario and the same seed.

mod serve_support;

use serve_support::{client, delete, get, post, session, Server};

#[test]
fn bad_requests_get_400_with_the_allowed_values() {
    let s = Server::start(&[]);
    let a = client();
    let u = &s.url;
    let bad = |(code, body): (u16, String), needle: &str| {
        assert_eq!(code, 400, "{body}");
        assert!(body.contains(needle), "expected {needle:?} in {body}");
    };
    bad(
        post(&a, u, "/api/sessions", r#"{"story":"nope"}"#),
        "allowed: school_year",
    );
    bad(post(&a, u, "/api/sessions", "{not json"), "bad JSON body");
    bad(
        post(&a, u, "/api/sessions", r#"{"story":"pandemic","x":1}"#),
        "unknown field",
    );
    bad(
        post(
            &a,
            u,
            "/api/sessions",
            r#"{"story":"pandemic","agents":100000}"#,
        ),
        "allowed: 200 to 5000",
    );
    bad(
        post(&a, u, "/api/sessions", r#"{"story":"pandemic","seed":-3}"#),
        "bad JSON body",
    );
    let id = session(&a, u, r#"{"story":"pandemic","agents":500,"seed":3}"#);
    let p = |rest: &str| format!("/api/sessions/{id}{rest}");
    bad(
        post(&a, u, &p("/control"), r#"{"action":"fly"}"#),
        "allowed: play, pause",
    );
    bad(
        post(&a, u, &p("/control"), r#"{"action":"play","speed":1e9}"#),
        "allowed: 0.5 to 60",
    );
    bad(
        post(&a, u, &p("/control"), r#"{"action":"step","weeks":0}"#),
        "allowed: 1 to 52",
    );
    bad(
        post(&a, u, &p("/settings"), r#"{"bullying":99}"#),
        "allowed: 0 to 4",
    );
    bad(
        post(&a, u, &p("/settings"), r#"{"volume":1}"#),
        "allowed: bullying",
    );
    bad(
        post(&a, u, &p("/settings"), r#"{"bullying":"lots"}"#),
        "bad JSON body",
    );
    bad(post(&a, u, &p("/settings"), "{}"), "no settings given");
    bad(
        get(&a, u, &p("/network?world=mars")),
        "allowed: base, policy",
    );
    bad(get(&a, u, &p("/agent/500")), "allowed: 0 to 499");
    bad(get(&a, u, &p("/agent/-1")), "allowed: an agent number");
    bad(
        get(&a, u, &p("/state?since=soon")),
        "allowed: a whole number",
    );
    let (code, _) = post(
        &a,
        u,
        &p("/settings"),
        &format!("{{\"bullying\":\"{}\"}}", "x".repeat(20_000)),
    );
    assert_eq!(code, 413, "an oversized body is refused");
    assert_eq!(get(&a, u, "/api/sessions/0123456789abcdef/state").0, 404);
    assert_eq!(get(&a, u, "/no/such/page").0, 404);
    // The session survived all of that.
    let (code, body) = post(&a, u, &p("/control"), r#"{"action":"step","weeks":2}"#);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"week\":2"), "{body}");
    let (code, body) = get(&a, u, &p("/agent/42?world=policy"));
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"attachment\""), "{body}");
    assert_eq!(delete(&a, u, &p("")).0, 204);
    assert_eq!(get(&a, u, &p("/state")).0, 404);
}

#[test]
fn the_page_and_its_assets_come_from_the_binary_with_a_strict_policy() {
    let s = Server::start(&[]);
    let a = client();
    for path in [
        "/",
        "/app.js",
        "/charts.js",
        "/network.js",
        "/style.css",
        "/font.ttf",
    ] {
        let r = a.get(&format!("{}{path}", s.url)).call().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let csp = r
            .headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
    }
    let (_, html) = get(&a, &s.url, "/");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page names no other host"
    );
}

/// Lines of a `timeseries.csv` without the end-of-run metrics (`cocoon run` adds those after
/// the last week; the page never ends a run).
fn weekly(csv: &str) -> Vec<String> {
    csv.lines()
        .filter(|l| !l.contains(",lonely_excess_d"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_downloaded_scenario_reruns_to_the_same_series_with_cocoon_run() {
    let s = Server::start(&[]);
    let a = client();
    let u = &s.url;
    let id = session(
        &a,
        u,
        r#"{"story":"community_centre","agents":800,"seed":21}"#,
    );
    let p = |rest: &str| format!("/api/sessions/{id}{rest}");
    // Sliders moved at week 0 restart the run with them, so the file still reproduces it.
    let (code, body) = post(
        &a,
        u,
        &p("/settings"),
        r#"{"bullying":2.0,"budget":900000,"community":0.7}"#,
    );
    assert_eq!(code, 200, "{body}");
    let (code, body) = post(&a, u, &p("/control"), r#"{"action":"step","weeks":12}"#);
    assert_eq!(code, 200, "{body}");
    let dir = tempfile::tempdir().unwrap();
    for world in ["base", "policy"] {
        let (code, toml) = get(&a, u, &p(&format!("/scenario.toml?world={world}")));
        assert_eq!(code, 200, "{toml}");
        assert!(toml.contains("ticks = 12"), "{toml}");
        let file = dir.path().join(format!("{world}.toml"));
        std::fs::write(&file, &toml).unwrap();
        let out = dir.path().join(world);
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_cocoon"))
            .args(["run", "-q", "--threads", "2", "--out"])
            .arg(&out)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let cli = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
        let (code, page) = get(&a, u, &p(&format!("/timeseries.csv?world={world}")));
        assert_eq!(code, 200);
        let (cli, page) = (weekly(&cli), weekly(&page));
        assert!(page.len() > 13 * 20, "{} lines", page.len());
        assert_eq!(page, cli, "world {world}: the page and `cocoon run` differ");
    }
    // The twins differ (the policy acts), yet start from the same week 0.
    let base = get(&a, u, &p("/timeseries.csv?world=base")).1;
    let policy = get(&a, u, &p("/timeseries.csv?world=policy")).1;
    let week0 = |csv: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| l.starts_with("0,0,hikikomori") || l.starts_with("0,0,lonely"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(week0(&base), week0(&policy));
    assert_ne!(base, policy);
    // A slider moved mid-run is logged and the file says so.
    post(&a, u, &p("/settings"), r#"{"bullying":3.0}"#);
    let (_, state) = get(&a, u, &p("/state?since=12"));
    assert!(
        state.contains("\"reproducible\":false") && state.contains("week 12: bullying 2 -> 3"),
        "{state}"
    );
    let (_, toml) = get(&a, u, &p("/scenario.toml?world=policy"));
    assert!(toml.contains("# Sliders moved during the run"), "{toml}");
}

#[test]
fn concurrent_sessions_do_not_touch_each_other_and_the_cap_holds() {
    let s = Server::start(&["--max-sessions", "3"]);
    let url = s.url.clone();
    let runs: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|k| {
                let url = url.clone();
                scope.spawn(move || {
                    let a = client();
                    // Sessions 0 and 2 are the same story and seed; 1 differs.
                    let seed = if k == 1 { 8 } else { 7 };
                    let id = session(
                        &a,
                        &url,
                        &format!(r#"{{"story":"school_year","agents":600,"seed":{seed}}}"#),
                    );
                    for _ in 0..3 {
                        let (code, body) = post(
                            &a,
                            &url,
                            &format!("/api/sessions/{id}/control"),
                            r#"{"action":"step","weeks":3}"#,
                        );
                        assert_eq!(code, 200, "{body}");
                    }
                    get(
                        &a,
                        &url,
                        &format!("/api/sessions/{id}/timeseries.csv?world=policy"),
                    )
                    .1
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(runs[0], runs[2], "same story and seed, same numbers");
    assert_ne!(runs[0], runs[1], "another seed, other numbers");
    let a = client();
    let (code, body) = post(
        &a,
        &url,
        "/api/sessions",
        r#"{"story":"pandemic","agents":300}"#,
    );
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("the server is full (3 sessions)"), "{body}");
}
