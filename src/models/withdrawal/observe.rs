//! What the model records: every recorded tick's metrics (from the [`Tally`]), the network
//! measures on their own schedule, and the distributions at the end of a run.
//!
//! - **Reads**: the [`Tally`]; ties (components, clustering, loneliness by distance); the
//!   policy's own records; `days`, `isolated_weeks` and the ended episodes at the end.
//! - **Writes**: the recorder only (and `timings`).
//! - **Acts**: at recorded ticks (0..) and at the end, never during burn-in.
//! - **Random**: none.
//! - **Owns**: [`SPECS`]: how often the network measures run, and the reported age window
//!   (read by `tally.rs`). They change what is recorded, never the state.

use std::time::Instant;

use super::burn_in::Acts;
use super::params::W;
use super::tally::{age_group_range, Tally, AGE_GROUPS};
use super::{association, episodes, population, Withdrawal};
use crate::engine::par::Exec;
use crate::engine::{Distribution, Recorder};
use crate::graph::metrics;
use crate::scenario::ParamSpec;

/// The keys of what is recorded.
pub static SPECS: &[ParamSpec] = &[
    ParamSpec::int(
        "withdrawal.network_every",
        4,
        1,
        100_000,
        "weeks",
        "Largest-component share and E-I index are measured every this many ticks.",
        "convention",
        W,
    ),
    ParamSpec::int(
        "withdrawal.clustering_every",
        52,
        1,
        100_000,
        "weeks",
        "Transitivity and mean local clustering are measured every this many ticks (costly).",
        "convention",
        W,
    ),
    ParamSpec::int(
        "withdrawal.report_age_min",
        12,
        12,
        64,
        "years",
        "Youngest age counted in hikikomori_in_range (the survey's age range).",
        "preset: survey age range",
        W,
    ),
    ParamSpec::int(
        "withdrawal.report_age_max",
        64,
        12,
        64,
        "years",
        "Oldest age counted in hikikomori_in_range.",
        "preset: survey age range",
        W,
    ),
];

/// When [`SPECS`] first act: only on what is recorded, from tick 0 on.
pub(super) const ACTS: Acts = Acts::AfterBurnIn;

fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Withdrawal {
    /// Records this tick's metrics (the body of [`Model::observe`](crate::engine::Model::observe)).
    pub(super) fn record(&mut self, rec: &mut Recorder<'_>) {
        let started = Instant::now();
        let y = self.tally(Exec::Parallel);
        self.timings.tally += started.elapsed().as_secs_f64();
        let n = self.n() as u64;
        rec.put("hikikomori_prevalence", share(y.hik, n));
        rec.put("hikikomori_in_range", share(y.hik_range, y.n_range));
        for (b, name) in population::BANDS.iter().enumerate() {
            rec.put(
                &format!("hikikomori.{name}"),
                share(y.hik_band[b], y.n_band[b]),
            );
        }
        for (b, name) in population::BANDS.iter().enumerate() {
            rec.put(
                &format!("role_share.{name}"),
                share(y.role_band[b], y.n_band[b]),
            );
            rec.put(
                &format!("scarred_share.{name}"),
                share(y.scarred_band[b], y.n_band[b]),
            );
        }
        for k in 0..AGE_GROUPS {
            let (lo, hi) = age_group_range(k);
            rec.put(
                &format!("hikikomori.age_{lo}_{hi}"),
                share(y.hik_age5[k], y.n_age5[k]),
            );
        }
        rec.put("hikikomori.female", share(y.hik_sex[0], y.n_sex[0]));
        rec.put("hikikomori.male", share(y.hik_sex[1], y.n_sex[1]));
        // Severity grades are shares of all agents (so they add up to `hikikomori_prevalence`),
        // hence the prefix; `hikikomori.<band or sex>` are shares within the band or sex.
        for (k, name) in ["mild", "moderate", "severe"].iter().enumerate() {
            rec.put(
                &format!("hikikomori_prevalence.{name}"),
                share(y.hik_sev[k], n),
            );
        }
        rec.put("hikikomori_male_share", share(y.hik_sex[1], y.hik));
        rec.put("hikikomori_young_adult_share", share(y.hik_band[1], y.hik));
        rec.put("isolated_under_26_weeks", share(y.isolated_short, n));
        rec.put("hikikomori_long_share", share(y.hik_long, y.hik));
        rec.put("loneliness_mean", y.loneliness / n.max(1) as f64);
        rec.put("lonely_share", share(y.lonely, n));
        for (b, name) in population::BANDS.iter().enumerate() {
            rec.put(
                &format!("lonely_share.{name}"),
                share(y.lonely_band[b], y.n_band[b]),
            );
        }
        rec.put(
            "lonely_share_18_64",
            share(
                y.lonely_band[1] + y.lonely_band[2],
                y.n_band[1] + y.n_band[2],
            ),
        );
        rec.put(
            "victimisation_traditional",
            share(y.victim_trad, y.n_band[0]),
        );
        rec.put("victimisation_cyber", share(y.victim_cyber, y.n_band[0]));
        rec.put("victimisation_overlap", share(y.victim_both, y.victim_trad));
        rec.put("screen_hours_mean", y.screen / n.max(1) as f64);
        rec.put("substance_use_prevalence", share(y.using, n));
        rec.put("recovery_share", share(y.recovery, n));
        rec.put("bonding_ties_per_agent", share(y.bonding, n));
        rec.put("bridging_ties_per_agent", share(y.bridging, n));
        rec.put("mean_degree", share(y.degree, n));
        rec.put(
            "ties_refused",
            (self.ties.refused - self.refused_before) as f64,
        );
        rec.put("hikikomori_count", y.hik as f64);
        self.policy.record(rec);
        self.record_network(rec, &y);
    }

    /// The network measures, each on its own schedule (`withdrawal.network_every`,
    /// `withdrawal.clustering_every`).
    fn record_network(&mut self, rec: &mut Recorder<'_>, y: &Tally) {
        let tick = rec.tick();
        if tick.is_multiple_of(self.p.network_every) {
            let ei = if y.bonding + y.bridging > 0 {
                (y.bridging as f64 - y.bonding as f64) / (y.bridging + y.bonding) as f64
            } else {
                0.0
            };
            rec.put("ei_index", ei);
            let started = Instant::now();
            rec.put("largest_component_share", self.largest_component_share());
            self.timings.components += started.elapsed().as_secs_f64();
        }
        if tick.is_multiple_of(self.p.clustering_every) {
            let started = Instant::now();
            let g = self.ties.snapshot(&self.traits.group);
            let (transitivity, local) = metrics::clustering(&g);
            self.timings.clustering += started.elapsed().as_secs_f64();
            rec.put("transitivity", transitivity);
            rec.put("mean_local_clustering", local);
        }
    }

    /// Records the end-of-run distributions and loneliness by distance (the body of
    /// [`Model::finish`](crate::engine::Model::finish)).
    pub(super) fn record_final(&mut self, rec: &mut Recorder<'_>) {
        let n = self.n();
        let mut days = vec![0u64; 8];
        for &d in &self.days {
            days[d as usize] += 1;
        }
        rec.distribution(Distribution {
            name: "days_out".into(),
            bins: (0..8).map(f64::from).collect(),
            counts: days,
        });
        let bins: Vec<f64> = episodes::DURATION_BINS.iter().map(|&b| b as f64).collect();
        let bin_of = episodes::bin_of;
        let mut current = vec![0u64; bins.len()];
        for i in 0..n {
            if self.is_hikikomori(i) {
                current[bin_of(self.state.isolated_weeks[i])] += 1;
            }
        }
        let mut ended = vec![0u64; bins.len()];
        for &w in &self.episodes {
            ended[bin_of(w)] += 1;
        }
        rec.distribution(Distribution {
            name: "hikikomori_duration_current_weeks".into(),
            bins: bins.clone(),
            counts: current,
        });
        rec.distribution(Distribution {
            name: "hikikomori_duration_ended_weeks".into(),
            bins,
            counts: ended,
        });
        let lonely: Vec<bool> = (0..n).map(|i| self.is_lonely(i)).collect();
        let design = association::RECORDED;
        let table =
            association::by_distance(&self.ties, &lonely, &design, &self.streams, self.clock);
        for (d, e) in table.iter().enumerate() {
            rec.put(&format!("lonely_excess_d{}", d + 1), e.excess());
        }
    }

    /// Largest connected share over all ties (concurrent union-find over the slabs).
    pub fn largest_component_share(&self) -> f64 {
        let ties = &self.ties;
        let largest = metrics::largest_component_size(Exec::Parallel, self.n(), |i| ties.slab(i).0);
        largest as f64 / self.n().max(1) as f64
    }
}
