//! Stage 1: online initial contacts and sides.
//!
//! Every `hop_s` of recording time the offline analysis ([`crate::analyze::analyze_with`],
//! the same code as `gaitkit analyze`: body frame, walking bouts, wavelet contacts,
//! laterality, or the two-leg pipeline) runs on the last `window_s` of data. A contact is
//! emitted the first time a window shows it at least `lookahead_s` before the window's end,
//! so the filters and wavelets have seen `lookahead_s` of signal after it; contacts are
//! emitted in time order and never twice. The look-ahead is bounded: a contact a window
//! shows is emitted `lookahead_s` plus at most `hop_s` after it; one the windows show only
//! once more of its walk is seen (inside slow walks, after turns) comes that much later, and
//! one shown only after a later contact was emitted is left out (the order is kept).
//!
//! The analysis recognises a walk only once a few steps are seen (a periodic walking-region
//! window and a bout of at least three contacts), so with one lower-back sensor the first
//! steps of a walk are emitted *provisionally*: where the analysis shows no contact in the
//! step and a half before it, a clear heel-strike lobe of the contact detector (the
//! same wavelet detector, run on the window's last seconds with the latest walk's step
//! frequency) is emitted at the same look-ahead, side unknown. It stands once a window's
//! analysis shows a contact within [`CONFIRM_TOLERANCE_S`] of it; an earlier contact the
//! analysis shows then but was not fed back (a first step too gentle for the provisional
//! detector) is left out rather than fed back late. It is withdrawn
//! ([`StreamDetector::take_withdrawn`]) when no window has shown it [`CONFIRM_S`] after it
//! (not a step of a walk), when the analysis shows the walk around it but no contact at it,
//! or, not shown itself, when the analysis shows an earlier contact that was not fed back
//! (the analysis then feeds back that contact and the ones after it, in time order). Before
//! the window holds the shortest recording the analysis accepts (the first
//! [`crate::analyze::MIN_DURATION_S`] of a session), only the provisional detector runs.
//!
//! Two leg sensors: the two-leg analysis gives contacts only once each leg has three gait
//! cycles in the window. Each foot's swing and landing are clear on its own sensor, so its
//! initial contacts (the offline per-leg event detector on the window) are fed back
//! provisionally with the same rules, with the leg's side.
//!
//! Each analysis also keeps the window's contacts with their offline sides and the side each
//! contact's own cues point to ([`WindowSides`]; with one lower-back sensor the offline rule
//! runs on the longer `late_window_s`), from which [`super::side_rule::SideReviser`] decides
//! sides later.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::side_rule;
use crate::analyze::{
    add_recorded_gaps, analyze_with, prepare_imu, prepare_imu_any_length, AnalyzeOptions,
};
use crate::error::Result;
use crate::gait::body_frame::to_body_frame;
use crate::gait::initial_contacts;
use crate::gait::leg;
use crate::gait::lower_back::{self, LowerBackOptions};
use crate::gait::walking_bouts::BoutParams;
use crate::gait::Side;
use crate::recording::session::RecordedGap;
use crate::recording::{ImuSample, ImuTable, Placement, Session, UniformImu};

/// A provisional contact that no window's analysis has shown this long after it is withdrawn,
/// s. The analysis recognised every walk of the fixtures within 3 s of its first contact.
pub const CONFIRM_S: f64 = 3.5;
/// A provisional contact stands when a window's analysis shows a contact this close to it, s
/// (the agreement tolerance with `gaitkit analyze`).
pub const CONFIRM_TOLERANCE_S: f64 = 0.05;
/// Signal before the newest sample the provisional contacts are searched in, s.
const PROVISIONAL_TAIL_S: f64 = 4.0;
/// Oldest provisional contact, s before the newest sample: older candidates are left to the
/// analysis (the look-ahead stays bounded).
const PROVISIONAL_MAX_AGE_S: f64 = 0.5;
/// Least coarse-lobe height of a provisional contact (units of
/// [`initial_contacts::DetectedIc::strength`]): on the fixtures the steps of the straight
/// walks measure 0.64–2.3 (the first steps the weakest), 5 of the 166 lobes outside steps
/// of HA001 Test11 and 11 of 311 of MS001 Test11 reach it.
pub const PROVISIONAL_MIN_STRENGTH: f64 = 0.5;
/// A candidate is provisional only when the analysis shows no contact later than this many
/// step times before it: the analysis is not following a walk there (a walk starts, or
/// starts again after a stop).
const PROVISIONAL_FOLLOWS_STEPS: f64 = 1.5;
/// Least continuous data of a leg sensor its own contacts are searched in, s: a swing and the
/// landing after it (the first step of a session can come a second after its start).
const LEG_MIN_DATA_S: f64 = 1.0;
/// Step time the provisional detector assumes before any walk is seen, s.
const DEFAULT_STEP_S: f64 = 0.55;

/// Settings of the online detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorParams {
    /// Length of the trailing window the analysis runs on, s (≥ 5 s, the shortest
    /// recording `analyze` accepts).
    pub window_s: f64,
    /// Recording time between two analyses, s.
    pub hop_s: f64,
    /// Signal a contact needs after it before it is emitted, s.
    pub lookahead_s: f64,
    /// Two contacts closer than this are one contact seen by two windows, s.
    pub same_contact_s: f64,
    /// Walking-region windows of the lower-back analysis. Offline uses 4-s windows every 1 s;
    /// online, shorter windows recognise the start of a walk sooner.
    pub bout_window_s: f64,
    pub bout_hop_s: f64,
    /// Length of the window the late sides are decided on with one lower-back sensor, s: the
    /// offline rule carries a walk's alternation across stretches whose own cues are weak, so
    /// it needs more of the walk before the contact than the contacts' window holds (40 s
    /// sided 3 more MS001 Test11 steps than 20 s, and its walking check took back 2 more
    /// HA001 Test11 steps in no walk; 60 s sided 3 more where `gaitkit analyze` withholds it).
    pub late_window_s: f64,
    /// Least recording time between two late-side analyses, s (a multiple of `hop_s`; the
    /// longer window costs more per run).
    pub late_hop_s: f64,
}

impl Default for DetectorParams {
    fn default() -> Self {
        DetectorParams {
            window_s: 10.0,
            hop_s: 0.1,
            lookahead_s: 0.15,
            same_contact_s: 0.2,
            bout_window_s: 2.5,
            bout_hop_s: 0.25,
            late_window_s: 40.0,
            late_hop_s: 0.1,
        }
    }
}

/// A contact as the window analysis saw it when it was emitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnlineContact {
    /// Contact time on the recording clock, s.
    pub t_s: f64,
    /// Recording-clock time at which it was emitted (end of the window that showed it), s.
    pub emitted_s: f64,
    /// Side by the window's analysis (alternation within the window's bout); whether it is
    /// shown is decided by [`super::side_rule`].
    pub window_side: Option<Side>,
    /// Contacts of the same walking bout in the window up to and including this one.
    pub bout_contacts: usize,
    /// Stance time of this foot's previous contact (leg sensors only: a trunk sensor's
    /// toe-offs are estimates), s.
    pub previous_stance_s: Option<f64>,
    /// Emitted before its walk was recognised: withdrawn later unless a window's analysis
    /// shows it within [`CONFIRM_S`].
    pub provisional: bool,
}

/// A provisional contact withdrawn: no window's analysis showed it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Withdrawn {
    /// Time of the contact, s.
    pub t_s: f64,
    /// Recording-clock time it was withdrawn, s.
    pub at_s: f64,
}

/// Two lists of (contact time s, side) of one window merged: contacts within
/// [`CONFIRM_TOLERANCE_S`] are one; its side is the one either list gives unless the other
/// gives the other foot (then `None`).
fn merge_sides(a: &[(f64, Option<Side>)], b: &[(f64, Option<Side>)]) -> Vec<(f64, Option<Side>)> {
    let mut out: Vec<(f64, Option<Side>)> = a
        .iter()
        .map(|&(t, side)| {
            let other = b
                .iter()
                .find(|o| (o.0 - t).abs() <= CONFIRM_TOLERANCE_S)
                .and_then(|o| o.1);
            let merged = match (side, other) {
                (Some(x), Some(y)) if x != y => None,
                (x, y) => x.or(y),
            };
            (t, merged)
        })
        .collect();
    out.extend(
        b.iter()
            .filter(|o| !a.iter().any(|c| (c.0 - o.0).abs() <= CONFIRM_TOLERANCE_S)),
    );
    out
}

/// A window's contacts with their sides, the sides their cues point to, and the late-side
/// analysis's contact times (see [`WindowSides`]).
type LateSides = (
    Vec<(f64, Option<Side>)>,
    Vec<(f64, Option<Side>)>,
    Option<Vec<f64>>,
);

/// Online detector over the sensors of one session.
pub struct StreamDetector {
    session: Session,
    params: DetectorParams,
    options: AnalyzeOptions,
    tables: BTreeMap<Placement, ImuTable>,
    files: BTreeMap<PathBuf, Placement>,
    next_run_s: Option<f64>,
    last_emitted_s: f64,
    /// Walking-bout settings of the lower-back analysis (online windows).
    bouts: BoutParams,
    /// Provisional contacts not yet shown by an analysis, s, in time order.
    pending: Vec<f64>,
    /// Latest contact emitted that stands (not provisional, or shown by an analysis), s.
    standing_s: f64,
    withdrawn: Vec<Withdrawn>,
    /// Median step time of the latest walk the analysis saw, s.
    step_s: f64,
    /// Contacts of the latest window and their sides by the offline rule on that window.
    latest: WindowSides,
    /// Whether the next analysis must give the window's offline sides ([`WindowSides`]).
    late_sides: bool,
    /// Recording time from which the next late-side analysis may run, s.
    next_late_s: f64,
    /// First time the window holds the shortest recording the analysis accepts
    /// ([`crate::analyze::MIN_DURATION_S`] after the first sample), s: a provisional contact
    /// from before it has [`CONFIRM_S`] from then on to be shown.
    analysable_s: f64,
    /// Analyses run so far (for cost figures).
    pub runs: u64,
}

/// The contacts of one window's analysis with the sides the offline laterality rule gives
/// them on that window ([`crate::gait::laterality::sides_for_bout_in_walk`] for a trunk
/// sensor, each foot's own sensor for leg sensors), before the live vote of
/// [`side_rule::interior_vote`]. A contact well inside the window has the signal after it
/// that the offline rule needs; [`super::side_rule::SideReviser`] decides late sides from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowSides {
    /// Newest sample of the window (recording clock), s.
    pub end_s: f64,
    /// (contact time s, side) in time order; empty when no step awaited a late side
    /// ([`StreamDetector::set_late_sides`]).
    pub contacts: Vec<(f64, Option<Side>)>,
    /// (contact time s, the side the contact's own cues point to on the late-side window,
    /// [`crate::gait::laterality::Cues::foot`]) in time order; one lower-back sensor only.
    pub feet: Vec<(f64, Option<Side>)>,
    /// Contact times the late-side analysis shows (the offline 4-s walking-region windows on
    /// the late-side window; one lower-back sensor), s, in time order; `None` when it did not
    /// run or failed.
    pub walking_s: Option<Vec<f64>>,
    /// Number of the analysis (see [`StreamDetector::runs`]).
    pub run: u64,
}

impl StreamDetector {
    /// `session` describes the sensors (placements, axes, participant); its `gaps` may hold
    /// drop-outs already known.
    pub fn new(session: &Session, params: DetectorParams, options: AnalyzeOptions) -> Self {
        let mut session = session.clone();
        let mut files = BTreeMap::new();
        let mut tables = BTreeMap::new();
        for s in session.sensors.iter_mut() {
            // every sensor is read from memory under a name of its own
            s.file = format!("{}.csv", s.placement.as_str());
            files.insert(PathBuf::from(&s.file), s.placement);
            tables.insert(s.placement, ImuTable::default());
        }
        StreamDetector {
            session,
            params,
            options,
            tables,
            files,
            next_run_s: None,
            last_emitted_s: f64::NEG_INFINITY,
            bouts: BoutParams {
                window_s: params.bout_window_s,
                hop_s: params.bout_hop_s,
                ..BoutParams::default()
            },
            pending: Vec::new(),
            standing_s: f64::NEG_INFINITY,
            withdrawn: Vec::new(),
            step_s: DEFAULT_STEP_S,
            latest: WindowSides::default(),
            late_sides: true,
            next_late_s: f64::NEG_INFINITY,
            analysable_s: f64::INFINITY,
            runs: 0,
        }
    }

    pub fn params(&self) -> DetectorParams {
        self.params
    }

    /// The latest window's contacts and offline sides.
    pub fn window_sides(&self) -> &WindowSides {
        &self.latest
    }

    /// Whether the next analyses must give the window's offline sides
    /// ([`Self::window_sides`]): with one lower-back sensor they cost a second analysis of the
    /// window, needed only while a step fed back may still get a late side.
    pub fn set_late_sides(&mut self, needed: bool) {
        self.late_sides = needed;
    }

    /// Provisional contacts withdrawn since the last call, in time order.
    pub fn take_withdrawn(&mut self) -> Vec<Withdrawn> {
        std::mem::take(&mut self.withdrawn)
    }

    /// Adds one sample of the sensor at `placement` (samples of one sensor in time order;
    /// sensors not in the session are ignored).
    pub fn push(&mut self, placement: Placement, s: &ImuSample) {
        let Some(t) = self.tables.get_mut(&placement) else {
            return;
        };
        if t.time_s.last().is_some_and(|&last| s.time_s <= last) || !s.time_s.is_finite() {
            return;
        }
        t.push(s);
        if self.analysable_s == f64::INFINITY {
            self.analysable_s = s.time_s + crate::analyze::MIN_DURATION_S;
        }
    }

    /// Records a drop-out of a sensor, so no contact or step is placed across it.
    pub fn mark_gap(&mut self, placement: Placement, start_s: f64, end_s: f64) {
        self.session.gaps.push(RecordedGap {
            placement,
            start_s,
            end_s,
            reason: Some("connection lost".into()),
        });
    }

    /// Runs the analysis if `now_s` (recording clock, the newest sample's time) has reached
    /// the next hop; returns the contacts emitted now, in time order.
    pub fn poll(&mut self, now_s: f64) -> Vec<OnlineContact> {
        let next = *self.next_run_s.get_or_insert(now_s + self.params.hop_s);
        if now_s < next {
            return Vec::new();
        }
        self.next_run_s = Some(
            next + self.params.hop_s * ((now_s - next) / self.params.hop_s).floor().max(0.0)
                + self.params.hop_s,
        );
        self.trim(now_s);
        let Ok((contacts, candidates, raw)) = self.analyse_window(now_s) else {
            return Vec::new();
        };
        // a run without the late-side analysis leaves the latest one in place: the reviser
        // takes each analysis once
        if let Some((raw, feet, walking_s)) = raw {
            self.latest = WindowSides {
                end_s: now_s,
                contacts: raw,
                feet,
                walking_s,
                run: self.runs,
            };
        }
        let same = self.params.same_contact_s;
        let follows = PROVISIONAL_FOLLOWS_STEPS * self.step_s;
        let visible: Vec<f64> = contacts
            .iter()
            .map(|c| c.t_s)
            .filter(|&t| t <= now_s - self.params.lookahead_s)
            .collect();
        // provisional contacts, oldest first: one the analysis shows (within the agreement
        // tolerance) stands, even when the analysis also shows an earlier contact not fed
        // back (a first step too gentle for the provisional detector: it is left out, not fed
        // back late ahead of steps already shown); one not shown is withdrawn when the
        // analysis shows an earlier contact not fed back (it and the later provisional ones
        // are then fed back again in time order by the analysis), a contact of the same walk
        // near it but not at it, or nothing within CONFIRM_S
        let mut cut = false;
        for p in std::mem::take(&mut self.pending) {
            cut |= visible
                .iter()
                .any(|&a| a < p - same && a > self.standing_s + same);
            let shown = visible
                .iter()
                .any(|&a| (a - p).abs() <= CONFIRM_TOLERANCE_S);
            if shown {
                self.standing_s = self.standing_s.max(p);
            } else if cut
                || visible.iter().any(|&a| (a - p).abs() < follows)
                || now_s - p.max(self.analysable_s) >= CONFIRM_S
            {
                self.withdrawn.push(Withdrawn {
                    t_s: p,
                    at_s: now_s,
                });
            } else {
                self.pending.push(p);
            }
        }
        self.last_emitted_s = self
            .pending
            .last()
            .map_or(self.standing_s, |&p| p.max(self.standing_s));
        let mut out = Vec::new();
        for c in &contacts {
            if c.t_s > now_s - self.params.lookahead_s {
                break;
            }
            if c.t_s <= self.last_emitted_s + same {
                continue;
            }
            self.last_emitted_s = c.t_s;
            self.standing_s = c.t_s;
            out.push(OnlineContact {
                emitted_s: now_s,
                ..*c
            });
        }
        // the start of a walk the analysis does not see yet: no contact of the analysis
        // within a step and a half before the candidate or after it
        let follows = PROVISIONAL_FOLLOWS_STEPS * self.step_s;
        for (t, side) in candidates {
            if t > now_s - self.params.lookahead_s
                || t < now_s - PROVISIONAL_MAX_AGE_S
                || t <= self.last_emitted_s + same
                || contacts.iter().any(|c| c.t_s > t - follows)
            {
                continue;
            }
            self.last_emitted_s = t;
            self.pending.push(t);
            out.push(OnlineContact {
                t_s: t,
                emitted_s: now_s,
                window_side: side,
                bout_contacts: 1,
                previous_stance_s: None,
                provisional: true,
            });
        }
        out
    }

    /// Heel strikes in the last [`PROVISIONAL_TAIL_S`] of a lower-back window with lobes of
    /// at least [`PROVISIONAL_MIN_STRENGTH`], s, in time order.
    fn provisional_candidates(
        &self,
        imu: &UniformImu,
        axes: crate::recording::Axes,
        path: &Path,
    ) -> Vec<f64> {
        let fs = imu.fs_hz;
        let n = imu.len();
        let k = n.saturating_sub((PROVISIONAL_TAIL_S * fs).round() as usize);
        let t0 = imu.time_s(k);
        let tail = UniformImu {
            fs_hz: fs,
            t0_s: t0,
            acc_mps2: std::array::from_fn(|i| imu.acc_mps2[i][k..].to_vec()),
            gyr_dps: std::array::from_fn(|i| imu.gyr_dps[i][k..].to_vec()),
            gaps: imu.gaps.iter().filter(|g| g.end_s >= t0).cloned().collect(),
        };
        // no contact next to missing data
        if tail.gaps.iter().any(|g| !g.filled) || tail.len() < (2.0 * fs) as usize {
            return Vec::new();
        }
        let Ok((body, _)) = to_body_frame(&tail, axes, path) else {
            return Vec::new();
        };
        let det = initial_contacts::detect(
            &body.acc_v_mps2,
            fs,
            1.0 / self.step_s,
            &initial_contacts::IcParams::default(),
        );
        det.contacts
            .iter()
            .filter(|d| d.strength >= PROVISIONAL_MIN_STRENGTH)
            .map(|d| t0 + d.index / fs)
            .collect()
    }

    /// Initial contacts of each leg in the last [`PROVISIONAL_TAIL_S`] of the window, found
    /// on that leg's own sensor (its swing and landing, [`leg::foot_events`] or
    /// [`leg::shank_events`], after [`leg::alignment::align_leg`] on the window), with the
    /// leg's side, in time order. The two-leg analysis shows contacts only once each leg has
    /// three gait cycles in the window.
    fn leg_candidates(
        &self,
        kind: leg::LegSensorKind,
        read: &dyn Fn(&Path) -> Result<ImuTable>,
    ) -> Vec<(f64, Option<Side>)> {
        let mut out = Vec::new();
        for side in [Side::Left, Side::Right] {
            let Some(entry) = self.session.sensor(kind.placement(side)) else {
                continue;
            };
            let path = PathBuf::from(&entry.file);
            let Ok(table) = read(&path) else {
                continue;
            };
            let Ok(mut imu) = prepare_imu_any_length(table, &path, &self.options) else {
                continue;
            };
            add_recorded_gaps(&mut imu, &self.session, entry.placement);
            let Ok(alignment) = leg::alignment::align_leg(
                &imu.acc_mps2,
                &imu.gyr_dps,
                &entry.axes.sensor_to_body(),
                entry.placement.as_str(),
            ) else {
                continue;
            };
            // the newest stretch of continuous data only: no contact next to missing data
            let Some(range) = imu.segments().pop() else {
                continue;
            };
            let fs = imu.fs_hz;
            if range.end < imu.len() || range.len() < (LEG_MIN_DATA_S * fs) as usize {
                continue;
            }
            let gyr_ml = alignment.gyr_ml_dps(&imu.gyr_dps);
            let gyr_ml = &gyr_ml[range.clone()];
            let cycles = match kind {
                leg::LegSensorKind::Foot => {
                    let norm: Vec<f64> = range
                        .clone()
                        .map(|i| {
                            (0..3)
                                .map(|k| imu.gyr_dps[k][i].powi(2))
                                .sum::<f64>()
                                .sqrt()
                        })
                        .collect();
                    leg::foot_events::detect_foot_cycles(gyr_ml, &norm, fs)
                }
                leg::LegSensorKind::Shank => leg::shank_events::detect_shank_cycles(gyr_ml, fs),
            };
            let tail_s = imu.time_s(imu.len().saturating_sub(1)) - PROVISIONAL_TAIL_S;
            out.extend(
                cycles
                    .iter()
                    .map(|c| imu.time_s(range.start) + c.ic / fs)
                    .filter(|&t| t.is_finite() && t >= tail_s)
                    .map(|t| (t, Some(side))),
            );
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }

    /// Keeps `window_s` (or the longer `late_window_s`) of each sensor's data before `now_s`.
    fn trim(&mut self, now_s: f64) {
        let start = now_s - self.params.window_s.max(self.params.late_window_s);
        for t in self.tables.values_mut() {
            let k = t.time_s.partition_point(|&x| x < start);
            // drop in chunks, so the copying stays a small share of the work
            if k > 0 && (k >= 256 || k * 4 >= t.len()) {
                t.time_s.drain(..k);
                for c in t.acc_mps2.iter_mut().chain(t.gyr_dps.iter_mut()) {
                    c.drain(..k);
                }
            }
        }
        self.session.gaps.retain(|g| g.end_s >= start);
    }

    /// Whether [`Self::poll`] at `now_s` would pass over every provisional candidate because
    /// the analysis shows a contact within [`PROVISIONAL_FOLLOWS_STEPS`] step times before
    /// the newest one it could emit (`t ≤ now_s − lookahead_s`): the candidates need not be
    /// searched then.
    fn candidates_ruled_out(&self, contacts_s: impl IntoIterator<Item = f64>, now_s: f64) -> bool {
        let follows = PROVISIONAL_FOLLOWS_STEPS * self.step_s;
        let newest = now_s - self.params.lookahead_s;
        contacts_s.into_iter().any(|t| t > newest - follows)
    }

    /// The window's contacts, the provisional candidates (one lower-back sensor, or two leg
    /// sensors: with their side; left out when [`Self::candidates_ruled_out`]), and the
    /// contacts' offline sides and the sides their own cues point to (`None` unless
    /// [`Self::set_late_sides`]; with one lower-back sensor also `None` within `late_hop_s` of
    /// the previous late-side analysis).
    #[allow(clippy::type_complexity)]
    fn analyse_window(
        &mut self,
        now_s: f64,
    ) -> Result<(
        Vec<OnlineContact>,
        Vec<(f64, Option<Side>)>,
        Option<LateSides>,
    )> {
        self.runs += 1;
        let newest = self
            .tables
            .values()
            .filter_map(|t| t.time_s.last())
            .fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let start = newest - self.params.window_s;
        let late_start = newest - self.params.late_window_s.max(self.params.window_s);
        let late_run = self.late_sides && now_s >= self.next_late_s;
        if late_run {
            self.next_late_s = now_s + self.params.late_hop_s - 0.5 * self.params.hop_s;
        }
        let window_from = |t: &ImuTable, start: f64| -> ImuTable {
            let k = t.time_s.partition_point(|&x| x < start);
            ImuTable {
                time_s: t.time_s[k..].to_vec(),
                acc_mps2: std::array::from_fn(|i| t.acc_mps2[i][k..].to_vec()),
                gyr_dps: std::array::from_fn(|i| t.gyr_dps[i][k..].to_vec()),
            }
        };
        let read_from = |p: &Path, start: f64| -> Result<ImuTable> {
            let name = p.file_name().map(PathBuf::from).unwrap_or_default();
            let placement = self.files.get(&name).ok_or_else(|| {
                crate::Error::Unsupported(format!("{}: no such live sensor", p.display()))
            })?;
            Ok(window_from(&self.tables[placement], start))
        };
        let read = |p: &Path| read_from(p, start);
        let lower_back_only = self.session.sensors.len() == 1
            && self.session.sensors[0].placement == Placement::LowerBack;
        let mut candidates = Vec::new();
        let mut raw: Option<LateSides>;
        let g = if lower_back_only {
            // the lower-back pipeline itself, with the online walking-region windows
            let entry = &self.session.sensors[0];
            let path = PathBuf::from(&entry.file);
            if now_s < self.analysable_s {
                // too short for the analysis yet: the first steps of a session can come before
                // it accepts the window, and only the provisional detector can show them
                let mut imu = prepare_imu_any_length(read(&path)?, &path, &self.options)?;
                add_recorded_gaps(&mut imu, &self.session, entry.placement);
                let candidates = self
                    .provisional_candidates(&imu, entry.axes, &path)
                    .into_iter()
                    .map(|t| (t, None))
                    .collect();
                return Ok((Vec::new(), candidates, None));
            }
            let mut imu = prepare_imu(read(&path)?, &path, &self.options)?;
            add_recorded_gaps(&mut imu, &self.session, entry.placement);
            let opts = LowerBackOptions {
                sensor_height_m: self.session.participant.sensor_height_m,
                bouts: self.bouts,
                ..LowerBackOptions::default()
            };
            let part = lower_back::analyze_part(&imu, entry.axes, &path, &opts)?;
            let window_feet: Vec<(f64, Option<Side>)> =
                part.cue_feet.iter().map(|c| (c.t_s, c.side)).collect();
            let mut g = lower_back::finish(part, &opts);
            let times: Vec<f64> = g.steps.iter().map(|s| s.step_time_s).collect();
            if let Some(m) = crate::signal::stats::median(&times).filter(|m| m.is_finite()) {
                self.step_s = m.clamp(0.3, 1.1);
            }
            if !self.candidates_ruled_out(g.initial_contacts.iter().map(|c| c.t_s), now_s) {
                candidates = self
                    .provisional_candidates(&imu, entry.axes, &path)
                    .into_iter()
                    .map(|t| (t, None))
                    .collect();
            }
            // the offline sides of this window (forward axis checked, weak bouts withheld),
            // kept only where the contacts away from the window's edges agree (see side_rule)
            let vote = |side: Option<Side>| match side {
                Some(Side::Left) => -1.0,
                Some(Side::Right) => 1.0,
                None => 0.0,
            };
            let window = (imu.t0_s, imu.time_s(imu.len().saturating_sub(1)));
            // late sides: the offline rule on the window's walking bouts as the online windows
            // find them, and as `gaitkit analyze` finds them (its 4-s walking-region windows) on
            // the longer late-side window, whose alternation reaches further back into the walk;
            // a side either gives and the other does not contradict
            raw = if late_run {
                let long = read_from(&path, late_start)
                    .and_then(|t| prepare_imu(t, &path, &self.options))
                    .and_then(|mut long| {
                        add_recorded_gaps(&mut long, &self.session, entry.placement);
                        lower_back::analyze_part(
                            &long,
                            entry.axes,
                            &path,
                            &LowerBackOptions {
                                bouts: BoutParams::default(),
                                ..opts
                            },
                        )
                    });
                let (offline_bouts, feet, walking_s): (Vec<(f64, Option<Side>)>, _, _) = match long
                {
                    Ok(o) => (
                        o.initial_contacts.iter().map(|c| (c.t_s, c.side)).collect(),
                        o.cue_feet.iter().map(|c| (c.t_s, c.side)).collect(),
                        Some(o.initial_contacts.iter().map(|c| c.t_s).collect()),
                    ),
                    Err(_) => (Vec::new(), Vec::new(), None),
                };
                Some((
                    merge_sides(
                        &g.initial_contacts
                            .iter()
                            .map(|c| (c.t_s, c.side))
                            .collect::<Vec<_>>(),
                        &offline_bouts,
                    ),
                    merge_sides(&window_feet, &feet),
                    walking_s,
                ))
            } else {
                None
            };
            for b in &g.bouts {
                let idx: Vec<usize> = (0..g.initial_contacts.len())
                    .filter(|&k| {
                        let t = g.initial_contacts[k].t_s;
                        t >= b.start_s - 1e-9 && t <= b.end_s + 1e-9
                    })
                    .collect();
                let ic_s: Vec<f64> = idx.iter().map(|&k| g.initial_contacts[k].t_s).collect();
                let values: Vec<f64> = idx
                    .iter()
                    .map(|&k| vote(g.initial_contacts[k].side))
                    .collect();
                for (k, side) in idx
                    .iter()
                    .zip(side_rule::interior_vote(&ic_s, &values, window))
                {
                    g.initial_contacts[*k].side = side;
                }
            }
            g
        } else {
            // two leg sensors without the lower back: the legs' own contacts before the
            // analysis sees the walk
            let legs = leg::leg_sensor_kind(&self.session)
                .filter(|_| self.session.sensor(Placement::LowerBack).is_none());
            let analysis = analyze_with(Path::new(""), &self.session, &self.options, &read);
            if let Some(kind) = legs {
                let shown = analysis
                    .as_ref()
                    .ok()
                    .and_then(|a| a.gait.as_ref())
                    .map(|g| g.initial_contacts.iter().map(|c| c.t_s));
                if !shown.is_some_and(|t| self.candidates_ruled_out(t, now_s)) {
                    candidates = self.leg_candidates(kind, &read);
                }
            }
            match analysis {
                Ok(a) => match a.gait {
                    Some(g) => {
                        raw = Some((
                            g.initial_contacts.iter().map(|c| (c.t_s, c.side)).collect(),
                            Vec::new(),
                            None,
                        ));
                        g
                    }
                    None => return Ok((Vec::new(), candidates, Some(Default::default()))),
                },
                // too few gait cycles in the window yet: only the legs' own contacts
                Err(_) if legs.is_some() => {
                    return Ok((Vec::new(), candidates, Some(Default::default())))
                }
                Err(e) => return Err(e),
            }
        };
        if let Some((raw, feet, _)) = raw.as_mut() {
            raw.sort_by(|a, b| a.0.total_cmp(&b.0));
            feet.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        // bout of each contact: the bouts are in time order and hold their contacts
        let mut out = Vec::with_capacity(g.initial_contacts.len());
        for c in &g.initial_contacts {
            let bout = g
                .bouts
                .iter()
                .position(|b| c.t_s >= b.start_s - 1e-9 && c.t_s <= b.end_s + 1e-9);
            let bout_contacts = match bout {
                Some(b) => g
                    .initial_contacts
                    .iter()
                    .filter(|o| o.t_s <= c.t_s && o.t_s >= g.bouts[b].start_s - 1e-9)
                    .count(),
                None => 1,
            };
            // a trunk sensor's toe-offs are estimates: stance only from leg sensors
            let previous_stance_s = c.side.filter(|_| !lower_back_only).and_then(|side| {
                let prev = g
                    .initial_contacts
                    .iter()
                    .rev()
                    .find(|o| o.side == Some(side) && o.t_s < c.t_s)?;
                let fc = g
                    .final_contacts
                    .iter()
                    .find(|f| f.side == Some(side) && f.t_s > prev.t_s && f.t_s < c.t_s)?;
                Some(fc.t_s - prev.t_s)
            });
            out.push(OnlineContact {
                t_s: c.t_s,
                emitted_s: f64::NAN,
                window_side: c.side,
                bout_contacts,
                previous_stance_s,
                provisional: false,
            });
        }
        out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
        Ok((out, candidates, raw))
    }
}
