//! The small `org.freedesktop.DBus` stub served on every p2p connection.
//!
//! `busctl --address=` and `gdbus --address` always start with `Hello()` (and
//! may add match rules) as if they talked to a bus daemon; without an answer they
//! give up ("Invalid request descriptor", rust.md §3.1). On a peer-to-peer
//! connection there is no bus, so these calls get harmless canned answers.

use std::sync::Arc;

use zbus::{interface, ObjectServer};

use super::shared::Shared;
use super::unit::register_unit;

pub(crate) const DBUS_PATH: &str = "/org/freedesktop/DBus";

pub(crate) struct HelloStub {
    /// The unique name this client is told it has.
    pub unique_name: String,
    pub shared: Arc<Shared>,
}

#[interface(name = "org.freedesktop.DBus")]
impl HelloStub {
    /// Hello() → s: the caller's "unique name". Such a client expects every
    /// object to be there, like on systemd's bus, so all unit objects are
    /// registered before the reply — the client waits for it before anything
    /// else (zbus has no fallback handler for unregistered paths).
    async fn hello(&self, #[zbus(object_server)] server: &ObjectServer) -> String {
        for name in self.shared.unit_names().await {
            register_unit(server, &self.shared, &name).await;
        }
        self.unique_name.clone()
    }

    /// Match rules mean nothing on p2p: every signal sent is for this peer.
    fn add_match(&self, _rule: String) {}

    fn remove_match(&self, _rule: String) {}

    /// GetNameOwner(s) → s: the only name here is the server itself.
    fn get_name_owner(&self, _name: String) -> String {
        ":1.0".to_string()
    }

    /// NameHasOwner(s) → b.
    fn name_has_owner(&self, name: String) -> bool {
        name == super::names::BUS_NAME
    }

    /// GetId() → s.
    fn get_id(&self) -> String {
        "00000000000000000000000000000000".to_string()
    }
}
