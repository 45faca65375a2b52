//! Gait from two leg-worn sensors (both feet or both shanks): laterality is known by
//! construction, so stance, swing, single and double support are measured per side.
//!
//! Pipeline, per leg on its own clock: [`alignment`] (gravity + sagittal axis from the data)
//! → events ([`foot_events`] or [`shank_events`]) → [`trajectory`] (feet: stride length,
//! speed, lift by zero-velocity-aided integration); then [`sync`] (one timeline for both
//! legs) → [`strides`] (per-stride table) → [`bouts`] (walking bouts, turns, which strides
//! are steady) → per-side values and symmetry ([`strides::summarize`]) → [`gait_analysis`]
//! (the shared result every report reads).
//!
//! [`LegsOnOwnClocks`] holds everything that does not depend on how the two clocks relate, so
//! one recording can be put on a timeline with several trial clock errors at little cost.

pub mod alignment;
pub mod bouts;
pub mod foot_events;
pub mod gait_analysis;
pub mod shank_events;
pub mod strides;
pub mod sync;
pub mod trajectory;

use std::path::Path;

use nalgebra::Matrix3;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::gait::events::{Contact, PerSide, Side};
use crate::gait::quality::{Check, Outcome, Quality};
use crate::recording::resample::DEFAULT_MAX_FILL_S;
use crate::recording::{Placement, Session, UniformImu};

pub use alignment::{AlignmentReport, LegAlignment};
pub use strides::{LegEvents, LegStride, LegSummary, LegSymmetry};
pub use sync::{SyncMethod, SyncReport};
pub use trajectory::StrideTrajectory;

/// One gait cycle of one leg; positions are fractional sample indices: toe-off `fc`, then
/// mid-swing, then initial contact `ic`, then (feet) the mid-stance still point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegCycle {
    pub fc: f64,
    pub mid_swing: f64,
    pub ic: f64,
    pub mid_stance: Option<usize>,
}

/// Where the two leg sensors sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LegSensorKind {
    Foot,
    Shank,
}

impl LegSensorKind {
    pub fn placement(self, side: Side) -> Placement {
        match (self, side) {
            (LegSensorKind::Foot, Side::Left) => Placement::LeftFoot,
            (LegSensorKind::Foot, Side::Right) => Placement::RightFoot,
            (LegSensorKind::Shank, Side::Left) => Placement::LeftShank,
            (LegSensorKind::Shank, Side::Right) => Placement::RightShank,
        }
    }
}

/// One leg sensor's data in its own axes with its declared mounting.
#[derive(Debug, Clone)]
pub struct LegSensor {
    pub imu: UniformImu,
    /// `Axes::sensor_to_body()` of the declared mounting (used for signs only).
    pub declared: Matrix3<f64>,
    /// File the samples came from, named in messages (empty: only the placement is named).
    pub file: String,
}

/// Both leg sensors of a walk.
#[derive(Debug, Clone)]
pub struct LegInput {
    pub kind: LegSensorKind,
    pub sensors: PerSide<LegSensor>,
    /// True when both were recorded on one clock (session declares `sync` or
    /// `"clock": "shared"`): their timestamps are never shifted.
    pub shared_timeline: bool,
}

/// Everything measured from the two leg sensors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegAnalysis {
    pub sensors: LegSensorKind,
    pub sync: SyncReport,
    pub alignment: PerSide<AlignmentReport>,
    /// Both legs' initial contacts in time order, with their side.
    pub initial_contacts: Vec<Contact>,
    pub final_contacts: Vec<Contact>,
    /// Per-leg events on the common (left sensor's) timeline.
    pub events: PerSide<LegEvents>,
    pub strides: Vec<LegStride>,
    /// Walking bouts and turns on the common timeline.
    pub walk: bouts::LegWalk,
    pub summary: LegSummary,
    /// The two-leg checks (`same_data`, `sync_jump`, `clock`, `coverage`); the shared result
    /// carries them in its `quality`.
    #[serde(skip)]
    pub quality: Quality,
}

/// Reads the leg sensors of a session folder (both feet, else both shanks) and analyses them.
pub fn analyze_session_legs(session: &Session, dir: &Path) -> Result<LegAnalysis> {
    let kind = leg_sensor_kind(session).ok_or_else(|| {
        Error::Unsupported("the session has no pair of leg sensors (left-foot + right-foot, or left-shank + right-shank)".into())
    })?;
    let read = |side: Side| -> Result<LegSensor> {
        let entry = session
            .sensor(kind.placement(side))
            .expect("pair checked above");
        let table = session.read_sensor(dir, entry)?;
        Ok(LegSensor {
            imu: UniformImu::from_table(&table, DEFAULT_MAX_FILL_S)?,
            declared: entry.axes.sensor_to_body(),
            file: entry.file.clone(),
        })
    };
    let input = LegInput {
        kind,
        sensors: PerSide {
            left: read(Side::Left)?,
            right: read(Side::Right)?,
        },
        shared_timeline: session.shared_clock(),
    };
    analyze_legs(&input)
}

/// The leg-sensor pair of a session: feet preferred over shanks.
pub fn leg_sensor_kind(session: &Session) -> Option<LegSensorKind> {
    let has = |p| session.sensor(p).is_some();
    if has(Placement::LeftFoot) && has(Placement::RightFoot) {
        Some(LegSensorKind::Foot)
    } else if has(Placement::LeftShank) && has(Placement::RightShank) {
        Some(LegSensorKind::Shank)
    } else {
        None
    }
}

/// One leg processed on its own clock.
#[derive(Debug, Clone)]
struct LegResult {
    alignment: LegAlignment,
    events: LegEvents,
    trajectories: Vec<Option<StrideTrajectory>>,
    turning_deg: Vec<Option<f64>>,
    /// `(turn centre, heading change)` of each stride `k` (cycle `k` to `k + 1`): when its
    /// heading changes (s, the leg's clock) and by how much (deg, positive = left turn).
    turns: Vec<Option<sync::StrideTurn>>,
}

impl LegResult {
    /// Moves the leg's events and turn centres by `by_s` on the timeline.
    fn shift(&mut self, by_s: f64) {
        if by_s == 0.0 {
            return;
        }
        let e = &mut self.events;
        for v in [&mut e.ic_s, &mut e.fc_s, &mut e.mid_swing_s] {
            v.iter_mut().for_each(|t| *t += by_s);
        }
        e.mid_stance_s.iter_mut().flatten().for_each(|t| *t += by_s);
        self.turns.iter_mut().flatten().for_each(|t| t.0 += by_s);
    }
}

/// Aligns, detects and integrates one leg. For feet, the direction of travel checks the
/// declared forward direction: if the foot mostly moves backwards in it between foot-flat
/// periods, the sensor was declared back to front and forward is reversed.
fn analyze_one_leg(kind: LegSensorKind, sensor: &LegSensor, what: &str) -> Result<LegResult> {
    let imu = &sensor.imu;
    let mut alignment = alignment::align_leg(&imu.acc_mps2, &imu.gyr_dps, &sensor.declared, what)?;
    if kind == LegSensorKind::Foot && travels_backwards(imu, &alignment) {
        alignment = alignment.reversed(&sensor.declared);
    }
    Ok(analyze_aligned_leg(kind, imu, alignment))
}

/// Still periods used for the travel-direction check: 0.1 s windows with a gyroscope RMS
/// below this, deg/s.
const STILL_RMS_DPS: f64 = 20.0;
/// Movements between still periods checked for their direction (enough for a clear vote).
const DIRECTION_VOTES: usize = 30;

/// True when most movements between still (foot-flat) periods go backwards along the
/// alignment's forward axis.
fn travels_backwards(imu: &UniformImu, alignment: &LegAlignment) -> bool {
    let fs = imu.fs_hz;
    let w = ((0.1 * fs).round() as usize).max(2);
    let n = imu.len();
    let mut centres: Vec<usize> = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut i = 0;
    while i + w <= n && centres.len() <= DIRECTION_VOTES {
        let energy: f64 = (i..i + w)
            .map(|j| (0..3).map(|k| imu.gyr_dps[k][j].powi(2)).sum::<f64>())
            .sum::<f64>()
            / w as f64;
        let still = energy.sqrt() < STILL_RMS_DPS;
        match (still, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                centres.push((s + i + w) / 2);
                run_start = None;
            }
            _ => {}
        }
        i += w / 2;
    }
    let forward = alignment.sensor_to_body.row(2).transpose();
    let (mut ahead, mut behind) = (0usize, 0usize);
    for pair in centres.windows(2) {
        let span_s = (pair[1] - pair[0]) as f64 / fs;
        if !(0.6..=2.5).contains(&span_s) {
            continue;
        }
        if let Some(t) =
            trajectory::integrate_stride(&imu.acc_mps2, &imu.gyr_dps, fs, pair[0], pair[1])
        {
            let d = nalgebra::Vector3::from(t.displacement_sensor_m);
            if d.norm() > 0.3 {
                if d.dot(&forward) > 0.0 {
                    ahead += 1;
                } else {
                    behind += 1;
                }
            }
        }
    }
    behind >= 3 && behind > 2 * ahead
}

fn analyze_aligned_leg(
    kind: LegSensorKind,
    imu: &UniformImu,
    alignment: LegAlignment,
) -> LegResult {
    let fs = imu.fs_hz;
    let gyr_ml = &alignment.gyr_ml_dps(&imu.gyr_dps);
    let gyr_norm: Vec<f64> = (0..imu.len())
        .map(|i| {
            (imu.gyr_dps[0][i].powi(2) + imu.gyr_dps[1][i].powi(2) + imu.gyr_dps[2][i].powi(2))
                .sqrt()
        })
        .collect();
    let mut cycles: Vec<(usize, LegCycle)> = Vec::new();
    for (seg, range) in imu.segments().into_iter().enumerate() {
        if range.len() < (2.0 * fs) as usize {
            continue;
        }
        let found = match kind {
            LegSensorKind::Foot => foot_events::detect_foot_cycles(
                &gyr_ml[range.clone()],
                &gyr_norm[range.clone()],
                fs,
            ),
            LegSensorKind::Shank => shank_events::detect_shank_cycles(&gyr_ml[range.clone()], fs),
        };
        let o = range.start as f64;
        cycles.extend(found.into_iter().map(|c| {
            (
                seg,
                LegCycle {
                    fc: c.fc + o,
                    mid_swing: c.mid_swing + o,
                    ic: c.ic + o,
                    mid_stance: c.mid_stance.map(|m| m + range.start),
                },
            )
        }));
    }
    let t = |i: f64| imu.t0_s + i / fs;
    let events = LegEvents {
        ic_s: cycles.iter().map(|(_, c)| t(c.ic)).collect(),
        fc_s: cycles.iter().map(|(_, c)| t(c.fc)).collect(),
        mid_swing_s: cycles.iter().map(|(_, c)| t(c.mid_swing)).collect(),
        mid_stance_s: cycles
            .iter()
            .map(|(_, c)| c.mid_stance.map(|m| t(m as f64)))
            .collect(),
        segment: cycles.iter().map(|(s, _)| *s).collect(),
    };
    let pairs: Vec<Option<(LegCycle, LegCycle)>> = cycles
        .windows(2)
        .map(|w| (w[0].0 == w[1].0).then_some((w[0].1, w[1].1)))
        .collect();
    let (trajectories, turns) = match kind {
        LegSensorKind::Foot => {
            let traj: Vec<Option<StrideTrajectory>> = pairs
                .iter()
                .map(|p| {
                    let (a, b) = (*p)?;
                    trajectory::integrate_stride(
                        &imu.acc_mps2,
                        &imu.gyr_dps,
                        fs,
                        a.mid_stance?,
                        b.mid_stance?,
                    )
                })
                .collect();
            let turns: Vec<Option<sync::StrideTurn>> = traj
                .iter()
                .zip(&pairs)
                .map(|(tr, p)| {
                    let (tr, (a, _)) = ((*tr)?, (*p)?);
                    Some((t(a.mid_stance? as f64) + tr.turn_centre_s, tr.turning_deg))
                })
                .collect();
            (traj, turns)
        }
        LegSensorKind::Shank => {
            let gyr_v = &alignment.to_body(&imu.gyr_dps)[0];
            let turns: Vec<Option<sync::StrideTurn>> = pairs
                .iter()
                .map(|p| {
                    let (a, b) = (*p)?;
                    let (i0, i1) = (a.ic.round() as usize, b.ic.round() as usize);
                    let v = gyr_v.get(i0..i1.min(gyr_v.len()))?;
                    let deg = v.iter().sum::<f64>() / fs;
                    Some((t(i0 as f64 + trajectory::turn_centre(v, deg.signum())), deg))
                })
                .collect();
            (Vec::new(), turns)
        }
    };
    let turning_deg = turns.iter().map(|x| x.map(|x| x.1)).collect();
    LegResult {
        alignment,
        events,
        trajectories,
        turning_deg,
        turns,
    }
}

/// Norms of one sensor's angular velocity (deg/s) and acceleration (m/s²).
fn norms(imu: &UniformImu) -> (Vec<f64>, Vec<f64>) {
    let norm =
        |v: &[Vec<f64>; 3], i: usize| (v[0][i].powi(2) + v[1][i].powi(2) + v[2][i].powi(2)).sqrt();
    (0..imu.len())
        .map(|i| (norm(&imu.gyr_dps, i), norm(&imu.acc_mps2, i)))
        .unzip()
}

/// Analyses both legs (see the module docs). Refuses, naming both sensors, the same data
/// given for both legs and timelines on which the walk is not plausible; records every
/// two-leg check in [`LegAnalysis::quality`].
pub fn analyze_legs(input: &LegInput) -> Result<LegAnalysis> {
    LegsOnOwnClocks::analyze(input)?.on_one_timeline(0.0)
}

/// The placement of one leg's sensor with its file, as messages name it.
fn named(input: &LegInput, side: Side) -> String {
    let name = input.kind.placement(side).as_str();
    let f = &input.sensors.get(side).file;
    if f.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({f})")
    }
}

/// Both legs analysed on their own clocks (alignment, events, trajectories) and compared
/// sample by sample (`same_data`): everything that does not depend on how the clocks relate.
#[derive(Debug, Clone)]
pub struct LegsOnOwnClocks<'a> {
    input: &'a LegInput,
    left: LegResult,
    right: LegResult,
    /// Gyroscope (deg/s) and acceleration (m/s²) norms of each sensor.
    norms: PerSide<(Vec<f64>, Vec<f64>)>,
    same_rate: bool,
    quality: Quality,
}

impl<'a> LegsOnOwnClocks<'a> {
    /// Analyses each leg; refuses legs with fewer than 3 gait cycles and the same data given
    /// for both legs.
    pub fn analyze(input: &'a LegInput) -> Result<Self> {
        let name = |side| input.kind.placement(side).as_str();
        let named = |side: Side| named(input, side);
        let both = format!("{} and {}", named(Side::Left), named(Side::Right));
        let (l_imu, r_imu) = (&input.sensors.left.imu, &input.sensors.right.imu);
        let same_rate = (l_imu.fs_hz - r_imu.fs_hz).abs() <= 0.01 * l_imu.fs_hz;
        let (l_gyr, l_acc) = norms(l_imu);
        let (r_gyr, r_acc) = norms(r_imu);
        let mut quality = Quality::default();

        let left = analyze_one_leg(input.kind, &input.sensors.left, name(Side::Left))?;
        let right = analyze_one_leg(input.kind, &input.sensors.right, name(Side::Right))?;
        for (r, side) in [(&left, Side::Left), (&right, Side::Right)] {
            if r.events.ic_s.len() < 3 {
                return Err(Error::NotEnoughData(format!(
                "{}: found {} gait cycles; at least 3 are needed (is this a walk, and is the sensor on the {} leg?)",
                named(side),
                r.events.ic_s.len(),
                side.as_str()
            )));
            }
        }

        let head = |x: &[f64]| x.len().min((sync::COMPARE_S * l_imu.fs_hz) as usize);
        let (nl, nr) = (head(&l_gyr), head(&r_gyr));
        let difference = same_rate
            .then(|| {
                sync::motion_difference_pct(
                    (&l_gyr[..nl], &l_acc[..nl]),
                    (&r_gyr[..nr], &r_acc[..nr]),
                    l_imu.fs_hz,
                )
            })
            .flatten();
        match difference {
        Some(d) if d < sync::SAME_DATA_PCT => {
            return Err(Error::Unsupported(format!(
                "{both} carry the same data (their motion differs by {d:.1} % at the best alignment): \
                 was one file given for both legs? Each leg needs its own sensor's file in session.json."
            )))
        }
        Some(d) => quality.push(
            Check::new(
                "same_data",
                Outcome::Passed,
                format!("The two leg sensors record different motion ({d:.0} % apart at their best alignment)."),
            )
            .with("difference_pct", d),
        ),
        None => quality.push(Check::new(
            "same_data",
            Outcome::NotRun,
            if same_rate {
                "The leg sensors' motion is too uniform to compare sample by sample."
            } else {
                "The leg sensors have different sampling rates; they were not compared sample by sample."
            },
        )),
    }

        Ok(LegsOnOwnClocks {
            input,
            left,
            right,
            norms: PerSide {
                left: (l_gyr, l_acc),
                right: (r_gyr, r_acc),
            },
            same_rate,
            quality,
        })
    }

    /// Puts both legs on one timeline (see [`sync`]) and finishes the analysis. `right_clock_shift_s`
    /// is added to the right sensor's timestamps before anything else: 0 analyses the recording
    /// as it is; other values show what the checks make of a clock error of that size.
    pub fn on_one_timeline(&self, right_clock_shift_s: f64) -> Result<LegAnalysis> {
        let input = self.input;
        let named = |side: Side| named(input, side);
        let both = format!("{} and {}", named(Side::Left), named(Side::Right));
        let (l_imu, r_imu) = (&input.sensors.left.imu, &input.sensors.right.imu);
        let ((l_gyr, l_acc), (r_gyr, r_acc)) = (&self.norms.left, &self.norms.right);
        let (same_rate, mut quality) = (self.same_rate, self.quality.clone());
        let left = self.left.clone();
        let mut right = self.right.clone();
        right.shift(right_clock_shift_s);
        let r_t0_s = r_imu.t0_s + right_clock_shift_s;

        let file_timestamps = SyncReport {
            method: SyncMethod::FileTimestamps,
            right_offset_s: 0.0,
            correlation: None,
        };
        let sync = if input.shared_timeline {
            quality.push(Check::new(
            "sync_jump",
            Outcome::NotRun,
            "The session declares one clock for both leg sensors: their timestamps are never shifted.",
        ));
            SyncReport {
                method: SyncMethod::SharedTimeline,
                right_offset_s: 0.0,
                correlation: None,
            }
        } else {
            let impacts = |acc: &[f64]| {
                acc.iter()
                    .map(|a| (a - alignment::G_MPS2).abs())
                    .collect::<Vec<f64>>()
            };
            let (l_imp, r_imp) = (impacts(l_acc), impacts(r_acc));
            let legs = PerSide {
                left: sync::JumpLeg {
                    impacts_mps2: &l_imp,
                    gyr_norm_dps: l_gyr,
                    t0_s: l_imu.t0_s,
                    ic_s: &left.events.ic_s,
                },
                right: sync::JumpLeg {
                    impacts_mps2: &r_imp,
                    gyr_norm_dps: r_gyr,
                    t0_s: r_t0_s,
                    ic_s: &right.events.ic_s,
                },
            };
            let evidence = |c: Check, ev: &sync::JumpEvidence| {
                let c = c
                    .with("landing_s", ev.landing_s)
                    .with("offset_s", ev.offset_s)
                    .with("correlation", ev.correlation)
                    .with("impact_left_mps2", ev.impact_left_mps2)
                    .with("impact_right_mps2", ev.impact_right_mps2)
                    .with("cycles_near", ev.cycles_near as f64);
                let c = match ev.quiet_before_dps {
                    Some(q) => c.with("still_before_dps", q),
                    None => c,
                };
                match ev.quiet_after_dps {
                    Some(q) => c.with("still_after_dps", q),
                    None => c,
                }
            };
            match same_rate
                .then(|| find_sync_jump(input, &legs, &left, &right))
                .flatten()
            {
                Some(Ok(ev)) => {
                    quality.push(evidence(
                    Check::new(
                        "sync_jump",
                        Outcome::Corrected,
                        format!(
                            "The right leg sensor's clock was shifted by {:+.3} s, measured from the two-footed landing at {:.2} s.",
                            ev.offset_s, ev.landing_s
                        ),
                    ),
                    &ev,
                ));
                    SyncReport {
                        method: SyncMethod::SyncJump,
                        right_offset_s: ev.offset_s,
                        correlation: Some(ev.correlation),
                    }
                }
                Some(Err((ev, why))) => {
                    quality.push(evidence(
                    Check::new(
                        "sync_jump",
                        Outcome::Failed,
                        format!("No sync jump was used: {why}, so it is not a two-footed landing set apart from walking."),
                    ),
                    &ev,
                ));
                    file_timestamps
                }
                None => {
                    quality.push(Check::new(
                    "sync_jump",
                    Outcome::NotRun,
                    "No sync jump (one impact seen by both leg sensors) was found before walking.",
                ));
                    file_timestamps
                }
            }
        };
        right.shift(sync.right_offset_s);

        let mut strides = strides::build_strides(
            Side::Left,
            &left.events,
            &right.events,
            &left.trajectories,
            &left.turning_deg,
        );
        strides.extend(strides::build_strides(
            Side::Right,
            &right.events,
            &left.events,
            &right.trajectories,
            &right.turning_deg,
        ));
        let contacts = |get: &dyn Fn(&LegEvents) -> &Vec<f64>| {
            let mut c: Vec<Contact> = [(Side::Left, &left.events), (Side::Right, &right.events)]
                .into_iter()
                .flat_map(|(side, e)| {
                    get(e).iter().map(move |&t| Contact {
                        t_s: t,
                        side: Some(side),
                    })
                })
                .collect();
            c.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
            c
        };
        let all_ics = contacts(&|e| &e.ic_s);
        let final_contacts = contacts(&|e| &e.fc_s);
        let unfilled: Vec<(f64, f64)> = [
            (&input.sensors.left, 0.0),
            (
                &input.sensors.right,
                right_clock_shift_s + sync.right_offset_s,
            ),
        ]
        .into_iter()
        .flat_map(|(sensor, offset)| {
            sensor
                .imu
                .gaps
                .iter()
                .filter(|g| !g.filled)
                .map(move |g| (g.start_s + offset, g.end_s + offset))
        })
        .collect();
        let walk = bouts::walk(&all_ics, &mut strides, &unfilled);
        let mut summary = strides::summarize(&strides);

        // the walk on this timeline must be plausible, whatever put the legs on it
        let left_strides = || strides.iter().filter(|s| s.side == Side::Left);
        let avg = |f: &dyn Fn(&LegStride) -> Option<f64>| {
            crate::signal::stats::mean(&left_strides().filter_map(f).collect::<Vec<_>>())
        };
        let phase = sync::PhaseCheck {
            mean_initial_double_support_s: avg(&|s| s.initial_double_support_s),
            mean_terminal_double_support_s: avg(&|s| s.terminal_double_support_s),
            mean_left_phase: avg(&|s| s.phase_deg.map(|p| p / 360.0)),
            mean_stride_time_s: avg(&|s| Some(s.stride_time_s)),
        };
        let how = match sync.method {
        SyncMethod::SharedTimeline => "The session declares one clock for both leg sensors".to_string(),
        SyncMethod::SyncJump => format!(
            "The right sensor was shifted by {:+.3} s from a sync jump",
            sync.right_offset_s
        ),
        SyncMethod::FileTimestamps => {
            "The leg sensors' timestamps were taken as recorded (no shared clock declared, no sync jump used)".to_string()
        }
    };
        if let Some((why, estimate)) = sync::implausible(&phase) {
            let estimate = estimate.map_or(String::new(), |e| {
                format!(
                " (the right leg's contacts sit {e:+.2} s from where anti-phase walking puts them)"
            )
            });
            return Err(Error::Unsupported(format!(
                "{both} do not seem to share a timeline{estimate}: {why}. {how}. {}",
                sync::REMEDY
            )));
        }
        let stride_s = crate::signal::stats::median(
            &strides.iter().map(|s| s.stride_time_s).collect::<Vec<_>>(),
        )
        .unwrap_or(1.0);
        // without a shared clock or a verified sync jump nothing ties the legs' clocks together:
        // an offset of about a whole stride keeps the walk plausible and shifts only the timing
        // between the legs, so the values that depend on it are withheld
        let verified = sync.method != SyncMethod::FileTimestamps;
        let alternation =
            sync::swing_alternation(&left.events.mid_swing_s, &right.events.mid_swing_s);
        let turns_of =
            |r: &LegResult| -> Vec<(f64, f64)> { r.turns.iter().flatten().copied().collect() };
        let turning = sync::turn_timing(&turns_of(&left), &turns_of(&right));
        let late_at_edges = alternation.late_clock();
        let late_in_turns = turning.late_clock(stride_s);
        let mut evidence: Vec<String> = Vec::new();
        if let Some(late) = late_at_edges {
            evidence.push(format!(
                "at {} of {} starts and ends of walking one leg swings twice in a row, as a clock that puts the {} leg about a stride late makes it \
                 (in walking the feet swing in turn)",
                alternation.broken_edges,
                alternation.edges,
                late.as_str()
            ));
        }
        if let (Some(late), Some(lag)) = (late_in_turns, turning.lag_s) {
            evidence.push(format!(
                "in the turns both legs make the {} leg changes heading {:.2} s after the {} ({} turn(s), median), as a clock that puts the {} leg about a stride late makes it \
                 (in a turn both feet change heading within about half a stride, here {:.2} s)",
                late.as_str(),
                lag.abs(),
                late.opposite().as_str(),
                turning.turns_compared,
                late.as_str(),
                sync::MAX_TURN_LAG_STRIDES * stride_s
            ));
        }
        let mut clock = if verified && !evidence.is_empty() {
        summary.withhold_timing_between_legs();
        Check::new(
            "clock",
            Outcome::Failed,
            format!(
                "{how}, but {}. Step times, double support and the phase between the legs, and their symmetry, are not given. {}",
                evidence.join("; and "),
                sync::REMEDY,
            ),
        )
    } else if verified {
        Check::new(
            "clock",
            Outcome::Passed,
            format!("{how}; the walk on this timeline is plausible."),
        )
    } else {
        summary.withhold_timing_between_legs();
        Check::new(
            "clock",
            Outcome::Failed,
            format!(
                "{how}. The walk on them is plausible, but an offset of about a whole stride would be too, \
                 so step times, double support and the phase between the legs, and their symmetry, are not given. \
                 Declare \"clock\": \"shared\" in session.json if the sensors share one, or record a sync jump."
            ),
        )
    }
    .with("offset_s", sync.right_offset_s)
    .with("walk_edges", alternation.edges as f64)
    .with("edges_swinging_one_leg_twice", alternation.broken_edges as f64)
    .with("turns_compared", turning.turns_compared as f64);
        if let Some(lag) = turning.lag_s {
            clock = clock.with("turn_lag_s", lag);
        }
        if let Some(p) = phase.mean_left_phase {
            clock = clock.with("phase_pct", 100.0 * p);
        }
        for (k, v) in [
            (
                "initial_double_support_s",
                phase.mean_initial_double_support_s,
            ),
            (
                "terminal_double_support_s",
                phase.mean_terminal_double_support_s,
            ),
        ] {
            if let Some(v) = v {
                clock = clock.with(k, v);
            }
        }
        quality.push(clock);

        if let Some(c) = sync::coverage(&left.events.ic_s, &right.events.ic_s) {
            let uncovered_s = c.walk_s - c.common_s;
            let ok = uncovered_s <= sync::MAX_UNCOVERED_STRIDES * stride_s
                || c.overlap_pct >= sync::MIN_OVERLAP_PCT;
            let span =
                |e: &LegEvents| format!("{:.1}–{:.1} s", e.ic_s[0], e.ic_s[e.ic_s.len() - 1]);
            let check = if ok {
                Check::new(
                    "coverage",
                    Outcome::Passed,
                    format!(
                        "Both leg sensors cover the walk ({:.0} % of it together).",
                        c.overlap_pct
                    ),
                )
            } else {
                summary.symmetry = LegSymmetry::withheld();
                Check::new(
                "coverage",
                Outcome::Failed,
                format!(
                    "The leg sensors walk together for only {:.1} s of the {:.1}-s walk ({:.0} %; left {}, right {}): \
                     two-leg values come from that part only and no symmetry index is given. Is one file cut short?",
                    c.common_s,
                    c.walk_s,
                    c.overlap_pct,
                    span(&left.events),
                    span(&right.events)
                ),
            )
            };
            quality.push(
                check
                    .with("overlap_pct", c.overlap_pct)
                    .with("common_s", c.common_s)
                    .with("walk_s", c.walk_s)
                    .with("uncovered_s", uncovered_s),
            );
        }

        Ok(LegAnalysis {
            sensors: input.kind,
            sync,
            alignment: PerSide {
                left: (&left.alignment).into(),
                right: (&right.alignment).into(),
            },
            initial_contacts: all_ics,
            final_contacts,
            strides,
            walk,
            summary,
            events: PerSide {
                left: left.events,
                right: right.events,
            },
            quality,
        })
    }
}

/// Looks for the sync jump before each leg starts walking (see [`sync`]): `None` when no
/// candidate impact is found, else the candidate judged by [`sync::judge_jump`].
fn find_sync_jump(
    input: &LegInput,
    legs: &PerSide<sync::JumpLeg<'_>>,
    left: &LegResult,
    right: &LegResult,
) -> Option<std::result::Result<sync::JumpEvidence, (sync::JumpEvidence, String)>> {
    let fs = input.sensors.left.imu.fs_hz;
    let samples = |t0_s: f64, first_fc_s: f64| {
        (((first_fc_s - 0.3 - t0_s) * fs).max(0.0) as usize).min((sync::SEARCH_S * fs) as usize)
    };
    let nl = samples(
        legs.left.t0_s,
        sync::walking_start_s(&left.events.ic_s, &left.events.fc_s),
    )
    .min(legs.left.impacts_mps2.len());
    let nr = samples(
        legs.right.t0_s,
        sync::walking_start_s(&right.events.ic_s, &right.events.fc_s),
    )
    .min(legs.right.impacts_mps2.len());
    if (nl.min(nr) as f64) < fs {
        return None;
    }
    let (offset, corr) = sync::sync_jump_offset(
        &legs.left.impacts_mps2[..nl],
        &legs.right.impacts_mps2[..nr],
        fs,
    )?;
    let lag = (-offset * fs).round() as isize;
    Some(sync::judge_jump(&legs.left, &legs.right, fs, lag, corr, nl))
}
