//! `cocoon calibrate`: ABC-SMC fit of a study's parameters to its targets, in one process, over
//! MPI ranks, or as job-array shards.
//!
//! ABC-SMC is sequential: each batch of candidates is proposed from the results of the ones
//! before. A shard (`--shard K/N`) therefore replays the calibration from the start, reading
//! every evaluation already saved beside the output (`.NAME.cocoon-points/`, by fingerprint),
//! until it reaches the first batch with candidates still to evaluate; it evaluates its share
//! of that batch (candidates whose index is K-1 modulo N), saves them and stops. All shards
//! see the same batch, since proposals depend only on the seed and earlier results. Run the
//! array again until a shard finds every evaluation saved (it marks the calibration complete);
//! then a run without `--shard` replays it from the saved evaluations and writes the outputs,
//! byte-identical to one uninterrupted process.

use std::sync::atomic::{AtomicUsize, Ordering};

use cocoon::distributed::shard::ShardSpec;
use cocoon::output::Distributed;
use cocoon::study::sweep::Saved;
use cocoon::study::units::StudyUnit;
use cocoon::study::{self, calibrate};

use super::sweep::{points_dir, StudyArgs};

/// The file a shard leaves in the evaluations folder when nothing is left to evaluate; it
/// holds the shard count N and [`marker_key`] (a marker of another study file or build is not
/// this calibration's).
const COMPLETE_FILE: &str = "calibration-complete";

pub fn calibrate(args: &StudyArgs, shard: Option<ShardSpec>) -> anyhow::Result<()> {
    let refuse = shard.map(|_| {
        "--shard is for job arrays without MPI; under mpirun, rank 0 hands out every work unit \
         itself"
    });
    super::sweep::on_ranks(args, refuse, |p| match shard {
        Some(spec) => calibrate_shard(args, p, spec),
        None => calibrate_on(args, p),
    })
}

/// `calibrate --shard K/N`: evaluates this shard's share of the next batch still to do.
fn calibrate_shard(
    args: &StudyArgs,
    p: super::sweep::Prepared<'_>,
    spec: ShardSpec,
) -> anyhow::Result<()> {
    let dir = points_dir(&p.dir);
    // A marker from an earlier, finished calibration says nothing about this one until this
    // shard finds every evaluation saved again.
    let _ = std::fs::remove_file(dir.join(COMPLETE_FILE));
    let saved = Saved::Evaluations {
        dir: &dir,
        save: true,
    };
    let (ours, theirs) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let bar = super::run::progress_bar(calibrate::progress_estimate(&p.study), p.quiet);
    let fitted = &p.study;
    let mine = |u: &StudyUnit| u.runs[0].point as u64 % spec.n as u64 == u64::from(spec.k - 1);
    let outcome = p.pool.install(|| {
        calibrate::run_with(
            fitted,
            &|all, done| {
                let share: Vec<StudyUnit> = all.iter().filter(|u| mine(u)).cloned().collect();
                study::units::run_here(fitted, &share, &|| bar.inc(1), done)?;
                if share.len() == all.len() {
                    return Ok(());
                }
                let points = |it: &mut dyn Iterator<Item = &StudyUnit>| {
                    let mut v: Vec<usize> = it.map(|u| u.runs[0].point).collect();
                    v.dedup();
                    v.len()
                };
                ours.store(points(&mut share.iter()), Ordering::SeqCst);
                theirs.store(
                    points(&mut all.iter().filter(|u| !mine(u))),
                    Ordering::SeqCst,
                );
                Err(cocoon::error::Error::Model(
                    "the rest of this batch is other shards' work".into(),
                ))
            },
            Some(saved),
        )
    });
    bar.finish_and_clear();
    let file = args.file.display();
    match outcome {
        Ok(_) => {
            cocoon::output::atomic::write(
                &dir.join(COMPLETE_FILE),
                format!("{}\n{}\n", spec.n, marker_key(args)?).as_bytes(),
            )?;
            if !p.quiet {
                crate::print_stderr(&format!(
                    "{file}: shard {spec}: the calibration is complete (every evaluation is saved \
                     in {}); write its outputs with `cocoon calibrate {file} --out {}`\n",
                    dir.display(),
                    p.dir.display()
                ));
            }
            Ok(())
        }
        Err(_) if theirs.load(Ordering::SeqCst) > 0 => {
            if !p.quiet {
                crate::print_stderr(&format!(
                    "{file}: shard {spec}: evaluated {} candidate(s) and saved them in {}; {} \
                     more of this batch are other shards'. Run all {} shards again.\n",
                    ours.load(Ordering::SeqCst),
                    dir.display(),
                    theirs.load(Ordering::SeqCst),
                    spec.n
                ));
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

fn calibrate_on(args: &StudyArgs, p: super::sweep::Prepared<'_>) -> anyhow::Result<()> {
    let bar = super::run::progress_bar(calibrate::progress_estimate(&p.study), p.quiet);
    let fitted = &p.study;
    let dir = points_dir(&p.dir);
    // Evaluations saved by `--shard` runs are read, not run again.
    let saved = Saved::Evaluations {
        dir: &dir,
        save: false,
    };
    let outcome = p.run_on(&bar, |runner| {
        calibrate::run_with(fitted, runner, Some(saved))
    });
    bar.finish_and_clear();
    let outcome = outcome?;
    let mut info = p.info();
    // Claimed only for this study file and build, and never over an MPI run's own record.
    let key = marker_key(args)?;
    let marker = std::fs::read_to_string(dir.join(COMPLETE_FILE)).unwrap_or_default();
    let mut lines = marker.lines();
    if let (Some(n), Some(k)) = (
        lines.next().and_then(|t| t.trim().parse::<u32>().ok()),
        lines.next(),
    ) {
        if k.trim() == key && info.distributed.is_none() {
            info.distributed = Some(Distributed::MergedShards(n));
        }
    }
    let summary = calibrate::summary_csv(&p.study, &outcome);
    let history = calibrate::history_csv(&outcome);
    let simulated: usize = outcome.history.iter().map(|g| g.simulated).sum();
    if !p.quiet {
        crate::print_stderr(&format!("{history}{summary}"));
    }
    p.write(args.force, &format!("{simulated} simulations"), |dir| {
        let charts = calibrate::write_charts(dir, &p.study, &outcome)?;
        study::out::write(
            dir,
            &p.study,
            study::out::What {
                command: "calibrate",
                design: "abc-smc",
                points: simulated,
            },
            &[
                (
                    "posterior.csv".into(),
                    calibrate::posterior_csv(&p.study, &outcome.posterior).into_bytes(),
                ),
                ("posterior_summary.csv".into(), summary.into_bytes()),
                ("history.csv".into(), history.into_bytes()),
            ],
            &charts,
            &info,
        )
    })
}

/// What a completion marker is valid for: the study file's bytes and the build (version and
/// commit) that evaluated it, as an FNV-1a hash.
fn marker_key(args: &StudyArgs) -> anyhow::Result<String> {
    let mut key = cocoon::checkpoint::codec::cocoon_version().into_bytes();
    key.push(b'|');
    key.extend_from_slice(&std::fs::read(&args.file)?);
    Ok(cocoon::engine::rng::fnv1a_hex(&key))
}
