//! MetaBase exports (Android streamed, iOS logged with repeated epochs and Windows-renamed
//! MAC, MetaBase 5 in Unix seconds) written from the fixtures: import and analysis.

mod import_support;

use gaitkit::import::read_export;
use gaitkit::recording::Placement;
use import_support::*;

#[test]
fn every_metabase_layout_gives_the_fixtures_analysis() {
    for name in WALKS {
        let (table, s) = fixture(name);
        let table = reorient(&table, s.sensors[0].axes, axes("ULB"));
        let want = native(name);
        for layout in [MetaBase::Android, MetaBase::IosLogged, MetaBase::MetaBase5] {
            let dir = tempfile::tempdir().unwrap();
            write_metabase(dir.path(), &table, layout);
            let got = analyze_export(&[dir.path().to_path_buf()], Placement::LowerBack, None);
            assert_agrees(
                &format!("{name} MetaBase {layout:?}"),
                agreement(&got, &want, 0.0),
            );
        }
    }
}

#[test]
fn repeated_epochs_are_respaced_and_named_in_the_provenance() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    write_metabase(dir.path(), &table, MetaBase::IosLogged);
    let m = read_export(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(m.source.app, "MetaBase");
    assert_eq!(
        m.source.units,
        ["acceleration: g", "angular velocity: deg/s"]
    );
    assert!(
        m.source
            .notes
            .iter()
            .any(|n| n.contains("repeat the previous epoch")),
        "{:?}",
        m.source.notes
    );
    assert!(
        (m.source.rate_hz - 100.0).abs() < 0.5,
        "{}",
        m.source.rate_hz
    );
    assert!(m.source.gaps.is_empty(), "{:?}", m.source.gaps);
    assert_eq!(
        m.start_time.unwrap().to_rfc3339(),
        "2018-01-15T02:39:29.561+00:00"
    );
}

#[test]
fn a_missing_gyroscope_file_and_g_labelled_m_per_s2_are_refused() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_metabase(dir.path(), &table, MetaBase::MetaBase5);
    let e = read_export(&files[..1]).unwrap_err().to_string();
    assert!(e.contains("no gyroscope file"), "{e}");
    // MetaBase 5 columns carry no unit: m/s² values where the app writes g are refused
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let f: Vec<&str> = line.split(',').collect();
            let m = |s: &str| format!("{:.3}", s.parse::<f64>().unwrap() * 9.80665);
            out.push_str(&format!(
                "{},{},{},{},{},{}",
                f[0],
                f[1],
                f[2],
                m(f[3]),
                m(f[4]),
                m(f[5])
            ));
        }
        out.push('\n');
    }
    std::fs::write(&files[0], out).unwrap();
    let e = read_export(&files).unwrap_err().to_string();
    assert!(
        e.contains("m/s² read as g") && e.contains("Accelerometer.csv"),
        "{e}"
    );
}
