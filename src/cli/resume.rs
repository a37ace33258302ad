//! `--checkpoint-every` set-up and `cocoon resume DIR`: the spec of how to continue a run is
//! written next to its checkpoints when it starts, and `resume` reads it back, goes to the
//! folder the run was started from (the files it names are relative to it), checks that the
//! inputs still give the same study, and continues through the same code path as the run.

use std::path::Path;

use anyhow::Context as _;

use cocoon::checkpoint::{self, Checkpoints, ResumeSpec};
use cocoon::output::Staging;

/// Sets up the checkpoints of a run starting in the resumable `staging` folder: writes `spec`
/// and marks the checkpoint folder for removal at commit.
pub fn start(staging: &mut Staging, spec: &ResumeSpec) -> anyhow::Result<Checkpoints> {
    let folder = staging.path().join(checkpoint::FOLDER);
    let ck = Checkpoints::new(&folder, spec.every, &spec.study)?;
    spec.write(&folder)?;
    staging.remove_on_commit(checkpoint::FOLDER);
    Ok(ck)
}

/// Reopens the interrupted run's staging folder for `dir` and its checkpoints, after checking
/// that the inputs, loaded again, give the study hash `study` the run started with.
pub fn reopen(
    spec: &ResumeSpec,
    dir: &Path,
    study: &str,
) -> anyhow::Result<(Staging, Checkpoints)> {
    if study != spec.study {
        return Err(cocoon::error::Error::Checkpoint {
            path: spec.file.clone(),
            message: format!(
                "the {} changed since the interrupted run started (its hash was {}, now {study}): \
                 its checkpoints belong to the old one; restore it, or start the run again with \
                 --force",
                if spec.command == "run" {
                    "scenario (or a file it extends)"
                } else {
                    "comparison (or a scenario it uses)"
                },
                spec.study
            ),
        }
        .into());
    }
    let mut staging = Staging::resume(dir, spec.force)?;
    super::report_cleared(&staging);
    // Whatever the killed run had begun to write besides its checkpoints goes.
    staging.clear_except(checkpoint::FOLDER)?;
    let folder = staging.path().join(checkpoint::FOLDER);
    let mut ck = Checkpoints::new(&folder, spec.every, &spec.study)?;
    ck.set_resuming();
    staging.remove_on_commit(checkpoint::FOLDER);
    Ok((staging, ck))
}

/// One line on what the checkpoints cost.
pub fn describe(ck: &Checkpoints) -> String {
    let w = ck.written();
    if w.count == 0 {
        return "No checkpoint was due.\n".into();
    }
    format!(
        "{} checkpoint file(s) written (largest {:.1} MB), {:.2} s in all ({:.3} s per file).\n",
        w.count,
        w.bytes_max as f64 / 1e6,
        w.seconds,
        w.seconds / w.count as f64
    )
}

/// `cocoon resume DIR`.
pub fn resume(dir: &Path, threads: Option<usize>, quiet: bool) -> anyhow::Result<()> {
    let target =
        std::path::absolute(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    let folder = Staging::resumable_path(&target)?;
    if !folder.is_dir() {
        let done = target.join("manifest.json").is_file();
        return Err(cocoon::error::Error::OutputPath {
            path: dir.to_path_buf(),
            message: format!(
                "has no interrupted run to continue (no {}){}",
                folder.display(),
                if done {
                    "; the run it holds is complete"
                } else {
                    "; only a run started with --checkpoint-every can be resumed"
                }
            ),
        }
        .into());
    }
    let spec = ResumeSpec::read(&folder.join(checkpoint::FOLDER))?;
    std::env::set_current_dir(&spec.cwd).with_context(|| {
        format!(
            "cannot go to {}, the folder the run was started from (its files are relative to it)",
            spec.cwd.display()
        )
    })?;
    match spec.command.as_str() {
        "run" => super::run::resume(&spec, &target, threads, quiet),
        "compare" => super::compare::resume(&spec, &target, threads, quiet),
        other => Err(cocoon::error::Error::Checkpoint {
            path: folder
                .join(checkpoint::FOLDER)
                .join(checkpoint::RESUME_FILE),
            message: format!("names the command `{other}`; only `run` and `compare` resume"),
        }
        .into()),
    }
}
