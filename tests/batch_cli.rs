//! `gaitkit batch` through the binary: session folders found recursively, one JSON and one
//! summary row each, a failing session listed without stopping the rest, unchanged sessions
//! skipped on a second run, and a results folder inside an input folder never read as input.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn copy_session(from: &Path, to: &Path, with_participant: bool) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    let mut s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(from.join("session.json")).unwrap()).unwrap();
    if with_participant {
        s["participant"]["id"] = "P07".into();
        s["task"] = "walk".into();
        s["start_time"] = "2026-11-27T10:15:00+01:00".into();
    }
    std::fs::write(to.join("session.json"), serde_json::to_vec(&s).unwrap()).unwrap();
}

fn batch(args: &[&Path]) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .arg("batch")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn summary(out: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let mut rows = vec![h];
    rows.extend(r.records().map(|x| x.unwrap()));
    rows
}

fn cell<'a>(rows: &'a [csv::StringRecord], row: usize, col: &str) -> &'a str {
    let i = rows[0]
        .iter()
        .position(|h| h == col)
        .unwrap_or_else(|| panic!("no column {col}"));
    &rows[row][i]
}

#[test]
fn cohort_resumes_lists_failures_and_never_reads_its_results() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("study");
    copy_session(
        &fixture("mobilised_HA001_Test5_Trial1"),
        &root.join("site-a/P07/visit-1"),
        true,
    );
    copy_session(
        &fixture("feet_healthy_2x20m"),
        &root.join("site-b/P11/walk"),
        false,
    );
    // a session whose CSV is missing a column: listed as failed, the others go on
    let bad = root.join("site-b/P12/walk");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("session.json"),
        r#"{"sensors":[{"placement":"lower-back","file":"lower_back.csv","axes":"URF"}]}"#,
    )
    .unwrap();
    std::fs::write(bad.join("lower_back.csv"), "time_s,acc_x\n0,1\n").unwrap();
    // the results folder sits inside the input folder
    let out = root.join("results");

    let (ok, stdout, stderr) = batch(&[
        &root,
        Path::new("--out"),
        &out,
        Path::new("--threads"),
        Path::new("2"),
    ]);
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("3 sessions: 2 analysed, 0 unchanged since the last run, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("failed site-b/P12/walk: "), "{stdout}");
    assert!(stdout.contains("missing column(s) acc_y"), "{stdout}");

    let rows = summary(&out);
    assert_eq!(rows.len(), 4, "header + 3 sessions");
    assert_eq!(cell(&rows, 1, "name"), "site-a/P07/visit-1");
    assert_eq!(cell(&rows, 1, "status"), "ok");
    assert_eq!(cell(&rows, 1, "participant"), "P07");
    assert_eq!(cell(&rows, 1, "task"), "walk");
    assert_eq!(cell(&rows, 1, "date"), "2026-11-27");
    assert_eq!(cell(&rows, 3, "status"), "failed");
    let err = cell(&rows, 3, "error");
    assert!(
        err.contains("lower_back.csv") && err.contains("missing column(s) acc_y"),
        "{err}"
    );

    // the row's values are the per-session JSON's values, with their n
    for (row, name) in [(1, "site-a/P07/visit-1"), (2, "site-b/P11/walk")] {
        let json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join("sessions").join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let s = &json["gait"]["summary"];
        let cadence: f64 = cell(&rows, row, "cadence_spm").parse().unwrap();
        assert!((cadence - s["cadence_spm"].as_f64().unwrap()).abs() < 1e-5);
        for side in ["left", "right"] {
            assert_eq!(
                cell(&rows, row, &format!("stance_time_s_{side}_n")),
                s["n_steady_strides"][side].as_u64().unwrap().to_string()
            );
        }
        assert_eq!(
            cell(&rows, row, "steps"),
            s["n_steps"].as_u64().unwrap().to_string()
        );
    }
    // same as `gaitkit analyze --json` of that folder
    let single = tmp.path().join("single.json");
    let o = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .arg("analyze")
        .arg(root.join("site-b/P11/walk"))
        .arg("--json")
        .arg(&single)
        .output()
        .unwrap();
    assert!(o.status.success());
    let a: serde_json::Value = serde_json::from_slice(&std::fs::read(&single).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sessions/site-b/P11/walk.json")).unwrap())
            .unwrap();
    assert_eq!(a["gait"], b["gait"]);

    // second run: nothing changed, nothing analysed; results are not taken for sessions
    let (ok, stdout, _) = batch(&[&root, Path::new("--out"), &out]);
    assert!(ok);
    assert!(
        stdout.contains("3 sessions: 0 analysed, 3 unchanged since the last run, 1 failed"),
        "{stdout}"
    );
    assert_eq!(summary(&out).len(), 4);

    // an interrupted run (a record lost) and a changed input are analysed again
    std::fs::remove_file(out.join(".gaitkit-batch/site-b/P11/walk.json")).unwrap();
    std::fs::write(bad.join("lower_back.csv"), "time_s,acc_x,acc_y\n0,1,2\n").unwrap();
    let (ok, stdout, _) = batch(&[&root, Path::new("--out"), &out]);
    assert!(ok);
    assert!(
        stdout.contains("3 sessions: 1 analysed, 1 unchanged since the last run, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("missing column(s) acc_z"), "{stdout}");
    let again = summary(&out);
    assert_eq!(again[1], rows[1], "an unchanged session keeps its row");
    assert_eq!(
        again[2], rows[2],
        "a re-analysed session gives the same row"
    );

    // --compact is another layout: every session is analysed again, the rows stay the same
    let (ok, stdout, _) = batch(&[&root, Path::new("--out"), &out, Path::new("--compact")]);
    assert!(ok);
    assert!(
        stdout.contains("3 sessions: 2 analysed, 0 unchanged since the last run, 1 failed"),
        "{stdout}"
    );
    let c: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sessions/site-b/P11/walk.json")).unwrap())
            .unwrap();
    assert_eq!(c["layout"], "compact");
    assert!(c["gait"].get("steps").is_none());
    assert_eq!(c["gait"]["summary"], a["gait"]["summary"]);
    assert_eq!(summary(&out)[1..], again[1..]);
}

#[test]
fn refuses_results_inside_a_session_folder_and_no_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("s");
    copy_session(&fixture("mobilised_HA001_Test5_Trial1"), &s, false);
    let (ok, _, stderr) = batch(&[&s, Path::new("--out"), &s.join("out")]);
    assert!(!ok);
    assert!(stderr.contains("inside the session folder"), "{stderr}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (ok, _, stderr) = batch(&[&empty, Path::new("--out"), &tmp.path().join("r")]);
    assert!(!ok);
    assert!(stderr.contains("no session folders"), "{stderr}");
}
