//! `gaitkit record`: streams from the sensors into a session folder, with a live status
//! line per sensor and, while walking, a live step count.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::gait::live_steps::LiveSteps;
use crate::recording::{Placement, Session, Task};
use crate::sensors::mounting;
use crate::sensors::recorder::{record, RecordError, RecordOptions, SensorStatus, StatusEvent};

/// Display events waiting for the terminal (the recorder drops them rather than wait).
const STATUS_QUEUE: usize = 4096;

use super::scan::parse_duration;

#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    /// Sensor as PLACEMENT=NAME|ADDRESS, e.g. `lower-back=Polar Sense B5A5E62D`. Placements:
    /// lower-back, left-shank, right-shank, left-foot, right-foot. Repeat for each sensor.
    #[arg(long = "sensor", required = true, value_parser = parse_sensor)]
    pub sensors: Vec<(Placement, String)>,
    /// Session folder to create (must not hold a session yet).
    #[arg(long)]
    pub out: PathBuf,
    /// Task: walk, stand, stand-eyes-closed, single-leg-left, single-leg-right, squat-left,
    /// squat-right, step-down-left, step-down-right (other names are stored as given).
    #[arg(long)]
    pub task: Option<Task>,
    #[command(flatten)]
    pub connection: SensorOptions,
}

/// Options of a recording from BLE sensors, shared by `record` and `live --sensor`.
#[derive(clap::Args, Debug, Clone)]
pub struct SensorOptions {
    /// Recording length, e.g. `30s`, `2m`; without it, record until Ctrl-C.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Participant identifier stored in session.json.
    #[arg(long)]
    pub participant: Option<String>,
    /// How long to look for the sensors before giving up.
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    pub scan_timeout: Duration,
    /// When a sensor's gyroscope does not start, keep recording its accelerometer alone
    /// (gyroscope columns 0, said in session.json) instead of stopping. gaitkit's analyses
    /// use the gyroscope (turns, left/right, trunk and leg rotation), so they lose those parts.
    #[arg(long)]
    pub allow_missing_gyro: bool,
}

/// A recording never goes into an existing session or any folder with files in it, so
/// nothing there can be overwritten; checked before any sensor is contacted.
pub(crate) fn refuse_existing_folder(out: &std::path::Path) -> anyhow::Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                let what = if out.join(crate::recording::session::SESSION_FILE).exists() {
                    "already holds a session (session.json)"
                } else {
                    "already exists and is not empty"
                };
                anyhow::bail!(
                    "--out {}: {what}; gaitkit record writes only into a new or empty folder, so nothing is overwritten: choose another folder",
                    out.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if out.is_file() => anyhow::bail!(
            "--out {}: is a file; give a folder name for the new session",
            out.display()
        ),
        Err(e) => anyhow::bail!("--out {}: {}", out.display(), crate::error::describe_io(&e)),
    }
}

pub(crate) fn parse_sensor(s: &str) -> Result<(Placement, String), String> {
    let (p, target) = s.split_once('=').ok_or_else(|| {
        format!("\"{s}\": expected PLACEMENT=NAME or PLACEMENT=ADDRESS, e.g. lower-back=WT901BLE67")
    })?;
    let target = target.trim();
    if target.is_empty() {
        return Err(format!(
            "\"{s}\": the sensor name or address after '=' is empty"
        ));
    }
    Ok((p.trim().parse()?, target.to_string()))
}

pub fn run(args: RecordArgs) -> anyhow::Result<()> {
    refuse_existing_folder(&args.out)?;
    check_sensors(&args.sensors)?;
    let walking = args.task.as_ref().is_none_or(|t| *t == Task::Walk);
    let has_lower_back = args.sensors.iter().any(|(p, _)| *p == Placement::LowerBack);
    let opts = record_options(
        &args.sensors,
        &args.out,
        args.task.clone(),
        &args.connection,
    );
    let (session, ()) = run_recorder(opts, move |mut rx| {
        let mut view = LiveView::new(walking, has_lower_back);
        while let Some(ev) = rx.blocking_recv() {
            view.show(ev);
        }
        view.finish();
    })
    .with_context(|| format!("recording into {}", args.out.display()))?;
    print_session(&args.out, &session);
    Ok(())
}

/// Refuses a placement given twice, then prints how each sensor is worn; before any sensor
/// is contacted.
pub(crate) fn check_sensors(sensors: &[(Placement, String)]) -> anyhow::Result<()> {
    for (i, (p, _)) in sensors.iter().enumerate() {
        if sensors[..i].iter().any(|(q, _)| q == p) {
            anyhow::bail!("placement {p} is given twice");
        }
    }
    for (p, target) in sensors {
        eprintln!("{p}: {target}, worn {}", mounting::instruction(*p));
    }
    Ok(())
}

pub(crate) fn record_options(
    sensors: &[(Placement, String)],
    out: &Path,
    task: Option<Task>,
    o: &SensorOptions,
) -> RecordOptions {
    RecordOptions {
        out_dir: out.to_path_buf(),
        sensors: sensors.to_vec(),
        duration: o.duration,
        task,
        participant_id: o.participant.clone(),
        scan_timeout: o.scan_timeout,
        allow_missing_gyro: o.allow_missing_gyro,
    }
}

/// Records until `--duration`, Ctrl-C or a problem that ends the recording; `consumer` gets
/// every progress event on a thread of its own (so slow work there never holds up the
/// links) and has finished when this returns. Errors carry what to do next.
pub(crate) fn run_recorder<R: Send + 'static>(
    opts: RecordOptions,
    consumer: impl FnOnce(tokio::sync::mpsc::Receiver<StatusEvent>) -> R + Send + 'static,
) -> anyhow::Result<(Session, R)> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let (tx, rx) = tokio::sync::mpsc::channel(STATUS_QUEUE);
    let display = std::thread::spawn(move || consumer(rx));
    let session = rt.block_on(async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        record(opts, tx, ctrl_c).await
    });
    // the sender is gone with `record`: the consumer sees the end of the events
    let result = match display.join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let session = session.map_err(|e| {
        let hint = match &e {
            RecordError::Stream { message, .. } if message.starts_with("gyroscope") => {
                "\n  (`--allow-missing-gyro` records the accelerometer alone; `gaitkit doctor --sensor …` shows what the sensor sends)"
            }
            RecordError::Stream { .. } | RecordError::NoSamples { .. } => {
                "\n  (`gaitkit doctor --sensor …` shows what the sensor sends and saves it with --save)"
            }
            _ => "",
        };
        anyhow::anyhow!("{e}{hint}")
    })?;
    Ok((session, result))
}

/// What was written: files, rates, gaps and the achieved sync.
pub(crate) fn print_session(out: &Path, session: &Session) {
    let total_gaps: f64 = session.gaps.iter().map(|g| g.end_s - g.start_s).sum();
    println!("session written to {}", out.display());
    for s in &session.sensors {
        println!(
            "  {:<12} {}  axes {}  {} Hz",
            s.placement.as_str(),
            s.file,
            s.axes,
            s.sampling_rate_hz.unwrap_or(0.0)
        );
    }
    if !session.gaps.is_empty() {
        println!(
            "  {} gap(s), {:.2} s without data in total (listed in session.json)",
            session.gaps.len(),
            total_gaps
        );
    }
    if let Some(sync) = &session.sync {
        match sync.max_offset_error_s {
            Some(e) => println!(
                "  sync: {} (estimated alignment within {:.1} ms)",
                sync.method,
                e * 1e3
            ),
            None => println!(
                "  sync: {} (too short to estimate the alignment)",
                sync.method
            ),
        }
    }
}

/// Live status lines (one per sensor) and the step count.
struct LiveView {
    bars: MultiProgress,
    lines: Vec<(Placement, ProgressBar)>,
    steps: Option<(LiveSteps, ProgressBar)>,
    axes: Vec<(Placement, nalgebra::Matrix3<f64>)>,
}

impl LiveView {
    /// The live step count needs a lower-back sensor (trunk vertical acceleration).
    fn new(walking: bool, has_lower_back: bool) -> Self {
        let bars = MultiProgress::new();
        let steps = walking.then(|| {
            let b = bars.add(ProgressBar::new_spinner());
            b.set_style(ProgressStyle::with_template("{msg}").expect("template"));
            b.set_message(if has_lower_back {
                "steps: waiting for lower-back data"
            } else {
                "steps: live count needs a lower-back sensor"
            });
            (LiveSteps::new(), b)
        });
        LiveView {
            bars,
            lines: Vec::new(),
            steps,
            axes: Vec::new(),
        }
    }

    fn line(&mut self, p: Placement) -> &ProgressBar {
        if let Some(i) = self.lines.iter().position(|(q, _)| *q == p) {
            return &self.lines[i].1;
        }
        let b = self
            .bars
            .insert(self.lines.len(), ProgressBar::new_spinner());
        b.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("template"));
        b.enable_steady_tick(Duration::from_millis(200));
        self.lines.push((p, b));
        &self.lines.last().expect("just pushed").1
    }

    fn show(&mut self, ev: StatusEvent) {
        match ev {
            StatusEvent::Connecting { placement, target } => self
                .line(placement)
                .set_message(format!("{:<12} looking for {target}", placement.as_str())),
            StatusEvent::Connected {
                placement,
                model,
                name,
                address,
                basis,
            } => {
                self.axes
                    .push((placement, mounting::axes(model, placement).sensor_to_body()));
                self.line(placement).set_message(format!(
                    "{:<12} connected to {model} {name} ({address})",
                    placement.as_str()
                ));
                let _ = self
                    .bars
                    .println(format!("{placement}: {model}, identified from {basis}"));
            }
            StatusEvent::Problem {
                placement,
                message,
                fatal,
            } => {
                let what = if fatal { "STOPPING" } else { "note" };
                let _ = self.bars.println(format!("{placement}: {what}: {message}"));
            }
            StatusEvent::Disconnected { placement, at_s } => {
                self.line(placement).set_message(format!(
                    "{:<12} DISCONNECTED at {at_s:.1} s, reconnecting",
                    placement.as_str()
                ))
            }
            StatusEvent::Reconnecting {
                placement,
                attempt,
                delay,
                reason,
            } => self.line(placement).set_message(format!(
                "{:<12} attempt {attempt} failed ({reason}); retrying in {:.1} s",
                placement.as_str(),
                delay.as_secs_f64()
            )),
            StatusEvent::Status(all) => {
                for s in all {
                    if let Some(p) = s.placement {
                        let msg = status_line(p, &s);
                        self.line(p).set_message(msg);
                    }
                }
            }
            StatusEvent::Samples {
                placement: Placement::LowerBack,
                samples,
            } => {
                let Some(r) = self
                    .axes
                    .iter()
                    .find(|(p, _)| *p == Placement::LowerBack)
                    .map(|x| x.1)
                else {
                    return;
                };
                if let Some((counter, bar)) = &mut self.steps {
                    for s in samples {
                        let a = s.acc_mps2;
                        counter.push(
                            s.time_s,
                            r[(0, 0)] * a[0] + r[(0, 1)] * a[1] + r[(0, 2)] * a[2],
                        );
                    }
                    bar.set_message(format!("steps: {}", counter.steps()));
                }
            }
            StatusEvent::Samples { .. } | StatusEvent::Started(_) => {}
        }
    }

    fn finish(self) {
        for (_, b) in &self.lines {
            b.finish();
        }
        if let Some((_, b)) = &self.steps {
            b.finish();
        }
    }
}

fn status_line(p: Placement, s: &SensorStatus) -> String {
    let p = p.as_str();
    let battery = s
        .battery_pct
        .map_or(String::new(), |b| format!("  battery {b}%"));
    let link = if s.connected { "" } else { "  DISCONNECTED" };
    if let (Some(problem), 0) = (&s.last_problem, s.samples) {
        // nothing recorded yet: the problem is likely why (e.g. a refused start command)
        return format!("{p:<12} no data: {problem}");
    }
    let mut problems = if s.malformed_packets + s.duplicate_packets > 0 {
        format!(
            "  skipped {} malformed / {} duplicate",
            s.malformed_packets, s.duplicate_packets
        )
    } else {
        String::new()
    };
    for (kind, n) in &s.unsupported {
        problems.push_str(&format!("  {n} unsupported {kind}"));
    }
    if s.accelerometer_only {
        problems.push_str("  accelerometer only");
    }
    format!(
        "{p:<12} {:>6.1} s  {:>5.0} samples/s  lost {}{problems}{battery}{link}",
        s.seconds_recorded, s.samples_per_s, s.samples_lost
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensor_arguments() {
        assert_eq!(
            parse_sensor("lower-back=Polar Sense 1"),
            Ok((Placement::LowerBack, "Polar Sense 1".into()))
        );
        assert_eq!(
            parse_sensor("left-shank=AA:BB:CC:DD:EE:FF"),
            Ok((Placement::LeftShank, "AA:BB:CC:DD:EE:FF".into()))
        );
        assert!(parse_sensor("lower-back")
            .unwrap_err()
            .contains("expected PLACEMENT=NAME"));
        assert!(parse_sensor("neck=x")
            .unwrap_err()
            .contains("unknown placement \"neck\""));
        assert!(parse_sensor("lower-back= ").unwrap_err().contains("empty"));
    }

    #[test]
    fn status_line_shows_rate_losses_and_battery() {
        let s = SensorStatus {
            samples_per_s: 104.0,
            samples_lost: 3,
            battery_pct: Some(80),
            seconds_recorded: 12.34,
            connected: true,
            ..Default::default()
        };
        assert_eq!(
            status_line(Placement::LeftShank, &s),
            "left-shank     12.3 s    104 samples/s  lost 3  battery 80%"
        );
        let unsupported = SensorStatus {
            last_problem: Some("unsupported ACC frame type 0x82".into()),
            unsupported: vec![("ACC frame type 0x82".into(), 12)],
            ..Default::default()
        };
        assert_eq!(
            status_line(Placement::LowerBack, &unsupported),
            "lower-back   no data: unsupported ACC frame type 0x82"
        );
        let acc_only = SensorStatus {
            samples: 10,
            accelerometer_only: true,
            unsupported: vec![("GYRO frame type 0x82".into(), 3)],
            connected: true,
            ..Default::default()
        };
        assert!(status_line(Placement::LeftShank, &acc_only)
            .ends_with("lost 0  3 unsupported GYRO frame type 0x82  accelerometer only"));
    }
}
