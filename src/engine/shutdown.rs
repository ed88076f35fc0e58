//! Orderly stop on SIGTERM/SIGINT: every service goes through its stop sequence
//! (ExecStop=, KillSignal=, SIGKILL after TimeoutStopSec=, ExecStopPost=), every
//! socket closes (removing RemoveOnStop= nodes), and `run` returns 0 once nothing
//! is left. A deadline SIGKILLs whatever ignores all of that.

use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use super::timers::Timer;
use super::Engine;

impl Engine {
    pub(super) fn begin_shutdown(&mut self, sig: i32) {
        if self.stopping {
            return;
        }
        log::info!("Received signal {sig}, stopping.");
        self.stopping = true;
        if let Some(s) = &self.supervisor {
            s.stopping();
        }
        // The main program gets the very signal we got (tini forwards it), the
        // other services their KillSignal=.
        if let Some(main) = self.main_service.clone() {
            if let Some(srv) = self.services.get_mut(&main) {
                std::sync::Arc::make_mut(&mut srv.unit).kill.kill_signal = sig;
            }
        }
        for idx in 0..self.sockets.len() {
            self.stop_socket(idx);
        }
        for slot in 0..self.conns.len() {
            self.close_builtin_conn(slot);
        }
        let names: Vec<String> = self.services.keys().cloned().collect();
        let mut latest = Duration::from_secs(0);
        for name in names {
            let t = self.services[&name]
                .unit
                .timeout_stop
                .to_duration()
                .unwrap_or(Duration::from_secs(90));
            latest = latest.max(t);
            self.stop_service(&name);
        }
        // Two stop timeouts (stop, then sigterm) plus slack: never wait forever.
        self.timers.add(
            Instant::now() + latest * 2 + Duration::from_secs(5),
            Timer::ShutdownDeadline,
        );
    }

    /// Whether the orderly stop is complete.
    pub(super) fn shutdown_complete(&self) -> bool {
        self.stopping
            && self.children.is_empty()
            && self
                .services
                .values()
                .all(|s| !s.state.is_stopping() && !s.state.is_starting())
    }

    pub(super) fn shutdown_deadline(&mut self) {
        for &pid in self.children.keys() {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        self.children.clear();
        let names: Vec<String> = self.services.keys().cloned().collect();
        for name in names {
            self.set_service_state(&name, super::state::ServiceState::Dead);
        }
    }
}

impl Engine {
    /// Start `argv` as the main program (`activatord --init -- CMD ARGS...`).
    pub(super) fn start_main_program(&mut self, argv: Vec<String>) {
        let Some(path) = argv.first().cloned() else {
            return;
        };
        let mut unit = crate::unit::ServiceUnit::new(super::MAIN_SERVICE);
        unit.unit.description = Some(format!("Main program {path}").into());
        unit.exec_start = vec![crate::unit::ExecCommand {
            path,
            argv,
            no_env_expand: true,
            ..Default::default()
        }];
        // The container's stdio and terminal; signals to the program itself, the
        // SIGKILL stage to what it left behind (KillMode=mixed).
        unit.exec.standard_input = crate::unit::StdInput::Tty;
        unit.exec.standard_output = crate::unit::StdOutput::Inherit;
        unit.exec.standard_error = crate::unit::StdOutput::Inherit;
        unit.kill.kill_mode = crate::unit::KillMode::Mixed;
        unit.timeout_stop = crate::unit::values::Usec::from_secs(10);
        self.units
            .services
            .insert(super::MAIN_SERVICE.to_string(), std::sync::Arc::new(unit));
        self.main_service = Some(super::MAIN_SERVICE.to_string());
        self.start_service(super::MAIN_SERVICE, None);
    }

    /// Forward a signal to the main program, if there is one running.
    pub(super) fn forward_to_main(&mut self, sig: i32) {
        let pid = self
            .main_service
            .as_ref()
            .and_then(|m| self.services.get(m))
            .and_then(|s| s.main_pid);
        match (pid, Signal::try_from(sig)) {
            (Some(pid), Ok(sig)) => {
                let _ = nix::sys::signal::kill(Pid::from_raw(pid), sig);
            }
            _ => log::debug!("ignoring signal {sig}"),
        }
    }

    /// The main program ended: record its status (tini's convention: the exit
    /// code, or 128+signal) and stop everything.
    pub(super) fn main_program_ended(&mut self, name: &str) {
        if self.main_service.as_deref() != Some(name) {
            return;
        }
        let Some(srv) = self.services.get(name) else {
            return;
        };
        self.exit_code = match srv.exec_main.code {
            1 => srv.exec_main.status,
            2 | 3 => 128 + srv.exec_main.status,
            _ => 1,
        };
        log::info!(
            "Main program exited, stopping (exit status {}).",
            self.exit_code
        );
        self.begin_shutdown(libc::SIGTERM);
    }
}
