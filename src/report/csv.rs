//! CSV export: one row per step (opens in a spreadsheet). Each row is the foot that lands
//! (`side`) at `contact_s`, the step that ends there, and the stride of that foot that
//! starts there (stance, swing, support times). Empty cells = not available.

use std::io::Write;

use super::Exporter;
use crate::analyze::SessionAnalysis;

pub struct StepsCsvExporter;

pub const HEADER: &str = "step,bout,side,contact_s,step_time_s,step_length_m,stride_time_s,stance_time_s,swing_time_s,single_support_s,double_support_s,stride_length_m,speed_mps,in_turn,steady";

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_default()
}

impl Exporter for StepsCsvExporter {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn export(&self, analysis: &SessionAnalysis, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{HEADER}")?;
        let Some(g) = &analysis.gait else {
            return Ok(());
        };
        for (i, s) in g.steps.iter().enumerate() {
            // strides are in time order: the one this step's landing foot starts
            let k = g.strides.partition_point(|st| st.start_s < s.end_s - 1e-9);
            let stride = g
                .strides
                .get(k)
                .filter(|st| st.bout == s.bout && (st.start_s - s.end_s).abs() < 1e-9);
            let ds = stride
                .and_then(|st| Some(st.initial_double_support_s? + st.terminal_double_support_s?));
            writeln!(
                out,
                "{},{},{},{:.4},{:.4},{},{},{},{},{},{},{},{},{},{}",
                i + 1,
                s.bout + 1,
                s.side.map(|x| x.as_str()).unwrap_or(""),
                s.end_s,
                s.step_time_s,
                opt(s.step_length_m),
                opt(stride.map(|st| st.stride_time_s)),
                opt(stride.and_then(|st| st.stance_time_s)),
                opt(stride.and_then(|st| st.swing_time_s)),
                opt(stride.and_then(|st| st.single_support_s)),
                opt(ds),
                opt(stride.and_then(|st| st.stride_length_m)),
                opt(stride.and_then(|st| st.speed_mps)),
                s.in_turn,
                s.steady
            )?;
        }
        Ok(())
    }
}
