//! The checkpoint file format: a checked header, a compact little-endian payload and a
//! checksum.
//!
//! Why hand-written rather than serde: the model state is a few dozen flat columns of numbers
//! (hundreds of megabytes at a million agents), which this writes as raw little-endian bytes
//! with one length each, streamed through a buffered writer (no second in-memory copy); and
//! the encoders destructure every state struct without `..`, so a field added to the model
//! without a line here is a compile error rather than a silently lost value.
//!
//! Layout:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `COCOONCK` |
//! | 4 | [`FORMAT_VERSION`] |
//! | str | the cocoon version and commit that wrote it ([`cocoon_version`]) |
//! | str | the hash of the study it belongs to (scenario or comparison) |
//! | str | what it holds (e.g. `g0-r3-arm2`) |
//! | … | the payload |
//! | 8 | payload length in bytes |
//! | 8 | FNV-1a 64 checksum of the payload |
//!
//! A `str` is a `u64` byte length and UTF-8 bytes; a vector is a `u64` element count and the
//! elements. The header is checked field by field before the checksum, so a file from another
//! version or study is refused with a message that says which, not with "corrupt".

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// First bytes of every checkpoint file.
pub const MAGIC: &[u8; 8] = b"COCOONCK";
/// Version of the checkpoint layout; a file of another layout is refused.
pub const FORMAT_VERSION: u32 = 1;

/// The version of cocoon (and its commit) whose model wrote a checkpoint: only the same build
/// may continue it, since any change to the model could change what a state means.
pub fn cocoon_version() -> String {
    match crate::output::build_info() {
        (v, Some(c)) => format!("{v} ({c})"),
        (v, None) => v.to_string(),
    }
}

use crate::engine::rng::{fnv1a as fnv, FNV_OFFSET};

/// Writes a checkpoint: header, then values through the `put_*` methods, then
/// [`Enc::finish`]. Write errors are kept and returned by `finish`, so encoders stay simple.
pub struct Enc<W: Write> {
    w: W,
    in_payload: bool,
    hash: u64,
    len: u64,
    err: Option<std::io::Error>,
}

impl<W: Write> Enc<W> {
    /// Starts a checkpoint of `study` (a hash) holding `what`.
    pub fn new(w: W, study: &str, what: &str) -> Enc<W> {
        let mut e = Enc {
            w,
            in_payload: false,
            hash: FNV_OFFSET,
            len: 0,
            err: None,
        };
        e.raw(MAGIC);
        e.raw(&FORMAT_VERSION.to_le_bytes());
        e.put_str(&cocoon_version());
        e.put_str(study);
        e.put_str(what);
        e.in_payload = true;
        e
    }

    fn raw(&mut self, bytes: &[u8]) {
        if self.err.is_some() {
            return;
        }
        if self.in_payload {
            self.hash = fnv(self.hash, bytes);
            self.len += bytes.len() as u64;
        }
        if let Err(e) = self.w.write_all(bytes) {
            self.err = Some(e);
        }
    }

    /// Ends the payload with its length and checksum and flushes; returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.in_payload = false;
        let (len, hash) = (self.len, self.hash);
        self.raw(&len.to_le_bytes());
        self.raw(&hash.to_le_bytes());
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.w.flush()?;
        Ok(self.w)
    }

    /// A byte.
    pub fn put_u8(&mut self, v: u8) {
        self.raw(&[v]);
    }

    /// A boolean, as one byte.
    pub fn put_bool(&mut self, v: bool) {
        self.put_u8(u8::from(v));
    }

    /// A `u32`.
    pub fn put_u32(&mut self, v: u32) {
        self.raw(&v.to_le_bytes());
    }

    /// A `u64`.
    pub fn put_u64(&mut self, v: u64) {
        self.raw(&v.to_le_bytes());
    }

    /// An `i64`.
    pub fn put_i64(&mut self, v: i64) {
        self.raw(&v.to_le_bytes());
    }

    /// A `usize`, as a `u64`.
    pub fn put_usize(&mut self, v: usize) {
        self.put_u64(v as u64);
    }

    /// An `f64`, as its bit pattern.
    pub fn put_f64(&mut self, v: f64) {
        self.put_u64(v.to_bits());
    }

    /// A string.
    pub fn put_str(&mut self, s: &str) {
        self.put_usize(s.len());
        self.raw(s.as_bytes());
    }

    /// A slice of fixed-size values, in bulk (see [`Plain`]).
    pub fn put_slice<T: Plain>(&mut self, v: &[T]) {
        self.put_usize(v.len());
        let mut buf = Vec::with_capacity(T::SIZE * v.len().min(1 << 16));
        for chunk in v.chunks(1 << 16) {
            buf.clear();
            for x in chunk {
                x.put(&mut buf);
            }
            self.raw(&buf);
        }
    }
}

/// Values stored as a fixed number of little-endian bytes.
pub trait Plain: Copy {
    /// Bytes per value.
    const SIZE: usize;
    /// Appends the value's bytes.
    fn put(&self, out: &mut Vec<u8>);
    /// The value from exactly [`Self::SIZE`] bytes.
    fn get(b: &[u8]) -> Self;
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl Plain for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(b: &[u8]) -> Self {
                <$t>::from_le_bytes(b.try_into().expect("exact size"))
            }
        }
    )*};
}
plain!(u8, u16, u32, u64, i32, i64, f32, f64);

impl Plain for usize {
    const SIZE: usize = 8;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(*self as u64).to_le_bytes());
    }
    fn get(b: &[u8]) -> Self {
        u64::from_le_bytes(b.try_into().expect("exact size")) as usize
    }
}

/// What a checkpoint's header says, checked by [`Dec::open`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The cocoon version that wrote it.
    pub version: String,
    /// The study hash.
    pub study: String,
    /// What it holds.
    pub what: String,
}

/// Reads a checkpoint's payload after its header and checksum were checked.
pub struct Dec<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    path: &'a Path,
}

fn refuse(path: &Path, message: impl Into<String>) -> Error {
    Error::Checkpoint {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

impl<'a> Dec<'a> {
    /// Checks `bytes` (the file at `path`) in this order: magic, format version, cocoon
    /// version, study hash, what it holds, length, checksum; the first mismatch is the error.
    pub fn open(bytes: &'a [u8], path: &'a Path, study: &str, what: &str) -> Result<Dec<'a>> {
        let mut d = Dec {
            bytes,
            pos: 0,
            end: bytes.len(),
            path,
        };
        if bytes.len() < MAGIC.len() + 4 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(refuse(path, "not a cocoon checkpoint (no COCOONCK header)"));
        }
        d.pos = MAGIC.len();
        let format = d.u32()?;
        if format != FORMAT_VERSION {
            return Err(refuse(
                path,
                format!(
                    "checkpoint format {format}; this cocoon reads format {FORMAT_VERSION} only"
                ),
            ));
        }
        let header = Header {
            version: d.str()?,
            study: d.str()?,
            what: d.str()?,
        };
        let ours = cocoon_version();
        if header.version != ours {
            return Err(refuse(
                path,
                format!(
                    "written by cocoon {}, but this is cocoon {ours}; a checkpoint is continued \
                     only by the build that wrote it (start the run again, or use that build)",
                    header.version
                ),
            ));
        }
        if header.study != study {
            return Err(refuse(
                path,
                format!(
                    "belongs to another scenario or comparison (hash {}, but the files now give \
                     {study}): the scenario, comparison or --set values changed since it was \
                     written; start the run again",
                    header.study
                ),
            ));
        }
        if header.what != what {
            return Err(refuse(
                path,
                format!("holds `{}`, expected `{what}`", header.what),
            ));
        }
        if bytes.len() < d.pos + 16 {
            return Err(refuse(path, "truncated (no checksum)"));
        }
        let trailer = bytes.len() - 16;
        let len = u64::from_le_bytes(bytes[trailer..trailer + 8].try_into().expect("8 bytes"));
        let sum = u64::from_le_bytes(bytes[trailer + 8..].try_into().expect("8 bytes"));
        if len != (trailer - d.pos) as u64 {
            return Err(refuse(
                path,
                "truncated or extended (payload length differs)",
            ));
        }
        if fnv(FNV_OFFSET, &bytes[d.pos..trailer]) != sum {
            return Err(refuse(path, "corrupt (checksum mismatch)"));
        }
        d.end = trailer;
        Ok(d)
    }

    /// The header of the checkpoint in `bytes`, unchecked except for the magic and format.
    pub fn header(bytes: &[u8], path: &Path) -> Result<Header> {
        let mut d = Dec {
            bytes,
            pos: MAGIC.len(),
            end: bytes.len(),
            path,
        };
        if bytes.len() < MAGIC.len() + 4 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(refuse(path, "not a cocoon checkpoint (no COCOONCK header)"));
        }
        d.u32()?;
        Ok(Header {
            version: d.str()?,
            study: d.str()?,
            what: d.str()?,
        })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.end - self.pos {
            return Err(refuse(self.path, "truncated payload"));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Fails unless every payload byte was read.
    pub fn done(&self) -> Result<()> {
        if self.pos != self.end {
            return Err(refuse(
                self.path,
                format!("{} unread payload bytes", self.end - self.pos),
            ));
        }
        Ok(())
    }

    /// An error about this file's content.
    pub fn invalid(&self, message: impl Into<String>) -> Error {
        refuse(self.path, message)
    }

    /// A byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// A boolean.
    pub fn bool(&mut self) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(self.invalid(format!("bad boolean byte {b}"))),
        }
    }

    /// A `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::get(self.take(4)?))
    }

    /// A `u64`.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::get(self.take(8)?))
    }

    /// An `i64`.
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::get(self.take(8)?))
    }

    /// A `usize`.
    pub fn usize(&mut self) -> Result<usize> {
        let v = self.u64()?;
        usize::try_from(v).map_err(|_| self.invalid(format!("size {v} too large")))
    }

    /// An `f64`.
    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// A string.
    pub fn str(&mut self) -> Result<String> {
        let n = self.usize()?;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| self.invalid("a string is not UTF-8"))
    }

    /// A vector written by [`Enc::put_slice`].
    pub fn vec<T: Plain>(&mut self) -> Result<Vec<T>> {
        let n = self.usize()?;
        let bytes = self.take(
            n.checked_mul(T::SIZE)
                .ok_or_else(|| self.invalid("vector too long"))?,
        )?;
        Ok(bytes.chunks_exact(T::SIZE).map(T::get).collect())
    }

    /// A vector of exactly `n` values (a column of the model).
    pub fn column<T: Plain>(&mut self, n: usize, what: &str) -> Result<Vec<T>> {
        let v = self.vec()?;
        if v.len() != n {
            return Err(self.invalid(format!(
                "column `{what}` has {} values, expected {n}",
                v.len()
            )));
        }
        Ok(v)
    }
}

/// Writes a checkpoint to `path` atomically (a temporary next to it, flushed to disk, then
/// renamed over any older one), so a kill while writing leaves the previous checkpoint whole.
pub fn save(
    path: &Path,
    study: &str,
    what: &str,
    body: impl FnOnce(&mut Enc<std::io::BufWriter<std::fs::File>>),
) -> Result<u64> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let tmp = crate::output::atomic::temp_name(path);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&tmp)
        .map_err(err)?;
    let mut e = Enc::new(
        std::io::BufWriter::with_capacity(1 << 20, file),
        study,
        what,
    );
    body(&mut e);
    let done = e
        .finish()
        .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
        .and_then(|f| {
            f.sync_all()?;
            Ok(f.metadata()?.len())
        })
        .and_then(|len| std::fs::rename(&tmp, path).map(|_| len));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(study: &str) -> Vec<u8> {
        let mut e = Enc::new(Vec::new(), study, "thing");
        e.put_u8(7);
        e.put_bool(true);
        e.put_i64(-3);
        e.put_f64(f64::NAN);
        e.put_str("héllo");
        e.put_slice(&[1.5f32, -0.0, f32::INFINITY]);
        e.put_slice(&[i32::MIN, 0, 5]);
        e.put_slice::<u16>(&[]);
        e.finish().unwrap()
    }

    #[test]
    fn values_round_trip_bit_for_bit() {
        let bytes = sample("abc");
        let p = Path::new("x.ckpt");
        let mut d = Dec::open(&bytes, p, "abc", "thing").unwrap();
        assert_eq!(d.u8().unwrap(), 7);
        assert!(d.bool().unwrap());
        assert_eq!(d.i64().unwrap(), -3);
        assert!(d.f64().unwrap().is_nan());
        assert_eq!(d.str().unwrap(), "héllo");
        let f: Vec<f32> = d.vec().unwrap();
        assert_eq!(
            f.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            [1.5f32, -0.0, f32::INFINITY].map(f32::to_bits)
        );
        assert_eq!(d.column::<i32>(3, "c").unwrap(), [i32::MIN, 0, 5]);
        assert!(d.vec::<u16>().unwrap().is_empty());
        d.done().unwrap();
    }

    #[test]
    fn every_header_field_and_the_checksum_are_checked() {
        let p = Path::new("x.ckpt");
        let bytes = sample("abc");
        let msg = |b: &[u8], study: &str, what: &str| match Dec::open(b, p, study, what) {
            Ok(_) => String::from("accepted"),
            Err(e) => e.to_string(),
        };
        assert!(msg(&bytes, "abd", "thing").contains("another scenario"));
        assert!(msg(&bytes, "abc", "other").contains("expected `other`"));
        assert!(msg(b"hello world, not a checkpoint", "abc", "thing").contains("not a cocoon"));
        let mut format = bytes.clone();
        format[8] = 9;
        assert!(msg(&format, "abc", "thing").contains("format 9"));
        // Another version: the version string follows the format and its length.
        let version = cocoon_version();
        let mut other = bytes.clone();
        let at = 8 + 4 + 8;
        assert_eq!(&other[at..at + version.len()], version.as_bytes());
        other[at] = if other[at] == b'9' { b'8' } else { b'9' };
        let m = msg(&other, "abc", "thing");
        assert!(
            m.contains("written by cocoon 9") || m.contains("written by cocoon 8"),
            "{m}"
        );
        let mut flipped = bytes.clone();
        let k = bytes.len() - 20;
        flipped[k] ^= 1;
        assert!(msg(&flipped, "abc", "thing").contains("checksum"));
        let cut = &bytes[..bytes.len() - 3];
        assert!(msg(cut, "abc", "thing").contains("truncated"));
        assert_eq!(msg(&bytes, "abc", "thing"), "accepted");
    }
}
