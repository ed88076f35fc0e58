//! The control plane's door into the event loop.
//!
//! The D-Bus server (and anything else that controls the daemon) runs on its own
//! thread and never touches engine state: it sends a `ControlRequest` through a
//! `ControlHandle` (an mpsc channel plus an eventfd that wakes the loop) and waits
//! for the reply. The engine answers every request from its own state, in order,
//! between two other events. State changes flow the other way as
//! `Notification`s, which the bus turns into `PropertiesChanged`/`UnitNew`/…
//! signals.

use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

use nix::sys::eventfd::{EfdFlags, EventFd};
use serde::Serialize;

/// A request from the control plane. Unit names are full names (`foo.socket`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlRequest {
    /// Every known unit (loaded sockets and services, live instances).
    ListUnits,
    /// One unit's full status (`NoSuchUnit` if unknown).
    GetUnit {
        name: String,
    },
    Start {
        name: String,
    },
    Stop {
        name: String,
    },
    Restart {
        name: String,
    },
    Reload {
        name: String,
    },
    /// systemd's KillUnit: `whom` is `main`, `control` or `all`.
    Kill {
        name: String,
        whom: String,
        signal: i32,
    },
    /// None: every failed unit.
    ResetFailed {
        name: Option<String>,
    },
    /// Re-read the configuration (SIGHUP does the same).
    DaemonReload,
    /// Replace the daemon with a fresh exec of itself, keeping sockets.
    DaemonReexec,
    /// Text of the unit's files (`activatorctl cat`).
    Cat {
        name: String,
    },
    /// Manager overview.
    Manager,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ControlReply {
    Units(Vec<UnitStatus>),
    Unit(Box<UnitStatus>),
    /// A job was queued/done for this unit (systemd returns a job path).
    Job {
        id: u32,
        unit: String,
    },
    Text(String),
    Manager(ManagerStatus),
    Done,
}

/// Why a request failed; mapped to D-Bus error names by the bus layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ControlError {
    #[error("Unit {0} not loaded.")]
    NoSuchUnit(String),
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    InvalidArgs(String),
    #[error("the daemon did not answer in time")]
    Timeout,
    #[error("the daemon is shutting down")]
    Gone,
}

/// One entry of `Conditions`/`Asserts`: (type, trigger, negate, parameter, state).
pub type ConditionRecord = (String, bool, bool, String, i32);

/// Status of one unit, with systemd's property names in mind
/// (org.freedesktop.systemd1.Unit, systemd.md §6.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UnitStatus {
    /// `Id`.
    pub id: String,
    pub description: String,
    /// `LoadState`: loaded, not-found, bad-setting, error, masked.
    pub load_state: String,
    /// `ActiveState`: active, reloading, inactive, failed, activating, deactivating.
    pub active_state: String,
    /// `SubState`: listening, running, dead, failed, exited, auto-restart, …
    pub sub_state: String,
    /// `Result`: success, resources, exit-code, signal, …
    pub result: String,
    pub fragment_path: String,
    pub drop_in_paths: Vec<String>,
    /// `UnitFileState`: enabled, disabled, static, generated (inetd.conf), …
    pub unit_file_state: String,
    /// `Triggers` (sockets: their service or live instances).
    pub triggers: Vec<String>,
    /// `TriggeredBy` (services: their sockets).
    pub triggered_by: Vec<String>,
    /// Realtime µs timestamps; 0 = never.
    pub state_change_timestamp: u64,
    pub active_enter_timestamp: u64,
    pub active_exit_timestamp: u64,
    pub inactive_enter_timestamp: u64,
    pub inactive_exit_timestamp: u64,
    /// `ConditionResult`/`AssertResult` of the last start (true before any).
    pub condition_result: bool,
    pub assert_result: bool,
    /// When they were last checked, realtime µs; 0 = never.
    pub condition_timestamp: u64,
    pub assert_timestamp: u64,
    /// `Conditions`/`Asserts a(sbbsi)`: (type, trigger, negate, parameter, state:
    /// 0 not checked, 1 held, -1 did not).
    pub conditions: Vec<ConditionRecord>,
    pub asserts: Vec<ConditionRecord>,
    pub socket: Option<SocketStatus>,
    pub service: Option<ServiceStatus>,
}

/// org.freedesktop.systemd1.Socket properties (systemd.md §6.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SocketStatus {
    /// `Listen a(ss)`: (type, address).
    pub listen: Vec<(String, String)>,
    pub accept: bool,
    pub n_accepted: u32,
    pub n_connections: u32,
    pub n_refused: u32,
    pub file_descriptor_name: String,
    pub max_connections: u32,
    pub max_connections_per_source: u32,
    pub trigger_limit_interval_usec: u64,
    pub trigger_limit_burst: u32,
    /// How many times a rate limit paused this socket (activator extension).
    pub n_paused: u32,
    pub builtin: String,
}

/// org.freedesktop.systemd1.Service properties (systemd.md §6.5).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceStatus {
    /// `Type`.
    pub service_type: String,
    pub restart: String,
    pub main_pid: u32,
    pub status_text: String,
    pub n_restarts: u32,
    /// `ExecMainCode`: CLD_EXITED=1, CLD_KILLED=2, CLD_DUMPED=3.
    pub exec_main_code: i32,
    pub exec_main_status: i32,
    pub exec_main_pid: u32,
    pub exec_main_start_timestamp: u64,
    pub exec_main_exit_timestamp: u64,
    /// `ExecStart` argv of the first command (for `status` lines).
    pub exec_start: Vec<String>,
}

/// Manager overview (`activatorctl status` without a unit).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ManagerStatus {
    pub version: String,
    /// running, stopping.
    pub state: String,
    pub n_units: u32,
    pub n_failed_units: u32,
    pub n_sockets_listening: u32,
    pub n_jobs: u32,
    pub pid: u32,
    pub startup_timestamp: u64,
}

/// A state change the bus should announce.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Notification {
    UnitNew {
        id: String,
    },
    UnitRemoved {
        id: String,
    },
    /// Full new status; the bus diffs it against what it last sent.
    UnitChanged(Box<UnitStatus>),
    JobNew {
        id: u32,
        unit: String,
    },
    JobRemoved {
        id: u32,
        unit: String,
        result: String,
    },
    Reloading {
        active: bool,
    },
}

/// One request in flight.
pub struct ControlMessage {
    pub request: ControlRequest,
    pub reply: Sender<Result<ControlReply, ControlError>>,
}

impl std::fmt::Debug for ControlMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ControlMessage({:?})", self.request)
    }
}

/// Cloneable, `Send` handle the control plane uses to reach the loop.
#[derive(Clone)]
pub struct ControlHandle {
    tx: Sender<ControlMessage>,
    wake: Arc<EventFd>,
    subscribed: Arc<AtomicBool>,
}

/// How long a control caller waits for the loop (the loop answers between two
/// events, so this only trips when the daemon is wedged or gone).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

impl ControlHandle {
    /// Whether any control client has subscribed to signals (systemd's
    /// `Subscribe()`): the engine only builds notifications while one has.
    pub fn set_subscribed(&self, on: bool) {
        self.subscribed.store(on, Ordering::Relaxed);
    }

    /// Send a request and wait for the reply (blocking; call from the control thread,
    /// e.g. with `tokio::task::spawn_blocking` or a dedicated thread).
    pub fn call(&self, request: ControlRequest) -> Result<ControlReply, ControlError> {
        let (tx, rx) = mpsc::channel();
        self.tx
            .send(ControlMessage { request, reply: tx })
            .map_err(|_| ControlError::Gone)?;
        let _ = self.wake.write(1);
        match rx.recv_timeout(CALL_TIMEOUT) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(ControlError::Timeout),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(ControlError::Gone),
        }
    }
}

/// The loop's end: the eventfd it polls and the queue it drains.
pub struct ControlInbox {
    rx: Receiver<ControlMessage>,
    wake: Arc<EventFd>,
}

impl ControlInbox {
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.wake.as_fd()
    }

    /// Reset the eventfd and take every queued request.
    pub fn drain(&self) -> Vec<ControlMessage> {
        let _ = self.wake.read();
        self.rx.try_iter().collect()
    }
}

/// A control plane that starts when its first client connects. The engine
/// polls `wake` (a second descriptor of the listening socket) and calls `start`
/// once; what `start` returns (the running plane) lives as long as the engine.
/// An idle daemon thus carries no control thread, runtime or status cache.
pub struct DeferredControl {
    pub wake: std::os::fd::OwnedFd,
    pub start: Box<dyn FnOnce() -> Option<Box<dyn std::any::Any>>>,
}

/// A connected handle/inbox pair.
pub fn channel() -> std::io::Result<(ControlHandle, ControlInbox)> {
    let wake = Arc::new(
        EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)
            .map_err(std::io::Error::from)?,
    );
    let (tx, rx) = mpsc::channel();
    Ok((
        ControlHandle {
            tx,
            wake: wake.clone(),
            subscribed: Arc::new(AtomicBool::new(false)),
        },
        ControlInbox { rx, wake },
    ))
}

/// The engine's end of the notification stream.
pub struct Notifier {
    tx: Sender<Notification>,
    wanted: Arc<AtomicBool>,
}

impl Notifier {
    pub fn wanted(&self) -> bool {
        self.wanted.load(Ordering::Relaxed)
    }

    pub fn send(&self, n: Notification) -> Result<(), mpsc::SendError<Notification>> {
        self.tx.send(n)
    }
}

/// A notification stream tied to `handle`'s subscription flag.
pub fn notification_channel(handle: &ControlHandle) -> (Notifier, Receiver<Notification>) {
    let (tx, rx) = mpsc::channel();
    (
        Notifier {
            tx,
            wanted: handle.subscribed.clone(),
        },
        rx,
    )
}
