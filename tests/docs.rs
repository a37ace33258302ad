//! docs/MODEL.md documents every parameter the program accepts, with the same default as the
//! code (the table rows are the output of `cocoon params --markdown`).

#[test]
fn model_md_lists_every_parameter_with_its_current_default() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/MODEL.md")).unwrap();
    let mut missing = Vec::new();
    for spec in cocoon::scenario::spec::all_specs() {
        let default = spec
            .default
            .value()
            .map(|v| v.display())
            .unwrap_or_else(|| "(none)".into());
        let row = format!("| `{}` | {} |", spec.key, default);
        if !doc.contains(&row) {
            missing.push(row);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/MODEL.md lacks or has stale rows (regenerate with `cocoon params --markdown`):\n{}",
        missing.join("\n")
    );
}
