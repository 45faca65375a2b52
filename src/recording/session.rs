//! The session folder: `session.json` plus one CSV per sensor.
//!
//! This is the format `gaitkit record` writes and `gaitkit analyze` reads. The minimum a
//! reader needs is `participant` and `sensors[] {placement, file, axes}`; every other key is
//! optional so that sessions recorded elsewhere (like the bundled fixtures) load too.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::axes::Axes;
use super::resample::{Gap, UniformImu, MAX_RATE_HZ, MIN_RATE_HZ};
use crate::error::{Error, Location, Result};

/// File name of the session description inside a session folder.
pub const SESSION_FILE: &str = "session.json";
/// Version of the session format written by this gaitkit.
pub const FORMAT_VERSION: u32 = 1;
/// Largest `session.json` read, bytes (a real one is a few kB).
pub const MAX_SESSION_BYTES: u64 = 1 << 20;
/// Latest time a recorded gap may start or end, s from the first sample (a week).
const MAX_SESSION_TIME_S: f64 = 7.0 * 24.0 * 3600.0;

/// A sensor CSV that does not exist, said as named by the session folder's `session.json`
/// (other errors are returned unchanged).
pub fn missing_sensor_file(dir: &Path, entry: &SensorEntry, e: Error) -> Error {
    match e {
        Error::Io { io, .. } if io.kind() == std::io::ErrorKind::NotFound => Error::input(
            Location::file(dir.join(&entry.file)),
            format!(
                "no such file, but {} names it as the {} sensor's file: copy the CSV into the folder or correct \"file\" there",
                dir.join(SESSION_FILE).display(),
                entry.placement
            ),
        ),
        e => e,
    }
}

/// serde_json's message without its " at line L column C" (the line is given separately).
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

/// `session.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Format version; absent in sessions not written by gaitkit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<u32>,
    /// Wall-clock time of the first sample (RFC 3339 with UTC offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<FixedOffset>>,
    /// What the participant did during the recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
    #[serde(default)]
    pub participant: Participant,
    pub sensors: Vec<SensorEntry>,
    /// Time ranges in which a sensor delivered no data (dropped connection, lost packets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<RecordedGap>,
    /// How several sensor clocks were put on one timeline, if more than one sensor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncInfo>,
    /// Whether the sensors' timestamps come from one clock (`shared`, e.g. XSens Awinda or a
    /// wired system) or from each sensor's own (`separate`, the default when `sync` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Where the sensors' timestamps come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// All sensors on one clock: their timestamps are used as they are, never shifted.
    Shared,
    /// Each sensor on its own clock: leg sensors are put on one timeline by the sync jump.
    Separate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Body height in metres.
    #[serde(default)]
    pub height_m: Option<f64>,
    /// Height of the lower-back sensor above the floor while standing, metres
    /// (the pendulum length of the inverted-pendulum step-length model).
    #[serde(default)]
    pub sensor_height_m: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_years: Option<f64>,
}

/// One sensor of the session and the CSV file holding its samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorEntry {
    pub placement: Placement,
    /// CSV file name relative to the session folder.
    pub file: String,
    pub axes: Axes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceInfo>,
    /// Nominal sampling rate configured on the device, Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling_rate_hz: Option<f64>,
    /// Where the samples came from when imported from another app's export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ImportSource>,
}

/// Provenance of a sensor imported with `gaitkit import`: which app and files, the units and
/// clock found there, the rates and the gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSource {
    /// App that wrote the export (e.g. `Polar Sensor Logger`).
    pub app: String,
    /// Device as the export names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The export files read, as given.
    pub files: Vec<String>,
    /// Unit of each stream as the export states it (converted to m/s² and deg/s).
    pub units: Vec<String>,
    /// The time base used for the samples.
    pub clock: String,
    /// Sampling rate of the imported table (median interval), Hz.
    pub rate_hz: f64,
    /// Rates of the acceleration and angular-velocity streams in the export, Hz.
    pub acc_rate_hz: f64,
    pub gyr_rate_hz: f64,
    /// Local wall-clock time of the first sample when the export gives no UTC offset
    /// (ISO 8601 without offset); `start_time` of the session is then unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_start: Option<String>,
    /// Intervals without data, [last sample before, first sample after], s of the sensor CSV.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<[f64; 2]>,
    /// Assumptions and corrections made while importing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
}

/// A time range without data from one sensor, seconds from the session's first sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedGap {
    pub placement: Placement,
    pub start_s: f64,
    pub end_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// How sensor clocks were mapped onto the shared host timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncInfo {
    /// `device-timestamps` or `arrival-times`.
    pub method: String,
    /// Largest estimated misalignment between any two sensors, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_offset_error_s: Option<f64>,
}

/// Where a sensor sits on the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placement {
    LowerBack,
    LeftFoot,
    RightFoot,
    LeftShank,
    RightShank,
}

impl Placement {
    pub const ALL: [Placement; 5] = [
        Placement::LowerBack,
        Placement::LeftFoot,
        Placement::RightFoot,
        Placement::LeftShank,
        Placement::RightShank,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Placement::LowerBack => "lower-back",
            Placement::LeftFoot => "left-foot",
            Placement::RightFoot => "right-foot",
            Placement::LeftShank => "left-shank",
            Placement::RightShank => "right-shank",
        }
    }
}

impl FromStr for Placement {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Placement::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Placement::ALL.iter().map(|p| p.as_str()).collect();
                format!(
                    "unknown placement \"{s}\"; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Placement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Placement {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The recorded task. Unknown task names are kept verbatim (`Other`) so newer sessions load.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Task {
    Walk,
    /// Double-leg standing balance, eyes open.
    Stand,
    /// Double-leg standing balance, eyes closed.
    StandEyesClosed,
    /// Single-leg stance standing on the left leg.
    SingleLegLeft,
    SingleLegRight,
    /// Single-leg stance without the side: the stance leg is detected.
    SingleLegStance,
    SquatLeft,
    SquatRight,
    StepDownLeft,
    StepDownRight,
    Other(String),
}

impl Task {
    pub const KNOWN: [&'static str; 10] = [
        "walk",
        "stand",
        "stand-eyes-closed",
        "single-leg-left",
        "single-leg-right",
        "single-leg-stance",
        "squat-left",
        "squat-right",
        "step-down-left",
        "step-down-right",
    ];

    /// Standing balance, single-leg stance, squat and step-down: analysed by the balance
    /// analyses rather than the gait pipeline.
    pub fn is_balance(&self) -> bool {
        !matches!(self, Task::Walk | Task::Other(_))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Task::Walk => "walk",
            Task::Stand => "stand",
            Task::StandEyesClosed => "stand-eyes-closed",
            Task::SingleLegLeft => "single-leg-left",
            Task::SingleLegRight => "single-leg-right",
            Task::SingleLegStance => "single-leg-stance",
            Task::SquatLeft => "squat-left",
            Task::SquatRight => "squat-right",
            Task::StepDownLeft => "step-down-left",
            Task::StepDownRight => "step-down-right",
            Task::Other(s) => s,
        }
    }
}

impl FromStr for Task {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "walk" => Task::Walk,
            "stand" => Task::Stand,
            "stand-eyes-closed" => Task::StandEyesClosed,
            "single-leg-left" => Task::SingleLegLeft,
            "single-leg-right" => Task::SingleLegRight,
            "single-leg-stance" => Task::SingleLegStance,
            "squat-left" => Task::SquatLeft,
            "squat-right" => Task::SquatRight,
            "step-down-left" => Task::StepDownLeft,
            "step-down-right" => Task::StepDownRight,
            "" => return Err("empty task name".into()),
            other => Task::Other(other.to_string()),
        })
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Task {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Task {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Session {
    /// Adds the gaps recorded here for `placement` (a dropped connection during
    /// `gaitkit record`) to the sensor's missing-data ranges, as gaps too long to bridge, so
    /// they split the recording exactly like gaps in the timestamps. Overlapping ranges are
    /// merged.
    pub fn mark_recorded_gaps(&self, imu: &mut UniformImu, placement: Placement) {
        let end_s = imu.time_s(imu.len().saturating_sub(1));
        let recorded = self
            .gaps
            .iter()
            .filter(|g| g.placement == placement)
            .map(|g| Gap {
                start_s: g.start_s.max(imu.t0_s),
                end_s: g.end_s.min(end_s),
                filled: false,
            })
            .filter(|g| g.end_s > g.start_s);
        let mut all: Vec<Gap> = imu.gaps.iter().copied().chain(recorded).collect();
        if all.len() == imu.gaps.len() {
            return;
        }
        all.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let mut merged: Vec<Gap> = Vec::with_capacity(all.len());
        for g in all {
            match merged.last_mut() {
                Some(last) if g.start_s <= last.end_s && (!g.filled || !last.filled) => {
                    last.end_s = last.end_s.max(g.end_s);
                    last.filled = false;
                }
                _ => merged.push(g),
            }
        }
        imu.gaps = merged;
    }

    /// A new session as `gaitkit record` starts it.
    pub fn new(sensors: Vec<SensorEntry>) -> Self {
        Session {
            format_version: Some(FORMAT_VERSION),
            start_time: None,
            task: None,
            participant: Participant::default(),
            sensors,
            gaps: Vec::new(),
            sync: None,
            clock: None,
            notes: None,
        }
    }

    /// True when the session declares one clock for all its sensors: `sync` (written by
    /// `gaitkit record`, which puts every sensor on the host clock) or `"clock": "shared"`.
    pub fn shared_clock(&self) -> bool {
        self.sync.is_some() || self.clock == Some(Clock::Shared)
    }

    /// Reads `session.json` from a session folder and checks it is complete.
    pub fn read(dir: &Path) -> Result<Session> {
        let path = dir.join(SESSION_FILE);
        match std::fs::metadata(dir) {
            Err(e) => return Err(Error::io(dir, e)),
            Ok(m) if !m.is_dir() => {
                return Err(Error::input(
                    Location::file(dir),
                    "is a file, not a session folder (a folder holding session.json and the sensor CSVs)",
                ))
            }
            Ok(_) => {}
        }
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::input(
                    Location::file(dir),
                    format!(
                        "no {SESSION_FILE} in this folder, so it is not a session folder; `gaitkit record` \
                         writes one (see the README for its format), or analyse a lone CSV with --axes"
                    ),
                ))
            }
            Err(e) => return Err(Error::io(&path, e)),
            Ok(m) if !m.is_file() => {
                return Err(Error::input(
                    Location::file(&path),
                    "is not a regular file (a folder, named pipe or device?)",
                ))
            }
            Ok(m) if m.len() > MAX_SESSION_BYTES => {
                return Err(Error::input(
                    Location::file(&path),
                    format!(
                        "is {} bytes long; a session description is a few kB (at most {MAX_SESSION_BYTES} bytes are read)",
                        m.len()
                    ),
                ))
            }
            Ok(_) => {}
        }
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::input(
                Location::file(&path),
                "is not UTF-8 text: save it as plain JSON text",
            )
        })?;
        Session::parse(&text, &path)
    }

    /// Parses session JSON; `path` is only used in error messages. Unknown keys are ignored
    /// (newer or other writers may add their own), known ones are checked value by value.
    /// A leading UTF-8 byte-order mark (written by Windows editors such as Notepad) is skipped.
    pub fn parse(text: &str, path: &Path) -> Result<Session> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let de = &mut serde_json::Deserializer::from_str(text);
        let session: Session = serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            let line = inner.line() as u64;
            let what = strip_position(&inner.to_string());
            let problem = if field.is_empty() || field == "." {
                format!("invalid session description: {what}")
            } else {
                format!("field \"{field}\": {what}")
            };
            Error::input(Location::line(path, line.max(1)), problem)
        })?;
        session.validate(path)?;
        Ok(session)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |field: String, problem: String| {
            Err(Error::input(
                Location::file(path),
                format!("field \"{field}\": {problem}"),
            ))
        };
        if let Some(v) = self.format_version {
            if v == 0 || v > FORMAT_VERSION {
                return bad(
                    "format_version".into(),
                    format!(
                        "{v} is not a session format this gaitkit reads (it reads version {FORMAT_VERSION}); \
                         a newer gaitkit wrote it? Update gaitkit"
                    ),
                );
            }
        }
        if self.sensors.is_empty() {
            return bad(
                "sensors".into(),
                "is empty: a session needs at least one sensor".into(),
            );
        }
        for (i, s) in self.sensors.iter().enumerate() {
            let name = Path::new(&s.file);
            let plain = name.components().count() == 1
                && matches!(
                    name.components().next(),
                    Some(std::path::Component::Normal(_))
                );
            if s.file.trim().is_empty() || !plain || s.file == SESSION_FILE {
                return bad(
                    format!("sensors[{i}].file"),
                    format!(
                        "must be the name of a CSV file inside the session folder (no folders, not {SESSION_FILE}), got \"{}\"",
                        crate::error::quote_bytes(s.file.as_bytes())
                    ),
                );
            }
            if self.sensors[..i].iter().any(|o| o.file == s.file) {
                return bad(
                    format!("sensors[{i}].file"),
                    format!("\"{}\" is named for two sensors", s.file),
                );
            }
            if self.sensors[..i].iter().any(|o| o.placement == s.placement) {
                return bad(
                    format!("sensors[{i}].placement"),
                    format!("placement \"{}\" appears twice", s.placement),
                );
            }
            if let Some(hz) = s.sampling_rate_hz {
                if !(MIN_RATE_HZ..=MAX_RATE_HZ).contains(&hz) {
                    return bad(
                        format!("sensors[{i}].sampling_rate_hz"),
                        format!("{hz} is outside {MIN_RATE_HZ:.0}–{MAX_RATE_HZ:.0} Hz"),
                    );
                }
            }
        }
        let p = &self.participant;
        for (name, v, lo, hi, unit) in [
            (
                "participant.height_m",
                p.height_m,
                0.5,
                2.6,
                "m (heights are in metres)",
            ),
            (
                "participant.sensor_height_m",
                p.sensor_height_m,
                0.3,
                1.6,
                "m (heights are in metres)",
            ),
            ("participant.age_years", p.age_years, 0.0, 120.0, "years"),
        ] {
            if let Some(v) = v {
                if !(lo..=hi).contains(&v) {
                    return bad(name.into(), format!("{v} is outside {lo}–{hi} {unit}"));
                }
            }
        }
        for (i, g) in self.gaps.iter().enumerate() {
            if self.sensor(g.placement).is_none() {
                return bad(
                    format!("gaps[{i}].placement"),
                    format!("\"{}\" is not one of this session's sensors", g.placement),
                );
            }
            let ok = |v: f64| v.is_finite() && (0.0..=MAX_SESSION_TIME_S).contains(&v);
            if !ok(g.start_s) || !ok(g.end_s) || g.end_s <= g.start_s {
                return bad(
                    format!("gaps[{i}]"),
                    format!(
                        "start_s {} and end_s {} must be seconds from the first sample with start_s < end_s",
                        g.start_s, g.end_s
                    ),
                );
            }
        }
        if self.sync.is_some() && self.clock == Some(Clock::Separate) {
            return bad(
                "clock".into(),
                "\"separate\" contradicts \"sync\", which puts every sensor on one clock; remove one of the two".into(),
            );
        }
        if let Some(e) = self.sync.as_ref().and_then(|s| s.max_offset_error_s) {
            if !(0.0..=60.0).contains(&e) {
                return bad(
                    "sync.max_offset_error_s".into(),
                    format!("{e} is outside 0–60 s"),
                );
            }
        }
        Ok(())
    }

    /// Reads the CSV of one of this session's sensors; a missing file is reported as named by
    /// `session.json`.
    pub fn read_sensor(&self, dir: &Path, entry: &SensorEntry) -> Result<super::ImuTable> {
        super::ImuTable::read(&self.sensor_path(dir, entry))
            .map_err(|e| missing_sensor_file(dir, entry, e))
    }

    /// Writes `session.json` atomically (temporary file, then rename).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(SESSION_FILE);
        let tmp = dir.join(format!("{SESSION_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).expect("session serialises");
        std::fs::write(&tmp, text + "\n").map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        Ok(())
    }

    pub fn sensor(&self, placement: Placement) -> Option<&SensorEntry> {
        self.sensors.iter().find(|s| s.placement == placement)
    }

    /// Path of a sensor's CSV in the session folder `dir`.
    pub fn sensor_path(&self, dir: &Path, entry: &SensorEntry) -> PathBuf {
        dir.join(&entry.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"participant": {"height_m": 1.59, "sensor_height_m": 0.964},
        "sensors": [{"placement": "lower-back", "file": "lower_back.csv", "axes": "URF"}]}"#;

    #[test]
    fn reads_minimal_session_without_optional_keys() {
        let s = Session::parse(MINIMAL, Path::new("x/session.json")).unwrap();
        assert_eq!(s.participant.height_m, Some(1.59));
        assert_eq!(s.sensors[0].placement, Placement::LowerBack);
        assert_eq!(s.sensors[0].axes.to_string(), "URF");
        assert!(s.task.is_none() && s.start_time.is_none() && s.gaps.is_empty());
    }

    #[test]
    fn full_session_round_trips_through_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::new(vec![
            SensorEntry {
                placement: Placement::LeftShank,
                file: "left_shank.csv".into(),
                axes: "DRB".parse().unwrap(),
                device: Some(DeviceInfo {
                    model: Some("Polar Verity Sense".into()),
                    ..Default::default()
                }),
                sampling_rate_hz: Some(104.0),
                source: None,
            },
            SensorEntry {
                placement: Placement::LowerBack,
                file: "lower_back.csv".into(),
                axes: "URF".parse().unwrap(),
                device: None,
                sampling_rate_hz: None,
                source: None,
            },
        ]);
        s.start_time = Some(DateTime::parse_from_rfc3339("2026-11-27T10:15:00+01:00").unwrap());
        s.task = Some(Task::SingleLegLeft);
        s.participant = Participant {
            id: Some("P07".into()),
            height_m: Some(1.72),
            sensor_height_m: None,
            age_years: Some(54.0),
        };
        s.gaps.push(RecordedGap {
            placement: Placement::LeftShank,
            start_s: 12.5,
            end_s: 13.25,
            reason: Some("disconnected".into()),
        });
        s.sync = Some(SyncInfo {
            method: "device-timestamps".into(),
            max_offset_error_s: Some(0.004),
        });
        s.write(dir.path()).unwrap();
        let back = Session::read(dir.path()).unwrap();
        assert_eq!(back, s);
        let unknown = Session::parse(
            &MINIMAL.replace("\"participant\"", "\"task\": \"hop-test\", \"participant\""),
            Path::new("s.json"),
        )
        .unwrap();
        assert_eq!(unknown.task, Some(Task::Other("hop-test".into())));
    }

    #[test]
    fn clock_is_optional_and_declares_a_shared_timeline() {
        let p = Path::new("s/session.json");
        let old = Session::parse(MINIMAL, p).unwrap();
        assert_eq!(old.clock, None);
        assert!(!old.shared_clock());
        let with = |clock: &str| MINIMAL.replace("\"sensors\"", &format!("{clock} \"sensors\""));
        let shared = Session::parse(&with("\"clock\": \"shared\","), p).unwrap();
        assert_eq!(shared.clock, Some(Clock::Shared));
        assert!(shared.shared_clock());
        let separate = Session::parse(&with("\"clock\": \"separate\","), p).unwrap();
        assert!(!separate.shared_clock());
        let synced = with("\"sync\": {\"method\": \"arrival-times\"},");
        assert!(Session::parse(&synced, p).unwrap().shared_clock());
        let err = Session::parse(
            &with("\"clock\": \"separate\", \"sync\": {\"method\": \"arrival-times\"},"),
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("\"clock\"") && err.contains("contradicts"),
            "{err}"
        );
        let err = Session::parse(&with("\"clock\": \"host\","), p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("host"), "{err}");
    }

    #[test]
    fn errors_name_the_file_and_problem() {
        let p = Path::new("/data/p1/session.json");
        let err = Session::parse(&MINIMAL.replace("lower-back", "neck"), p)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/data/p1/session.json") && err.contains("unknown placement \"neck\""),
            "{err}"
        );
        let err = Session::parse(&MINIMAL.replace("URF", "UUF"), p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("twice"), "{err}");
        let err = Session::parse(&MINIMAL.replace("1.59", "159"), p)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("field \"participant.height_m\": 159") && err.contains("metres"),
            "{err}"
        );
        let err = Session::parse("{\"sensors\": [}", p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1"), "{err}");
        let err = Session::parse(r#"{"sensors": []}"#, p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least one sensor"), "{err}");
        let err = Session::read(Path::new("/nonexistent/session"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "/nonexistent/session: no such file or folder; check the path"
        );
    }
}
