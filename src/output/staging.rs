//! Output folders that cannot lie: every command that writes a folder writes it through a
//! [`Staging`] folder and swaps it into place, so a folder under its final name is always
//! exactly one complete run.
//!
//! The life of an output folder `DIR/NAME`:
//!
//! 1. [`check_target`] (also run by `cocoon check`) refuses, before any work, a target that
//!    cannot end well: no folder name (`output/..`), a name with NUL or too long for the file
//!    system once the staging suffix is added, a target that is a file or a symbolic link, an
//!    existing folder without `--force`, or a parent that is not a writable folder.
//! 2. [`Staging::begin`] takes an exclusive `flock` on `DIR/.NAME.cocoon-lock` (a kernel lock
//!    on the open file, so it holds across processes, containers and PID namespaces; a second
//!    writer fails at once), removes leftovers of killed runs (`DIR/.NAME.cocoon-staging-*`,
//!    reported through [`Staging::cleared`]) and creates a fresh staging folder
//!    `DIR/.NAME.cocoon-staging-<random>` with `mkdir`, which never follows a symbolic link.
//! 3. The caller writes everything under [`Staging::path`], e.g. with [`super::atomic::write`]
//!    (files are created with `O_EXCL | O_NOFOLLOW` under unpredictable names).
//! 4. [`Staging::commit`] flushes every file and folder to disk and puts the staging folder
//!    under the final name in one `rename`: with `--force` an existing target is exchanged
//!    atomically (`renameat2(RENAME_EXCHANGE)`) and the old run is then deleted whole, never
//!    merged; without it the rename refuses to replace anything (`RENAME_NOREPLACE`).
//!
//! Dropping a `Staging` without committing (an error, a panic unwinding) removes the staging
//! folder; a killed process leaves it behind under its recognisable name, and the next run on
//! the same target reports and removes it. The target is never touched before `commit`.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

mod fsops;
pub use fsops::describe_kind;

/// A note a run keeps in its staging folder on what it is doing (an MPI run: the work unit
/// each rank is running), so that if it is killed, the next run onto the same output, which
/// removes the leftover, can say what was interrupted. Removed before the folder is committed.
pub const NOTE_FILE: &str = "interrupted-while.txt";
pub(crate) use fsops::random_hex;
use fsops::{
    clear_leftovers, create_parents, exchange, kind_at, rename_noreplace, sync_dir, sync_tree,
    writable, Lock, Parents,
};

/// Marks staging folders: `.NAME.cocoon-staging-<16 hex digits>`.
pub const STAGING_TAG: &str = ".cocoon-staging-";
/// Suffix of the lock file next to the target: `.NAME.cocoon-lock`.
pub const LOCK_TAG: &str = ".cocoon-lock";
/// Longest file name most file systems accept, in bytes.
const NAME_MAX: usize = 255;
/// Bytes the staging name adds to the target's name: the leading dot, the tag, 16 hex digits.
const STAGING_EXTRA: usize = 1 + STAGING_TAG.len() + 16;

/// The name of the one staging folder of a checkpointed run: `.NAME.cocoon-staging-resumable`.
pub const RESUMABLE: &str = "resumable";

/// How [`Staging::open`] gets its staging folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// A fresh folder under a random name.
    Fresh,
    /// The deterministic resumable folder, created afresh.
    Resumable,
    /// The existing resumable folder of an interrupted run.
    Resume,
}

/// A target folder split into its parent and its name.
#[derive(Clone, Debug)]
struct Target {
    /// The target as the user gave it (for messages).
    shown: PathBuf,
    /// The folder that holds it (`.` for a bare name).
    parent: PathBuf,
    /// Its file name.
    name: OsString,
}

impl Target {
    fn path(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// `DIR/.NAME<suffix>`.
    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut n = OsString::from(".");
        n.push(&self.name);
        n.push(suffix);
        self.parent.join(n)
    }

    /// `DIR/.NAME.cocoon-staging-resumable`.
    fn resumable(&self) -> PathBuf {
        let mut n = self.staging_prefix();
        n.push(RESUMABLE);
        self.parent.join(n)
    }

    /// The prefix every staging folder of this target starts with.
    fn staging_prefix(&self) -> OsString {
        let mut n = OsString::from(".");
        n.push(&self.name);
        n.push(STAGING_TAG);
        n
    }
}

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::OutputPath {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn io_err(path: &Path, source: io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Splits and validates the target's name (no file system access).
fn parse(target: &Path) -> Result<Target> {
    let raw = target.as_os_str().as_bytes();
    if raw.contains(&0) {
        return Err(bad(target, "the name contains a NUL byte"));
    }
    if raw.is_empty() {
        return Err(bad(target, "the output folder name is empty"));
    }
    let name = match target.file_name() {
        Some(n) => n.to_os_string(),
        None => {
            return Err(bad(
                target,
                "the path does not end in a folder name (it ends in `..` or `/`); \
                 name the output folder explicitly with --out",
            ))
        }
    };
    let len = name.as_bytes().len();
    if len + STAGING_EXTRA > NAME_MAX {
        return Err(bad(
            target,
            format!(
                "the folder name is {len} bytes long; at most {} bytes are allowed \
                 (file names are limited to {NAME_MAX} bytes and the staging folder adds {STAGING_EXTRA})",
                NAME_MAX - STAGING_EXTRA
            ),
        ));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(Target {
        shown: target.to_path_buf(),
        parent,
        name,
    })
}

/// Checks, without creating or changing anything, that `target` can become an output folder:
/// see the module docs for what is refused. `cocoon check` and every writing command call
/// this before simulating, so no computed result is thrown away over the output path.
pub fn check_target(target: &Path, force: bool) -> Result<()> {
    let t = parse(target)?;
    let path = t.path();
    match kind_at(&path).map_err(|e| io_err(&path, e))? {
        None => {}
        Some(k) if k.is_dir() && force => {}
        Some(k) if k.is_dir() => {
            return Err(bad(
                target,
                "already exists; use --force to replace it whole (it is never merged into), \
                 or choose another --out",
            ));
        }
        Some(k) => {
            return Err(bad(
                target,
                format!(
                    "is {}, not a folder; remove it or choose another --out",
                    describe_kind(&k)
                ),
            ))
        }
    }
    // The nearest existing ancestor must be a folder we can write into (missing parents are
    // created by `begin`).
    let mut dir = t.parent.clone();
    loop {
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {
                if !writable(&dir) {
                    return Err(bad(
                        target,
                        format!("cannot create it: folder {} is not writable", dir.display()),
                    ));
                }
                return Ok(());
            }
            Ok(m) => {
                return Err(bad(
                    target,
                    format!(
                        "cannot create it: {} is {}, not a folder",
                        dir.display(),
                        describe_kind(&m.file_type())
                    ),
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
                _ => dir = PathBuf::from("."),
            },
            Err(e) => return Err(io_err(&dir, e)),
        }
    }
}

/// A fresh, locked staging folder for one output folder. See the module docs.
#[derive(Debug)]
pub struct Staging {
    target: Target,
    dir: PathBuf,
    force: bool,
    cleared: Vec<PathBuf>,
    notes: Vec<String>,
    committed: bool,
    /// Kept when dropped uncommitted (a resumable staging folder with checkpoints).
    keep: bool,
    /// An entry removed just before the commit (the checkpoints of a checkpointed run).
    scratch: Option<String>,
    _lock: Lock,
    /// Declared last: dropped after the lock file and the staging folder are gone.
    _parents: Parents,
}

impl Staging {
    /// Locks `target`, clears leftovers of killed runs and creates a fresh staging folder next
    /// to it (creating missing parents). Fails, writing nothing, if [`check_target`] fails or
    /// another process holds the lock ([`Error::Busy`]).
    pub fn begin(target: &Path, force: bool) -> Result<Staging> {
        Staging::open(target, force, Mode::Fresh)
    }

    /// [`Staging::begin`] with the one deterministic staging folder
    /// `DIR/.NAME.cocoon-staging-resumable`, which `cocoon resume` finds from the target's name
    /// alone (a checkpointed run, [`crate::checkpoint`]). Unlike a random staging folder, it is
    /// kept when the `Staging` is dropped uncommitted (the checkpoints in it are the point).
    pub fn begin_resumable(target: &Path, force: bool) -> Result<Staging> {
        Staging::open(target, force, Mode::Resumable)
    }

    /// Locks `target` again and reopens the resumable staging folder an interrupted
    /// checkpointed run left; fails if there is none.
    pub fn resume(target: &Path, force: bool) -> Result<Staging> {
        Staging::open(target, force, Mode::Resume)
    }

    /// The resumable staging folder of `target` (which may not exist).
    pub fn resumable_path(target: &Path) -> Result<PathBuf> {
        Ok(parse(target)?.resumable())
    }

    fn open(target: &Path, force: bool, mode: Mode) -> Result<Staging> {
        check_target(target, force)?;
        let t = parse(target)?;
        let created = create_parents(&t.parent)?;
        let guard = Parents(created);
        let lock = Lock::acquire(&t)?;
        // Under the lock, nothing else of ours can be changing the target: check it again.
        check_target(target, force)?;
        let resumable = t.resumable();
        let interrupted = kind_at(&resumable)
            .map_err(|e| io_err(&resumable, e))?
            .is_some_and(|k| k.is_dir());
        match mode {
            Mode::Fresh | Mode::Resumable if interrupted && !force => {
                return Err(bad(
                    target,
                    format!(
                        "holds the checkpoints of an interrupted run ({}); continue it with \
                         `cocoon resume {}`, or add --force to discard them and start again",
                        resumable.display(),
                        target.display()
                    ),
                ))
            }
            Mode::Resume if !interrupted => {
                return Err(bad(
                    target,
                    format!(
                        "has no interrupted run to continue (no {}); only a run started with \
                         --checkpoint-every can be resumed",
                        resumable.display()
                    ),
                ))
            }
            _ => {}
        }
        let keep = (mode == Mode::Resume).then_some(resumable.as_path());
        let (cleared, notes) = clear_leftovers(&t, keep)?;
        let staging = |dir: PathBuf, lock: Lock, guard: Parents, t: Target| Staging {
            target: t,
            dir,
            force,
            cleared,
            notes,
            committed: false,
            keep: mode != Mode::Fresh,
            scratch: None,
            _lock: lock,
            _parents: guard,
        };
        match mode {
            Mode::Resume => return Ok(staging(resumable, lock, guard, t)),
            Mode::Resumable => {
                std::fs::create_dir(&resumable).map_err(|e| io_err(&resumable, e))?;
                return Ok(staging(resumable, lock, guard, t));
            }
            Mode::Fresh => {}
        }
        let mut last = None;
        for _ in 0..16 {
            let mut n = t.staging_prefix();
            n.push(random_hex());
            let dir = t.parent.join(n);
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(staging(dir, lock, guard, t)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((dir, e)),
                Err(e) => return Err(io_err(&dir, e)),
            }
        }
        let (dir, e) = last.expect("the loop ran");
        Err(io_err(&dir, e))
    }

    /// Names an entry of the staging folder (e.g. the checkpoints) that [`Staging::commit`]
    /// removes after everything else is written and before the folder is renamed into place,
    /// so the final folder holds exactly what a run without it would hold.
    pub fn remove_on_commit(&mut self, name: &str) {
        self.scratch = Some(name.to_string());
    }

    /// Removes everything in the staging folder except the entry `keep` (a resumed run
    /// clears what its killed predecessor had begun to write, keeping the checkpoints).
    pub fn clear_except(&self, keep: &str) -> Result<()> {
        for entry in std::fs::read_dir(&self.dir).map_err(|e| io_err(&self.dir, e))? {
            let entry = entry.map_err(|e| io_err(&self.dir, e))?;
            if entry.file_name() == keep {
                continue;
            }
            let p = entry.path();
            let is_dir = entry.file_type().map_err(|e| io_err(&p, e))?.is_dir();
            let r = if is_dir {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
            r.map_err(|e| io_err(&p, e))?;
        }
        Ok(())
    }

    /// The staging folder: write every output file under it.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The final folder the staging folder becomes on [`Staging::commit`].
    pub fn target(&self) -> PathBuf {
        self.target.path()
    }

    /// Leftover staging folders of earlier, killed runs that `begin` removed.
    pub fn cleared(&self) -> &[PathBuf] {
        &self.cleared
    }

    /// The [`NOTE_FILE`]s the cleared folders held: what the killed runs were doing.
    pub fn cleared_notes(&self) -> &[String] {
        &self.notes
    }

    /// Flushes the staging folder to disk and puts it under the target's name in one rename
    /// (replacing an existing target whole with `--force`), then releases the lock. Returns
    /// the final path.
    pub fn commit(mut self) -> Result<PathBuf> {
        if let Some(s) = &self.scratch {
            let p = self.dir.join(s);
            if kind_at(&p).map_err(|e| io_err(&p, e))?.is_some() {
                std::fs::remove_dir_all(&p).map_err(|e| io_err(&p, e))?;
            }
        }
        sync_tree(&self.dir)?;
        let target = self.target.path();
        let exists = kind_at(&target).map_err(|e| io_err(&target, e))?;
        match exists {
            None => rename_noreplace(&self.dir, &target)?,
            Some(k) if k.is_dir() && self.force => {
                exchange(&self.dir, &target, &self.target)?;
                // The old run now sits under the staging name; delete it whole. If we are
                // killed here it is a leftover the next run removes.
                let _ = std::fs::remove_dir_all(&self.dir);
            }
            Some(_) => {
                // Created behind our back (not by cocoon, which would hold the lock).
                check_target(&self.target.shown, self.force)?;
                return Err(bad(
                    &self.target.shown,
                    "appeared while the run was writing",
                ));
            }
        }
        self.committed = true;
        self._parents.0.clear();
        sync_dir(&self.target.parent)?;
        Ok(target)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed && !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// True if `name` (a file name) is a staging folder or lock file of some output folder.
pub fn is_cocoon_temporary(name: &OsStr) -> bool {
    let b = name.as_bytes();
    let has = |tag: &str| b.windows(tag.len()).any(|w| w == tag.as_bytes());
    b.starts_with(b".") && (has(STAGING_TAG) || b.ends_with(LOCK_TAG.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_creates_target_and_leaves_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out");
        let s = Staging::begin(&target, false).unwrap();
        std::fs::write(s.path().join("a.txt"), "1").unwrap();
        assert!(!target.exists(), "the target appears only on commit");
        s.commit().unwrap();
        assert_eq!(names(d.path()), ["out"]);
        assert_eq!(std::fs::read_to_string(target.join("a.txt")).unwrap(), "1");
    }

    #[test]
    fn existing_target_needs_force_and_force_replaces_whole() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("stale.txt"), "old").unwrap();
        let e = Staging::begin(&target, false).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        assert!(e.is_input_error());
        let s = Staging::begin(&target, true).unwrap();
        std::fs::write(s.path().join("new.txt"), "new").unwrap();
        s.commit().unwrap();
        assert_eq!(names(&target), ["new.txt"], "never merged with the old run");
        assert_eq!(names(d.path()), ["out"]);
    }

    #[test]
    fn a_second_writer_fails_at_once() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out");
        let s = Staging::begin(&target, false).unwrap();
        let e = Staging::begin(&target, false).unwrap_err();
        assert!(matches!(e, Error::Busy { .. }), "{e}");
        drop(s);
        // Released: the lock file and the staging folder are gone.
        assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
        Staging::begin(&target, false).unwrap();
    }

    #[test]
    fn an_abandoned_staging_removes_the_parents_it_created() {
        let d = tempfile::tempdir().unwrap();
        let s = Staging::begin(&d.path().join("a/b/out"), false).unwrap();
        assert!(s.path().starts_with(d.path().join("a/b")));
        drop(s);
        assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
        let s = Staging::begin(&d.path().join("a/b/out"), false).unwrap();
        s.commit().unwrap();
        assert!(d.path().join("a/b/out").is_dir());
    }

    #[test]
    fn leftovers_are_reported_and_removed() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out");
        let left = d.path().join(".out.cocoon-staging-0123456789abcdef");
        std::fs::create_dir(&left).unwrap();
        std::fs::write(left.join("timeseries.csv"), "x").unwrap();
        // Another target's leftovers are not ours to remove.
        let other = d.path().join(".outer.cocoon-staging-0123456789abcdef");
        std::fs::create_dir(&other).unwrap();
        let s = Staging::begin(&target, false).unwrap();
        assert_eq!(s.cleared(), std::slice::from_ref(&left));
        assert!(!left.exists());
        assert!(other.exists());
        assert!(is_cocoon_temporary(other.file_name().unwrap()));
        assert!(!is_cocoon_temporary(OsStr::new("out")));
    }

    #[test]
    fn bad_targets_are_refused_before_anything_is_created() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("f");
        std::fs::write(&file, "").unwrap();
        let link = d.path().join("l");
        std::os::unix::fs::symlink(d.path().join("nowhere"), &link).unwrap();
        let long = d.path().join("x".repeat(240));
        for (target, needle) in [
            (file.clone(), "is a file"),
            (link, "symbolic link"),
            (long, "bytes long"),
            (d.path().join(".."), "folder name"),
            (file.join("sub"), "not a folder"),
        ] {
            let e = check_target(&target, true).unwrap_err();
            assert!(e.to_string().contains(needle), "{}: {e}", target.display());
            assert!(e.is_input_error());
        }
        assert_eq!(names(d.path()), ["f", "l"]);
    }

    #[test]
    fn a_resumable_staging_is_kept_found_again_and_guarded() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out");
        let s = Staging::begin_resumable(&target, false).unwrap();
        assert_eq!(s.path(), Staging::resumable_path(&target).unwrap());
        std::fs::create_dir(s.path().join("checkpoint")).unwrap();
        std::fs::write(s.path().join("partial.csv"), "x").unwrap();
        drop(s);
        // Dropped uncommitted (an error, a kill): kept, with its checkpoints.
        assert_eq!(names(d.path()), [".out.cocoon-staging-resumable"]);
        // A fresh run, resumable or not, refuses to discard it without --force.
        for e in [
            Staging::begin(&target, false).unwrap_err(),
            Staging::begin_resumable(&target, false).unwrap_err(),
        ] {
            assert!(e.to_string().contains("cocoon resume"), "{e}");
            assert!(e.is_input_error());
        }
        // Resumed: the same folder; other leftovers go, the checkpoints stay.
        std::fs::create_dir(d.path().join(".out.cocoon-staging-0123456789abcdef")).unwrap();
        let mut s = Staging::resume(&target, false).unwrap();
        assert_eq!(s.cleared().len(), 1);
        s.clear_except("checkpoint").unwrap();
        assert_eq!(names(s.path()), ["checkpoint"]);
        std::fs::write(s.path().join("result.csv"), "1").unwrap();
        s.remove_on_commit("checkpoint");
        s.commit().unwrap();
        assert_eq!(names(&target), ["result.csv"]);
        assert_eq!(names(d.path()), ["out"]);
        // Nothing to resume now; --force on a fresh begin discards a checkpoint folder.
        let e = Staging::resume(&target, true).unwrap_err();
        assert!(e.to_string().contains("no interrupted run"), "{e}");
        std::fs::create_dir(Staging::resumable_path(&target).unwrap()).unwrap();
        let s = Staging::begin(&target, true).unwrap();
        assert_eq!(s.cleared().len(), 1);
    }
}
