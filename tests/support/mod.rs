pub mod devices;
pub mod fake_bluez;
