//! A family of single-leg-stance recordings with randomised parameters, for evaluating the
//! event detection on data it was not designed with. Written from physiology, not from the
//! detector: none of its profiles or thresholds are shared with `gaitkit::balance`.
//!
//! Model (level frame V/ML/AP = up, right, forward; g = 9.80665 m/s² along −V; 1-kHz core):
//! * **Sway**: the body is an inverted pendulum pivoting at the ankle, one angle per plane,
//!   θ̈ = (g/L − K_p)·θ − K_d·θ̇ + b(t)·u(t), with L the centre-of-mass height (0.9–1.05 m), a PD
//!   controller stiffer than gravity (K_p = 1.3–1.8 g/L, damping ratio 0.3–0.6) and u(t) an
//!   AR(1) torque noise (time constant 0.1 s). The noise gain b(t) is 0.3 in double stance and
//!   1 on one leg, ramping with the weight shifts. The hold's ML angle is scaled so that its
//!   2·RMS equals the sway amplitude of the recording (0.5–4°); AP is 0.6–1.2 times that.
//! * **Weight shift**: before lift-off the pelvis makes an anticipatory shift of 0–1 cm towards
//!   the leg to be raised (0.15–0.3 s), then moves 3–10 cm over the stance foot along a
//!   raised-cosine profile (0.5–1.2 s). The raised foot leaves the floor when the centre of mass
//!   is over the stance foot: **lift-off = end of the shift**. The raised side of the pelvis
//!   hikes by 1–4° over 0.3 s after lift-off.
//! * **Touch-down** (end of the hold): the hike is released over the 0.3 s before contact; at
//!   contact a vertical impact, a Ricker wavelet (zero net velocity) of 0.8–2 m/s² (soft) or
//!   3–8 m/s² (hard), 10–30 ms wide, with a 10–40 % horizontal component; 0–0.25 s later the
//!   pelvis shifts back 70–100 % of the way to the midline (0.5–1.5 s) and sway returns to the
//!   double-stance level. **Touch-down = contact.**
//! * **Hop** on the stance leg: push-off (a half-sine of upward acceleration over 0.2–0.3 s
//!   reaching the take-off velocity), flight of 0.12–0.25 s in free fall (specific force 0),
//!   landing (half-sine deceleration over 0.1–0.2 s plus a 5–12 m/s² impact); the stance foot
//!   lands up to 2 cm off in ML and AP, still under the body. The hold goes on.
//! * **Toe touch**: the raised foot touches the floor for 0.2–0.7 s: a 0.5–2 m/s² impact, the
//!   hike released, the pelvis shifting 15–40 % of the way back and returning. The hold goes on.
//! * **Sensor**: on the lower back 0.95–1.1 m above the ankle, mounted pitched and rolled by up
//!   to ±30° (declared axes URF, DLF or BLD, the tilt not declared); specific force and body rate
//!   in sensor axes from the 1-kHz pose (second difference; quaternion log), box-averaged to
//!   50, 100, 125 or 200 Hz, white noise 0.005–0.03 m/s² and 0.05–0.2 deg/s, constant gyroscope
//!   bias up to ±1 deg/s. Recordings start and end with 3–5 s and 2–4 s of double stance.

#![allow(dead_code)]

use gaitkit::gait::Side;
use gaitkit::recording::Axes;
use nalgebra::{UnitQuaternion, Vector3};

const G: f64 = 9.80665;
const CORE_HZ: f64 = 1000.0;

/// SplitMix64 with Box–Muller normals.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub fn normal(&mut self) -> f64 {
        let (a, b) = (self.unit(), self.unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[((self.unit() * items.len() as f64) as usize).min(items.len() - 1)]
    }
}

/// Disturbances inside the hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extras {
    None,
    Hops,
    ToeTouches,
}

/// Parameters of one recording.
#[derive(Debug, Clone)]
pub struct SlsCase {
    pub seed: u64,
    pub stance: Side,
    pub hold_s: f64,
    /// 2·RMS of the ML pendulum angle during the hold, deg.
    pub sway_deg: f64,
    pub shift_m: f64,
    pub hard_touch_down: bool,
    pub extras: Extras,
    pub pitch_deg: f64,
    pub roll_deg: f64,
    pub fs_hz: f64,
    pub axes: &'static str,
}

/// What happened, on the recording's clock.
#[derive(Debug, Clone)]
pub struct SlsTruth {
    pub stance: Side,
    pub lift_off_s: f64,
    pub touch_down_s: f64,
    /// Take-off of each hop, s.
    pub hops_s: Vec<f64>,
    /// Contact of each toe touch, s.
    pub toe_touches_s: Vec<f64>,
    pub duration_s: f64,
}

/// Sensor samples in the declared axes, m/s² and deg/s.
pub struct SlsRecording {
    pub fs_hz: f64,
    pub axes: &'static str,
    pub acc_mps2: [Vec<f64>; 3],
    pub gyr_dps: [Vec<f64>; 3],
}

/// `n` cases drawn from the parameter ranges of the module docs.
pub fn family(n: usize, seed: u64) -> Vec<SlsCase> {
    let mut r = SplitMix::new(seed);
    (0..n)
        .map(|i| {
            let hold_s = (r.range(2f64.ln(), 60f64.ln())).exp();
            let extras = if hold_s < 6.0 {
                Extras::None
            } else {
                r.pick(&[Extras::None, Extras::None, Extras::Hops, Extras::ToeTouches])
            };
            SlsCase {
                seed: seed.wrapping_mul(1000).wrapping_add(i as u64),
                stance: if r.unit() < 0.5 {
                    Side::Left
                } else {
                    Side::Right
                },
                hold_s,
                sway_deg: r.range(0.5, 4.0),
                shift_m: r.range(0.03, 0.10),
                hard_touch_down: r.unit() < 0.5,
                extras,
                pitch_deg: r.range(-30.0, 30.0),
                roll_deg: r.range(-30.0, 30.0),
                fs_hz: r.pick(&[50.0, 100.0, 125.0, 200.0]),
                axes: r.pick(&["URF", "DLF", "BLD"]),
            }
        })
        .collect()
}

/// Raised cosine from 0 (before `t0`) to 1 (after `t0 + dur`).
fn ramp(t: f64, t0: f64, dur: f64) -> f64 {
    let x = ((t - t0) / dur).clamp(0.0, 1.0);
    0.5 - 0.5 * (std::f64::consts::PI * x).cos()
}

/// Ricker wavelet with peak `amp` at `t0` and width `sigma` (zero integral and first moment).
fn ricker(t: f64, t0: f64, sigma: f64, amp: f64) -> f64 {
    let x = (t - t0) / sigma;
    if x.abs() > 6.0 {
        return 0.0;
    }
    amp * (1.0 - x * x) * (-0.5 * x * x).exp()
}

/// Half-sine pulse over [t0, t0 + dur] whose integral is `dv` (m/s when in m/s²).
fn half_sine(t: f64, t0: f64, dur: f64, dv: f64) -> f64 {
    if t < t0 || t > t0 + dur {
        return 0.0;
    }
    dv * std::f64::consts::PI / (2.0 * dur) * (std::f64::consts::PI * (t - t0) / dur).sin()
}

struct Hop {
    push_s: f64,
    push_dur: f64,
    flight: f64,
    land_dur: f64,
    impact: f64,
    offset_ml: f64,
    offset_ap: f64,
}

struct Touch {
    t: f64,
    dur: f64,
    impact: f64,
    back: f64,
}

/// Simulates one case (see module docs).
pub fn simulate(c: &SlsCase) -> (SlsRecording, SlsTruth) {
    let mut r = SplitMix::new(c.seed);
    let dt = 1.0 / CORE_HZ;
    let sign = if c.stance == Side::Right { 1.0 } else { -1.0 }; // towards the stance foot
    let quiet = r.range(3.0, 5.0);
    let apa_dur = r.range(0.15, 0.3);
    let apa = r.range(0.0, 0.01);
    let shift_dur = r.range(0.5, 1.2);
    let shift_start = quiet + apa_dur;
    let lift_off = shift_start + shift_dur;
    let touch_down = lift_off + c.hold_s;
    let back_delay = r.range(0.0, 0.25);
    let back_dur = r.range(0.5, 1.5);
    let back_frac = r.range(0.7, 1.0);
    let duration = touch_down + back_delay + back_dur + r.range(2.0, 4.0);
    let hike = r.range(1.0, 4.0).to_radians();
    let shift_ap = r.range(-0.02, 0.02);
    let (td_amp, td_sigma) = if c.hard_touch_down {
        (r.range(3.0, 8.0), r.range(0.01, 0.02))
    } else {
        (r.range(0.8, 2.0), r.range(0.015, 0.03))
    };
    let td_horiz = r.range(0.1, 0.4);
    // disturbances, spread over the hold away from its ends
    let n_extra = match c.extras {
        Extras::None => 0,
        _ => 1 + (c.hold_s > 15.0) as usize,
    };
    let slots: Vec<f64> = (0..n_extra)
        .map(|k| {
            let span = c.hold_s - 4.0;
            lift_off + 2.0 + span * (k as f64 + r.range(0.2, 0.8)) / n_extra as f64
        })
        .collect();
    let hops: Vec<Hop> = if c.extras == Extras::Hops {
        slots
            .iter()
            .map(|&t| Hop {
                push_s: t,
                push_dur: r.range(0.2, 0.3),
                flight: r.range(0.12, 0.25),
                land_dur: r.range(0.1, 0.2),
                impact: r.range(5.0, 12.0),
                offset_ml: sign * r.range(-0.01, 0.02),
                offset_ap: r.range(-0.02, 0.02),
            })
            .collect()
    } else {
        Vec::new()
    };
    let touches: Vec<Touch> = if c.extras == Extras::ToeTouches {
        slots
            .iter()
            .map(|&t| Touch {
                t,
                dur: r.range(0.2, 0.7),
                impact: r.range(0.5, 2.0),
                back: r.range(0.15, 0.4),
            })
            .collect()
    } else {
        Vec::new()
    };
    let n = (duration * CORE_HZ) as usize;
    let time = |k: usize| k as f64 * dt;

    // sway pendulums
    let l = r.range(0.9, 1.05);
    let h = r.range(0.95, 1.1);
    let gl = G / l;
    let pendulum = |r: &mut SplitMix| {
        let kp = gl * r.range(1.3, 1.8);
        let w = (kp - gl).sqrt();
        let kd = 2.0 * r.range(0.3, 0.6) * w;
        let tau_u = 0.1;
        let (mut th, mut om, mut u) = (0.0f64, 0.0f64, 0.0f64);
        let mut out = Vec::with_capacity(n);
        for k in 0..n {
            let t = time(k);
            let single = ramp(t, shift_start, shift_dur)
                * (1.0 - ramp(t, touch_down + back_delay, back_dur));
            let b = 0.3 + 0.7 * single;
            u += dt / tau_u * (-u) + (2.0 * dt / tau_u).sqrt() * r.normal();
            let acc = (gl - kp) * th - kd * om + b * u;
            om += acc * dt;
            th += om * dt;
            out.push(th);
        }
        out
    };
    let mut th_ml = pendulum(&mut r);
    let mut th_ap = pendulum(&mut r);
    let (h0, h1) = (
        (lift_off * CORE_HZ) as usize,
        (touch_down * CORE_HZ) as usize,
    );
    let rms = |x: &[f64]| (x.iter().map(|v| v * v).sum::<f64>() / x.len().max(1) as f64).sqrt();
    let scale_ml = 0.5 * c.sway_deg.to_radians() / rms(&th_ml[h0..h1]).max(1e-12);
    let scale_ap =
        r.range(0.6, 1.2) * 0.5 * c.sway_deg.to_radians() / rms(&th_ap[h0..h1]).max(1e-12);
    th_ml.iter_mut().for_each(|v| *v *= scale_ml);
    th_ap.iter_mut().for_each(|v| *v *= scale_ap);

    // pelvis translation of the weight shifts (ML, AP) and hike, per core sample
    let translation = |t: f64| -> (f64, f64) {
        let mut ml = -sign * apa * (ramp(t, quiet, apa_dur) - ramp(t, shift_start, shift_dur))
            + sign * c.shift_m * ramp(t, shift_start, shift_dur)
            - sign * c.shift_m * back_frac * ramp(t, touch_down + back_delay, back_dur);
        let mut ap = shift_ap
            * (ramp(t, shift_start, shift_dur) - ramp(t, touch_down + back_delay, back_dur));
        for tt in &touches {
            let half = tt.dur / 2.0;
            ml -= sign * c.shift_m * tt.back * (ramp(t, tt.t, half) - ramp(t, tt.t + half, half));
        }
        for hp in &hops {
            let f = ramp(t, hp.push_s + hp.push_dur, hp.flight);
            ml += hp.offset_ml * f;
            ap += hp.offset_ap * f;
        }
        (ml, ap)
    };
    let hike_at = |t: f64| -> f64 {
        let mut on = ramp(t, lift_off, 0.3) * (1.0 - ramp(t, touch_down - 0.3, 0.3));
        for tt in &touches {
            on *= 1.0 - ramp(t, tt.t - 0.15, 0.15) * (1.0 - ramp(t, tt.t + tt.dur, 0.2));
        }
        on * hike
    };
    // extra vertical (and horizontal) acceleration of impacts and hops, level frame
    let extra_acc = |t: f64| -> Vector3<f64> {
        let imp = ricker(t, touch_down, td_sigma, td_amp);
        let mut v = imp;
        let mut ml = -sign * td_horiz * imp;
        for tt in &touches {
            let i = ricker(t, tt.t, 0.02, tt.impact);
            v += i;
            ml -= sign * 0.2 * i;
        }
        for hp in &hops {
            let take_off = hp.push_s + hp.push_dur;
            let land = take_off + hp.flight;
            let v0 = 0.5 * G * hp.flight;
            v += half_sine(t, hp.push_s, hp.push_dur, v0);
            if t > take_off && t < land {
                v -= G;
            }
            v += half_sine(t, land, hp.land_dur, v0);
            v += ricker(t, land + 0.01, 0.012, hp.impact);
        }
        Vector3::new(v, ml, 0.0)
    };

    let mount = UnitQuaternion::from_axis_angle(&Vector3::y_axis(), c.pitch_deg.to_radians())
        * UnitQuaternion::from_axis_angle(&Vector3::z_axis(), c.roll_deg.to_radians());
    // the raised side goes up: a rotation about AP by −φ lifts the right side
    let raised_sign = if c.stance == Side::Left { -1.0 } else { 1.0 };
    let pose = |k: usize| -> (Vector3<f64>, UnitQuaternion<f64>) {
        let t = time(k);
        let body = UnitQuaternion::from_axis_angle(&Vector3::z_axis(), th_ml[k])
            * UnitQuaternion::from_axis_angle(&Vector3::y_axis(), -th_ap[k]);
        let pelvis = UnitQuaternion::from_axis_angle(&Vector3::z_axis(), raised_sign * hike_at(t));
        let q = body * pelvis * mount;
        let (ml, ap) = translation(t);
        let p = body * Vector3::new(h, 0.0, 0.0) + Vector3::new(0.0, ml, ap);
        (p, q)
    };
    let poses: Vec<(Vector3<f64>, UnitQuaternion<f64>)> = (0..n).map(pose).collect();
    let mut f_core: Vec<Vector3<f64>> = Vec::with_capacity(n);
    let mut w_core: Vec<Vector3<f64>> = Vec::with_capacity(n);
    for k in 0..n {
        let (km, kp) = (k.saturating_sub(1), (k + 1).min(n - 1));
        let a = if k == 0 || k == n - 1 {
            Vector3::zeros()
        } else {
            (poses[kp].0 - 2.0 * poses[k].0 + poses[km].0) / (dt * dt)
        };
        let a = a + extra_acc(time(k));
        let q = poses[k].1;
        f_core.push(q.inverse() * (a + Vector3::new(G, 0.0, 0.0)));
        let span = (kp - km).max(1) as f64 * dt;
        w_core.push((poses[km].1.inverse() * poses[kp].1).scaled_axis() / span);
    }

    let to_raw = c.axes.parse::<Axes>().unwrap().sensor_to_body().transpose();
    let decim = (CORE_HZ / c.fs_hz).round() as usize;
    let acc_noise = r.range(0.005, 0.03);
    let gyr_noise = r.range(0.05, 0.2);
    let bias = Vector3::new(r.range(-1.0, 1.0), r.range(-1.0, 1.0), r.range(-1.0, 1.0));
    let mut rec = SlsRecording {
        fs_hz: c.fs_hz,
        axes: c.axes,
        acc_mps2: Default::default(),
        gyr_dps: Default::default(),
    };
    let mut k = 0;
    while k < n {
        let (lo, hi) = (k.saturating_sub(decim / 2), (k + decim - decim / 2).min(n));
        let m = (hi - lo) as f64;
        let f: Vector3<f64> = f_core[lo..hi].iter().sum::<Vector3<f64>>() / m;
        let w: Vector3<f64> = w_core[lo..hi].iter().sum::<Vector3<f64>>() / m;
        let f = to_raw * f;
        let w = to_raw * (w.map(f64::to_degrees) + bias);
        for ch in 0..3 {
            rec.acc_mps2[ch].push(f[ch] + acc_noise * r.normal());
            rec.gyr_dps[ch].push(w[ch] + gyr_noise * r.normal());
        }
        k += decim;
    }
    let truth = SlsTruth {
        stance: c.stance,
        lift_off_s: lift_off,
        touch_down_s: touch_down,
        hops_s: hops.iter().map(|h| h.push_s + h.push_dur).collect(),
        toe_touches_s: touches.iter().map(|t| t.t).collect(),
        duration_s: rec.acc_mps2[0].len() as f64 / c.fs_hz,
    };
    (rec, truth)
}

impl SlsRecording {
    /// Writes session.json (lower-back sensor, `task`) and lower_back.csv into `dir`.
    pub fn write_session(&self, dir: &std::path::Path, task: &str) {
        let mut csv = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
        for i in 0..self.acc_mps2[0].len() {
            csv.push_str(&format!(
                "{:.5},{:.5},{:.5},{:.5},{:.4},{:.4},{:.4}\n",
                i as f64 / self.fs_hz,
                self.acc_mps2[0][i],
                self.acc_mps2[1][i],
                self.acc_mps2[2][i],
                self.gyr_dps[0][i],
                self.gyr_dps[1][i],
                self.gyr_dps[2][i]
            ));
        }
        std::fs::write(dir.join("lower_back.csv"), csv).unwrap();
        let json = format!(
            "{{\"task\": \"{task}\", \"participant\": {{\"height_m\": 1.72, \"sensor_height_m\": 1.0}}, \
             \"sensors\": [{{\"placement\": \"lower-back\", \"file\": \"lower_back.csv\", \"axes\": \"{}\"}}]}}",
            self.axes
        );
        std::fs::write(dir.join("session.json"), json).unwrap();
    }
}
