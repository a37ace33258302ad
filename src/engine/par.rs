//! Deterministic data parallelism.
//!
//! Work is split into fixed-size chunks of agents ([`CHUNK`]), whatever the thread count, and
//! every chunk writes only its own slice. Float reductions sum each chunk, then combine the
//! chunk sums in index order, so a total never depends on how rayon scheduled the chunks.
//! Each helper takes an [`Exec`] so tests can run the same phase sequentially and in parallel
//! and compare.

use rayon::prelude::*;

/// Agents per chunk. Large enough to amortise scheduling and random-stream seeks, small enough
/// to balance two to dozens of threads.
pub const CHUNK: usize = 4096;

/// How a phase runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exec {
    /// On the calling thread, chunk after chunk.
    Sequential,
    /// On the rayon pool.
    Parallel,
}

/// Calls `f(first_index, chunk)` for each [`CHUNK`]-sized chunk of `out`.
pub fn for_each_chunk<T, F>(exec: Exec, out: &mut [T], f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync + Send,
{
    match exec {
        Exec::Sequential => out
            .chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, s)| f(c * CHUNK, s)),
        Exec::Parallel => out
            .par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, s)| f(c * CHUNK, s)),
    }
}

/// Like [`for_each_chunk`], and each chunk also returns a value; the values come back in
/// chunk order (so combining them in order is deterministic).
pub fn map_each_chunk<T, R, F>(exec: Exec, out: &mut [T], f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(usize, &mut [T]) -> R + Sync + Send,
{
    match exec {
        Exec::Sequential => out
            .chunks_mut(CHUNK)
            .enumerate()
            .map(|(c, s)| f(c * CHUNK, s))
            .collect(),
        Exec::Parallel => out
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(c, s)| f(c * CHUNK, s))
            .collect(),
    }
}

/// Maps each chunk `first..first+len` of `0..n` to a value, in chunk order.
pub fn map_chunks<R, F>(exec: Exec, n: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(std::ops::Range<usize>) -> R + Sync + Send,
{
    let chunks = n.div_ceil(CHUNK);
    let range = |c: usize| c * CHUNK..((c + 1) * CHUNK).min(n);
    match exec {
        Exec::Sequential => (0..chunks).map(|c| f(range(c))).collect(),
        Exec::Parallel => (0..chunks).into_par_iter().map(|c| f(range(c))).collect(),
    }
}

/// Sum of `f(i)` over `0..n`, identical for any thread count.
pub fn sum_f64<F>(exec: Exec, n: usize, f: F) -> f64
where
    F: Fn(usize) -> f64 + Sync + Send,
{
    map_chunks(exec, n, |r| r.map(&f).sum::<f64>())
        .into_iter()
        .sum()
}

/// Count of `i` in `0..n` with `f(i)`.
pub fn count<F>(exec: Exec, n: usize, f: F) -> u64
where
    F: Fn(usize) -> bool + Sync + Send,
{
    map_chunks(exec, n, |r| r.filter(|&i| f(i)).count() as u64)
        .into_iter()
        .sum()
}

/// Asks the CPU to start loading `data[index]` into cache (a hint: no effect on results).
///
/// Why: models read their contacts' values through ties, and contacts far away in the id
/// space (online ties, in a population of millions) miss every cache level. Hinting the
/// values a few agents ahead lets those loads overlap the arithmetic of the current agent.
/// Out-of-range indices are ignored; on other architectures this does nothing.
#[inline(always)]
pub fn prefetch<T>(data: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if index < data.len() {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: prefetching only hints the cache and never faults; the pointer is in bounds.
        #[allow(unused_unsafe)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(data.as_ptr().add(index).cast::<i8>())
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, index);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_identical_sequential_and_parallel() {
        let n = 100_003;
        let f = |i: usize| ((i as f64) * 0.37).sin() / (1.0 + i as f64);
        let a = sum_f64(Exec::Sequential, n, f);
        let b = sum_f64(Exec::Parallel, n, f);
        assert_eq!(a.to_bits(), b.to_bits());
        assert_eq!(
            count(Exec::Sequential, n, |i| i % 3 == 0),
            count(Exec::Parallel, n, |i| i % 3 == 0)
        );
    }

    #[test]
    fn chunks_cover_everything_once() {
        let mut v = vec![0usize; 3 * CHUNK + 5];
        for_each_chunk(Exec::Parallel, &mut v, |first, s| {
            for (k, x) in s.iter_mut().enumerate() {
                *x = first + k;
            }
        });
        assert!(v.iter().enumerate().all(|(i, &x)| i == x));
    }
}
