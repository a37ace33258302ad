//! `--burn-in-cache DIR`: a run or comparison that loads its burnt-in states from the cache
//! writes the same bytes as one that burns in (except the manifest's `run` section, which
//! names the cache files and whether each was loaded or written), for any thread count; a run
//! and a comparison with the same burn-in share the files; a damaged file and a bad folder
//! are refused with exit code 2, naming them, and nothing is written.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const SCENARIO: &str = r#"name = "bc"
model = "withdrawal"
ticks = 20
seed = 5
replicates = 2

[population]
n = 2000

[withdrawal]
burn_in_ticks = 52

[policy]
budget = 300000
services_share = 0.5
community_share = 0.5
"#;

fn write_scenario(dir: &Path) -> String {
    let path = dir.join("bc.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    path.display().to_string()
}

/// The manifest's record of the cache: (file, loaded or written), in order.
fn cache_record(out: &Path) -> Vec<(String, String)> {
    let run = &read_json(&out.join("manifest.json"))["run"];
    run["burn_in_cache"]["files"]
        .as_array()
        .unwrap_or_else(|| panic!("no burn_in_cache record in {run}"))
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["burn_in"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn cache_files(dir: &Path) -> Vec<String> {
    list_dir(dir)
}

#[test]
fn cold_and_warm_runs_and_a_comparison_give_the_bytes_of_runs_without_the_cache() {
    let cwd = tempdir();
    let file = write_scenario(cwd.path());
    let cache = cwd.path().join("cache");
    let cache_arg = cache.display().to_string();
    let reference = cwd.path().join("reference");
    cocoon_in(cwd.path(), &quiet_out_args("run", &file, &reference, &[])).expect_code(0);
    assert!(read_json(&reference.join("manifest.json"))["run"]
        .get("burn_in_cache")
        .is_none());

    // Cold (on one thread), then warm (on two): both the bytes of the run without the cache.
    let cold = cwd.path().join("cold");
    let warm = cwd.path().join("warm");
    let with_cache = |out: &Path, threads: &str| {
        quiet_out_args(
            "run",
            &file,
            out,
            &["--burn-in-cache", &cache_arg, "--threads", threads],
        )
    };
    cocoon_in(cwd.path(), &with_cache(&cold, "1")).expect_code(0);
    let files = cache_files(&cache);
    assert_eq!(files.len(), 2, "one file per replicate: {files:?}");
    assert!(files[0].ends_with("-r0.cocoon-burnin") && files[1].ends_with("-r1.cocoon-burnin"));
    let written: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.clone(), "written".to_string()))
        .collect();
    assert_same("cold cache record", &written, &cache_record(&cold));
    cocoon_in(cwd.path(), &with_cache(&warm, "2")).expect_code(0);
    let loaded: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.clone(), "loaded".to_string()))
        .collect();
    assert_same("warm cache record", &loaded, &cache_record(&warm));
    assert_same_outputs_except_run(&reference, &cold);
    assert_same_outputs_except_run(&reference, &warm);
    assert_same(
        "cache files after the warm run",
        &files,
        &cache_files(&cache),
    );

    // Another seed burns in a different world: new files beside the old ones.
    let seeded = cwd.path().join("seeded");
    let mut args = with_cache(&seeded, "2");
    args.extend(["--seed".to_string(), "6".to_string()]);
    cocoon_in(cwd.path(), &args).expect_code(0);
    assert_eq!(cache_files(&cache).len(), 4);
    assert!(cache_record(&seeded)
        .iter()
        .all(|(_, how)| how == "written"));

    // A comparison whose arms share this burn-in (they differ only in funding) loads it.
    let comparison = cwd.path().join("cmp.toml");
    std::fs::write(
        &comparison,
        format!(
            "question = \"services or community?\"\nbase = \"{file}\"\n\n[[arm]]\nname = \
             \"services\"\nset = {{ \"policy.services_share\" = 1.0, \
             \"policy.community_share\" = 0.0 }}\n\n[[arm]]\nname = \"community\"\nset = {{ \
             \"policy.services_share\" = 0.0, \"policy.community_share\" = 1.0 }}\n"
        ),
    )
    .unwrap();
    let cmp = comparison.display().to_string();
    let cmp_reference = cwd.path().join("cmp_reference");
    cocoon_in(
        cwd.path(),
        &quiet_out_args("compare", &cmp, &cmp_reference, &[]),
    )
    .expect_code(0);
    let cmp_warm = cwd.path().join("cmp_warm");
    cocoon_in(
        cwd.path(),
        &quiet_out_args("compare", &cmp, &cmp_warm, &["--burn-in-cache", &cache_arg]),
    )
    .expect_code(0);
    assert_same("comparison cache record", &loaded, &cache_record(&cmp_warm));
    assert_same_outputs_except_run(&cmp_reference, &cmp_warm);

    // A damaged file is refused, naming it; nothing is written.
    let damaged = cache.join(&files[1]);
    let mut bytes = std::fs::read(&damaged).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x10;
    std::fs::write(&damaged, &bytes).unwrap();
    let out = cwd.path().join("damaged");
    cocoon_in(cwd.path(), &with_cache(&out, "2"))
        .expect_code(2)
        .stderr_has(&files[1])
        .stderr_has("delete it");
    assert!(!out.exists());
    let left: Vec<String> = list_dir(cwd.path())
        .into_iter()
        .filter(|n| n.contains("damaged"))
        .collect();
    assert!(left.is_empty(), "leftovers: {left:?}");
}

#[test]
fn a_cache_path_that_is_a_file_or_cannot_be_made_is_refused_before_anything_is_written() {
    let cwd = tempdir();
    let file = write_scenario(cwd.path());
    let blocker: PathBuf = cwd.path().join("blocker");
    std::fs::write(&blocker, "not a folder").unwrap();
    for (cache, message) in [
        (blocker.clone(), "not a folder"),
        (blocker.join("sub"), "cannot create"),
    ] {
        for command in ["run", "compare"] {
            let input = if command == "run" {
                file.clone()
            } else {
                path_arg("scenarios/policy/micro_vs_community.toml")
            };
            let out = cwd.path().join("out");
            let cache_arg = cache.display().to_string();
            cocoon_in(
                cwd.path(),
                &quiet_out_args(command, &input, &out, &["--burn-in-cache", &cache_arg]),
            )
            .expect_code(2)
            .stderr_has("--burn-in-cache")
            .stderr_has(message);
            assert_same(
                "the scratch folder",
                &vec!["bc.toml".to_string(), "blocker".to_string()],
                &list_dir(cwd.path()),
            );
        }
    }
    // A model without a burn-in.
    let out = cwd.path().join("out");
    let cache = cwd.path().join("cache").display().to_string();
    cocoon_in(
        cwd.path(),
        &quiet_out_args(
            "run",
            &reference_scenario(),
            &out,
            &["--burn-in-cache", &cache],
        ),
    )
    .expect_code(2)
    .stderr_has("withdrawal model only");
    assert!(!out.exists());
}
