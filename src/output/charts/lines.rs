//! Time-series lines: a mean line per series, with its shaded 95% band where the series asks
//! for one, and shaded event periods (shocks) and marked changes (funding) behind them.

use super::*;

/// The finite points of a ribbon, with the band falling back to the mean where its ends are
/// not finite.
pub(super) fn clean(points: &[RibbonPoint]) -> Vec<RibbonPoint> {
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

pub(super) fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    ribbons: &[Ribbon],
) -> Result<(), String> {
    let cleaned: Vec<Vec<RibbonPoint>> = ribbons.iter().map(|r| clean(&r.points)).collect();
    let legend: Vec<(String, RGBColor, bool)> = ribbons
        .iter()
        .map(|r| (r.label.clone(), colour(r.colour), r.band))
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
    events(root, &chart, look, spec, &x, &y)?;
    if y.lo < 0.0 && y.hi > 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x.lo, 0.0), (x.hi, 0.0)],
                MUTED.stroke_width(2),
            )))
            .map_err(msg)?;
    }
    for (r, pts) in ribbons.iter().zip(&cleaned) {
        let c = colour(r.colour);
        if r.band && pts.iter().any(|p| p.hi > p.lo) {
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
    for (r, pts) in ribbons.iter().zip(&cleaned) {
        let c = colour(r.colour);
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

/// Shaded periods and marked moments inside the x range, each labelled at the top.
fn events<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Plane>,
    look: Look,
    spec: &ChartSpec,
    x: &Axis,
    y: &Axis,
) -> Result<(), String> {
    let area = chart.plotting_area();
    let label = font(TICK_PX, MUTED).pos(Pos::new(HPos::Left, VPos::Top));
    let shade = RGBColor(120, 120, 120).mix(0.14).filled();
    for (from, to, text) in &spec.shaded {
        let (a, b) = (from.max(x.lo), to.min(x.hi));
        if a >= b || a.is_nan() || b.is_nan() {
            continue;
        }
        area.draw(&Rectangle::new([(a, y.lo), (b, y.hi)], shade))
            .map_err(msg)?;
        let (px, py) = chart.backend_coord(&(a, y.hi));
        root.draw(&Text::new(
            text.clone(),
            (px + 8, py + 6 + look.dy(TICK_PX)),
            label.clone(),
        ))
        .map_err(msg)?;
    }
    for (at, text) in &spec.marks {
        if *at < x.lo || *at > x.hi {
            continue;
        }
        area.draw(&PathElement::new(
            vec![(*at, y.lo), (*at, y.hi)],
            MUTED.stroke_width(3),
        ))
        .map_err(msg)?;
        let (px, py) = chart.backend_coord(&(*at, y.hi));
        root.draw(&Text::new(
            text.clone(),
            (px + 8, py + 6 + look.dy(TICK_PX)),
            label.clone(),
        ))
        .map_err(msg)?;
    }
    Ok(())
}
