//! `cocoon animate`: the network view as a GIF for slides, one frame every k weeks.
//!
//! The same sample and colours as the page, drawn with plotters' GIF backend. The layout is
//! a deterministic force layout (springs along ties, a push between close pairs, a pull to the
//! centre), started from a fixed spiral and relaxed a little more at every frame, so people
//! stay roughly where they were and the film shows ties appearing and fading rather than
//! dots jumping. The same scenario gives the same file.

use std::path::Path;
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;

use super::world::{Network, Status, Warm, World};
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// Frame size in pixels.
pub const SIZE: (u32, u32) = (900, 760);
/// Agents in the film.
const SAMPLE: usize = 300;
/// Legend and title band at the top.
const BAND: i32 = 70;

fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        let font = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        plotters::style::register_font("sans-serif", FontStyle::Normal, font).is_ok()
    })
}

fn status_colour(s: Status) -> RGBColor {
    match s {
        Status::Active => RGBColor(0x1b, 0x9e, 0x77),
        Status::Lonely => RGBColor(0xe6, 0xab, 0x02),
        Status::Isolated => RGBColor(0xd9, 0x5f, 0x02),
        Status::Hikikomori => RGBColor(0x22, 0x22, 0x22),
        Status::InRecovery => RGBColor(0x3b, 0x6f, 0xd8),
    }
}

fn edge_colour(kind: &str) -> Option<RGBAColor> {
    match kind {
        "bonding" => Some(RGBColor(40, 90, 170).mix(0.45)),
        "bridging" => Some(RGBColor(200, 40, 150).mix(0.45)),
        _ => None,
    }
}

/// Positions in [0, 1]², relaxed by `rounds` steps along `net`'s friend ties.
fn relax(pos: &mut [(f64, f64)], net: &Network, rounds: usize) {
    let n = pos.len();
    let k = (1.0 / n.max(1) as f64).sqrt() * 0.8;
    for round in 0..rounds {
        let heat = 0.02 * (1.0 - round as f64 / rounds as f64) + 0.002;
        let mut force = vec![(0.0f64, 0.0f64); n];
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = dx * dx + dy * dy + 1e-6;
                if d2 > 9.0 * k * k {
                    continue;
                }
                let f = k * k / d2;
                force[i].0 += dx * f;
                force[i].1 += dy * f;
                force[j].0 -= dx * f;
                force[j].1 -= dy * f;
            }
        }
        for e in &net.edges {
            let (a, b) = (e.a as usize, e.b as usize);
            let (dx, dy) = (pos[b].0 - pos[a].0, pos[b].1 - pos[a].1);
            let d = (dx * dx + dy * dy).sqrt() + 1e-9;
            let f = (d - k) / d * 0.5 * (0.5 + f64::from(e.w));
            force[a].0 += dx * f;
            force[a].1 += dy * f;
            force[b].0 -= dx * f;
            force[b].1 -= dy * f;
        }
        for (p, f) in pos.iter_mut().zip(&force) {
            let (fx, fy) = (f.0 + (0.5 - p.0) * 0.3, f.1 + (0.5 - p.1) * 0.3);
            let m = (fx * fx + fy * fy).sqrt() + 1e-12;
            let s = m.min(heat) / m;
            p.0 = (p.0 + fx * s).clamp(0.02, 0.98);
            p.1 = (p.1 + fy * s).clamp(0.02, 0.98);
        }
    }
}

fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    net: &Network,
    pos: &[(f64, f64)],
    title: &str,
) -> std::result::Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32 - BAND);
    let at = |p: (f64, f64)| ((p.0 * w as f64) as i32, BAND + (p.1 * h as f64) as i32);
    root.draw_text(
        title,
        &("sans-serif", 28).into_font().color(&BLACK),
        (16, 12),
    )
    .map_err(e)?;
    let mut x = 16;
    for (s, label) in [
        (Status::Active, "active"),
        (Status::Lonely, "lonely"),
        (Status::Isolated, "isolated"),
        (Status::Hikikomori, "hikikomori"),
        (Status::InRecovery, "in recovery"),
    ] {
        root.draw(&Circle::new((x + 7, 55), 7, status_colour(s).filled()))
            .map_err(e)?;
        root.draw_text(
            label,
            &("sans-serif", 18).into_font().color(&BLACK),
            (x + 18, 45),
        )
        .map_err(e)?;
        x += 30 + 10 * label.len() as i32;
    }
    for (kind, label) in [("bonding", "bonding tie"), ("bridging", "bridging tie")] {
        let c = edge_colour(kind).expect("friend tie colour");
        root.draw(&PathElement::new(
            vec![(x, 55), (x + 26, 55)],
            c.stroke_width(4),
        ))
        .map_err(e)?;
        root.draw_text(
            label,
            &("sans-serif", 18).into_font().color(&BLACK),
            (x + 32, 45),
        )
        .map_err(e)?;
        x += 50 + 10 * label.len() as i32;
    }
    for edge in &net.edges {
        if let Some(c) = edge_colour(edge.kind) {
            let (a, b) = (pos[edge.a as usize], pos[edge.b as usize]);
            let width = 1 + (edge.w * 2.0) as u32;
            root.draw(&PathElement::new(vec![at(a), at(b)], c.stroke_width(width)))
                .map_err(e)?;
        }
    }
    for (p, s) in pos.iter().zip(&net.status) {
        root.draw(&Circle::new(at(*p), 6, status_colour(*s).filled()))
            .map_err(e)?;
        root.draw(&Circle::new(at(*p), 6, WHITE.stroke_width(1)))
            .map_err(e)?;
    }
    root.present().map_err(e)
}

/// Runs `scenario` (replicate 0, as `cocoon run` does) and writes its network, one frame every
/// `every` weeks from week 0 to its last tick, to the GIF at `path` (written beside it first,
/// then renamed, so a failed run leaves no half file). Returns the number of frames.
pub fn animate(scenario: &Scenario, every: u32, frame_ms: u32, path: &Path) -> Result<usize> {
    let chart_err = |message: String| Error::Chart {
        path: path.to_path_buf(),
        message,
    };
    if every == 0 {
        return Err(Error::Usage("--every must be at least 1 week".into()));
    }
    if !font_ready() {
        return Err(chart_err("the embedded font could not be loaded".into()));
    }
    let warm = Warm::build(scenario)?;
    let mut world = World::start(&warm, scenario);
    let ids = world.sample(SAMPLE);
    let n = ids.len();
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 * 2.399_963;
            let r = 0.45 * ((i as f64 + 0.5) / n.max(1) as f64).sqrt();
            (0.5 + r * a.cos(), 0.5 + r * a.sin())
        })
        .collect();
    let tmp = path.with_file_name(format!(
        ".{}.partial",
        path.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let mut frames = 0;
    {
        let backend = BitMapBackend::gif(&tmp, SIZE, frame_ms.max(20))
            .map_err(|e| chart_err(e.to_string()))?;
        let root = backend.into_drawing_area();
        let mut rounds = 200;
        loop {
            let net = world.network(&ids);
            relax(&mut pos, &net, rounds);
            rounds = 25;
            let week = world.week();
            let title = format!(
                "{}: week {week} (year {:.1})",
                scenario.name,
                f64::from(week) / 52.0
            );
            draw_frame(&root, &net, &pos, &title).map_err(chart_err)?;
            frames += 1;
            if week >= scenario.ticks {
                break;
            }
            for _ in 0..every.min(scenario.ticks - week) {
                world.step();
            }
        }
    }
    std::fs::rename(&tmp, path).map_err(|e| chart_err(e.to_string()))?;
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_film_has_a_frame_every_k_weeks_and_is_reproducible() {
        let s = Scenario::from_sets(
            "t",
            &[
                "model=withdrawal".into(),
                "population.n=300".into(),
                "withdrawal.burn_in_ticks=4".into(),
                "ticks=5".into(),
            ],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.gif"), dir.path().join("b.gif"));
        assert_eq!(animate(&s, 2, 300, &a).unwrap(), 4, "weeks 0, 2, 4 and 5");
        animate(&s, 2, 300, &b).unwrap();
        let bytes = std::fs::read(&a).unwrap();
        assert!(bytes.starts_with(b"GIF89a"));
        assert_eq!(bytes, std::fs::read(&b).unwrap());
        assert!(animate(&s, 0, 300, &a).is_err());
    }
}
