//! `cocoon calibrate` on SISa: data generated with a known beta and g
//! (`tests/fixtures/studies/sisa_truth.toml`, beta = 0.05, g = 0.1) are fitted by ABC-SMC over
//! wide priors (beta in [0.005, 0.3], g in [0.02, 0.5]). The 95% posterior intervals must
//! contain the truth and be narrow; with the fixture's 50 particles and 5 generations they are
//! [0.037, 0.089] for beta (width 0.052, 18% of the prior's) and [0.071, 0.188] for g (width
//! 0.117, 24%). The run takes a few seconds.

mod common;

use common::*;

fn calibrate(threads: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let out = dir.path().join("out");
    let args = quiet_out_args(
        "calibrate",
        &path_arg("tests/fixtures/studies/sisa_calibrate.toml"),
        &out,
        &["--threads", threads],
    );
    cocoon_in(dir.path(), &args).expect_code(0);
    (dir, out)
}

#[test]
fn sisa_calibration_recovers_beta_and_g_identically_on_one_and_two_threads() {
    let (_d2, two) = calibrate("2");
    let summary = read(&two.join("posterior_summary.csv"));
    let interval = |key: &str| -> (f64, f64) {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&format!("{key},")))
            .unwrap_or_else(|| panic!("no {key} in\n{summary}"));
        let f: Vec<&str> = line.rsplitn(4, ',').collect();
        (f[2].parse().unwrap(), f[0].parse().unwrap())
    };
    for (key, truth, max_width) in [("sisa.beta", 0.05, 0.08), ("sisa.g", 0.1, 0.16)] {
        let (lo, hi) = interval(key);
        assert!(
            lo < truth && truth < hi,
            "{key}: [{lo}, {hi}] misses {truth}\n{summary}"
        );
        assert!(
            hi - lo < max_width,
            "{key}: [{lo}, {hi}] wider than {max_width}"
        );
    }
    let history = read(&two.join("history.csv"));
    assert_eq!(history.lines().count(), 1 + 6, "{history}");
    let posterior = read(&two.join("posterior.csv"));
    assert!(posterior.starts_with(
        "particle,sisa.beta,sisa.g,weight,distance,infected_week_6,infected_plateau\n"
    ));
    assert_eq!(posterior.lines().count(), 1 + 50);
    for f in ["charts/predictive_infected_plateau.png", "manifest.json"] {
        assert!(two.join(f).is_file(), "missing {f}");
    }
    let (_d1, one) = calibrate("1");
    assert_same_text(
        "posterior.csv",
        &read(&one.join("posterior.csv")),
        &posterior,
    );
}
