//! Xsens DOT app CSV and MT Manager text exports written from the fixtures in their layouts
//! (DOT preamble, SampleTimeFine wrapping at 2³²; MT Manager comments, TAB, CRLF, empty cells,
//! NaN rows, 16-bit packet counter wrapping, gyroscope in rad/s).

mod import_support;

use gaitkit::import::read_export;
use gaitkit::recording::Placement;
use import_support::*;

#[test]
fn dot_export_with_a_wrapping_clock_gives_the_fixtures_analysis() {
    for name in WALKS {
        let (table, s) = fixture(name);
        let dir = tempfile::tempdir().unwrap();
        // SampleTimeFine wraps 3 s into the recording
        let p = write_dot(dir.path(), &table, None, u32::MAX - 3_000_000);
        let got = analyze_export(&[p], Placement::LowerBack, Some(s.sensors[0].axes));
        assert_agrees(
            &format!("{name} Xsens DOT 100 Hz"),
            agreement(&got, &native(name), 0.0),
        );
    }
}

#[test]
fn dot_provenance_start_time_and_refusals() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    let p = write_dot(dir.path(), &table, None, u32::MAX - 3_000_000);
    let m = read_export(std::slice::from_ref(&p)).unwrap();
    assert_eq!(m.source.app, "Xsens DOT");
    assert_eq!(m.source.device.as_deref(), Some("Xsens DOT zdt"));
    assert_eq!(
        m.start_time.unwrap().to_rfc3339(),
        "2021-08-20T20:21:13.829+08:00"
    );
    // the wrap does not show as a gap or a jump
    assert!(m.source.gaps.is_empty(), "{:?}", m.source.gaps);
    assert!((m.table.time_s[m.table.len() - 1] - table.time_s[table.len() - 1]).abs() < 1e-5);
    // no mounting convention for the DOT: --axes is asked for
    let e = gaitkit::import::resolve_axes(&m, Placement::LowerBack, None).unwrap_err();
    assert!(e.contains("pass --axes"), "{e}");
    // a sensor-fusion export has only FreeAcc (earth frame, gravity removed): refused
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("Acc_X,Acc_Y,Acc_Z", "FreeAcc_X,FreeAcc_Y,FreeAcc_Z");
    std::fs::write(&p, text).unwrap();
    let e = read_export(&[p]).unwrap_err().to_string();
    assert!(
        e.contains("line 12") && e.contains("FreeAcc") && e.contains("earth frame"),
        "{e}"
    );
}

#[test]
fn mt_manager_export_gives_the_fixtures_analysis() {
    for name in WALKS {
        let (table, s) = fixture(name);
        let dir = tempfile::tempdir().unwrap();
        let p = write_mt(dir.path(), &table, 100.0, 65_000);
        let m = read_export(std::slice::from_ref(&p)).unwrap();
        assert_eq!(m.source.units[1], "angular velocity: rad/s");
        assert!(
            m.source.notes.iter().any(|n| n.contains("NaN")),
            "{:?}",
            m.source.notes
        );
        let got = analyze_export(&[p], Placement::LowerBack, Some(s.sensors[0].axes));
        assert_agrees(
            &format!("{name} MT Manager 100 Hz"),
            agreement(&got, &native(name), 0.0),
        );
    }
}

#[test]
fn mt_manager_without_update_rate_is_refused() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    let p = write_mt(dir.path(), &table, 100.0, 0);
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("// Update Rate: 100.0Hz\r\n", "");
    std::fs::write(&p, text).unwrap();
    let e = read_export(&[p]).unwrap_err().to_string();
    assert!(
        e.contains("Update Rate") && e.contains("cannot be established"),
        "{e}"
    );
}
