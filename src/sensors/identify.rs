//! Which model a connected sensor is, from what it reports about itself: the standard Device
//! Information service (0x180A) and, on MetaWear boards, the module information register that
//! names the IMU chip. The advertised name only decides when the device reports nothing else,
//! and then the identity says so.

use super::metawear;
use super::{Family, Model};

/// Strings of the Device Information service, as read (absent characteristics are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInformation {
    pub manufacturer: Option<String>,
    pub model_number: Option<String>,
    pub serial_number: Option<String>,
    pub hardware_revision: Option<String>,
    pub firmware_revision: Option<String>,
    pub software_revision: Option<String>,
}

impl DeviceInformation {
    /// A characteristic's bytes as text: UTF-8 (lossy), trailing NULs and blanks removed;
    /// `None` when nothing is left.
    pub fn text(bytes: &[u8]) -> Option<String> {
        let t = String::from_utf8_lossy(bytes)
            .trim_end_matches('\0')
            .trim()
            .to_string();
        (!t.is_empty()).then_some(t)
    }
}

/// Implementation codes read from a MetaWear board's module information registers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MetaWearModules {
    /// Accelerometer module (0x03); `None`: absent.
    pub accelerometer: Option<u8>,
    /// Gyroscope module (0x13); `None`: absent.
    pub gyroscope: Option<u8>,
}

/// A sensor's model and how it was established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub model: Model,
    /// What the model was read from, e.g. `Device Information model number "H10"`.
    pub basis: String,
    pub info: DeviceInformation,
}

/// Identifies a sensor of `family`; an error says why it cannot be (or is not supported).
pub fn identify(
    family: Family,
    advertised_name: Option<&str>,
    info: &DeviceInformation,
    modules: Option<MetaWearModules>,
) -> Result<Identity, String> {
    let done = |model, basis: String| {
        Ok(Identity {
            model,
            basis,
            info: info.clone(),
        })
    };
    match family {
        Family::Polar => {
            if let Some(m) = &info.model_number {
                let lower = m.to_lowercase();
                if lower.contains("h10") {
                    return done(
                        Model::PolarH10,
                        format!("Device Information model number \"{m}\""),
                    );
                }
                if lower.contains("sense") || lower.contains("verity") {
                    return done(
                        Model::PolarVeritySense,
                        format!("Device Information model number \"{m}\""),
                    );
                }
                return Err(format!(
                    "Polar model \"{m}\" is not supported (supported: Polar Verity Sense, Polar H10)"
                ));
            }
            let name = advertised_name.unwrap_or("").trim();
            let basis = format!("advertised name \"{name}\" (no Device Information model number)");
            if name.starts_with("Polar H10") {
                done(Model::PolarH10, basis)
            } else if name.starts_with("Polar Sense") {
                done(Model::PolarVeritySense, basis)
            } else {
                Err(format!(
                    "cannot tell which Polar model this is: it reports no Device Information \
                     model number and its name \"{name}\" is neither \"Polar Sense …\" nor \"Polar H10 …\""
                ))
            }
        }
        Family::Movesense => done(Model::Movesense, "Movesense sensor data service".into()),
        Family::WitMotion => done(Model::WitMotionWt901, "WitMotion BLE 5.0 service".into()),
        Family::MetaWear => {
            let Some(m) = modules else {
                return Err(
                    "the board did not answer the module information requests, so \
                            its IMU chip (BMI160 or BMI270) and register map are unknown"
                        .into(),
                );
            };
            let chip = metawear::chip_from_module_info(m.accelerometer, m.gyroscope)?;
            let model = match chip {
                metawear::Chip::Bmi270 => Model::MetaMotionS,
                metawear::Chip::Bmi160 => Model::MetaWearBmi160,
            };
            done(
                model,
                format!(
                    "module information: accelerometer and gyroscope {} (implementations {} and {})",
                    chip.name(),
                    m.accelerometer.unwrap_or_default(),
                    m.gyroscope.unwrap_or_default()
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dis(model: Option<&str>) -> DeviceInformation {
        DeviceInformation {
            manufacturer: Some("Polar Electro Oy".into()),
            model_number: model.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn polar_models_come_from_the_device_information_model_number() {
        // the advertised name does not decide when the device says what it is
        let id = identify(
            Family::Polar,
            Some("Polar Sense 1"),
            &dis(Some("H10")),
            None,
        )
        .unwrap();
        assert_eq!(id.model, Model::PolarH10);
        assert_eq!(id.basis, "Device Information model number \"H10\"");
        let id = identify(Family::Polar, None, &dis(Some("Polar Sense")), None).unwrap();
        assert_eq!(id.model, Model::PolarVeritySense);
        assert_eq!(id.info.manufacturer.as_deref(), Some("Polar Electro Oy"));
        assert_eq!(
            identify(Family::Polar, Some("Polar OH1 1"), &dis(Some("OH1")), None).unwrap_err(),
            "Polar model \"OH1\" is not supported (supported: Polar Verity Sense, Polar H10)"
        );
        // without Device Information the name decides, and the basis says so
        let id = identify(Family::Polar, Some("Polar H10 8C4E5023"), &dis(None), None).unwrap();
        assert_eq!(id.model, Model::PolarH10);
        assert!(id.basis.contains("no Device Information"), "{}", id.basis);
        assert!(identify(Family::Polar, Some("Polar"), &dis(None), None)
            .unwrap_err()
            .contains("cannot tell which Polar model"));
    }

    #[test]
    fn metawear_register_map_comes_from_the_module_information() {
        let bmi270 = MetaWearModules {
            accelerometer: Some(4),
            gyroscope: Some(1),
        };
        let id = identify(
            Family::MetaWear,
            Some("MetaWear"),
            &dis(Some("8")),
            Some(bmi270),
        );
        assert_eq!(id.unwrap().model, Model::MetaMotionS);
        let bmi160 = MetaWearModules {
            accelerometer: Some(1),
            gyroscope: Some(0),
        };
        let id = identify(Family::MetaWear, Some("MetaWear"), &dis(None), Some(bmi160)).unwrap();
        assert_eq!(id.model, Model::MetaWearBmi160);
        assert_eq!(
            id.basis,
            "module information: accelerometer and gyroscope BMI160 (implementations 1 and 0)"
        );
        assert!(identify(Family::MetaWear, None, &dis(None), None)
            .unwrap_err()
            .contains("register map are unknown"));
    }

    #[test]
    fn device_information_text_drops_padding() {
        assert_eq!(DeviceInformation::text(b"3.1.1\0\0"), Some("3.1.1".into()));
        assert_eq!(DeviceInformation::text(b" \0"), None);
    }
}
