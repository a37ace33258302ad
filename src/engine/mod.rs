//! The simulation engine: a tick loop over a [`Model`], replicates in parallel, and the
//! record of what each replicate measured.
//!
//! The engine knows nothing about withdrawal or contagion. A model owns its state by column
//! (one `Vec` per variable), advances it one synchronous tick at a time (read tick t, write
//! only each agent's own slot of t+1, apply cross-agent changes at one point in a fixed order),
//! and reports metrics through a [`Recorder`]. The engine runs tick 0 (observe only), then
//! ticks 1..=T (step, observe), for every replicate.

pub mod par;
pub mod rng;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
pub use par::Exec;
pub use rng::{Purpose, Streams};

/// One measured value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// Tick (0 = initial state).
    pub tick: u32,
    /// Index into [`Series::metrics`].
    pub metric: u16,
    /// The value.
    pub value: f64,
}

/// A distribution reported at the end of a replicate (e.g. hikikomori durations).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Distribution {
    /// What is counted, e.g. `days_out`.
    pub name: String,
    /// The bin's lower edge or value.
    pub bins: Vec<f64>,
    /// Number of agents (or cases) in each bin.
    pub counts: Vec<u64>,
}

/// Everything one replicate measured, in the order it was recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Replicate index.
    pub replicate: u32,
    /// Metric names, in first-recorded order.
    pub metrics: Vec<String>,
    /// Values, in recording order (tick-major).
    pub rows: Vec<Row>,
    /// End-of-run distributions.
    pub distributions: Vec<Distribution>,
}

impl Series {
    /// The values of `metric` as (tick, value), in tick order.
    pub fn values(&self, metric: &str) -> Vec<(u32, f64)> {
        match self.metrics.iter().position(|m| m == metric) {
            Some(idx) => self
                .rows
                .iter()
                .filter(|r| r.metric as usize == idx)
                .map(|r| (r.tick, r.value))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The last recorded value of `metric`.
    pub fn last(&self, metric: &str) -> Option<f64> {
        self.values(metric).last().map(|&(_, v)| v)
    }
}

/// Collects a model's measurements for the current tick.
pub struct Recorder<'a> {
    series: &'a mut Series,
    tick: u32,
}

impl<'a> Recorder<'a> {
    /// A recorder appending to `series` at `tick` (for drivers other than [`run_one`], such
    /// as the benchmarks).
    pub fn new(series: &'a mut Series, tick: u32) -> Recorder<'a> {
        Recorder { series, tick }
    }

    /// Records `value` for `metric` at the current tick.
    pub fn put(&mut self, metric: &str, value: f64) {
        let idx = match self.series.metrics.iter().position(|m| m == metric) {
            Some(i) => i,
            None => {
                self.series.metrics.push(metric.to_string());
                self.series.metrics.len() - 1
            }
        };
        self.series.rows.push(Row {
            tick: self.tick,
            metric: idx as u16,
            value,
        });
    }

    /// Records an end-of-run distribution.
    pub fn distribution(&mut self, d: Distribution) {
        self.series.distributions.push(d);
    }

    /// The tick being recorded.
    pub fn tick(&self) -> u32 {
        self.tick
    }
}

/// A model the engine can run.
pub trait Model: Send {
    /// Records the metrics of the current state (called at tick 0 and after every step).
    fn observe(&mut self, rec: &mut Recorder<'_>);
    /// Advances the state from tick `tick - 1` to tick `tick`.
    fn step(&mut self, tick: u32, exec: Exec);
    /// Records end-of-run distributions (called once after the last tick).
    fn finish(&mut self, _rec: &mut Recorder<'_>) {}
}

/// Runs one replicate for `ticks` ticks.
pub fn run_one<M: Model>(
    model: &mut M,
    replicate: u32,
    ticks: u32,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
) -> Series {
    let none = &mut |_: u32, _: &M, _: &Series| Ok::<(), std::convert::Infallible>(());
    match run_from(
        model,
        replicate,
        Series::default(),
        0,
        ticks,
        exec,
        progress,
        none,
    ) {
        Ok(series) => series,
        Err(never) => match never {},
    }
}

/// Runs one replicate from tick `from` to `ticks`, calling `after(t, model, series)` at the
/// end of every tick `t` (for checkpoints). From 0, the model is fresh and tick 0 is observed
/// first; from a later tick, the model and `series` are as they were at the end of tick
/// `from` (a resumed checkpoint), and the result is the same as one uninterrupted run.
#[allow(clippy::too_many_arguments)]
pub fn run_from<M: Model, E>(
    model: &mut M,
    replicate: u32,
    mut series: Series,
    from: u32,
    ticks: u32,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
    after: &mut dyn FnMut(u32, &M, &Series) -> std::result::Result<(), E>,
) -> std::result::Result<Series, E> {
    series.replicate = replicate;
    if from == 0 {
        model.observe(&mut Recorder {
            series: &mut series,
            tick: 0,
        });
    }
    for t in from + 1..=ticks {
        model.step(t, exec);
        model.observe(&mut Recorder {
            series: &mut series,
            tick: t,
        });
        progress();
        after(t, model, &series)?;
    }
    model.finish(&mut Recorder {
        series: &mut series,
        tick: ticks,
    });
    Ok(series)
}

/// Builds and runs `replicates` replicates (in parallel under [`Exec::Parallel`]); results are
/// in replicate order whatever the scheduling.
pub fn run_replicates<M, B>(
    replicates: u32,
    seed: u64,
    ticks: u32,
    exec: Exec,
    build: B,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Series>>
where
    M: Model,
    B: Fn(Streams) -> Result<M> + Sync,
{
    let one = |r: u32| -> Result<Series> {
        let mut model = build(Streams::new(seed, r))?;
        Ok(run_one(&mut model, r, ticks, exec, progress))
    };
    match exec {
        Exec::Sequential => (0..replicates).map(one).collect(),
        Exec::Parallel => (0..replicates).into_par_iter().map(one).collect(),
    }
}
