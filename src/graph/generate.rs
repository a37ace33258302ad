//! shim
#![allow(missing_docs, unused)]
use super::*;
use rand::{Rng, SeedableRng};
pub fn erdos_renyi(n: usize, mean_degree: f64, groups: u32, seed: u64) -> EdgeList { unimplemented!() }
pub fn watts_strogatz(n: usize, k: usize, rewire: f64, groups: u32, seed: u64) -> EdgeList {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut edges = vec![];
    for i in 0..n { for d in 1..=k/2 { let mut b = (i+d)%n; if rng.random::<f64>() < rewire { b = rng.random_range(0..n); } edges.push(Edge{a:i as u32,b:b as u32,weight:1.0,layer:Layer::Peer}); } }
    EdgeList { n, groups: (0..n).map(|i| (i as u64 * groups as u64 / n as u64) as u32).collect(), edges }
}
pub fn barabasi_albert(n: usize, m: usize, groups: u32, seed: u64) -> EdgeList { unimplemented!() }
pub fn sbm(sizes: &[usize], p_in: f64, p_out: f64, seed: u64) -> EdgeList { unimplemented!() }
