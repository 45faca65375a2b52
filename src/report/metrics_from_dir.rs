//! A folder → [`SessionMetrics`]: a session folder (walking or a balance task), or a visit
//! folder holding the session folders of one clinic visit (say a walk and single-leg stances
//! on both legs), merged so one report, comparison or trend point covers the whole visit and
//! left and right single-leg stance sit side by side.

use std::path::{Path, PathBuf};

use super::metrics_from_balance::trials_metrics;
use super::metrics_from_gait::{self, session_label};
use super::model::SessionMetrics;
use crate::analyze::AnalyzeOptions;
use crate::error::{Error, Result};
use crate::recording::session::SESSION_FILE;
use crate::recording::Session;

/// True if `dir` holds a `session.json`.
pub fn is_session_dir(dir: &Path) -> bool {
    dir.join(SESSION_FILE).is_file()
}

/// True if `dir` is a visit folder: no `session.json`, session folders inside.
pub fn is_visit_dir(dir: &Path) -> Result<bool> {
    Ok(!is_session_dir(dir) && dir.is_dir() && !session_dirs(dir)?.is_empty())
}

/// Sub-folders of `dir` that are session folders, sorted by name.
pub fn session_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    sub_dirs(dir, &|p| Ok(is_session_dir(p)))
}

/// Sub-folders of `dir` that are session or visit folders (a patient's visits), sorted by
/// name.
pub fn session_or_visit_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    sub_dirs(dir, &|p| Ok(is_session_dir(p) || is_visit_dir(p)?))
}

fn sub_dirs(dir: &Path, keep: &dyn Fn(&Path) -> Result<bool>) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut dirs = Vec::new();
    for e in entries {
        let path = e.map_err(|e| Error::io(dir, e))?.path();
        if keep(&path)? {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Analyses a session folder (walking through the gait analysis, balance tasks through the
/// balance analysis) or a visit folder (no `session.json`, session folders inside).
pub fn metrics_from_dir(dir: &Path, opts: &AnalyzeOptions) -> Result<SessionMetrics> {
    if is_session_dir(dir) {
        return session(dir, opts);
    }
    match std::fs::metadata(dir) {
        Err(e) => return Err(Error::io(dir, e)),
        Ok(m) if !m.is_dir() => {
            return Err(Error::Unsupported(format!(
                "{}: is a file, not a session folder or a visit folder",
                dir.display()
            )))
        }
        Ok(_) => {}
    }
    let sessions = session_dirs(dir)?;
    if sessions.is_empty() {
        return Err(Error::Unsupported(format!(
            "{}: neither a session folder (no {SESSION_FILE}) nor a visit folder (no sub-folder with a {SESSION_FILE})",
            dir.display()
        )));
    }
    visit(dir, &sessions, opts)
}

fn session(dir: &Path, opts: &AnalyzeOptions) -> Result<SessionMetrics> {
    let s = Session::read(dir)?;
    if s.task.as_ref().is_some_and(|t| t.is_balance()) {
        super::metrics_from_balance::session_metrics_from_dir(dir)
    } else {
        metrics_from_gait::session_metrics_from_dir(dir, opts)
    }
}

/// Merges the sessions of one visit: at most one walking session, any number of balance
/// sessions (pooled per task and leg). Any session that cannot be analysed fails the visit,
/// naming the folder, so nothing is silently left out.
fn visit(dir: &Path, dirs: &[PathBuf], opts: &AnalyzeOptions) -> Result<SessionMetrics> {
    let with_dir = |d: &Path, e: Error| -> Error {
        match e {
            Error::NotEnoughData(m) if !m.contains(&d.display().to_string()) => {
                Error::NotEnoughData(format!("{}: {m}", d.display()))
            }
            Error::Unsupported(m) if !m.contains(&d.display().to_string()) => {
                Error::Unsupported(format!("{}: {m}", d.display()))
            }
            e => e,
        }
    };
    let mut walks = Vec::new();
    let mut trials = Vec::new();
    let mut start_times = Vec::new();
    let mut placements = Vec::new();
    let mut age_years = None;
    for d in dirs {
        let s = Session::read(d)?;
        start_times.extend(s.start_time);
        placements.extend(s.sensors.iter().map(|e| e.placement));
        age_years = age_years.or(s.participant.age_years);
        if s.task.as_ref().is_some_and(|t| t.is_balance()) {
            trials.push(crate::balance::analyze_session(d).map_err(|e| with_dir(d, e))?);
        } else {
            walks.push(d);
        }
    }
    if walks.len() > 1 {
        return Err(Error::Unsupported(format!(
            "{}: a visit folder holds at most one walking session; found {} ({}). Report or compare them one at a time",
            dir.display(),
            walks.len(),
            walks
                .iter()
                .map(|d| d.file_name().unwrap_or_default().to_string_lossy())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let start_time = start_times.iter().min().copied();
    let label = session_label(dir, start_time);
    let trial_refs: Vec<&crate::balance::BalanceTrial> = trials.iter().collect();
    let balance = (!trials.is_empty()).then(|| trials_metrics(&label, &trial_refs, age_years));
    let mut merged = match walks.first() {
        Some(w) => {
            let mut g =
                metrics_from_gait::session_metrics_from_dir(w, opts).map_err(|e| with_dir(w, e))?;
            if let Some(b) = balance {
                g.task = None;
                g.metrics.extend(b.metrics);
                g.side_metrics.extend(b.side_metrics);
                g.balance_trials = b.balance_trials;
                g.sway = b.sway;
                g.single_leg_events = b.single_leg_events;
            }
            g
        }
        None => balance.expect("a visit has at least one session"),
    };
    placements.sort();
    placements.dedup();
    merged.label = label;
    merged.start_time = start_time;
    merged.placements = placements;
    merged.age_years = age_years;
    merged.visit = true;
    Ok(merged)
}
