//! The withdrawal model on an analyst's observed network: an edge list and node table in
//! tests/fixtures/observed drive a run (graph.json describes the network, the manifest records
//! it and the population size it implies), and every mistake is a located error with exit
//! code 2 and nothing written: ids out of range, a population size that disagrees with the
//! files, a generator's key, a layer the model cannot place.

mod common;

use common::{cocoon, path_arg, read_json, rejected, tempdir};

const SCHOOL: &str = "tests/fixtures/observed/school.toml";

#[test]
fn an_edge_list_drives_a_withdrawal_run() {
    let cwd = tempdir();
    let out = cwd.path().join("out");
    let (run, _dir) = cocoon(&[
        "run",
        &path_arg(SCHOOL),
        "--out",
        &out.display().to_string(),
        "-q",
    ]);
    run.expect_code(0);
    let graph = read_json(&out.join("graph.json"));
    assert_eq!(graph["provenance"]["kind"], "edge_list");
    assert_eq!(graph["provenance"]["rows_read"], 82);
    assert_eq!(graph["metrics"]["nodes"], 80);
    assert_eq!(graph["metrics"]["groups"], 4);
    // Pupils 75-79 (and others) have no ties in the file: degree 0 is counted, not an error.
    assert!(
        graph["metrics"]["degree_histogram"][0]["count"]
            .as_u64()
            .unwrap()
            >= 5
    );
    let manifest = read_json(&out.join("manifest.json"));
    let params = &manifest["resolved"]["parameters"];
    assert_eq!(params["graph.kind"], "edge_list");
    assert_eq!(params["graph.layer"], "peer");
    assert_eq!(params["population.n"], 80);
    // Every agent of the network is in the outputs: the days-out distribution counts 80
    // agents per replicate.
    let dist = std::fs::read_to_string(out.join("distributions.csv")).unwrap();
    assert!(dist.lines().count() > 1);
}

#[test]
fn the_community_layer_can_be_replaced_too() {
    let (run, _dir) = cocoon(&["check", &path_arg(SCHOOL), "--set", "graph.layer=community"]);
    run.expect_code(0);
}

#[test]
fn ids_out_of_range_are_located() {
    rejected(
        "run",
        &path_arg(SCHOOL),
        &[
            "--set",
            &format!(
                "graph.path={}",
                path_arg("tests/fixtures/observed/out_of_range_edges.csv")
            ),
        ],
    )
    .stderr_has("out_of_range_edges.csv:3")
    .stderr_has("ids must be below 80");
}

#[test]
fn a_population_size_that_disagrees_with_the_files_is_located() {
    rejected("run", &path_arg(SCHOOL), &["--set", "population.n=100"])
        .stderr_has("--set population.n=100")
        .stderr_has("has 80 agents");
}

#[test]
fn keys_that_do_not_apply_stay_errors() {
    rejected("run", &path_arg(SCHOOL), &["--set", "graph.n=100"])
        .stderr_has("`graph.n` applies only when `model` is \"sisa\"");
    rejected(
        "run",
        &path_arg("scenarios/baseline.toml"),
        &["--set", "graph.kind=erdos_renyi"],
    )
    .stderr_has("`graph.kind` = \"erdos_renyi\" applies only when `model` is \"sisa\"");
    rejected(
        "run",
        &path_arg("scenarios/baseline.toml"),
        &["--set", "graph.path=x.csv"],
    )
    .stderr_has("`graph.path` applies only when `graph.kind` is \"edge_list\"");
    rejected(
        "run",
        &path_arg("scenarios/reference/sisa_ws.toml"),
        &["--set", "graph.layer=peer"],
    )
    .stderr_has("`graph.layer` applies only when `model` is \"withdrawal\"");
}

#[test]
fn a_tie_on_another_layer_is_an_error() {
    let dir = tempdir();
    let mut edges = String::from("source,target,layer\n");
    for a in 0..59 {
        edges.push_str(&format!("{a},{},peer\n", a + 1));
    }
    edges.push_str("3,7,family\n");
    std::fs::write(dir.path().join("edges.csv"), edges).unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "model = \"withdrawal\"\n[graph]\nkind = \"edge_list\"\npath = \"edges.csv\"\n",
    )
    .unwrap();
    rejected("run", &scenario.display().to_string(), &[])
        .stderr_has("s.toml:4:8")
        .stderr_has("the tie 3-7 is on the family layer");
}
