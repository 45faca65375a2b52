//! Exports of the phone apps clinics record with, read into gaitkit's sensor table.
//!
//! Each app has its own file under this module; they share this layer:
//! - [`InputFile`]: a candidate file read and decoded once (UTF-8, or GBK as in older
//!   WitMotion files); a zip archive gives the files inside it;
//! - [`Stream`]: one three-axis stream in SI units (acceleration m/s², angular velocity deg/s)
//!   on the export's own clock, with the unit found in the file;
//! - [`merge`]: acceleration and angular velocity recorded on separate clocks and rates put
//!   onto one table (the slower stream's timestamps; the other interpolated linearly, never
//!   across one of its gaps);
//! - unit checks against the data, so a file whose unit is not what its header or app says is
//!   refused with the unit the data suggest.
//!
//! Formats are recognised from headers and file names (never the extension alone); columns
//! are found by name. A file no format accepts is refused with what each format expected.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime};

use crate::error::{Error, Location, Result};
use crate::recording::session::{DeviceInfo, ImportSource};
use crate::recording::units::gyr_unit_problem;
use crate::recording::GyrUnit;
use crate::recording::{Axes, ImuCsvWriter, ImuSample, ImuTable, Placement, SensorEntry, Session};
use crate::sensors::{mounting, Model};

pub mod metabase;
pub mod movesense;
pub mod mt_manager;
pub mod phyphox;
pub mod polar;
pub mod sensor_logger;
pub mod witmotion;
pub mod xsens_dot;

/// Largest export file read, bytes (an hour at 200 Hz is well under 100 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// Standard gravity, m/s² per g (the value the apps use).
pub const G_MPS2: f64 = 9.80665;
/// A sampling interval longer than this many median intervals is a gap (as in resampling).
pub const GAP_FACTOR: f64 = 1.5;

/// The apps whose exports are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    PolarSensorLogger,
    SensorLogger,
    XsensDot,
    MtManager,
    MetaBase,
    MovesenseShowcase,
    Phyphox,
    WitMotion,
}

impl App {
    /// Every app, in the order formats are tried.
    pub const ALL: [App; 8] = [
        App::PolarSensorLogger,
        App::SensorLogger,
        App::Phyphox,
        App::MetaBase,
        App::MovesenseShowcase,
        App::XsensDot,
        App::MtManager,
        App::WitMotion,
    ];

    pub fn name(self) -> &'static str {
        match self {
            App::PolarSensorLogger => "Polar Sensor Logger",
            App::SensorLogger => "Sensor Logger",
            App::XsensDot => "Xsens DOT",
            App::MtManager => "MT Manager",
            App::MetaBase => "MetaBase",
            App::MovesenseShowcase => "Movesense Showcase",
            App::Phyphox => "phyphox",
            App::WitMotion => "WitMotion",
        }
    }

    /// Reads the export if it is in this app's format; `Err(NotThis)` says why it is not.
    fn read(self, files: &[InputFile]) -> std::result::Result<Export, Refusal> {
        match self {
            App::PolarSensorLogger => polar::read(files),
            App::SensorLogger => sensor_logger::read(files),
            App::XsensDot => xsens_dot::read(files),
            App::MtManager => mt_manager::read(files),
            App::MetaBase => metabase::read(files),
            App::MovesenseShowcase => movesense::read(files),
            App::Phyphox => phyphox::read(files),
            App::WitMotion => witmotion::read(files),
        }
    }
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a format reader did not read the files.
#[derive(Debug)]
pub enum Refusal {
    /// The files are not in this format: what did not fit (a header, a file name).
    NotThis(String),
    /// The files are in this format but unusable: the error says where and why.
    Bad(Error),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Bad(e)
    }
}

/// A candidate file, read once.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    /// File name (lossy UTF-8).
    pub name: String,
    /// Decoded text (see [`decode`]).
    pub text: String,
}

impl InputFile {
    pub fn read(path: &Path) -> Result<InputFile> {
        let bytes = InputFile::read_bytes(path)?;
        Ok(InputFile::from_bytes(path, &bytes))
    }

    /// The bytes of a regular file no longer than [`MAX_FILE_BYTES`].
    fn read_bytes(path: &Path) -> Result<Vec<u8>> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::input(
                Location::file(path),
                "is not a regular file (a named pipe or device?)",
            ));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(Error::input(
                Location::file(path),
                format!(
                    "is {} bytes long; exports larger than {MAX_FILE_BYTES} bytes are not read: split the recording",
                    meta.len()
                ),
            ));
        }
        std::fs::read(path).map_err(|e| Error::io(path, e))
    }

    /// A file from bytes in memory (`path` names it in messages and gives its file name).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> InputFile {
        InputFile {
            path: path.to_path_buf(),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            text: decode(bytes),
        }
    }

    /// Lines without their `\r\n` or `\n`.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.text.lines()
    }

    /// First non-empty line.
    pub fn first_line(&self) -> &str {
        self.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
    }

    /// An input error at a 1-based line of this file.
    pub fn error_at(&self, line: usize, problem: impl Into<String>) -> Error {
        Error::input(Location::line(&self.path, line as u64), problem)
    }

    pub fn error(&self, problem: impl Into<String>) -> Error {
        Error::input(Location::file(&self.path), problem)
    }
}

/// Text of an export: UTF-8 (a byte-order mark dropped); otherwise GBK (code page 936), in
/// which older WitMotion software writes its unit labels (`A1 E3` is `°`, `A1 E6` is `℃`).
/// ASCII reads the same in both; bytes GBK cannot decode become U+FFFD.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// The first bytes of a zip archive's local file header.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The first bytes of an OLE compound file (Excel 97–2003 `.xls`, phyphox's Android Excel
/// export).
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const EXCEL: &str = "is an Excel workbook: gaitkit reads the apps' CSV exports; export again as CSV (in phyphox: \"CSV (Comma, decimal point)\" or any other CSV choice)";

/// The files of a zip archive (an app's shared export), each named `<archive>/<entry>` in
/// messages; folders, hidden files and macOS resource forks (`__MACOSX/`) are skipped.
fn unzip(path: &Path, bytes: Vec<u8>) -> Result<Vec<InputFile>> {
    use std::io::Read;
    let bad = |e: zip::result::ZipError| {
        Error::input(
            Location::file(path),
            format!("is a zip archive that cannot be read ({e}): unzip it and give the folder"),
        )
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(bad)?;
    let mut out = Vec::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(bad)?;
        let name = entry.name().to_string();
        let base = name.rsplit('/').next().unwrap_or("");
        if entry.is_dir()
            || base.is_empty()
            || base.starts_with('.')
            || name.starts_with("__MACOSX/")
        {
            continue;
        }
        let inner = path.join(&name);
        if name == "xl/workbook.xml" {
            return Err(Error::input(Location::file(path), EXCEL));
        }
        if entry.size() > MAX_FILE_BYTES {
            return Err(Error::input(
                Location::file(&inner),
                format!(
                    "is {} bytes long unpacked; files larger than {MAX_FILE_BYTES} bytes are not read: split the recording",
                    entry.size()
                ),
            ));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::io(&inner, e))?;
        total += data.len() as u64;
        if total > MAX_FILE_BYTES {
            return Err(Error::input(
                Location::file(&inner),
                format!("and the archive's other files unpack to more than {MAX_FILE_BYTES} bytes: split the recording"),
            ));
        }
        out.push(InputFile::from_bytes(&inner, &data));
    }
    Ok(out)
}

/// The file at `path`: itself, or the files inside it when it is a zip archive (recognised by
/// its first bytes, not its extension).
fn read_inputs(path: &Path) -> Result<Vec<InputFile>> {
    let file = InputFile::read_bytes(path)?;
    if file.starts_with(OLE_MAGIC) {
        return Err(Error::input(Location::file(path), EXCEL));
    }
    if file.starts_with(ZIP_MAGIC) {
        return unzip(path, file);
    }
    Ok(vec![InputFile::from_bytes(path, &file)])
}

/// Files of the given paths: a folder gives its files and those of its `meta/` subfolder (a
/// phyphox export), sorted by name; a zip archive gives the files inside it.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<InputFile>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            let mut names = list_dir(p)?;
            let sub = p.join("meta");
            if sub.is_dir() {
                names.extend(list_dir(&sub)?);
            }
            names.sort();
            for f in names {
                out.extend(read_inputs(&f)?);
            }
        } else {
            out.extend(read_inputs(p)?);
        }
    }
    if out.is_empty() {
        let shown: Vec<_> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::input(
            Location::file(shown.join(", ")),
            "holds no files: give the app's exported files, its zip archive or the folder they were unpacked into",
        ));
    }
    Ok(out)
}

fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if path.is_file() && !name.starts_with('.') {
            out.push(path);
        }
    }
    Ok(out)
}

/// How the export's axes map to the body when `--axes` is not given.
#[derive(Debug, Clone, PartialEq)]
pub enum AxesRule {
    /// A dedicated sensor: the mounting convention of `gaitkit record` (README, "Wearing the
    /// sensors").
    Mounting(Model),
    /// A phone: screen facing out (away from the body), top up.
    Phone,
    /// No convention applies; the reason.
    Unknown(String),
}

/// The phone's default axes: Android/iOS axes are x to the screen's right, y to its top and
/// z out of the screen; worn screen facing out (away from the body) and top up. At the lower
/// back that is x right, y up, z backward (`RUB`); on the outer side of the left shank x
/// backward, y up, z left (`BUL`); on the right shank x forward, y up, z right (`FUR`).
/// On a foot "top up" does not apply: `--axes` is needed there.
pub fn phone_axes(placement: Placement) -> Option<Axes> {
    let letters = match placement {
        Placement::LowerBack => "RUB",
        Placement::LeftShank => "BUL",
        Placement::RightShank => "FUR",
        Placement::LeftFoot | Placement::RightFoot => return None,
    };
    Some(letters.parse().expect("table letters are valid"))
}

impl AxesRule {
    /// Default axes at `placement`, or why there is none.
    pub fn axes(&self, placement: Placement) -> std::result::Result<Axes, String> {
        match self {
            AxesRule::Mounting(model) => Ok(mounting::axes(*model, placement)),
            AxesRule::Phone => phone_axes(placement).ok_or_else(|| {
                format!("a phone on the {placement} has no default orientation: pass --axes")
            }),
            AxesRule::Unknown(why) => Err(format!("{why}: pass --axes")),
        }
    }
}

/// One three-axis stream of an export, converted to SI units.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// File the stream was read from.
    pub file: PathBuf,
    /// Sample times on the export's clock, s from its origin ([`Export::origin`]).
    pub t_s: Vec<f64>,
    /// Acceleration in m/s² or angular velocity in deg/s, device axes.
    pub xyz: Vec<[f64; 3]>,
    /// The unit as the file or app states it (e.g. `mg`, `rad/s`).
    pub unit: String,
}

impl Stream {
    pub fn new(file: &Path, unit: &str) -> Stream {
        Stream {
            file: file.to_path_buf(),
            t_s: Vec::new(),
            xyz: Vec::new(),
            unit: unit.to_string(),
        }
    }

    pub fn push(&mut self, t_s: f64, xyz: [f64; 3]) {
        self.t_s.push(t_s);
        self.xyz.push(xyz);
    }

    pub fn len(&self) -> usize {
        self.t_s.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t_s.is_empty()
    }

    /// Median sampling interval, s.
    pub fn interval_s(&self) -> f64 {
        let d: Vec<f64> = self.t_s.windows(2).map(|w| w[1] - w[0]).collect();
        crate::signal::stats::median(&d).unwrap_or(f64::NAN)
    }

    /// Multiplies every value by `k` (unit conversion).
    pub fn scale(&mut self, k: f64) {
        for v in &mut self.xyz {
            for c in v.iter_mut() {
                *c *= k;
            }
        }
    }
}

/// An export read by one of the format readers, before merging.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub app: App,
    /// Device as the export names it (e.g. `Polar Sense A40F6F28`, `android SM-S926U1`).
    pub device: Option<String>,
    pub axes: AxesRule,
    pub acc: Stream,
    pub gyr: Stream,
    /// The time base used, in words (e.g. `sensor timestamp [ns], Polar sensor clock`).
    pub clock: String,
    /// Wall-clock time at `t_s = 0`, when the export says it with its UTC offset.
    pub origin: Option<DateTime<FixedOffset>>,
    /// Local wall-clock time at `t_s = 0` when the export gives no UTC offset (Polar's sensor
    /// clock, set from the phone's local time); `--utc-offset` turns it into `origin`.
    pub origin_local: Option<NaiveDateTime>,
    /// Every file the data came from.
    pub files: Vec<PathBuf>,
    /// Remarks (assumptions, corrections) for the provenance.
    pub notes: Vec<String>,
}

/// An export merged onto one table, with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub export_app: App,
    pub axes: AxesRule,
    pub table: ImuTable,
    /// Wall-clock time of the table's first sample.
    pub start_time: Option<DateTime<FixedOffset>>,
    /// Local wall-clock time of the first sample when no UTC offset is known.
    pub start_local: Option<NaiveDateTime>,
    pub source: ImportSource,
}

/// Whether `path` is a gaitkit sensor CSV (its first line names `time_s`) rather than an
/// export; unreadable files count as sensor CSVs, whose reader reports the problem.
pub fn is_session_csv(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 256];
    let Ok(mut f) = std::fs::File::open(path) else {
        return true;
    };
    let n = f.read(&mut head).unwrap_or(0);
    let text = decode(&head[..n]);
    let first = text.lines().next().unwrap_or("");
    first
        .split([',', ';', '\t'])
        .any(|c| c.trim().trim_matches('"').eq_ignore_ascii_case("time_s"))
}

/// Reads the export at `paths` (files, or a folder) in whichever supported format fits.
pub fn read_export(paths: &[PathBuf]) -> Result<Imported> {
    let files = collect_files(paths)?;
    let export = detect(&files)?;
    merge(export)
}

/// Reads the export at `paths` if a supported format recognises it; `Ok(None)` when none does
/// (so a caller can read the file another way), an error when one does but cannot use it.
pub fn read_if_export(paths: &[PathBuf]) -> Result<Option<Imported>> {
    let files = collect_files(paths)?;
    for app in App::ALL {
        match app.read(&files) {
            Ok(e) => return merge(e).map(Some),
            Err(Refusal::Bad(e)) => return Err(e),
            Err(Refusal::NotThis(_)) => {}
        }
    }
    Ok(None)
}

/// Tries every format; the first that recognises the files reads them. None: an error listing
/// each format and what did not fit.
pub fn detect(files: &[InputFile]) -> Result<Export> {
    let mut tried = Vec::new();
    for app in App::ALL {
        match app.read(files) {
            Ok(e) => return Ok(e),
            Err(Refusal::Bad(e)) => return Err(e),
            Err(Refusal::NotThis(why)) => tried.push(format!("{app}: {why}")),
        }
    }
    let names: Vec<_> = files.iter().map(|f| f.path.display().to_string()).collect();
    Err(Error::input(
        Location::file(names.join(", ")),
        format!(
            "not an export gaitkit reads. Formats tried:\n  - {}",
            tried.join("\n  - ")
        ),
    ))
}

/// Checks an acceleration stream against its declared unit with the data: at rest and when
/// walking, the median |acc| is about 1 g. A median near 1 in a stream declared m/s² (or near
/// 9.8 declared g) names the unit the data suggest.
pub fn check_acc_unit(s: &Stream) -> Result<()> {
    let norms: Vec<f64> = s
        .xyz
        .iter()
        .step_by(5)
        .map(|v| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt())
        .collect();
    let Some(median) = crate::signal::stats::median(&norms) else {
        return Err(Error::input(
            Location::file(&s.file),
            "no acceleration samples",
        ));
    };
    let loc = Location::file(&s.file);
    if (4.0..=20.0).contains(&median) {
        return Ok(());
    }
    let suggestion = if (4.0 / G_MPS2..=20.0 / G_MPS2).contains(&median) {
        format!(
            "; the data look like they are in g rather than {}, but the file says {}: gaitkit does not guess, check the export settings",
            s.unit, s.unit
        )
    } else if (4.0 * G_MPS2..=20.0 * G_MPS2).contains(&median) {
        format!(
            "; the data look like m/s² read as g (about {:.1}× too large): the file says {}, gaitkit does not guess",
            G_MPS2, s.unit
        )
    } else if (4000.0 / G_MPS2..=20000.0 / G_MPS2).contains(&median) {
        "; the data look like they are in mg".to_string()
    } else {
        String::new()
    };
    Err(Error::input(
        loc,
        format!(
            "median acceleration magnitude is {median:.3} m/s² after converting from {} (about 9.81 when gravity is included): \
             the unit cannot be established{suggestion}",
            s.unit
        ),
    ))
}

/// Puts acceleration and angular velocity on one table. The slower stream's timestamps are
/// the table's; the faster one is interpolated linearly at them. Table rows outside the other
/// stream's span, or inside one of its gaps (an interval over [`GAP_FACTOR`] of its median),
/// are left out, so a gap in either stream stays a gap. Times start at 0 at the first row.
pub fn merge(export: Export) -> Result<Imported> {
    for s in [&export.acc, &export.gyr] {
        if s.len() < 2 {
            return Err(Error::input(
                Location::file(&s.file),
                "has fewer than two samples",
            ));
        }
        if let Some(i) = (1..s.len()).find(|&i| s.t_s[i] < s.t_s[i - 1] || s.t_s[i].is_nan()) {
            return Err(Error::input(
                Location::file(&s.file),
                format!(
                    "sample {} goes back in time ({} s after {} s on the export's clock): the rows are out of order",
                    i + 1,
                    s.t_s[i],
                    s.t_s[i - 1]
                ),
            ));
        }
    }
    check_acc_unit(&export.acc)?;
    let same_clock = export.acc.t_s == export.gyr.t_s;
    let acc_slower = export.acc.interval_s() >= export.gyr.interval_s();
    let (base, other) = if acc_slower {
        (&export.acc, &export.gyr)
    } else {
        (&export.gyr, &export.acc)
    };
    let other_dt = other.interval_s();
    let mut table = ImuTable::with_capacity(base.len());
    let mut t0 = None;
    let mut j = 0usize;
    for (i, &t) in base.t_s.iter().enumerate() {
        let v_other = if same_clock {
            Some(other.xyz[i])
        } else {
            while j + 1 < other.len() && other.t_s[j + 1] <= t {
                j += 1;
            }
            interpolate(other, j, t, other_dt)
        };
        let Some(v) = v_other else { continue };
        let (acc, gyr) = if acc_slower {
            (base.xyz[i], v)
        } else {
            (v, base.xyz[i])
        };
        let t0 = *t0.get_or_insert(t);
        table.push(&ImuSample {
            time_s: t - t0,
            acc_mps2: acc,
            gyr_dps: gyr,
        });
    }
    if table.len() < 2 {
        return Err(Error::input(
            Location::file(&export.acc.file),
            format!(
                "the acceleration ({} s to {} s) and angular velocity ({} s to {} s on the same clock) do not overlap in time",
                export.acc.t_s[0],
                export.acc.t_s[export.acc.len() - 1],
                export.gyr.t_s[0],
                export.gyr.t_s[export.gyr.len() - 1]
            ),
        ));
    }
    let from_rad = export.gyr.unit.contains("rad");
    let problem = gyr_unit_problem(&table, GyrUnit::DegreesPerSecond).or_else(|| {
        from_rad
            .then(|| gyr_unit_problem(&table, GyrUnit::RadiansPerSecond))
            .flatten()
    });
    if let Some(problem) = problem {
        let suggests = if problem.contains("deg/s already") {
            " The data suggest deg/s: the values are about 57 times too large for rad/s."
        } else if problem.contains("rad/s") {
            " The data suggest rad/s: the values are about 57 times too small for deg/s."
        } else {
            ""
        };
        return Err(Error::input(
            Location::file(&export.gyr.file),
            format!(
                "the angular velocity, in {} by the {} format, does not fit the data: the unit cannot be established.{suggests} (gaitkit's check: {})",
                export.gyr.unit,
                export.app,
                problem.split(". ").next().unwrap_or(&problem)
            ),
        ));
    }
    let t0 = t0.unwrap_or(0.0);
    let shift = Some(chrono::Duration::microseconds((t0 * 1e6).round() as i64));
    let start_time = export
        .origin
        .and_then(|o| shift.and_then(|d| o.checked_add_signed(d)));
    let start_local = export
        .origin_local
        .and_then(|o| shift.and_then(|d| o.checked_add_signed(d)));
    let dt = crate::signal::stats::median(
        &table
            .time_s
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect::<Vec<_>>(),
    )
    .unwrap_or(f64::NAN);
    let gaps: Vec<[f64; 2]> = table
        .time_s
        .windows(2)
        .filter(|w| w[1] - w[0] > GAP_FACTOR * dt)
        .map(|w| [round6(w[0]), round6(w[1])])
        .collect();
    let source = ImportSource {
        app: export.app.name().to_string(),
        device: export.device.clone(),
        files: export
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        units: vec![
            format!("acceleration: {}", export.acc.unit),
            format!("angular velocity: {}", export.gyr.unit),
        ],
        clock: export.clock.clone(),
        rate_hz: round6(1.0 / dt),
        acc_rate_hz: round6(1.0 / export.acc.interval_s()),
        gyr_rate_hz: round6(1.0 / export.gyr.interval_s()),
        local_start: start_local.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()),
        gaps,
        notes: export.notes.clone(),
    };
    if !source.rate_hz.is_finite() {
        return Err(Error::input(
            Location::file(&export.acc.file),
            "the timestamps do not advance: no sampling rate can be established",
        ));
    }
    Ok(Imported {
        export_app: export.app,
        axes: export.axes,
        table,
        start_time,
        start_local,
        source,
    })
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// `a + b`, `b` interpolated at `a`'s times (e.g. linear acceleration plus gravity); `a`'s
/// samples outside `b`'s span or inside one of its gaps are left out.
pub fn add_streams(a: &Stream, b: &Stream, unit: &str) -> Stream {
    let mut out = Stream::new(&a.file, unit);
    let dt = b.interval_s();
    let mut j = 0usize;
    for (i, &t) in a.t_s.iter().enumerate() {
        while j + 1 < b.len() && b.t_s[j + 1] <= t {
            j += 1;
        }
        if let Some(v) = (!b.is_empty()).then(|| interpolate(b, j, t, dt)).flatten() {
            let x = a.xyz[i];
            out.push(t, [x[0] + v[0], x[1] + v[1], x[2] + v[2]]);
        }
    }
    out
}

/// The other stream's value at `t`, between its samples `j` and `j + 1`; `None` outside its
/// span or inside one of its gaps.
fn interpolate(s: &Stream, j: usize, t: f64, dt: f64) -> Option<[f64; 3]> {
    if t == s.t_s[j] {
        return Some(s.xyz[j]);
    }
    let (ta, tb) = (s.t_s[j], *s.t_s.get(j + 1)?);
    if t < ta || t > tb {
        return None;
    }
    if tb - ta > GAP_FACTOR * dt {
        return None;
    }
    if tb == ta {
        return Some(s.xyz[j]);
    }
    let w = (t - ta) / (tb - ta);
    let (a, b) = (s.xyz[j], s.xyz[j + 1]);
    Some([
        a[0] + w * (b[0] - a[0]),
        a[1] + w * (b[1] - a[1]),
        a[2] + w * (b[2] - a[2]),
    ])
}

/// The table exactly as a session folder stores it (six decimals, read back by the session
/// reader), so analysing an export directly and analysing its imported session agree.
pub fn as_stored(table: &ImuTable, name: &Path) -> Result<ImuTable> {
    let mut text = String::with_capacity(table.len() * 64);
    text.push_str("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n");
    for i in 0..table.len() {
        text.push_str(&csv_row(&table.sample(i)));
    }
    ImuTable::from_reader(text.as_bytes(), name)
}

/// One session CSV row, as [`crate::recording::ImuCsvWriter`] writes it.
pub fn csv_row(s: &ImuSample) -> String {
    let [ax, ay, az] = s.acc_mps2;
    let [gx, gy, gz] = s.gyr_dps;
    format!(
        "{:.6},{ax:.6},{ay:.6},{az:.6},{gx:.6},{gy:.6},{gz:.6}\n",
        s.time_s
    )
}

impl Imported {
    /// Gives a local-time export its UTC offset (`--utc-offset`), so the session gets an
    /// absolute start time. Refused when the export already states UTC.
    pub fn set_utc_offset(&mut self, offset: FixedOffset) -> std::result::Result<(), String> {
        if self.start_time.is_some() {
            return Err(format!(
                "the {} export states its time in UTC already; leave out --utc-offset",
                self.export_app
            ));
        }
        let Some(local) = self.start_local else {
            return Err(format!(
                "the {} export has no wall-clock time to apply --utc-offset to",
                self.export_app
            ));
        };
        use chrono::TimeZone;
        self.start_time = offset.from_local_datetime(&local).single();
        self.source
            .notes
            .push(format!("Local times read as UTC{offset} (--utc-offset)."));
        Ok(())
    }

    /// The sensor entry a session gets for this import.
    pub fn entry(&self, placement: Placement, axes: Axes) -> SensorEntry {
        SensorEntry {
            placement,
            file: format!("{}.csv", placement.as_str().replace('-', "_")),
            axes,
            device: self.source.device.as_ref().map(|d| DeviceInfo {
                model: Some(d.clone()),
                ..Default::default()
            }),
            sampling_rate_hz: None,
            source: Some(self.source.clone()),
        }
    }

    /// The one-sensor session and its table, exactly as [`write_session`] would store them.
    pub fn in_memory_session(
        &self,
        placement: Placement,
        axes: Axes,
    ) -> Result<(Session, ImuTable)> {
        let entry = self.entry(placement, axes);
        let table = as_stored(&self.table, Path::new(&entry.file))?;
        let mut session = Session::new(vec![entry]);
        session.start_time = self.start_time;
        Ok((session, table))
    }
}

/// How an imported sensor was added to a session folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The sensor CSV written (in the session folder).
    pub file: PathBuf,
    pub rows: usize,
    /// When added to an existing session: how the clocks were aligned and how well the
    /// recordings overlap.
    pub overlap: Option<Overlap>,
}

/// Overlap of an added sensor with the session's existing sensors, on absolute time.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// `UTC` or `local time` (both exports in local time without offset).
    pub clock: String,
    /// Start of the new sensor after the session's first sample, s (negative: before).
    pub offset_s: f64,
    /// Seconds of the new sensor's data before the session start, left out.
    pub dropped_s: f64,
    /// Duration of the session's existing data, s.
    pub session_s: f64,
    /// Duration of the new sensor's data, s.
    pub sensor_s: f64,
    /// Time both cover, s.
    pub overlap_s: f64,
}

/// Writes an imported sensor into the session folder `out`: a new folder (created) gets a
/// new session; a folder with `session.json` gets one more sensor, its times aligned with the
/// session's on absolute time (UTC, or both local) and cut to start at the session's start.
pub fn write_session(
    out: &Path,
    imported: &Imported,
    placement: Placement,
    axes: Axes,
) -> Result<Written> {
    let session_file = out.join(crate::recording::session::SESSION_FILE);
    let mut entry = imported.entry(placement, axes);
    let path = out.join(&entry.file);
    let (session, table, overlap) = if session_file.exists() {
        let session = Session::read(out)?;
        if session.sensor(placement).is_some() {
            return Err(Error::input(
                Location::file(&session_file),
                format!("already has a {placement} sensor: import into a new folder, or give another --placement"),
            ));
        }
        let (clock, offset_s) = clock_offset(&session, imported, &session_file)?;
        let mut session_s: f64 = 0.0;
        for e in &session.sensors {
            let t = session.read_sensor(out, e)?;
            session_s = session_s.max(t.time_s.last().copied().unwrap_or(0.0));
        }
        let mut shifted = ImuTable::with_capacity(imported.table.len());
        for i in 0..imported.table.len() {
            let mut s = imported.table.sample(i);
            s.time_s += offset_s;
            if s.time_s >= 0.0 {
                shifted.push(&s);
            }
        }
        let sensor_s = imported.table.time_s.last().copied().unwrap_or(0.0);
        let overlap_s = (session_s.min(offset_s + sensor_s) - offset_s.max(0.0)).max(0.0);
        if shifted.len() < 2 || overlap_s <= 0.0 {
            return Err(Error::input(
                Location::file(&session_file),
                format!(
                    "the {placement} recording ({sensor_s:.1} s, starting {offset_s:.1} s after the session's start by {clock}) does not overlap the session's {session_s:.1} s: is it from another recording?"
                ),
            ));
        }
        let overlap = Overlap {
            clock,
            offset_s,
            dropped_s: (-offset_s).max(0.0),
            session_s,
            sensor_s,
            overlap_s,
        };
        if let Some(src) = entry.source.as_mut() {
            src.notes.push(format!(
                "Aligned with the session on {}: starts {:.3} s after the session's first sample.",
                overlap.clock, offset_s
            ));
        }
        let mut session = session;
        session.sensors.push(entry.clone());
        (session, shifted, Some(overlap))
    } else {
        if out.exists() {
            let non_empty = std::fs::read_dir(out)
                .map_err(|e| Error::io(out, e))?
                .next()
                .is_some();
            if non_empty {
                return Err(Error::input(
                    Location::file(out),
                    "exists, is not empty and has no session.json: give a new folder, or an existing session folder to add a sensor to",
                ));
            }
        }
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let mut session = Session::new(vec![entry.clone()]);
        session.start_time = imported.start_time;
        (session, imported.table.clone(), None)
    };
    if path.exists() {
        return Err(Error::input(
            Location::file(&path),
            "exists already: the session folder holds a file of this name that session.json does not list",
        ));
    }
    let mut w = ImuCsvWriter::create(&path)?;
    for i in 0..table.len() {
        w.write(&table.sample(i))?;
    }
    w.flush()?;
    // no `sync`: separate apps or clocks, so the leg analysis checks the alignment itself
    session.write(out)?;
    Ok(Written {
        file: path,
        rows: table.len(),
        overlap,
    })
}

/// Seconds from the session's first sample to the import's, and the clock used.
fn clock_offset(
    session: &Session,
    imported: &Imported,
    session_file: &Path,
) -> Result<(String, f64)> {
    if let (Some(a), Some(b)) = (session.start_time, imported.start_time) {
        let d = b.signed_duration_since(a);
        return Ok((
            "UTC".into(),
            d.num_microseconds().unwrap_or(i64::MAX) as f64 * 1e-6,
        ));
    }
    let session_local = session
        .sensors
        .iter()
        .find_map(|s| s.source.as_ref()?.local_start.as_ref())
        .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok());
    if session.start_time.is_none() {
        if let (Some(a), Some(b)) = (session_local, imported.start_local) {
            let d = b.signed_duration_since(a);
            return Ok((
                "local time".into(),
                d.num_microseconds().unwrap_or(i64::MAX) as f64 * 1e-6,
            ));
        }
    }
    Err(Error::input(
        Location::file(session_file),
        format!(
            "cannot align the {} recording with this session on absolute time: {}. Pass --utc-offset for exports in local time",
            imported.export_app,
            match (session.start_time.is_some(), imported.start_time.is_some()) {
                (true, false) => "the session has a UTC start time, the export only local time or none",
                (false, true) => "the export has a UTC time, the session only local time or none",
                _ => "neither states a wall-clock time",
            }
        ),
    ))
}

// ------------------------------------------------------------------------------------------
// Parsing helpers shared by the format readers.

/// Splits a line at `sep`, trimming spaces and surrounding double quotes of each field.
pub fn fields(line: &str, sep: char) -> Vec<&str> {
    line.split(sep)
        .map(|f| f.trim().trim_matches('"').trim())
        .collect()
}

/// Splits at runs of whitespace.
pub fn ws_fields(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A number with a decimal point, or a decimal comma when `comma` is set.
pub fn number(s: &str, comma: bool) -> Option<f64> {
    let s = s.trim();
    let v = if comma {
        s.replace(',', ".").parse::<f64>().ok()?
    } else {
        s.parse::<f64>().ok()?
    };
    v.is_finite().then_some(v)
}

/// Index of the header column `name` (trimmed, ASCII case-insensitive).
pub fn column(header: &[&str], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// Indices of three named columns, or the first name missing.
pub fn columns3(header: &[&str], names: [&str; 3]) -> std::result::Result<[usize; 3], String> {
    let mut out = [0; 3];
    for (k, n) in names.iter().enumerate() {
        out[k] = column(header, n).ok_or_else(|| format!("no column \"{n}\""))?;
    }
    Ok(out)
}

/// Reads three numbers at `cols` of a row split into `f`; the error names the column.
pub fn values3(
    file: &InputFile,
    line: usize,
    f: &[&str],
    cols: [usize; 3],
    header: &[&str],
    comma: bool,
) -> Result<[f64; 3]> {
    let mut v = [0.0; 3];
    for k in 0..3 {
        let cell = f.get(cols[k]).copied().unwrap_or("");
        v[k] = number(cell, comma).ok_or_else(|| {
            file.error_at(
                line,
                format!(
                    "column \"{}\": \"{}\" is not a number",
                    header.get(cols[k]).copied().unwrap_or("?"),
                    crate::error::quote_bytes(cell.as_bytes())
                ),
            )
        })?;
    }
    Ok(v)
}

/// The first line of the first file, shortened, for "did not fit" messages.
pub fn shown_first_line(files: &[InputFile]) -> String {
    let Some(f) = files.first() else {
        return "no files".into();
    };
    let l = f.first_line();
    let short: String = l.chars().take(80).collect();
    format!(
        "{} starts with \"{}{}\"",
        f.name,
        short,
        if l.chars().count() > 80 { "…" } else { "" }
    )
}

/// Wall-clock time from Unix seconds, in UTC.
pub fn utc_from_unix_s(s: f64) -> Option<DateTime<FixedOffset>> {
    let secs = s.floor();
    let nanos = ((s - secs) * 1e9).round().min(999_999_999.0) as u32;
    DateTime::from_timestamp(secs as i64, nanos).map(|d| d.fixed_offset())
}

/// Wall-clock time from Unix ns, in UTC.
pub fn utc_from_unix_ns(ns: i64) -> Option<DateTime<FixedOffset>> {
    Some(DateTime::from_timestamp_nanos(ns).fixed_offset())
}

/// Default axes at a placement: `--axes` if given, else the export's rule.
pub fn resolve_axes(
    imported: &Imported,
    placement: Placement,
    axes: Option<Axes>,
) -> std::result::Result<Axes, String> {
    match axes {
        Some(a) => Ok(a),
        None => imported
            .axes
            .axes(placement)
            .map_err(|e| format!("{} export: {e}", imported.export_app)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(rate_hz: f64, n: usize, f: impl Fn(f64) -> [f64; 3]) -> Stream {
        let mut s = Stream::new(Path::new("x.csv"), "m/s²");
        for i in 0..n {
            let t = i as f64 / rate_hz;
            s.push(t, f(t));
        }
        s
    }

    fn export(acc: Stream, gyr: Stream) -> Export {
        Export {
            app: App::PolarSensorLogger,
            device: None,
            axes: AxesRule::Unknown("test".into()),
            acc,
            gyr,
            clock: "test".into(),
            origin: None,
            origin_local: None,
            files: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn merge_interpolates_the_faster_stream_at_the_slower_ones_times() {
        let acc = stream(100.0, 1000, |t| [9.81, t, 0.0]);
        let gyr = stream(52.0, 500, |t| [2.0 * t, 0.0, 1.0]);
        let m = merge(export(acc, gyr)).unwrap();
        assert!((m.source.rate_hz - 52.0).abs() < 1e-6);
        // acc is linear in t: interpolation is exact at the gyro times
        for i in 0..m.table.len() {
            let t = i as f64 / 52.0;
            assert!((m.table.time_s[i] - t).abs() < 1e-12);
            assert!((m.table.acc_mps2[1][i] - t).abs() < 1e-9);
            assert!((m.table.gyr_dps[0][i] - 2.0 * t).abs() < 1e-12);
        }
        // the last gyro sample (9.6 s) is within the acc span (9.99 s)
        assert_eq!(m.table.len(), 500);
    }

    #[test]
    fn a_gap_in_the_interpolated_stream_stays_a_gap() {
        let mut acc = stream(100.0, 1000, |_| [9.81, 0.0, 0.0]);
        // 0.5 s of acceleration missing from 3 s
        let keep: Vec<bool> = acc.t_s.iter().map(|&t| !(3.0..3.5).contains(&t)).collect();
        let mut k = keep.iter();
        acc.t_s.retain(|_| *k.next().unwrap());
        let mut k = keep.iter();
        acc.xyz.retain(|_| *k.next().unwrap());
        let gyr = stream(50.0, 500, |_| [0.0, 0.0, 1.0]);
        let m = merge(export(acc, gyr)).unwrap();
        assert!(!m.table.time_s.iter().any(|&t| t > 2.995 && t < 3.5));
        assert_eq!(m.source.gaps.len(), 1, "{:?}", m.source.gaps);
        assert!(
            (m.source.gaps[0][0] - 2.98).abs() < 1e-9 && (m.source.gaps[0][1] - 3.5).abs() < 1e-9,
            "{:?}",
            m.source.gaps
        );
    }

    #[test]
    fn acceleration_units_that_do_not_fit_the_data_are_named() {
        let mut g = stream(100.0, 100, |_| [0.0, 0.0, 1.0]);
        g.unit = "m/s²".into();
        let e = check_acc_unit(&g).unwrap_err().to_string();
        assert!(e.contains("in g rather than m/s²"), "{e}");
        let mut big = stream(100.0, 100, |_| [0.0, 0.0, 96.2]);
        big.unit = "g".into();
        let e = check_acc_unit(&big).unwrap_err().to_string();
        assert!(e.contains("m/s² read as g"), "{e}");
        assert!(check_acc_unit(&stream(100.0, 100, |_| [0.0, 9.8, 0.0])).is_ok());
    }

    #[test]
    fn phone_default_axes_are_right_handed_and_point_as_documented() {
        use nalgebra::Vector3;
        let lb = phone_axes(Placement::LowerBack).unwrap();
        // upright phone: gravity reads +y (Android), i.e. body up
        assert_eq!(
            lb.sensor_to_body() * Vector3::new(0.0, 1.0, 0.0),
            Vector3::new(1.0, 0.0, 0.0)
        );
        // screen (z) faces backward, away from the body
        assert_eq!(
            lb.sensor_to_body() * Vector3::new(0.0, 0.0, 1.0),
            Vector3::new(0.0, 0.0, -1.0)
        );
        let left = phone_axes(Placement::LeftShank).unwrap();
        assert_eq!(
            left.sensor_to_body() * Vector3::new(0.0, 0.0, 1.0),
            Vector3::new(0.0, -1.0, 0.0)
        );
        let right = phone_axes(Placement::RightShank).unwrap();
        assert_eq!(
            right.sensor_to_body() * Vector3::new(0.0, 0.0, 1.0),
            Vector3::new(0.0, 1.0, 0.0)
        );
        assert!(phone_axes(Placement::LeftFoot).is_none());
    }

    #[test]
    fn gbk_degree_signs_decode() {
        let t = decode(b"AsX(\xA1\xE3/s)\tT(\xA1\xE6)");
        assert_eq!(t, "AsX(°/s)\tT(℃)");
        assert_eq!(decode(b"\xEF\xBB\xBFa,b"), "a,b");
    }
}
