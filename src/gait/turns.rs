//! Turns, so that steps inside them are excluded from steady-state metrics.
//!
//! Algorithm: El-Gohary et al. 2014 as used in mobgap (`TdElGohary`): yaw rate (body-frame
//! vertical angular velocity) low-passed at 0.5 Hz (4th order, zero-phase); candidate turns
//! are peaks ≥ 15 deg/s; each extends to where |yaw rate| falls below 5 deg/s; turns closer
//! than 0.05 s merge; kept when 0.5–10 s long and ≥ 45° in total. The yaw rate is averaged
//! over 0.1-s blocks first (ample for a 0.5 Hz band), so times have 0.1-s resolution.

use serde::Serialize;

use crate::signal::filter::Butterworth;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    pub start_s: f64,
    pub end_s: f64,
    /// Total rotation, degrees; positive = to the left (counter-clockwise seen from above).
    pub angle_deg: f64,
}

/// Turns in a continuous segment of yaw rate; times relative to the segment start.
pub fn detect_turns(gyr_v_dps: &[f64], fs_hz: f64) -> Vec<Turn> {
    // a 0.5 Hz band needs no more than ~10 Hz: block means of 0.1 s, then the low-pass
    let d = (fs_hz / 10.0).floor().max(1.0) as usize;
    let fs_hz = fs_hz / d as f64;
    let means: Vec<f64> = gyr_v_dps
        .chunks(d)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    let yaw = Butterworth::lowpass(4, 0.5, fs_hz).filtfilt(&means);
    let n = yaw.len();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if yaw[i].abs() >= 15.0 {
            let mut s = i;
            while s > 0 && yaw[s - 1].abs() >= 5.0 && yaw[s - 1].signum() == yaw[i].signum() {
                s -= 1;
            }
            let mut e = i;
            while e + 1 < n && yaw[e + 1].abs() >= 5.0 && yaw[e + 1].signum() == yaw[i].signum() {
                e += 1;
            }
            match spans.last_mut() {
                Some(last) if s as f64 - last.1 as f64 <= 0.05 * fs_hz => last.1 = last.1.max(e),
                _ => spans.push((s, e)),
            }
            i = e + 1;
        } else {
            i += 1;
        }
    }
    spans
        .into_iter()
        .filter_map(|(s, e)| {
            let dur = (e - s + 1) as f64 / fs_hz;
            let angle: f64 = yaw[s..=e].iter().sum::<f64>() / fs_hz;
            ((0.5..=10.0).contains(&dur) && angle.abs() >= 45.0).then(|| Turn {
                start_s: s as f64 / fs_hz,
                end_s: (e + 1) as f64 / fs_hz,
                angle_deg: angle,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_180_degree_left_turn_and_ignores_small_wobbles() {
        let fs = 100.0;
        // 5 s straight with ±8 deg/s wobble, 2 s turning at 90 deg/s (left), 5 s straight
        let x: Vec<f64> = (0..1200)
            .map(|i| {
                let t = i as f64 / fs;
                let wobble = 8.0 * (2.0 * std::f64::consts::PI * 1.0 * t).sin();
                wobble + if (5.0..7.0).contains(&t) { 90.0 } else { 0.0 }
            })
            .collect();
        let turns = detect_turns(&x, fs);
        assert_eq!(turns.len(), 1, "{turns:?}");
        let t = &turns[0];
        assert!((t.angle_deg - 180.0).abs() < 15.0, "{t:?}");
        assert!(
            (t.start_s - 5.0).abs() < 0.6 && (t.end_s - 7.0).abs() < 0.6,
            "{t:?}"
        );
        let right: Vec<f64> = x.iter().map(|v| -v).collect();
        assert!(detect_turns(&right, fs)[0].angle_deg < -150.0);
    }
}
