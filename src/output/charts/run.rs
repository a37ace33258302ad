//! The charts `cocoon run` writes for one scenario's replicates, and the time axis and events
//! (contact shock, funding changes) every time chart of a scenario shares.

use super::*;
use crate::scenario::{Scenario, Value};

/// One chart `run_charts` draws: file name, words, and the metrics with their legend labels.
struct RunChart {
    name: &'static str,
    title: &'static str,
    y_label: &'static str,
    percent: bool,
    from_zero: bool,
    /// (metric, legend label); `None`: a single series, no legend.
    metrics: &'static [(&'static str, Option<&'static str>)],
}

const WITHDRAWAL_CHARTS: &[RunChart] = &[
    RunChart {
        name: "hikikomori_prevalence",
        title: "Hikikomori prevalence",
        y_label: "Hikikomori (% of population)",
        percent: true,
        from_zero: true,
        metrics: &[("hikikomori_prevalence", None)],
    },
    RunChart {
        name: "loneliness",
        title: "Loneliness",
        y_label: "Lonely (% of population)",
        percent: true,
        from_zero: true,
        metrics: &[("lonely_share", None)],
    },
    RunChart {
        name: "bridging_capital",
        title: "Bridging social capital",
        y_label: "Bridging ties per agent",
        percent: false,
        from_zero: true,
        metrics: &[("bridging_ties_per_agent", None)],
    },
    RunChart {
        name: "bonding_vs_bridging",
        title: "Bonding vs bridging ties",
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
        y_label: "E–I index (−1 all bonding, +1 all bridging)",
        percent: false,
        from_zero: true,
        metrics: &[("ei_index", None)],
    },
];

const SISA_CHARTS: &[RunChart] = &[RunChart {
    name: "prevalence",
    title: "SISa prevalence",
    y_label: "Infected (% of agents)",
    percent: true,
    from_zero: true,
    metrics: &[("prevalence", None)],
}];

/// The x-axis title and scale of a scenario's time charts: for the withdrawal model, years
/// (a tick is a week) with the burn-in named; otherwise ticks. Returns `(title, divisor)`.
pub fn time_axis(s: &Scenario) -> (String, f64) {
    if s.model != "withdrawal" {
        return ("Tick".into(), 1.0);
    }
    let burn_in = match s.params.get("withdrawal.burn_in_ticks") {
        Some(Value::Int(b)) if *b > 0 => *b,
        _ => return ("Years".into(), 52.0),
    };
    let years = burn_in as f64 / 52.0;
    let shown = if years.fract() == 0.0 {
        format!("{years:.0}")
    } else {
        format!("{years:.1}")
    };
    (format!("Years after a {shown}-year burn-in"), 52.0)
}

/// Periods to shade and moments to mark on a scenario's time charts, in the units of
/// [`time_axis`]: the contact shock (`shock.*`, when it changes anything) and each change of
/// funding (`policy.schedule_ticks`).
pub fn scenario_events(s: &Scenario) -> Events {
    let (_, div) = time_axis(s);
    let p = &s.params;
    let int = |k: &str| match p.get(k) {
        Some(Value::Int(v)) if p.applies(k) => *v,
        _ => 0,
    };
    let mut shaded = Vec::new();
    let (start, weeks) = (int("shock.start"), int("shock.weeks"));
    let strength = match p.get("shock.days_out") {
        Some(Value::Float(v)) if p.applies("shock.days_out") => *v,
        _ => 0.0,
    };
    if weeks > 0 && strength > 0.0 {
        shaded.push((
            start as f64 / div,
            (start + weeks) as f64 / div,
            "contact shock".to_string(),
        ));
    }
    let marks = match p.get("policy.schedule_ticks") {
        Some(Value::IntList(ticks)) if p.applies("policy.schedule_ticks") => ticks
            .iter()
            .filter(|t| **t > 0)
            .map(|&t| (t as f64 / div, "funding change".to_string()))
            .collect(),
        _ => Vec::new(),
    };
    (shaded, marks)
}

/// The time-series charts `cocoon run` writes into `<dir>/charts/` for one scenario's
/// replicates. For model `withdrawal`: `hikikomori_prevalence`, `loneliness` (lonely share),
/// `bridging_capital`, `bonding_vs_bridging` and `ei_index`; for `sisa`: `prevalence`; each
/// as `.png` and `.svg`. A chart whose metrics were not recorded is skipped (the folder is
/// only created when there is a chart); other models get none. Returns the paths written.
pub fn run_charts(dir: &Path, scenario: &Scenario, series: &[Series]) -> Result<Vec<PathBuf>> {
    let plans = match scenario.model.as_str() {
        "withdrawal" => WITHDRAWAL_CHARTS,
        "sisa" => SISA_CHARTS,
        _ => &[],
    };
    let n = series.len();
    let (x_label, div) = time_axis(scenario);
    let (shaded, marks) = scenario_events(scenario);
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
                r.label = label.unwrap_or_default().to_string();
                Some(r)
            })
            .collect();
        let ribbons = in_years_by(ribbons, div);
        if ribbons.is_empty() {
            continue;
        }
        let mut spec = ChartSpec::new(plan.title, x_label.clone(), plan.y_label)
            .subtitle(subtitle)
            .y_from_zero(plan.from_zero)
            .events(shaded.clone(), marks.clone());
        if plan.percent {
            spec = spec.percent();
        }
        let base = charts_dir.join(plan.name);
        written.extend(line_chart(&base, &spec, &ribbons)?);
    }
    Ok(written)
}
