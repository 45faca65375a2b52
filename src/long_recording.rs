//! Lower-back recordings of any length, analysed in pieces with bounded memory.
//!
//! The sensor CSV is read twice in chunks ([`ImuChunks`]), never whole:
//!
//! 1. **Scan**: every line is parsed and checked as the whole-file reader checks it (same
//!    errors, same line numbers); the timing of the whole recording is measured
//!    ([`TimingScan`]: its nominal interval and whether it is uniform, exactly as for the
//!    whole file), and the still periods are found.
//! 2. **Analysis**: the recording is cut in the middle of still periods into pieces of at
//!    least the requested length; each piece is analysed by the lower-back pipeline
//!    ([`lower_back::analyze_part`]) together with [`OVERLAP_S`] of the recording on either
//!    side, and keeps what starts inside it. The parts are joined on the recording's clock and
//!    summarised once ([`lower_back::finish`]): the summary comes from the joined per-step and
//!    per-stride values, not from the pieces' summaries.
//!
//! **The cut rule.** A still period is at least [`MIN_STILL_S`] of 1-s blocks in which the
//! acceleration magnitude varies by at most [`STILL_ACC_SD_MPS2`] (SD) and each
//! angular-velocity axis averages at most [`STILL_GYR_DPS`]. The pipeline's needs set these:
//! a walking window (4 s) needs a vertical acceleration SD of 0.25 m/s², so no walking region
//! lies inside a still period, and one that overlaps it reaches at most 4 s into it; the
//! contact detector reads 2 s beyond a region; a turn needs a yaw rate of 5 deg/s; a bout
//! ends at a step longer than 2.2 step periods (at most 2.4 s), so none spans a still
//! period. A cut lies at least [`CUT_CLEARANCE_S`] inside a still period, so at least 8 s
//! from any sample the contact, step and bout detectors read. Each piece is analysed with
//! [`OVERLAP_S`] more on either side, so that every filter that runs over the whole
//! recording (the 0.25 Hz gravity low-pass, the 0.5 Hz turn low-pass and the 5 Hz walking
//! low-pass, all zero-phase, started from rest) has the context it has in the whole
//! recording: their start-up transients decay below 10⁻¹⁶ well within that. Cuts fall on a
//! whole number of the blocks the detectors average over (0.1 s, 0.04 s, 0.02 s) that is
//! also a whole number of the walking windows' 1-s hop on their decimated grid, so windows
//! and blocks lie where they lie in the whole recording. A stretch of more than
//! [`MAX_PIECE_FACTOR`] times the piece length without a still period is cut anyway and the
//! report says so.
//!
//! **Whole-recording quantities**, and how each is handled:
//! - the nominal sampling interval and the uniformity of the timestamps: carried from the
//!   scan (exact); timestamps that are not uniform are read whole up to 10 million samples
//!   and refused beyond;
//! - the gravity magnitude subtracted from the vertical acceleration (the median over the
//!   recording's 0.1-s blocks): carried from the scan, which computes every block's gravity
//!   as the whole-file analysis does (the low-pass over segments with the same overlap);
//!   a constant offset of the vertical acceleration changes the contacts, through the
//!   filters' start-up at the edges of each walking stretch, so it cannot be local;
//! - the tilt from the declared axes (reported, and refused above 70°): carried from the
//!   scan, to [`TILT_BIN_DEG`];
//! - the forward-axis check (and a correction of the heading): local to each piece; the
//!   reported check is that of the piece with the most walking windows, and pieces that
//!   disagree are named in a note (on the fixtures every piece agrees);
//! - the units checks (acceleration in g, gyroscope in rad/s): local to each piece;
//! - the walking check: its sums are added over the pieces, each at its own median step;
//! - the summary, harmonic ratios and regularity: recomputed from the joined per-step,
//!   per-stride and per-bout values, in the order of the whole-file analysis.

use std::path::Path;

use crate::analyze::{self, AnalyzeOptions, Pieces, Progress, SessionAnalysis};
use crate::error::{Error, Location, Result};
use crate::gait::body_frame::{
    gravity_and_tilt, gravity_block, gravity_design_hz, gravity_lowpass, select_median, tilt_error,
    Alignment, G_MPS2, MAX_TILT_DEG,
};
use crate::gait::lower_back::{self, LowerBackOptions, LowerBackPart};
use crate::gait::quality::Check;
use crate::gait::walking_check::WalkingSums;
use crate::recording::imu_csv::ImuChunks;
use crate::recording::resample::{GridTiming, TimingScan, MAX_SAMPLES};
use crate::recording::session::missing_sensor_file;
use crate::recording::units::GyrUnit;
use crate::recording::{Axes, ImuTable, SensorEntry, Session, UniformImu};
use crate::signal::filter::Butterworth;

/// Sensor files larger than this are analysed in pieces by default, bytes (about 4 h at
/// 100 Hz).
pub const PIECES_ABOVE_BYTES: u64 = 100 << 20;
/// Default least length of a piece, s.
pub const DEFAULT_PIECE_S: f64 = 600.0;
/// A piece without a still period is cut after this many times the piece length.
pub const MAX_PIECE_FACTOR: usize = 4;
/// Shortest still period a cut is made in, s.
pub const MIN_STILL_S: f64 = 30.0;
/// Largest SD of the acceleration magnitude within a still 1-s block, m/s².
pub const STILL_ACC_SD_MPS2: f64 = 0.1;
/// Largest mean of each angular-velocity axis within a still 1-s block, deg/s.
pub const STILL_GYR_DPS: f64 = 3.0;
/// Least distance of a cut from the ends of its still period, s.
pub const CUT_CLEARANCE_S: f64 = 14.0;
/// Recording analysed with each piece before and after it, s.
pub const OVERLAP_S: f64 = 60.0;
/// Lines per chunk read from the file.
const CHUNK_LINES: usize = 1 << 16;
/// Most samples of a recording read in pieces (about 58 days at 100 Hz).
pub const MAX_PIECEWISE_SAMPLES: u64 = 500_000_000;

/// A still period, in data rows (0-based) of the file.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Still {
    start_row: u64,
    end_row: u64,
}

/// Finds still periods from rows fed in order (see the module docs).
#[derive(Debug, Default)]
struct StillFinder {
    row: u64,
    block_start_row: u64,
    block_start_s: f64,
    /// Σ|a|, Σ|a|², Σgyr per axis and rows of the current block.
    sums: (f64, f64, [f64; 3], f64),
    run_start_row: Option<u64>,
    run_start_s: f64,
    last_block_end_s: f64,
    found: Vec<Still>,
}

impl StillFinder {
    fn push(&mut self, t: &ImuTable, acc_scale: f64, gyr_scale: f64) {
        for i in 0..t.len() {
            let ts = t.time_s[i];
            if self.row == 0 {
                self.block_start_s = ts;
                self.last_block_end_s = ts;
            }
            if ts >= self.block_start_s + 1.0 {
                self.end_block(ts);
            }
            let a = (0..3)
                .map(|k| (t.acc_mps2[k][i] * acc_scale).powi(2))
                .sum::<f64>()
                .sqrt();
            self.sums.0 += a;
            self.sums.1 += a * a;
            for k in 0..3 {
                self.sums.2[k] += t.gyr_dps[k][i] * gyr_scale;
            }
            self.sums.3 += 1.0;
            self.row += 1;
        }
    }

    /// Closes the block that ends before the row at `next_s` (s).
    fn end_block(&mut self, next_s: f64) {
        let (s, s2, g, n) = self.sums;
        let still = n >= 2.0 && {
            let mean = s / n;
            let var = (s2 / n - mean * mean).max(0.0);
            var.sqrt() <= STILL_ACC_SD_MPS2 && g.iter().all(|v| (v / n).abs() <= STILL_GYR_DPS)
        };
        // a block that follows a gap longer than half a block is not still (no data)
        let contiguous = self.block_start_s - self.last_block_end_s <= 0.5;
        match (still && contiguous, self.run_start_row) {
            (true, None) => {
                self.run_start_row = Some(self.block_start_row);
                self.run_start_s = self.block_start_s;
            }
            (true, Some(_)) => {}
            (false, Some(start)) => {
                self.close_run(start, self.block_start_row, self.block_start_s);
                if still {
                    self.run_start_row = Some(self.block_start_row);
                    self.run_start_s = self.block_start_s;
                }
            }
            (false, None) => {}
        }
        self.last_block_end_s = next_s;
        self.block_start_s = next_s;
        self.block_start_row = self.row;
        self.sums = (0.0, 0.0, [0.0; 3], 0.0);
    }

    fn close_run(&mut self, start_row: u64, end_row: u64, end_s: f64) {
        if end_s - self.run_start_s >= MIN_STILL_S {
            self.found.push(Still { start_row, end_row });
        }
        self.run_start_row = None;
    }

    /// The still periods found (one still at the very end needs no cut).
    fn finish(self) -> Vec<Still> {
        self.found
    }
}

/// The gravity magnitude of every 0.1-s block of the whole recording, computed as
/// [`crate::gait::body_frame::to_body_frame`] computes it (block means, the zero-phase
/// 0.25 Hz low-pass, the norm) but over segments of [`GRAVITY_SEGMENT_BLOCKS`] with
/// [`OVERLAP_S`] on either side, so that only the block means of one segment are held.
struct GravityScan {
    /// The rate the blocks and the low-pass are laid out for ([`gravity_design_hz`]), Hz.
    design_hz: f64,
    d: usize,
    axes: Axes,
    lp: Butterworth,
    overlap: usize,
    /// Sum of the rows of the block being filled per axis (from -0.0 and in row order, as
    /// `Iterator::sum` adds), m/s², and their count.
    block_sums: [f64; 3],
    block_rows: usize,
    /// Block means not yet filtered, per axis.
    means: [Vec<f64>; 3],
    /// Blocks of `means` whose norms are already known (the lead-in of the next segment).
    lead_in: usize,
    norms: Vec<f64>,
    /// Count of blocks per [`TILT_BIN_DEG`] of tilt (it is only reported).
    tilt_bins: Vec<u32>,
    /// Sums of the acceleration per axis (for the message about a wrong up axis), m/s².
    acc_sums: [f64; 3],
    rows: u64,
}

/// Resolution of the reported tilt of a recording read in pieces, degrees.
pub const TILT_BIN_DEG: f64 = 1e-3;
/// Blocks filtered at once by [`GravityScan`] (1 h at 100 Hz).
const GRAVITY_SEGMENT_BLOCKS: usize = 36_000;

impl GravityScan {
    fn new(fs_hz: f64, axes: Axes) -> Self {
        let d = gravity_block(fs_hz);
        let design_hz = gravity_design_hz(fs_hz);
        GravityScan {
            design_hz,
            d,
            axes,
            lp: gravity_lowpass(fs_hz),
            overlap: (OVERLAP_S * design_hz / d as f64).ceil() as usize,
            block_sums: [-0.0; 3],
            block_rows: 0,
            means: Default::default(),
            lead_in: 0,
            norms: Vec::new(),
            tilt_bins: vec![0; (180.0 / TILT_BIN_DEG) as usize + 1],
            acc_sums: [0.0; 3],
            rows: 0,
        }
    }

    fn push(&mut self, t: &ImuTable, acc_scale: f64) {
        for i in 0..t.len() {
            for k in 0..3 {
                let mut v = t.acc_mps2[k][i];
                if acc_scale != 1.0 {
                    v *= acc_scale;
                }
                self.block_sums[k] += v;
                self.acc_sums[k] += v;
            }
            self.block_rows += 1;
            self.rows += 1;
            if self.block_rows == self.d {
                self.end_block();
            }
        }
        if self.means[0].len() >= GRAVITY_SEGMENT_BLOCKS + 2 * self.overlap {
            self.filter(false);
        }
    }

    fn end_block(&mut self) {
        for k in 0..3 {
            self.means[k].push(self.block_sums[k] / self.block_rows as f64);
        }
        self.block_sums = [-0.0; 3];
        self.block_rows = 0;
    }

    /// Filters the held block means and keeps the norms of all but the last `overlap`
    /// blocks (all of them at the end).
    fn filter(&mut self, last: bool) {
        let grav: Vec<Vec<f64>> = self.means.iter().map(|m| self.lp.filtfilt(m)).collect();
        let n = self.means[0].len();
        let keep_to = if last { n } else { n - self.overlap };
        for (norm, cos) in gravity_and_tilt([&grav[0], &grav[1], &grav[2]], self.axes)
            .skip(self.lead_in)
            .take(keep_to.saturating_sub(self.lead_in))
        {
            self.norms.push(norm);
            let bin = (cos.acos().to_degrees() / TILT_BIN_DEG) as usize;
            if let Some(c) = self.tilt_bins.get_mut(bin) {
                *c = c.saturating_add(1);
            }
        }
        // the next segment starts `overlap` blocks before the first block it keeps
        let drop = keep_to.saturating_sub(self.overlap);
        for m in self.means.iter_mut() {
            m.drain(..drop);
        }
        self.lead_in = keep_to - drop;
    }

    /// The alignment of the whole recording (median tilt and gravity) and its mean
    /// acceleration per axis, m/s².
    fn finish(mut self) -> (Alignment, [f64; 3]) {
        if self.block_rows > 0 {
            self.end_block();
        }
        if !self.means[0].is_empty() {
            self.filter(true);
        }
        // the bin of the block whose cosine has rank len / 2 (the median of to_body_frame):
        // rank len - 1 - len / 2 in degrees, by the bin's centre
        let len = self.norms.len() as u64;
        let mid = len.saturating_sub(1) - len / 2;
        let mut seen = 0u64;
        let mut tilt = 0.0;
        for (b, &c) in self.tilt_bins.iter().enumerate() {
            seen += u64::from(c);
            if seen > mid {
                tilt = (b as f64 + 0.5) * TILT_BIN_DEG;
                break;
            }
        }
        let n = self.rows.max(1) as f64;
        (
            Alignment {
                tilt_from_declared_deg: tilt,
                gravity_mps2: select_median(&mut self.norms).unwrap_or(G_MPS2),
            },
            self.acc_sums.map(|s| s / n),
        )
    }
}

/// What the scan found: timing, rows and still periods.
struct Scan {
    grid: GridTiming,
    rows: u64,
    still: Vec<Still>,
    /// Alignment of the whole recording.
    alignment: Alignment,
    /// Mean acceleration per sensor axis, m/s².
    mean_acc_mps2: [f64; 3],
    /// The gravity pass had to read the file again (the first chunk's rate laid out its
    /// blocks otherwise than the whole recording's); checked by the tests.
    #[cfg_attr(not(test), allow(dead_code))]
    gravity_read_again: bool,
}

/// A piece: the grid samples (= data rows of a uniform recording) it keeps, and those it
/// analyses (with the overlap).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    keep: (u64, u64),
    read: (u64, u64),
    /// Cut at its end without a still period.
    forced_end: bool,
}

/// Analyses a session's lower-back recording in pieces (see the module docs); `None` when
/// it is better read whole: timestamps that are not uniform (the piece's grid could not
/// follow the recording's exactly) within [`MAX_SAMPLES`].
pub fn analyze_session_in_pieces(
    dir: &Path,
    session: &Session,
    entry: &SensorEntry,
    opts: &AnalyzeOptions,
    progress: &dyn Fn(Progress),
) -> Result<Option<SessionAnalysis>> {
    let path = session.sensor_path(dir, entry);
    let (info, sensor_height_m, sensor_height_source) = analyze::session_info(session, opts);
    let total_bytes = std::fs::metadata(&path)
        .map(|m| 2 * m.len())
        .map_err(|e| missing_sensor_file(dir, entry, Error::io(&path, e)))?;
    let scan = scan(&path, opts, entry.axes, &|done| {
        progress(Progress {
            done_bytes: done,
            total_bytes,
        })
    })
    .map_err(|e| missing_sensor_file(dir, entry, e))?;
    let Some(scan) = scan else {
        return Ok(None);
    };
    if scan.alignment.tilt_from_declared_deg > MAX_TILT_DEG {
        return Err(tilt_error(
            scan.alignment.tilt_from_declared_deg,
            entry.axes,
            nalgebra::Vector3::from(scan.mean_acc_mps2),
            &path,
        ));
    }
    let fs = 1.0 / scan.grid.interval_s;
    let target = match opts.pieces {
        Pieces::Samples(n) => n.max(1) as u64,
        _ => (DEFAULT_PIECE_S * fs) as u64,
    };
    let Some(align) = alignment_samples(fs) else {
        // no cut can keep the detectors' grids: read whole what can be read whole
        if scan.rows <= MAX_SAMPLES as u64 {
            return Ok(None);
        }
        return Err(Error::input(
            Location::file(&path),
            format!(
                "this long recording's sampling rate ({fs:.4} Hz) cannot be cut into pieces that keep the detectors' timing: resample it to a whole rate such as 100 Hz, or split it"
            ),
        ));
    };
    let pieces = plan(&scan, fs, target, align);
    let lb_opts = LowerBackOptions {
        sensor_height_m,
        recording_alignment: Some(scan.alignment),
        ..LowerBackOptions::default()
    };
    let half = total_bytes / 2;
    let mut joined = Joined::default();
    let mut sums = WalkingSums::default();
    let mut chunks = ReadAhead::open(&path, CHUNK_LINES)?;
    // the chunks read and still needed, each with the grid sample (row) of its first row
    let mut held: std::collections::VecDeque<(u64, ImuTable)> = Default::default();
    let mut next_row = 0u64;
    let mut chunk_done = false;
    for (k, piece) in pieces.iter().enumerate() {
        // drop the chunks no later piece reads
        while held
            .front()
            .is_some_and(|(start, c)| start + c.len() as u64 <= piece.read.0)
        {
            held.pop_front();
        }
        while next_row < piece.read.1 && !chunk_done {
            match chunks.next() {
                Some(chunk) => {
                    let chunk = chunk?;
                    let rows = chunk.len() as u64;
                    held.push_back((next_row, chunk));
                    next_row += rows;
                    progress(Progress {
                        done_bytes: half + chunks.bytes_read(),
                        total_bytes,
                    });
                }
                None => chunk_done = true,
            }
        }
        let table = rows_of(&held, piece.read);
        let table = analyze::checked_table(table, &path, opts)?;
        let mut imu = UniformImu::from_owned_piece(table, opts.max_fill_s, scan.grid);
        analyze::add_recorded_gaps(&mut imu, session, entry.placement);
        let part = lower_back::analyze_part(&imu, entry.axes, &path, &lb_opts)?;
        let t0 = imu.t0_s;
        let from_s = t0 + (piece.keep.0 - piece.read.0) as f64 / fs;
        let to_s = t0 + (piece.keep.1 - piece.read.0) as f64 / fs;
        let last = k + 1 == pieces.len();
        let kept = joined.add(part, from_s, if last { f64::INFINITY } else { to_s });
        sums.add(&analyze::walking_sums_of(&imu, &kept.0, &kept.1));
        if piece.forced_end {
            joined.forced_cuts.push(to_s);
        }
    }
    let mut part = joined
        .part
        .ok_or_else(|| Error::input(Location::file(&path), "no samples after the header"))?;
    part.duration_s = scan.rows as f64 / fs;
    part.fs_hz = fs;
    part.alignment = scan.alignment;
    let mut g = lower_back::finish(part, &lb_opts);
    if !joined.forward_differs.is_empty() {
        g.notes.push(format!(
            "This long recording was analysed in pieces, and the forward-axis check of the pieces starting at {} s differs from the one reported.",
            joined
                .forward_differs
                .iter()
                .map(|t| format!("{t:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !joined.forced_cuts.is_empty() {
        g.notes.push(format!(
            "This long recording was analysed in pieces, cut at {} s without a still period of {MIN_STILL_S:.0} s nearby: events within a minute of those times may differ slightly from an analysis of the whole.",
            joined
                .forced_cuts
                .iter()
                .map(|t| format!("{t:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    analyze::lower_back_checks(
        &mut g,
        sums.evidence(),
        &path,
        sensor_height_m,
        sensor_height_source.as_deref(),
    )?;
    Ok(Some(SessionAnalysis {
        source: dir.to_path_buf(),
        session: info,
        gait: Some(g),
        legs: None,
    }))
}

/// Reads the whole file once: checks every line, measures the timing, finds still periods;
/// `None` when the file is better read whole (see [`analyze_session_in_pieces`]).
fn scan(
    path: &Path,
    opts: &AnalyzeOptions,
    axes: Axes,
    progress: &dyn Fn(u64),
) -> Result<Option<Scan>> {
    let mut chunks = ReadAhead::open(path, CHUNK_LINES)?;
    let mut timing = TimingScan::default();
    let mut still = StillFinder::default();
    // the blocks and the low-pass follow the rate, known exactly only at the end: they are
    // laid out for the first chunk's rate, and the gravity is computed again if the whole
    // recording's rate lays them out otherwise (its estimate rarely differs by 1 µHz)
    let mut gravity: Option<GravityScan> = None;
    let acc_scale = match opts.acc_unit {
        analyze::AccUnit::G => G_MPS2,
        analyze::AccUnit::MetresPerSecondSquared => 1.0,
    };
    let gyr_scale = match opts.gyr_unit {
        GyrUnit::RadiansPerSecond => 180.0 / std::f64::consts::PI,
        GyrUnit::DegreesPerSecond => 1.0,
    };
    while let Some(chunk) = chunks.next() {
        let chunk = chunk?;
        timing.push(&chunk.time_s);
        if timing.rows() > MAX_PIECEWISE_SAMPLES {
            return Err(Error::input(
                Location::file(path),
                format!(
                    "more than {MAX_PIECEWISE_SAMPLES} samples; gaitkit reads at most that many per sensor: split the recording"
                ),
            ));
        }
        still.push(&chunk, acc_scale, gyr_scale);
        if gravity.is_none() && timing.rows() == chunk.len() as u64 {
            if let Some(Ok(g)) = timing.finish() {
                gravity = Some(GravityScan::new(1.0 / g.interval_s, axes));
            }
        }
        if let Some(g) = gravity.as_mut() {
            g.push(&chunk, acc_scale);
        }
        progress(chunks.bytes_read());
    }
    if timing.rows() == 0 {
        return Err(Error::input(
            Location::file(path),
            "no samples after the header",
        ));
    }
    let grid = match timing.finish() {
        Some(Ok(g)) => g,
        Some(Err(e)) => {
            let location = match e {
                crate::recording::resample::TimingError::TooMuchMissing { .. } => {
                    Location::line(path, timing.largest_step_row() + 1)
                }
                _ => Location::file(path),
            };
            return Err(Error::input(location, e.to_string()));
        }
        None if timing.rows() <= MAX_SAMPLES as u64 => return Ok(None),
        None => {
            return Err(Error::input(
                Location::file(path),
                "the timestamps are too irregular to analyse this long recording in pieces: resample it to a steady rate or split it",
            ))
        }
    };
    if !grid.uniform {
        // a piece's grid would start at its own first timestamp, not on the recording's
        if timing.rows() <= MAX_SAMPLES as u64 {
            return Ok(None);
        }
        return Err(Error::input(
            Location::file(path),
            format!(
                "the timestamps of this recording of {} samples are not uniform (intervals vary by more than 1 %), and so long a recording can only be read in pieces with uniform timestamps: resample it to a steady rate, or split it",
                timing.rows()
            ),
        ));
    }
    let fs = 1.0 / grid.interval_s;
    let gravity_read_again = !gravity
        .as_ref()
        .is_some_and(|g| g.design_hz == gravity_design_hz(fs) && g.rows == timing.rows());
    let (alignment, mean_acc_mps2) = match gravity {
        Some(g) if !gravity_read_again => g.finish(),
        _ => {
            let mut g = GravityScan::new(fs, axes);
            for chunk in ImuChunks::open(path, CHUNK_LINES)? {
                g.push(&chunk?, acc_scale);
            }
            g.finish()
        }
    };
    Ok(Some(Scan {
        grid,
        rows: timing.rows(),
        still: still.finish(),
        alignment,
        mean_acc_mps2,
        gravity_read_again,
    }))
}

/// Cuts the recording into pieces of at least `target` samples (see the module docs).
fn plan(scan: &Scan, fs: f64, target: u64, align: u64) -> Vec<Piece> {
    let overlap = ((OVERLAP_S * fs) as u64).div_ceil(align) * align;
    let clearance = (CUT_CLEARANCE_S * fs).ceil() as u64;
    // where a cut may fall: at least CUT_CLEARANCE_S inside a still period, on a whole block
    let allowed: Vec<(u64, u64)> = scan
        .still
        .iter()
        .filter_map(|s| {
            let lo = (s.start_row + clearance).div_ceil(align) * align;
            let hi = s.end_row.saturating_sub(clearance) / align * align;
            (lo <= hi).then_some((lo, hi))
        })
        .collect();
    let n = scan.rows;
    let max_len = target.saturating_mul(MAX_PIECE_FACTOR as u64).max(align);
    let mut pieces = Vec::new();
    let mut start = 0u64;
    let mut ai = 0usize;
    while start < n {
        let want = start + target;
        while ai < allowed.len() && allowed[ai].1 < want {
            ai += 1;
        }
        let cut = allowed
            .get(ai)
            .map(|&(lo, _)| lo.max(want.div_ceil(align) * align));
        let (end, forced) = match cut {
            Some(c) if c - start <= max_len && c < n => (c, false),
            _ if n - start <= max_len => (n, false),
            _ => (((start + max_len) / align * align).max(start + align), true),
        };
        let end = end.min(n);
        pieces.push(Piece {
            keep: (start, end),
            read: (start.saturating_sub(overlap), (end + overlap).min(n)),
            forced_end: forced && end < n,
        });
        start = end;
    }
    pieces
}

/// Samples every cut is a multiple of: a whole number of the blocks the gravity and turn
/// low-passes (0.1 s), the walking and contact detectors (0.04 s) and the vertical position
/// (0.02 s) average over, that is also a whole number of the walking windows' 1-s hop on
/// their decimated grid (so the windows of a piece start where those of the whole recording
/// do). `None` when no such length up to 1000 s exists at this rate.
fn alignment_samples(fs: f64) -> Option<u64> {
    let d10 = (fs / 10.0).floor().max(1.0) as u64;
    let d25 = (fs / 25.0).floor().max(1.0) as u64;
    let d50 = (fs / 50.0).floor().max(1.0) as u64;
    let blocks = [d10, d25, d50].into_iter().fold(1, lcm);
    let fs_d = fs / d25 as f64;
    (1..=1000u64).find_map(|k| {
        // k hops of the windows, in decimated samples, must be a whole number
        let hops_d = k as f64 * fs_d;
        let whole = hops_d.round();
        let p = whole as u64 * d25;
        ((hops_d - whole).abs() < 1e-6 && p > 0 && p % blocks == 0).then_some(p)
    })
}

fn lcm(a: u64, b: u64) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    a / gcd(a, b) * b
}

/// The pieces' parts joined so far.
#[derive(Default)]
struct Joined {
    part: Option<LowerBackPart>,
    /// Walking windows behind the reported forward-axis check.
    forward_windows: f64,
    /// Start (s) of pieces whose forward-axis check differs from the reported one.
    forward_differs: Vec<f64>,
    forced_cuts: Vec<f64>,
}

impl Joined {
    /// Adds what `p` finds starting in [from_s, to_s); returns those steps and bouts (for the
    /// walking check).
    fn add(
        &mut self,
        p: LowerBackPart,
        from_s: f64,
        to_s: f64,
    ) -> (
        Vec<crate::gait::analysis::Step>,
        Vec<crate::gait::walking_bouts::WalkingBout>,
    ) {
        let inside = |t: f64| t >= from_s && t < to_s;
        let kept: Vec<bool> = p.bouts.iter().map(|b| inside(b.start_s)).collect();
        let base = self.part.as_ref().map_or(0, |j| j.bouts.len());
        let mut renumber = vec![None; kept.len()];
        let mut next = base;
        for (i, &k) in kept.iter().enumerate() {
            if k {
                renumber[i] = Some(next);
                next += 1;
            }
        }
        let map = |b: usize| renumber.get(b).copied().flatten();
        let bouts: Vec<_> = p
            .bouts
            .iter()
            .zip(&kept)
            .filter(|(_, &k)| k)
            .map(|(b, _)| b.clone())
            .collect();
        let steps = renumbered(&p.steps, map, |s| s.bout, |s, b| s.bout = b);
        let strides = renumbered(&p.strides, map, |s| s.bout, |s, b| s.bout = b);
        let laterality: Vec<Check> = p
            .laterality
            .iter()
            .filter_map(|c| {
                let b = map(c.bout?)?;
                let mut c = c.clone();
                c.bout = Some(b);
                Some(c)
            })
            .collect();
        let harmonics: Vec<_> = p
            .harmonics
            .iter()
            .filter_map(|&(b, v)| map(b).map(|b| (b, v)))
            .collect();
        let regularity: Vec<_> = p
            .regularity
            .iter()
            .filter_map(|&(b, v, d)| map(b).map(|b| (b, v, d)))
            .collect();
        let windows = p
            .forward_axis
            .numbers
            .get("windows")
            .copied()
            .unwrap_or(0.0);
        let piece = LowerBackPart {
            fs_hz: p.fs_hz,
            duration_s: p.duration_s,
            alignment: p.alignment,
            forward_axis: p.forward_axis.clone(),
            gaps: p.gaps.into_iter().filter(|g| inside(g.start_s)).collect(),
            bouts: bouts.clone(),
            turns: p.turns.into_iter().filter(|t| inside(t.start_s)).collect(),
            uncertain_turns: p
                .uncertain_turns
                .into_iter()
                .filter(|t| inside(t.start_s))
                .collect(),
            initial_contacts: p
                .initial_contacts
                .into_iter()
                .filter(|c| inside(c.t_s))
                .collect(),
            cue_feet: p.cue_feet.into_iter().filter(|c| inside(c.t_s)).collect(),
            final_contacts: p
                .final_contacts
                .into_iter()
                .filter(|c| inside(c.t_s))
                .collect(),
            steps: steps.clone(),
            strides,
            laterality,
            harmonics,
            regularity,
        };
        match &mut self.part {
            None => {
                self.forward_windows = windows;
                self.part = Some(piece);
            }
            Some(j) => {
                let same = j.forward_axis.outcome == piece.forward_axis.outcome
                    && j.forward_axis.numbers.get("applied_deg")
                        == piece.forward_axis.numbers.get("applied_deg");
                if windows > self.forward_windows {
                    if !same {
                        self.forward_differs.push(j_start(j));
                    }
                    self.forward_windows = windows;
                    j.forward_axis = piece.forward_axis;
                } else if !same {
                    self.forward_differs.push(from_s);
                }
                j.gaps.extend(piece.gaps);
                j.bouts.extend(piece.bouts);
                j.turns.extend(piece.turns);
                j.uncertain_turns.extend(piece.uncertain_turns);
                j.initial_contacts.extend(piece.initial_contacts);
                j.cue_feet.extend(piece.cue_feet);
                j.final_contacts.extend(piece.final_contacts);
                j.steps.extend(piece.steps);
                j.strides.extend(piece.strides);
                j.laterality.extend(piece.laterality);
                j.harmonics.extend(piece.harmonics);
                j.regularity.extend(piece.regularity);
            }
        }
        (steps, bouts)
    }
}

/// Start of the recording joined so far (for a note), s.
fn j_start(j: &LowerBackPart) -> f64 {
    j.bouts.first().map_or(0.0, |b| b.start_s)
}

/// [`ImuChunks`] parsed one chunk ahead on a thread of its own, so that the parsing of the
/// next chunk overlaps the work on this one: the same chunks, errors and byte counts in the
/// same order, and at most two parsed chunks waiting (about 7 MB at 100 Hz). Reading stops
/// after the first error, as [`ImuChunks`] does; dropping it stops the thread.
struct ReadAhead {
    source: AheadSource,
    bytes_read: u64,
}

enum AheadSource {
    Thread {
        rx: Option<std::sync::mpsc::Receiver<(Result<ImuTable>, u64)>>,
        worker: Option<std::thread::JoinHandle<()>>,
    },
    /// No thread could be started: read here.
    Here(ImuChunks),
}

impl ReadAhead {
    /// Opens `path` as [`ImuChunks::open`] does.
    fn open(path: &Path, lines_per_chunk: usize) -> Result<ReadAhead> {
        let mut chunks = ImuChunks::open(path, lines_per_chunk)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("gaitkit-read-ahead".into())
            .spawn(move || {
                while let Some(chunk) = chunks.next() {
                    let failed = chunk.is_err();
                    if tx.send((chunk, chunks.bytes_read())).is_err() || failed {
                        break;
                    }
                }
            });
        let source = match spawned {
            Ok(worker) => AheadSource::Thread {
                rx: Some(rx),
                worker: Some(worker),
            },
            Err(_) => AheadSource::Here(ImuChunks::open(path, lines_per_chunk)?),
        };
        Ok(ReadAhead {
            source,
            bytes_read: 0,
        })
    }

    /// Bytes of the file read up to the last chunk returned.
    fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

impl Iterator for ReadAhead {
    type Item = Result<ImuTable>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            AheadSource::Thread { rx, .. } => {
                let (chunk, bytes) = rx.as_ref()?.recv().ok()?;
                self.bytes_read = bytes;
                Some(chunk)
            }
            AheadSource::Here(chunks) => {
                let chunk = chunks.next()?;
                self.bytes_read = chunks.bytes_read();
                Some(chunk)
            }
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        if let AheadSource::Thread { rx, worker } = &mut self.source {
            // the thread's next send fails once the receiver is gone
            drop(rx.take());
            if let Some(w) = worker.take() {
                let _ = w.join();
            }
        }
    }
}

/// Rows `from..to` (grid samples) of the held chunks, as far as they reach, in one table.
fn rows_of(held: &std::collections::VecDeque<(u64, ImuTable)>, (from, to): (u64, u64)) -> ImuTable {
    let ranges: Vec<(&ImuTable, std::ops::Range<usize>)> = held
        .iter()
        .filter_map(|(start, c)| {
            let end = start + c.len() as u64;
            let (lo, hi) = (from.max(*start), to.min(end));
            (lo < hi).then(|| (c, (lo - start) as usize..(hi - start) as usize))
        })
        .collect();
    let len = ranges.iter().map(|(_, r)| r.len()).sum();
    let column = |pick: &dyn Fn(&ImuTable) -> &[f64]| {
        let mut v = Vec::with_capacity(len);
        for (c, r) in &ranges {
            v.extend_from_slice(&pick(c)[r.clone()]);
        }
        v
    };
    ImuTable {
        time_s: column(&|c| &c.time_s),
        acc_mps2: std::array::from_fn(|k| column(&|c| &c.acc_mps2[k])),
        gyr_dps: std::array::from_fn(|k| column(&|c| &c.gyr_dps[k])),
    }
}

/// The items whose bout is kept, each with its bout number mapped (`None` = bout dropped).
fn renumbered<T: Clone>(
    items: &[T],
    map: impl Fn(usize) -> Option<usize>,
    bout: impl Fn(&T) -> usize,
    set: impl Fn(&mut T, usize),
) -> Vec<T> {
    items
        .iter()
        .filter_map(|item| {
            map(bout(item)).map(|b| {
                let mut item = item.clone();
                set(&mut item, b);
                item
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_reads_the_file_once_when_its_first_chunk_estimates_the_rate_in_other_bits() {
        // 100 Hz with six-decimal timestamps: the first chunk's nominal rate and the whole
        // recording's differ in their last bits
        let dir = tempfile::tempdir().unwrap();
        let rows = CHUNK_LINES * 3 + 1234;
        let mut csv = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
        for i in 0..rows {
            let t = i as f64 * 0.01;
            csv += &format!(
                "{t:.6},{:.6},0.100000,-0.200000,{:.6},0.000000,0.000000\n",
                9.81 + 0.3 * (t * 11.0).sin(),
                (t * 3.0).cos()
            );
        }
        let path = dir.path().join("lower_back.csv");
        std::fs::write(&path, &csv).unwrap();
        use crate::recording::axes::Direction;
        let axes = Axes([Direction::Up, Direction::Right, Direction::Forward]);
        let first: ImuTable = ImuChunks::open(&path, CHUNK_LINES)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let mut t = TimingScan::default();
        t.push(&first.time_s);
        let first_dt = t.finish().unwrap().unwrap().interval_s;
        let s = scan(&path, &AnalyzeOptions::default(), axes, &|_| {})
            .unwrap()
            .unwrap();
        assert_eq!(s.rows, rows as u64);
        assert_ne!(first_dt.to_bits(), s.grid.interval_s.to_bits());
        assert_eq!(gravity_block(1.0 / first_dt), 10);
        assert!(!s.gravity_read_again);
        // the alignment is the one of the file read whole
        let whole = ImuTable::read(&path).unwrap();
        let imu = UniformImu::from_owned_piece(whole, 0.0, s.grid);
        let (_, a) = crate::gait::body_frame::to_body_frame_with(&imu, axes, &path, None).unwrap();
        assert_eq!(a.gravity_mps2.to_bits(), s.alignment.gravity_mps2.to_bits());
    }

    #[test]
    fn read_ahead_gives_the_chunks_errors_and_byte_counts_of_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
        for i in 0..1000 {
            csv += &format!("{},0.1,9.81,-0.2,1.5,-2,{}\n", i as f64 / 100.0, i % 7);
        }
        let good = dir.path().join("good.csv");
        std::fs::write(&good, &csv).unwrap();
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, csv.replacen("5.55,", "5.55x,", 1)).unwrap();
        for path in [&good, &bad] {
            for lines in [1, 7, 64, 5000] {
                let mut serial = ImuChunks::open(path, lines).unwrap();
                let mut ahead = ReadAhead::open(path, lines).unwrap();
                let mut n = 0;
                loop {
                    let (a, b) = (serial.next(), ahead.next());
                    assert_eq!(serial.bytes_read(), ahead.bytes_read());
                    match (a, b) {
                        (None, None) => break,
                        (Some(Ok(a)), Some(Ok(b))) => assert_eq!(a, b),
                        (Some(Err(a)), Some(Err(b))) => assert_eq!(a.to_string(), b.to_string()),
                        (a, b) => panic!(
                            "chunk {n}: {:?} against {:?}",
                            a.map(|r| r.map(|t| t.len())),
                            b.map(|r| r.map(|t| t.len()))
                        ),
                    }
                    n += 1;
                }
                assert!(n > 0);
            }
        }
        // stopped early, the thread ends
        let mut ahead = ReadAhead::open(&good, 1).unwrap();
        assert!(ahead.next().is_some());
        drop(ahead);
    }
}
