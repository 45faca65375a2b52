//! Sensor Logger exports (Android, iOS with and without "Standardise Units & Frames") written
//! from the fixtures in the app's layout: column order z,y,x, gravity-removed
//! Accelerometer.csv whose first row is zeros, gyroscope in rad/s, Metadata.csv.

mod import_support;

use gaitkit::import::read_export;
use gaitkit::recording::Placement;
use import_support::*;

#[test]
fn android_and_ios_exports_give_the_fixtures_contacts_sides_and_cadence() {
    for name in WALKS {
        let (table, s) = fixture(name);
        // a phone in a belt, screen facing out, top up
        let table = reorient(&table, s.sensors[0].axes, axes("RUB"));
        let want = native(name);
        for phone in [
            Phone::Android,
            Phone::Ios {
                standardised: false,
            },
            Phone::Ios { standardised: true },
        ] {
            let dir = tempfile::tempdir().unwrap();
            write_sensor_logger(dir.path(), &table, phone, None);
            let got = analyze_export(&[dir.path().to_path_buf()], Placement::LowerBack, None);
            assert_agrees(
                &format!("{name} Sensor Logger {phone:?}"),
                agreement(&got, &want, 0.0),
            );
        }
    }
}

#[test]
fn provenance_names_the_files_units_and_platform() {
    let (table, s) = fixture(WALKS[0]);
    let table = reorient(&table, s.sensors[0].axes, axes("RUB"));
    let dir = tempfile::tempdir().unwrap();
    write_sensor_logger(
        dir.path(),
        &table,
        Phone::Ios {
            standardised: false,
        },
        None,
    );
    let m = read_export(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(m.source.app, "Sensor Logger");
    assert_eq!(m.source.device.as_deref(), Some("iPhone iPhone 15"));
    assert_eq!(
        m.source.units,
        [
            "acceleration: m/s² (Accelerometer + Gravity, iOS signs)",
            "angular velocity: rad/s"
        ]
    );
    assert!(m.source.files.iter().any(|f| f.ends_with("Gravity.csv")));
    assert!(m.source.notes.iter().any(|n| n.contains("iOS recording")));
    // UTC nanosecond clock: the start is absolute
    assert_eq!(
        m.start_time.unwrap().to_rfc3339(),
        "2024-02-11T15:02:01.355109200+00:00"
    );
    // upright phone, Android convention: gravity +y
    let mean_y: f64 = m.table.acc_mps2[1].iter().sum::<f64>() / m.table.len() as f64;
    assert!(mean_y > 8.0, "{mean_y}");
}

#[test]
fn without_metadata_an_ios_export_is_refused_and_an_android_one_read() {
    let (table, _) = fixture(WALKS[0]);
    let table = reorient(&table, axes("URF"), axes("RUB"));
    let dir = tempfile::tempdir().unwrap();
    write_sensor_logger(
        dir.path(),
        &table,
        Phone::Ios {
            standardised: false,
        },
        None,
    );
    std::fs::remove_file(dir.path().join("Metadata.csv")).unwrap();
    let e = read_export(&[dir.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no Metadata.csv") && e.contains("signs differ"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    write_sensor_logger(dir.path(), &table, Phone::Android, None);
    std::fs::remove_file(dir.path().join("Metadata.csv")).unwrap();
    let m = read_export(&[dir.path().to_path_buf()]).unwrap();
    assert!(m.source.notes[0].contains("Android assumed"));
}

#[test]
fn a_gyroscope_in_deg_per_s_under_the_rad_per_s_name_is_refused_naming_deg_per_s() {
    let (table, _) = fixture(WALKS[0]);
    let table = reorient(&table, axes("URF"), axes("RUB"));
    let dir = tempfile::tempdir().unwrap();
    write_sensor_logger(dir.path(), &table, Phone::Android, None);
    // rewrite Gyroscope.csv with the deg/s values
    let text = std::fs::read_to_string(dir.path().join("Gyroscope.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let f: Vec<&str> = line.split(',').collect();
            let d = |s: &str| s.parse::<f64>().unwrap().to_degrees().to_string();
            out.push_str(&format!(
                "{},{},{},{},{}",
                f[0],
                f[1],
                d(f[2]),
                d(f[3]),
                d(f[4])
            ));
        }
        out.push('\n');
    }
    std::fs::write(dir.path().join("Gyroscope.csv"), out).unwrap();
    let e = read_export(&[dir.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Gyroscope.csv") && e.contains("The data suggest deg/s"),
        "{e}"
    );
    // and in rad/s but read as deg/s by a different app would be named rad/s: the shared check
    let dir = tempfile::tempdir().unwrap();
    let slow = reorient(&table, axes("RUB"), axes("RUB"));
    let mut tiny = slow.clone();
    for c in tiny.gyr_dps.iter_mut() {
        for v in c.iter_mut() {
            *v = v.to_radians().to_radians();
        }
    }
    write_sensor_logger(dir.path(), &tiny, Phone::Android, None);
    let e = read_export(&[dir.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("The data suggest rad/s"), "{e}");
}

#[test]
fn the_shared_zip_is_read_like_the_unpacked_folder() {
    let name = WALKS[0];
    let (table, s) = fixture(name);
    let table = reorient(&table, s.sensors[0].axes, axes("RUB"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("unpacked");
    std::fs::create_dir(&dir).unwrap();
    write_sensor_logger(&dir, &table, Phone::Android, None);
    let z = zip_dir(&dir, &tmp.path().join("2024-02-11_15-02-01"));
    let got = analyze_export(&[z], Placement::LowerBack, None);
    let unpacked = analyze_export(&[dir], Placement::LowerBack, None);
    assert_eq!(got.initial_contacts.len(), unpacked.initial_contacts.len());
    assert_agrees(
        &format!("{name} Sensor Logger zip"),
        agreement(&got, &native(name), 0.0),
    );
}
