//! MPI (feature `mpi`): `mpirun -n N cocoon compare FILE` spreads the comparison's work units
//! over ranks with the cluster's own MPI, through rsmpi.
//!
//! Rank 0 coordinates: each other rank asks for work, is sent one unit, runs it on its own
//! rayon pool and sends the result back with its next request, so a fast rank takes more
//! units than a slow one. Rank 0 does not run units itself; it probes for messages and sleeps
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

use std::collections::BTreeMap;

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

/// The error when `mpirun` stops the job while `assigned` units were running.
fn stopped(assigned: &BTreeMap<i32, Unit>) -> Error {
    let running: Vec<String> = assigned
        .iter()
        .map(|(rank, u)| {
            format!(
                "rank {rank} on work unit (group {}, replicate {})",
                u.group, u.replicate
            )
        })
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

/// An initialised MPI environment; MPI is finalised when it is dropped.
pub struct Mpi {
    universe: Universe,
}

impl Mpi {
    /// Initialises MPI (outside `mpirun`, as a single rank).
    pub fn init() -> Result<Mpi> {
        let (universe, _) = mpi::initialize_with_threading(Threading::Funneled)
            .ok_or_else(|| Error::Model("MPI was already initialised in this process".into()))?;
        Ok(Mpi { universe })
    }

    /// This process's rank.
    pub fn rank(&self) -> i32 {
        self.universe.world().rank()
    }

    /// Number of ranks.
    pub fn size(&self) -> i32 {
        self.universe.world().size()
    }

    /// Rank 0: hands out `units` one at a time to ranks 1.., and collects their results
    /// (`on_result` is called once per result). Returns when every other rank has been told to
    /// stop. On a failure, the error names the rank and the unit.
    pub fn coordinate(&self, units: &[Unit], on_result: &dyn Fn()) -> Result<Vec<UnitResult>> {
        let world = self.universe.world();
        let mut active = world.size() - 1;
        let mut next = 0;
        let mut results = Vec::with_capacity(units.len());
        let mut assigned: BTreeMap<i32, Unit> = BTreeMap::new();
        let mut failure: Option<String> = None;
        catch_sigterm();
        while active > 0 {
            let Some((bytes, status)) = receive_politely(&world) else {
                return Err(stopped(&assigned));
            };
            let rank = status.source_rank();
            let unit = assigned.remove(&rank);
            let name = |u: Option<Unit>| match u {
                Some(u) => format!("work unit (group {}, replicate {})", u.group, u.replicate),
                None => "no work unit".to_string(),
            };
            match status.tag() {
                READY => {}
                RESULT => match wire::decode(&bytes, &format!("rank {rank}")) {
                    Ok(r) => {
                        results.push(r);
                        on_result();
                    }
                    Err(e) => {
                        failure.get_or_insert(format!("{e} ({})", name(unit)));
                    }
                },
                FAILED => {
                    let why = String::from_utf8_lossy(&bytes);
                    failure.get_or_insert(format!("rank {rank} failed on {}: {why}", name(unit)));
                }
                other => {
                    failure.get_or_insert(format!(
                        "rank {rank} sent an unexpected message (tag {other}) during {}",
                        name(unit)
                    ));
                }
            }
            let process = world.process_at_rank(rank);
            if failure.is_none() && next < units.len() {
                let u = units[next];
                next += 1;
                assigned.insert(rank, u);
                process.send_with_tag(&[u.group as u64, u.replicate as u64][..], WORK);
            } else {
                process.send_with_tag(&[0u64; 0][..], STOP);
                active -= 1;
            }
        }
        match failure {
            Some(f) => Err(Error::Model(f)),
            None => Ok(results),
        }
    }

    /// Rank 0, when it fails before coordinating (e.g. a bad argument): tells every other
    /// rank to stop.
    pub fn stop_workers(&self) {
        let world = self.universe.world();
        for _ in 1..world.size() {
            let Some((_, status)) = receive_politely(&world) else {
                return;
            };
            world
                .process_at_rank(status.source_rank())
                .send_with_tag(&[0u64; 0][..], STOP);
        }
    }

    /// Ranks 1..: asks rank 0 for units and runs each with `run` until told to stop. An error
    /// or panic in `run` is sent to rank 0 (which reports it) and the rank then waits to be
    /// stopped.
    pub fn work(&self, run: &dyn Fn(Unit) -> Result<UnitResult>) {
        let world = self.universe.world();
        let root = world.process_at_rank(0);
        root.send_with_tag(&[0u8; 0][..], READY);
        loop {
            let (msg, status): (Vec<u64>, Status) = root.receive_vec::<u64>();
            if status.tag() != WORK || msg.len() != 2 {
                return;
            }
            let unit = Unit {
                group: msg[0] as usize,
                replicate: msg[1] as u32,
            };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(unit)));
            match outcome {
                Ok(Ok(result)) => root.send_with_tag(&wire::encode(&result)[..], RESULT),
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
