//! Off-the-shelf BLE IMUs: recognising them, configuring them and decoding their
//! notifications into readings in m/s² and deg/s, raw sensor axes.
//!
//! Each family is a pure decoder over `&[u8]` plus its start/stop commands
//! ([`polar`], [`movesense`], [`witmotion`], [`metawear`]); [`Model`] is the one interface the
//! rest of the crate uses. [`clock`] puts device or arrival times on the host timeline,
//! [`mounting`] gives the `axes` letters per placement, [`ble`] talks to BlueZ through btleplug
//! and [`recorder`] writes the session folder.

pub mod ble;
pub mod clock;
pub mod metawear;
pub mod mounting;
pub mod movesense;
pub mod polar;
pub mod recorder;
pub mod witmotion;

use std::fmt;

use uuid::Uuid;

/// Standard gravity, m/s² per g.
pub const G_MPS2: f64 = 9.806_65;

/// Which quantity a reading holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Acceleration including gravity, m/s².
    Acc,
    /// Angular velocity, deg/s.
    Gyr,
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

/// Why a notification could not be decoded. Readings pushed before the error stay valid.
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
    #[error("unsupported frame type {frame_type} for measurement {measurement}")]
    UnsupportedFrame { measurement: u8, frame_type: u8 },
    #[error("compressed block overruns the notification at byte {at}")]
    BlockOverrun { at: usize },
    #[error("invalid compressed block: {bits} bits per delta")]
    BadDeltaBits { bits: u8 },
    #[error("{skipped} bytes of garbage skipped while re-synchronising")]
    Resync { skipped: usize },
    #[error("continuation packet without a first part")]
    OrphanContinuation,
    #[error("device refused command 0x{op:02X}: status {status} ({meaning})")]
    Refused {
        op: u8,
        status: u8,
        meaning: &'static str,
    },
    #[error("value is not a finite number (NaN or infinite float)")]
    NotFinite,
    #[error("notification from unexpected characteristic {0}")]
    UnexpectedCharacteristic(Uuid),
}

/// A write to the device: which characteristic and which bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub characteristic: Uuid,
    pub bytes: Vec<u8>,
    /// Write with response (`request`) rather than without (`command`).
    pub with_response: bool,
}

/// Supported device models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    PolarVeritySense,
    /// Accelerometer only: recorded gyroscope columns are zero.
    PolarH10,
    Movesense,
    WitMotionWt901,
    MetaMotionS,
}

/// A 16-bit SIG UUID on the Bluetooth base UUID.
pub const fn uuid16(short: u16) -> Uuid {
    Uuid::from_u128(((short as u128) << 96) | 0x0000_0000_0000_1000_8000_0080_5f9b_34fb)
}

/// Standard Battery Level characteristic (0x2A19), percent.
pub const BATTERY_LEVEL: Uuid = uuid16(0x2A19);
/// Standard Firmware Revision String characteristic (0x2A26, Device Information service).
pub const FIRMWARE_REVISION: Uuid = uuid16(0x2A26);

impl Model {
    pub const ALL: [Model; 5] = [
        Model::PolarVeritySense,
        Model::PolarH10,
        Model::Movesense,
        Model::WitMotionWt901,
        Model::MetaMotionS,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Model::PolarVeritySense => "Polar Verity Sense",
            Model::PolarH10 => "Polar H10",
            Model::Movesense => "Movesense",
            Model::WitMotionWt901 => "WitMotion WT901BLECL",
            Model::MetaMotionS => "MbientLab MetaMotionS",
        }
    }

    /// Recognises a model from the advertised local name and service UUIDs.
    pub fn recognise(local_name: Option<&str>, services: &[Uuid]) -> Option<Model> {
        let name = local_name.unwrap_or("").trim();
        if name.starts_with("Polar Sense") {
            return Some(Model::PolarVeritySense);
        }
        if name.starts_with("Polar H10") {
            return Some(Model::PolarH10);
        }
        if name.starts_with("Movesense") || services.contains(&movesense::SERVICE) {
            return Some(Model::Movesense);
        }
        if name.starts_with("MetaWear") || services.contains(&metawear::SERVICE) {
            return Some(Model::MetaMotionS);
        }
        if name.starts_with("WT") || services.contains(&witmotion::SERVICE) {
            return Some(Model::WitMotionWt901);
        }
        if services.contains(&polar::SERVICE) {
            return Some(Model::PolarVeritySense);
        }
        None
    }

    /// Primary service carrying the IMU stream.
    pub fn service(self) -> Uuid {
        match self {
            Model::PolarVeritySense | Model::PolarH10 => polar::SERVICE,
            Model::Movesense => movesense::SERVICE,
            Model::WitMotionWt901 => witmotion::SERVICE,
            Model::MetaMotionS => metawear::SERVICE,
        }
    }

    /// Characteristics to subscribe to, in order, before the start commands are written.
    pub fn notify_characteristics(self) -> &'static [Uuid] {
        match self {
            Model::PolarVeritySense | Model::PolarH10 => &[polar::CONTROL_POINT, polar::DATA],
            Model::Movesense => &[movesense::NOTIFY],
            Model::WitMotionWt901 => &[witmotion::NOTIFY],
            Model::MetaMotionS => &[metawear::NOTIFY],
        }
    }

    /// Sampling rate this crate configures, Hz (≥ 100 Hz on every supported model except the
    /// H10's accelerometer, whose nearest setting is 100 Hz as well).
    pub fn rate_hz(self) -> f64 {
        match self {
            Model::PolarVeritySense => 104.0,
            Model::PolarH10 => 100.0,
            Model::Movesense => 104.0,
            Model::WitMotionWt901 => 100.0,
            Model::MetaMotionS => 100.0,
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

    /// Commands that configure the rate and start streaming, in order.
    pub fn start_commands(self) -> Vec<Command> {
        match self {
            Model::PolarVeritySense => polar::start_commands(polar::Variant::VeritySense),
            Model::PolarH10 => polar::start_commands(polar::Variant::H10),
            Model::Movesense => movesense::start_commands(self.rate_hz() as u16),
            Model::WitMotionWt901 => witmotion::start_commands(),
            Model::MetaMotionS => metawear::start_commands(),
        }
    }

    /// Commands that stop streaming.
    pub fn stop_commands(self) -> Vec<Command> {
        match self {
            Model::PolarVeritySense => polar::stop_commands(polar::Variant::VeritySense),
            Model::PolarH10 => polar::stop_commands(polar::Variant::H10),
            Model::Movesense => movesense::stop_commands(),
            Model::WitMotionWt901 => witmotion::stop_commands(),
            Model::MetaMotionS => metawear::stop_commands(),
        }
    }

    /// A fresh decoder for this model as configured by [`Model::start_commands`].
    pub fn decoder(self) -> Decoder {
        match self {
            Model::PolarVeritySense | Model::PolarH10 => {
                Decoder::Polar(polar::Decoder::new(self.rate_hz()))
            }
            Model::Movesense => Decoder::Movesense(movesense::Decoder::new(self.rate_hz())),
            Model::WitMotionWt901 => Decoder::WitMotion(witmotion::Decoder::new()),
            Model::MetaMotionS => Decoder::MetaWear(metawear::Decoder::new(
                metawear::ACC_RANGE_G,
                metawear::GYR_RANGE_DPS,
            )),
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
    fn recognises_models_from_name_or_services() {
        assert_eq!(
            Model::recognise(Some("Polar Sense B5A5E62D"), &[]),
            Some(Model::PolarVeritySense)
        );
        assert_eq!(
            Model::recognise(Some("Polar H10 8C4E5023"), &[]),
            Some(Model::PolarH10)
        );
        assert_eq!(
            Model::recognise(Some("Movesense 214530000123"), &[]),
            Some(Model::Movesense)
        );
        assert_eq!(
            Model::recognise(Some("WT901BLE67"), &[]),
            Some(Model::WitMotionWt901)
        );
        assert_eq!(
            Model::recognise(Some("MetaWear"), &[]),
            Some(Model::MetaMotionS)
        );
        assert_eq!(
            Model::recognise(None, &[movesense::SERVICE]),
            Some(Model::Movesense)
        );
        assert_eq!(
            Model::recognise(Some("x"), &[polar::SERVICE]),
            Some(Model::PolarVeritySense)
        );
        assert_eq!(
            Model::recognise(Some("Galaxy Buds"), &[uuid16(0x180F)]),
            None
        );
        assert_eq!(Model::recognise(None, &[]), None);
    }

    #[test]
    fn sixteen_bit_uuids_sit_on_the_base_uuid() {
        assert_eq!(
            BATTERY_LEVEL.to_string(),
            "00002a19-0000-1000-8000-00805f9b34fb"
        );
        assert_eq!(
            witmotion::SERVICE.to_string(),
            "0000ffe5-0000-1000-8000-00805f9b34fb"
        );
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
