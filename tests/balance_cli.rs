//! `gaitkit balance` end to end on simulated session folders.

mod support;

use std::process::Command;

use gaitkit::gait::Side;
use support::balance_sim::*;
use support::gaitkit_ok;

#[test]
fn balance_command_prints_compares_and_exports() {
    let root = tempfile::tempdir().unwrap();
    let (l, r) = (root.path().join("left"), root.path().join("right"));
    write_single_leg_session(&l, Side::Left, (6.0, 16.0), "single-leg-left");
    write_single_leg_session(&r, Side::Right, (6.0, 30.0), "single-leg-right");
    let (json, csv) = (root.path().join("b.json"), root.path().join("b.csv"));
    let stdout = gaitkit_ok(&[
        "balance",
        l.to_str().unwrap(),
        r.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    println!("{stdout}");
    // holds of 10 and 24 s (event times within 0.1 s)
    assert!(
        stdout.contains("The left leg is less stable: best hold "),
        "{stdout}"
    );
    // age 75 from session.json: norm 21 s for 70–79 y
    assert!(
        stdout.contains("is below the norm for ages 70–79 (21 s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("is at or above the norm for ages 70–79"),
        "{stdout}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        v["balance"]["sides"]["single_leg_norm"]["left"]["below_norm"],
        true
    );
    assert_eq!(
        v["balance"]["sides"]["single_leg_norm"]["right"]["below_norm"],
        false
    );
    let best = |side: &str| {
        v["balance"]["sides"]["single_leg"][side]["best_hold_s"]
            .as_f64()
            .unwrap()
    };
    assert!(
        (best("left") - 10.0).abs() < 0.15 && (best("right") - 24.0).abs() < 0.15,
        "{} {}",
        best("left"),
        best("right")
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 3);
}

#[test]
fn balance_command_fails_cleanly_on_bad_input() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("nope");
    let out = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .args(["balance", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nope") && err.contains("not a session folder"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .args(["balance", root.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("session.json"), "{err}");
}
