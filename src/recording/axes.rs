//! Sensor mounting declared as three letters: the body directions in which the sensor's
//! x, y and z axes point while the wearer stands upright.
//!
//! Letters: `U`/`D` up/down, `L`/`R` the wearer's left/right, `F`/`B` forward/backward.
//! `URF` = x up, y right, z forward (Mobilise-D lower-back convention); `FLU` = x forward,
//! y left, z up (foot sensors).
//!
//! The body frame used throughout gaitkit is **V/ML/AP = (up, right, forward)**, right-handed,
//! gyroscope signs by the right-hand rule about each axis (the mobgap convention).

use std::fmt;
use std::str::FromStr;

use nalgebra::{Matrix3, Vector3};

/// One body direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Left,
    Right,
    Forward,
    Backward,
}

impl Direction {
    fn from_letter(c: char) -> Option<Self> {
        Some(match c.to_ascii_uppercase() {
            'U' => Direction::Up,
            'D' => Direction::Down,
            'L' => Direction::Left,
            'R' => Direction::Right,
            'F' => Direction::Forward,
            'B' => Direction::Backward,
            _ => return None,
        })
    }

    fn letter(self) -> char {
        match self {
            Direction::Up => 'U',
            Direction::Down => 'D',
            Direction::Left => 'L',
            Direction::Right => 'R',
            Direction::Forward => 'F',
            Direction::Backward => 'B',
        }
    }

    /// Unit vector in body coordinates (V, ML, AP) = (up, right, forward).
    pub fn body_vector(self) -> Vector3<f64> {
        match self {
            Direction::Up => Vector3::new(1.0, 0.0, 0.0),
            Direction::Down => Vector3::new(-1.0, 0.0, 0.0),
            Direction::Right => Vector3::new(0.0, 1.0, 0.0),
            Direction::Left => Vector3::new(0.0, -1.0, 0.0),
            Direction::Forward => Vector3::new(0.0, 0.0, 1.0),
            Direction::Backward => Vector3::new(0.0, 0.0, -1.0),
        }
    }

    fn body_axis(self) -> usize {
        match self {
            Direction::Up | Direction::Down => 0,
            Direction::Left | Direction::Right => 1,
            Direction::Forward | Direction::Backward => 2,
        }
    }
}

/// Declared mounting of a sensor, e.g. `URF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axes(pub [Direction; 3]);

impl Axes {
    /// Rotation taking a vector in sensor axes to body axes (V, ML, AP):
    /// `body = R * sensor`. Its columns are the body directions of sensor x, y, z.
    pub fn sensor_to_body(&self) -> Matrix3<f64> {
        Matrix3::from_columns(&[
            self.0[0].body_vector(),
            self.0[1].body_vector(),
            self.0[2].body_vector(),
        ])
    }
}

impl FromStr for Axes {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let letters: Vec<char> = s.trim().chars().collect();
        if letters.len() != 3 {
            return Err(format!(
                "axes \"{s}\" must be three letters from U/D, L/R, F/B (e.g. URF: x up, y right, z forward)"
            ));
        }
        let mut dirs = [Direction::Up; 3];
        for (i, &c) in letters.iter().enumerate() {
            dirs[i] = Direction::from_letter(c)
                .ok_or_else(|| format!("axes \"{s}\": '{c}' is not one of U, D, L, R, F, B"))?;
        }
        let mut seen = [false; 3];
        for d in dirs {
            if std::mem::replace(&mut seen[d.body_axis()], true) {
                return Err(format!(
                    "axes \"{s}\" name the same body axis twice; each of up/down, left/right, forward/backward must appear once"
                ));
            }
        }
        let axes = Axes(dirs);
        if axes.sensor_to_body().determinant() < 0.0 {
            return Err(format!(
                "axes \"{s}\" describe a left-handed frame, but IMU axes are right-handed: one letter is flipped (check the sensor's printed axes)"
            ));
        }
        Ok(axes)
    }
}

impl fmt::Display for Axes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{}", d.letter())?;
        }
        Ok(())
    }
}

impl serde::Serialize for Axes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Axes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urf_maps_sensor_x_to_up_y_to_right_z_to_forward() {
        let r: Axes = "URF".parse().unwrap();
        let m = r.sensor_to_body();
        assert_eq!(
            m * Vector3::new(9.81, 0.0, 0.0),
            Vector3::new(9.81, 0.0, 0.0)
        );
        assert_eq!(m * Vector3::new(0.0, 1.0, 0.0), Vector3::new(0.0, 1.0, 0.0));
        assert_eq!(m * Vector3::new(0.0, 0.0, 1.0), Vector3::new(0.0, 0.0, 1.0));
    }

    #[test]
    fn flu_maps_forward_left_up() {
        let m = "FLU".parse::<Axes>().unwrap().sensor_to_body();
        // sensor x (forward) -> AP +1; sensor y (left) -> ML -1; sensor z (up) -> V +1
        assert_eq!(m * Vector3::new(1.0, 0.0, 0.0), Vector3::new(0.0, 0.0, 1.0));
        assert_eq!(
            m * Vector3::new(0.0, 1.0, 0.0),
            Vector3::new(0.0, -1.0, 0.0)
        );
        assert_eq!(m * Vector3::new(0.0, 0.0, 1.0), Vector3::new(1.0, 0.0, 0.0));
    }

    #[test]
    fn upside_down_sensor_reads_gravity_as_up() {
        // x down, y left (so z stays forward for a right-handed frame): DLF
        let m = "DLF".parse::<Axes>().unwrap().sensor_to_body();
        assert_eq!(
            m * Vector3::new(-9.81, 0.0, 0.0),
            Vector3::new(9.81, 0.0, 0.0)
        );
    }

    #[test]
    fn rejects_bad_letters_repeats_and_left_handed_frames() {
        assert!("UR".parse::<Axes>().unwrap_err().contains("three letters"));
        assert!("URX".parse::<Axes>().unwrap_err().contains("'X'"));
        assert!("UDF".parse::<Axes>().unwrap_err().contains("twice"));
        assert!("ULF".parse::<Axes>().unwrap_err().contains("left-handed"));
    }

    #[test]
    fn display_round_trips() {
        for s in ["URF", "FLU", "DLF", "RBD"] {
            assert_eq!(s.parse::<Axes>().unwrap().to_string(), s);
        }
    }
}
