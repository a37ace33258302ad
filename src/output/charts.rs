//! Charts of run results, as PNG (for slides and documents) and SVG (for editing and the web).
//!
//! Why this module exists: the CSV and JSON files are the record, but a person deciding on a
//! policy looks at a picture. Every chart here shows the mean over replicates with its 95%
//! confidence interval (Student t, [`crate::stats::interval`]), so the uncertainty the runs
//! carry is never hidden behind a single line.
//!
//! Choices, and why:
//! - **Drawn with `plotters`, text with an embedded font.** Text is rasterised by `ab_glyph`
//!   from DejaVu Sans, compiled into the binary (`assets/fonts/`, Bitstream Vera / Arev
//!   licence), so charts render the same on a machine without system fonts and the build needs
//!   no fontconfig or freetype. SVG files name the generic `sans-serif` family, so a viewer
//!   uses its own sans-serif face for them.
//! - **Slide-sized.** 1600×900 px, titles at 50 px, axis titles at 34 px, tick labels at 28 px
//!   (plotters' font size is the line height; an SVG viewer shows them at 1/1.24 of that).
//! - **Colour-blind-safe.** Series take the Okabe–Ito palette in a fixed order (blue,
//!   vermillion, bluish green, reddish purple, orange, sky blue, black, yellow), so the n-th
//!   policy arm has the same colour in every chart that lists arms in the same order.
//! - **Honest axes.** Value axes start at zero unless a chart asks otherwise
//!   ([`ChartSpec::y_from_zero`]); ticks are round numbers with one fixed number of decimals.
//! - **Deterministic and atomic.** Both files are rendered in memory and written with
//!   [`crate::output::atomic::write`]; the same input gives the same bytes (no timestamps, no
//!   randomness, one embedded font).
//! - **Bad data never panics.** Non-finite values are left out; a chart with nothing left to
//!   draw is written with its title, axes and a "No data" note.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, RGBColor};

use crate::engine::Series;
use crate::error::{Error, Result};
use crate::output::atomic;

/// The embedded font (DejaVu Sans 2.37; licence in `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1600;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 900;

const MARGIN: i32 = 40;
const TITLE_PX: f64 = 50.0;
const SUBTITLE_PX: f64 = 30.0;
const AXIS_PX: f64 = 34.0;
const TICK_PX: f64 = 28.0;
const LEGEND_PX: f64 = 30.0;
const LINE_WIDTH: u32 = 4;
const BAND_ALPHA: f64 = 0.22;

/// The Okabe–Ito colour-blind-safe palette, in the order series use it.
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0, 114, 178),   // blue
    (213, 94, 0),    // vermillion
    (0, 158, 115),   // bluish green
    (204, 121, 167), // reddish purple
    (230, 159, 0),   // orange
    (86, 180, 233),  // sky blue
    (0, 0, 0),       // black
    (240, 228, 66),  // yellow
];

const INK: RGBColor = RGBColor(33, 33, 33);
const MUTED: RGBColor = RGBColor(90, 90, 90);
const GRID: RGBColor = RGBColor(225, 225, 225);

fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// One series of a time-series chart: the mean over replicates with its 95% interval, per x.
#[derive(Clone, Debug, PartialEq)]
pub struct Ribbon {
    /// Legend text (a policy arm, a metric, or "Mean of N replicates").
    pub label: String,
    /// Points in increasing x.
    pub points: Vec<RibbonPoint>,
}

/// The mean and 95% interval of a metric at one x (tick).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RibbonPoint {
    /// Position on the x axis (the tick).
    pub x: f64,
    /// Mean over replicates.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
}

/// How an axis prints its numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AxisFormat {
    /// The value as it is, with thousands separators from 10,000 up.
    #[default]
    Number,
    /// A share (0–1) shown as a percentage: 0.25 → "25%".
    Percent,
}

/// What a chart says: title, axis titles (with units) and how values are printed.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    /// Title, at the top left.
    pub title: String,
    /// Optional second line under the title (e.g. what the shading means).
    pub subtitle: Option<String>,
    /// Title of the x axis, with its unit (for a bar chart: what the categories are).
    pub x_label: String,
    /// Title of the y (value) axis, with its unit.
    pub y_label: String,
    /// Number format of the x axis (line and scatter charts).
    pub x_format: AxisFormat,
    /// Number format of the y (value) axis.
    pub y_format: AxisFormat,
    /// Whether the x axis must include zero (scatter charts; line charts span their data).
    pub x_from_zero: bool,
    /// Whether the y axis must include zero (bar charts always do).
    pub y_from_zero: bool,
}

impl ChartSpec {
    /// A chart with plain numbers on both axes and a y axis from zero.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        ChartSpec {
            title: title.into(),
            subtitle: None,
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_format: AxisFormat::Number,
            y_format: AxisFormat::Number,
            x_from_zero: false,
            y_from_zero: true,
        }
    }

    /// Shows y values (shares 0–1) as percentages.
    pub fn percent(mut self) -> Self {
        self.y_format = AxisFormat::Percent;
        self
    }

    /// Sets the line under the title.
    pub fn subtitle(mut self, text: impl Into<String>) -> Self {
        self.subtitle = Some(text.into());
        self
    }

    /// Sets whether the y axis must include zero.
    pub fn y_from_zero(mut self, yes: bool) -> Self {
        self.y_from_zero = yes;
        self
    }

    /// Sets whether the x axis must include zero.
    pub fn x_from_zero(mut self, yes: bool) -> Self {
        self.x_from_zero = yes;
        self
    }
}

/// Per-tick mean and 95% interval of `metric` over each labelled group of replicates, one
/// [`Ribbon`] per group in the same order (so colours follow the groups). A tick appears when
/// at least one replicate of the group recorded a finite value for it; non-finite values are
/// left out, and a group that never recorded the metric gives a ribbon with no points.
pub fn ribbons_from_series(groups: &[(String, &[Series])], metric: &str) -> Vec<Ribbon> {
    groups
        .iter()
        .map(|(label, replicates)| {
            let mut by_tick: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
            for s in replicates.iter() {
                for (tick, v) in s.values(metric) {
                    if v.is_finite() {
                        by_tick.entry(tick).or_default().push(v);
                    }
                }
            }
            ribbon_of(label, by_tick)
        })
        .collect()
}

/// One ribbon from the values gathered per tick: the mean and 95% interval at each tick (the
/// band always contains the mean, also when the interval is degenerate).
fn ribbon_of(label: &str, by_tick: BTreeMap<u32, Vec<f64>>) -> Ribbon {
    let points = by_tick
        .into_iter()
        .map(|(tick, xs)| {
            let iv = crate::stats::interval(&xs);
            RibbonPoint {
                x: tick as f64,
                mean: iv.mean,
                lo: iv.lo.min(iv.mean),
                hi: iv.hi.max(iv.mean),
            }
        })
        .collect();
    Ribbon {
        label: label.to_string(),
        points,
    }
}

/// Per-tick mean and 95% interval of the paired difference `metric(group, r) − metric(baseline,
/// r)` over the replicates r that recorded a finite value at that tick in both, one [`Ribbon`]
/// per group in the same order as `groups` (so colours match the other charts; the baseline's
/// own ribbon is zero). Replicates are paired by [`Series::replicate`]: with common random
/// numbers replicate r of every arm shares its streams, so the paired difference removes the
/// noise the arms share and shows the policy's effect over time.
pub fn difference_ribbons(
    groups: &[(String, &[Series])],
    baseline: usize,
    metric: &str,
) -> Vec<Ribbon> {
    let base: BTreeMap<u32, BTreeMap<u32, f64>> = groups[baseline]
        .1
        .iter()
        .map(|s| (s.replicate, s.values(metric).into_iter().collect()))
        .collect();
    groups
        .iter()
        .map(|(label, replicates)| {
            let mut by_tick: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
            for s in replicates.iter() {
                let Some(b) = base.get(&s.replicate) else {
                    continue;
                };
                for (tick, v) in s.values(metric) {
                    if let Some(&bv) = b.get(&tick) {
                        if v.is_finite() && bv.is_finite() {
                            by_tick.entry(tick).or_default().push(v - bv);
                        }
                    }
                }
            }
            ribbon_of(label, by_tick)
        })
        .collect()
}

/// Draws each ribbon as a mean line over a shaded 95% band, with a legend, and writes
/// `base.png` and `base.svg` (the parent folder is created). Returns the two paths.
pub fn line_chart(base: &Path, spec: &ChartSpec, ribbons: &[Ribbon]) -> Result<Vec<PathBuf>> {
    write_both(base, &Chart::Lines { spec, ribbons })
}

/// Several metrics on one chart (e.g. bonding vs bridging ties over time), one ribbon per
/// metric labelled with it. The metrics share the y axis, so give them the same unit.
pub fn multi_metric_chart(
    base: &Path,
    spec: &ChartSpec,
    ribbons: &[Ribbon],
) -> Result<Vec<PathBuf>> {
    line_chart(base, spec, ribbons)
}

/// Bars of the mean per category, `(label, mean, lo, hi)`, with whiskers for the 95% interval,
/// and the mean printed above each; writes `base.png` and `base.svg`.
pub fn bar_chart(
    base: &Path,
    spec: &ChartSpec,
    bars: &[(String, f64, f64, f64)],
) -> Result<Vec<PathBuf>> {
    write_both(base, &Chart::Bars { spec, bars })
}

/// Labelled points `(label, x, y)`, e.g. spend against person-weeks averted per policy arm;
/// writes `base.png` and `base.svg`.
pub fn scatter_chart(
    base: &Path,
    spec: &ChartSpec,
    points: &[(String, f64, f64)],
) -> Result<Vec<PathBuf>> {
    write_both(base, &Chart::Scatter { spec, points })
}

/// One chart `run_charts` draws: file name, words, and the metrics with their legend labels.
struct RunChart {
    name: &'static str,
    title: &'static str,
    x_label: &'static str,
    y_label: &'static str,
    percent: bool,
    from_zero: bool,
    /// (metric, legend label); `None` labels the single ribbon by the replicate count.
    metrics: &'static [(&'static str, Option<&'static str>)],
}

const WITHDRAWAL_CHARTS: &[RunChart] = &[
    RunChart {
        name: "hikikomori_prevalence",
        title: "Hikikomori prevalence",
        x_label: "Week",
        y_label: "Hikikomori (% of population)",
        percent: true,
        from_zero: true,
        metrics: &[("hikikomori_prevalence", None)],
    },
    RunChart {
        name: "loneliness",
        title: "Loneliness",
        x_label: "Week",
        y_label: "Lonely (% of population)",
        percent: true,
        from_zero: true,
        metrics: &[("lonely_share", None)],
    },
    RunChart {
        name: "bridging_capital",
        title: "Bridging social capital",
        x_label: "Week",
        y_label: "Bridging ties per agent",
        percent: false,
        from_zero: true,
        metrics: &[("bridging_ties_per_agent", None)],
    },
    RunChart {
        name: "bonding_vs_bridging",
        title: "Bonding vs bridging ties",
        x_label: "Week",
        y_label: "Ties per agent",
        percent: false,
        from_zero: true,
        metrics: &[
            ("bonding_ties_per_agent", Some("Bonding (within group)")),
            ("bridging_ties_per_agent", Some("Bridging (between groups)")),
        ],
    },
    RunChart {
        name: "ei_index",
        title: "E–I index of ties",
        x_label: "Week",
        y_label: "E–I index (−1 all bonding, +1 all bridging)",
        percent: false,
        from_zero: false,
        metrics: &[("ei_index", None)],
    },
];

const SISA_CHARTS: &[RunChart] = &[RunChart {
    name: "prevalence",
    title: "SISa prevalence",
    x_label: "Tick",
    y_label: "Infected (% of agents)",
    percent: true,
    from_zero: true,
    metrics: &[("prevalence", None)],
}];

/// The time-series charts `cocoon run` writes into `<dir>/charts/` for one scenario's
/// replicates. For model `withdrawal`: `hikikomori_prevalence`, `loneliness` (lonely share),
/// `bridging_capital`, `bonding_vs_bridging` and `ei_index`; for `sisa`: `prevalence`; each
/// as `.png` and `.svg`. A chart whose metrics were not recorded is skipped (the folder is
/// only created when there is a chart); other models get none. Returns the paths written.
pub fn run_charts(dir: &Path, model: &str, series: &[Series]) -> Result<Vec<PathBuf>> {
    let plans = match model {
        "withdrawal" => WITHDRAWAL_CHARTS,
        "sisa" => SISA_CHARTS,
        _ => &[],
    };
    let n = series.len();
    let mean_label = if n == 1 {
        "One replicate".to_string()
    } else {
        format!("Mean of {n} replicates")
    };
    let subtitle = if n > 1 {
        "Line: mean over replicates; shaded band: 95% confidence interval of the mean"
    } else {
        "A single replicate: no confidence interval"
    };
    let group = [(String::new(), series)];
    let charts_dir = dir.join("charts");
    let mut written = Vec::new();
    for plan in plans {
        let ribbons: Vec<Ribbon> = plan
            .metrics
            .iter()
            .filter_map(|(metric, label)| {
                let mut r = ribbons_from_series(&group, metric).pop()?;
                if r.points.is_empty() {
                    return None;
                }
                r.label = label.map_or_else(|| mean_label.clone(), String::from);
                Some(r)
            })
            .collect();
        if ribbons.is_empty() {
            continue;
        }
        let mut spec = ChartSpec::new(plan.title, plan.x_label, plan.y_label)
            .subtitle(subtitle)
            .y_from_zero(plan.from_zero);
        if plan.percent {
            spec = spec.percent();
        }
        let base = charts_dir.join(plan.name);
        written.extend(if ribbons.len() > 1 {
            multi_metric_chart(&base, &spec, &ribbons)?
        } else {
            line_chart(&base, &spec, &ribbons)?
        });
    }
    Ok(written)
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// What to draw; rendered once per backend.
enum Chart<'a> {
    Lines {
        spec: &'a ChartSpec,
        ribbons: &'a [Ribbon],
    },
    Bars {
        spec: &'a ChartSpec,
        bars: &'a [(String, f64, f64, f64)],
    },
    Scatter {
        spec: &'a ChartSpec,
        points: &'a [(String, f64, f64)],
    },
}

impl Chart<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(msg)?;
        match self {
            Chart::Lines { spec, ribbons } => draw_lines(root, look, spec, ribbons),
            Chart::Bars { spec, bars } => draw_bars(root, look, spec, bars),
            Chart::Scatter { spec, points } => draw_scatter(root, look, spec, points),
        }?;
        root.present().map_err(msg)
    }
}

/// Backend-specific touches. Plotters' `ab_glyph` text sits about a sixth of the font size
/// higher than an SVG viewer places the same anchor (it puts the baseline at half the size
/// below the top), so bitmap text is moved down by that much to look the same in both files.
#[derive(Clone, Copy)]
struct Look {
    bitmap: bool,
}

impl Look {
    /// Pixels to move text of plotters size `size` down.
    fn dy(self, size: f64) -> i32 {
        if self.bitmap {
            (size * 0.17).round() as i32
        } else {
            0
        }
    }
}

fn msg<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

/// `base` with `.ext` appended to its file name (a dot in the name is kept).
fn with_suffix(base: &Path, ext: &str) -> PathBuf {
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    base.with_file_name(format!("{name}.{ext}"))
}

/// Registers the embedded font once; `false` if it could not be parsed.
fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    })
}

fn write_both(base: &Path, chart: &Chart<'_>) -> Result<Vec<PathBuf>> {
    let png_path = with_suffix(base, "png");
    let svg_path = with_suffix(base, "svg");
    if !font_ready() {
        return Err(Error::Chart {
            path: png_path,
            message: "the embedded font could not be loaded".into(),
        });
    }
    let png = render_png(chart).map_err(|message| Error::Chart {
        path: png_path.clone(),
        message,
    })?;
    let svg = render_svg(chart).map_err(|message| Error::Chart {
        path: svg_path.clone(),
        message,
    })?;
    if let Some(parent) = base.parent().filter(|p| !p.as_os_str().is_empty()) {
        atomic::create_dir(parent)?;
    }
    atomic::write(&png_path, &png)?;
    atomic::write(&svg_path, svg.as_bytes())?;
    Ok(vec![png_path, svg_path])
}

fn render_png(chart: &Chart<'_>) -> Result<Vec<u8>, String> {
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        chart.draw(&root, Look { bitmap: true })?;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Balanced);
    let mut w = enc.write_header().map_err(|e| e.to_string())?;
    w.write_image_data(&rgb).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

fn render_svg(chart: &Chart<'_>) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        chart.draw(&root, Look { bitmap: false })?;
    }
    Ok(out)
}

fn font(size: f64, colour: RGBColor) -> TextStyle<'static> {
    FontDesc::new(FontFamily::SansSerif, size, FontStyle::Normal).color(&colour)
}

/// Draws the title, subtitle and legend at the top of `root`; returns the area below them.
fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    legend: &[(String, RGBColor)],
) -> Result<DrawingArea<DB, Shift>, String> {
    let (width, _) = root.dim_in_pixel();
    let width = width as i32;
    let top_left = Pos::new(HPos::Left, VPos::Top);
    let mut y = 24;
    let title = font(TITLE_PX, INK).pos(top_left);
    root.draw(&Text::new(
        spec.title.clone(),
        (MARGIN, y + look.dy(TITLE_PX)),
        title.clone(),
    ))
    .map_err(msg)?;
    y += root.estimate_text_size(&spec.title, &title).map_err(msg)?.1 as i32 + 14;
    if let Some(sub) = &spec.subtitle {
        let style = font(SUBTITLE_PX, MUTED).pos(top_left);
        root.draw(&Text::new(
            sub.clone(),
            (MARGIN, y + look.dy(SUBTITLE_PX)),
            style.clone(),
        ))
        .map_err(msg)?;
        y += root.estimate_text_size(sub, &style).map_err(msg)?.1 as i32 + 12;
    }
    if !legend.is_empty() {
        let style = font(LEGEND_PX, INK).pos(Pos::new(HPos::Left, VPos::Center));
        let (sw, sh) = (56, 26);
        let row_h = (LEGEND_PX as i32).max(sh) + 10;
        let mut x = MARGIN;
        let mut row_mid = y + row_h / 2;
        for (label, c) in legend {
            let text_w = root.estimate_text_size(label, &style).map_err(msg)?.0 as i32;
            let entry_w = sw + 12 + text_w;
            if x > MARGIN && x + entry_w > width - MARGIN {
                x = MARGIN;
                row_mid += row_h;
            }
            // A line over a shaded band, as the series is drawn.
            root.draw(&Rectangle::new(
                [(x, row_mid - sh / 2), (x + sw, row_mid + sh / 2)],
                c.mix(BAND_ALPHA).filled(),
            ))
            .map_err(msg)?;
            root.draw(&PathElement::new(
                vec![(x, row_mid), (x + sw, row_mid)],
                c.stroke_width(LINE_WIDTH),
            ))
            .map_err(msg)?;
            root.draw(&Text::new(
                label.clone(),
                (x + sw + 12, row_mid + look.dy(LEGEND_PX)),
                style.clone(),
            ))
            .map_err(msg)?;
            x += entry_w + 44;
        }
        y = row_mid + row_h / 2;
    }
    y += 8;
    Ok(root.split_vertically(y).1)
}

/// An axis: its range and where its labelled ticks go.
#[derive(Clone, Debug, PartialEq)]
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    /// Decimals that tell the ticks apart, in display units.
    decimals: usize,
    /// False when the data could not be given a finite range (the axis is a stand-in 0-1).
    fits: bool,
}

/// A round step near `span / target`: 1, 2 or 5 times a power of ten.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let f = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    f * mag
}

/// An axis over the finite `values`, padded by `pad` of the span on each side (not past zero
/// when `from_zero` and the data do not cross it), with round ticks; `extend` widens the
/// range to the ticks just outside the data. Falls back to 0–1 when nothing finite is left.
fn axis(
    values: impl IntoIterator<Item = f64>,
    from_zero: bool,
    pad: f64,
    extend: bool,
    format: AxisFormat,
) -> Axis {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let mut fits = true;
    let mut span = hi - lo;
    if !span.is_finite() {
        (lo, hi, span, fits) = (0.0, 1.0, 1.0, false);
    }
    if span <= f64::EPSILON * lo.abs().max(hi.abs()) || span == 0.0 {
        // A flat series: centre it (or, at zero, show 0-1).
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        if !(from_zero && lo == 0.0) {
            lo -= d;
        }
        hi += d;
        span = hi - lo;
    }
    let keep_lo_at_zero = from_zero && lo == 0.0;
    let keep_hi_at_zero = from_zero && hi == 0.0;
    if !keep_lo_at_zero {
        lo -= span * pad;
    }
    if !keep_hi_at_zero {
        hi += span * pad;
    }
    let step = nice_step(hi - lo, 8.0);
    if !(step.is_finite() && step > 0.0 && lo.is_finite() && hi.is_finite()) {
        return Axis {
            lo: 0.0,
            hi: 1.0,
            ticks: vec![0.0, 0.5, 1.0],
            decimals: 1,
            fits: false,
        };
    }
    if extend {
        lo = (lo / step).floor() * step;
        hi = (hi / step).ceil() * step;
    }
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks: Vec<f64> = (first..=last.min(first + 40))
        .map(|k| k as f64 * step)
        .collect();
    let display_step = match format {
        AxisFormat::Number => step,
        AxisFormat::Percent => step * 100.0,
    };
    let decimals = if display_step >= 1.0 {
        0
    } else {
        (-(display_step.log10() + 1e-9).floor()).clamp(0.0, 12.0) as usize
    };
    Axis {
        lo,
        hi,
        ticks,
        decimals,
        fits,
    }
}

/// Formats `v` for an axis or value label: fixed decimals, thousands separators from 10,000,
/// a true minus sign, no "-0", and `%` for percentages.
fn format_value(v: f64, format: AxisFormat, decimals: usize) -> String {
    let shown = match format {
        AxisFormat::Number => v,
        AxisFormat::Percent => v * 100.0,
    };
    let mut s = format!("{:.*}", decimals, shown.abs());
    if decimals == 0 && shown.abs() >= 10_000.0 && shown.is_finite() {
        let digits: Vec<char> = s.chars().collect();
        let mut grouped = String::new();
        for (i, ch) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(*ch);
        }
        s = grouped;
    }
    let is_zero = s.chars().all(|c| c == '0' || c == '.' || c == ',');
    if shown < 0.0 && !is_zero {
        s.insert(0, '−');
    }
    if format == AxisFormat::Percent {
        s.push('%');
    }
    s
}

/// Decimals that show `v` with about three significant digits.
fn value_decimals(v: f64, format: AxisFormat) -> usize {
    let shown = match format {
        AxisFormat::Number => v,
        AxisFormat::Percent => v * 100.0,
    }
    .abs();
    if !shown.is_finite() || shown >= 100.0 || shown == 0.0 {
        0
    } else {
        (2.0 - shown.log10().floor()).clamp(0.0, 6.0) as usize
    }
}

/// Width the y axis needs for its tick labels and title.
fn y_label_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    y: &Axis,
    format: AxisFormat,
) -> Result<u32, String> {
    let style = font(TICK_PX, INK);
    let mut widest = 0;
    for t in &y.ticks {
        let w = root
            .estimate_text_size(&format_value(*t, format, y.decimals), &style)
            .map_err(msg)?
            .0;
        widest = widest.max(w);
    }
    Ok(widest + AXIS_PX as u32 + 40)
}

/// A linear f64 axis whose labelled ticks are exactly [`Axis::ticks`] (plotters' own
/// key-point binding cannot be combined with custom label formatters for floats).
#[derive(Clone)]
struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

fn ticked(axis: &Axis, with_ticks: bool) -> Ticked {
    Ticked {
        inner: (axis.lo..axis.hi).into(),
        ticks: if with_ticks {
            axis.ticks.clone()
        } else {
            Vec::new()
        },
    }
}

type Plane = Cartesian2d<Ticked, Ticked>;

/// Builds the plotting area with axes, grid and labels.
fn plane<'a, DB: DrawingBackend + 'a>(
    area: &'a DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    x: &Axis,
    y: &Axis,
    x_area: u32,
    x_ticks: bool,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let y_area = y_label_area(area, y, spec.y_format)?;
    let mut chart = ChartBuilder::on(area)
        .margin_left(MARGIN as u32 / 2)
        .margin_right(MARGIN as u32 + 50)
        .margin_bottom(MARGIN as u32 / 2)
        .margin_top(28)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(ticked(x, x_ticks), ticked(y, true))
        .map_err(msg)?;
    let (xf, xd) = (spec.x_format, x.decimals);
    let (yf, yd) = (spec.y_format, y.decimals);
    let x_fmt = move |v: &f64| format_value(*v, xf, xd);
    let y_fmt = move |v: &f64| format_value(*v, yf, yd);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID.stroke_width(2))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(2))
        .x_desc(spec.x_label.clone())
        .y_desc(spec.y_label.clone())
        .axis_desc_style(font(AXIS_PX, INK))
        .label_style(font(TICK_PX, INK))
        .x_label_formatter(&x_fmt)
        .y_label_offset(look.dy(TICK_PX))
        .y_label_formatter(&y_fmt)
        .set_tick_mark_size(LabelAreaPosition::Left, 8)
        .set_tick_mark_size(LabelAreaPosition::Bottom, 8)
        .draw()
        .map_err(msg)?;
    Ok(chart)
}

fn no_data<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Plane>,
    x: &Axis,
    y: &Axis,
) -> Result<(), String> {
    chart
        .plotting_area()
        .draw(&Text::new(
            "No data".to_string(),
            ((x.lo + x.hi) / 2.0, (y.lo + y.hi) / 2.0),
            font(AXIS_PX, MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(msg)
}

/// The finite points of a ribbon, with the band falling back to the mean where its ends are
/// not finite.
fn clean(points: &[RibbonPoint]) -> Vec<RibbonPoint> {
    points
        .iter()
        .filter(|p| p.x.is_finite() && p.mean.is_finite())
        .map(|p| RibbonPoint {
            x: p.x,
            mean: p.mean,
            lo: if p.lo.is_finite() {
                p.lo.min(p.mean)
            } else {
                p.mean
            },
            hi: if p.hi.is_finite() {
                p.hi.max(p.mean)
            } else {
                p.mean
            },
        })
        .collect()
}

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    ribbons: &[Ribbon],
) -> Result<(), String> {
    let cleaned: Vec<Vec<RibbonPoint>> = ribbons.iter().map(|r| clean(&r.points)).collect();
    let legend: Vec<(String, RGBColor)> = ribbons
        .iter()
        .enumerate()
        .map(|(i, r)| (r.label.clone(), colour(i)))
        .collect();
    let area = header(root, look, spec, &legend)?;
    let all = || cleaned.iter().flatten();
    let x = axis(
        all().map(|p| p.x),
        spec.x_from_zero,
        0.0,
        false,
        spec.x_format,
    );
    let y = axis(
        all().flat_map(|p| [p.lo, p.hi]),
        spec.y_from_zero,
        0.04,
        true,
        spec.y_format,
    );
    let mut chart = plane(&area, look, spec, &x, &y, 100, true)?;
    if all().next().is_none() || !x.fits || !y.fits {
        return no_data(&chart, &x, &y);
    }
    for (i, pts) in cleaned.iter().enumerate() {
        let c = colour(i);
        if pts.iter().any(|p| p.hi > p.lo) {
            let mut outline: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, p.hi)).collect();
            outline.extend(pts.iter().rev().map(|p| (p.x, p.lo)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    c.mix(BAND_ALPHA).filled(),
                )))
                .map_err(msg)?;
        }
    }
    for (i, pts) in cleaned.iter().enumerate() {
        let c = colour(i);
        if pts.len() == 1 {
            chart
                .draw_series(
                    pts.iter()
                        .map(|p| Circle::new((p.x, p.mean), 6, c.filled())),
                )
                .map_err(msg)?;
        }
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|p| (p.x, p.mean)),
                c.stroke_width(LINE_WIDTH),
            ))
            .map_err(msg)?;
    }
    Ok(())
}

/// Splits `text` into lines no wider than `max_w` pixels (a single long word stays whole).
fn wrap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    max_w: u32,
) -> Result<Vec<String>, String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        let w = root.estimate_text_size(&candidate, style).map_err(msg)?.0;
        if w > max_w && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    bars: &[(String, f64, f64, f64)],
) -> Result<(), String> {
    let area = header(root, look, spec, &[])?;
    let n = bars.len().max(1);
    let x = Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        ticks: vec![],
        decimals: 0,
        fits: true,
    };
    let y = axis(
        bars.iter().flat_map(|b| [b.1, b.2, b.3]),
        true,
        0.08,
        true,
        spec.y_format,
    );
    let label_style = font(TICK_PX, INK).pos(Pos::new(HPos::Center, VPos::Top));
    let line_h = root.estimate_text_size("Ag", &label_style).map_err(msg)?.1 as i32 + 4;
    // Room for three lines of category names, then the axis title.
    let x_area = (3 * line_h + AXIS_PX as i32 + 36) as u32;
    let chart = plane(&area, look, spec, &x, &y, x_area, false)?;
    if !y.fits {
        return no_data(&chart, &x, &y);
    }
    if !bars.iter().any(|b| b.1.is_finite()) {
        no_data(&chart, &x, &y)?;
    }
    let (left, _) = chart.backend_coord(&(-0.5, 0.0));
    let (right, _) = chart.backend_coord(&(n as f64 - 0.5, 0.0));
    let slot = ((right - left) / n as i32).max(1) as u32;
    let (_, axis_y) = chart.backend_coord(&(0.0, y.lo));
    let value_style = font(TICK_PX, INK).pos(Pos::new(HPos::Center, VPos::Bottom));
    let whisker = INK.stroke_width(3);
    // One number of decimals for every bar, from the largest: about three significant digits.
    let largest = bars
        .iter()
        .map(|b| b.1.abs())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let decimals = value_decimals(largest, spec.y_format);
    for (i, (label, mean, lo, hi)) in bars.iter().enumerate() {
        let cx = i as f64;
        let c = colour(i);
        if mean.is_finite() {
            chart
                .plotting_area()
                .draw(&Rectangle::new(
                    [(cx - 0.34, 0.0), (cx + 0.34, *mean)],
                    c.filled(),
                ))
                .map_err(msg)?;
        }
        let (lo, hi) = (
            if lo.is_finite() { *lo } else { *mean },
            if hi.is_finite() { *hi } else { *mean },
        );
        if lo.is_finite() && hi.is_finite() && hi > lo {
            for seg in [
                vec![(cx, lo), (cx, hi)],
                vec![(cx - 0.1, lo), (cx + 0.1, lo)],
                vec![(cx - 0.1, hi), (cx + 0.1, hi)],
            ] {
                chart
                    .plotting_area()
                    .draw(&PathElement::new(seg, whisker))
                    .map_err(msg)?;
            }
        }
        let top = [*mean, hi, 0.0]
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        let text = if mean.is_finite() {
            format_value(*mean, spec.y_format, decimals)
        } else {
            "n/a".to_string()
        };
        let (px, py) = chart.backend_coord(&(cx, top));
        root.draw(&Text::new(
            text,
            (px, py - 8 + look.dy(TICK_PX)),
            value_style.clone(),
        ))
        .map_err(msg)?;
        let lines = wrap(root, label, &label_style, slot.saturating_sub(16))?;
        for (k, line) in lines.iter().take(3).enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (px, axis_y + 14 + k as i32 * line_h + look.dy(TICK_PX)),
                label_style.clone(),
            ))
            .map_err(msg)?;
        }
    }
    Ok(())
}

fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    points: &[(String, f64, f64)],
) -> Result<(), String> {
    let area = header(root, look, spec, &[])?;
    let finite: Vec<(usize, &(String, f64, f64))> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.1.is_finite() && p.2.is_finite())
        .collect();
    let x = axis(
        finite.iter().map(|(_, p)| p.1),
        spec.x_from_zero,
        0.08,
        true,
        spec.x_format,
    );
    let y = axis(
        finite.iter().map(|(_, p)| p.2),
        spec.y_from_zero,
        0.08,
        true,
        spec.y_format,
    );
    let chart = plane(&area, look, spec, &x, &y, 100, true)?;
    if finite.is_empty() || !x.fits || !y.fits {
        return no_data(&chart, &x, &y);
    }
    let right_third = x.hi - (x.hi - x.lo) * 0.35;
    for (i, (label, px, py)) in finite {
        let c = colour(i);
        chart
            .plotting_area()
            .draw(&Circle::new((*px, *py), 12, c.filled()))
            .map_err(msg)?;
        let (bx, by) = chart.backend_coord(&(*px, *py));
        let (anchor, dx) = if *px > right_third {
            (HPos::Right, -20)
        } else {
            (HPos::Left, 20)
        };
        root.draw(&Text::new(
            label.clone(),
            (bx + dx, by + look.dy(LEGEND_PX)),
            font(LEGEND_PX, INK).pos(Pos::new(anchor, VPos::Center)),
        ))
        .map_err(msg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Row;

    fn series(replicate: u32, metric: &str, values: &[(u32, f64)]) -> Series {
        Series {
            replicate,
            metrics: vec!["other".into(), metric.into()],
            rows: values
                .iter()
                .flat_map(|&(tick, value)| {
                    [
                        Row {
                            tick,
                            metric: 0,
                            value: -1.0,
                        },
                        Row {
                            tick,
                            metric: 1,
                            value,
                        },
                    ]
                })
                .collect(),
            distributions: vec![],
        }
    }

    #[test]
    fn difference_ribbons_pair_replicates_and_zero_the_baseline() {
        let base = [
            series(0, "m", &[(0, 1.0), (1, 2.0)]),
            series(1, "m", &[(0, 3.0), (1, 5.0)]),
        ];
        // Listed out of replicate order: pairing goes by replicate number, not position.
        let arm = [
            series(1, "m", &[(0, 3.5), (1, 4.0)]),
            series(0, "m", &[(0, 1.5), (1, f64::NAN)]),
        ];
        let groups = vec![
            ("base".to_string(), &base[..]),
            ("arm".to_string(), &arm[..]),
        ];
        let r = difference_ribbons(&groups, 0, "m");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].label, "base");
        assert!(r[0]
            .points
            .iter()
            .all(|p| p.mean == 0.0 && p.lo == 0.0 && p.hi == 0.0));
        assert_eq!(r[1].label, "arm");
        // Tick 0: differences 0.5 and 0.5; tick 1: only replicate 1 (-1.0), the NaN is left out.
        assert_eq!(r[1].points.len(), 2);
        assert_eq!(r[1].points[0].mean, 0.5);
        assert_eq!((r[1].points[0].lo, r[1].points[0].hi), (0.5, 0.5));
        assert_eq!(r[1].points[1].mean, -1.0);
        assert!(difference_ribbons(&groups, 0, "absent")[1]
            .points
            .is_empty());
    }

    fn ribbon(label: &str, n: usize, f: impl Fn(f64) -> f64) -> Ribbon {
        Ribbon {
            label: label.into(),
            points: (0..n)
                .map(|i| {
                    let x = i as f64;
                    let m = f(x);
                    RibbonPoint {
                        x,
                        mean: m,
                        lo: m * 0.9,
                        hi: m * 1.1,
                    }
                })
                .collect(),
        }
    }

    fn check_files(paths: &[PathBuf], title: &str) {
        assert_eq!(paths.len(), 2, "{paths:?}");
        let png = std::fs::read(&paths[0]).unwrap();
        assert!(paths[0].extension().is_some_and(|e| e == "png"));
        assert_eq!(
            &png[..8],
            b"\x89PNG\r\n\x1a\n",
            "PNG magic of {:?}",
            paths[0]
        );
        assert!(png.len() > 1000);
        let svg = std::fs::read_to_string(&paths[1]).unwrap();
        assert!(paths[1].extension().is_some_and(|e| e == "svg"));
        assert!(svg.contains("<svg"), "no <svg in {:?}", paths[1]);
        assert!(svg.contains(title), "title {title:?} not in {:?}", paths[1]);
    }

    #[test]
    fn ribbons_give_the_mean_and_an_interval_around_it() {
        let a = series(0, "m", &[(0, 1.0), (1, 2.0), (2, 4.0)]);
        let b = series(1, "m", &[(0, 3.0), (1, 2.0), (2, f64::NAN)]);
        let c = series(2, "m", &[(0, 5.0), (1, 2.0)]);
        let reps = [a, b, c];
        let only_a = &reps[..1];
        let groups = vec![("all".to_string(), &reps[..]), ("a".to_string(), only_a)];
        let r = ribbons_from_series(&groups, "m");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].label, "all");
        let p = &r[0].points;
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].x, 0.0);
        assert!((p[0].mean - 3.0).abs() < 1e-12);
        // t(2) = 4.303, sd = 2, n = 3.
        assert!((p[0].hi - (3.0 + 4.303 * 2.0 / 3f64.sqrt())).abs() < 1e-9);
        assert_eq!((p[1].lo, p[1].mean, p[1].hi), (2.0, 2.0, 2.0));
        // Tick 2: the NaN is left out and replicate c did not record it; only a's 4.0 is left.
        assert_eq!((p[2].x, p[2].mean), (2.0, 4.0));
        for q in p.iter().chain(&r[1].points) {
            assert!(q.lo <= q.mean && q.mean <= q.hi, "{q:?}");
        }
        assert_eq!(r[1].points.len(), 3);
        assert!(ribbons_from_series(&groups, "absent")
            .iter()
            .all(|r| r.points.is_empty()));
        assert!(ribbons_from_series(&[], "m").is_empty());
    }

    #[test]
    fn line_chart_writes_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ChartSpec::new("Hikikomori prevalence", "Week", "Prevalence (%)")
            .percent()
            .subtitle("Line: mean; band: 95% CI");
        let ribbons = [
            ribbon("Status quo", 53, |x| 0.012 + 0.0002 * x),
            ribbon("Outreach", 53, |x| 0.012 - 0.0001 * x),
        ];
        let paths = line_chart(&dir.path().join("sub/prev"), &spec, &ribbons).unwrap();
        check_files(&paths, "Hikikomori prevalence");
        let svg = std::fs::read_to_string(&paths[1]).unwrap();
        assert!(svg.contains("Outreach") && svg.contains("Week") && svg.contains('%'));
    }

    #[test]
    fn multi_metric_chart_writes_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ChartSpec::new("Bonding vs bridging ties", "Week", "Ties per agent");
        let ribbons = [
            ribbon("Bonding", 30, |x| 4.0 + 0.01 * x),
            ribbon("Bridging", 30, |x| 1.0 - 0.01 * x),
        ];
        let paths = multi_metric_chart(&dir.path().join("ties"), &spec, &ribbons).unwrap();
        check_files(&paths, "Bonding vs bridging ties");
    }

    #[test]
    fn bar_chart_writes_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ChartSpec::new(
            "Prevalence at week 52 by policy",
            "Policy arm",
            "Hikikomori (%)",
        )
        .percent();
        let bars = [
            ("Status quo".to_string(), 0.021, 0.019, 0.023),
            (
                "School-based anti-bullying programme".to_string(),
                0.017,
                0.015,
                0.019,
            ),
            ("Peer support".to_string(), 0.018, f64::NAN, 0.02),
        ];
        let paths = bar_chart(&dir.path().join("bars"), &spec, &bars).unwrap();
        check_files(&paths, "Prevalence at week 52 by policy");
    }

    #[test]
    fn scatter_chart_writes_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ChartSpec::new(
            "Spend vs person-weeks averted",
            "Spend (£)",
            "Person-weeks averted",
        )
        .x_from_zero(true);
        let points = [
            ("Outreach".to_string(), 250_000.0, 1200.0),
            ("Peer support".to_string(), 90_000.0, 600.0),
            ("Broken".to_string(), f64::NAN, 5.0),
        ];
        let paths = scatter_chart(&dir.path().join("cost"), &spec, &points).unwrap();
        check_files(&paths, "Spend vs person-weeks averted");
        let svg = std::fs::read_to_string(&paths[1]).unwrap();
        assert!(
            svg.contains("250,000") || svg.contains("200,000"),
            "thousands separators"
        );
    }

    #[test]
    fn empty_and_nan_inputs_give_charts_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ChartSpec::new("Nothing here", "Week", "Value");
        let nan = Ribbon {
            label: "NaN".into(),
            points: vec![RibbonPoint {
                x: f64::NAN,
                mean: f64::NAN,
                lo: f64::NAN,
                hi: f64::INFINITY,
            }],
        };
        let empty = Ribbon {
            label: "Empty".into(),
            points: vec![],
        };
        let cases: Vec<Vec<Ribbon>> = vec![vec![], vec![empty], vec![nan]];
        for (k, ribbons) in cases.iter().enumerate() {
            let p = line_chart(&dir.path().join(format!("l{k}")), &spec, ribbons).unwrap();
            check_files(&p, "Nothing here");
        }
        let p = bar_chart(&dir.path().join("b0"), &spec, &[]).unwrap();
        check_files(&p, "Nothing here");
        let nan_bar = [("x".to_string(), f64::NAN, f64::NAN, f64::NAN)];
        let p = bar_chart(&dir.path().join("b1"), &spec, &nan_bar).unwrap();
        check_files(&p, "Nothing here");
        let p = scatter_chart(&dir.path().join("s0"), &spec, &[]).unwrap();
        check_files(&p, "Nothing here");
        let huge = [("big".to_string(), f64::MAX, -f64::MAX)];
        let p = scatter_chart(&dir.path().join("s1"), &spec, &huge).unwrap();
        check_files(&p, "Nothing here");
        // Empty words everywhere.
        let blank = ChartSpec::new("", "", "");
        let unnamed = [ribbon("", 3, |x| x)];
        assert_eq!(
            line_chart(&dir.path().join("blank"), &blank, &unnamed)
                .unwrap()
                .len(),
            2
        );
        let bar = [(String::new(), 1.0, 0.5, 1.5)];
        assert_eq!(
            bar_chart(&dir.path().join("blank_bar"), &blank, &bar)
                .unwrap()
                .len(),
            2
        );
        // A single point and a flat line.
        let flat = [ribbon("flat", 1, |_| 0.0), ribbon("const", 5, |_| 2.0)];
        let p = line_chart(&dir.path().join("flat"), &spec, &flat).unwrap();
        check_files(&p, "Nothing here");
    }

    #[test]
    fn charts_are_byte_identical_when_redrawn() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ChartSpec::new("Same twice", "Week", "Share").percent();
        let ribbons = [ribbon("a", 40, |x| 0.1 + 0.001 * x)];
        let a = line_chart(&dir.path().join("a"), &spec, &ribbons).unwrap();
        let b = line_chart(&dir.path().join("b"), &spec, &ribbons).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                std::fs::read(x).unwrap(),
                std::fs::read(y).unwrap(),
                "{x:?}"
            );
        }
    }

    #[test]
    fn run_charts_draws_what_was_recorded_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let reps: Vec<Series> = (0..3)
            .map(|r| series(r, "prevalence", &[(0, 0.1), (1, 0.2 + r as f64 * 0.01)]))
            .collect();
        let written = run_charts(dir.path(), "sisa", &reps).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["charts/prevalence.png", "charts/prevalence.svg"]);
        check_files(&written, "SISa prevalence");
        // No withdrawal metric is in these series, so nothing is drawn and no folder made.
        let other = tempfile::tempdir().unwrap();
        assert!(run_charts(other.path(), "withdrawal", &reps)
            .unwrap()
            .is_empty());
        assert!(!other.path().join("charts").exists());
        assert!(run_charts(other.path(), "unknown", &reps)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn axes_have_round_ticks_and_readable_labels() {
        let a = axis([0.012, 0.031], true, 0.04, true, AxisFormat::Percent);
        assert_eq!(a.lo, 0.0);
        assert!(
            a.hi >= 0.031 && a.ticks.len() >= 3 && a.ticks.len() <= 12,
            "{a:?}"
        );
        assert_eq!(format_value(0.005, AxisFormat::Percent, 1), "0.5%");
        assert_eq!(format_value(-0.4, AxisFormat::Number, 1), "−0.4");
        assert_eq!(format_value(-0.0001, AxisFormat::Number, 1), "0.0");
        assert_eq!(
            format_value(1_250_000.0, AxisFormat::Number, 0),
            "1,250,000"
        );
        assert_eq!(format_value(1_250.0, AxisFormat::Number, 0), "1250");
        let labels: Vec<String> = a
            .ticks
            .iter()
            .map(|t| format_value(*t, AxisFormat::Percent, a.decimals))
            .collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique, "tick labels must differ");
        let flat = axis([5.0, 5.0], false, 0.0, false, AxisFormat::Number);
        assert!(flat.lo < 5.0 && flat.hi > 5.0);
        let none = axis([f64::NAN], true, 0.0, true, AxisFormat::Number);
        assert_eq!((none.lo, none.hi), (0.0, 1.0));
    }
}
