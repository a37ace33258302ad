//! The progress bar of `run` and `compare`, and the numbers their closing line quotes.
//!
//! The bar covers the whole job: it appears at once (setting up), counts every simulated week
//! including the burn-in (so its rate is steady from the first seconds and the estimate of
//! time left is sane early on), names the stage, and says when the outputs are being
//! written. Time left is the elapsed time per week so far times the weeks left; it is shown
//! once a week has been simulated. Hidden with `--quiet` or when stderr is not a terminal.

use std::fmt::Write as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Seconds as "42 s", "3 min 05 s" or "1 h 02 min".
pub fn duration(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

/// Time left at a steady rate: elapsed per unit done times units left; `None` before the
/// first unit.
pub fn steady_eta(elapsed: f64, done: u64, total: u64) -> Option<f64> {
    (done > 0).then(|| elapsed / done as f64 * total.saturating_sub(done) as f64)
}

/// A progress bar over `total` simulated weeks, starting in the "setting up" stage.
pub fn bar(total: u64, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    let style = ProgressStyle::with_template(
        "{msg:.bold} [{bar:30}] {percent:>3}% of {len} simulated weeks, {elapsed} elapsed, {left}",
    )
    .expect("static template")
    .with_key(
        "left",
        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let text = match steady_eta(
                state.elapsed().as_secs_f64(),
                state.pos(),
                state.len().unwrap_or(0),
            ) {
                Some(eta) => format!("about {} left", duration(eta)),
                None => "estimating time left".to_string(),
            };
            let _ = w.write_str(&text);
        },
    )
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message("setting up");
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// The stage message while simulating, e.g. "simulating 6 arms x 4 replicates (52-week
/// burn-in shared, then 156 weeks)".
pub fn simulating(arms: usize, replicates: u32, burn_in: u64, ticks: u32) -> String {
    let mut s = String::from("simulating ");
    if arms > 1 {
        let _ = write!(s, "{arms} arms x ");
    }
    let _ = write!(s, "{replicates} replicate(s) (");
    if burn_in > 0 {
        let _ = write!(s, "{burn_in}-week burn-in, then ");
    }
    let _ = write!(s, "{ticks} weeks)");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_is_steady_and_durations_read_well() {
        assert_eq!(steady_eta(10.0, 0, 100), None);
        assert_eq!(steady_eta(10.0, 25, 100), Some(30.0));
        assert_eq!(steady_eta(10.0, 100, 100), Some(0.0));
        assert_eq!(duration(42.4), "42 s");
        assert_eq!(duration(185.0), "3 min 05 s");
        assert_eq!(duration(3720.0), "1 h 02 min");
        assert_eq!(
            simulating(6, 4, 52, 156),
            "simulating 6 arms x 4 replicate(s) (52-week burn-in, then 156 weeks)"
        );
        assert_eq!(
            simulating(1, 2, 0, 30),
            "simulating 2 replicate(s) (30 weeks)"
        );
    }
}
