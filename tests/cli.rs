//! The `gaitkit` binary end to end: demo, analyze with exports, and clear errors (file,
//! line, problem; exit code ≠ 0; no panic) for every kind of bad input.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::reference::fixtures_dir;
use support::run_gaitkit as gaitkit;

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn demo_prints_a_report_with_units_and_a_plain_reading() {
    let dir = tempfile::tempdir().unwrap();
    let o = gaitkit(&["demo"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for want in [
        "Cadence",
        "steps/min",
        "Walking speed",
        "m/s",
        "Step time",
        "symmetry index",
        "Reading: Left and right steps are",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // from another directory, with exports
    let o = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .current_dir(dir.path())
        .args(["demo", "--json", "demo.json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(dir.path().join("demo.json").exists());
}

#[test]
fn analyze_writes_json_and_csv_in_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("a.json");
    let csv = dir.path().join("steps.csv");
    let session = fixtures_dir().join("mobilised_HA001_Test5_Trial1");
    let o = gaitkit(&[
        "analyze",
        session.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Wrote") && out.contains("a.json"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let g = &v["gait"];
    let ics = g["initial_contacts"].as_array().unwrap();
    assert!(ics.len() >= 10);
    assert!(ics.iter().all(|c| c["t_s"].is_f64()
        && (c["side"] == "left" || c["side"] == "right" || c["side"].is_null())));
    assert!(g["final_contacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["t_s"].is_f64()));
    let s = &g["summary"];
    let cadence = s["cadence_spm"].as_f64().unwrap();
    assert!((90.0..110.0).contains(&cadence), "{cadence}");
    assert!(
        s["stride_length_m"].as_f64().unwrap() > 0.9
            && s["walking_speed_mps"].as_f64().unwrap() > 0.7
    );
    for key in ["step_time_s", "stance_time_s", "swing_time_s"] {
        assert!(s[key]["left"].is_f64() && s[key]["right"].is_f64(), "{key}");
    }
    assert!(s["symmetry"]["step_time_si_pct"].is_f64());
    assert!(g["bouts"].as_array().unwrap().len() == 1);
    assert!(s["regularity"].is_object() || s["regularity"].is_null());
    assert!(s["harmonic_ratio"]["hr_ap"].is_f64());
    let rows = std::fs::read_to_string(&csv).unwrap();
    let mut lines = rows.lines();
    assert_eq!(lines.next().unwrap(), gaitkit::report::csv::HEADER);
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first.len(), gaitkit::report::csv::HEADER.split(',').count());
    assert!(first[2] == "left" || first[2] == "right");
    assert_eq!(
        rows.lines().count(),
        1 + g["steps"].as_array().unwrap().len()
    );
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_str().unwrap().to_string()
}

fn real_csv_lines() -> Vec<String> {
    let p = fixtures_dir().join("mobilised_HA001_Test5_Trial1/lower_back.csv");
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn lone_csv_needs_axes_and_estimates_sensor_height_from_body_height() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "walk.csv",
        &(real_csv_lines().join("\n") + "\n"),
    );
    let o = gaitkit(&["analyze", &f]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("walk.csv") && err.contains("--axes"), "{err}");
    let o = gaitkit(&["analyze", &f, "--axes", "URF", "--height-m", "1.59"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("estimated as 0.59 × body height"), "{out}");
    let o = gaitkit(&["analyze", &f, "--axes", "URF"]);
    let (out, _) = text(&o);
    assert!(
        out.contains("unavailable: give the body height or the sensor height"),
        "{out}"
    );
    assert!(out.contains("Walking speed  –"), "{out}");
}

#[test]
fn every_bad_input_gets_file_line_and_problem_and_a_failing_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let lines = real_csv_lines();
    let mut nan = lines.clone();
    let parts: Vec<&str> = lines[101].split(',').collect();
    nan[101] = format!("{},NaN,{}", parts[0], parts[2..].join(","));
    let mut backwards = lines.clone();
    backwards.swap(200, 201);
    let short: Vec<String> = lines[..200].to_vec();
    let in_g: Vec<String> = std::iter::once(lines[0].clone())
        .chain(lines[1..].iter().map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            format!(
                "{},{},{},{},{},{},{}",
                v[0],
                v[1] / 9.81,
                v[2] / 9.81,
                v[3] / 9.81,
                v[4],
                v[5],
                v[6]
            )
        }))
        .collect();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "nan.csv",
            nan.join("\n"),
            "line 102: acc_x = \"NaN\" is not a finite number",
        ),
        (
            "backwards.csv",
            backwards.join("\n"),
            "line 202: time_s goes from",
        ),
        (
            "columns.csv",
            "time_s,acc_x,acc_y,acc_z\n0,1,2,3\n".into(),
            "line 1: missing column(s) gyr_x, gyr_y, gyr_z",
        ),
        ("empty.csv", String::new(), "file is empty"),
        ("short.csv", short.join("\n"), "at least 5 s are needed"),
        ("in_g.csv", in_g.join("\n"), "looks like it is in g"),
    ];
    for (name, content, want) in &cases {
        let f = write(dir.path(), name, content);
        let o = gaitkit(&["analyze", &f, "--axes", "URF"]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(name) && err.contains(want),
            "{name}: expected {want:?} in {err:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // the g file is fine when its unit is declared
    let f = write(dir.path(), "in_g2.csv", &in_g.join("\n"));
    let o = gaitkit(&["analyze", &f, "--axes", "URF", "--acc-unit", "g"]);
    assert!(o.status.success(), "{}", text(&o).1);
    // missing folder, bad session.json, wrong axes letters
    let o = gaitkit(&["analyze", "/nonexistent/session"]);
    assert!(!o.status.success() && text(&o).1.contains("/nonexistent/session"));
    let sess = dir.path().join("s1");
    std::fs::create_dir(&sess).unwrap();
    write(
        &sess,
        "session.json",
        r#"{"sensors": [{"placement": "lower-back", "file": "lb.csv", "axes": "URF"}]}"#,
    );
    let o = gaitkit(&["analyze", sess.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(!o.status.success() && err.contains("lb.csv"), "{err}");
    write(&sess, "lb.csv", &lines.join("\n"));
    write(
        &sess,
        "session.json",
        r#"{"sensors": [{"placement": "lower-back", "file": "lb.csv", "axes": "DLF"}]}"#,
    );
    let o = gaitkit(&["analyze", sess.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(
        !o.status.success()
            && err.contains("axes letters are probably wrong")
            && err.contains("lb.csv"),
        "{err}"
    );
    let o = gaitkit(&["analyze", &f, "--axes", "ULF"]);
    assert!(!o.status.success() && text(&o).1.contains("left-handed"));
}

#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .args(["demo", "--out", out.path().to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // the reader goes away before the report is printed (`gaitkit demo | head -0`)
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // ended by SIGPIPE (13 on Linux, macOS and the BSDs), as `cat` or `grep` would be
    assert_eq!(o.status.signal(), Some(13), "{:?}", o.status);
}

/// A session folder edited or saved on Windows: CRLF line endings in both files and a UTF-8
/// byte-order mark before session.json and the CSV header (Notepad, Excel "CSV UTF-8").
#[test]
fn a_session_saved_on_windows_gives_the_same_json_as_the_original() {
    let src = fixtures_dir().join("mobilised_HA001_Test5_Trial1");
    let dir = tempfile::tempdir().unwrap();
    for name in ["session.json", "lower_back.csv"] {
        let text = std::fs::read_to_string(src.join(name)).unwrap();
        let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        std::fs::write(dir.path().join(name), windows).unwrap();
    }
    let out = dir.path().join("out");
    let json = |folder: &Path, name: &str| {
        let file = out.join(name);
        let o = gaitkit(&[
            "analyze",
            folder.to_str().unwrap(),
            "--json",
            file.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o).1);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        v["gait"].clone()
    };
    std::fs::create_dir(&out).unwrap();
    let original = json(&src, "original.json");
    let windows = json(dir.path(), "windows.json");
    assert!(original["initial_contacts"].as_array().unwrap().len() > 5);
    assert_eq!(original, windows);
}

/// `--compact`: the whole-session summary unchanged, one line per bout and one summary per
/// calendar day (split at the recording's local midnight), and no per-event arrays.
#[test]
fn compact_json_keeps_the_summary_and_splits_bouts_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures_dir().join("mobilised_MS001_Test11_Trial1");
    let session = dir.path().join("over-midnight");
    std::fs::create_dir(&session).unwrap();
    std::fs::copy(src.join("lower_back.csv"), session.join("lower_back.csv")).unwrap();
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("session.json")).unwrap()).unwrap();
    // midnight 120 s into the 227-s recording
    meta["start_time"] = "2026-11-27T23:58:00+01:00".into();
    std::fs::write(session.join("session.json"), meta.to_string()).unwrap();
    let run = |json: &Path, compact: bool| -> serde_json::Value {
        let mut args = vec![
            "analyze",
            session.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ];
        if compact {
            args.push("--compact");
        }
        let o = gaitkit(&args);
        assert!(o.status.success(), "{}", text(&o).1);
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
    };
    let full = run(&dir.path().join("full.json"), false);
    let compact = run(&dir.path().join("compact.json"), true);
    let (f, c) = (&full["gait"], &compact["gait"]);
    assert_eq!(compact["layout"], "compact");
    for key in [
        "initial_contacts",
        "final_contacts",
        "steps",
        "strides",
        "turns",
    ] {
        assert!(c.get(key).is_none(), "{key} in the compact layout");
    }
    assert_eq!(c["summary"], f["summary"]);
    assert_eq!(c["quality"], f["quality"]);
    let ics = f["initial_contacts"].as_array().unwrap();
    assert_eq!(
        c["n_initial_contacts"].as_u64().unwrap() as usize,
        ics.len()
    );
    assert_eq!(
        c["n_initial_contacts_with_side"].as_u64().unwrap() as usize,
        ics.iter().filter(|x| !x["side"].is_null()).count()
    );
    let (fb, cb) = (
        f["bouts"].as_array().unwrap(),
        c["bouts"].as_array().unwrap(),
    );
    assert!(fb.len() >= 2, "the fixture has several walks");
    assert_eq!(cb.len(), fb.len());
    let steps = f["steps"].as_array().unwrap();
    for (i, (x, y)) in fb.iter().zip(cb).enumerate() {
        assert_eq!(x["start_s"], y["start_s"]);
        assert_eq!(x["end_s"], y["end_s"]);
        let mine = steps.iter().filter(|s| s["bout"] == i).count();
        assert_eq!(y["n_steps"].as_u64().unwrap() as usize, mine, "bout {i}");
    }
    let days = c["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["date"], "2026-11-27");
    assert_eq!(days[1]["date"], "2026-11-28");
    assert_eq!(days[0]["end_s"].as_f64().unwrap(), 120.0);
    assert_eq!(days[1]["start_s"].as_f64().unwrap(), 120.0);
    let before = fb
        .iter()
        .filter(|b| b["start_s"].as_f64().unwrap() < 120.0)
        .count();
    assert!(before >= 1 && before < fb.len(), "bouts on both days");
    assert_eq!(days[0]["n_bouts"].as_u64().unwrap() as usize, before);
    let day_steps: u64 = days
        .iter()
        .map(|d| d["summary"]["n_steps"].as_u64().unwrap())
        .sum();
    assert_eq!(day_steps as usize, steps.len());
    let bout_steps: u64 = cb.iter().map(|b| b["n_steps"].as_u64().unwrap()).sum();
    assert_eq!(bout_steps as usize, steps.len());
    let size = |n: &str| std::fs::metadata(dir.path().join(n)).unwrap().len();
    assert!(size("compact.json") * 3 < size("full.json"));
    // compact needs --json
    let o = gaitkit(&["analyze", session.to_str().unwrap(), "--compact"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("--json"), "{}", text(&o).1);
}
