//! Two-leg analysis of session folders: the output contract (JSON keys shared with the
//! lower-back analysis, per-stride CSV rows) and clear errors for unusable sessions.

use std::path::Path;

use gaitkit::gait::leg::{analyze_session_legs, leg_sensor_kind, LegSensorKind};
use gaitkit::recording::Session;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/feet_healthy_2x20m")
}

/// Copies the fixture into a temporary folder, with `edit` applied to the right foot's CSV.
fn copy_fixture(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["session.json", "left_foot.csv", "right_foot.csv"] {
        let text = std::fs::read_to_string(fixture().join(f)).unwrap();
        let text = if f == "right_foot.csv" {
            edit(text)
        } else {
            text
        };
        std::fs::write(dir.path().join(f), text).unwrap();
    }
    dir
}

#[test]
fn json_follows_the_shared_gait_contract() {
    let session = Session::read(&fixture()).unwrap();
    assert_eq!(leg_sensor_kind(&session), Some(LegSensorKind::Foot));
    let a = analyze_session_legs(&session, &fixture()).unwrap();
    let v = serde_json::to_value(&a).unwrap();
    let ics = v["initial_contacts"].as_array().unwrap();
    assert!(ics.len() > 50);
    assert!(
        ics.windows(2)
            .all(|w| w[0]["t_s"].as_f64() <= w[1]["t_s"].as_f64()),
        "time order"
    );
    let sides: Vec<&str> = ics.iter().map(|c| c["side"].as_str().unwrap()).collect();
    assert!(sides.contains(&"left") && sides.contains(&"right"));
    assert_eq!(
        v["final_contacts"].as_array().unwrap().len(),
        a.events.left.fc_s.len() + a.events.right.fc_s.len()
    );
    for key in [
        "step_time_s",
        "stance_time_s",
        "swing_time_s",
        "single_support_s",
        "stride_length_m",
    ] {
        for side in ["left", "right"] {
            assert!(
                v["summary"][key][side].as_f64().is_some(),
                "summary.{key}.{side}"
            );
        }
    }
    assert!(v["summary"]["symmetry"]["stance_time"]["si_pct"]
        .as_f64()
        .is_some());
    assert!(v["summary"]["symmetry"]["pci"]["pci_pct"]
        .as_f64()
        .is_some());
    assert_eq!(v["sync"]["method"], "shared-timeline");
    assert_eq!(v["sensors"], "foot");
}

#[test]
fn strides_write_as_one_csv_row_each() {
    let a = analyze_session_legs(&Session::read(&fixture()).unwrap(), &fixture()).unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    for s in &a.strides {
        w.serialize(s).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("side,ic_s,fc_s,end_ic_s,stride_time_s,stance_time_s,swing_time_s"),
        "{header}"
    );
    assert!(
        header.contains("initial_double_support_s")
            && header.contains("stride_length_m")
            && header.ends_with("steady")
    );
    assert_eq!(lines.count(), a.strides.len());
}

#[test]
fn unusable_sessions_are_refused_with_the_reason() {
    let lower_back =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mobilised_HA001_Test5_Trial1");
    let err = analyze_session_legs(&Session::read(&lower_back).unwrap(), &lower_back)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no pair of leg sensors"), "{err}");

    let dir = copy_fixture(|t| t);
    std::fs::remove_file(dir.path().join("right_foot.csv")).unwrap();
    let err = analyze_session_legs(&Session::read(dir.path()).unwrap(), dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("right_foot.csv"), "{err}");

    let dir = copy_fixture(|t| t.replacen("0.00488,", "0.00488,nan_value", 1));
    let err = analyze_session_legs(&Session::read(dir.path()).unwrap(), dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("right_foot.csv, line 3") && err.contains("not a finite number"),
        "{err}"
    );

    // a foot sensor that never walks
    let dir = copy_fixture(|t| {
        let mut lines = t.lines();
        let header = lines.next().unwrap().to_string();
        let rows: Vec<String> = (0..2000)
            .map(|i| format!("{:.5},0.1,0.2,9.8,0.5,-0.3,0.2", i as f64 / 204.8))
            .collect();
        header + "\n" + &rows.join("\n") + "\n"
    });
    let err = analyze_session_legs(&Session::read(dir.path()).unwrap(), dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("right-foot") && err.contains("hardly rotates"),
        "{err}"
    );
}

#[test]
fn analyze_uses_the_feet_for_events_and_says_so() {
    use gaitkit::analyze::{analyze_session, AnalyzeOptions};
    use gaitkit::report::{json::JsonExporter, Exporter};
    let a = analyze_session(&fixture(), &AnalyzeOptions::default()).unwrap();
    let g = a.gait.as_ref().unwrap();
    assert_eq!(g.source, "feet");
    assert!(
        g.notes[0].contains("measured per leg by the left-foot and right-foot sensors"),
        "{:?}",
        g.notes
    );
    let legs = a.legs.as_ref().unwrap();
    assert_eq!(g.initial_contacts, legs.initial_contacts);
    // the shared summary agrees with the leg summary it was built from
    let (s, l) = (&g.summary, &legs.summary);
    assert!((s.stance_time_s.left.unwrap() - l.stance_time_s.left.unwrap()).abs() < 0.01);
    assert!((s.swing_time_s.right.unwrap() - l.swing_time_s.right.unwrap()).abs() < 0.01);
    assert!(
        (s.stride_length_m.unwrap() - 1.36).abs() < 0.05,
        "{:?}",
        s.stride_length_m
    );
    assert!(
        (s.cadence_spm.unwrap() - 110.2).abs() < 1.5,
        "{:?}",
        s.cadence_spm
    );
    // the 180° turn between the two passes and the turn after the second one
    assert_eq!(g.turns.len(), 2, "{:?}", g.turns);
    assert!(
        (g.turns[0].angle_deg.abs() - 180.0).abs() < 20.0,
        "{:?}",
        g.turns
    );
    let mut out = Vec::new();
    JsonExporter.export(&a, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["gait"]["initial_contacts"][0]["side"].as_str().is_some());
    assert!(v["gait"]["summary"]["stance_time_s"]["left"]
        .as_f64()
        .is_some());
    assert!(v["legs"]["strides"][0]["initial_double_support_s"]
        .as_f64()
        .is_some());
    assert_eq!(v["legs"]["sync"]["method"], "shared-timeline");
}

#[test]
fn with_a_lower_back_sensor_the_trunk_metrics_come_from_it() {
    use gaitkit::analyze::{analyze_session, AnalyzeOptions};
    // the feet fixture plus a lower-back recording: the session-level choice of sources
    let dir = copy_fixture(|t| t);
    let lb = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/mobilised_HA001_Test11_Trial1/lower_back.csv");
    std::fs::copy(&lb, dir.path().join("lower_back.csv")).unwrap();
    let session = std::fs::read_to_string(dir.path().join("session.json")).unwrap();
    let session = session.replacen(
        "\"sensors\": [",
        "\"sensors\": [\n  {\"placement\": \"lower-back\", \"file\": \"lower_back.csv\", \"axes\": \"URF\"},",
        1,
    );
    std::fs::write(dir.path().join("session.json"), session).unwrap();
    let a = analyze_session(dir.path(), &AnalyzeOptions::default()).unwrap();
    let g = a.gait.unwrap();
    assert_eq!(g.source, "feet + lower-back");
    assert!(g.summary.regularity.is_some() && g.summary.harmonic_ratio.is_some());
    assert!(
        g.notes
            .iter()
            .any(|n| n.contains("regularity and harmonic ratio come from the lower-back")),
        "{:?}",
        g.notes
    );
    // contacts are still the feet's
    assert_eq!(g.initial_contacts, a.legs.unwrap().initial_contacts);
}

#[test]
fn a_long_gap_splits_the_walk_and_no_stride_crosses_it() {
    // 0.6 s of the right foot's samples lost around 10 s (longer than the 0.1 s fill limit)
    let dir = copy_fixture(|t| {
        t.lines()
            .filter(|l| {
                l.split(',')
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .is_none_or(|s| !(9.7..10.3).contains(&s))
            })
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let a = analyze_session_legs(&Session::read(dir.path()).unwrap(), dir.path()).unwrap();
    let right: Vec<_> = a
        .strides
        .iter()
        .filter(|s| s.side == gaitkit::gait::Side::Right)
        .collect();
    assert!(right.len() > 20);
    for s in &right {
        assert!(
            s.end_ic_s < 9.7 || s.ic_s > 10.3,
            "stride {:.2}–{:.2} s crosses the gap",
            s.ic_s,
            s.end_ic_s
        );
    }
    let g = gaitkit::analyze::analyze_session(dir.path(), &Default::default())
        .unwrap()
        .gait
        .unwrap();
    assert!(g
        .gaps
        .iter()
        .any(|x| !x.filled && (x.start_s - 9.7).abs() < 0.01));
    assert!(
        g.bouts.len() >= 2 && g.bouts.iter().any(|b| b.ended_by == "gap"),
        "{:?}",
        g.bouts
    );
}

#[test]
fn leg_sensors_out_of_step_in_time_are_refused() {
    // right foot timestamps 0.25 s late, session without a shared clock and without sync jump
    let dir = copy_fixture(|t| {
        let mut lines = t.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for l in lines {
            let (time, rest) = l.split_once(',').unwrap();
            out += &format!("{:.5},{rest}\n", time.parse::<f64>().unwrap() + 0.25);
        }
        out
    });
    let err = analyze_session_legs(&Session::read(dir.path()).unwrap(), dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("do not seem to share a timeline") && err.contains("+0.2"),
        "{err}"
    );
}

#[test]
fn strides_csv_has_one_row_per_stride_with_leg_columns_filled() {
    use gaitkit::analyze::{analyze_session, AnalyzeOptions};
    use gaitkit::report::strides_csv::{StridesCsvExporter, HEADER};
    use gaitkit::report::Exporter;
    let a = analyze_session(&fixture(), &AnalyzeOptions::default()).unwrap();
    let mut out = Vec::new();
    StridesCsvExporter.export(&a, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), HEADER);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let g = a.gait.as_ref().unwrap();
    assert_eq!(rows.len(), g.strides.len());
    let col = |name: &str| HEADER.split(',').position(|h| h == name).unwrap();
    let starts: Vec<f64> = rows
        .iter()
        .map(|r| r[col("contact_s")].parse().unwrap())
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "rows in time order"
    );
    let mut complete = 0;
    for r in &rows {
        assert_eq!(r.len(), HEADER.split(',').count());
        assert!(r[col("toe_off_s")].parse::<f64>().is_ok(), "{r:?}");
        // the other leg's events are missing only at the ends of the walk
        let parts: Vec<Option<f64>> = [
            "initial_double_support_s",
            "single_support_s",
            "terminal_double_support_s",
            "phase_deg",
        ]
        .iter()
        .map(|c| r[col(c)].parse().ok())
        .collect();
        if let [Some(ids), Some(ss), Some(tds), Some(_)] = parts[..] {
            complete += 1;
            let stance: f64 = r[col("stance_time_s")].parse().unwrap();
            assert!(
                (ids + ss + tds - stance).abs() < 1e-3,
                "stance = IDS + SS + TDS in {r:?}"
            );
        }
    }
    assert!(
        complete + 2 >= rows.len(),
        "{complete} of {} rows complete",
        rows.len()
    );
}

#[test]
fn an_unusable_lower_back_sensor_is_left_out_with_the_reason() {
    use gaitkit::analyze::{analyze_session, AnalyzeOptions};
    let dir = copy_fixture(|t| t);
    // 2 s of lower-back data: too short for the trunk analysis
    let rows: Vec<String> = (0..200)
        .map(|i| format!("{:.2},9.81,0.1,0.2,0.5,0.3,0.1", i as f64 / 100.0))
        .collect();
    std::fs::write(
        dir.path().join("lower_back.csv"),
        format!(
            "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n{}\n",
            rows.join("\n")
        ),
    )
    .unwrap();
    let session = std::fs::read_to_string(dir.path().join("session.json")).unwrap().replacen(
        "\"sensors\": [",
        "\"sensors\": [\n  {\"placement\": \"lower-back\", \"file\": \"lower_back.csv\", \"axes\": \"URF\"},",
        1,
    );
    std::fs::write(dir.path().join("session.json"), session).unwrap();
    let g = analyze_session(dir.path(), &AnalyzeOptions::default())
        .unwrap()
        .gait
        .unwrap();
    assert_eq!(g.source, "feet");
    let note = g
        .notes
        .iter()
        .find(|n| n.contains("lower-back sensor was left out"))
        .expect("note");
    assert!(
        note.contains("lower_back.csv") && note.contains("at least 5 s"),
        "{note}"
    );
    assert!(g.summary.regularity.is_none());
}

#[test]
fn a_large_recorded_clock_error_is_reported() {
    use gaitkit::analyze::{analyze_session, AnalyzeOptions};
    let dir = copy_fixture(|t| t);
    let session = std::fs::read_to_string(dir.path().join("session.json")).unwrap().replacen(
        "\"sensors\": [",
        "\"sync\": {\"method\": \"arrival-times\", \"max_offset_error_s\": 0.025},\n \"sensors\": [",
        1,
    );
    std::fs::write(dir.path().join("session.json"), session).unwrap();
    let a = analyze_session(dir.path(), &AnalyzeOptions::default()).unwrap();
    assert_eq!(
        a.legs.unwrap().sync.method,
        gaitkit::gait::leg::SyncMethod::SharedTimeline
    );
    let g = a.gait.unwrap();
    assert!(
        g.notes.iter().any(|n| n.contains("up to 25 ms")),
        "{:?}",
        g.notes
    );
}

#[test]
fn legs_that_do_not_walk_leave_the_lower_back_in_charge() {
    use gaitkit::analyze::{analyze_session, AnalyzeOptions};
    let dir = tempfile::tempdir().unwrap();
    let lb = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mobilised_HA001_Test5_Trial1");
    std::fs::copy(lb.join("lower_back.csv"), dir.path().join("lower_back.csv")).unwrap();
    let still: Vec<String> = (0..1500)
        .map(|i| format!("{:.3},0.1,0.2,9.8,0.4,-0.3,0.2", i as f64 / 100.0))
        .collect();
    let csv = format!(
        "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n{}\n",
        still.join("\n")
    );
    for f in ["left_foot.csv", "right_foot.csv"] {
        std::fs::write(dir.path().join(f), &csv).unwrap();
    }
    let session = std::fs::read_to_string(lb.join("session.json")).unwrap().replacen(
        "\"sensors\": [",
        "\"sensors\": [\n {\"placement\": \"left-foot\", \"file\": \"left_foot.csv\", \"axes\": \"FLU\"},\n {\"placement\": \"right-foot\", \"file\": \"right_foot.csv\", \"axes\": \"FLU\"},",
        1,
    );
    std::fs::write(dir.path().join("session.json"), session).unwrap();
    let a = analyze_session(dir.path(), &AnalyzeOptions::default()).unwrap();
    assert!(a.legs.is_none());
    let g = a.gait.unwrap();
    assert_eq!(g.source, "lower-back");
    assert!(
        g.notes
            .iter()
            .any(|n| n.contains("leg sensors were not used") && n.contains("hardly rotates")),
        "{:?}",
        g.notes
    );
    assert!(!g.initial_contacts.is_empty());
}
