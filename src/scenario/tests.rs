//! Unit tests of loading, layering and checking scenarios.

use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn unknown_key_names_line_column_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "s.toml",
        "model = \"sisa\"\n[sisa]\nbta = 0.1\n",
    );
    let err = Scenario::load(&p, &[]).unwrap_err().to_string();
    assert!(err.contains("s.toml:3:1"), "{err}");
    assert!(err.contains("sisa.beta"), "{err}");
}

#[test]
fn out_of_range_probability_names_position_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.toml", "[sisa]\nbeta = 1.5\n");
    let err = Scenario::load(&p, &[]).unwrap_err().to_string();
    assert!(err.contains("s.toml:2:8"), "{err}");
    assert!(err.contains("from 0 to 1"), "{err}");
}

#[test]
fn nan_and_wrong_type_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.toml", "[sisa]\ng = nan\n");
    assert!(Scenario::load(&p, &[])
        .unwrap_err()
        .to_string()
        .contains("out of range"));
    let p = write(dir.path(), "t.toml", "ticks = \"many\"\n");
    let err = Scenario::load(&p, &[]).unwrap_err().to_string();
    assert!(
        err.contains("t.toml:1:9") && err.contains("found text"),
        "{err}"
    );
}

#[test]
fn extends_overrides_key_by_key_and_set_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.toml",
        "ticks = 10\nseed = 5\n[sisa]\nbeta = 0.2\ng = 0.3\n",
    );
    let p = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\nseed = 7\n[sisa]\nbeta = 0.4\n",
    );
    let s = Scenario::load(&p, &["sisa.g=0.5".into()]).unwrap();
    assert_eq!(s.ticks, 10);
    assert_eq!(s.seed, 7);
    assert_eq!(s.params.f64("sisa.beta"), 0.4);
    assert_eq!(s.params.f64("sisa.g"), 0.5);
    assert_eq!(s.name, "child");
}

#[test]
fn set_is_validated_like_the_file() {
    let err = Scenario::from_sets("x", &["sisa.beta=2".into()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--set sisa.beta=2") && err.contains("out of range"),
        "{err}"
    );
    let err = Scenario::from_sets("x", &["graph.nn=3".into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("graph.n"), "{err}");
    let s = Scenario::from_sets("x", &["graph.kind=erdos_renyi".into()]).unwrap();
    assert_eq!(s.params.str("graph.kind"), "erdos_renyi");
}

#[test]
fn overrides_are_checked_and_located_where_they_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.toml", "[sisa]\nbeta = 0.2\n");
    let base = Scenario::load(&p, &[]).unwrap();
    let at = |line| Location::File {
        path: "arms.toml".into(),
        line,
        column: 3,
    };
    let o = |key: &str, value: toml_edit::Value, line| Override {
        key: key.into(),
        value,
        location: at(line),
    };
    let s = base
        .with_overrides(
            &[o("sisa.beta", 0.3.into(), 1), o("sisa.beta", 0.4.into(), 2)],
            dir.path(),
        )
        .unwrap();
    assert_eq!(s.params.f64("sisa.beta"), 0.4);
    assert_eq!(s.params.location("sisa.beta"), Some(&at(2)));
    assert_eq!(base.params.f64("sisa.beta"), 0.2);
    let err = base
        .with_overrides(&[o("sisa.bta", 0.3.into(), 7)], dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("arms.toml:7:3") && err.contains("sisa.beta"),
        "{err}"
    );
    let err = base
        .with_overrides(&[o("graph.m", 3.into(), 8)], dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("arms.toml:8:3") && err.contains("applies only"),
        "{err}"
    );
}

#[test]
fn keys_of_another_graph_kind_are_rejected() {
    let err = Scenario::from_sets("x", &["graph.kind=erdos_renyi".into(), "graph.k=4".into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("applies only when `graph.kind`"), "{err}");
}

#[test]
fn missing_edge_file_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "s.toml",
        "[graph]\nkind = \"edge_list\"\npath = \"nope.csv\"\n",
    );
    let err = Scenario::load(&p, &[]).unwrap_err();
    assert!(err.is_input_error());
    assert!(err.to_string().contains("nope.csv"), "{err}");
}

#[test]
fn silently_ignored_or_duplicated_settings_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (text, needle) in [
        (
            "model = \"sisa\"\n\"sisa.beta\" = 0.1\n[sisa]\nbeta = 0.2\n",
            "`sisa.beta` is set twice in this file",
        ),
        (
            "model = \"withdrawal\"\n[graph]\nkind = \"erdos_renyi\"\n",
            "applies only when `model` is \"sisa\"",
        ),
        (
            "model = \"sisa\"\n[graph]\nkind = \"erdos_renyi\"\nn = 5\nmean_degree = 10\n",
            "must be at most graph.n - 1 = 4",
        ),
    ] {
        let p = write(dir.path(), "s.toml", text);
        let err = Scenario::load(&p, &[]).unwrap_err().to_string();
        assert!(err.contains(needle), "{err}");
    }
}

#[test]
fn extends_cycle_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", "extends = \"b.toml\"\n");
    let p = write(dir.path(), "b.toml", "extends = \"a.toml\"\n");
    assert!(Scenario::load(&p, &[])
        .unwrap_err()
        .to_string()
        .contains("cycle"));
}

#[test]
fn array_of_tables_and_bad_extends_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.toml", "model = \"sisa\"\n[[graph]]\nn = 1\n");
    let err = Scenario::load(&p, &[]).unwrap_err();
    assert!(matches!(err, Error::Scenario { .. }), "{err}");
    let err = err.to_string();
    assert!(
        err.ends_with("s.toml:2:1: `[[graph]]` arrays of tables are not scenario keys"),
        "{err}"
    );
    // `extends` is a known key: a bad value is located at the value.
    let p = write(dir.path(), "e.toml", "extends = 3\n");
    let err = Scenario::load(&p, &[]).unwrap_err().to_string();
    assert!(
        err.ends_with("e.toml:1:11: `extends` must be a file path in quotes"),
        "{err}"
    );
}

#[test]
fn graph_keys_are_an_error_for_the_withdrawal_model() {
    let err = Scenario::from_sets("w", &["model=withdrawal".into(), "graph.n=500".into()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`graph.n` applies only when `model` is \"sisa\""),
        "{err}"
    );
    assert!(err.contains("--set graph.n=500"), "{err}");
    let w = Scenario::from_sets("w", &["model=withdrawal".into()]).unwrap();
    assert!(!w.params.applies("graph.kind"));
    assert!(!w.params.to_json().contains_key("graph.kind"));
    let s = Scenario::from_sets("s", &["graph.n=500".into()]).unwrap();
    assert!(s.params.applies("graph.n"));
}
