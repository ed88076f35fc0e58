//! The control thread: one tokio current-thread runtime that accepts p2p
//! connections on the private socket, optionally owns `org.activator1` on a bus,
//! and turns the engine's `Notification`s into D-Bus signals.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixListener;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use zbus::{Connection, Message, Variant};

use super::hello::{HelloStub, DBUS_PATH};
use super::manager::Manager;
use super::names::{job_path, unit_path, BUS_NAME, MANAGER_IFACE, MANAGER_PATH};
use super::props::changed_props;
use super::shared::{Peer, Shared};
use super::unit::{register_unit, unregister_unit};
use crate::engine::control::{ControlReply, ControlRequest, Notification, UnitStatus};

/// How long a client may take for the authentication handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Move notifications from the engine's std channel into the runtime, on the
/// blocking pool (the std receiver blocks).
pub(crate) fn forward_notifications(
    rx: std::sync::mpsc::Receiver<Notification>,
) -> UnboundedReceiver<Notification> {
    let (tx, out) = unbounded_channel();
    tokio::task::spawn_blocking(move || loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(n) => {
                if tx.send(n).is_err() {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if tx.is_closed() {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    });
    out
}

/// A task that writes queued signals to one connection, in order.
fn signal_queue(conn: Connection) -> UnboundedSender<Message> {
    let (tx, mut rx) = unbounded_channel::<Message>();
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if conn.send(&m).await.is_err() {
                break;
            }
        }
    });
    tx
}

/// Track a connection for signals until it closes.
pub(crate) fn add_peer(shared: &Arc<Shared>, id: u64, conn: Connection, is_bus: bool) {
    shared.add_peer(Peer {
        id,
        subscribed: false,
        is_bus,
        queue: signal_queue(conn.clone()),
        conn: conn.clone(),
    });
    let shared = shared.clone();
    tokio::spawn(async move {
        conn.closed().await;
        shared.remove_peer(id);
    });
}

/// Connect to the chosen bus and own `org.activator1` there.
pub(crate) async fn connect_bus(shared: &Arc<Shared>, system: bool) -> zbus::Result<Connection> {
    let builder = if system {
        zbus::connection::Builder::system()
    } else {
        zbus::connection::Builder::session()
    };
    let conn = builder
        .serve_at(
            MANAGER_PATH,
            Manager {
                shared: shared.clone(),
                conn_id: None,
            },
        )
        .name(BUS_NAME)
        .build()
        .await?;
    Ok(conn)
}

/// Set up one accepted client as a p2p server connection.
async fn serve_client(shared: Arc<Shared>, stream: tokio::net::UnixStream) {
    let id = shared.next_id();
    let std_stream = match stream.into_std() {
        Ok(s) => s,
        Err(e) => {
            log::debug!("control socket: {e}");
            return;
        }
    };
    // Unit objects are registered when a client first names a unit
    // (GetUnit, ListUnits, …) or, for bus-style clients such as busctl and
    // gdbus, when they send Hello() — see hello.rs. activatorctl's `status`
    // then pays for the one unit it shows, not for all of them.
    let builder = zbus::connection::Builder::unix_stream(std_stream)
        .server(zbus::Guid::generate())
        .p2p();
    let build = builder
        .serve_at(
            MANAGER_PATH,
            Manager {
                shared: shared.clone(),
                conn_id: Some(id),
            },
        )
        .serve_at(
            DBUS_PATH,
            HelloStub {
                unique_name: format!(":1.{id}"),
                shared: shared.clone(),
            },
        )
        .build();
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, build).await {
        Ok(Ok(conn)) => add_peer(&shared, id, conn, false),
        Ok(Err(e)) => log::debug!("control socket: handshake failed: {e}"),
        Err(_) => log::debug!("control socket: handshake timed out"),
    }
}

/// What the signal side remembers between notifications.
pub(crate) struct Announcer {
    shared: Arc<Shared>,
    /// The last snapshot announced per unit, to diff the next one against.
    last_sent: HashMap<String, UnitStatus>,
}

fn signal<B>(path: &str, iface: &str, member: &str, body: &B) -> Option<Message>
where
    B: serde::Serialize + zbus::wire::DynamicType,
{
    match Message::signal(path, iface, member).build(body) {
        Ok(m) => Some(m),
        Err(e) => {
            log::warn!("cannot build signal {iface}.{member}: {e}");
            None
        }
    }
}

fn object_path(p: String) -> zbus::ObjectPath<'static> {
    zbus::ObjectPath::try_from(p)
        .unwrap_or_else(|_| zbus::ObjectPath::from_static_str_unchecked("/"))
}

impl Announcer {
    pub fn new(shared: Arc<Shared>) -> Announcer {
        Announcer {
            shared,
            last_sent: HashMap::new(),
        }
    }

    /// Start diffing from these snapshots (units not yet seen).
    pub fn prime(&mut self, units: Vec<UnitStatus>) {
        for u in units {
            self.last_sent.entry(u.id.clone()).or_insert(u);
        }
    }

    fn emit(&self, msg: Option<Message>) {
        if let Some(m) = msg {
            self.shared.broadcast(&m);
        }
    }

    /// Announce what differs from the last snapshot sent for this unit.
    fn unit_changed(&mut self, st: UnitStatus) {
        let path = unit_path(&st.id);
        for (iface, props) in changed_props(self.last_sent.get(&st.id), &st) {
            log::trace!(
                "bus: {path} {iface}: {:?}",
                props.iter().map(|p| p.0).collect::<Vec<_>>()
            );
            let changed: HashMap<&str, Variant<'static>> = props.into_iter().collect();
            let body = (iface, changed, Vec::<String>::new());
            self.emit(signal(
                &path,
                "org.freedesktop.DBus.Properties",
                "PropertiesChanged",
                &body,
            ));
        }
        self.shared.remember(Arc::new(st.clone()));
        self.last_sent.insert(st.id.clone(), st);
    }

    pub async fn handle(&mut self, n: Notification) {
        log::debug!("bus: {n:?}");
        match n {
            Notification::UnitNew { id } => {
                let path = unit_path(&id);
                self.emit(signal(
                    MANAGER_PATH,
                    MANAGER_IFACE,
                    "UnitNew",
                    &(id.as_str(), object_path(path)),
                ));
                self.shared.note_unit(&id, true);
                for conn in self.shared.connections() {
                    register_unit(conn.object_server(), &self.shared, &id).await;
                }
            }
            Notification::UnitRemoved { id } => {
                let path = unit_path(&id);
                self.emit(signal(
                    MANAGER_PATH,
                    MANAGER_IFACE,
                    "UnitRemoved",
                    &(id.as_str(), object_path(path)),
                ));
                self.last_sent.remove(&id);
                self.shared.forget(&id);
                self.shared.note_unit(&id, false);
                for conn in self.shared.connections() {
                    unregister_unit(conn.object_server(), &id).await;
                }
            }
            Notification::UnitChanged(st) => {
                // A service's change usually changes its sockets' counters and
                // Triggers too (a new Accept=yes instance: NAccepted,
                // NConnections); look at them whether or not the engine says
                // so — the diff keeps this from sending anything twice.
                let sockets = if st.service.is_some() {
                    st.triggered_by.clone()
                } else {
                    Vec::new()
                };
                self.unit_changed(*st);
                for name in sockets {
                    match self.shared.call(ControlRequest::GetUnit { name }).await {
                        Ok(ControlReply::Unit(sock)) => self.unit_changed(*sock),
                        other => log::debug!("bus: cannot refresh a triggering socket: {other:?}"),
                    }
                }
            }
            Notification::JobNew { id, unit } => {
                let body = (id, object_path(job_path(id)), unit.as_str());
                self.emit(signal(MANAGER_PATH, MANAGER_IFACE, "JobNew", &body));
            }
            Notification::JobRemoved { id, unit, result } => {
                let body = (
                    id,
                    object_path(job_path(id)),
                    unit.as_str(),
                    result.as_str(),
                );
                self.emit(signal(MANAGER_PATH, MANAGER_IFACE, "JobRemoved", &body));
            }
            Notification::Reloading { active } => {
                self.shared.forget_all();
                self.emit(signal(MANAGER_PATH, MANAGER_IFACE, "Reloading", &(active,)));
            }
        }
    }
}

/// The runtime's main task: accept clients and announce notifications until
/// `stop` fires.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    listener: UnixListener,
    mut notifications: UnboundedReceiver<Notification>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let mut announcer = Announcer::new(shared.clone());
    // Prime the diff base in the background of the first notifications: the
    // event loop may not run yet, and accepting clients must not wait for it.
    let primer = {
        let shared = shared.clone();
        tokio::spawn(async move { shared.list_units().await.unwrap_or_default() })
    };
    let mut primer = Some(primer);
    let mut notifications_open = true;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_client(shared.clone(), stream));
                }
                Err(e) => {
                    log::warn!("control socket: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            n = notifications.recv(), if notifications_open => match n {
                Some(n) => {
                    if let Some(p) = primer.take() {
                        if p.is_finished() {
                            announcer.prime(p.await.unwrap_or_default());
                        } else {
                            primer = Some(p);
                        }
                    }
                    announcer.handle(n).await;
                }
                None => notifications_open = false,
            },
        }
    }
}
