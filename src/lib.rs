//! cocoon: an agent-based simulation of social withdrawal (hikikomori) and social capital.
//!
//! The crate is layered so each part can be read alone:
//! - [`scenario`]: TOML → validated parameters, with located errors;
//! - [`graph`]: the population graph in flat CSR arrays, generators, CSV import, metrics;
//! - [`engine`]: the deterministic parallel tick loop and keyed random streams;
//! - [`models`]: the SISa reference model and the withdrawal model;
//! - [`policy`]: levers, budgets and funding schedules;
//! - [`run`]: one scenario start to finish; [`output`]: files, written atomically;
//! - [`checkpoint`]: `--checkpoint-every` and `cocoon resume`, in a versioned binary format;
//! - [`bench`]: throughput measurements for `cocoon bench` and the criterion benches.
//! - [`compare`]: policy arms on one base scenario, paired differences and a report.
//! - [`study`]: sweeps, sensitivity analysis, calibration and decisions under uncertainty.
//! - [`serve`]: the workshop page (`cocoon serve`): twin worlds live in a browser.
//!
//! ```
//! use cocoon::{engine::Exec, run, scenario::Scenario};
//! let s = Scenario::from_sets("demo", &["graph.n=500".into(), "ticks=5".into()]).unwrap();
//! let result = run::execute(&s, Exec::Parallel, &|| {}).unwrap();
//! assert_eq!(result.series[0].values("infected").len(), 6);
//! ```
#![warn(missing_docs)]

pub mod bench;
pub mod checkpoint;
pub mod compare;
pub mod distributed;
pub mod engine;
pub mod error;
pub mod graph;
pub mod input;
pub mod models;
pub mod output;
pub mod policy;
pub mod resources;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod stats;
pub mod study;
