//! MPI (feature `mpi`): `mpirun -n N cocoon compare FILE` (and `sweep`, `sensitivity`,
//! `calibrate`) spreads the work units over ranks with the cluster's own MPI, through rsmpi.
//!
//! Rank 0 coordinates: each other rank asks for work, is sent one unit, runs it on its own
//! rayon pool and sends the result back with its next request, so a fast rank takes more
//! units than a slow one. Units and results are opaque bytes here (each command encodes its
//! own, see [`super::wire`] and [`crate::study::units`]), so one protocol serves every
//! command. Work comes in rounds ([`Mpi::hand_out`]): a comparison or a sweep is one round, a
//! calibration one round per batch of candidates; between rounds the workers wait for rank 0,
//! and [`Mpi::stop_workers`] ends them. Rank 0 does not run units itself; it probes for messages and sleeps
//! between probes rather than spinning in a blocking receive, so it needs almost no CPU and
//! can share a core with a worker. Results travel as
//! [`super::wire`] bytes and rank 0 assembles them exactly as a single process does. Only the
//! main thread of each rank calls MPI (`MPI_THREAD_FUNNELED`).
//!
//! A unit that fails on a rank (an error or a panic) is reported back; rank 0 then hands out
//! nothing more, lets the busy ranks finish, and returns an error naming the rank and unit, so
//! nothing is written. A rank whose process dies outright is reported by `mpirun` itself, which
//! ends the job with SIGTERM (then SIGKILL); rank 0 catches the SIGTERM, fails naming the units
//! each rank was running, and its staging folder goes, so nothing is written.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mpi::environment::{Threading, Universe};
use mpi::point_to_point::{Destination, Source, Status};
use mpi::topology::Communicator;

use super::wire;
use crate::compare::units::{Unit, UnitResult};
use crate::error::{Error, Result};

const READY: i32 = 1;
const WORK: i32 = 2;
const STOP: i32 = 3;
const RESULT: i32 = 4;
const FAILED: i32 = 5;

/// Set by the SIGTERM handler rank 0 installs while it coordinates.
static STOPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_sigterm(_: libc::c_int) {
    // Async-signal-safe: one atomic store; the coordinating loop notices it within 1 ms.
    STOPPED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Makes SIGTERM set [`STOPPED`] instead of ending rank 0 at once. When a rank's process dies
/// outright (killed, out of memory, a crash in native code), `mpirun` ends the job by sending
/// SIGTERM to the other ranks and SIGKILL a moment later; in that moment rank 0 names the
/// units the ranks were running and fails the normal way, so its staging folder is removed
/// and nothing is written.
fn catch_sigterm() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGTERM,
            on_sigterm as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

/// The next message to rank 0 from any rank, or `None` if `mpirun` is stopping the job. A
/// blocking MPI receive polls and keeps a core busy for the whole run; rank 0 only waits, so
/// it probes and sleeps a millisecond between probes instead (units take seconds to minutes,
/// so the delay is negligible).
fn receive_politely(world: &mpi::topology::SimpleCommunicator) -> Option<(Vec<u8>, Status)> {
    loop {
        if STOPPED.load(std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        if let Some(probe) = world.any_process().immediate_probe() {
            return Some(
                world
                    .process_at_rank(probe.source_rank())
                    .receive_vec_with_tag::<u8>(probe.tag()),
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// The error when `mpirun` stops the job while the units `running` (rank, unit name) were
/// being computed.
fn stopped(running: &BTreeMap<i32, String>) -> Error {
    let running: Vec<String> = running
        .iter()
        .map(|(rank, unit)| format!("rank {rank} on {unit}"))
        .collect();
    Error::Model(format!(
        "mpirun is stopping the job: a rank's process ended abnormally (mpirun names it); it was \
         running {}; nothing was written",
        if running.is_empty() {
            "no work unit".to_string()
        } else {
            running.join(", ")
        }
    ))
}

/// True once `mpirun` has told rank 0 to stop (SIGTERM): the job is being torn down, so rank
/// 0 must report at once and not call `MPI_Finalize` (which would wait for the dead rank).
pub fn stopping() -> bool {
    STOPPED.load(std::sync::atomic::Ordering::SeqCst)
}

/// What rank 0 does with each result: (unit index, result bytes, the rank that sent it).
pub type OnResult<'a> = dyn FnMut(usize, &[u8], i32) -> Result<()> + 'a;

/// An initialised MPI environment; MPI is finalised when it is dropped.
pub struct Mpi {
    universe: Universe,
    /// Rank 0: the ranks that have sent a message and wait for an answer (work or stop).
    parked: RefCell<Vec<i32>>,
    /// Rank 0: where to keep the record of the units in flight, if anywhere.
    record: RefCell<Option<PathBuf>>,
}

/// Keeps `running` (rank, unit name) in the file `path` (replaced whole; no `fsync`, since it
/// only has to survive rank 0's process, not the machine), or removes it when nothing runs.
/// If `mpirun` kills rank 0 before it can report, the file says which rank ran which unit.
fn record(path: &Path, running: &BTreeMap<i32, String>) {
    if running.is_empty() {
        let _ = std::fs::remove_file(path);
        return;
    }
    let mut text = String::from("an MPI run, with work units in flight:");
    for (rank, unit) in running {
        text.push_str(&format!(" rank {rank} on {unit};"));
    }
    text.push('\n');
    let tmp = path.with_extension("tmp");
    // A record that cannot be written only loses this diagnostic, never results.
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

impl Mpi {
    /// Initialises MPI (outside `mpirun`, as a single rank).
    pub fn init() -> Result<Mpi> {
        let (universe, _) = mpi::initialize_with_threading(Threading::Funneled)
            .ok_or_else(|| Error::Model("MPI was already initialised in this process".into()))?;
        Ok(Mpi {
            universe,
            parked: RefCell::new(Vec::new()),
            record: RefCell::new(None),
        })
    }

    /// Rank 0: keep the record of which rank runs which unit in the file `path` from now on
    /// (see [`crate::output::staging::NOTE_FILE`]); it is removed at the end of each round.
    pub fn record_in(&self, path: PathBuf) {
        *self.record.borrow_mut() = Some(path);
    }

    /// This process's rank.
    pub fn rank(&self) -> i32 {
        self.universe.world().rank()
    }

    /// Number of ranks.
    pub fn size(&self) -> i32 {
        self.universe.world().size()
    }

    /// Rank 0: hands out `units` (opaque bytes) one at a time to the ranks 1.. as they ask,
    /// and gives each result to `on_result` (unit index, bytes, sending rank). Returns when
    /// every unit's result is in, or, after a failure, when no rank is busy any more; the
    /// workers then wait for the next round or [`Mpi::stop_workers`]. `name` names a unit in
    /// errors. On a failure (a unit's error or panic on a rank, an unreadable result) the
    /// error names the rank and the unit.
    pub fn hand_out(
        &self,
        units: &[Vec<u8>],
        name: &dyn Fn(usize) -> String,
        on_result: &mut OnResult<'_>,
    ) -> Result<()> {
        let world = self.universe.world();
        let mut parked = self.parked.borrow_mut();
        let mut next = 0;
        let mut assigned: BTreeMap<i32, usize> = BTreeMap::new();
        let mut failure: Option<String> = None;
        let recording = self.record.borrow().clone();
        let keep = |assigned: &BTreeMap<i32, usize>| {
            if let Some(path) = &recording {
                record(
                    path,
                    &assigned.iter().map(|(&r, &i)| (r, name(i))).collect(),
                );
            }
        };
        catch_sigterm();
        loop {
            while failure.is_none() && next < units.len() {
                let Some(rank) = parked.pop() else { break };
                assigned.insert(rank, next);
                world
                    .process_at_rank(rank)
                    .send_with_tag(&units[next][..], WORK);
                next += 1;
            }
            keep(&assigned);
            if assigned.is_empty() && (failure.is_some() || next == units.len()) {
                break;
            }
            let Some((bytes, status)) = receive_politely(&world) else {
                let running = assigned.iter().map(|(&r, &i)| (r, name(i))).collect();
                return Err(stopped(&running));
            };
            let rank = status.source_rank();
            parked.push(rank);
            let unit = assigned.remove(&rank);
            let what = || unit.map_or_else(|| "no work unit".to_string(), name);
            match (status.tag(), unit) {
                (READY, _) => {}
                (RESULT, Some(i)) => {
                    if let Err(e) = on_result(i, &bytes, rank) {
                        failure.get_or_insert(format!("rank {rank}, {}: {e}", what()));
                    }
                }
                (FAILED, _) => {
                    let why = String::from_utf8_lossy(&bytes);
                    failure.get_or_insert(format!("rank {rank} failed on {}: {why}", what()));
                }
                (other, _) => {
                    failure.get_or_insert(format!(
                        "rank {rank} sent an unexpected message (tag {other}) during {}",
                        what()
                    ));
                }
            }
        }
        match failure {
            Some(f) => Err(Error::Model(f)),
            None => Ok(()),
        }
    }

    /// Rank 0, at the end (or when it fails before or between rounds, e.g. on a bad
    /// argument): waits until every other rank is waiting for an answer and tells each to
    /// stop. Returns at once if `mpirun` is stopping the job.
    pub fn stop_workers(&self) {
        let world = self.universe.world();
        let mut parked = self.parked.borrow_mut();
        while parked.len() < (world.size() - 1).max(0) as usize {
            let Some((_, status)) = receive_politely(&world) else {
                return;
            };
            parked.push(status.source_rank());
        }
        for rank in parked.drain(..) {
            world
                .process_at_rank(rank)
                .send_with_tag(&[0u8; 0][..], STOP);
        }
    }

    /// Rank 0 of a comparison: its units in one round, then the workers are stopped.
    /// `on_result` is called once per result.
    pub fn coordinate(&self, units: &[Unit], on_result: &dyn Fn()) -> Result<Vec<UnitResult>> {
        let bytes: Vec<Vec<u8>> = units.iter().map(|&u| wire::encode_unit(u)).collect();
        let name = |i: usize| {
            format!(
                "work unit (group {}, replicate {})",
                units[i].group, units[i].replicate
            )
        };
        let mut results = Vec::with_capacity(units.len());
        let round = self.hand_out(&bytes, &name, &mut |_, b, rank| {
            results.push(wire::decode(b, &format!("rank {rank}"))?);
            on_result();
            Ok(())
        });
        if !stopping() {
            self.stop_workers();
        }
        round.map(|()| results)
    }

    /// Ranks 1..: asks rank 0 for units and runs each with `run` (unit bytes to result bytes)
    /// until told to stop. An error or panic in `run` is sent to rank 0 (which reports it,
    /// naming this rank and the unit) and the rank then waits to be stopped.
    pub fn work(&self, run: &dyn Fn(&[u8]) -> Result<Vec<u8>>) {
        let world = self.universe.world();
        let root = world.process_at_rank(0);
        root.send_with_tag(&[0u8; 0][..], READY);
        loop {
            let (msg, status): (Vec<u8>, Status) = root.receive_vec::<u8>();
            if status.tag() != WORK {
                return;
            }
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&msg)));
            match outcome {
                Ok(Ok(result)) => root.send_with_tag(&result[..], RESULT),
                Ok(Err(e)) => root.send_with_tag(e.to_string().as_bytes(), FAILED),
                Err(panic) => {
                    let why = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic".into());
                    root.send_with_tag(format!("panicked: {why}").as_bytes(), FAILED)
                }
            }
        }
    }
}
