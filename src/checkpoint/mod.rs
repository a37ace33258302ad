//! Checkpoint and resume: `--checkpoint-every WEEKS` saves the full state of every running
//! replicate at the end of every WEEKS-th simulated week, and `cocoon resume DIR` continues a
//! killed run or comparison from there, with outputs byte-identical to an uninterrupted run.
//!
//! Where: a checkpointed run stages its output in the deterministic staging folder
//! `.NAME.cocoon-staging-resumable` next to the target (see
//! [`crate::output::staging::Staging::begin_resumable`]), so `resume` can find it from the
//! target's name alone; the checkpoints sit in its `checkpoint/` subfolder, which is removed
//! before the folder is renamed into place. A folder under its final name is therefore still
//! always exactly one complete run, and holds the same files as a run without checkpoints.
//!
//! What: the work is cut into the same units as a comparison (burn-in group × replicate, see
//! [`crate::compare::units`]; a `run` is one group). Each unit keeps one file for its shared
//! burn-in (the reusable post-burn-in state once the burn-in is over) and one per arm (the
//! model and the series recorded so far, or the finished series), each replaced atomically.
//! Random draws are keyed by (seed, purpose, tick, agent) ([`crate::engine::rng`]), so a
//! stream's position is the model's clock, which the state holds. Every file is in the
//! versioned format of [`codec`], checked on load against this build and the study's hash.

pub mod codec;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::engine::{Distribution, Row, Series};
use crate::error::{Error, Result};
pub use codec::{Dec, Enc};

/// The subfolder of the staging folder that holds the checkpoints.
pub const FOLDER: &str = "checkpoint";
/// The file in [`FOLDER`] that says how to continue the run.
pub const RESUME_FILE: &str = "resume.json";

/// Where a run's checkpoints go, how often, and what was written (for the closing line).
#[derive(Debug)]
pub struct Checkpoints {
    dir: PathBuf,
    every: u32,
    study: String,
    count: AtomicU64,
    bytes_max: AtomicU64,
    nanos: AtomicU64,
    resumed: std::sync::Mutex<Vec<ResumedFrom>>,
    resuming: bool,
}

/// A state a resumed run continued from, for the manifest's run section.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ResumedFrom {
    /// The checkpoint file, relative to the checkpoint folder.
    pub checkpoint: String,
    /// The simulated week (burn-in included) at whose end the state was saved; the weeks after
    /// it were simulated again. `None`: the file held a finished arm's series, nothing rerun.
    pub week: Option<u64>,
}

/// What [`Checkpoints`] wrote, for the closing line and measurements.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Written {
    /// Checkpoint files written.
    pub count: u64,
    /// The largest, in bytes.
    pub bytes_max: u64,
    /// Seconds spent encoding and writing them, all together.
    pub seconds: f64,
}

impl Checkpoints {
    /// Checkpoints in `dir` (created if missing) every `every` weeks for the study with hash
    /// `study`.
    pub fn new(dir: &Path, every: u32, study: &str) -> Result<Checkpoints> {
        match std::fs::create_dir(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => {
                return Err(Error::Write {
                    path: dir.to_path_buf(),
                    source: e,
                })
            }
        }
        Ok(Checkpoints {
            dir: dir.to_path_buf(),
            every,
            study: study.to_string(),
            count: AtomicU64::new(0),
            bytes_max: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
            resumed: std::sync::Mutex::new(Vec::new()),
            resuming: false,
        })
    }

    /// Whether the state at the end of simulated week `clock` (burn-in included) is saved.
    pub fn due(&self, clock: u64) -> bool {
        self.every > 0 && clock.is_multiple_of(self.every as u64)
    }

    /// The study hash the files are checked against.
    pub fn study(&self) -> &str {
        &self.study
    }

    /// The file named `what`.
    pub fn path(&self, what: &str) -> PathBuf {
        self.dir.join(format!("{what}.ckpt"))
    }

    /// Saves `what` through `body` (atomically, replacing the previous one).
    pub fn save(
        &self,
        what: &str,
        body: impl FnOnce(&mut Enc<std::io::BufWriter<std::fs::File>>),
    ) -> Result<()> {
        let started = Instant::now();
        let bytes = codec::save(&self.path(what), &self.study, what, body)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        self.bytes_max.fetch_max(bytes, Ordering::Relaxed);
        self.nanos
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Loads `what` if it was saved, decoding it with `body` (which must read all of it).
    pub fn load<T>(
        &self,
        what: &str,
        body: impl FnOnce(&mut Dec<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let path = self.path(what);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Write { path, source: e }),
        };
        let mut d = Dec::open(&bytes, &path, &self.study, what)?;
        let value = body(&mut d)?;
        d.done()?;
        Ok(Some(value))
    }

    /// Records that the work continued from the state `what`, saved at the end of `week`
    /// (`None`: a finished series).
    pub fn note_resumed(&self, what: &str, week: Option<u64>) {
        let from = ResumedFrom {
            checkpoint: format!("{what}.ckpt"),
            week,
        };
        self.resumed
            .lock()
            .expect("no panics while locked")
            .push(from);
    }

    /// Marks these checkpoints as those of an interrupted run being continued.
    pub fn set_resuming(&mut self) {
        self.resuming = true;
    }

    /// For a continued run, the states it continued from, in file-name order (empty if the
    /// run was killed before its first checkpoint); `None` for a fresh run.
    pub fn resumed(&self) -> Option<Vec<ResumedFrom>> {
        if !self.resuming {
            return None;
        }
        let mut all = self.resumed.lock().expect("no panics while locked").clone();
        all.sort();
        Some(all)
    }

    /// What was written so far.
    pub fn written(&self) -> Written {
        Written {
            count: self.count.load(Ordering::Relaxed),
            bytes_max: self.bytes_max.load(Ordering::Relaxed),
            seconds: self.nanos.load(Ordering::Relaxed) as f64 * 1e-9,
        }
    }
}

/// Refuses `--checkpoint-every` for a model that cannot save its state (exit code 2).
pub fn supported(model: &str) -> Result<()> {
    if model == "withdrawal" {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--checkpoint-every is available for the withdrawal model only; this runs `{model}`, \
             whose runs are short enough to start again"
        )))
    }
}

/// Writes a series (every value as its bit pattern).
pub fn put_series<W: std::io::Write>(e: &mut Enc<W>, s: &Series) {
    let Series {
        replicate,
        metrics,
        rows,
        distributions,
    } = s;
    e.put_u32(*replicate);
    e.put_usize(metrics.len());
    for m in metrics {
        e.put_str(m);
    }
    let ticks: Vec<u32> = rows.iter().map(|r| r.tick).collect();
    let ids: Vec<u16> = rows.iter().map(|r| r.metric).collect();
    let values: Vec<f64> = rows.iter().map(|r| r.value).collect();
    e.put_slice(&ticks);
    e.put_slice(&ids);
    e.put_slice(&values);
    e.put_usize(distributions.len());
    for d in distributions {
        let Distribution { name, bins, counts } = d;
        e.put_str(name);
        e.put_slice(bins);
        e.put_slice(counts);
    }
}

/// Reads a series written by [`put_series`].
pub fn get_series(d: &mut Dec<'_>) -> Result<Series> {
    let replicate = d.u32()?;
    let n = d.usize()?;
    let mut metrics = Vec::with_capacity(n.min(1 << 12));
    for _ in 0..n {
        metrics.push(d.str()?);
    }
    let ticks: Vec<u32> = d.vec()?;
    let ids: Vec<u16> = d.column(ticks.len(), "row metrics")?;
    let values: Vec<f64> = d.column(ticks.len(), "row values")?;
    if ids.iter().any(|&m| m as usize >= metrics.len()) {
        return Err(d.invalid("a row names a metric that is not in the series"));
    }
    let rows = ticks
        .into_iter()
        .zip(ids)
        .zip(values)
        .map(|((tick, metric), value)| Row {
            tick,
            metric,
            value,
        })
        .collect();
    let k = d.usize()?;
    let mut distributions = Vec::with_capacity(k.min(1 << 12));
    for _ in 0..k {
        let name = d.str()?;
        let bins: Vec<f64> = d.vec()?;
        let counts: Vec<u64> = d.column(bins.len(), "distribution counts")?;
        distributions.push(Distribution { name, bins, counts });
    }
    Ok(Series {
        replicate,
        metrics,
        rows,
        distributions,
    })
}

/// How to continue a checkpointed run: what `cocoon resume` reads from [`RESUME_FILE`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeSpec {
    /// Always `cocoon-resume`.
    pub format: String,
    /// [`codec::FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// [`codec::cocoon_version`] of the build that started the run.
    pub version: String,
    /// `run` or `compare`.
    pub command: String,
    /// The folder the run was started from (file paths are relative to it).
    pub cwd: PathBuf,
    /// The scenario or comparison file, as given.
    pub file: PathBuf,
    /// `--set` overrides, in order.
    pub sets: Vec<String>,
    /// `--seed` (run only).
    pub seed: Option<u64>,
    /// `--independent` (compare only).
    pub independent: bool,
    /// The output folder, as given or defaulted.
    pub out: PathBuf,
    /// `--force`.
    pub force: bool,
    /// `--checkpoint-every`.
    pub every: u32,
    /// Hash of the study the checkpoints belong to.
    pub study: String,
    /// The original command line (recorded in the manifest as the run's command).
    pub command_line: Vec<String>,
}

impl ResumeSpec {
    /// Writes the spec into the checkpoint folder `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("resume specs serialize");
        text.push('\n');
        crate::output::atomic::write(&dir.join(RESUME_FILE), text.as_bytes())
    }

    /// Reads the spec of the checkpoint folder `dir`, refusing another format or build.
    pub fn read(dir: &Path) -> Result<ResumeSpec> {
        let path = dir.join(RESUME_FILE);
        let refuse = |message: String| Error::Checkpoint {
            path: path.clone(),
            message,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            refuse(format!(
                "cannot read it ({e}); the run was killed before its first checkpoint folder \
                 was set up, so there is nothing to continue: start it again"
            ))
        })?;
        let spec: ResumeSpec = serde_json::from_str(&text)
            .map_err(|e| refuse(format!("not a cocoon resume file: {e}")))?;
        if spec.format != "cocoon-resume" || spec.format_version != codec::FORMAT_VERSION {
            return Err(refuse(format!(
                "resume format `{}` version {}; this cocoon reads `cocoon-resume` version {}",
                spec.format,
                spec.format_version,
                codec::FORMAT_VERSION
            )));
        }
        let ours = codec::cocoon_version();
        if spec.version != ours {
            return Err(refuse(format!(
                "the run was started by cocoon {}, but this is cocoon {ours}; a checkpoint is \
                 continued only by the build that wrote it (start the run again, or use that \
                 build)",
                spec.version
            )));
        }
        Ok(spec)
    }
}

/// A hash (FNV-1a 64, hex) of everything that determines a scenario's results: the cocoon
/// version, its name, seed, replicates, ticks and every resolved parameter.
pub fn scenario_hash(s: &crate::scenario::Scenario) -> String {
    let identity = (
        codec::cocoon_version(),
        &s.name,
        &s.model,
        s.seed,
        s.replicates,
        s.ticks,
        s.record(),
    );
    let bytes = serde_json::to_vec(&identity).expect("scenario records serialize");
    crate::engine::rng::fnv1a_hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_round_trip_with_nan_and_distributions() {
        let s = Series {
            replicate: 3,
            metrics: vec!["a".into(), "b".into()],
            rows: vec![
                Row {
                    tick: 0,
                    metric: 0,
                    value: f64::NAN,
                },
                Row {
                    tick: 0,
                    metric: 1,
                    value: -0.0,
                },
                Row {
                    tick: 1,
                    metric: 0,
                    value: 0.1,
                },
            ],
            distributions: vec![Distribution {
                name: "d".into(),
                bins: vec![0.0, 1.5],
                counts: vec![4, 5],
            }],
        };
        let dir = tempfile::tempdir().unwrap();
        let ck = Checkpoints::new(&dir.path().join("c"), 4, "h").unwrap();
        assert!(ck.due(8) && !ck.due(9));
        assert!(ck.load("s", get_series).unwrap().is_none());
        ck.save("s", |e| put_series(e, &s)).unwrap();
        let back = ck.load("s", get_series).unwrap().unwrap();
        assert_eq!(format!("{back:?}"), format!("{s:?}"));
        assert_eq!(back.rows[1].value.to_bits(), (-0.0f64).to_bits());
        assert_eq!(ck.written().count, 1);
        // Another study's checkpoints are refused by name.
        let other = Checkpoints::new(&dir.path().join("c"), 4, "g").unwrap();
        let e = other.load("s", get_series).unwrap_err().to_string();
        assert!(e.contains("another scenario"), "{e}");
    }
}
