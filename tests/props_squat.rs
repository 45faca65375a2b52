//! Properties of squat and step-down repetitions on any input: every repetition lies inside the
//! recording, repetitions do not overlap, start < bottom < end, and every number is finite.

use gaitkit::balance::squat::{squat_repetitions, SquatAnalysis, SquatKind};
use gaitkit::balance::trunk_motion::TrunkMotion;
use gaitkit::gait::Side;
use proptest::prelude::*;

const G: f64 = 9.80665;

/// Second derivative of the minimum-jerk fraction for normalised time `x`, per unit x².
fn min_jerk_acc(x: f64) -> f64 {
    if !(0.0..=1.0).contains(&x) {
        return 0.0;
    }
    60.0 * x - 180.0 * x * x + 120.0 * x * x * x
}

/// A dip: start s, depth m, descent s, pause at the bottom s, ascent s.
type Dip = (f64, f64, f64, f64, f64);

fn check(a: &SquatAnalysis, duration_s: f64) -> Result<(), TestCaseError> {
    let mut prev_end = f64::NEG_INFINITY;
    for r in &a.repetitions {
        prop_assert!(
            0.0 <= r.start_s && r.start_s < r.bottom_s && r.bottom_s < r.end_s,
            "{r:?}"
        );
        prop_assert!(r.end_s <= duration_s, "{r:?} beyond {duration_s} s");
        prop_assert!(
            r.start_s >= prev_end,
            "{r:?} overlaps the one ending at {prev_end}"
        );
        prev_end = r.end_s;
        let numbers = [
            r.pelvic_drop_deg,
            r.frontal_rom_deg,
            r.transverse_rom_deg,
            r.trunk_forward_lean_deg,
        ];
        prop_assert!(numbers.iter().all(|v| v.is_finite()), "{r:?}");
        prop_assert!(r.depth_m.is_none_or(f64::is_finite), "{r:?}");
        prop_assert!(r.stabilisation_s.is_none_or(f64::is_finite), "{r:?}");
    }
    Ok(())
}

fn analyse_both(acc: &[Vec<f64>; 3], gyr: &[Vec<f64>; 3], fs: f64) -> Result<(), TestCaseError> {
    let duration_s = acc[0].len() as f64 / fs;
    let motion = TrunkMotion::from_body_frame(acc, gyr, fs).unwrap();
    for kind in [SquatKind::Squat, SquatKind::StepDown] {
        for side in [Side::Left, Side::Right] {
            check(&squat_repetitions(&motion, kind, side), duration_s)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Dips of random depth and pace that may overlap one another, landing spikes, pelvis
    /// rotation and noise.
    #[test]
    fn repetitions_of_random_dips_are_ordered_and_inside(
        fs in prop::sample::select(vec![50.0, 100.0, 125.0]),
        duration_s in 8.0f64..20.0,
        dips in prop::collection::vec(
            (0.0f64..1.0, 0.0f64..0.35, 0.2f64..3.0, 0.0f64..3.0, 0.2f64..3.0), 0..12),
        spikes in prop::collection::vec((0.0f64..1.0, -15.0f64..25.0), 0..6),
        rot_dps in -20.0f64..20.0,
        seed in 0u64..1000,
    ) {
        let n = (duration_s * fs) as usize;
        let dips: Vec<Dip> = dips
            .into_iter()
            .map(|(u, d, td, p, ta)| (2.0 + u * (duration_s - 2.0), d, td, p, ta))
            .collect();
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut noise = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.04
        };
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        for i in 0..n {
            let t = i as f64 / fs;
            let mut v = 0.0;
            let mut moving = false;
            for &(t0, d, td, p, ta) in &dips {
                v -= d * min_jerk_acc((t - t0) / td) / (td * td);
                v += d * min_jerk_acc((t - t0 - td - p) / ta) / (ta * ta);
                moving |= t >= t0 && t <= t0 + td + p + ta;
            }
            for &(u, amp) in &spikes {
                if ((t - (2.0 + u * (duration_s - 2.0))) * fs).abs() < 0.5 {
                    v += amp;
                }
            }
            acc[0].push(G + v + noise());
            acc[1].push(noise());
            acc[2].push(noise());
            gyr[0].push(if moving { rot_dps } else { 0.0 } + 10.0 * noise());
            gyr[1].push(10.0 * noise());
            gyr[2].push(if moving { -rot_dps } else { 0.0 } + 10.0 * noise());
        }
        analyse_both(&acc, &gyr, fs)?;
    }

    /// Arbitrary samples, far outside anything a body does.
    #[test]
    fn repetitions_of_arbitrary_samples_are_ordered_and_inside(
        fs in prop::sample::select(vec![50.0, 100.0]),
        samples in prop::collection::vec(
            (-60.0f64..60.0, -60.0f64..60.0, -60.0f64..60.0, -800.0f64..800.0), 2..1000),
    ) {
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        for &(v, ml, ap, w) in &samples {
            acc[0].push(v);
            acc[1].push(ml);
            acc[2].push(ap);
            gyr[0].push(w);
            gyr[1].push(-0.5 * w);
            gyr[2].push(0.25 * w);
        }
        analyse_both(&acc, &gyr, fs)?;
    }
}
