//! Polar Sensor Logger exports written from the fixtures in the app's layout: import,
//! analysis against the native fixture, the command line end to end, round trip, errors.

mod import_support;

use import_support::*;

use gaitkit::recording::{Placement, Session};

#[path = "support/mod.rs"]
#[allow(unused)]
mod support;

const STEM: &str = "Polar_Sense_A40F6F28_20220425_113903";

#[test]
fn polar_export_folder_gives_the_fixtures_contacts_sides_and_cadence() {
    for name in WALKS {
        let (table, s) = fixture(name);
        // worn by the mounting convention (x up, z+ face backward): default axes apply
        let table = reorient(&table, s.sensors[0].axes, axes("ULB"));
        let dir = tempfile::tempdir().unwrap();
        write_polar(dir.path(), &table, None, STEM, POLAR_BASE_NS, false);
        write(
            dir.path(),
            &format!("{STEM}_HR.txt"),
            "Phone timestamp;HR [bpm]\n2022-04-25T11:39:37.000;80\n",
        );
        write(
            dir.path(),
            "MARKER_20220425_114002.txt",
            "Phone timestamp;Marker start/stop\n2022-04-25T11:40:02.383;MARKER_START \n",
        );
        let got = analyze_export(&[dir.path().to_path_buf()], Placement::LowerBack, None);
        assert_agrees(
            &format!("{name} Polar 100 Hz"),
            agreement(&got, &native(name), 0.0),
        );
    }
}

#[test]
fn forks_trailing_space_in_the_header_is_accepted_and_files_can_be_given_one_by_one() {
    let name = WALKS[0];
    let (table, s) = fixture(name);
    let dir = tempfile::tempdir().unwrap();
    let files = write_polar(dir.path(), &table, None, STEM, POLAR_BASE_NS, true);
    let got = analyze_export(&files, Placement::LowerBack, Some(s.sensors[0].axes));
    assert_agrees(
        &format!("{name} Polar, trailing space"),
        agreement(&got, &native(name), 0.0),
    );
    let imported = gaitkit::import::read_export(&files).unwrap();
    assert_eq!(imported.source.app, "Polar Sensor Logger");
    assert_eq!(
        imported.source.device.as_deref(),
        Some("Polar Verity Sense A40F6F28")
    );
    assert_eq!(
        imported.source.units,
        ["acceleration: mg", "angular velocity: dps"]
    );
    assert!(imported.source.clock.contains("sensor timestamp [ns]"));
    // sensor clock in local time: no absolute start unless an offset is given
    assert!(imported.start_time.is_none());
    assert_eq!(
        imported.source.local_start.as_deref(),
        Some("2022-04-25T11:39:34.831")
    );
    assert!(
        (imported.source.rate_hz - 100.0).abs() < 0.01,
        "{}",
        imported.source.rate_hz
    );
}

#[test]
fn command_line_import_then_analyze_equals_analyze_on_the_export() {
    let name = WALKS[1];
    let (table, _) = fixture(name);
    let table = reorient(&table, axes("URF"), axes("ULB"));
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    write_polar(&export, &table, None, STEM, POLAR_BASE_NS, false);
    let out = dir.path().join("session");
    let printed = support::gaitkit_ok(&[
        "import".as_ref(),
        export.as_os_str(),
        "--placement".as_ref(),
        "lower-back".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--utc-offset".as_ref(),
        "+03:00".as_ref(),
    ]);
    assert!(
        printed.contains("Polar Sensor Logger") && printed.contains("axes:    ULB"),
        "{printed}"
    );
    let session = Session::read(&out).unwrap();
    let src = session.sensors[0].source.as_ref().unwrap();
    assert_eq!(src.app, "Polar Sensor Logger");
    assert_eq!(src.files.len(), 2);
    let start = session.start_time.unwrap().to_rfc3339();
    assert!(
        start.starts_with("2022-04-25T11:39:34.8312") && start.ends_with("+03:00"),
        "{start}"
    );
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    support::gaitkit_ok(&[
        "analyze".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
        a.as_os_str(),
    ]);
    support::gaitkit_ok(&[
        "analyze".as_ref(),
        export.as_os_str(),
        "--json".as_ref(),
        b.as_os_str(),
    ]);
    let read = |p: &std::path::Path| {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("source");
        v.as_object_mut().unwrap().remove("session");
        v
    };
    let (va, vb) = (read(&a), read(&b));
    assert!(va["gait"]["initial_contacts"].as_array().unwrap().len() >= 8);
    assert_eq!(va, vb);
}

#[test]
fn missing_gyro_and_h10_files_are_refused_with_the_reason() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    let files = write_polar(
        dir.path(),
        &table,
        None,
        "Polar_H10_9A5B_20220425_113903",
        POLAR_BASE_NS,
        false,
    );
    let e = gaitkit::import::read_export(&files[..1])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no GYRO (X [dps]) file") && e.contains("Polar H10 has no gyroscope"),
        "{e}"
    );
    let e = gaitkit::import::read_export(&files[1..])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no ACC (X [mg]) file"), "{e}");
}

#[test]
fn unknown_files_list_the_formats_tried_and_what_did_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "walk.txt", "Zeit;Beschleunigung\n0;1\n");
    let e = gaitkit::import::read_export(&[p]).unwrap_err().to_string();
    assert!(
        e.contains("Formats tried") && e.contains("Polar Sensor Logger: expects"),
        "{e}"
    );
    assert!(
        e.contains("walk.txt starts with \"Zeit;Beschleunigung\""),
        "{e}"
    );
    // the CLI says the same
    let out = support::run_gaitkit(&[
        "import".as_ref(),
        dir.path().join("walk.txt").as_os_str(),
        "--placement".as_ref(),
        "lower-back".as_ref(),
        "--out".as_ref(),
        dir.path().join("s").as_os_str(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Formats tried"));
}

#[test]
fn a_second_placement_is_aligned_on_absolute_time_and_its_overlap_reported() {
    let name = "feet_healthy_2x20m";
    let dir = fixture_dir(name);
    let s = Session::read(&dir).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("session");
    // right foot's recording started 1.5 s after the left one's, on the same phone clock
    for (k, (entry, start_s)) in s.sensors.iter().zip([0.0, 1.5]).enumerate() {
        let table = gaitkit::recording::ImuTable::read(&dir.join(&entry.file)).unwrap();
        let mut cut = gaitkit::recording::ImuTable::default();
        for i in 0..table.len() {
            let mut x = table.sample(i);
            if x.time_s >= start_s {
                x.time_s -= start_s;
                cut.push(&x);
            }
        }
        let export = tmp.path().join(format!("e{k}"));
        std::fs::create_dir(&export).unwrap();
        let base = POLAR_BASE_NS + (start_s * 1e9) as i64;
        write_polar(&export, &cut, None, STEM, base, false);
        let printed = support::gaitkit_ok(&[
            "import".as_ref(),
            export.as_os_str(),
            "--placement".as_ref(),
            entry.placement.as_str().as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        if k == 1 {
            assert!(
                printed.contains("aligned on local time, starts 1.50"),
                "{printed}"
            );
            assert!(printed.contains("overlap 37.2 s"), "{printed}");
        }
    }
    let session = Session::read(&out).unwrap();
    assert_eq!(session.sensors.len(), 2);
    let right = session.read_sensor(&out, &session.sensors[1]).unwrap();
    assert!((right.time_s[0] - 1.5).abs() < 0.005, "{}", right.time_s[0]);
    // the same placement twice is refused
    let again = support::run_gaitkit(&[
        "import".as_ref(),
        tmp.path().join("e0").as_os_str(),
        "--placement".as_ref(),
        "left-foot".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a left-foot sensor"));
}
