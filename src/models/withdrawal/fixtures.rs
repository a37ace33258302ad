//! Test fixtures shared by the withdrawal model's unit tests (test builds only): fixed
//! parameter sets and small networks, written once so the tests cannot drift apart.

use super::params::SubstanceParams;
use super::ties::Ties;
use crate::graph::{Edge, EdgeList, Graph, Layer};

/// Substance-use parameters at the values the kernel tests were written for (the shipped
/// defaults when they were; fixed here so a refit of the defaults does not move the tests).
pub(super) fn substance_params() -> SubstanceParams {
    SubstanceParams {
        craving_base: 0.05,
        loneliness: 0.4,
        isolation: 0.3,
        recovery_ties: 0.4,
        rate: 0.1,
        onset: 0.004,
        quit: 0.02,
        relapse: 0.015,
        remission: 0.004,
        mutual_aid_rr: 1.21,
    }
}

/// Four agents: a peer tie 0-1 (strength 0.5) and a household tie 1-2 (strength
/// `family_weight`); agent 3 has none. `slack` spare slots per agent.
pub(super) fn four_agents(family_weight: f32, slack: usize) -> Ties {
    let edges = vec![
        Edge {
            a: 0,
            b: 1,
            weight: 0.5,
            layer: Layer::Peer,
        },
        Edge {
            a: 1,
            b: 2,
            weight: family_weight,
            layer: Layer::Family,
        },
    ];
    let (g, _) = Graph::from_edge_list(EdgeList {
        n: 4,
        groups: vec![0; 4],
        edges,
    });
    Ties::from_graph(&g, slack)
}
