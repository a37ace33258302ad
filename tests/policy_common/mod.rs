//! Helpers for the policy tests: run a comparison through the binary and read each arm's
//! hikikomori person-weeks per replicate (the sum of `hikikomori_count` over recorded ticks
//! 1..T, as in `summary.json`), then paired differences with a t interval.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

/// Person-weeks per (arm, replicate) from a `comparison.csv`.
pub fn person_weeks(dir: &Path) -> BTreeMap<(String, u32), f64> {
    let text = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 5 || f[3] != "hikikomori_count" {
            continue;
        }
        let tick: u32 = f[2].parse().unwrap();
        if tick >= 1 {
            *out.entry((f[0].to_string(), f[1].parse().unwrap()))
                .or_insert(0.0) += f[4].parse::<f64>().unwrap();
        }
    }
    out
}

/// Paired differences `a - b` per replicate, their mean and a 95% t interval.
pub struct Paired {
    /// Per replicate.
    pub diffs: Vec<f64>,
    /// Mean.
    pub mean: f64,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

impl std::fmt::Display for Paired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} (95% CI {:.0} to {:.0}; per replicate {:?})",
            self.mean,
            self.lo,
            self.hi,
            self.diffs.iter().map(|d| d.round()).collect::<Vec<_>>()
        )
    }
}

/// Paired difference of arms `a` and `b`.
pub fn paired(pw: &BTreeMap<(String, u32), f64>, a: &str, b: &str) -> Paired {
    let reps: Vec<u32> = pw
        .keys()
        .filter(|(arm, _)| arm == a)
        .map(|&(_, r)| r)
        .collect();
    let diffs: Vec<f64> = reps
        .iter()
        .map(|&r| pw[&(a.to_string(), r)] - pw[&(b.to_string(), r)])
        .collect();
    let n = diffs.len() as f64;
    let mean = diffs.iter().sum::<f64>() / n;
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    // Two-sided 95% t quantiles for 1-7 degrees of freedom.
    let t = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365]
        .get(diffs.len().saturating_sub(2))
        .copied()
        .unwrap_or(2.0);
    let half = t * (var / n).sqrt();
    Paired {
        diffs,
        mean,
        lo: mean - half,
        hi: mean + half,
    }
}

/// Runs `cocoon compare FILE --out DIR --set ...` and returns DIR.
pub fn compare(file: &Path, out: &Path, sets: &[&str]) -> std::path::PathBuf {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cocoon"));
    cmd.arg("compare")
        .arg(file)
        .arg("--quiet")
        .arg("--out")
        .arg(out);
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    let r = cmd.output().unwrap();
    assert!(
        r.status.success(),
        "cocoon compare {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&r.stderr)
    );
    out.to_path_buf()
}
