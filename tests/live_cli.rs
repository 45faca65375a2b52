//! `gaitkit live --replay`: the JSON Lines log (one object per step, then the summary), the
//! plain per-step output, and clear errors for bad options.

mod support;

use std::path::Path;

use support::{gaitkit_ok, run_gaitkit};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn replay_writes_one_line_per_step_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("steps.jsonl");
    let out = gaitkit_ok(&[
        "live",
        "--replay",
        &fixture("mobilised_HA001_Test5_Trial1"),
        "--speed",
        "1000",
        "--target",
        "cadence=100",
        "--events-out",
        events.to_str().unwrap(),
    ]);
    let lines = support::read_json_lines(&events);
    let (summary, logged) = lines.split_last().unwrap();
    let (revisions, steps): (Vec<_>, Vec<_>) = logged
        .iter()
        .partition(|l| l.get("side").is_some_and(|v| v.is_object()));
    // the 10 contacts of the offline analysis, and one more where the walk stops
    assert_eq!(steps.len(), 11);
    // the first steps of the walk get their side 1–3 s after they were fed back, each once,
    // after its step and never to the other foot
    assert!(revisions.len() >= 3, "{revisions:?}");
    for r in &revisions {
        let r = &r["side"];
        let (t, at) = (r["t_s"].as_f64().unwrap(), r["at_s"].as_f64().unwrap());
        assert!(at - t >= 1.0 && at - t <= 3.2, "{r}");
        assert!(r["side"].is_string() != r["previous"].is_string(), "{r}");
        let step = steps
            .iter()
            .find(|s| s["t_s"] == r["t_s"])
            .expect("its step");
        assert!(step["emitted_s"].as_f64().unwrap() < at);
    }
    let mut previous = f64::NEG_INFINITY;
    for s in &steps {
        let t = s["t_s"].as_f64().unwrap();
        let emitted = s["emitted_s"].as_f64().unwrap();
        assert!(t > previous && emitted >= t);
        previous = t;
        assert!(s["side"].is_null() || ["left", "right"].contains(&s["side"].as_str().unwrap()));
        // a cadence target judges every step that has a step time, by that step's cadence
        match s["step_time_s"].as_f64() {
            Some(st) => assert_eq!(
                s["on_target"].as_bool(),
                Some((60.0 / st - 100.0).abs() <= 5.0)
            ),
            None => assert!(s["on_target"].is_null()),
        }
        assert!(s["rolling"]["steps"].as_u64().unwrap() <= 10);
        // no stance time from a trunk sensor
        assert!(s["stance_time_s"].is_null());
    }
    let summary = &summary["summary"];
    assert_eq!(summary["steps"].as_u64(), Some(11));
    let at_emission = steps.iter().filter(|s| s["side"].is_string()).count();
    let revised = revisions
        .iter()
        .filter(|r| r["side"]["side"].is_string())
        .count();
    let taken_back = revisions.len() - revised;
    assert_eq!(
        summary["sides_at_emission"].as_u64(),
        Some(at_emission as u64)
    );
    assert_eq!(summary["sides_revised"].as_u64(), Some(revised as u64));
    assert_eq!(summary["sides_withdrawn"].as_u64(), Some(taken_back as u64));
    assert_eq!(
        summary["steps_with_side"].as_u64(),
        Some((at_emission + revised - taken_back) as u64)
    );
    let median = summary["latency_median_s"].as_f64().unwrap();
    assert!(median > 0.15 && median < 0.30, "{median}");
    // not a terminal: one line per step, then the summary
    let revision_lines = out.lines().filter(|l| l.contains(" s  step of ")).count();
    assert_eq!(revision_lines, revisions.len(), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.contains(" s  ")).count(),
        11 + revisions.len()
    );
    assert!(out.contains("11 steps"), "{out}");
}

#[test]
fn bad_options_are_refused_with_what_to_do() {
    let dir = fixture("mobilised_HA001_Test5_Trial1");
    for (args, expected) in [
        (
            vec!["--speed", "0"],
            "--speed 0: give a factor from 0.1 to 1000",
        ),
        (vec!["--speed", "NaN"], "--speed NaN"),
        (vec!["--target", "speed=1.2"], "unknown metric \"speed\""),
        (vec!["--target", "stance-si=0"], "CENTRE±TOLERANCE"),
        (vec!["--steps", "1"], "--steps 1: give 2 to 200 steps"),
    ] {
        let mut all = vec!["live", "--replay", dir.as_str()];
        all.extend(args.iter());
        let out = run_gaitkit(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expected),
            "{args:?}: {err}"
        );
    }
    let out = run_gaitkit(&["live", "--replay", "/no/such/session"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or folder"));
    // the log never replaces an input file
    let csv = format!("{dir}/lower_back.csv");
    let out = run_gaitkit(&["live", "--replay", &dir, "--events-out", &csv]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("would destroy it"),
        "{err}"
    );
}

#[test]
fn sensor_options_are_checked_before_any_sensor_is_contacted() {
    let tmp = tempfile::tempdir().unwrap();
    let session = fixture("mobilised_HA001_Test5_Trial1");
    let new = tmp.path().join("new-session");
    let (new, inside) = (
        new.to_string_lossy().into_owned(),
        new.join("steps.jsonl").to_string_lossy().into_owned(),
    );
    let sensor = "lower-back=Polar Sense B5A5E62D";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![],
            "give --replay SESSION_DIR (a recorded session) or --sensor",
        ),
        (
            vec!["--replay", &session, "--sensor", sensor],
            "cannot be used with",
        ),
        (
            vec!["--replay", &session, "--record", &new],
            "--record saves what live sensors send: give it with --sensor",
        ),
        (
            vec!["--replay", &session, "--duration", "10s"],
            "go with --sensor, not with --replay",
        ),
        (
            vec!["--sensor", sensor, "--speed", "2"],
            "cannot be used with",
        ),
        (vec!["--sensor", "neck=x"], "unknown placement \"neck\""),
        (vec!["--sensor", "lower-back"], "expected PLACEMENT=NAME"),
        (
            vec!["--sensor", sensor, "--sensor", "lower-back=WT901BLE67"],
            "placement lower-back is given twice",
        ),
        (
            vec!["--sensor", sensor, "--record", &session],
            "already holds a session (session.json)",
        ),
        (
            vec![
                "--sensor",
                sensor,
                "--record",
                &new,
                "--events-out",
                &inside,
            ],
            "lies inside the --record folder",
        ),
    ];
    for (args, expected) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gaitkit"))
            .arg("live")
            .args(&args)
            // no Bluetooth is reached even if a case got through
            .env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expected),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("BlueZ"),
            "{args:?} got as far as Bluetooth: {err}"
        );
    }
    assert!(!Path::new(&new).exists());
}
