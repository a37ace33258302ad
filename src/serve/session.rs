//! Sessions: one pair of twin worlds per browser tab, each on its own thread.
//!
//! Why a thread per session: a week of 5,000 agents is milliseconds of CPU work, which must not
//! run on the async runtime's worker threads (it would stall every other request). The session
//! thread owns its worlds outright, so no lock guards the model; a request sends the thread a
//! job (a closure) and awaits its answer. Between jobs the thread steps the worlds at the
//! session's speed, and the operating system shares the cores among sessions, so one busy
//! room cannot stop another. The number of sessions, their size and their speed are capped,
//! and sessions nobody has asked about for a while are dropped (their thread ends when its
//! job channel closes).

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::controls::Settings;
use super::stories::Story;
use super::world::{Warm, World};
use crate::scenario::Scenario;

/// Limits that keep one room's server responsive.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most sessions at once.
    pub max_sessions: usize,
    /// Fewest agents a session may ask for.
    pub min_agents: usize,
    /// Most agents a session may ask for.
    pub max_agents: usize,
    /// A session with no request for this long is dropped.
    pub idle: Duration,
    /// Fastest play speed (weeks per second).
    pub max_speed: f64,
    /// Most weeks a session may run (bounds its memory).
    pub max_weeks: u32,
    /// Agents in the network view.
    pub sample: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_sessions: 16,
            min_agents: 200,
            max_agents: 5000,
            idle: Duration::from_secs(15 * 60),
            max_speed: 60.0,
            max_weeks: 52 * 30,
            sample: 300,
        }
    }
}

/// What the session thread owns: the story, the sliders and the twin worlds.
pub struct Sim {
    /// The story being told.
    pub story: &'static Story,
    /// The story's own overrides (seed, agents), applied before the sliders.
    pub base_sets: Vec<String>,
    /// The sliders.
    pub settings: Settings,
    /// Week from which a contact shock switched on from the page runs.
    pub shock_from: u32,
    /// The burnt-in population both twins start from.
    warm: Warm,
    /// `[without policy, with policy]`.
    pub twins: [World; 2],
    /// Agents in the network view.
    pub sample: Vec<u32>,
    /// Playing or paused.
    pub running: bool,
    /// Weeks per second while playing.
    pub speed: f64,
    /// Slider changes made after week 0, in order ("week 12: bullying 1 -> 2").
    pub changes: Vec<String>,
    /// Story length in weeks (play pauses there).
    pub weeks: u32,
    /// Counts restarts, so the page knows to drop the series it holds.
    pub run: u64,
    limits: Limits,
}

impl Sim {
    /// Builds the twins for `story` with `base_sets` (seed and agent overrides).
    pub fn new(
        story: &'static Story,
        base_sets: Vec<String>,
        limits: Limits,
    ) -> Result<Sim, String> {
        let plain = story.scenario(&base_sets).map_err(|e| e.to_string())?;
        let settings = Settings::of(&plain);
        let warm = Warm::build(&plain).map_err(|e| e.to_string())?;
        let [a, b] = twin_scenarios(story, &base_sets, &settings, 0, 0)?;
        let twins = [World::start(&warm, &a), World::start(&warm, &b)];
        let sample = twins[0].sample(limits.sample);
        Ok(Sim {
            story,
            base_sets,
            settings,
            shock_from: 0,
            warm,
            twins,
            sample,
            running: false,
            speed: 10.0,
            changes: Vec::new(),
            weeks: plain.ticks.min(limits.max_weeks),
            run: 0,
            limits,
        })
    }

    /// The current week.
    pub fn week(&self) -> u32 {
        self.twins[0].week()
    }

    /// The twins' scenarios for the current sliders, run up to week `ticks`.
    pub fn scenarios(&self, ticks: u32) -> Result<[Scenario; 2], String> {
        twin_scenarios(
            self.story,
            &self.base_sets,
            &self.settings,
            self.shock_from,
            ticks,
        )
    }

    /// One week in both worlds (nothing past the session's week limit).
    pub fn step(&mut self) {
        if self.week() >= self.limits.max_weeks {
            self.running = false;
            return;
        }
        for w in &mut self.twins {
            w.step();
        }
        if self.week() >= self.weeks {
            self.running = false;
        }
    }

    /// Back to week 0 with the current sliders; the burn-in is reused when it fits.
    pub fn reset(&mut self) -> Result<(), String> {
        let [a, b] = self.scenarios(0)?;
        if !self.warm.fits(&a) {
            self.warm = Warm::build(&a).map_err(|e| e.to_string())?;
        }
        self.twins = [World::start(&self.warm, &a), World::start(&self.warm, &b)];
        self.changes.clear();
        self.running = false;
        self.run += 1;
        Ok(())
    }

    /// Moves sliders. At week 0 the run restarts with them (so the downloaded scenario
    /// reproduces it exactly); later they act from the next week and the change is logged.
    pub fn apply(&mut self, values: &[(String, f64)]) -> Result<(), String> {
        let mut next = self.settings;
        for (id, v) in values {
            next.set(id, *v)?;
        }
        let week = self.week();
        if next.shock > 0.0 && self.settings.shock == 0.0 && self.shock_from == 0 {
            self.shock_from = week + 1;
        }
        let [a, b] = twin_scenarios(self.story, &self.base_sets, &next, self.shock_from, 0)?;
        let old = self.settings;
        self.settings = next;
        if week == 0 {
            return self.reset();
        }
        for (id, _) in values {
            let (was, now) = (old.get(id), next.get(id));
            if was != now {
                self.changes.push(format!(
                    "week {week}: {id} {} -> {}",
                    was.unwrap_or(0.0),
                    now.unwrap_or(0.0)
                ));
            }
        }
        self.twins[0].retune(&a);
        self.twins[1].retune(&b);
        Ok(())
    }
}

/// `[without policy, with policy]` scenarios of a story under `settings`; `ticks` > 0 also
/// sets the run length (for the downloaded file).
fn twin_scenarios(
    story: &Story,
    base_sets: &[String],
    settings: &Settings,
    shock_from: u32,
    ticks: u32,
) -> Result<[Scenario; 2], String> {
    let one = |with_policy: bool| {
        let mut sets = base_sets.to_vec();
        sets.extend(settings.sets(
            &story.scenario(base_sets).map_err(|e| e.to_string())?,
            with_policy,
            shock_from,
        ));
        if ticks > 0 {
            sets.push(format!("ticks={ticks}"));
        }
        story.scenario(&sets).map_err(|e| e.to_string())
    };
    Ok([one(false)?, one(true)?])
}

type Job = Box<dyn FnOnce(&mut Sim) + Send>;

/// The request side of a session.
pub struct Handle {
    jobs: mpsc::Sender<Job>,
    last_seen: Mutex<Instant>,
}

/// Why a request to a session failed.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    /// No session with that id (never made, dropped when idle, or ended).
    NotFound,
    /// The session did not answer in time.
    Busy,
}

impl Handle {
    /// Runs `f` on the session's thread and returns its answer.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Sim) -> T + Send + 'static,
    ) -> Result<T, SessionError> {
        *self.last_seen.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |sim| {
            let _ = tx.send(f(sim));
        });
        self.jobs.send(job).map_err(|_| SessionError::NotFound)?;
        match tokio::time::timeout(Duration::from_secs(20), rx).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(SessionError::NotFound),
            Err(_) => Err(SessionError::Busy),
        }
    }
}

/// The session thread: runs jobs as they come and steps the worlds when a week is due.
fn session_loop(mut sim: Sim, jobs: mpsc::Receiver<Job>) {
    let mut due = Instant::now();
    loop {
        let wait = if sim.running {
            due.saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(3600)
        };
        match jobs.recv_timeout(wait) {
            Ok(job) => {
                let was = sim.running;
                job(&mut sim);
                if sim.running && !was {
                    due = Instant::now();
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        let now = Instant::now();
        if sim.running && now >= due {
            sim.step();
            let period = Duration::from_secs_f64(1.0 / sim.speed.max(0.1));
            // Behind by more than a week's slot (a slow machine): do not try to catch up.
            due = (due + period).max(now);
        }
    }
}

/// All sessions, by id.
pub struct Sessions {
    map: Mutex<BTreeMap<String, Arc<Handle>>>,
    /// The limits every session keeps.
    pub limits: Limits,
    counter: AtomicU64,
    keys: std::collections::hash_map::RandomState,
}

/// Why a session could not start.
#[derive(Debug)]
pub enum CreateError {
    /// Too many sessions already.
    Full(String),
    /// The story's scenario with the request's values was refused.
    Invalid(String),
}

/// A new session's id and what it starts with.
#[derive(Serialize)]
pub struct Created {
    /// Session id (unguessable; it is the only key to the session).
    pub id: String,
}

impl Sessions {
    /// No sessions yet.
    pub fn new(limits: Limits) -> Sessions {
        Sessions {
            map: Mutex::new(BTreeMap::new()),
            limits,
            counter: AtomicU64::new(0),
            keys: std::collections::hash_map::RandomState::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<Handle>>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of live sessions.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The session `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Handle>> {
        self.lock().get(id).cloned()
    }

    /// Ends session `id`; whether it existed.
    pub fn remove(&self, id: &str) -> bool {
        self.lock().remove(id).is_some()
    }

    /// Drops sessions idle for longer than the limit; how many.
    pub fn reap(&self) -> usize {
        let idle = self.limits.idle;
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, h| {
            h.last_seen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .elapsed()
                < idle
        });
        before - map.len()
    }

    /// Starts a session for `story`; building it (the burn-in) runs on the new session's own
    /// thread. Fails when the server is full or the story's scenario is refused.
    pub async fn create(
        &self,
        story: &'static Story,
        base_sets: Vec<String>,
    ) -> Result<Created, CreateError> {
        let mut h = self.keys.build_hasher();
        h.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
        let id = format!("{:016x}", h.finish());
        let (tx, rx) = mpsc::channel::<Job>();
        {
            let mut map = self.lock();
            if map.len() >= self.limits.max_sessions {
                return Err(CreateError::Full(format!(
                    "the server is full ({} sessions); close a tab or wait a few minutes",
                    self.limits.max_sessions
                )));
            }
            // Reserve the place now, so concurrent requests cannot overshoot the cap.
            map.insert(
                id.clone(),
                Arc::new(Handle {
                    jobs: tx,
                    last_seen: Mutex::new(Instant::now()),
                }),
            );
        }
        let limits = self.limits;
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name(format!("session-{id}"))
            .spawn(move || match Sim::new(story, base_sets, limits) {
                Ok(sim) => {
                    let _ = ready_tx.send(Ok(()));
                    session_loop(sim, rx);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            });
        let outcome = match spawned {
            Ok(_) => ready_rx
                .await
                .unwrap_or_else(|_| Err("the session stopped while starting".into())),
            Err(e) => Err(format!("cannot start a session thread: {e}")),
        };
        match outcome {
            Ok(()) => Ok(Created { id }),
            Err(e) => {
                self.remove(&id);
                Err(CreateError::Invalid(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::stories;

    fn small() -> Vec<String> {
        vec![
            "population.n=300".into(),
            "withdrawal.burn_in_ticks=5".into(),
        ]
    }

    #[test]
    fn sliders_restart_at_week_0_and_are_logged_later() {
        let story = stories::find("school_year").unwrap();
        let mut sim = Sim::new(story, small(), Limits::default()).unwrap();
        sim.apply(&[("bullying".into(), 3.0)]).unwrap();
        assert_eq!((sim.run, sim.week()), (1, 0));
        assert!(sim.changes.is_empty());
        sim.step();
        sim.step();
        sim.apply(&[("budget".into(), 0.0), ("shock".into(), 1.0)])
            .unwrap();
        assert_eq!(sim.run, 1);
        assert_eq!(
            sim.shock_from, 3,
            "a shock switched on at week 2 starts at week 3"
        );
        assert_eq!(sim.changes.len(), 2, "{:?}", sim.changes);
        let [_, policy] = sim.scenarios(2).unwrap();
        assert_eq!(policy.params.i64("shock.start"), 3);
        assert_eq!(policy.params.f64("policy.budget"), 0.0);
        assert!(sim.apply(&[("bullying".into(), 5.0)]).is_err());
        assert_eq!(
            sim.settings.bullying, 3.0,
            "a refused change changes nothing"
        );
        sim.reset().unwrap();
        assert_eq!((sim.run, sim.week()), (2, 0));
        assert!(sim.changes.is_empty());
    }

    #[tokio::test]
    async fn the_cap_holds_and_idle_sessions_are_dropped() {
        let limits = Limits {
            max_sessions: 1,
            idle: Duration::ZERO,
            ..Limits::default()
        };
        let sessions = Sessions::new(limits);
        let story = stories::find("pandemic").unwrap();
        let made = sessions.create(story, small()).await.unwrap();
        assert!(matches!(
            sessions.create(story, small()).await,
            Err(CreateError::Full(_))
        ));
        let bad = vec!["population.n=-4".to_string()];
        assert_eq!(sessions.reap(), 1);
        assert!(sessions.get(&made.id).is_none());
        assert!(matches!(
            sessions.create(story, bad).await,
            Err(CreateError::Invalid(_))
        ));
        assert!(
            sessions.is_empty(),
            "a refused session leaves no place taken"
        );
    }
}
