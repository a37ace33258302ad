//! `cocoon serve`: a workshop page where a room watches a population withdraw and reconnect,
//! in two twin worlds (the same people and the same luck, one with a policy).
//!
//! - [`routes`]: the HTTP API (validated by hand: every bad value is a 400 with a message);
//! - [`session`]: one thread per session owns its twin worlds; caps and idle reaping;
//! - [`world`]: the one adapter to the withdrawal model (series, network sample, stories);
//! - [`controls`]: the sliders and the parameters they set; [`stories`]: the story picker;
//! - [`export`]: a run as a scenario file `cocoon run` reproduces; [`assets`]: the page;
//! - [`film`]: the network view as a GIF for slides (`cocoon animate`).
//!
//! Limits against a room of strangers: request bodies of at most 16 KiB, a 30-second timeout
//! per request, at most 256 requests in flight, [`session::Limits`] on sessions, agents and
//! speed. The server binds loopback unless told otherwise (the CLI decides and warns).

pub mod assets;
pub mod controls;
pub mod export;
pub mod film;
pub mod routes;
pub mod session;
pub mod stories;
pub mod world;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::routing::{get, post};
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use session::{Limits, Sessions};

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024;

/// The whole application: API, page and limits.
pub fn router(sessions: Arc<Sessions>) -> Router {
    let api = Router::new()
        .route("/api/stories", get(routes::list_stories))
        .route("/api/controls", get(routes::list_controls))
        .route("/api/sessions", post(routes::create))
        .route("/api/sessions/{id}", axum::routing::delete(routes::delete))
        .route("/api/sessions/{id}/control", post(routes::control))
        .route("/api/sessions/{id}/settings", post(routes::settings))
        .route("/api/sessions/{id}/state", get(routes::state))
        .route("/api/sessions/{id}/network", get(routes::network))
        .route("/api/sessions/{id}/agent/{agent}", get(routes::agent))
        .route("/api/sessions/{id}/scenario.toml", get(routes::scenario))
        .route("/api/sessions/{id}/timeseries.csv", get(routes::timeseries))
        .with_state(sessions);
    api.fallback(|uri: Uri| async move { assets::serve(uri.path()) })
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(256))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(assets::CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// Serves on `listener` until the process ends; idle sessions are dropped every few seconds.
pub async fn serve(listener: tokio::net::TcpListener, limits: Limits) -> std::io::Result<()> {
    let sessions = Arc::new(Sessions::new(limits));
    let reaper = sessions.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            reaper.reap();
        }
    });
    axum::serve(listener, router(sessions)).await
}
