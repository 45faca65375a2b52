//! `gaitkit live`: step-by-step feedback while walking, from live BLE sensors (`--sensor`,
//! through the recorder of `gaitkit record`, saved with `--record`) or a replayed session at
//! real-time pace (× `--speed`), with rolling symmetry and cadence, targets, a terminal
//! dashboard, a JSON Lines log of every step and a web page for the patient (`--serve`,
//! [`crate::serve`]).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use super::record::SensorOptions;
use crate::error::describe_io;
use crate::gait::Side;
use crate::recording::Placement;
use crate::sensors::recorder::StatusEvent;
use crate::serve::PageServer;
use crate::stream::events::{LiveStep, LiveSummary, SideRevision, Withdrawal};
use crate::stream::pipeline::{LiveOptions, LivePipeline};
use crate::stream::replay::Replay;
use crate::stream::sensors::{FeedEvent, SensorFeed};
use crate::stream::targets::{parse_target, Target};

/// Fastest replay, × real time.
pub const MAX_SPEED: f64 = 1000.0;

#[derive(Args, Debug)]
pub struct LiveArgs {
    /// Session folder to stream at real-time pace, through the same code as live sensors.
    #[arg(long, value_name = "SESSION_DIR", conflicts_with = "sensors")]
    pub replay: Option<PathBuf>,
    /// Live sensor as PLACEMENT=NAME|ADDRESS, as for `gaitkit record`, e.g.
    /// `lower-back=Polar Sense B5A5E62D`. Repeat for each sensor.
    #[arg(long = "sensor", value_parser = super::record::parse_sensor, value_name = "PLACEMENT=NAME|ADDRESS")]
    pub sensors: Vec<(Placement, String)>,
    /// With --sensor: also save the session into this new folder (as `gaitkit record --out`),
    /// and print its analysis at the end.
    #[arg(long, value_name = "SESSION_DIR")]
    pub record: Option<PathBuf>,
    #[command(flatten)]
    pub connection: SensorOptions,
    /// Replay speed, × real time (0.1–1000).
    #[arg(long, default_value_t = 1.0, conflicts_with = "sensors")]
    pub speed: f64,
    /// Write one JSON object per step to this file (JSON Lines), then a summary line.
    #[arg(long, value_name = "FILE.jsonl")]
    pub events_out: Option<PathBuf>,
    /// Target, repeatable: evenness=95%, cadence=110 (±5/min; or cadence=110±3), stance-si=0±5%,
    /// step-si=0±5%.
    #[arg(long = "target", value_parser = parse_target, value_name = "METRIC=VALUE")]
    pub targets: Vec<Target>,
    /// Steps the rolling values cover.
    #[arg(long, default_value_t = crate::stream::rolling::DEFAULT_STEPS, value_parser = clap::value_parser!(usize))]
    pub steps: usize,
    /// One line per step instead of the full-screen dashboard (the default when the output is
    /// not a terminal).
    #[arg(long)]
    pub plain: bool,
    /// Serve a page for the patient's screen at ADDR (default 127.0.0.1 on a free port; the URL
    /// is printed). An address other than loopback lets anyone on that network see the page.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = crate::serve::DEFAULT_ADDR, value_parser = crate::serve::parse_addr)]
    pub serve: Option<std::net::SocketAddr>,
    /// After the replay or the recording, keep serving the page (with the summary) until Ctrl-C.
    #[arg(long, requires = "serve")]
    pub serve_linger: bool,
}

pub fn run(args: LiveArgs) -> anyhow::Result<()> {
    if !(args.speed.is_finite() && (0.1..=MAX_SPEED).contains(&args.speed)) {
        anyhow::bail!(
            "--speed {}: give a factor from 0.1 to {MAX_SPEED} (1 = real time)",
            args.speed
        );
    }
    if !(2..=200).contains(&args.steps) {
        anyhow::bail!("--steps {}: give 2 to 200 steps", args.steps);
    }
    let opts = LiveOptions {
        rolling_steps: args.steps,
        targets: args.targets.clone(),
        ..LiveOptions::default()
    };
    match &args.replay {
        Some(_) if args.record.is_some() => anyhow::bail!(
            "--record saves what live sensors send: give it with --sensor (a replayed session is saved already)"
        ),
        Some(_)
            if args.connection.duration.is_some()
                || args.connection.participant.is_some()
                || args.connection.allow_missing_gyro =>
        {
            anyhow::bail!(
                "--duration, --participant and --allow-missing-gyro go with --sensor, not with --replay"
            )
        }
        Some(dir) => run_replay(&args, dir, &opts),
        None if !args.sensors.is_empty() => run_sensors(&args, opts),
        None => anyhow::bail!(
            "give --replay SESSION_DIR (a recorded session) or --sensor PLACEMENT=NAME|ADDRESS (live sensors, repeatable)"
        ),
    }
}

fn run_replay(args: &LiveArgs, dir: &Path, opts: &LiveOptions) -> anyhow::Result<()> {
    super::guard::existing_folder(dir, "a session folder")?;
    let mut inputs = super::guard::Inputs::default();
    inputs.folder(dir);
    if let Some(out) = &args.events_out {
        inputs.check_output_file("--events-out", out)?;
    }
    let replay = Replay::open(dir)?;
    let mut pipeline = LivePipeline::new(&replay.session, opts);
    let title = format!("gaitkit live — replay of {} ×{}", dir.display(), args.speed);
    let name = dir.file_name().unwrap_or(dir.as_os_str()).to_string_lossy();
    let sensors = replay.session.sensors.iter().map(|s| s.placement).collect();
    let mut feedback = Feedback::new(args, title, format!("Replay of {name}"), sensors)?;
    let start_s = replay.start_s();
    let wall = Instant::now();
    for (placement, sample) in replay {
        // real-time pace: sample time t is played at (t − start) / speed of wall time
        let due = Duration::from_secs_f64(((sample.time_s - start_s) / args.speed).max(0.0));
        if let Some(wait) = due.checked_sub(wall.elapsed()) {
            if wait > Duration::from_millis(2) {
                std::thread::sleep(wait);
            }
        }
        let steps = pipeline.push(placement, &sample);
        for w in pipeline.take_withdrawals().to_vec() {
            feedback.withdrawn(&pipeline, &w)?;
        }
        for r in pipeline.take_revisions().to_vec() {
            feedback.revised(&pipeline, &r)?;
        }
        for step in steps {
            feedback.step(&pipeline, &step)?;
        }
        feedback.watch(&pipeline);
    }
    let page = feedback.finish(&pipeline)?;
    finish_page(args, page)
}

/// Keeps the patient page up after the end with `--serve-linger`, then stops it.
fn finish_page(args: &LiveArgs, page: Option<(PageServer, LiveSummary)>) -> anyhow::Result<()> {
    match page {
        Some((page, summary)) => super::live_page::finish(
            page,
            &summary,
            args.serve_linger,
            &mut std::io::stdout().lock(),
        ),
        None => Ok(()),
    }
}

/// Live sensors through the recorder of `gaitkit record`: into `--record`'s folder, or into
/// a temporary one removed at the end.
fn run_sensors(args: &LiveArgs, opts: LiveOptions) -> anyhow::Result<()> {
    if let Some(out) = &args.record {
        super::record::refuse_existing_folder(out)?;
        if let Some(events) = &args.events_out {
            if std::path::absolute(events)?.starts_with(std::path::absolute(out)?) {
                anyhow::bail!(
                    "--events-out {}: lies inside the --record folder {}, which holds only the session; choose a path outside it",
                    events.display(),
                    out.display()
                );
            }
        }
    }
    super::record::check_sensors(&args.sensors)?;
    // without --record the samples go to a folder that is removed when this returns
    let (dir, _scratch) = match &args.record {
        Some(out) => (out.clone(), None),
        None => {
            let t = tempfile::tempdir().context("creating a temporary folder for the samples")?;
            (t.path().join("live"), Some(t))
        }
    };
    let rec = super::record::record_options(
        &args.sensors,
        &dir,
        Some(crate::recording::Task::Walk),
        &args.connection,
    );
    let names: Vec<String> = args
        .sensors
        .iter()
        .map(|(p, t)| format!("{p} {t}"))
        .collect();
    let title = format!("gaitkit live — {}", names.join(", "));
    // the events file and the page are created before any sensor is contacted
    let placements = args.sensors.iter().map(|(p, _)| *p).collect();
    let page_title = format!("Live: {}", names.join(", "));
    let mut feedback = Feedback::new(args, title, page_title, placements)?;
    let recorded = super::record::run_recorder(rec, move |mut rx| {
        let mut feed = SensorFeed::new(opts);
        while let Some(ev) = rx.blocking_recv() {
            feedback.status(&ev);
            for f in feed.on_event(&ev) {
                let Some(p) = feed.pipeline() else { continue };
                feedback.feed(p, &f)?;
            }
        }
        match feed.pipeline() {
            Some(p) => feedback.finish(p),
            None => Ok(feedback
                .page
                .take()
                .map(|page| (page, LiveSummary::of(&[], 0, &[], Vec::new())))),
        }
    });
    let (session, shown) = match &args.record {
        Some(out) => recorded.with_context(|| format!("recording into {}", out.display()))?,
        None => recorded?,
    };
    let page = shown?;
    if let Some(out) = &args.record {
        println!();
        super::record::print_session(out, &session);
        println!();
        match crate::analyze::analyze_session(out, &crate::analyze::AnalyzeOptions::default()) {
            Ok(a) => super::analyze::print_and_export(&a, None, None)?,
            Err(e) => eprintln!("analysis of {}: {e}", out.display()),
        }
    }
    finish_page(args, page)
}

/// Steps to the screen, the events file and the patient page.
struct Feedback {
    events: Option<EventsFile>,
    screen: Screen,
    page: Option<PageServer>,
}

impl Feedback {
    /// `page_title` and `sensors` describe the session on the patient page (`--serve`).
    fn new(
        args: &LiveArgs,
        title: String,
        page_title: String,
        sensors: Vec<Placement>,
    ) -> anyhow::Result<Feedback> {
        let events = match &args.events_out {
            Some(p) => Some(EventsFile::create(p)?),
            None => None,
        };
        let dashboard = !args.plain && std::io::stdout().is_terminal();
        let mut screen = Screen {
            title,
            targets: args.targets.clone(),
            dashboard,
        };
        let page = match args.serve {
            Some(addr) => {
                let (page, line) = super::live_page::start(addr, args, page_title, sensors)?;
                screen.title = format!("{}\n{line}", screen.title);
                Some(page)
            }
            None => None,
        };
        Ok(Feedback {
            events,
            screen,
            page,
        })
    }

    fn step(&mut self, p: &LivePipeline, step: &LiveStep) -> anyhow::Result<()> {
        if let Some(e) = self.events.as_mut() {
            e.write(step)?;
        }
        if let Some(page) = self.page.as_ref() {
            page.step(step);
        }
        self.screen.show(&mut std::io::stdout().lock(), p, step)
    }

    /// A provisional step taken back: a line in the events file, removed from the page and
    /// the screen.
    fn withdrawn(&mut self, p: &LivePipeline, w: &Withdrawal) -> anyhow::Result<()> {
        if let Some(e) = self.events.as_mut() {
            #[derive(serde::Serialize)]
            struct Line<'a> {
                withdrawn: &'a Withdrawal,
            }
            e.line(&Line { withdrawn: w })?;
        }
        if let Some(page) = self.page.as_ref() {
            page.withdrawn(w);
        }
        self.screen.withdrawn(&mut std::io::stdout().lock(), p, w)
    }

    /// The side of a step already shown changed: a line in the events file, the step's mark
    /// and the left/right values updated on the page and the screen.
    fn revised(&mut self, p: &LivePipeline, r: &SideRevision) -> anyhow::Result<()> {
        if let Some(e) = self.events.as_mut() {
            #[derive(serde::Serialize)]
            struct Line<'a> {
                side: &'a SideRevision,
            }
            e.line(&Line { side: r })?;
        }
        if let Some(page) = self.page.as_ref() {
            page.revised(r);
        }
        self.screen.revised(&mut std::io::stdout().lock(), p, r)
    }

    /// Sensor drop-outs and returns to the patient page.
    fn watch(&mut self, p: &LivePipeline) {
        if let Some(page) = self.page.as_mut() {
            page.watch(p);
        }
    }

    fn feed(&mut self, p: &LivePipeline, f: &FeedEvent) -> anyhow::Result<()> {
        let out = &mut std::io::stdout().lock();
        match f {
            FeedEvent::Started => Ok(()),
            FeedEvent::Step(step) => self.step(p, step),
            FeedEvent::Withdrawn(w) => self.withdrawn(p, w),
            FeedEvent::Side(r) => self.revised(p, r),
            FeedEvent::Paused { placement, since_s } => {
                self.watch(p);
                self.screen.link(out, p, *placement, *since_s, true)
            }
            FeedEvent::Resumed { placement, at_s } => {
                self.watch(p);
                self.screen.link(out, p, *placement, *at_s, false)
            }
        }
    }

    /// Connection progress and problems, on stderr (the steps go to stdout).
    fn status(&mut self, ev: &StatusEvent) {
        match ev {
            StatusEvent::Connected {
                placement,
                model,
                name,
                address,
                basis,
            } => eprintln!(
                "{placement}: connected to {model} {name} ({address}), identified from {basis}"
            ),
            StatusEvent::Problem {
                placement,
                message,
                fatal,
            } => {
                let what = if *fatal { "STOPPING" } else { "note" };
                eprintln!("{placement}: {what}: {message}");
            }
            StatusEvent::Reconnecting {
                placement,
                attempt,
                delay,
                reason,
            } => eprintln!(
                "{placement}: attempt {attempt} failed ({reason}); retrying in {:.1} s",
                delay.as_secs_f64()
            ),
            _ => {}
        }
    }

    /// The summary to the events file and the screen; the page, still serving, with it.
    fn finish(mut self, p: &LivePipeline) -> anyhow::Result<Option<(PageServer, LiveSummary)>> {
        let summary = LiveSummary::of(
            p.steps(),
            p.withdrawn().len(),
            p.revisions(),
            p.dropouts().to_vec(),
        );
        if let Some(mut e) = self.events.take() {
            e.finish(&summary)?;
        }
        self.screen
            .finish(&mut std::io::stdout().lock(), &summary)?;
        Ok(self.page.take().map(|page| (page, summary)))
    }
}

/// `--events-out`: one line per step, flushed at once so a crash loses nothing written.
struct EventsFile {
    path: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
}

impl EventsFile {
    fn create(path: &Path) -> anyhow::Result<EventsFile> {
        Ok(EventsFile {
            path: path.to_path_buf(),
            file: std::io::BufWriter::new(super::guard::create_file(path)?),
        })
    }

    fn line(&mut self, v: &impl serde::Serialize) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.file, v)?;
        self.file
            .write_all(b"\n")
            .and_then(|_| self.file.flush())
            .map_err(|e| {
                anyhow::anyhow!("cannot write {}: {}", self.path.display(), describe_io(&e))
            })
    }

    fn write(&mut self, step: &LiveStep) -> anyhow::Result<()> {
        self.line(step)
    }

    fn finish(&mut self, summary: &LiveSummary) -> anyhow::Result<()> {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            summary: &'a LiveSummary,
        }
        self.line(&Line { summary })
            .with_context(|| format!("summary of {}", self.path.display()))
    }
}

/// The terminal view: a calm full-screen dashboard, or one line per step.
struct Screen {
    title: String,
    targets: Vec<Target>,
    dashboard: bool,
}

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const GREY: &str = "\x1b[90m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn side_mark(s: Option<Side>) -> &'static str {
    match s {
        Some(Side::Left) => "L",
        Some(Side::Right) => "R",
        None => "?",
    }
}

fn value(v: Option<f64>, decimals: usize, unit: &str) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.decimals$}{unit}"),
        _ => "unknown".into(),
    }
}

impl Screen {
    fn show(
        &mut self,
        out: &mut impl Write,
        p: &LivePipeline,
        step: &LiveStep,
    ) -> anyhow::Result<()> {
        let r = &step.rolling;
        let side = match step.side {
            Some(s) => s.as_str(),
            None => "side unknown",
        };
        if !self.dashboard {
            let mark = match step.on_target {
                Some(true) => " on target",
                Some(false) => " OFF TARGET",
                None => "",
            };
            writeln!(
                out,
                "{:8.2} s  {side:<12} step {:>8}  cadence {:>9}  evenness {:>8}  step SI {:>8}  stance SI {:>8}{mark}",
                step.t_s,
                value(step.step_time_s, 2, " s"),
                value(r.cadence_spm, 0, "/min"),
                value(r.evenness_pct, 0, "%"),
                value(r.step_time_si_pct, 1, "%"),
                value(r.stance_si_pct, 1, "%"),
            )?;
            return Ok(());
        }
        let steps = p.steps();
        let marks: String = steps
            .iter()
            .rev()
            .take(24)
            .rev()
            .map(|s| {
                let colour = match s.on_target {
                    Some(true) => GREEN,
                    Some(false) => RED,
                    None => GREY,
                };
                format!("{colour}{}{RESET} ", side_mark(s.side))
            })
            .collect();
        let judged: Vec<bool> = steps.iter().filter_map(|s| s.on_target).collect();
        let share = if judged.is_empty() {
            "no step judged yet".to_string()
        } else {
            format!(
                "{:.0} % of {} steps",
                100.0 * judged.iter().filter(|&&b| b).count() as f64 / judged.len() as f64,
                judged.len()
            )
        };
        let targets: Vec<String> = self.targets.iter().map(|t| t.label()).collect();
        write!(out, "\x1b[2J\x1b[H")?;
        writeln!(out, "{BOLD}{}{RESET}\n", self.title)?;
        writeln!(
            out,
            "  Last step      {BOLD}{side}{RESET}  {}",
            value(step.step_time_s, 2, " s")
        )?;
        writeln!(
            out,
            "  Cadence        {BOLD}{}{RESET}",
            value(r.cadence_spm, 0, " steps/min")
        )?;
        writeln!(
            out,
            "  Evenness       {BOLD}{}{RESET}",
            value(r.evenness_pct, 0, " %")
        )?;
        writeln!(
            out,
            "  Step-time SI   {BOLD}{}{RESET}",
            value(r.step_time_si_pct, 1, " %")
        )?;
        writeln!(
            out,
            "  Stance SI      {BOLD}{}{RESET}",
            value(r.stance_si_pct, 1, " %")
        )?;
        writeln!(out, "  (last {} steps)\n", r.steps)?;
        writeln!(out, "  Steps          {marks}")?;
        if !targets.is_empty() {
            writeln!(out, "  Targets        {}", targets.join(", "))?;
            writeln!(out, "  On target      {BOLD}{share}{RESET}")?;
        }
        out.flush()?;
        Ok(())
    }

    /// A sensor's link dropped (`paused`) or delivers again: which sensor, and whether
    /// feedback is paused.
    fn link(
        &mut self,
        out: &mut impl Write,
        p: &LivePipeline,
        placement: Placement,
        at_s: f64,
        paused: bool,
    ) -> anyhow::Result<()> {
        let others: Vec<String> = p
            .missing()
            .iter()
            .filter(|&&m| m != placement)
            .map(|m| m.to_string())
            .collect();
        let mut line = if paused {
            format!("{at_s:8.2} s  FEEDBACK PAUSED: {placement} sensor lost, reconnecting")
        } else if others.is_empty() {
            format!("{at_s:8.2} s  {placement} sensor back: feedback resumes")
        } else {
            format!("{at_s:8.2} s  {placement} sensor back; feedback still paused")
        };
        if !others.is_empty() {
            line.push_str(&format!("; missing: {}", others.join(", ")));
        }
        match (self.dashboard, paused) {
            (true, true) => writeln!(out, "\n  {RED}{BOLD}{line}{RESET}")?,
            (true, false) => writeln!(out, "  {GREEN}{line}{RESET}")?,
            (false, _) => writeln!(out, "{line}")?,
        }
        out.flush()?;
        Ok(())
    }

    /// A withdrawn provisional step: a line of its own, or the dashboard redrawn without it.
    fn withdrawn(
        &mut self,
        out: &mut impl Write,
        p: &LivePipeline,
        w: &Withdrawal,
    ) -> anyhow::Result<()> {
        if !self.dashboard {
            writeln!(
                out,
                "{:8.2} s  step withdrawn: no walk followed it (cadence now {})",
                w.t_s,
                value(w.rolling.cadence_spm, 0, "/min")
            )?;
            return Ok(());
        }
        match p.steps().last() {
            Some(last) => self.show(out, p, last),
            None => Ok(()),
        }
    }

    /// A step's side decided later, or withdrawn: a line of its own, or the dashboard redrawn
    /// with the step's new mark.
    fn revised(
        &mut self,
        out: &mut impl Write,
        p: &LivePipeline,
        r: &SideRevision,
    ) -> anyhow::Result<()> {
        if !self.dashboard {
            let what = match (r.side, r.previous) {
                (Some(s), _) => format!("side {}", s.as_str()),
                (None, Some(s)) => format!(
                    "side {} withdrawn: later steps contradict it, side unknown",
                    s.as_str()
                ),
                (None, None) => "side unknown".to_string(),
            };
            writeln!(
                out,
                "{:8.2} s  step of {:.2} s: {what} (evenness now {}, step SI {})",
                r.at_s,
                r.t_s,
                value(r.rolling.evenness_pct, 0, "%"),
                value(r.rolling.step_time_si_pct, 1, "%"),
            )?;
            return Ok(());
        }
        match p.steps().last() {
            Some(last) => self.show(out, p, last),
            None => Ok(()),
        }
    }

    fn finish(&mut self, out: &mut impl Write, s: &LiveSummary) -> anyhow::Result<()> {
        writeln!(
            out,
            "\n{} steps ({} with a side: {} at once, {} decided later, {} withdrawn as contradicted; {} steps withdrawn); on target: {}; feedback latency median {}, 95th percentile {}",
            s.steps,
            s.steps_with_side,
            s.sides_at_emission,
            s.sides_revised,
            s.sides_withdrawn,
            s.withdrawn,
            value(s.on_target_pct, 0, " %"),
            value(s.latency_median_s, 2, " s"),
            value(s.latency_p95_s, 2, " s"),
        )?;
        for d in &s.dropouts {
            match d.end_s {
                Some(end) => writeln!(
                    out,
                    "drop-out: {} sensor from {:.2} s to {:.2} s ({:.2} s without data, feedback paused)",
                    d.placement,
                    d.start_s,
                    end,
                    end - d.start_s
                )?,
                None => writeln!(
                    out,
                    "drop-out: {} sensor from {:.2} s to the end (feedback paused)",
                    d.placement, d.start_s
                )?,
            }
        }
        Ok(())
    }
}
