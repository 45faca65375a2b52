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
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
