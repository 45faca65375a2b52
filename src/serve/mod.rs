//! The patient page of `gaitkit live --serve`: one self-contained HTML page ([`PAGE`]) and a
//! stream of server-sent events at `/events`, so a screen or tablet beside the walkway shows
//! each step as it is emitted.
//!
//! Events (`event:` name, `data:` one JSON object):
//! - `targets` (at connect): the session title, the targets with display labels, the steps
//!   the rolling values cover and the metronome interval of a cadence target;
//! - `status` (at connect and on every change): each sensor present or missing, whether
//!   feedback is paused, the drop-outs so far and a sentence for the screen;
//! - `history` (at connect): the last [`HISTORY_STEPS`] (or more, the rolling window) steps as
//!   an array, so a page that joins late shows the current state;
//! - `step`: one [`LiveStep`], the same JSON as a `--events-out` line;
//! - `withdrawn`: a provisional step taken back ([`Withdrawal`]): the page removes it;
//! - `side`: the side of a step already shown changed ([`SideRevision`], the same JSON as the
//!   `side` of a `--events-out` line): the page updates the step's mark, the left/right bar
//!   and the rolling values;
//! - `summary` (at the end): the [`LiveSummary`] of the `--events-out` summary line.
//!
//! The server runs on a small tokio runtime beside the caller's replay or sensor loop; the
//! loop hands over steps with plain (non-async) calls that fan out to the connected pages
//! through a broadcast channel. An edge module like BLE: the analysis never imports it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use futures::Stream;
use serde::Serialize;
use tokio::sync::{broadcast, oneshot};

use crate::recording::Placement;
use crate::stream::events::{Dropout, LiveStep, LiveSummary, SideRevision, Withdrawal};
use crate::stream::pipeline::LivePipeline;
use crate::stream::targets::Target;

/// The page: inline CSS and JavaScript, no external resources.
pub const PAGE: &str = include_str!("live_page.html");

/// Address when `--serve` is given without one: loopback, a free port.
pub const DEFAULT_ADDR: &str = "127.0.0.1:0";

/// Steps a page that connects late receives at least.
pub const HISTORY_STEPS: usize = 30;

/// Events buffered per page; a page further behind skips the oldest ones.
const CHANNEL_CAPACITY: usize = 1024;

/// Time the pages get to receive the summary before the server stops.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Parses `--serve` addresses: `HOST:PORT` (`127.0.0.1:8080`, `[::1]:0`, `localhost:8080`)
/// or a bare `PORT` (loopback).
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    let mut found = s.to_socket_addrs().map_err(|e| {
        format!("\"{s}\": not an address ({e}); give HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free one)")
    })?;
    found
        .next()
        .ok_or_else(|| format!("\"{s}\": the name resolves to no address"))
}

/// Whether only this computer can reach `addr`.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// What the page shows before the first step.
#[derive(Debug, Clone)]
pub struct PageInfo {
    /// Heading of the page, e.g. the session name.
    pub title: String,
    pub targets: Vec<Target>,
    /// Steps the rolling values cover.
    pub rolling_steps: usize,
    /// Sensors the session expects.
    pub sensors: Vec<Placement>,
}

#[derive(Serialize)]
struct TargetsEvent<'a> {
    title: &'a str,
    targets: Vec<TargetView>,
    rolling_steps: usize,
    /// Beat interval of the metronome (cadence target), s.
    metronome_interval_s: Option<f64>,
}

#[derive(Serialize)]
struct TargetView {
    #[serde(flatten)]
    target: Target,
    label: String,
}

#[derive(Serialize)]
struct StatusEvent<'a> {
    sensors: Vec<SensorStatus>,
    feedback_paused: bool,
    /// Sentence for the screen, e.g. "lower-back sensor missing — feedback paused"; `None`
    /// when all is well.
    message: Option<String>,
    dropouts: &'a [Dropout],
}

#[derive(Serialize)]
struct SensorStatus {
    placement: &'static str,
    present: bool,
}

/// One message to the pages; `End` closes their streams.
#[derive(Clone)]
enum Message {
    Event { name: &'static str, data: Arc<str> },
    End,
}

/// What a page receives at connect.
struct Snapshot {
    targets: Arc<str>,
    status: Arc<str>,
    /// The last steps, each with its JSON.
    history: VecDeque<(LiveStep, Arc<str>)>,
    summary: Option<Arc<str>>,
    ended: bool,
}

struct Shared {
    state: Mutex<Snapshot>,
    tx: broadcast::Sender<Message>,
    history_len: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Snapshot> {
        // a panicking holder cannot leave the snapshot half-written: every update is one
        // assignment, so the data stays usable
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Updates the snapshot and sends to the pages under one lock, so a page connecting
    /// meanwhile gets each event exactly once (in its snapshot or from the channel).
    fn publish(
        &self,
        name: &'static str,
        data: String,
        update: impl FnOnce(&mut Snapshot, Arc<str>),
    ) {
        let data: Arc<str> = data.into();
        let mut st = self.lock();
        update(&mut st, data.clone());
        // no page connected is not an error
        let _ = self.tx.send(Message::Event { name, data });
    }

    fn end(&self) {
        let mut st = self.lock();
        st.ended = true;
        let _ = self.tx.send(Message::End);
    }
}

/// A running page server.
pub struct PageServer {
    runtime: tokio::runtime::Runtime,
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    sensors: Vec<Placement>,
    /// (drop-outs listed, drop-outs still open) at the last status sent.
    last_status: (usize, usize),
}

impl PageServer {
    /// Binds `addr` and serves the page and its events on a runtime of its own (one worker
    /// thread).
    pub fn start(addr: SocketAddr, info: PageInfo) -> std::io::Result<PageServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("gaitkit-serve")
            .enable_io()
            .enable_time()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let targets = serde_json::to_string(&TargetsEvent {
            title: &info.title,
            targets: info
                .targets
                .iter()
                .map(|&t| TargetView {
                    target: t,
                    label: t.label(),
                })
                .collect(),
            rolling_steps: info.rolling_steps,
            metronome_interval_s: info.targets.iter().find_map(|t| t.metronome_interval_s()),
        })
        .map_err(std::io::Error::other)?;
        let status = status_json(&info.sensors, &[]).map_err(std::io::Error::other)?;
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        let shared = Arc::new(Shared {
            state: Mutex::new(Snapshot {
                targets: targets.into(),
                status: status.into(),
                history: VecDeque::new(),
                summary: None,
                ended: false,
            }),
            tx,
            history_len: HISTORY_STEPS.max(info.rolling_steps),
        });
        let app = Router::new()
            .route("/", get(page))
            .route("/events", get(events))
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = runtime.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(PageServer {
            runtime,
            shared,
            addr,
            stop: Some(stop),
            task: Some(task),
            sensors: info.sensors,
            last_status: (0, 0),
        })
    }

    /// The address listened on (with the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL on this computer (loopback when listening on every interface).
    pub fn url(&self) -> String {
        let mut a = self.addr;
        if a.ip().is_unspecified() {
            a.set_ip(if a.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        format!("http://{a}/")
    }

    /// Sends a step to the pages.
    pub fn step(&self, step: &LiveStep) {
        let Ok(json) = serde_json::to_string(step) else {
            return;
        };
        let keep = self.shared.history_len;
        let step = *step;
        self.shared.publish("step", json, |st, data| {
            st.history.push_back((step, data));
            while st.history.len() > keep {
                st.history.pop_front();
            }
        });
    }

    /// Sends a withdrawal to the pages and takes the step out of the history.
    pub fn withdrawn(&self, w: &Withdrawal) {
        let Ok(json) = serde_json::to_string(w) else {
            return;
        };
        let t_s = w.t_s;
        self.shared.publish("withdrawn", json, |st, _| {
            st.history.retain(|(h, _)| h.t_s != t_s);
        });
    }

    /// Sends a side revision to the pages and updates the step in the history (and the
    /// newest step's rolling values, as the page does).
    pub fn revised(&self, r: &SideRevision) {
        let Ok(json) = serde_json::to_string(r) else {
            return;
        };
        let r = *r;
        self.shared.publish("side", json, |st, _| {
            let rewrite = |entry: &mut (LiveStep, Arc<str>)| {
                if let Ok(j) = serde_json::to_string(&entry.0) {
                    entry.1 = j.into();
                }
            };
            if let Some(e) = st.history.iter_mut().find(|(h, _)| h.t_s == r.t_s) {
                e.0.side = r.side;
                rewrite(e);
            }
            if let Some(e) = st.history.back_mut() {
                e.0.rolling = r.rolling;
                rewrite(e);
            }
        });
    }

    /// Sends a `status` event when the pipeline's sensors changed (one lost or back) since the
    /// last call; cheap when nothing changed, so it can run after every sample.
    pub fn watch(&mut self, pipeline: &LivePipeline) {
        let d = pipeline.dropouts();
        let now = (d.len(), d.iter().filter(|d| d.end_s.is_none()).count());
        if now == self.last_status {
            return;
        }
        self.last_status = now;
        if let Ok(json) = status_json(&self.sensors, d) {
            self.shared
                .publish("status", json, |st, data| st.status = data);
        }
    }

    /// Sends the summary; the pages keep it (and a page connecting later gets it) while the
    /// server runs.
    pub fn summary(&self, summary: &LiveSummary) {
        if let Ok(json) = serde_json::to_string(summary) {
            self.shared
                .publish("summary", json, |st, data| st.summary = Some(data));
        }
    }

    /// Waits for Ctrl-C (SIGINT) while the server keeps serving.
    pub fn wait_for_ctrl_c(&self) -> std::io::Result<()> {
        self.runtime.block_on(tokio::signal::ctrl_c())
    }

    /// Ends the pages' event streams, lets them receive what was sent (up to 2 s), and stops.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.end();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = self
                .runtime
                .block_on(async { tokio::time::timeout(CLOSE_GRACE, task).await });
        }
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// JSON of a `status` event: every expected sensor, missing when a drop-out is open.
fn status_json(sensors: &[Placement], dropouts: &[Dropout]) -> serde_json::Result<String> {
    let missing = |p: Placement| {
        dropouts
            .iter()
            .any(|d| d.end_s.is_none() && d.placement == p.as_str())
    };
    let list: Vec<SensorStatus> = sensors
        .iter()
        .map(|&p| SensorStatus {
            placement: p.as_str(),
            present: !missing(p),
        })
        .collect();
    let absent: Vec<&str> = list
        .iter()
        .filter(|s| !s.present)
        .map(|s| s.placement)
        .collect();
    let message = match absent.as_slice() {
        [] => None,
        [one] => Some(format!("{one} sensor missing — feedback paused")),
        many => Some(format!(
            "{} sensors missing — feedback paused",
            many.join(" and ")
        )),
    };
    serde_json::to_string(&StatusEvent {
        feedback_paused: !absent.is_empty(),
        sensors: list,
        message,
        dropouts,
    })
}

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
}

fn event(name: &'static str, data: &str) -> Result<Event, Infallible> {
    Ok(Event::default().event(name).data(data))
}

/// `/events`: the snapshot, then every event as it is published, until the server ends.
async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let (first, rx, ended) = {
        let st = shared.lock();
        let history = format!(
            "[{}]",
            st.history
                .iter()
                .map(|(_, s)| &**s)
                .collect::<Vec<&str>>()
                .join(",")
        );
        let mut first = vec![
            event("targets", &st.targets),
            event("status", &st.status),
            event("history", &history),
        ];
        if let Some(s) = &st.summary {
            first.push(event("summary", s));
        }
        (first, shared.tx.subscribe(), st.ended)
    };
    let live = futures::stream::unfold((rx, ended), |(mut rx, ended)| async move {
        if ended {
            return None;
        }
        loop {
            match rx.recv().await {
                Ok(Message::Event { name, data }) => {
                    return Some((event(name, &data), (rx, false)))
                }
                Ok(Message::End) | Err(broadcast::error::RecvError::Closed) => return None,
                // a page too far behind skips what it missed; the next step carries the
                // current rolling values
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
            }
        }
    });
    let stream = futures::StreamExt::chain(futures::stream::iter(first), live);
    sse(stream)
}

fn sse<S>(stream: S) -> impl IntoResponse
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    (
        [(header::CACHE_CONTROL, "no-store")],
        Sse::new(stream).keep_alive(KeepAlive::default()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{SensorEntry, Session};
    use crate::stream::pipeline::LiveOptions;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    /// Opens `/events` and reads until `until` has arrived (or the stream ends).
    fn page(addr: SocketAddr, until: &str) -> (TcpStream, String) {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut got = String::new();
        let mut buf = [0u8; 65536];
        while !got.contains(until) {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        (s, got)
    }

    #[test]
    fn pages_get_each_event_once_and_a_late_page_gets_the_state() {
        let session = Session::new(vec![SensorEntry {
            placement: Placement::LowerBack,
            file: "lower_back.csv".into(),
            axes: "URF".parse().unwrap(),
            device: None,
            sampling_rate_hz: None,
            source: None,
        }]);
        let mut pipeline = LivePipeline::new(&session, &LiveOptions::default());
        let mut server = PageServer::start(
            "127.0.0.1:0".parse().unwrap(),
            PageInfo {
                title: "Walk".into(),
                targets: vec![],
                rolling_steps: 10,
                sensors: vec![Placement::LowerBack],
            },
        )
        .unwrap();
        let (mut early, first) = page(server.local_addr(), "event: history");
        assert!(first.contains("\"metronome_interval_s\":null"), "{first}");
        server.watch(&pipeline);
        pipeline.sensor_lost(Placement::LowerBack, 14.0);
        server.watch(&pipeline);
        server.watch(&pipeline);
        let steps: Vec<LiveStep> = (0..35)
            .map(|k| LiveStep {
                t_s: 20.0 + 0.5 * k as f64,
                emitted_s: 20.2 + 0.5 * k as f64,
                side: None,
                step_time_s: (k > 0).then_some(0.5),
                stance_time_s: None,
                on_target: None,
                rolling: Default::default(),
                provisional: false,
            })
            .collect();
        for s in &steps {
            server.step(s);
        }
        server.summary(&LiveSummary::of(
            &steps,
            0,
            &[],
            pipeline.dropouts().to_vec(),
        ));
        // a page joining now: the drop-out, the last 30 steps and the summary
        let (_late, late) = page(server.local_addr(), "event: summary");
        let history = late
            .split("event: history\ndata: ")
            .nth(1)
            .and_then(|s| s.split('\n').next())
            .unwrap();
        let history: Vec<serde_json::Value> = serde_json::from_str(history).unwrap();
        assert_eq!(history.len(), HISTORY_STEPS);
        assert_eq!(history[0]["t_s"], 20.0 + 0.5 * 5.0);
        assert!(late.contains("lower-back sensor missing — feedback paused"));
        server.close();
        // the early page: one status at connect and one for the drop-out, every step once
        let mut rest = String::new();
        let _ = early.read_to_string(&mut rest);
        let all = first + &rest;
        assert_eq!(all.matches("event: status").count(), 2, "{all}");
        assert_eq!(all.matches("event: step").count(), 35);
        assert_eq!(all.matches("event: summary").count(), 1);
        assert!(all.contains("\"feedback_paused\":true"));
    }

    #[test]
    fn addresses_default_to_loopback_and_bad_ones_say_what_to_give() {
        assert_eq!(parse_addr("8080"), Ok("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(parse_addr("0.0.0.0:0"), Ok("0.0.0.0:0".parse().unwrap()));
        assert_eq!(parse_addr("[::1]:9"), Ok("[::1]:9".parse().unwrap()));
        assert!(parse_addr("localhost:8080").unwrap().ip().is_loopback());
        assert!(parse_addr("127.0.0.1:99999")
            .unwrap_err()
            .contains("give HOST:PORT"));
        assert!(is_loopback(&parse_addr(DEFAULT_ADDR).unwrap()));
        assert!(is_loopback(&"[::1]:0".parse().unwrap()));
        assert!(!is_loopback(&"0.0.0.0:0".parse().unwrap()));
        assert!(!is_loopback(&"192.168.1.20:8080".parse().unwrap()));
    }

    #[test]
    fn status_names_the_missing_sensor_and_pauses_feedback() {
        let sensors = [Placement::LowerBack];
        let ok: serde_json::Value =
            serde_json::from_str(&status_json(&sensors, &[]).unwrap()).unwrap();
        assert_eq!(ok["feedback_paused"], false);
        assert!(ok["message"].is_null());
        assert_eq!(ok["sensors"][0]["present"], true);
        let open = [Dropout {
            placement: "lower-back".into(),
            start_s: 14.0,
            end_s: None,
        }];
        let lost: serde_json::Value =
            serde_json::from_str(&status_json(&sensors, &open).unwrap()).unwrap();
        assert_eq!(lost["feedback_paused"], true);
        assert_eq!(
            lost["message"],
            "lower-back sensor missing — feedback paused"
        );
        assert_eq!(lost["sensors"][0]["present"], false);
        assert_eq!(lost["dropouts"][0]["start_s"], 14.0);
        let closed = [Dropout {
            end_s: Some(17.0),
            ..open[0].clone()
        }];
        let back: serde_json::Value =
            serde_json::from_str(&status_json(&sensors, &closed).unwrap()).unwrap();
        assert_eq!(back["feedback_paused"], false);
        assert_eq!(back["dropouts"][0]["end_s"], 17.0);
        let feet = [Placement::LeftFoot, Placement::RightFoot];
        let both = [
            Dropout {
                placement: "left-foot".into(),
                start_s: 1.0,
                end_s: None,
            },
            Dropout {
                placement: "right-foot".into(),
                start_s: 1.5,
                end_s: None,
            },
        ];
        let v: serde_json::Value =
            serde_json::from_str(&status_json(&feet, &both).unwrap()).unwrap();
        assert_eq!(
            v["message"],
            "left-foot and right-foot sensors missing — feedback paused"
        );
    }
}
