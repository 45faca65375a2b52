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
