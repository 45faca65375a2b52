//! Standing sway on the simulator (tests/support/balance_sim.rs): the ISway measures computed
//! from the raw IMU (orientation filter, gravity removal) must match the same measures computed
//! from the simulator's true level-frame acceleration of the sensor.

mod support;

use gaitkit::balance::sway::{prepare, sway, Sway, SwaySettings};
use gaitkit::balance::trunk_motion::TrunkMotion;
use support::balance_sim::*;

fn measured_and_true(script: &StandingScript, imu: ImuModel) -> (Sway, Sway) {
    let rec = simulate_standing(script, imu);
    let (acc, gyr) = rec.body_frame();
    let m = TrunkMotion::from_body_frame(&acc, &gyr, rec.fs_hz).unwrap();
    let s = SwaySettings::default();
    // ISway practice: drop the first and last 2 s
    let (a, b) = (200, m.len() - 200);
    let (ap, ml) = prepare(
        &m.lin_acc_mps2[2][a..b],
        &m.lin_acc_mps2[1][a..b],
        rec.fs_hz,
        &s,
    );
    let (tap, tml) = prepare(
        &rec.true_lin_acc_mps2[2][a..b],
        &rec.true_lin_acc_mps2[1][a..b],
        rec.fs_hz,
        &s,
    );
    (
        sway(&ap, &ml, rec.fs_hz, &s).unwrap(),
        sway(&tap, &tml, rec.fs_hz, &s).unwrap(),
    )
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b) / b
}

#[test]
fn sway_rms_ellipse_and_spectrum_are_recovered() {
    // three subjects: default, stiffer ML control, larger sway; two mountings
    let scripts = [
        StandingScript::default(),
        StandingScript {
            seed: 12,
            ml: Control {
                omega0: 5.0,
                damping_ratio: 0.3,
                noise: 0.08,
            },
            ..StandingScript::default()
        },
        StandingScript {
            seed: 13,
            ap: Control {
                omega0: 2.0,
                damping_ratio: 0.2,
                noise: 0.1,
            },
            ..StandingScript::default()
        },
    ];
    for (k, script) in scripts.iter().enumerate() {
        for axes in ["URF", "BLD"] {
            let imu = ImuModel {
                axes: axes.parse().unwrap(),
                seed: 100 + k as u64,
                ..ImuModel::default()
            };
            let (m, t) = measured_and_true(script, imu);
            let (sm_ap, st_ap) = (m.spectrum_ap.unwrap(), t.spectrum_ap.unwrap());
            let (sm_ml, st_ml) = (m.spectrum_ml.unwrap(), t.spectrum_ml.unwrap());
            println!(
                "subject {k} {axes}: RMS {:.4}/{:.4} m/s² ({:+.1} %), RMS_ML {:+.1} %, RMS_AP {:+.1} %, ellipse {:.5}/{:.5} ({:+.1} %), \
                 CF_AP {:.3}/{:.3} Hz, CF_ML {:.3}/{:.3} Hz, F50_AP {:.3}/{:.3}, F95_AP {:.3}/{:.3}, JERK {:+.1} %, path {:+.1} %",
                m.rms_mps2, t.rms_mps2, 100.0 * rel(m.rms_mps2, t.rms_mps2),
                100.0 * rel(m.rms_ml_mps2, t.rms_ml_mps2), 100.0 * rel(m.rms_ap_mps2, t.rms_ap_mps2),
                m.ellipse_area_m2ps4, t.ellipse_area_m2ps4, 100.0 * rel(m.ellipse_area_m2ps4, t.ellipse_area_m2ps4),
                sm_ap.centroid_hz, st_ap.centroid_hz, sm_ml.centroid_hz, st_ml.centroid_hz,
                sm_ap.f50_hz, st_ap.f50_hz, sm_ap.f95_hz, st_ap.f95_hz,
                100.0 * rel(m.jerk_m2ps5, t.jerk_m2ps5), 100.0 * rel(m.path_mps2, t.path_mps2),
            );
            // tolerances: 5 % on amplitudes, 8 % on the ellipse area (product of two
            // amplitudes), 0.05 Hz on CF and F50 (half a Welch bin), 0.1 Hz on F95 (the thin spectral tail)
            assert!(rel(m.rms_mps2, t.rms_mps2).abs() < 0.05);
            assert!(rel(m.rms_ml_mps2, t.rms_ml_mps2).abs() < 0.05);
            assert!(rel(m.rms_ap_mps2, t.rms_ap_mps2).abs() < 0.05);
            assert!(rel(m.ellipse_area_m2ps4, t.ellipse_area_m2ps4).abs() < 0.08);
            assert!(rel(m.jerk_m2ps5, t.jerk_m2ps5).abs() < 0.05);
            for (a, b) in [(sm_ap, st_ap), (sm_ml, st_ml)] {
                assert!((a.centroid_hz - b.centroid_hz).abs() < 0.05);
                assert!((a.f50_hz - b.f50_hz).abs() < 0.05);
                assert!(
                    (a.f95_hz - b.f95_hz).abs() < 0.1,
                    "F95 {} vs {}",
                    a.f95_hz,
                    b.f95_hz
                );
            }
        }
    }
}

#[test]
fn larger_sway_reads_larger_and_stiffer_control_reads_faster() {
    let imu = ImuModel::default();
    let base = StandingScript::default();
    let (m0, _) = measured_and_true(&base, imu);
    let noisy = StandingScript {
        ap: Control {
            noise: 0.1,
            ..base.ap
        },
        ml: Control {
            noise: 0.1,
            ..base.ml
        },
        ..StandingScript::default()
    };
    let (m1, _) = measured_and_true(&noisy, imu);
    // doubling the torque noise doubles the acceleration (linear system): ×2 ± 15 %
    assert!(
        (m1.rms_mps2 / m0.rms_mps2 - 2.0).abs() < 0.3,
        "{}",
        m1.rms_mps2 / m0.rms_mps2
    );
    let stiff = StandingScript {
        ap: Control {
            omega0: 5.0,
            ..base.ap
        },
        ..StandingScript::default()
    };
    let (m2, _) = measured_and_true(&stiff, imu);
    assert!(m2.spectrum_ap.unwrap().centroid_hz > m0.spectrum_ap.unwrap().centroid_hz + 0.1);
}
