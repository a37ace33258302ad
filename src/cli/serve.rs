//! `cocoon serve`: binds, prints the address, optionally opens a browser, and runs the
//! workshop server (`cocoon::serve`) on a tokio runtime until interrupted.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context as _;

use cocoon::error::Error;

/// Tries to open `url` in the desktop's browser; says so if it cannot, never fails.
fn open_browser(url: &str) {
    let tries: &[(&str, &[&str])] = if cfg!(target_os = "macos") {
        &[("open", &[])]
    } else if cfg!(windows) {
        &[("cmd", &["/C", "start", ""])]
    } else {
        &[("xdg-open", &[]), ("sensible-browser", &[])]
    };
    for (cmd, pre) in tries {
        let spawned = std::process::Command::new(cmd)
            .args(*pre)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return;
        }
    }
    eprintln!("could not open a browser here; open {url} yourself");
}

pub fn serve(
    host: Option<String>,
    port: u16,
    open: bool,
    max_sessions: usize,
    max_agents: usize,
) -> anyhow::Result<()> {
    let mut limits = cocoon::serve::Limits::default();
    if !(1..=256).contains(&max_sessions) {
        return Err(
            Error::Usage(format!("--max-sessions {max_sessions}: allowed: 1 to 256")).into(),
        );
    }
    if !(limits.min_agents..=100_000).contains(&max_agents) {
        return Err(Error::Usage(format!(
            "--max-agents {max_agents}: allowed: {} to 100000",
            limits.min_agents
        ))
        .into());
    }
    limits.max_sessions = max_sessions;
    limits.max_agents = max_agents;
    let ip: IpAddr = match host.as_deref() {
        None => IpAddr::from([127, 0, 0, 1]),
        Some(h) => h.parse().map_err(|_| {
            Error::Usage(format!(
                "--host {h}: expected an IP address, e.g. 0.0.0.0 (every network) or 192.168.1.20"
            ))
        })?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, port))
            .await
            .with_context(|| format!("cannot listen on {ip}:{port}"))?;
        let addr = listener.local_addr()?;
        let shown = if ip.is_unspecified() {
            SocketAddr::new(IpAddr::from([127, 0, 0, 1]), addr.port())
        } else {
            addr
        };
        let url = format!("http://{shown}/");
        println!("cocoon workshop page: {url}");
        if !ip.is_loopback() {
            eprintln!(
                "warning: listening on {addr}, so anyone on this network can open the page \
                 (port {}) and start sessions; use it on a room's own network only",
                addr.port()
            );
        }
        eprintln!("press Ctrl-C to stop");
        if open {
            open_browser(&url);
        }
        cocoon::serve::serve(listener, limits)
            .await
            .context("serving")
    })
}
