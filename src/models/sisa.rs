//! The SISa contagion model of Hill, Rand, Nowak & Christakis (2010), the reference model
//! used to check the engine against theory and other tools.
//!
//! Each agent is S (0) or I (1). At tick 0 each agent is I with probability `i0`. Each tick,
//! all at once from the previous tick's states: an S agent with `m` infected neighbours becomes
//! I with probability `1 - (1 - a)(1 - beta)^m`; an I agent becomes S with probability `g`.
//! Every agent uses exactly one random word per tick, at the position fixed by (tick, agent),
//! so the outcome is the same on any number of threads.

use std::sync::Arc;

use crate::engine::par::{self, Exec, CHUNK};
use crate::engine::rng::{threshold, Purpose, Streams, TickStream};
use crate::engine::{Model, Recorder};
use crate::graph::Graph;
use crate::scenario::{Applies, Dv, Kind, ParamSpec, Params};

const ONLY_SISA: Applies = Applies::When {
    key: "model",
    values: &["sisa"],
};

/// The `sisa.*` parameters.
pub static SPECS: &[ParamSpec] = &[
    ParamSpec {
        key: "sisa.a",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: Dv::F(0.01),
        unit: "probability per tick",
        meaning: "Spontaneous infection: chance an S agent becomes I with no infected contact.",
        source: "Hill et al. (2010) PMC2973808 (obesity fit a = 2%/yr; scaled for illustration)",
        applies: ONLY_SISA,
    },
    ParamSpec {
        key: "sisa.beta",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: Dv::F(0.05),
        unit: "probability per infected contact per tick",
        meaning: "Transmission: chance each infected neighbour infects an S agent.",
        source: "Hill et al. (2010) PMC2973808",
        applies: ONLY_SISA,
    },
    ParamSpec {
        key: "sisa.g",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: Dv::F(0.1),
        unit: "probability per tick",
        meaning: "Recovery: chance an I agent becomes S, whatever its contacts.",
        source: "Hill et al. (2010) PMC2973808",
        applies: ONLY_SISA,
    },
    ParamSpec {
        key: "sisa.i0",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: Dv::F(0.05),
        unit: "share of agents",
        meaning: "Chance each agent is I at tick 0.",
        source: "assumption",
        applies: ONLY_SISA,
    },
];

/// Stream for the tick-0 states.
pub const INIT: Purpose = Purpose::named("sisa.init");
/// Stream for the per-tick transitions.
pub const TRANSITION: Purpose = Purpose::named("sisa.transition");

/// SISa rates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SisaParams {
    /// Spontaneous infection probability per tick.
    pub a: f64,
    /// Per-infected-contact transmission probability per tick.
    pub beta: f64,
    /// Recovery probability per tick.
    pub g: f64,
    /// Initial infected share.
    pub i0: f64,
}

impl SisaParams {
    /// Reads the `sisa.*` keys.
    pub fn from_params(p: &Params) -> SisaParams {
        SisaParams {
            a: p.f64("sisa.a"),
            beta: p.f64("sisa.beta"),
            g: p.f64("sisa.g"),
            i0: p.f64("sisa.i0"),
        }
    }

    /// Infection probability for an S agent with `m` infected neighbours.
    pub fn infection_probability(&self, m: usize) -> f64 {
        1.0 - (1.0 - self.a) * (1.0 - self.beta).powi(m.min(i32::MAX as usize) as i32)
    }
}

/// SISa state of one replicate: infection flags by column, double-buffered.
#[derive(Clone)]
pub struct Sisa {
    graph: Arc<Graph>,
    state: Vec<u8>,
    next: Vec<u8>,
    /// Infection threshold by number of infected neighbours (0..=max degree).
    infect: Vec<u64>,
    recover: u64,
    streams: Streams,
    /// Number infected in `state`, counted by `step` as it writes (saves `observe` a pass).
    count: u64,
    /// Directed ties read by all steps so far (for throughput measurements).
    visits: u64,
}

impl Sisa {
    /// Sets up tick 0: each agent infected with probability `i0`.
    pub fn new(graph: Arc<Graph>, params: SisaParams, streams: Streams) -> Sisa {
        let n = graph.n();
        assert!(
            graph.targets.iter().all(|&j| (j as usize) < n),
            "graph has a tie to an agent outside 0..{n}"
        );
        let infect = (0..=graph.max_degree())
            .map(|m| threshold(params.infection_probability(m)))
            .collect();
        let init = threshold(params.i0);
        let stream = streams.tick(INIT, 0);
        let mut state = vec![0u8; n];
        par::for_each_chunk(Exec::Parallel, &mut state, |first, out| {
            let mut words = [0u32; CHUNK];
            let words = &mut words[..out.len()];
            stream.fill(first, 1, words);
            for (s, &w) in out.iter_mut().zip(words.iter()) {
                *s = u8::from((w as u64) < init);
            }
        });
        let mut sisa = Sisa {
            graph,
            next: vec![0; n],
            state,
            infect,
            recover: threshold(params.g),
            streams,
            count: 0,
            visits: 0,
        };
        sisa.count = sisa.infected(Exec::Parallel);
        sisa
    }

    /// Infection flags at the current tick (1 = infected).
    pub fn state(&self) -> &[u8] {
        &self.state
    }

    /// Number infected now.
    pub fn infected(&self, exec: Exec) -> u64 {
        let s = &self.state;
        par::map_chunks(exec, s.len(), |r| {
            s[r].iter().map(|&x| x as u64).sum::<u64>()
        })
        .into_iter()
        .sum()
    }

    /// Directed ties read by the gathers of all steps so far (a susceptible agent reads all
    /// its ties; an infected one none). Counted as a by-product, so measuring costs nothing.
    pub fn tie_visits(&self) -> u64 {
        self.visits
    }

    /// Writes the chunk's next states; returns how many of them are infected and how many
    /// ties the chunk read.
    fn step_chunk(&self, stream: &TickStream, first: usize, out: &mut [u8]) -> (u64, u64) {
        let mut words = [0u32; CHUNK];
        let words = &mut words[..out.len()];
        stream.fill(first, 1, words);
        let g = &*self.graph;
        let (offsets, targets) = (&g.offsets[first..=first + out.len()], &g.targets[..]);
        let state = &self.state[..];
        let own = &state[first..first + out.len()];
        let (infect, recover) = (&self.infect[..], self.recover);
        let mut visits = 0u64;
        for (k, slot) in out.iter_mut().enumerate() {
            let w = words[k] as u64;
            *slot = if own[k] != 0 {
                u8::from(w >= recover)
            } else {
                let neighbours = &targets[offsets[k]..offsets[k + 1]];
                visits += neighbours.len() as u64;
                let m = infected_among(state, neighbours);
                u8::from(w < infect[m as usize])
            };
        }
        (out.iter().map(|&x| x as u64).sum(), visits)
    }
}

/// Number of `neighbours` flagged in `state` (cannot overflow: degrees are below 2^32).
///
/// This loop is the model's hot spot, hence the unchecked reads. The caller guarantees every
/// neighbour is below `state.len()` ([`Sisa::new`] checks it once for the immutable graph).
/// (A four-way unrolled version executed more instructions, not fewer.)
#[inline(always)]
fn infected_among(state: &[u8], neighbours: &[u32]) -> u32 {
    let mut m = 0u32;
    for &j in neighbours {
        debug_assert!((j as usize) < state.len());
        // SAFETY: see the caller's guarantee above.
        m += u32::from(unsafe { *state.get_unchecked(j as usize) });
    }
    m
}

impl Model for Sisa {
    fn observe(&mut self, rec: &mut Recorder<'_>) {
        let infected = self.count;
        debug_assert_eq!(infected, self.infected(Exec::Sequential));
        rec.put("infected", infected as f64);
        rec.put(
            "prevalence",
            infected as f64 / self.state.len().max(1) as f64,
        );
    }

    fn step(&mut self, tick: u32, exec: Exec) {
        let stream = self.streams.tick(TRANSITION, tick as u64);
        let mut next = std::mem::take(&mut self.next);
        // Integer counts per chunk: their sum does not depend on the scheduling.
        let per_chunk = par::map_each_chunk(exec, &mut next, |first, out| {
            self.step_chunk(&stream, first, out)
        });
        self.count = per_chunk.iter().map(|c| c.0).sum();
        self.visits += per_chunk.iter().map(|c| c.1).sum::<u64>();
        self.next = std::mem::replace(&mut self.state, next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Edge, EdgeList, Layer};

    fn ring(n: usize) -> Arc<Graph> {
        let edges = (0..n)
            .flat_map(|i| {
                (1..=3).map(move |d| Edge {
                    a: i as u32,
                    b: ((i + d) % n) as u32,
                    weight: 1.0,
                    layer: Layer::Peer,
                })
            })
            .collect();
        Arc::new(
            Graph::from_edge_list(EdgeList {
                n,
                groups: vec![0; n],
                edges,
            })
            .0,
        )
    }

    #[test]
    fn sequential_and_parallel_steps_agree() {
        let g = ring(3 * CHUNK + 77);
        let p = SisaParams {
            a: 0.02,
            beta: 0.1,
            g: 0.2,
            i0: 0.1,
        };
        let mut a = Sisa::new(g.clone(), p, Streams::new(3, 0));
        let mut b = Sisa::new(g, p, Streams::new(3, 0));
        for t in 1..=30 {
            a.step(t, Exec::Sequential);
            b.step(t, Exec::Parallel);
            assert_eq!(a.state(), b.state(), "tick {t}");
        }
        assert_eq!(a.infected(Exec::Sequential), b.infected(Exec::Parallel));
        assert_eq!((a.count, b.count), (a.infected(Exec::Sequential), a.count));
    }

    #[test]
    fn infection_probability_matches_formula() {
        let p = SisaParams {
            a: 0.1,
            beta: 0.2,
            g: 0.0,
            i0: 0.0,
        };
        assert!((p.infection_probability(0) - 0.1).abs() < 1e-12);
        assert!((p.infection_probability(2) - (1.0 - 0.9 * 0.64)).abs() < 1e-12);
    }
}
