//! Axes: round ticks, honest ranges (zero kept when asked), number formats, and the plotting
//! plane with its grid; plus text wrapping for category labels.

use super::*;

/// An axis: its range and where its labelled ticks go.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<f64>,
    /// Decimals that tell the ticks apart, in display units.
    pub(super) decimals: usize,
    /// False when the data could not be given a finite range (the axis is a stand-in 0-1).
    pub(super) fits: bool,
}

/// A round step near `span / target`: 1, 2 or 5 times a power of ten.
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
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
pub(super) fn axis(
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

/// Formats `v` for an axis or value label: fixed decimals, thousands separators from 1,000,
/// a true minus sign, no "-0", and `%` for percentages.
pub(super) fn format_value(v: f64, format: AxisFormat, decimals: usize) -> String {
    let shown = match format {
        AxisFormat::Number => v,
        AxisFormat::Percent => v * 100.0,
    };
    let mut s = format!("{:.*}", decimals, shown.abs());
    if decimals == 0 && shown.abs() >= 1_000.0 && shown.is_finite() {
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
pub(super) fn value_decimals(v: f64, format: AxisFormat) -> usize {
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
pub(super) fn y_label_area<DB: DrawingBackend>(
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
pub(super) struct Ticked {
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

pub(super) fn ticked(axis: &Axis, with_ticks: bool) -> Ticked {
    Ticked {
        inner: (axis.lo..axis.hi).into(),
        ticks: if with_ticks {
            axis.ticks.clone()
        } else {
            Vec::new()
        },
    }
}

pub(super) type Plane = Cartesian2d<Ticked, Ticked>;

/// Builds the plotting area with axes, grid and labels.
pub(super) fn plane<'a, DB: DrawingBackend + 'a>(
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

pub(super) fn no_data<DB: DrawingBackend>(
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

/// Splits `text` into lines no wider than `max_w` pixels (a single long word stays whole).
pub(super) fn wrap<DB: DrawingBackend>(
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
