//! Built-in services in the loop: stream sessions driven by epoll readiness and
//! datagram replies (inetd's `internal`, RFC 862–868; behaviour in `crate::builtin`).

use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::SystemTime;

use nix::sys::epoll::{EpollEvent, EpollFlags};
use nix::sys::socket::{recvfrom, sendto, MsgFlags, SockaddrLike, SockaddrStorage};

use super::event::builtin_token;
use super::Engine;
use crate::builtin::{datagram_reply, Progress, StreamBuiltin};
use crate::unit::Builtin;

/// Datagrams answered per wakeup before other fds get a turn.
const DATAGRAM_BATCH: usize = 64;

pub struct BuiltinConn {
    fd: OwnedFd,
    session: StreamBuiltin,
    socket: usize,
    source: Option<IpAddr>,
    interest: EpollFlags,
}

fn interest_of(s: &StreamBuiltin) -> EpollFlags {
    let mut f = EpollFlags::empty();
    if s.wants_read() {
        f |= EpollFlags::EPOLLIN;
    }
    if s.wants_write() {
        f |= EpollFlags::EPOLLOUT;
    }
    f
}

fn to_socket_addr(s: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = s.as_sockaddr_in() {
        return Some(SocketAddr::from((v4.ip(), v4.port())));
    }
    s.as_sockaddr_in6()
        .map(|v6| SocketAddr::from((v6.ip(), v6.port())))
}

impl Engine {
    pub(super) fn start_builtin_conn(
        &mut self,
        idx: usize,
        conn: OwnedFd,
        kind: Builtin,
        source: Option<IpAddr>,
    ) {
        let mut session = StreamBuiltin::new(kind, SystemTime::now());
        // daytime/time can answer at once, before any readiness round trip.
        if session.wants_write() && session.on_writable(conn.as_fd()) == Progress::Close {
            self.sockets[idx].n_accepted += 1;
            return;
        }
        let slot = self.free_conns.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        let interest = interest_of(&session);
        if let Err(e) = self
            .epoll
            .add(conn.as_fd(), EpollEvent::new(interest, builtin_token(slot)))
        {
            log::warn!(
                "{}: cannot poll connection: {e}",
                self.sockets[idx].unit.name
            );
            self.free_conns.push(slot);
            return;
        }
        let rt = &mut self.sockets[idx];
        rt.n_accepted += 1;
        rt.n_connections += 1;
        if let Some(ip) = source {
            *rt.per_source.entry(ip).or_insert(0) += 1;
        }
        self.conns[slot] = Some(BuiltinConn {
            fd: conn,
            session,
            socket: idx,
            source,
            interest,
        });
        self.notify_socket_changed(idx);
    }

    pub(super) fn on_builtin_io(&mut self, slot: usize, readable: bool, writable: bool) {
        let Some(Some(c)) = self.conns.get_mut(slot) else {
            return;
        };
        let mut progress = Progress::Continue;
        if writable {
            progress = c.session.on_writable(c.fd.as_fd());
        }
        if progress == Progress::Continue && readable {
            progress = c.session.on_readable(c.fd.as_fd());
        }
        if progress == Progress::Continue {
            let want = interest_of(&c.session);
            if want != c.interest {
                c.interest = want;
                let mut ev = EpollEvent::new(want, builtin_token(slot));
                if self.epoll.modify(c.fd.as_fd(), &mut ev).is_err() {
                    progress = Progress::Close;
                }
            }
        }
        if progress == Progress::Close {
            self.close_builtin_conn(slot);
        }
    }

    /// (socket name, fd, built-in) of every live session, for a re-exec.
    pub(super) fn builtin_conn_fds(&self) -> Vec<(String, i32, String)> {
        self.conns
            .iter()
            .flatten()
            .map(|c| {
                (
                    self.sockets[c.socket].unit.name.clone(),
                    c.fd.as_raw_fd(),
                    c.session.kind().name().to_string(),
                )
            })
            .collect()
    }

    pub(super) fn set_builtin_cloexec(&self, on: bool) {
        for c in self.conns.iter().flatten() {
            let _ = crate::sys::fds::set_cloexec(c.fd.as_fd(), on);
        }
    }

    /// Whether any echo session still has output to send (a re-exec waits for it).
    pub(super) fn builtin_output_pending(&self) -> bool {
        self.conns
            .iter()
            .flatten()
            .any(|c| c.session.kind() == Builtin::Echo && c.session.wants_write())
    }

    pub(super) fn close_builtin_conn(&mut self, slot: usize) {
        let Some(c) = self.conns.get_mut(slot).and_then(Option::take) else {
            return;
        };
        let _ = self.epoll.delete(c.fd.as_fd());
        self.free_conns.push(slot);
        if let Some(rt) = self.sockets.get_mut(c.socket) {
            rt.n_connections = rt.n_connections.saturating_sub(1);
            if let Some(ip) = c.source {
                if let Some(n) = rt.per_source.get_mut(&ip) {
                    *n -= 1;
                    if *n == 0 {
                        rt.per_source.remove(&ip);
                    }
                }
            }
            self.notify_socket_changed(c.socket);
        }
    }

    /// UDP built-ins: answer each pending datagram (with loop protection).
    pub(super) fn serve_builtin_datagrams(&mut self, idx: usize, fd_idx: usize, kind: Builtin) {
        let mut buf = [0u8; 8192];
        for _ in 0..DATAGRAM_BATCH {
            let rt = &mut self.sockets[idx];
            let fd = rt.fds[fd_idx].as_raw_fd();
            let (n, from) = match recvfrom::<SockaddrStorage>(fd, &mut buf) {
                Ok(r) => r,
                Err(_) => return,
            };
            rt.n_accepted += 1;
            let Some(from) = from else { continue };
            let Some(peer) = to_socket_addr(&from) else {
                continue;
            };
            if let Some(reply) =
                datagram_reply(kind, &buf[..n], &peer, &rt.own_ports, SystemTime::now())
            {
                if from.family().is_some() {
                    let _ = sendto(fd, &reply, &from, MsgFlags::MSG_DONTWAIT);
                }
            } else {
                rt.n_refused += 1;
            }
        }
    }
}
