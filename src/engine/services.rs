//! The service state machine (systemd.md §7.2): condition → start-pre → start →
//! start-post → running/exited → stop → stop-sigterm → stop-sigkill → stop-post →
//! dead/failed, with `Restart=`, the start limit, timeouts, and Accept=yes
//! instances run through the same machine. Every state change goes through
//! `set_service_state`, which records timestamps and notifies the control plane.
//! The stop sequence is in `service_stop`, what a process's exit does in
//! `service_exit`.

use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Instant;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use super::conditions;
use super::control::ConditionRecord;
use super::exec_plan::{plan, SpawnInputs};
use super::instance::{connection_unit_name, instance_name};
use super::service::{ChildRole, ConditionChecks, Phase, ServiceRuntime};
use super::service_exit::should_restart;
use super::socket::{SocketResult, SocketState};
use super::state::{now_usec, ServiceResult, ServiceState};
use super::timers::Timer;
use super::Engine;
use crate::sys::socket::{push_remote_env, SockName};
use crate::sys::spawn::spawn;
use crate::unit::{Condition, ExecCommand, ServiceType, ServiceUnit, StdInput};

impl Engine {
    // ----------------------------------------------------------------- entry points

    /// Accept=yes: make the instance for one accepted connection and start it.
    pub(super) fn spawn_connection_instance(
        &mut self,
        idx: usize,
        accepted: super::sockets::Connection,
        source: Option<IpAddr>,
    ) {
        let super::sockets::Connection { conn, peer, local } = accepted;
        let rt = &mut self.sockets[idx];
        let nr = rt.n_accepted;
        rt.n_accepted += 1;
        let (unit_name, range) =
            connection_unit_name(&rt.service, nr, conn.as_fd(), local.as_ref(), peer.as_ref());
        let instance = match range {
            Some(range) => std::borrow::Cow::Borrowed(&unit_name[range]),
            None => instance_name(nr, conn.as_fd(), local.as_ref(), peer.as_ref()).into(),
        };
        let service = self.instance_unit(idx, &instance);
        let Some(service) = service else {
            // systemd.md §4.4 step 4: a missing template fails the socket.
            log::error!(
                "{}: Failed to load {unit_name}: Unit {} not found. (Maybe the service is missing or is a template unit?)",
                self.sockets[idx].unit.name,
                self.sockets[idx].service
            );
            self.fail_socket(idx, SocketResult::Resources);
            return;
        };
        // systemd: the instance's description names the peer (socket.c), with
        // IPv4-mapped addresses shown as IPv4 (sockaddr_pretty).
        let peer_addr = match &peer {
            Some(SockName::Ip(a)) => {
                Some(std::net::SocketAddr::new(a.ip().to_canonical(), a.port()))
            }
            _ => None,
        };
        // Room for what spawn_main adds (INVOCATION_ID, NOTIFY_SOCKET…).
        let mut remote_env = Vec::with_capacity(6);
        if let Some(peer) = &peer {
            push_remote_env(&mut remote_env, peer);
        }
        let rt = &mut self.sockets[idx];
        rt.n_connections += 1;
        if let Some(ip) = source {
            *rt.per_source.entry(ip).or_insert(0) += 1;
        }
        let mut srv = ServiceRuntime::new(unit_name.clone(), service);
        srv.peer = peer_addr;
        srv.remote_env = remote_env;
        srv.conn = Some(conn);
        srv.instance_of = Some(idx);
        srv.source = source;
        self.services.insert(unit_name.clone(), srv);
        self.notify_unit_new(&unit_name);
        self.notify_socket_changed(idx);
        self.enter_start(&unit_name);
    }

    /// The unit for `instance` of socket `idx`'s template: a shared copy when the
    /// template has no specifiers (unit files without `%`, every inetd.conf entry),
    /// else built anew.
    fn instance_unit(&mut self, idx: usize, instance: &str) -> Option<std::sync::Arc<ServiceUnit>> {
        if let Some(rc) = self.template_cache.get(&self.sockets[idx].service) {
            return Some(rc.clone());
        }
        let template = self.sockets[idx].service.clone();
        let template = template.as_str();
        let shared = match self.units.static_template(template) {
            Some(t) => Some(std::sync::Arc::new(t.clone())),
            // Templates merged from inetd.conf: nothing to re-apply either.
            None => self
                .units
                .services
                .get(template)
                .filter(|_| !self.units.has_template_source(template))
                .cloned(),
        };
        if let Some(unit) = shared {
            self.template_cache
                .insert(template.to_string(), unit.clone());
            return Some(unit);
        }
        self.units
            .instantiate(template, instance)
            .map(std::sync::Arc::new)
    }

    /// Start a named service (socket activation, control request, restart).
    /// `trigger` is the socket whose traffic caused it.
    pub(super) fn start_service(&mut self, name: &str, trigger: Option<usize>) {
        if !self.services.contains_key(name) {
            let Some(unit) = self.units.services.get(name).cloned() else {
                log::error!("{name}: Unit not found, cannot start it.");
                if let Some(idx) = trigger {
                    self.fail_socket(idx, SocketResult::Resources);
                }
                return;
            };
            self.services.insert(
                name.to_string(),
                ServiceRuntime::new(name.to_string(), unit),
            );
            self.notify_unit_new(name);
        }
        let state = self.services[name].state;
        if !matches!(
            state,
            ServiceState::Dead | ServiceState::Failed | ServiceState::AutoRestart
        ) {
            return;
        }
        self.enter_start(name);
    }

    /// Stop a service on request (activatorctl stop, shutdown).
    pub(super) fn stop_service(&mut self, name: &str) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        srv.stop_requested = true;
        match srv.state {
            ServiceState::Dead | ServiceState::Failed => {}
            ServiceState::AutoRestart => {
                srv.generation += 1;
                self.set_service_state(name, ServiceState::Dead);
            }
            s if s.is_stopping() => {}
            _ => {
                // A control process of the start phase is killed with the rest.
                if let Some(pid) = srv.control_pid {
                    let _ = killpg(Pid::from_raw(pid), Signal::SIGTERM);
                }
                self.enter_stop(name, ServiceResult::Success);
            }
        }
    }

    // ---------------------------------------------------------------- transitions

    /// The one function that changes a service's state: records timestamps and
    /// tells the control plane.
    pub(super) fn set_service_state(&mut self, name: &str, new: ServiceState) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        let old = srv.state;
        if old == new {
            return;
        }
        srv.state = new;
        srv.timestamps
            .record(old.active_state(), new.active_state());
        log::trace!("{name}: {} -> {}", old.as_str(), new.as_str());
        self.notify_service_changed(name);
    }

    pub(super) fn arm_service_timeout(&mut self, name: &str, timeout: crate::unit::values::Usec) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        srv.generation += 1;
        let generation = srv.generation;
        if let Some(d) = timeout.to_duration().filter(|d| !d.is_zero()) {
            self.timers.add(
                Instant::now() + d,
                Timer::ServiceTimeout {
                    service: name.to_string(),
                    generation,
                },
            );
        }
    }

    fn enter_start(&mut self, name: &str) {
        let now = Instant::now();
        let srv = self.services.get_mut(name).expect("caller checked");
        if srv.instance_of.is_none() {
            // A reload may have changed the definition since the last run.
            if let Some(u) = self.units.services.get(name) {
                if u.load_state == crate::unit::LoadState::Loaded && *u != srv.unit {
                    srv.unit = u.clone();
                }
            }
        }
        let u = &srv.unit.unit;
        let srv = if u.conditions.is_empty() && u.asserts.is_empty() {
            srv
        } else {
            if !self.conditions_hold(name) {
                return;
            }
            self.services.get_mut(name).expect("exists")
        };
        if !srv.start_limit.test(srv.unit.unit.start_limit, now) {
            // systemd: start-limit-hit fails the service and its sockets.
            log::error!("{name}: Start request repeated too quickly.");
            srv.result = ServiceResult::StartLimitHit;
            self.set_service_state(name, ServiceState::Failed);
            log::error!("{name}: Failed with result 'start-limit-hit'.");
            for idx in self.sockets_of_service(name) {
                self.fail_socket(idx, SocketResult::ServiceStartLimitHit);
            }
            self.finish_instance(name);
            return;
        }
        srv.result = ServiceResult::Success;
        srv.started = false;
        srv.stop_requested = false;
        srv.status_text.clear();
        srv.invocation_id = invocation_id(&mut self.invocations);
        if srv.instance_of.is_none() {
            // Accept=no: the sockets are the service's until it is gone again.
            let holders = self.sockets_of_service(name);
            for &idx in &holders {
                if self.sockets[idx].state == SocketState::Listening {
                    self.set_polled(idx, false);
                    self.set_socket_state(idx, SocketState::Running);
                }
            }
            self.services.get_mut(name).expect("exists").holding = holders;
        }
        let srv = self.services.get_mut(name).expect("exists");
        srv.start_timeout_armed = false;
        if !srv.unit.exec_condition.is_empty() {
            self.arm_start_timeout(name);
            let srv = self.services.get_mut(name).expect("exists");
            srv.pending = srv.unit.exec_condition.iter().cloned().collect();
            srv.phase = Some(Phase::Condition);
            self.set_service_state(name, ServiceState::Condition);
            self.run_next_control(name);
        } else {
            self.enter_start_pre(name);
        }
    }

    /// `Condition*=` then `Assert*=` of a unit that has some, before the start limit
    /// (unit_start()). Either
    /// failing means nothing is spawned and the service stays dead: a failed
    /// condition skips the start, a failed assert refuses it. A socket that
    /// triggered it listens again, so traffic that keeps coming runs into the
    /// socket's trigger limit, as in systemd (systemd#2467).
    fn conditions_hold(&mut self, name: &str) -> bool {
        let srv = self.services.get_mut(name).expect("exists");
        let unit = srv.unit.clone();
        let (conditions, asserts) = (&unit.unit.conditions, &unit.unit.asserts);
        let (condition_ok, c_outcomes) = conditions::test_list(conditions);
        let (assert_ok, a_outcomes) = if condition_ok {
            conditions::test_list(asserts)
        } else {
            (true, Vec::new())
        };
        // (type, trigger, negate, parameter, state) with systemd's type names.
        let record = |prefix: &str, list: &[Condition], outcomes: &[bool]| {
            list.iter()
                .enumerate()
                .map(|(i, c)| {
                    let state = outcomes.get(i).map_or(0, |&ok| if ok { 1 } else { -1 });
                    let kind = format!("{prefix}{}", c.kind.name());
                    (kind, c.trigger, c.negate, c.parameter.clone(), state)
                })
                .collect::<Vec<ConditionRecord>>()
        };
        srv.checks = Some(Box::new(ConditionChecks {
            condition_result: condition_ok,
            assert_result: assert_ok,
            at: now_usec(),
            conditions: record("Condition", conditions, &c_outcomes),
            asserts: record("Assert", asserts, &a_outcomes),
        }));
        if condition_ok && assert_ok {
            return true;
        }
        let (prefix, list, outcomes) = if condition_ok {
            ("Assert", asserts, &a_outcomes)
        } else {
            ("Condition", conditions, &c_outcomes)
        };
        let unmet = list.iter().zip(outcomes).filter(|(_, ok)| !**ok);
        conditions::report(name, prefix, unmet.map(|(c, _)| c));
        // As an ExecCondition= skip: dead, no restart, an instance is let go.
        self.services.get_mut(name).expect("exists").stop_requested = true;
        self.enter_dead(name);
        false
    }

    pub(super) fn enter_start_pre(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        if srv.unit.exec_start_pre.is_empty() {
            return self.enter_main(name);
        }
        srv.pending = srv.unit.exec_start_pre.iter().cloned().collect();
        srv.phase = Some(Phase::StartPre);
        self.arm_start_timeout(name);
        self.set_service_state(name, ServiceState::StartPre);
        self.run_next_control(name);
    }

    /// Spawn the main process (ExecStart=) with the socket fds.
    pub(super) fn enter_main(&mut self, name: &str) {
        self.set_service_state(name, ServiceState::Start);
        let srv = self.services.get_mut(name).expect("exists");
        // The command is borrowed from the unit, not copied: a kept spawn request
        // (spawn_cache) is found by it.
        let unit = srv.unit.clone();
        let ty = unit.effective_type();
        let Some(first) = unit.exec_start.first() else {
            // No ExecStart= (oneshot with RemainAfterExit=, systemd.service(5)).
            return self.enter_start_post(name);
        };
        if ty == ServiceType::Oneshot {
            srv.pending = unit.exec_start[1..].iter().cloned().collect();
            srv.phase = Some(Phase::Start);
        }
        match self.spawn_main(name, first) {
            Ok(()) => match ty {
                ServiceType::Oneshot
                | ServiceType::Forking
                | ServiceType::Notify
                | ServiceType::NotifyReload => self.arm_start_timeout(name),
                _ => self.enter_start_post(name),
            },
            Err(e) => {
                log::error!("{name}: Failed to start: {e}");
                self.services.get_mut(name).expect("exists").result = ServiceResult::Resources;
                self.enter_stop_post(name);
            }
        }
    }

    /// TimeoutStartSec= covers condition…start-post; armed once per start, and
    /// only when the start actually has to wait for something.
    fn arm_start_timeout(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        if srv.start_timeout_armed {
            return;
        }
        srv.start_timeout_armed = true;
        let timeout = srv.unit.effective_timeout_start();
        self.arm_service_timeout(name, timeout);
    }

    pub(super) fn enter_start_post(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        if srv.unit.exec_start_post.is_empty() {
            return self.enter_running(name);
        }
        srv.pending = srv.unit.exec_start_post.iter().cloned().collect();
        srv.phase = Some(Phase::StartPost);
        self.arm_start_timeout(name);
        self.set_service_state(name, ServiceState::StartPost);
        self.run_next_control(name);
    }

    pub(super) fn enter_running(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        srv.started = true;
        srv.phase = None;
        srv.generation += 1; // the start timeout no longer applies
        let main_alive = srv.main_pid.is_some();
        let rae = srv.unit.remain_after_exit;
        if main_alive {
            self.set_service_state(name, ServiceState::Running);
            self.reset_watchdog(name);
        } else if rae {
            self.set_service_state(name, ServiceState::Exited);
        } else {
            self.enter_stop(name, ServiceResult::Success);
        }
    }

    pub(super) fn enter_dead(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        srv.phase = None;
        srv.pending.clear();
        srv.generation += 1;
        let result = srv.result;
        let holding = std::mem::take(&mut srv.holding);
        let restart = !self.stopping
            && !srv.stop_requested
            && srv.instance_of.is_none()
            && should_restart(&srv.unit, srv.exec_main, result);
        let restart_after_stop = std::mem::take(&mut srv.restart_after_stop);
        let delay = srv.unit.restart_sec.to_duration().unwrap_or_default();
        if result == ServiceResult::Success {
            self.set_service_state(name, ServiceState::Dead);
        } else {
            log::warn!("{name}: Failed with result '{}'.", result.as_str());
            self.set_service_state(name, ServiceState::Failed);
        }
        let requeue = restart || (restart_after_stop && !self.stopping);
        if requeue {
            // The sockets stay with the service until it restarts: a pending
            // connection must not retrigger it before RestartSec= (systemd keeps the
            // start job waiting while the service is in auto-restart).
            let srv = self.services.get_mut(name).expect("exists");
            srv.holding = holding;
            let generation = srv.generation;
            self.set_service_state(name, ServiceState::AutoRestart);
            // A manual restart starts at once and is not counted in NRestarts.
            let at = if restart {
                Instant::now() + delay
            } else {
                Instant::now()
            };
            self.timers.add(
                at,
                Timer::RestartService {
                    service: name.to_string(),
                    generation,
                    automatic: restart,
                },
            );
        } else {
            // The sockets go back to listening (systemd.md §4.3 step 3); pending
            // connections retrigger at once.
            for idx in holding {
                if self.sockets[idx].state == SocketState::Running && !self.stopping {
                    if self.sockets[idx].unit.flush_pending {
                        self.flush_pending(idx);
                    }
                    self.set_socket_state(idx, SocketState::Listening);
                    self.set_polled(idx, true);
                }
            }
        }
        self.finish_instance(name);
        if !requeue {
            self.main_program_ended(name);
        }
    }

    /// Accept=yes instances are forgotten once dead (CollectMode= is moot: a failed
    /// instance never keeps counting against MaxConnections=, systemd #20685).
    fn finish_instance(&mut self, name: &str) {
        let Some(srv) = self.services.get(name) else {
            return;
        };
        let Some(idx) = srv.instance_of else {
            return;
        };
        if !matches!(srv.state, ServiceState::Dead | ServiceState::Failed) {
            return;
        }
        let Some(srv) = self.services.remove(name) else {
            return;
        };
        if let Some(rt) = self.sockets.get_mut(idx) {
            rt.n_connections = rt.n_connections.saturating_sub(1);
            if let Some(ip) = srv.source {
                if let Some(n) = rt.per_source.get_mut(&ip) {
                    *n -= 1;
                    if *n == 0 {
                        rt.per_source.remove(&ip);
                    }
                }
            }
        }
        self.notify_socket_changed(idx);
        self.notify_unit_removed(name);
    }

    pub(super) fn restart_service_timer(&mut self, name: &str, generation: u64, automatic: bool) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        if srv.generation != generation || srv.state != ServiceState::AutoRestart || self.stopping {
            return;
        }
        if automatic {
            srv.n_restarts += 1;
            log::info!(
                "{name}: Scheduled restart job, restart counter is at {}.",
                srv.n_restarts
            );
        }
        self.enter_start(name);
    }

    pub(super) fn service_timeout(&mut self, name: &str, generation: u64) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        if srv.generation != generation {
            return;
        }
        let state = srv.state;
        if state.is_starting() {
            log::warn!(
                "{name}: {} operation timed out. Terminating.",
                phase_word(state)
            );
            srv.result = ServiceResult::Timeout;
            if let Some(pid) = srv.control_pid {
                let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            }
            self.enter_sigterm(name);
        } else {
            match state {
                ServiceState::Stop => {
                    if let Some(pid) = srv.control_pid {
                        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
                    }
                    if srv.result == ServiceResult::Success {
                        srv.result = ServiceResult::Timeout;
                    }
                    self.enter_sigterm(name);
                }
                ServiceState::StopSigterm => {
                    if srv.result == ServiceResult::Success {
                        srv.result = ServiceResult::Timeout;
                    }
                    self.enter_sigkill(name);
                }
                ServiceState::StopSigkill => {
                    log::warn!("{name}: Processes still around after SIGKILL. Ignoring.");
                    self.enter_stop_post(name);
                }
                ServiceState::StopPost => {
                    if let Some(pid) = srv.control_pid.take() {
                        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
                    }
                    self.enter_dead(name);
                }
                _ => {}
            }
        }
    }

    /// Spawn the main process of `name` with its fds.
    pub(super) fn spawn_main(&mut self, name: &str, command: &ExecCommand) -> Result<(), String> {
        let srv = self.services.get_mut(name).expect("exists");
        let unit = srv.unit.clone();
        let mut env = std::mem::take(&mut srv.remote_env);
        env.push(("INVOCATION_ID", srv.invocation_id.clone()));
        if let Some(path) = &self.notify_path {
            if unit.effective_notify_access() != crate::unit::NotifyAccess::None {
                env.push(("NOTIFY_SOCKET", path.clone()));
            }
        }
        if unit.watchdog.0 > 0 && !unit.watchdog.is_infinity() {
            env.push(("WATCHDOG_USEC", unit.watchdog.0.to_string()));
        }
        let stdin_socket = matches!(unit.exec.standard_input, StdInput::Socket);
        let conn = srv.conn.take();
        let mut listen_fds: Vec<(RawFd, String)> = Vec::new();
        let stdio_socket;
        if let (Some(c), Some(idx)) = (&conn, srv.instance_of) {
            let raw = c.as_raw_fd();
            stdio_socket = Some(raw);
            if !stdin_socket {
                listen_fds.push((raw, self.sockets[idx].unit.fd_name()));
            }
        } else {
            // Every socket that triggers this service contributes its fds, in
            // Listen order (systemd.md §4.1).
            for &idx in &srv.holding {
                let s = &self.sockets[idx];
                let fd_name = s.unit.fd_name();
                for fd in &s.fds {
                    listen_fds.push((fd.as_raw_fd(), fd_name.clone()));
                }
            }
            stdio_socket = if stdin_socket {
                if listen_fds.len() != 1 {
                    return Err(if listen_fds.is_empty() {
                        "Got no socket.".into()
                    } else {
                        "Got more than one socket.".into()
                    });
                }
                let fd = listen_fds[0].0;
                listen_fds.clear();
                Some(fd)
            } else {
                None
            };
        }
        if unit.file_descriptor_store_max > 0 {
            env.push(("FDSTORE", unit.file_descriptor_store_max.to_string()));
            // Stored fds follow the socket fds (systemd.md §4.1 step 3).
            for (fd, fdname) in &srv.fd_store {
                listen_fds.push((fd.as_raw_fd(), fdname.clone()));
            }
        }
        let new_session = self.main_service.as_deref() != Some(name);
        // Instances that share their template's unit spawn from a kept request.
        let shared = srv.instance_of.is_some_and(|idx| {
            self.template_cache
                .get(&self.sockets[idx].service)
                .is_some_and(|t| std::sync::Arc::ptr_eq(t, &unit))
        });
        let inputs = SpawnInputs {
            exec: &unit.exec,
            command,
            listen_fds: &listen_fds,
            stdio_socket,
            extra_env: &env,
            non_blocking: unit.non_blocking,
            new_session,
        };
        let pid = if shared {
            self.spawn_kept(&unit, &inputs)?
        } else {
            self.spawn_process(&inputs)?
        };
        drop(conn);
        let srv = self.services.get_mut(name).expect("exists");
        srv.main_pid = Some(pid);
        srv.main_pgid = Some(pid);
        srv.exec_main = super::service::ExecMain {
            pid,
            code: 0,
            status: 0,
            start: now_usec(),
            exit: 0,
        };
        log::debug!("{name}: started as pid {pid}");
        self.children
            .insert(pid, ChildRole::ServiceMain(name.to_string()));
        Ok(())
    }

    /// Plan and spawn one command; returns the pid.
    pub(super) fn spawn_process(&mut self, inputs: &SpawnInputs<'_>) -> Result<i32, String> {
        let plan = plan(inputs, &mut self.creds).map_err(|e| e.to_string())?;
        let pid = spawn(&plan.request).map_err(|e| e.to_string())?;
        drop(plan.keep_open);
        Ok(pid.as_raw())
    }

    /// Spawn `unit`'s main command from the request `spawn_cache` keeps for it,
    /// or planned the ordinary way when it is not one to keep; returns the pid.
    fn spawn_kept(
        &mut self,
        unit: &std::sync::Arc<ServiceUnit>,
        inputs: &SpawnInputs<'_>,
    ) -> Result<i32, String> {
        match self.spawn_cache.request(unit, inputs, &mut self.creds) {
            Some(Ok((request, keep_open))) => {
                let pid = spawn(request).map_err(|e| e.to_string())?;
                drop(keep_open);
                Ok(pid.as_raw())
            }
            Some(Err(e)) => Err(e.to_string()),
            None => self.spawn_process(inputs),
        }
    }

    /// Sockets (by index) that trigger `name`: Accept=no sockets naming it, plus
    /// those listed in its `Sockets=`.
    pub(super) fn sockets_of_service(&self, name: &str) -> Vec<usize> {
        let extra: &[String] = self
            .services
            .get(name)
            .map(|s| s.unit.sockets.as_slice())
            .unwrap_or(&[]);
        self.sockets
            .iter()
            .enumerate()
            .filter(|(_, s)| s.unit.activates(name) || extra.contains(&s.unit.name))
            .map(|(i, _)| i)
            .collect()
    }
}

fn phase_word(state: ServiceState) -> &'static str {
    match state {
        ServiceState::Condition => "condition",
        ServiceState::StartPre => "start-pre",
        ServiceState::StartPost => "start-post",
        _ => "start",
    }
}

pub(super) fn read_pid_file(path: &std::path::Path) -> Option<i32> {
    let path = if path.is_relative() {
        std::path::Path::new("/run").join(path)
    } else {
        path.to_path_buf()
    };
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// A 128-bit hex id per invocation ($INVOCATION_ID): pid, time and a counter, so no
/// random-number syscall is needed per spawn.
fn invocation_id(counter: &mut u64) -> String {
    // getpid() is a syscall (glibc does not cache it); our pid never changes.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *counter += 1;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let id = (u128::from(*PID.get_or_init(std::process::id)) << 96)
        | (u128::from(now.subsec_nanos()) << 64)
        | u128::from((now.as_secs() << 24) ^ *counter);
    // 32 lowercase hex digits, as `{:032x}` would give, without the formatter.
    let mut hex = String::with_capacity(32);
    hex.extend(
        (0..32)
            .rev()
            .map(|i| char::from(b"0123456789abcdef"[((id >> (i * 4)) & 0xf) as usize])),
    );
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invocation_ids_are_32_hex_digits_and_differ() {
        let mut n = 0;
        let a = invocation_id(&mut n);
        let b = invocation_id(&mut n);
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
        let pid = format!("{:08x}", std::process::id());
        assert!(a.starts_with(&pid), "{a} starts with the pid {pid}");
    }
}
