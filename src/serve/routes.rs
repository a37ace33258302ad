//! The HTTP API. Every input is parsed here by hand (bodies as bytes, then strict JSON; path
//! and query values as text), so a bad request gets a 400 with a sentence naming the allowed
//! values, never axum's default rejection or a panic.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json_};

use super::controls::{Settings, CONTROLS};
use super::export::scenario_toml;
use super::session::{Handle, SessionError, Sessions, Sim};
use super::stories::{self, STORIES};

/// The series the page draws and sums up, in this order.
pub const METRICS: &[&str] = &[
    "hikikomori_prevalence",
    "lonely_share",
    "bridging_ties_per_agent",
    "bonding_ties_per_agent",
    "hikikomori_count",
    "recovery_share",
    "in_service",
    "event_attendees",
    "recovery_group_members",
    "policy_spend_cumulative",
    "victimisation_traditional",
    "screen_hours_mean",
];

/// An error answer: status and a sentence, sent as `{"error": ...}`.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl ApiError {
    fn bad(msg: impl Into<String>) -> ApiError {
        ApiError(StatusCode::BAD_REQUEST, msg.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> ApiError {
        match e {
            SessionError::NotFound => ApiError(
                StatusCode::NOT_FOUND,
                "no such session (it may have been closed after a long idle time); pick a story again".into(),
            ),
            SessionError::Busy => ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "the session is busy; try again".into(),
            ),
        }
    }
}

type ApiResult<T> = Result<T, ApiError>;
type App = State<Arc<Sessions>>;

/// Strict JSON: unknown fields and wrong types are refused with serde's own message.
fn parse<T: DeserializeOwned>(body: &Bytes) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad(format!("bad JSON body: {e}")))
}

fn session(app: &Sessions, id: &str) -> ApiResult<Arc<Handle>> {
    app.get(id).ok_or(SessionError::NotFound.into())
}

/// Which twin a query names: `world=base` (no policy, the default) or `world=policy`.
fn twin(q: &BTreeMap<String, String>) -> ApiResult<usize> {
    match q.get("world").map(String::as_str) {
        None | Some("base") => Ok(0),
        Some("policy") => Ok(1),
        Some(other) => Err(ApiError::bad(format!(
            "world `{other}`: allowed: base, policy"
        ))),
    }
}

/// `GET /api/stories`.
pub async fn list_stories() -> ApiResult<Json<Json_>> {
    let mut out = Vec::new();
    for s in STORIES {
        let sc = s
            .scenario(&[])
            .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        out.push(json!({
            "id": s.id, "title": s.title, "text": s.text,
            "agents": sc.params.usize("population.n"), "weeks": sc.ticks, "seed": sc.seed,
        }));
    }
    Ok(Json(Json_::Array(out)))
}

/// `GET /api/controls`.
pub async fn list_controls() -> Json<Json_> {
    Json(json!(CONTROLS))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSession {
    story: String,
    seed: Option<u64>,
    agents: Option<u64>,
}

/// `POST /api/sessions` `{"story": id, "seed"?: n, "agents"?: n}`.
pub async fn create(State(app): App, body: Bytes) -> ApiResult<Response> {
    let req: NewSession = parse(&body)?;
    let story = stories::find(&req.story).ok_or_else(|| {
        let ids: Vec<&str> = STORIES.iter().map(|s| s.id).collect();
        ApiError::bad(format!(
            "story `{}`: allowed: {}",
            req.story,
            ids.join(", ")
        ))
    })?;
    let mut sets = Vec::new();
    if let Some(seed) = req.seed {
        if seed > i64::MAX as u64 {
            return Err(ApiError::bad(format!(
                "seed {seed}: allowed: 0 to {}",
                i64::MAX
            )));
        }
        sets.push(format!("seed={seed}"));
    }
    let l = app.limits;
    if let Some(n) = req.agents {
        if n < l.min_agents as u64 || n > l.max_agents as u64 {
            return Err(ApiError::bad(format!(
                "agents {n}: allowed: {} to {}",
                l.min_agents, l.max_agents
            )));
        }
        sets.push(format!("population.n={n}"));
    }
    match app.create(story, sets).await {
        Ok(created) => Ok((StatusCode::CREATED, Json(created)).into_response()),
        Err(super::session::CreateError::Full(m)) => {
            Err(ApiError(StatusCode::SERVICE_UNAVAILABLE, m))
        }
        Err(super::session::CreateError::Invalid(m)) => Err(ApiError::bad(m)),
    }
}

/// `DELETE /api/sessions/{id}`.
pub async fn delete(State(app): App, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if app.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(SessionError::NotFound.into())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Control {
    action: String,
    speed: Option<f64>,
    weeks: Option<u32>,
}

/// What a session is doing, for every control answer.
#[derive(Serialize)]
struct Status {
    week: u32,
    weeks: u32,
    running: bool,
    speed: f64,
}

fn status(sim: &Sim) -> Status {
    Status {
        week: sim.week(),
        weeks: sim.weeks,
        running: sim.running,
        speed: sim.speed,
    }
}

/// `POST /api/sessions/{id}/control` `{"action": "play"|"pause"|"step"|"reset", "speed"?,
/// "weeks"?}`.
pub async fn control(
    State(app): App,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Json_>> {
    let req: Control = parse(&body)?;
    let max = app.limits.max_speed;
    if let Some(s) = req.speed {
        if !s.is_finite() || !(0.5..=max).contains(&s) {
            return Err(ApiError::bad(format!(
                "speed {s}: allowed: 0.5 to {max} weeks per second"
            )));
        }
    }
    let weeks = req.weeks.unwrap_or(1);
    if !(1..=52).contains(&weeks) {
        return Err(ApiError::bad(format!("weeks {weeks}: allowed: 1 to 52")));
    }
    let action = req.action;
    if !["play", "pause", "step", "reset", "speed"].contains(&action.as_str()) {
        return Err(ApiError::bad(format!(
            "action `{action}`: allowed: play, pause, step, reset, speed"
        )));
    }
    let h = session(&app, &id)?;
    let out = h
        .call(move |sim| -> Result<Status, String> {
            if let Some(s) = req.speed {
                sim.speed = s;
            }
            match action.as_str() {
                "play" => {
                    if sim.week() >= sim.weeks {
                        // Past the story's end: play on for another year.
                        sim.weeks = sim.week() + 52;
                    }
                    sim.running = true;
                }
                "pause" => sim.running = false,
                "step" => {
                    sim.running = false;
                    for _ in 0..weeks {
                        sim.step();
                    }
                }
                "reset" => sim.reset()?,
                _ => {}
            }
            Ok(status(sim))
        })
        .await?
        .map_err(ApiError::bad)?;
    Ok(Json(json!(out)))
}

/// `POST /api/sessions/{id}/settings` `{"bullying": 2.0, ...}`: the sliders that moved.
pub async fn settings(
    State(app): App,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Json_>> {
    let req: BTreeMap<String, f64> = parse(&body)?;
    if req.is_empty() {
        return Err(ApiError::bad(
            "no settings given; allowed keys: the `id`s of GET /api/controls",
        ));
    }
    // Check names and ranges here, before the session is asked.
    let mut probe = Settings::of(
        &stories::STORIES[0]
            .scenario(&[])
            .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?,
    );
    for (k, v) in &req {
        probe.set(k, *v).map_err(ApiError::bad)?;
    }
    let values: Vec<(String, f64)> = req.into_iter().collect();
    let h = session(&app, &id)?;
    let settings = h
        .call(move |sim| sim.apply(&values).map(|_| sim.settings))
        .await?
        .map_err(ApiError::bad)?;
    Ok(Json(json!(settings)))
}

fn query_u32(q: &BTreeMap<String, String>, key: &str, default: u32) -> ApiResult<u32> {
    match q.get(key) {
        None => Ok(default),
        Some(t) => t.parse().map_err(|_| {
            ApiError::bad(format!(
                "{key} `{t}`: allowed: a whole number 0 to {}",
                u32::MAX
            ))
        }),
    }
}

/// `GET /api/sessions/{id}/state?since=W`: status, sliders, and each twin's series from week W.
pub async fn state(
    State(app): App,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Json_>> {
    let since = query_u32(&q, "since", 0)?;
    let h = session(&app, &id)?;
    let out = h
        .call(move |sim| {
            let series: Vec<BTreeMap<&str, Vec<f64>>> = sim
                .twins
                .iter()
                .map(|w| {
                    METRICS
                        .iter()
                        .map(|&m| {
                            let v = w
                                .series()
                                .values(m)
                                .into_iter()
                                .filter(|&(t, _)| t >= since)
                                .map(|(_, v)| v)
                                .collect();
                            (m, v)
                        })
                        .collect()
                })
                .collect();
            json!({
                "status": status(sim), "run": sim.run, "story": sim.story.id, "n": sim.twins[0].n(),
                "settings": sim.settings, "changes": sim.changes,
                "reproducible": sim.changes.is_empty(), "since": since, "series": series,
            })
        })
        .await?;
    Ok(Json(out))
}

/// `GET /api/sessions/{id}/network?world=base|policy`.
pub async fn network(
    State(app): App,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Json_>> {
    let k = twin(&q)?;
    let h = session(&app, &id)?;
    let out = h
        .call(move |sim| json!(sim.twins[k].network(&sim.sample)))
        .await?;
    Ok(Json(out))
}

/// `GET /api/sessions/{id}/agent/{agent}?world=base|policy`.
pub async fn agent(
    State(app): App,
    Path((id, agent)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Json_>> {
    let k = twin(&q)?;
    let a: u32 = agent
        .parse()
        .map_err(|_| ApiError::bad(format!("agent `{agent}`: allowed: an agent number")))?;
    let h = session(&app, &id)?;
    let (story, n) = h
        .call(move |sim| (sim.twins[k].agent(a), sim.twins[k].n()))
        .await?;
    let story =
        story.ok_or_else(|| ApiError::bad(format!("agent {a}: allowed: 0 to {}", n - 1)))?;
    Ok(Json(json!(story)))
}

/// `GET /api/sessions/{id}/scenario.toml?world=base|policy`: the run so far as a scenario.
pub async fn scenario(
    State(app): App,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let k = twin(&q)?;
    let h = session(&app, &id)?;
    let (text, name) = h
        .call(move |sim| -> Result<(String, String), String> {
            let week = sim.week().max(1);
            let s = sim.scenarios(week)?;
            let world = ["without the policy", "with the policy"][k];
            let mut header = vec![
                format!(
                    "Story `{}`, the world {world}, weeks 0-{week}.",
                    sim.story.id
                ),
                format!(
                    "Re-run it: cocoon run {}_{}.toml",
                    sim.story.id,
                    ["base", "policy"][k]
                ),
            ];
            if sim.changes.is_empty() {
                header.push(
                    "The page ran these settings from week 0: the run gives the same numbers."
                        .into(),
                );
            } else {
                header.push(
                    "Sliders moved during the run; this file holds the last settings from week 0,"
                        .into(),
                );
                header.push("so its numbers differ from the page's after the first change:".into());
                header.extend(sim.changes.iter().map(|c| format!("  {c}")));
            }
            Ok((
                scenario_toml(&s[k], &header),
                format!("{}_{}.toml", sim.story.id, ["base", "policy"][k]),
            ))
        })
        .await?
        .map_err(ApiError::bad)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response())
}

/// `GET /api/sessions/{id}/timeseries.csv?world=base|policy`: every metric so far, in the
/// format of `cocoon run`'s `timeseries.csv`.
pub async fn timeseries(
    State(app): App,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let k = twin(&q)?;
    let h = session(&app, &id)?;
    let csv = h
        .call(move |sim| crate::output::timeseries_csv(std::slice::from_ref(sim.twins[k].series())))
        .await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}
