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
        for srv in self.services.values_mut() {
            srv.state = super::state::ServiceState::Dead;
        }
    }
}
