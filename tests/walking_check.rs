//! Evaluation of the walking plausibility check (`gait::walking_check`): every real walk in
//! `fixtures/` (straight, daily living, multiple sclerosis), rotated in its sensor, passes all
//! three cues with margin; periodic motions that are not walks fail at least two. Run with
//! `--nocapture` to see the measured cues.

mod support;

use std::f64::consts::PI;
use std::path::Path;

use gaitkit::gait::lower_back::{analyze, LowerBackOptions};
use gaitkit::gait::walking_check::{
    walking_evidence, WalkingEvidence, MIN_ALTERNATION, MIN_HORIZONTAL_RATIO, MIN_ROTATION_DPS,
};
use gaitkit::recording::resample::DEFAULT_MAX_FILL_S;
use gaitkit::recording::{Axes, ImuSample, ImuTable, Session, UniformImu};
use nalgebra::{Rotation3, Vector3};
use support::balance_sim::Rng;
use support::reference::fixtures_dir;

const WALKS: [&str; 6] = [
    "mobilised_HA001_Test5_Trial1",
    "mobilised_HA001_Test5_Trial2",
    "mobilised_MS001_Test5_Trial1",
    "mobilised_MS001_Test5_Trial2",
    "mobilised_HA001_Test11_Trial1",
    "mobilised_MS001_Test11_Trial1",
];

/// Runs the lower-back pipeline and measures the cues inside the bouts it found.
fn evidence(table: &ImuTable, axes: Axes) -> Option<WalkingEvidence> {
    let imu = UniformImu::from_table(table, DEFAULT_MAX_FILL_S).unwrap();
    let g = analyze(&imu, axes, Path::new("x.csv"), &LowerBackOptions::default()).ok()?;
    let steps: Vec<f64> = g.steps.iter().map(|s| s.step_time_s).collect();
    let step = gaitkit::signal::stats::median(&steps)?;
    walking_evidence(&imu, &g.bouts, step)
}

fn rotated(table: &ImuTable, r: &Rotation3<f64>) -> ImuTable {
    let mut out = ImuTable::default();
    for i in 0..table.len() {
        let s = table.sample(i);
        let a = r * Vector3::from(s.acc_mps2);
        let w = r * Vector3::from(s.gyr_dps);
        out.push(&ImuSample {
            time_s: s.time_s,
            acc_mps2: a.into(),
            gyr_dps: w.into(),
        });
    }
    out
}

#[test]
fn every_fixture_walk_passes_with_margin_even_with_the_sensor_tilted() {
    println!(
        "{:40} {:>10} {:>10} {:>10}",
        "recording", "horiz/V", "rot deg/s", "altern."
    );
    let mut worst = [f64::INFINITY; 3];
    for name in WALKS {
        let dir = fixtures_dir().join(name);
        let session = Session::read(&dir).unwrap();
        let entry = &session.sensors[0];
        let table = session.read_sensor(&dir, entry).unwrap();
        // tilted by 30° about the sensor's y axis: the cues do not depend on the mounting
        let tilt = Rotation3::from_axis_angle(&Vector3::y_axis(), 30f64.to_radians());
        for (label, t) in [("", table.clone()), (" (tilted)", rotated(&table, &tilt))] {
            let e = evidence(&t, entry.axes).expect("walking found");
            println!(
                "{:40} {:>10.2} {:>10.1} {:>10.2}",
                format!("{name}{label}"),
                e.horizontal_ratio,
                e.rotation_dps,
                e.alternation
            );
            assert!(
                e.failed().is_empty(),
                "{name}{label}: {e:?} {:?}",
                e.failed()
            );
            worst[0] = worst[0].min(e.horizontal_ratio);
            worst[1] = worst[1].min(e.rotation_dps);
            worst[2] = worst[2].min(e.alternation);
        }
    }
    // margins: the weakest real walk is well above each threshold
    assert!(worst[0] > 2.0 * MIN_HORIZONTAL_RATIO, "{worst:?}");
    assert!(worst[1] > 2.0 * MIN_ROTATION_DPS, "{worst:?}");
    assert!(worst[2] > 1.5 * MIN_ALTERNATION, "{worst:?}");
}

/// 60 s at 100 Hz of sensor-axis data (x up).
fn synthetic(f: impl Fn(f64, &mut Rng) -> ([f64; 3], [f64; 3])) -> ImuTable {
    let mut rng = Rng::new(5);
    let mut t = ImuTable::default();
    for i in 0..6000 {
        let s = i as f64 / 100.0;
        let (a, w) = f(s, &mut rng);
        t.push(&ImuSample {
            time_s: s,
            acc_mps2: a,
            gyr_dps: w,
        });
    }
    t
}

#[test]
fn periodic_motions_that_are_not_walks_fail_at_least_two_cues() {
    let axes: Axes = "URF".parse().unwrap();
    let mut checked = 0;
    for seed in 0..6u64 {
        let f_hz = 1.6 + 0.15 * seed as f64; // 1.6–2.35 Hz: the step rates of walking
        let amp = 1.5 + 0.3 * seed as f64;
        let cases: Vec<(&str, ImuTable)> = vec![
            (
                "vertical vibration, still sensor",
                synthetic(|t, r| {
                    (
                        [
                            9.81 + amp * (2.0 * PI * f_hz * t).sin(),
                            0.03 * r.gauss(),
                            0.03 * r.gauss(),
                        ],
                        [0.3 * r.gauss(), 0.3 * r.gauss(), 0.3 * r.gauss()],
                    )
                }),
            ),
            (
                "vertical vibration, wobbling hand",
                synthetic(|t, r| {
                    (
                        [
                            9.81 + amp * (2.0 * PI * f_hz * t).sin(),
                            0.05 * r.gauss(),
                            0.05 * r.gauss(),
                        ],
                        [8.0 * r.gauss(), 8.0 * r.gauss(), 8.0 * r.gauss()],
                    )
                }),
            ),
            (
                "shaken up and down with a tilt at the same rate",
                synthetic(|t, r| {
                    let s = (2.0 * PI * f_hz * t).sin();
                    (
                        [9.81 + amp * s, 0.2 * s + 0.05 * r.gauss(), 0.05 * r.gauss()],
                        [3.0 * s, 20.0 * s, 2.0 * s + 0.5 * r.gauss()],
                    )
                }),
            ),
        ];
        for (what, table) in cases {
            // a motion the bout detector does not take for walking needs no check
            if let Some(e) = evidence(&table, axes) {
                checked += 1;
                assert!(e.is_not_walking(), "{what} at {f_hz} Hz: {e:?}");
            }
        }
    }
    assert!(
        checked >= 12,
        "only {checked} of 18 motions reached the check"
    );
}
