//! `cocoon calibrate`: ABC-SMC fit of a study's parameters to its targets.

use cocoon::study::{self, calibrate};

use super::sweep::StudyArgs;

pub fn calibrate(args: &StudyArgs) -> anyhow::Result<()> {
    super::sweep::on_ranks(args, None, |p| calibrate_on(args, p))
}

fn calibrate_on(args: &StudyArgs, p: super::sweep::Prepared<'_>) -> anyhow::Result<()> {
    let bar = super::run::progress_bar(calibrate::progress_estimate(&p.study), p.quiet);
    let fitted = &p.study;
    let outcome = p.run_on(&bar, |runner| calibrate::run_with(fitted, runner));
    bar.finish_and_clear();
    let outcome = outcome?;
    let info = p.info();
    let summary = calibrate::summary_csv(&p.study, &outcome);
    let history = calibrate::history_csv(&outcome);
    let simulated: usize = outcome.history.iter().map(|g| g.simulated).sum();
    if !p.quiet {
        crate::print_stderr(&format!("{history}{summary}"));
    }
    p.write(args.force, &format!("{simulated} simulations"), |dir| {
        let charts = calibrate::write_charts(dir, &p.study, &outcome)?;
        study::out::write(
            dir,
            &p.study,
            study::out::What {
                command: "calibrate",
                design: "abc-smc",
                points: simulated,
            },
            &[
                (
                    "posterior.csv".into(),
                    calibrate::posterior_csv(&p.study, &outcome.posterior).into_bytes(),
                ),
                ("posterior_summary.csv".into(), summary.into_bytes()),
                ("history.csv".into(), history.into_bytes()),
            ],
            &charts,
            &info,
        )
    })
}
