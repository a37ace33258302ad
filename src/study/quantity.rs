//! What a study measures: an outcome to analyse or a target to fit, computed from the series
//! the model recorded. The study knows models only through their recorded metrics and
//! distributions, so a quantity is checked against what a short probe run of the base scenario
//! actually records ([`check_recorded`]), not against a list kept here.

use crate::engine::Series;
use crate::error::{Error, Location, Result};

/// How a metric's values over a tick window are reduced to one number per replicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    /// Mean over the window.
    Mean,
    /// Value at the window's last tick.
    Final,
    /// Sum over the window (e.g. a weekly count summed to person-weeks).
    Sum,
}

impl Stat {
    /// Accepted spellings.
    pub const NAMES: &'static [&'static str] = &["mean", "final", "sum"];

    /// Parses a spelling from [`Stat::NAMES`].
    pub fn parse(s: &str) -> Option<Stat> {
        match s {
            "mean" => Some(Stat::Mean),
            "final" => Some(Stat::Final),
            "sum" => Some(Stat::Sum),
            _ => None,
        }
    }
}

/// What is measured in one run.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// A recorded metric over ticks `from..=to`.
    Metric {
        /// Metric name, e.g. `hikikomori_prevalence`.
        metric: String,
        /// First tick of the window.
        from: u32,
        /// Last tick of the window.
        to: u32,
        /// Reduction over the window.
        stat: Stat,
    },
    /// The share of an end-of-run distribution's count at bins `>= at_least` (e.g. the share
    /// of current cases that have lasted at least 156 weeks).
    ShareAtLeast {
        /// Distribution name, e.g. `hikikomori_duration_current_weeks`.
        distribution: String,
        /// Smallest bin counted.
        at_least: f64,
    },
}

/// Which arm(s) of the base a quantity is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmSel {
    /// One arm (index; 0 for a scenario base).
    One(usize),
    /// Arm `a` minus arm `b`, replicate by replicate (paired: same random streams).
    Difference(usize, usize),
}

/// An outcome or target.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// Name used in CSV files and charts.
    pub name: String,
    /// What is measured.
    pub measure: Measure,
    /// Which arms.
    pub arms: ArmSel,
    /// Where it is defined in the study file.
    pub location: Location,
}

impl Quantity {
    /// The value in one replicate, given that replicate's series for every arm (`None` when
    /// the run did not record what is asked; the probe makes that a located error first).
    pub fn value(&self, per_arm: &[&Series]) -> Option<f64> {
        match self.arms {
            ArmSel::One(a) => measure(&self.measure, per_arm[a]),
            ArmSel::Difference(a, b) => {
                Some(measure(&self.measure, per_arm[a])? - measure(&self.measure, per_arm[b])?)
            }
        }
    }
}

/// One number from one replicate.
pub fn measure(m: &Measure, s: &Series) -> Option<f64> {
    match m {
        Measure::Metric {
            metric,
            from,
            to,
            stat,
        } => {
            let vals: Vec<f64> = s
                .values(metric)
                .into_iter()
                .filter(|(t, _)| (*from..=*to).contains(t))
                .map(|(_, v)| v)
                .collect();
            let last = *vals.last()?;
            Some(match stat {
                Stat::Mean => vals.iter().sum::<f64>() / vals.len() as f64,
                Stat::Final => last,
                Stat::Sum => vals.iter().sum(),
            })
        }
        Measure::ShareAtLeast {
            distribution,
            at_least,
        } => {
            let d = s.distributions.iter().find(|d| &d.name == distribution)?;
            let total: u64 = d.counts.iter().sum();
            let over: u64 = d
                .bins
                .iter()
                .zip(&d.counts)
                .filter(|(b, _)| **b >= *at_least)
                .map(|(_, c)| c)
                .sum();
            Some(if total == 0 {
                0.0
            } else {
                over as f64 / total as f64
            })
        }
    }
}

/// Checks that every quantity's metric or distribution is recorded by the probe runs (one
/// series per arm), with a located error listing what is recorded otherwise.
pub fn check_recorded(quantities: &[&Quantity], probe: &[&Series]) -> Result<()> {
    for q in quantities {
        let arms: Vec<usize> = match q.arms {
            ArmSel::One(a) => vec![a],
            ArmSel::Difference(a, b) => vec![a, b],
        };
        for a in arms {
            let s = probe[a];
            let (found, what, known): (bool, &str, Vec<&str>) = match &q.measure {
                Measure::Metric { metric, .. } => (
                    s.metrics.iter().any(|m| m == metric),
                    metric,
                    s.metrics.iter().map(String::as_str).collect(),
                ),
                Measure::ShareAtLeast { distribution, .. } => (
                    s.distributions.iter().any(|d| &d.name == distribution),
                    distribution,
                    s.distributions.iter().map(|d| d.name.as_str()).collect(),
                ),
            };
            if !found {
                let mut known = known;
                known.sort_unstable();
                known.dedup();
                return Err(Error::Scenario {
                    location: q.location.clone(),
                    message: format!(
                        "`{what}` is not recorded by this model; it records: {}",
                        if known.is_empty() {
                            "nothing of this kind".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Distribution, Recorder};

    fn series(values: &[f64]) -> Series {
        let mut s = Series::default();
        for (t, v) in values.iter().enumerate() {
            Recorder::new(&mut s, t as u32).put("x", *v);
        }
        Recorder::new(&mut s, 0).distribution(Distribution {
            name: "d".into(),
            bins: vec![0.0, 100.0, 200.0],
            counts: vec![2, 1, 1],
        });
        s
    }

    #[test]
    fn windows_stats_and_differences() {
        let a = series(&[1.0, 2.0, 3.0, 4.0]);
        let b = series(&[0.0, 0.0, 1.0, 1.0]);
        let m = |stat| Measure::Metric {
            metric: "x".into(),
            from: 1,
            to: 3,
            stat,
        };
        assert_eq!(measure(&m(Stat::Mean), &a), Some(3.0));
        assert_eq!(measure(&m(Stat::Final), &a), Some(4.0));
        assert_eq!(measure(&m(Stat::Sum), &a), Some(9.0));
        let share = Measure::ShareAtLeast {
            distribution: "d".into(),
            at_least: 100.0,
        };
        assert_eq!(measure(&share, &a), Some(0.5));
        let q = Quantity {
            name: "diff".into(),
            measure: m(Stat::Sum),
            arms: ArmSel::Difference(0, 1),
            location: Location::Set("test".into()),
        };
        assert_eq!(q.value(&[&a, &b]), Some(7.0));
        assert!(check_recorded(&[&q], &[&a, &b]).is_ok());
        let missing = Quantity {
            measure: Measure::Metric {
                metric: "y".into(),
                from: 0,
                to: 0,
                stat: Stat::Mean,
            },
            ..q
        };
        let err = check_recorded(&[&missing], &[&a, &b]).unwrap_err();
        assert!(err.to_string().contains("it records: x"), "{err}");
    }
}
