//! The live pipeline on simulated walks with known contacts, sides and step times (the
//! simulator in tests/support/synthetic_walk.rs is written apart from the detector): sides
//! shown are right (and mirror with the walk), an injected 10 % step-time asymmetry shows in
//! the rolling SI within the rolling window, and a cadence target marks steps by their true
//! cadence.

mod support;

use gaitkit::gait::Side;
use gaitkit::recording::{Axes, Placement, SensorEntry, Session};
use gaitkit::stream::events::LiveStep;
use gaitkit::stream::pipeline::{LiveOptions, LivePipeline};
use gaitkit::stream::targets::parse_target;
use nalgebra::Rotation3;
use support::synthetic_walk::Walk;

const STEPS: usize = 10;

/// 40 even steps of 0.55 s, then 40 steps whose right steps (left → right contact) are 10 %
/// longer; standing 3 s before and after.
fn walk(first_left: bool) -> Walk {
    let mut contacts = vec![3.0];
    for k in 0..80 {
        // contact k is left when k is even (first_left); the step to k + 1 is a right step then
        let right_step = (k % 2 == 0) == first_left;
        let st = if k >= 40 && right_step { 0.605 } else { 0.55 };
        contacts.push(contacts[k] + st);
    }
    let end = contacts[80] + 3.0;
    Walk {
        contacts_s: contacts,
        first_left,
        duration_s: end,
        fs_hz: 100.0,
        turns: Vec::new(),
    }
}

fn run(w: &Walk, opts: &LiveOptions) -> Vec<LiveStep> {
    let axes: Axes = "URF".parse().unwrap();
    let session = Session::new(vec![SensorEntry {
        placement: Placement::LowerBack,
        file: "lower_back.csv".into(),
        axes,
        device: None,
        sampling_rate_hz: None,
        source: None,
    }]);
    let table = w.table(axes, Rotation3::identity());
    let mut live = LivePipeline::new(&session, opts);
    for i in 0..table.len() {
        live.push(Placement::LowerBack, &table.sample(i));
    }
    live.steps().to_vec()
}

/// Index of the true contact within 0.05 s of `t`.
fn truth(w: &Walk, t: f64) -> Option<usize> {
    w.contacts_s.iter().position(|&c| (c - t).abs() <= 0.05)
}

#[test]
fn sides_are_right_and_mirror_with_the_walk() {
    for first_left in [true, false] {
        let w = walk(first_left);
        let steps = run(&w, &LiveOptions::default());
        let found = steps.iter().filter(|s| truth(&w, s.t_s).is_some()).count();
        assert!(
            found >= 78,
            "first_left {first_left}: {found} of 81 contacts"
        );
        let mut shown = 0;
        for s in &steps {
            let Some(side) = s.side else { continue };
            let k = truth(&w, s.t_s).expect("a side only on a real contact");
            let expected = if w.is_left(k) {
                Side::Left
            } else {
                Side::Right
            };
            assert_eq!(side, expected, "contact {k} at {:.2} s", s.t_s);
            shown += 1;
        }
        assert!(shown >= 60, "first_left {first_left}: {shown} sides shown");
    }
}

#[test]
fn an_injected_ten_percent_asymmetry_shows_in_the_rolling_si_within_n_steps() {
    let w = walk(true);
    let steps = run(&w, &LiveOptions::default());
    // right relative to left: (0.605 − 0.55) / ½(0.605 + 0.55) = +9.52 %
    let expected = 100.0 * 0.055 / (0.5 * (0.605 + 0.55));
    let change_s = w.contacts_s[40];
    let before: Vec<f64> = steps
        .iter()
        .filter(|s| s.t_s < change_s - 0.1)
        .filter_map(|s| s.rolling.step_time_si_pct)
        .collect();
    assert!(before.len() >= 10);
    assert!(
        before.iter().all(|si| si.abs() < 2.0),
        "even walk: {before:?}"
    );
    // N = 10 steps after the change, and from then on, the rolling SI is the injected one
    let after: Vec<f64> = steps
        .iter()
        .filter(|s| s.t_s > w.contacts_s[40 + STEPS] - 0.1)
        .filter_map(|s| s.rolling.step_time_si_pct)
        .collect();
    assert!(after.len() >= 10, "{after:?}");
    for si in &after {
        assert!(
            (si - expected).abs() < 2.0,
            "rolling SI {si:.2} vs {expected:.2}"
        );
    }
    let ev = steps.last().unwrap().rolling.evenness_pct.unwrap();
    assert!((ev - 100.0 * 0.55 / 0.605).abs() < 2.0, "evenness {ev}");
}

#[test]
fn a_cadence_target_marks_steps_by_their_true_cadence() {
    // 0.55 s = 109.1 steps/min (on 110±5); 0.605 s = 99.2 (off)
    let w = walk(true);
    let opts = LiveOptions {
        targets: vec![parse_target("cadence=110").unwrap()],
        ..LiveOptions::default()
    };
    let steps = run(&w, &opts);
    let mut judged = 0;
    for s in &steps {
        let (Some(k), Some(on)) = (truth(&w, s.t_s), s.on_target) else {
            continue;
        };
        assert!(k > 0);
        let true_step_s = w.contacts_s[k] - w.contacts_s[k - 1];
        let true_on = (60.0 / true_step_s - 110.0).abs() <= 5.0;
        assert_eq!(on, true_on, "contact {k}: step {true_step_s:.3} s");
        judged += 1;
    }
    assert!(judged >= 75, "{judged} steps judged");
}
