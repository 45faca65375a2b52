//! Bad input to compare, progress and report gives a clear message, never an empty chart.

use gaitkit::recording::{Placement, Task};
use gaitkit::report::model::{synthetic, SessionMetrics};
use gaitkit::report::{compare, html, progress};

fn walk(label: &str) -> SessionMetrics {
    let t = chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    synthetic::walk(label, Some(t), 1.0, 5.0, 12, 0.05, 1)
}

#[test]
fn sessions_of_different_tasks_are_not_compared() {
    let before = walk("week 1");
    let mut after = walk("week 4");
    after.task = Some(Task::SingleLegLeft);
    let e = compare::compare(&before, &after).unwrap_err().to_string();
    assert_eq!(
        e,
        "cannot compare \"week 1\" (task walk) with \"week 4\" (task single-leg-left): sessions of different tasks are not comparable"
    );
    assert!(html::build_report(&after, Some(&before)).is_err());
}

#[test]
fn sessions_with_different_sensor_placements_are_not_compared() {
    let before = walk("week 1");
    let mut after = walk("week 4");
    after.placements = vec![Placement::LeftShank, Placement::RightShank];
    let e = compare::compare(&before, &after).unwrap_err().to_string();
    assert_eq!(
        e,
        "cannot compare \"week 1\" (sensors: lower-back) with \"week 4\" (sensors: left-shank, right-shank): sensor placements differ"
    );
}

#[test]
fn a_session_without_walking_is_refused_by_compare_and_report() {
    let before = walk("week 1");
    let mut idle = walk("standing only");
    idle.metrics.clear();
    idle.side_metrics.clear();
    idle.gait_cycle = None;
    idle.stride_symmetry = None;
    let e = compare::compare(&before, &idle).unwrap_err().to_string();
    assert!(
        e.contains("\"standing only\" has no measured metrics (no walking or trial was found)"),
        "{e}"
    );
    let e = html::build_report(&idle, None).unwrap_err().to_string();
    assert!(
        e.contains("\"standing only\" has no measured metrics"),
        "{e}"
    );
    let e = progress::progress(&[idle]).unwrap_err().to_string();
    assert_eq!(
        e,
        "none of the 1 sessions has measured metrics (no walking or trial was found)"
    );
}

#[test]
fn progress_needs_sessions_and_their_dates() {
    assert_eq!(
        progress::progress(&[]).unwrap_err().to_string(),
        "no sessions to show progress over"
    );
    let mut undated = walk("2026-03-09");
    undated.start_time = None;
    let e = progress::progress(&[walk("a"), undated])
        .unwrap_err()
        .to_string();
    assert_eq!(e, "session \"2026-03-09\" has no start_time in its session.json, so it cannot be placed in date order");
}

#[test]
fn progress_orders_by_start_time_and_keeps_tasks_apart() {
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
    let mk = |label: &str, days: i64, task: Task| {
        let mut s = synthetic::walk(
            label,
            Some(t0 + chrono::Duration::days(days)),
            1.0,
            5.0,
            12,
            0.05,
            days as u64,
        );
        s.task = Some(task);
        s
    };
    // Given out of order and mixed with a balance task.
    let sessions = [
        mk("c", 14, Task::Walk),
        mk("a", 0, Task::Walk),
        mk("x", 3, Task::Stand),
        mk("b", 7, Task::Walk),
    ];
    let tracks = progress::progress(&sessions).unwrap();
    let summary: Vec<(String, Vec<String>)> = tracks
        .iter()
        .map(|p| (p.task.clone(), p.sessions.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            ("stand".to_string(), vec!["x".to_string()]),
            (
                "walk".to_string(),
                vec!["a".to_string(), "b".to_string(), "c".to_string()]
            )
        ]
    );
}
