//! Socket units in the loop: bind (or adopt) their fds, poll them, and on traffic
//! accept connections (Accept=yes), hand the fds to the service (Accept=no) or
//! answer datagrams with a built-in. Implements systemd.md §4.3/§4.4.

use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::epoll::{EpollEvent, EpollFlags};

use super::event::listener_token;
use super::socket::{SocketResult, SocketRuntime, SocketState};
use super::timers::Timer;
use super::Engine;
use crate::sys::socket::{
    accept_connection, apply_connection_options, listen_matches, local_address, open_listen,
    peer_address, SockName,
};
use crate::unit::Listen;

/// Connections accepted per wakeup before other fds get a turn.
const ACCEPT_BATCH: usize = 64;
/// Back-off after accept() fails with EMFILE/ENFILE/ENOBUFS/ENOMEM.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

impl Engine {
    /// Bind every Listen entry of `name` and start polling it.
    pub(super) fn start_socket(&mut self, name: &str) {
        if self.socket_index.contains_key(name) {
            return;
        }
        let Some(unit) = self.units.sockets.get(name).cloned() else {
            log::error!("{name}: unit not found, cannot start.");
            return;
        };
        let idx = self.sockets.len();
        self.socket_index.insert(name.to_string(), idx);
        let mut rt = SocketRuntime::new(unit);
        let mut ok = true;
        for listen in &rt.unit.listen {
            match self.adopt_or_open(listen, &rt) {
                Ok(fd) => rt.fds.push(fd),
                Err(e) => {
                    log::error!("{}: Failed to listen on {}: {e}", rt.unit.name, listen_text(listen));
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            // systemd: any bind failure stops the socket with result `resources`.
            rt.fds.clear();
            rt.state = SocketState::Failed;
            rt.result = SocketResult::Resources;
            log::error!("{}: Failed with result 'resources'.", rt.unit.name);
            self.sockets.push(rt);
            return;
        }
        rt.own_ports = rt
            .fds
            .iter()
            .filter_map(|fd| match local_address(fd.as_fd()) {
                Some(SockName::Ip(a)) => Some(a.port()),
                _ => None,
            })
            .collect();
        for (listen, fd) in rt.unit.listen.iter().zip(&rt.fds) {
            log::debug!("{}: listening on {} as fd {}", rt.unit.name, listen_text(listen), fd.as_raw_fd());
        }
        rt.state = SocketState::Listening;
        self.sockets.push(rt);
        self.set_polled(idx, true);
    }

    fn adopt_or_open(&mut self, listen: &Listen, rt: &SocketRuntime) -> Result<OwnedFd, String> {
        if let Some(pos) = self
            .adopted
            .iter()
            .position(|(fd, _)| listen_matches(fd.as_fd(), listen))
        {
            let (fd, _) = self.adopted.remove(pos);
            log::info!("{}: adopted inherited fd for {}", rt.unit.name, listen_text(listen));
            return Ok(fd);
        }
        open_listen(listen, &rt.unit.options).map_err(|e| e.to_string())
    }

    /// Add or remove a socket's fds from the epoll set.
    pub(super) fn set_polled(&mut self, idx: usize, on: bool) {
        let Some(rt) = self.sockets.get_mut(idx) else {
            return;
        };
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

    /// Stop polling `idx` until `until`; a timer resumes it (our recovering
    /// replacement for systemd's trigger-limit failure, systemd #15633).
    pub(super) fn pause_socket(&mut self, idx: usize, until: Instant, why: &str) {
        self.set_polled(idx, false);
        let rt = &mut self.sockets[idx];
        rt.state = SocketState::Paused;
        rt.generation += 1;
        log::warn!(
            "{}: {why}, pausing for {} ms.",
            rt.unit.name,
            until.saturating_duration_since(Instant::now()).as_millis()
        );
        let generation = rt.generation;
        self.timers.add(until, Timer::ResumeSocket { socket: idx, generation });
    }

    pub(super) fn resume_socket(&mut self, idx: usize, generation: u64) {
        let Some(rt) = self.sockets.get_mut(idx) else {
            return;
        };
        if rt.generation != generation || rt.state != SocketState::Paused || self.stopping {
            return;
        }
        rt.state = SocketState::Listening;
        log::info!("{}: resuming.", rt.unit.name);
        self.set_polled(idx, true);
    }

    pub(super) fn on_listener_readable(&mut self, idx: usize, fd_idx: usize) {
        let Some(rt) = self.sockets.get(idx) else {
            return;
        };
        if rt.state != SocketState::Listening || self.stopping {
            return;
        }
        let Some(listen) = rt.unit.listen.get(fd_idx) else {
            return;
        };
        let is_datagram = !listen.is_accepting();
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
        for _ in 0..ACCEPT_BATCH {
            let rt = &mut self.sockets[idx];
            if rt.state != SocketState::Listening {
                return;
            }
            let conn = match accept_connection(rt.fds[fd_idx].as_fd()) {
                Ok(Some(c)) => c,
                Ok(None) => return,
                Err(Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM) => {
                    let until = Instant::now() + ACCEPT_BACKOFF;
                    self.pause_socket(idx, until, "accept() is out of file descriptors");
                    return;
                }
                Err(Errno::EINTR | Errno::ECONNABORTED | Errno::EPROTO) => continue,
                Err(e) => {
                    log::warn!("{}: accept() failed: {e}", rt.unit.name);
                    return;
                }
            };
            apply_connection_options(conn.as_fd(), &rt.unit.options);
            let now = Instant::now();
            // Built-ins never fork, so like BSD inetd they are not counted by the
            // spawn limit (inetd.md §1.9).
            if builtin.is_none() && !rt.trigger.test(now) {
                rt.n_refused += 1;
                drop(conn);
                let until = rt.trigger.window_end().unwrap_or(now + Duration::from_secs(1));
                self.pause_socket(idx, until, "Trigger limit hit");
                return;
            }
            if rt.n_connections >= rt.unit.max_connections {
                rt.n_refused += 1;
                log::warn!(
                    "{}: Too many incoming connections ({}), dropping connection.",
                    rt.unit.name,
                    rt.n_connections
                );
                continue;
            }
            let peer = peer_address(conn.as_fd());
            let source = match &peer {
                Some(SockName::Ip(a)) => Some(canonical_ip(a.ip())),
                _ => None,
            };
            if let (Some(ip), max) = (source, rt.unit.max_connections_per_source) {
                if max > 0 && rt.per_source.get(&ip).copied().unwrap_or(0) >= max {
                    rt.n_refused += 1;
                    log::warn!(
                        "{}: Too many incoming connections ({}) from source {ip}, dropping connection.",
                        rt.unit.name, max
                    );
                    continue;
                }
            }
            match builtin {
                Some(kind) => self.start_builtin_conn(idx, conn, kind, source),
                None => self.spawn_connection_instance(idx, conn, peer, source),
            }
        }
    }

    /// Accept=no: hand every fd of the socket (and its sibling sockets) to the
    /// service and stop polling them until it exits (systemd.md §4.3).
    fn trigger_service(&mut self, idx: usize) {
        let now = Instant::now();
        let rt = &mut self.sockets[idx];
        if !rt.trigger.test(now) {
            let until = rt.trigger.window_end().unwrap_or(now + Duration::from_secs(1));
            self.pause_socket(idx, until, "Trigger limit hit");
            return;
        }
        let service = rt.unit.service_name();
        self.start_service(&service, Some(idx));
    }

    /// Mark a socket failed and stop polling it.
    pub(super) fn fail_socket(&mut self, idx: usize, result: SocketResult) {
        self.set_polled(idx, false);
        let rt = &mut self.sockets[idx];
        rt.state = SocketState::Failed;
        rt.result = result;
        let r = match result {
            SocketResult::Success => "success",
            SocketResult::Resources => "resources",
            SocketResult::ServiceStartLimitHit => "service-start-limit-hit",
        };
        log::error!("{}: Failed with result '{r}'.", rt.unit.name);
    }

    /// Index of the socket named `name`.
    pub(super) fn socket_by_name(&self, name: &str) -> Option<usize> {
        self.socket_index.get(name).copied()
    }
}

/// IPv4-mapped IPv6 sources count as the IPv4 address (MaxConnectionsPerSource=).
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The address text of a Listen entry, for logs.
pub(super) fn listen_text(listen: &Listen) -> String {
    format!("{} {}", listen.type_name(), listen)
}
