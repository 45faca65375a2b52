//! Stage 6: step length and walking speed from the trunk's vertical excursion
//! (inverted-pendulum model; Zijlstra & Hof 2003, Gait Posture 18:1, as refined for
//! Mobilise-D by Soltani et al. 2021, IEEE TNSRE 29:1955).
//!
//! Vertical position: acceleration high-passed at 0.1 Hz, integrated, high-passed at 1 Hz
//! (drift), integrated, high-passed at 1 Hz again (all 4th-order, zero-phase). For each step
//! the excursion h = max − min of that position; with the pendulum length l = sensor height,
//! step length = K · 2·√(2·l·h − h²), K = 1.147 (the Mobilise-D correction factor trained on
//! the MS cohort; the all-cohort factor 1.185 gave 3 % longer strides on the fixtures).

use crate::signal::filter::Butterworth;
use crate::signal::integrate::cumulative_trapezoid;

/// Empirical correction of the inverted-pendulum model (Soltani et al. 2021, MS cohort).
pub const PENDULUM_CORRECTION: f64 = 4.587 / 4.0;

/// Sensor height estimated from body height when it was not measured: hip (greater
/// trochanter) height is 0.53 × stature (Drillis & Contini 1966); an L5 sensor sits about
/// 6 % of stature higher (measured 0.58–0.61 × stature in the Mobilise-D fixtures).
pub const SENSOR_HEIGHT_PER_BODY_HEIGHT: f64 = 0.59;

/// Vertical position of the trunk sensor (m, mean-free) from vertical acceleration (m/s²,
/// gravity removed), one continuous segment.
pub fn vertical_position_m(acc_v_mps2: &[f64], fs_hz: f64) -> Vec<f64> {
    let a = Butterworth::highpass(4, 0.1, fs_hz).filtfilt(acc_v_mps2);
    let v = cumulative_trapezoid(&a, fs_hz);
    let hp1 = Butterworth::highpass(4, 1.0, fs_hz);
    let v = hp1.filtfilt(&v);
    let p = cumulative_trapezoid(&v, fs_hz);
    hp1.filtfilt(&p)
}

/// Inverted-pendulum step length, m, from the vertical excursion `h_m` during the step and
/// the pendulum length `l_m`.
pub fn step_length_m(h_m: f64, l_m: f64) -> Option<f64> {
    let inner = 2.0 * l_m * h_m - h_m * h_m;
    (h_m > 0.0 && inner > 0.0).then(|| PENDULUM_CORRECTION * 2.0 * inner.sqrt())
}

/// Excursion (max − min) of `position` over a sample range.
pub fn excursion(position: &[f64], range: std::ops::Range<usize>) -> Option<f64> {
    let s = position.get(range)?;
    let (lo, hi) = s
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    (hi > lo).then_some(hi - lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn pendulum_geometry() {
        // h = 3 cm, l = 0.95 m: 2·√(2·0.95·0.03 − 0.0009) = 0.4737… m, times K
        let sl = step_length_m(0.03, 0.95).unwrap();
        assert!((sl / PENDULUM_CORRECTION - 2.0 * (0.057f64 - 0.0009).sqrt()).abs() < 1e-12);
        assert_eq!(step_length_m(0.0, 0.95), None);
    }

    #[test]
    fn recovers_the_excursion_of_a_sinusoidal_bounce() {
        // position = 2 cm · sin(2π·1.8 t) → acceleration = −(2π·1.8)²·0.02·sin(…); excursion 4 cm
        let fs = 100.0;
        let w = 2.0 * PI * 1.8;
        let acc: Vec<f64> = (0..3000)
            .map(|i| -w * w * 0.02 * (w * i as f64 / fs).sin())
            .collect();
        let p = vertical_position_m(&acc, fs);
        let h = excursion(&p, 1000..1056).unwrap(); // one step (0.556 s)
        assert!((h - 0.04).abs() < 0.002, "{h}");
    }
}
