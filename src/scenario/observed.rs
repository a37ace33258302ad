//! An analyst's observed network as the withdrawal model's peer or community layer: which
//! `graph.*` keys the withdrawal model reads, and reading the edge list (and node table) once,
//! when the scenario is loaded.
//!
//! Why at load time: a wrong file, an id out of range or a population size that disagrees
//! with the file must stop `check`, `run` and `compare` before any work, with the file and line
//! (or the key) named, and every replicate and arm must then share one copy of the network
//! instead of reading the file again. The population size follows the network: `population.n`
//! becomes the number of agents in the files, and an explicit `population.n` that differs is
//! an error at the place it was set. Every other `graph.*` key (a generator's) stays an error
//! for the withdrawal model, so nothing is written to the manifest and then ignored.

use std::path::Path;
use std::sync::Arc;

use super::spec::{self, Kind};
use super::{Entry, Params, Value};
use crate::error::{Error, Location, Result};
use crate::graph::build::Observed;
use crate::graph::{csv, Layer};

/// The `graph.*` keys the withdrawal model reads, all only with `graph.kind = "edge_list"`.
pub const KEYS: &[&str] = &["graph.kind", "graph.path", "graph.nodes", "graph.layer"];

fn is_withdrawal(params: &Params) -> bool {
    params.opt_str("model") == Some("withdrawal")
}

/// Whether the model of `params` reads the `graph.*` key `key` (its own `Applies` rule, e.g.
/// `graph.path` only for edge lists, is checked separately).
pub fn graph_key_applies(params: &Params, key: &str) -> bool {
    match params.opt_str("model") {
        Some("withdrawal") => {
            KEYS.contains(&key) && params.opt_str("graph.kind") == Some("edge_list")
        }
        // `graph.layer` names a layer of the withdrawal model; SISa uses every tie.
        _ => key != "graph.layer",
    }
}

/// Why `key` does not apply, and what would.
pub fn not_applicable(params: &Params, key: &str) -> String {
    let model = params.opt_str("model").unwrap_or("");
    if model != "withdrawal" {
        return format!(
            "`{key}` applies only when `model` is \"withdrawal\" (it names the withdrawal \
             model's layer that an observed edge list replaces; the {model} model uses every tie)"
        );
    }
    let observed = "the only graph it takes is an observed network: `graph.kind = \
                    \"edge_list\"` with `graph.path`, optionally `graph.nodes` and `graph.layer`";
    if key == "graph.kind" {
        format!(
            "`graph.kind` = \"{}\" applies only when `model` is \"sisa\" (the withdrawal model \
             builds its own population from `population.*`; {observed})",
            params.opt_str("graph.kind").unwrap_or("")
        )
    } else if KEYS.contains(&key) {
        format!(
            "`{key}` applies only when `graph.kind` is \"edge_list\" (the withdrawal model \
             builds its own population from `population.*`; {observed})"
        )
    } else {
        format!(
            "`{key}` applies only when `model` is \"sisa\" (the withdrawal model builds its own \
             population from `population.*`; {observed}, whose size comes from the files)"
        )
    }
}

fn at(params: &Params, key: &str) -> Location {
    params
        .location(key)
        .cloned()
        .unwrap_or_else(|| Location::Set(key.to_string()))
}

/// For a withdrawal scenario with `graph.kind = "edge_list"`: reads the files, checks them
/// against the model, sets `population.n` to the network's size and keeps the network in
/// `params` for every replicate. Does nothing for other scenarios.
pub fn resolve(params: &mut Params) -> Result<()> {
    params.observed = None;
    if !is_withdrawal(params) || params.opt_str("graph.kind") != Some("edge_list") {
        return Ok(());
    }
    let path = params.str("graph.path").to_string();
    let nodes = params.opt_str("graph.nodes").map(str::to_string);
    let (graph, report) = csv::import(Path::new(&path), nodes.as_deref().map(Path::new))?;
    let n = graph.n();
    let size_key = if nodes.is_some() {
        "graph.nodes"
    } else {
        "graph.path"
    };
    let size_file = nodes.as_deref().unwrap_or(&path);
    if let Some(Kind::Int { min, max }) = spec::find("population.n").map(|s| s.kind) {
        if (n as i64) < min || (n as i64) > max {
            return Err(Error::Scenario {
                location: at(params, size_key),
                message: format!(
                    "{size_file} gives a network of {n} agents; the withdrawal model needs \
                     {min} to {max} agents (the range of `population.n`)"
                ),
            });
        }
    }
    if let Some(Entry {
        value: Value::Int(set),
        location: Some(location),
    }) = params.entries.get("population.n")
    {
        if *set != n as i64 {
            return Err(Error::Scenario {
                location: location.clone(),
                message: format!(
                    "`population.n` = {set}, but the observed network ({size_file}) has {n} \
                     agents; with `graph.kind = \"edge_list\"` the population size follows the \
                     network: remove `population.n` or set it to {n}"
                ),
            });
        }
    }
    let layer_name = params.str("graph.layer").to_string();
    let layer = Layer::parse(&layer_name).expect("graph.layer is a checked choice");
    // The file's `layer` column defaults to peer, so peer ties join the chosen layer; a tie
    // the file puts on another layer (family, online, or community when `graph.layer` is peer)
    // cannot be placed.
    if let Some(e) = (0..n).find_map(|i| {
        let range = graph.offsets[i]..graph.offsets[i + 1];
        range
            .clone()
            .map(|k| (k, Layer::from_code(graph.layers[k])))
            .find(|(_, l)| *l != Some(layer) && *l != Some(Layer::Peer))
            .map(|(k, l)| (i, graph.targets[k], l))
    }) {
        let (a, b, l) = e;
        return Err(Error::Scenario {
            location: at(params, "graph.path"),
            message: format!(
                "{path}: the tie {a}-{b} is on the {} layer, but the withdrawal model takes one \
                 observed layer, `graph.layer` = \"{layer_name}\"; drop the `layer` column or \
                 give every row that layer",
                l.map(Layer::name).unwrap_or("unknown")
            ),
        });
    }
    params.entries.insert(
        "population.n",
        Entry {
            value: Value::Int(n as i64),
            location: params
                .entries
                .get("population.n")
                .and_then(|e| e.location.clone()),
        },
    );
    params.observed = Some(Arc::new(Observed {
        graph,
        report,
        groups: nodes.is_some(),
        layer,
    }));
    Ok(())
}
