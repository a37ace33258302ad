//! `cocoon calibrate`: fit a study's parameters to its targets by ABC-SMC ([`super::abc`]).
//! Each candidate runs the base with its own seed (all replicates), and its summary is each
//! target's mean over replicates. Outputs: `posterior.csv` (weighted particles),
//! `posterior_summary.csv` (weighted mean and 95% interval per parameter), `history.csv`
//! (tolerance and acceptance per generation) and, per target, a posterior-predictive chart
//! comparing the observed value with what the prior and the posterior predict.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::abc::{self, Outcome, Particle};
use super::plan::Study;
use super::sweep;
use crate::error::{Error, Location, Result};
use crate::output::charts::{self, ChartSpec};
use crate::output::fmt_f64;

/// Runs the calibration on the current rayon pool; `progress` is called per replicate-tick.
pub fn run(study: &Study, progress: &(dyn Fn() + Sync)) -> Result<Outcome> {
    run_with(
        study,
        &|units, done| super::units::run_here(study, units, progress, done),
        None,
    )
}

/// [`run`], with each batch of candidates run as work units by `runner` (here, on MPI ranks,
/// or, for a job-array shard, this shard's share), and evaluations already in `saved` read
/// instead of run; the outcome is the same.
pub fn run_with(
    study: &Study,
    runner: &super::units::Runner<'_>,
    saved: Option<sweep::Saved<'_>>,
) -> Result<Outcome> {
    if study.parameters().is_empty() || study.targets.is_empty() {
        return Err(Error::Scenario {
            location: Location::WholeFile(study.file.path.clone()),
            message: "a calibration needs at least one [[parameter]] and one [[target]]".into(),
        });
    }
    let priors: Vec<_> = study.parameters().iter().map(|p| p.prior.clone()).collect();
    let observed: Vec<f64> = study.targets.iter().map(|t| t.value).collect();
    let scale: Vec<f64> = study.targets.iter().map(|t| t.scale).collect();
    let first_target = study.outcomes.len();
    let simulate = |thetas: &[Vec<f64>], seeds: &[u64]| -> Result<Vec<Vec<f64>>> {
        let results = sweep::run_with(study, thetas, Some(seeds), saved, runner)?;
        Ok(results
            .iter()
            .map(|r| {
                (0..study.targets.len())
                    .map(|k| r.mean(first_target + k))
                    .collect()
            })
            .collect())
    };
    abc::run(
        &priors,
        &observed,
        &scale,
        &study.file.abc,
        study.file.seed,
        &simulate,
    )
}

/// An estimate of the work (replicate-ticks) for a progress bar, assuming half the
/// candidates of each generation are accepted.
pub fn progress_estimate(study: &Study) -> u64 {
    let runs = study.file.abc.particles as u64 * (1 + 2 * study.file.abc.generations as u64);
    let per_run: u64 = study
        .arms
        .iter()
        .map(|(_, s)| crate::run::progress_total(s))
        .sum();
    runs * per_run
}

/// `posterior.csv`: `particle,<parameters>,weight,distance,<targets>`.
pub fn posterior_csv(study: &Study, pop: &[Particle]) -> String {
    let mut out = String::from("particle");
    for p in study.parameters() {
        let _ = write!(out, ",{}", p.key);
    }
    out.push_str(",weight,distance");
    for t in &study.targets {
        let _ = write!(out, ",{}", t.quantity.name);
    }
    out.push('\n');
    for (i, particle) in pop.iter().enumerate() {
        let _ = write!(out, "{i}");
        for (p, &x) in study.parameters().iter().zip(&particle.theta) {
            let _ = write!(out, ",{}", fmt_f64(p.numeric(x)));
        }
        let _ = write!(
            out,
            ",{},{}",
            fmt_f64(particle.weight),
            fmt_f64(particle.distance)
        );
        for s in &particle.summary {
            let _ = write!(out, ",{}", fmt_f64(*s));
        }
        out.push('\n');
    }
    out
}

/// `history.csv`: one row per generation.
pub fn history_csv(outcome: &Outcome) -> String {
    let mut out =
        String::from("generation,tolerance,simulated,accepted,acceptance_rate,ess,complete\n");
    for (t, g) in outcome.history.iter().enumerate() {
        let _ = writeln!(
            out,
            "{t},{},{},{},{},{},{}",
            fmt_f64(g.tolerance),
            g.simulated,
            g.accepted,
            fmt_f64(g.accepted as f64 / g.simulated.max(1) as f64),
            fmt_f64(g.ess),
            g.complete
        );
    }
    out
}

/// Weighted mean and 2.5%, 50%, 97.5% quantiles of parameter `j` in `pop`.
pub fn summary(pop: &[Particle], j: usize) -> (f64, f64, f64, f64) {
    let vals: Vec<(f64, f64)> = pop.iter().map(|p| (p.theta[j], p.weight)).collect();
    let mean = vals.iter().map(|(x, w)| x * w).sum::<f64>() / vals.iter().map(|v| v.1).sum::<f64>();
    (
        mean,
        abc::weighted_quantile(&vals, 0.025),
        abc::weighted_quantile(&vals, 0.5),
        abc::weighted_quantile(&vals, 0.975),
    )
}

/// `posterior_summary.csv`: per parameter, the prior and the posterior's weighted mean,
/// median and 95% interval.
pub fn summary_csv(study: &Study, outcome: &Outcome) -> String {
    let mut out = String::from("parameter,prior,mean,q2.5,median,q97.5\n");
    for (j, p) in study.parameters().iter().enumerate() {
        let (m, lo, med, hi) = summary(&outcome.posterior, j);
        let _ = writeln!(
            out,
            "{},\"{:?}\",{},{},{},{}",
            p.key,
            p.prior,
            fmt_f64(p.numeric(m)),
            fmt_f64(p.numeric(lo)),
            fmt_f64(p.numeric(med)),
            fmt_f64(p.numeric(hi))
        );
    }
    out
}

/// One posterior-predictive chart per target in `dir/charts/`: the observed value with its
/// 95% band (± 1.96 SD or ± the tolerance), and the weighted mean and 95% interval of the
/// simulated value under the prior and under the posterior.
pub fn write_charts(dir: &Path, study: &Study, outcome: &Outcome) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for (k, t) in study.targets.iter().enumerate() {
        let band = |pop: &[Particle]| {
            let vals: Vec<(f64, f64)> = pop.iter().map(|p| (p.summary[k], p.weight)).collect();
            let mean = vals.iter().map(|(x, w)| x * w).sum::<f64>()
                / vals.iter().map(|v| v.1).sum::<f64>();
            (
                mean,
                abc::weighted_quantile(&vals, 0.025),
                abc::weighted_quantile(&vals, 0.975),
            )
        };
        let (pm, plo, phi) = band(&outcome.prior);
        let (qm, qlo, qhi) = band(&outcome.posterior);
        let bar = |colour: usize, label: &str, (value, lo, hi): (f64, f64, f64)| charts::Bar {
            label: label.to_string(),
            value,
            lo,
            hi,
            colour,
        };
        let bars = vec![
            bar(
                0,
                "observed",
                (t.value, t.value - 1.96 * t.scale, t.value + 1.96 * t.scale),
            ),
            bar(1, "prior predictive", (pm, plo, phi)),
            bar(2, "posterior predictive", (qm, qlo, qhi)),
        ];
        let spec = ChartSpec::new(
            format!("Posterior predictive: {}", t.quantity.name),
            "",
            t.quantity.name.clone(),
        )
        .subtitle(if t.source.is_empty() {
            "whiskers: 95% intervals".to_string()
        } else {
            format!("observed: {}; whiskers: 95% intervals", t.source)
        });
        files.extend(charts::bar_chart(
            &dir.join("charts")
                .join(format!("predictive_{}", t.quantity.name)),
            &spec,
            &bars,
        )?);
    }
    Ok(files)
}
