//! `cocoon animate`: a GIF of the network for slides, and its bad-input paths.

use std::process::Command;

fn animate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cocoon"))
        .arg("animate")
        .args(args)
        .output()
        .expect("run cocoon animate")
}

#[test]
fn a_story_becomes_a_gif_and_bad_input_exits_2_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let story = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/stories/pandemic.toml"
    );
    let gif = dir.path().join("pandemic.gif");
    let gif_arg = gif.to_str().unwrap();
    let small = [
        "--set",
        "population.n=400",
        "--set",
        "ticks=6",
        "--set",
        "withdrawal.burn_in_ticks=4",
    ];
    let mut args = vec![story, "--out", gif_arg, "--every", "3"];
    args.extend(small);
    let out = animate(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote 3 frames"));
    assert!(std::fs::read(&gif).unwrap().starts_with(b"GIF89a"));

    let other = dir.path().join("other.gif");
    let other_arg = other.to_str().unwrap();
    for bad in [
        vec![story, "--out", other_arg, "--every", "0"],
        vec![
            story,
            "--out",
            other_arg,
            "--set",
            "bullying.traditional=-1",
        ],
        vec!["no/such/file.toml", "--out", other_arg],
    ] {
        let out = animate(&bad);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!other.exists(), "{bad:?} wrote a file");
    }
    let sisa = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/reference/sisa_ws.toml"
    );
    let out = animate(&[sisa, "--out", other_arg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("withdrawal model"));
}
