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

/// Vertical position of a walking stretch, computed at ~50 Hz (0.02-s block means): ample
/// for a trunk excursion at 1–2.5 Hz (the peak-to-peak of a 2 Hz sway sampled at 50 Hz is
/// underestimated by at most 0.8 %), and half the filtering work of 100 Hz.
pub struct VerticalPosition {
    position_m: Vec<f64>,
    block: usize,
}

impl VerticalPosition {
    pub fn new(acc_v_mps2: &[f64], fs_hz: f64) -> Self {
        let block = (fs_hz / 50.0).floor().max(1.0) as usize;
        let means: Vec<f64> = acc_v_mps2
            .chunks(block)
            .map(|c| c.iter().sum::<f64>() / c.len() as f64)
            .collect();
        VerticalPosition {
            position_m: vertical_position_m(&means, fs_hz / block as f64),
            block,
        }
    }

    /// Excursion between two (fractional) sample indices of the input, m; continuous in the
    /// indices and the signal (see [`excursion_between`]).
    pub fn excursion_m(&self, from: f64, to: f64) -> Option<f64> {
        let b = self.block as f64;
        let centre = (b - 1.0) / 2.0;
        excursion_between(&self.position_m, (from - centre) / b, (to - centre) / b)
    }
}

/// Excursion (max − min) of `position` between two fractional sample positions: the ends
/// linearly interpolated and interior extremes refined by a parabola through their
/// neighbours, so that it does not jump when the signal or the ends move by part of a
/// sample.
pub fn excursion_between(position: &[f64], from: f64, to: f64) -> Option<f64> {
    let n = position.len();
    if n < 2 || !(from.is_finite() && to.is_finite()) {
        return None;
    }
    let (from, to) = (from.max(0.0), to.min((n - 1) as f64));
    if to <= from {
        return None;
    }
    let at = |x: f64| {
        let i = (x.floor() as usize).min(n - 2);
        position[i] + (x - i as f64) * (position[i + 1] - position[i])
    };
    let (mut lo, mut hi) = {
        let (a, b) = (at(from), at(to));
        (a.min(b), a.max(b))
    };
    let first = from.floor() as usize + 1;
    let last = (to.ceil() as usize).min(n - 1);
    for i in first..last {
        let v = position[i];
        let extreme = |sign: f64| {
            let (l, r) = (position[i - 1], position[i + 1]);
            if sign * (v - l) >= 0.0 && sign * (v - r) >= 0.0 {
                // vertex of the parabola through (−1, l), (0, v), (1, r), kept inside the range
                let den = l - 2.0 * v + r;
                let off = if den.abs() > 1e-15 {
                    (0.5 * (l - r) / den).clamp(-0.5, 0.5)
                } else {
                    0.0
                };
                let x = (i as f64 + off).clamp(from, to);
                let d = x - i as f64;
                Some(v + 0.5 * (r - l) * d + 0.5 * den * d * d)
            } else {
                None
            }
        };
        hi = hi.max(extreme(1.0).unwrap_or(v));
        lo = lo.min(extreme(-1.0).unwrap_or(v));
    }
    (hi > lo).then_some(hi - lo)
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
        let at_50_hz = VerticalPosition::new(&acc, fs)
            .excursion_m(1000.0, 1056.0)
            .unwrap();
        assert!((at_50_hz - 0.04).abs() < 0.002, "{at_50_hz}");
        // the same bounce seen a fraction of a sample later: the excursion barely moves
        let vp = VerticalPosition::new(&acc, fs);
        let hs: Vec<f64> = (0..10)
            .map(|k| {
                vp.excursion_m(1000.0 + 0.1 * k as f64, 1056.0 + 0.1 * k as f64)
                    .unwrap()
            })
            .collect();
        let spread = hs.iter().fold(0.0f64, |m, h| m.max((h - hs[0]).abs()));
        assert!(spread < 2e-5, "{hs:?}");
    }
}
