//! Compact JSON for long recordings: the whole-recording summary, one small record per walking
//! bout and one summary per day, without the per-contact, per-step and per-stride arrays (the
//! per-step table is `--csv`). A week at 100 Hz gives a file of a few hundred kB instead of
//! hundreds of MB. Times are seconds from the first sample; days are calendar days of the
//! recording's own UTC offset when `session.json` has a start time, else 24-h periods from the
//! first sample.

use std::io::Write;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

use super::Exporter;
use crate::analyze::{SessionAnalysis, SessionInfo};
use crate::gait::analysis::{GaitAnalysis, GaitSummary, Step, Stride};
use crate::gait::body_frame::Alignment;
use crate::gait::quality::Quality;
use crate::gait::summary::summarize;
use crate::gait::PerSide;
use crate::recording::Gap;

const DAY_S: f64 = 86_400.0;

pub struct CompactJsonExporter;

#[derive(Serialize)]
struct Document<'a> {
    gaitkit_version: &'static str,
    /// `compact`: summaries only (the full layout has no such key).
    layout: &'static str,
    source: &'a std::path::Path,
    session: &'a SessionInfo,
    gait: Option<CompactGait<'a>>,
}

/// The analysis without its per-event arrays.
#[derive(Debug, Serialize)]
pub struct CompactGait<'a> {
    pub source: &'a str,
    pub duration_s: f64,
    pub sampling_rate_hz: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: &'a Option<Alignment>,
    pub gaps: &'a [Gap],
    pub n_turns: usize,
    pub n_initial_contacts: usize,
    /// Contacts given a side (the rest are "side unknown").
    pub n_initial_contacts_with_side: usize,
    pub summary: &'a GaitSummary,
    pub notes: &'a [String],
    pub quality: &'a Quality,
    pub bouts: Vec<BoutSummary>,
    pub days: Vec<DaySummary>,
}

/// One walking bout in a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoutSummary {
    pub start_s: f64,
    pub end_s: f64,
    /// Why the bout ended: `pause`, `gap` or `end`.
    pub ended_by: &'static str,
    pub n_steps: usize,
    /// Steps whose landing foot is known.
    pub n_steps_with_side: usize,
    /// Steps per minute over the bout's steady steps.
    pub cadence_spm: Option<f64>,
    /// Per-side step time over the bout's steady strides, s.
    pub step_time_s: PerSide<Option<f64>>,
    /// Right relative to left, %; `None` when a side has no steady stride.
    pub step_time_si_pct: Option<f64>,
    pub n_steady_strides: PerSide<usize>,
}

/// Everything walked on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySummary {
    /// 1 for the day the recording starts.
    pub day: usize,
    /// Calendar date (YYYY-MM-DD, the recording's UTC offset); `None` without a start time.
    pub date: Option<String>,
    /// The part of the recording on this day, s from the first sample.
    pub start_s: f64,
    pub end_s: f64,
    /// Bouts that start on this day (a bout over midnight counts for the day it started).
    pub n_bouts: usize,
    pub summary: GaitSummary,
}

impl<'a> CompactGait<'a> {
    /// The compact form of `g`; `start_time` (from `session.json`) sets the calendar days.
    pub fn of(g: &'a GaitAnalysis, start_time: Option<DateTime<FixedOffset>>) -> CompactGait<'a> {
        let per_bout = split_by_bout(g);
        let bouts = g
            .bouts
            .iter()
            .zip(&per_bout)
            .map(|(b, (steps, strides))| {
                let s = summarize(steps, strides, 1, b.duration_s());
                BoutSummary {
                    start_s: b.start_s,
                    end_s: b.end_s,
                    ended_by: b.ended_by,
                    n_steps: steps.len(),
                    n_steps_with_side: steps.iter().filter(|s| s.side.is_some()).count(),
                    cadence_spm: s.cadence_spm,
                    step_time_s: s.step_time_s,
                    step_time_si_pct: s.symmetry.step_time_si_pct,
                    n_steady_strides: s.n_steady_strides,
                }
            })
            .collect();
        CompactGait {
            source: &g.source,
            duration_s: g.duration_s,
            sampling_rate_hz: g.sampling_rate_hz,
            alignment: &g.alignment,
            gaps: &g.gaps,
            n_turns: g.turns.len(),
            n_initial_contacts: g.initial_contacts.len(),
            n_initial_contacts_with_side: g
                .initial_contacts
                .iter()
                .filter(|c| c.side.is_some())
                .count(),
            summary: &g.summary,
            notes: &g.notes,
            quality: &g.quality,
            bouts,
            days: days(g, &per_bout, start_time),
        }
    }
}

/// Each bout's steps and strides (both are grouped by their `bout` index).
fn split_by_bout(g: &GaitAnalysis) -> Vec<(Vec<Step>, Vec<Stride>)> {
    let mut out: Vec<(Vec<Step>, Vec<Stride>)> = vec![(Vec::new(), Vec::new()); g.bouts.len()];
    for s in &g.steps {
        if let Some(b) = out.get_mut(s.bout) {
            b.0.push(s.clone());
        }
    }
    for s in &g.strides {
        if let Some(b) = out.get_mut(s.bout) {
            b.1.push(s.clone());
        }
    }
    for (_, strides) in &mut out {
        strides.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    }
    out
}

/// Day boundaries, s from the first sample: local midnights after `start_time`, else every
/// 24 h. Returns (day start, day end, date) over the whole recording.
fn day_spans(
    duration_s: f64,
    start_time: Option<DateTime<FixedOffset>>,
) -> Vec<(f64, f64, Option<NaiveDate>)> {
    let mut spans = Vec::new();
    let end = duration_s.max(0.0);
    match start_time {
        Some(t0) => {
            let mut date = t0.date_naive();
            let mut start_s = 0.0;
            while start_s <= end {
                let next_midnight = date
                    .succ_opt()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|m| (m - t0.naive_local()).num_milliseconds() as f64 / 1000.0);
                let Some(next_s) = next_midnight else { break };
                spans.push((start_s, next_s.min(end), Some(date)));
                if next_s >= end {
                    break;
                }
                start_s = next_s;
                date += Duration::days(1);
            }
        }
        None => {
            let mut start_s = 0.0;
            loop {
                let next_s = start_s + DAY_S;
                spans.push((start_s, next_s.min(end), None));
                if next_s >= end {
                    break;
                }
                start_s = next_s;
            }
        }
    }
    spans
}

fn days(
    g: &GaitAnalysis,
    per_bout: &[(Vec<Step>, Vec<Stride>)],
    start_time: Option<DateTime<FixedOffset>>,
) -> Vec<DaySummary> {
    let spans = day_spans(g.duration_s, start_time);
    spans
        .iter()
        .enumerate()
        .map(|(i, &(start_s, end_s, date))| {
            let last = i + 1 == spans.len();
            let on_day = |t: f64| t >= start_s && (t < end_s || last);
            let mut steps = Vec::new();
            let mut strides = Vec::new();
            let mut n_bouts = 0;
            let mut walking_time_s = 0.0;
            for (b, (st, sd)) in g.bouts.iter().zip(per_bout) {
                if on_day(b.start_s) {
                    n_bouts += 1;
                    walking_time_s += b.duration_s();
                    steps.extend_from_slice(st);
                    strides.extend_from_slice(sd);
                }
            }
            strides.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
            DaySummary {
                day: i + 1,
                date: date.map(|d| d.format("%Y-%m-%d").to_string()),
                start_s,
                end_s,
                n_bouts,
                summary: summarize(&steps, &strides, n_bouts, walking_time_s),
            }
        })
        .collect()
}

impl Exporter for CompactJsonExporter {
    fn name(&self) -> &'static str {
        "compact json"
    }

    fn export(&self, analysis: &SessionAnalysis, out: &mut dyn Write) -> std::io::Result<()> {
        let start_time = analysis
            .session
            .start_time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        let doc = Document {
            gaitkit_version: env!("CARGO_PKG_VERSION"),
            layout: "compact",
            source: &analysis.source,
            session: &analysis.session,
            gait: analysis
                .gait
                .as_ref()
                .map(|g| CompactGait::of(g, start_time)),
        };
        super::json::write_pretty(out, &doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_without_start_time_are_24_h_periods() {
        let d = day_spans(2.5 * DAY_S, None);
        assert_eq!(
            d,
            vec![
                (0.0, DAY_S, None),
                (DAY_S, 2.0 * DAY_S, None),
                (2.0 * DAY_S, 2.5 * DAY_S, None)
            ]
        );
        assert_eq!(day_spans(10.0, None), vec![(0.0, 10.0, None)]);
    }

    #[test]
    fn days_follow_local_midnight() {
        // 22:00 local (+01:00): the first day lasts 2 h
        let t0 = DateTime::parse_from_rfc3339("2026-11-27T22:00:00+01:00").unwrap();
        let d = day_spans(30.0 * 3600.0, Some(t0));
        let nov27 = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d[0], (0.0, 7200.0, Some(nov27)));
        assert_eq!(d[1], (7200.0, 7200.0 + DAY_S, nov27.succ_opt()));
        assert_eq!(d[2].0, 7200.0 + DAY_S);
        assert_eq!(d[2].1, 30.0 * 3600.0);
        assert_eq!(d[2].2.unwrap().format("%Y-%m-%d").to_string(), "2026-11-29");
    }
}
