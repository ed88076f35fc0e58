//! The notify socket in the loop: `READY=1`, `STATUS=`, `MAINPID=`,
//! `STOPPING=1`, `RELOADING=1`, `ERRNO=`, `EXTEND_TIMEOUT_USEC=`, `WATCHDOG=1`,
//! `FDSTORE=1`, `BARRIER=1` from services, with systemd's checks
//! (manager_dispatch_notify_fd, service_notify_message; systemd.md §4.7).

use std::time::{Duration, Instant};

use super::state::{ServiceResult, ServiceState};
use super::timers::Timer;
use super::Engine;
use crate::sys::notify::NotifyMessage;
use crate::unit::{NotifyAccess, ServiceType};

/// Messages handled per wakeup before other fds get a turn.
const NOTIFY_BATCH: usize = 64;

impl Engine {
    pub(super) fn on_notify_readable(&mut self) {
        for _ in 0..NOTIFY_BATCH {
            let msg = match self.notify_socket.as_ref().map(|s| s.recv()) {
                Some(Ok(Some(m))) => m,
                Some(Err(e)) => {
                    log::warn!("Failed to receive notification message: {e}");
                    return;
                }
                _ => return,
            };
            self.handle_notify(msg);
        }
    }

    /// Which service a pid belongs to, and whether it is the main process, a
    /// control process or another process of the service (its process group).
    fn unit_of_pid(&self, pid: i32) -> Option<(String, NotifyAccess)> {
        let pgid = nix::unistd::getpgid(Some(nix::unistd::Pid::from_raw(pid)))
            .ok()
            .map(|p| p.as_raw());
        let mut other = None;
        for (name, srv) in &self.services {
            if srv.main_pid == Some(pid) {
                return Some((name.clone(), NotifyAccess::Main));
            }
            if srv.control_pid == Some(pid) {
                return Some((name.clone(), NotifyAccess::Exec));
            }
            if pgid.is_some() && srv.main_pgid == pgid {
                other = Some((name.clone(), NotifyAccess::All));
            }
        }
        other
    }

    fn handle_notify(&mut self, msg: NotifyMessage) {
        let Some(pid) = msg.pid else {
            log::warn!("Received notify message without credentials. Ignoring.");
            return;
        };
        if msg.truncated {
            log::warn!("Received notify message exceeded maximum size. Ignoring.");
            return;
        }
        let Some((name, role)) = self.unit_of_pid(pid) else {
            log::warn!("Cannot find unit for notify message of PID {pid}, ignoring.");
            return;
        };
        let srv = &self.services[&name];
        let access = srv.unit.effective_notify_access();
        let allowed = match access {
            NotifyAccess::None => false,
            NotifyAccess::Main => role == NotifyAccess::Main,
            NotifyAccess::Exec => role != NotifyAccess::All,
            NotifyAccess::All => true,
        };
        if !allowed {
            match access {
                NotifyAccess::None => log::warn!(
                    "{name}: Got notification message from PID {pid}, but reception is disabled."
                ),
                _ => log::warn!(
                    "{name}: Got notification message from PID {pid}, but reception only permitted for main PID {}",
                    srv.main_pid.unwrap_or(0)
                ),
            }
            return;
        }
        self.apply_notify(&name, pid, msg);
    }

    fn apply_notify(&mut self, name: &str, sender: i32, mut msg: NotifyMessage) {
        let mut changed = false;
        if let Some(text) = msg.get("STATUS") {
            let text = text.to_string();
            let srv = self.services.get_mut(name).expect("found");
            srv.status_text = text;
            changed = true;
        }
        if let Some(e) = msg.get("ERRNO").and_then(|v| v.parse::<i32>().ok()) {
            self.services.get_mut(name).expect("found").status_errno = e;
            changed = true;
        }
        if let Some(p) = msg.get("MAINPID").and_then(|v| v.parse::<i32>().ok()) {
            self.set_main_pid_from_notify(name, sender, p, msg.uid == Some(0));
        }
        if msg.get("WATCHDOG") == Some("1") {
            self.reset_watchdog(name);
        } else if msg.get("WATCHDOG") == Some("trigger") {
            self.watchdog_expired(name, u64::MAX);
        }
        if let Some(us) = msg
            .get("EXTEND_TIMEOUT_USEC")
            .and_then(|v| v.parse::<u64>().ok())
        {
            self.extend_timeout(name, us);
        }
        if msg.get("FDSTORE") == Some("1") {
            let fdname = msg.get("FDNAME").unwrap_or("stored").to_string();
            let fds = std::mem::take(&mut msg.fds);
            self.store_fds(name, fdname, fds);
        }
        let state = self.services[name].state;
        if msg.get("STOPPING") == Some("1") {
            if matches!(
                state,
                ServiceState::Running | ServiceState::Reload | ServiceState::StartPost
            ) || state == ServiceState::Start
            {
                log::info!("{name}: Service is stopping on its own (STOPPING=1).");
                self.enter_stop_by_notify(name);
            }
        } else if msg.get("RELOADING") == Some("1") {
            if state == ServiceState::Running {
                self.set_service_state(name, ServiceState::Reload);
            }
        } else if msg.get("READY") == Some("1") {
            let ty = self.services[name].unit.effective_type();
            match state {
                ServiceState::Start
                    if matches!(ty, ServiceType::Notify | ServiceType::NotifyReload) =>
                {
                    self.enter_start_post(name)
                }
                ServiceState::Reload if self.services[name].phase.is_none() => {
                    self.set_service_state(name, ServiceState::Running)
                }
                _ => {}
            }
        }
        // BARRIER=1 and stray fds: closing them (dropping `msg`) is the answer.
        if changed {
            self.notify_service_changed(name);
        }
    }

    fn set_main_pid_from_notify(&mut self, name: &str, sender: i32, pid: i32, root: bool) {
        let srv = self.services.get_mut(name).expect("found");
        // systemd accepts a new main pid from the main process or from root.
        if srv.main_pid != Some(sender) && !root {
            log::warn!("{name}: New main PID {pid} does not belong to service, and PID file is not owned by root. Refusing.");
            return;
        }
        if pid <= 1 || srv.main_pid == Some(pid) {
            return;
        }
        if let Some(old) = srv.main_pid {
            if let Some(super::service::ChildRole::ServiceMain(_)) = self.children.get(&old) {
                // The old main process is still our child; when it exits it is
                // only reaped, not treated as the service's end.
                self.children
                    .insert(old, super::service::ChildRole::Stray(name.to_string()));
            }
        }
        let srv = self.services.get_mut(name).expect("found");
        srv.main_pid = Some(pid);
        srv.exec_main.pid = pid;
        self.children.insert(
            pid,
            super::service::ChildRole::ServiceMain(name.to_string()),
        );
        self.notify_service_changed(name);
    }

    fn extend_timeout(&mut self, name: &str, usec: u64) {
        let srv = self.services.get_mut(name).expect("found");
        if !(srv.state.is_starting() || srv.state.is_stopping()) {
            return;
        }
        srv.generation += 1;
        let generation = srv.generation;
        self.timers.add(
            Instant::now() + Duration::from_micros(usec),
            Timer::ServiceTimeout {
                service: name.to_string(),
                generation,
            },
        );
    }

    fn store_fds(&mut self, name: &str, fdname: String, fds: Vec<std::os::fd::OwnedFd>) {
        let srv = self.services.get_mut(name).expect("found");
        let max = srv.unit.file_descriptor_store_max as usize;
        for fd in fds {
            if srv.fd_store.len() >= max {
                log::warn!("{name}: Too many file descriptors stored, refusing.");
                break;
            }
            srv.fd_store.push((fd, fdname.clone()));
        }
    }

    /// `STOPPING=1`: the service stops by itself; wait for it (TimeoutStopSec=).
    fn enter_stop_by_notify(&mut self, name: &str) {
        let timeout = self.services[name].unit.timeout_stop;
        self.services.get_mut(name).expect("found").started = true;
        self.set_service_state(name, ServiceState::StopSigterm);
        self.arm_service_timeout(name, timeout);
        self.schedule_group_check(name);
    }

    /// Arm (or re-arm) the watchdog after `WATCHDOG=1` or on entering `running`.
    pub(super) fn reset_watchdog(&mut self, name: &str) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        let Some(d) = srv.unit.watchdog.to_duration().filter(|d| !d.is_zero()) else {
            return;
        };
        srv.watchdog_generation += 1;
        let generation = srv.watchdog_generation;
        self.timers.add(
            Instant::now() + d,
            Timer::Watchdog {
                service: name.to_string(),
                generation,
            },
        );
    }

    /// WatchdogSec= passed without `WATCHDOG=1`: SIGABRT and result `watchdog`.
    pub(super) fn watchdog_expired(&mut self, name: &str, generation: u64) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        if generation != u64::MAX && srv.watchdog_generation != generation {
            return;
        }
        if !matches!(srv.state, ServiceState::Running | ServiceState::Reload) {
            return;
        }
        log::warn!("{name}: Watchdog timeout (limit {})!", srv.unit.watchdog);
        srv.result = ServiceResult::Watchdog;
        if let Some(pid) = srv.main_pid {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGABRT,
            );
        }
        self.enter_stop(name, ServiceResult::Watchdog);
    }
}
