//! Synthetic lower-back IMU signals of walking with known contacts and sides.
//!
//! Waveform model (body frame V/ML/AP = up/right/forward):
//! - vertical acceleration: after each heel strike a loading rise of 3 m/s² (logistic, 20 ms
//!   time constant) decaying with 120 ms, and a 0.6 m/s² dip at mid-stance;
//! - AP acceleration: the trunk speeds up into each contact (1.5 m/s² peaking 50 ms before it)
//!   and brakes after it (1.0 m/s² peaking 120 ms after);
//! - yaw and roll rate: the pelvis rotates once per stride; its phase is 0 at each left
//!   contact and π at each right contact, yaw rate = −A·cos(phase), roll rate = −0.5·A·cos(phase)
//!   (both negative at left contacts and in phase, as measured on the Mobilise-D fixtures);
//! - ML acceleration: the pelvis sways once per stride, 1.0·sin(phase) m/s² (towards the left
//!   before a left contact, towards the right after it, as on the fixtures);
//! - deterministic pseudo-random noise of 0.05 m/s² and 0.5 deg/s.
//!
//! Gravity (9.80665 m/s² up) is added and the vectors are rotated into the sensor's axes.
#![allow(dead_code)]

use gaitkit::recording::{Axes, ImuSample, ImuTable};
use nalgebra::{Rotation3, Vector3};

pub struct Walk {
    /// Contact times, s, alternating sides starting with `first_left`.
    pub contacts_s: Vec<f64>,
    pub first_left: bool,
    pub duration_s: f64,
    pub fs_hz: f64,
    /// Turns on the spot while walking: (start s, duration s, angle deg, + = left). The pelvis
    /// yaw rate gains a raised-cosine bump whose integral is the angle; the body-frame
    /// accelerations are unchanged (the sensor turns with the trunk).
    pub turns: Vec<(f64, f64, f64)>,
    /// Height of each contact's vertical impact relative to a normal step (a gentle first
    /// step of a walk); contacts past the end of the list have 1.
    pub impact_scales: Vec<f64>,
}

impl Walk {
    /// Steps of `left_step_s` (right contact → left contact) and `right_step_s` (left → right),
    /// from `start_s` for `n_steps` steps, in a recording of `duration_s`.
    pub fn alternating(
        start_s: f64,
        n_steps: usize,
        left_step_s: f64,
        right_step_s: f64,
        duration_s: f64,
    ) -> Walk {
        let mut t = start_s;
        let mut contacts = vec![t];
        for k in 0..n_steps {
            // contact k is left when k is even; the next (right) contact closes a right step
            t += if k % 2 == 0 {
                right_step_s
            } else {
                left_step_s
            };
            contacts.push(t);
        }
        Walk {
            contacts_s: contacts,
            first_left: true,
            duration_s,
            fs_hz: 100.0,
            turns: Vec::new(),
            impact_scales: Vec::new(),
        }
    }

    pub fn is_left(&self, k: usize) -> bool {
        (k % 2 == 0) == self.first_left
    }

    /// Body-frame acceleration (m/s², gravity included) and angular velocity (deg/s).
    pub fn body_signals(&self) -> Vec<(Vector3<f64>, Vector3<f64>)> {
        let n = (self.duration_s * self.fs_hz) as usize;
        let mut seed = 12345u64;
        let mut noise = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let c = &self.contacts_s;
        (0..n)
            .map(|i| {
                let t = i as f64 / self.fs_hz;
                let mut v = 0.0;
                let mut ap = 0.0;
                for (k, &tc) in c.iter().enumerate() {
                    let dt = t - tc;
                    if dt > -0.3 && dt < 0.8 {
                        let rise = 1.0 / (1.0 + (-dt / 0.02).exp());
                        let scale = self.impact_scales.get(k).copied().unwrap_or(1.0);
                        v += scale
                            * (3.0 * rise * (-(dt.max(0.0)) / 0.12).exp()
                                - 0.6 * (-(dt - 0.25).powi(2) / 0.02).exp());
                        ap += 1.5 * (-(dt + 0.05).powi(2) / 0.005).exp()
                            - 1.0 * (-(dt - 0.12).powi(2) / 0.005).exp();
                    }
                }
                // pelvis phase: 0 at left contacts, π at right contacts, linear in between
                let walking = t >= c[0] && t <= c[c.len() - 1];
                let (yaw, roll, sway) = if walking {
                    let k = c
                        .partition_point(|&x| x <= t)
                        .saturating_sub(1)
                        .min(c.len() - 2);
                    let frac = (t - c[k]) / (c[k + 1] - c[k]);
                    let base = if self.is_left(k) {
                        0.0
                    } else {
                        std::f64::consts::PI
                    };
                    let phase = base + frac * std::f64::consts::PI;
                    // the pelvis accelerates towards the left before a left contact and
                    // towards the right after it (medio-lateral sway, m/s², + right)
                    (-25.0 * phase.cos(), -12.5 * phase.cos(), 1.0 * phase.sin())
                } else {
                    (0.0, 0.0, 0.0)
                };
                let acc = Vector3::new(
                    9.80665 + v + 0.05 * noise(),
                    sway + 0.05 * noise(),
                    ap + 0.05 * noise(),
                );
                let turning: f64 = self
                    .turns
                    .iter()
                    .filter(|&&(s, d, _)| t >= s && t <= s + d)
                    .map(|&(s, d, a)| {
                        a / d * (1.0 - (2.0 * std::f64::consts::PI * (t - s) / d).cos())
                    })
                    .sum();
                let gyr = Vector3::new(
                    yaw + turning + 0.5 * noise(),
                    0.5 * noise(),
                    roll + 0.5 * noise(),
                );
                (acc, gyr)
            })
            .collect()
    }

    /// Samples as a sensor mounted with `axes` (plus an extra tilt applied in body
    /// coordinates) would record them.
    pub fn table(&self, axes: Axes, extra_tilt: Rotation3<f64>) -> ImuTable {
        let body_to_sensor =
            Rotation3::from_matrix_unchecked(axes.sensor_to_body()).inverse() * extra_tilt;
        let mut tab = ImuTable::default();
        for (i, (a, w)) in self.body_signals().into_iter().enumerate() {
            let (a, w) = (body_to_sensor * a, body_to_sensor * w);
            tab.push(&ImuSample {
                time_s: i as f64 / self.fs_hz,
                acc_mps2: [a[0], a[1], a[2]],
                gyr_dps: [w[0], w[1], w[2]],
            });
        }
        tab
    }
}
