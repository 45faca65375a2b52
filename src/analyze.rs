//! Analysis of a whole session folder (or a lone CSV): reads and validates the sensor
//! files, resamples them, and runs the analyses the sensor set allows. This is the library
//! entry point behind `gaitkit analyze` and `gaitkit demo`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Location, Result};
use crate::gait::leg::{self, LegAnalysis};
use crate::gait::lower_back::{self, LowerBackOptions};
use crate::gait::spatial::SENSOR_HEIGHT_PER_BODY_HEIGHT;
use crate::gait::walking_check;
use crate::gait::{GaitAnalysis, PerSide, Side};
use crate::recording::resample::{TableGrid, DEFAULT_MAX_FILL_S, MAX_FILL_LIMIT_S};
use crate::recording::session::{missing_sensor_file, SensorEntry};
use crate::recording::units::{convert_gyr, gyr_unit_problem_on};
use crate::recording::{Gap, GyrUnit, ImuTable, Placement, Session, UniformImu};

/// Shortest recording worth analysing, s.
pub const MIN_DURATION_S: f64 = 5.0;

/// Unit of the acceleration columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccUnit {
    /// m/s² (the session format's unit).
    #[default]
    MetresPerSecondSquared,
    /// Multiples of standard gravity; converted to m/s² on reading.
    G,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeOptions {
    pub acc_unit: AccUnit,
    pub gyr_unit: GyrUnit,
    /// Longest gap bridged by interpolation, s; longer gaps split walking bouts.
    pub max_fill_s: f64,
    /// Overrides the session's body height, m.
    pub height_m: Option<f64>,
    /// Overrides the session's sensor height, m.
    pub sensor_height_m: Option<f64>,
    /// Whether a lower-back recording is read and analysed whole or in pieces.
    pub pieces: Pieces,
}

/// How a lower-back recording is read: whole, or in pieces cut at long still periods so that
/// memory stays bounded whatever its length (see [`crate::long_recording`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pieces {
    /// In pieces when the sensor file is larger than
    /// [`crate::long_recording::PIECES_ABOVE_BYTES`], else whole.
    #[default]
    Auto,
    /// Always whole.
    Whole,
    /// Always in pieces of at least this many samples (the cut is at the first still period
    /// after them).
    Samples(usize),
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            acc_unit: AccUnit::default(),
            gyr_unit: GyrUnit::default(),
            max_fill_s: DEFAULT_MAX_FILL_S,
            height_m: None,
            sensor_height_m: None,
            pieces: Pieces::Auto,
        }
    }
}

impl AnalyzeOptions {
    /// Checks every value; the message names the command-line option.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if !(self.max_fill_s.is_finite() && (0.0..=MAX_FILL_LIMIT_S).contains(&self.max_fill_s)) {
            return Err(format!(
                "--max-gap-fill-s {} must be a number of seconds from 0 to {MAX_FILL_LIMIT_S} (default {DEFAULT_MAX_FILL_S})",
                self.max_fill_s
            ));
        }
        for (name, v, lo, hi) in [
            ("--height-m", self.height_m, 0.5, 2.6),
            ("--sensor-height-m", self.sensor_height_m, 0.3, 1.6),
        ] {
            if let Some(v) = v {
                if !(lo..=hi).contains(&v) {
                    return Err(format!(
                        "{name} {v} is outside {lo}–{hi} m (heights are in metres)"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Everything known about one analysed session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionAnalysis {
    /// Folder or file that was analysed.
    pub source: PathBuf,
    pub session: SessionInfo,
    pub gait: Option<GaitAnalysis>,
    /// Per-leg detail when the session has two leg sensors: their alignment and clock
    /// alignment, each leg's events and the full per-stride table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legs: Option<LegAnalysis>,
}

/// The parts of `session.json` a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionInfo {
    pub start_time: Option<String>,
    pub task: Option<String>,
    pub participant_id: Option<String>,
    pub height_m: Option<f64>,
    pub sensor_height_m: Option<f64>,
    /// Where the sensor height came from: `session`, `command line`, `estimated from body height`.
    pub sensor_height_source: Option<String>,
    pub placements: Vec<String>,
}

/// Analyses a session folder.
pub fn analyze_session(dir: &Path, opts: &AnalyzeOptions) -> Result<SessionAnalysis> {
    analyze_session_with_progress(dir, opts, &|_| {})
}

/// [`analyze_session`], telling `progress` how far the reading of a recording analysed in
/// pieces has come.
pub fn analyze_session_with_progress(
    dir: &Path,
    opts: &AnalyzeOptions,
    progress: &dyn Fn(Progress),
) -> Result<SessionAnalysis> {
    let session = Session::read(dir)?;
    analyze_files(dir, &session, opts, progress)
}

/// Bytes of sensor data read so far out of the bytes to read (a recording analysed in
/// pieces is read twice: once to find its timing and cuts, once to analyse it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done_bytes: u64,
    pub total_bytes: u64,
}

/// Analyses a lone sensor CSV described on the command line.
pub fn analyze_file(
    csv: &Path,
    placement: Placement,
    axes: crate::recording::Axes,
    opts: &AnalyzeOptions,
) -> Result<SessionAnalysis> {
    analyze_file_with_progress(csv, placement, axes, opts, &|_| {})
}

/// [`analyze_file`] with the progress of a recording analysed in pieces.
pub fn analyze_file_with_progress(
    csv: &Path,
    placement: Placement,
    axes: crate::recording::Axes,
    opts: &AnalyzeOptions,
    progress: &dyn Fn(Progress),
) -> Result<SessionAnalysis> {
    let Some(file) = csv.file_name().map(|f| f.to_string_lossy().into_owned()) else {
        return Err(Error::input(Location::file(csv), "is not a file name"));
    };
    if placement != Placement::LowerBack {
        return Err(Error::Unsupported(format!(
            "{}: a single {placement} sensor cannot be analysed for gait; gaitkit needs a lower-back sensor, \
             or both feet or both shanks in one session folder (session.json lists each sensor's CSV)",
            csv.display()
        )));
    }
    let mut session = Session::new(vec![crate::recording::SensorEntry {
        placement,
        file,
        axes,
        device: None,
        sampling_rate_hz: None,
        source: None,
    }]);
    session.format_version = None;
    let dir = csv.parent().unwrap_or(Path::new(""));
    analyze_files(dir, &session, opts, progress)
}

/// A session whose sensor files are on disk: a long lower-back recording is analysed in
/// pieces (see [`Pieces`]).
fn analyze_files(
    dir: &Path,
    session: &Session,
    opts: &AnalyzeOptions,
    progress: &dyn Fn(Progress),
) -> Result<SessionAnalysis> {
    if leg::leg_sensor_kind(session).is_none() {
        if let Some(entry) = session.sensor(Placement::LowerBack) {
            let path = session.sensor_path(dir, entry);
            let bytes = std::fs::metadata(&path).map(|m| m.len()).ok();
            let in_pieces = match (opts.pieces, bytes) {
                (Pieces::Whole, _) | (_, None) => false,
                (Pieces::Samples(_), Some(_)) => true,
                (Pieces::Auto, Some(b)) => b > crate::long_recording::PIECES_ABOVE_BYTES,
            };
            if in_pieces {
                opts.validate().map_err(Error::Unsupported)?;
                if let Some(a) = crate::long_recording::analyze_session_in_pieces(
                    dir, session, entry, opts, progress,
                )? {
                    return Ok(a);
                }
            }
        }
    }
    analyze_with_grids(dir, session, opts, &|p: &Path| ImuTable::read_gridded(p))
}

/// A sensor table and, when the reader measured it, its grid ([`TableGrid::of`]).
type GriddedTable = (ImuTable, Option<TableGrid>);

/// Analyses a session whose sensor tables come from `read` (a file reader, or embedded
/// data for the demo). `dir` is the session folder the file names are relative to.
pub fn analyze_with(
    dir: &Path,
    session: &Session,
    opts: &AnalyzeOptions,
    read: &dyn Fn(&Path) -> Result<ImuTable>,
) -> Result<SessionAnalysis> {
    analyze_with_grids(dir, session, opts, &|p: &Path| read(p).map(|t| (t, None)))
}

/// [`analyze_with`] of a reader that may also give each table's grid.
fn analyze_with_grids(
    dir: &Path,
    session: &Session,
    opts: &AnalyzeOptions,
    read: &dyn Fn(&Path) -> Result<GriddedTable>,
) -> Result<SessionAnalysis> {
    opts.validate().map_err(Error::Unsupported)?;
    let (info, sensor_height_m, sensor_height_source) = session_info(session, opts);
    let leg_kind = leg::leg_sensor_kind(session);
    let mut lower_back_left_out = None;
    let mut gait = match session.sensor(Placement::LowerBack) {
        Some(entry) => {
            let lower_back = || -> Result<GaitAnalysis> {
                let path = session.sensor_path(dir, entry);
                let (table, grid) = read_entry(dir, entry, read)?;
                let mut imu = prepare_imu_on(table, grid, &path, opts)?;
                add_recorded_gaps(&mut imu, session, entry.placement);
                let lb_opts = LowerBackOptions {
                    sensor_height_m,
                    ..LowerBackOptions::default()
                };
                let mut g = lower_back::analyze(&imu, entry.axes, &path, &lb_opts)?;
                let evidence = walking_evidence_of(&imu, &g.steps, &g.bouts);
                lower_back_checks(
                    &mut g,
                    evidence,
                    &path,
                    sensor_height_m,
                    sensor_height_source.as_deref(),
                )?;
                Ok(g)
            };
            match lower_back() {
                Ok(g) => Some(g),
                // two leg sensors still give the walk; the report says why the trunk is missing
                Err(e) if leg_kind.is_some() => {
                    lower_back_left_out = Some(format!("The lower-back sensor was left out: {e}"));
                    None
                }
                Err(e) => return Err(e),
            }
        }
        None => None,
    };
    // Two leg sensors measure events and temporal parameters per leg: they take precedence,
    // and the lower back contributes the trunk metrics.
    let leg_pair = match leg_kind.map(|kind| analyze_leg_pair(dir, session, kind, opts, read)) {
        // legs that do not walk (a balance task, say) leave the lower-back analysis in charge
        Some(Err(Error::NotEnoughData(why))) if gait.is_some() => {
            if let Some(g) = gait.as_mut() {
                g.notes
                    .push(format!("The leg sensors were not used: {why}"));
            }
            None
        }
        other => other.transpose()?,
    };
    let (gait, legs) = match leg_pair {
        Some((legs, gaps, duration_s, fs_hz)) => {
            let mut g =
                leg::gait_analysis::to_gait_analysis(&legs, gaps, duration_s, fs_hz, gait.as_ref());
            g.notes.extend(lower_back_left_out);
            // double support lasts ~0.1 s: clock errors of 10 ms between the legs matter
            if let Some(err_s) = session.sync.as_ref().and_then(|s| s.max_offset_error_s) {
                if err_s > 0.01 {
                    g.notes.push(format!(
                        "The leg sensors' clocks may differ by up to {:.0} ms (recorded sync error): double support and step times are uncertain by as much.",
                        1000.0 * err_s
                    ));
                }
            }
            (Some(g), Some(legs))
        }
        None => (gait, None),
    };
    if gait.is_none() {
        let names: Vec<_> = session
            .sensors
            .iter()
            .map(|s| s.placement.as_str())
            .collect();
        return Err(Error::Unsupported(format!(
            "{}: no sensor this version can analyse for gait (found: {}; needs lower-back, left-foot + right-foot or left-shank + right-shank)",
            dir.display(),
            names.join(", ")
        )));
    }
    Ok(SessionAnalysis {
        source: dir.to_path_buf(),
        session: info,
        gait,
        legs,
    })
}

/// What a report shows of `session.json`, the sensor height (m) and where it came from.
pub(crate) fn session_info(
    session: &Session,
    opts: &AnalyzeOptions,
) -> (SessionInfo, Option<f64>, Option<String>) {
    let height_m = opts.height_m.or(session.participant.height_m);
    let (sensor_height_m, sensor_height_source) = match (
        opts.sensor_height_m,
        session.participant.sensor_height_m,
        height_m,
    ) {
        (Some(h), _, _) => (Some(h), Some("command line".to_string())),
        (None, Some(h), _) => (Some(h), Some("session".to_string())),
        (None, None, Some(body)) => (
            Some(SENSOR_HEIGHT_PER_BODY_HEIGHT * body),
            Some(format!(
                "estimated as {SENSOR_HEIGHT_PER_BODY_HEIGHT} × body height"
            )),
        ),
        _ => (None, None),
    };
    let info = SessionInfo {
        start_time: session.start_time.map(|t| t.to_rfc3339()),
        task: session.task.as_ref().map(|t| t.to_string()),
        participant_id: session.participant.id.clone(),
        height_m,
        sensor_height_m,
        sensor_height_source: sensor_height_source.clone(),
        placements: session
            .sensors
            .iter()
            .map(|s| s.placement.to_string())
            .collect(),
    };
    (info, sensor_height_m, sensor_height_source)
}

/// Adds the checks and notes that concern the whole lower-back recording to its analysis:
/// step bounds, whether it is a walk, an estimated sensor height.
pub(crate) fn lower_back_checks(
    g: &mut GaitAnalysis,
    evidence: Option<walking_check::WalkingEvidence>,
    path: &Path,
    sensor_height_m: Option<f64>,
    sensor_height_source: Option<&str>,
) -> Result<()> {
    g.quality
        .push(crate::gait::steady::step_bounds_check(&g.steps));
    check_walking(evidence, g, path)?;
    if let Some(src) = sensor_height_source {
        if src.starts_with("estimated") {
            g.notes.insert(
                0,
                format!(
                    "Sensor height {:.2} m was {src}; measure it for better step lengths.",
                    sensor_height_m.unwrap_or(0.0)
                ),
            );
        }
    }
    Ok(())
}

/// Reads both leg sensors and analyses them; also returns their missing-data ranges, the
/// recording duration (s) and the left sensor's sampling rate (Hz).
fn analyze_leg_pair(
    dir: &Path,
    session: &Session,
    kind: leg::LegSensorKind,
    opts: &AnalyzeOptions,
    read: &dyn Fn(&Path) -> Result<GriddedTable>,
) -> Result<(leg::LegAnalysis, Vec<Gap>, f64, f64)> {
    let sensor = |side: Side| -> Result<leg::LegSensor> {
        let entry = session
            .sensor(kind.placement(side))
            .expect("leg_sensor_kind found the pair");
        let path = session.sensor_path(dir, entry);
        let (table, grid) = read_entry(dir, entry, read)?;
        let mut imu = prepare_imu_on(table, grid, &path, opts)?;
        add_recorded_gaps(&mut imu, session, entry.placement);
        Ok(leg::LegSensor {
            imu,
            declared: entry.axes.sensor_to_body(),
            file: entry.file.clone(),
        })
    };
    let sensors = PerSide {
        left: sensor(Side::Left)?,
        right: sensor(Side::Right)?,
    };
    let gaps: Vec<Gap> = sensors
        .left
        .imu
        .gaps
        .iter()
        .chain(&sensors.right.imu.gaps)
        .copied()
        .collect();
    let (duration_s, fs_hz) = (sensors.left.imu.duration_s(), sensors.left.imu.fs_hz);
    let input = leg::LegInput {
        kind,
        sensors,
        shared_timeline: session.shared_clock(),
    };
    Ok((leg::analyze_legs(&input)?, gaps, duration_s, fs_hz))
}

/// Reads a sensor's CSV with `read`; a missing file is reported as named in `session.json`.
fn read_entry(
    dir: &Path,
    entry: &SensorEntry,
    read: &dyn Fn(&Path) -> Result<GriddedTable>,
) -> Result<GriddedTable> {
    read(&dir.join(&entry.file)).map_err(|e| missing_sensor_file(dir, entry, e))
}

/// Adds the gaps `session.json` records for `placement` to the sensor's missing-data ranges
/// ([`Session::mark_recorded_gaps`]).
pub fn add_recorded_gaps(imu: &mut UniformImu, session: &Session, placement: Placement) {
    session.mark_recorded_gaps(imu, placement);
}

/// The sums of the walking cues (see [`walking_check`]) over `bouts`, at the median step.
pub(crate) fn walking_sums_of(
    imu: &UniformImu,
    steps: &[crate::gait::analysis::Step],
    bouts: &[crate::gait::walking_bouts::WalkingBout],
) -> walking_check::WalkingSums {
    let times: Vec<f64> = steps.iter().map(|s| s.step_time_s).collect();
    match crate::signal::stats::median(&times) {
        Some(step_time_s) => walking_check::walking_sums(imu, bouts, step_time_s),
        None => walking_check::WalkingSums::default(),
    }
}

fn walking_evidence_of(
    imu: &UniformImu,
    steps: &[crate::gait::analysis::Step],
    bouts: &[crate::gait::walking_bouts::WalkingBout],
) -> Option<walking_check::WalkingEvidence> {
    walking_sums_of(imu, steps, bouts).evidence()
}

/// Refuses a "walk" that is physically not one (see [`walking_check`]); one failed cue
/// becomes a note.
fn check_walking(
    evidence: Option<walking_check::WalkingEvidence>,
    g: &mut GaitAnalysis,
    path: &Path,
) -> Result<()> {
    let Some(evidence) = evidence else {
        return Ok(());
    };
    let failed = evidence.failed();
    let walking_s: f64 = g.bouts.iter().map(|b| b.duration_s()).sum();
    if evidence.is_not_walking() {
        return Err(Error::input(
            Location::file(path),
            format!(
                "the step-like vertical motion found in {walking_s:.0} s of the recording is not walking: {}. \
                 A vibration, a vehicle, a shaken sensor or one lying on a table? Record a walk with the \
                 sensor worn on the lower back",
                failed.join("; ")
            ),
        ));
    }
    if let Some(f) = failed.first() {
        g.notes.push(format!(
            "The walk looks unusual: {f}. Check the sensor's placement and the recording."
        ));
    }
    Ok(())
}

/// Reads a sensor CSV, checks units and length, and resamples it onto a uniform grid.
pub fn load_imu(path: &Path, opts: &AnalyzeOptions) -> Result<UniformImu> {
    prepare_imu(ImuTable::read(path)?, path, opts)
}

/// Checks units and length of a sensor table and resamples it onto a uniform grid.
pub fn prepare_imu(table: ImuTable, path: &Path, opts: &AnalyzeOptions) -> Result<UniformImu> {
    prepare_imu_on(table, None, path, opts)
}

/// [`prepare_imu`] of a table whose grid the reader may have measured already (`grid`,
/// [`TableGrid::of`] of its time column, which the units conversion leaves as it is).
fn prepare_imu_on(
    table: ImuTable,
    grid: Option<TableGrid>,
    path: &Path,
    opts: &AnalyzeOptions,
) -> Result<UniformImu> {
    if table.len() < PARALLEL_CHECKS_MIN_SAMPLES {
        let table = checked_table(table, path, opts)?;
        return match grid {
            Some(grid) => Ok(UniformImu::from_owned_table_on(
                table,
                opts.max_fill_s,
                grid,
            )),
            None => UniformImu::from_owned_table(table, opts.max_fill_s).map_err(|e| e.at(path)),
        };
    }
    // the units and length checks and the grid read the same table: on two cores at once,
    // the checks' error first as when they run one after the other
    let table = converted_units(table, path, opts)?;
    let (checked, grid) = match grid {
        Some(grid) => (
            check_units_and_length(&table, path, opts, true, true),
            Ok(grid),
        ),
        None => rayon::join(
            || check_units_and_length(&table, path, opts, true, true),
            || TableGrid::of(&table.time_s),
        ),
    };
    checked?;
    let grid = grid.map_err(|e| e.at(path))?;
    Ok(UniformImu::from_owned_table_on(
        table,
        opts.max_fill_s,
        grid,
    ))
}

/// Tables at least this long (samples) check their units and find their grid on two cores.
const PARALLEL_CHECKS_MIN_SAMPLES: usize = crate::signal::PARALLEL_MIN_SAMPLES;

/// [`prepare_imu`] without the shortest length `analyze` accepts: for the online leg
/// contacts of a live session's first seconds, which need only a gait cycle or two.
pub(crate) fn prepare_imu_any_length(
    table: ImuTable,
    path: &Path,
    opts: &AnalyzeOptions,
) -> Result<UniformImu> {
    let table = converted_table(table, path, opts, false)?;
    UniformImu::from_table(&table, opts.max_fill_s).map_err(|e| e.at(path))
}

/// Converts a sensor table to m/s² and deg/s and checks its units and length.
pub(crate) fn checked_table(
    table: ImuTable,
    path: &Path,
    opts: &AnalyzeOptions,
) -> Result<ImuTable> {
    converted_table(table, path, opts, true)
}

/// Converts a sensor table to m/s² and deg/s and checks its units, and with `check_length`
/// its length.
fn converted_table(
    table: ImuTable,
    path: &Path,
    opts: &AnalyzeOptions,
    check_length: bool,
) -> Result<ImuTable> {
    let table = converted_units(table, path, opts)?;
    check_units_and_length(&table, path, opts, check_length, false)?;
    Ok(table)
}

/// A sensor table in m/s² and deg/s (from the units `opts` declares); refuses an empty one.
fn converted_units(mut table: ImuTable, path: &Path, opts: &AnalyzeOptions) -> Result<ImuTable> {
    if table.is_empty() {
        return Err(Error::input(Location::file(path), "no samples"));
    }
    if opts.acc_unit == AccUnit::G {
        for c in table.acc_mps2.iter_mut() {
            for v in c.iter_mut() {
                *v *= crate::gait::body_frame::G_MPS2;
            }
        }
    }
    convert_gyr(&mut table, opts.gyr_unit);
    Ok(table)
}

/// Checks a table in m/s² and deg/s ([`converted_units`]): units that look wrong, and with
/// `check_length` the shortest length `analyze` accepts; with `parallel` the statistics are
/// computed on two cores (the same values, the same error first).
fn check_units_and_length(
    table: &ImuTable,
    path: &Path,
    opts: &AnalyzeOptions,
    check_length: bool,
    parallel: bool,
) -> Result<()> {
    let duration = table.time_s[table.len() - 1] - table.time_s[0];
    if check_length && (duration.is_nan() || duration < MIN_DURATION_S) {
        // rounded down, so a 4.99-s file never reads as "5.0 s long"
        let shown = (duration * 100.0).floor() / 100.0;
        return Err(Error::input(
            Location::file(path),
            format!("recording is {shown:.2} s long; at least {MIN_DURATION_S:.0} s are needed"),
        ));
    }
    let median_norm = || {
        let norms: Vec<f64> = (0..table.len())
            .step_by(5)
            .map(|i| {
                (0..3)
                    .map(|k| table.acc_mps2[k][i].powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect();
        crate::signal::stats::median(&norms).unwrap_or(0.0)
    };
    let gyr_problem = || gyr_unit_problem_on(table, opts.gyr_unit, parallel);
    let (median, gyr_problem) = if parallel {
        let (m, g) = rayon::join(median_norm, gyr_problem);
        (m, Some(g))
    } else {
        (median_norm(), None)
    };
    if (0.5..=2.0).contains(&median) {
        return Err(Error::input(
            Location::file(path),
            format!(
                "acceleration looks like it is in g (median magnitude {median:.2}), but m/s² is expected; \
                 convert it or pass --acc-unit g"
            ),
        ));
    }
    if !(4.0..=20.0).contains(&median) {
        return Err(Error::input(
            Location::file(path),
            format!("median acceleration magnitude is {median:.2}, neither ~9.81 m/s² nor ~1 g: check the acc columns and their unit"),
        ));
    }
    if let Some(problem) =
        gyr_problem.unwrap_or_else(|| gyr_unit_problem_on(table, opts.gyr_unit, false))
    {
        return Err(Error::input(Location::file(path), problem));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::ImuSample;

    /// 800 s at 100 Hz of a moving trunk: a 2-Hz bounce and a 1-Hz rotation; `acc_scale` and
    /// `gyr_scale` put them in other units, `time` maps the sample index to its timestamp.
    fn moving(acc_scale: f64, gyr_scale: f64, time: &dyn Fn(usize) -> f64) -> ImuTable {
        let mut t = ImuTable::with_capacity(80_000);
        for i in 0..80_000 {
            let s = i as f64 * 0.01;
            let w = 2.0 * std::f64::consts::PI;
            t.push(&ImuSample {
                time_s: time(i),
                acc_mps2: [
                    acc_scale * (9.81 + 3.0 * (2.0 * w * s).sin()),
                    acc_scale * 0.5 * (w * s).cos(),
                    acc_scale * 0.3,
                ],
                gyr_dps: [
                    gyr_scale * 40.0 * (w * s).sin(),
                    gyr_scale * 10.0,
                    gyr_scale * -20.0 * (w * s).cos(),
                ],
            });
        }
        t
    }

    #[test]
    fn long_tables_are_checked_on_two_cores_with_the_one_core_results() {
        let path = Path::new("lower_back.csv");
        let opts = AnalyzeOptions::default();
        let steady = |i: usize| i as f64 * 0.01;
        // a missing hour after the first minute: more missing samples than recorded ones
        let holed = |i: usize| i as f64 * 0.01 + if i >= 6_000 { 3600.0 } else { 0.0 };
        let jittered = |i: usize| i as f64 * 0.01 + if i % 2 == 0 { 0.002 } else { 0.0 };
        let cases: [(ImuTable, bool); 5] = [
            (moving(1.0, 1.0, &steady), true),
            (moving(1.0, 1.0, &jittered), true),
            (moving(1.0 / 9.81, 1.0, &steady), false),
            (moving(1.0, std::f64::consts::PI / 180.0, &steady), false),
            (moving(1.0, 1.0, &holed), false),
        ];
        for (k, (table, ok)) in cases.into_iter().enumerate() {
            assert!(table.len() >= PARALLEL_CHECKS_MIN_SAMPLES);
            let one_core = checked_table(table.clone(), path, &opts).and_then(|t| {
                UniformImu::from_owned_table(t, opts.max_fill_s).map_err(|e| e.at(path))
            });
            let gridded = prepare_imu_on(
                table.clone(),
                TableGrid::of(&table.time_s).ok(),
                path,
                &opts,
            );
            let two = prepare_imu(table, path, &opts);
            match (&two, gridded) {
                (Ok(a), Ok(b)) => assert_eq!(*a, b, "case {k}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "case {k}"),
                (a, b) => panic!("case {k}: {a:?} vs {b:?}"),
            }
            assert_eq!(one_core.is_ok(), ok, "case {k}");
            match (one_core, two) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "case {k}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "case {k}"),
                (a, b) => panic!("case {k}: {a:?} vs {b:?}"),
            }
        }
    }
}
