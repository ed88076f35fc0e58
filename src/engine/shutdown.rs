//! Orderly stop on SIGTERM/SIGINT: close the listeners (removing RemoveOnStop=
//! nodes), send every child its KillSignal= (systemd.kill(5)), SIGKILL what is left
//! after TimeoutStopSec=, and let `run` return 0 once every child is reaped.

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use super::socket::SocketState;
use super::timers::Timer;
use super::Engine;
use crate::sys::socket::remove_node;
use crate::unit::KillMode;

impl Engine {
    pub(super) fn begin_shutdown(&mut self, sig: i32) {
        if self.stopping {
            return;
        }
        log::info!("Received signal {sig}, stopping.");
        self.stopping = true;
        for idx in 0..self.sockets.len() {
            self.set_polled(idx, false);
            let rt = &mut self.sockets[idx];
            rt.fds.clear();
            if rt.unit.options.remove_on_stop {
                for l in &rt.unit.listen {
                    remove_node(l);
                }
            }
            rt.state = SocketState::Dead;
        }
        for slot in 0..self.conns.len() {
            self.close_builtin_conn(slot);
        }
        let now = Instant::now();
        let mut latest = now;
        let pids: Vec<i32> = self.children.keys().copied().collect();
        for pid in pids {
            let child = &self.children[&pid];
            let sig = Signal::try_from(child.kill.kill_signal).unwrap_or(Signal::SIGTERM);
            send_stop_signal(pid, child.kill.kill_mode, sig);
            if child.kill.send_sighup {
                send_stop_signal(pid, child.kill.kill_mode, Signal::SIGHUP);
            }
            if let Some(d) = child.timeout_stop.to_duration().filter(|d| !d.is_zero()) {
                let at = now + d;
                latest = latest.max(at);
                self.timers.add(at, Timer::StopTimeout { pid });
            }
        }
        // Never wait forever for a child whose TimeoutStopSec= is infinity.
        self.timers
            .add(latest.max(now + Duration::from_secs(1)) + Duration::from_secs(5), Timer::ShutdownDeadline);
    }

    pub(super) fn stop_timeout(&mut self, pid: i32) {
        let Some(child) = self.children.get(&pid) else {
            return;
        };
        if !child.kill.send_sigkill {
            return;
        }
        log::warn!("Process {pid} did not stop in time, sending SIGKILL.");
        let sig = Signal::try_from(child.kill.final_kill_signal).unwrap_or(Signal::SIGKILL);
        send_stop_signal(pid, KillMode::ControlGroup, sig);
    }

    pub(super) fn shutdown_deadline(&mut self) {
        for &pid in self.children.keys() {
            send_stop_signal(pid, KillMode::ControlGroup, Signal::SIGKILL);
        }
    }
}

/// Children run in their own session, so their process group stands in for
/// systemd's cgroup: control-group kills the group, mixed and process only the
/// main process (mixed's SIGKILL stage goes to the group via `stop_timeout`).
fn send_stop_signal(pid: i32, mode: KillMode, sig: Signal) {
    match mode {
        KillMode::ControlGroup => {
            if killpg(Pid::from_raw(pid), sig).is_err() {
                let _ = kill(Pid::from_raw(pid), sig);
            }
        }
        KillMode::Mixed | KillMode::Process => {
            let _ = kill(Pid::from_raw(pid), sig);
        }
        KillMode::None => {}
    }
}
