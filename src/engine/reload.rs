//! Daemon reload (SIGHUP, `daemon-reload`): re-read every unit file and
//! inetd.conf and apply the difference without dropping a connection.
//!
//! Unlike systemd (#3171, #15037), a changed socket keeps the fds of the
//! addresses that remain and binds only the new ones; an unchanged socket keeps
//! every fd (same inode, never re-bound); a unit whose new definition is broken
//! keeps its old one; removed sockets are stopped. Running services are not
//! touched: a changed service definition applies at its next start.

use std::collections::HashSet;
use std::os::fd::OwnedFd;

use super::socket::SocketState;
use super::Engine;
use crate::sys::socket::open_listen;
use crate::unit::{LoadState, SocketUnit};

impl Engine {
    pub(super) fn reload_configuration(&mut self) {
        let Some(mut loader) = self.loader.take() else {
            log::warn!("Reload requested, but this daemon has no configuration to re-read.");
            return;
        };
        log::info!("Reloading.");
        if let Some(s) = &self.supervisor {
            s.reloading();
        }
        self.send_reloading(true);
        let mut config = loader();
        self.loader = Some(loader);
        // A unit whose new definition is broken keeps its old one.
        for (name, old) in &self.units.sockets {
            let broken = config
                .units
                .sockets
                .get(name)
                .is_some_and(|n| n.load_state != LoadState::Loaded);
            if broken && old.load_state == LoadState::Loaded {
                log::warn!("{name}: new configuration has errors, keeping the old definition.");
                config.units.sockets.insert(name.clone(), old.clone());
                if self.socket_index.contains_key(name) && !config.start_sockets.contains(name) {
                    config.start_sockets.push(name.clone());
                }
            }
        }
        for (name, old) in &self.units.services {
            let broken = config
                .units
                .services
                .get(name)
                .is_some_and(|n| n.load_state != LoadState::Loaded);
            if broken && old.load_state == LoadState::Loaded {
                log::warn!("{name}: new configuration has errors, keeping the old definition.");
                config.units.services.insert(name.clone(), old.clone());
            }
        }
        let wanted: HashSet<String> = config.start_sockets.iter().cloned().collect();
        self.units = config.units;
        self.creds.clear();
        self.spawn_cache.clear();
        self.template_cache.clear();

        // Sockets that went away are stopped and forgotten.
        let running: Vec<(String, usize)> = self
            .socket_index
            .iter()
            .map(|(n, &i)| (n.clone(), i))
            .collect();
        for (name, idx) in &running {
            if !wanted.contains(name) {
                log::info!("{name}: removed from the configuration, stopping.");
                self.stop_socket(*idx);
                self.socket_index.remove(name);
                self.notify_unit_removed(name);
            }
        }
        // Changed sockets are updated in place; new ones start.
        for name in &config.start_sockets {
            let Some(new) = self.units.sockets.get(name).cloned() else {
                continue;
            };
            match self.socket_index.get(name).copied() {
                Some(idx) => self.update_socket(idx, new),
                None => self.start_socket(name),
            }
        }
        for name in &config.start_services {
            self.start_service(name, None);
        }
        // Named services that are not running pick up their new definition now;
        // running ones at their next start.
        let names: Vec<String> = self.services.keys().cloned().collect();
        for name in names {
            let Some(new) = self.units.services.get(&name).cloned() else {
                continue;
            };
            if let Some(srv) = self.services.get_mut(&name) {
                if srv.instance_of.is_none() && srv.main_pid.is_none() && srv.control_pid.is_none()
                {
                    srv.unit = new;
                }
            }
        }
        self.send_reloading(false);
        log::info!("Reloaded.");
        if let Some(s) = &self.supervisor {
            s.ready_again(&self.status_line());
        }
    }

    /// Apply a new definition to a running socket, keeping every fd whose Listen
    /// entry is unchanged.
    fn update_socket(&mut self, idx: usize, new: std::sync::Arc<SocketUnit>) {
        let rt = &self.sockets[idx];
        if rt.unit == new {
            return;
        }
        if matches!(rt.state, SocketState::Dead | SocketState::Failed) {
            self.sockets[idx].set_unit(new);
            let name = self.sockets[idx].unit.name.clone();
            return self.start_socket(&name);
        }
        let polled = rt.polled;
        self.set_polled(idx, false);
        let rt = &mut self.sockets[idx];
        let mut old: Vec<Option<OwnedFd>> =
            std::mem::take(&mut rt.fds).into_iter().map(Some).collect();
        let mut fds = Vec::with_capacity(new.listen.len());
        let mut failed = false;
        for listen in &new.listen {
            let reuse = rt
                .unit
                .listen
                .iter()
                .enumerate()
                .find(|(i, l)| *l == listen && old.get(*i).is_some_and(Option::is_some))
                .map(|(i, _)| i);
            match reuse {
                Some(i) => fds.push(old[i].take().expect("checked")),
                None => match open_listen(listen, &new.options) {
                    Ok(fd) => {
                        log::info!("{}: now also listening on {}", new.name, listen);
                        fds.push(fd);
                    }
                    Err(e) => {
                        log::error!("{}: Failed to listen on {listen}: {e}", new.name);
                        failed = true;
                    }
                },
            }
        }
        if failed {
            // Keep the old definition and fds; the new one cannot be applied.
            rt.fds = old.into_iter().flatten().collect();
            log::warn!("{}: keeping the old definition.", rt.unit.name);
        } else {
            for (i, fd) in old.into_iter().enumerate() {
                if fd.is_some() {
                    if let Some(l) = rt.unit.listen.get(i) {
                        log::info!("{}: no longer listening on {l}", new.name);
                    }
                }
            }
            rt.fds = fds;
            rt.set_unit(new);
            rt.refresh_own_ports();
        }
        if polled {
            self.set_polled(idx, true);
        }
        self.notify_socket_changed(idx);
    }

    fn send_reloading(&mut self, active: bool) {
        if let Some(n) = &self.notifier {
            if n.wanted() {
                let _ = n.send(super::control::Notification::Reloading { active });
            }
        }
    }
}
