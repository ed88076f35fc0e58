//! Control requests, answered by the loop from its own state (systemd's Manager
//! methods: StartUnit, StopUnit, RestartUnit, KillUnit, ResetFailed, Reload…).

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use super::control::{ControlError, ControlMessage, ControlReply, ControlRequest};
use super::socket::{SocketResult, SocketState};
use super::state::{ServiceResult, ServiceState};
use super::Engine;

impl Engine {
    pub(super) fn on_control(&mut self, msg: ControlMessage) {
        let reply = self.answer(msg.request);
        let _ = msg.reply.send(reply);
    }

    /// A job for `unit`. activatord applies requests at once, so the job is
    /// announced and removed (`done`) in one go (systemd's JobNew/JobRemoved).
    fn next_job(&mut self, unit: &str) -> ControlReply {
        self.job_counter += 1;
        let id = self.job_counter;
        self.send_job_signals(id, unit);
        ControlReply::Job {
            id,
            unit: unit.to_string(),
        }
    }

    /// The unit must be known; like systemd's LoadUnit, a unit file on the
    /// search path that nothing has loaded yet is loaded now.
    fn require(&mut self, name: &str) -> Result<(), ControlError> {
        if self.known(name) {
            return Ok(());
        }
        if !self.units.search_path().is_empty()
            && (name.ends_with(".service") || name.ends_with(".socket"))
        {
            let opts = crate::unit::loader::LoaderOptions {
                unit_paths: self.units.search_path().to_vec(),
            };
            let set = crate::unit::loader::load_named(&opts, &[name.to_string()]);
            for d in &set.diagnostics {
                log::warn!("{d}");
            }
            let loaded = set.sockets.contains_key(name) || set.services.contains_key(name);
            if loaded {
                self.units.merge(set);
                self.notify_unit_new(name);
                return Ok(());
            }
        }
        Err(ControlError::NoSuchUnit(name.to_string()))
    }

    fn answer(&mut self, req: ControlRequest) -> Result<ControlReply, ControlError> {
        match req {
            ControlRequest::ListUnits => Ok(ControlReply::Units(self.all_units())),
            ControlRequest::GetUnit { name } => self
                .unit_status(&name)
                .map(|s| ControlReply::Unit(Box::new(s)))
                .ok_or(ControlError::NoSuchUnit(name)),
            ControlRequest::Manager => Ok(ControlReply::Manager(self.manager_status())),
            ControlRequest::Start { name } => {
                self.require(&name)?;
                if self.stopping {
                    return Err(ControlError::Gone);
                }
                if name.ends_with(".socket") {
                    self.start_socket(&name);
                } else if name.contains("@.") {
                    return Err(ControlError::Failed(format!(
                        "Unit {name} is a template; start an instance or its socket."
                    )));
                } else {
                    self.start_service(&name, None);
                }
                Ok(self.next_job(&name))
            }
            ControlRequest::Stop { name } => {
                self.require(&name)?;
                if name.ends_with(".socket") {
                    if let Some(idx) = self.socket_by_name(&name) {
                        self.stop_socket(idx);
                    }
                } else {
                    self.stop_service(&name);
                }
                Ok(self.next_job(&name))
            }
            ControlRequest::Restart { name } => {
                self.require(&name)?;
                if name.ends_with(".socket") {
                    if let Some(idx) = self.socket_by_name(&name) {
                        self.stop_socket(idx);
                    }
                    self.start_socket(&name);
                } else {
                    let running = self.services.get(&name).is_some_and(|s| {
                        !matches!(s.state, ServiceState::Dead | ServiceState::Failed)
                    });
                    if running {
                        self.stop_service(&name);
                        if let Some(s) = self.services.get_mut(&name) {
                            s.restart_after_stop = true;
                        }
                        // Already dead (e.g. exited): start at once.
                        if self.services.get(&name).is_some_and(|s| {
                            matches!(s.state, ServiceState::Dead | ServiceState::Failed)
                        }) {
                            self.start_service(&name, None);
                        }
                    } else {
                        self.start_service(&name, None);
                    }
                }
                Ok(self.next_job(&name))
            }
            ControlRequest::Reload { name } => {
                self.require(&name)?;
                self.reload_service(&name)?;
                Ok(self.next_job(&name))
            }
            ControlRequest::Kill { name, whom, signal } => {
                self.require(&name)?;
                let sig = Signal::try_from(signal)
                    .map_err(|_| ControlError::InvalidArgs(format!("invalid signal {signal}")))?;
                let srv = self.services.get(&name).ok_or_else(|| {
                    ControlError::Failed(format!("No main process to kill for {name}"))
                })?;
                let (main, control, pgid) = (srv.main_pid, srv.control_pid, srv.main_pgid);
                match whom.as_str() {
                    "main" => {
                        let p = main.ok_or_else(|| {
                            ControlError::Failed("No main process to kill".into())
                        })?;
                        let _ = kill(Pid::from_raw(p), sig);
                    }
                    "control" => {
                        let p = control.ok_or_else(|| {
                            ControlError::Failed("No control process to kill".into())
                        })?;
                        let _ = kill(Pid::from_raw(p), sig);
                    }
                    "all" | "" => {
                        for p in [main, control].into_iter().flatten() {
                            let _ = kill(Pid::from_raw(p), sig);
                        }
                        if let Some(g) = pgid {
                            let _ = killpg(Pid::from_raw(g), sig);
                        }
                    }
                    other => {
                        return Err(ControlError::InvalidArgs(format!(
                            "Invalid 'whom' argument: {other}"
                        )))
                    }
                }
                Ok(ControlReply::Done)
            }
            ControlRequest::ResetFailed { name } => {
                let names: Vec<String> = match name {
                    Some(n) => {
                        self.require(&n)?;
                        vec![n]
                    }
                    None => self
                        .services
                        .keys()
                        .cloned()
                        .chain(self.socket_index.keys().cloned())
                        .collect(),
                };
                for n in names {
                    self.reset_failed(&n);
                }
                Ok(ControlReply::Done)
            }
            ControlRequest::DaemonReload => {
                self.reload_configuration();
                Ok(ControlReply::Done)
            }
            ControlRequest::DaemonReexec => {
                self.reexec_requested = true;
                Ok(ControlReply::Done)
            }
            ControlRequest::Cat { name } => {
                self.require(&name)?;
                Ok(ControlReply::Text(self.cat_unit(&name)))
            }
        }
    }

    fn reset_failed(&mut self, name: &str) {
        if let Some(idx) = self.socket_by_name(name) {
            let rt = &mut self.sockets[idx];
            rt.result = SocketResult::Success;
            if rt.state == SocketState::Failed {
                self.set_socket_state(idx, SocketState::Dead);
            }
            self.sockets[idx].start_limit = Default::default();
        }
        if let Some(srv) = self.services.get_mut(name) {
            srv.result = ServiceResult::Success;
            srv.n_restarts = 0;
            srv.start_limit = Default::default();
            if srv.state == ServiceState::Failed {
                self.set_service_state(name, ServiceState::Dead);
            }
        }
    }

    /// ExecReload= for a running service (systemd.service(5)); without it, an error
    /// like systemctl's "Job type reload is not applicable".
    fn reload_service(&mut self, name: &str) -> Result<(), ControlError> {
        let Some(srv) = self.services.get_mut(name) else {
            return Err(ControlError::Failed(format!("Unit {name} is not active.")));
        };
        if srv.unit.exec_reload.is_empty() {
            return Err(ControlError::Failed(format!(
                "Job type reload is not applicable for unit {name}."
            )));
        }
        if srv.state != ServiceState::Running && srv.state != ServiceState::Exited {
            return Err(ControlError::Failed(format!("Unit {name} is not active.")));
        }
        srv.pending = srv.unit.exec_reload.iter().cloned().collect();
        srv.phase = Some(super::service::Phase::Reload);
        self.set_service_state(name, ServiceState::Reload);
        self.run_next_control(name);
        Ok(())
    }

    /// The unit's fragment and drop-ins, as `systemctl cat` prints them.
    fn cat_unit(&self, name: &str) -> String {
        let source = self
            .units
            .sockets
            .get(name)
            .map(|u| u.source.clone())
            .or_else(|| self.units.services.get(name).map(|u| u.source.clone()))
            .or_else(|| self.services.get(name).map(|s| s.unit.source.clone()))
            .unwrap_or_default();
        let mut out = String::new();
        for path in source
            .fragment
            .as_deref()
            .into_iter()
            .chain(source.dropins.iter().map(|p| p.as_path()))
        {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("# {}\n", path.display()));
            if source.line > 0 {
                out.push_str(&format!("# (generated from line {})\n", source.line));
            }
            out.push_str(&std::fs::read_to_string(path).unwrap_or_default());
        }
        out
    }
}
