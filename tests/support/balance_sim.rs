//! Physically based simulator of a lower-back IMU during balance tasks, with known answers.
//!
//! Physics (level frame V/ML/AP = up, right, forward; gravity g = 9.80665 m/s² along −V):
//! * **Standing sway**: the body is an inverted pendulum pivoting at the ankles, one angle per
//!   plane (θ_AP forward, θ_ML to the right). Each obeys
//!   θ̈ = (g/L)·sin θ − K_p·(θ − θ_ref) − K_d·θ̇ + u(t), with L the centre-of-mass height, a PD
//!   "neural" controller (K_p > g/L for stability) and u(t) a torque noise (white noise
//!   low-passed at 1.5 Hz, per unit inertia). Scripted kicks add to u (corrective excursions).
//! * **The sensor** sits on the body axis at height h (the lower back): its position is
//!   pivot + R·(h, 0, 0) with R the body orientation, plus scripted translations (weight
//!   transfer, squat depth, impacts). The pelvis may also rotate about the sensor itself
//!   (pelvic drop, forward lean, transverse rotation).
//! * **IMU model**: the simulation runs at 1 kHz; acceleration is the second central difference
//!   of the sensor position, the accelerometer reads the specific force Rᵀ(a + g·V̂), the
//!   gyroscope reads the body rate log(R_kᵀR_{k+1})/Δt. Output is every 10th sample (100 Hz),
//!   in the axes of the declared mounting, with white noise and a constant gyroscope bias.
//! * **Single-leg stance**: quiet double stance, then a minimum-jerk lateral weight transfer
//!   (Flash & Hogan 1985) of the body over the stance foot; the raised foot lifts off at the end
//!   of the transfer; during the hold the ML pendulum is less stiff and noisier; scripted losses
//!   (corrective excursions = torque kicks, hops = a 2-cm rise and fall with a landing impact);
//!   touch-down = a foot impact (short Gaussian dip of the pelvis) followed by the transfer back.
//! * **Single-leg squat / step-down**: pelvis descends and rises with minimum-jerk profiles; the
//!   frontal pelvis angle drops on the non-stance side in proportion to depth (known peak drop);
//!   the step-down lands with an impact and a damped horizontal oscillation.

#![allow(dead_code)]

use std::f64::consts::PI;

use gaitkit::gait::Side;
use gaitkit::recording::Axes;
use nalgebra::{UnitQuaternion, Vector3};

pub const G: f64 = 9.80665;
const FS_SIM: f64 = 1000.0;
const DECIMATE: usize = 10;

/// Deterministic Gaussian noise (PCG-style LCG + Box–Muller).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    pub fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn gauss(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
    }
}

/// Sensor pose at one simulation instant.
#[derive(Clone, Copy)]
pub struct Pose {
    /// Position, level frame (V, ML, AP), m.
    pub pos_m: Vector3<f64>,
    /// Sensor → level rotation.
    pub q: UnitQuaternion<f64>,
}

/// What a simulated recording contains: IMU samples and the truth.
pub struct SimRecording {
    pub fs_hz: f64,
    /// Raw sensor axes as declared by `axes`, m/s² and deg/s.
    pub acc_mps2: [Vec<f64>; 3],
    pub gyr_dps: [Vec<f64>; 3],
    pub axes: Axes,
    /// True level-frame linear acceleration (V, ML, AP) of the sensor, m/s².
    pub true_lin_acc_mps2: [Vec<f64>; 3],
    /// True frontal tilt, deg, right side up positive.
    pub true_right_side_up_deg: Vec<f64>,
}

impl SimRecording {
    /// Body-frame (V, ML, AP) copies of the samples, using the declared axes.
    pub fn body_frame(&self) -> ([Vec<f64>; 3], [Vec<f64>; 3]) {
        let r = self.axes.sensor_to_body();
        let n = self.acc_mps2[0].len();
        let mut acc: [Vec<f64>; 3] = Default::default();
        let mut gyr: [Vec<f64>; 3] = Default::default();
        for i in 0..n {
            let a = r * Vector3::new(
                self.acc_mps2[0][i],
                self.acc_mps2[1][i],
                self.acc_mps2[2][i],
            );
            let g = r * Vector3::new(self.gyr_dps[0][i], self.gyr_dps[1][i], self.gyr_dps[2][i]);
            for k in 0..3 {
                acc[k].push(a[k]);
                gyr[k].push(g[k]);
            }
        }
        (acc, gyr)
    }

    /// The samples as sensor CSV text.
    pub fn csv_text(&self) -> String {
        let mut csv = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
        for i in 0..self.acc_mps2[0].len() {
            csv.push_str(&format!(
                "{:.4},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}\n",
                i as f64 / self.fs_hz,
                self.acc_mps2[0][i],
                self.acc_mps2[1][i],
                self.acc_mps2[2][i],
                self.gyr_dps[0][i],
                self.gyr_dps[1][i],
                self.gyr_dps[2][i]
            ));
        }
        csv
    }

    /// Writes a session folder (session.json + lower_back.csv) for end-to-end tests.
    pub fn write_session(&self, dir: &std::path::Path, task: Option<&str>, age_years: Option<f64>) {
        self.write_session_at(dir, task, age_years, None)
    }

    /// As [`write_session`](Self::write_session), with the session's start time (RFC 3339).
    pub fn write_session_at(
        &self,
        dir: &std::path::Path,
        task: Option<&str>,
        age_years: Option<f64>,
        start_time: Option<&str>,
    ) {
        std::fs::write(dir.join("lower_back.csv"), self.csv_text()).unwrap();
        let task = task
            .map(|t| format!("\"task\": \"{t}\", "))
            .unwrap_or_default()
            + &start_time
                .map(|t| format!("\"start_time\": \"{t}\", "))
                .unwrap_or_default();
        let age = age_years
            .map(|a| format!(", \"age_years\": {a}"))
            .unwrap_or_default();
        let json = format!(
            "{{{task}\"participant\": {{\"height_m\": 1.75, \"sensor_height_m\": 1.0{age}}}, \
             \"sensors\": [{{\"placement\": \"lower-back\", \"file\": \"lower_back.csv\", \"axes\": \"{}\"}}]}}",
            self.axes
        );
        std::fs::write(dir.join("session.json"), json).unwrap();
    }
}

/// Sensor noise and mounting.
#[derive(Clone, Copy)]
pub struct ImuModel {
    pub acc_noise_mps2: f64,
    pub gyr_noise_dps: f64,
    pub gyro_bias_dps: [f64; 3],
    pub axes: Axes,
    pub seed: u64,
}

impl Default for ImuModel {
    fn default() -> Self {
        ImuModel {
            acc_noise_mps2: 0.01,
            gyr_noise_dps: 0.05,
            gyro_bias_dps: [0.4, -0.3, 0.25],
            axes: "URF".parse().unwrap(),
            seed: 7,
        }
    }
}

/// Turns 1-kHz poses into 100-Hz IMU samples (see module docs).
pub fn imu_from_poses(poses: &[Pose], imu: ImuModel) -> SimRecording {
    let dt = 1.0 / FS_SIM;
    let n = poses.len();
    let mut rng = Rng::new(imu.seed);
    // body → sensor axes: sensor = Rᵀ_axes · body
    let to_sensor = imu.axes.sensor_to_body().transpose();
    let fs = FS_SIM / DECIMATE as f64;
    let mut rec = SimRecording {
        fs_hz: fs,
        acc_mps2: Default::default(),
        gyr_dps: Default::default(),
        axes: imu.axes,
        true_lin_acc_mps2: Default::default(),
        true_right_side_up_deg: Vec::new(),
    };
    let mut k = DECIMATE;
    while k + 1 < n {
        let a = (poses[k + 1].pos_m - 2.0 * poses[k].pos_m + poses[k - 1].pos_m) / (dt * dt);
        let q = poses[k].q;
        let f_body = q.inverse() * (a + Vector3::new(G, 0.0, 0.0));
        // rate over the central interval [k−1, k+1]
        let w_body = (poses[k - 1].q.inverse() * poses[k + 1].q).scaled_axis() / (2.0 * dt);
        let f = to_sensor * f_body;
        let w = to_sensor * w_body.map(f64::to_degrees);
        let bias = to_sensor * Vector3::from(imu.gyro_bias_dps);
        for c in 0..3 {
            rec.acc_mps2[c].push(f[c] + imu.acc_noise_mps2 * rng.gauss());
            rec.gyr_dps[c].push(w[c] + bias[c] + imu.gyr_noise_dps * rng.gauss());
            rec.true_lin_acc_mps2[c].push(a[c]);
        }
        let right = q * Vector3::y();
        rec.true_right_side_up_deg
            .push(right[0].clamp(-1.0, 1.0).asin().to_degrees());
        k += DECIMATE;
    }
    rec
}

/// Minimum-jerk position fraction for normalised time τ (0 before, 1 after).
pub fn min_jerk(tau: f64) -> f64 {
    let t = tau.clamp(0.0, 1.0);
    t * t * t * (10.0 - 15.0 * t + 6.0 * t * t)
}

/// One inverted pendulum plane (angle in rad).
#[derive(Clone, Copy)]
pub struct PendulumPlane {
    pub theta: f64,
    pub omega: f64,
    /// Low-passed noise state.
    pub u: f64,
}

/// Controller and noise of one plane.
#[derive(Clone, Copy)]
pub struct Control {
    /// Stiffness above gravity: natural angular frequency ω₀ of the controlled sway, rad/s.
    pub omega0: f64,
    pub damping_ratio: f64,
    /// SD of the low-passed torque noise, rad/s².
    pub noise: f64,
}

impl PendulumPlane {
    /// One semi-implicit Euler step with reference angle `theta_ref` and extra torque `kick`.
    pub fn step(&mut self, c: Control, com_height_m: f64, kick: f64, rng: &mut Rng) {
        let dt = 1.0 / FS_SIM;
        // first-order low-pass of white noise at 0.8 Hz, scaled to SD `noise`
        let a = (-2.0 * PI * 0.8 * dt).exp();
        self.u = a * self.u + (1.0 - a * a).sqrt() * c.noise * rng.gauss();
        let g_l = G / com_height_m;
        let kp = c.omega0 * c.omega0 + g_l;
        let kd = 2.0 * c.damping_ratio * c.omega0;
        let acc = g_l * self.theta.sin() - kp * self.theta - kd * self.omega + self.u + kick;
        self.omega += acc * dt;
        self.theta += self.omega * dt;
    }
}

/// Body orientation of a pendulum with forward angle `ap` and rightward angle `ml` (rad).
pub fn pendulum_q(ap: f64, ml: f64) -> UnitQuaternion<f64> {
    // +rotation about AP tilts the up axis to the right; −rotation about ML tilts it forward
    UnitQuaternion::from_axis_angle(&Vector3::z_axis(), ml)
        * UnitQuaternion::from_axis_angle(&Vector3::y_axis(), -ap)
}

/// Pelvis rotation about the sensor: `right_up_deg` frontal (right side up positive),
/// `lean_deg` forward lean, `yaw_deg` turning left.
pub fn pelvis_q(right_up_deg: f64, lean_deg: f64, yaw_deg: f64) -> UnitQuaternion<f64> {
    UnitQuaternion::from_axis_angle(&Vector3::x_axis(), yaw_deg.to_radians())
        * UnitQuaternion::from_axis_angle(&Vector3::z_axis(), -right_up_deg.to_radians())
        * UnitQuaternion::from_axis_angle(&Vector3::y_axis(), -lean_deg.to_radians())
}

/// Gaussian dip of the pelvis (m): its second derivative is an upward impact of peak
/// depth/σ² at `t0`.
pub fn impact_dip(t: f64, t0: f64, depth_m: f64, sigma_s: f64) -> f64 {
    let u = (t - t0) / sigma_s;
    if u.abs() > 6.0 {
        0.0
    } else {
        -depth_m * (-0.5 * u * u).exp()
    }
}

// ---------------------------------------------------------------------------------------------
// Quiet standing

pub struct StandingScript {
    pub duration_s: f64,
    pub com_height_m: f64,
    pub sensor_height_m: f64,
    pub ap: Control,
    pub ml: Control,
    pub seed: u64,
}

impl Default for StandingScript {
    fn default() -> Self {
        StandingScript {
            duration_s: 40.0,
            com_height_m: 0.95,
            sensor_height_m: 1.0,
            ap: Control {
                omega0: 2.5,
                damping_ratio: 0.25,
                noise: 0.05,
            },
            ml: Control {
                omega0: 4.0,
                damping_ratio: 0.3,
                noise: 0.05,
            },
            seed: 11,
        }
    }
}

pub fn simulate_standing(s: &StandingScript, imu: ImuModel) -> SimRecording {
    let n = (s.duration_s * FS_SIM) as usize + 2;
    let mut rng = Rng::new(s.seed);
    let (mut ap, mut ml) = (
        PendulumPlane {
            theta: 0.0,
            omega: 0.0,
            u: 0.0,
        },
        PendulumPlane {
            theta: 0.0,
            omega: 0.0,
            u: 0.0,
        },
    );
    // let the sway reach its stationary state before recording
    for _ in 0..(20.0 * FS_SIM) as usize {
        ap.step(s.ap, s.com_height_m, 0.0, &mut rng);
        ml.step(s.ml, s.com_height_m, 0.0, &mut rng);
    }
    let mut poses = Vec::with_capacity(n);
    for _ in 0..n {
        ap.step(s.ap, s.com_height_m, 0.0, &mut rng);
        ml.step(s.ml, s.com_height_m, 0.0, &mut rng);
        let q = pendulum_q(ap.theta, ml.theta);
        poses.push(Pose {
            pos_m: q * Vector3::new(s.sensor_height_m, 0.0, 0.0),
            q,
        });
    }
    imu_from_poses(&poses, imu)
}

// ---------------------------------------------------------------------------------------------
// Single-leg stance

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SimLoss {
    /// Torque kick in the ML plane, rad/s² for 0.3 s.
    Excursion(f64),
    /// A hop on the stance foot.
    Hop,
}

#[derive(Clone, Debug)]
pub struct SlsAttempt {
    pub stance: Side,
    pub lift_off_s: f64,
    pub touch_down_s: f64,
    /// Losses during the hold (time, kind).
    pub losses: Vec<(f64, SimLoss)>,
}

pub struct SlsScript {
    pub duration_s: f64,
    pub attempts: Vec<SlsAttempt>,
    /// Lateral distance from the midline to the stance foot, m.
    pub transfer_m: f64,
    pub transfer_s: f64,
    /// Pelvic hike of the raised side after lift-off, deg.
    pub hike_deg: f64,
    pub seed: u64,
}

/// Vertical pelvis offset of a hop on the stance foot landing at `land_s`, m: a 0.4-s knee
/// bend of c = 5.5 cm, a push-off of 0.15 s at constant acceleration to the take-off speed
/// v₀ = g·T/2, a ballistic flight of T = 0.15 s (specific force 0), a landing decelerating
/// over 0.15 s back into the bend, and 0.4 s to stand up again.
pub fn hop_lift_m(t: f64, land_s: f64) -> f64 {
    const G: f64 = 9.80665;
    let (flight, push, bend_s) = (0.15, 0.15, 0.4);
    let v0 = 0.5 * G * flight;
    let c = 0.5 * v0 * push;
    let tau = t - (land_s - flight);
    if tau < -push - bend_s || tau >= flight + push + bend_s {
        0.0
    } else if tau < -push {
        -c * min_jerk((tau + push + bend_s) / bend_s)
    } else if tau < 0.0 {
        -c + v0 * (tau + push).powi(2) / (2.0 * push)
    } else if tau < flight {
        v0 * tau - 0.5 * G * tau * tau
    } else if tau < flight + push {
        let sg = tau - flight;
        -v0 * sg + v0 * sg * sg / (2.0 * push)
    } else {
        -c + c * min_jerk((tau - flight - push) / bend_s)
    }
}

pub fn simulate_single_leg(s: &SlsScript, imu: ImuModel) -> SimRecording {
    let standing = StandingScript::default();
    let single_ml = Control {
        omega0: 3.0,
        damping_ratio: 0.4,
        noise: 0.06,
    };
    let n = (s.duration_s * FS_SIM) as usize + 2;
    let mut rng = Rng::new(s.seed);
    let mut ap = PendulumPlane {
        theta: 0.0,
        omega: 0.0,
        u: 0.0,
    };
    let mut ml = ap;
    for _ in 0..(20.0 * FS_SIM) as usize {
        ap.step(standing.ap, standing.com_height_m, 0.0, &mut rng);
        ml.step(standing.ml, standing.com_height_m, 0.0, &mut rng);
    }
    let mut poses = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / FS_SIM;
        let mut shift = 0.0; // ML position of the body over the feet, m (+right)
        let mut hike = 0.0; // right side up, deg
        let mut single = false;
        let mut kick = 0.0;
        let mut lift = 0.0; // vertical offset, m
        for a in &s.attempts {
            let dir = if a.stance == Side::Left { -1.0 } else { 1.0 };
            let on = min_jerk((t - (a.lift_off_s - s.transfer_s)) / s.transfer_s);
            let back_start = a.touch_down_s + 0.05;
            let off = min_jerk((t - back_start) / s.transfer_s);
            shift += dir * s.transfer_m * (on - off);
            // raised side hikes: for left stance the right side goes up
            let h = min_jerk((t - a.lift_off_s) / 0.3) - min_jerk((t - a.touch_down_s) / 0.3);
            hike += -dir * s.hike_deg * h;
            if t >= a.lift_off_s && t < a.touch_down_s {
                single = true;
            }
            lift += impact_dip(t, a.touch_down_s, 0.002, 0.025);
            for &(tl, kind) in &a.losses {
                match kind {
                    SimLoss::Excursion(k) => {
                        if t >= tl && t < tl + 0.3 {
                            kick += k;
                        }
                    }
                    SimLoss::Hop => {
                        lift += hop_lift_m(t, tl);
                        lift += impact_dip(t, tl, 0.003, 0.02);
                    }
                }
            }
        }
        ap.step(standing.ap, standing.com_height_m, 0.0, &mut rng);
        ml.step(
            if single { single_ml } else { standing.ml },
            standing.com_height_m,
            kick,
            &mut rng,
        );
        let body = pendulum_q(ap.theta, ml.theta);
        let q = body * pelvis_q(hike, 0.0, 0.0);
        let pos = body * Vector3::new(standing.sensor_height_m, 0.0, 0.0)
            + Vector3::new(lift, shift, 0.0);
        poses.push(Pose { pos_m: pos, q });
    }
    imu_from_poses(&poses, imu)
}

// ---------------------------------------------------------------------------------------------
// Single-leg squat and step-down

#[derive(Clone, Debug)]
pub struct Rep {
    /// Start of the descent, s.
    pub start_s: f64,
    /// Peak drop of the non-stance side of the pelvis, deg (metrics.md B5 sign).
    pub pelvic_drop_deg: f64,
    /// Peak forward lean of the pelvis, deg.
    pub forward_lean_deg: f64,
    pub depth_m: f64,
}

pub struct SquatScript {
    pub duration_s: f64,
    pub stance: Side,
    pub reps: Vec<Rep>,
    /// Descent and ascent time of a squat, s each.
    pub phase_s: f64,
    /// Step-down instead of squat: fast descent (0.4 s) ending in a landing impact, 2.5 s
    /// stabilisation with a damped horizontal oscillation (τ = `settle_tau_s`), then step up.
    pub step_down: bool,
    pub settle_tau_s: f64,
    pub seed: u64,
}

/// Repetitions with the given peak pelvic drops, deg, one every 5 s from 6 s (depth 0.2 m,
/// forward lean 15°, 16°, …), 1.2-s descent and ascent.
pub fn squat_script(stance: Side, drops: &[f64], step_down: bool) -> SquatScript {
    let reps = drops
        .iter()
        .enumerate()
        .map(|(i, &d)| Rep {
            start_s: 6.0 + 5.0 * i as f64,
            pelvic_drop_deg: d,
            forward_lean_deg: 15.0 + i as f64,
            depth_m: 0.2,
        })
        .collect::<Vec<_>>();
    SquatScript {
        duration_s: 8.0 + 5.0 * drops.len() as f64,
        stance,
        reps,
        phase_s: 1.2,
        step_down,
        settle_tau_s: 0.35,
        seed: 5,
    }
}

/// Landing time of a step-down repetition.
pub fn landing_s(rep: &Rep) -> f64 {
    rep.start_s + 0.4
}

pub fn simulate_squat(s: &SquatScript, imu: ImuModel) -> SimRecording {
    let standing = StandingScript::default();
    let n = (s.duration_s * FS_SIM) as usize + 2;
    let mut rng = Rng::new(s.seed);
    let mut ap = PendulumPlane {
        theta: 0.0,
        omega: 0.0,
        u: 0.0,
    };
    let mut ml = ap;
    let quiet = Control {
        omega0: 3.0,
        damping_ratio: 0.3,
        noise: 0.1,
    };
    for _ in 0..(20.0 * FS_SIM) as usize {
        ap.step(quiet, standing.com_height_m, 0.0, &mut rng);
        ml.step(quiet, standing.com_height_m, 0.0, &mut rng);
    }
    let drop_sign = if s.stance == Side::Left { -1.0 } else { 1.0 }; // right-side-up per deg of drop
    let mut poses = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / FS_SIM;
        let (mut down, mut right_up, mut lean, mut yaw) = (0.0, 0.0, 0.0, 0.0);
        let (mut osc_ml, mut osc_ap) = (0.0, 0.0);
        for r in &s.reps {
            let depth_frac = if s.step_down {
                let land = landing_s(r);
                min_jerk((t - r.start_s) / 0.4) - min_jerk((t - (land + 2.5)) / 0.8)
            } else {
                min_jerk((t - r.start_s) / s.phase_s)
                    - min_jerk((t - r.start_s - s.phase_s) / s.phase_s)
            };
            down += r.depth_m * depth_frac;
            right_up += drop_sign * r.pelvic_drop_deg * depth_frac;
            lean += r.forward_lean_deg * depth_frac;
            yaw += 4.0 * depth_frac;
            if s.step_down {
                let land = landing_s(r);
                down += -impact_dip(t, land, 0.004, 0.02);
                if t > land {
                    let e = (-(t - land) / s.settle_tau_s).exp();
                    // damped sway displacement: 1 cm ML, 0.6 cm AP at 1.2 Hz
                    osc_ml += 0.01 * e * (2.0 * PI * 1.2 * (t - land)).sin();
                    osc_ap += 0.006 * e * (2.0 * PI * 1.2 * (t - land) + 1.0).sin();
                }
            }
        }
        ap.step(quiet, standing.com_height_m, 0.0, &mut rng);
        ml.step(quiet, standing.com_height_m, 0.0, &mut rng);
        let body = pendulum_q(ap.theta, ml.theta);
        let q = body * pelvis_q(right_up, lean, yaw);
        let pos = body * Vector3::new(standing.sensor_height_m, 0.0, 0.0)
            + Vector3::new(-down, osc_ml, osc_ap);
        poses.push(Pose { pos_m: pos, q });
    }
    imu_from_poses(&poses, imu)
}

/// The raised leg's shank sensor during a single-leg stance script: at lift-off the shank starts
/// tilting backward (knee flexion) by `tilt_deg` over 0.4 s (minimum jerk) and comes back over
/// the 0.4 s ending exactly at touch-down; it rotates about the sensor, so the accelerometer
/// sees gravity only. Truth: lift-off = start of the rotation, touch-down = its end.
pub fn simulate_raised_shank(s: &SlsScript, tilt_deg: f64, imu: ImuModel) -> SimRecording {
    let n = (s.duration_s * FS_SIM) as usize + 2;
    let mut poses = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / FS_SIM;
        let mut phi = 0.0;
        for a in &s.attempts {
            phi += tilt_deg
                * (min_jerk((t - a.lift_off_s) / 0.4)
                    - min_jerk((t - (a.touch_down_s - 0.4)) / 0.4));
        }
        // +rotation about ML tilts the up axis backward
        let q = UnitQuaternion::from_axis_angle(&Vector3::y_axis(), phi.to_radians());
        poses.push(Pose {
            pos_m: Vector3::new(0.45, 0.0, 0.0),
            q,
        });
    }
    imu_from_poses(&poses, imu)
}

/// Writes a session folder of one single-leg stance attempt on `stance` held from `hold.0` to
/// `hold.1` s (5 s of standing after it), participant aged 75.
pub fn write_single_leg_session(dir: &std::path::Path, stance: Side, hold: (f64, f64), task: &str) {
    let script = SlsScript {
        duration_s: hold.1 + 5.0,
        attempts: vec![SlsAttempt {
            stance,
            lift_off_s: hold.0,
            touch_down_s: hold.1,
            losses: vec![],
        }],
        transfer_m: 0.09,
        transfer_s: 0.7,
        hike_deg: 3.0,
        seed: 51,
    };
    std::fs::create_dir(dir).unwrap();
    simulate_single_leg(&script, ImuModel::default()).write_session(dir, Some(task), Some(75.0));
}

// ---------------------------------------------------------------------------------------------
// Clinic visits

/// A simulated visit: what the patient did and how well (three single-leg attempts per leg,
/// the best of three of Springer 2007).
pub struct Visit {
    pub date: &'static str,
    /// Hold times of the attempts standing on each leg, s.
    pub left_holds_s: Vec<f64>,
    pub right_holds_s: Vec<f64>,
    /// Torque-noise scale of quiet standing (1 = the simulator's default); sway RMS scales
    /// with it, the ellipse area with its square.
    pub sway_scale: f64,
    /// Peak pelvic drop of each left single-leg squat repetition, deg.
    pub squat_drops_deg: Vec<f64>,
}

pub fn visit_single_leg(stance: Side, holds: &[f64], seed: u64) -> SlsScript {
    let mut t = 6.0;
    let attempts = holds
        .iter()
        .map(|h| {
            let a = SlsAttempt {
                stance,
                lift_off_s: t,
                touch_down_s: t + h,
                losses: vec![],
            };
            t += h + 8.0;
            a
        })
        .collect();
    SlsScript {
        duration_s: t - 3.0,
        attempts,
        transfer_m: 0.09,
        transfer_s: 0.7,
        hike_deg: 3.0,
        seed,
    }
}

/// Writes a visit folder `root/name` with five session folders: sls-left, sls-right, stand-1,
/// stand-2 and squat-left, participant aged 75, started at 10:00 on the visit's date.
pub fn write_visit(root: &std::path::Path, name: &str, v: &Visit) -> std::path::PathBuf {
    let dir = root.join(name);
    let start = |minute: u32| format!("{}T10:{minute:02}:00+01:00", v.date);
    let session = |sub: &str| {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let imu = ImuModel::default();
    simulate_single_leg(&visit_single_leg(Side::Left, &v.left_holds_s, 51), imu).write_session_at(
        &session("sls-left"),
        Some("single-leg-left"),
        Some(75.0),
        Some(&start(0)),
    );
    simulate_single_leg(&visit_single_leg(Side::Right, &v.right_holds_s, 52), imu)
        .write_session_at(
            &session("sls-right"),
            Some("single-leg-right"),
            Some(75.0),
            Some(&start(5)),
        );
    for (k, seed) in [(1, 11), (2, 12)] {
        let base = StandingScript::default();
        let script = StandingScript {
            duration_s: 30.0,
            ap: Control {
                noise: base.ap.noise * v.sway_scale,
                ..base.ap
            },
            ml: Control {
                noise: base.ml.noise * v.sway_scale,
                ..base.ml
            },
            seed,
            ..base
        };
        simulate_standing(&script, imu).write_session_at(
            &session(&format!("stand-{k}")),
            Some("stand"),
            Some(75.0),
            Some(&start(10 + k)),
        );
    }
    let squat = squat_script(Side::Left, &v.squat_drops_deg, false);
    simulate_squat(&squat, imu).write_session_at(
        &session("squat-left"),
        Some("squat-left"),
        Some(75.0),
        Some(&start(20)),
    );
    dir
}

/// Turns a session folder written by [`SimRecording::write_session`] into one with a sensor
/// drop-out from `start_s` to `end_s`: the lower-back rows strictly inside are removed and the
/// gap is recorded in session.json, as `gaitkit record` does when the connection drops.
pub fn drop_out(dir: &std::path::Path, start_s: f64, end_s: f64) {
    let csv_path = dir.join("lower_back.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = csv.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for l in lines {
        let t: f64 = l.split(',').next().unwrap().parse().unwrap();
        if t <= start_s || t >= end_s {
            out.push_str(l);
            out.push('\n');
        }
    }
    std::fs::write(&csv_path, out).unwrap();
    let json_path = dir.join("session.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    v["gaps"] = serde_json::json!([{
        "placement": "lower-back",
        "start_s": start_s,
        "end_s": end_s,
        "reason": "connection lost"
    }]);
    std::fs::write(&json_path, v.to_string()).unwrap();
}
