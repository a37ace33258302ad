//! A work unit of the withdrawal model (one replicate of the arms that share a burn-in) that
//! saves its state to checkpoints as it goes and continues from them when it is run again:
//! what `--checkpoint-every` and `cocoon resume` run ([`crate::checkpoint`]). The state itself
//! is encoded by [`super::checkpoint`].

use rayon::prelude::*;

use super::checkpoint::{decode, encode};
use super::params::WParams;
use super::Withdrawal;
use crate::checkpoint::{get_series, put_series, Checkpoints};
use crate::engine::{par::Exec, Series, Streams};
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// Where one arm of a unit stands in its checkpoint file.
enum Arm {
    /// Running: the model and the series recorded up to its tick.
    Running(Box<Withdrawal>, Series),
    /// Finished: the whole series.
    Done(Series),
}

/// Name of a unit's burn-in checkpoint.
fn burn_in_name(group: usize, r: u32) -> String {
    format!("g{group}-r{r}-burnin")
}

/// Name of a unit's arm checkpoint.
fn arm_name(group: usize, r: u32, k: usize) -> String {
    format!("g{group}-r{r}-arm{k}")
}

impl Withdrawal {
    /// Ends the burn-in (of [`Withdrawal::burn_in_counted`] or a resumed one): the recorded
    /// tick becomes 0, and ended episodes and refused ties count from here.
    pub(super) fn end_burn_in(&mut self) {
        self.episodes.clear();
        self.refused_before = self.ties.refused;
        self.tick = 0;
    }
}

/// Replicate `r` of `scenarios` (which share a burn-in; burn-in group `group`), saving its
/// state to `ck` and continuing from what `ck` already holds: the same series as
/// [`super::execute_sharing_burn_in_replicate`], and `progress` called as often (weeks already
/// done are counted at once). The post-burn-in state is always saved: it is the reusable
/// burn-in the arms start from.
pub fn execute_unit(
    scenarios: &[&Scenario],
    group: usize,
    r: u32,
    exec: Exec,
    progress: &(dyn Fn() + Sync),
    ck: &Checkpoints,
) -> Result<Vec<Series>> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let signature = super::burn_in_signature(first);
    if scenarios
        .iter()
        .any(|s| super::burn_in_signature(s) != signature)
    {
        return Err(Error::Model(
            "these scenarios cannot share a burn-in: they differ in a key the burn-in reads".into(),
        ));
    }
    let streams = Streams::new(first.seed, r);
    let params: Vec<WParams> = scenarios
        .iter()
        .map(|s| WParams::from_params(&s.params))
        .collect();
    let b = params[0].burn_in as u64;
    let count = |weeks: u64| (0..weeks).for_each(|_| progress());
    let mut arms: Vec<Option<Arm>> = Vec::with_capacity(scenarios.len());
    for (k, s) in scenarios.iter().enumerate() {
        let name = arm_name(group, r, k);
        arms.push(ck.load(&name, |d| {
            Ok(if d.bool()? {
                let m = decode(d, params[k].clone(), &s.params, streams)?;
                ck.note_resumed(&name, Some(m.clock));
                Arm::Running(Box::new(m), get_series(d)?)
            } else {
                ck.note_resumed(&name, None);
                Arm::Done(get_series(d)?)
            })
        })?);
    }
    let warm = if arms.iter().any(Option::is_none) {
        let burn = burn_in_name(group, r);
        let loaded = ck.load(&burn, |d| {
            decode(d, params[0].clone(), &first.params, streams)
        })?;
        let mut m = match loaded {
            Some(m) => {
                ck.note_resumed(&burn, Some(m.clock));
                m
            }
            None => {
                let mut m = Withdrawal::new(params[0].clone(), streams);
                m.tick = -(b as i64);
                m
            }
        };
        count(m.clock);
        if m.clock < b || m.tick != 0 {
            while m.clock < b {
                m.advance(exec);
                progress();
                if m.clock < b && ck.due(m.clock) {
                    ck.save(&burn, |e| encode(&m, e))?;
                }
            }
            m.end_burn_in();
            if b > 0 {
                ck.save(&burn, |e| encode(&m, e))?;
            }
        }
        Some(m)
    } else {
        count(b);
        None
    };
    let run_arm = |(k, saved): (usize, Option<Arm>)| -> Result<Series> {
        let name = arm_name(group, r, k);
        let ticks = scenarios[k].ticks;
        let (mut m, series) = match saved {
            Some(Arm::Done(s)) => {
                count(ticks as u64);
                return Ok(s);
            }
            Some(Arm::Running(m, s)) => (*m, s),
            None => {
                let mut m = warm
                    .clone()
                    .expect("a warm model when an arm starts afresh");
                m.p = params[k].clone();
                m.install_policy(&scenarios[k].params);
                (m, Series::default())
            }
        };
        let from = m.tick.max(0) as u32;
        count(from as u64);
        let series = crate::engine::run_from(
            &mut m,
            r,
            series,
            from,
            ticks,
            exec,
            progress,
            &mut |t, m: &Withdrawal, s: &Series| {
                if t < ticks && ck.due(b + t as u64) {
                    ck.save(&name, |e| {
                        e.put_bool(true);
                        encode(m, e);
                        put_series(e, s);
                    })
                } else {
                    Ok(())
                }
            },
        )?;
        ck.save(&name, |e| {
            e.put_bool(false);
            put_series(e, &series);
        })?;
        Ok(series)
    };
    let todo: Vec<(usize, Option<Arm>)> = arms.into_iter().enumerate().collect();
    match exec {
        Exec::Sequential => todo.into_iter().map(run_arm).collect(),
        Exec::Parallel => todo.into_par_iter().map(run_arm).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &[&str]) -> Scenario {
        super::super::checkpoint::tests::scenario(extra)
    }

    /// A unit killed at any point (a panic out of the progress callback stands in for the
    /// kill) and continued from its files gives the series of an uninterrupted unit: killed in
    /// the burn-in, in the first arm, or after the first arm finished; each week is counted
    /// once by the progress callback over the kill and the resume.
    #[test]
    fn a_unit_killed_anywhere_and_resumed_gives_the_uninterrupted_series() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let a = scenario(&[]);
        let b = scenario(&["policy.community_share=0", "policy.services_share=0.8"]);
        let arms = [&a, &b];
        let expected =
            super::super::execute_sharing_burn_in_replicate(&arms, 0, Exec::Parallel, &|| {})
                .unwrap();
        let total = 12 + 2 * 14;
        // Burn-in 12 weeks (saved at weeks 5 and 10 and at its end), arms of 14 ticks (saved
        // at ticks 3, 8 and 13, i.e. weeks 15, 20, 25); arms run one after the other here.
        for kill_after in [7u64, 12 + 9, 12 + 14 + 6] {
            let dir = tempfile::tempdir().unwrap();
            let ck = Checkpoints::new(&dir.path().join("c"), 5, "h").unwrap();
            let calls = AtomicU64::new(0);
            let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                execute_unit(
                    &arms,
                    0,
                    0,
                    Exec::Sequential,
                    &|| {
                        if calls.fetch_add(1, Ordering::Relaxed) + 1 == kill_after {
                            panic!("killed");
                        }
                    },
                    &ck,
                )
            }));
            assert!(killed.is_err(), "the kill at {kill_after} happened");
            let resumed_calls = AtomicU64::new(0);
            let ck = Checkpoints::new(&dir.path().join("c"), 5, "h").unwrap();
            let resumed = execute_unit(
                &arms,
                0,
                0,
                Exec::Parallel,
                &|| {
                    resumed_calls.fetch_add(1, Ordering::Relaxed);
                },
                &ck,
            )
            .unwrap();
            assert_eq!(
                format!("{resumed:?}"),
                format!("{expected:?}"),
                "killed after {kill_after} weeks"
            );
            assert_eq!(resumed_calls.into_inner(), total, "every week counted once");
            assert!(ck.written().count > 0);
        }
    }
}
