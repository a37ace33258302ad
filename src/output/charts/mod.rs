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

mod axis;
mod bars;
mod compare;
mod lines;
mod render;
mod ribbon;
mod run;
mod scatter;
#[cfg(test)]
mod tests;

use axis::*;
use bars::*;
pub use compare::{comparison_charts, ComparisonChart};
use lines::*;
use render::*;
pub use ribbon::{difference_ribbons, ribbons_from_series};
pub use run::{run_charts, scenario_events, time_axis};
use scatter::*;

/// The embedded font (DejaVu Sans 2.37; licence in `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

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

/// Palette slot of black, kept for the baseline arm.
pub const BASELINE_COLOUR: usize = 6;

fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// The palette slot of arm `k` when arm `baseline` is the reference: the baseline is black,
/// the other arms take blue, vermillion, bluish green, reddish purple, orange, sky blue and
/// yellow in file order. Every chart of a comparison uses this, so an arm keeps its colour
/// across charts and no colour repeats within a chart of up to eight arms.
pub fn arm_colour(k: usize, baseline: usize) -> usize {
    const OTHERS: [usize; 7] = [0, 1, 2, 3, 4, 5, 7];
    if k == baseline {
        BASELINE_COLOUR
    } else {
        let pos = if k > baseline { k - 1 } else { k };
        OTHERS[pos % OTHERS.len()]
    }
}

/// One series of a time-series chart: the mean over replicates with its 95% interval, per x.
#[derive(Clone, Debug, PartialEq)]
pub struct Ribbon {
    /// Legend text (a policy arm or a metric); an empty label has no legend entry.
    pub label: String,
    /// Points in increasing x.
    pub points: Vec<RibbonPoint>,
    /// Palette slot ([`PALETTE`]); a comparison gives each arm a fixed one ([`arm_colour`]).
    pub colour: usize,
    /// Whether the 95% band is shaded (comparisons shade the baseline's only, so six bands
    /// do not blend into one smear).
    pub band: bool,
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
    /// The value as it is, with thousands separators from 1,000 up.
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
    /// Periods shaded behind a time chart, `(from, to, label)` in x units (e.g. a shock).
    pub shaded: Vec<(f64, f64, String)>,
    /// Moments marked with a vertical line, `(x, label)` (e.g. a change of funding).
    pub marks: Vec<(f64, String)>,
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
            shaded: Vec::new(),
            marks: Vec::new(),
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

    /// Adds shaded periods and marked moments (see [`ChartSpec::shaded`]).
    pub fn events(mut self, shaded: Vec<(f64, f64, String)>, marks: Vec<(f64, String)>) -> Self {
        self.shaded = shaded;
        self.marks = marks;
        self
    }
}

/// Shaded periods `(from, to, label)` and marked moments `(x, label)` of a time chart.
pub type Events = (Vec<(f64, f64, String)>, Vec<(f64, String)>);

/// A value with the two ends of its 95% interval.
pub type Spread = (f64, f64, f64);

/// One bar: a category with a value and its 95% interval, in a fixed colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Category label under the bar.
    pub label: String,
    /// Value (e.g. a mean paired difference).
    pub value: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
    /// Palette slot.
    pub colour: usize,
}

/// One point of the cost-effectiveness plane, with 95% intervals in both directions.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanePoint {
    /// Label beside the point.
    pub label: String,
    /// x value and interval (e.g. person-years averted).
    pub x: Spread,
    /// y value and interval (e.g. extra spend).
    pub y: Spread,
    /// Palette slot.
    pub colour: usize,
}

/// Ribbons with every x divided by `div` (52 turns weeks into years; see [`time_axis`]).
pub fn in_years_by(mut ribbons: Vec<Ribbon>, div: f64) -> Vec<Ribbon> {
    for r in &mut ribbons {
        for p in &mut r.points {
            p.x /= div;
        }
    }
    ribbons
}

/// Draws each ribbon as a mean line (over a shaded 95% band where [`Ribbon::band`]), with a
/// legend, shaded periods and marked moments ([`ChartSpec::events`]), and writes
/// `base.png` and `base.svg` (the parent folder is created). Returns the two paths.
pub fn line_chart(base: &Path, spec: &ChartSpec, ribbons: &[Ribbon]) -> Result<Vec<PathBuf>> {
    write_both(base, &Chart::Lines { spec, ribbons })
}

/// Bars with whiskers for the 95% interval and the value printed by each, from a zero line;
/// writes `base.png` and `base.svg`.
pub fn bar_chart(base: &Path, spec: &ChartSpec, bars: &[Bar]) -> Result<Vec<PathBuf>> {
    write_both(base, &Chart::Bars { spec, bars })
}

/// Labelled points with error bars in both directions and the zero lines drawn, e.g. the
/// cost-effectiveness plane (outcome averted against extra spend); writes `base.png` and
/// `base.svg`.
pub fn scatter_chart(base: &Path, spec: &ChartSpec, points: &[PlanePoint]) -> Result<Vec<PathBuf>> {
    write_both(base, &Chart::Scatter { spec, points })
}
