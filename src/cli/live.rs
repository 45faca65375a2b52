//! `gaitkit live`: step-by-step feedback while walking, from a replayed session at real-time
//! pace (× `--speed`), with rolling symmetry and cadence, targets, a terminal dashboard and
//! a JSON Lines log of every step, and a web page for the patient (`--serve`, [`crate::serve`]).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use crate::error::describe_io;
use crate::gait::Side;
use crate::stream::events::{LiveStep, LiveSummary};
use crate::stream::pipeline::{LiveOptions, LivePipeline};
use crate::stream::replay::Replay;
use crate::stream::targets::{parse_target, Target};

/// Fastest replay, × real time.
pub const MAX_SPEED: f64 = 1000.0;

#[derive(Args, Debug)]
pub struct LiveArgs {
    /// Session folder to stream at real-time pace, through the same code as live sensors.
    #[arg(long, value_name = "SESSION_DIR")]
    pub replay: PathBuf,
    /// Replay speed, × real time (0.1–1000).
    #[arg(long, default_value_t = 1.0)]
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
    /// After the replay, keep serving the page (with the summary) until Ctrl-C.
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
    super::guard::existing_folder(&args.replay, "a session folder")?;
    let mut inputs = super::guard::Inputs::default();
    inputs.folder(&args.replay);
    if let Some(out) = &args.events_out {
        inputs.check_output_file("--events-out", out)?;
    }
    let replay = Replay::open(&args.replay)?;
    let opts = LiveOptions {
        rolling_steps: args.steps,
        targets: args.targets.clone(),
        ..LiveOptions::default()
    };
    let mut pipeline = LivePipeline::new(&replay.session, &opts);
    let mut events = match &args.events_out {
        Some(p) => Some(EventsFile::create(p)?),
        None => None,
    };
    let dashboard = !args.plain && std::io::stdout().is_terminal();
    let mut screen = Screen {
        title: format!(
            "gaitkit live — replay of {} ×{}",
            args.replay.display(),
            args.speed
        ),
        targets: args.targets.clone(),
        dashboard,
    };
    let mut page = match args.serve {
        Some(addr) => {
            let sensors = replay.session.sensors.iter().map(|s| s.placement);
            let (page, line) = super::live_page::start(addr, &args, sensors.collect())?;
            screen.title = format!("{}\n{line}", screen.title);
            Some(page)
        }
        None => None,
    };
    let start_s = replay.start_s();
    let wall = Instant::now();
    let mut out = std::io::stdout().lock();
    for (placement, sample) in replay {
        // real-time pace: sample time t is played at (t − start) / speed of wall time
        let due = Duration::from_secs_f64(((sample.time_s - start_s) / args.speed).max(0.0));
        if let Some(wait) = due.checked_sub(wall.elapsed()) {
            if wait > Duration::from_millis(2) {
                std::thread::sleep(wait);
            }
        }
        for step in pipeline.push(placement, &sample) {
            if let Some(e) = events.as_mut() {
                e.write(&step)?;
            }
            if let Some(p) = page.as_ref() {
                p.step(&step);
            }
            screen.show(&mut out, &pipeline, &step)?;
        }
        if let Some(p) = page.as_mut() {
            p.watch(&pipeline);
        }
    }
    let summary = LiveSummary::of(pipeline.steps(), pipeline.dropouts().to_vec());
    if let Some(mut e) = events {
        e.finish(&summary)?;
    }
    screen.finish(&mut out, &summary)?;
    if let Some(p) = page {
        super::live_page::finish(p, &summary, args.serve_linger, &mut out)?;
    }
    Ok(())
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

    fn finish(&mut self, out: &mut impl Write, s: &LiveSummary) -> anyhow::Result<()> {
        writeln!(
            out,
            "\n{} steps ({} with a side); on target: {}; feedback latency median {}, 95th percentile {}",
            s.steps,
            s.steps_with_side,
            value(s.on_target_pct, 0, " %"),
            value(s.latency_median_s, 2, " s"),
            value(s.latency_p95_s, 2, " s"),
        )?;
        Ok(())
    }
}
