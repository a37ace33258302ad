//! Labelled points with error bars in both directions: the cost-effectiveness plane
//! (outcome averted across, extra spend up), with the zero lines drawn so the quadrants read.

use super::*;

/// A value and its interval with non-finite ends replaced by the value.
fn span((v, lo, hi): Spread) -> Spread {
    let lo = if lo.is_finite() { lo.min(v) } else { v };
    let hi = if hi.is_finite() { hi.max(v) } else { v };
    (v, lo, hi)
}

pub(super) fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    points: &[PlanePoint],
) -> Result<(), String> {
    let area = header(root, look, spec, &[])?;
    let finite: Vec<(&PlanePoint, Spread, Spread)> = points
        .iter()
        .filter(|p| p.x.0.is_finite() && p.y.0.is_finite())
        .map(|p| (p, span(p.x), span(p.y)))
        .collect();
    let x = axis(
        finite.iter().flat_map(|(_, x, _)| [x.1, x.2]),
        spec.x_from_zero,
        0.08,
        true,
        spec.x_format,
    );
    let y = axis(
        finite.iter().flat_map(|(_, _, y)| [y.1, y.2]),
        spec.y_from_zero,
        0.08,
        true,
        spec.y_format,
    );
    let chart = plane(&area, look, spec, &x, &y, 100, true)?;
    if finite.is_empty() || !x.fits || !y.fits {
        return no_data(&chart, &x, &y);
    }
    let pa = chart.plotting_area();
    for seg in [
        vec![(x.lo, 0.0), (x.hi, 0.0)],
        vec![(0.0, y.lo), (0.0, y.hi)],
    ] {
        pa.draw(&PathElement::new(seg, MUTED.stroke_width(2)))
            .map_err(msg)?;
    }
    let right_third = x.hi - (x.hi - x.lo) * 0.35;
    let (cap_x, cap_y) = ((x.hi - x.lo) * 0.008, (y.hi - y.lo) * 0.012);
    for (p, (px, xlo, xhi), (py, ylo, yhi)) in &finite {
        let c = colour(p.colour);
        let bar = c.stroke_width(3);
        for seg in [
            vec![(*xlo, *py), (*xhi, *py)],
            vec![(*xlo, py - cap_y), (*xlo, py + cap_y)],
            vec![(*xhi, py - cap_y), (*xhi, py + cap_y)],
            vec![(*px, *ylo), (*px, *yhi)],
            vec![(px - cap_x, *ylo), (px + cap_x, *ylo)],
            vec![(px - cap_x, *yhi), (px + cap_x, *yhi)],
        ] {
            pa.draw(&PathElement::new(seg, bar)).map_err(msg)?;
        }
        pa.draw(&Circle::new((*px, *py), 12, c.filled()))
            .map_err(msg)?;
        let (bx, by) = chart.backend_coord(&(*px, *py));
        let (anchor, dx) = if *px > right_third {
            (HPos::Right, -20)
        } else {
            (HPos::Left, 20)
        };
        root.draw(&Text::new(
            p.label.clone(),
            (bx + dx, by - 22 + look.dy(LEGEND_PX)),
            font(LEGEND_PX, INK).pos(Pos::new(anchor, VPos::Center)),
        ))
        .map_err(msg)?;
    }
    Ok(())
}
