//! CSV export: one row per stride (a contact to the next contact of the same foot), with
//! every temporal and spatial parameter of that stride. With two leg sensors the row also has
//! the stride's toe-off, the phase of the other leg's contact, the sensor lift and the heading
//! change. Empty cells = not available (e.g. lift from a lower-back sensor). `left_out` says
//! why a stride is not steady.

use std::io::Write;

use super::Exporter;
use crate::analyze::SessionAnalysis;

pub struct StridesCsvExporter;

pub const HEADER: &str = "stride,bout,side,contact_s,toe_off_s,end_contact_s,stride_time_s,stance_time_s,swing_time_s,stance_pct,initial_double_support_s,single_support_s,terminal_double_support_s,stride_length_m,speed_mps,phase_deg,max_lift_m,turning_deg,in_turn,steady,left_out";

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_default()
}

impl Exporter for StridesCsvExporter {
    fn name(&self) -> &'static str {
        "strides csv"
    }

    fn export(&self, analysis: &SessionAnalysis, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{HEADER}")?;
        let Some(g) = &analysis.gait else {
            return Ok(());
        };
        for (i, s) in g.strides.iter().enumerate() {
            let leg = analysis.legs.as_ref().and_then(|l| {
                l.strides
                    .iter()
                    .find(|x| Some(x.side) == s.side && (x.ic_s - s.start_s).abs() < 1e-9)
            });
            writeln!(
                out,
                "{},{},{},{:.4},{},{:.4},{:.4},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                i + 1,
                s.bout + 1,
                s.side.map(|x| x.as_str()).unwrap_or(""),
                s.start_s,
                opt(leg.map(|x| x.fc_s)),
                s.end_s,
                s.stride_time_s,
                opt(s.stance_time_s),
                opt(s.swing_time_s),
                opt(s.stance_time_s.map(|st| 100.0 * st / s.stride_time_s)),
                opt(s.initial_double_support_s),
                opt(s.single_support_s),
                opt(s.terminal_double_support_s),
                opt(s.stride_length_m),
                opt(s.speed_mps),
                opt(leg.and_then(|x| x.phase_deg)),
                opt(leg.and_then(|x| x.max_lift_m)),
                opt(leg.and_then(|x| x.turning_deg)),
                s.in_turn,
                s.steady,
                s.left_out.map(|r| r.as_str()).unwrap_or("")
            )?;
        }
        Ok(())
    }
}
