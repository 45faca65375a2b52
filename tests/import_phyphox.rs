//! phyphox exports written from the fixtures in the app's layouts: all five CSV variants
//! (comma/point, TAB or semicolon with point or comma), the zip the app shares, phone clocks
//! at about 100 Hz and 200 Hz on uneven grids, linear acceleration plus gravity, a pause in
//! meta/time.csv; the command line end to end; the refusals.

mod import_support;

use gaitkit::import::read_export;
use gaitkit::recording::{ImuTable, Placement, Session};
use import_support::*;

#[path = "support/mod.rs"]
#[allow(unused)]
mod support;

/// A fixture in phone axes (belt, screen facing out, top up).
fn phone_table(name: &str) -> ImuTable {
    let (table, s) = fixture(name);
    reorient(&table, s.sensors[0].axes, axes("RUB"))
}

/// Seconds from the fixture's time 0 to the imported table's first sample (the recordings'
/// wall clock starts at the fixture's time 0).
fn first_sample_s(paths: &[std::path::PathBuf]) -> f64 {
    let m = read_export(paths).unwrap();
    let origin = chrono::DateTime::from_timestamp(PHYPHOX_START_UNIX_S as i64, 0).unwrap();
    m.start_time
        .unwrap()
        .signed_duration_since(origin)
        .num_microseconds()
        .unwrap() as f64
        * 1e-6
}

#[test]
fn all_five_csv_variants_at_phone_rates_give_the_fixtures_analysis() {
    for (w, name) in WALKS.iter().enumerate() {
        let table = phone_table(name);
        let want = native(name);
        for (k, csv) in PHYPHOX_CSVS.iter().enumerate() {
            // about 100 Hz for every variant, about 200 Hz for one per walk
            for rate_hz in [100.0, 200.0] {
                if rate_hz == 200.0 && k != 2 * w {
                    continue;
                }
                let dir = tempfile::tempdir().unwrap();
                let seed = 17 + 7 * k as u64 + w as u64;
                write_phyphox(
                    dir.path(),
                    &table,
                    *csv,
                    rate_hz,
                    PhyphoxAcc::Accelerometer,
                    None,
                    seed,
                );
                let paths = [dir.path().to_path_buf()];
                let got = analyze_export(&paths, Placement::LowerBack, None);
                assert!(
                    (got.sampling_rate_hz / rate_hz - 1.0).abs() < 0.01,
                    "{csv:?}: {} Hz",
                    got.sampling_rate_hz
                );
                assert_agrees(
                    &format!("{name} phyphox {csv:?} ~{rate_hz} Hz"),
                    agreement(&got, &want, first_sample_s(&paths)),
                );
            }
        }
    }
}

#[test]
fn the_shared_zip_and_linear_acceleration_plus_gravity_are_read() {
    let name = WALKS[1];
    let table = phone_table(name);
    let want = native(name);
    for (acc, csv) in [
        (PhyphoxAcc::Accelerometer, PhyphoxCsv::SemicolonComma),
        (PhyphoxAcc::LinearAndGravity, PhyphoxCsv::CommaPoint),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("unpacked");
        std::fs::create_dir(&dir).unwrap();
        write_phyphox(&dir, &table, csv, 100.0, acc, None, 5);
        // the app's zip name; detection does not rely on the extension
        let z = zip_dir(
            &dir,
            &tmp.path().join("Simple experiment 2024-01-01 12-00-00.zip"),
        );
        let paths = [z.clone()];
        let m = read_export(&paths).unwrap();
        assert_eq!(m.source.app, "phyphox");
        assert!(
            m.source.files.iter().any(|f| f.ends_with("meta/time.csv")),
            "{:?}",
            m.source.files
        );
        assert!(m.source.notes[0].starts_with(match csv {
            PhyphoxCsv::SemicolonComma => "CSV (Semicolon, decimal comma)",
            _ => "CSV (Comma, decimal point)",
        }));
        if acc == PhyphoxAcc::LinearAndGravity {
            assert_eq!(
                m.source.units[0],
                "acceleration: m/s² (Linear Acceleration + Gravity)"
            );
        }
        // the wall clock of meta/time.csv, with the phone's UTC offset
        let start = m.start_time.unwrap().to_rfc3339();
        assert!(
            start.starts_with("2024-01-01T12:00:00.0") && start.ends_with("+01:00"),
            "{start}"
        );
        let got = analyze_export(&paths, Placement::LowerBack, None);
        assert_agrees(
            &format!("{name} phyphox zip {acc:?} {csv:?}"),
            agreement(&got, &want, first_sample_s(&paths)),
        );
    }
}

#[test]
fn a_pause_becomes_a_gap_of_its_length_on_the_wall_clock() {
    let table = phone_table(WALKS[0]);
    let end_s = table.time_s[table.len() - 1];
    // (paused at, for), as shares of the recording: the phone records nothing meanwhile
    for (seed, (at_share, len_share)) in [(1u64, (0.3, 0.2)), (2, (0.55, 0.4)), (3, (0.2, 0.03))] {
        let (at_s, len_s) = (at_share * end_s, len_share * end_s);
        let dir = tempfile::tempdir().unwrap();
        write_phyphox(
            dir.path(),
            &table,
            PhyphoxCsv::TabComma,
            100.0,
            PhyphoxAcc::Accelerometer,
            Some((at_s, len_s)),
            seed,
        );
        let paths = [dir.path().to_path_buf()];
        let m = read_export(&paths).unwrap();
        let t0 = first_sample_s(&paths);
        assert_eq!(m.source.gaps.len(), 1, "{:?}", m.source.gaps);
        let [a, b] = m.source.gaps[0];
        // last table row before the pause, first after it: within two sample intervals (a
        // row of one stream needs the other's samples on both sides)
        assert!(
            a + t0 < at_s && a + t0 > at_s - 0.021,
            "{a} + {t0} vs {at_s}"
        );
        assert!(
            b + t0 >= at_s + len_s && b + t0 < at_s + len_s + 0.021,
            "{b} + {t0}"
        );
        assert!(
            m.source.notes.iter().any(|n| n.contains("Paused 1 times")),
            "{:?}",
            m.source.notes
        );
        // the samples after the pause keep their wall-clock times: the table follows the
        // fixture there (mean error over 50 rows, against the error of experiment time)
        let i0 = m.table.time_s.partition_point(|&t| t < b + 0.05);
        let err = |shift_s: f64| {
            let mut e = 0.0;
            let rows = i0..(i0 + 50).min(m.table.len());
            for i in rows.clone() {
                let want = at(&table, m.table.time_s[i] + t0 - shift_s);
                e += (0..3)
                    .map(|c| (m.table.acc_mps2[c][i] - want.acc_mps2[c]).abs())
                    .sum::<f64>();
            }
            e / (3 * rows.len()) as f64
        };
        let (placed, unplaced) = (err(0.0), err(len_s));
        assert!(
            placed < 0.05 && unplaced > 10.0 * placed,
            "{placed} vs {unplaced}"
        );
    }
}

#[test]
fn command_line_import_then_analyze_equals_analyze_on_the_zip() {
    let name = WALKS[0];
    let table = phone_table(name);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("unpacked");
    std::fs::create_dir(&dir).unwrap();
    write_phyphox(
        &dir,
        &table,
        PhyphoxCsv::TabPoint,
        100.0,
        PhyphoxAcc::Accelerometer,
        None,
        9,
    );
    let z = zip_dir(
        &dir,
        &tmp.path().join("Simple experiment 2024-01-01 12-00-00.zip"),
    );
    let out = tmp.path().join("session");
    let printed = support::gaitkit_ok(&[
        "import".as_ref(),
        z.as_os_str(),
        "--placement".as_ref(),
        "lower-back".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(
        printed.contains("phyphox") && printed.contains("axes:    RUB"),
        "{printed}"
    );
    let session = Session::read(&out).unwrap();
    assert_eq!(session.sensors[0].source.as_ref().unwrap().app, "phyphox");
    let a = tmp.path().join("a.json");
    let b = tmp.path().join("b.json");
    support::gaitkit_ok(&[
        "analyze".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
        a.as_os_str(),
    ]);
    support::gaitkit_ok(&[
        "analyze".as_ref(),
        z.as_os_str(),
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
fn single_sensor_experiments_and_acceleration_without_g_are_refused_with_the_reason() {
    let table = phone_table(WALKS[0]);
    // "Acceleration (without g)" with the gyroscope: no gravity, no vertical
    let dir = tempfile::tempdir().unwrap();
    write_phyphox(
        dir.path(),
        &table,
        PhyphoxCsv::CommaPoint,
        100.0,
        PhyphoxAcc::LinearOnly,
        None,
        3,
    );
    let e = read_export(&[dir.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Linear Acceleration.csv")
            && e.contains("without g")
            && e.contains("vertical cannot be established"),
        "{e}"
    );
    // the "Acceleration with g" experiment's Raw Data.csv: no gyroscope
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<f64>> = (0..500)
        .map(|i| {
            let s = at(&table, 0.0367 + i as f64 * 0.01);
            let a = s.acc_mps2;
            vec![
                s.time_s,
                a[0],
                a[1],
                a[2],
                (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt(),
            ]
        })
        .collect();
    let text = PhyphoxCsv::CommaPoint.table(
        &[
            "Time (s)",
            "Acceleration x (m/s^2)",
            "Acceleration y (m/s^2)",
            "Acceleration z (m/s^2)",
            "Absolute acceleration (m/s^2)",
        ],
        &rows,
    );
    let p = write(dir.path(), "Raw Data.csv", &text);
    let e = read_export(std::slice::from_ref(&p))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Raw Data.csv") && e.contains("no gyroscope") && e.contains("simple experiment"),
        "{e}"
    );
    // a unit phyphox does not write
    let p = write(
        dir.path(),
        "Raw Data.csv",
        &text.replace("Acceleration x (m/s^2)", "Acceleration x (g)"),
    );
    let e = read_export(&[p]).unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("unit \"g\""), "{e}");
}

#[test]
fn a_bad_cell_names_its_line_and_column_and_excel_is_refused() {
    let table = phone_table(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    write_phyphox(
        dir.path(),
        &table,
        PhyphoxCsv::SemicolonPoint,
        100.0,
        PhyphoxAcc::Accelerometer,
        None,
        4,
    );
    let g = dir.path().join("Gyroscope.csv");
    let text = std::fs::read_to_string(&g).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[41] = lines[41].replacen(';', ";x", 2).replacen(";x", ";", 1);
    std::fs::write(&g, lines.join("\n")).unwrap();
    let e = read_export(&[dir.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Gyroscope.csv") && e.contains("line 42") && e.contains("Gyroscope y (rad/s)"),
        "{e}"
    );
    // NaN rows of a shorter column are left out and counted
    lines[41] = "NaN;NaN;NaN;NaN".into();
    std::fs::write(&g, lines.join("\n")).unwrap();
    let m = read_export(&[dir.path().to_path_buf()]).unwrap();
    assert!(
        m.source
            .notes
            .iter()
            .any(|n| n == "Gyroscope.csv: 1 rows with NaN (a shorter column) left out."),
        "{:?}",
        m.source.notes
    );
    // Android's Excel export (.xls) and an xlsx: the reason and what to export instead
    let xls = write(dir.path(), "Simple experiment.xls", "");
    std::fs::write(&xls, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0").unwrap();
    let e = read_export(&[xls]).unwrap_err().to_string();
    assert!(
        e.contains("Excel workbook") && e.contains("CSV (Comma, decimal point)"),
        "{e}"
    );
    let x = tempfile::tempdir().unwrap();
    std::fs::create_dir(x.path().join("xl")).unwrap();
    write(&x.path().join("xl"), "workbook.xml", "<workbook/>");
    let mut z = zip::ZipWriter::new(std::fs::File::create(dir.path().join("e.xlsx")).unwrap());
    z.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut z, b"<workbook/>").unwrap();
    z.finish().unwrap();
    let e = read_export(&[dir.path().join("e.xlsx")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("Excel workbook"), "{e}");
}

#[test]
fn unknown_files_list_phyphox_and_witmotion_among_the_formats_tried() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "Accelerometer.csv", "\"Zeit (s)\",\"a\"\n0,1\n");
    let e = read_export(&[p]).unwrap_err().to_string();
    assert!(
        e.contains("phyphox: expects CSV files whose quoted header starts with \"Time (s)\"")
            && e.contains("WitMotion: expects a WitMotion header")
            && e.contains("Accelerometer.csv starts with \"\"Zeit (s)\",\"a\"\""),
        "{e}"
    );
}

#[test]
fn raw_data_of_two_experiments_are_not_combined() {
    let table = phone_table(WALKS[0]);
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (exp, q, unit, k) in [
        (
            "Acceleration with g 2024-01-01 12-00-00",
            "Acceleration",
            "m/s^2",
            1.0,
        ),
        (
            "Gyroscope (rotation rate) 2024-01-01 12-05-00",
            "Gyroscope",
            "rad/s",
            1f64.to_radians(),
        ),
    ] {
        let dir = tmp.path().join(exp);
        std::fs::create_dir(&dir).unwrap();
        let rows: Vec<Vec<f64>> = (0..500)
            .map(|i| {
                let s = at(&table, 0.0367 + i as f64 * 0.01);
                let v = if q == "Gyroscope" {
                    s.gyr_dps
                } else {
                    s.acc_mps2
                };
                vec![s.time_s, k * v[0], k * v[1], k * v[2], 1.0]
            })
            .collect();
        let h: Vec<String> = ["x", "y", "z"]
            .iter()
            .map(|a| format!("{q} {a} ({unit})"))
            .collect();
        let text = PhyphoxCsv::CommaPoint.table(
            &[
                "Time (s)",
                &h[0],
                &h[1],
                &h[2],
                &format!("Absolute ({unit})"),
            ],
            &rows,
        );
        paths.push(write(&dir, "Raw Data.csv", &text));
    }
    let e = read_export(&paths).unwrap_err().to_string();
    assert!(
        e.contains("separate phyphox exports") && e.contains("one experiment at a time"),
        "{e}"
    );
}

#[test]
fn randomly_damaged_exports_give_errors_not_panics() {
    let table = phone_table(WALKS[0]);
    let src = tempfile::tempdir().unwrap();
    write_phyphox(
        src.path(),
        &table,
        PhyphoxCsv::SemicolonComma,
        100.0,
        PhyphoxAcc::Accelerometer,
        None,
        8,
    );
    let read = |name: &str| head_lines(&std::fs::read(src.path().join(name)).unwrap(), 400);
    let (acc, gyr, time) = (
        read("Accelerometer.csv"),
        read("Gyroscope.csv"),
        read("meta/time.csv"),
    );
    let mut rng = Rng(0x5eed);
    let (mut ok, mut refused) = (0, 0);
    for k in 0..150 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("meta")).unwrap();
        let edits = 1 + k % 6;
        let pick = k % 3;
        let files: [(&str, &Vec<u8>); 3] = [
            ("Accelerometer.csv", &acc),
            ("Gyroscope.csv", &gyr),
            ("meta/time.csv", &time),
        ];
        for (i, (name, bytes)) in files.iter().enumerate() {
            let b = if i == pick {
                mutate(bytes, edits, &mut rng)
            } else {
                bytes.to_vec()
            };
            std::fs::write(dir.path().join(name), b).unwrap();
        }
        match read_export(&[dir.path().to_path_buf()]) {
            Ok(m) => {
                ok += 1;
                assert!(m.table.time_s.iter().all(|t| t.is_finite()));
            }
            Err(e) => {
                refused += 1;
                assert!(e.to_string().contains(dir.path().to_str().unwrap()), "{e}");
            }
        }
    }
    println!("damaged phyphox exports: {ok} read, {refused} refused");
    assert!(ok > 0 && refused > 0);
}
