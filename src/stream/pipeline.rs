//! All online stages together: samples in, steps out, drop-outs paused.

use super::detector::{DetectorParams, StreamDetector};
use super::events::{Dropout, LiveStep, SideRevision, Withdrawal};
use super::rolling::{Rolling, StepInput};
use super::side_rule::{AlternationRule, SideReviser, SideRule};
use super::targets::{on_target, Target};
use super::walking_check::WalkingCheck;
use crate::analyze::AnalyzeOptions;
use crate::recording::{ImuSample, Placement, Session};

/// Longest interval between two contacts that is one step, s; longer is a pause (the
/// offline bouts end after a pause of this order).
pub const MAX_STEP_S: f64 = 2.0;

/// Settings of a live session.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveOptions {
    pub detector: DetectorParams,
    /// Steps the rolling values cover.
    pub rolling_steps: usize,
    pub targets: Vec<Target>,
    pub analysis: AnalyzeOptions,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            detector: DetectorParams::default(),
            rolling_steps: super::rolling::DEFAULT_STEPS,
            targets: Vec::new(),
            analysis: AnalyzeOptions::default(),
        }
    }
}

/// A live session: feed samples, get steps.
pub struct LivePipeline {
    detector: StreamDetector,
    side_rule: Box<dyn SideRule + Send>,
    rolling: Rolling,
    targets: Vec<Target>,
    previous_t_s: Option<f64>,
    missing: Vec<(Placement, f64)>,
    /// End of the latest drop-out (recording clock, s): contacts before it that are emitted
    /// only after it belong to the walk before the gap.
    resumed_s: f64,
    dropouts: Vec<Dropout>,
    steps: Vec<LiveStep>,
    withdrawn: Vec<Withdrawal>,
    /// Withdrawals not yet taken by the displays.
    new_withdrawn: usize,
    reviser: SideReviser,
    walking: WalkingCheck,
    revisions: Vec<SideRevision>,
    /// Side revisions not yet taken by the displays.
    new_revisions: usize,
}

impl LivePipeline {
    pub fn new(session: &Session, opts: &LiveOptions) -> Self {
        LivePipeline {
            detector: StreamDetector::new(session, opts.detector, opts.analysis.clone()),
            side_rule: Box::new(AlternationRule::default()),
            rolling: Rolling::new(opts.rolling_steps),
            targets: opts.targets.clone(),
            previous_t_s: None,
            missing: Vec::new(),
            resumed_s: f64::NEG_INFINITY,
            dropouts: Vec::new(),
            steps: Vec::new(),
            withdrawn: Vec::new(),
            new_withdrawn: 0,
            reviser: SideReviser::default(),
            walking: WalkingCheck::default(),
            revisions: Vec::new(),
            new_revisions: 0,
        }
    }

    /// Window analyses run so far.
    pub fn analyses(&self) -> u64 {
        self.detector.runs
    }

    /// Every step emitted so far that stands (withdrawn provisional steps taken out), with
    /// its side as revised since ([`Self::revisions`]); the other fields as emitted.
    pub fn steps(&self) -> &[LiveStep] {
        &self.steps
    }

    /// Every provisional step withdrawn so far.
    pub fn withdrawn(&self) -> &[Withdrawal] {
        &self.withdrawn
    }

    /// Withdrawals since the last call (they happen during [`Self::push`], before the steps
    /// it returns), for the displays.
    pub fn take_withdrawals(&mut self) -> &[Withdrawal] {
        let k = self.withdrawn.len() - self.new_withdrawn.min(self.withdrawn.len());
        self.new_withdrawn = 0;
        &self.withdrawn[k..]
    }

    /// Every side revision so far, in the order made.
    pub fn revisions(&self) -> &[SideRevision] {
        &self.revisions
    }

    /// Side revisions since the last call (made during [`Self::push`], after its withdrawals
    /// and before the steps it returns), for the displays.
    pub fn take_revisions(&mut self) -> &[SideRevision] {
        let k = self.revisions.len() - self.new_revisions.min(self.revisions.len());
        self.new_revisions = 0;
        &self.revisions[k..]
    }

    /// The side of the step at `t_s` when it was emitted (before any revision).
    pub fn side_at_emission(&self, t_s: f64) -> Option<crate::gait::Side> {
        match self.revisions.iter().find(|r| r.t_s == t_s) {
            Some(r) => r.previous,
            None => self.steps.iter().find(|s| s.t_s == t_s)?.side,
        }
    }

    pub fn dropouts(&self) -> &[Dropout] {
        &self.dropouts
    }

    /// Sensors without data now.
    pub fn missing(&self) -> Vec<Placement> {
        self.missing.iter().map(|m| m.0).collect()
    }

    /// A sensor stopped delivering at `since_s` (its last sample): feedback pauses until it
    /// is back.
    pub fn sensor_lost(&mut self, placement: Placement, since_s: f64) {
        if !self.missing.iter().any(|m| m.0 == placement) {
            self.missing.push((placement, since_s));
            self.dropouts.push(Dropout {
                placement: placement.to_string(),
                start_s: since_s,
                end_s: None,
            });
        }
    }

    /// A lost sensor delivers again from `at_s`: the gap is marked for the analysis and the
    /// rolling values restart (values across a gap would mix two walks).
    pub fn sensor_back(&mut self, placement: Placement, at_s: f64) {
        if let Some(k) = self.missing.iter().position(|m| m.0 == placement) {
            let (_, since) = self.missing.remove(k);
            self.detector.mark_gap(placement, since, at_s);
            if let Some(d) = self
                .dropouts
                .iter_mut()
                .rev()
                .find(|d| d.placement == placement.as_str() && d.end_s.is_none())
            {
                d.end_s = Some(at_s);
            }
            self.rolling.clear();
            self.reviser.clear();
            self.walking.clear();
            self.previous_t_s = None;
            self.resumed_s = self.resumed_s.max(at_s);
        }
    }

    /// Takes back the step at `t_s` (recording clock `at_s`): out of the steps, the side
    /// revisions to come and the rolling values (the next step's time is bridged to the step
    /// before it), and reported as a withdrawal.
    fn withdraw(&mut self, t_s: f64, at_s: f64) {
        let Some(k) = self.steps.iter().rposition(|st| st.t_s == t_s) else {
            return;
        };
        self.steps.remove(k);
        self.reviser.remove(t_s);
        self.walking.remove(t_s);
        if self.previous_t_s == Some(t_s) {
            self.previous_t_s = self
                .steps
                .last()
                .map(|st| st.t_s)
                .filter(|&t| t >= self.resumed_s);
        }
        let rolling = self.rolling.withdraw(t_s, MAX_STEP_S);
        self.withdrawn.push(Withdrawal { t_s, at_s, rolling });
        self.new_withdrawn += 1;
    }

    /// Adds one sample; returns the steps emitted now. Nothing is emitted while a sensor
    /// is missing; a contact from before a drop-out emitted after it has no step time and
    /// stays out of the rolling values of the walk after the gap.
    pub fn push(&mut self, placement: Placement, s: &ImuSample) -> Vec<LiveStep> {
        if self.missing.iter().any(|m| m.0 == placement) {
            self.sensor_back(placement, s.time_s);
        }
        self.detector.push(placement, s);
        if !self.missing.is_empty() {
            return Vec::new();
        }
        // the window's offline sides only while a step may still get a late side or awaits
        // its walking check (the withdrawals below only take steps out of both)
        self.detector
            .set_late_sides(self.reviser.awaits(s.time_s) || self.walking.awaits(s.time_s));
        let contacts = self.detector.poll(s.time_s);
        for w in self.detector.take_withdrawn() {
            self.withdraw(w.t_s, w.at_s);
        }
        for t_s in self.walking.update(self.detector.window_sides()) {
            self.withdraw(t_s, s.time_s);
        }
        for change in self.reviser.update(self.detector.window_sides()) {
            let Some(step) = self.steps.iter_mut().rev().find(|st| st.t_s == change.t_s) else {
                continue;
            };
            step.side = change.side;
            let stance = step.stance_time_s.filter(|_| change.side.is_some());
            let rolling = self.rolling.set_side(change.t_s, change.side, stance);
            self.revisions.push(SideRevision {
                t_s: change.t_s,
                at_s: s.time_s,
                side: change.side,
                previous: change.previous,
                rolling,
            });
            self.new_revisions += 1;
        }
        let mut out = Vec::with_capacity(contacts.len());
        for c in contacts {
            let side = self.side_rule.side(&c);
            self.reviser.emitted(c.t_s, side);
            self.walking.emitted(c.t_s);
            if c.t_s < self.resumed_s {
                // a step from just before the drop-out, seen only now: reported, but kept out
                // of the walk that starts after the gap
                let rolling = self.rolling.values();
                let step = LiveStep {
                    t_s: c.t_s,
                    emitted_s: c.emitted_s,
                    side,
                    step_time_s: None,
                    stance_time_s: c.previous_stance_s,
                    on_target: on_target(&self.targets, None, &rolling),
                    rolling,
                    provisional: c.provisional,
                };
                self.steps.push(step);
                out.push(step);
                continue;
            }
            let step_time_s = self
                .previous_t_s
                .map(|p| c.t_s - p)
                .filter(|&d| d > 0.0 && d <= MAX_STEP_S);
            self.previous_t_s = Some(c.t_s);
            let rolling = self.rolling.push(StepInput {
                t_s: c.t_s,
                side,
                step_time_s,
                stance_time_s: c.previous_stance_s.filter(|_| side.is_some()),
            });
            let step = LiveStep {
                t_s: c.t_s,
                emitted_s: c.emitted_s,
                side,
                step_time_s,
                stance_time_s: c.previous_stance_s,
                on_target: on_target(&self.targets, step_time_s, &rolling),
                rolling,
                provisional: c.provisional,
            };
            self.steps.push(step);
            out.push(step);
        }
        out
    }
}
