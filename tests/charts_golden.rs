//! Tolerant golden-image comparison of one chart: the rendered PNG must match the stored one
//! pixel by pixel, except for a small share of pixels (anti-aliasing differences between
//! platforms). Regenerate after an intended change with
//! `GAITKIT_UPDATE_GOLDEN=1 cargo test --test charts_golden` and look at the new image.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use gaitkit::report::charts::{self, stride_symmetry::StrideSymmetryChart};
use gaitkit::report::model::synthetic;

/// Share of pixels allowed to differ by more than `CHANNEL_TOLERANCE` in any channel.
const MAX_DIFFERENT_SHARE: f64 = 0.005;
const CHANNEL_TOLERANCE: u8 = 48;

fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(
        std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    );
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, rgb)
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

#[test]
fn stride_symmetry_chart_matches_the_golden_image() {
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    let before = synthetic::walk("Before", Some(t0), 0.95, 16.0, 18, 0.06, 1);
    let after = synthetic::walk("After", Some(t0), 1.12, 4.0, 20, 0.06, 2);
    let dir = tempfile::tempdir().unwrap();
    let chart = StrideSymmetryChart::new(&after, Some(&before)).unwrap();
    let rendered = charts::write_chart(&chart, dir.path()).unwrap();
    let (_, png_path) = rendered.files.unwrap();
    let golden_path = golden("stride_symmetry.png");
    if std::env::var_os("GAITKIT_UPDATE_GOLDEN").is_some() {
        std::fs::copy(&png_path, &golden_path).unwrap();
    }
    let (w, h, got) = decode_png(&png_path);
    let (gw, gh, want) = decode_png(&golden_path);
    assert_eq!(
        (w, h),
        (gw, gh),
        "image size differs from {}",
        golden_path.display()
    );
    let different = got
        .chunks(3)
        .zip(want.chunks(3))
        .filter(|(a, b)| {
            a.iter()
                .zip(b.iter())
                .any(|(x, y)| x.abs_diff(*y) > CHANNEL_TOLERANCE)
        })
        .count();
    let share = different as f64 / (w * h) as f64;
    assert!(
        share <= MAX_DIFFERENT_SHARE,
        "{:.2} % of pixels differ from {} (limit {:.2} %); rendered image kept at {}",
        share * 100.0,
        golden_path.display(),
        MAX_DIFFERENT_SHARE * 100.0,
        {
            let keep = std::env::temp_dir().join("stride_symmetry.actual.png");
            let _ = std::fs::copy(&png_path, &keep);
            keep.display().to_string()
        }
    );
}
