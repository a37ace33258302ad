//! `cocoon sensitivity`: Morris screening or Sobol indices for a study's outcomes.

use cocoon::study::{self, sensitivity::Method};

use super::sweep::StudyArgs;

/// Which estimator to use.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MethodArg {
    /// Morris elementary effects (mu*, sigma): `points` trajectories of parameters + 1 runs.
    Morris,
    /// Sobol first-order and total indices: `points` base rows of parameters + 2 runs.
    Sobol,
}

pub fn sensitivity(args: &StudyArgs, method: MethodArg) -> anyhow::Result<()> {
    let method = match method {
        MethodArg::Morris => Method::Morris,
        MethodArg::Sobol => Method::Sobol,
    };
    super::sweep::on_ranks(args, None, |p| sensitivity_of(args, method, p))
}

fn sensitivity_of(
    args: &StudyArgs,
    method: Method,
    p: super::sweep::Prepared<'_>,
) -> anyhow::Result<()> {
    let (points, trajectories) = study::sensitivity::design(&p.study, method)?;
    let results = p.run_points(&points)?;
    let info = p.info();
    let table = study::sensitivity::table(&p.study, method, &trajectories, &results);
    let csv = study::sweep::sweep_csv(&p.study, &points, &results);
    if !p.quiet {
        crate::print_stderr(&table);
    }
    let what = format!(
        "{} runs x {} replicate(s)",
        points.len() * p.study.arms.len(),
        p.study.file.replicates
    );
    p.write(args.force, &what, |dir| {
        let charts = study::sensitivity::write_charts(
            dir,
            &p.study,
            method,
            &trajectories,
            &points,
            &results,
        )?;
        study::out::write(
            dir,
            &p.study,
            study::out::What {
                command: "sensitivity",
                design: method.name(),
                points: points.len(),
            },
            &[
                (format!("{}.csv", method.name()), table.into_bytes()),
                ("sweep.csv".into(), csv.into_bytes()),
            ],
            &charts,
            &info,
        )
    })
}
