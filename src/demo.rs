//! The bundled demo recording, embedded in the binary so `gaitkit demo` works from any
//! directory: Mobilise-D HA001 Test11 (healthy adult, 138 s of simulated daily activities:
//! walks, turns, stops), lower-back sensor at 100 Hz. Data: mobgap 1.2.0 example data,
//! Apache License 2.0 (see fixtures/README.md).

use std::path::Path;

use crate::analyze::{analyze_with, AnalyzeOptions, SessionAnalysis};
use crate::error::{Error, Location, Result};
use crate::recording::{ImuTable, Session};

pub const NAME: &str = "mobilised_HA001_Test11_Trial1";
const SESSION_JSON: &str = include_str!("../fixtures/mobilised_HA001_Test11_Trial1/session.json");
const LOWER_BACK_CSV: &[u8] =
    include_bytes!("../fixtures/mobilised_HA001_Test11_Trial1/lower_back.csv");

/// Analyses the embedded recording.
pub fn analyze_demo() -> Result<SessionAnalysis> {
    let (dir, session) = bundled()?;
    analyze_with(&dir, &session, &AnalyzeOptions::default(), &read_bundled)
}

/// The embedded recording as chart metrics, for the demo's charts and HTML report.
pub fn demo_metrics() -> Result<crate::report::model::SessionMetrics> {
    let (dir, session) = bundled()?;
    crate::report::metrics_from_gait::session_metrics_with(
        &dir,
        &session,
        &AnalyzeOptions::default(),
        &read_bundled,
    )
}

fn bundled() -> Result<(std::path::PathBuf, Session)> {
    let dir = Path::new("(bundled)").join(NAME);
    let session = Session::parse(SESSION_JSON, &dir.join("session.json"))?;
    Ok((dir, session))
}

fn read_bundled(p: &Path) -> Result<ImuTable> {
    if p.file_name().is_some_and(|f| f == "lower_back.csv") {
        ImuTable::from_reader(LOWER_BACK_CSV, p)
    } else {
        Err(Error::input(
            Location::file(p),
            "not part of the bundled demo",
        ))
    }
}
