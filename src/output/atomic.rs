//! Atomic file writes: write to a temporary name in the same folder, flush to disk, rename.
//! A reader (or an interrupted run) never sees a half-written file under the final name.
//!
//! The temporary is created with `O_CREAT | O_EXCL | O_NOFOLLOW` under an unpredictable name
//! (`.NAME.cocoon-tmp-<random>`), so a symbolic link planted in the folder can never redirect
//! the write, and `rename` replaces a link at the final name instead of following it. Whole
//! output folders go through [`super::staging::Staging`]; this is the per-file layer below it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Marks temporary files: `.NAME.cocoon-tmp-<16 hex digits>`.
pub const TMP_TAG: &str = ".cocoon-tmp-";

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut last = None;
    for _ in 0..16 {
        let tmp = temp_name(path);
        let mut f = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) => return Err(err(e)),
        };
        let result = f
            .write_all(bytes)
            .and_then(|_| f.sync_all())
            .and_then(|_| std::fs::rename(&tmp, path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return result.map_err(err);
    }
    Err(err(last.unwrap_or_else(|| {
        std::io::Error::from(std::io::ErrorKind::AlreadyExists)
    })))
}

/// A fresh, unpredictable temporary name next to `path`.
pub fn temp_name(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(TMP_TAG);
    name.push(super::staging::random_hex());
    path.with_file_name(name)
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        super::write(&p, b"hello").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"hello");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_planted_symlink_never_redirects_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let p = dir.path().join("a.txt");
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        super::write(&p, b"hello").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(&p).unwrap().is_symlink());
        assert_eq!(std::fs::read(&p).unwrap(), b"hello");
    }

    #[test]
    fn temporary_names_are_unpredictable() {
        let p = std::path::Path::new("x/a.txt");
        assert_ne!(super::temp_name(p), super::temp_name(p));
    }
}
