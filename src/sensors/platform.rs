//! What to do about a Bluetooth problem, worded for the operating system gaitkit runs on.
//!
//! Pure: the OS is a parameter (the values of `std::env::consts::OS`), so every platform's
//! wording is tested on any machine; the real code passes [`current_os`].

/// Bluetooth problems that need the user to act on the computer (not on the sensor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The system Bluetooth service cannot be reached (Linux: BlueZ over D-Bus).
    NoService,
    /// No Bluetooth adapter / radio.
    NoAdapter,
    /// The adapter exists but is switched off.
    PoweredOff,
    /// The OS refuses Bluetooth access to this program or user.
    PermissionDenied,
}

/// The OS gaitkit was built for and runs on (`linux`, `windows`, `macos`, …).
pub fn current_os() -> &'static str {
    std::env::consts::OS
}

/// One sentence (or two) saying what the problem is and how to fix it on `os`.
pub fn advice(os: &str, problem: Problem) -> &'static str {
    match (os, problem) {
        ("linux", Problem::NoService) => {
            "cannot reach BlueZ over D-Bus; is the Bluetooth service running? Try `sudo systemctl start bluetooth` (the bluetoothd daemon of the bluez package)"
        }
        ("linux", Problem::NoAdapter) => {
            "no Bluetooth adapter found; plug in a USB Bluetooth adapter or enable Bluetooth in the BIOS, then check `bluetoothctl list` (and `rfkill list` for a blocked radio)"
        }
        ("linux", Problem::PoweredOff) => {
            "the Bluetooth adapter is powered off; switch it on with `bluetoothctl power on` (or unblock it with `rfkill unblock bluetooth`)"
        }
        ("linux", Problem::PermissionDenied) => {
            "permission denied by BlueZ; run as a user in the `bluetooth` group (`sudo usermod -aG bluetooth $USER`, then log in again)"
        }
        ("windows", Problem::NoService | Problem::NoAdapter) => {
            "no Bluetooth radio found: Bluetooth is missing or off. Open Settings → Bluetooth & devices (Windows 10: Settings → Devices → Bluetooth & other devices) and switch Bluetooth on, or plug in a USB Bluetooth adapter; Bluetooth LE needs Windows 10 version 1809 or later"
        }
        ("windows", Problem::PoweredOff) => {
            "Bluetooth is off: switch it on in Settings → Bluetooth & devices (Windows 10: Settings → Devices → Bluetooth & other devices), or with the Bluetooth button in the Action Center"
        }
        ("windows", Problem::PermissionDenied) => {
            "Windows denied access to Bluetooth: in Settings → Privacy & security → Radios, allow apps to control device radios, and check that Bluetooth is on in Settings → Bluetooth & devices"
        }
        ("macos", Problem::PermissionDenied | Problem::NoService) => {
            "macOS has not allowed this program to use Bluetooth: open System Settings → Privacy & Security → Bluetooth, switch on the terminal app that runs gaitkit (Terminal, iTerm, VS Code, …), then quit and reopen that app"
        }
        ("macos", Problem::NoAdapter) => {
            "no Bluetooth controller available: check System Settings → Bluetooth; if Bluetooth is not listed there, restart the Mac"
        }
        ("macos", Problem::PoweredOff) => {
            "Bluetooth is off: switch it on in System Settings → Bluetooth (or in Control Centre)"
        }
        (_, Problem::NoService) => {
            "the system's Bluetooth service cannot be reached; check that Bluetooth is installed and running"
        }
        (_, Problem::NoAdapter) => {
            "no Bluetooth adapter found; check that the computer has Bluetooth and that it is enabled"
        }
        (_, Problem::PoweredOff) => "the Bluetooth adapter is switched off; switch it on",
        (_, Problem::PermissionDenied) => {
            "the system denied access to Bluetooth; allow this program to use Bluetooth"
        }
    }
}

/// How to free a sensor that another app or phone holds, per OS (the sensor side is the same
/// everywhere; the hint about this computer's own connections is not).
pub fn busy_hint(os: &str) -> &'static str {
    match os {
        "linux" => {
            "close that app or switch the phone's Bluetooth off; if this computer holds it, `bluetoothctl disconnect <address>`"
        }
        "windows" => {
            "close that app or switch the phone's Bluetooth off; if Windows holds it, remove it under Settings → Bluetooth & devices"
        }
        "macos" => {
            "close that app or switch the phone's Bluetooth off; if this Mac holds it, disconnect it in System Settings → Bluetooth"
        }
        _ => "close that app or switch the phone's Bluetooth off",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Problem; 4] = [
        Problem::NoService,
        Problem::NoAdapter,
        Problem::PoweredOff,
        Problem::PermissionDenied,
    ];

    #[test]
    fn linux_names_bluez_bluetoothd_rfkill_and_the_adapter() {
        assert!(advice("linux", Problem::NoService).contains("BlueZ"));
        assert!(advice("linux", Problem::NoService).contains("systemctl start bluetooth"));
        assert!(advice("linux", Problem::NoService).contains("bluetoothd"));
        assert!(advice("linux", Problem::NoAdapter).contains("bluetoothctl list"));
        assert!(advice("linux", Problem::PoweredOff).contains("bluetoothctl power on"));
        assert!(advice("linux", Problem::PoweredOff).contains("rfkill unblock bluetooth"));
        assert!(advice("linux", Problem::PermissionDenied).contains("bluetooth` group"));
    }

    #[test]
    fn windows_points_to_settings_bluetooth_and_needs_1809() {
        for p in ALL {
            let a = advice("windows", p);
            assert!(a.contains("Settings →"), "{p:?}: {a}");
            assert!(!a.contains("BlueZ") && !a.contains("bluetoothctl"), "{a}");
        }
        assert!(advice("windows", Problem::NoAdapter).contains("Windows 10 version 1809"));
        assert!(advice("windows", Problem::PoweredOff).contains("Bluetooth & devices"));
    }

    #[test]
    fn macos_points_to_the_bluetooth_permission_of_the_terminal_app() {
        let a = advice("macos", Problem::PermissionDenied);
        assert!(
            a.contains("System Settings → Privacy & Security → Bluetooth")
                && a.contains("terminal app"),
            "{a}"
        );
        assert!(advice("macos", Problem::PoweredOff).contains("System Settings → Bluetooth"));
        for p in ALL {
            assert!(!advice("macos", p).contains("BlueZ"));
        }
    }

    #[test]
    fn other_systems_get_generic_advice_and_busy_hints_differ() {
        for p in ALL {
            let a = advice("freebsd", p);
            assert!(!a.contains("BlueZ") && !a.contains("Settings →"), "{a}");
        }
        assert!(busy_hint("linux").contains("bluetoothctl disconnect"));
        assert!(busy_hint("windows").contains("Settings → Bluetooth & devices"));
        assert!(busy_hint("macos").contains("System Settings → Bluetooth"));
        assert_eq!(current_os(), std::env::consts::OS);
    }
}
