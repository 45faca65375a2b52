//! Live BLE sensors as the pipeline's source: the recorder's progress events
//! ([`StatusEvent`], the same recorder as `gaitkit record`) become samples, drop-outs and
//! returns of the [`LivePipeline`].
//!
//! The recorder sends a sensor's last samples before its [`StatusEvent::Disconnected`], so a
//! drop-out starts at that sensor's last sample and ends at its first sample after the
//! reconnection: the same times as the gap the recorder writes to `session.json`.

use std::collections::BTreeMap;

use super::events::{LiveStep, SideRevision, Withdrawal};
use super::pipeline::{LiveOptions, LivePipeline};
use crate::recording::Placement;
use crate::sensors::recorder::StatusEvent;

/// What the displays must show after one recorder event, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedEvent {
    /// Every sensor is connected and identified; steps can follow.
    Started,
    Step(LiveStep),
    /// A provisional step taken back (before the steps of the same sample).
    Withdrawn(Withdrawal),
    /// The side of a step already shown changed (after the withdrawals and before the steps
    /// of the same sample).
    Side(SideRevision),
    /// The sensor's link dropped after its last sample at `since_s` (session clock, s):
    /// feedback pauses until it is back.
    Paused {
        placement: Placement,
        since_s: f64,
    },
    /// Data from the sensor again from `at_s` (session clock, s); feedback resumes once no
    /// sensor is missing.
    Resumed {
        placement: Placement,
        at_s: f64,
    },
}

/// The online pipeline fed by a recording in progress.
pub struct SensorFeed {
    opts: LiveOptions,
    pipeline: Option<LivePipeline>,
    /// Time of each sensor's newest sample, session clock, s.
    last_s: BTreeMap<Placement, f64>,
}

impl SensorFeed {
    pub fn new(opts: LiveOptions) -> Self {
        SensorFeed {
            opts,
            pipeline: None,
            last_s: BTreeMap::new(),
        }
    }

    /// The pipeline, once the recording has started.
    pub fn pipeline(&self) -> Option<&LivePipeline> {
        self.pipeline.as_ref()
    }

    /// Takes one recorder event. Events other than the start, samples and disconnections
    /// (connection progress, counters, problems) are for the status display and give nothing.
    pub fn on_event(&mut self, ev: &StatusEvent) -> Vec<FeedEvent> {
        match ev {
            StatusEvent::Started(session) => {
                self.pipeline = Some(LivePipeline::new(session, &self.opts));
                self.last_s.clear();
                vec![FeedEvent::Started]
            }
            StatusEvent::Samples { placement, samples } => {
                let Some(p) = self.pipeline.as_mut() else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                for s in samples {
                    let was_missing = p.missing().contains(placement);
                    let steps = p.push(*placement, s);
                    if was_missing && !p.missing().contains(placement) {
                        out.push(FeedEvent::Resumed {
                            placement: *placement,
                            at_s: s.time_s,
                        });
                    }
                    out.extend(
                        p.take_withdrawals()
                            .iter()
                            .map(|w| FeedEvent::Withdrawn(*w)),
                    );
                    out.extend(p.take_revisions().iter().map(|r| FeedEvent::Side(*r)));
                    out.extend(steps.into_iter().map(FeedEvent::Step));
                    if s.time_s.is_finite() {
                        self.last_s.insert(*placement, s.time_s);
                    }
                }
                out
            }
            StatusEvent::Disconnected { placement, .. } => {
                let Some(p) = self.pipeline.as_mut() else {
                    return Vec::new();
                };
                if p.missing().contains(placement) {
                    return Vec::new();
                }
                // a sensor lost before its first sample: from the newest data of any sensor
                let since_s = self.last_s.get(placement).copied().unwrap_or_else(|| {
                    self.last_s
                        .values()
                        .copied()
                        .fold(0.0, |a: f64, b: f64| a.max(b))
                });
                p.sensor_lost(*placement, since_s);
                vec![FeedEvent::Paused {
                    placement: *placement,
                    since_s,
                }]
            }
            StatusEvent::Connecting { .. }
            | StatusEvent::Connected { .. }
            | StatusEvent::Status(_)
            | StatusEvent::Problem { .. }
            | StatusEvent::Reconnecting { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{ImuSample, SensorEntry, Session};

    fn session() -> Session {
        Session::new(vec![SensorEntry {
            placement: Placement::LowerBack,
            file: "lower_back.csv".into(),
            axes: "ULB".parse().unwrap(),
            device: None,
            sampling_rate_hz: Some(100.0),
            source: None,
        }])
    }

    fn samples(from: usize, to: usize) -> StatusEvent {
        StatusEvent::Samples {
            placement: Placement::LowerBack,
            samples: (from..to)
                .map(|k| ImuSample {
                    time_s: k as f64 * 0.01,
                    acc_mps2: [9.80665, 0.0, 0.0],
                    gyr_dps: [0.0; 3],
                })
                .collect(),
        }
    }

    #[test]
    fn a_disconnection_pauses_from_the_last_sample_until_the_next() {
        let mut feed = SensorFeed::new(LiveOptions::default());
        // samples before the start are not placed anywhere
        assert!(feed.on_event(&samples(0, 10)).is_empty());
        assert!(feed.pipeline().is_none());
        assert_eq!(
            feed.on_event(&StatusEvent::Started(Box::new(session()))),
            vec![FeedEvent::Started]
        );
        assert!(feed.on_event(&samples(0, 300)).is_empty(), "standing still");
        let lost = StatusEvent::Disconnected {
            placement: Placement::LowerBack,
            at_s: 1234.5,
        };
        assert_eq!(
            feed.on_event(&lost),
            vec![FeedEvent::Paused {
                placement: Placement::LowerBack,
                since_s: 299.0 * 0.01
            }]
        );
        // a second notice of the same drop-out changes nothing
        assert!(feed.on_event(&lost).is_empty());
        let back = feed.on_event(&samples(450, 460));
        assert_eq!(
            back,
            vec![FeedEvent::Resumed {
                placement: Placement::LowerBack,
                at_s: 450.0 * 0.01
            }]
        );
        let d = feed.pipeline().unwrap().dropouts();
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].start_s, d[0].end_s),
            (299.0 * 0.01, Some(450.0 * 0.01))
        );
        assert!(feed.pipeline().unwrap().missing().is_empty());
    }

    #[test]
    fn a_sensor_lost_before_its_first_sample_pauses_from_the_newest_data() {
        let mut two = session();
        two.sensors.push(SensorEntry {
            placement: Placement::LeftShank,
            file: "left_shank.csv".into(),
            axes: "UFL".parse().unwrap(),
            device: None,
            sampling_rate_hz: Some(100.0),
            source: None,
        });
        let mut feed = SensorFeed::new(LiveOptions::default());
        feed.on_event(&StatusEvent::Started(Box::new(two)));
        feed.on_event(&samples(0, 51));
        assert_eq!(
            feed.on_event(&StatusEvent::Disconnected {
                placement: Placement::LeftShank,
                at_s: 0.0,
            }),
            vec![FeedEvent::Paused {
                placement: Placement::LeftShank,
                since_s: 50.0 * 0.01
            }]
        );
        assert_eq!(
            feed.pipeline().unwrap().missing(),
            vec![Placement::LeftShank]
        );
    }
}
