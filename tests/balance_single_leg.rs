//! Single-leg stance on the simulator (tests/support/balance_sim.rs): lift-off and touch-down
//! times, stance side, balance losses, best/mean of attempts.

#[path = "support/sls_family.rs"]
mod sls_family;
mod support;

use gaitkit::balance::single_leg_stance::{single_leg_stance, LossKind, StanceSettings};
use gaitkit::balance::trunk_motion::TrunkMotion;
use gaitkit::balance::TrialResult;
use gaitkit::gait::Side;
use support::balance_sim::*;

fn run(
    script: &SlsScript,
    axes: &str,
    expected: Option<Side>,
) -> gaitkit::balance::single_leg_stance::SingleLegStance {
    let rec = simulate_single_leg(
        script,
        ImuModel {
            axes: axes.parse().unwrap(),
            seed: script.seed + 1,
            ..ImuModel::default()
        },
    );
    let (acc, gyr) = rec.body_frame();
    let m = TrunkMotion::from_body_frame(&acc, &gyr, rec.fs_hz).unwrap();
    single_leg_stance(&m, expected, StanceSettings::default()).0
}

fn two_attempts(stance: Side, seed: u64) -> SlsScript {
    SlsScript {
        duration_s: 55.0,
        attempts: vec![
            SlsAttempt {
                stance,
                lift_off_s: 6.0,
                touch_down_s: 19.0,
                losses: vec![(11.0, SimLoss::Excursion(0.7)), (15.0, SimLoss::Hop)],
            },
            SlsAttempt {
                stance,
                lift_off_s: 26.0,
                touch_down_s: 48.5,
                losses: vec![],
            },
        ],
        transfer_m: 0.09,
        transfer_s: 0.7,
        hike_deg: 3.0,
        seed,
    }
}

#[test]
fn lift_off_and_touch_down_within_0_1_s_and_sides_never_swapped() {
    let mut worst: f64 = 0.0;
    for stance in [Side::Left, Side::Right] {
        for (axes, seed) in [("URF", 3), ("DLF", 4), ("BLD", 5)] {
            let script = two_attempts(stance, seed);
            let r = run(&script, axes, None);
            assert_eq!(r.attempts.len(), 2, "{stance:?} {axes}: {:?}", r.attempts);
            for (a, truth) in r.attempts.iter().zip(&script.attempts) {
                assert_eq!(a.stance_side, Some(stance), "{axes}: side swapped");
                let e_lo = a.lift_off_s - truth.lift_off_s;
                let e_td = a.touch_down_s.unwrap() - truth.touch_down_s;
                println!("{stance:?} {axes}: lift-off {:.3} (true {}) {e_lo:+.3} s, touch-down {:.3} (true {}) {e_td:+.3} s, hold {:.2} s", a.lift_off_s, truth.lift_off_s, a.touch_down_s.unwrap(), truth.touch_down_s, a.hold_s);
                assert!(
                    e_lo.abs() < 0.1,
                    "lift-off error {e_lo} s (tolerance 0.1 s)"
                );
                assert!(
                    e_td.abs() < 0.1,
                    "touch-down error {e_td} s (tolerance 0.1 s)"
                );
                worst = worst.max(e_lo.abs()).max(e_td.abs());
            }
        }
    }
    println!("worst event error {worst:.3} s");
}

#[test]
fn losses_are_found_with_their_kind_and_time() {
    for stance in [Side::Left, Side::Right] {
        let script = two_attempts(stance, 8);
        let r = run(&script, "URF", Some(stance));
        let first = &r.attempts[0];
        println!("{stance:?} losses: {:?}", first.losses);
        let find = |kind: LossKind, t: f64| {
            first
                .losses
                .iter()
                .any(|l| l.kind == kind && (l.t_s - t).abs() < 0.5)
        };
        assert!(find(LossKind::Hop, 15.0), "hop at 15 s: {:?}", first.losses);
        assert!(
            find(LossKind::CorrectiveExcursion, 11.0),
            "excursion at 11 s: {:?}",
            first.losses
        );
        assert!(find(LossKind::TouchDown, 19.0));
        assert_eq!(first.losses.len(), 3, "no false losses: {:?}", first.losses);
        // the second attempt lasts 22.5 s with no scripted loss, and ends before the 30-s
        // protocol maximum, so its touch-down is its only loss
        let second = &r.attempts[1];
        assert_eq!(second.losses.len(), 1, "{:?}", second.losses);
        assert_eq!(second.losses[0].kind, LossKind::TouchDown);
    }
}

#[test]
fn wrong_side_attempts_are_dropped_when_the_task_names_the_side() {
    let script = two_attempts(Side::Right, 9);
    let rec = simulate_single_leg(&script, ImuModel::default());
    let (acc, gyr) = rec.body_frame();
    let m = TrunkMotion::from_body_frame(&acc, &gyr, rec.fs_hz).unwrap();
    let (r, dropped) = single_leg_stance(&m, Some(Side::Left), StanceSettings::default());
    assert!(
        r.attempts.is_empty(),
        "{:?}",
        r.attempts
            .iter()
            .map(|a| (a.stance_side, a.lift_off_s, a.touch_down_s))
            .collect::<Vec<_>>()
    );
    assert_eq!(dropped, 2);
}

#[test]
fn quiet_standing_has_no_attempts() {
    let rec = simulate_standing(&StandingScript::default(), ImuModel::default());
    let (acc, gyr) = rec.body_frame();
    let m = TrunkMotion::from_body_frame(&acc, &gyr, rec.fs_hz).unwrap();
    let (r, _) = single_leg_stance(&m, None, StanceSettings::default());
    assert!(r.attempts.is_empty(), "{:?}", r.attempts);
}

#[test]
fn both_legs_in_one_recording_are_told_apart() {
    let script = SlsScript {
        duration_s: 45.0,
        attempts: vec![
            SlsAttempt {
                stance: Side::Right,
                lift_off_s: 6.0,
                touch_down_s: 18.0,
                losses: vec![],
            },
            SlsAttempt {
                stance: Side::Left,
                lift_off_s: 25.0,
                touch_down_s: 38.0,
                losses: vec![],
            },
        ],
        transfer_m: 0.09,
        transfer_s: 0.7,
        hike_deg: 3.0,
        seed: 61,
    };
    let r = run(&script, "DLF", None);
    let sides: Vec<Option<Side>> = r.attempts.iter().map(|a| a.stance_side).collect();
    assert_eq!(
        sides,
        vec![Some(Side::Right), Some(Side::Left)],
        "{:?}",
        r.attempts
    );
    for (a, t) in r.attempts.iter().zip(&script.attempts) {
        assert!(
            (a.lift_off_s - t.lift_off_s).abs() < 0.1
                && (a.touch_down_s.unwrap() - t.touch_down_s).abs() < 0.1
        );
    }
}

#[test]
fn a_sensor_on_the_raised_shank_times_the_events_within_0_05_s() {
    use gaitkit::balance::analyze_session;
    use gaitkit::balance::leg_lift::EventSource;
    for (stance, shank, placement) in [
        (Side::Left, "right_shank.csv", "right-shank"),
        (Side::Right, "left_shank.csv", "left-shank"),
    ] {
        let script = SlsScript {
            duration_s: 40.0,
            attempts: vec![
                SlsAttempt {
                    stance,
                    lift_off_s: 6.0,
                    touch_down_s: 16.0,
                    losses: vec![],
                },
                SlsAttempt {
                    stance,
                    lift_off_s: 22.0,
                    touch_down_s: 34.0,
                    losses: vec![],
                },
            ],
            transfer_m: 0.09,
            transfer_s: 0.7,
            hike_deg: 3.0,
            seed: 71,
        };
        let dir = tempfile::tempdir().unwrap();
        simulate_single_leg(&script, ImuModel::default()).write_session(dir.path(), None, None);
        // shank sensor mounted with x up, y forward, z to the left (right-handed "UFL")
        let axes = "UFL";
        let leg = simulate_raised_shank(
            &script,
            40.0,
            ImuModel {
                axes: axes.parse().unwrap(),
                seed: 72,
                ..ImuModel::default()
            },
        );
        std::fs::write(dir.path().join(shank), leg.csv_text()).unwrap();
        let json = std::fs::read_to_string(dir.path().join("session.json")).unwrap().replace(
            "\"axes\": \"URF\"}]",
            &format!("\"axes\": \"URF\"}}, {{\"placement\": \"{placement}\", \"file\": \"{shank}\", \"axes\": \"{axes}\"}}]"),
        );
        std::fs::write(dir.path().join("session.json"), json).unwrap();
        let trial = analyze_session(dir.path()).unwrap();
        let TrialResult::SingleLegStance(sls) = &trial.result else {
            panic!("{trial:?}")
        };
        assert_eq!(sls.attempts.len(), 2, "{:?}", sls.attempts);
        for (a, t) in sls.attempts.iter().zip(&script.attempts) {
            assert_eq!(a.stance_side, Some(stance));
            assert_eq!(
                a.events_from,
                EventSource::LegSensor,
                "{:?}",
                trial.warnings
            );
            let (e_lo, e_td) = (
                a.lift_off_s - t.lift_off_s,
                a.touch_down_s.unwrap() - t.touch_down_s,
            );
            println!(
                "{stance:?} stance, {placement}: lift-off {e_lo:+.3} s, touch-down {e_td:+.3} s"
            );
            assert!(
                e_lo.abs() < 0.05 && e_td.abs() < 0.05,
                "lift-off {e_lo}, touch-down {e_td} (tolerance 0.05 s)"
            );
        }
        // the per-leg summary, its text and the events chart name the leg sensor
        let events = gaitkit::report::metrics_from_balance::single_leg_events(&trial).unwrap();
        let report = gaitkit::balance::BalanceReport::new(vec![trial], None);
        let sum = report.sides.single_leg.get(stance).as_ref().unwrap();
        assert_eq!(sum.events_from, [EventSource::LegSensor]);
        let text = gaitkit::report::balance_text::text(&report);
        assert!(
            text.contains("\n    lift-off and touch-down timed by the raised leg's own sensor\n"),
            "{text}"
        );
        use gaitkit::report::charts::Chart;
        let chart =
            gaitkit::report::charts::single_leg_events::SingleLegEventsChart::for_recordings(&[
                events,
            ]);
        assert!(
            chart[0]
                .subtitle()
                .contains("timed by the raised leg's sensor"),
            "{}",
            chart[0].subtitle()
        );
    }
}

/// The attempts and warnings of a session folder analysed end to end.
fn attempts_of(
    dir: &std::path::Path,
) -> (
    Vec<gaitkit::balance::single_leg_stance::StanceAttempt>,
    Vec<String>,
) {
    let trial = gaitkit::balance::analyze_session(dir).unwrap();
    match trial.result {
        TrialResult::SingleLegStance(s) => (s.attempts, trial.warnings),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_drop_out_during_a_hold_ends_it_as_interrupted_and_nothing_spans_the_gap() {
    // holds 6→19 s and 26→48.5 s; an 80-ms drop-out (short enough to be bridged if it were
    // not marked) at 35 s, in the second hold, or at 12 s, in the first
    for stance in [Side::Left, Side::Right] {
        let mut script = two_attempts(stance, 21);
        script.attempts.iter_mut().for_each(|a| a.losses.clear());
        let rec = simulate_single_leg(&script, ImuModel::default());
        let root = tempfile::tempdir().unwrap();

        // gap in the second hold: the longest part is 0–35 s, with the first attempt whole and
        // the second cut by the gap
        let dir = root.path().join("late");
        std::fs::create_dir(&dir).unwrap();
        rec.write_session(&dir, Some("single-leg-stance"), None);
        drop_out(&dir, 35.0, 35.08);
        let (attempts, warnings) = attempts_of(&dir);
        assert_eq!(attempts.len(), 2, "{stance:?}: {attempts:?}");
        let (first, second) = (&attempts[0], &attempts[1]);
        assert!(!first.interrupted_by_gap);
        assert!(
            (first.touch_down_s.unwrap() - 19.0).abs() < 0.15,
            "{first:?}"
        );
        assert!((second.lift_off_s - 26.0).abs() < 0.15, "{second:?}");
        assert!(
            second.interrupted_by_gap && second.touch_down_s.is_none(),
            "{second:?}"
        );
        assert!(
            (second.lift_off_s + second.hold_s - 35.0).abs() < 0.02,
            "hold stops at the gap: {second:?}"
        );
        assert!(
            second.losses.iter().all(|l| l.t_s <= 35.0),
            "{:?}",
            second.losses
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("attempt 2") && w.contains("lower bound")),
            "{warnings:?}"
        );

        // gap in the first hold: the longest part starts at 12.08 s; the first attempt's lift-off lies
        // before the gap, so it is not reported, and nothing reported starts before the gap
        let dir = root.path().join("early");
        std::fs::create_dir(&dir).unwrap();
        rec.write_session(&dir, Some("single-leg-stance"), None);
        drop_out(&dir, 12.0, 12.08);
        let (attempts, _) = attempts_of(&dir);
        assert_eq!(attempts.len(), 1, "{stance:?}: {attempts:?}");
        let a = &attempts[0];
        assert!(
            (a.lift_off_s - 26.0).abs() < 0.15 && (a.touch_down_s.unwrap() - 48.5).abs() < 0.15,
            "{a:?}"
        );
        assert!(!a.interrupted_by_gap && a.stance_side == Some(stance));
    }
}

#[test]
fn mirrored_left_right_signals_give_the_other_side_at_the_same_times() {
    // mirroring across the sagittal plane: ML acceleration changes sign, and of the angular
    // velocity (an axial vector) the V and AP components do
    for stance in [Side::Left, Side::Right] {
        let mut script = two_attempts(stance, 31);
        script.attempts.iter_mut().for_each(|a| a.losses.clear());
        let rec = simulate_single_leg(&script, ImuModel::default());
        let (acc, gyr) = rec.body_frame();
        let detect = |acc: &[Vec<f64>; 3], gyr: &[Vec<f64>; 3]| {
            let m = TrunkMotion::from_body_frame(acc, gyr, rec.fs_hz).unwrap();
            single_leg_stance(&m, None, StanceSettings::default()).0
        };
        let neg = |x: &Vec<f64>| x.iter().map(|v| -v).collect::<Vec<f64>>();
        let m_acc = [acc[0].clone(), neg(&acc[1]), acc[2].clone()];
        let m_gyr = [neg(&gyr[0]), gyr[1].clone(), neg(&gyr[2])];
        let (plain, mirrored) = (detect(&acc, &gyr), detect(&m_acc, &m_gyr));
        assert_eq!(plain.attempts.len(), 2, "{:?}", plain.attempts);
        assert_eq!(mirrored.attempts.len(), 2, "{:?}", mirrored.attempts);
        for (p, m) in plain.attempts.iter().zip(&mirrored.attempts) {
            assert_eq!(p.stance_side, Some(stance));
            assert_eq!(m.stance_side, Some(stance.opposite()));
            assert!((p.lift_off_s - m.lift_off_s).abs() < 0.02, "{p:?} vs {m:?}");
            let (tp, tm) = (p.touch_down_s.unwrap(), m.touch_down_s.unwrap());
            assert!((tp - tm).abs() < 0.02, "{tp} vs {tm}");
        }
    }
}

#[test]
fn a_sensor_pitched_and_rolled_by_30_deg_either_way_keeps_the_events_and_the_side() {
    // the independently written family's simulator (tests/support/sls_family.rs): an 8-s hold
    // with 1.5° of sway and a 6-cm shift, the sensor mounted pitched and rolled by ±30° (not
    // declared), analysed through the session folder as `gaitkit balance` does
    let root = tempfile::tempdir().unwrap();
    let mut k = 0;
    let mut unknown = 0;
    for stance in [Side::Left, Side::Right] {
        for (pitch_deg, roll_deg) in [(30.0, 30.0), (30.0, -30.0), (-30.0, 30.0), (-30.0, -30.0)] {
            k += 1;
            let case = sls_family::SlsCase {
                seed: 4_242_000 + k,
                stance,
                hold_s: 8.0,
                sway_deg: 1.5,
                shift_m: 0.06,
                hard_touch_down: k % 2 == 0,
                extras: sls_family::Extras::None,
                pitch_deg,
                roll_deg,
                fs_hz: 100.0,
                axes: "URF",
            };
            let (rec, truth) = sls_family::simulate(&case);
            let dir = root.path().join(format!("tilt-{k}"));
            std::fs::create_dir_all(&dir).unwrap();
            rec.write_session(&dir, "single-leg-stance");
            let trial = gaitkit::balance::analyze_session(&dir).unwrap();
            let TrialResult::SingleLegStance(sls) = &trial.result else {
                panic!("{pitch_deg}/{roll_deg}: not analysed as single-leg stance");
            };
            let what = format!("{stance:?} pitch {pitch_deg}° roll {roll_deg}°");
            assert_eq!(sls.attempts.len(), 1, "{what}: {:?}", sls.attempts);
            let a = &sls.attempts[0];
            // a side is never wrong; where the shift does not show it clearly it is unknown
            assert!(
                a.stance_side.is_none_or(|s| s == stance),
                "{what}: side {:?}",
                a.stance_side
            );
            unknown += usize::from(a.stance_side.is_none());
            let e_lo = a.lift_off_s - truth.lift_off_s;
            let e_td = a.touch_down_s.map(|t| t - truth.touch_down_s);
            println!("{what}: lift-off {e_lo:+.3} s, touch-down {e_td:?} s");
            assert!(e_lo.abs() <= 0.3, "{what}: lift-off error {e_lo:.3} s");
            assert!(
                e_td.is_some_and(|e| e.abs() <= 0.3),
                "{what}: touch-down error {e_td:?} s"
            );
        }
    }
    assert!(unknown <= 1, "{unknown} of 8 sides unknown");
}

#[test]
fn an_attempt_with_the_side_unknown_is_null_in_json_unknown_in_text_and_in_no_leg_figure() {
    let case = sls_family::SlsCase {
        seed: 4_243_001,
        stance: Side::Left,
        hold_s: 8.0,
        sway_deg: 1.0,
        shift_m: 0.06,
        hard_touch_down: true,
        extras: sls_family::Extras::None,
        pitch_deg: 0.0,
        roll_deg: 0.0,
        fs_hz: 100.0,
        axes: "URF",
    };
    let (rec, _) = sls_family::simulate(&case);
    let root = tempfile::tempdir().unwrap();
    rec.write_session(root.path(), "single-leg-stance");
    let mut trial = gaitkit::balance::analyze_session(root.path()).unwrap();
    let TrialResult::SingleLegStance(sls) = &mut trial.result else {
        panic!("not analysed as single-leg stance");
    };
    assert_eq!(sls.attempts.len(), 1, "{:?}", sls.attempts);
    assert_eq!(sls.attempts[0].stance_side, Some(Side::Left));
    // the same attempt with weak side evidence
    let mut weak = sls.attempts[0].clone();
    weak.stance_side = None;
    weak.side_evidence = gaitkit::balance::single_leg_stance::SideEvidence::Weak;
    let chart_label = format!("side unknown, {:.1} s", weak.hold_s);
    sls.attempts.push(weak);
    // the HTML report: the events chart labels the hold "side unknown", and the count of
    // attempts without a side is a metric of the visit
    let metrics = gaitkit::report::metrics_from_balance::trials_metrics("visit", &[&trial], None);
    let unknown = metrics
        .metrics
        .iter()
        .find(|m| m.key == "sls_attempts_side_unknown")
        .expect("a metric counting the attempts without a side");
    assert_eq!(unknown.value, 1.0);
    let html = gaitkit::report::html::build_report(&metrics, None)
        .unwrap()
        .html;
    assert!(
        html.contains(&chart_label),
        "no hold labelled {chart_label:?} in the HTML report"
    );
    let report = gaitkit::balance::BalanceReport::new(vec![trial], None);
    let json = gaitkit::report::balance_text::json_value(&report);
    let attempts = &json["balance"]["trials"][0]["result"]["attempts"];
    assert_eq!(attempts[0]["stance_side"], "left");
    assert!(attempts[1]["stance_side"].is_null(), "{}", attempts[1]);
    assert_eq!(attempts[1]["side_evidence"], "weak");
    let text = gaitkit::report::balance_text::text(&report);
    assert!(text.contains("attempt 2 side unknown"), "{text}");
    assert!(
        text.contains("1 attempt(s) with the side unknown"),
        "{text}"
    );
    // per leg: the left leg has its one attempt, the right leg none, one attempt without side
    let left = report.sides.single_leg.left.as_ref().unwrap();
    assert_eq!(left.attempts, 1);
    assert!(report.sides.single_leg.right.is_none());
    assert_eq!(report.sides.single_leg_side_unknown, 1);
    assert_eq!(json["balance"]["sides"]["single_leg_side_unknown"], 1);
    let csv = gaitkit::report::balance_text::csv_string(&report);
    assert!(csv.contains(",unknown,"), "{csv}");
}

/// A hold the recording ends in is timed to the end and said to be a lower bound; a hold that
/// ends with a touch-down is not.
#[test]
fn a_hold_cut_by_the_end_of_the_data_is_reported_as_a_lower_bound() {
    let root = tempfile::tempdir().unwrap();
    let lower_bound = |w: &str| w.contains("no touch-down was found before the data end");
    for (name, touch_down_s, cut) in [("cut", 40.0, true), ("whole", 14.0, false)] {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        let script = SlsScript {
            duration_s: 19.0,
            attempts: vec![SlsAttempt {
                stance: Side::Left,
                lift_off_s: 6.0,
                touch_down_s,
                losses: vec![],
            }],
            transfer_m: 0.08,
            transfer_s: 0.8,
            hike_deg: 3.0,
            seed: 23,
        };
        simulate_single_leg(&script, ImuModel::default()).write_session(
            &dir,
            Some("single-leg-left"),
            None,
        );
        let trial = gaitkit::balance::analyze_session(&dir).unwrap();
        let TrialResult::SingleLegStance(sls) = &trial.result else {
            panic!("{name}: not a single-leg stance")
        };
        assert_eq!(sls.attempts.len(), 1, "{name}: {:?}", sls.attempts);
        let a = &sls.attempts[0];
        assert_eq!(a.touch_down_s.is_none(), cut, "{name}: {a:?}");
        if cut {
            // from the lift-off (6 s) to the end of the 19-s recording
            assert!((a.hold_s - 13.0).abs() < 0.2, "{name}: hold {}", a.hold_s);
        }
        assert_eq!(
            trial.warnings.iter().filter(|w| lower_bound(w)).count(),
            usize::from(cut),
            "{name}: {:?}",
            trial.warnings
        );
    }
}
