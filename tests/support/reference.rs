//! Reader for the fixtures' `reference.json` (what the reference systems measured).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The six Mobilise-D lower-back recordings.
pub const LOWER_BACK_FIXTURES: [&str; 6] = [
    "mobilised_HA001_Test5_Trial1",
    "mobilised_HA001_Test5_Trial2",
    "mobilised_MS001_Test5_Trial1",
    "mobilised_MS001_Test5_Trial2",
    "mobilised_HA001_Test11_Trial1",
    "mobilised_MS001_Test11_Trial1",
];

#[derive(Debug, Clone)]
pub struct RefContact {
    pub t_s: f64,
    pub left: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct RefBout {
    pub start_s: f64,
    pub end_s: f64,
}

#[derive(Debug, Clone)]
pub struct RefStride {
    pub start_s: f64,
    pub end_s: f64,
    pub left: Option<bool>,
    pub length_m: Option<f64>,
    pub duration_s: f64,
    pub speed_mps: Option<f64>,
    pub stance_time_s: Option<f64>,
    pub swing_time_s: Option<f64>,
}

/// One reference system's view of a lower-back recording.
#[derive(Debug, Clone)]
pub struct LowerBackReference {
    pub system: String,
    pub initial_contacts: Vec<RefContact>,
    pub bouts: Vec<RefBout>,
    pub strides: Vec<RefStride>,
    pub median_step_cadence_spm: f64,
    pub median_stride_length_m: f64,
    pub median_stride_speed_mps: f64,
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn side(v: &Value) -> Option<bool> {
    match v.as_str() {
        Some("left") => Some(true),
        Some("right") => Some(false),
        _ => None,
    }
}

pub fn load_json(name: &str) -> Value {
    let path = fixtures_dir().join(name).join("reference.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Reads the reference of a Mobilise-D fixture from `system` ("Stereophoto" or "INDIP").
pub fn lower_back_reference(name: &str, system: &str) -> LowerBackReference {
    let v = load_json(name);
    let r = &v["reference"][system];
    let initial_contacts = r["initial_contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| RefContact {
            t_s: f(&c["ic_s"]).unwrap(),
            left: side(&c["lr_label"]),
        })
        .collect();
    let bouts = r["walking_bouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| RefBout {
            start_s: f(&b["start_s"]).unwrap(),
            end_s: f(&b["end_s"]).unwrap(),
        })
        .collect();
    let strides = r["strides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| RefStride {
            start_s: f(&s["start_s"]).unwrap(),
            end_s: f(&s["end_s"]).unwrap(),
            left: side(&s["lr_label"]),
            length_m: f(&s["length_m"]),
            duration_s: f(&s["duration_s"])
                .unwrap_or(f(&s["end_s"]).unwrap() - f(&s["start_s"]).unwrap()),
            speed_mps: f(&s["speed_mps"]),
            stance_time_s: f(&s["stance_time_s"]),
            swing_time_s: f(&s["swing_time_s"]),
        })
        .collect();
    let s = &r["summary"];
    LowerBackReference {
        system: system.to_string(),
        initial_contacts,
        bouts,
        strides,
        median_step_cadence_spm: f(&s["median_step_cadence_spm"]).unwrap(),
        median_stride_length_m: f(&s["median_stride_length_m"]).unwrap(),
        median_stride_speed_mps: f(&s["median_stride_speed_mps"]).unwrap(),
    }
}

/// Turns of a reference system, (start_s, end_s).
pub fn reference_turns(name: &str, system: &str) -> Vec<(f64, f64)> {
    let v = load_json(name);
    v["reference"][system]["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (f(&t["start_s"]).unwrap(), f(&t["end_s"]).unwrap()))
        .collect()
}

/// The reference to evaluate against: motion capture inside its capture volume (its walking
/// bouts), INDIP elsewhere. For the straight walks (Test5) motion capture covers the whole
/// walk; in the daily-living recordings (Test11) it covers only part of it.
pub fn merged_reference(name: &str) -> LowerBackReference {
    let mocap = lower_back_reference(name, "Stereophoto");
    let indip = lower_back_reference(name, "INDIP");
    let covered = |t: f64| {
        mocap
            .bouts
            .iter()
            .any(|b| t >= b.start_s - 0.5 && t <= b.end_s + 0.5)
    };
    let mut out = mocap.clone();
    out.system = if indip.initial_contacts.iter().any(|c| !covered(c.t_s)) {
        "mocap+INDIP".into()
    } else {
        "mocap".into()
    };
    out.initial_contacts.extend(
        indip
            .initial_contacts
            .iter()
            .filter(|c| !covered(c.t_s))
            .cloned(),
    );
    out.initial_contacts.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    out.bouts.extend(
        indip
            .bouts
            .iter()
            .filter(|b| !covered(b.start_s) && !covered(b.end_s))
            .cloned(),
    );
    out.strides.extend(
        indip
            .strides
            .iter()
            .filter(|s| !covered(s.start_s) && !covered(s.end_s))
            .cloned(),
    );
    out
}

/// Turns of the merged reference.
pub fn merged_turns(name: &str) -> Vec<(f64, f64)> {
    let mut t = reference_turns(name, "Stereophoto");
    t.extend(reference_turns(name, "INDIP"));
    t
}

/// Reference preferred for a recording: motion capture for the straight walks (Test5),
/// INDIP for daily-living recordings (Test11), where motion capture covers only the part of
/// the walk inside the capture volume.
pub fn preferred_system(name: &str) -> &'static str {
    if name.contains("Test5") {
        "Stereophoto"
    } else {
        "INDIP"
    }
}
