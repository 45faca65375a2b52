//! Off-the-shelf BLE IMUs: recognising them, identifying the model, configuring them and
//! decoding their notifications into readings in m/s² and deg/s, raw sensor axes.
//!
//! Each family is a pure decoder over `&[u8]` plus its start/stop commands
//! ([`polar`], [`movesense`], [`witmotion`], [`metawear`]); [`Model`] is the one interface the
//! rest of the crate uses, and [`identify`] tells which model a connected sensor is from what it
//! reports (Device Information, MetaWear module information). [`control`] runs command/reply
//! exchanges as the vendors' SDKs do, [`clock`] puts device or arrival times on the host
//! timeline, [`mounting`] gives the `axes` letters per placement, [`ble`] talks to the
//! platform's Bluetooth stack through btleplug, [`platform`] words its errors per OS,
//! [`recorder`] writes the session folder and [`doctor`] is the bring-up check of a new sensor.

pub mod ble;
pub mod clock;
pub mod control;
pub mod doctor;
pub mod identify;
pub mod metawear;
pub mod mounting;
pub mod movesense;
pub mod platform;
pub mod polar;
pub mod recorder;
pub mod witmotion;

use std::fmt;

use uuid::Uuid;

use control::Exchange;

/// Standard gravity, m/s² per g.
pub const G_MPS2: f64 = 9.806_65;

/// Which quantity a reading holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// Acceleration including gravity, m/s².
    Acc,
    /// Angular velocity, deg/s.
    Gyr,
}

impl Quantity {
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Acc => "accelerometer",
            Quantity::Gyr => "gyroscope",
        }
    }
}

/// One decoded three-axis reading in raw sensor axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub quantity: Quantity,
    /// Sample time on the device clock, seconds, when the device sends timestamps
    /// (Polar: since 2000-01-01 UTC; Movesense: since power-on). `None` for families
    /// without timestamps (WitMotion, MetaWear): the host stamps them on arrival.
    pub device_time_s: Option<f64>,
    /// m/s² for [`Quantity::Acc`], deg/s for [`Quantity::Gyr`].
    pub xyz: [f64; 3],
}

/// Why a notification yielded no (or not all) readings. Readings pushed before the error stay
/// valid. [`DecodeError::is_malformed`] tells broken packets from well-formed ones gaitkit
/// does not decode ([`DecodeError::Unsupported`], counted by kind) and device notices.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty notification")]
    Empty,
    #[error("notification too short: {len} bytes, need at least {need}")]
    TooShort { len: usize, need: usize },
    #[error("payload of {len} bytes is not a whole number of samples ({sample_bytes} bytes each)")]
    Truncated { len: usize, sample_bytes: usize },
    #[error("unknown message type 0x{0:02X}")]
    UnknownType(u8),
    /// A well-formed notification of a kind gaitkit does not decode, e.g. "ACC frame type 0x82".
    #[error("unsupported {kind}")]
    Unsupported { kind: String },
    #[error("compressed block overruns the notification at byte {at}")]
    BlockOverrun { at: usize },
    #[error("invalid compressed block: {bits} bits per delta")]
    BadDeltaBits { bits: u8 },
    #[error("{skipped} bytes of garbage skipped while re-synchronising")]
    Resync { skipped: usize },
    #[error("continuation packet without a first part")]
    OrphanContinuation,
    /// The device stopped measurements on its own (Polar `01 <types>` push).
    #[error("the sensor stopped its {measurements} measurement on its own")]
    MeasurementStopped { measurements: String },
    #[error("value is not a finite number (NaN or infinite float)")]
    NotFinite,
    #[error("notification from unexpected characteristic {0}")]
    UnexpectedCharacteristic(Uuid),
}

impl DecodeError {
    /// Whether the packet itself is broken (as opposed to unsupported or a device notice).
    pub fn is_malformed(&self) -> bool {
        !matches!(
            self,
            DecodeError::Unsupported { .. } | DecodeError::MeasurementStopped { .. }
        )
    }
}

/// A write to the device: which characteristic and which bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub characteristic: Uuid,
    pub bytes: Vec<u8>,
    /// Write with response (`request`) rather than without (`command`).
    pub with_response: bool,
}

/// Sensor families: one protocol each, recognised from the advertisement. The model within a
/// family is read from the device after connecting ([`identify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Polar,
    Movesense,
    WitMotion,
    MetaWear,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::Polar,
        Family::Movesense,
        Family::WitMotion,
        Family::MetaWear,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Polar => "Polar (PMD)",
            Family::Movesense => "Movesense",
            Family::WitMotion => "WitMotion BLE 5.0",
            Family::MetaWear => "MbientLab MetaWear",
        }
    }

    /// Recognises a family from the advertised local name or service UUIDs.
    pub fn recognise(local_name: Option<&str>, services: &[Uuid]) -> Option<Family> {
        let name = local_name.unwrap_or("").trim();
        let has = |u: Uuid| services.contains(&u);
        if name.starts_with("Polar Sense") || name.starts_with("Polar H10") || has(polar::SERVICE) {
            Some(Family::Polar)
        } else if name.starts_with("Movesense") || has(movesense::SERVICE) {
            Some(Family::Movesense)
        } else if name.starts_with("MetaWear") || has(metawear::SERVICE) {
            Some(Family::MetaWear)
        } else if name.starts_with("WT") || has(witmotion::SERVICE) {
            Some(Family::WitMotion)
        } else {
            None
        }
    }

    /// Primary service carrying the IMU stream.
    pub fn service(self) -> Uuid {
        match self {
            Family::Polar => polar::SERVICE,
            Family::Movesense => movesense::SERVICE,
            Family::WitMotion => witmotion::SERVICE,
            Family::MetaWear => metawear::SERVICE,
        }
    }
}

/// Supported device models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    PolarVeritySense,
    /// Accelerometer only: recorded gyroscope columns are zero.
    PolarH10,
    Movesense,
    WitMotionWt901,
    /// MetaWear board with a BMI270 (the MetaMotionS).
    MetaMotionS,
    /// MetaWear board with a BMI160 (MetaMotionR, MetaMotionRL, MetaMotionC).
    MetaWearBmi160,
}

/// A 16-bit SIG UUID on the Bluetooth base UUID.
pub const fn uuid16(short: u16) -> Uuid {
    Uuid::from_u128(((short as u128) << 96) | 0x0000_0000_0000_1000_8000_0080_5f9b_34fb)
}

/// Standard Battery Level characteristic (0x2A19), percent.
pub const BATTERY_LEVEL: Uuid = uuid16(0x2A19);
/// Standard Device Information service (0x180A) and its strings.
pub const DEVICE_INFORMATION: Uuid = uuid16(0x180A);
pub const MANUFACTURER_NAME: Uuid = uuid16(0x2A29);
pub const MODEL_NUMBER: Uuid = uuid16(0x2A24);
pub const SERIAL_NUMBER: Uuid = uuid16(0x2A25);
pub const HARDWARE_REVISION: Uuid = uuid16(0x2A27);
pub const FIRMWARE_REVISION: Uuid = uuid16(0x2A26);
pub const SOFTWARE_REVISION: Uuid = uuid16(0x2A28);

impl Model {
    pub const ALL: [Model; 6] = [
        Model::PolarVeritySense,
        Model::PolarH10,
        Model::Movesense,
        Model::WitMotionWt901,
        Model::MetaMotionS,
        Model::MetaWearBmi160,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Model::PolarVeritySense => "Polar Verity Sense",
            Model::PolarH10 => "Polar H10",
            Model::Movesense => "Movesense",
            Model::WitMotionWt901 => "WitMotion WT901BLECL",
            Model::MetaMotionS => "MbientLab MetaMotionS",
            Model::MetaWearBmi160 => "MbientLab MetaMotionR/RL/C (BMI160)",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Model::PolarVeritySense | Model::PolarH10 => Family::Polar,
            Model::Movesense => Family::Movesense,
            Model::WitMotionWt901 => Family::WitMotion,
            Model::MetaMotionS | Model::MetaWearBmi160 => Family::MetaWear,
        }
    }

    /// The model an advertisement suggests before connecting, where the name or service
    /// settles it (Polar names, Movesense, WitMotion); `None` for MetaWear boards, whose chip
    /// is only known from the board itself. Recording always uses the identified model.
    pub fn from_advertisement(local_name: Option<&str>, services: &[Uuid]) -> Option<Model> {
        let name = local_name.unwrap_or("").trim();
        match Family::recognise(local_name, services)? {
            Family::Polar if name.starts_with("Polar H10") => Some(Model::PolarH10),
            Family::Polar if name.starts_with("Polar Sense") => Some(Model::PolarVeritySense),
            Family::Polar | Family::MetaWear => None,
            Family::Movesense => Some(Model::Movesense),
            Family::WitMotion => Some(Model::WitMotionWt901),
        }
    }

    /// Primary service carrying the IMU stream.
    pub fn service(self) -> Uuid {
        self.family().service()
    }

    /// Characteristics to subscribe to, in order, before the start commands are written.
    pub fn notify_characteristics(self) -> &'static [Uuid] {
        match self.family() {
            Family::Polar => &[polar::CONTROL_POINT, polar::DATA],
            Family::Movesense => &[movesense::NOTIFY],
            Family::WitMotion => &[witmotion::NOTIFY],
            Family::MetaWear => &[metawear::NOTIFY],
        }
    }

    /// Sampling rate this crate configures, Hz (≥ 100 Hz on every supported model).
    pub fn rate_hz(self) -> f64 {
        match self {
            Model::PolarVeritySense => 104.0,
            Model::PolarH10 => 100.0,
            Model::Movesense => 104.0,
            Model::WitMotionWt901 => 100.0,
            Model::MetaMotionS | Model::MetaWearBmi160 => 100.0,
        }
    }

    /// Whether samples carry device timestamps (otherwise arrival times are smoothed).
    pub fn has_device_clock(self) -> bool {
        matches!(
            self,
            Model::PolarVeritySense | Model::PolarH10 | Model::Movesense
        )
    }

    /// Whether the model has a gyroscope.
    pub fn has_gyroscope(self) -> bool {
        !matches!(self, Model::PolarH10)
    }

    /// The IMU chip of a MetaWear board.
    pub fn metawear_chip(self) -> Option<metawear::Chip> {
        match self {
            Model::MetaMotionS => Some(metawear::Chip::Bmi270),
            Model::MetaWearBmi160 => Some(metawear::Chip::Bmi160),
            _ => None,
        }
    }

    /// Smallest ATT MTU for the notifications this model sends at the configured settings
    /// (payload + 3 bytes of ATT header): Polar asks for 232 (frames up to 228 bytes, Polar
    /// maintainers on polar-ble-sdk #287 and #439), Movesense data packets are 152 bytes,
    /// the others 20.
    pub fn min_mtu(self) -> u16 {
        match self.family() {
            Family::Polar => 232,
            Family::Movesense => 155,
            Family::WitMotion | Family::MetaWear => 23,
        }
    }

    /// Commands that configure the rate and start streaming, in order.
    pub fn start_commands(self) -> Vec<Command> {
        self.start_exchanges()
            .into_iter()
            .map(|x| x.command)
            .collect()
    }

    /// [`Model::start_commands`] with the reply each waits for.
    pub fn start_exchanges(self) -> Vec<Exchange> {
        use control::Purpose;
        let plain = |cmds: Vec<Command>, purpose| {
            cmds.into_iter()
                .map(|c| Exchange::plain(c, purpose))
                .collect()
        };
        match self {
            Model::PolarVeritySense => polar::start_exchanges(polar::Variant::VeritySense),
            Model::PolarH10 => polar::start_exchanges(polar::Variant::H10),
            Model::Movesense => plain(
                movesense::start_commands(self.rate_hz() as u16),
                Purpose::Start(Quantity::Acc),
            ),
            Model::WitMotionWt901 => plain(witmotion::start_commands(), Purpose::Setup("rate")),
            Model::MetaMotionS | Model::MetaWearBmi160 => {
                metawear::start_exchanges(self.metawear_chip().expect("MetaWear model"))
            }
        }
    }

    /// Commands that stop streaming.
    pub fn stop_commands(self) -> Vec<Command> {
        self.stop_exchanges()
            .into_iter()
            .map(|x| x.command)
            .collect()
    }

    /// [`Model::stop_commands`] with the reply each waits for.
    pub fn stop_exchanges(self) -> Vec<Exchange> {
        use control::Purpose;
        let plain = |cmds: Vec<Command>| {
            cmds.into_iter()
                .map(|c| Exchange::plain(c, Purpose::Stop))
                .collect()
        };
        match self {
            Model::PolarVeritySense => polar::stop_exchanges(polar::Variant::VeritySense),
            Model::PolarH10 => polar::stop_exchanges(polar::Variant::H10),
            Model::Movesense => plain(movesense::stop_commands()),
            Model::WitMotionWt901 => plain(witmotion::stop_commands()),
            Model::MetaMotionS | Model::MetaWearBmi160 => plain(metawear::stop_commands(
                self.metawear_chip().expect("MetaWear model"),
            )),
        }
    }

    /// A fresh decoder for this model as configured by [`Model::start_commands`].
    pub fn decoder(self) -> Decoder {
        match self {
            Model::PolarVeritySense => Decoder::Polar(polar::Decoder::new(
                polar::Variant::VeritySense,
                self.rate_hz(),
            )),
            Model::PolarH10 => {
                Decoder::Polar(polar::Decoder::new(polar::Variant::H10, self.rate_hz()))
            }
            Model::Movesense => Decoder::Movesense(movesense::Decoder::new(self.rate_hz())),
            Model::WitMotionWt901 => Decoder::WitMotion(witmotion::Decoder::new()),
            Model::MetaMotionS | Model::MetaWearBmi160 => {
                Decoder::MetaWear(metawear::Decoder::new(
                    self.metawear_chip().expect("MetaWear model"),
                    metawear::ACC_RANGE_G,
                    metawear::GYR_RANGE_DPS,
                ))
            }
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Stateful decoder of one device's notifications (state: Polar conversion factors,
/// Movesense split packets, WitMotion byte stream).
#[derive(Debug, Clone)]
pub enum Decoder {
    Polar(polar::Decoder),
    Movesense(movesense::Decoder),
    WitMotion(witmotion::Decoder),
    MetaWear(metawear::Decoder),
}

impl Decoder {
    /// Decodes one notification from `characteristic`, appending readings to `out`.
    pub fn decode_into(
        &mut self,
        characteristic: Uuid,
        data: &[u8],
        out: &mut Vec<Reading>,
    ) -> Result<(), DecodeError> {
        match self {
            Decoder::Polar(d) => d.decode_into(characteristic, data, out),
            Decoder::Movesense(d) => d.decode_into(data, out),
            Decoder::WitMotion(d) => d.decode_into(data, out),
            Decoder::MetaWear(d) => d.decode_into(data, out),
        }
    }

    /// Decodes anything held back waiting for more bytes; call when the stream ends.
    pub fn finish(&mut self, out: &mut Vec<Reading>) -> Result<(), DecodeError> {
        match self {
            Decoder::Movesense(d) => d.finish(out),
            _ => Ok(()),
        }
    }

    /// Convenience form of [`Decoder::decode_into`].
    pub fn decode(
        &mut self,
        characteristic: Uuid,
        data: &[u8],
    ) -> Result<Vec<Reading>, DecodeError> {
        let mut out = Vec::new();
        self.decode_into(characteristic, data, &mut out)?;
        Ok(out)
    }
}

/// Bytes of a vendor byte vector written as hex pairs ("55 61 0A ...").
#[cfg(test)]
pub(crate) fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_families_from_name_or_services() {
        let fam = Family::recognise;
        assert_eq!(fam(Some("Polar Sense B5A5E62D"), &[]), Some(Family::Polar));
        assert_eq!(fam(Some("Polar H10 8C4E5023"), &[]), Some(Family::Polar));
        assert_eq!(fam(Some("x"), &[polar::SERVICE]), Some(Family::Polar));
        assert_eq!(
            fam(Some("Movesense 214530000123"), &[]),
            Some(Family::Movesense)
        );
        assert_eq!(fam(None, &[movesense::SERVICE]), Some(Family::Movesense));
        assert_eq!(fam(Some("WT901BLE67"), &[]), Some(Family::WitMotion));
        // WitMotion by its vendor service UUID alone (…9a34fb), not by the base-UUID form
        assert_eq!(fam(None, &[witmotion::SERVICE]), Some(Family::WitMotion));
        assert_eq!(fam(None, &[uuid16(0xFFE5)]), None);
        assert_eq!(fam(Some("MetaWear"), &[]), Some(Family::MetaWear));
        assert_eq!(fam(None, &[metawear::SERVICE]), Some(Family::MetaWear));
        assert_eq!(fam(Some("Galaxy Buds"), &[uuid16(0x180F)]), None);
        assert_eq!(fam(None, &[]), None);
    }

    #[test]
    fn advertisements_suggest_a_model_only_where_they_settle_it() {
        let m = Model::from_advertisement;
        assert_eq!(
            m(Some("Polar Sense B5A5E62D"), &[]),
            Some(Model::PolarVeritySense)
        );
        assert_eq!(m(Some("Polar H10 8C4E5023"), &[]), Some(Model::PolarH10));
        assert_eq!(m(None, &[polar::SERVICE]), None);
        assert_eq!(m(Some("WT901BLE67"), &[]), Some(Model::WitMotionWt901));
        assert_eq!(m(Some("MetaWear"), &[metawear::SERVICE]), None);
        for model in Model::ALL {
            assert_eq!(
                Family::recognise(None, &[model.service()]),
                Some(model.family())
            );
        }
    }

    #[test]
    fn sixteen_bit_uuids_sit_on_the_base_uuid() {
        assert_eq!(
            BATTERY_LEVEL.to_string(),
            "00002a19-0000-1000-8000-00805f9b34fb"
        );
        assert_eq!(
            MODEL_NUMBER.to_string(),
            "00002a24-0000-1000-8000-00805f9b34fb"
        );
    }

    #[test]
    fn unsupported_and_device_notices_are_not_malformed() {
        assert!(DecodeError::Empty.is_malformed());
        assert!(!DecodeError::Unsupported { kind: "x".into() }.is_malformed());
    }

    #[test]
    fn every_model_streams_at_100_hz_or_more() {
        for m in Model::ALL {
            assert!(m.rate_hz() >= 100.0, "{m}");
            assert!(
                !m.start_commands().is_empty() && !m.stop_commands().is_empty(),
                "{m}"
            );
        }
    }

    proptest::proptest! {
        /// Arbitrary notification bytes never panic any decoder, and every reading they yield
        /// is finite (what reaches the CSV must read back).
        #[test]
        fn decoders_never_panic_on_arbitrary_bytes(packets in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), 1..8)) {
            for model in Model::ALL {
                let mut d = model.decoder();
                let mut out = Vec::new();
                for p in &packets {
                    for ch in model.notify_characteristics() {
                        let _ = d.decode_into(*ch, p, &mut out);
                    }
                }
                let _ = d.finish(&mut out);
                for r in &out {
                    proptest::prop_assert!(r.xyz.iter().all(|v| v.is_finite()), "{model}: {r:?}");
                }
            }
        }
    }
}
