//! Reports of an analysis: terminal text, JSON and CSV, one exporter per format behind
//! [`Exporter`]. Exporters write to any `Write`; they never print.
//!
//! Charts, before/after verdicts, progress over sessions and the HTML report are built from
//! [`model::SessionMetrics`].

pub mod balance_text;
pub mod charts;
pub mod compact;
pub mod compare;
pub mod csv;
pub mod html;
pub mod json;
pub mod metrics_from_balance;
pub mod metrics_from_dir;
pub mod metrics_from_gait;
pub mod model;
pub mod progress;
pub mod strides_csv;
pub mod text;

use std::io::Write;

use crate::analyze::SessionAnalysis;

/// One output format of a session analysis.
pub trait Exporter {
    /// Short name of the format, e.g. `json`.
    fn name(&self) -> &'static str;
    fn export(&self, analysis: &SessionAnalysis, out: &mut dyn Write) -> std::io::Result<()>;
}
