//! From scenario parameters to a population graph: the `graph.*` keys and the one function
//! that turns them into a [`Graph`], whichever generator or file they name.

use std::path::Path;

use serde::Serialize;

use super::{csv, generate, Graph, Layer};
use crate::error::Result;
use crate::scenario::{Applies, Dv, Kind, ParamSpec, Params};

/// Graph kinds a scenario can name.
pub const KINDS: &[&str] = &[
    "erdos_renyi",
    "watts_strogatz",
    "barabasi_albert",
    "sbm",
    "edge_list",
];

const GENERATED: &[&str] = &["erdos_renyi", "watts_strogatz", "barabasi_albert"];

/// The `graph.*` parameters.
pub static SPECS: &[ParamSpec] = &[
    ParamSpec {
        key: "graph.kind",
        kind: Kind::Choice(KINDS),
        default: Dv::S("watts_strogatz"),
        unit: "choice",
        meaning: "How the population graph is made: a generator or an imported edge list.",
        source: "convention",
        applies: Applies::Always,
    },
    ParamSpec {
        key: "graph.n",
        kind: Kind::Int {
            min: 1,
            max: 100_000_000,
        },
        default: Dv::I(10_000),
        unit: "agents",
        meaning:
            "Number of agents for the generators erdos_renyi, watts_strogatz, barabasi_albert.",
        source: "assumption",
        applies: Applies::When {
            key: "graph.kind",
            values: GENERATED,
        },
    },
    ParamSpec {
        key: "graph.groups",
        kind: Kind::Int {
            min: 1,
            max: 1_000_000,
        },
        default: Dv::I(1),
        unit: "groups",
        meaning: "Number of group labels, assigned in contiguous nearly equal blocks of agent ids.",
        source: "assumption",
        applies: Applies::When {
            key: "graph.kind",
            values: GENERATED,
        },
    },
    ParamSpec {
        key: "graph.mean_degree",
        kind: Kind::Float {
            min: 0.0,
            max: 10_000.0,
        },
        default: Dv::F(10.0),
        unit: "ties per agent",
        meaning: "Expected degree of G(n,p); p = mean_degree / (n - 1).",
        source: "assumption",
        applies: Applies::When {
            key: "graph.kind",
            values: &["erdos_renyi"],
        },
    },
    ParamSpec {
        key: "graph.k",
        kind: Kind::Int {
            min: 2,
            max: 10_000,
        },
        default: Dv::I(10),
        unit: "ties per agent (even)",
        meaning: "Watts-Strogatz lattice degree: k/2 neighbours on each side of the ring.",
        source: "Watts & Strogatz (1998)",
        applies: Applies::When {
            key: "graph.kind",
            values: &["watts_strogatz"],
        },
    },
    ParamSpec {
        key: "graph.rewire",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: Dv::F(0.1),
        unit: "probability per tie",
        meaning: "Watts-Strogatz probability that a lattice tie is rewired to a random agent.",
        source: "Watts & Strogatz (1998): small-world regime 0.01-0.1",
        applies: Applies::When {
            key: "graph.kind",
            values: &["watts_strogatz"],
        },
    },
    ParamSpec {
        key: "graph.m",
        kind: Kind::Int {
            min: 1,
            max: 10_000,
        },
        default: Dv::I(5),
        unit: "ties per new agent",
        meaning: "Barabasi-Albert ties each arriving agent makes by preferential attachment.",
        source: "Barabasi & Albert (1999)",
        applies: Applies::When {
            key: "graph.kind",
            values: &["barabasi_albert"],
        },
    },
    ParamSpec {
        key: "graph.sizes",
        kind: Kind::IntList {
            min: 1,
            max: 100_000_000,
        },
        default: Dv::IL(&[2500, 2500, 2500, 2500]),
        unit: "agents per group",
        meaning: "Stochastic block model group sizes; group g holds sizes[g] consecutive agents.",
        source: "assumption",
        applies: Applies::When {
            key: "graph.kind",
            values: &["sbm"],
        },
    },
    ParamSpec {
        key: "graph.p_in",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: Dv::F(0.003),
        unit: "probability per pair",
        meaning: "Stochastic block model tie probability within a group (homophily: p_in > p_out).",
        source: "assumption",
        applies: Applies::When {
            key: "graph.kind",
            values: &["sbm"],
        },
    },
    ParamSpec {
        key: "graph.p_out",
        kind: Kind::Float { min: 0.0, max: 1.0 },
        default: Dv::F(0.0003),
        unit: "probability per pair",
        meaning: "Stochastic block model tie probability between groups.",
        source: "assumption",
        applies: Applies::When {
            key: "graph.kind",
            values: &["sbm"],
        },
    },
    ParamSpec {
        key: "graph.path",
        kind: Kind::Path,
        default: Dv::None,
        unit: "file",
        meaning: "Edge list CSV: header source,target and optional weight, layer; 0-based ids.",
        source: "convention",
        applies: Applies::When {
            key: "graph.kind",
            values: &["edge_list"],
        },
    },
    ParamSpec {
        key: "graph.nodes",
        kind: Kind::Path,
        default: Dv::None,
        unit: "file",
        meaning: "Optional node table CSV with header id,group; fixes n and the group labels.",
        source: "convention",
        applies: Applies::When {
            key: "graph.kind",
            values: &["edge_list"],
        },
    },
    ParamSpec {
        key: "graph.layer",
        kind: Kind::Choice(OBSERVED_LAYERS),
        default: Dv::S("peer"),
        unit: "choice",
        meaning: "Withdrawal model only: the tie layer the observed edge list replaces (peer: school and work ties; community: neighbourhood ties); the model draws no synthetic ties of that layer.",
        source: "convention",
        applies: Applies::When {
            key: "graph.kind",
            values: &["edge_list"],
        },
    },
];

/// Layers of the withdrawal model an observed edge list can replace (`graph.layer`).
pub const OBSERVED_LAYERS: &[&str] = &["peer", "community"];

/// An observed network read once when a withdrawal scenario is loaded (`graph.kind =
/// "edge_list"`), shared by every replicate and arm. SISa reads its edge list when it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    /// The cleaned graph (self-loops and duplicates dropped).
    pub graph: Graph,
    /// What importing read and dropped.
    pub report: csv::ImportReport,
    /// Whether a node table gave the groups (otherwise every agent is in group 0 and the
    /// model keeps its own group labels).
    pub groups: bool,
    /// The layer the observed ties form (`graph.layer`).
    pub layer: Layer,
}

impl Observed {
    /// How the network was obtained, for `graph.json`.
    pub fn provenance(&self) -> Provenance {
        Provenance {
            kind: "edge_list".into(),
            rows_read: Some(self.report.rows),
            self_loops_dropped: self.report.self_loops_dropped,
            duplicates_dropped: self.report.duplicates_dropped,
        }
    }
}

/// How a graph was obtained, for `graph.json`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Provenance {
    /// The generator or `edge_list`.
    pub kind: String,
    /// Rows read from the edge file (import only).
    pub rows_read: Option<u64>,
    /// Self-loops dropped while building.
    pub self_loops_dropped: u64,
    /// Duplicate ties dropped while building.
    pub duplicates_dropped: u64,
}

/// Builds the graph a scenario describes. `seed` is the graph stream's seed (derived by the
/// engine from the master seed), so the graph does not depend on other random draws.
pub fn build(params: &Params, seed: u64) -> Result<(Graph, Provenance)> {
    let kind = params.str("graph.kind").to_string();
    if kind == "edge_list" {
        let path = Path::new(params.str("graph.path"));
        let nodes = params.opt_str("graph.nodes").map(Path::new);
        let (graph, report) = csv::import(path, nodes)?;
        let prov = Provenance {
            kind,
            rows_read: Some(report.rows),
            self_loops_dropped: report.self_loops_dropped,
            duplicates_dropped: report.duplicates_dropped,
        };
        return Ok((graph, prov));
    }
    let n = params.usize("graph.n");
    let groups = params.i64("graph.groups") as u32;
    let list = match kind.as_str() {
        "erdos_renyi" => generate::erdos_renyi(n, params.f64("graph.mean_degree"), groups, seed),
        "watts_strogatz" => generate::watts_strogatz(
            n,
            params.usize("graph.k"),
            params.f64("graph.rewire"),
            groups,
            seed,
        ),
        "barabasi_albert" => generate::barabasi_albert(n, params.usize("graph.m"), groups, seed),
        "sbm" => {
            let sizes: Vec<usize> = params
                .int_list("graph.sizes")
                .iter()
                .map(|&s| s as usize)
                .collect();
            generate::sbm(
                &sizes,
                params.f64("graph.p_in"),
                params.f64("graph.p_out"),
                seed,
            )
        }
        other => unreachable!("graph.kind {other} passed validation"),
    };
    let (graph, report) = Graph::from_edge_list(list);
    Ok((
        graph,
        Provenance {
            kind,
            rows_read: None,
            self_loops_dropped: report.self_loops_dropped,
            duplicates_dropped: report.duplicates_dropped,
        },
    ))
}

/// Checks graph parameters that depend on each other (e.g. Watts-Strogatz needs an even k < n).
pub fn validate(params: &Params) -> Result<()> {
    use crate::error::{Error, Location};
    let at = |key: &str| {
        params
            .location(key)
            .cloned()
            .unwrap_or_else(|| Location::Set(key.to_string()))
    };
    if params.str("graph.kind") == "watts_strogatz" {
        let (n, k) = (params.usize("graph.n"), params.usize("graph.k"));
        if k % 2 == 1 || k >= n {
            return Err(Error::Scenario {
                location: at("graph.k"),
                message: format!("`graph.k` = {k}: must be even and smaller than graph.n = {n}"),
            });
        }
    }
    if params.str("graph.kind") == "erdos_renyi" {
        let (n, d) = (params.usize("graph.n"), params.f64("graph.mean_degree"));
        if d > n.saturating_sub(1) as f64 {
            return Err(Error::Scenario {
                location: at("graph.mean_degree"),
                message: format!(
                    "`graph.mean_degree` = {d}: must be at most graph.n - 1 = {} (a complete graph)",
                    n.saturating_sub(1)
                ),
            });
        }
    }
    if params.str("graph.kind") == "barabasi_albert" {
        let (n, m) = (params.usize("graph.n"), params.usize("graph.m"));
        if m >= n {
            return Err(Error::Scenario {
                location: at("graph.m"),
                message: format!("`graph.m` = {m}: must be smaller than graph.n = {n}"),
            });
        }
    }
    Ok(())
}
