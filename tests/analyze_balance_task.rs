//! `gaitkit analyze` on a session whose task is a balance task runs the balance analyses.

mod support;

use gaitkit::gait::Side;
use support::balance_sim::*;
use support::gaitkit_ok;

#[test]
fn analyze_sends_a_single_leg_stance_session_to_the_balance_analyses() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("sls-left");
    std::fs::create_dir(&dir).unwrap();
    let script = SlsScript {
        duration_s: 21.0,
        attempts: vec![SlsAttempt {
            stance: Side::Left,
            lift_off_s: 6.0,
            touch_down_s: 16.0,
            losses: vec![],
        }],
        transfer_m: 0.09,
        transfer_s: 0.7,
        hike_deg: 3.0,
        seed: 7,
    };
    simulate_single_leg(&script, ImuModel::default()).write_session(
        &dir,
        Some("single-leg-left"),
        Some(75.0),
    );
    let json = root.path().join("b.json");
    let stdout = gaitkit_ok(&[
        "analyze",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("Task single-leg-left: balance analysis"),
        "{stdout}"
    );
    assert!(!stdout.contains("No walking found"), "{stdout}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(v["balance"].is_object(), "{v}");
}

#[test]
fn analyze_detects_the_stance_leg_of_an_unsided_single_leg_stance() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("sls");
    std::fs::create_dir(&dir).unwrap();
    let script = SlsScript {
        duration_s: 21.0,
        attempts: vec![SlsAttempt {
            stance: Side::Right,
            lift_off_s: 6.0,
            touch_down_s: 16.0,
            losses: vec![],
        }],
        transfer_m: 0.08,
        transfer_s: 0.8,
        hike_deg: 3.0,
        seed: 11,
    };
    simulate_single_leg(&script, ImuModel::default()).write_session(
        &dir,
        Some("single-leg-stance"),
        None,
    );
    let json = root.path().join("b.json");
    let stdout = gaitkit_ok(&[
        "analyze",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("Task single-leg-stance: balance analysis"),
        "{stdout}"
    );
    assert!(
        stdout.contains("detected from the weight shift as the right leg"),
        "{stdout}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let trial = &v["balance"]["trials"][0];
    assert_eq!(trial["task"], "single-leg-stance", "{trial}");
    assert_eq!(trial["side_detected"], true, "{trial}");
    let attempts = trial["result"]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1, "{trial}");
    assert_eq!(attempts[0]["stance_side"], "right", "{trial}");
    let hold = attempts[0]["hold_s"].as_f64().unwrap();
    assert!((hold - 10.0).abs() < 0.2, "hold {hold}");
}

#[test]
fn analyze_refuses_an_unknown_task_and_lists_the_known_ones() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("odd");
    std::fs::create_dir(&dir).unwrap();
    let script = SlsScript {
        duration_s: 12.0,
        attempts: vec![],
        transfer_m: 0.08,
        transfer_s: 0.8,
        hike_deg: 3.0,
        seed: 12,
    };
    simulate_single_leg(&script, ImuModel::default()).write_session(&dir, Some("hop-test"), None);
    let out = support::run_gaitkit(&["analyze", dir.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"hop-test\""), "{err}");
    for known in gaitkit::recording::Task::KNOWN {
        assert!(err.contains(known), "{known} missing from: {err}");
        let parsed: gaitkit::recording::Task = known.parse().unwrap();
        assert_eq!(parsed.as_str(), known);
        assert!(!matches!(parsed, gaitkit::recording::Task::Other(_)));
    }
}
