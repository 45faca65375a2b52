//! Movesense Showcase IMU CSV (IMU6 rows shorter than the header; decimal-comma locale), the
//! Android single-resource screens (rows stamped at the nominal rate, trailing ", "), the iOS
//! stream CSVs (one timestamp per packet) and Movesense logbook JSON written from the fixtures:
//! import and analysis, and the refusals of files that cannot make one recording.

mod import_support;

use gaitkit::import::read_export;
use gaitkit::recording::Placement;
use import_support::*;

#[test]
fn showcase_csv_and_logbook_json_give_the_fixtures_analysis() {
    for name in WALKS {
        let (table, s) = fixture(name);
        let table = reorient(&table, s.sensors[0].axes, axes("ULB"));
        let want = native(name);
        for (what, comma) in [("CSV", false), ("CSV decimal comma", true)] {
            let dir = tempfile::tempdir().unwrap();
            let p = write_movesense_csv(dir.path(), &table, comma);
            let got = analyze_export(&[p], Placement::LowerBack, None);
            assert_agrees(
                &format!("{name} Movesense {what}"),
                agreement(&got, &want, 0.0),
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let p = write_movesense_json(dir.path(), &table);
        let got = analyze_export(&[p], Placement::LowerBack, None);
        assert_agrees(
            &format!("{name} Movesense JSON"),
            agreement(&got, &want, 0.0),
        );
    }
}

#[test]
fn a_row_of_the_wrong_width_is_refused_with_its_line() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    let p = write_movesense_csv(dir.path(), &table, false);
    let mut text = std::fs::read_to_string(&p).unwrap();
    text.push_str("999999,1.0,2.0\n");
    std::fs::write(&p, &text).unwrap();
    let e = read_export(&[p]).unwrap_err().to_string();
    let line = text.lines().count();
    assert!(
        e.contains(&format!("line {line}")) && e.contains("has 3 fields"),
        "{e}"
    );
}

#[test]
fn android_screens_and_ios_streams_give_the_fixtures_analysis() {
    for name in WALKS {
        let (table, s) = fixture(name);
        let table = reorient(&table, s.sensors[0].axes, axes("ULB"));
        let want = native(name);
        for comma in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            // rows inside each packet stamped at the nominal 104 Hz (the data are at 100 Hz);
            // the angular-velocity screen started 0.5 s later
            let files = write_movesense_screens(dir.path(), &table, 104.0, comma, 0.5);
            // the overlap is kept: the session starts with the angular velocity, 0.5 s in
            let got = analyze_export(&files, Placement::LowerBack, None);
            assert_agrees(
                &format!("{name} Movesense Android screens, decimal comma {comma}"),
                agreement(&got, &want, 0.5),
            );
            // the folder as the phone keeps it, with the magnetometer screen beside them
            write(
                dir.path(),
                "2024-03-01_10-00-00_174630000192_MagneticFieldTestActivity.csv",
                "Timestamp (ms),X: (microtesla),Y: (microtesla),Z: (microtesla)\n158319,28.6,21.4,105.5, \n",
            );
            let got = analyze_export(&[dir.path().to_path_buf()], Placement::LowerBack, None);
            assert_agrees(
                &format!("{name} Movesense Android folder"),
                agreement(&got, &want, 0.5),
            );
        }
        for per_packet in [4, 8] {
            let dir = tempfile::tempdir().unwrap();
            let files = write_movesense_ios(dir.path(), &table, per_packet);
            let got = analyze_export(&files, Placement::LowerBack, None);
            assert_agrees(
                &format!("{name} Movesense iOS, {per_packet} samples per packet"),
                agreement(&got, &want, 0.0),
            );
        }
    }
}

#[test]
fn ios_packets_are_spread_to_the_next_packet() {
    // three packets of two samples 20 ms apart: samples every 10 ms, the last packet at the
    // interval before it
    let dir = tempfile::tempdir().unwrap();
    let mut acc = String::from("timestamp,x,y,z\n");
    let mut gyr = String::from("timestamp,x,y,z\n");
    for k in 0..200 {
        let ms = 1000 + 20 * k;
        for i in 0..2 {
            let stamp = if i == 0 {
                ms.to_string()
            } else {
                String::new()
            };
            let v = (2 * k + i) as f64;
            acc.push_str(&format!("{stamp},0.1,{:.6},9.81\n", 0.01 * v));
            gyr.push_str(&format!("{stamp},{v:.6},0.0,0.0\n"));
        }
    }
    let a = write(dir.path(), "x_1_MeasAcc52_stream.csv", &acc);
    let g = write(dir.path(), "x_1_MeasGyro52_stream.csv", &gyr);
    let imported = read_export(&[a, g]).unwrap();
    let t = &imported.table;
    assert_eq!(t.len(), 400);
    for i in 0..t.len() {
        assert!(
            (t.time_s[i] - t.time_s[0] - 0.010 * i as f64).abs() < 1e-9,
            "sample {i}"
        );
        assert!(
            (t.acc_mps2[1][i] - 0.01 * i as f64).abs() < 1e-9,
            "acc sample {i}"
        );
        assert!((t.gyr_dps[0][i] - i as f64).abs() < 1e-9, "gyro sample {i}");
    }
}

#[test]
fn screens_that_cannot_make_one_recording_are_refused_with_the_reason() {
    let (table, s) = fixture(WALKS[0]);
    let table = reorient(&table, s.sensors[0].axes, axes("ULB"));
    let dir = tempfile::tempdir().unwrap();
    let files = write_movesense_screens(dir.path(), &table, 104.0, false, 0.0);

    // acceleration alone
    let e = read_export(&files[..1]).unwrap_err().to_string();
    assert!(
        e.contains("LinearAccelerationTestActivity.csv")
            && e.contains("acceleration only")
            && e.contains("IMU screen"),
        "{e}"
    );
    // angular velocity recorded after the acceleration screen: no common time
    let text = std::fs::read_to_string(&files[1]).unwrap();
    let mut later = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            later.push_str(line);
        } else {
            let (ms, rest) = line.split_once(',').unwrap();
            let ms: i64 = ms.parse().unwrap();
            later.push_str(&format!("{},{rest}", ms + 600_000));
        }
        later.push('\n');
    }
    std::fs::write(&files[1], later).unwrap();
    let e = read_export(&files).unwrap_err().to_string();
    assert!(
        e.contains("cover different times on the sensor clock")
            && e.contains("overlap 0.0 s")
            && e.contains("one screen at a time"),
        "{e}"
    );
    // two acceleration files
    let dir2 = tempfile::tempdir().unwrap();
    let again = write_movesense_screens(dir2.path(), &table, 104.0, false, 0.0);
    let e = read_export(&[files[0].clone(), again[0].clone(), again[1].clone()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("both hold acceleration"), "{e}");
    // a row cut short keeps its line number
    let mut text = std::fs::read_to_string(&again[1]).unwrap();
    text.push_str("999999,1.0, \n");
    std::fs::write(&again[1], &text).unwrap();
    let e = read_export(&again).unwrap_err().to_string();
    let line = text.lines().count();
    assert!(
        e.contains(&format!("line {line}")) && e.contains("has 2 fields"),
        "{e}"
    );
}
