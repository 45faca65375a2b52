//! A family of single-leg squat and step-down recordings with randomised parameters, for
//! evaluating the repetition detection and the pelvic drop on data they were not designed
//! with. Written from the movement, not from the detector: none of its profiles or thresholds
//! are shared with `gaitkit::balance`.
//!
//! Model (level frame V/ML/AP = up, right, forward; g = 9.80665 m/s² along −V; 1-kHz core):
//! * **Sway**: the body is an inverted pendulum pivoting at the ankle, one angle per plane,
//!   θ̈ = (g/L − K_p)·θ − K_d·θ̇ + b(t)·u(t) (L = 0.9–1.05 m, K_p = 1.3–1.8 g/L, damping ratio
//!   0.3–0.6, u an AR(1) torque noise with a 0.1-s time constant). The gain b is 0.3 in double
//!   stance and 1 on one leg; the ML angle is scaled so that its 2·RMS on one leg is the
//!   recording's sway (0.3–1.5°), AP 0.6–1.2 times that. The whole body, pelvis included,
//!   tilts with the pendulum.
//! * **Getting onto one leg**: 3–5 s of quiet double stance, then the pelvis moves 3–8 cm over
//!   the stance foot (raised cosine, 0.6–1.2 s) and the free side hikes by 0–3° (0.3 s);
//!   1–2 s later the repetitions start. After the last one, 1–2 s on one leg, the hike and the
//!   shift are undone and 2–4 s of quiet standing end the recording.
//! * **Repetition** (the sacral point, where the sensor sits): descent by the depth (5–30 cm,
//!   ±15 % per repetition) over 0.5–2 s (±15 %), a pause at the bottom, ascent over 0.7–1.3
//!   times the descent; profile s(t) from 0 to 1 and back, minimum-jerk (Flash & Hogan 1985) or
//!   raised cosine per recording; 0.3–2.5 s of standing on one leg between repetitions.
//!   * **pelvic obliquity**: the non-stance side drops by the repetition's drop (the
//!     recording's level 0–15° ± 1.5°, clamped to 0–15°) times s(t)^γ, γ = 0.7–1.5 (the drop
//!     builds with depth, early or late);
//!   * **transverse rotation** 0–10° and **anterior tilt** (forward lean) 40–110° per metre of
//!     depth, both times s(t);
//!   * the sacrum moves backward by 20–60 % of the depth in a squat (the hips go back) and
//!     forward by 10–30 % in a step-down; sideways by up to ±10 % of the depth.
//!   * **step-down**: the stance foot stays on a step while the free leg is lowered until its
//!     heel touches the floor below: at the bottom the heel rests for 0.1–0.5 s and its
//!     contact reaches the pelvis as a light vertical impact (a Ricker wavelet of 0.2–1.5 m/s²,
//!     10–25 ms). A squat has a 0–0.3 s pause at the bottom and no contact.
//!   * Pelvis orientation = heading · obliquity · tilt (the rotation–obliquity–tilt sequence
//!     of Baker 2001, Gait Posture 13:1–6), so the obliquity is the elevation of the pelvis's
//!     ML axis above the level plane.
//! * **Truth per repetition**: start = start of the descent, bottom = end of the descent, end
//!   = end of the ascent; pelvic drop = peak over [start, end] of the pelvic obliquity towards
//!   the non-stance side (sway included), relative to its mean over the 0.5 s before the start.
//! * **Sensor**: on the sacrum, mounted pitched (about ML) and rolled (in the plane of the
//!   back, about its own forward axis) by up to ±30° each; declared axes URF, DLF or BLD, the
//!   tilt not declared; specific force and body rate in sensor axes from the 1-kHz pose
//!   (second difference; quaternion log), box-averaged to 50, 100, 125 or 200 Hz, white noise
//!   0.005–0.03 m/s² and 0.05–0.2 deg/s, constant gyroscope bias up to ±1 deg/s.

#![allow(dead_code)]

use crate::sls_family::{SlsRecording, SplitMix};
use gaitkit::gait::Side;
use gaitkit::recording::Axes;

const G: f64 = 9.80665;
const CORE_HZ: f64 = 1000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Squat,
    StepDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    MinimumJerk,
    RaisedCosine,
}

/// Parameters of one recording.
#[derive(Debug, Clone)]
pub struct SquatCase {
    pub seed: u64,
    pub kind: Kind,
    pub stance: Side,
    pub reps: usize,
    /// Mean descent duration, s.
    pub descent_s: f64,
    /// Mean depth of the sacrum, m.
    pub depth_m: f64,
    /// Level of the pelvic drop, deg (per repetition ±1.5°, within 0–15°).
    pub drop_deg: f64,
    pub profile: Profile,
    /// 2·RMS of the ML pendulum angle on one leg, deg.
    pub sway_deg: f64,
    pub pitch_deg: f64,
    pub roll_deg: f64,
    pub fs_hz: f64,
    pub axes: &'static str,
}

impl SquatCase {
    /// The session task name.
    pub fn task(&self) -> String {
        let kind = match self.kind {
            Kind::Squat => "squat",
            Kind::StepDown => "step-down",
        };
        let side = if self.stance == Side::Left {
            "left"
        } else {
            "right"
        };
        format!("{kind}-{side}")
    }
}

/// One repetition as simulated, on the recording's clock.
#[derive(Debug, Clone)]
pub struct TrueRep {
    pub start_s: f64,
    pub bottom_s: f64,
    pub end_s: f64,
    pub depth_m: f64,
    /// Peak pelvic drop towards the non-stance side, deg (module docs).
    pub drop_deg: f64,
}

#[derive(Debug, Clone)]
pub struct SquatTruth {
    pub reps: Vec<TrueRep>,
    pub duration_s: f64,
}

/// `n` cases drawn from the parameter ranges of the module docs.
pub fn family(n: usize, seed: u64) -> Vec<SquatCase> {
    let mut r = SplitMix::new(seed);
    (0..n)
        .map(|i| SquatCase {
            seed: seed.wrapping_mul(1000).wrapping_add(i as u64),
            kind: if r.unit() < 0.5 {
                Kind::Squat
            } else {
                Kind::StepDown
            },
            stance: if r.unit() < 0.5 {
                Side::Left
            } else {
                Side::Right
            },
            reps: 2 + ((r.unit() * 9.0) as usize).min(8),
            descent_s: r.range(0.5, 2.0),
            depth_m: r.range(0.05, 0.30),
            drop_deg: r.range(0.0, 15.0),
            profile: r.pick(&[Profile::MinimumJerk, Profile::RaisedCosine]),
            sway_deg: r.range(0.3, 1.5),
            pitch_deg: r.range(-30.0, 30.0),
            roll_deg: r.range(-30.0, 30.0),
            fs_hz: r.pick(&[50.0, 100.0, 125.0, 200.0]),
            axes: r.pick(&["URF", "DLF", "BLD"]),
        })
        .collect()
}

/// Unit quaternion (w, x, y, z) with plain arithmetic: the 1-kHz core needs millions of
/// rotations, which must stay fast in debug builds.
#[derive(Debug, Clone, Copy)]
struct Q([f64; 4]);

type V3 = [f64; 3];

impl Q {
    /// Rotation by `angle` (rad) about body axis `axis` (0 = V, 1 = ML, 2 = AP).
    fn about(axis: usize, angle: f64) -> Q {
        let mut q = [(0.5 * angle).cos(), 0.0, 0.0, 0.0];
        q[1 + axis] = (0.5 * angle).sin();
        Q(q)
    }
    fn mul(self, b: Q) -> Q {
        let [w1, x1, y1, z1] = self.0;
        let [w2, x2, y2, z2] = b.0;
        Q([
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ])
    }
    fn inv(self) -> Q {
        let [w, x, y, z] = self.0;
        Q([w, -x, -y, -z])
    }
    fn rotate(self, v: V3) -> V3 {
        let r = self.mul(Q([0.0, v[0], v[1], v[2]])).mul(self.inv());
        [r.0[1], r.0[2], r.0[3]]
    }
    /// Rotation vector (axis × angle, rad) of the shorter rotation.
    fn log(self) -> V3 {
        let [mut w, mut x, mut y, mut z] = self.0;
        if w < 0.0 {
            (w, x, y, z) = (-w, -x, -y, -z);
        }
        let s = (x * x + y * y + z * z).sqrt();
        if s < 1e-15 {
            return [2.0 * x, 2.0 * y, 2.0 * z];
        }
        let k = 2.0 * s.atan2(w) / s;
        [k * x, k * y, k * z]
    }
}

fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// Raised cosine from 0 (before `t0`) to 1 (after `t0 + dur`).
fn ramp(t: f64, t0: f64, dur: f64) -> f64 {
    let x = ((t - t0) / dur).clamp(0.0, 1.0);
    0.5 - 0.5 * (std::f64::consts::PI * x).cos()
}

/// Position profile from 0 (before `t0`) to 1 (after `t0 + dur`).
fn profile(p: Profile, t: f64, t0: f64, dur: f64) -> f64 {
    let x = ((t - t0) / dur).clamp(0.0, 1.0);
    match p {
        Profile::MinimumJerk => x * x * x * (10.0 - 15.0 * x + 6.0 * x * x),
        Profile::RaisedCosine => ramp(t, t0, dur),
    }
}

/// Ricker wavelet with peak `amp` at `t0` and width `sigma` (zero integral and first moment).
fn ricker(t: f64, t0: f64, sigma: f64, amp: f64) -> f64 {
    let x = (t - t0) / sigma;
    if x.abs() > 6.0 {
        return 0.0;
    }
    amp * (1.0 - x * x) * (-0.5 * x * x).exp()
}

/// Timing and amplitudes of one simulated repetition.
struct Rep {
    start: f64,
    descent: f64,
    bottom_pause: f64,
    ascent: f64,
    depth: f64,
    drop: f64,
    gamma: f64,
    rotation: f64,
    lean: f64,
    shift_ap: f64,
    shift_ml: f64,
    contact: Option<(f64, f64)>,
}

impl Rep {
    fn bottom(&self) -> f64 {
        self.start + self.descent
    }
    fn end(&self) -> f64 {
        self.bottom() + self.bottom_pause + self.ascent
    }
    /// Movement fraction s(t), 0 standing, 1 at the bottom.
    fn s(&self, p: Profile, t: f64) -> f64 {
        profile(p, t, self.start, self.descent)
            - profile(p, t, self.bottom() + self.bottom_pause, self.ascent)
    }
}

/// Simulates one case (see module docs).
pub fn simulate(c: &SquatCase) -> (SlsRecording, SquatTruth) {
    let mut r = SplitMix::new(c.seed);
    let dt = 1.0 / CORE_HZ;
    let to_stance = if c.stance == Side::Right { 1.0 } else { -1.0 };
    let quiet = r.range(3.0, 5.0);
    let shift_dur = r.range(0.6, 1.2);
    let shift_m = r.range(0.03, 0.08);
    let hike = r.range(0.0, 3.0);
    let on_one_leg = quiet + shift_dur;
    let mut t = on_one_leg + 0.3 + r.range(1.0, 2.0);
    let lean_per_m = r.range(40.0, 110.0);
    let rotation = r.range(-10.0, 10.0);
    let shift_ap_frac = match c.kind {
        Kind::Squat => -r.range(0.2, 0.6),
        Kind::StepDown => r.range(0.1, 0.3),
    };
    let shift_ml_frac = r.range(-0.1, 0.1);
    let mut reps = Vec::with_capacity(c.reps);
    for _ in 0..c.reps {
        let descent = c.descent_s * r.range(0.85, 1.15);
        let depth = c.depth_m * r.range(0.85, 1.15);
        let (bottom_pause, contact) = match c.kind {
            Kind::Squat => (r.range(0.0, 0.3), None),
            Kind::StepDown => (
                r.range(0.1, 0.5),
                Some((r.range(0.2, 1.5), r.range(0.010, 0.025))),
            ),
        };
        let rep = Rep {
            start: t,
            descent,
            bottom_pause,
            ascent: descent * r.range(0.7, 1.3),
            depth,
            drop: (c.drop_deg + 1.5 * (2.0 * r.unit() - 1.0)).clamp(0.0, 15.0),
            gamma: r.range(0.7, 1.5),
            rotation: rotation * r.range(0.8, 1.2),
            lean: lean_per_m * depth,
            shift_ap: shift_ap_frac * depth,
            shift_ml: shift_ml_frac * depth,
            contact,
        };
        t = rep.end() + r.range(0.3, 2.5);
        reps.push(rep);
    }
    let off_one_leg = t - r.range(0.3, 2.5) + r.range(1.0, 2.0);
    let duration = off_one_leg + 0.3 + shift_dur + r.range(2.0, 4.0);
    let n = (duration * CORE_HZ) as usize;
    let time = |k: usize| k as f64 * dt;
    let single = |t: f64| ramp(t, quiet, shift_dur) * (1.0 - ramp(t, off_one_leg + 0.3, shift_dur));

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
            let b = 0.3 + 0.7 * single(time(k));
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
        (on_one_leg * CORE_HZ) as usize,
        ((off_one_leg * CORE_HZ) as usize).min(n),
    );
    let rms = |x: &[f64]| (x.iter().map(|v| v * v).sum::<f64>() / x.len().max(1) as f64).sqrt();
    let scale_ml = 0.5 * c.sway_deg.to_radians() / rms(&th_ml[h0..h1]).max(1e-12);
    let scale_ap =
        r.range(0.6, 1.2) * 0.5 * c.sway_deg.to_radians() / rms(&th_ap[h0..h1]).max(1e-12);
    th_ml.iter_mut().for_each(|v| *v *= scale_ml);
    th_ap.iter_mut().for_each(|v| *v *= scale_ap);

    // right side up per degree of drop of the non-stance side
    let right_up_per_drop = to_stance;
    let pelvis = |t: f64| -> (V3, Q) {
        let hiked = ramp(t, on_one_leg, 0.3) * (1.0 - ramp(t, off_one_leg, 0.3));
        let mut right_up = -right_up_per_drop * hike * hiked;
        let (mut down, mut ap, mut ml) = (0.0, 0.0, 0.0);
        let (mut yaw, mut lean) = (0.0, 0.0);
        ml += to_stance * shift_m * single(t);
        for rep in &reps {
            if t < rep.start - 0.1 || t > rep.end() + 0.1 {
                continue;
            }
            let s = rep.s(c.profile, t).clamp(0.0, 1.0);
            down += rep.depth * s;
            ap += rep.shift_ap * s;
            ml += rep.shift_ml * s;
            right_up += right_up_per_drop * rep.drop * s.powf(rep.gamma);
            yaw += rep.rotation * s;
            lean += rep.lean * s;
        }
        let q = Q::about(0, yaw.to_radians())
            .mul(Q::about(2, -right_up.to_radians()))
            .mul(Q::about(1, -lean.to_radians()));
        ([-down, ml, ap], q)
    };
    let contact_acc = |t: f64| -> f64 {
        reps.iter()
            .filter_map(|rep| {
                rep.contact
                    .map(|(amp, sigma)| ricker(t, rep.bottom(), sigma, amp))
            })
            .sum()
    };

    let mount = Q::about(1, c.pitch_deg.to_radians()).mul(Q::about(2, c.roll_deg.to_radians()));
    let mut poses: Vec<(V3, Q)> = Vec::with_capacity(n);
    let mut obliquity_deg: Vec<f64> = Vec::with_capacity(n);
    for k in 0..n {
        let t = time(k);
        let body = Q::about(2, th_ml[k]).mul(Q::about(1, -th_ap[k]));
        let (p, q) = pelvis(t);
        let qp = body.mul(q);
        let right = qp.rotate([0.0, 1.0, 0.0]);
        obliquity_deg.push(right[0].clamp(-1.0, 1.0).asin().to_degrees());
        poses.push((add(body.rotate([h, 0.0, 0.0]), p), qp.mul(mount)));
    }

    let truth_reps = reps
        .iter()
        .map(|rep| {
            let idx = |t: f64| ((t * CORE_HZ) as usize).min(n - 1);
            let drop_of = |k: usize| right_up_per_drop * obliquity_deg[k];
            let base_range = idx(rep.start - 0.5)..idx(rep.start);
            let base = base_range.clone().map(drop_of).sum::<f64>() / base_range.len() as f64;
            let peak = (idx(rep.start)..=idx(rep.end()))
                .map(drop_of)
                .fold(f64::MIN, f64::max);
            TrueRep {
                start_s: rep.start,
                bottom_s: rep.bottom(),
                end_s: rep.end(),
                depth_m: rep.depth,
                drop_deg: peak - base,
            }
        })
        .collect();

    let mut f_core: Vec<V3> = Vec::with_capacity(n);
    let mut w_core: Vec<V3> = Vec::with_capacity(n);
    for k in 0..n {
        let (km, kp) = (k.saturating_sub(1), (k + 1).min(n - 1));
        let mut a = [0.0; 3];
        if k > 0 && k < n - 1 {
            for (ch, a) in a.iter_mut().enumerate() {
                *a = (poses[kp].0[ch] - 2.0 * poses[k].0[ch] + poses[km].0[ch]) / (dt * dt);
            }
        }
        a[0] += contact_acc(time(k)) + G;
        f_core.push(poses[k].1.inv().rotate(a));
        let span = (kp - km).max(1) as f64 * dt;
        let w = poses[km].1.inv().mul(poses[kp].1).log();
        w_core.push([w[0] / span, w[1] / span, w[2] / span]);
    }

    let to_raw = c.axes.parse::<Axes>().unwrap().sensor_to_body().transpose();
    let decim = (CORE_HZ / c.fs_hz).round() as usize;
    let acc_noise = r.range(0.005, 0.03);
    let gyr_noise = r.range(0.05, 0.2);
    let bias = [r.range(-1.0, 1.0), r.range(-1.0, 1.0), r.range(-1.0, 1.0)];
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
        let mean = |x: &[V3]| {
            let s = x.iter().fold([0.0; 3], |s, v| add(s, *v));
            nalgebra::Vector3::new(s[0] / m, s[1] / m, s[2] / m)
        };
        let f = to_raw * mean(&f_core[lo..hi]);
        let w =
            to_raw * (mean(&w_core[lo..hi]).map(f64::to_degrees) + nalgebra::Vector3::from(bias));
        for ch in 0..3 {
            rec.acc_mps2[ch].push(f[ch] + acc_noise * r.normal());
            rec.gyr_dps[ch].push(w[ch] + gyr_noise * r.normal());
        }
        k += decim;
    }
    let truth = SquatTruth {
        reps: truth_reps,
        duration_s: rec.acc_mps2[0].len() as f64 / c.fs_hz,
    };
    (rec, truth)
}
