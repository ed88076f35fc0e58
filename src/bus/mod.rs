//! The D-Bus control plane: `org.activator1` on a private peer-to-peer socket
//! and, optionally, on the system or session bus.
//!
//! systemd's API shape (systemd.md §6) with our names: manager object
//! `/org/activator1` (`org.activator1.Manager`), unit objects
//! `/org/activator1/unit/<label>` (`org.activator1.Unit` + `.Socket`/`.Service`).
//! Everything runs on one dedicated thread with a tokio current-thread runtime;
//! it reaches engine state only through `engine::control::ControlHandle` and
//! hears about changes through `Notification`s, which become `UnitNew`,
//! `UnitRemoved`, `JobNew`, `JobRemoved` and `PropertiesChanged` signals (for
//! counters too: systemd does not emit those, we do).

mod access;
pub mod error;
mod hello;
mod manager;
pub mod names;
pub mod props;
mod server;
mod shared;
mod unit;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use error::{BusError, MethodError};
pub use manager::UnitRow;

use crate::engine::control::{ControlHandle, Notification};

/// Which message bus to own `org.activator1` on, besides the private socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BusChoice {
    /// The system bus when running as root and one is reachable, else none.
    #[default]
    Auto,
    System,
    Session,
    None,
}

impl FromStr for BusChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<BusChoice, String> {
        match s {
            "auto" => Ok(BusChoice::Auto),
            "system" => Ok(BusChoice::System),
            "session" | "user" => Ok(BusChoice::Session),
            "none" | "no" => Ok(BusChoice::None),
            _ => Err(format!(
                "invalid bus '{s}' (expected auto, system, session or none)"
            )),
        }
    }
}

/// Where and how the control plane listens.
#[derive(Debug, Clone, Default)]
pub struct BusOptions {
    /// The private p2p socket; None = `default_control_socket()`.
    pub control_socket: Option<PathBuf>,
    pub bus: BusChoice,
}

/// `/run/activator/private` for root, `$XDG_RUNTIME_DIR/activator/private`
/// otherwise (`$TMPDIR/activator-UID/private` when the variable is unset), the
/// daemon's own default (`daemon::default_runtime_dir`).
pub fn default_control_socket() -> PathBuf {
    crate::daemon::default_runtime_dir().join("private")
}

/// The running control plane; stops (and removes its socket) on drop.
pub struct BusServer {
    socket_path: PathBuf,
    bus: Option<&'static str>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl BusServer {
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }

    /// "system" or "session" when `org.activator1` is owned on a bus.
    pub fn bus(&self) -> Option<&'static str> {
        self.bus
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
            let _ = std::fs::remove_file(&self.socket_path);
        }
    }
}

impl Drop for BusServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Bind the private socket: create its directory, replace a stale node (one
/// nobody answers on), refuse to steal a live one, and let everyone connect —
/// reads are public, writes are checked per call (access.rs).
fn bind_control_socket(path: &Path) -> Result<std::os::unix::net::UnixListener, BusError> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() && !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|source| BusError::SocketDir {
                path: dir.to_path_buf(),
                source,
            })?;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
        }
    }
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            return Err(BusError::Listen {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    "another daemon answers on it",
                ),
            });
        }
        let _ = std::fs::remove_file(path);
    }
    let listener =
        std::os::unix::net::UnixListener::bind(path).map_err(|source| BusError::Listen {
            path: path.to_path_buf(),
            source,
        })?;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666));
    listener
        .set_nonblocking(true)
        .map_err(|source| BusError::Listen {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(listener)
}

/// The bound private socket, not yet served. Dropping it unserved removes the
/// socket node.
pub struct ControlSocket {
    path: PathBuf,
    listener: Option<std::os::unix::net::UnixListener>,
}

impl ControlSocket {
    /// Bind the private socket (`opts.control_socket`, or the default path).
    pub fn bind(opts: &BusOptions) -> Result<ControlSocket, BusError> {
        let path = opts
            .control_socket
            .clone()
            .unwrap_or_else(default_control_socket);
        let listener = bind_control_socket(&path)?;
        Ok(ControlSocket {
            path,
            listener: Some(listener),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second descriptor of the listening socket, for an event loop to learn
    /// when the first client knocks (see `start_on`).
    pub fn watch_fd(&self) -> std::io::Result<std::os::fd::OwnedFd> {
        match &self.listener {
            Some(l) => Ok(l.try_clone()?.into()),
            None => Err(std::io::Error::from(std::io::ErrorKind::NotConnected)),
        }
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        if self.listener.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Which bus to join at start, as (system?, required?). `Auto` joins the system
/// bus only when running as root and its socket exists, so a host or container
/// without one pays nothing for it.
pub fn bus_wanted(choice: BusChoice) -> Option<(bool, bool)> {
    match choice {
        BusChoice::Auto => {
            (nix::unistd::geteuid().is_root() && system_bus_present()).then_some((true, false))
        }
        BusChoice::System => Some((true, true)),
        BusChoice::Session => Some((false, true)),
        BusChoice::None => None,
    }
}

/// Whether a system bus socket exists (`DBUS_SYSTEM_BUS_ADDRESS`'s `unix:path=`,
/// else the well-known `/run/dbus/system_bus_socket`, dbus-daemon(1)). Other
/// address kinds are assumed reachable and left to the connection attempt.
fn system_bus_present() -> bool {
    match std::env::var("DBUS_SYSTEM_BUS_ADDRESS") {
        Ok(addr) if !addr.is_empty() => addr
            .split(';')
            .next()
            .and_then(|a| a.strip_prefix("unix:"))
            .map(|kv| {
                kv.split(',')
                    .find_map(|p| p.strip_prefix("path="))
                    .map(|p| Path::new(p).exists())
                    .unwrap_or(true)
            })
            .unwrap_or(true),
        _ => Path::new("/run/dbus/system_bus_socket").exists(),
    }
}

/// Start the control plane on its own thread. Fails when the private socket
/// cannot be bound, or when an explicitly chosen bus (`System`/`Session`) cannot
/// be joined; with `Auto` a missing system bus only logs.
pub fn start(
    handle: ControlHandle,
    notifications: std::sync::mpsc::Receiver<Notification>,
    opts: &BusOptions,
) -> Result<BusServer, BusError> {
    let socket = ControlSocket::bind(opts)?;
    start_on(socket, handle, notifications, bus_wanted(opts.bus))
}

/// Serve an already bound private socket (and join `want_bus`, as
/// `bus_wanted` returns it) on the control thread. Pending connections on the
/// socket are served, so this may run when the first client has knocked.
pub fn start_on(
    mut socket: ControlSocket,
    handle: ControlHandle,
    notifications: std::sync::mpsc::Receiver<Notification>,
    want_bus: Option<(bool, bool)>,
) -> Result<BusServer, BusError> {
    let socket_path = socket.path.clone();
    let std_listener = socket.listener.take().ok_or_else(|| BusError::Listen {
        path: socket_path.clone(),
        source: std::io::Error::from(std::io::ErrorKind::NotConnected),
    })?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<Option<&'static str>, BusError>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    let path_for_thread = socket_path.clone();
    let thread = std::thread::Builder::new()
        .name("activator-bus".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(BusError::Thread(e)));
                    return;
                }
            };
            rt.block_on(async move {
                let listener = match tokio::net::UnixListener::from_std(std_listener) {
                    Ok(l) => l,
                    Err(source) => {
                        let _ = ready_tx.send(Err(BusError::Listen {
                            path: path_for_thread,
                            source,
                        }));
                        return;
                    }
                };
                let shared = Arc::new(shared::Shared::new(handle));
                let mut bus_name = None;
                if let Some((system, required)) = want_bus {
                    let which = if system { "system" } else { "session" };
                    match server::connect_bus(&shared, system).await {
                        Ok(conn) => {
                            let id = shared.next_id();
                            server::add_peer(&shared, id, conn, true);
                            bus_name = Some(which);
                        }
                        Err(source) if required => {
                            let _ = ready_tx.send(Err(BusError::Bus { bus: which, source }));
                            return;
                        }
                        Err(e) => log::info!("not on the {which} bus: {e}"),
                    }
                }
                let _ = ready_tx.send(Ok(bus_name));
                if bus_name.is_some() {
                    // A bus client may introspect any unit without a GetUnit first.
                    let shared2 = shared.clone();
                    tokio::spawn(async move {
                        if let Ok(units) = shared2.list_units().await {
                            for conn in shared2.bus_connections() {
                                for u in &units {
                                    unit::register_unit(conn.object_server(), &shared2, &u.id)
                                        .await;
                                }
                            }
                        }
                    });
                }
                let notifications = server::forward_notifications(notifications);
                server::serve(shared, listener, notifications, stop_rx).await;
            });
            rt.shutdown_timeout(Duration::from_millis(500));
        })
        .map_err(BusError::Thread)?;
    let ready = ready_rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or(Ok(None));
    let mut server = BusServer {
        socket_path,
        bus: None,
        stop: Some(stop_tx),
        thread: Some(thread),
    };
    match ready {
        Ok(bus) => {
            server.bus = bus;
            Ok(server)
        }
        Err(e) => {
            server.shutdown();
            Err(e)
        }
    }
}
