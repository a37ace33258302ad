//! Checks on a whole resolved scenario: every key set applies under the current values (a key
//! that does not is an error, not a silently ignored setting), and files named by keys exist.

use std::path::Path;

use super::spec::{self, Applies};
use super::{observed, Params};
use crate::error::{Error, Location, Result};

pub(super) fn check_applies(params: &Params) -> Result<()> {
    for (key, entry) in params.iter() {
        let Some(location) = &entry.location else {
            continue;
        };
        // A graph setting the model does not read would be written to the manifest and
        // silently ignored.
        if key.starts_with("graph.") && !observed::graph_key_applies(params, key) {
            return Err(Error::Scenario {
                location: location.clone(),
                message: observed::not_applicable(params, key),
            });
        }
        let spec = spec::find(key).expect("resolved keys are known");
        if let Applies::When { key: ctl, values } = spec.applies {
            let current = params.opt_str(ctl).unwrap_or("");
            if !values.contains(&current) {
                return Err(Error::Scenario {
                    location: location.clone(),
                    message: format!(
                        "`{key}` applies only when `{ctl}` is {} (here it is \"{current}\")",
                        values
                            .iter()
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                });
            }
        }
    }
    Ok(())
}

pub(super) fn check_files(params: &Params) -> Result<()> {
    if params.opt_str("graph.kind") == Some("edge_list") && params.opt_str("graph.path").is_none() {
        return Err(Error::Scenario {
            location: params
                .location("graph.kind")
                .cloned()
                .unwrap_or(Location::Set("graph.kind".into())),
            message:
                "`graph.kind` = \"edge_list\" needs `graph.path` (a CSV with header source,target)"
                    .to_string(),
        });
    }
    for (key, what) in [("graph.path", "edge list"), ("graph.nodes", "node table")] {
        if let Some(p) = params.opt_str(key) {
            let location = params
                .location(key)
                .cloned()
                .unwrap_or(Location::Set(key.into()));
            crate::input::require_file(Path::new(p), what, &location)?;
        }
    }
    Ok(())
}
