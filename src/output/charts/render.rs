//! Rendering one chart to PNG and SVG bytes and writing both atomically, with the header
//! (title, subtitle, legend) every chart shares.

use super::*;

/// What to draw; rendered once per backend.
pub(super) enum Chart<'a> {
    Lines {
        spec: &'a ChartSpec,
        ribbons: &'a [Ribbon],
    },
    Bars {
        spec: &'a ChartSpec,
        bars: &'a [Bar],
    },
    Scatter {
        spec: &'a ChartSpec,
        points: &'a [PlanePoint],
    },
}

impl Chart<'_> {
    pub(super) fn draw<DB: DrawingBackend>(
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
pub(super) struct Look {
    pub(super) bitmap: bool,
}

impl Look {
    /// Pixels to move text of plotters size `size` down.
    pub(super) fn dy(self, size: f64) -> i32 {
        if self.bitmap {
            (size * 0.17).round() as i32
        } else {
            0
        }
    }
}

pub(super) fn msg<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

/// `base` with `.ext` appended to its file name (a dot in the name is kept).
pub(super) fn with_suffix(base: &Path, ext: &str) -> PathBuf {
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    base.with_file_name(format!("{name}.{ext}"))
}

/// Registers the embedded font once; `false` if it could not be parsed.
pub(super) fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    })
}

pub(super) fn write_both(base: &Path, chart: &Chart<'_>) -> Result<Vec<PathBuf>> {
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

pub(super) fn render_png(chart: &Chart<'_>) -> Result<Vec<u8>, String> {
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

pub(super) fn render_svg(chart: &Chart<'_>) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        chart.draw(&root, Look { bitmap: false })?;
    }
    Ok(out)
}

pub(super) fn font(size: f64, colour: RGBColor) -> TextStyle<'static> {
    FontDesc::new(FontFamily::SansSerif, size, FontStyle::Normal).color(&colour)
}

/// Draws the title, subtitle and legend at the top of `root`; returns the area below them.
pub(super) fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    look: Look,
    spec: &ChartSpec,
    legend: &[(String, RGBColor, bool)],
) -> Result<DrawingArea<DB, Shift>, String> {
    let (width, _) = root.dim_in_pixel();
    let width = width as i32;
    let top_left = Pos::new(HPos::Left, VPos::Top);
    let mut y = 24;
    let title = font(TITLE_PX, INK).pos(top_left);
    // A long title wraps rather than running off the right edge.
    let max_w = (width - 2 * MARGIN).max(1) as u32;
    for line in wrap(root, &spec.title, &title, max_w)? {
        root.draw(&Text::new(
            line.clone(),
            (MARGIN, y + look.dy(TITLE_PX)),
            title.clone(),
        ))
        .map_err(msg)?;
        y += root.estimate_text_size(&line, &title).map_err(msg)?.1 as i32 + 6;
    }
    y += 8;
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
    if legend.iter().any(|l| !l.0.is_empty()) {
        let style = font(LEGEND_PX, INK).pos(Pos::new(HPos::Left, VPos::Center));
        let (sw, sh) = (56, 26);
        let row_h = (LEGEND_PX as i32).max(sh) + 10;
        let mut x = MARGIN;
        let mut row_mid = y + row_h / 2;
        for (label, c, band) in legend.iter().filter(|l| !l.0.is_empty()) {
            let text_w = root.estimate_text_size(label, &style).map_err(msg)?.0 as i32;
            let entry_w = sw + 12 + text_w;
            if x > MARGIN && x + entry_w > width - MARGIN {
                x = MARGIN;
                row_mid += row_h;
            }
            // A line (over a shaded band, if the series has one), as the series is drawn.
            if *band {
                root.draw(&Rectangle::new(
                    [(x, row_mid - sh / 2), (x + sw, row_mid + sh / 2)],
                    c.mix(BAND_ALPHA).filled(),
                ))
                .map_err(msg)?;
            }
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
