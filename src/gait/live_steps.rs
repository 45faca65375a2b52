//! Live step count during recording: a causal detector on the vertical acceleration of a
//! lower-back sensor (body frame V, m/s², gravity included).
//!
//! Each heel strike produces a vertical acceleration peak at the trunk (Zijlstra & Hof 2003,
//! Gait Posture 18:1–10). The detector removes gravity with a 1 s exponential mean, smooths
//! with two first-order low-pass stages at 3 Hz, ignores the first second (gravity estimate
//! settling), and counts local maxima above an adaptive
//! threshold (40 % of the recent peak level, at least 0.5 m/s²) at least 0.3 s apart. It only
//! looks at past samples, so it can run on samples as they arrive. It is a display aid; the
//! offline analysis detects initial contacts with its own validated method.

/// Causal step counter; feed it samples in time order.
#[derive(Debug, Clone)]
pub struct LiveSteps {
    gravity: Option<f64>,
    lp1: f64,
    lp2: f64,
    prev: [f64; 2],
    first_time_s: f64,
    last_time_s: Option<f64>,
    last_step_s: f64,
    peak_level: f64,
    steps: u64,
}

const GRAVITY_TAU_S: f64 = 1.0;
const LOWPASS_HZ: f64 = 3.0;
const MIN_STEP_S: f64 = 0.3;
const MIN_PEAK_MPS2: f64 = 0.5;
const RELATIVE_THRESHOLD: f64 = 0.4;
/// Time constant of the decay of the peak level, s.
const LEVEL_TAU_S: f64 = 3.0;

impl Default for LiveSteps {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveSteps {
    pub fn new() -> Self {
        LiveSteps {
            gravity: None,
            lp1: 0.0,
            lp2: 0.0,
            prev: [0.0; 2],
            first_time_s: 0.0,
            last_time_s: None,
            last_step_s: f64::NEG_INFINITY,
            peak_level: 0.0,
            steps: 0,
        }
    }

    /// Steps counted so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Adds one sample; returns `true` when it completes the detection of a step (the step
    /// itself happened one sample earlier).
    pub fn push(&mut self, time_s: f64, vertical_acc_mps2: f64) -> bool {
        let dt = match self.last_time_s {
            Some(t) if time_s > t => (time_s - t).min(0.1),
            Some(_) => return false,
            None => {
                self.first_time_s = time_s;
                self.last_time_s = Some(time_s);
                self.gravity = Some(vertical_acc_mps2);
                return false;
            }
        };
        self.last_time_s = Some(time_s);
        let g = self.gravity.get_or_insert(vertical_acc_mps2);
        *g += (vertical_acc_mps2 - *g) * (dt / GRAVITY_TAU_S).min(1.0);
        let a = vertical_acc_mps2 - *g;
        let k = 1.0 - (-2.0 * std::f64::consts::PI * LOWPASS_HZ * dt).exp();
        self.lp1 += (a - self.lp1) * k;
        self.lp2 += (self.lp1 - self.lp2) * k;
        let y = self.lp2;
        self.peak_level *= (-dt / LEVEL_TAU_S).exp();
        let [p2, p1] = self.prev;
        self.prev = [p1, y];
        let is_peak = p1 > p2 && p1 >= y;
        let threshold = (RELATIVE_THRESHOLD * self.peak_level).max(MIN_PEAK_MPS2);
        let settled = time_s - self.first_time_s >= GRAVITY_TAU_S;
        if settled && is_peak && p1 > threshold && time_s - dt - self.last_step_s >= MIN_STEP_S {
            self.peak_level = self.peak_level.max(p1);
            self.last_step_s = time_s - dt;
            self.steps += 1;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{ImuTable, Session};
    use std::path::Path;

    #[test]
    fn counts_one_step_per_cycle_of_a_synthetic_gait_and_none_at_rest() {
        // 1.8 steps/s, 2 m/s² vertical oscillation on top of gravity, 10 s at 100 Hz
        let mut c = LiveSteps::new();
        for i in 0..1000 {
            let t = i as f64 * 0.01;
            c.push(t, 9.81 + 2.0 * (2.0 * std::f64::consts::PI * 1.8 * t).sin());
        }
        // 18 peaks at (0.25 + n) / 1.8 s, of which n = 2..=17 fall after the 1 s settling
        assert_eq!(c.steps(), 16);
        let mut rest = LiveSteps::new();
        for i in 0..1000 {
            rest.push(
                i as f64 * 0.01,
                9.81 + 0.05 * ((i * 7919 % 13) as f64 / 13.0 - 0.5),
            );
        }
        assert_eq!(rest.steps(), 0);
    }

    #[test]
    fn counts_the_steps_of_a_real_straight_walk() {
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mobilised_HA001_Test5_Trial1");
        let session = Session::read(&dir).unwrap();
        let entry = &session.sensors[0];
        let t = ImuTable::read(&session.sensor_path(&dir, entry)).unwrap();
        let r = entry.axes.sensor_to_body();
        let mut c = LiveSteps::new();
        let mut times = Vec::new();
        for i in 0..t.len() {
            let a = t.sample(i).acc_mps2;
            let v = r[(0, 0)] * a[0] + r[(0, 1)] * a[1] + r[(0, 2)] * a[2];
            if c.push(t.time_s[i], v) {
                times.push(t.time_s[i]);
            }
        }
        // reference: initial contacts from motion capture
        let reference: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap())
                .unwrap();
        let ics: Vec<f64> = reference["reference"]["Stereophoto"]["initial_contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["ic_s"].as_f64().unwrap())
            .collect();
        assert_eq!(ics.len(), 10);
        assert_eq!(c.steps(), 10, "steps detected at {times:?}");
        // each detection follows its contact by the trunk peak delay plus the causal filter lag
        for (d, ic) in times.iter().zip(&ics) {
            let lag = d - ic;
            assert!((0.0..0.25).contains(&lag), "detection {d} vs contact {ic}");
        }
    }
}
