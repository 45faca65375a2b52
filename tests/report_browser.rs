//! The HTML report in a real headless browser (Chromium): it loads with no console messages,
//! needs no network, every chart is in the DOM and drawn (its colours are on screen), and it
//! prints on A4 with the patient and therapist pages on separate sheets. A screenshot and the
//! PDF are kept under the cargo target tmp dir for a person to look at.
//!
//! Skips with a message where no Chromium is installed (`.ci/run` installs it).

use std::path::PathBuf;

mod support;

use chrono::DateTime;
use gaitkit::analyze::AnalyzeOptions;
use gaitkit::report::html;
use gaitkit::report::metrics_from_dir::metrics_from_dir;
use gaitkit::report::model::synthetic;
use support::browser::{chromium, count_near, load_dom, run_chromium, screenshot, SKIP};

#[test]
fn report_loads_cleanly_renders_every_chart_and_prints_on_a4() {
    let Some(bin) = chromium() else {
        eprintln!("SKIPPED report_browser: {SKIP}");
        return;
    };
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    let before = synthetic::walk("Before", Some(t0), 0.95, 16.0, 18, 0.06, 1);
    let after = synthetic::walk(
        "After",
        Some(t0 + chrono::Duration::days(28)),
        1.12,
        4.0,
        20,
        0.06,
        2,
    );
    let report = html::build_report(&after, Some(&before)).unwrap();

    // Self-contained: the only URL is the SVG namespace.
    let mut rest = report.html.as_str();
    while let Some(i) = rest.find("http") {
        assert!(
            rest[i..].starts_with("http://www.w3.org/2000/svg"),
            "external reference: {}",
            &rest[i..(i + 60).min(rest.len())]
        );
        rest = &rest[i + 4..];
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, &report.html).unwrap();
    let url = format!("file://{}", file.display());
    let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));

    // DOM and console.
    let dom = load_dom(&bin, &dir.path().join("profile-dom"), &url, &[]);
    for c in &report.charts {
        assert!(
            dom.contains(&format!("data-chart=\"{}\"", c.stem)),
            "chart {} missing from the DOM",
            c.stem
        );
        // The DOM serialiser escapes only & and " in attribute values.
        let title = c.title.replace('&', "&amp;").replace('"', "&quot;");
        assert!(
            dom.contains(&format!("aria-label=\"{title}\"")),
            "chart title of {} missing",
            c.stem
        );
    }
    // Each chart once: the patient's step bars on the patient page, the others on the
    // therapist page.
    assert_eq!(dom.matches("<figure").count(), report.charts.len());
    assert_eq!(
        dom.matches("</svg>").count(),
        report.charts.len(),
        "an inline SVG did not parse"
    );
    assert!(dom.contains("Your left and right steps are now"));

    // Screenshot of the whole report: every chart's colours are on screen.
    let shot = keep.join("report_screenshot.png");
    let (w, h, rgb) = screenshot(
        &bin,
        &dir.path().join("profile-shot"),
        &url,
        (1000, 5200),
        &shot,
        &[],
    );
    assert_eq!((w, h), (1000, 5200));
    let left = count_near(&rgb, (0, 114, 178));
    let right = count_near(&rgb, (213, 94, 0));
    // Typical band of the stride symmetry chart: bluish green at 15 % on white.
    let band = count_near(&rgb, (217, 240, 234));
    assert!(
        left > 20_000 && right > 20_000,
        "side colours on screen: left {left}, right {right} pixels"
    );
    assert!(band > 20_000, "typical band on screen: {band} pixels");
    eprintln!("screenshot: {}", shot.display());

    // Print to PDF: A4, patient page and therapist pages on separate sheets.
    let pdf = keep.join("report.pdf");
    run_chromium(
        &bin,
        &dir.path().join("profile-pdf"),
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &url,
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page>").count()
        + text.matches("/Type /Page/").count();
    assert!((2..=8).contains(&pages), "{pages} PDF pages");
    // A4 = 210 × 297 mm = 595.3 × 841.9 pt, on every page.
    let boxes: Vec<Vec<f64>> = text
        .split("/MediaBox [")
        .skip(1)
        .map(|s| {
            s.split(']')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect();
    assert!(
        boxes.len() >= pages,
        "{} media boxes for {pages} pages",
        boxes.len()
    );
    for b in &boxes {
        assert!(
            (b[2] - 595.3).abs() < 1.0 && (b[3] - 841.9).abs() < 1.0,
            "page is not A4: {b:?}"
        );
    }
    eprintln!("pdf: {} ({pages} pages)", pdf.display());
}

#[test]
fn balance_visit_report_loads_cleanly_and_renders_its_charts() {
    let Some(bin) = chromium() else {
        eprintln!("SKIPPED report_browser: {SKIP}");
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let visit = |name, date, holds: [f64; 3], sway_scale, drops: [f64; 3]| {
        let v = support::balance_sim::Visit {
            date,
            left_holds_s: holds.to_vec(),
            right_holds_s: holds.iter().map(|h| h + 8.0).collect(),
            sway_scale,
            squat_drops_deg: drops.to_vec(),
        };
        let dir = support::balance_sim::write_visit(root.path(), name, &v);
        metrics_from_dir(&dir, &AnalyzeOptions::default()).unwrap()
    };
    let before = visit(
        "before",
        "2026-03-02",
        [5.0, 6.0, 7.0],
        2.0,
        [10.0, 11.0, 12.0],
    );
    let after = visit(
        "after",
        "2026-03-30",
        [14.0, 15.0, 16.0],
        1.0,
        [4.0, 5.0, 6.0],
    );
    let report = html::build_report(&after, Some(&before)).unwrap();
    let stems: Vec<&str> = report.charts.iter().map(|c| c.stem.as_str()).collect();
    assert_eq!(
        stems,
        [
            "single_leg",
            "pelvic_drop_squat",
            "sway_path",
            "single_leg_events_left",
            "single_leg_events_right"
        ]
    );
    let file = root.path().join("balance.html");
    std::fs::write(&file, &report.html).unwrap();
    let url = format!("file://{}", file.display());

    let dom = load_dom(&bin, &root.path().join("profile-dom"), &url, &[]);
    // the single-leg chart on both pages, the others (with each leg's events) on the therapist page
    assert_eq!(dom.matches("<figure").count(), 6);
    assert_eq!(
        dom.matches("</svg>").count(),
        6,
        "an inline SVG did not parse"
    );
    assert!(dom.contains("<h1>Your balance</h1>"));
    assert!(dom.contains("Your balance time on the left leg is now"));

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("balance_report_screenshot.png");
    let (_, _, rgb) = screenshot(
        &bin,
        &root.path().join("profile-shot"),
        &url,
        (1000, 6000),
        &shot,
        &[],
    );
    let left = count_near(&rgb, (0, 114, 178));
    let right = count_near(&rgb, (213, 94, 0));
    // the age-norm line; the sway paths and ellipses, before grey and after black
    let norm = count_near(&rgb, (0, 158, 115));
    let ink = count_near(&rgb, (0, 0, 0));
    let grey = count_near(&rgb, (136, 136, 136));
    assert!(
        left > 20_000 && right > 20_000 && norm > 1_000 && ink > 800 && grey > 800,
        "on screen: left {left}, right {right}, norm {norm}, black {ink}, grey {grey} pixels"
    );
    eprintln!("screenshot: {}", shot.display());
}
