//! Balance charts: single-leg stance against its age norm, written by the library and by
//! `gaitkit balance --charts`, as valid PNG and SVG whose text carries the values and the finding.

mod support;

use std::path::Path;

use gaitkit::balance::{analyze_session, squat::SquatKind, BalanceReport};
use gaitkit::gait::{PerSide, Side};
use gaitkit::report::charts::{
    balance_charts, pelvic_drop::PelvicDropChart, render_svg, single_leg::SingleLegChart, Chart,
};
use support::balance_sim::*;
use support::gaitkit_ok;
use support::images::{decode_png, parse_svg};

#[test]
fn balance_charts_flag_writes_single_leg_chart_with_values_and_norm() {
    let root = tempfile::tempdir().unwrap();
    let (l, r) = (root.path().join("left"), root.path().join("right"));
    write_single_leg_session(&l, Side::Left, (6.0, 16.0), "single-leg-left");
    write_single_leg_session(&r, Side::Right, (6.0, 30.0), "single-leg-right");
    let charts = root.path().join("charts");
    let stdout = gaitkit_ok(&[
        "balance",
        l.to_str().unwrap(),
        r.to_str().unwrap(),
        "--charts",
        charts.to_str().unwrap(),
    ]);
    let (svg_path, png_path) = (charts.join("single_leg.svg"), charts.join("single_leg.png"));
    assert!(
        stdout.contains(&format!("Wrote {}", svg_path.display())),
        "{stdout}"
    );
    let (w, h, rgba) = decode_png(&png_path);
    assert_eq!((w, h), (900, 600));
    // left blue and right vermillion bars are drawn
    let has = |c: [u8; 3]| rgba.chunks(4).any(|p| p[..3] == c);
    assert!(has([0, 114, 178]) && has([213, 94, 0]));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let (root_el, width, height, text) = parse_svg(&svg);
    assert_eq!(
        (root_el.as_str(), width.as_str(), height.as_str()),
        ("svg", "900", "600")
    );
    // simulated holds 10 s and 24 s (event times within 0.1 s, shown to 0.1 s), age 75
    // from session.json
    let title = text
        .lines()
        .find(|l| l.starts_with("Left leg holds "))
        .expect(&text);
    let rest = title.strip_prefix("Left leg holds ").expect(title);
    let (left, rest) = rest.split_once(" s, right ").expect(title);
    let (right, verdict) = rest.split_once(" s — ").expect(title);
    let (left, right): (f64, f64) = (left.parse().unwrap(), right.parse().unwrap());
    assert!(
        (left - 10.0).abs() <= 0.15 && (right - 24.0).abs() <= 0.15,
        "{title}"
    );
    assert_eq!(verdict, "left below the 21 s norm for 70–79 y");
    // the bar labels carry the same values
    assert!(text.contains(&format!("\n{left:.1} s\n")), "{text}");
    assert!(text.contains(&format!("\n{right:.1} s\n")), "{text}");
    assert!(
        text.contains("Norm 21 s, ages 70–79 (Springer 2007)"),
        "{text}"
    );
    assert!(text.contains("Best single-leg stance time, s"), "{text}");
}

fn chart(left: Option<f64>, right: Option<f64>, norm: Option<f64>) -> SingleLegChart {
    SingleLegChart {
        best_hold_s: PerSide { left, right },
        before_best_hold_s: None,
        norm: norm.map(|n| ("60–69".to_string(), n)),
    }
}

#[test]
fn single_leg_title_names_the_side_below_the_norm() {
    assert_eq!(
        chart(Some(40.0), Some(12.5), Some(32.0)).title(),
        "Left leg holds 40.0 s, right 12.5 s — right below the 32 s norm for 60–69 y"
    );
    assert_eq!(
        chart(Some(20.0), Some(12.5), Some(32.0)).title(),
        "Left leg holds 20.0 s, right 12.5 s — both below the 32 s norm for 60–69 y"
    );
    assert_eq!(
        chart(Some(32.0), Some(45.0), Some(32.0)).title(),
        "Left leg holds 32.0 s, right 45.0 s — at or above the 32 s norm for 60–69 y"
    );
    assert_eq!(
        chart(Some(8.0), None, None).title(),
        "Left leg holds 8.0 s, right not tested"
    );
}

#[test]
fn single_leg_bar_heights_follow_the_hold_times_per_side_colour() {
    let svg = render_svg(&chart(Some(10.0), Some(30.0), Some(32.0)))
        .unwrap()
        .svg;
    let height = |colour: &str| -> f64 {
        svg.lines()
            .filter(|l| l.contains("<rect") && l.contains(&format!("fill=\"{colour}\"")))
            .filter_map(|l| {
                let h = l.split("height=\"").nth(1)?.split('"').next()?;
                h.parse::<f64>().ok()
            })
            .fold(0.0, f64::max)
    };
    let (left, right) = (height("#0072B2"), height("#D55E00"));
    assert!(left > 0.0, "{svg}");
    // heights are in pixels, rounded by plotters: ratio 1:3 within a pixel
    assert!(
        (right - 3.0 * left).abs() <= 3.0,
        "left {left} px, right {right} px"
    );
}

fn squat_session(dir: &Path, stance: Side, drops: &[f64], task: &str) {
    let script = squat_script(stance, drops, false);
    std::fs::create_dir(dir).unwrap();
    simulate_squat(&script, ImuModel::default()).write_session(dir, Some(task), Some(65.0));
}

#[test]
fn pelvic_drop_chart_shows_every_repetition_per_side_and_the_larger_side() {
    let root = tempfile::tempdir().unwrap();
    let (l, r) = (root.path().join("sq_left"), root.path().join("sq_right"));
    squat_session(&l, Side::Left, &[9.0, 11.0, 10.0], "squat-left");
    squat_session(&r, Side::Right, &[3.0, 4.0, 3.0], "squat-right");
    let trials = vec![analyze_session(&l).unwrap(), analyze_session(&r).unwrap()];
    let chart = PelvicDropChart::new(&trials, SquatKind::Squat).unwrap();
    assert!(PelvicDropChart::new(&trials, SquatKind::StepDown).is_none());
    // simulator truth within the 2° tolerance of tests/balance_squat.rs
    for (got, truth) in [
        (&chart.drops_deg.left, [9.0, 11.0, 10.0]),
        (&chart.drops_deg.right, [3.0, 4.0, 3.0]),
    ] {
        assert_eq!(got.len(), 3, "{got:?}");
        for (g, t) in got.iter().zip(truth) {
            assert!((g - t).abs() < 2.0, "{got:?}");
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let out = root.path().join("charts");
    std::fs::create_dir(&out).unwrap();
    let report = BalanceReport::new(trials, Some(65.0));
    let rendered = balance_charts(&report, Some(&out)).unwrap();
    assert_eq!(
        rendered.iter().map(|c| c.stem.as_str()).collect::<Vec<_>>(),
        ["pelvic_drop_squat"]
    );
    let (w, h, _) = decode_png(&out.join("pelvic_drop_squat.png"));
    assert_eq!((w, h), chart.size());
    let svg = std::fs::read_to_string(out.join("pelvic_drop_squat.svg")).unwrap();
    let (_, _, _, text) = parse_svg(&svg);
    let title = format!(
        "Single-leg squat pelvic drop: on the left leg {:.1}°, on the right {:.1}° — larger on the left",
        mean(&chart.drops_deg.left),
        mean(&chart.drops_deg.right)
    );
    assert!(text.contains(&title), "{text}");
    for v in chart.drops_deg.left.iter().chain(&chart.drops_deg.right) {
        assert!(text.contains(&format!("\n{v:.1}°\n")), "{v}: {text}");
    }
    assert!(
        text.contains("Pelvic drop, deg") && text.contains("Repetition 3"),
        "{text}"
    );
}

#[test]
fn pelvic_drop_title_names_the_larger_side() {
    let c = |left: Vec<f64>, right: Vec<f64>| PelvicDropChart {
        kind: SquatKind::StepDown,
        drops_deg: PerSide { left, right },
        before_deg: None,
    };
    assert_eq!(
        c(vec![2.0, 4.0], vec![8.0, 9.0, 10.0]).title(),
        "Step-down pelvic drop: on the left leg 3.0°, on the right 9.0° — larger on the right"
    );
    assert_eq!(
        c(vec![5.0], vec![]).title(),
        "Step-down pelvic drop: on the left leg 5.0°, on the right not tested"
    );
    assert_eq!(
        c(vec![5.0], vec![5.0]).title(),
        "Step-down pelvic drop: on the left leg 5.0°, on the right 5.0°"
    );
}
