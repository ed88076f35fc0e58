//! Re-exec (SIGUSR2, `daemon-reexec`): replace the daemon with a fresh exec of
//! its binary without closing a listening socket or losing a child.
//!
//! The running image writes its state (sockets with their fd numbers and
//! counters, running services and instances with their pids) as JSON into a
//! memfd, clears FD_CLOEXEC on those fds and execs `/proc/self/exe` with the same
//! arguments plus `--deserialize FD`. The pid does not change, so the children
//! stay ours; the new image adopts the fds by number and the children by pid.
//! In-flight built-in stream sessions (echo…) are not carried over.

use std::ffi::CString;
use std::io::{Seek, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::service::{ChildRole, ServiceRuntime};
use super::socket::SocketState;
use super::state::ServiceState;
use super::Engine;
use crate::sys::fds::{adopt_raw_fd, set_cloexec};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SavedState {
    pub sockets: Vec<SavedSocket>,
    pub services: Vec<SavedService>,
    /// Built-in stream sessions: (socket, fd, built-in name). They restart fresh in
    /// the new image; the re-exec waits until no echo output is pending.
    #[serde(default)]
    pub builtin_conns: Vec<(String, i32, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedSocket {
    pub name: String,
    pub fds: Vec<i32>,
    pub n_accepted: u64,
    pub n_refused: u64,
    /// The service holds the fds (Accept=no, `running`).
    pub held: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedService {
    pub name: String,
    pub main_pid: i32,
    /// Accept=yes: the socket that accepted the connection.
    pub instance_of: Option<String>,
    pub source: Option<std::net::IpAddr>,
    pub holding: Vec<String>,
    pub n_restarts: u32,
}

/// Read and parse the state an older image left in `fd`.
pub fn read_saved_state(fd: i32) -> Option<SavedState> {
    let owned = adopt_raw_fd(fd)?;
    let mut file = std::fs::File::from(owned);
    let _ = file.rewind();
    serde_json::from_reader(std::io::BufReader::new(file)).ok()
}

impl Engine {
    /// Adopt what a previous image saved: its fds become inherited fds matched by
    /// address, its children become known again.
    pub(super) fn adopt_saved(&mut self, saved: &SavedState) {
        for s in &saved.sockets {
            for &raw in &s.fds {
                if let Some(fd) = adopt_raw_fd(raw) {
                    self.adopted.push((fd, Some(s.name.clone())));
                }
            }
        }
    }

    /// After the sockets have started: restore counters and running services.
    pub(super) fn restore_saved(&mut self, saved: SavedState) {
        for (sock, raw, kind) in &saved.builtin_conns {
            let (Some(idx), Some(kind)) = (
                self.socket_by_name(sock),
                crate::unit::Builtin::from_name(kind),
            ) else {
                continue;
            };
            if let Some(fd) = adopt_raw_fd(*raw) {
                self.sockets[idx].n_accepted = self.sockets[idx].n_accepted.saturating_sub(1);
                self.start_builtin_conn(idx, fd, kind, None);
            }
        }
        for s in &saved.sockets {
            if let Some(idx) = self.socket_by_name(&s.name) {
                let rt = &mut self.sockets[idx];
                rt.n_accepted = s.n_accepted;
                rt.n_refused = s.n_refused;
            }
        }
        for s in saved.services {
            let unit = match &s.instance_of {
                Some(_) => {
                    let Some((prefix, rest)) = s.name.split_once('@') else {
                        continue;
                    };
                    let Some((instance, suffix)) = rest.rsplit_once('.') else {
                        continue;
                    };
                    let template = format!("{prefix}@.{suffix}");
                    self.units
                        .instantiate(&template, instance)
                        .map(Arc::new)
                        .or_else(|| self.units.services.get(&template).cloned())
                }
                None => self.units.services.get(&s.name).cloned(),
            };
            let Some(mut unit) = unit else {
                log::warn!(
                    "{}: not in the new configuration; its process {} is left alone.",
                    s.name,
                    s.main_pid
                );
                continue;
            };
            if unit.name != s.name {
                Arc::make_mut(&mut unit).name = s.name.clone();
            }
            let mut srv = ServiceRuntime::new(s.name.clone(), unit);
            srv.main_pid = Some(s.main_pid);
            srv.main_pgid = Some(s.main_pid);
            srv.started = true;
            srv.n_restarts = s.n_restarts;
            srv.source = s.source;
            if let Some(sock) = &s.instance_of {
                if let Some(idx) = self.socket_by_name(sock) {
                    srv.instance_of = Some(idx);
                    let rt = &mut self.sockets[idx];
                    rt.n_connections += 1;
                    if let Some(ip) = s.source {
                        *rt.per_source.entry(ip).or_insert(0) += 1;
                    }
                }
            }
            for h in &s.holding {
                if let Some(idx) = self.socket_by_name(h) {
                    srv.holding.push(idx);
                    self.set_polled(idx, false);
                    self.set_socket_state(idx, SocketState::Running);
                }
            }
            self.children
                .insert(s.main_pid, ChildRole::ServiceMain(s.name.clone()));
            self.services.insert(s.name.clone(), srv);
            self.set_service_state(&s.name, ServiceState::Running);
        }
    }

    fn saved_state(&self) -> SavedState {
        let mut saved = SavedState::default();
        for (name, &idx) in &self.socket_index {
            let rt = &self.sockets[idx];
            if rt.fds.is_empty() {
                continue;
            }
            saved.sockets.push(SavedSocket {
                name: name.clone(),
                fds: rt.fds.iter().map(|f| f.as_raw_fd()).collect(),
                n_accepted: rt.n_accepted,
                n_refused: rt.n_refused,
                held: rt.state == SocketState::Running,
            });
        }
        saved.builtin_conns = self.builtin_conn_fds();
        for srv in self.services.values() {
            let Some(pid) = srv.main_pid else { continue };
            saved.services.push(SavedService {
                name: srv.name.clone(),
                main_pid: pid,
                instance_of: srv.instance_of.map(|i| self.sockets[i].unit.name.clone()),
                source: srv.source,
                holding: srv
                    .holding
                    .iter()
                    .map(|&i| self.sockets[i].unit.name.clone())
                    .collect(),
                n_restarts: srv.n_restarts,
            });
        }
        saved
    }

    /// Replace this image with a fresh exec of the binary. Returns only on failure.
    pub(super) fn reexec(&mut self) {
        log::info!("Re-executing.");
        let saved = self.saved_state();
        let memfd = match write_memfd(&saved) {
            Ok(fd) => fd,
            Err(e) => return log::error!("Re-exec failed, continuing: {e}"),
        };
        for rt in &self.sockets {
            for f in &rt.fds {
                let _ = set_cloexec(f.as_fd(), false);
            }
        }
        self.set_builtin_cloexec(false);
        let _ = set_cloexec(memfd.as_fd(), false);
        let mut args: Vec<CString> = Vec::new();
        let mut skip = false;
        for a in std::env::args_os() {
            if skip {
                skip = false;
                continue;
            }
            if a == "--deserialize" {
                skip = true;
                continue;
            }
            if let Ok(c) = CString::new(a.into_encoded_bytes()) {
                args.push(c);
            }
        }
        args.push(CString::new("--deserialize").expect("no NUL"));
        args.push(CString::new(memfd.as_raw_fd().to_string()).expect("no NUL"));
        let exe = CString::new("/proc/self/exe").expect("no NUL");
        let _ = std::io::stderr().flush();
        // Our environment minus what Supervisor::from_env removed, plus that back:
        // the new image (same pid) must find the service manager again.
        let mut env: Vec<CString> = std::env::vars_os()
            .filter_map(|(k, v)| {
                let mut kv = k.into_encoded_bytes();
                kv.push(b'=');
                kv.extend(v.into_encoded_bytes());
                CString::new(kv).ok()
            })
            .collect();
        if let Some(s) = &self.supervisor {
            env.extend(s.exec_env());
        }
        let err = nix::unistd::execve(&exe, &args, &env);
        log::error!("Re-exec failed, continuing: {err:?}");
        for rt in &self.sockets {
            for f in &rt.fds {
                let _ = set_cloexec(f.as_fd(), true);
            }
        }
        self.set_builtin_cloexec(true);
    }
}

fn write_memfd(saved: &SavedState) -> std::io::Result<OwnedFd> {
    use nix::sys::memfd::{memfd_create, MFdFlags};
    let fd =
        memfd_create(c"activatord-state", MFdFlags::MFD_CLOEXEC).map_err(std::io::Error::from)?;
    let mut file = std::fs::File::from(fd);
    serde_json::to_writer(&mut file, saved).map_err(std::io::Error::other)?;
    file.flush()?;
    Ok(OwnedFd::from(file))
}
