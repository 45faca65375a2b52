//! End to end: simulated session folders → balance analysis → per-side comparison, terminal
//! text, JSON under `balance`, CSV rows.

mod support;

use gaitkit::balance::{analyze_session, BalanceReport, TrialResult};
use gaitkit::gait::Side;
use gaitkit::report::balance_text;
use support::balance_sim::*;

fn sls(stance: Side, holds: &[(f64, f64)], seed: u64) -> SimRecording {
    let attempts = holds
        .iter()
        .map(|&(lo, td)| SlsAttempt {
            stance,
            lift_off_s: lo,
            touch_down_s: td,
            losses: vec![],
        })
        .collect();
    let script = SlsScript {
        duration_s: holds.last().unwrap().1 + 6.0,
        attempts,
        transfer_m: 0.09,
        transfer_s: 0.7,
        hike_deg: 3.0,
        seed,
    };
    simulate_single_leg(
        &script,
        ImuModel {
            seed: seed + 1,
            ..ImuModel::default()
        },
    )
}

fn squat(stance: Side, drop_deg: f64) -> SimRecording {
    let reps = (0..3)
        .map(|i| Rep {
            start_s: 6.0 + 5.0 * i as f64,
            pelvic_drop_deg: drop_deg,
            forward_lean_deg: 15.0,
            depth_m: 0.2,
        })
        .collect();
    let script = SquatScript {
        duration_s: 23.0,
        stance,
        reps,
        phase_s: 1.2,
        step_down: false,
        settle_tau_s: 0.35,
        seed: 21,
    };
    simulate_squat(&script, ImuModel::default())
}

#[test]
fn sessions_to_report_text_json_and_csv() {
    let root = tempfile::tempdir().unwrap();
    // left leg weaker: shorter holds and a larger pelvic drop
    let sessions: Vec<(&str, SimRecording, Option<&str>)> = vec![
        (
            "stand",
            simulate_standing(
                &StandingScript {
                    duration_s: 30.0,
                    ..StandingScript::default()
                },
                ImuModel::default(),
            ),
            Some("stand"),
        ),
        (
            "sls_left",
            sls(Side::Left, &[(6.0, 14.0), (20.0, 32.0)], 31),
            Some("single-leg-left"),
        ),
        (
            "sls_right",
            sls(Side::Right, &[(6.0, 24.0), (30.0, 51.0)], 41),
            None,
        ),
        ("squat_left", squat(Side::Left, 9.0), Some("squat-left")),
        ("squat_right", squat(Side::Right, 3.0), Some("squat-right")),
    ];
    let mut trials = Vec::new();
    for (name, rec, task) in &sessions {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        rec.write_session(&dir, *task, Some(65.0));
        trials.push(analyze_session(&dir).unwrap());
    }
    assert!(matches!(
        trials[0].result,
        TrialResult::Standing {
            eyes_closed: false,
            ..
        }
    ));
    // the right-leg session has no task: detected from the weight transfer
    assert_eq!(trials[2].task, "single-leg-right");
    assert!(trials[2].task_detected);
    // the charts' model: best hold per leg for the patient, with the age norm as normal range
    let session = gaitkit::recording::Session::read(&root.path().join("sls_left")).unwrap();
    let m =
        gaitkit::report::metrics_from_balance::session_metrics(&trials[1], &session, Some(65.0));
    let best = m
        .metrics
        .iter()
        .find(|x| x.key == "sls_best_hold_left_s")
        .unwrap();
    assert!((best.value - 12.0).abs() < 0.15 && best.samples.len() == 2);
    assert_eq!(best.normal_range.as_ref().unwrap().low, 32.0);
    let m = gaitkit::report::metrics_from_balance::session_metrics(&trials[3], &session, None);
    let drop = m
        .metrics
        .iter()
        .find(|x| x.key == "squat_pelvic_drop_left_deg")
        .unwrap();
    assert!((drop.value - 9.0).abs() < 2.0 && drop.samples.len() == 3);
    let report = BalanceReport::new(trials, Some(65.0));
    let sides = &report.sides;
    let (l, r) = (
        sides.single_leg.left.as_ref().unwrap(),
        sides.single_leg.right.as_ref().unwrap(),
    );
    assert!(
        (l.best_hold_s - 12.0).abs() < 0.15 && (r.best_hold_s - 21.0).abs() < 0.15,
        "{l:?} {r:?}"
    );
    assert!((l.mean_hold_s - 10.0).abs() < 0.15 && (r.mean_hold_s - 19.5).abs() < 0.15);
    // right relative to left: the right holds longer → positive SI, (21 − 12)/16.5 = +54.5 %
    let si = sides.single_leg_best_hold.unwrap().si_pct.unwrap();
    assert!((si - 54.5).abs() < 2.0, "{si}");
    // age 65: norm 32 s, but a 30-s protocol cannot reach it, so no verdict is given
    assert!(sides.single_leg_norm.left.is_none());
    let (ql, qr) = (sides.squat.left.unwrap(), sides.squat.right.unwrap());
    assert!(
        (ql.mean_pelvic_drop_deg - 9.0).abs() < 2.0 && (qr.mean_pelvic_drop_deg - 3.0).abs() < 2.0,
        "{ql:?} {qr:?}"
    );
    assert!(sides.squat_pelvic_drop.unwrap().si_pct.unwrap() < -50.0);

    let text = balance_text::text(&report);
    println!("{text}");
    // the text names the less stable leg with the best hold checked above
    assert!(
        text.contains(&format!(
            "The left leg is less stable: best hold {:.1}",
            l.best_hold_s
        )),
        "{text}"
    );
    assert!(
        text.contains("the pelvis drops more when standing on the left leg"),
        "{text}"
    );
    assert!(text.contains("Quiet standing with eyes open"));
    assert!(text.contains("m/s²") && text.contains("°"));

    let json = balance_text::json_value(&report);
    assert_eq!(json["balance"]["trials"].as_array().unwrap().len(), 5);
    assert_eq!(
        json["balance"]["trials"][1]["result"]["kind"],
        "single_leg_stance"
    );
    assert_eq!(
        json["balance"]["trials"][1]["result"]["attempts"][0]["stance_side"],
        "left"
    );
    assert!(
        json["balance"]["sides"]["single_leg_best_hold"]["si_pct"]
            .as_f64()
            .unwrap()
            > 50.0
    );

    let csv = balance_text::csv_string(&report);
    let lines: Vec<&str> = csv.lines().collect();
    // header + 1 standing + 2 + 2 attempts + 3 + 3 repetitions
    assert_eq!(lines.len(), 1 + 1 + 4 + 6, "{csv}");
    assert!(lines[0].starts_with("label,task,row,index,side,start_s"));
    assert!(lines[2].starts_with("sls_left,single-leg-left,attempt,1,left,"));
}

#[test]
fn bad_sessions_give_clear_errors() {
    let root = tempfile::tempdir().unwrap();
    let rec = simulate_standing(
        &StandingScript {
            duration_s: 12.0,
            ..StandingScript::default()
        },
        ImuModel::default(),
    );
    let walk = root.path().join("walk");
    std::fs::create_dir(&walk).unwrap();
    rec.write_session(&walk, Some("walk"), None);
    let err = analyze_session(&walk).unwrap_err().to_string();
    assert!(
        err.contains("walking trial") && err.contains("gaitkit analyze"),
        "{err}"
    );

    let feet = root.path().join("feet");
    std::fs::create_dir(&feet).unwrap();
    rec.write_session(&feet, Some("stand"), None);
    let json = std::fs::read_to_string(feet.join("session.json"))
        .unwrap()
        .replace("lower-back", "left-foot");
    std::fs::write(feet.join("session.json"), json).unwrap();
    let err = analyze_session(&feet).unwrap_err().to_string();
    assert!(
        err.contains("needs a lower-back sensor") && err.contains("left-foot"),
        "{err}"
    );

    let short = root.path().join("short");
    std::fs::create_dir(&short).unwrap();
    let csv: String = std::fs::read_to_string(walk.join("lower_back.csv"))
        .unwrap()
        .lines()
        .take(300)
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(short.join("lower_back.csv"), csv).unwrap();
    std::fs::copy(walk.join("session.json"), short.join("session.json")).unwrap();
    let json = std::fs::read_to_string(short.join("session.json"))
        .unwrap()
        .replace("\"walk\"", "\"stand\"");
    std::fs::write(short.join("session.json"), json).unwrap();
    let err = analyze_session(&short).unwrap_err().to_string();
    assert!(
        err.contains("short") && err.contains("at least 7 s"),
        "{err}"
    );

    let broken = root.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::copy(short.join("session.json"), broken.join("session.json")).unwrap();
    std::fs::write(
        broken.join("lower_back.csv"),
        "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n",
    )
    .unwrap();
    let err = analyze_session(&broken).unwrap_err().to_string();
    assert!(
        err.contains("lower_back.csv, line 2") && err.contains("gyr_z"),
        "{err}"
    );
}

#[test]
fn real_walks_without_a_task_are_refused_as_walking() {
    // every bundled real recording is a walk; none may pass for a balance trial
    for name in [
        "mobilised_HA001_Test5_Trial1",
        "mobilised_MS001_Test5_Trial1",
        "mobilised_HA001_Test11_Trial1",
    ] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        let err = analyze_session(&dir).unwrap_err().to_string();
        assert!(
            err.contains("looks like walking") && err.contains("gaitkit analyze"),
            "{name}: {err}"
        );
    }
}
