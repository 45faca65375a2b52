//! A recorded session as a stream of samples in recording-clock order, merged across its
//! sensors, for replays that go through the same code as live sensors.

use std::path::Path;

use crate::error::Result;
use crate::recording::{ImuSample, ImuTable, Placement, Session};

/// All samples of a session folder, merged in time order.
pub struct Replay {
    pub session: Session,
    tables: Vec<(Placement, ImuTable)>,
    next: Vec<usize>,
}

impl Replay {
    /// Reads `session.json` and every sensor file of `dir` (validated as `analyze` does).
    pub fn open(dir: &Path) -> Result<Replay> {
        let session = Session::read(dir)?;
        let mut tables = Vec::new();
        for entry in &session.sensors {
            let t = session
                .read_sensor(dir, entry)
                .map_err(|e| crate::recording::session::missing_sensor_file(dir, entry, e))?;
            tables.push((entry.placement, t));
        }
        let next = vec![0; tables.len()];
        Ok(Replay {
            session,
            tables,
            next,
        })
    }

    /// Time of the first sample of any sensor, s.
    pub fn start_s(&self) -> f64 {
        self.tables
            .iter()
            .filter_map(|(_, t)| t.time_s.first())
            .fold(f64::INFINITY, |a, &b| a.min(b))
    }

    /// Time of the last sample of any sensor, s.
    pub fn end_s(&self) -> f64 {
        self.tables
            .iter()
            .filter_map(|(_, t)| t.time_s.last())
            .fold(f64::NEG_INFINITY, |a, &b| a.max(b))
    }
}

impl Iterator for Replay {
    type Item = (Placement, ImuSample);

    fn next(&mut self) -> Option<Self::Item> {
        let (k, _) = self
            .tables
            .iter()
            .zip(&self.next)
            .enumerate()
            .filter_map(|(k, ((_, t), &i))| t.time_s.get(i).map(|&time| (k, time)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        let i = self.next[k];
        self.next[k] += 1;
        let (placement, t) = &self.tables[k];
        Some((*placement, t.sample(i)))
    }
}
