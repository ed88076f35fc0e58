//! Daemon reload (SIGHUP, `daemon-reload`): re-read every unit file and
//! inetd.conf and apply the difference without dropping a connection.
//! (Filled in below.)

use super::Engine;

impl Engine {
    pub(super) fn reload_configuration(&mut self) {
        log::warn!("Reloading is not implemented yet.");
    }
}
