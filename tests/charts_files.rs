//! Chart files: every chart is written as a valid PNG and a valid SVG of the declared size, the
//! SVG text carries the numbers and the verdict, and left/right keep their colours and signs.

mod support;

use chrono::{DateTime, Duration};
use gaitkit::report::charts::{self, side_bars::SideBars, theme, Chart};
use gaitkit::report::model::{synthetic, SessionMetrics};
use gaitkit::report::progress;
use support::images::{decode_png, parse_svg};

fn before_after() -> (SessionMetrics, SessionMetrics) {
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    let before = synthetic::walk("Before", Some(t0), 0.95, 16.0, 18, 0.06, 1);
    let after = synthetic::walk(
        "After",
        Some(t0 + Duration::days(28)),
        1.12,
        4.0,
        20,
        0.06,
        2,
    );
    (before, after)
}

#[test]
fn every_chart_is_a_valid_png_and_svg_of_the_declared_size() {
    let (before, after) = before_after();
    let dir = tempfile::tempdir().unwrap();
    let rendered = charts::session_charts(&after, Some(&before), Some(dir.path())).unwrap();
    let stems: Vec<&str> = rendered.iter().map(|c| c.stem.as_str()).collect();
    assert_eq!(
        stems,
        [
            "side_bars",
            "side_bars_patient",
            "stride_symmetry",
            "gait_cycle"
        ]
    );
    for c in &rendered {
        let (svg_path, png_path) = c.files.clone().unwrap();
        assert_eq!(png_path, dir.path().join(format!("{}.png", c.stem)));
        let (w, h, rgba) = decode_png(&png_path);
        let size = if c.stem == "side_bars_patient" {
            (900, 560)
        } else {
            (1100, 620)
        };
        assert_eq!((w, h), size, "{}", c.stem);
        // Not blank: a chart has many non-white pixels.
        let inked = rgba
            .chunks(4)
            .filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200)
            .count();
        assert!(inked > 10_000, "{}: only {inked} inked pixels", c.stem);
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        assert_eq!(svg, c.svg);
        let (root, width, height, _) = parse_svg(&svg);
        let svg_size: (u32, u32) = (width.parse().unwrap(), height.parse().unwrap());
        assert_eq!((root.as_str(), svg_size), ("svg", size));
        assert!(svg.contains(&format!("font-family=\"{}\"", theme::FONT)));
    }
}

#[test]
fn side_bars_svg_states_the_values_and_symmetry_of_both_sessions() {
    let (before, after) = before_after();
    let c = charts::render_svg(&SideBars::new(&after, Some(&before)).unwrap()).unwrap();
    let (_, _, _, text) = parse_svg(&c.svg);
    for s in [&before, &after] {
        for m in &s.side_metrics {
            let si = m.symmetry_index_pct().unwrap();
            assert!(
                text.contains(&format!("SI {si:+.1} %")),
                "missing SI {si:+.1} of {} in\n{text}",
                m.key
            );
            assert!(text.contains(&format!("{:.2}", m.mean.left)), "{}", m.key);
            assert!(text.contains(&format!("{:.2}", m.mean.right)), "{}", m.key);
        }
    }
    assert!(text.contains("Before") && text.contains("After"));
    assert!(text.contains("Typical right for this left (ratio 0.9–1.1)"));
}

#[test]
fn side_bars_title_names_the_uneven_parameter_and_the_longer_side() {
    // Noise-free: right stance 20 % longer than left → SI = 0.2 / 1.1 × 100 = 18.18 %.
    let s = synthetic::walk("S", None, 1.0, 20.0, 10, 0.0, 3);
    let title = SideBars::new(&s, None).unwrap().title();
    assert!(
        title.contains("uneven: SI +18.2 % (right longer), ratio 1.20 (typical 0.9–1.1)"),
        "{title}"
    );
    // Mirrored: left longer.
    let s = synthetic::walk("S", None, 1.0, -20.0, 10, 0.0, 3);
    let title = SideBars::new(&s, None).unwrap().title();
    assert!(title.contains("(left longer)"), "{title}");
    assert!(title.contains("SI -"), "{title}");
    let even = synthetic::walk("S", None, 1.0, 2.0, 10, 0.0, 3);
    assert_eq!(
        SideBars::new(&even, None).unwrap().title(),
        "Left and right even in every timing (ratio within 0.9–1.1)"
    );
}

/// Heights of the `<rect>`s filled with `colour` (opaque) in an SVG.
fn rect_heights(svg: &str, colour: &str) -> Vec<f64> {
    svg.lines()
        .filter(|l| {
            l.starts_with("<rect")
                && l.contains(&format!("fill=\"{colour}\""))
                && l.contains("opacity=\"1\"")
        })
        .filter_map(|l| {
            let start = l.find(" height=\"")? + 9;
            l[start..].split('"').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn left_is_blue_and_right_is_vermillion_with_the_longer_side_drawn_taller() {
    // Right step 30 % longer: the tallest vermillion bar must be taller than the tallest blue one.
    let s = synthetic::walk("S", None, 1.0, 30.0, 10, 0.0, 3);
    let mut only_step = s.clone();
    only_step.side_metrics.truncate(1);
    let svg = charts::render_svg(&SideBars::new(&only_step, None).unwrap())
        .unwrap()
        .svg;
    let left = rect_heights(&svg, "#0072B2");
    let right = rect_heights(&svg, "#D55E00");
    assert!(!left.is_empty() && !right.is_empty(), "{svg}");
    let (l, r) = (
        left.iter().cloned().fold(0.0, f64::max),
        right.iter().cloned().fold(0.0, f64::max),
    );
    assert!(
        (r / l - 1.3).abs() < 0.02,
        "bar heights right {r} / left {l} should be 1.3"
    );
    // Swapping the asymmetry swaps which colour is taller.
    let mut mirrored = synthetic::walk("S", None, 1.0, -30.0, 10, 0.0, 3);
    mirrored.side_metrics.truncate(1);
    let svg = charts::render_svg(&SideBars::new(&mirrored, None).unwrap())
        .unwrap()
        .svg;
    let l = rect_heights(&svg, "#0072B2")
        .into_iter()
        .fold(0.0, f64::max);
    let r = rect_heights(&svg, "#D55E00")
        .into_iter()
        .fold(0.0, f64::max);
    assert!((l / r - 1.0 / 0.7).abs() < 0.03, "left {l} right {r}");
}

#[test]
fn trend_svg_carries_values_and_the_verdict_and_marks_the_meaningful_sessions() {
    let t0 = DateTime::parse_from_rfc3339("2026-01-05T09:00:00+00:00").unwrap();
    // Speeds 0.90, 0.93, ..., noise-free: the first meaningful session (Δ ≥ 0.10 m/s MCID)
    // is the fifth (1.02 m/s).
    let sessions: Vec<SessionMetrics> = (0..6)
        .map(|i| {
            synthetic::walk(
                &format!("S{i}"),
                Some(t0 + Duration::days(7 * i)),
                0.90 + 0.03 * i as f64,
                5.0,
                12,
                0.0,
                9,
            )
        })
        .collect();
    let tracks = progress::progress(&sessions).unwrap();
    assert_eq!(tracks.len(), 1);
    let speed = tracks[0]
        .trends
        .iter()
        .find(|t| t.key == "walking_speed_mps")
        .unwrap();
    let meaningful: Vec<bool> = speed
        .points
        .iter()
        .map(|p| p.change_from_first.as_ref().is_some_and(|c| c.meaningful))
        .collect();
    assert_eq!(meaningful, [false, false, false, false, true, true]);
    let chart = charts::trend::TrendChart::new(speed).unwrap();
    let c = charts::render_svg(&chart).unwrap();
    assert_eq!(
        c.title,
        "Walking speed: 0.90 m/s → 1.05 m/s over 6 sessions — improved (meaningful)"
    );
    let (_, _, _, text) = parse_svg(&c.svg);
    for v in ["0.90", "0.93", "0.96", "0.99", "1.02", "1.05"] {
        assert!(text.contains(v), "missing {v}");
    }
    assert!(text.contains("improved (meaningful)"));
    assert!(text.contains("Meaningful improvement"));
    assert!(text.contains("First session + MCID 0.10 m/s"));
    assert!(
        text.contains("5 Jan 2026"),
        "dates on the time axis:\n{text}"
    );
}

#[test]
fn patient_bars_speak_of_evenness_not_indices() {
    // Noise-free: right step 20 % longer before (83 % even), 6 % after (94 % even).
    let before = synthetic::walk("Before", None, 1.0, 20.0, 10, 0.0, 3);
    let after = synthetic::walk("After", None, 1.1, 6.0, 10, 0.0, 4);
    let chart = SideBars::for_patient(&after, Some(&before)).unwrap();
    assert_eq!(
        chart.title(),
        "Your steps: left 0.55 s, right 0.58 s — 94 % even, was 83 %"
    );
    let (_, _, _, text) = parse_svg(&charts::render_svg(&chart).unwrap().svg);
    assert!(
        text.contains("94 % even") && text.contains("83 % even"),
        "{text}"
    );
    assert!(!text.contains("SI "), "{text}");
}
