//! An opt-in on-disk cache of burnt-in states (`--burn-in-cache DIR`): the state at tick 0 of
//! each replicate is saved once and loaded by every later run whose burn-in is the same.
//!
//! Why: the default burn-in is 60 years (3120 weeks), so it is most of the cost of a run, and
//! a run, a comparison after it, and a workshop's repeated runs all burn in the same world.
//! Arms that share a burn-in already share it within one process ([`super::burn_in`]); this
//! shares it between processes and days.
//!
//! - **Reads**: a scenario's [`super::burn_in_signature`] (seed and every key the burn-in
//!   reads), the content of an observed network if the scenario has one, and this build's
//!   version ([`crate::checkpoint::codec::cocoon_version`]) and checkpoint format.
//! - **Writes**: one file per (signature, replicate) in the cache folder,
//!   `<fnv1a_hex(key)>-r<r>.cocoon-burnin`, atomically (a temporary renamed into place, so a
//!   killed run or two runs filling the same entry never leave half a file).
//! - **Acts**: before tick 1 of every replicate, in place of the burn-in.
//!
//! The file is an ordinary checkpoint ([`crate::checkpoint::codec`], state by
//! [`super::checkpoint`]): its header carries the build and the key's hash, and the payload
//! starts with the full key text, so a hash collision is caught too. The build is part of the
//! name, so another build simply misses and writes its own file. A file under the expected
//! name that fails any check (damaged, truncated, edited, another key) is therefore never
//! expected: it is an error naming the file, not a silent rebuild, because a cache that
//! quietly rebuilds would hide damaged storage, and a wrong state must never be used.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use super::checkpoint::{decode, encode};
use super::params::WParams;
use super::Withdrawal;
use crate::checkpoint::codec::{self, Dec};
use crate::engine::par::Exec;
use crate::engine::rng::{fnv1a, fnv1a_hex, Streams, FNV_OFFSET};
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// The extension of cache files.
pub const EXT: &str = "cocoon-burnin";

/// A burn-in cache folder, and which of its files a run used (for the manifest).
#[derive(Debug)]
pub struct BurnInCache {
    dir: PathBuf,
    used: Mutex<Vec<CacheUse>>,
}

/// One cache file a run used, for the manifest's run section.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CacheUse {
    /// The file, relative to the cache folder.
    pub file: String,
    /// `loaded` (the burn-in came from the cache) or `written` (burnt in and saved).
    pub burn_in: &'static str,
}

/// What a run took from or gave to the cache, for the manifest's run section (the result
/// files are the same with or without the cache; only this section tells them apart).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CacheReport {
    /// The cache folder, as given.
    pub dir: PathBuf,
    /// The files used, in name order.
    pub files: Vec<CacheUse>,
}

impl BurnInCache {
    /// The cache in `dir`, created (with its parents) if missing. A path that is not a folder
    /// or cannot be created is a usage error.
    pub fn open(dir: &Path) -> Result<BurnInCache> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--burn-in-cache {}: not a folder; give a folder (it is created if missing)",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Usage(format!(
                "--burn-in-cache {}: cannot create the folder ({e})",
                dir.display()
            ))
        })?;
        Ok(BurnInCache {
            dir: dir.to_path_buf(),
            used: Mutex::new(Vec::new()),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The files used so far, in name order.
    pub fn used(&self) -> Vec<CacheUse> {
        let mut all = self.used.lock().expect("no panics while locked").clone();
        all.sort();
        all
    }

    /// The folder and the files used so far, for the manifest.
    pub fn report(&self) -> CacheReport {
        CacheReport {
            dir: self.dir.clone(),
            files: self.used(),
        }
    }

    /// The burnt-in model (tick 0) of replicate `r` of `scenario` with parameters `p`: loaded
    /// from the cache, or built, burnt in and saved. `progress` is called once per burn-in
    /// week either way (at once when loaded), so a progress bar still adds up.
    pub fn warm(
        &self,
        scenario: &Scenario,
        p: &WParams,
        r: u32,
        exec: Exec,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Withdrawal> {
        let key = cache_key(scenario);
        let hash = fnv1a_hex(key.as_bytes());
        let file = format!("{hash}-r{r}.{EXT}");
        let path = self.dir.join(&file);
        let what = format!("burnin-r{r}");
        let streams = Streams::new(scenario.seed, r);
        let note = |burn_in| {
            self.used
                .lock()
                .expect("no panics while locked")
                .push(CacheUse {
                    file: file.clone(),
                    burn_in,
                })
        };
        match std::fs::read(&path) {
            Ok(bytes) => {
                let m = load(&bytes, &path, &hash, &what, &key, scenario, p, streams)
                    .map_err(|e| unusable(e, &path))?;
                (0..p.burn_in).for_each(|_| progress());
                note("loaded");
                Ok(m)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut m = Withdrawal::new(p.clone(), streams);
                m.burn_in_counted(exec, progress);
                codec::save(&path, &hash, &what, |e| {
                    e.put_str(&key);
                    encode(&m, e);
                })?;
                note("written");
                Ok(m)
            }
            Err(e) => Err(Error::Write { path, source: e }),
        }
    }
}

/// Decodes and checks a cache file: header (format, build, key hash, replicate), the full key,
/// the state, and that it is the state at tick 0 after the whole burn-in.
#[allow(clippy::too_many_arguments)]
fn load(
    bytes: &[u8],
    path: &Path,
    hash: &str,
    what: &str,
    key: &str,
    scenario: &Scenario,
    p: &WParams,
    streams: Streams,
) -> Result<Withdrawal> {
    let mut d = Dec::open(bytes, path, hash, what)?;
    let stored = d.str()?;
    if stored != key {
        return Err(d.invalid(format!("holds the burn-in of `{stored}`, not of `{key}`")));
    }
    let m = decode(&mut d, p.clone(), &scenario.params, streams)?;
    d.done()?;
    if m.tick != 0 || m.clock != p.burn_in as u64 {
        return Err(d.invalid(format!(
            "holds week {} (tick {}), not the end of a {}-week burn-in",
            m.clock, m.tick, p.burn_in
        )));
    }
    Ok(m)
}

/// A cache file that fails a check, as an error that names it and says what to do.
fn unusable(e: Error, path: &Path) -> Error {
    let message = match e {
        Error::Checkpoint { message, .. } => message,
        other => other.to_string(),
    };
    Error::Checkpoint {
        path: path.to_path_buf(),
        message: format!(
            "this burn-in cache file cannot be used: {message}; delete it and the next run \
             rebuilds it"
        ),
    }
}

/// Everything a burn-in depends on, as text: the checkpoint format, this build, the model,
/// the [`super::burn_in_signature`], and (for an observed network, which the signature names
/// only by its file) a hash of the network itself.
pub fn cache_key(scenario: &Scenario) -> String {
    let mut key = format!(
        "format={};cocoon={};model={};{}",
        codec::FORMAT_VERSION,
        codec::cocoon_version(),
        scenario.model,
        super::burn_in_signature(scenario)
    );
    if let Some(o) = scenario.params.observed() {
        let g = &o.graph;
        let mut h = FNV_OFFSET;
        let offsets: Vec<u64> = g.offsets.iter().map(|&x| x as u64).collect();
        let weights: Vec<u32> = g.weights.iter().map(|w| w.to_bits()).collect();
        for part in [
            bytes_of(&offsets),
            bytes_of(&g.targets),
            bytes_of(&weights),
            g.layers.clone(),
            bytes_of(&g.groups),
            vec![o.groups as u8, o.layer as u8],
        ] {
            h = fnv1a(h, &(part.len() as u64).to_le_bytes());
            h = fnv1a(h, &part);
        }
        key.push_str(&format!(";observed_network={h:016x}"));
    }
    key
}

/// Little-endian bytes of integers.
fn bytes_of<T: Copy + Into<u64>>(v: &[T]) -> Vec<u8> {
    v.iter().flat_map(|&x| x.into().to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &[&str]) -> Scenario {
        super::super::checkpoint::tests::scenario(extra)
    }

    fn refused(r: Result<Withdrawal>) -> String {
        match r {
            Ok(_) => panic!("a bad cache file was used"),
            Err(e) => e.to_string(),
        }
    }

    fn warm(c: &BurnInCache, s: &Scenario) -> Result<Withdrawal> {
        c.warm(
            s,
            &WParams::from_params(&s.params),
            0,
            Exec::Parallel,
            &|| {},
        )
    }

    /// Cold and warm give the burnt-in state of a run without the cache; a damaged, renamed or
    /// foreign file is an error naming it, never used.
    #[test]
    fn cold_and_warm_equal_a_fresh_burn_in_and_bad_files_are_refused() {
        let s = scenario(&[]);
        let dir = tempfile::tempdir().unwrap();
        let c = BurnInCache::open(&dir.path().join("a/b")).unwrap();
        let mut fresh = Withdrawal::new(WParams::from_params(&s.params), Streams::new(s.seed, 0));
        fresh.burn_in(Exec::Parallel);
        let state = |m: &Withdrawal| {
            let mut e = crate::checkpoint::Enc::new(Vec::new(), "h", "w");
            encode(m, &mut e);
            e.finish().unwrap()
        };
        let cold = warm(&c, &s).unwrap();
        let warmed = warm(&c, &s).unwrap();
        assert_eq!(state(&cold), state(&fresh));
        assert_eq!(state(&warmed), state(&fresh));
        let used = c.used();
        assert_eq!(used.len(), 2);
        assert_eq!(used[0].burn_in, "loaded");
        assert_eq!(used[1].burn_in, "written");
        let path = c.dir().join(&used[0].file);
        // An arm that differs only after the burn-in shares the file.
        let policy = scenario(&["policy.services_share=0.1"]);
        assert_eq!(cache_key(&policy), cache_key(&s));
        assert_ne!(cache_key(&scenario(&["days.base=1.0"])), cache_key(&s));
        // A flipped byte in the payload.
        let good = std::fs::read(&path).unwrap();
        let mut bad = good.clone();
        let at = bad.len() - 40;
        bad[at] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        let e = refused(warm(&c, &s));
        assert!(e.contains(&used[0].file) && e.contains("corrupt"), "{e}");
        // Truncated.
        std::fs::write(&path, &good[..good.len() / 2]).unwrap();
        let e = refused(warm(&c, &s));
        assert!(e.contains("delete it"), "{e}");
        // Another key's file under this name.
        let other = scenario(&["days.base=1.0"]);
        let c2 = BurnInCache::open(&dir.path().join("c")).unwrap();
        warm(&c2, &other).unwrap();
        let other_file = c2.dir().join(&c2.used()[0].file);
        std::fs::copy(&other_file, &path).unwrap();
        let e = refused(warm(&c, &s));
        assert!(e.contains("another scenario"), "{e}");
        // A file is not a folder.
        let f = dir.path().join("file");
        std::fs::write(&f, "x").unwrap();
        let e = BurnInCache::open(&f).expect_err("a file is refused");
        assert!(e.is_input_error() && e.to_string().contains("not a folder"));
    }
}
