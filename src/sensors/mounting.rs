//! Mounting convention: how each supported sensor is worn per placement, and the resulting
//! `axes` letters of the session (directions of the sensor's x, y, z while standing).
//!
//! The convention is stated in the device's own axes (x and the z+ face, as drawn by each
//! vendor; see the README, "Wearing the sensors"), so one rule per placement covers every model:
//! - lower back (L5): z+ face pointing backward (away from the body), x up → `ULB`;
//! - left shank: lateral side, z+ face outward (to the left), x up → `UFL`;
//! - right shank: lateral side, z+ face outward (to the right), x up → `UBR`;
//! - left/right foot: on the shoe laces, z+ face up, x toward the toes → `FLU`.

use crate::recording::{Axes, Placement};

use super::Model;

/// `axes` letters for a model worn at a placement by the convention above.
pub fn axes(model: Model, placement: Placement) -> Axes {
    let letters = match (model, placement) {
        (_, Placement::LowerBack) => "ULB",
        (_, Placement::LeftShank) => "UFL",
        (_, Placement::RightShank) => "UBR",
        (_, Placement::LeftFoot) | (_, Placement::RightFoot) => "FLU",
    };
    letters.parse().expect("table letters are valid")
}

/// One-line wearing instruction per placement (for the record command's help and output).
pub fn instruction(placement: Placement) -> &'static str {
    match placement {
        Placement::LowerBack => "on the lower back (L5), z+ face backward, x axis up",
        Placement::LeftShank => {
            "on the outer side of the left shank, z+ face to the left, x axis up"
        }
        Placement::RightShank => {
            "on the outer side of the right shank, z+ face to the right, x axis up"
        }
        Placement::LeftFoot => "on the left shoe laces, z+ face up, x axis toward the toes",
        Placement::RightFoot => "on the right shoe laces, z+ face up, x axis toward the toes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::Vector3;

    /// Gravity while standing: +1 g along "up" in the body frame (V, ML, AP).
    fn standing_body(model: Model, p: Placement, sensor: [f64; 3]) -> Vector3<f64> {
        axes(model, p).sensor_to_body() * Vector3::from(sensor)
    }

    #[test]
    fn every_placement_is_a_right_handed_frame_with_x_or_z_as_documented() {
        for m in Model::ALL {
            // x up: standing reads +g on x → +g vertical
            for p in [
                Placement::LowerBack,
                Placement::LeftShank,
                Placement::RightShank,
            ] {
                let v = standing_body(m, p, [9.81, 0.0, 0.0]);
                assert_eq!(v, Vector3::new(9.81, 0.0, 0.0), "{m} {p}");
                assert!((axes(m, p).sensor_to_body().determinant() - 1.0).abs() < 1e-12);
            }
            // z+ face outward on the shanks: left shank z points left (−ML), right shank right (+ML)
            assert_eq!(
                standing_body(m, Placement::LeftShank, [0.0, 0.0, 1.0]),
                Vector3::new(0.0, -1.0, 0.0)
            );
            assert_eq!(
                standing_body(m, Placement::RightShank, [0.0, 0.0, 1.0]),
                Vector3::new(0.0, 1.0, 0.0)
            );
            // lower back: z+ backward (−AP)
            assert_eq!(
                standing_body(m, Placement::LowerBack, [0.0, 0.0, 1.0]),
                Vector3::new(0.0, 0.0, -1.0)
            );
            // feet: x toward the toes (+AP), z up
            assert_eq!(
                standing_body(m, Placement::LeftFoot, [1.0, 0.0, 2.0]),
                Vector3::new(2.0, 0.0, 1.0)
            );
        }
    }
}
