//! Online against offline: every fixture replayed through the live pipeline gives the same
//! contacts as `gaitkit analyze` (within 0.05 s), and the sides it shows agree with the
//! offline sides. Prints per fixture the contacts found, the sides shown at emission, the
//! sides at the end (after the side revisions), the wrong sides and the feedback latency.

use std::path::Path;

use gaitkit::analyze::{analyze_session, AnalyzeOptions};
use gaitkit::stream::pipeline::{LiveOptions, LivePipeline};
use gaitkit::stream::replay::Replay;
use gaitkit::stream::side_rule::REVISION_S;

const TOLERANCE_S: f64 = 0.05;

struct Agreement {
    offline: usize,
    online: usize,
    matched: usize,
    /// Matched contacts with a side shown when emitted.
    side_at_emission: usize,
    /// Matched contacts whose final side (after revisions) equals the offline side.
    side_final_same: usize,
    /// Matched contacts whose final side is the other foot than the offline side.
    side_final_wrong: usize,
    /// Matched contacts with a final side where the offline analysis gives none.
    side_final_no_offline: usize,
    /// Matched contacts shown with a wrong side at some time (at emission or by a revision).
    side_ever_wrong: usize,
    /// Steps standing at the end more than 0.25 s from every offline contact and outside
    /// every offline walking bout.
    outside_walks: usize,
    /// Steps taken back by the walking check (after the side revisions) at an offline contact.
    walking_check_took_a_contact: usize,
}

fn agreement(name: &str) -> Agreement {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let offline = analyze_session(&dir, &AnalyzeOptions::default())
        .unwrap()
        .gait
        .unwrap();
    let replay = Replay::open(&dir).unwrap();
    let mut live = LivePipeline::new(&replay.session, &LiveOptions::default());
    for (p, s) in replay {
        live.push(p, &s);
    }
    let steps = live.steps();
    // emitted in time order, never twice
    assert!(steps.windows(2).all(|w| w[1].t_s > w[0].t_s), "{name}");
    assert!(steps.iter().all(|s| s.emitted_s >= s.t_s), "{name}: causal");
    // revisions: bounded look-ahead, never a side changed to the other foot
    for r in live.revisions() {
        assert!(
            r.at_s - r.t_s <= REVISION_S + 0.2,
            "{name}: revision at {:.2} s",
            r.t_s
        );
        assert!(
            r.side.is_none() || r.previous.is_none(),
            "{name}: side flipped at {:.2} s",
            r.t_s
        );
        assert!(r.side.is_some() || r.previous.is_some(), "{name}");
    }
    let (mut matched, mut at_emission, mut same, mut wrong, mut ever_wrong) = (0, 0, 0, 0, 0);
    let mut no_offline = 0;
    for c in &offline.initial_contacts {
        let Some(s) = steps.iter().find(|s| (s.t_s - c.t_s).abs() <= TOLERANCE_S) else {
            let near = steps
                .iter()
                .min_by(|a, b| (a.t_s - c.t_s).abs().total_cmp(&(b.t_s - c.t_s).abs()));
            println!(
                "  {name}: offline contact {:.2} s not online; nearest step {:?}",
                c.t_s,
                near.map(|s| (s.t_s, s.provisional))
            );
            continue;
        };
        matched += 1;
        let first = live.side_at_emission(s.t_s);
        at_emission += usize::from(first.is_some());
        let shown: Vec<_> = first
            .into_iter()
            .chain(
                live.revisions()
                    .iter()
                    .filter(|r| r.t_s == s.t_s)
                    .filter_map(|r| r.side),
            )
            .collect();
        ever_wrong += usize::from(shown.iter().any(|&x| Some(x) != c.side));
        if shown.iter().any(|&x| Some(x) != c.side) {
            let revs: Vec<_> = live
                .revisions()
                .iter()
                .filter(|r| r.t_s == s.t_s)
                .map(|r| (r.at_s - r.t_s, r.side))
                .collect();
            println!(
                "  {name}: contact {:.2} s offline {:?}, at emission {:?}, revisions {:?}",
                c.t_s, c.side, first, revs
            );
        }
        match s.side {
            Some(x) if Some(x) == c.side => same += 1,
            Some(_) if c.side.is_none() => no_offline += 1,
            Some(_) => wrong += 1,
            None => {}
        }
    }
    for s in steps.iter().filter(|s| s.emitted_s - s.t_s > 0.5) {
        let offline_near = offline
            .initial_contacts
            .iter()
            .any(|c| (c.t_s - s.t_s).abs() <= TOLERANCE_S);
        println!(
            "  {name}: step {:.2} s emitted {:.2} s later (provisional {}, an offline contact {})",
            s.t_s,
            s.emitted_s - s.t_s,
            s.provisional,
            if offline_near { "at it" } else { "not at it" }
        );
    }
    for w in live.withdrawn() {
        let offline_near = offline
            .initial_contacts
            .iter()
            .any(|c| (c.t_s - w.t_s).abs() <= TOLERANCE_S);
        println!(
            "  {name}: step {:.2} s withdrawn {:.2} s later (an offline contact {})",
            w.t_s,
            w.at_s - w.t_s,
            if offline_near { "at it" } else { "not at it" }
        );
    }
    // online steps at no offline contact: near one (placed differently) or in no walk offline
    let nearest_offline = |t: f64| {
        offline
            .initial_contacts
            .iter()
            .map(|c| (c.t_s - t).abs())
            .fold(f64::INFINITY, f64::min)
    };
    let unmatched: Vec<f64> = steps
        .iter()
        .map(|s| nearest_offline(s.t_s))
        .filter(|&d| d > TOLERANCE_S)
        .collect();
    let in_no_walk: Vec<f64> = steps
        .iter()
        .map(|s| s.t_s)
        .filter(|&t| {
            nearest_offline(t) > 0.25
                && !offline
                    .bouts
                    .iter()
                    .any(|b| t >= b.start_s - 0.25 && t <= b.end_s + 0.25)
        })
        .collect();
    println!(
        "  {name}: online steps at no offline contact {} ({} within 0.25 s of one; {} outside every offline walking bout: {:?})",
        unmatched.len(),
        unmatched.iter().filter(|&&d| d <= 0.25).count(),
        in_no_walk.len(),
        in_no_walk.iter().map(|t| (t * 100.0).round() / 100.0).collect::<Vec<_>>()
    );
    let mut lat: Vec<f64> = steps.iter().map(|s| s.emitted_s - s.t_s).collect();
    lat.sort_by(f64::total_cmp);
    let a = Agreement {
        offline: offline.initial_contacts.len(),
        online: steps.len(),
        matched,
        side_at_emission: at_emission,
        side_final_same: same,
        side_final_wrong: wrong,
        side_final_no_offline: no_offline,
        side_ever_wrong: ever_wrong,
        outside_walks: in_no_walk.len(),
        walking_check_took_a_contact: live
            .withdrawn()
            .iter()
            .filter(|w| w.at_s - w.t_s > REVISION_S)
            .filter(|w| {
                offline
                    .initial_contacts
                    .iter()
                    .any(|c| (c.t_s - w.t_s).abs() <= TOLERANCE_S)
            })
            .count(),
    };
    let pct = |k: usize| 100.0 * k as f64 / a.offline.max(1) as f64;
    println!(
        "{name}: offline contacts {}, online {}, found {} ({:.1} %); sides at emission {} ({:.1} %), final same side {} ({:.1} %), final wrong {} ({:.1} %), final side where offline has none {}, shown other than offline at some time {}; revisions {}; latency median {:.2} s, p95 {:.2} s, max {:.2} s",
        a.offline,
        a.online,
        a.matched,
        pct(a.matched),
        a.side_at_emission,
        pct(a.side_at_emission),
        a.side_final_same,
        pct(a.side_final_same),
        a.side_final_wrong,
        pct(a.side_final_wrong),
        a.side_final_no_offline,
        a.side_ever_wrong,
        live.revisions().len(),
        lat[lat.len() / 2],
        gaitkit::signal::stats::percentile(&lat, 95.0).unwrap_or(f64::NAN),
        lat[lat.len() - 1],
    );
    a
}

/// Straight walks and the two-foot walk: at least 9 of 10 offline contacts found online
/// (HA001 Test5 Trial2 misses one of its ten; the 95 % target holds on the other four), the
/// final side (after the revisions) the offline side for at least 95 % of the offline contacts
/// (90 % on HA001 Test5 Trial2: every contact found), and no wrong side at the end. One test
/// per fixture, so the replays run in parallel.
fn straight_walk_agrees_with_the_offline_analysis(name: &str) {
    let a = agreement(name);
    let share = if name == "mobilised_HA001_Test5_Trial2" {
        0.9
    } else {
        0.95
    };
    assert!(a.matched as f64 >= share * a.offline as f64, "{name}");
    assert!(
        a.side_final_same as f64 >= share * a.offline as f64,
        "{name}"
    );
    assert!(
        a.side_final_wrong as f64 <= 0.01 * a.offline as f64,
        "{name}"
    );
    assert_eq!(a.side_final_no_offline, 0, "{name}");
    assert_eq!(a.walking_check_took_a_contact, 0, "{name}");
    // at most one extra contact per walk start/end
    assert!(a.online <= a.offline + 2, "{name}");
}

#[test]
fn straight_walk_ha001_trial1_agrees_with_the_offline_analysis() {
    straight_walk_agrees_with_the_offline_analysis("mobilised_HA001_Test5_Trial1");
}

#[test]
fn straight_walk_ha001_trial2_agrees_with_the_offline_analysis() {
    straight_walk_agrees_with_the_offline_analysis("mobilised_HA001_Test5_Trial2");
}

#[test]
fn straight_walk_ms001_trial1_agrees_with_the_offline_analysis() {
    straight_walk_agrees_with_the_offline_analysis("mobilised_MS001_Test5_Trial1");
}

#[test]
fn straight_walk_ms001_trial2_agrees_with_the_offline_analysis() {
    straight_walk_agrees_with_the_offline_analysis("mobilised_MS001_Test5_Trial2");
}

#[test]
fn two_foot_walk_agrees_with_the_offline_analysis() {
    straight_walk_agrees_with_the_offline_analysis("feet_healthy_2x20m");
}

/// Daily-living recordings (walks, turns, stops): contacts found for 92 % (HA001) and 92.5 %
/// (MS001) of the offline contacts; the final side the offline side for 86 % (HA001) and 77 %
/// (MS001) of the offline contacts (at emission: 35 % and 25 %), the other foot for at most
/// 1 %, and a side where the offline analysis withholds one for at most 4 % (3 of 88 and 4 of
/// 120); at most 4 and 17 steps left in no offline walk, none taken back at an offline
/// contact. One test per recording, so the replays run in parallel.
fn daily_living_agrees_on_contacts_and_shows_few_wrong_sides(name: &str) {
    let a = agreement(name);
    let sided = if name == "mobilised_HA001_Test11_Trial1" {
        0.85
    } else {
        0.76
    };
    assert!(
        a.side_final_same as f64 >= sided * a.offline as f64,
        "{name}"
    );
    assert!(a.side_final_same > a.side_at_emission, "{name}");
    assert!(
        a.side_final_no_offline as f64 <= 0.04 * a.offline as f64,
        "{name}"
    );
    assert!(a.matched as f64 >= 0.92 * a.offline as f64, "{name}");
    // steps in no offline walk taken back: 13 → 4 (HA001) and 29 → 17 (MS001) remain, and
    // never a step at an offline contact
    let outside = if name == "mobilised_HA001_Test11_Trial1" {
        4
    } else {
        17
    };
    assert!(a.outside_walks <= outside, "{name}: {}", a.outside_walks);
    assert_eq!(a.walking_check_took_a_contact, 0, "{name}");
    assert!(
        a.side_final_wrong as f64 <= 0.01 * a.offline as f64,
        "{name}"
    );
}

#[test]
fn daily_living_ha001_agrees_on_contacts_and_shows_few_wrong_sides() {
    daily_living_agrees_on_contacts_and_shows_few_wrong_sides("mobilised_HA001_Test11_Trial1");
}

#[test]
fn daily_living_ms001_agrees_on_contacts_and_shows_few_wrong_sides() {
    daily_living_agrees_on_contacts_and_shows_few_wrong_sides("mobilised_MS001_Test11_Trial1");
}
