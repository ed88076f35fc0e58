//! State shared by every connection of the control plane: the handle into the
//! event loop, a short-lived status cache, and who is subscribed to signals.
//!
//! Architecture Invariant: nothing here blocks the runtime thread. Every
//! `ControlHandle::call` (a blocking channel round trip to the event loop) runs
//! on tokio's blocking pool via `spawn_blocking`, and the locks are plain mutexes
//! never held across an `.await`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use zbus::{Connection, Message};

use super::error::MethodError;
use crate::engine::control::{
    ControlError, ControlHandle, ControlReply, ControlRequest, UnitStatus,
};

/// How long a fetched unit status answers property reads. A `GetAll` runs every
/// getter of an interface one after the other; the cache turns that into one
/// round trip to the event loop. Notifications refresh it, state-changing calls
/// clear it, so it is never staler than the engine's last notification.
const STATUS_TTL: Duration = Duration::from_millis(20);
const UNSUBSCRIBED_TTL: Duration = Duration::from_millis(3);

/// How long the list of unit names is trusted while nobody is subscribed (and
/// the engine therefore sends no UnitNew/UnitRemoved).
const NAMES_TTL: Duration = Duration::from_secs(1);

/// One live connection that may receive signals.
pub(crate) struct Peer {
    pub id: u64,
    /// p2p connections only receive signals after `Subscribe()` (systemd tracks
    /// subscriptions per client, systemd.md §6.2).
    pub subscribed: bool,
    pub is_bus: bool,
    pub conn: Connection,
    /// Signals are queued to a per-connection task so a slow reader never stalls
    /// the others, and each connection sees them in order.
    pub queue: tokio::sync::mpsc::UnboundedSender<Message>,
}

pub(crate) struct Shared {
    handle: ControlHandle,
    /// The daemon's own uid: callers with this uid (or 0) may change state.
    pub own_uid: u32,
    cache: Mutex<HashMap<String, (Instant, Arc<UnitStatus>)>>,
    pub peers: Mutex<Vec<Peer>>,
    /// Unique names of bus clients that called `Subscribe()`.
    pub bus_subscribers: Mutex<HashSet<String>>,
    next_id: Mutex<u64>,
    /// Names of all known units and when they were listed (None: ask the
    /// event loop).
    names: Mutex<Option<(Instant, BTreeSet<String>)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn new(handle: ControlHandle) -> Shared {
        Shared {
            handle,
            own_uid: nix::unistd::geteuid().as_raw(),
            cache: Mutex::new(HashMap::new()),
            peers: Mutex::new(Vec::new()),
            bus_subscribers: Mutex::new(HashSet::new()),
            next_id: Mutex::new(1),
            names: Mutex::new(None),
        }
    }

    pub fn next_id(&self) -> u64 {
        let mut n = lock(&self.next_id);
        *n += 1;
        *n
    }

    /// Ask the event loop, without blocking the runtime.
    pub async fn call(&self, request: ControlRequest) -> Result<ControlReply, MethodError> {
        let handle = self.handle.clone();
        let changes_state = !matches!(
            request,
            ControlRequest::ListUnits
                | ControlRequest::GetUnit { .. }
                | ControlRequest::Cat { .. }
                | ControlRequest::Manager
        );
        let reply = tokio::task::spawn_blocking(move || handle.call(request))
            .await
            .unwrap_or(Err(ControlError::Gone));
        if changes_state {
            lock(&self.cache).clear();
        }
        Ok(reply?)
    }

    /// A unit's status, from the cache when fresh.
    pub async fn unit(&self, name: &str) -> Result<Arc<UnitStatus>, MethodError> {
        // Without subscribers the engine sends no notifications to refresh
        // the cache, so it only bridges the getters of one GetAll burst.
        let ttl = if self.any_subscriber() {
            STATUS_TTL
        } else {
            UNSUBSCRIBED_TTL
        };
        if let Some((at, st)) = lock(&self.cache).get(name) {
            if at.elapsed() < ttl {
                return Ok(st.clone());
            }
        }
        match self
            .call(ControlRequest::GetUnit {
                name: name.to_string(),
            })
            .await?
        {
            ControlReply::Unit(st) => {
                let st: Arc<UnitStatus> = Arc::from(st);
                self.remember(st.clone());
                Ok(st)
            }
            other => Err(unexpected(&other)),
        }
    }

    pub async fn list_units(&self) -> Result<Vec<UnitStatus>, MethodError> {
        match self.call(ControlRequest::ListUnits).await? {
            ControlReply::Units(v) => {
                *lock(&self.names) =
                    Some((Instant::now(), v.iter().map(|u| u.id.clone()).collect()));
                let now = Instant::now();
                let mut cache = lock(&self.cache);
                for u in &v {
                    cache.insert(u.id.clone(), (now, Arc::new(u.clone())));
                }
                Ok(v)
            }
            other => Err(unexpected(&other)),
        }
    }

    /// Store a snapshot (from a reply or a `UnitChanged` notification).
    pub fn remember(&self, st: Arc<UnitStatus>) {
        lock(&self.cache).insert(st.id.clone(), (Instant::now(), st));
    }

    pub fn forget(&self, name: &str) {
        lock(&self.cache).remove(name);
    }

    pub fn forget_all(&self) {
        lock(&self.cache).clear();
        *lock(&self.names) = None;
    }

    /// Every known unit name (one ListUnits round trip when not known yet).
    pub async fn unit_names(&self) -> Vec<String> {
        // While someone is subscribed the engine announces UnitNew/UnitRemoved
        // and the set stays exact; otherwise it is re-listed after a second.
        if let Some((at, n)) = lock(&self.names).as_ref() {
            if self.any_subscriber() || at.elapsed() < NAMES_TTL {
                return n.iter().cloned().collect();
            }
        }
        self.list_units()
            .await
            .map(|v| v.into_iter().map(|u| u.id).collect())
            .unwrap_or_default()
    }

    /// A unit appeared (UnitNew) or went away (UnitRemoved).
    pub fn note_unit(&self, name: &str, present: bool) {
        if let Some((_, n)) = lock(&self.names).as_mut() {
            if present {
                n.insert(name.to_string());
            } else {
                n.remove(name);
            }
        }
    }

    fn any_subscriber(&self) -> bool {
        lock(&self.peers).iter().any(|p| p.subscribed) || !lock(&self.bus_subscribers).is_empty()
    }

    /// Tell the engine whether anyone listens: it only builds notifications
    /// while someone does (systemd emits signals only to subscribers).
    fn update_engine_subscription(&self) {
        self.handle.set_subscribed(self.any_subscriber());
    }

    pub fn set_subscribed(&self, conn_id: Option<u64>, sender: Option<String>, on: bool) {
        match conn_id {
            Some(id) => {
                for p in lock(&self.peers).iter_mut().filter(|p| p.id == id) {
                    p.subscribed = on;
                }
            }
            None => {
                let mut subs = lock(&self.bus_subscribers);
                if let Some(s) = sender {
                    if on {
                        subs.insert(s);
                    } else {
                        subs.remove(&s);
                    }
                }
            }
        }
        self.update_engine_subscription();
    }

    /// Queue a signal to every connection that wants it; drops closed ones.
    pub fn broadcast(&self, msg: &Message) {
        let bus_wants = !lock(&self.bus_subscribers).is_empty();
        lock(&self.peers).retain(|p| {
            if p.conn.is_closed() {
                return false;
            }
            if p.subscribed || (p.is_bus && bus_wants) {
                return p.queue.send(msg.clone()).is_ok();
            }
            true
        });
    }

    /// Every live connection (to register or remove unit objects on).
    pub fn connections(&self) -> Vec<Connection> {
        lock(&self.peers).iter().map(|p| p.conn.clone()).collect()
    }

    /// The bus connection(s), where every unit object is served.
    pub fn bus_connections(&self) -> Vec<Connection> {
        lock(&self.peers)
            .iter()
            .filter(|p| p.is_bus)
            .map(|p| p.conn.clone())
            .collect()
    }

    pub fn add_peer(&self, peer: Peer) {
        lock(&self.peers).push(peer);
    }

    pub fn remove_peer(&self, id: u64) {
        lock(&self.peers).retain(|p| p.id != id);
        self.update_engine_subscription();
    }
}

pub(crate) fn unexpected(reply: &ControlReply) -> MethodError {
    MethodError::new(
        super::error::FAILED,
        format!("unexpected reply from the event loop: {reply:?}"),
    )
}
