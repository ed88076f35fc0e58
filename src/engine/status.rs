//! Snapshots of engine state for the control plane (`UnitStatus`), and the
//! notifications sent on every change.

use super::control::{ManagerStatus, Notification, ServiceStatus, SocketStatus, UnitStatus};
use super::socket::{SocketResult, SocketState};
use super::state::{ActiveState, ServiceResult, ServiceState, Timestamps};
use super::Engine;
use crate::unit::{LoadState, ServiceUnit, SocketUnit, UnitSource};

fn source_fields(st: &mut UnitStatus, source: &UnitSource) {
    st.fragment_path = source
        .fragment
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    st.drop_in_paths = source
        .dropins
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    // Units generated from inetd.conf are "generated" (like systemd's generators).
    st.unit_file_state = if source.line > 0 {
        "generated".into()
    } else {
        "static".into()
    };
}

fn timestamps(st: &mut UnitStatus, t: &Timestamps) {
    st.state_change_timestamp = t.state_change;
    st.active_enter_timestamp = t.active_enter;
    st.active_exit_timestamp = t.active_exit;
    st.inactive_enter_timestamp = t.inactive_enter;
    st.inactive_exit_timestamp = t.inactive_exit;
}

fn socket_config(st: &mut UnitStatus, unit: &SocketUnit) -> SocketStatus {
    st.id = unit.name.clone();
    st.description = unit
        .unit
        .description
        .as_deref()
        .unwrap_or(&unit.name)
        .to_string();
    st.load_state = unit.load_state.as_str().into();
    source_fields(st, &unit.source);
    let tl = unit.trigger_limit();
    SocketStatus {
        listen: unit
            .listen
            .iter()
            .map(|l| (l.type_name().to_string(), l.to_string()))
            .collect(),
        accept: unit.accept,
        file_descriptor_name: unit.fd_name(),
        max_connections: unit.max_connections,
        max_connections_per_source: unit.max_connections_per_source,
        trigger_limit_interval_usec: tl.interval.0,
        trigger_limit_burst: tl.burst,
        builtin: unit
            .builtin
            .map(|b| b.name().to_string())
            .unwrap_or_default(),
        ..SocketStatus::default()
    }
}

fn service_config(st: &mut UnitStatus, unit: &ServiceUnit) -> ServiceStatus {
    st.id = unit.name.clone();
    st.description = unit
        .unit
        .description
        .as_deref()
        .unwrap_or(&unit.name)
        .to_string();
    st.load_state = unit.load_state.as_str().into();
    source_fields(st, &unit.source);
    ServiceStatus {
        service_type: unit.effective_type().as_str().to_string(),
        restart: unit.restart.as_str().to_string(),
        exec_start: unit
            .exec_start
            .first()
            .map(|c| c.argv.clone())
            .unwrap_or_default(),
        ..ServiceStatus::default()
    }
}

impl Engine {
    /// Status of a socket unit, started or not.
    pub(super) fn socket_status(&self, name: &str) -> Option<UnitStatus> {
        let mut st = UnitStatus::default();
        match self.socket_index.get(name) {
            Some(&idx) => {
                let rt = &self.sockets[idx];
                let mut sock = socket_config(&mut st, &rt.unit);
                st.active_state = rt.state.active_state().as_str().into();
                st.sub_state = rt.state.as_str().into();
                st.result = rt.result.as_str().into();
                timestamps(&mut st, &rt.timestamps);
                sock.n_accepted = rt.n_accepted as u32;
                sock.n_connections = rt.n_connections;
                sock.n_refused = rt.n_refused as u32;
                sock.n_paused = rt.n_paused;
                st.triggers = if rt.unit.accept {
                    self.services
                        .values()
                        .filter(|s| s.instance_of == Some(idx))
                        .map(|s| s.name.clone())
                        .collect()
                } else if rt.unit.builtin.is_some() {
                    Vec::new()
                } else {
                    vec![rt.unit.service_name()]
                };
                st.socket = Some(sock);
            }
            None => {
                let unit = self.units.sockets.get(name)?;
                let sock = socket_config(&mut st, unit);
                st.active_state = ActiveState::Inactive.as_str().into();
                st.sub_state = SocketState::Dead.as_str().into();
                st.result = SocketResult::Success.as_str().into();
                if !unit.accept && unit.builtin.is_none() {
                    st.triggers = vec![unit.service_name()];
                }
                st.socket = Some(sock);
            }
        }
        Some(st)
    }

    /// Status of a service (named, instance, or loaded but never started).
    pub(super) fn service_status(&self, name: &str) -> Option<UnitStatus> {
        let mut st = UnitStatus::default();
        match self.services.get(name) {
            Some(rt) => {
                let mut srv = service_config(&mut st, &rt.unit);
                st.id = rt.name.clone();
                if let Some(peer) = rt.peer {
                    let template = rt.unit.unit.description.as_deref().unwrap_or(&rt.name);
                    st.description = format!("{template} ({peer})");
                }
                st.active_state = rt.state.active_state().as_str().into();
                st.sub_state = rt.state.as_str().into();
                st.result = rt.result.as_str().into();
                timestamps(&mut st, &rt.timestamps);
                srv.main_pid = rt.main_pid.unwrap_or(0) as u32;
                srv.status_text = rt.status_text.clone();
                srv.n_restarts = rt.n_restarts;
                srv.exec_main_code = rt.exec_main.code;
                srv.exec_main_status = rt.exec_main.status;
                srv.exec_main_pid = rt.exec_main.pid as u32;
                srv.exec_main_start_timestamp = rt.exec_main.start;
                srv.exec_main_exit_timestamp = rt.exec_main.exit;
                match &rt.checks {
                    Some(c) => {
                        st.condition_result = c.condition_result;
                        st.assert_result = c.assert_result;
                        st.condition_timestamp = c.at;
                        st.assert_timestamp = c.at;
                        st.conditions = c.conditions.clone();
                        st.asserts = c.asserts.clone();
                    }
                    // Nothing to check: every start passed.
                    None => {
                        st.condition_result = true;
                        st.assert_result = true;
                    }
                }
                st.triggered_by = match rt.instance_of {
                    Some(idx) => vec![self.sockets[idx].unit.name.clone()],
                    None => self.triggering_sockets(name),
                };
                st.service = Some(srv);
            }
            None => {
                let unit = self.units.services.get(name)?;
                let srv = service_config(&mut st, unit);
                st.active_state = ActiveState::Inactive.as_str().into();
                st.sub_state = ServiceState::Dead.as_str().into();
                st.result = ServiceResult::Success.as_str().into();
                st.triggered_by = self.triggering_sockets(name);
                st.service = Some(srv);
            }
        }
        Some(st)
    }

    /// Loaded sockets that activate `service` (for `TriggeredBy`).
    fn triggering_sockets(&self, service: &str) -> Vec<String> {
        let extra: Vec<String> = self
            .units
            .services
            .get(service)
            .map(|s| s.sockets.to_vec())
            .unwrap_or_default();
        self.units
            .sockets
            .values()
            .filter(|s| s.activates(service) || extra.contains(&s.name))
            .map(|s| s.name.clone())
            .collect()
    }

    /// Status of any unit by name.
    pub(super) fn unit_status(&self, name: &str) -> Option<UnitStatus> {
        if name.ends_with(".socket") {
            self.socket_status(name)
        } else if name.ends_with(".service") {
            self.service_status(name)
        } else {
            None
        }
    }

    /// Every unit the daemon knows: loaded sockets, loaded non-template services,
    /// live instances.
    pub(super) fn all_units(&self) -> Vec<UnitStatus> {
        let mut names: std::collections::BTreeSet<String> =
            self.units.sockets.keys().cloned().collect();
        names.extend(self.socket_index.keys().cloned());
        names.extend(
            self.units
                .services
                .keys()
                .filter(|n| !n.contains("@."))
                .cloned(),
        );
        names.extend(self.services.keys().cloned());
        names.iter().filter_map(|n| self.unit_status(n)).collect()
    }

    pub(super) fn manager_status(&self) -> ManagerStatus {
        let units = self.all_units();
        ManagerStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            state: if self.stopping { "stopping" } else { "running" }.into(),
            n_units: units.len() as u32,
            n_failed_units: units.iter().filter(|u| u.active_state == "failed").count() as u32,
            n_sockets_listening: self
                .sockets
                .iter()
                .filter(|s| s.state == SocketState::Listening)
                .count() as u32,
            n_jobs: 0,
            pid: std::process::id(),
            startup_timestamp: self.startup_timestamp,
        }
    }

    /// Load state of a name the engine does not know (for error replies).
    pub(super) fn known(&self, name: &str) -> bool {
        self.units.sockets.contains_key(name)
            || self.units.services.contains_key(name)
            || self.services.contains_key(name)
            || self
                .units
                .load_state(name)
                .is_some_and(|s| s != LoadState::NotFound)
    }

    // ------------------------------------------------------------ notifications

    fn notifications_wanted(&self) -> bool {
        self.notifier.as_ref().is_some_and(|n| n.wanted())
    }

    fn send(&mut self, n: Notification) {
        if let Some(tx) = &self.notifier {
            if tx.send(n).is_err() {
                self.notifier = None;
            }
        }
    }

    pub(super) fn send_job_signals(&mut self, id: u32, unit: &str) {
        if self.notifications_wanted() {
            self.send(Notification::JobNew {
                id,
                unit: unit.to_string(),
            });
            self.send(Notification::JobRemoved {
                id,
                unit: unit.to_string(),
                result: "done".into(),
            });
        }
    }

    pub(super) fn notify_unit_new(&mut self, name: &str) {
        if self.notifications_wanted() {
            self.send(Notification::UnitNew {
                id: name.to_string(),
            });
        }
    }

    pub(super) fn notify_unit_removed(&mut self, name: &str) {
        if self.notifications_wanted() {
            self.send(Notification::UnitRemoved {
                id: name.to_string(),
            });
        }
    }

    pub(super) fn notify_service_changed(&mut self, name: &str) {
        if self.notifications_wanted() {
            if let Some(st) = self.service_status(name) {
                self.send(Notification::UnitChanged(Box::new(st)));
            }
        }
    }

    pub(super) fn notify_socket_changed(&mut self, idx: usize) {
        if self.notifications_wanted() {
            let name = self.sockets[idx].unit.name.clone();
            if let Some(st) = self.socket_status(&name) {
                self.send(Notification::UnitChanged(Box::new(st)));
            }
        }
    }
}
