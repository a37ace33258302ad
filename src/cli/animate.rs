//! `cocoon animate`: a scenario's network view as a GIF, for slides (`cocoon::serve::film`).

use std::path::PathBuf;

use super::ScenarioArgs;

pub fn animate(
    args: &ScenarioArgs,
    out: PathBuf,
    every: u32,
    frame_ms: u32,
    quiet: bool,
) -> anyhow::Result<()> {
    let scenario = super::run::load(args)?;
    if scenario.model != "withdrawal" {
        return Err(cocoon::error::Error::Usage(format!(
            "{}: `cocoon animate` draws the withdrawal model's network; this scenario runs `{}`",
            args.file.display(),
            scenario.model
        ))
        .into());
    }
    let frames = cocoon::serve::film::animate(&scenario, every, frame_ms, &out)?;
    if !quiet {
        eprintln!(
            "{}: wrote {frames} frames (one every {every} weeks, weeks 0-{}) to {}",
            scenario.name,
            scenario.ticks,
            out.display()
        );
    }
    Ok(())
}
