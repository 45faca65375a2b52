//! JSON export: the whole analysis, with units in the key names and times in seconds from
//! the first sample. Contract: `gait.initial_contacts[] {t_s, side}`,
//! `gait.final_contacts[] {t_s, side}`, `gait.summary {cadence_spm, stride_length_m,
//! walking_speed_mps, step_time_s {left,right}, stance_time_s, swing_time_s, symmetry {…}}`.

use std::io::Write;

use serde::Serialize;

use super::Exporter;
use crate::analyze::SessionAnalysis;

pub struct JsonExporter;

#[derive(Serialize)]
struct Document<'a> {
    gaitkit_version: &'static str,
    #[serde(flatten)]
    analysis: &'a SessionAnalysis,
}

impl Exporter for JsonExporter {
    fn name(&self) -> &'static str {
        "json"
    }

    fn export(&self, analysis: &SessionAnalysis, out: &mut dyn Write) -> std::io::Result<()> {
        let doc = Document {
            gaitkit_version: env!("CARGO_PKG_VERSION"),
            analysis,
        };
        write_pretty(out, &doc)
    }
}

/// Writes `value` as pretty-printed JSON and a line break. The serialiser writes through a
/// buffer of its own (64 KiB) rather than straight into `out`, so its many small writes
/// (about 700 000 for the analysis of an hour) are not calls through `dyn Write`.
pub(crate) fn write_pretty<T: Serialize>(out: &mut dyn Write, value: &T) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(64 << 10, out);
    serde_json::to_writer_pretty(&mut w, value)?;
    writeln!(w)?;
    w.flush()
}
