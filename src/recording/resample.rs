//! Irregular wireless timestamps → one uniform grid.
//!
//! Method: the grid step is the median sampling interval; each grid value is the linear
//! interpolation between the two recorded samples around it. An interval longer than 1.5
//! nominal steps is a *gap*. Gaps up to `max_fill_s` are bridged by that interpolation and
//! reported as filled; longer gaps are also reported and split the recording into
//! [`UniformImu::segments`], which the analyses process separately, so no event or step is
//! ever computed across missing data.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use super::imu_csv::ImuTable;
use crate::error::{Error, Location};

/// Default longest gap bridged by interpolation, s (a few samples at 50–200 Hz).
pub const DEFAULT_MAX_FILL_S: f64 = 0.1;
/// Longest gap that may be bridged by interpolation (`--max-gap-fill-s`), s: beyond a second
/// an interpolated line is no longer a plausible trunk or leg movement.
pub const MAX_FILL_LIMIT_S: f64 = 1.0;
/// Slowest sampling rate accepted, Hz: gait events need ≥ 10 samples per step.
pub const MIN_RATE_HZ: f64 = 10.0;
/// Fastest sampling rate accepted, Hz (body-worn IMUs stream at most a few hundred Hz to a
/// few kHz).
pub const MAX_RATE_HZ: f64 = 2000.0;
/// Most samples per sensor, read or on the uniform grid (27.8 h at 100 Hz): bounds memory.
pub const MAX_SAMPLES: usize = 10_000_000;
/// Grid samples of missing data allowed beyond the number of recorded samples (10 min at
/// 100 Hz): gaps are bridged on the grid only up to the recorded time or this, so memory stays
/// proportional to the rows read, plus a small constant, whatever the timestamps say.
pub const MAX_EXTRA_MISSING_SAMPLES: usize = 60_000;

/// Nominal sampling and grid size of a time column that passed [`check_timing`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Nominal sampling interval (see [`UniformImu::from_table`]), s.
    pub interval_s: f64,
    /// Samples on the uniform grid from the first to the last timestamp.
    pub grid_len: usize,
}

/// Why timestamps cannot be put on a uniform grid.
#[derive(Debug, Clone, PartialEq)]
pub enum TimingError {
    /// The median interval gives a rate outside [`MIN_RATE_HZ`]–[`MAX_RATE_HZ`].
    Rate { interval_s: f64 },
    /// The timestamps span more grid samples than [`MAX_SAMPLES`].
    TooManySamples { span_s: f64, rate_hz: f64 },
    /// More time is missing than is recorded (or [`MAX_EXTRA_MISSING_SAMPLES`]).
    TooMuchMissing {
        rows: usize,
        span_s: f64,
        rate_hz: f64,
        largest_step: (f64, f64),
    },
}

impl fmt::Display for TimingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TimingError::Rate { interval_s } => {
                let rate = 1.0 / interval_s;
                write!(
                    f,
                    "time_s: the samples are {} s apart (median), i.e. {} Hz; gaitkit reads {MIN_RATE_HZ:.0}–{MAX_RATE_HZ:.0} Hz",
                    short(interval_s),
                    short(rate)
                )?;
                let in_range = |scale: f64| {
                    (MIN_RATE_HZ..=MAX_RATE_HZ).contains(&(1.0 / (interval_s * scale)))
                };
                if in_range(1e-3) {
                    write!(f, ". time_s looks like milliseconds: divide it by 1000")
                } else if in_range(1e-6) {
                    write!(f, ". time_s looks like microseconds: divide it by 1 000 000")
                } else if in_range(1e-9) {
                    write!(f, ". time_s looks like nanoseconds: divide it by 10⁹")
                } else {
                    write!(f, ". time_s must be in seconds")
                }
            }
            TimingError::TooManySamples { span_s, rate_hz } => write!(
                f,
                "time_s spans {} s, i.e. {} samples at {} Hz; gaitkit reads at most {MAX_SAMPLES} samples per sensor: check the time column or split the recording",
                short(span_s),
                short(span_s * rate_hz),
                short(rate_hz)
            ),
            TimingError::TooMuchMissing {
                rows,
                span_s,
                rate_hz,
                largest_step: (from, to),
            } => write!(
                f,
                "time_s jumps from {} to {} s: the {rows} samples at {} Hz cover {} s, but the timestamps span {} s; \
                 gaitkit bridges missing time only up to the recorded time or {} s ({MAX_EXTRA_MISSING_SAMPLES} samples), \
                 whichever is longer. Check the time column here, or split the recording at this line",
                short(from),
                short(to),
                short(rate_hz),
                short(rows as f64 / rate_hz),
                short(span_s),
                short(MAX_EXTRA_MISSING_SAMPLES as f64 / rate_hz)
            ),
        }
    }
}

/// A number for a message: 4 significant digits, no 300-digit expansions.
pub(crate) fn short(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v != 0.0 && (v.abs() >= 1e7 || v.abs() < 1e-3) {
        return format!("{v:.3e}");
    }
    let digits = if v == 0.0 {
        0
    } else {
        (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize
    };
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

impl TimingError {
    /// The error located in the file `path`.
    pub fn at(self, path: &Path) -> Error {
        Error::input(Location::file(path), self.to_string())
    }
}

impl From<TimingError> for Error {
    fn from(e: TimingError) -> Self {
        Error::input(Location::file("sensor data"), e.to_string())
    }
}

/// Checks that strictly increasing timestamps can be put on a uniform grid within the
/// bounds: rate 10–2000 Hz, at most [`MAX_SAMPLES`] grid samples, and no more missing grid
/// samples than recorded ones or [`MAX_EXTRA_MISSING_SAMPLES`], whichever is more. Runs in O(n) and allocates only the
/// interval list, before anything is sized by the timestamps.
pub fn check_timing(t: &[f64]) -> Result<Timing, TimingError> {
    let n = t.len();
    if n < 2 {
        return Ok(Timing {
            interval_s: median_interval(t),
            grid_len: n,
        });
    }
    let dt = median_interval(t);
    let rate_hz = 1.0 / dt;
    if !(dt.is_finite() && dt > 0.0 && (MIN_RATE_HZ..=MAX_RATE_HZ).contains(&rate_hz)) {
        return Err(TimingError::Rate { interval_s: dt });
    }
    let span_s = t[n - 1] - t[0];
    let grid = (span_s / dt + 1e-9).floor() + 1.0;
    if grid.is_nan() || grid > MAX_SAMPLES as f64 {
        return Err(TimingError::TooManySamples { span_s, rate_hz });
    }
    let missing = grid - n as f64;
    if missing > (n.max(MAX_EXTRA_MISSING_SAMPLES)) as f64 {
        let k = (1..n)
            .max_by(|&a, &b| (t[a] - t[a - 1]).total_cmp(&(t[b] - t[b - 1])))
            .unwrap_or(1);
        return Err(TimingError::TooMuchMissing {
            rows: n,
            span_s,
            rate_hz,
            largest_step: (t[k - 1], t[k]),
        });
    }
    Ok(Timing {
        interval_s: dt,
        grid_len: grid as usize,
    })
}

/// A time range with no recorded samples, seconds on the recording's timeline.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Gap {
    /// Time of the last sample before the gap.
    pub start_s: f64,
    /// Time of the first sample after the gap.
    pub end_s: f64,
    /// True if the gap was short enough to be bridged by interpolation.
    pub filled: bool,
}

impl Gap {
    pub fn duration_s(&self) -> f64 {
        self.end_s - self.start_s
    }
}

/// The grid a table's time column is put on: its [`check_timing`] and whether every interval
/// is within 1 % of the nominal one (then the samples are taken as they are).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableGrid {
    pub timing: Timing,
    pub uniform: bool,
}

impl TableGrid {
    /// The grid of the time column `t` (s), or why it has none.
    pub fn of(t: &[f64]) -> Result<TableGrid, TimingError> {
        let timing = check_timing(t)?;
        let dt = timing.interval_s;
        let uniform = t.len() < 2
            || t.windows(2)
                .all(|w| ((w[1] - w[0]) - dt).abs() <= 0.01 * dt);
        Ok(TableGrid { timing, uniform })
    }
}

/// Uniformly sampled IMU data in sensor axes.
#[derive(Debug, Clone, PartialEq)]
pub struct UniformImu {
    pub fs_hz: f64,
    /// Time of sample 0, s.
    pub t0_s: f64,
    pub acc_mps2: [Vec<f64>; 3],
    pub gyr_dps: [Vec<f64>; 3],
    pub gaps: Vec<Gap>,
}

/// Samples on a piece's grid of `interval_s` from its first to its last timestamp.
fn piece_grid_len(time_s: &[f64], interval_s: f64) -> usize {
    match (time_s.first(), time_s.last()) {
        (Some(a), Some(b)) if time_s.len() >= 2 => {
            ((((b - a) / interval_s) + 1e-9).floor() + 1.0) as usize
        }
        _ => time_s.len(),
    }
}

impl UniformImu {
    pub fn len(&self) -> usize {
        self.acc_mps2[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn time_s(&self, i: usize) -> f64 {
        self.t0_s + i as f64 / self.fs_hz
    }

    pub fn duration_s(&self) -> f64 {
        self.len() as f64 / self.fs_hz
    }

    /// Sample ranges of continuous data, separated by the gaps that were not filled.
    pub fn segments(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0usize;
        for g in self.gaps.iter().filter(|g| !g.filled) {
            // last grid sample at or before the gap start, first at or after its end
            let end = (((g.start_s - self.t0_s) * self.fs_hz + 1e-6).floor() as usize + 1)
                .min(self.len());
            if end > start {
                out.push(start..end);
            }
            start = (((g.end_s - self.t0_s) * self.fs_hz - 1e-6).ceil().max(0.0) as usize)
                .min(self.len());
        }
        if start < self.len() {
            out.push(start..self.len());
        }
        out
    }

    /// Resamples a table onto a uniform grid (see the module docs). Refuses timestamps that
    /// [`check_timing`] refuses (every table read from a file has already passed it), so the
    /// grid never holds more than [`MAX_SAMPLES`] nor more than twice the table's rows plus
    /// [`MAX_EXTRA_MISSING_SAMPLES`].
    pub fn from_table(table: &ImuTable, max_fill_s: f64) -> Result<UniformImu, TimingError> {
        Self::from_cow(Cow::Borrowed(table), max_fill_s)
    }

    /// [`UniformImu::from_table`] of a table no longer needed: uniform samples are moved,
    /// not copied.
    pub fn from_owned_table(table: ImuTable, max_fill_s: f64) -> Result<UniformImu, TimingError> {
        Self::from_cow(Cow::Owned(table), max_fill_s)
    }

    fn from_cow(table: Cow<'_, ImuTable>, max_fill_s: f64) -> Result<UniformImu, TimingError> {
        let grid = TableGrid::of(&table.time_s)?;
        Ok(Self::on_table_grid(table, max_fill_s, grid))
    }

    /// [`UniformImu::from_owned_table`] with the grid already measured on the table's time
    /// column ([`TableGrid::of`]).
    pub fn from_owned_table_on(table: ImuTable, max_fill_s: f64, grid: TableGrid) -> UniformImu {
        Self::on_table_grid(Cow::Owned(table), max_fill_s, grid)
    }

    fn on_table_grid(table: Cow<'_, ImuTable>, max_fill_s: f64, grid: TableGrid) -> UniformImu {
        Self::on_grid(
            table,
            max_fill_s,
            grid.timing.interval_s,
            grid.uniform,
            grid.timing.grid_len,
        )
    }

    /// Resamples one piece of a recording on the grid of the whole recording (its nominal
    /// interval and uniformity, see [`TimingScan`]); the piece's grid starts at its first
    /// timestamp.
    pub fn from_piece(table: &ImuTable, max_fill_s: f64, grid: GridTiming) -> UniformImu {
        let grid_len = piece_grid_len(&table.time_s, grid.interval_s);
        Self::on_grid(
            Cow::Borrowed(table),
            max_fill_s,
            grid.interval_s,
            grid.uniform,
            grid_len,
        )
    }

    /// [`UniformImu::from_piece`] of a piece no longer needed: uniform samples are moved.
    pub fn from_owned_piece(table: ImuTable, max_fill_s: f64, grid: GridTiming) -> UniformImu {
        let grid_len = piece_grid_len(&table.time_s, grid.interval_s);
        Self::on_grid(
            Cow::Owned(table),
            max_fill_s,
            grid.interval_s,
            grid.uniform,
            grid_len,
        )
    }

    fn on_grid(
        table: Cow<'_, ImuTable>,
        max_fill_s: f64,
        dt: f64,
        uniform: bool,
        m: usize,
    ) -> UniformImu {
        let t = &table.time_s;
        let n = t.len();
        let fs_hz = 1.0 / dt;
        let mut gaps = Vec::new();
        for w in t.windows(2) {
            let d = w[1] - w[0];
            if d > 1.5 * dt {
                gaps.push(Gap {
                    start_s: w[0],
                    end_s: w[1],
                    filled: d <= max_fill_s + 1e-9,
                });
            }
        }
        if uniform || n < 2 {
            let t0_s = t.first().copied().unwrap_or(0.0);
            let (acc_mps2, gyr_dps) = match table {
                Cow::Owned(t) => (t.acc_mps2, t.gyr_dps),
                Cow::Borrowed(t) => (t.acc_mps2.clone(), t.gyr_dps.clone()),
            };
            return UniformImu {
                fs_hz,
                t0_s,
                acc_mps2,
                gyr_dps,
                gaps,
            };
        }
        let t0 = t[0];
        let mut out = UniformImu {
            fs_hz,
            t0_s: t0,
            acc_mps2: std::array::from_fn(|_| Vec::with_capacity(m)),
            gyr_dps: std::array::from_fn(|_| Vec::with_capacity(m)),
            gaps,
        };
        let mut j = 0usize;
        for k in 0..m {
            let tk = t0 + k as f64 * dt;
            while j + 2 < n && t[j + 1] < tk {
                j += 1;
            }
            let (ta, tb) = (t[j], t[(j + 1).min(n - 1)]);
            let w = if tb > ta {
                ((tk - ta) / (tb - ta)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let jb = (j + 1).min(n - 1);
            for c in 0..3 {
                let a = &table.acc_mps2[c];
                out.acc_mps2[c].push(a[j] + w * (a[jb] - a[j]));
                let g = &table.gyr_dps[c];
                out.gyr_dps[c].push(g[j] + w * (g[jb] - g[j]));
            }
        }
        out
    }
}

/// How a recording read in pieces is put on its grid: the nominal interval and whether
/// the timestamps are uniform, both of the whole recording (see [`TimingScan`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridTiming {
    /// Nominal sampling interval of the whole recording, s.
    pub interval_s: f64,
    /// Every interval is within 1 % of the nominal one: samples are used as recorded.
    pub uniform: bool,
}

/// Most distinct interval values [`TimingScan`] keeps (exact medians without holding every
/// interval); timestamps more varied than this cannot be analysed in pieces.
pub const MAX_DISTINCT_INTERVALS: usize = 200_000;

/// The timing of a recording from its timestamps fed in order, chunk by chunk, without
/// keeping them: the nominal interval (the exact median of [`check_timing`], from counts of
/// the distinct interval values), uniformity, the row count and the largest step.
#[derive(Debug, Clone, Default)]
pub struct TimingScan {
    rows: u64,
    first_s: Option<f64>,
    last_s: f64,
    /// Count of each interval (by bit pattern).
    single: std::collections::HashMap<u64, u64>,
    /// Count of each (10-interval window mean, largest interval in the window).
    windows: std::collections::HashMap<(u64, u64), u64>,
    /// Counts not yet added to `single` and `windows` (a recording has few distinct
    /// intervals, mostly repeated: most rows only add to a slot of these).
    single_cache: CountCache<u64>,
    windows_cache: CountCache<(u64, u64)>,
    /// The last 10 intervals, in a ring: `recent_len` held, the oldest at `recent_head`
    /// once it is full.
    recent: [f64; 10],
    recent_len: usize,
    recent_head: usize,
    min_d: f64,
    max_d: f64,
    /// Largest step (s) and the 1-based data row it ends on.
    largest_step: (f64, u64),
    /// Timestamps before and after the largest step, s.
    largest_from_to: (f64, f64),
    too_varied: bool,
}

impl TimingScan {
    /// Adds the next timestamps (strictly increasing, following those added before).
    pub fn push(&mut self, times_s: &[f64]) {
        const K: usize = 10;
        for &t in times_s {
            self.rows += 1;
            if self.first_s.is_none() {
                self.first_s = Some(t);
                self.last_s = t;
                self.min_d = f64::INFINITY;
                self.max_d = f64::NEG_INFINITY;
                continue;
            }
            let d = t - self.last_s;
            if d > self.largest_step.0 {
                self.largest_step = (d, self.rows);
                self.largest_from_to = (self.last_s, t);
            }
            self.last_s = t;
            self.min_d = self.min_d.min(d);
            self.max_d = self.max_d.max(d);
            if self.too_varied {
                continue;
            }
            self.single_cache.add(d.to_bits(), &mut self.single);
            if self.recent_len < K {
                self.recent[self.recent_len] = d;
                self.recent_len += 1;
            } else {
                self.recent[self.recent_head] = d;
                self.recent_head = (self.recent_head + 1) % K;
            }
            if self.recent_len == K {
                // summed oldest first, as `median_interval` sums each window
                let (newer, older) = self.recent.split_at(self.recent_head);
                let sum: f64 = older.iter().chain(newer).sum();
                let max = older
                    .iter()
                    .chain(newer)
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max);
                self.windows_cache.add(
                    ((sum / K as f64).to_bits(), max.to_bits()),
                    &mut self.windows,
                );
            }
            if self.single.len() > MAX_DISTINCT_INTERVALS
                || self.windows.len() > MAX_DISTINCT_INTERVALS
            {
                self.set_too_varied();
            }
        }
        // the counts are complete after every push
        self.single_cache.flush(&mut self.single);
        self.windows_cache.flush(&mut self.windows);
        if self.single.len() > MAX_DISTINCT_INTERVALS || self.windows.len() > MAX_DISTINCT_INTERVALS
        {
            self.set_too_varied();
        }
    }

    fn set_too_varied(&mut self) {
        self.too_varied = true;
        self.single = Default::default();
        self.windows = Default::default();
        self.single_cache = Default::default();
        self.windows_cache = Default::default();
    }

    /// Rows added so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Data row (1-based) that ends the largest time step.
    pub fn largest_step_row(&self) -> u64 {
        self.largest_step.1
    }

    /// The grid of the whole recording, with the checks of [`check_timing`] except the
    /// sample limit (a recording read in pieces is never held whole); `None` when the
    /// intervals were too varied to count ([`MAX_DISTINCT_INTERVALS`]).
    pub fn finish(&self) -> Option<Result<GridTiming, TimingError>> {
        if self.too_varied {
            return None;
        }
        let Some(first) = self.first_s else {
            return Some(Ok(GridTiming {
                interval_s: 0.01,
                uniform: true,
            }));
        };
        let n = self.rows;
        if n < 2 {
            return Some(Ok(GridTiming {
                interval_s: 0.01,
                uniform: true,
            }));
        }
        let single = counted_median(self.single.iter().map(|(&b, &c)| (f64::from_bits(b), c)));
        let windows: Vec<(f64, u64)> = self
            .windows
            .iter()
            .filter(|((_, max), _)| f64::from_bits(*max) < 1.5 * single)
            .map(|(&(mean, _), &c)| (f64::from_bits(mean), c))
            .collect();
        let dt = if n - 1 < 10 || windows.is_empty() {
            single
        } else {
            counted_median(windows.into_iter())
        };
        let rate_hz = 1.0 / dt;
        if !(dt.is_finite() && dt > 0.0 && (MIN_RATE_HZ..=MAX_RATE_HZ).contains(&rate_hz)) {
            return Some(Err(TimingError::Rate { interval_s: dt }));
        }
        let span_s = self.last_s - first;
        let grid = (span_s / dt + 1e-9).floor() + 1.0;
        let missing = grid - n as f64;
        if grid.is_nan() || missing > (n.max(MAX_EXTRA_MISSING_SAMPLES as u64)) as f64 {
            return Some(Err(TimingError::TooMuchMissing {
                rows: n as usize,
                span_s,
                rate_hz,
                largest_step: self.largest_from_to,
            }));
        }
        let uniform =
            ((self.max_d - dt).abs() <= 0.01 * dt) && ((self.min_d - dt).abs() <= 0.01 * dt);
        Some(Ok(GridTiming {
            interval_s: dt,
            uniform,
        }))
    }
}

/// A few counts held before they go to a map, in slots chosen by the key.
#[derive(Debug, Clone, Default)]
struct CountCache<K> {
    slots: [Option<(K, u64)>; 16],
}

/// Slot of a key in a [`CountCache`].
trait Slot {
    fn slot(&self) -> usize;
}

impl Slot for u64 {
    fn slot(&self) -> usize {
        (self.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize
    }
}

impl Slot for (u64, u64) {
    fn slot(&self) -> usize {
        (self.0 ^ self.1.rotate_left(32)).slot()
    }
}

impl<K: Slot + Eq + std::hash::Hash + Copy> CountCache<K> {
    /// Counts `key` once; a key it displaces goes to `map` with its count.
    #[inline]
    fn add(&mut self, key: K, map: &mut std::collections::HashMap<K, u64>) {
        let slot = &mut self.slots[key.slot()];
        match slot {
            Some((k, c)) if *k == key => *c += 1,
            _ => {
                if let Some((k, c)) = slot.replace((key, 1)) {
                    *map.entry(k).or_default() += c;
                }
            }
        }
    }

    /// Moves every held count to `map`.
    fn flush(&mut self, map: &mut std::collections::HashMap<K, u64>) {
        for (k, c) in self.slots.iter_mut().filter_map(Option::take) {
            *map.entry(k).or_default() += c;
        }
    }
}

/// The element at the middle rank (`len / 2` in sorted order, as [`median`]) of a multiset
/// given as (value, count).
fn counted_median(values: impl Iterator<Item = (f64, u64)>) -> f64 {
    let mut v: Vec<(f64, u64)> = values.collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: u64 = v.iter().map(|x| x.1).sum();
    let mid = total / 2;
    let mut seen = 0u64;
    for (x, c) in &v {
        seen += c;
        if seen > mid {
            return *x;
        }
    }
    f64::NAN
}

/// Nominal sampling interval, s: the median over 10-interval windows that contain no gap
/// (robust to both jitter and lost samples).
fn median_interval(t: &[f64]) -> f64 {
    if t.len() < 2 {
        return 0.01;
    }
    let d: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let single = median_of(d.iter().copied()).unwrap_or(f64::NAN);
    const K: usize = 10;
    if d.len() < K {
        return single;
    }
    let windows = d
        .windows(K)
        .filter(|w| w.iter().all(|&x| x < 1.5 * single))
        .map(|w| w.iter().sum::<f64>() / K as f64);
    median_of(windows).unwrap_or(single)
}

/// Most distinct values [`median_of`] counts before it selects from all values instead.
const MAX_COUNTED_VALUES: usize = 4096;

/// [`median`] of the values, `None` for none: counted by bit pattern (one pass, no copy)
/// while they take at most [`MAX_COUNTED_VALUES`] distinct values, as the intervals of a
/// steadily sampled recording do, else selected from all of them.
fn median_of(values: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let mut cache = CountCache::<u64>::default();
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for v in values.clone() {
        n += 1;
        cache.add(v.to_bits(), &mut counts);
        if counts.len() > MAX_COUNTED_VALUES {
            return Some(median(values.collect()));
        }
    }
    if n == 0 {
        return None;
    }
    cache.flush(&mut counts);
    Some(counted_median(
        counts.into_iter().map(|(b, c)| (f64::from_bits(b), c)),
    ))
}

fn median(mut v: Vec<f64>) -> f64 {
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    *m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::ImuSample;

    /// `median_interval` as it selects from every interval and window.
    fn median_interval_selected(t: &[f64]) -> f64 {
        if t.len() < 2 {
            return 0.01;
        }
        let d: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
        let single = median(d.clone());
        if d.len() < 10 {
            return single;
        }
        let windows: Vec<f64> = d
            .windows(10)
            .filter(|w| w.iter().all(|&x| x < 1.5 * single))
            .map(|w| w.iter().sum::<f64>() / 10.0)
            .collect();
        if windows.is_empty() {
            single
        } else {
            median(windows)
        }
    }

    #[test]
    fn counted_median_interval_is_the_selected_one() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut uniform = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for case in 0..40 {
            let rate = [50.0, 100.0, 128.0, 200.0, 400.0][case % 5];
            let n = [3usize, 11, 500, 20_000][case % 4];
            let jitter = [0.0, 1e-4, 0.02][case % 3];
            let mut t = Vec::with_capacity(n);
            let mut s = uniform() * 1000.0;
            for i in 0..n {
                // written to 6 decimals as a CSV does, some gaps, some jitter
                t.push((s * 1e6).round() / 1e6);
                let gap = if i % 997 == 500 { 25.0 } else { 1.0 };
                s += gap / rate * (1.0 + jitter * (uniform() - 0.5));
            }
            assert_eq!(
                median_interval(&t).to_bits(),
                median_interval_selected(&t).to_bits(),
                "case {case}"
            );
        }
    }

    fn table(times: &[f64], f: impl Fn(f64) -> f64) -> ImuTable {
        let mut tab = ImuTable::default();
        for &t in times {
            tab.push(&ImuSample {
                time_s: t,
                acc_mps2: [f(t), 0.0, 0.0],
                gyr_dps: [0.0, 0.0, -f(t)],
            });
        }
        tab
    }

    #[test]
    fn uniform_input_is_copied_exactly() {
        let times: Vec<f64> = (0..500).map(|i| i as f64 * 0.01).collect();
        let tab = table(&times, |t| t.sin());
        let u = UniformImu::from_table(&tab, DEFAULT_MAX_FILL_S).unwrap();
        assert!((u.fs_hz - 100.0).abs() < 1e-9);
        assert_eq!(u.acc_mps2[0], tab.acc_mps2[0]);
        assert!(u.gaps.is_empty());
        assert_eq!(u.segments(), vec![0..500]);
    }

    #[test]
    fn jittered_timestamps_are_interpolated_linearly() {
        // ±3 ms jitter on a 100 Hz clock; a linear signal must come back exactly on the grid
        let times: Vec<f64> = (0..300)
            .map(|i| i as f64 * 0.01 + if i % 2 == 1 { 0.003 } else { 0.0 })
            .collect();
        let tab = table(&times, |t| 2.0 * t + 1.0);
        let u = UniformImu::from_table(&tab, DEFAULT_MAX_FILL_S).unwrap();
        for i in 0..u.len() {
            assert!((u.acc_mps2[0][i] - (2.0 * u.time_s(i) + 1.0)).abs() < 1e-9);
        }
    }

    #[test]
    fn timestamps_are_bounded_before_anything_is_allocated_for_them() {
        let at = |dt: f64| (0..100).map(|i| i as f64 * dt).collect::<Vec<_>>();
        assert!(matches!(
            check_timing(&at(0.01)),
            Ok(Timing { grid_len: 100, .. })
        ));
        for dt in [1e-4, 0.2, 10.0, 1e4] {
            assert!(
                matches!(check_timing(&at(dt)), Err(TimingError::Rate { .. })),
                "{dt}"
            );
        }
        // one 1e9-s jump: refused by the sample cap, whatever the rows
        let mut t = at(0.01);
        for v in t.iter_mut().skip(50) {
            *v += 1e9;
        }
        let e = check_timing(&t).unwrap_err();
        assert!(e.to_string().contains("1.000e11 samples"), "{e}");
        // 700 s missing from 100 rows (1 s) at 100 Hz: 70 000 > 60 000 missing samples
        let mut t = at(0.01);
        for v in t.iter_mut().skip(50) {
            *v += 700.0;
        }
        let e = check_timing(&t).unwrap_err();
        assert!(
            matches!(e, TimingError::TooMuchMissing { rows: 100, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("jumps from 0.49 to 700.5 s"), "{e}");
        // 500 s missing is bridged: a gap that splits the recording
        let mut t = at(0.01);
        for v in t.iter_mut().skip(50) {
            *v += 500.0;
        }
        let tab = table(&t, |x| x);
        let u = UniformImu::from_table(&tab, DEFAULT_MAX_FILL_S).unwrap();
        assert_eq!(u.gaps.len(), 1);
        assert!(!u.gaps[0].filled);
        assert_eq!(u.segments().len(), 2);
        assert!(u.len() <= 2 * tab.len() + MAX_EXTRA_MISSING_SAMPLES);
    }

    #[test]
    fn short_gaps_are_filled_long_gaps_split_segments() {
        let mut times: Vec<f64> = (0..1000).map(|i| i as f64 * 0.01).collect();
        times.retain(|&t| !(2.0 < t && t < 2.06)); // 70 ms hole: filled
        times.retain(|&t| !(5.0 < t && t < 5.5)); // 0.51 s hole: split
        let tab = table(&times, |t| t);
        let u = UniformImu::from_table(&tab, DEFAULT_MAX_FILL_S).unwrap();
        assert_eq!(u.gaps.len(), 2);
        assert!(u.gaps[0].filled && !u.gaps[1].filled);
        assert!((u.gaps[1].start_s - 5.0).abs() < 1e-9 && (u.gaps[1].end_s - 5.5).abs() < 1e-9);
        let seg = u.segments();
        assert_eq!(seg.len(), 2);
        assert_eq!(seg[0], 0..501);
        assert_eq!(seg[1].start, 550);
        assert_eq!(seg[1].end, u.len());
    }
}
