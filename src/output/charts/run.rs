//! The charts `cocoon run` writes for one scenario's replicates.

use super::*;

/// One chart `run_charts` draws: file name, words, and the metrics with their legend labels.
struct RunChart {
    name: &'static str,
    title: &'static str,
    x_label: &'static str,
    y_label: &'static str,
    percent: bool,
    from_zero: bool,
    /// (metric, legend label); `None` labels the single ribbon by the replicate count.
    metrics: &'static [(&'static str, Option<&'static str>)],
}

const WITHDRAWAL_CHARTS: &[RunChart] = &[
    RunChart {
        name: "hikikomori_prevalence",
        title: "Hikikomori prevalence",
        x_label: "Week",
        y_label: "Hikikomori (% of population)",
        percent: true,
        from_zero: true,
        metrics: &[("hikikomori_prevalence", None)],
    },
    RunChart {
        name: "loneliness",
        title: "Loneliness",
        x_label: "Week",
        y_label: "Lonely (% of population)",
        percent: true,
        from_zero: true,
        metrics: &[("lonely_share", None)],
    },
    RunChart {
        name: "bridging_capital",
        title: "Bridging social capital",
        x_label: "Week",
        y_label: "Bridging ties per agent",
        percent: false,
        from_zero: true,
        metrics: &[("bridging_ties_per_agent", None)],
    },
    RunChart {
        name: "bonding_vs_bridging",
        title: "Bonding vs bridging ties",
        x_label: "Week",
        y_label: "Ties per agent",
        percent: false,
        from_zero: true,
        metrics: &[
            ("bonding_ties_per_agent", Some("Bonding (within group)")),
            ("bridging_ties_per_agent", Some("Bridging (between groups)")),
        ],
    },
    RunChart {
        name: "ei_index",
        title: "E–I index of ties",
        x_label: "Week",
        y_label: "E–I index (−1 all bonding, +1 all bridging)",
        percent: false,
        from_zero: false,
        metrics: &[("ei_index", None)],
    },
];

const SISA_CHARTS: &[RunChart] = &[RunChart {
    name: "prevalence",
    title: "SISa prevalence",
    x_label: "Tick",
    y_label: "Infected (% of agents)",
    percent: true,
    from_zero: true,
    metrics: &[("prevalence", None)],
}];

/// The time-series charts `cocoon run` writes into `<dir>/charts/` for one scenario's
/// replicates. For model `withdrawal`: `hikikomori_prevalence`, `loneliness` (lonely share),
/// `bridging_capital`, `bonding_vs_bridging` and `ei_index`; for `sisa`: `prevalence`; each
/// as `.png` and `.svg`. A chart whose metrics were not recorded is skipped (the folder is
/// only created when there is a chart); other models get none. Returns the paths written.
pub fn run_charts(dir: &Path, model: &str, series: &[Series]) -> Result<Vec<PathBuf>> {
    let plans = match model {
        "withdrawal" => WITHDRAWAL_CHARTS,
        "sisa" => SISA_CHARTS,
        _ => &[],
    };
    let n = series.len();
    let mean_label = if n == 1 {
        "One replicate".to_string()
    } else {
        format!("Mean of {n} replicates")
    };
    let subtitle = if n > 1 {
        "Line: mean over replicates; shaded band: 95% confidence interval of the mean"
    } else {
        "A single replicate: no confidence interval"
    };
    let group = [(String::new(), series)];
    let charts_dir = dir.join("charts");
    let mut written = Vec::new();
    for plan in plans {
        let ribbons: Vec<Ribbon> = plan
            .metrics
            .iter()
            .filter_map(|(metric, label)| {
                let mut r = ribbons_from_series(&group, metric).pop()?;
                if r.points.is_empty() {
                    return None;
                }
                r.label = label.map_or_else(|| mean_label.clone(), String::from);
                Some(r)
            })
            .collect();
        if ribbons.is_empty() {
            continue;
        }
        let mut spec = ChartSpec::new(plan.title, plan.x_label, plan.y_label)
            .subtitle(subtitle)
            .y_from_zero(plan.from_zero);
        if plan.percent {
            spec = spec.percent();
        }
        let base = charts_dir.join(plan.name);
        written.extend(if ribbons.len() > 1 {
            multi_metric_chart(&base, &spec, &ribbons)?
        } else {
            line_chart(&base, &spec, &ribbons)?
        });
    }
    Ok(written)
}
