//! Stage 1: online initial contacts and sides.
//!
//! Every `hop_s` of recording time the offline analysis ([`crate::analyze::analyze_with`],
//! the same code as `gaitkit analyze`: body frame, walking bouts, wavelet contacts,
//! laterality, or the two-leg pipeline) runs on the last `window_s` of data. A contact is
//! emitted the first time a window shows it at least `lookahead_s` before the window's end,
//! so the filters and wavelets have seen `lookahead_s` of signal after it; contacts are
//! emitted in time order and never twice. The look-ahead is bounded: the latency from the
//! contact to its emission is `lookahead_s` plus at most `hop_s` (more only for the first
//! steps of a walk, which are recognised as walking once a few steps are seen).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::side_rule;
use crate::analyze::{add_recorded_gaps, analyze_with, prepare_imu, AnalyzeOptions};
use crate::error::Result;
use crate::gait::lower_back::{self, LowerBackOptions};
use crate::gait::walking_bouts::BoutParams;
use crate::gait::Side;
use crate::recording::session::RecordedGap;
use crate::recording::{ImuSample, ImuTable, Placement, Session};

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
}

/// Online detector over the sensors of one session.
pub struct StreamDetector {
    session: Session,
    params: DetectorParams,
    options: AnalyzeOptions,
    tables: BTreeMap<Placement, ImuTable>,
    files: BTreeMap<PathBuf, Placement>,
    next_run_s: Option<f64>,
    last_emitted_s: f64,
    /// Analyses run so far (for cost figures).
    pub runs: u64,
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
            runs: 0,
        }
    }

    pub fn params(&self) -> DetectorParams {
        self.params
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
        let Ok(contacts) = self.analyse_window() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for c in contacts {
            if c.t_s > now_s - self.params.lookahead_s {
                break;
            }
            if c.t_s <= self.last_emitted_s + self.params.same_contact_s {
                continue;
            }
            self.last_emitted_s = c.t_s;
            out.push(OnlineContact {
                emitted_s: now_s,
                ..c
            });
        }
        out
    }

    /// Keeps `window_s` of each sensor's data before `now_s`.
    fn trim(&mut self, now_s: f64) {
        let start = now_s - self.params.window_s;
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

    fn analyse_window(&mut self) -> Result<Vec<OnlineContact>> {
        self.runs += 1;
        let start = self
            .tables
            .values()
            .filter_map(|t| t.time_s.last())
            .fold(f64::NEG_INFINITY, |a, &b| a.max(b))
            - self.params.window_s;
        let window = |t: &ImuTable| -> ImuTable {
            let k = t.time_s.partition_point(|&x| x < start);
            ImuTable {
                time_s: t.time_s[k..].to_vec(),
                acc_mps2: t.acc_mps2.clone().map(|c| c[k..].to_vec()),
                gyr_dps: t.gyr_dps.clone().map(|c| c[k..].to_vec()),
            }
        };
        let read = |p: &Path| -> Result<ImuTable> {
            let name = p.file_name().map(PathBuf::from).unwrap_or_default();
            let placement = self.files.get(&name).ok_or_else(|| {
                crate::Error::Unsupported(format!("{}: no such live sensor", p.display()))
            })?;
            Ok(window(&self.tables[placement]))
        };
        let lower_back_only = self.session.sensors.len() == 1
            && self.session.sensors[0].placement == Placement::LowerBack;
        let g = if lower_back_only {
            // the lower-back pipeline itself, with the online walking-region windows
            let entry = &self.session.sensors[0];
            let path = PathBuf::from(&entry.file);
            let mut imu = prepare_imu(read(&path)?, &path, &self.options)?;
            add_recorded_gaps(&mut imu, &self.session, entry.placement);
            let opts = LowerBackOptions {
                sensor_height_m: self.session.participant.sensor_height_m,
                bouts: BoutParams {
                    window_s: self.params.bout_window_s,
                    hop_s: self.params.bout_hop_s,
                    ..BoutParams::default()
                },
                ..LowerBackOptions::default()
            };
            let mut g = lower_back::analyze(&imu, entry.axes, &path, &opts)?;
            // the offline sides of this window (forward axis checked, weak bouts withheld),
            // kept only where the contacts away from the window's edges agree (see side_rule)
            let vote = |side: Option<Side>| match side {
                Some(Side::Left) => -1.0,
                Some(Side::Right) => 1.0,
                None => 0.0,
            };
            let window = (imu.t0_s, imu.time_s(imu.len().saturating_sub(1)));
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
            match analyze_with(Path::new(""), &self.session, &self.options, &read)?.gait {
                Some(g) => g,
                None => return Ok(Vec::new()),
            }
        };
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
            });
        }
        out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
        Ok(out)
    }
}
