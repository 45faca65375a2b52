//! Reports: charts, before/after verdicts, progress over sessions and the HTML report, all
//! built from [`model::SessionMetrics`].

pub mod charts;
pub mod compare;
pub mod html;
pub mod model;
pub mod progress;
