//! A running world as a scenario file: every key the story and the sliders set, so that
//! `cocoon run` on the file recomputes the page's series (the API test checks it, number for
//! number, for the same seed).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::scenario::{Scenario, Value};

/// TOML text of a value (floats keep a decimal point or exponent, so they stay floats).
fn toml_value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Str(s) => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if c.is_control() => {
                        let _ = write!(out, "\\u{:04X}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Value::IntList(v) => format!(
            "[{}]",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::FloatList(v) => format!(
            "[{}]",
            v.iter()
                .map(|x| format!("{x:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The explicitly set keys of `s` as a scenario file, after `header` (each line commented).
pub fn scenario_toml(s: &Scenario, header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {line}");
    }
    let mut tables: BTreeMap<&str, Vec<(&str, &Value)>> = BTreeMap::new();
    for (key, entry) in s.params.iter() {
        if entry.location.is_none() {
            continue;
        }
        match key.split_once('.') {
            Some((table, rest)) => tables.entry(table).or_default().push((rest, &entry.value)),
            None => {
                let _ = writeln!(out, "{key} = {}", toml_value(&entry.value));
            }
        }
    }
    for (table, keys) in tables {
        let _ = writeln!(out, "\n[{table}]");
        for (k, v) in keys {
            if k.contains('.') {
                let _ = writeln!(out, "\"{k}\" = {}", toml_value(v));
            } else {
                let _ = writeln!(out, "{k} = {}", toml_value(v));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_loads_back_to_the_same_parameters() {
        let s = Scenario::from_sets(
            "t",
            &[
                "model=withdrawal".into(),
                "description=say \"hi\"".into(),
                "policy.budget=2000000.0".into(),
                "policy.schedule_ticks=[3, 9]".into(),
                "policy.schedule_budget=[1.0, 2.5]".into(),
                "bullying.traditional=1e-5".into(),
            ],
        )
        .unwrap();
        let text = scenario_toml(&s, &["made by a test".into()]);
        assert!(text.starts_with("# made by a test\n"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(&path, &text).unwrap();
        let back = Scenario::load(&path, &[]).unwrap();
        assert_eq!(back.params.to_json(), s.params.to_json(), "{text}");
    }
}
