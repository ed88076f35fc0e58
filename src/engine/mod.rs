//! The event loop and the socket/service state machines.
//!
//! One thread, one epoll set, one owner of all state: `Engine`. Every wakeup
//! (listening fd, built-in connection, signalfd, timer) becomes an `Event` and is
//! handed to `Engine::handle`. Why a hand-written epoll loop and not tokio: the hot
//! path (accept → fork/exec) needs no futures, level-triggered epoll gives exactly the
//! "stop polling this fd while the service owns it" semantics systemd has, and the
//! loop stays small and explicit. The control plane (D-Bus) talks to it through a
//! channel plus an eventfd (`control`), so it never touches this state itself.
//!
//! **Architecture Invariant:** nothing outside this module mutates runtime state, and
//! the engine has no `unsafe`: it reaches the kernel through `sys` or nix's safe
//! wrappers (signals to process groups, datagram send/receive).

mod builtins;
mod commands;
pub mod conditions;
pub mod control;
mod event;
pub mod exec_plan;
mod instance;
mod notify;
mod ratelimit;
mod reexec;
mod reload;
mod service;
mod service_exit;
mod service_stop;
mod services;
mod shutdown;
mod socket;
mod sockets;
mod spawn_cache;
pub mod state;
mod status;
mod timers;

use rustc_hash::FxHashMap;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};

pub use event::Event;
pub use socket::{SocketResult, SocketState};

use crate::sys::signals::{reap_children, SignalFd};
use crate::unit::loader::UnitSet;
use builtins::BuiltinConn;
use control::{ControlInbox, DeferredControl, Notifier};
use exec_plan::CredentialCache;
use service::{ChildRole, ServiceRuntime};
use socket::SocketRuntime;
use spawn_cache::SpawnCache;
use timers::{Timer, Timers};

/// Errors that stop the daemon from starting at all (a single bad unit never does).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("failed to set up the event loop: {0}")]
    Setup(#[from] nix::Error),
    #[error("failed to set up signal handling: {0}")]
    Signals(String),
}

/// What to run: the loaded units and which units to start.
pub struct EngineConfig {
    pub units: UnitSet,
    /// Socket units to start, in order.
    pub start_sockets: Vec<String>,
    /// Service units to start at once (`--wanted-by`, units named on the command line).
    pub start_services: Vec<String>,
    /// State handed over by a previous image (re-exec).
    pub restore: Option<reexec::SavedState>,
    /// Where to bind the notify socket (`NOTIFY_SOCKET` for services).
    pub notify_socket: Option<std::path::PathBuf>,
    /// `activatord --init -- CMD ARGS...`: the container's main program, run as
    /// `main.service`; when it exits the daemon stops everything and exits with
    /// its status (as tini does).
    pub main_command: Option<Vec<String>>,
}

/// Unit name of the `--init -- CMD` main program.
pub const MAIN_SERVICE: &str = "main.service";

pub use reexec::read_saved_state;

/// Re-reads the configuration for a daemon reload (SIGHUP, `daemon-reload`).
pub type ConfigLoader = Box<dyn FnMut() -> EngineConfig>;

pub struct Engine {
    epoll: Epoll,
    signal_fd: SignalFd,
    units: UnitSet,
    sockets: Vec<SocketRuntime>,
    socket_index: FxHashMap<String, usize>,
    services: FxHashMap<String, ServiceRuntime>,
    children: FxHashMap<i32, ChildRole>,
    /// `-` prefix of the running control commands, by pid.
    control_ignore: FxHashMap<i32, bool>,
    invocations: u64,
    /// Path of the notify socket given to services as `NOTIFY_SOCKET`.
    notify_path: Option<String>,
    notifier: Option<Notifier>,
    /// The outer service manager (sd_notify), when we run under one.
    supervisor: Option<crate::supervisor::Supervisor>,
    notify_socket: Option<crate::sys::notify::NotifySocket>,
    control: Option<ControlInbox>,
    /// The control plane, once running (kept alive here, never looked into).
    control_plane: Option<Box<dyn std::any::Any>>,
    /// The control plane to start on its first client.
    deferred_control: Option<DeferredControl>,
    job_counter: u32,
    reexec_requested: bool,
    /// The `--init` main program's unit, if any.
    main_service: Option<String>,
    /// Exit code of `run` (the main program's status in init mode).
    exit_code: i32,
    reexec_since: Option<Instant>,
    startup_timestamp: u64,
    loader: Option<ConfigLoader>,
    /// Shared units of templates without specifiers (one copy for all instances).
    template_cache: FxHashMap<String, std::sync::Arc<crate::unit::ServiceUnit>>,
    conns: Vec<Option<BuiltinConn>>,
    free_conns: Vec<usize>,
    timers: Timers,
    creds: CredentialCache,
    /// Kept spawn requests of shared templates (Accept=yes instances).
    spawn_cache: SpawnCache,
    stopping: bool,
    /// Fds handed to us with LISTEN_FDS, not yet matched to a Listen entry.
    adopted: Vec<(std::os::fd::OwnedFd, Option<String>)>,
    /// While the configured sockets start: the sockets to poll once all of them
    /// listen (the kernel queues connections from `listen()` on, so clients need
    /// not wait for the epoll registrations).
    deferred_polls: Option<Vec<usize>>,
}

impl Engine {
    /// Set up the loop and start every configured socket. A socket that cannot be
    /// bound is logged and marked failed; the others still start.
    pub fn new(mut config: EngineConfig) -> Result<Engine, EngineError> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        let signal_fd = SignalFd::new().map_err(|e| EngineError::Signals(e.to_string()))?;
        epoll.add(
            signal_fd.as_fd(),
            EpollEvent::new(EpollFlags::EPOLLIN, event::signal_token()),
        )?;
        let mut engine = Engine {
            epoll,
            signal_fd,
            units: config.units,
            sockets: Vec::new(),
            socket_index: FxHashMap::default(),
            services: FxHashMap::default(),
            children: FxHashMap::default(),
            control_ignore: FxHashMap::default(),
            invocations: 0,
            notify_path: None,
            notifier: None,
            supervisor: None,
            notify_socket: None,
            control: None,
            control_plane: None,
            deferred_control: None,
            job_counter: 0,
            reexec_requested: false,
            main_service: None,
            exit_code: 0,
            reexec_since: None,
            startup_timestamp: state::now_usec(),
            loader: None,
            template_cache: FxHashMap::default(),
            conns: Vec::new(),
            free_conns: Vec::new(),
            timers: Timers::default(),
            creds: CredentialCache::default(),
            spawn_cache: SpawnCache::default(),
            stopping: false,
            adopted: crate::sys::socket::take_listen_fds(),
            deferred_polls: Some(Vec::with_capacity(config.start_sockets.len())),
        };
        if let Some(saved) = &config.restore {
            engine.adopt_saved(saved);
        }
        // One allocation of the right size (hundreds of sockets: no doubling).
        engine.sockets.reserve_exact(config.start_sockets.len());
        engine.socket_index.reserve(config.start_sockets.len());
        for name in std::mem::take(&mut config.start_sockets) {
            engine.start_socket(name);
        }
        // Only services' main processes get NOTIFY_SOCKET, and none starts
        // before this: its file-system node need not delay the listening sockets.
        if let Some(path) = &config.notify_socket {
            engine.bind_notify_socket(path);
        }
        for idx in engine.deferred_polls.take().unwrap_or_default() {
            engine.set_polled(idx, true);
        }
        if let Some(saved) = config.restore {
            engine.restore_saved(saved);
        }
        for name in &config.start_services {
            engine.start_service(name, None);
        }
        if let Some(argv) = config.main_command {
            engine.start_main_program(argv);
        }
        for (fd, name) in engine.adopted.drain(..) {
            log::warn!(
                "Inherited fd {:?} ({}) matches no configured socket, closing it.",
                fd,
                name.as_deref().unwrap_or("unknown")
            );
        }
        Ok(engine)
    }

    /// Names and states of the sockets, for logs, tests and the control plane.
    pub fn socket_states(&self) -> Vec<(String, SocketState)> {
        self.sockets
            .iter()
            .map(|s| (s.unit.name.clone(), s.state))
            .collect()
    }

    /// Hand over the outer service manager connection (READY=1 already sent).
    pub fn set_supervisor(&mut self, supervisor: Option<crate::supervisor::Supervisor>) {
        self.supervisor = supervisor;
    }

    /// One-line summary for `STATUS=`.
    pub fn status_line(&self) -> String {
        format!(
            "{} of {} socket units listening",
            self.listening_count(),
            self.sockets.len()
        )
    }

    /// True once every started socket is listening or has failed.
    pub fn listening_count(&self) -> usize {
        self.sockets
            .iter()
            .filter(|s| s.state == SocketState::Listening)
            .count()
    }

    /// Connect the control plane: requests arrive through `inbox`, state changes
    /// leave through `notifier`.
    pub fn attach_control(
        &mut self,
        inbox: ControlInbox,
        notifier: Notifier,
    ) -> Result<(), EngineError> {
        self.epoll.add(
            inbox.fd(),
            EpollEvent::new(EpollFlags::EPOLLIN, event::control_token()),
        )?;
        self.control = Some(inbox);
        self.notifier = Some(notifier);
        Ok(())
    }

    /// Keep a running control plane alive as long as the engine.
    pub fn keep_control_plane(&mut self, plane: Box<dyn std::any::Any>) {
        self.control_plane = Some(plane);
    }

    /// Start the control plane only when its first client connects.
    pub fn defer_control_plane(&mut self, deferred: DeferredControl) -> Result<(), EngineError> {
        self.epoll.add(
            deferred.wake.as_fd(),
            EpollEvent::new(EpollFlags::EPOLLIN, event::control_listener_token()),
        )?;
        self.deferred_control = Some(deferred);
        Ok(())
    }

    fn on_control_client(&mut self) {
        let Some(deferred) = self.deferred_control.take() else {
            return;
        };
        let _ = self.epoll.delete(deferred.wake.as_fd());
        drop(deferred.wake);
        log::debug!("First control client: starting the control plane.");
        self.control_plane = (deferred.start)();
    }

    fn bind_notify_socket(&mut self, path: &std::path::Path) {
        match crate::sys::notify::NotifySocket::bind(path) {
            Ok(sock) => {
                if let Err(e) = self.epoll.add(
                    sock.as_fd(),
                    EpollEvent::new(EpollFlags::EPOLLIN, event::notify_token()),
                ) {
                    log::warn!("Cannot poll the notify socket: {e}");
                    return;
                }
                self.notify_path = Some(path.display().to_string());
                self.notify_socket = Some(sock);
            }
            Err(e) => log::warn!(
                "Cannot bind the notify socket {}: {e}; services get no NOTIFY_SOCKET.",
                path.display()
            ),
        }
    }

    /// How to re-read the configuration on reload.
    pub fn set_loader(&mut self, loader: ConfigLoader) {
        self.loader = Some(loader);
    }

    /// Run until a stop signal has been handled and every child is gone.
    /// Returns the process exit code (0 after an orderly stop).
    pub fn run(&mut self) -> i32 {
        let mut events = vec![EpollEvent::empty(); 256];
        loop {
            if self.shutdown_complete() {
                return self.exit_code;
            }
            let now = Instant::now();
            let mut timeout = match self.timers.timeout_ms(now) {
                Some(ms) => ms.min(60_000) as i32,
                None => -1,
            };
            if let Some(due) = self
                .supervisor
                .as_ref()
                .and_then(|s| s.watchdog_due_in(now))
            {
                let ms = due.as_millis().min(60_000) as i32;
                timeout = if timeout < 0 { ms } else { timeout.min(ms) };
            }
            let timeout = nix::sys::epoll::EpollTimeout::try_from(timeout)
                .unwrap_or(nix::sys::epoll::EpollTimeout::NONE);
            let n = match self.epoll.wait(&mut events, timeout) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => 0,
                Err(e) => {
                    log::error!("epoll_wait failed: {e}");
                    std::thread::sleep(Duration::from_millis(10));
                    0
                }
            };
            for ev in events.iter().take(n) {
                let flags = ev.events();
                let (kind, id, sub) = event::decode(ev.data());
                match kind {
                    event::TOKEN_SIGNAL => self.on_signals(),
                    event::TOKEN_NOTIFY => self.handle(Event::NotifyReadable),
                    event::TOKEN_CONTROL_LISTENER => self.handle(Event::ControlClient),
                    event::TOKEN_CONTROL => {
                        let msgs = self.control.as_ref().map(|c| c.drain()).unwrap_or_default();
                        for m in msgs {
                            self.handle(Event::Control(m));
                        }
                    }
                    event::TOKEN_LISTENER => self.handle(Event::ListenerReadable {
                        socket: id,
                        fd: sub,
                    }),
                    event::TOKEN_BUILTIN => self.handle(Event::BuiltinIo {
                        conn: id,
                        readable: flags.intersects(
                            EpollFlags::EPOLLIN | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR,
                        ),
                        writable: flags.contains(EpollFlags::EPOLLOUT),
                    }),
                    _ => {}
                }
            }
            for t in self.timers.expired(Instant::now()) {
                self.handle(Event::Timer(t));
            }
            if let Some(s) = &self.supervisor {
                s.ping_watchdog_if_due();
            }
            if self.reexec_requested && !self.stopping {
                // Wait (at most a second) until no echo session has output pending.
                let since = *self.reexec_since.get_or_insert_with(Instant::now);
                if !self.builtin_output_pending() || since.elapsed() > Duration::from_secs(1) {
                    self.reexec_requested = false;
                    self.reexec_since = None;
                    self.reexec();
                }
            }
        }
    }

    /// Reap children whose SIGCHLD is still queued behind the current event.
    pub(super) fn reap_now(&mut self) {
        for (pid, status) in reap_children() {
            self.handle(Event::ChildExited {
                pid: pid.as_raw(),
                status,
            });
        }
    }

    fn on_signals(&mut self) {
        for sig in self.signal_fd.read_all() {
            if sig == libc::SIGCHLD {
                for (pid, status) in reap_children() {
                    self.handle(Event::ChildExited {
                        pid: pid.as_raw(),
                        status,
                    });
                }
            } else {
                self.handle(Event::Signal(sig));
            }
        }
    }

    /// The one place where events change state.
    pub fn handle(&mut self, event: Event) {
        match event {
            Event::ListenerReadable { socket, fd } => self.on_listener_readable(socket, fd),
            Event::BuiltinIo {
                conn,
                readable,
                writable,
            } => self.on_builtin_io(conn, readable, writable),
            Event::ChildExited { pid, status } => self.on_child_exited(pid, status),
            Event::Timer(t) => self.on_timer(t),
            Event::Signal(sig) => self.on_signal(sig),
            Event::Control(msg) => self.on_control(msg),
            Event::NotifyReadable => self.on_notify_readable(),
            Event::ControlClient => self.on_control_client(),
        }
    }

    fn on_timer(&mut self, timer: Timer) {
        match timer {
            Timer::ResumeSocket { socket, generation } => self.resume_socket(socket, generation),
            Timer::RestartService {
                service,
                generation,
                automatic,
            } => self.restart_service_timer(&service, generation, automatic),
            Timer::ServiceTimeout {
                service,
                generation,
            } => self.service_timeout(&service, generation),
            Timer::GroupCheck {
                service,
                generation,
            } => self.group_check(&service, generation),
            Timer::SocketTimeout { socket, generation } => self.socket_timeout(socket, generation),
            Timer::Watchdog {
                service,
                generation,
            } => self.watchdog_expired(&service, generation),
            Timer::ShutdownDeadline => self.shutdown_deadline(),
        }
    }

    fn on_signal(&mut self, sig: i32) {
        match sig {
            libc::SIGTERM | libc::SIGINT | libc::SIGQUIT => self.begin_shutdown(sig),
            // Forwarded to a container's main program (tini does the same).
            libc::SIGUSR1 => self.forward_to_main(sig),
            libc::SIGHUP => self.reload_configuration(),
            libc::SIGUSR2 => self.reexec_requested = true,
            _ => log::debug!("ignoring signal {sig}"),
        }
    }
}
