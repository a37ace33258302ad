//! A short, bounded load test: 50 clients at once against one `cocoon serve` on loopback.
//! Sessions beyond the cap get a 503 with a message (never a hang or a dropped connection),
//! those that start can play, poll and draw while the others hammer the page, and the whole
//! thing ends within a bound. Afterwards the server still serves a new session.

mod serve_support;

use std::time::{Duration, Instant};

use serve_support::{client, delete, get, post, Server};

const CLIENTS: usize = 50;
const BOUND: Duration = Duration::from_secs(90);

#[test]
fn fifty_clients_at_once_are_all_answered_within_the_bound() {
    let s = Server::start(&[]);
    let url = s.url.clone();
    let started = Instant::now();
    let outcomes: Vec<(bool, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|k| {
                let url = url.clone();
                scope.spawn(move || {
                    let a = client();
                    let mut answered = 0;
                    let mut ok = |(code, body): (u16, String), allowed: &[u16]| {
                        assert!(allowed.contains(&code), "client {k}: HTTP {code}: {body}");
                        answered += 1;
                        body
                    };
                    ok(get(&a, &url, "/"), &[200]);
                    ok(get(&a, &url, "/app.js"), &[200]);
                    ok(get(&a, &url, "/api/stories"), &[200]);
                    let story = [
                        "school_year",
                        "pandemic",
                        "smartphone_rollout",
                        "community_centre",
                    ][k % 4];
                    let (code, body) = post(
                        &a,
                        &url,
                        "/api/sessions",
                        &format!(r#"{{"story":"{story}","agents":400,"seed":{k}}}"#),
                    );
                    let created = ok((code, body.clone()), &[201, 503]);
                    if code == 503 {
                        assert!(body.contains("the server is full"), "{body}");
                        for _ in 0..5 {
                            ok(get(&a, &url, "/api/controls"), &[200]);
                        }
                        return (false, answered);
                    }
                    let v: serde_json::Value = serde_json::from_str(&created).unwrap();
                    let id = v["id"].as_str().unwrap().to_string();
                    let p = |rest: &str| format!("/api/sessions/{id}{rest}");
                    ok(
                        post(&a, &url, &p("/control"), r#"{"action":"play","speed":60}"#),
                        &[200],
                    );
                    let mut since = 0;
                    for _ in 0..6 {
                        let body = ok(
                            get(&a, &url, &format!("{}?since={since}", p("/state"))),
                            &[200],
                        );
                        let st: serde_json::Value = serde_json::from_str(&body).unwrap();
                        since += st["series"][0]["hikikomori_prevalence"]
                            .as_array()
                            .unwrap()
                            .len();
                        ok(get(&a, &url, &p("/network?world=policy")), &[200]);
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    ok(
                        post(&a, &url, &p("/settings"), r#"{"budget":1000000}"#),
                        &[200],
                    );
                    ok(
                        post(&a, &url, &p("/control"), r#"{"action":"pause"}"#),
                        &[200],
                    );
                    assert!(since >= 1, "client {k} saw no weeks");
                    ok(delete(&a, &url, &p("")), &[204]);
                    (true, answered)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    let sessions = outcomes.iter().filter(|o| o.0).count();
    let requests: usize = outcomes.iter().map(|o| o.1).sum();
    eprintln!("{CLIENTS} clients, {sessions} sessions, {requests} requests in {elapsed:?}");
    assert!(elapsed < BOUND, "took {elapsed:?}");
    assert!(
        (1..=16).contains(&sessions),
        "{sessions} sessions started (cap 16)"
    );
    // Every session was closed, so a newcomer gets one.
    let a = client();
    let (code, body) = post(
        &a,
        &url,
        "/api/sessions",
        r#"{"story":"pandemic","agents":300}"#,
    );
    assert_eq!(code, 201, "{body}");
}
