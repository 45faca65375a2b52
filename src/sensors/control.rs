//! Command/reply exchanges with a sensor, as the vendors' SDKs run them: one command at a time,
//! its reply awaited and checked before the next is written, a refused start retried once
//! after the device had time to settle (Polar: "Enabling the SDK mode shutdowns all sensors",
//! `SdkModeExplained.md`), every status named.
//!
//! This module is the pure part: what each command waits for ([`Expect`]), how a notification
//! answers it ([`ReplyMatcher`]) and what to do with the outcome ([`decide`]). The link in
//! [`super::ble`] writes, waits and sleeps.

use std::time::Duration;

use uuid::Uuid;

use super::{metawear, polar, Command, Quantity};

/// How long a reply may take before the command counts as unanswered (the Polar SDK polls
/// 30 s; gaitkit never waits that long in front of a patient).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// Shorter wait for replies to stop commands: the link may already be going.
pub const STOP_REPLY_TIMEOUT: Duration = Duration::from_secs(1);
/// Pause before a refused command is tried again.
pub const RETRY_SETTLE: Duration = Duration::from_millis(1000);

/// The reply a command waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Nothing (written and done).
    Nothing,
    /// Polar PMD: `F0 <op> <measurement> <status> ...` on the control point.
    Polar { op: u8, measurement: u8 },
    /// MetaWear module information: `<module> 80 [<implementation> <revision> ...]`.
    MetaWearInfo { module: u8 },
}

/// What a command is for, which decides what a refusal means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Needed before any stream can start (e.g. Polar SDK mode); refused twice → the link fails.
    Setup(&'static str),
    /// Starts one stream; refused twice → that stream is reported as not started.
    Start(Quantity),
    /// Stops streaming; outcome only logged.
    Stop,
    /// Reads what the device is (MetaWear module information).
    Identify,
}

/// One command of a sequence and the reply it waits for.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub command: Command,
    pub expect: Expect,
    pub purpose: Purpose,
}

impl Exchange {
    /// A command that waits for nothing.
    pub fn plain(command: Command, purpose: Purpose) -> Exchange {
        Exchange {
            command,
            expect: Expect::Nothing,
            purpose,
        }
    }
}

/// How one attempt of an exchange ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Written; no reply expected.
    Written,
    /// Accepted; the reply's parameters (Polar: selected settings; MetaWear: module info bytes).
    Accepted(Vec<u8>),
    /// Refused with a status code.
    Refused { status: u8, meaning: &'static str },
    /// No reply within the timeout.
    NoReply(Duration),
}

impl Outcome {
    pub fn describe(&self) -> String {
        match self {
            Outcome::Written => "written".into(),
            Outcome::Accepted(_) => "accepted".into(),
            Outcome::Refused { status, meaning } => format!("refused: status {status} ({meaning})"),
            Outcome::NoReply(t) => format!("no reply within {:.1} s", t.as_secs_f64()),
        }
    }
}

/// What the link does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Go on with the next command.
    Next,
    /// Wait `after`, run `first` (if any, e.g. a stop of a measurement left running), then
    /// write the same command again.
    Retry {
        after: Duration,
        first: Option<Exchange>,
    },
    /// The stream this command starts does not start; the rest of the sequence goes on.
    StreamNotStarted { quantity: Quantity, reason: String },
    /// Nothing can stream: the link gives up.
    Fail(String),
}

/// The policy, per attempt (0 = first write): success goes on; a refusal or a missing reply
/// is retried once after [`RETRY_SETTLE`] (a Polar start refused with "already in state" is
/// stopped first, as a measurement left running by an earlier session would be); a second
/// failure ends the stream (or, for setup, the link).
pub fn decide(x: &Exchange, attempt: u32, outcome: &Outcome) -> Decision {
    let failure = match outcome {
        Outcome::Written | Outcome::Accepted(_) => return Decision::Next,
        Outcome::Refused {
            status: polar::STATUS_ALREADY_IN_STATE,
            ..
        } if matches!(x.purpose, Purpose::Setup(_)) => return Decision::Next,
        _ if x.purpose == Purpose::Stop => return Decision::Next,
        other => other.describe(),
    };
    if attempt == 0 {
        let first = match (x.expect, outcome) {
            (
                Expect::Polar {
                    op: polar::OP_START,
                    measurement,
                },
                Outcome::Refused {
                    status: polar::STATUS_ALREADY_IN_STATE,
                    ..
                },
            ) => Some(polar::stop_exchange(measurement)),
            _ => None,
        };
        return Decision::Retry {
            after: RETRY_SETTLE,
            first,
        };
    }
    let what = command_name(x);
    match x.purpose {
        Purpose::Start(quantity) => Decision::StreamNotStarted {
            quantity,
            reason: format!("{what} {failure} (twice)"),
        },
        Purpose::Setup(name) => Decision::Fail(format!("{name}: {what} {failure} (twice)")),
        Purpose::Identify => Decision::Fail(format!("{what} {failure} (twice)")),
        Purpose::Stop => Decision::Next,
    }
}

/// Short name of a command for messages: "ACC start", "module info 0x13".
pub fn command_name(x: &Exchange) -> String {
    match x.expect {
        Expect::Polar { op, measurement } => {
            let verb = match op {
                polar::OP_START => "start",
                polar::OP_STOP => "stop",
                polar::OP_GET_SETTINGS => "settings request",
                _ => "command",
            };
            format!("{} {verb}", polar::measurement_name(measurement))
        }
        Expect::MetaWearInfo { module } => format!("module info request 0x{module:02X}"),
        Expect::Nothing => "command".into(),
    }
}

/// Bytes as spaced upper-case hex ("F0 02 09").
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// Watches notifications for the reply of one exchange (multi-packet Polar replies joined).
#[derive(Debug)]
pub struct ReplyMatcher {
    expect: Expect,
    reply_char: Option<Uuid>,
    polar: polar::ControlAssembler,
}

impl ReplyMatcher {
    pub fn new(expect: Expect) -> Self {
        let reply_char = match expect {
            Expect::Nothing => None,
            Expect::Polar { .. } => Some(polar::CONTROL_POINT),
            Expect::MetaWearInfo { .. } => Some(metawear::NOTIFY),
        };
        ReplyMatcher {
            expect,
            reply_char,
            polar: polar::ControlAssembler::default(),
        }
    }

    /// Whether a reply is expected at all.
    pub fn waits(&self) -> bool {
        self.reply_char.is_some()
    }

    /// The outcome if this notification completes the awaited reply. Other traffic (data,
    /// replies to other commands, device pushes) is ignored here; the caller forwards it.
    pub fn offer(&mut self, characteristic: Uuid, data: &[u8]) -> Option<Outcome> {
        if Some(characteristic) != self.reply_char {
            return None;
        }
        match self.expect {
            Expect::Nothing => None,
            Expect::Polar { op, measurement } => match self.polar.push(data) {
                Ok(Some(polar::ControlPacket::Response(r)))
                    if r.op == op && r.measurement == measurement =>
                {
                    Some(if r.status == 0 {
                        Outcome::Accepted(r.params)
                    } else {
                        Outcome::Refused {
                            status: r.status,
                            meaning: polar::status_meaning(r.status),
                        }
                    })
                }
                _ => None,
            },
            Expect::MetaWearInfo { module } => {
                (data.len() >= 2 && data[0] == module && data[1] == metawear::READ_INFO)
                    .then(|| Outcome::Accepted(data[2..].to_vec()))
            }
        }
    }
}

/// A record of one attempt, for `gaitkit doctor` and error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeRecord {
    pub command: Vec<u8>,
    pub name: String,
    /// Reply packets in order (one unless the reply spans several).
    pub replies: Vec<Vec<u8>>,
    pub outcome: Outcome,
    pub attempt: u32,
}

/// The reply packets a notification contributes to the exchange being awaited (control-point
/// or MetaWear notify traffic), for the record.
pub fn is_reply_traffic(expect: Expect, characteristic: Uuid, data: &[u8]) -> bool {
    match expect {
        Expect::Nothing => false,
        Expect::Polar { .. } => characteristic == polar::CONTROL_POINT,
        Expect::MetaWearInfo { module } => {
            characteristic == metawear::NOTIFY
                && data.len() >= 2
                && data[0] == module
                && data[1] == metawear::READ_INFO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::hex as bytes;

    fn acc_start() -> Exchange {
        polar::start_exchanges(polar::Variant::VeritySense)[1].clone()
    }

    #[test]
    fn success_goes_on_and_a_refusal_is_retried_once_then_reported_by_stream() {
        let x = acc_start();
        assert_eq!(decide(&x, 0, &Outcome::Accepted(vec![])), Decision::Next);
        let refused = Outcome::Refused {
            status: 12,
            meaning: polar::status_meaning(12),
        };
        assert_eq!(
            decide(&x, 0, &refused),
            Decision::Retry {
                after: RETRY_SETTLE,
                first: None
            }
        );
        assert_eq!(
            decide(&x, 1, &refused),
            Decision::StreamNotStarted {
                quantity: Quantity::Acc,
                reason: "ACC start refused: status 12 (invalid state) (twice)".into()
            }
        );
        let none = Outcome::NoReply(REPLY_TIMEOUT);
        assert!(matches!(decide(&x, 0, &none), Decision::Retry { .. }));
        assert_eq!(
            decide(&x, 1, &none),
            Decision::StreamNotStarted {
                quantity: Quantity::Acc,
                reason: "ACC start no reply within 5.0 s (twice)".into()
            }
        );
    }

    #[test]
    fn a_measurement_left_running_is_stopped_before_the_retry() {
        let x = acc_start();
        let already = Outcome::Refused {
            status: 6,
            meaning: polar::status_meaning(6),
        };
        let Decision::Retry {
            first: Some(stop), ..
        } = decide(&x, 0, &already)
        else {
            panic!("retry with a stop first")
        };
        assert_eq!(stop.command.bytes, bytes("03 02"));
        // SDK mode already on is fine
        let sdk = polar::start_exchanges(polar::Variant::VeritySense)[0].clone();
        assert_eq!(decide(&sdk, 0, &already), Decision::Next);
        assert_eq!(
            decide(
                &sdk,
                1,
                &Outcome::Refused {
                    status: 13,
                    meaning: polar::status_meaning(13)
                }
            ),
            Decision::Fail(
                "SDK mode: SDK mode start refused: status 13 (device in charger) (twice)".into()
            )
        );
        // stop replies never hold anything up
        let stop = polar::stop_exchange(polar::MEAS_ACC);
        assert_eq!(
            decide(&stop, 0, &Outcome::NoReply(STOP_REPLY_TIMEOUT)),
            Decision::Next
        );
    }

    #[test]
    fn replies_are_matched_to_their_command() {
        let mut m = ReplyMatcher::new(Expect::Polar {
            op: 2,
            measurement: 5,
        });
        assert!(m.waits());
        // data, another command's reply and a device push are not the reply
        assert_eq!(m.offer(polar::DATA, &bytes("F0 02 05 00 00")), None);
        assert_eq!(
            m.offer(polar::CONTROL_POINT, &bytes("F0 02 02 00 00")),
            None
        );
        assert_eq!(m.offer(polar::CONTROL_POINT, &bytes("01 02")), None);
        assert_eq!(
            m.offer(polar::CONTROL_POINT, &bytes("F0 02 05 0E 00")),
            Some(Outcome::Refused {
                status: 14,
                meaning: "disk full"
            })
        );
        // a reply in two packets
        let mut m = ReplyMatcher::new(Expect::Polar {
            op: 1,
            measurement: 2,
        });
        assert_eq!(
            m.offer(polar::CONTROL_POINT, &bytes("F0 01 02 00 01 00 01")),
            None
        );
        assert_eq!(
            m.offer(polar::CONTROL_POINT, &bytes("00 34 00")),
            Some(Outcome::Accepted(bytes("00 01 34 00")))
        );
        let mut m = ReplyMatcher::new(Expect::MetaWearInfo { module: 0x13 });
        assert_eq!(m.offer(metawear::NOTIFY, &bytes("03 80 04 00")), None);
        assert_eq!(
            m.offer(metawear::NOTIFY, &bytes("13 80 01 00")),
            Some(Outcome::Accepted(bytes("01 00")))
        );
        assert!(!ReplyMatcher::new(Expect::Nothing).waits());
    }

    #[test]
    fn hex_is_spaced_upper_case() {
        assert_eq!(hex(&[0xF0, 0x02, 0x0a]), "F0 02 0A");
        assert_eq!(hex(&[]), "");
    }
}
