//! Postural sway from the lower-back sensor: the ISway set (Mancini et al. 2012, J NeuroEng
//! Rehabil 9:59) with the time- and frequency-domain formulas of Prieto et al. 1996 (IEEE TBME
//! 43:956–966), computed on the horizontal (AP, ML) level-frame linear acceleration.
//!
//! Pre-processing ([`prepare`]): linear detrend and a zero-phase 4th-order Butterworth low-pass
//! (3.5 Hz, as Mancini). Spectra: Welch, 10-s Hann segments, 50 % overlap, linear detrend,
//! restricted to 0.15–5 Hz (Prieto's band) for the frequency measures.

use serde::{Deserialize, Serialize};

use crate::signal::filter::Butterworth;
use crate::signal::welch::{welch, Psd};

/// χ²(0.95, 2 dof): scales the covariance eigenvalues to the 95 % prediction ellipse.
pub const CHI2_95_2DOF: f64 = 5.991;

/// Processing settings; recorded in the result because the measures depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SwaySettings {
    /// Zero-phase low-pass cut-off applied before all measures, Hz.
    pub lowpass_hz: f64,
    /// Band of the frequency measures, Hz.
    pub band_lo_hz: f64,
    pub band_hi_hz: f64,
    /// Welch segment length, s.
    pub welch_segment_s: f64,
}

impl Default for SwaySettings {
    fn default() -> Self {
        SwaySettings {
            lowpass_hz: 3.5,
            band_lo_hz: 0.15,
            band_hi_hz: 5.0,
            welch_segment_s: 10.0,
        }
    }
}

/// Frequency-domain measures of one axis (Prieto 1996), within the settings' band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SwaySpectrum {
    /// Total power μ₀ = Σ G(f)·df, (m/s²)².
    pub total_power_m2ps4: f64,
    /// Frequency below which 50 % of the power lies, Hz.
    pub f50_hz: f64,
    /// Frequency below which 95 % of the power lies, Hz.
    pub f95_hz: f64,
    /// Centroidal frequency √(μ₂/μ₀), Hz.
    pub centroid_hz: f64,
    /// Frequency dispersion √(1 − μ₁²/(μ₀μ₂)), 0 = a pure tone.
    pub dispersion: f64,
}

/// The ISway set of one recording window. `x` = AP (+forward), `y` = ML (+right), m/s².
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sway {
    pub duration_s: f64,
    /// RMS of the resultant √(x² + y²), m/s².
    pub rms_mps2: f64,
    pub rms_ap_mps2: f64,
    pub rms_ml_mps2: f64,
    /// Peak-to-peak range per axis, m/s².
    pub range_ap_mps2: f64,
    pub range_ml_mps2: f64,
    /// Mean resultant distance from the centre, m/s².
    pub mean_distance_mps2: f64,
    /// Sway path Σ‖Δ(x, y)‖, m/s² (depends on the sampling rate; compare at equal rates).
    pub path_mps2: f64,
    /// JERK = ½∫(ẋ² + ẏ²)dt, m²/s⁵ (grows with duration: compare equal-length trials).
    pub jerk_m2ps5: f64,
    /// Mean horizontal velocity from integrated, drift-filtered acceleration, m/s.
    pub mean_velocity_mps: f64,
    /// Mean frequency PATH / (2π·DIST·T), Hz.
    pub mean_frequency_hz: f64,
    /// Area swept per second (1/2T)Σ|x_{i+1}y_i − x_i y_{i+1}|, m²/s⁵.
    pub area_per_s_m2ps5: f64,
    /// 95 % prediction-ellipse area 5.991·π·√(λ₁λ₂), (m/s²)².
    pub ellipse_area_m2ps4: f64,
    /// Ellipse semi-axes √(5.991·λ), m/s², major first.
    pub ellipse_major_mps2: f64,
    pub ellipse_minor_mps2: f64,
    /// Direction of the major axis from AP towards ML (right), deg in (−90, 90].
    pub ellipse_angle_deg: f64,
    pub spectrum_ap: Option<SwaySpectrum>,
    pub spectrum_ml: Option<SwaySpectrum>,
    pub settings: SwaySettings,
}

/// Rate the drawn sway path is kept at, Hz: over 5× the 3.5-Hz low-pass, so decimating the
/// prepared signal loses no visible detail.
pub const PATH_FS_HZ: f64 = 20.0;

/// The prepared horizontal trajectory of a trial, kept for drawing the sway path. `ap` is
/// +forward, `ml` +right, m/s², sampled at `fs_hz`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SwayPath {
    pub fs_hz: f64,
    pub ap_mps2: Vec<f64>,
    pub ml_mps2: Vec<f64>,
}

impl SwayPath {
    /// Every k-th sample of prepared ([`prepare`]) signals at `fs_hz`, k = ⌊fs / target⌋ ≥ 1.
    pub fn decimated(ap_mps2: &[f64], ml_mps2: &[f64], fs_hz: f64, target_hz: f64) -> SwayPath {
        let k = ((fs_hz / target_hz).floor() as usize).max(1);
        SwayPath {
            fs_hz: fs_hz / k as f64,
            ap_mps2: ap_mps2.iter().step_by(k).copied().collect(),
            ml_mps2: ml_mps2.iter().step_by(k).copied().collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.ap_mps2.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ap_mps2.is_empty()
    }
}

/// Mean-removed, low-passed copies of the AP and ML accelerations.
pub fn prepare(
    ap_mps2: &[f64],
    ml_mps2: &[f64],
    fs_hz: f64,
    settings: &SwaySettings,
) -> (Vec<f64>, Vec<f64>) {
    let lp = Butterworth::lowpass(4, settings.lowpass_hz, fs_hz);
    let centre = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len().max(1) as f64;
        lp.filtfilt(&x.iter().map(|v| v - m).collect::<Vec<_>>())
    };
    (centre(ap_mps2), centre(ml_mps2))
}

/// ISway measures of an already prepared window ([`prepare`]). `None` if shorter than 1 s or
/// the two axes differ in length.
pub fn sway(ap_mps2: &[f64], ml_mps2: &[f64], fs_hz: f64, settings: &SwaySettings) -> Option<Sway> {
    let n = ap_mps2.len();
    if n != ml_mps2.len() || (n as f64) < fs_hz || fs_hz <= 0.0 {
        return None;
    }
    let (x, y) = (ap_mps2, ml_mps2);
    let dt = 1.0 / fs_hz;
    let duration_s = n as f64 * dt;
    let mean_sq = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>() / n as f64;
    let range = |v: &[f64]| {
        v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
    };
    let r: Vec<f64> = x.iter().zip(y).map(|(a, b)| a.hypot(*b)).collect();
    let mean_distance = r.iter().sum::<f64>() / n as f64;
    let mut path = 0.0;
    let mut jerk = 0.0;
    let mut area2 = 0.0;
    for i in 0..n - 1 {
        let (dx, dy) = (x[i + 1] - x[i], y[i + 1] - y[i]);
        path += dx.hypot(dy);
        jerk += (dx * dx + dy * dy) / (dt * dt) * dt;
        area2 += (x[i + 1] * y[i] - x[i] * y[i + 1]).abs();
    }
    jerk *= 0.5;
    let (mx, my) = (
        x.iter().sum::<f64>() / n as f64,
        y.iter().sum::<f64>() / n as f64,
    );
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (a, b) = (x[i] - mx, y[i] - my);
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
    }
    let denom = (n - 1) as f64;
    let (sxx, syy, sxy) = (sxx / denom, syy / denom, sxy / denom);
    let half_trace = 0.5 * (sxx + syy);
    let disc = (0.25 * (sxx - syy).powi(2) + sxy * sxy).sqrt();
    let (l1, l2) = (half_trace + disc, (half_trace - disc).max(0.0));
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let segment = (settings.welch_segment_s * fs_hz).round() as usize;
    let spectrum = |v: &[f64]| {
        welch(v, fs_hz, segment)
            .and_then(|p| spectrum(&p, settings.band_lo_hz, settings.band_hi_hz))
    };
    Some(Sway {
        duration_s,
        rms_mps2: (mean_sq(x) + mean_sq(y)).sqrt(),
        rms_ap_mps2: mean_sq(x).sqrt(),
        rms_ml_mps2: mean_sq(y).sqrt(),
        range_ap_mps2: range(x),
        range_ml_mps2: range(y),
        mean_distance_mps2: mean_distance,
        path_mps2: path,
        jerk_m2ps5: jerk,
        mean_velocity_mps: mean_velocity(x, y, fs_hz),
        mean_frequency_hz: if mean_distance > 0.0 {
            path / (2.0 * std::f64::consts::PI * mean_distance * duration_s)
        } else {
            0.0
        },
        area_per_s_m2ps5: area2 / (2.0 * duration_s),
        ellipse_area_m2ps4: CHI2_95_2DOF * std::f64::consts::PI * (l1 * l2).sqrt(),
        ellipse_major_mps2: (CHI2_95_2DOF * l1).sqrt(),
        ellipse_minor_mps2: (CHI2_95_2DOF * l2).sqrt(),
        ellipse_angle_deg: angle.to_degrees(),
        spectrum_ap: spectrum(x),
        spectrum_ml: spectrum(y),
        settings: *settings,
    })
}

/// Horizontal velocity by trapezoidal integration, drift removed by a zero-phase 0.1 Hz
/// high-pass (2nd order); the mean of its magnitude, m/s.
fn mean_velocity(x: &[f64], y: &[f64], fs_hz: f64) -> f64 {
    let hp = Butterworth::highpass(2, 0.1, fs_hz);
    let integrate = |a: &[f64]| {
        let mut v = Vec::with_capacity(a.len());
        let mut s = 0.0;
        v.push(0.0);
        for w in a.windows(2) {
            s += 0.5 * (w[0] + w[1]) / fs_hz;
            v.push(s);
        }
        hp.filtfilt(&v)
    };
    let (vx, vy) = (integrate(x), integrate(y));
    vx.iter().zip(&vy).map(|(a, b)| a.hypot(*b)).sum::<f64>() / x.len() as f64
}

/// Frequency measures of a PSD within `[lo_hz, hi_hz]`; `None` if the band holds no power.
pub fn spectrum(psd: &Psd, lo_hz: f64, hi_hz: f64) -> Option<SwaySpectrum> {
    let band: Vec<(f64, f64)> = psd.band(lo_hz, hi_hz).collect();
    let df = psd.df_hz;
    let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for &(f, g) in &band {
        m0 += g * df;
        m1 += f * g * df;
        m2 += f * f * g * df;
    }
    if m0 <= 0.0 || !m0.is_finite() {
        return None;
    }
    let quantile = |q: f64| {
        let mut cum = 0.0;
        for &(f, g) in &band {
            let prev = cum;
            cum += g * df;
            if cum >= q * m0 {
                // linear interpolation inside the bin
                let frac = if cum > prev {
                    (q * m0 - prev) / (cum - prev)
                } else {
                    0.0
                };
                return f - 0.5 * df + frac * df;
            }
        }
        band.last().map_or(0.0, |b| b.0)
    };
    Some(SwaySpectrum {
        total_power_m2ps4: m0,
        f50_hz: quantile(0.5),
        f95_hz: quantile(0.95),
        centroid_hz: (m2 / m0).sqrt(),
        dispersion: (1.0 - m1 * m1 / (m0 * m2)).max(0.0).sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn path_is_decimated_to_about_twenty_hertz() {
        let x: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| -v).collect();
        let p = SwayPath::decimated(&x, &y, 100.0, PATH_FS_HZ);
        assert_eq!((p.fs_hz, p.len()), (20.0, 200));
        assert_eq!((p.ap_mps2[1], p.ml_mps2[199]), (5.0, -995.0));
        // already slow enough: kept as is
        let p = SwayPath::decimated(&x[..10], &y[..10], 15.0, PATH_FS_HZ);
        assert_eq!((p.fs_hz, p.len()), (15.0, 10));
    }

    /// x = A sin(ωt), y = B cos(ωt): an ellipse traced at constant angular rate.
    fn ellipse(a: f64, b: f64, f: f64, fs: f64, secs: f64) -> (Vec<f64>, Vec<f64>) {
        let n = (secs * fs) as usize;
        let x = (0..n)
            .map(|i| a * (2.0 * PI * f * i as f64 / fs).sin())
            .collect();
        let y = (0..n)
            .map(|i| b * (2.0 * PI * f * i as f64 / fs).cos())
            .collect();
        (x, y)
    }

    #[test]
    fn ellipse_trajectory_gives_closed_form_values() {
        // A = 0.2, B = 0.1 m/s² at 0.5 Hz, 30 s at 100 Hz (15 whole cycles)
        let (a, b, f, fs, secs) = (0.2, 0.1, 0.5, 100.0, 30.0);
        let (x, y) = ellipse(a, b, f, fs, secs);
        let s = sway(&x, &y, fs, &SwaySettings::default()).unwrap();
        assert!((s.rms_ap_mps2 - a / 2f64.sqrt()).abs() < 1e-9);
        assert!((s.rms_ml_mps2 - b / 2f64.sqrt()).abs() < 1e-9);
        assert!((s.rms_mps2 - ((a * a + b * b) / 2.0).sqrt()).abs() < 1e-9);
        assert!((s.range_ap_mps2 - 2.0 * a).abs() < 1e-4);
        // covariance diag(A²/2, B²/2) → area 5.991·π·AB/2; sample (n−1) variance adds 1/n
        let area = CHI2_95_2DOF * PI * a * b / 2.0;
        assert!(
            (s.ellipse_area_m2ps4 / area - 1.0).abs() < 1e-3,
            "{} vs {area}",
            s.ellipse_area_m2ps4
        );
        assert!(s.ellipse_angle_deg.abs() < 1e-6);
        // swept area per second: the ellipse area πAB per cycle, f cycles per second
        assert!((s.area_per_s_m2ps5 - PI * a * b * f).abs() / (PI * a * b * f) < 1e-3);
        // JERK: ½·T·mean(ẋ² + ẏ²) = ½·T·ω²(A² + B²)/2 (finite differences: < 0.1 %)
        let w = 2.0 * PI * f;
        let jerk = 0.5 * secs * w * w * (a * a + b * b) / 2.0;
        assert!(
            (s.jerk_m2ps5 / jerk - 1.0).abs() < 1e-3,
            "{} vs {jerk}",
            s.jerk_m2ps5
        );
        // velocity amplitude A/ω, B/ω: mean speed of an ellipse lies between them
        assert!(s.mean_velocity_mps > b / w && s.mean_velocity_mps < a / w);
    }

    #[test]
    fn tilted_ellipse_reports_its_direction() {
        // rotate the trajectory 30° from AP towards ML
        let (x0, y0) = ellipse(0.2, 0.05, 0.4, 100.0, 25.0);
        let (c, s30) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
        let x: Vec<f64> = x0.iter().zip(&y0).map(|(a, b)| a * c - b * s30).collect();
        let y: Vec<f64> = x0.iter().zip(&y0).map(|(a, b)| a * s30 + b * c).collect();
        let s = sway(&x, &y, 100.0, &SwaySettings::default()).unwrap();
        assert!(
            (s.ellipse_angle_deg - 30.0).abs() < 0.05,
            "{}",
            s.ellipse_angle_deg
        );
        assert!((s.ellipse_major_mps2 - (CHI2_95_2DOF * 0.02).sqrt()).abs() < 1e-3);
    }

    #[test]
    fn pure_tone_frequency_measures_sit_on_the_tone() {
        let (x, y) = ellipse(0.1, 0.1, 0.8, 100.0, 60.0);
        let s = sway(&x, &y, 100.0, &SwaySettings::default()).unwrap();
        let sp = s.spectrum_ap.unwrap();
        // Hann main lobe ±0.2 Hz around 0.8 Hz at 0.1 Hz resolution
        assert!((sp.centroid_hz - 0.8).abs() < 0.01, "CF {}", sp.centroid_hz);
        assert!((sp.f50_hz - 0.8).abs() < 0.05, "F50 {}", sp.f50_hz);
        assert!(sp.f95_hz > 0.8 && sp.f95_hz < 0.95, "F95 {}", sp.f95_hz);
        assert!(sp.dispersion < 0.1);
        assert!((sp.total_power_m2ps4 - 0.005).abs() < 5e-5);
        // mean frequency of a circle: path per cycle 2πR, distance R → f exactly
        assert!(
            (s.mean_frequency_hz - 0.8).abs() < 1e-3,
            "MF {}",
            s.mean_frequency_hz
        );
    }

    #[test]
    fn two_tones_split_power_between_f50_and_f95() {
        // power 0.72 at 0.5 Hz and 0.5 at 2 Hz: F50 inside the lower tone's lobe, F95 inside
        // the upper one's, CF = √((0.72·0.25 + 0.5·4) / 1.22) = 1.3366 Hz
        let fs = 100.0;
        let n = 6000;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                1.2 * (2.0 * PI * 0.5 * t).sin() + (2.0 * PI * 2.0 * t).sin()
            })
            .collect();
        let psd = welch(&x, fs, 1000).unwrap();
        let sp = spectrum(&psd, 0.15, 5.0).unwrap();
        assert!((sp.f50_hz - 0.5).abs() < 0.2, "F50 {}", sp.f50_hz);
        assert!((sp.f95_hz - 2.0).abs() < 0.2, "F95 {}", sp.f95_hz);
        assert!(
            (sp.centroid_hz - 1.3366).abs() < 0.01,
            "CF {}",
            sp.centroid_hz
        );
        assert!((sp.total_power_m2ps4 - 1.22).abs() < 0.01);
    }

    #[test]
    fn prepare_removes_offset_and_fast_noise() {
        let fs = 100.0;
        let x: Vec<f64> = (0..3000)
            .map(|i| {
                1.0 + (2.0 * PI * 0.5 * i as f64 / fs).sin()
                    + 0.5 * (2.0 * PI * 20.0 * i as f64 / fs).sin()
            })
            .collect();
        let (p, _) = prepare(&x, &x, fs, &SwaySettings::default());
        let err = p[500..2500]
            .iter()
            .enumerate()
            .map(|(i, v)| (v - (2.0 * PI * 0.5 * (i + 500) as f64 / fs).sin()).abs())
            .fold(0.0, f64::max);
        assert!(err < 0.01, "{err}");
        assert!(sway(&x[..50], &x[..50], fs, &SwaySettings::default()).is_none());
    }
}
