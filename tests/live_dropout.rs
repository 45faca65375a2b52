//! A sensor that drops out mid-walk: feedback pauses, the drop-out is listed with its start
//! and end, no step spans the gap, and the rolling values restart after it.

mod support;

use gaitkit::recording::{Axes, Placement, SensorEntry, Session};
use gaitkit::stream::pipeline::{LiveOptions, LivePipeline};
use nalgebra::Rotation3;
use support::synthetic_walk::Walk;

#[test]
fn a_drop_out_pauses_feedback_and_splits_the_walk() {
    let w = Walk::alternating(3.0, 50, 0.55, 0.55, 33.0);
    let axes: Axes = "URF".parse().unwrap();
    let session = Session::new(vec![SensorEntry {
        placement: Placement::LowerBack,
        file: "lower_back.csv".into(),
        axes,
        device: None,
        sampling_rate_hz: None,
        source: None,
    }]);
    let table = w.table(axes, Rotation3::identity());
    let mut live = LivePipeline::new(&session, &LiveOptions::default());
    let (lost_s, back_s) = (14.0, 17.0);
    let mut lost = false;
    for i in 0..table.len() {
        let s = table.sample(i);
        if s.time_s >= lost_s && s.time_s < back_s {
            if !lost {
                live.sensor_lost(Placement::LowerBack, table.time_s[i - 1]);
                assert_eq!(live.missing(), vec![Placement::LowerBack]);
                lost = true;
            }
            continue;
        }
        live.push(Placement::LowerBack, &s);
    }
    assert!(live.missing().is_empty());
    let d = live.dropouts();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].placement, "lower-back");
    assert!((d[0].start_s - 13.99).abs() < 1e-6 && d[0].end_s == Some(back_s));
    let steps = live.steps();
    // nothing emitted while the sensor was missing, nothing placed inside the gap
    assert!(steps
        .iter()
        .all(|s| !(s.emitted_s > d[0].start_s && s.emitted_s < back_s)));
    assert!(steps.iter().all(|s| !(s.t_s > lost_s && s.t_s < back_s)));
    let before = steps.iter().filter(|s| s.t_s < lost_s).count();
    let after: Vec<_> = steps.iter().filter(|s| s.t_s > back_s).collect();
    assert!(before >= 17, "{before} steps before the drop-out");
    assert!(after.len() >= 20, "{} steps after it", after.len());
    // the first step after the gap has no step time and the rolling window starts afresh
    assert_eq!(after[0].step_time_s, None);
    assert_eq!(after[0].rolling.steps, 1);
    assert!(after
        .iter()
        .skip(1)
        .all(|s| s.step_time_s.is_some_and(|st| (st - 0.55).abs() < 0.05)));
}
