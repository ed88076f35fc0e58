//! Bus names, object paths and interface names of the control plane.
//!
//! They mirror systemd's (`org.freedesktop.systemd1`, systemd.md §6.1) with
//! `org.activator1` in place of `org.freedesktop.systemd1`, so that a
//! systemd-compatible alias later is only a renaming.

use crate::unit::name::{bus_label_escape, bus_label_unescape};

/// The well-known name requested on a system or session bus.
pub const BUS_NAME: &str = "org.activator1";
/// The manager object (systemd: `/org/freedesktop/systemd1`).
pub const MANAGER_PATH: &str = "/org/activator1";
/// Prefix of unit objects (systemd: `/org/freedesktop/systemd1/unit/`).
pub const UNIT_PATH_PREFIX: &str = "/org/activator1/unit/";
/// Prefix of job paths (systemd: `/org/freedesktop/systemd1/job/`).
pub const JOB_PATH_PREFIX: &str = "/org/activator1/job/";

pub const MANAGER_IFACE: &str = "org.activator1.Manager";
pub const UNIT_IFACE: &str = "org.activator1.Unit";
pub const SOCKET_IFACE: &str = "org.activator1.Socket";
pub const SERVICE_IFACE: &str = "org.activator1.Service";

/// `/org/activator1/unit/<label>`, the label escaped like systemd's
/// `bus_label_escape()` (src/basic/bus-label.c): `foo.socket` → `foo_2esocket`.
pub fn unit_path(name: &str) -> String {
    format!("{UNIT_PATH_PREFIX}{}", bus_label_escape(name))
}

/// The unit name an object path stands for, if it is a unit path.
pub fn unit_name_from_path(path: &str) -> Option<String> {
    let label = path.strip_prefix(UNIT_PATH_PREFIX)?;
    (!label.is_empty() && !label.contains('/')).then(|| bus_label_unescape(label))
}

/// `/org/activator1/job/<id>`; id 0 means "no job" and maps to `/` like systemd.
pub fn job_path(id: u32) -> String {
    if id == 0 {
        "/".to_string()
    } else {
        format!("{JOB_PATH_PREFIX}{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_paths_escape_like_systemd() {
        // systemd.md §6.1 examples.
        assert_eq!(unit_path("foo.socket"), "/org/activator1/unit/foo_2esocket");
        assert_eq!(
            unit_path("1x.service"),
            "/org/activator1/unit/_31x_2eservice"
        );
        assert_eq!(
            unit_path("echo@0-127.0.0.1:7777-127.0.0.1:5555.service"),
            "/org/activator1/unit/echo_400_2d127_2e0_2e0_2e1_3a7777_2d127_2e0_2e0_2e1_3a5555_2eservice"
        );
        assert_eq!(
            unit_name_from_path("/org/activator1/unit/foo_2esocket").as_deref(),
            Some("foo.socket")
        );
        assert_eq!(unit_name_from_path("/org/activator1"), None);
        assert_eq!(job_path(0), "/");
        assert_eq!(job_path(7), "/org/activator1/job/7");
    }
}
