//! Errors: the D-Bus errors methods answer with, and why the server could not start.
//!
//! Method errors use systemd's names where systemd has one
//! (`org.freedesktop.systemd1.NoSuchUnit` → `org.activator1.NoSuchUnit`) and the
//! standard `org.freedesktop.DBus.Error.*` names otherwise, so that clients map
//! them to exit codes the way systemctl's `translate_bus_error_to_exit_status()`
//! does (AccessDenied → 4, NoSuchUnit → 5).

use zbus::message::{Header, Message};
use zbus::names::ErrorName;

use crate::engine::control::ControlError;

pub const NO_SUCH_UNIT: &str = "org.activator1.NoSuchUnit";
pub const ACCESS_DENIED: &str = "org.freedesktop.DBus.Error.AccessDenied";
pub const FAILED: &str = "org.freedesktop.DBus.Error.Failed";
pub const INVALID_ARGS: &str = "org.freedesktop.DBus.Error.InvalidArgs";
pub const TIMEOUT: &str = "org.freedesktop.DBus.Error.Timeout";
pub const NO_SERVER: &str = "org.freedesktop.DBus.Error.NoServer";

/// A D-Bus error reply: a name and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodError {
    pub name: &'static str,
    pub message: String,
}

impl MethodError {
    pub fn new(name: &'static str, message: impl Into<String>) -> MethodError {
        MethodError {
            name,
            message: message.into(),
        }
    }

    pub fn access_denied(what: &str) -> MethodError {
        MethodError::new(
            ACCESS_DENIED,
            format!("Access denied: {what} needs uid 0 or the daemon's own uid."),
        )
    }

    pub fn no_such_unit(name: &str) -> MethodError {
        MethodError::new(NO_SUCH_UNIT, format!("Unit {name} not loaded."))
    }
}

impl std::fmt::Display for MethodError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for MethodError {}

impl zbus::DBusError for MethodError {
    fn create_reply(&self, call: &Header<'_>) -> zbus::Result<Message> {
        Message::error(call, self.name()).build(&(self.message.as_str(),))
    }

    fn name(&self) -> ErrorName<'_> {
        ErrorName::from_static_str_unchecked(self.name)
    }

    fn description(&self) -> Option<&str> {
        Some(&self.message)
    }
}

impl From<ControlError> for MethodError {
    fn from(e: ControlError) -> MethodError {
        let name = match &e {
            ControlError::NoSuchUnit(_) => NO_SUCH_UNIT,
            ControlError::Failed(_) => FAILED,
            ControlError::InvalidArgs(_) => INVALID_ARGS,
            ControlError::Timeout => TIMEOUT,
            ControlError::Gone => NO_SERVER,
        };
        MethodError::new(name, e.to_string())
    }
}

impl From<zbus::Error> for MethodError {
    fn from(e: zbus::Error) -> MethodError {
        MethodError::new(FAILED, e.to_string())
    }
}

/// Why the control plane could not start.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot create control socket directory {path}: {source}")]
    SocketDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on control socket {path}: {source}")]
    Listen {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to the {bus} bus: {source}")]
    Bus {
        bus: &'static str,
        source: zbus::Error,
    },
    #[error("cannot start the control thread: {0}")]
    Thread(std::io::Error),
}
