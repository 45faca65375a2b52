//! Online gait analysis for live feedback: samples arrive one by one (from a replayed
//! session or from BLE sensors) and each step is reported a fraction of a second after the
//! foot lands.
//!
//! Stages, one file each: [`replay`] (a recorded session as a sample stream) →
//! [`detector`] (contacts and sides: the offline pipeline on a trailing window with a
//! bounded look-ahead) → [`side_rule`] (when a live side is trustworthy, and sides decided
//! after the step was fed back) → [`walking_check`] (steps fed back outside any walk the
//! offline windows see are taken back) → [`rolling`]
//! (cadence, evenness, step-time and stance symmetry over the last steps) → [`targets`]
//! (on/off target per step, metronome) → [`events`] (the per-step record), run together by
//! [`pipeline`]. [`sensors`] feeds the pipeline from BLE sensors being recorded.

pub mod detector;
pub mod events;
pub mod pipeline;
pub mod replay;
pub mod rolling;
pub mod sensors;
pub mod side_rule;
pub mod targets;
pub mod walking_check;
