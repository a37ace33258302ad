//! The file-system operations under [`super::Staging`]: the target's `flock`, leftover
//! clean-up, creating and removing parents, `fsync` of a tree, and the `renameat2` renames that
//! put a staging folder into place without replacing anything by accident.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use super::{bad, io_err, Target, LOCK_TAG};
use crate::error::{Error, Result};

/// What is at `path` (not following a final symbolic link), if anything.
pub(super) fn kind_at(path: &Path) -> io::Result<Option<std::fs::FileType>> {
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
pub(super) fn writable(dir: &Path) -> bool {
    let Ok(c) = CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
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
pub(super) struct Lock {
    path: PathBuf,
    file: Option<File>,
}

impl Lock {
    pub(super) fn acquire(t: &Target) -> Result<Lock> {
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

/// Creates the missing folders of `dir`, returning those it created, deepest first.
pub(super) fn create_parents(dir: &Path) -> Result<Vec<PathBuf>> {
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
pub(super) struct Parents(pub(super) Vec<PathBuf>);

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
/// own one, since we hold the target's lock). Returns what was removed, and the text of the
/// [`super::NOTE_FILE`] any of them held.
pub(super) fn clear_leftovers(
    t: &Target,
    keep: Option<&Path>,
) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let prefix = t.staging_prefix();
    let mut found = Vec::new();
    let entries = std::fs::read_dir(&t.parent).map_err(|e| io_err(&t.parent, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.as_bytes().starts_with(prefix.as_bytes())
            && keep != Some(t.parent.join(&name).as_path())
        {
            found.push(t.parent.join(name));
        }
    }
    found.sort();
    let mut notes = Vec::new();
    for p in &found {
        if let Ok(note) = std::fs::read_to_string(p.join(super::NOTE_FILE)) {
            notes.push(note);
        }
        let r = match kind_at(p) {
            Ok(Some(k)) if k.is_dir() => std::fs::remove_dir_all(p),
            Ok(Some(_)) => std::fs::remove_file(p),
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        r.map_err(|e| io_err(p, e))?;
    }
    Ok((found, notes))
}

/// `fsync` every file and folder under `dir` (not following symbolic links).
pub(super) fn sync_tree(dir: &Path) -> Result<()> {
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

pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    match File::open(dir).and_then(|f| f.sync_all()) {
        Ok(()) => Ok(()),
        // Some file systems cannot fsync a folder; the data files themselves are synced.
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(()),
        Err(e) => Err(io_err(dir, e)),
    }
}

pub(super) fn cpath(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// `renameat2(from, to, flags)`; `Ok(false)` if the file system does not support `flags`.
pub(super) fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<bool> {
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
pub(super) fn rename_noreplace(from: &Path, to: &Path) -> Result<()> {
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
pub(super) fn exchange(staging: &Path, target: &Path, t: &Target) -> Result<()> {
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
