//! `gaitkit live --replay … --serve`: the patient page and its server-sent events, from the
//! binary as a therapist runs it. A plain HTTP client receives every step as the same JSON as
//! the `--events-out` log; headless Chromium renders the steps and numbers while the replay
//! runs, with no console messages (screenshot kept under the cargo target tmp dir); after
//! "Sound on" it plays one low tone per off-target step and metronome beats at the target
//! cadence (Web Audio replaced by a recording stand-in); an address open to the network prints
//! a warning.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use gaitkit::signal::stats::{trimmed_mean, TRIM};
use serde_json::Value;
use support::browser::{chromium, count_near, load_dom, screenshot, DevTools, SKIP};
use support::sse::{http_get, parse_sse};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A running `gaitkit live` with its page's URL; stdout and stderr are collected on threads so
/// the pipes never fill.
struct Live {
    child: Child,
    url: String,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
}

fn spawn_live(args: &[&str]) -> Live {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gaitkit"))
        .arg("live")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let out: ChildStdout = child.stdout.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(out).lines() {
            let line = line.unwrap();
            if let Some(url) = line.strip_prefix("Patient page: ") {
                let _ = tx.send(url.to_string());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let mut err: ChildStderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let url = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("gaitkit prints the page's URL");
    Live {
        child,
        url,
        stdout,
        stderr,
    }
}

impl Live {
    /// Waits for the end; (stdout, stderr), asserting success.
    fn finish(mut self) -> (String, String) {
        let status = self.child.wait().unwrap();
        let (out, err) = (self.stdout.join().unwrap(), self.stderr.join().unwrap());
        assert!(status.success(), "{out}\n{err}");
        assert!(!err.contains("panicked"), "{err}");
        (out, err)
    }

    fn host_port(&self) -> &str {
        self.url
            .strip_prefix("http://")
            .unwrap()
            .trim_end_matches('/')
    }
}

fn read_events_out(path: &Path) -> (Vec<String>, Value) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let summary: Value = serde_json::from_str(&lines.pop().unwrap()).unwrap();
    (lines, summary["summary"].clone())
}

/// The steps of an `--events-out` log as the displays end up with them: each `side` line sets
/// its step's side and the rolling values of the newest step before it; `withdrawn` lines
/// take their step out. Returns the steps and the side revisions.
fn final_steps(lines: &[String]) -> (Vec<Value>, Vec<Value>) {
    let mut steps: Vec<Value> = Vec::new();
    let mut revisions = Vec::new();
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap();
        if let Some(r) = v.get("side").filter(|r| r.is_object()) {
            let k = steps
                .iter()
                .position(|s| s["t_s"] == r["t_s"])
                .expect("a revision follows its step");
            steps[k]["side"] = r["side"].clone();
            if let Some(last) = steps.last_mut() {
                last["rolling"] = r["rolling"].clone();
            }
            revisions.push(r.clone());
        } else if let Some(w) = v.get("withdrawn") {
            steps.retain(|s| s["t_s"] != w["t_s"]);
        } else {
            steps.push(v);
        }
    }
    (steps, revisions)
}

#[test]
fn every_step_reaches_a_plain_client_as_the_events_out_json() {
    let dir = tempfile::tempdir().unwrap();
    for (k, (name, targets, rolling)) in [
        ("mobilised_HA001_Test5_Trial1", vec!["cadence=100"], "10"),
        ("mobilised_HA001_Test5_Trial2", vec!["step-si=0±5%"], "6"),
        (
            "mobilised_MS001_Test5_Trial2",
            vec!["cadence=110±3", "evenness=95%"],
            "8",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let events_out = dir.path().join(format!("steps{k}.jsonl"));
        let session = fixture(name);
        let mut args = vec![
            "--replay",
            session.as_str(),
            "--speed",
            "50",
            "--serve",
            "127.0.0.1:0",
            "--plain",
            "--steps",
            rolling,
            "--events-out",
            events_out.to_str().unwrap(),
        ];
        for t in &targets {
            args.extend(["--target", t]);
        }
        let live = spawn_live(&args);
        assert!(live.url.starts_with("http://127.0.0.1:"), "{}", live.url);
        // a page that goes away mid-replay harms no one
        let mut quitter = TcpStream::connect(live.host_port()).unwrap();
        write!(
            quitter,
            "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut first = [0u8; 64];
        let _ = quitter.read(&mut first).unwrap();
        drop(quitter);
        let (status, body) = http_get(live.host_port(), "/events");
        let (_, err) = live.finish();
        assert!(status.contains("200"), "{status}");
        assert!(!err.contains("warning"), "{err}");

        let events = parse_sse(&body);
        let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(&names[..3], ["targets", "status", "history"], "{name}");
        assert_eq!(names.last(), Some(&"summary"), "{name}");
        let hello: Value = serde_json::from_str(&events[0].1).unwrap();
        let labels: Vec<&str> = hello["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["label"].as_str().unwrap())
            .collect();
        let expected_labels: Vec<String> = targets
            .iter()
            .map(|t| gaitkit::stream::targets::parse_target(t).unwrap().label())
            .collect();
        assert_eq!(labels, expected_labels, "{name}");
        assert_eq!(hello["rolling_steps"].to_string(), rolling);
        let metronome = match targets[0] {
            "cadence=100" => Some(0.6),
            "cadence=110±3" => Some(60.0 / 110.0),
            _ => None,
        };
        assert_eq!(hello["metronome_interval_s"].as_f64(), metronome, "{name}");
        let status: Value = serde_json::from_str(&events[1].1).unwrap();
        assert_eq!(status["feedback_paused"], false);
        assert_eq!(status["sensors"][0]["placement"], "lower-back");
        assert_eq!(status["sensors"][0]["present"], true);

        // the history at connect and the live steps together are the log, in order and once
        let (lines, summary) = read_events_out(&events_out);
        assert!(lines.len() >= 9, "{name}: {} lines", lines.len());
        let mut received: Vec<Value> = serde_json::from_str::<Vec<Value>>(&events[2].1).unwrap();
        let live_steps: Vec<&str> = events
            .iter()
            .filter(|(n, _)| n == "step")
            .map(|(_, d)| d.as_str())
            .collect();
        // a live step is byte for byte the log's line
        for d in &live_steps {
            assert!(lines.iter().any(|l| l == d), "{name}: {d}");
        }
        received.extend(live_steps.iter().map(|d| serde_json::from_str(d).unwrap()));
        // provisional steps taken back: the same in the log and on the stream, and gone
        let (withdrawn, logged): (Vec<Value>, Vec<Value>) = lines
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v.get("t_s").is_some() || v.get("withdrawn").is_some())
            .partition(|v| v.get("withdrawn").is_some());
        // side revisions: the same on the stream as in the log, in order
        let logged_sides: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter_map(|v| v.get("side").filter(|r| r.is_object()).cloned())
            .collect();
        let sent_sides: Vec<Value> = events
            .iter()
            .filter(|(n, _)| n == "side")
            .map(|(_, d)| serde_json::from_str(d).unwrap())
            .collect();
        assert_eq!(sent_sides, logged_sides, "{name}");
        let sent_withdrawn: Vec<Value> = events
            .iter()
            .filter(|(n, _)| n == "withdrawn")
            .map(|(_, d)| serde_json::from_str(d).unwrap())
            .collect();
        let withdrawn: Vec<Value> = withdrawn.iter().map(|w| w["withdrawn"].clone()).collect();
        assert_eq!(sent_withdrawn, withdrawn, "{name}");
        assert_eq!(summary["withdrawn"], withdrawn.len(), "{name}");
        let stands = |s: &Value| !withdrawn.iter().any(|w| w["t_s"] == s["t_s"]);
        let received: Vec<Value> = received.into_iter().filter(stands).collect();
        let logged: Vec<Value> = logged.into_iter().filter(stands).collect();
        assert_eq!(received, logged, "{name}");
        assert_eq!(summary["steps"], logged.len(), "{name}");
        let (finals, _) = final_steps(&lines);
        let sided = finals.iter().filter(|s| !s["side"].is_null()).count();
        assert_eq!(summary["steps_with_side"], sided, "{name}");
        let sent_summary: Value = serde_json::from_str(&events.last().unwrap().1).unwrap();
        assert_eq!(sent_summary, summary, "{name}");
    }
}

/// Per-side 20 % trimmed mean step times over the rolling window of the last step, as the page
/// shows them.
fn side_means(steps: &[Value]) -> Option<(f64, f64)> {
    let last = steps.last()?;
    let n = last["rolling"]["steps"].as_u64()? as usize;
    let window = &steps[steps.len() - n..];
    let of = |side: &str| -> Vec<f64> {
        window
            .iter()
            .filter(|s| s["side"] == side)
            .filter_map(|s| s["step_time_s"].as_f64())
            .collect()
    };
    let (l, r) = (of("left"), of("right"));
    if l.len() < 3 || r.len() < 3 {
        return None;
    }
    Some((trimmed_mean(&l, TRIM)?.value, trimmed_mean(&r, TRIM)?.value))
}

fn text_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} missing"));
    let open = start + dom[start..].find('>').unwrap() + 1;
    let close = open + dom[open..].find('<').unwrap();
    &dom[open..close]
}

#[test]
fn the_page_renders_the_steps_and_numbers_while_the_replay_runs() {
    let Some(bin) = chromium() else {
        eprintln!("SKIPPED live_serve page: {SKIP}");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let events_out = dir.path().join("steps.jsonl");
    let session = fixture("mobilised_HA001_Test5_Trial1");
    // 12.5 s of recording in about 6 s: the browsers connect while it runs
    let live = spawn_live(&[
        "--replay",
        &session,
        "--speed",
        "2",
        "--serve",
        "--plain",
        "--target",
        "cadence=100",
        "--events-out",
        events_out.to_str().unwrap(),
        "--serve-linger",
    ]);
    let (_, page) = http_get(live.host_port(), "/");
    let page = String::from_utf8(page).unwrap();
    // self-contained: the only URL is the SVG namespace, nothing loaded from elsewhere
    let mut rest = page.as_str();
    while let Some(i) = rest.find("http") {
        assert!(
            rest[i..].starts_with("http://www.w3.org/2000/svg"),
            "external reference: {}",
            &rest[i..(i + 60).min(rest.len())]
        );
        rest = &rest[i + 4..];
    }
    assert!(!page.contains(" src=") && !page.contains("@import"));
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("live_page.png");
    // virtual time waits while the event stream is open: the DOM is dumped once the page has
    // the summary (it then closes the stream) and a second more has passed
    let budget = vec!["--virtual-time-budget=1000".to_string()];
    let dom = load_dom(&bin, &dir.path().join("profile-dom"), &live.url, &budget);
    // the screenshot once the replay has ended, the server lingering: history and summary
    let (w, h, rgb) = screenshot(
        &bin,
        &dir.path().join("profile-shot"),
        &live.url,
        (1280, 800),
        &shot,
        &budget,
    );
    // a late joiner still gets the state: the last steps and the summary
    let (_, late) = {
        let host_port = live.host_port().to_string();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(&host_port).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            write!(s, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 65536];
            while !String::from_utf8_lossy(&got).contains("event: summary") {
                let n = s.read(&mut buf).unwrap();
                assert!(n > 0, "stream closed before the summary");
                got.extend_from_slice(&buf[..n]);
            }
            ((), got)
        })
        .join()
        .unwrap()
    };
    // Ctrl-C ends the lingering server cleanly
    // SAFETY: signalling our own child process by its id.
    unsafe {
        libc::kill(live.child.id() as i32, libc::SIGINT);
    }
    let (out, _) = live.finish();
    assert!(
        out.contains("Serving the patient page until Ctrl-C"),
        "{out}"
    );

    let (lines, summary) = read_events_out(&events_out);
    // the steps with the sides decided after they were fed back: the walk's first steps get
    // their side a second or two later
    let (steps, revisions) = final_steps(&lines);
    assert_eq!(steps.len(), 11);
    assert!(revisions.len() >= 3, "{} side revisions", revisions.len());
    assert!(revisions
        .iter()
        .all(|r| r["side"].is_string() || r["previous"].is_string()));
    let revised: usize = dom
        .split("data-side-revisions=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert!(revised >= 1, "the page received side revisions");
    // the page was open during the replay: it received steps as they were emitted
    let live_steps: usize = dom
        .split("data-live-steps=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("the page received live steps");
    assert!((1..=11).contains(&live_steps), "{live_steps}");

    let last = &steps.last().unwrap()["rolling"];
    let shown = |id: &str, key: &str, decimals: usize| {
        let want = match last[key].as_f64() {
            Some(v) => format!("{v:.decimals$}"),
            None => "—".to_string(),
        };
        assert_eq!(text_of(&dom, id), want, "#{id}");
    };
    shown("cadence", "cadence_spm", 0);
    shown("evenness", "evenness_pct", 0);
    shown("step-si", "step_time_si_pct", 1);
    assert!(last["cadence_spm"].is_f64() && last["evenness_pct"].is_f64());
    // every step in the chart, with its final side (unknown shown as such), in order, and its
    // target mark
    assert_eq!(dom.matches("class=\"step\"").count(), 11);
    let marks: Vec<&str> = dom
        .split("class=\"step\" data-side=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    let final_sides: Vec<&str> = steps
        .iter()
        .map(|s| s["side"].as_str().unwrap_or("unknown"))
        .collect();
    assert_eq!(marks, final_sides);
    for (side, key) in [("left", "left"), ("right", "right"), ("unknown", "")] {
        let want = steps
            .iter()
            .filter(|s| s["side"].as_str().unwrap_or("") == key)
            .count();
        assert_eq!(
            dom.matches(&format!("data-side=\"{side}\"")).count(),
            want,
            "{side}"
        );
    }
    for (mark, value) in [
        ("on", Value::Bool(true)),
        ("off", Value::Bool(false)),
        ("none", Value::Null),
    ] {
        let want = steps.iter().filter(|s| s["on_target"] == value).count();
        assert_eq!(
            dom.matches(&format!("data-target=\"{mark}\"")).count(),
            want,
            "{mark}"
        );
    }
    let (l, r) = side_means(&steps).expect("both sides known in the last window");
    let share = 100.0 * l / (l + r);
    assert_eq!(
        text_of(&dom, "left-value"),
        format!("Left {l:.2} s · {share:.0} %")
    );
    assert_eq!(
        text_of(&dom, "right-value"),
        format!("Right {r:.2} s · {:.0} %", 100.0 - share)
    );
    let pct = summary["on_target_pct"].as_f64().unwrap();
    let judged = steps.iter().filter(|s| s["on_target"].is_boolean()).count();
    assert_eq!(
        text_of(&dom, "on-target"),
        format!("{pct:.0} % of {judged} steps")
    );
    assert_eq!(
        text_of(&dom, "summary"),
        format!("Walk finished: 11 steps, {pct:.0} % on target.")
    );
    assert!(text_of(&dom, "targets").contains("cadence 100±5/min · metronome 100 beats/min"));
    assert!(dom.contains(">Sound on</button>"));

    // the late joiner's history is the log's steps
    let late = parse_sse(&late);
    let history: Vec<Value> = serde_json::from_str(
        &late
            .iter()
            .find(|(n, _)| n == "history")
            .expect("history")
            .1,
    )
    .unwrap();
    assert_eq!(history, steps);

    // on screen: both side colours (bar, L/R marks), on- and off-target bars
    assert_eq!((w, h), (1280, 800));
    let left = count_near(&rgb, (0x56, 0xb4, 0xe9));
    let right = count_near(&rgb, (0xe6, 0x9f, 0x00));
    let on = count_near(&rgb, (0x3f, 0xb9, 0x50));
    let off = count_near(&rgb, (0xff, 0x7b, 0x72));
    assert!(
        left > 5_000 && right > 5_000 && on > 2_000 && off > 2_000,
        "on screen: left {left}, right {right}, on target {on}, off target {off} pixels"
    );
    eprintln!("screenshot: {}", shot.display());
}

/// Stands in for Web Audio before the page's script runs: the page's oscillators are recorded
/// (pseudo-frequency and start on the context's clock, which follows the page's clock in s)
/// in `window.__tones` instead of being played.
const AUDIO_RECORDER: &str = r#"
(() => {
  const tones = [];
  window.__tones = tones;
  const param = (v) => ({ value: v, setValueAtTime() {}, linearRampToValueAtTime() {},
                          exponentialRampToValueAtTime() {} });
  class RecordingAudioContext {
    constructor() { this.destination = {}; this.state = "suspended"; }
    get currentTime() { return performance.now() / 1000; }
    resume() { this.state = "running"; return Promise.resolve(); }
    createGain() { return { gain: param(1), connect: (n) => n }; }
    createOscillator() {
      const o = { type: "sine", frequency: param(440), connect: (n) => n,
                  start(when) { tones.push({ freq: o.frequency.value, when }); }, stop() {} };
      return o;
    }
  }
  window.AudioContext = RecordingAudioContext;
  window.webkitAudioContext = RecordingAudioContext;
})();
"#;

#[test]
fn sound_gives_a_tone_per_off_target_step_and_beats_at_the_target_cadence() {
    let Some(bin) = chromium() else {
        eprintln!("SKIPPED live_serve sound: {SKIP}");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let events_out = dir.path().join("steps.jsonl");
    // the browser is up and holds the recorder before the replay starts
    let mut page = DevTools::start(&bin, &dir.path().join("profile-sound"));
    page.inject(AUDIO_RECORDER);
    let session = fixture("mobilised_HA001_Test5_Trial1");
    // 12.5 s of recording in about 8 s; cadence 100±5 against a walk at about 110 steps/min
    let live = spawn_live(&[
        "--replay",
        &session,
        "--speed",
        "1.5",
        "--serve",
        "--plain",
        "--target",
        "cadence=100",
        "--events-out",
        events_out.to_str().unwrap(),
    ]);
    page.navigate(&live.url);
    page.wait_for(
        "document.readyState === 'complete' && document.getElementById('conn').textContent === 'live'",
        Duration::from_secs(10),
    );
    let before = page.eval(
        "document.getElementById('sound').click(); Number(document.body.dataset.liveSteps || 0)",
    );
    assert_eq!(
        page.eval("document.getElementById('sound').getAttribute('aria-pressed')"),
        "true"
    );
    page.wait_for(
        "!document.getElementById('summary').hidden",
        Duration::from_secs(30),
    );
    let received = page.eval("Number(document.body.dataset.liveSteps || 0)");
    let tones: Vec<(f64, f64)> = page
        .eval("window.__tones")
        .as_array()
        .expect("the page made sounds")
        .iter()
        .map(|t| (t["freq"].as_f64().unwrap(), t["when"].as_f64().unwrap()))
        .collect();
    drop(page);
    live.finish();

    let (lines, _) = read_events_out(&events_out);
    // the step lines, as emitted (side revisions are lines of their own)
    let steps: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("t_s").is_some())
        .collect();
    // the steps the page received live after the tap: the last ones of the log
    let (before, received) = (
        before.as_u64().unwrap() as usize,
        received.as_u64().unwrap() as usize,
    );
    assert!(received <= steps.len() && before <= received);
    let heard = &steps[steps.len() - (received - before)..];
    let off = heard.iter().filter(|s| s["on_target"] == false).count();
    assert!(
        heard.len() >= 8 && off >= 3,
        "{} steps after the tap, {off} off target",
        heard.len()
    );
    let low: Vec<f64> = tones.iter().filter(|t| t.0 == 330.0).map(|t| t.1).collect();
    assert_eq!(
        low.len(),
        off,
        "one low tone per off-target step: {tones:?}"
    );
    // metronome: 100 beats/min is one beat every 0.6 s
    let beats: Vec<f64> = tones
        .iter()
        .filter(|t| t.0 == 1320.0)
        .map(|t| t.1)
        .collect();
    assert!(beats.len() >= 8, "{} beats: {tones:?}", beats.len());
    assert_eq!(
        low.len() + beats.len(),
        tones.len(),
        "other sounds: {tones:?}"
    );
    for w in beats.windows(2) {
        let interval = w[1] - w[0];
        assert!(
            (interval - 0.6).abs() <= 0.05 * 0.6,
            "beat interval {interval:.3} s, want 0.6 s: {beats:?}"
        );
    }
}

#[test]
fn an_address_open_to_the_network_is_warned_about() {
    let live = spawn_live(&[
        "--replay",
        &fixture("mobilised_HA001_Test5_Trial2"),
        "--speed",
        "1000",
        "--serve",
        "0.0.0.0:0",
        "--plain",
    ]);
    let port = live
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    assert!(live.url.starts_with("http://127.0.0.1:"), "{}", live.url);
    let (_, err) = live.finish();
    assert!(
        err.contains(&format!("warning: --serve 0.0.0.0:{port}:"))
            && err.contains("anyone on that network can see it"),
        "{err}"
    );
    // bad addresses and a linger without a page are refused
    for (args, expected) in [
        (vec!["--serve", "nowhere:http"], "give HOST:PORT"),
        (vec!["--serve-linger"], "--serve"),
    ] {
        let session = fixture("mobilised_HA001_Test5_Trial2");
        let mut all = vec!["live", "--replay", session.as_str()];
        all.extend(args.iter());
        let out = support::run_gaitkit(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expected),
            "{args:?}: {err}"
        );
    }
}
