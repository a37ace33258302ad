//! Reproducible random streams.
//!
//! A draw is identified by *(seed, replicate, purpose, tick, agent, k)*, never by which thread
//! made it or what was drawn before it. The ChaCha8 key is derived from (seed, replicate,
//! purpose); the ChaCha stream number is the tick; agent `i`'s `k`-th word of the tick sits at
//! word position `i * words_per_agent + k`. A chunk of agents therefore generates its words in
//! bulk with one seek ([`TickStream::fill`]), a ChaCha block serves 16 words instead of one
//! agent, and the result is the same for any thread count or chunking.
//!
//! Purposes are named ([`Purpose::named`]), so adding a draw for one mechanism never shifts
//! another's numbers; and because the key does not involve the policy, two policy arms with the
//! same seed share every stream (common random numbers).

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A named random stream family, e.g. `sisa.transition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purpose(pub u64);

impl Purpose {
    /// The purpose with this name (FNV-1a hash, stable across versions and platforms).
    pub const fn named(name: &str) -> Purpose {
        Purpose(fnv1a(FNV_OFFSET, name.as_bytes()))
    }
}

/// The FNV-1a offset basis: the starting value of [`fnv1a`].
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of `bytes`, continuing from `h` ([`FNV_OFFSET`] to start): stable across versions
/// and platforms, used for stream names and for the identity hashes of studies, shards and
/// checkpoints.
pub const fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// [`fnv1a`] of `bytes` from the offset basis, as 16 hex digits.
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a(FNV_OFFSET, bytes))
}

/// SplitMix64 finaliser: a bijective mixer with good avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The random streams of one replicate of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streams {
    seed: u64,
    replicate: u32,
}

impl Streams {
    /// Streams of replicate `replicate` under master seed `seed`.
    pub fn new(seed: u64, replicate: u32) -> Streams {
        Streams { seed, replicate }
    }

    /// The replicate index.
    pub fn replicate(&self) -> u32 {
        self.replicate
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn key(&self, purpose: Purpose) -> [u8; 32] {
        let mut key = [0u8; 32];
        let mut state = mix64(self.seed ^ mix64(purpose.0));
        state = mix64(state ^ (self.replicate as u64).wrapping_mul(0xd6e8_feb8_6659_fd93));
        for (j, chunk) in key.chunks_mut(8).enumerate() {
            state = mix64(state.wrapping_add(j as u64));
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        key
    }

    /// The stream for `purpose` at `tick`.
    pub fn tick(&self, purpose: Purpose, tick: u64) -> TickStream {
        TickStream {
            key: self.key(purpose),
            tick,
        }
    }

    /// A 64-bit seed for a sequential generator (e.g. a graph generator) for `purpose`.
    pub fn seed_for(&self, purpose: Purpose) -> u64 {
        let k = self.key(purpose);
        u64::from_le_bytes([k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]])
    }
}

/// The words of one purpose at one tick, addressable by agent.
#[derive(Clone, Copy, Debug)]
pub struct TickStream {
    key: [u8; 32],
    tick: u64,
}

impl TickStream {
    fn rng_at(&self, word: u128) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(self.tick);
        rng.set_word_pos(word);
        rng
    }

    /// Fills `out` with the words of agents `first..first + out.len() / words_per_agent`,
    /// `words_per_agent` consecutive words each.
    pub fn fill(&self, first: usize, words_per_agent: usize, out: &mut [u32]) {
        let mut rng = self.rng_at(first as u128 * words_per_agent as u128);
        fill_words(&mut rng, out);
    }

    /// A generator private to `agent` at this tick, for a variable number of draws (each agent
    /// owns 2^32 words, far more than any mechanism uses). Slower than [`fill`](Self::fill):
    /// use it for rare events, not for every agent every tick.
    pub fn agent_rng(&self, agent: usize) -> ChaCha8Rng {
        // Offset past the bulk region so the two layouts never overlap.
        self.rng_at((1u128 << 100) + ((agent as u128) << 32))
    }
}

/// Fills `out` with the generator's next `out.len()` words, exactly the words `next_u32` would
/// return one by one.
///
/// Why not a `next_u32` loop: the block generator behind ChaCha produces 64 words at a time,
/// and `fill_bytes` copies them out wholesale, while `next_u32` pays an index check and a
/// call per word; the bulk copy is several times faster in the models' inner loops. The
/// generator writes each word as little-endian bytes, so reading them back with
/// `u32::from_le` gives the same sequence on any platform.
#[inline]
pub fn fill_words(rng: &mut ChaCha8Rng, out: &mut [u32]) {
    // SAFETY: `out` is a valid, exclusively borrowed region of `4 * out.len()` bytes; `u8`
    // has alignment 1 and every bit pattern is a valid `u32`, so viewing and writing it as
    // bytes is sound.
    let bytes =
        unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<u8>(), out.len() * 4) };
    rng.fill_bytes(bytes);
    if cfg!(target_endian = "big") {
        for w in out.iter_mut() {
            *w = u32::from_le(*w);
        }
    }
}

/// 2^32 as f64.
const TWO32: f64 = 4_294_967_296.0;

/// The threshold `t` such that `(word as u64) < t` happens with probability `p` (clamped to
/// [0, 1]) for a uniform 32-bit word.
#[inline]
pub fn threshold(p: f64) -> u64 {
    if p.is_nan() || p <= 0.0 {
        0
    } else if p >= 1.0 {
        1u64 << 32
    } else {
        (p * TWO32) as u64
    }
}

/// True with probability `p`, using one word.
#[inline]
pub fn chance(word: u32, p: f64) -> bool {
    (word as u64) < threshold(p)
}

/// A uniform number in [0, 1) from one word.
#[inline]
pub fn unit(word: u32) -> f64 {
    word as f64 / TWO32
}

/// A uniform integer in `0..n` from one word (Lemire's multiply-shift; bias below 2^-32 * n).
#[inline]
pub fn below(word: u32, n: usize) -> usize {
    ((word as u64 * n as u64) >> 32) as usize
}

/// A standard normal draw from two words (Box-Muller).
#[inline]
pub fn normal(w1: u32, w2: u32) -> f64 {
    let u1 = (w1 as f64 + 1.0) / (TWO32 + 1.0);
    let u2 = unit(w2);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_fill_matches_per_agent_positions() {
        let s = Streams::new(42, 3).tick(Purpose::named("test"), 17);
        let mut all = vec![0u32; 100 * 3];
        s.fill(0, 3, &mut all);
        for first in [0usize, 1, 5, 31, 64, 99] {
            let mut part = vec![0u32; 3];
            s.fill(first, 3, &mut part);
            assert_eq!(&part[..], &all[first * 3..first * 3 + 3]);
        }
    }

    #[test]
    fn bulk_fill_matches_next_u32_at_every_alignment() {
        let s = Streams::new(5, 1).tick(Purpose::named("align"), 9);
        let mut rng = s.rng_at(0);
        let one_by_one: Vec<u32> = (0..700).map(|_| rng.next_u32()).collect();
        for (first, len) in [
            (0usize, 700usize),
            (1, 5),
            (3, 64),
            (13, 300),
            (63, 2),
            (64, 129),
        ] {
            let mut part = vec![0u32; len];
            s.fill(first, 1, &mut part);
            assert_eq!(&part[..], &one_by_one[first..first + len], "{first}+{len}");
        }
    }

    #[test]
    fn streams_differ_by_every_key_part() {
        let mut w = [[0u32; 4]; 5];
        Streams::new(1, 0)
            .tick(Purpose::named("a"), 0)
            .fill(0, 4, &mut w[0]);
        Streams::new(2, 0)
            .tick(Purpose::named("a"), 0)
            .fill(0, 4, &mut w[1]);
        Streams::new(1, 1)
            .tick(Purpose::named("a"), 0)
            .fill(0, 4, &mut w[2]);
        Streams::new(1, 0)
            .tick(Purpose::named("b"), 0)
            .fill(0, 4, &mut w[3]);
        Streams::new(1, 0)
            .tick(Purpose::named("a"), 1)
            .fill(0, 4, &mut w[4]);
        for i in 0..5 {
            for j in i + 1..5 {
                assert_ne!(w[i], w[j], "{i} vs {j}");
            }
        }
    }

    #[test]
    fn thresholds_hit_the_right_frequency() {
        let s = Streams::new(9, 0).tick(Purpose::named("freq"), 0);
        let mut words = vec![0u32; 200_000];
        s.fill(0, 1, &mut words);
        let hits = words.iter().filter(|&&w| chance(w, 0.3)).count() as f64 / words.len() as f64;
        assert!((hits - 0.3).abs() < 0.005, "{hits}");
        assert!(words.iter().all(|&w| chance(w, 1.0)));
        assert!(!words.iter().any(|&w| chance(w, 0.0)));
        let mean = words.iter().map(|&w| unit(w)).sum::<f64>() / words.len() as f64;
        assert!((mean - 0.5).abs() < 0.005);
        assert!(words.iter().all(|&w| below(w, 7) < 7));
    }
}
