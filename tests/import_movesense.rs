//! Movesense Showcase IMU CSV (IMU6 rows shorter than the header; decimal-comma locale) and
//! Movesense logbook JSON written from the fixtures: import and analysis.

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
