//! Progress over dated sessions: each metric as a series in start-time order, every session
//! compared with the first one (same rules as [`compare`](super::compare)), so trend charts
//! can mark the meaningful changes.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::compare::{self, Change};
use super::model::{Audience, Better, Mcid, Metric, NormalRange, PlainLanguage, SessionMetrics};
use crate::error::{Error, Result};

/// One session's value in a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub label: String,
    pub start_time: DateTime<FixedOffset>,
    pub value: f64,
    /// Half-width of the 95 % confidence interval of the session value.
    pub ci95_half_width: Option<f64>,
    /// Change from the first session of the trend; `None` for the first session itself.
    pub change_from_first: Option<Change>,
}

/// One metric over sessions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub decimals: usize,
    pub better: Better,
    pub normal_range: Option<NormalRange>,
    /// Range of possible values; intervals are drawn clipped to it.
    pub limits: Option<(f64, f64)>,
    pub mcid: Option<Mcid>,
    pub audience: Audience,
    pub plain: Option<PlainLanguage>,
    pub points: Vec<TrendPoint>,
}

impl Trend {
    /// The metric as measured at one point of the trend (without its per-stride samples),
    /// for wording and formatting shared with single-session reports.
    pub fn metric_at(&self, point: &TrendPoint) -> Metric {
        Metric {
            key: self.key.clone(),
            name: self.name.clone(),
            unit: self.unit.clone(),
            decimals: self.decimals,
            better: self.better,
            value: point.value,
            samples: Vec::new(),
            normal_range: self.normal_range.clone(),
            limits: self.limits,
            mcid: self.mcid.clone(),
            audience: self.audience,
            plain: self.plain.clone(),
            uncertainty: None,
            strides_per_side: None,
        }
    }
}

/// All trends of sessions of one task with one set of sensor placements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// Task name (`walk`, `single-leg-left`, ...), "visit" for merged visit folders, or
    /// "unknown task".
    pub task: String,
    /// Session labels in date order.
    pub sessions: Vec<String>,
    pub trends: Vec<Trend>,
}

/// Groups sessions by task and sensor placements (only like is compared with like) and builds
/// the trends of each group in start-time order.
///
/// Errors: no sessions, a session without a start time (the order would be a guess), or no
/// session with any measured metric.
pub fn progress(sessions: &[SessionMetrics]) -> Result<Vec<Progress>> {
    if sessions.is_empty() {
        return Err(Error::NotEnoughData(
            "no sessions to show progress over".into(),
        ));
    }
    for s in sessions {
        if s.start_time.is_none() {
            return Err(Error::Unsupported(format!(
                "session \"{}\" has no start_time in its session.json, so it cannot be placed in date order",
                s.label
            )));
        }
    }
    let measured: Vec<&SessionMetrics> =
        sessions.iter().filter(|s| !s.metrics.is_empty()).collect();
    if measured.is_empty() {
        return Err(Error::NotEnoughData(format!(
            "none of the {} sessions has measured metrics (no walking or trial was found)",
            sessions.len()
        )));
    }
    let mut groups: BTreeMap<(String, Vec<&str>), Vec<&SessionMetrics>> = BTreeMap::new();
    for s in measured {
        let task = match (&s.task, s.visit) {
            (Some(t), _) => t.to_string(),
            (None, true) => "visit".to_string(),
            (None, false) => "unknown task".to_string(),
        };
        let mut placements: Vec<&str> = s.placements.iter().map(|p| p.as_str()).collect();
        placements.sort();
        groups.entry((task, placements)).or_default().push(s);
    }
    Ok(groups
        .into_iter()
        .map(|((task, _), mut group)| {
            group.sort_by_key(|s| s.start_time);
            track(task, &group)
        })
        .collect())
}

fn track(task: String, sessions: &[&SessionMetrics]) -> Progress {
    let mut trends: Vec<Trend> = Vec::new();
    for s in sessions {
        for m in &s.metrics {
            let first = sessions
                .iter()
                .find_map(|f| f.metric(&m.key))
                .expect("metric comes from one of the sessions");
            let point = TrendPoint {
                label: s.label.clone(),
                start_time: s.start_time.expect("checked above"),
                value: m.value,
                ci95_half_width: m.ci95_half_width(),
                change_from_first: (!std::ptr::eq(first, m))
                    .then(|| compare::compare_metric(first, m)),
            };
            match trends.iter_mut().find(|t| t.key == m.key) {
                Some(t) => t.points.push(point),
                None => trends.push(Trend {
                    key: m.key.clone(),
                    name: m.name.clone(),
                    unit: m.unit.clone(),
                    decimals: m.decimals,
                    better: m.better,
                    normal_range: m.normal_range.clone(),
                    limits: m.limits,
                    mcid: m.mcid.clone(),
                    audience: m.audience,
                    plain: m.plain.clone(),
                    points: vec![point],
                }),
            }
        }
    }
    Progress {
        task,
        sessions: sessions.iter().map(|s| s.label.clone()).collect(),
        trends,
    }
}
