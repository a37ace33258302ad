//! Rendering tests: every chart kind writes a PNG and an SVG, bad data never panics, the same
//! input gives the same bytes, and axes read well.
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
        colour: 0,
        band: true,
    }
}

/// A bar `(label, value, lo, hi)` in colour slot 0.
fn bar(label: &str, value: f64, lo: f64, hi: f64) -> Bar {
    Bar {
        label: label.into(),
        value,
        lo,
        hi,
        colour: 0,
    }
}

/// A point with intervals of ±10% both ways.
fn point(label: &str, x: f64, y: f64) -> PlanePoint {
    PlanePoint {
        label: label.into(),
        x: (x, x * 0.9, x * 1.1),
        y: (y, y * 0.9, y * 1.1),
        colour: 1,
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
    let paths = line_chart(&dir.path().join("ties"), &spec, &ribbons).unwrap();
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
        bar("Status quo", 0.021, 0.019, 0.023),
        bar(
            "School-based anti-bullying programme",
            -0.017,
            -0.019,
            -0.015,
        ),
        bar("Peer support", 0.018, f64::NAN, 0.02),
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
        point("Outreach", 250_000.0, 1200.0),
        point("Peer support", 90_000.0, -600.0),
        point("Broken", f64::NAN, 5.0),
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
        colour: 1,
        band: true,
    };
    let empty = Ribbon {
        label: "Empty".into(),
        points: vec![],
        colour: 2,
        band: false,
    };
    let cases: Vec<Vec<Ribbon>> = vec![vec![], vec![empty], vec![nan]];
    for (k, ribbons) in cases.iter().enumerate() {
        let p = line_chart(&dir.path().join(format!("l{k}")), &spec, ribbons).unwrap();
        check_files(&p, "Nothing here");
    }
    let p = bar_chart(&dir.path().join("b0"), &spec, &[]).unwrap();
    check_files(&p, "Nothing here");
    let nan_bar = [bar("x", f64::NAN, f64::NAN, f64::NAN)];
    let p = bar_chart(&dir.path().join("b1"), &spec, &nan_bar).unwrap();
    check_files(&p, "Nothing here");
    let p = scatter_chart(&dir.path().join("s0"), &spec, &[]).unwrap();
    check_files(&p, "Nothing here");
    let huge = [point("big", f64::MAX, -f64::MAX)];
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
    let blank_bar = [bar("", 1.0, 0.5, 1.5)];
    assert_eq!(
        bar_chart(&dir.path().join("blank_bar"), &blank, &blank_bar)
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
    let sisa = crate::scenario::Scenario::from_sets("s", &[]).unwrap();
    let withdrawal =
        crate::scenario::Scenario::from_sets("w", &["model=withdrawal".into()]).unwrap();
    let written = run_charts(dir.path(), &sisa, &reps).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["charts/prevalence.png", "charts/prevalence.svg"]);
    check_files(&written, "SISa prevalence");
    // No withdrawal metric is in these series, so nothing is drawn and no folder made.
    let other = tempfile::tempdir().unwrap();
    assert!(run_charts(other.path(), &withdrawal, &reps)
        .unwrap()
        .is_empty());
    assert!(!other.path().join("charts").exists());
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
    assert_eq!(format_value(1_250.0, AxisFormat::Number, 0), "1,250");
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

#[test]
fn arms_keep_one_colour_and_no_chart_repeats_one() {
    // The baseline is black wherever it sits; the others take the palette in file order.
    assert_eq!(arm_colour(0, 0), BASELINE_COLOUR);
    assert_eq!(arm_colour(2, 2), BASELINE_COLOUR);
    assert_eq!((arm_colour(1, 0), arm_colour(0, 2)), (0, 0));
    for baseline in 0..8 {
        let mut slots: Vec<usize> = (0..8).map(|k| arm_colour(k, baseline)).collect();
        slots.sort_unstable();
        slots.dedup();
        assert_eq!(slots.len(), 8, "eight arms, eight colours");
    }
}

#[test]
fn time_axis_is_in_years_after_the_burn_in_and_events_are_placed() {
    let w = crate::scenario::Scenario::from_sets(
        "w",
        &[
            "model=withdrawal".into(),
            "withdrawal.burn_in_ticks=260".into(),
            "shock.start=52".into(),
            "shock.weeks=26".into(),
            "shock.days_out=1.0".into(),
            "policy.schedule_ticks=[104]".into(),
        ],
    )
    .unwrap();
    assert_eq!(time_axis(&w), ("Years after a 5-year burn-in".into(), 52.0));
    let (shaded, marks) = scenario_events(&w);
    assert_eq!(shaded, vec![(1.0, 1.5, "contact shock".to_string())]);
    assert_eq!(marks, vec![(2.0, "funding change".to_string())]);
    let sisa = crate::scenario::Scenario::from_sets("s", &[]).unwrap();
    assert_eq!(time_axis(&sisa).0, "Tick");
    assert!(scenario_events(&sisa).0.is_empty());
    // A chart with events renders.
    let dir = tempfile::tempdir().unwrap();
    let spec = ChartSpec::new("Shock", "Years", "Share").events(shaded, marks);
    let r = in_years_by(vec![ribbon("a", 200, |x| 0.1 + x * 1e-4)], 52.0);
    check_files(
        &line_chart(&dir.path().join("e"), &spec, &r).unwrap(),
        "Shock",
    );
}
