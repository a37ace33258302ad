//! Reading the user's input files (scenarios, comparison files, edge lists, node tables)
//! without surprises: only regular files are read, never more than a size cap, and a path that
//! exists but is a folder, a FIFO or a device gets its own message instead of "not found".
//!
//! Why: `read_to_string` on a FIFO blocks forever, on `/dev/zero` reads until memory runs out,
//! and `is_file()` answered "not found" for an existing folder.

use std::io::{self, Read as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// Largest scenario or comparison file read, in bytes (real ones are a few kilobytes).
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;
/// Largest edge list or node table read, in bytes.
pub const MAX_TABLE_BYTES: u64 = 16 << 30;

/// What is wrong with a path that should name a regular file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing is there.
    NotFound,
    /// Something is there but it is not a regular file (the text says what it is).
    NotAFile(&'static str),
}

/// Checks that `path` (following symbolic links) is a regular file.
pub fn problem(path: &Path) -> Option<Problem> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => None,
        Ok(m) => Some(Problem::NotAFile(crate::output::staging::describe_kind(
            &m.file_type(),
        ))),
        Err(_) => Some(Problem::NotFound),
    }
}

/// Checks that a file named by the input (at `location`) is a regular file: "not found" only
/// when nothing is there ([`crate::error::Error::MissingFile`]), otherwise
/// [`crate::error::Error::NotAFile`] saying what it is.
pub fn require_file(
    path: &Path,
    what: &'static str,
    location: &crate::error::Location,
) -> crate::error::Result<()> {
    use crate::error::Error;
    match problem(path) {
        None => Ok(()),
        Some(Problem::NotFound) => Err(Error::MissingFile {
            what,
            path: path.to_path_buf(),
            location: location.clone(),
        }),
        Some(Problem::NotAFile(kind)) => Err(Error::NotAFile {
            what,
            path: path.to_path_buf(),
            kind,
            location: location.clone(),
        }),
    }
}

/// Reads `path` as UTF-8 text: only a regular file, at most `max` bytes. Errors are
/// `io::Error`s whose text says what was wrong ("is a folder, not a file", "is 2000000 bytes;
/// at most 1048576 are read").
pub fn read_text(path: &Path, max: u64) -> io::Result<String> {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file",
                crate::output::staging::describe_kind(&meta.file_type())
            ),
        ));
    }
    if meta.len() > max {
        return Err(too_large(meta.len(), max));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64, max));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is not UTF-8 text (invalid byte at offset {at})"),
        )
    })
}

fn too_large(len: u64, max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {len} bytes or more; at most {max} bytes are read"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_fifos_devices_and_big_files_are_refused_with_their_own_message() {
        let d = tempfile::tempdir().unwrap();
        let e = read_text(d.path(), 100).unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
        let e = read_text(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_text(&fifo, 100).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert_eq!(
            problem(&fifo),
            Some(Problem::NotAFile("a FIFO (named pipe)"))
        );
        let big = d.path().join("big");
        std::fs::write(&big, "x".repeat(101)).unwrap();
        let e = read_text(&big, 100).unwrap_err();
        assert!(e.to_string().contains("at most 100"), "{e}");
        assert_eq!(read_text(&big, 101).unwrap().len(), 101);
        assert_eq!(problem(&d.path().join("nothing")), Some(Problem::NotFound));
        let bad = d.path().join("bad");
        std::fs::write(&bad, b"ok\xff").unwrap();
        assert!(read_text(&bad, 100)
            .unwrap_err()
            .to_string()
            .contains("UTF-8"));
    }
}
