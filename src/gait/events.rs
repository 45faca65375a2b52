//! Gait events shared by every pipeline: contacts with their side.

use serde::{Deserialize, Serialize};

/// Body side. Left/right is always the wearer's own left/right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
}

/// An initial contact (heel strike) or final contact (toe-off).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Seconds from the first sample of the recording.
    pub t_s: f64,
    /// Foot making the contact; `None` where it could not be decided.
    pub side: Option<Side>,
}

/// A value for each side.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PerSide<T> {
    pub left: T,
    pub right: T,
}

impl<T> PerSide<T> {
    pub fn get(&self, side: Side) -> &T {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }

    pub fn get_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Left => &mut self.left,
            Side::Right => &mut self.right,
        }
    }

    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> PerSide<U> {
        PerSide {
            left: f(&self.left),
            right: f(&self.right),
        }
    }
}
