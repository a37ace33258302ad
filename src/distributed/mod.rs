//! Spreading a comparison beyond one process: job-array shards merged afterwards, and (with
//! the `mpi` cargo feature) MPI ranks fed by rank 0.
//!
//! Both cut the work the same way, into the comparison's [`crate::compare::units`], and both
//! hand every unit result back to [`crate::compare::units::assemble`], the function a
//! single-process run uses too; the output files are therefore byte-identical to a run on one
//! machine, except the manifest's run section, which records how the work was spread.
//!
//! - [`wire`]: unit results as exact bytes (every `f64` by its bit pattern), for shard files
//!   and MPI messages alike.
//! - [`shard`]: `--shard K/N` (a fixed share of the units, written with a manifest naming the
//!   study) and the checks `cocoon merge` makes before it assembles the shards.
//! - [`sweep_shard`]: `sweep --shard K/N`, a fixed share of a sweep's design points, merged
//!   back into the single run's `sweep.csv`.
//! - `mpi` (feature `mpi`): rank 0 hands out units one at a time, so fast ranks take more.
//!
//! There is no home-made scheduler or socket protocol: job arrays are the cluster's own
//! scheduler, and MPI is the cluster's own transport.

#[cfg(feature = "mpi")]
pub mod mpi;
pub mod shard;
pub mod sweep_shard;
pub mod wire;
