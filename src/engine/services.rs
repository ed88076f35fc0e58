//! Services in the loop: per-connection instances (Accept=yes), socket-activated
//! services (Accept=no), their exits, `Restart=` and the start limit
//! (systemd.service(5), systemd.md §3 and §4).

use std::net::IpAddr;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::Instant;

use super::exec_plan::{plan, SpawnInputs};
use super::instance::{instance_name, instance_unit_name};
use super::ratelimit::RateLimiter;
use super::socket::{SocketResult, SocketState};
use super::timers::Timer;
use super::Engine;
use crate::sys::signals::ExitStatus;
use crate::sys::socket::{remote_env, SockName};
use crate::sys::spawn::spawn;
use crate::unit::{ExecCommand, KillContext, RestartPolicy, ServiceUnit, StdInput};

/// State of a named (Accept=no or directly started) service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    Inactive,
    Running,
    /// Waiting for `RestartSec=` before starting again.
    AutoRestart,
    Failed,
}

pub struct ServiceRuntime {
    pub state: ServiceState,
    pub main_pid: Option<i32>,
    pub start_limit: RateLimiter,
    pub n_restarts: u32,
    pub restart_generation: u64,
    /// Sockets whose fds the running service holds.
    pub holding: Vec<usize>,
}

/// Who a child process is.
pub enum ChildRole {
    /// Accept=yes instance for one connection.
    Instance {
        socket: usize,
        unit_name: String,
        source: Option<IpAddr>,
    },
    /// Main process of a named service.
    Main { service: String },
}

pub struct Child {
    pub role: ChildRole,
    pub kill: KillContext,
    pub timeout_stop: crate::unit::values::Usec,
}

impl Engine {
    /// Spawn `template`'s instance for one accepted connection.
    pub(super) fn spawn_connection_instance(
        &mut self,
        idx: usize,
        conn: OwnedFd,
        peer: Option<SockName>,
        source: Option<IpAddr>,
    ) {
        let rt = &mut self.sockets[idx];
        let nr = rt.n_accepted;
        rt.n_accepted += 1;
        let template = rt.unit.service_name();
        let instance = instance_name(nr, std::os::fd::AsFd::as_fd(&conn), peer.as_ref());
        let unit_name = instance_unit_name(&template, &instance);
        let service = self.units.instantiate(&template, &instance).or_else(|| {
            // Templates merged from inetd.conf have no specifiers to re-apply.
            self.units.services.get(&template).map(|t| {
                let mut s = t.clone();
                s.name = unit_name.clone();
                s
            })
        });
        let Some(service) = service else {
            // systemd.md §4.4 step 4: a missing template fails the socket.
            log::error!(
                "{}: Failed to load {unit_name}: Unit {template} not found. (Maybe the service is missing or is a template unit?)",
                self.sockets[idx].unit.name
            );
            self.fail_socket(idx, SocketResult::Resources);
            return;
        };
        let Some(command) = service.exec_start.first() else {
            log::error!("{unit_name}: Service has no ExecStart= setting, refusing.");
            return;
        };
        let fd_name = self.sockets[idx].unit.fd_name();
        let mut env = remote_env(std::os::fd::AsFd::as_fd(&conn));
        env.push(("INVOCATION_ID".into(), invocation_id(nr)));
        let stdio_socket = matches!(service.exec.standard_input, StdInput::Socket);
        let raw = conn.as_raw_fd();
        let listen_fds: Vec<(RawFd, String)> = if stdio_socket {
            Vec::new()
        } else {
            vec![(raw, fd_name)]
        };
        match self.spawn_command(&service, command, &listen_fds, Some(raw), &env) {
            Ok(pid) => {
                let rt = &mut self.sockets[idx];
                rt.n_connections += 1;
                if let Some(ip) = source {
                    *rt.per_source.entry(ip).or_insert(0) += 1;
                }
                log::debug!("{unit_name}: started as pid {pid}");
                self.children.insert(
                    pid,
                    Child {
                        role: ChildRole::Instance {
                            socket: idx,
                            unit_name,
                            source,
                        },
                        kill: service.kill.clone(),
                        timeout_stop: service.timeout_stop,
                    },
                );
            }
            Err(e) => {
                log::error!("{unit_name}: Failed to start: {e}");
                log::error!("{unit_name}: Failed with result 'resources'.");
            }
        }
        // The connection is the child's now (systemd.md §4.4 step 8).
        drop(conn);
    }

    /// Plan and spawn one command; returns the pid.
    fn spawn_command(
        &mut self,
        service: &ServiceUnit,
        command: &ExecCommand,
        listen_fds: &[(RawFd, String)],
        stdio_socket: Option<RawFd>,
        env: &[(String, String)],
    ) -> Result<i32, String> {
        let inputs = SpawnInputs {
            exec: &service.exec,
            command,
            listen_fds,
            stdio_socket,
            extra_env: env,
            non_blocking: service.non_blocking,
        };
        let plan = plan(&inputs, &mut self.creds).map_err(|e| e.to_string())?;
        let pid = spawn(&plan.request).map_err(|e| e.to_string())?;
        drop(plan.keep_open);
        Ok(pid.as_raw())
    }

    /// Start a named service (Accept=no activation, or a restart). `trigger` is the
    /// socket whose traffic caused it.
    pub(super) fn start_service(&mut self, name: &str, trigger: Option<usize>) {
        let Some(service) = self.units.services.get(name).cloned() else {
            log::error!("{name}: Unit not found, socket cannot start it.");
            if let Some(idx) = trigger {
                self.fail_socket(idx, SocketResult::Resources);
            }
            return;
        };
        let rt = self
            .services
            .entry(name.to_string())
            .or_insert_with(|| ServiceRuntime {
                state: ServiceState::Inactive,
                main_pid: None,
                start_limit: RateLimiter::new(service.unit.start_limit),
                n_restarts: 0,
                restart_generation: 0,
                holding: Vec::new(),
            });
        if rt.state == ServiceState::Running {
            return;
        }
        if !rt.start_limit.test(Instant::now()) {
            // systemd: start-limit-hit fails the service and its sockets.
            rt.state = ServiceState::Failed;
            log::error!("{name}: Start request repeated too quickly.");
            log::error!("{name}: Failed with result 'start-limit-hit'.");
            for idx in self.sockets_of_service(name) {
                self.fail_socket(idx, SocketResult::ServiceStartLimitHit);
            }
            return;
        }
        // Every socket that triggers this service contributes its fds, in Listen
        // order (systemd.md §4.1).
        let holders = self.sockets_of_service(name);
        let mut listen_fds: Vec<(RawFd, String)> = Vec::new();
        for &idx in &holders {
            let s = &self.sockets[idx];
            if matches!(s.state, SocketState::Failed | SocketState::Dead) {
                continue;
            }
            let fd_name = s.unit.fd_name();
            for fd in &s.fds {
                listen_fds.push((fd.as_raw_fd(), fd_name.clone()));
            }
        }
        let Some(command) = service.exec_start.first() else {
            log::error!("{name}: Service has no ExecStart= setting, refusing.");
            return;
        };
        let stdio_socket = if matches!(service.exec.standard_input, StdInput::Socket) {
            if listen_fds.len() != 1 {
                log::error!(
                    "{name}: {}",
                    if listen_fds.is_empty() { "Got no socket." } else { "Got more than one socket." }
                );
                return;
            }
            let fd = listen_fds[0].0;
            listen_fds.clear();
            Some(fd)
        } else {
            None
        };
        let env = vec![("INVOCATION_ID".to_string(), invocation_id(0))];
        match self.spawn_command(&service, command, &listen_fds, stdio_socket, &env) {
            Ok(pid) => {
                log::info!("{name}: started as pid {pid}");
                for &idx in &holders {
                    if self.sockets[idx].state == SocketState::Listening {
                        self.set_polled(idx, false);
                        self.sockets[idx].state = SocketState::Running;
                    }
                }
                let rt = self.services.get_mut(name).expect("inserted above");
                rt.state = ServiceState::Running;
                rt.main_pid = Some(pid);
                rt.holding = holders;
                self.children.insert(
                    pid,
                    Child {
                        role: ChildRole::Main {
                            service: name.to_string(),
                        },
                        kill: service.kill.clone(),
                        timeout_stop: service.timeout_stop,
                    },
                );
            }
            Err(e) => {
                log::error!("{name}: Failed to start: {e}");
                log::error!("{name}: Failed with result 'resources'.");
                if let Some(rt) = self.services.get_mut(name) {
                    rt.state = ServiceState::Failed;
                }
                // The socket keeps listening: the next activation tries again, and
                // the trigger limit keeps that from spinning.
            }
        }
    }

    /// Sockets (by index) whose service is `name`, plus those named in `Sockets=`.
    fn sockets_of_service(&self, name: &str) -> Vec<usize> {
        let extra: Vec<String> = self
            .units
            .services
            .get(name)
            .map(|s| s.sockets.clone())
            .unwrap_or_default();
        self.sockets
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                (!s.unit.accept && s.unit.builtin.is_none() && s.unit.service_name() == name)
                    || extra.contains(&s.unit.name)
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub(super) fn on_child_exited(&mut self, pid: i32, status: ExitStatus) {
        let Some(child) = self.children.remove(&pid) else {
            return;
        };
        match child.role {
            ChildRole::Instance {
                socket,
                unit_name,
                source,
            } => {
                if let Some(rt) = self.sockets.get_mut(socket) {
                    rt.n_connections = rt.n_connections.saturating_sub(1);
                    if let Some(ip) = source {
                        if let Some(n) = rt.per_source.get_mut(&ip) {
                            *n -= 1;
                            if *n == 0 {
                                rt.per_source.remove(&ip);
                            }
                        }
                    }
                }
                if !is_clean(status, &[]) {
                    log::info!("{unit_name}: Main process exited, {}", describe(status));
                }
            }
            ChildRole::Main { service } => self.service_main_exited(&service, status),
        }
    }

    fn service_main_exited(&mut self, name: &str, status: ExitStatus) {
        let unit = self.units.services.get(name).cloned();
        let success_extra = unit
            .as_ref()
            .map(|u| u.success_exit_status.statuses.clone())
            .unwrap_or_default();
        let clean = is_clean(status, &success_extra);
        let ignore = unit
            .as_ref()
            .and_then(|u| u.exec_start.first())
            .map(|c| c.ignore_failure)
            .unwrap_or(false);
        let success = clean || ignore;
        if success {
            log::info!("{name}: Main process exited, {}", describe(status));
        } else {
            log::warn!("{name}: Main process exited, {}", describe(status));
            log::warn!("{name}: Failed with result '{}'.", result_word(status));
        }
        let Some(rt) = self.services.get_mut(name) else {
            return;
        };
        rt.main_pid = None;
        let holding = std::mem::take(&mut rt.holding);
        let restart = !self.stopping
            && unit
                .as_ref()
                .map(|u| should_restart(u, status, success))
                .unwrap_or(false);
        if restart {
            rt.state = ServiceState::AutoRestart;
            rt.restart_generation += 1;
            rt.n_restarts += 1;
            let generation = rt.restart_generation;
            let delay = unit
                .as_ref()
                .and_then(|u| u.restart_sec.to_duration())
                .unwrap_or_default();
            self.timers.add(
                Instant::now() + delay,
                Timer::RestartService {
                    service: name.to_string(),
                    generation,
                },
            );
        } else {
            rt.state = if success {
                ServiceState::Inactive
            } else {
                ServiceState::Failed
            };
        }
        // The sockets go back to listening (systemd.md §4.3 step 3); pending
        // connections retrigger at once.
        for idx in holding {
            if self.sockets[idx].state == SocketState::Running && !self.stopping {
                self.sockets[idx].state = SocketState::Listening;
                self.set_polled(idx, true);
            }
        }
    }

    pub(super) fn restart_service_timer(&mut self, name: &str, generation: u64) {
        let Some(rt) = self.services.get(name) else {
            return;
        };
        if rt.restart_generation != generation || rt.state != ServiceState::AutoRestart {
            return;
        }
        if self.stopping {
            return;
        }
        log::info!("{name}: Scheduled restart job, restart counter is at {}.", rt.n_restarts);
        self.start_service(name, None);
    }
}

/// systemd.service(5) Restart=: which exits count as clean. Non-oneshot services
/// also treat SIGHUP, SIGINT, SIGTERM and SIGPIPE as clean.
fn is_clean(status: ExitStatus, success_extra: &[u8]) -> bool {
    match status {
        ExitStatus::Exited(0) => true,
        ExitStatus::Exited(c) => success_extra.contains(&(c as u8)),
        ExitStatus::Signaled(s, _) => {
            matches!(s, libc::SIGHUP | libc::SIGINT | libc::SIGTERM | libc::SIGPIPE)
        }
    }
}

/// The Restart= table of systemd.service(5).
fn should_restart(unit: &ServiceUnit, status: ExitStatus, clean: bool) -> bool {
    let code_in = |set: &crate::unit::ExitStatusSet| match status {
        ExitStatus::Exited(c) => set.statuses.contains(&(c as u8)),
        ExitStatus::Signaled(s, _) => set.signals.contains(&s),
    };
    if code_in(&unit.restart_prevent_exit_status) {
        return false;
    }
    if code_in(&unit.restart_force_exit_status) {
        return true;
    }
    let signaled = matches!(status, ExitStatus::Signaled(..));
    let abort = matches!(status, ExitStatus::Signaled(s, core) if core || s == libc::SIGABRT);
    match unit.restart {
        RestartPolicy::No => false,
        RestartPolicy::Always => true,
        RestartPolicy::OnSuccess => clean,
        RestartPolicy::OnFailure => !clean,
        RestartPolicy::OnAbnormal => signaled && !clean,
        RestartPolicy::OnAbort => abort,
        RestartPolicy::OnWatchdog => false,
    }
}

fn describe(status: ExitStatus) -> String {
    match status {
        ExitStatus::Exited(0) => "code=exited, status=0/SUCCESS".to_string(),
        ExitStatus::Exited(c) => format!("code=exited, status={c}"),
        ExitStatus::Signaled(s, core) => format!(
            "code={}, signal={}",
            if core { "dumped" } else { "killed" },
            crate::unit::values::signal_name(s).unwrap_or("?")
        ),
    }
}

fn result_word(status: ExitStatus) -> &'static str {
    match status {
        ExitStatus::Exited(_) => "exit-code",
        ExitStatus::Signaled(_, true) => "core-dump",
        ExitStatus::Signaled(..) => "signal",
    }
}

/// A 128-bit hex id per invocation ($INVOCATION_ID), unique enough without a
/// random-number syscall per spawn: pid, time and a counter.
fn invocation_id(nr: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{:08x}{:08x}{:016x}",
        std::process::id(),
        now.subsec_nanos(),
        (now.as_secs() << 20) ^ nr
    )
}
