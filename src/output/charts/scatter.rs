//! Labelled points with error bars in both directions: the cost-effectiveness plane.

use super::*;

pub(super) fn draw_scatter<DB: DrawingBackend>(
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
