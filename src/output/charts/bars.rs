//! Bars with interval whiskers, e.g. the paired difference of each arm from the baseline.

use super::*;

pub(super) fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    bars: &[Bar],
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
        bars.iter().flat_map(|b| [b.value, b.lo, b.hi]),
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
    if !bars.iter().any(|b| b.value.is_finite()) {
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
        .map(|b| b.value.abs())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let decimals = value_decimals(largest, spec.y_format);
    if y.lo < 0.0 && y.hi > 0.0 {
        chart
            .plotting_area()
            .draw(&PathElement::new(
                vec![(x.lo, 0.0), (x.hi, 0.0)],
                MUTED.stroke_width(2),
            ))
            .map_err(msg)?;
    }
    for (i, bar) in bars.iter().enumerate() {
        let (label, mean, lo, hi) = (&bar.label, &bar.value, &bar.lo, &bar.hi);
        let cx = i as f64;
        let c = colour(bar.colour);
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
