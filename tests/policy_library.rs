//! Every comparison in `scenarios/policy/` runs end to end at a small size and writes the
//! files an analyst needs: effects with intervals, cost-effectiveness, charts and the report.

use std::path::Path;

#[test]
fn every_policy_scenario_runs_at_a_small_size() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/policy");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "the policy library should hold five comparisons"
    );
    for file in files {
        let out = tempfile::tempdir().unwrap();
        let out_dir = out.path().join("result");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_cocoon"))
            .arg("compare")
            .arg(&file)
            .args(["--quiet", "--threads", "2", "--out"])
            .arg(&out_dir)
            .args([
                "--set",
                "population.n=1200",
                "--set",
                "withdrawal.burn_in_ticks=4",
                "--set",
                "ticks=6",
                "--set",
                "replicates=2",
            ])
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&status.stderr)
        );
        let first_line = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        assert!(
            first_line.starts_with("# Question:"),
            "{} must open with its question",
            file.display()
        );
        let effects = std::fs::read_to_string(out_dir.join("effects.csv")).unwrap();
        assert!(effects.starts_with("arm,metric,mean,lo,hi,diff,diff_lo,diff_hi"));
        assert!(effects.contains("hikikomori_prevalence"));
        let report = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
        assert!(
            report.contains("data:image/png;base64,"),
            "{}: report should inline charts",
            file.display()
        );
        assert!(out_dir.join("charts/prevalence_by_arm.png").is_file());
        assert!(out_dir.join("cost_effectiveness.csv").is_file());
    }
}
