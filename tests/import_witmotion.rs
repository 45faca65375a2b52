//! WitMotion text exports written from the fixtures in each layout gaitkit reads (txt with
//! ChipTime, whitespace-separated txt2, txt3 and txt4 with GBK degree signs and the chip time's
//! colon before the ms, the 2025 per-device CSV), at the sensor's return rates of 100 Hz and
//! 200 Hz, with and without decimal commas; the command line end to end; the refusals.

mod import_support;

use gaitkit::import::read_export;
use gaitkit::recording::{Placement, Session};
use import_support::*;

#[path = "support/mod.rs"]
#[allow(unused)]
mod support;

#[test]
fn every_layout_at_100_and_200_hz_gives_the_fixtures_analysis() {
    for (w, name) in WALKS.iter().enumerate() {
        let (table, s) = fixture(name);
        let want = native(name);
        for (k, layout) in WITMOTIONS.iter().enumerate() {
            let rate_hz = if (k + w) % 2 == 0 { 100.0 } else { 200.0 };
            let comma = (k + w) % 3 == 1 && *layout != WitMotion::Csv;
            let dir = tempfile::tempdir().unwrap();
            let p = write_witmotion(dir.path(), &table, *layout, rate_hz, comma);
            let got = analyze_export(&[p], Placement::LowerBack, Some(s.sensors[0].axes));
            assert!(
                (got.sampling_rate_hz - rate_hz).abs() < 0.01,
                "{layout:?}: {} Hz",
                got.sampling_rate_hz
            );
            assert_agrees(
                &format!(
                    "{name} WitMotion {layout:?} {rate_hz} Hz{}",
                    if comma { " decimal comma" } else { "" }
                ),
                agreement(&got, &want, 0.0),
            );
        }
    }
}

#[test]
fn units_clock_device_and_gbk_labels_are_read() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    let p = write_witmotion(dir.path(), &table, WitMotion::Txt4, 200.0, false);
    // the header's degree signs are GBK bytes, not UTF-8
    assert!(std::str::from_utf8(&std::fs::read(&p).unwrap()).is_err());
    let m = read_export(std::slice::from_ref(&p)).unwrap();
    assert_eq!(m.source.app, "WitMotion");
    assert_eq!(m.source.device.as_deref(), Some("WitMotion WT901BLE67"));
    assert_eq!(m.source.units, ["acceleration: g", "angular velocity: °/s"]);
    assert!(
        m.source.clock.starts_with("Chip Time()"),
        "{}",
        m.source.clock
    );
    // the sensor's clock is local time without a zone
    assert!(m.start_time.is_none());
    assert_eq!(
        m.source.local_start.as_deref(),
        Some("2023-05-04T09:03:07.000")
    );
    assert!(m.source.gaps.is_empty(), "{:?}", m.source.gaps);
    // 1 g read as 9.80665 m/s²: the mean of the vertical axis matches the fixture's
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for c in 0..3 {
        assert!(
            (mean(&m.table.acc_mps2[c]) - mean(&table.acc_mps2[c])).abs() < 0.01,
            "axis {c}"
        );
    }
    // a WT901BLE… device: the WT901BLECL's mounting convention (x up, z+ face backward)
    let a = gaitkit::import::resolve_axes(&m, Placement::LowerBack, None).unwrap();
    assert_eq!(a.to_string(), "ULB");
    // no device named: --axes is asked for
    let p = write_witmotion(dir.path(), &table, WitMotion::Txt2, 100.0, false);
    let m = read_export(&[p]).unwrap();
    let e = gaitkit::import::resolve_axes(&m, Placement::LowerBack, None).unwrap_err();
    assert!(e.contains("WitMotion") && e.contains("pass --axes"), "{e}");
    // the unitless whitespace layout says what it assumed
    assert!(
        m.source.notes.iter().any(|n| n.contains("no units")),
        "{:?}",
        m.source.notes
    );
}

#[test]
fn command_line_import_then_analyze_equals_analyze_on_the_export() {
    let (table, s) = fixture(WALKS[1]);
    let tmp = tempfile::tempdir().unwrap();
    let p = write_witmotion(tmp.path(), &table, WitMotion::Csv, 100.0, false);
    let ax = s.sensors[0].axes.to_string();
    let out = tmp.path().join("session");
    let printed = support::gaitkit_ok(&[
        "import".as_ref(),
        p.as_os_str(),
        "--placement".as_ref(),
        "lower-back".as_ref(),
        "--axes".as_ref(),
        ax.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--utc-offset".as_ref(),
        "+08:00".as_ref(),
    ]);
    assert!(printed.contains("WitMotion WT901BLE67"), "{printed}");
    let session = Session::read(&out).unwrap();
    assert_eq!(
        session.start_time.unwrap().to_rfc3339(),
        "2023-05-04T09:03:07+08:00"
    );
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
        p.as_os_str(),
        "--axes".as_ref(),
        ax.as_ref(),
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
fn files_without_a_chip_time_or_with_a_bad_cell_are_refused_with_the_line() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    // txt without ChipTime: no rate is assumed
    let p = write_witmotion(dir.path(), &table, WitMotion::Txt, 100.0, false);
    let bytes = std::fs::read(&p).unwrap();
    let text = String::from_utf8_lossy(&bytes).replacen("\tChipTime\t", "\tPCTime\t", 1);
    std::fs::write(&p, text.as_bytes()).unwrap();
    let e = read_export(std::slice::from_ref(&p))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 1")
            && e.contains("without a ChipTime column")
            && e.contains("does not assume a rate"),
        "{e}"
    );
    // txt3 with an unpadded millisecond field
    let p = write_witmotion(dir.path(), &table, WitMotion::Txt3, 100.0, false);
    let bytes = std::fs::read(&p).unwrap();
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    lines[30] = b"2023-05-04 9:3:7:29\t0.1\t0.2\t0.9\t1\t2\t3\t0\t0\t0\t0\t0\t0".to_vec();
    std::fs::write(&p, lines.join(&b'\n')).unwrap();
    let e = read_export(std::slice::from_ref(&p))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 31") && e.contains("\"2023-05-04 9:3:7:29\" is not a date and time"),
        "{e}"
    );
    // a non-number names its column
    lines[30] = b"2023-05-04 9:3:7:290\t0.1\tn/a\t0.9\t1\t2\t3\t0\t0\t0\t0\t0\t0".to_vec();
    std::fs::write(&p, lines.join(&b'\n')).unwrap();
    let e = read_export(&[p]).unwrap_err().to_string();
    assert!(
        e.contains("line 31") && e.contains("column \"AccY(g)\""),
        "{e}"
    );
}

#[test]
fn the_default_return_rate_of_10_hz_is_refused_with_what_to_set() {
    let (table, _) = fixture(WALKS[1]);
    let dir = tempfile::tempdir().unwrap();
    let p = write_witmotion(dir.path(), &table, WitMotion::Txt4, 10.0, false);
    let e = read_export(&[p]).unwrap_err().to_string();
    assert!(
        e.contains("return rate of 10.0 Hz") && e.contains("Set the return rate to 100 Hz"),
        "{e}"
    );
    let p = write_witmotion(dir.path(), &table, WitMotion::Txt4, 20.0, false);
    let m = read_export(&[p]).unwrap();
    assert!(
        (m.source.rate_hz - 20.0).abs() < 1e-9,
        "{}",
        m.source.rate_hz
    );
}

#[test]
fn two_devices_in_one_file_and_two_files_are_refused() {
    let (table, _) = fixture(WALKS[0]);
    let dir = tempfile::tempdir().unwrap();
    let p = write_witmotion(dir.path(), &table, WitMotion::Csv, 100.0, false);
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[200] = lines[200].replace("WT901BLE67", "WT901BLE68");
    std::fs::write(&p, lines.join("\n")).unwrap();
    let e = read_export(std::slice::from_ref(&p))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("holds 2 devices (WT901BLE67, WT901BLE68)")
            && e.contains("one sensor at a time"),
        "{e}"
    );
    let q = write_witmotion(dir.path(), &table, WitMotion::Txt, 100.0, false);
    let e = read_export(&[p, q]).unwrap_err().to_string();
    assert!(e.contains("both WitMotion files"), "{e}");
}

#[test]
fn randomly_damaged_files_give_errors_not_panics() {
    let (table, _) = fixture(WALKS[0]);
    let src = tempfile::tempdir().unwrap();
    let mut rng = Rng(0xfeed);
    let (mut ok, mut refused) = (0, 0);
    for layout in WITMOTIONS {
        let p = write_witmotion(src.path(), &table, layout, 100.0, false);
        let bytes = head_lines(&std::fs::read(&p).unwrap(), 400);
        for k in 0..30 {
            let dir = tempfile::tempdir().unwrap();
            let q = dir.path().join(p.file_name().unwrap());
            std::fs::write(&q, mutate(&bytes, 1 + k % 5, &mut rng)).unwrap();
            match read_export(std::slice::from_ref(&q)) {
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
    }
    println!("damaged WitMotion files: {ok} read, {refused} refused");
    assert!(ok > 0 && refused > 0);
}
