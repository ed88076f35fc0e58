//! Socket units in the loop: bind (or adopt) their fds, poll them, and on traffic
//! accept connections (Accept=yes), hand the fds to the service (Accept=no) or
//! answer datagrams with a built-in. Implements systemd.md §4.3/§4.4.

use std::borrow::Cow;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::epoll::{EpollEvent, EpollFlags};

use super::conditions;
use super::event::listener_token;
use super::instance::fixed_local_address;
use super::socket::{SocketResult, SocketRuntime, SocketState};
use super::timers::Timer;
use super::Engine;
use crate::sys::socket::{
    accept_connection, accept_with_peer, apply_connection_options, listen_matches, open_listen,
    remove_node, SockName,
};
use crate::unit::Listen;

/// Connections accepted per wakeup before other fds get a turn.
const ACCEPT_BATCH: usize = 64;
/// Back-off after accept() fails with EMFILE/ENFILE/ENOBUFS/ENOMEM.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// One accepted connection, with the addresses accept4() and the listening
/// socket already tell (so no getpeername()/getsockname() per connection).
pub(super) struct Connection {
    pub conn: OwnedFd,
    pub peer: Option<SockName>,
    /// Known when the socket listens on one specific address (see
    /// `instance::fixed_local_address`).
    pub local: Option<SockName>,
}

impl Engine {
    /// Start the socket unit `name` (systemd.md §7.1: start-pre → open → start-post
    /// → listening). A socket that cannot be bound fails alone. An owned `name`
    /// becomes the index key without a copy.
    pub(super) fn start_socket<'n>(&mut self, name: impl Into<Cow<'n, str>>) {
        let name = name.into();
        if let Some(&idx) = self.socket_index.get(&*name) {
            if matches!(
                self.sockets[idx].state,
                SocketState::Dead | SocketState::Failed
            ) {
                self.socket_enter_start(idx);
            }
            return;
        }
        let Some(unit) = self.units.sockets.get(&*name).cloned() else {
            log::error!("{name}: unit not found, cannot start.");
            return;
        };
        let idx = self.sockets.len();
        self.sockets.push(SocketRuntime::new(unit));
        self.notify_unit_new(&name);
        self.socket_index.insert(name.into_owned(), idx);
        self.socket_enter_start(idx);
    }

    fn socket_enter_start(&mut self, idx: usize) {
        let rt = &mut self.sockets[idx];
        rt.result = SocketResult::Success;
        // unit_start(): conditions, then asserts; a socket that fails either is
        // not bound and stays dead (its ConditionResult is not kept).
        let u = &rt.unit.unit;
        for (prefix, list) in [("Condition", &u.conditions), ("Assert", &u.asserts)] {
            let unmet = conditions::unmet(list);
            if !unmet.is_empty() {
                return conditions::report(&rt.unit.name, prefix, unmet);
            }
        }
        if !rt
            .start_limit
            .test(rt.unit.unit.start_limit, Instant::now())
        {
            log::error!("{}: Start request repeated too quickly.", rt.unit.name);
            rt.result = SocketResult::StartLimitHit;
            return self.socket_enter_dead(idx);
        }
        if rt.unit.exec_start_pre.is_empty() {
            return self.socket_open(idx);
        }
        rt.pending = rt.unit.exec_start_pre.iter().cloned().collect();
        self.set_socket_state(idx, SocketState::StartPre);
        self.run_next_socket_control(idx);
    }

    /// Bind (or adopt) every Listen entry.
    fn socket_open(&mut self, idx: usize) {
        // The unit (an `Arc`), not a copy of its Listen list: one allocation less
        // per socket started.
        let unit = self.sockets[idx].unit.clone();
        let mut fds = Vec::with_capacity(unit.listen.len());
        for listen in &unit.listen {
            match self.adopt_or_open(listen, idx) {
                Ok(fd) => fds.push(fd),
                Err(e) => {
                    let rt = &mut self.sockets[idx];
                    log::error!(
                        "{}: Failed to listen on {}: {e}",
                        rt.unit.name,
                        listen_text(listen)
                    );
                    // systemd: any bind failure stops the socket with result `resources`.
                    rt.result = SocketResult::Resources;
                    drop(fds);
                    return self.socket_close(idx);
                }
            }
        }
        let rt = &mut self.sockets[idx];
        rt.fds = fds;
        rt.refresh_own_ports();
        for (listen, fd) in rt.unit.listen.iter().zip(&rt.fds) {
            log::debug!(
                "{}: listening on {} as fd {}",
                rt.unit.name,
                listen_text(listen),
                fd.as_raw_fd()
            );
        }
        if rt.unit.exec_start_post.is_empty() {
            return self.socket_enter_listening(idx);
        }
        rt.pending = rt.unit.exec_start_post.iter().cloned().collect();
        self.set_socket_state(idx, SocketState::StartPost);
        self.run_next_socket_control(idx);
    }

    fn socket_enter_listening(&mut self, idx: usize) {
        self.set_socket_state(idx, SocketState::Listening);
        self.set_polled(idx, true);
    }

    /// Stop the socket (systemd.md §7.1: stop-pre → close → stop-post → dead).
    pub(super) fn stop_socket(&mut self, idx: usize) {
        let rt = &mut self.sockets[idx];
        match rt.state {
            SocketState::Dead
            | SocketState::Failed
            | SocketState::StopPre
            | SocketState::StopPost => return,
            _ => {}
        }
        rt.generation += 1;
        if let Some(pid) = rt.control_pid {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        self.set_polled(idx, false);
        let rt = &mut self.sockets[idx];
        if rt.unit.exec_stop_pre.is_empty() || rt.fds.is_empty() {
            return self.socket_close(idx);
        }
        rt.pending = rt.unit.exec_stop_pre.iter().cloned().collect();
        self.set_socket_state(idx, SocketState::StopPre);
        self.run_next_socket_control(idx);
    }

    fn socket_close(&mut self, idx: usize) {
        self.set_polled(idx, false);
        let rt = &mut self.sockets[idx];
        rt.fds.clear();
        if rt.unit.options.remove_on_stop {
            for l in &rt.unit.listen {
                remove_node(l);
            }
        }
        if rt.unit.exec_stop_post.is_empty() {
            return self.socket_enter_dead(idx);
        }
        rt.pending = rt.unit.exec_stop_post.iter().cloned().collect();
        self.set_socket_state(idx, SocketState::StopPost);
        self.run_next_socket_control(idx);
    }

    fn socket_enter_dead(&mut self, idx: usize) {
        let rt = &mut self.sockets[idx];
        rt.pending.clear();
        rt.generation += 1;
        let state = if rt.result == SocketResult::Success {
            SocketState::Dead
        } else {
            log::error!(
                "{}: Failed with result '{}'.",
                rt.unit.name,
                rt.result.as_str()
            );
            SocketState::Failed
        };
        self.set_socket_state(idx, state);
    }

    fn run_next_socket_control(&mut self, idx: usize) {
        let rt = &mut self.sockets[idx];
        let Some(cmd) = rt.pending.pop_front() else {
            return self.socket_phase_done(idx);
        };
        let exec = rt.unit.exec.clone();
        let timeout = rt.unit.timeout;
        rt.generation += 1;
        let generation = rt.generation;
        let env: Vec<(&'static str, String)> = Vec::new();
        match self.spawn_process(&super::exec_plan::SpawnInputs {
            exec: &exec,
            command: &cmd,
            listen_fds: &[],
            stdio_socket: None,
            extra_env: &env,
            non_blocking: false,
            new_session: true,
        }) {
            Ok(pid) => {
                self.sockets[idx].control_pid = Some(pid);
                self.control_ignore.insert(pid, cmd.ignore_failure);
                self.children
                    .insert(pid, super::service::ChildRole::SocketControl(idx));
                if let Some(d) = timeout.to_duration().filter(|d| !d.is_zero()) {
                    self.timers.add(
                        Instant::now() + d,
                        Timer::SocketTimeout {
                            socket: idx,
                            generation,
                        },
                    );
                }
            }
            Err(e) => {
                log::error!(
                    "{}: Failed to run {}: {e}",
                    self.sockets[idx].unit.name,
                    cmd.path
                );
                self.socket_control_exited(
                    idx,
                    crate::sys::signals::ExitStatus::Exited(203),
                    cmd.ignore_failure,
                );
            }
        }
    }

    fn socket_phase_done(&mut self, idx: usize) {
        match self.sockets[idx].state {
            SocketState::StartPre => self.socket_open(idx),
            SocketState::StartPost => self.socket_enter_listening(idx),
            SocketState::StopPre => self.socket_close(idx),
            SocketState::StopPost => self.socket_enter_dead(idx),
            _ => {}
        }
    }

    pub(super) fn socket_control_exited(
        &mut self,
        idx: usize,
        status: crate::sys::signals::ExitStatus,
        ignore: bool,
    ) {
        let Some(rt) = self.sockets.get_mut(idx) else {
            return;
        };
        rt.control_pid = None;
        if status == crate::sys::signals::ExitStatus::Exited(0) || ignore {
            return self.run_next_socket_control(idx);
        }
        log::warn!(
            "{}: Control process exited, {}",
            rt.unit.name,
            super::service_exit::describe(status)
        );
        let result = match status {
            crate::sys::signals::ExitStatus::Exited(_) => SocketResult::ExitCode,
            crate::sys::signals::ExitStatus::Signaled(_, true) => SocketResult::CoreDump,
            crate::sys::signals::ExitStatus::Signaled(..) => SocketResult::Signal,
        };
        if rt.result == SocketResult::Success {
            rt.result = result;
        }
        match rt.state {
            SocketState::StartPre => {
                rt.pending.clear();
                self.socket_close(idx)
            }
            SocketState::StartPost => {
                rt.pending.clear();
                self.stop_socket(idx)
            }
            _ => self.run_next_socket_control(idx),
        }
    }

    pub(super) fn socket_timeout(&mut self, idx: usize, generation: u64) {
        let Some(rt) = self.sockets.get_mut(idx) else {
            return;
        };
        if rt.generation != generation {
            return;
        }
        if let Some(pid) = rt.control_pid {
            log::warn!("{}: Control process timed out, killing.", rt.unit.name);
            rt.result = SocketResult::Timeout;
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }

    /// The one function that changes a socket's state: records timestamps and
    /// tells the control plane.
    pub(super) fn set_socket_state(&mut self, idx: usize, new: SocketState) {
        let rt = &mut self.sockets[idx];
        let old = rt.state;
        if old == new {
            return;
        }
        rt.state = new;
        rt.timestamps.record(old.active_state(), new.active_state());
        log::trace!("{}: {} -> {}", rt.unit.name, old.as_str(), new.as_str());
        self.notify_socket_changed(idx);
    }

    fn adopt_or_open(&mut self, listen: &Listen, idx: usize) -> Result<OwnedFd, String> {
        if let Some(pos) = self
            .adopted
            .iter()
            .position(|(fd, _)| listen_matches(fd.as_fd(), listen))
        {
            let (fd, _) = self.adopted.remove(pos);
            log::info!(
                "{}: adopted inherited fd for {}",
                self.sockets[idx].unit.name,
                listen_text(listen)
            );
            return Ok(fd);
        }
        open_listen(listen, &self.sockets[idx].unit.options).map_err(|e| e.to_string())
    }

    /// Add or remove a socket's fds from the epoll set.
    pub(super) fn set_polled(&mut self, idx: usize, on: bool) {
        let Some(rt) = self.sockets.get_mut(idx) else {
            return;
        };
        if let Some(batch) = &mut self.deferred_polls {
            // Start-up: listen on every socket first, poll them all afterwards. No
            // socket is polled yet, so a socket turned off again leaves the batch.
            if on {
                batch.push(idx);
            } else {
                batch.retain(|&i| i != idx);
            }
            return;
        }
        if rt.polled == on {
            return;
        }
        for (i, fd) in rt.fds.iter().enumerate() {
            let r = if on {
                self.epoll.add(
                    fd.as_fd(),
                    EpollEvent::new(EpollFlags::EPOLLIN, listener_token(idx, i)),
                )
            } else {
                self.epoll.delete(fd.as_fd())
            };
            if let Err(e) = r {
                log::warn!("{}: epoll update failed: {e}", rt.unit.name);
            }
        }
        rt.polled = on;
    }

    /// Pause `idx` until `until`; a timer resumes it (our recovering replacement
    /// for systemd's trigger-limit failure, systemd #15633). With `refuse`, the
    /// socket stays polled and every connection is accepted and closed at once
    /// (NRefused++), so clients get a quick EOF instead of a full backlog;
    /// otherwise it is not polled at all.
    pub(super) fn pause_socket(&mut self, idx: usize, until: Instant, why: &str, refuse: bool) {
        if !refuse {
            self.set_polled(idx, false);
        }
        self.set_socket_state(idx, SocketState::Paused);
        let rt = &mut self.sockets[idx];
        rt.n_paused += 1;
        rt.generation += 1;
        log::warn!(
            "{}: {why}, {} for {} ms.",
            rt.unit.name,
            if refuse {
                "refusing connections"
            } else {
                "pausing"
            },
            until.saturating_duration_since(Instant::now()).as_millis()
        );
        let generation = rt.generation;
        self.timers.add(
            until,
            Timer::ResumeSocket {
                socket: idx,
                generation,
            },
        );
    }

    /// While paused with `refuse`: accept and close what is pending.
    fn refuse_pending(&mut self, idx: usize, fd_idx: usize) {
        for _ in 0..ACCEPT_BATCH {
            let rt = &mut self.sockets[idx];
            match accept_connection(rt.fds[fd_idx].as_fd()) {
                Ok(Some(c)) => {
                    rt.n_refused += 1;
                    drop(c);
                }
                Ok(None) => return,
                Err(Errno::EINTR | Errno::ECONNABORTED | Errno::EPROTO) => continue,
                Err(_) => {
                    // Out of fds or similar: stop polling until the resume timer.
                    self.set_polled(idx, false);
                    return;
                }
            }
        }
    }

    pub(super) fn resume_socket(&mut self, idx: usize, generation: u64) {
        let Some(rt) = self.sockets.get_mut(idx) else {
            return;
        };
        if rt.generation != generation || rt.state != SocketState::Paused || self.stopping {
            return;
        }
        self.set_polled(idx, false);
        let rt = &mut self.sockets[idx];
        log::info!("{}: resuming.", rt.unit.name);
        self.socket_enter_listening(idx);
    }

    pub(super) fn on_listener_readable(&mut self, idx: usize, fd_idx: usize) {
        let Some(rt) = self.sockets.get(idx) else {
            return;
        };
        if rt.state == SocketState::Paused && rt.polled && !self.stopping {
            return self.refuse_pending(idx, fd_idx);
        }
        if rt.state != SocketState::Listening || self.stopping {
            return;
        }
        if fd_idx >= rt.unit.listen.len() {
            return;
        }
        let now = Instant::now();
        let rt = &mut self.sockets[idx];
        if let Some(until) = rt
            .unit
            .poll_limit
            .and_then(|limit| (!rt.poll.test(limit, now)).then(|| rt.poll.window_end(limit)))
        {
            // systemd 255+ PollLimit: stop polling until the window passes.
            let until = until.unwrap_or(now + Duration::from_secs(1));
            return self.pause_socket(idx, until, "Poll limit hit", false);
        }
        let rt = &self.sockets[idx];
        let is_datagram = !rt.unit.listen[fd_idx].is_accepting();
        match (rt.unit.builtin, rt.unit.accept, is_datagram) {
            (Some(kind), _, true) => self.serve_builtin_datagrams(idx, fd_idx, kind),
            (Some(kind), _, false) => self.accept_loop(idx, fd_idx, Some(kind)),
            (None, true, _) => self.accept_loop(idx, fd_idx, None),
            (None, false, _) => self.trigger_service(idx),
        }
    }

    /// Accept=yes (and stream built-ins): accept pending connections and start one
    /// instance (or one built-in session) per connection (systemd.md §4.4).
    fn accept_loop(&mut self, idx: usize, fd_idx: usize, builtin: Option<crate::unit::Builtin>) {
        let local = self.sockets[idx]
            .unit
            .listen
            .get(fd_idx)
            .and_then(fixed_local_address);
        for _ in 0..ACCEPT_BATCH {
            let rt = &mut self.sockets[idx];
            if rt.state != SocketState::Listening {
                return;
            }
            let conn = match accept_with_peer(rt.fds[fd_idx].as_fd()) {
                Ok(Some((conn, peer))) => Connection {
                    conn,
                    peer,
                    local: local.clone(),
                },
                Ok(None) => return,
                Err(Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM) => {
                    let until = Instant::now() + ACCEPT_BACKOFF;
                    self.pause_socket(idx, until, "accept() is out of file descriptors", false);
                    return;
                }
                Err(Errno::EINTR | Errno::ECONNABORTED | Errno::EPROTO) => continue,
                Err(e) => {
                    log::warn!("{}: accept() failed: {e}", rt.unit.name);
                    return;
                }
            };
            apply_connection_options(conn.conn.as_fd(), &rt.unit.options);
            let now = Instant::now();
            // Built-ins never fork, so like BSD inetd they are not counted by the
            // spawn limit (inetd.md §1.9).
            let limit = rt.unit.trigger_limit();
            if builtin.is_none() && !rt.trigger.test(limit, now) {
                rt.n_refused += 1;
                drop(conn);
                let until = rt
                    .trigger
                    .window_end(limit)
                    .unwrap_or(now + Duration::from_secs(1));
                self.pause_socket(idx, until, "Trigger limit hit", true);
                return;
            }
            if rt.n_connections >= rt.unit.max_connections {
                // Instances that already exited may not be reaped yet (SIGCHLD is
                // behind this event): reap first, then decide.
                self.reap_now();
                let rt = &mut self.sockets[idx];
                if rt.n_connections < rt.unit.max_connections {
                    self.dispatch_connection(idx, conn, builtin);
                    continue;
                }
                rt.n_refused += 1;
                log::warn!(
                    "{}: Too many incoming connections ({}), dropping connection.",
                    rt.unit.name,
                    rt.n_connections
                );
                continue;
            }
            self.dispatch_connection(idx, conn, builtin);
        }
    }

    /// MaxConnectionsPerSource=, then an instance or a built-in session.
    fn dispatch_connection(
        &mut self,
        idx: usize,
        conn: Connection,
        builtin: Option<crate::unit::Builtin>,
    ) {
        let rt = &mut self.sockets[idx];
        let source = match &conn.peer {
            // IPv4-mapped sources count as the IPv4 address.
            Some(SockName::Ip(a)) => Some(a.ip().to_canonical()),
            _ => None,
        };
        if let (Some(ip), max) = (source, rt.unit.max_connections_per_source) {
            if max > 0 && rt.per_source.get(&ip).copied().unwrap_or(0) >= max {
                rt.n_refused += 1;
                log::warn!(
                    "{}: Too many incoming connections ({}) from source {ip}, dropping connection.",
                    rt.unit.name,
                    max
                );
                return;
            }
        }
        match builtin {
            Some(kind) => self.start_builtin_conn(idx, conn.conn, kind, source),
            None => self.spawn_connection_instance(idx, conn, source),
        }
    }

    /// Accept=no: hand every fd of the socket (and its sibling sockets) to the
    /// service and stop polling them until it exits (systemd.md §4.3).
    fn trigger_service(&mut self, idx: usize) {
        let now = Instant::now();
        let rt = &mut self.sockets[idx];
        let limit = rt.unit.trigger_limit();
        if !rt.trigger.test(limit, now) {
            let until = rt
                .trigger
                .window_end(limit)
                .unwrap_or(now + Duration::from_secs(1));
            self.pause_socket(idx, until, "Trigger limit hit", false);
            return;
        }
        let service = rt.service.clone();
        self.start_service(&service, Some(idx));
    }

    /// FlushPending=yes: before polling again, drop what queued while the service
    /// ran (pending connections accepted and closed, datagrams read and dropped).
    pub(super) fn flush_pending(&mut self, idx: usize) {
        let rt = &mut self.sockets[idx];
        let mut buf = [0u8; 2048];
        for (listen, fd) in rt.unit.listen.iter().zip(&rt.fds) {
            // The service may have made the shared file description blocking.
            let _ = crate::sys::fds::set_nonblocking(fd.as_fd(), true);
            for _ in 0..1024 {
                let more = if listen.is_accepting() {
                    matches!(accept_connection(fd.as_fd()), Ok(Some(_)))
                } else {
                    nix::sys::socket::recv(
                        fd.as_raw_fd(),
                        &mut buf,
                        nix::sys::socket::MsgFlags::MSG_DONTWAIT,
                    )
                    .is_ok()
                };
                if !more {
                    break;
                }
            }
        }
    }

    /// Stop a socket with a failure result (it stays failed until started again).
    pub(super) fn fail_socket(&mut self, idx: usize, result: SocketResult) {
        let rt = &mut self.sockets[idx];
        if rt.result == SocketResult::Success {
            rt.result = result;
        }
        self.stop_socket(idx);
    }

    /// Index of the socket named `name`.
    pub(super) fn socket_by_name(&self, name: &str) -> Option<usize> {
        self.socket_index.get(name).copied()
    }
}

/// The address text of a Listen entry, for logs.
pub(super) fn listen_text(listen: &Listen) -> String {
    format!("{} {}", listen.type_name(), listen)
}
