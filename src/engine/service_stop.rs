//! Stopping a service (systemd.md §7.2, systemd.kill(5)): `ExecStop=`, then the stop
//! signal to the main process or its process group (`KillMode=`), SIGKILL when
//! `TimeoutStopSec=` runs out, then `ExecStopPost=`.

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use super::service::Phase;
use super::state::{ServiceResult, ServiceState};
use super::timers::Timer;
use super::Engine;
use crate::unit::KillMode;

/// How often leftover processes are checked for during stop.
const GROUP_POLL: Duration = Duration::from_millis(20);

impl Engine {
    /// ExecStop= (only when the start succeeded), then the kill sequence.
    pub(super) fn enter_stop(&mut self, name: &str, result: ServiceResult) {
        let srv = self.services.get_mut(name).expect("exists");
        if srv.result == ServiceResult::Success {
            srv.result = result;
        }
        let timeout = srv.unit.timeout_stop;
        srv.pending = if srv.started {
            srv.unit.exec_stop.iter().cloned().collect()
        } else {
            Default::default()
        };
        srv.phase = Some(Phase::Stop);
        // Only a running ExecStop= needs the timer (no timer per connection).
        let waits = !srv.pending.is_empty();
        srv.generation += 1;
        self.set_service_state(name, ServiceState::Stop);
        if waits {
            self.arm_service_timeout(name, timeout);
        }
        self.run_next_control(name);
    }

    /// Send KillSignal= to what is left of the service (systemd.kill(5)).
    pub(super) fn enter_sigterm(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        let kill_ctx = srv.unit.kill.clone();
        let timeout = srv.unit.timeout_stop;
        let targets = (srv.main_pid, srv.main_pgid);
        self.set_service_state(name, ServiceState::StopSigterm);
        let sig = Signal::try_from(kill_ctx.kill_signal).unwrap_or(Signal::SIGTERM);
        if !signal_service(targets, kill_ctx.kill_mode, sig) {
            return self.enter_stop_post(name);
        }
        if kill_ctx.send_sighup {
            signal_service(targets, kill_ctx.kill_mode, Signal::SIGHUP);
        }
        self.arm_service_timeout(name, timeout);
        self.schedule_group_check(name);
    }

    pub(super) fn enter_sigkill(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        let kill_ctx = srv.unit.kill.clone();
        let targets = (srv.main_pid, srv.main_pgid);
        if !kill_ctx.send_sigkill {
            return self.enter_stop_post(name);
        }
        log::warn!("{name}: State 'stop-sigterm' timed out. Killing.");
        self.set_service_state(name, ServiceState::StopSigkill);
        let sig = Signal::try_from(kill_ctx.final_kill_signal).unwrap_or(Signal::SIGKILL);
        // mixed: the SIGKILL stage goes to the whole group (systemd.kill(5)).
        let mode = if kill_ctx.kill_mode == KillMode::Mixed {
            KillMode::ControlGroup
        } else {
            kill_ctx.kill_mode
        };
        if !signal_service(targets, mode, sig) {
            return self.enter_stop_post(name);
        }
        self.arm_service_timeout(name, crate::unit::values::Usec::from_secs(10));
        self.schedule_group_check(name);
    }

    pub(super) fn schedule_group_check(&mut self, name: &str) {
        let generation = self.services[name].generation;
        self.timers.add(
            Instant::now() + GROUP_POLL,
            Timer::GroupCheck {
                service: name.to_string(),
                generation,
            },
        );
    }

    pub(super) fn group_check(&mut self, name: &str, generation: u64) {
        let Some(srv) = self.services.get(name) else {
            return;
        };
        if srv.generation != generation
            || !matches!(
                srv.state,
                ServiceState::StopSigterm | ServiceState::StopSigkill
            )
        {
            return;
        }
        if processes_left(srv.main_pid, srv.main_pgid) {
            self.schedule_group_check(name);
        } else {
            self.enter_stop_post(name);
        }
    }

    pub(super) fn enter_stop_post(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        srv.main_pgid = None;
        if srv.unit.exec_stop_post.is_empty() {
            return self.enter_dead(name);
        }
        srv.pending = srv.unit.exec_stop_post.iter().cloned().collect();
        srv.phase = Some(Phase::StopPost);
        let timeout = srv.unit.timeout_stop;
        self.set_service_state(name, ServiceState::StopPost);
        self.arm_service_timeout(name, timeout);
        self.run_next_control(name);
    }
}

/// Signal the service's processes; false when there is nothing left to signal.
fn signal_service(targets: (Option<i32>, Option<i32>), mode: KillMode, sig: Signal) -> bool {
    let (main, pgid) = targets;
    match mode {
        KillMode::None => false,
        KillMode::Process | KillMode::Mixed => match main {
            Some(p) => kill(Pid::from_raw(p), sig).is_ok(),
            None => false,
        },
        KillMode::ControlGroup => {
            // Children run in their own session: the process group stands in for
            // systemd's cgroup.
            let group = pgid.is_some_and(|g| killpg(Pid::from_raw(g), sig).is_ok());
            let main = main.is_some_and(|p| kill(Pid::from_raw(p), sig).is_ok());
            group || main
        }
    }
}

/// Whether the main process or anything in its process group still runs.
pub(super) fn processes_left(main: Option<i32>, pgid: Option<i32>) -> bool {
    main.is_some_and(|p| kill(Pid::from_raw(p), None).is_ok())
        || pgid.is_some_and(|g| killpg(Pid::from_raw(g), None).is_ok())
}
