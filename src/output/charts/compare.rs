//! The charts of a comparison, in the order a reader needs them: what each arm changes first
//! (paired differences from the baseline over time, and at the end or over the horizon as
//! bars with paired intervals, so the bars and the text agree), then the cost-effectiveness
//! plane, then the levels per arm (the baseline's 95% band shaded, the other arms as lines, so
//! overlapping bands do not blend into one smear).
//!
//! Every arm keeps one colour in every chart ([`arm_colour`]: the baseline black, the others
//! from the Okabe–Ito palette in file order), and no chart repeats a colour. Time axes are in
//! years after the burn-in ([`time_axis`]); the contact shock is shaded and funding changes are
//! marked ([`scenario_events`]). Axes of levels and differences include zero.

use super::*;
use crate::compare::{analysis, Comparison};

/// One chart of a comparison: its files (PNG then SVG) and its title (the report's caption).
pub struct ComparisonChart {
    /// The PNG and SVG written.
    pub files: Vec<PathBuf>,
    /// The chart's title.
    pub title: String,
}

struct TimeChart {
    name: &'static str,
    metric: &'static str,
    what: &'static str,
    y: &'static str,
    percent: bool,
}

const DIFFERENCES: &[TimeChart] = &[
    TimeChart {
        name: "prevalence_difference_by_arm",
        metric: "hikikomori_prevalence",
        what: "Hikikomori prevalence",
        y: "Difference (percentage points)",
        percent: true,
    },
    TimeChart {
        name: "prevalence_difference_by_arm",
        metric: "prevalence",
        what: "Prevalence",
        y: "Difference (percentage points)",
        percent: true,
    },
    TimeChart {
        name: "loneliness_difference_by_arm",
        metric: "lonely_share",
        what: "Share lonely",
        y: "Difference (percentage points)",
        percent: true,
    },
    TimeChart {
        name: "bridging_difference_by_arm",
        metric: "bridging_ties_per_agent",
        what: "Bridging ties per agent",
        y: "Difference (ties per agent)",
        percent: false,
    },
    TimeChart {
        name: "bonding_difference_by_arm",
        metric: "bonding_ties_per_agent",
        what: "Bonding ties per agent",
        y: "Difference (ties per agent)",
        percent: false,
    },
];

const LEVELS: &[TimeChart] = &[
    TimeChart {
        name: "prevalence_by_arm",
        metric: "hikikomori_prevalence",
        what: "Hikikomori prevalence by arm",
        y: "Hikikomori (% of population)",
        percent: true,
    },
    TimeChart {
        name: "prevalence_by_arm",
        metric: "prevalence",
        what: "Prevalence by arm",
        y: "Infected (% of agents)",
        percent: true,
    },
    TimeChart {
        name: "loneliness_by_arm",
        metric: "lonely_share",
        what: "Share lonely by arm",
        y: "Lonely (% of population)",
        percent: true,
    },
    TimeChart {
        name: "bridging_by_arm",
        metric: "bridging_ties_per_agent",
        what: "Bridging ties per agent by arm",
        y: "Bridging ties per agent",
        percent: false,
    },
    TimeChart {
        name: "ei_index_by_arm",
        metric: "ei_index",
        what: "E–I index by arm (−1 all bonding, +1 all bridging)",
        y: "E–I index",
        percent: false,
    },
];

/// Final outcomes shown as paired differences from the baseline: (file, outcome, words,
/// percent).
const BARS: &[(&str, &str, &str, bool)] = &[
    (
        "person_years_difference",
        analysis::HIKIKOMORI_PERSON_YEARS,
        "Hikikomori person-years over the horizon",
        false,
    ),
    (
        "final_prevalence",
        "hikikomori_prevalence",
        "Hikikomori prevalence at the final week",
        true,
    ),
    (
        "final_prevalence",
        "prevalence",
        "Prevalence at the final tick",
        true,
    ),
    (
        "final_loneliness",
        "lonely_share",
        "Share lonely at the final week",
        true,
    ),
    (
        "final_bridging",
        "bridging_ties_per_agent",
        "Bridging ties per agent at the final week",
        false,
    ),
];

/// Writes the comparison charts into `<dir>/charts/` (PNG and SVG), skipping any whose
/// metric the model does not record; returns them in reading order.
pub fn comparison_charts(dir: &Path, c: &Comparison) -> Result<Vec<ComparisonChart>> {
    let p = &c.plan;
    let base = p.baseline;
    let (x_label, div) = time_axis(&p.arms[base].scenario);
    let (mut shaded, mut marks) = (Vec::new(), Vec::new());
    for a in &p.arms {
        let (s, m) = scenario_events(&a.scenario);
        shaded.extend(s);
        marks.extend(m);
    }
    shaded.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    shaded.dedup();
    marks.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    marks.dedup();
    let ctx = Ctx {
        c,
        charts_dir: dir.join("charts"),
        base,
        base_name: &p.arms[base].name,
        groups: p
            .arms
            .iter()
            .zip(&c.arms)
            .map(|(a, r)| (a.name.clone(), &r.series[..]))
            .collect(),
        x_label,
        div,
        shaded,
        marks,
    };
    let mut out = Vec::new();
    ctx.differences_over_time(&mut out)?;
    ctx.differences_at_the_end(&mut out)?;
    ctx.cost_effectiveness_plane(&mut out)?;
    ctx.levels(&mut out)?;
    Ok(out)
}

/// What every chart of one comparison shares: the arms' series, the baseline, the time axis
/// and the scenario events drawn on it.
struct Ctx<'a> {
    c: &'a Comparison,
    charts_dir: PathBuf,
    base: usize,
    base_name: &'a str,
    groups: Vec<(String, &'a [Series])>,
    x_label: String,
    div: f64,
    shaded: Vec<(f64, f64, String)>,
    marks: Vec<(f64, String)>,
}

impl Ctx<'_> {
    /// Whether any arm recorded `metric`.
    fn has(&self, metric: &str) -> bool {
        self.c.arms.iter().any(|a| {
            a.series
                .iter()
                .any(|s| s.metrics.iter().any(|m| m == metric))
        })
    }

    /// Each arm in its colour, with a band for the baseline only.
    fn recolour(&self, ribbons: Vec<Ribbon>) -> Vec<Ribbon> {
        ribbons
            .into_iter()
            .enumerate()
            .map(|(k, mut r)| {
                r.colour = arm_colour(k, self.base);
                r.band = k == self.base;
                r
            })
            .collect()
    }

    /// A time chart of `ribbons` with the scenario's events, in years after the burn-in.
    fn time_chart(
        &self,
        t: &TimeChart,
        title: &str,
        subtitle: String,
        ribbons: Vec<Ribbon>,
        out: &mut Vec<ComparisonChart>,
    ) -> Result<()> {
        let mut spec = ChartSpec::new(title, &self.x_label, t.y)
            .subtitle(subtitle)
            .events(self.shaded.clone(), self.marks.clone());
        if t.percent {
            spec = spec.percent();
        }
        let files = line_chart(
            &self.charts_dir.join(t.name),
            &spec,
            &in_years_by(ribbons, self.div),
        )?;
        out.push(ComparisonChart {
            files,
            title: title.to_string(),
        });
        Ok(())
    }

    /// What each arm changes over time: every arm's band, since these are what separate them.
    fn differences_over_time(&self, out: &mut Vec<ComparisonChart>) -> Result<()> {
        for t in DIFFERENCES.iter().filter(|t| self.has(t.metric)) {
            let ribbons: Vec<Ribbon> = self
                .recolour(difference_ribbons(&self.groups, self.base, t.metric))
                .into_iter()
                .enumerate()
                .filter(|(k, _)| *k != self.base)
                .map(|(_, mut r)| {
                    r.band = true;
                    r
                })
                .collect();
            let title = format!("{}: paired difference from {}", t.what, self.base_name);
            let subtitle =
                "Line: mean paired difference over replicates; band: its 95% interval".to_string();
            self.time_chart(t, &title, subtitle, ribbons, out)?;
        }
        Ok(())
    }

    /// The same at the end (or over the horizon), with the paired intervals the text quotes.
    fn differences_at_the_end(&self, out: &mut Vec<ComparisonChart>) -> Result<()> {
        let p = &self.c.plan;
        for &(name, outcome, what, percent) in BARS {
            let bars: Vec<Bar> = p
                .arms
                .iter()
                .zip(&self.c.arms)
                .enumerate()
                .filter(|(k, _)| *k != self.base)
                .filter_map(|(k, (a, r))| {
                    let d = r.effects.get(outcome)?.diff?;
                    Some(Bar {
                        label: a.name.clone(),
                        value: d.mean,
                        lo: d.lo,
                        hi: d.hi,
                        colour: arm_colour(k, self.base),
                    })
                })
                .collect();
            if bars.is_empty() {
                continue;
            }
            let title = format!("{what}: paired difference from {}", self.base_name);
            let y = if percent {
                "Difference (percentage points)"
            } else {
                "Difference"
            };
            let mut spec = ChartSpec::new(&title, "Arm", y).subtitle(
                "Bar: mean paired difference over replicates; whiskers: its 95% interval",
            );
            if percent {
                spec = spec.percent();
            }
            let files = bar_chart(&self.charts_dir.join(name), &spec, &bars)?;
            out.push(ComparisonChart { files, title });
        }
        Ok(())
    }

    /// The cost-effectiveness plane, with the baseline at the origin.
    fn cost_effectiveness_plane(&self, out: &mut Vec<ComparisonChart>) -> Result<()> {
        let (c, base, base_name) = (self.c, self.base, self.base_name);
        let p = &c.plan;
        let currency = c.conventions.currency.as_deref().unwrap_or("money units");
        let mut points: Vec<PlanePoint> = p
            .arms
            .iter()
            .zip(&c.arms)
            .enumerate()
            .filter_map(|(k, (a, r))| {
                let (s, y) = (r.cost.spend_diff?, r.cost.person_years_averted?);
                Some(PlanePoint {
                    label: a.name.clone(),
                    x: (y.mean, y.lo, y.hi),
                    y: (s.mean, s.lo, s.hi),
                    colour: arm_colour(k, base),
                })
            })
            .collect();
        if points.is_empty() {
            return Ok(());
        }
        points.insert(
            0,
            PlanePoint {
                label: base_name.to_string(),
                x: (0.0, 0.0, 0.0),
                y: (0.0, 0.0, 0.0),
                colour: arm_colour(base, base),
            },
        );
        let discounted = if c.conventions.discount_rate > 0.0 {
            ", discounted"
        } else {
            ""
        };
        let title = "Cost-effectiveness plane".to_string();
        let spec = ChartSpec::new(
            &title,
            format!("Hikikomori person-years averted over the horizon{discounted}"),
            format!("Extra spend over {base_name} ({currency}{discounted})"),
        )
        .subtitle("Point: mean over paired replicates; bars: 95% intervals both ways; the baseline at the origin")
        .x_from_zero(true);
        let files = scatter_chart(&self.charts_dir.join("cost_effectiveness"), &spec, &points)?;
        out.push(ComparisonChart { files, title });
        Ok(())
    }

    /// Levels per arm: the baseline's band, the others as lines.
    fn levels(&self, out: &mut Vec<ComparisonChart>) -> Result<()> {
        for t in LEVELS.iter().filter(|t| self.has(t.metric)) {
            let ribbons = self.recolour(ribbons_from_series(&self.groups, t.metric));
            let subtitle = format!(
                "Line: mean over replicates; band: 95% interval of {}'s mean",
                self.base_name
            );
            self.time_chart(t, t.what, subtitle, ribbons, out)?;
        }
        Ok(())
    }
}
