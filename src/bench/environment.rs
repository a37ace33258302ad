//! Where and when a benchmark ran: the facts a tracking job needs to tell a regression from
//! noise (load average before and after, cores, host, compiler, build profile, whether the tree
//! was dirty, timestamp).
//!
//! Why they are recorded with every measurement: on a shared machine the same binary varies
//! by 2x from one minute to the next, and a number in a history file is worthless without the
//! load it ran under and the exact build that produced it. The build facts come from
//! `build.rs` (commit, dirty flag, rustc version, cargo profile); the machine facts are read
//! from `/proc` and are `None` where the OS does not provide them.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The build that is running.
#[derive(Clone, Debug, Serialize)]
pub struct Build {
    /// The crate version.
    pub version: &'static str,
    /// The git commit the binary was built from, if known.
    pub commit: Option<&'static str>,
    /// Whether tracked files differed from that commit when the binary was built (`None`
    /// when git was not available).
    pub dirty: Option<bool>,
    /// `rustc --version` of the compiler that built the binary.
    pub rustc: &'static str,
    /// Cargo profile (`release`, `debug`; `bench` builds report `release`).
    pub profile: &'static str,
    /// Whether debug assertions were compiled in (a debug build is not a benchmark).
    pub debug_assertions: bool,
}

/// The running build's facts.
pub fn build() -> Build {
    let (version, commit) = crate::output::build_info();
    Build {
        version,
        commit,
        dirty: match env!("COCOON_GIT_DIRTY") {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        rustc: env!("COCOON_RUSTC_VERSION"),
        profile: env!("COCOON_PROFILE"),
        debug_assertions: cfg!(debug_assertions),
    }
}

/// The machine at the time of measuring.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    /// UTC time the benchmark started, RFC 3339 (`2026-12-07T21:30:05Z`).
    pub timestamp: String,
    /// Host name.
    pub host: Option<String>,
    /// Operating system and architecture (`linux`, `x86_64`).
    pub os: &'static str,
    /// CPU architecture.
    pub arch: &'static str,
    /// Cores available to this process.
    pub cores: usize,
    /// CPU model name.
    pub cpu: Option<String>,
    /// 1-, 5- and 15-minute load averages before the first timed run (including warm-up).
    pub load_average_before: Option<[f64; 3]>,
    /// The same after the last timed run.
    pub load_average_after: Option<[f64; 3]>,
}

/// Reads the machine's facts now; `load_average_after` is filled by [`Machine::finish`].
pub fn machine() -> Machine {
    Machine {
        timestamp: rfc3339(SystemTime::now()),
        host: host_name(),
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        cpu: cpu_model(),
        load_average_before: load_average(),
        load_average_after: None,
    }
}

impl Machine {
    /// Records the load average after the measurements.
    pub fn finish(&mut self) {
        self.load_average_after = load_average();
    }
}

/// The CPU model name from `/proc/cpuinfo`, if any.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// The 1-, 5- and 15-minute load averages from `/proc/loadavg`.
pub fn load_average() -> Option<[f64; 3]> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut it = text.split_whitespace().map(|w| w.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

fn host_name() -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
}

/// `t` as an RFC 3339 UTC timestamp with whole seconds.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 2000-02-29 (a leap day in a century leap year) 12:34:56.
        let t = UNIX_EPOCH + Duration::from_secs(951_827_696);
        assert_eq!(rfc3339(t), "2000-02-29T12:34:56Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_796_601_600 + 3_599);
        assert_eq!(rfc3339(t), "2026-12-07T00:59:59Z");
    }

    #[test]
    fn load_averages_parse() {
        assert_eq!(
            parse_loadavg("0.52 1.27 2.25 1/234 5678\n"),
            Some([0.52, 1.27, 2.25])
        );
        assert_eq!(parse_loadavg("0.5 x"), None);
    }

    #[test]
    fn the_build_knows_its_compiler_and_profile() {
        let b = build();
        assert!(b.rustc.starts_with("rustc "), "{}", b.rustc);
        assert!(!b.profile.is_empty());
    }
}
