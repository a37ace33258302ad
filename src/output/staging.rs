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

use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Marks staging folders: `.NAME.cocoon-staging-<16 hex digits>`.
pub const STAGING_TAG: &str = ".cocoon-staging-";
/// Suffix of the lock file next to the target: `.NAME.cocoon-lock`.
pub const LOCK_TAG: &str = ".cocoon-lock";
/// Longest file name most file systems accept, in bytes.
const NAME_MAX: usize = 255;
/// Bytes the staging name adds to the target's name: the leading dot, the tag, 16 hex digits.
const STAGING_EXTRA: usize = 1 + STAGING_TAG.len() + 16;

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

/// What is at `path` (not following a final symbolic link), if anything.
fn kind_at(path: &Path) -> io::Result<Option<std::fs::FileType>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(m.file_type())),
        // A missing path, or one below a file (ENOTDIR): nothing is there.
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A word for a file type that is not a folder.
pub fn describe_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a file"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// True if the current user may create entries in `dir` (`access(W_OK | X_OK)`, which also
/// reports a read-only file system).
fn writable(dir: &Path) -> bool {
    let Ok(c) = CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
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

/// Sixteen unpredictable hex digits from the kernel's random source (`getrandom`).
pub(crate) fn random_hex() -> String {
    let mut buf = [0u8; 8];
    // SAFETY: `buf` is valid for 8 writable bytes.
    let got = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if got != buf.len() as isize {
        // No getrandom (very old kernel): std's hasher keys are also seeded from the OS.
        use std::hash::{BuildHasher as _, Hasher as _};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        buf = h.finish().to_le_bytes();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// An exclusive `flock` on the lock file; released (and the file removed) on drop.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
    file: Option<File>,
}

impl Lock {
    fn acquire(t: &Target) -> Result<Lock> {
        let path = t.sibling(LOCK_TAG);
        // Another holder may unlink the file between our open and our flock; then the lock we
        // got is on a dead inode and we try again with the file now at the path.
        for _ in 0..8 {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&path)
                .map_err(|e| io_err(&path, e))?;
            use std::os::fd::AsRawFd as _;
            // SAFETY: the descriptor is open for the duration of the call.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc != 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::WouldBlock {
                    return Err(Error::Busy {
                        path: t.shown.clone(),
                        lock: path,
                    });
                }
                return Err(io_err(&path, e));
            }
            let ours = file.metadata().map_err(|e| io_err(&path, e))?;
            match std::fs::symlink_metadata(&path) {
                Ok(now) if now.dev() == ours.dev() && now.ino() == ours.ino() => {
                    return Ok(Lock {
                        path,
                        file: Some(file),
                    })
                }
                _ => continue,
            }
        }
        Err(Error::Busy {
            path: t.shown.clone(),
            lock: path,
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Unlink while still holding the lock, so nobody locks a file that is going away
        // without noticing (they re-check the inode after locking).
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
        self.file = None;
    }
}

/// A fresh, locked staging folder for one output folder. See the module docs.
#[derive(Debug)]
pub struct Staging {
    target: Target,
    dir: PathBuf,
    force: bool,
    cleared: Vec<PathBuf>,
    committed: bool,
    _lock: Lock,
    /// Declared last: dropped after the lock file and the staging folder are gone.
    _parents: Parents,
}

impl Staging {
    /// Locks `target`, clears leftovers of killed runs and creates a fresh staging folder next
    /// to it (creating missing parents). Fails, writing nothing, if [`check_target`] fails or
    /// another process holds the lock ([`Error::Busy`]).
    pub fn begin(target: &Path, force: bool) -> Result<Staging> {
        check_target(target, force)?;
        let t = parse(target)?;
        let created = create_parents(&t.parent)?;
        let guard = Parents(created);
        let lock = Lock::acquire(&t)?;
        // Under the lock, nothing else of ours can be changing the target: check it again.
        check_target(target, force)?;
        let cleared = clear_leftovers(&t)?;
        let mut last = None;
        for _ in 0..16 {
            let mut n = t.staging_prefix();
            n.push(random_hex());
            let dir = t.parent.join(n);
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    return Ok(Staging {
                        target: t,
                        dir,
                        force,
                        cleared,
                        committed: false,
                        _lock: lock,
                        _parents: guard,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((dir, e)),
                Err(e) => return Err(io_err(&dir, e)),
            }
        }
        let (dir, e) = last.expect("the loop ran");
        Err(io_err(&dir, e))
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

    /// Flushes the staging folder to disk and puts it under the target's name in one rename
    /// (replacing an existing target whole with `--force`), then releases the lock. Returns
    /// the final path.
    pub fn commit(mut self) -> Result<PathBuf> {
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
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Creates the missing folders of `dir`, returning those it created, deepest first.
fn create_parents(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut d = dir.to_path_buf();
    while !d.as_os_str().is_empty() && std::fs::symlink_metadata(&d).is_err() {
        missing.push(d.clone());
        d = d.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    for m in missing.iter().rev() {
        match std::fs::create_dir(m) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_err(m, e)),
        }
    }
    Ok(missing)
}

/// Folders `begin` created for the target; removed again (if still empty) when the run
/// fails, so a failed run leaves nothing behind.
#[derive(Debug)]
struct Parents(Vec<PathBuf>);

impl Drop for Parents {
    fn drop(&mut self) {
        for p in &self.0 {
            if std::fs::remove_dir(p).is_err() {
                break;
            }
        }
    }
}

/// Removes `.NAME.cocoon-staging-*` next to the target (left by killed runs; no live run can
/// own one, since we hold the target's lock). Returns what was removed.
fn clear_leftovers(t: &Target) -> Result<Vec<PathBuf>> {
    let prefix = t.staging_prefix();
    let mut found = Vec::new();
    let entries = std::fs::read_dir(&t.parent).map_err(|e| io_err(&t.parent, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.as_bytes().starts_with(prefix.as_bytes()) {
            found.push(t.parent.join(name));
        }
    }
    found.sort();
    for p in &found {
        let r = match kind_at(p) {
            Ok(Some(k)) if k.is_dir() => std::fs::remove_dir_all(p),
            Ok(Some(_)) => std::fs::remove_file(p),
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        r.map_err(|e| io_err(p, e))?;
    }
    Ok(found)
}

/// `fsync` every file and folder under `dir` (not following symbolic links).
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        let entry = entry.map_err(|e| io_err(dir, e))?;
        let p = entry.path();
        let k = entry.file_type().map_err(|e| io_err(&p, e))?;
        if k.is_dir() {
            sync_tree(&p)?;
        } else if k.is_file() {
            File::open(&p)
                .and_then(|f| f.sync_all())
                .map_err(|e| io_err(&p, e))?;
        }
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<()> {
    match File::open(dir).and_then(|f| f.sync_all()) {
        Ok(()) => Ok(()),
        // Some file systems cannot fsync a folder; the data files themselves are synced.
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(()),
        Err(e) => Err(io_err(dir, e)),
    }
}

fn cpath(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// `renameat2(from, to, flags)`; `Ok(false)` if the file system does not support `flags`.
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<bool> {
    let (f, t) = (cpath(from)?, cpath(to)?);
    // SAFETY: both strings are valid and NUL-terminated for the duration of the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            f.as_ptr(),
            libc::AT_FDCWD,
            t.as_ptr(),
            flags,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) => Ok(false),
        _ => Err(e),
    }
}

/// Renames `from` to `to`, refusing to replace anything at `to`.
fn rename_noreplace(from: &Path, to: &Path) -> Result<()> {
    match renameat2(from, to, libc::RENAME_NOREPLACE) {
        Ok(true) => Ok(()),
        Ok(false) => {
            // No RENAME_NOREPLACE here: `rename` of a folder onto an existing non-empty folder
            // fails, and we hold the lock, so only an empty folder made by someone else could
            // be replaced.
            std::fs::rename(from, to).map_err(|e| io_err(to, e))
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(bad(
            to,
            "appeared while the run was writing; nothing was replaced",
        )),
        Err(e) => Err(io_err(to, e)),
    }
}

/// Swaps the staging folder and the existing target; afterwards `staging` holds the old run.
fn exchange(staging: &Path, target: &Path, t: &Target) -> Result<()> {
    match renameat2(staging, target, libc::RENAME_EXCHANGE) {
        Ok(true) => Ok(()),
        Ok(false) => {
            // No atomic exchange: move the old run aside under a staging name (a leftover the
            // next run clears if we die), then move the new one in.
            let mut n = t.staging_prefix();
            n.push(random_hex());
            let aside = t.parent.join(n);
            std::fs::rename(target, &aside).map_err(|e| io_err(target, e))?;
            std::fs::rename(staging, target).map_err(|e| io_err(target, e))?;
            std::fs::rename(&aside, staging).map_err(|e| io_err(staging, e))
        }
        Err(e) => Err(io_err(target, e)),
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
}
