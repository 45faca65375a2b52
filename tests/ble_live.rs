//! `gaitkit live --sensor … --record …` against the fake BlueZ: a Polar Verity Sense at the
//! lower back streams a synthetic walk (known contacts), drops its link mid-walk and comes
//! back. Steps are fed back before and after the drop-out, none spans it, the drop-out is
//! listed with its times, and the recorded folder holds the gap and analyses. The fake
//! streams 4 × faster than real time (the Polar's device clock sets the sample times). The
//! patient page (`--serve`) is read by a plain client throughout: it gets the same steps, the
//! drop-out and the summary.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use gaitkit::analyze::{analyze_session, AnalyzeOptions};
use gaitkit::recording::{ImuTable, Placement, Session, Task};
use gaitkit::sensors::{mounting, polar, Model, G_MPS2};
use nalgebra::Rotation3;
use support::devices::*;
use support::fake_bluez::{FakeBluez, Step};
use support::synthetic_walk::Walk;

/// Wall-clock speed of the fake's stream, × real time.
const SPEED: u64 = 4;
/// Samples per PMD frame.
const PER_FRAME: usize = 4;

/// Raw Polar values (ACC mG, GYRO in units of the 0.5 deg/s factor) of each sample.
fn raw_samples(t: &ImuTable) -> Vec<([i16; 3], [i16; 3])> {
    (0..t.len())
        .map(|i| {
            let s = t.sample(i);
            (
                s.acc_mps2.map(|a| (a / G_MPS2 * 1000.0).round() as i16),
                s.gyr_dps
                    .map(|w| (w / POLAR_GYRO_FACTOR as f64).round() as i16),
            )
        })
        .collect()
}

/// Frames of samples `from..to`, paced at `SPEED` × the device rate.
fn frames(raw: &[([i16; 3], [i16; 3])], from: usize, to: usize) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut k = from;
    while k < to {
        let last = (k + PER_FRAME).min(to) - 1;
        let ts = POLAR_BASE_NS + last as u64 * POLAR_PERIOD_NS;
        let acc: Vec<[i16; 3]> = raw[k..=last].iter().map(|s| s.0).collect();
        let gyr: Vec<[i16; 3]> = raw[k..=last].iter().map(|s| s.1).collect();
        for (m, v) in [(polar::MEAS_ACC, acc), (polar::MEAS_GYRO, gyr)] {
            steps.push(Step::Notify {
                char: polar::DATA,
                data: polar_frame(m, ts, &v),
            });
        }
        let n = (last + 1 - k) as u64;
        steps.push(Step::Sleep(Duration::from_nanos(
            n * POLAR_PERIOD_NS / SPEED,
        )));
        k = last + 1;
    }
    steps
}

#[test]
fn live_feedback_pauses_over_a_drop_out_and_the_recording_keeps_the_gap() {
    let fs_hz = 1e9 / POLAR_PERIOD_NS as f64;
    let mut walk = Walk::alternating(1.0, 35, 0.55, 0.55, 22.0);
    walk.fs_hz = fs_hz;
    let axes = mounting::axes(Model::PolarVeritySense, Placement::LowerBack);
    let raw = raw_samples(&walk.table(axes, Rotation3::identity()));
    // the link drops after 10 s of walk time and the sensor is back 2.5 s later (its clock
    // runs on: the samples in between are never sent)
    let (lost_k, back_k) = ((10.0 * fs_hz) as usize, (12.5 * fs_hz) as usize);
    let rows = lost_k + raw.len() - back_k;

    let (address, dir) = FakeBluez::start_bus();
    let out = tempfile::tempdir().unwrap();
    let session_dir = out.path().join("p07-live");
    let events = out.path().join("steps.jsonl");
    let rt = support::fake_bluez::runtime();
    let output = rt.block_on(async {
        let start = wait_write(polar::CONTROL_POINT, &[0x02, polar::MEAS_GYRO], 1);
        let mut script = vec![start];
        script.extend(frames(&raw, 0, lost_k));
        script.push(Step::Sleep(Duration::from_millis(50)));
        script.push(Step::Disconnect);
        script.push(wait_write(
            polar::CONTROL_POINT,
            &[0x02, polar::MEAS_GYRO],
            2,
        ));
        script.extend(frames(&raw, back_k, raw.len()));
        let _fake = FakeBluez::serve(address.clone(), dir, vec![polar_verity(script)]).await;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gaitkit"))
            .args([
                "live",
                "--sensor",
                "lower-back=Polar Sense B5A5E62D",
                "--scan-timeout",
                "3s",
                "--participant",
                "P07",
                "--plain",
                "--serve",
                "127.0.0.1:0",
                "--events-out",
            ])
            .arg(&events)
            .arg("--record")
            .arg(&session_dir)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &address)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // the patient page, read by a plain client from its URL to the end of its stream
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let child_out = child.stdout.take().unwrap();
        let stdout_lines = std::thread::spawn(move || {
            use std::io::BufRead;
            let mut all = String::new();
            for line in std::io::BufReader::new(child_out).lines() {
                let line = line.unwrap();
                if let Some(url) = line.strip_prefix("Patient page: ") {
                    let _ = url_tx.send(url.to_string());
                }
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        let url = url_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the page's URL is printed before the sensor streams");
        let page = std::thread::spawn(move || {
            let host_port = url.trim_start_matches("http://").trim_end_matches('/');
            support::sse::http_get(host_port, "/events")
        });
        // every streamed sample on disk, then Ctrl-C
        let csv = session_dir.join("lower_back.csv");
        for _ in 0..400 {
            if ImuTable::read(&csv).is_ok_and(|t| t.len() >= rows) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            support::interrupt_and_wait(&mut child, Duration::from_secs(10)),
            "exits within 10 s of Ctrl-C"
        );
        let output = child.wait_with_output().unwrap();
        (output, stdout_lines.join().unwrap(), page.join().unwrap())
    });
    let (output, stdout, (page_status, page_body)) = output;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");

    // the recording: every sample once, in order, the gap in session.json
    let session = Session::read(&session_dir).unwrap();
    assert_eq!(session.task, Some(Task::Walk));
    assert_eq!(session.participant.id.as_deref(), Some("P07"));
    let t = ImuTable::read(&session_dir.join("lower_back.csv")).unwrap();
    assert_eq!(t.len(), rows, "every streamed sample kept, none invented");
    let sample_of_row = |r: usize| if r < lost_k { r } else { r - lost_k + back_k };
    for r in (0..t.len()).step_by(97) {
        let acc = raw[sample_of_row(r)].0;
        assert!(
            (t.acc_mps2[0][r] - acc[0] as f64 * G_MPS2 * 1e-3).abs() < 1e-6,
            "row {r}"
        );
    }
    let (gap_start_s, gap_end_s) = (t.time_s[lost_k - 1], t.time_s[lost_k]);
    assert_eq!(session.gaps.len(), 1, "{:?}", session.gaps);
    let g = &session.gaps[0];
    assert_eq!(g.placement, Placement::LowerBack);
    assert_eq!(g.reason.as_deref(), Some("disconnected"));
    assert!(
        (g.start_s - gap_start_s).abs() < 1e-6 && (g.end_s - gap_end_s).abs() < 1e-6,
        "{g:?}"
    );
    // about 2.5 s of device time (the applied clock offset slews by at most 0.5 %)
    assert!((g.end_s - g.start_s - 2.5).abs() < 0.05, "{g:?}");

    // the true contacts on the session clock, through the rows that hold them
    let row_of_sample = |k: usize| if k < lost_k { k } else { k + lost_k - back_k };
    let contacts_s: Vec<f64> = walk
        .contacts_s
        .iter()
        .map(|c| (c * fs_hz).round() as usize)
        .filter(|&k| k < lost_k || k >= back_k)
        .map(|k| t.time_s[row_of_sample(k)])
        .collect();

    // the steps fed back: each at a true contact, none inside the gap
    let lines = support::read_json_lines(&events);
    let (summary, logged) = lines.split_last().unwrap();
    // the step lines (side revisions and withdrawals are lines of their own)
    let steps: Vec<serde_json::Value> = logged
        .iter()
        .filter(|l| l.get("t_s").is_some())
        .cloned()
        .collect();
    let steps = steps.as_slice();
    let step_t: Vec<f64> = steps.iter().map(|s| s["t_s"].as_f64().unwrap()).collect();
    for (s, &ts) in steps.iter().zip(&step_t) {
        let nearest = contacts_s
            .iter()
            .map(|c| (c - ts).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest < 0.05,
            "step at {ts:.3} s is {nearest:.3} s from a contact"
        );
        assert!(
            !(ts > gap_start_s && ts < gap_end_s),
            "step at {ts} in the gap"
        );
        let emitted = s["emitted_s"].as_f64().unwrap();
        assert!(
            !(emitted > gap_start_s && emitted < gap_end_s),
            "step emitted at {emitted} while the sensor was missing"
        );
    }
    let before = step_t.iter().filter(|&&x| x < gap_start_s).count();
    let after: Vec<&serde_json::Value> = steps
        .iter()
        .filter(|s| s["t_s"].as_f64().unwrap() > gap_end_s)
        .collect();
    let truth_before = contacts_s.iter().filter(|&&c| c < gap_start_s).count();
    let truth_after = contacts_s.iter().filter(|&&c| c > gap_end_s).count();
    eprintln!(
        "steps before the drop-out {before} of {truth_before}, after {} of {truth_after}",
        after.len()
    );
    assert!(
        before + 2 >= truth_before,
        "{before} of {truth_before} before"
    );
    assert!(
        after.len() + 3 >= truth_after,
        "{} of {truth_after} after",
        after.len()
    );
    // no step spans the gap: a step from before it reported only after it stays out of the
    // new walk; the first after it has no step time, the walk starts afresh
    for s in steps {
        let (ts, emitted) = (s["t_s"].as_f64().unwrap(), s["emitted_s"].as_f64().unwrap());
        if ts < gap_start_s && emitted > gap_end_s {
            assert!(s["step_time_s"].is_null(), "{s}");
            assert_eq!(s["rolling"]["steps"].as_u64(), Some(0), "{s}");
        }
    }
    assert!(after[0]["step_time_s"].is_null(), "{}", after[0]);
    assert_eq!(after[0]["rolling"]["steps"].as_u64(), Some(1));
    for s in &after[1..] {
        let st = s["step_time_s"].as_f64().unwrap();
        assert!((st - 0.55).abs() < 0.05, "step time {st}");
    }

    // the drop-out with its times, in the summary line and on the screen
    let d = &summary["summary"]["dropouts"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d[0]["placement"], "lower-back");
    let (start, end) = (d[0]["start_s"].as_f64().unwrap(), d[0]["end_s"].as_f64());
    assert!((start - gap_start_s).abs() < 1e-6, "{d}");
    assert!((end.unwrap() - gap_end_s).abs() < 1e-6, "{d}");
    assert_eq!(
        summary["summary"]["steps"].as_u64(),
        Some(steps.len() as u64)
    );
    assert!(
        stdout.contains("FEEDBACK PAUSED: lower-back sensor lost"),
        "{stdout}"
    );
    assert!(
        stdout.contains("lower-back sensor back: feedback resumes"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "drop-out: lower-back sensor from {gap_start_s:.2} s to {gap_end_s:.2} s"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{} steps", steps.len())),
        "{stdout}"
    );

    // the patient page: every step as its --events-out line, the sensor shown missing during
    // the drop-out and back after it, the summary at the end
    assert!(page_status.contains("200"), "{page_status}");
    let sse = support::sse::parse_sse(&page_body);
    let page_steps: Vec<serde_json::Value> = sse
        .iter()
        .filter(|(name, _)| name == "step")
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    assert_eq!(
        page_steps.as_slice(),
        steps,
        "the page's steps are the logged steps"
    );
    let statuses: Vec<serde_json::Value> = sse
        .iter()
        .filter(|(name, _)| name == "status")
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    let paused: Vec<bool> = statuses
        .iter()
        .map(|s| s["feedback_paused"].as_bool().unwrap())
        .collect();
    assert_eq!(paused, [false, true, false], "{statuses:?}");
    assert_eq!(
        statuses[1]["message"],
        "lower-back sensor missing — feedback paused"
    );
    let page_summary = sse.iter().find(|(name, _)| name == "summary").unwrap();
    let page_summary: serde_json::Value = serde_json::from_str(&page_summary.1).unwrap();
    assert_eq!(page_summary, summary["summary"]);

    // the session analysis printed at the end, and the folder analyses with the gap marked
    assert!(
        stdout.contains("session written to") && stdout.contains("1 gap(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("Missing data   1 gap(s)"), "{stdout}");
    let a = analyze_session(&session_dir, &AnalyzeOptions::default()).unwrap();
    let gait = a.gait.unwrap();
    assert_eq!(gait.gaps.len(), 1, "{:?}", gait.gaps);
    assert!(!gait.gaps[0].filled);
    assert!((gait.gaps[0].start_s - gap_start_s).abs() < 0.02);
    assert!(gait
        .bouts
        .iter()
        .all(|b| b.end_s <= gap_start_s + 1e-6 || b.start_s >= gap_end_s - 1e-6));
}

#[test]
fn without_bluez_live_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("unix:path={}", dir.path().join("no_such_socket").display());
    let session_dir = dir.path().join("s");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .args([
            "live",
            "--sensor",
            "lower-back=Polar Sense B5A5E62D",
            "--plain",
        ])
        .arg("--record")
        .arg(&session_dir)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &address)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("cannot reach BlueZ") && err.contains("systemctl start bluetooth"),
        "{err}"
    );
    assert!(!session_dir.exists(), "no folder without a sensor");
}
