//! `--set key=value` overrides: parsing one, and what a `--set` of a choice key does to the
//! file's keys that depend on it.
//!
//! Why: a scenario file for one generator sets that generator's keys (`graph.k` for
//! Watts-Strogatz). `--set graph.kind=erdos_renyi` on it used to fail because `graph.k` then
//! no longer applied, so generators could not be switched from the command line without
//! editing the file. A key that the file (or a file it extends) set and that applies only
//! under another value of the choice the command line just changed is now dropped, and a
//! note says so. Keys given on the command line are never dropped: `--set graph.kind=erdos_renyi
//! --set graph.k=4` is still an error, since the user asked for both.

use super::parse::{convert, lookup};
use super::spec::{Applies, Kind, Value};
use super::RawEntry;
use crate::error::{Error, Location, Result};

/// Removes entries before `first_set` (from files) that apply only under another value of a
/// choice key set at or after `first_set` (on the command line), and returns one note per
/// removed entry.
pub(super) fn drop_superseded(raw: &mut Vec<RawEntry>, first_set: usize) -> Vec<String> {
    let mut notes = Vec::new();
    // The last command-line value of each choice key wins, as it does when resolving.
    let mut chosen: Vec<(&'static str, String, String)> = Vec::new();
    for r in &raw[first_set.min(raw.len())..] {
        if let Value::Str(v) = &r.value {
            chosen.retain(|(k, _, _)| *k != r.spec.key);
            chosen.push((r.spec.key, v.clone(), r.location.to_string()));
        }
    }
    if chosen.is_empty() {
        return notes;
    }
    let mut index = 0;
    raw.retain(|r| {
        let i = index;
        index += 1;
        if i >= first_set {
            return true;
        }
        let Applies::When { key, values } = r.spec.applies else {
            return true;
        };
        let Some((_, value, set_at)) = chosen.iter().find(|(c, _, _)| *c == key) else {
            return true;
        };
        if values.contains(&value.as_str()) {
            return true;
        }
        notes.push(format!(
            "{set_at}: dropped `{}` = {} ({}), which applies only when `{key}` is {}",
            r.spec.key,
            r.value.display(),
            r.location,
            values
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
        false
    });
    notes
}

/// Parses one `--set key=value` argument.
pub(super) fn parse_set(arg: &str) -> Result<RawEntry> {
    let location = Location::Set(arg.to_string());
    let Some((key, text)) = arg.split_once('=') else {
        return Err(Error::Usage(format!(
            "--set {arg}: expected key=value, e.g. --set graph.n=5000"
        )));
    };
    let key = key.trim();
    let text = text.trim();
    let spec = lookup(key, &location)?;
    let parsed: std::result::Result<toml_edit::Value, _> = text.parse();
    let tv = match (spec.kind, parsed) {
        // Words need no quotes on the command line.
        (Kind::Choice(_) | Kind::Text | Kind::Path, Ok(v)) if !v.is_str() => {
            toml_edit::Value::from(text)
        }
        (Kind::Choice(_) | Kind::Text | Kind::Path, Err(_)) => toml_edit::Value::from(text),
        (_, Ok(v)) => v,
        (_, Err(_)) => {
            return Err(Error::Scenario {
                location,
                message: format!(
                    "`{key}`: cannot read \"{text}\"; allowed: {}",
                    spec.kind.allowed()
                ),
            })
        }
    };
    let value = convert(spec, &tv, &location)?;
    Ok(RawEntry {
        spec,
        value,
        location,
    })
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;
    use std::path::Path;

    fn sisa_ws() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference/sisa_ws.toml")
    }

    #[test]
    fn switching_the_generator_drops_the_files_generator_keys_with_a_note() {
        let s = Scenario::load(&sisa_ws(), &["graph.kind=erdos_renyi".into()]).unwrap();
        assert_eq!(s.params.str("graph.kind"), "erdos_renyi");
        // The file sets graph.k and graph.rewire, both Watts-Strogatz keys.
        assert_eq!(s.notes.len(), 2, "{:?}", s.notes);
        assert!(
            s.notes[0].starts_with("--set graph.kind=erdos_renyi: dropped `graph.k` = 10"),
            "{:?}",
            s.notes
        );
        assert!(s.notes[0].contains("sisa_ws.toml:"), "{:?}", s.notes);
        assert!(!s.params.applies("graph.k"));
        // The same switch through a loaded scenario (compare's --set).
        let base = Scenario::load(&sisa_ws(), &[]).unwrap();
        let t = base
            .with_sets(&["graph.kind=barabasi_albert".into()])
            .unwrap();
        assert_eq!(t.params.str("graph.kind"), "barabasi_albert");
        assert_eq!(t.notes.len(), 2, "{:?}", t.notes);
    }

    #[test]
    fn keys_given_on_the_command_line_are_never_dropped() {
        let err = Scenario::load(
            &sisa_ws(),
            &["graph.kind=erdos_renyi".into(), "graph.k=4".into()],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("--set graph.k=4"), "{err}");
        // Keeping the file's generator drops nothing.
        let s = Scenario::load(&sisa_ws(), &["graph.kind=watts_strogatz".into()]).unwrap();
        assert!(s.notes.is_empty());
    }
}
