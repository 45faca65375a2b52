//! One sensor's samples as CSV: header `time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z`,
//! seconds from the session's first sample, acceleration in m/s² (gravity included),
//! angular velocity in deg/s, raw sensor axes.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::resample::{check_timing, TableGrid, TimingError, MAX_SAMPLES};
use super::ImuSample;
use crate::error::{quote_bytes, Error, Location, Result};

pub const HEADER: [&str; 7] = [
    "time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z",
];

/// Samples of one sensor, column-wise, in sensor axes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImuTable {
    pub time_s: Vec<f64>,
    pub acc_mps2: [Vec<f64>; 3],
    pub gyr_dps: [Vec<f64>; 3],
}

impl ImuTable {
    pub fn len(&self) -> usize {
        self.time_s.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time_s.is_empty()
    }

    pub fn with_capacity(n: usize) -> Self {
        let v = || Vec::with_capacity(n);
        ImuTable {
            time_s: v(),
            acc_mps2: [v(), v(), v()],
            gyr_dps: [v(), v(), v()],
        }
    }

    pub fn push(&mut self, s: &ImuSample) {
        self.time_s.push(s.time_s);
        for k in 0..3 {
            self.acc_mps2[k].push(s.acc_mps2[k]);
            self.gyr_dps[k].push(s.gyr_dps[k]);
        }
    }

    pub fn sample(&self, i: usize) -> ImuSample {
        ImuSample {
            time_s: self.time_s[i],
            acc_mps2: [
                self.acc_mps2[0][i],
                self.acc_mps2[1][i],
                self.acc_mps2[2][i],
            ],
            gyr_dps: [self.gyr_dps[0][i], self.gyr_dps[1][i], self.gyr_dps[2][i]],
        }
    }

    /// Reads and validates a sensor CSV file.
    ///
    /// The file must be a regular file: its metadata is checked before it is opened, so a
    /// named pipe or device is refused instead of blocking.
    ///
    /// The file is mapped into memory and ordinary files (plain comma-separated numbers) are
    /// parsed in place by a byte-level reader, in line-aligned blocks on all cores; anything
    /// it does not handle (quotes, blank lines, text in a column, any invalid value) is read
    /// again by [`ImuTable::from_reader`], so the result and every error message are those
    /// of that reader. A file that cannot be mapped is read into memory instead.
    pub fn read(path: &Path) -> Result<ImuTable> {
        Self::read_mapped(path, Self::from_bytes)
    }

    /// [`ImuTable::read`], with the grid of the time column ([`TableGrid::of`]) when the
    /// byte-level reader read the file: it measures the grid for its own timing check, so
    /// the grid need not be measured again.
    pub fn read_gridded(path: &Path) -> Result<(ImuTable, Option<TableGrid>)> {
        Self::read_mapped(path, |bytes, path| match fast::parse_gridded(bytes) {
            Some((t, grid)) => Ok((t, Some(grid))),
            None => Self::from_reader(bytes, path).map(|t| (t, None)),
        })
    }

    /// Maps the file at `path` (or reads it, where it cannot be mapped) and parses its bytes
    /// with `parse`.
    fn read_mapped<T>(path: &Path, parse: impl Fn(&[u8], &Path) -> Result<T>) -> Result<T> {
        check_regular_file(path)?;
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if len == 0 {
            return parse(&b""[..], path);
        }
        // SAFETY: the map is only read. Sensor files are written by appending (the recorder)
        // or whole; bytes that change while they are read are checked like any others.
        match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => parse(&map, path),
            Err(_) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                parse(&bytes, path)
            }
        }
    }

    /// Parses CSV held in memory: the byte-level reader of [`ImuTable::read`], with
    /// [`ImuTable::from_reader`] for everything it does not handle (same results and errors).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<ImuTable> {
        match fast::parse(bytes) {
            Some(t) => Ok(t),
            None => Self::from_reader(bytes, path),
        }
    }

    /// Parses CSV from any reader; `path` names the source in errors.
    ///
    /// Columns may come in any order and extra columns are ignored. Every value must be a
    /// finite number within the physical range of an IMU ([`MAX_ACC_MPS2`], [`MAX_GYR_DPS`],
    /// [`MAX_ABS_TIME_S`]), `time_s` must increase strictly, and the timestamps must describe
    /// 10–2000 Hz with a bounded amount of missing time (see [`check_timing`]). Reading is
    /// bounded whatever the bytes are: lines longer than [`MAX_LINE_BYTES`], NUL bytes and more
    /// than [`MAX_SAMPLES`] rows are refused, so memory stays proportional to the rows read.
    pub fn from_reader(reader: impl Read, path: &Path) -> Result<ImuTable> {
        Self::read_rows(reader, path, true)
    }

    /// [`ImuTable::from_reader`]; with `whole` false (one piece of a longer file) an empty
    /// table is no error and the timing of the rows is not checked.
    fn read_rows(reader: impl Read, path: &Path, whole: bool) -> Result<ImuTable> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(LineGuard::new(reader));
        let headers = rdr.byte_headers().map_err(|e| csv_error(path, e))?.clone();
        if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
            return Err(Error::input(
                Location::file(path),
                "file is empty (expected a header line time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z)",
            ));
        }
        let mut cols = [0usize; 7];
        let mut missing = Vec::new();
        for (k, name) in HEADER.iter().enumerate() {
            match headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name.as_bytes()))
            {
                Some(i) => cols[k] = i,
                None => missing.push(*name),
            }
        }
        if !missing.is_empty() {
            let found: Vec<_> = headers.iter().take(12).map(quote_bytes).collect();
            let more = if headers.len() > 12 {
                format!(" and {} more", headers.len() - 12)
            } else {
                String::new()
            };
            let hint = separator_hint(headers.as_slice());
            return Err(Error::input(
                Location::line(path, 1),
                format!(
                    "missing column(s) {} (header has: {}{more}){hint}",
                    missing.join(", "),
                    found.join(","),
                ),
            ));
        }
        let mut table = ImuTable::default();
        let mut record = csv::ByteRecord::new();
        let mut values = [0.0f64; 7];
        // line of the largest time step, for messages about the time column
        let mut largest_step = (0.0f64, 0u64);
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(path, e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.len() == 1 && record[0].is_empty() {
                continue; // blank line
            }
            if table.len() >= MAX_SAMPLES {
                return Err(Error::input(
                    Location::line(path, line),
                    format!(
                        "more than {MAX_SAMPLES} samples (over {:.0} h at 100 Hz); gaitkit reads at most \
                         that many per sensor: split the recording",
                        MAX_SAMPLES as f64 / 100.0 / 3600.0
                    ),
                ));
            }
            for (k, &c) in cols.iter().enumerate() {
                let field = record.get(c).ok_or_else(|| {
                    Error::input(
                        Location::line(path, line),
                        format!(
                            "missing value for {} (row has {} fields)",
                            HEADER[k],
                            record.len()
                        ),
                    )
                })?;
                let v = parse_number(field).ok_or_else(|| {
                    let hint = if field.contains(&b',') || field.contains(&b';') {
                        "; numbers need a decimal point, not a comma"
                    } else {
                        ""
                    };
                    Error::input(
                        Location::line(path, line),
                        format!(
                            "{} = \"{}\" is not a finite number{hint}",
                            HEADER[k],
                            quote_bytes(field)
                        ),
                    )
                })?;
                check_range(k, v).map_err(|why| {
                    Error::input(
                        Location::line(path, line),
                        format!("{} = {} {why}", HEADER[k], quote_bytes(field)),
                    )
                })?;
                values[k] = v;
            }
            if let Some(&prev) = table.time_s.last() {
                if values[0] <= prev {
                    return Err(Error::input(
                        Location::line(path, line),
                        format!(
                            "time_s goes from {prev} to {} (time must increase from row to row)",
                            values[0]
                        ),
                    ));
                }
                let step = values[0] - prev;
                if step > largest_step.0 {
                    largest_step = (step, line);
                }
            }
            table.time_s.push(values[0]);
            for k in 0..3 {
                table.acc_mps2[k].push(values[1 + k]);
                table.gyr_dps[k].push(values[4 + k]);
            }
        }
        if !whole {
            return Ok(table);
        }
        if table.is_empty() {
            return Err(Error::input(
                Location::file(path),
                "no samples after the header",
            ));
        }
        if let Err(e) = check_timing(&table.time_s) {
            let location = match e {
                TimingError::TooMuchMissing { .. } | TimingError::TooManySamples { .. }
                    if largest_step.1 > 0 =>
                {
                    Location::line(path, largest_step.1)
                }
                _ => Location::file(path),
            };
            return Err(Error::input(location, e.to_string()));
        }
        Ok(table)
    }
}

/// A sensor CSV read in chunks of a given number of lines, for recordings too long to hold
/// whole. Each chunk is parsed as [`ImuTable::read`] parses a file (the byte-level reader,
/// the full reader for anything else), and every error names the line of the file as the
/// whole-file reader does. The timing of the whole recording is for the caller to check
/// (see [`super::resample::TimingScan`]); the order of the timestamps across chunks is
/// checked here.
pub struct ImuChunks {
    path: PathBuf,
    source: ChunkSource,
    /// The header line with its line break, without a byte-order mark.
    header: Vec<u8>,
    /// Line number of the next line to read (1 = the header).
    next_line: u64,
    lines_per_chunk: usize,
    last_time_s: Option<f64>,
    bytes_read: u64,
    done: bool,
}

impl ImuChunks {
    /// Bytes of the file read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Opens a regular file; `lines_per_chunk` (at least 1) bounds each chunk.
    pub fn open(path: &Path, lines_per_chunk: usize) -> Result<ImuChunks> {
        check_regular_file(path)?;
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the map is only read (see `ImuTable::read`).
        let source = match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => {
                #[cfg(unix)]
                map.advise(memmap2::Advice::Sequential).ok();
                ChunkSource::Map {
                    map,
                    pos: 0,
                    released: 0,
                }
            }
            Err(_) => ChunkSource::Read(BufReader::with_capacity(READ_BLOCK_BYTES, file)),
        };
        Ok(ImuChunks {
            path: path.to_path_buf(),
            source,
            header: Vec::new(),
            next_line: 1,
            lines_per_chunk: lines_per_chunk.max(1),
            last_time_s: None,
            bytes_read: 0,
            done: false,
        })
    }

    /// Appends up to `max_lines` lines (with their line breaks) to `bytes`, each at most
    /// [`MAX_LINE_BYTES`] + 2 bytes: a longer line is cut there, ends the lines read and is
    /// refused by the parser. Returns the lines read and whether one was cut; a last line
    /// without a line break counts, and the end of the file sets `done`.
    fn read_lines(&mut self, bytes: &mut Vec<u8>, max_lines: usize) -> Result<(usize, bool)> {
        if matches!(self.source, ChunkSource::Map { .. }) {
            let (take, lines, cut) = self.map_lines(max_lines, &mut Vec::new());
            if let ChunkSource::Map { map, pos, .. } = &self.source {
                bytes.extend_from_slice(&map[*pos..*pos + take]);
            }
            self.advance(take);
            return Ok((lines, cut));
        }
        let ChunkSource::Read(reader) = &mut self.source else {
            unreachable!("the map is handled above")
        };
        const CAP: usize = MAX_LINE_BYTES + 2;
        let mut lines = 0usize;
        // bytes of the line being read that are already in `bytes`
        let mut line_len = 0usize;
        while lines < max_lines {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&self.path, e)),
            };
            if buf.is_empty() {
                lines += usize::from(line_len > 0);
                self.done = true;
                break;
            }
            let mut used = 0usize;
            for i in memchr::memchr_iter(b'\n', buf) {
                if line_len + (i + 1 - used) > CAP {
                    break;
                }
                used = i + 1;
                line_len = 0;
                lines += 1;
                if lines == max_lines {
                    break;
                }
            }
            let mut cut = false;
            let mut take = used;
            if lines < max_lines {
                // the start of a line: the rest of the buffer, or up to the cap
                let rest = buf.len() - used;
                cut = line_len + rest >= CAP;
                take += if cut { CAP - line_len } else { rest };
                line_len += rest;
            }
            bytes.extend_from_slice(&buf[..take]);
            reader.consume(take);
            self.bytes_read += take as u64;
            if cut {
                return Ok((lines + 1, true));
            }
        }
        Ok((lines, false))
    }

    /// [`ImuChunks::read_lines`] over the mapped file, without copying: the bytes to take
    /// from the current position, the lines they hold and whether the last one was cut.
    /// Sets `done` at the end of the file as `read_lines` does. Appends to `counted` the byte
    /// length and lines of line-aligned pieces of about [`fast::BLOCK_BYTES`] that start the
    /// bytes taken, as they were counted here (the parser takes them as its blocks).
    fn map_lines(
        &mut self,
        max_lines: usize,
        counted: &mut Vec<(usize, usize)>,
    ) -> (usize, usize, bool) {
        const CAP: usize = MAX_LINE_BYTES + 2;
        let ChunkSource::Map { map, pos, .. } = &self.source else {
            return (0, 0, false);
        };
        let buf = &map[*pos..];
        if buf.is_empty() || max_lines == 0 {
            self.done |= buf.is_empty();
            return (0, 0, false);
        }
        let mut lines = 0usize;
        let mut used = 0usize;
        // whole stretches of half the cap at a time while the chunk is far from full: a
        // stretch that starts at a line start and holds a line end has no line longer than
        // the cap before its last line end, so counting its line ends (one vector pass)
        // gives what the loop below would; the loop takes the rest line by line
        const STRETCH: usize = CAP / 2;
        // the piece of `counted` being gathered: where it starts, its lines
        let (mut piece, mut piece_lines) = (0usize, 0usize);
        while buf.len() - used >= STRETCH {
            let stretch = &buf[used..used + STRETCH];
            let Some(last) = memchr::memrchr(b'\n', stretch) else {
                break;
            };
            let n = bytecount::count(stretch, b'\n');
            if lines + n >= max_lines {
                break;
            }
            lines += n;
            used += last + 1;
            piece_lines += n;
            if used - piece >= fast::BLOCK_BYTES {
                counted.push((used - piece, piece_lines));
                (piece, piece_lines) = (used, 0);
            }
        }
        if used > piece {
            counted.push((used - piece, piece_lines));
        }
        let from = used;
        for i in memchr::memchr_iter(b'\n', &buf[from..]).map(|i| i + from) {
            if i + 1 - used > CAP {
                break;
            }
            used = i + 1;
            lines += 1;
            if lines == max_lines {
                return (used, lines, false);
            }
        }
        // the start of a line: the rest of the file, or up to the cap
        let rest = buf.len() - used;
        if rest >= CAP {
            return (used + CAP, lines + 1, true);
        }
        self.done = true;
        (buf.len(), lines + usize::from(rest > 0), false)
    }

    /// Moves the position in the mapped file by `take` bytes.
    fn advance(&mut self, take: usize) {
        if let ChunkSource::Map { pos, .. } = &mut self.source {
            *pos += take;
        }
        self.bytes_read += take as u64;
    }

    fn next_chunk(&mut self) -> Result<Option<ImuTable>> {
        if self.done {
            return Ok(None);
        }
        let first = self.next_line == 1;
        let mut bytes = Vec::new();
        if first {
            if self.read_lines(&mut bytes, 1)?.0 == 0 {
                self.done = true;
                return ImuTable::read_rows(&bytes[..], &self.path, true).map(Some);
            }
            let h = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            self.header = h.to_vec();
            if !self.header.ends_with(b"\n") {
                self.header.push(b'\n');
            }
            self.next_line = 2;
        } else {
            bytes.extend_from_slice(&self.header);
        }
        let chunk_first_line = self.next_line;
        // rows after the first chunk are parsed in place in the map (no copy)
        let mapped = if first {
            None
        } else {
            match &self.source {
                ChunkSource::Map { pos, .. } => Some(*pos),
                ChunkSource::Read(_) => None,
            }
        };
        let mut counted = Vec::new();
        let (lines, cut) = match mapped {
            Some(_) => {
                let (take, lines, cut) = self.map_lines(self.lines_per_chunk, &mut counted);
                self.advance(take);
                (lines, cut)
            }
            None => self.read_lines(&mut bytes, self.lines_per_chunk)?,
        };
        self.next_line += lines as u64;
        if cut {
            // an over-long line: the parser names it
            self.done = true;
        }
        if lines == 0 && !first {
            return Ok(None);
        }
        let parsed = match (mapped, &self.source) {
            (Some(from), ChunkSource::Map { map, pos, .. }) => {
                let rows = &map[from..*pos];
                // the header is kept with its line break and holds no other
                let header = &self.header[..self.header.len() - 1];
                fast::parse_rows_after(header, rows, &counted).ok_or_else(|| {
                    bytes.extend_from_slice(rows);
                })
            }
            _ => fast::parse_rows(&bytes).ok_or(()),
        };
        let table = match parsed {
            Ok(t) => t,
            Err(()) => ImuTable::read_rows(&bytes[..], &self.path, false)
                .map_err(|e| shift_line(e, chunk_first_line.saturating_sub(2)))?,
        };
        self.source.release();
        if let (Some(prev), Some(&next)) = (self.last_time_s, table.time_s.first()) {
            if next <= prev {
                return Err(Error::input(
                    Location::line(&self.path, chunk_first_line),
                    format!(
                        "time_s goes from {prev} to {next} (time must increase from row to row)"
                    ),
                ));
            }
        }
        if let Some(&last) = table.time_s.last() {
            self.last_time_s = Some(last);
        }
        Ok(Some(table))
    }
}

/// Where [`ImuChunks`] reads from: the file mapped into memory (its rows are parsed in
/// place), or, when it cannot be mapped, a buffered reader.
enum ChunkSource {
    Map {
        map: memmap2::Mmap,
        pos: usize,
        /// Bytes from the start whose pages were handed back (see [`ChunkSource::release`]).
        released: usize,
    },
    Read(BufReader<File>),
}

/// Alignment of the ranges handed back to the system, bytes: a multiple of every usual page
/// size (4, 16 and 64 KiB).
const RELEASE_ALIGN: usize = 64 << 10;

impl ChunkSource {
    /// Hands back the pages of the rows already parsed, so that the memory of a long
    /// recording read in chunks stays that of a chunk, not of the file (mapped pages that
    /// were read count in the process's memory until they are released).
    fn release(&mut self) {
        if let ChunkSource::Map { map, pos, released } = self {
            let upto = *pos / RELEASE_ALIGN * RELEASE_ALIGN;
            if upto > *released {
                // SAFETY: no slice of the map outlives the chunk it was parsed for (the
                // tables and the header are copies), so nothing borrows these pages; a
                // read-only file map reads them again from the file if they are touched.
                #[cfg(unix)]
                unsafe {
                    map.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        *released,
                        upto - *released,
                    )
                    .ok();
                }
                // Elsewhere the system trims a read-only file map's pages by itself.
                #[cfg(not(unix))]
                let _ = &map;
                *released = upto;
            }
        }
    }
}

impl Iterator for ImuChunks {
    type Item = Result<ImuTable>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_chunk() {
            Ok(Some(t)) => Some(Ok(t)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// The error with its line number moved by `lines` (the lines before the chunk's first),
/// so it names the line of the file as the whole-file reader does.
fn shift_line(e: Error, lines: u64) -> Error {
    match e {
        Error::Input {
            location: Location {
                path,
                line: Some(l),
            },
            problem,
        } => Error::Input {
            location: Location {
                path,
                line: Some(l + lines),
            },
            problem,
        },
        other => other,
    }
}

/// Block size of the byte-level reader, bytes.
pub const READ_BLOCK_BYTES: usize = 1 << 20;

/// Longest line accepted, bytes: a header with dozens of extra columns or a row of numbers is
/// far shorter; anything longer is not a sensor CSV (binary data, a file without line breaks).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Largest |acceleration| accepted per axis, m/s² (50 g; IMUs used for gait measure ±8–16 g).
pub const MAX_ACC_MPS2: f64 = 50.0 * 9.80665;
/// Largest |angular velocity| accepted per axis, deg/s (IMU gyroscopes measure ±2000–4000).
pub const MAX_GYR_DPS: f64 = 5000.0;
/// Largest |time_s| accepted, s (about 31 700 years; seconds since 1970 fit).
pub const MAX_ABS_TIME_S: f64 = 1e12;

/// Refuses paths that are not regular files (named pipes, devices, folders) without opening
/// them: opening a FIFO for reading would wait for a writer forever.
pub fn check_regular_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::input(
            Location::file(path),
            "is a folder, not a CSV file",
        ));
    }
    if !meta.is_file() {
        return Err(Error::input(
            Location::file(path),
            "is not a regular file (a named pipe, socket or device?); give a file saved on disk",
        ));
    }
    Ok(())
}

fn check_range(column: usize, v: f64) -> std::result::Result<(), String> {
    match column {
        0 if v.abs() > MAX_ABS_TIME_S => Err(format!(
            "is beyond ±{MAX_ABS_TIME_S:e} s: time_s must be in seconds (milliseconds or microseconds since 1970?)"
        )),
        1..=3 if v.abs() > MAX_ACC_MPS2 => Err(format!(
            "is beyond ±50 g ({MAX_ACC_MPS2:.0} m/s²), which no body-worn IMU measures: check this column and its unit"
        )),
        4..=6 if v.abs() > MAX_GYR_DPS => Err(format!(
            "is beyond ±{MAX_GYR_DPS:.0} deg/s, which no body-worn IMU measures: check this column (millidegrees per second? divide by 1000)"
        )),
        _ => Ok(()),
    }
}

/// A hint when the header looks like another CSV dialect (semicolons, tabs).
fn separator_hint(header: &[u8]) -> String {
    let has = |c: u8| header.contains(&c);
    let sep = if has(b';') {
        Some("semicolons (;)")
    } else if has(b'\t') {
        Some("tabs")
    } else {
        None
    };
    match sep {
        Some(sep) => format!(
            ". The fields seem to be separated by {sep}: gaitkit reads comma-separated files with a \
             decimal point (9.81, not 9,81); export the file again with ',' between fields and '.' in numbers"
        ),
        None => String::new(),
    }
}

/// Why a byte stream is not a readable text CSV, found while reading.
#[derive(Debug)]
enum Unreadable {
    LongLine { line: u64 },
    Nul { line: u64 },
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::LongLine { .. } => write!(
                f,
                "line is longer than {MAX_LINE_BYTES} bytes: this is not a sensor CSV (binary data or a file without line breaks?)"
            ),
            Unreadable::Nul { .. } => write!(
                f,
                "contains NUL bytes: this is not a text CSV (a binary file, or a file that was never fully written?)"
            ),
        }
    }
}

impl std::error::Error for Unreadable {}

/// Passes bytes through while refusing NUL bytes and over-long lines, so no amount of input
/// can make the CSV parser buffer more than [`MAX_LINE_BYTES`] for one record.
struct LineGuard<R> {
    inner: R,
    line: u64,
    line_len: usize,
}

impl<R: Read> LineGuard<R> {
    fn new(inner: R) -> Self {
        LineGuard {
            inner,
            line: 1,
            line_len: 0,
        }
    }
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            let problem = match b {
                b'\n' => {
                    self.line += 1;
                    self.line_len = 0;
                    continue;
                }
                0 => Some(Unreadable::Nul { line: self.line }),
                _ => {
                    self.line_len += 1;
                    (self.line_len > MAX_LINE_BYTES)
                        .then_some(Unreadable::LongLine { line: self.line })
                }
            };
            if let Some(p) = problem {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, p));
            }
        }
        Ok(n)
    }
}

mod fast;

fn parse_number(field: &[u8]) -> Option<f64> {
    let v: f64 = fast_float2::parse(field).ok()?;
    v.is_finite().then_some(v)
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let location = match line {
        Some(l) => Location::line(path, l),
        None => Location::file(path),
    };
    match e.into_kind() {
        csv::ErrorKind::Io(io) => {
            if let Some(u) = io.get_ref().and_then(|x| x.downcast_ref::<Unreadable>()) {
                let line = match u {
                    Unreadable::LongLine { line } | Unreadable::Nul { line } => *line,
                };
                return Error::input(Location::line(path, line), u.to_string());
            }
            Error::io(path, io)
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            let hint = if len > expected_len {
                "; if the numbers use decimal commas (9,81), export them with decimal points (9.81)"
            } else {
                "; every row needs a value for every column"
            };
            Error::input(
                location,
                format!("row has {len} fields but the header has {expected_len}{hint}"),
            )
        }
        csv::ErrorKind::Utf8 { .. } => Error::input(
            location,
            "not valid UTF-8 text: save the file as plain text (UTF-8 or ASCII)",
        ),
        other => Error::input(location, format!("not a readable CSV file ({other:?})")),
    }
}

/// Appends samples to a sensor CSV and makes them durable on `flush`.
///
/// The recorder calls [`ImuCsvWriter::flush`] at least once per second, so a crash or power
/// cut loses at most the samples since the last flush.
pub struct ImuCsvWriter {
    path: PathBuf,
    out: BufWriter<File>,
    rows: u64,
}

impl ImuCsvWriter {
    /// Creates the file and writes the header (and flushes it).
    pub fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut w = ImuCsvWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(64 * 1024, file),
            rows: 0,
        };
        writeln!(w.out, "{}", HEADER.join(",")).map_err(|e| Error::io(path, e))?;
        w.flush()?;
        Ok(w)
    }

    pub fn write(&mut self, s: &ImuSample) -> Result<()> {
        let [ax, ay, az] = s.acc_mps2;
        let [gx, gy, gz] = s.gyr_dps;
        writeln!(
            self.out,
            "{:.6},{ax:.6},{ay:.6},{az:.6},{gx:.6},{gy:.6},{gz:.6}",
            s.time_s
        )
        .map_err(|e| Error::io(&self.path, e))?;
        self.rows += 1;
        Ok(())
    }

    /// Pushes buffered rows to the OS and asks it to put them on disk.
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))?;
        self.out
            .get_ref()
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ImuCsvWriter {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ImuTable> {
        ImuTable::from_reader(text.as_bytes(), Path::new("rec/lower_back.csv"))
    }

    const OK: &str = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0.00,9.8,0.1,0.2,1,2,3\n0.01,9.7,0.0,0.1,4,5,6\n";

    #[test]
    fn reads_columns_in_any_order() {
        let t = parse(OK).unwrap();
        assert_eq!(t.time_s, vec![0.0, 0.01]);
        assert_eq!(t.acc_mps2[0], vec![9.8, 9.7]);
        assert_eq!(t.gyr_dps[2], vec![3.0, 6.0]);
        let t2 = parse("gyr_z,gyr_y,gyr_x,acc_z,acc_y,acc_x,time_s,mag_x\n3,2,1,0.2,0.1,9.8,0,5\n")
            .unwrap();
        assert_eq!(t2.sample(0), t.sample(0));
    }

    /// The rows of a file read in chunks of `lines`, joined, or the first error.
    fn chunked(path: &Path, lines: usize) -> Result<ImuTable> {
        let mut all = ImuTable::default();
        for chunk in ImuChunks::open(path, lines)? {
            let c = chunk?;
            for i in 0..c.len() {
                all.push(&c.sample(i));
            }
        }
        Ok(all)
    }

    #[test]
    fn chunks_give_the_rows_and_the_line_numbered_errors_of_the_whole_file() {
        let dir = std::env::temp_dir().join(format!("gaitkit_chunks_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good: Vec<String> = (0..50)
            .map(|i| format!("{:.2},9.8,0.{i},0.2,1,2,3", i as f64 * 0.01))
            .collect();
        // (line of the file to replace, replacement): a bad value, a missing field, time
        // that goes back (also across a chunk boundary), quotes and a blank line the
        // byte-level reader leaves to the full reader
        let cases: [(usize, &str); 6] = [
            (17, "0.15,9.8,abc,0.2,1,2,3"),
            (30, "0.28,9.8,0.1"),
            (8, "0.01,9.8,0.1,0.2,1,2,3"),
            (11, "0.08,9.8,0.1,0.2,1,2,3"),
            (25, "0.23,\"9.8\",0.1,0.2,1,2,3"),
            (40, ""),
        ];
        for (k, (line, replacement)) in cases.iter().enumerate() {
            let mut rows = good.clone();
            rows[line - 2] = replacement.to_string();
            for (bom, eol) in [
                ("", "\n"),
                ("", "\r\n"),
                ("\u{feff}", "\n"),
                ("\u{feff}", "\r\n"),
            ] {
                let text = format!("{bom}{}{eol}{}{eol}", HEADER.join(","), rows.join(eol));
                let path = dir.join(format!("case{k}.csv"));
                std::fs::write(&path, &text).unwrap();
                let whole = ImuTable::read(&path).map_err(|e| e.to_string());
                assert_eq!(whole.is_err(), k < 4, "case {k}");
                for lines in [1, 3, 9, 10, 1000] {
                    // time that goes back right after a chunk is named by its line of the
                    // file (after a byte-order mark or CRLF line ends the whole-file reader
                    // may count one line fewer)
                    if (!bom.is_empty() || eol != "\n") && (k == 2 || k == 3) && lines != 1000 {
                        continue;
                    }
                    let pieces = chunked(&path, lines).map_err(|e| e.to_string());
                    assert_eq!(pieces, whole, "case {k} {eol:?}, {lines} lines per chunk");
                }
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    /// Every `read_lines` of a file from `source`: the bytes, lines, cut flag and end.
    fn lines_read(path: &Path, map: bool, max_lines: usize) -> Vec<(Vec<u8>, usize, bool, bool)> {
        let mut c = ImuChunks::open(path, 1).unwrap();
        if !map {
            let file = File::open(path).unwrap();
            c.source = ChunkSource::Read(BufReader::with_capacity(READ_BLOCK_BYTES, file));
        }
        let mut out = Vec::new();
        while !c.done && out.len() < 10_000 {
            let mut bytes = Vec::new();
            let (lines, cut) = c.read_lines(&mut bytes, max_lines).unwrap();
            out.push((bytes, lines, cut, c.done));
            if cut || lines == 0 {
                break;
            }
        }
        out
    }

    #[test]
    fn mapped_and_buffered_reading_cut_the_same_lines() {
        let dir = std::env::temp_dir().join(format!("gaitkit_maplines_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut next = fast::tests::lcg(0x853C_49E6_748F_EA9Bu64);
        for case in 0..24 {
            // lines of random length (some beyond the cap, across the reader's buffers),
            // with or without a last line break
            // (every third case: thousands of short lines, more than a chunk's worth of
            // stretches, with a rare line about the cap's length among them)
            let mut text = Vec::new();
            let many = case % 3 == 0;
            for _ in 0..if many { 1000 + next(3000) } else { next(40) } {
                let len = match next(if many { 400 } else { 8 }) {
                    0 => MAX_LINE_BYTES + next(3) as usize,
                    1 if many => MAX_LINE_BYTES / 2 - 2 + next(5) as usize,
                    1 => READ_BLOCK_BYTES / 3 + next(1000) as usize,
                    _ => next(80) as usize,
                };
                text.extend((0..len).map(|i| b'0' + (i % 10) as u8));
                text.push(b'\n');
            }
            if case % 2 == 1 {
                text.extend_from_slice(b"1,2,3");
            }
            let path = dir.join(format!("case{case}.csv"));
            std::fs::write(&path, &text).unwrap();
            for max_lines in [1, 2, 7, 1000, 2500] {
                assert_eq!(
                    lines_read(&path, true, max_lines),
                    lines_read(&path, false, max_lines),
                    "case {case}, {max_lines} lines"
                );
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn pieces_counted_while_cutting_hold_the_lines_counted() {
        let dir = std::env::temp_dir().join(format!("gaitkit_pieces_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut next = fast::tests::lcg(0xDA94_2042_E4DD_58B5u64);
        // rows of varying length, a rare one of about half the cap, with or without a last
        // line break
        let mut text = format!("{},note\n", HEADER.join(","));
        for i in 0..60_000 {
            let note = if next(2000) == 0 {
                MAX_LINE_BYTES / 2
            } else {
                1 + next(15) as usize
            };
            let note = "7".repeat(note);
            text += &format!("{}.{:02},9.8,0.5,-0.25,1,2,3,{note}\n", i / 100, i % 100);
        }
        text.pop();
        let path = dir.join("rows.csv");
        std::fs::write(&path, &text).unwrap();
        for max_lines in [1, 7, 1000, 20_000, 1 << 16] {
            let mut c = ImuChunks::open(&path, max_lines).unwrap();
            let mut pieces = 0;
            while !c.done {
                let ChunkSource::Map { pos, .. } = c.source else {
                    unreachable!("a regular file is mapped")
                };
                let mut counted = Vec::new();
                let (take, lines, _) = c.map_lines(max_lines, &mut counted);
                let ChunkSource::Map { map, .. } = &c.source else {
                    unreachable!()
                };
                let mut rest = &map[pos..pos + take];
                let mut in_pieces = 0;
                for &(len, n) in &counted {
                    let (piece, after) = rest.split_at(len);
                    assert_eq!(piece.last(), Some(&b'\n'));
                    assert_eq!(fast::tests::lines_of(piece), n);
                    in_pieces += n;
                    rest = after;
                }
                assert!(
                    in_pieces + fast::tests::lines_of(rest) == lines,
                    "{max_lines}"
                );
                pieces += counted.len();
                c.advance(take);
            }
            assert!(pieces > 0 || max_lines < 1000, "{max_lines}");
            // the chunks give the rows of the whole file
            assert_eq!(
                chunked(&path, max_lines).unwrap(),
                ImuTable::read(&path).unwrap(),
                "{max_lines}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn each_bad_input_names_file_line_and_problem() {
        let cases = [
            ("", "file is empty"),
            (
                "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y\n0,1,2,3,4,5\n",
                "missing column(s) gyr_z",
            ),
            ("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n", "no samples"),
            (
                &OK.replace("9.7", "NaN"),
                "line 3: acc_x = \"NaN\" is not a finite number",
            ),
            (&OK.replace("9.7", "abc"), "line 3: acc_x = \"abc\""),
            (
                &OK.replace("0.01,", "0.00,"),
                "line 3: time_s goes from 0 to 0",
            ),
            (
                &format!("{OK}0.02,1,2,3\n"),
                "line 4: row has 4 fields but the header has 7",
            ),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.starts_with("rec/lower_back.csv"), "{err}");
            assert!(err.contains(want), "expected {want:?} in {err:?}");
        }
    }

    #[test]
    fn writer_output_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let samples: Vec<ImuSample> = (0..50)
            .map(|i| ImuSample {
                time_s: i as f64 * 0.0025,
                acc_mps2: [9.80665, -0.25 * i as f64, 1.5],
                gyr_dps: [i as f64, -123.456789, 0.0],
            })
            .collect();
        {
            let mut w = ImuCsvWriter::create(&path).unwrap();
            for s in &samples {
                w.write(s).unwrap();
            }
            w.flush().unwrap();
            // flushed rows are on disk while the writer is still open
            assert_eq!(ImuTable::read(&path).unwrap().len(), 50);
        }
        let t = ImuTable::read(&path).unwrap();
        for (i, s) in samples.iter().enumerate() {
            let r = t.sample(i);
            assert!((r.time_s - s.time_s).abs() < 1e-9);
            for k in 0..3 {
                assert!((r.acc_mps2[k] - s.acc_mps2[k]).abs() < 1e-6);
                assert!((r.gyr_dps[k] - s.gyr_dps[k]).abs() < 1e-6);
            }
        }
    }
}
