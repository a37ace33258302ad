//! The page's files, compiled into the binary: the page needs nothing but this server, so it
//! works on a laptop with the network unplugged. The JavaScript is hand-written and readable
//! as shipped (no build step); the font is the DejaVu Sans the charts already use.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// One embedded file.
pub struct Asset {
    /// URL path.
    pub path: &'static str,
    /// Content type.
    pub mime: &'static str,
    /// The bytes.
    pub bytes: &'static [u8],
}

/// Every file the page loads.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        mime: "text/html; charset=utf-8",
        bytes: include_bytes!("../../assets/web/index.html"),
    },
    Asset {
        path: "/app.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/web/app.js"),
    },
    Asset {
        path: "/charts.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/web/charts.js"),
    },
    Asset {
        path: "/network.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/web/network.js"),
    },
    Asset {
        path: "/style.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/web/style.css"),
    },
    Asset {
        path: "/font.ttf",
        mime: "font/ttf",
        bytes: include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
    },
];

/// The policy every answer carries: the page may load nothing from anywhere but this server.
pub const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The asset at `path`, or 404.
pub fn serve(path: &str) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(a.mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            a.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
