//! activatorctl's D-Bus client: connects to the daemon (private socket by
//! default, a bus or an explicit address otherwise) and turns the replies into
//! `UnitStatus` values the formatters take.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;
use zbus::wire::DynamicType;
use zbus::{Connection, OwnedObjectPath};

use crate::bus::names::{
    BUS_NAME, MANAGER_IFACE, MANAGER_PATH, SERVICE_IFACE, SOCKET_IFACE, UNIT_IFACE,
};
use crate::bus::props::{status_from_props, PropMap};
use crate::bus::UnitRow;
use crate::engine::control::UnitStatus;

/// Where the daemon is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The private p2p socket.
    Private(PathBuf),
    /// A D-Bus address (`unix:path=…`), spoken to like a bus (Hello first).
    Address(String),
    System,
    Session,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Private(p) => write!(f, "{}", p.display()),
            Target::Address(a) => write!(f, "{a}"),
            Target::System => write!(f, "the system bus"),
            Target::Session => write!(f, "the session bus"),
        }
    }
}

/// A failed call: the D-Bus error name (empty for transport errors) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub name: String,
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl CallError {
    pub fn is_no_such_unit(&self) -> bool {
        self.name == crate::bus::error::NO_SUCH_UNIT
    }

    /// systemctl's `translate_bus_error_to_exit_status()`: AccessDenied → 4
    /// (EXIT_NOPERMISSION), NoSuchUnit → 5 (EXIT_NOTINSTALLED), NotSupported → 3,
    /// anything else → 1.
    pub fn exit_code(&self) -> i32 {
        match self.name.as_str() {
            crate::bus::error::ACCESS_DENIED => 4,
            crate::bus::error::NO_SUCH_UNIT => 5,
            "org.freedesktop.DBus.Error.NotSupported" => 3,
            _ => 1,
        }
    }
}

impl From<zbus::Error> for CallError {
    fn from(e: zbus::Error) -> CallError {
        match e {
            zbus::Error::MethodError(name, desc, _) => CallError {
                name: name.to_string(),
                message: desc.unwrap_or_else(|| name.to_string()),
            },
            zbus::Error::FDO(e) => {
                use zbus::DBusError;
                CallError {
                    name: e.name().to_string(),
                    message: e.description().unwrap_or_default().to_string(),
                }
            }
            other => CallError {
                name: String::new(),
                message: other.to_string(),
            },
        }
    }
}

/// A connection plus the small runtime that drives it.
pub struct Client {
    rt: tokio::runtime::Runtime,
    conn: Connection,
}

impl Client {
    /// Connect, or say in one line why not.
    pub fn connect(target: &Target) -> Result<Client, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("Failed to start a runtime: {e}"))?;
        let conn = rt
            .block_on(async {
                let builder = match target {
                    Target::Private(path) => {
                        let s = std::os::unix::net::UnixStream::connect(path)
                            .map_err(|e| e.to_string())?;
                        zbus::connection::Builder::unix_stream(s).p2p()
                    }
                    Target::Address(a) => zbus::connection::Builder::address(a.as_str()),
                    Target::System => zbus::connection::Builder::system(),
                    Target::Session => zbus::connection::Builder::session(),
                };
                builder.build().await.map_err(|e| e.to_string())
            })
            .map_err(|e| format!("Failed to connect to activatord at {target}: {e}"))?;
        Ok(Client { rt, conn })
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// One method call, blocking.
    pub fn call<B, R>(
        &self,
        path: &str,
        iface: &str,
        method: &str,
        body: &B,
    ) -> Result<R, CallError>
    where
        B: Serialize + DynamicType,
        R: DeserializeOwned + zbus::wire::Type,
    {
        self.rt.block_on(async {
            let reply = self
                .conn
                .call_method(Some(BUS_NAME), path, Some(iface), method, body)
                .await?;
            Ok(reply.body().deserialize::<R>()?)
        })
    }

    pub fn manager<B, R>(&self, method: &str, body: &B) -> Result<R, CallError>
    where
        B: Serialize + DynamicType,
        R: DeserializeOwned + zbus::wire::Type,
    {
        self.call(MANAGER_PATH, MANAGER_IFACE, method, body)
    }

    /// `Properties.GetAll(iface)` on an object.
    pub fn get_all(&self, path: &str, iface: &str) -> Result<PropMap, CallError> {
        self.call(path, "org.freedesktop.DBus.Properties", "GetAll", &(iface,))
    }

    pub fn unit_path(&self, name: &str) -> Result<OwnedObjectPath, CallError> {
        self.manager("GetUnit", &(name,))
    }

    /// GetUnit, then GetAll of `.Unit` and of the type interface.
    pub fn unit_status(&self, name: &str) -> Result<UnitStatus, CallError> {
        let path = self.unit_path(name)?;
        let unit = self.get_all(path.as_str(), UNIT_IFACE)?;
        let socket = if name.ends_with(".socket") {
            Some(self.get_all(path.as_str(), SOCKET_IFACE)?)
        } else {
            None
        };
        let service = if name.ends_with(".service") {
            Some(self.get_all(path.as_str(), SERVICE_IFACE)?)
        } else {
            None
        };
        Ok(status_from_props(&unit, socket.as_ref(), service.as_ref()))
    }

    /// ListUnits → a(ssssssouso).
    pub fn list_units(&self) -> Result<Vec<UnitRow>, CallError> {
        self.manager("ListUnits", &())
    }

    /// The list as minimal `UnitStatus` values (id, description, states).
    pub fn list_unit_statuses(&self) -> Result<Vec<UnitStatus>, CallError> {
        Ok(self
            .list_units()?
            .into_iter()
            .map(|r| UnitStatus {
                id: r.0,
                description: r.1,
                load_state: r.2,
                active_state: r.3,
                sub_state: r.4,
                ..Default::default()
            })
            .collect())
    }

    pub fn manager_props(&self) -> Result<PropMap, CallError> {
        self.get_all(MANAGER_PATH, MANAGER_IFACE)
    }
}
