//! `gaitkit compare`, `progress` and `report` end to end on the bundled real recordings:
//! files written, verdicts printed, and bad input refused with a clear message and exit code 1.

mod support;

use std::path::{Path, PathBuf};

use support::reference::fixtures_dir;
use support::run_gaitkit as gaitkit;

fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// Copy of a fixture session with `start_time` and `task` set in its session.json.
fn dated_copy(name: &str, into: &Path, start_time: &str, task: &str) -> PathBuf {
    let src = fixture(name);
    let dst = into.join(format!("{name}-{}", &start_time[..10]));
    std::fs::create_dir_all(&dst).unwrap();
    std::fs::copy(src.join("lower_back.csv"), dst.join("lower_back.csv")).unwrap();
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("session.json")).unwrap()).unwrap();
    json["start_time"] = start_time.into();
    json["task"] = task.into();
    std::fs::write(
        dst.join("session.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
    dst
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn compare_writes_charts_and_verdicts_of_two_real_walks() {
    let out = tempfile::tempdir().unwrap();
    let o = gaitkit(&[
        "compare".as_ref(),
        fixture("mobilised_HA001_Test5_Trial1").as_os_str(),
        fixture("mobilised_HA001_Test5_Trial2").as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    // Two trials of the same healthy walk minutes apart: no real change in speed.
    let speed = stdout
        .lines()
        .find(|l| l.starts_with("Walking speed"))
        .unwrap();
    assert!(speed.ends_with("unchanged"), "{speed}");
    assert!(stdout.contains("is within its 95 % interval"));
    for stem in ["side_bars", "stride_symmetry", "gait_cycle"] {
        for ext in ["png", "svg"] {
            let p = out.path().join(format!("{stem}.{ext}"));
            assert!(
                std::fs::metadata(&p).unwrap().len() > 3_000,
                "{}",
                p.display()
            );
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("comparison.json")).unwrap())
            .unwrap();
    let speed = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "walking_speed_mps")
        .unwrap();
    assert_eq!(speed["verdict"], "unchanged");
    assert_eq!(speed["rule"], "within_uncertainty");
    assert_eq!(speed["mcid"]["value"], 0.1);
}

#[test]
fn report_writes_one_self_contained_html_file() {
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("nested/report.html");
    let o = gaitkit(&[
        "report".as_ref(),
        fixture("mobilised_MS001_Test11_Trial1").as_os_str(),
        "--compare".as_ref(),
        fixture("mobilised_MS001_Test5_Trial1").as_os_str(),
        "--out".as_ref(),
        html.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<h1>Your walking</h1>") && page.contains("<h1>Therapist summary</h1>"));
    assert_eq!(page.matches("<figure").count(), 4);
    assert!(page.contains("Your walking speed is now"));
    assert!(page.contains("@font-face"));
}

#[test]
fn progress_charts_dated_sessions_in_date_order() {
    let patient = tempfile::tempdir().unwrap();
    // Named so that folder order differs from date order.
    dated_copy(
        "mobilised_HA001_Test5_Trial2",
        patient.path(),
        "2026-03-16T10:00:00+01:00",
        "walk",
    );
    dated_copy(
        "mobilised_HA001_Test5_Trial1",
        patient.path(),
        "2026-03-02T10:00:00+01:00",
        "walk",
    );
    dated_copy(
        "mobilised_HA001_Test11_Trial1",
        patient.path(),
        "2026-03-30T10:00:00+02:00",
        "walk",
    );
    let out = tempfile::tempdir().unwrap();
    let o = gaitkit(&[
        "progress".as_ref(),
        patient.path().as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(
        stdout.starts_with("walk: 3 sessions (2 Mar 2026, 16 Mar 2026, 30 Mar 2026)"),
        "{stdout}"
    );
    for key in ["walking_speed_mps", "step_time_evenness_pct", "cadence_spm"] {
        assert!(
            out.path().join(format!("trend_{key}.png")).is_file(),
            "{key}"
        );
        assert!(
            out.path().join(format!("trend_{key}.svg")).is_file(),
            "{key}"
        );
    }
    let page = std::fs::read_to_string(out.path().join("progress.html")).unwrap();
    assert!(page.contains("<h1>Your progress</h1>") && page.contains("<h1>Therapist summary</h1>"));
    assert!(page.contains("3 sessions, 2 Mar 2026 to 30 Mar 2026 · walk"));
    assert!(page.contains("Your walking speed is now"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("progress.json")).unwrap())
            .unwrap();
    let speed = json["trends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "walking_speed_mps")
        .unwrap();
    let times: Vec<&str> = speed["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["start_time"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2026-03-02T10:00:00+01:00",
            "2026-03-16T10:00:00+01:00",
            "2026-03-30T10:00:00+02:00"
        ]
    );
}

#[test]
fn bad_input_gives_a_clear_message_and_exit_code_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");

    let empty = tmp.path().join("empty-patient");
    std::fs::create_dir_all(&empty).unwrap();
    let o = gaitkit(&[
        "progress".as_ref(),
        empty.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains(
            "no session folders found (sub-folders with a session.json, or visit folders holding them)"
        ),
        "{}",
        text(&o.stderr)
    );

    let walk = dated_copy(
        "mobilised_HA001_Test5_Trial1",
        tmp.path(),
        "2026-03-02T10:00:00+01:00",
        "walk",
    );
    let stand = dated_copy(
        "mobilised_HA001_Test5_Trial2",
        tmp.path(),
        "2026-03-09T10:00:00+01:00",
        "stand",
    );
    let o = gaitkit(&[
        "compare".as_ref(),
        walk.as_os_str(),
        stand.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("(task walk) with \"After (9 Mar 2026)\" (task stand): sessions of different tasks are not comparable"), "{}", text(&o.stderr));

    let o = gaitkit(&[
        "compare".as_ref(),
        walk.as_os_str(),
        fixture("feet_healthy_2x20m").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("sensor placements differ"),
        "{}",
        text(&o.stderr)
    );

    // Standing still for 20 s: no walking, so no charts.
    let still = tmp.path().join("standing");
    std::fs::create_dir_all(&still).unwrap();
    std::fs::write(
        still.join("session.json"),
        r#"{"sensors":[{"placement":"lower-back","file":"lower_back.csv","axes":"URF"}]}"#,
    )
    .unwrap();
    let mut csv = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
    for i in 0..2000 {
        let wobble = 0.02 * ((i as f64) * 0.37).sin();
        csv.push_str(&format!(
            "{:.2},{:.4},{wobble:.4},0.0,0.0,0.0,0.0\n",
            i as f64 / 100.0,
            9.81 + wobble
        ));
    }
    std::fs::write(still.join("lower_back.csv"), csv).unwrap();
    let o = gaitkit(&[
        "report".as_ref(),
        still.as_os_str(),
        "--out".as_ref(),
        tmp.path().join("r.html").as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("standing: no steady walking was found"),
        "{err}"
    );
    assert!(!tmp.path().join("r.html").exists());
}
