//! The result of a gait analysis, independent of the sensor set that produced it.
//! Times are seconds from the first sample of the recording; frames and units are in the
//! field names.

use serde::Serialize;

use super::body_frame::Alignment;
use super::events::{Contact, PerSide, Side};
use super::harmonic_ratio::HarmonicRatios;
use super::quality::Quality;
use super::regularity::Regularity;
use super::steady::{LeftOut, LeftOutCounts};
use super::symmetry::SideComparison;
use super::turns::Turn;
use super::walking_bouts::WalkingBout;
use crate::recording::Gap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GaitAnalysis {
    /// Which sensor(s) the events and temporal parameters come from (`lower-back`, `feet`, `shanks`).
    pub source: String,
    pub duration_s: f64,
    pub sampling_rate_hz: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
    /// Missing-data ranges found in the recording (filled = bridged by interpolation).
    pub gaps: Vec<Gap>,
    pub bouts: Vec<WalkingBout>,
    pub turns: Vec<Turn>,
    /// Heading changes that may or may not be turns (too small, brief or slow to be sure);
    /// strides near them are left out like those near turns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertain_turns: Vec<Turn>,
    pub initial_contacts: Vec<Contact>,
    pub final_contacts: Vec<Contact>,
    pub steps: Vec<Step>,
    pub strides: Vec<Stride>,
    pub summary: GaitSummary,
    /// Plain-language remarks on how the analysis was done (assumptions, estimates, warnings).
    pub notes: Vec<String>,
    /// Every check run before the numbers above were trusted, with its evidence.
    pub quality: Quality,
}

/// From one initial contact to the next (of the other foot).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub bout: usize,
    /// Foot making the closing contact (the step "belongs" to the foot that lands).
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    pub step_time_s: f64,
    pub step_length_m: Option<f64>,
    pub in_turn: bool,
    /// Duration within 0.6–1.75 × the bout's median step (no missed or extra contact).
    pub regular: bool,
    /// Used for whole-walk metrics (cadence, step-time variability): regular with a margin,
    /// between regular steps, not in a turn, not the first or last step of a walk, away from
    /// marginal contacts (see [`super::temporal`]). Left/right values use the steps of steady
    /// strides instead (see [`super::summary`]).
    pub steady: bool,
}

/// From one initial contact to the next of the same foot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stride {
    pub bout: usize,
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    pub stride_time_s: f64,
    /// The step that lands with this stride's last contact (from the other foot's contact
    /// inside the stride): this foot's step.
    pub step_time_s: Option<f64>,
    pub stance_time_s: Option<f64>,
    pub swing_time_s: Option<f64>,
    /// From this foot's contact to the other foot's toe-off.
    pub initial_double_support_s: Option<f64>,
    /// From the other foot's contact to this foot's toe-off.
    pub terminal_double_support_s: Option<f64>,
    /// This foot alone on the ground (= the other foot's swing).
    pub single_support_s: Option<f64>,
    pub stride_length_m: Option<f64>,
    pub speed_mps: Option<f64>,
    pub in_turn: bool,
    /// Counts towards per-side values and symmetry indices (see [`super::steady`]).
    pub steady: bool,
    /// Why the stride does not count; `None` when it does.
    pub left_out: Option<LeftOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct GaitSummary {
    pub n_bouts: usize,
    pub n_steps: usize,
    pub n_steady_steps: usize,
    pub n_strides: usize,
    /// Strides per side that count towards per-side values and symmetry indices.
    pub n_steady_strides: PerSide<usize>,
    /// Strides that do not count, by reason.
    pub left_out: LeftOutCounts,
    pub walking_time_s: f64,
    /// Steps per minute over steady steps (60 / mean step time).
    pub cadence_spm: Option<f64>,
    pub step_length_m: Option<f64>,
    pub stride_length_m: Option<f64>,
    pub walking_speed_mps: Option<f64>,
    /// Per-side values: 20 % trimmed means over the steady strides (see [`super::symmetry`]).
    pub step_time_s: PerSide<Option<f64>>,
    pub stride_time_s: PerSide<Option<f64>>,
    pub stance_time_s: PerSide<Option<f64>>,
    pub swing_time_s: PerSide<Option<f64>>,
    pub single_support_s: PerSide<Option<f64>>,
    pub double_support_s: PerSide<Option<f64>>,
    pub step_length_per_side_m: PerSide<Option<f64>>,
    /// Stance as % of stride time.
    pub stance_pct: PerSide<Option<f64>>,
    pub symmetry: SymmetrySummary,
    /// Each per-side parameter compared between the sides, with the per-side standard errors
    /// and the symmetry index's 95 % interval.
    pub comparisons: SideComparisons,
    pub variability: Variability,
    pub regularity: Option<Regularity>,
    pub harmonic_ratio: Option<HarmonicRatios>,
}

/// Left/right symmetry of the per-side values; SI and GA in %, sign = right relative to left.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SymmetrySummary {
    pub step_time_si_pct: Option<f64>,
    pub step_time_ratio: Option<f64>,
    pub step_time_ga_pct: Option<f64>,
    pub stance_time_si_pct: Option<f64>,
    pub stance_time_ratio: Option<f64>,
    pub swing_time_si_pct: Option<f64>,
    pub swing_time_ratio: Option<f64>,
    /// Gait asymmetry of swing time (Plotnik 2005): 100·|ln(R/L)|.
    pub swing_time_ga_pct: Option<f64>,
    pub single_support_si_pct: Option<f64>,
    pub step_length_si_pct: Option<f64>,
    pub step_length_ratio: Option<f64>,
    /// Phase coordination index (Plotnik 2007), %; 0 = perfect anti-phase.
    pub pci_pct: Option<f64>,
    /// Left–right evenness of step time, % (smaller/larger × 100).
    pub step_time_evenness_pct: Option<f64>,
}

/// Per-side parameters compared between the sides over the steady strides.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SideComparisons {
    pub step_time: Option<SideComparison>,
    pub stride_time: Option<SideComparison>,
    pub stance_time: Option<SideComparison>,
    pub swing_time: Option<SideComparison>,
    pub single_support: Option<SideComparison>,
    pub double_support: Option<SideComparison>,
    pub step_length: Option<SideComparison>,
}

/// Step-to-step variability: coefficient of variation, % (SD / mean × 100), steady steps.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Variability {
    pub step_time_cv_pct: Option<f64>,
    pub stride_time_cv_pct: Option<f64>,
    pub stance_time_cv_pct: Option<f64>,
    pub swing_time_cv_pct: Option<f64>,
    pub step_time_cv_per_side_pct: PerSide<Option<f64>>,
}
