//! Processes ending: control commands moving their phase on, the main process's exit
//! deciding between running on, restarting and failing (`SuccessExitStatus=`,
//! `Restart=`, systemd.service(5)), and the `$EXIT_CODE`/`$EXIT_STATUS` it leaves.

use nix::unistd::Pid;

use super::exec_plan::SpawnInputs;
use super::service::{ChildRole, Phase};
use super::service_stop::processes_left;
use super::services::read_pid_file;
use super::state::{now_usec, ServiceResult, ServiceState};
use super::Engine;
use crate::sys::signals::ExitStatus;
use crate::unit::{RestartPolicy, ServiceType, ServiceUnit};

impl Engine {
    // ------------------------------------------------------------- processes

    /// Run the next command of the current phase, or move to the next phase.
    pub(super) fn run_next_control(&mut self, name: &str) {
        let srv = self.services.get_mut(name).expect("exists");
        let Some(cmd) = srv.pending.pop_front() else {
            return self.phase_done(name);
        };
        let phase = srv.phase;
        if phase == Some(Phase::Start) {
            // Type=oneshot: every ExecStart= runs as the main process in turn.
            if let Err(e) = self.spawn_main(name, &cmd) {
                log::error!("{name}: Failed to start: {e}");
                self.services.get_mut(name).expect("exists").result = ServiceResult::Resources;
                self.enter_stop_post(name);
            }
            return;
        }
        let mut env: Vec<(&'static str, String)> = Vec::new();
        let srv = &self.services[name];
        if let Some(pid) = srv.main_pid {
            env.push(("MAINPID", pid.to_string()));
        }
        if phase == Some(Phase::StopPost) {
            env.push(("SERVICE_RESULT", srv.result.as_str().into()));
            let (code, status) = exit_code_env(srv.exec_main);
            if !code.is_empty() {
                env.push(("EXIT_CODE", code));
                env.push(("EXIT_STATUS", status));
            }
        }
        env.push(("INVOCATION_ID", srv.invocation_id.clone()));
        let unit = srv.unit.clone();
        match self.spawn_process(&SpawnInputs {
            exec: &unit.exec,
            command: &cmd,
            listen_fds: &[],
            stdio_socket: None,
            extra_env: &env,
            non_blocking: unit.non_blocking,
            new_session: true,
        }) {
            Ok(pid) => {
                let srv = self.services.get_mut(name).expect("exists");
                srv.control_pid = Some(pid);
                self.control_ignore.insert(pid, cmd.ignore_failure);
                self.children
                    .insert(pid, ChildRole::ServiceControl(name.to_string()));
            }
            Err(e) => {
                log::error!("{name}: Failed to run {}: {e}", cmd.path);
                let st = ExitStatus::Exited(203);
                self.control_exited(name, st, cmd.ignore_failure);
            }
        }
    }

    fn phase_done(&mut self, name: &str) {
        let phase = self.services[name].phase;
        match phase {
            Some(Phase::Condition) => self.enter_start_pre(name),
            Some(Phase::StartPre) => self.enter_main(name),
            Some(Phase::Start) => self.enter_start_post(name),
            Some(Phase::StartPost) => self.enter_running(name),
            Some(Phase::Reload) => {
                self.services.get_mut(name).expect("exists").phase = None;
                self.set_service_state(name, ServiceState::Running);
            }
            Some(Phase::Stop) => self.enter_sigterm(name),
            Some(Phase::StopPost) => self.enter_dead(name),
            None => {}
        }
    }

    fn control_exited(&mut self, name: &str, status: ExitStatus, ignore: bool) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        srv.control_pid = None;
        let ok = status == ExitStatus::Exited(0) || ignore;
        if ok {
            return self.run_next_control(name);
        }
        let result = result_of(status);
        match srv.phase {
            Some(Phase::Condition) => {
                // ExecCondition=: 1-254 skips the unit, 255 or a signal fails it.
                if matches!(status, ExitStatus::Exited(c) if (1..=254).contains(&c)) {
                    log::info!("{name}: Skipped due to 'exec-condition'.");
                    srv.stop_requested = true;
                    self.enter_dead(name);
                } else {
                    srv.result = result;
                    self.enter_dead(name);
                }
            }
            Some(Phase::StartPre) => {
                srv.result = result;
                log::warn!("{name}: Control process exited, {}", describe(status));
                self.enter_sigterm(name);
            }
            Some(Phase::StartPost) => {
                log::warn!("{name}: Control process exited, {}", describe(status));
                self.enter_stop(name, result);
            }
            Some(Phase::Reload) => {
                log::warn!("{name}: Reload failed: {}", describe(status));
                srv.phase = None;
                self.set_service_state(name, ServiceState::Running);
            }
            Some(Phase::Stop) => self.run_next_control(name),
            Some(Phase::StopPost) => self.run_next_control(name),
            Some(Phase::Start) | None => {}
        }
    }

    fn main_exited(&mut self, name: &str, status: ExitStatus) {
        let Some(srv) = self.services.get_mut(name) else {
            return;
        };
        srv.main_pid = None;
        srv.exec_main.exit = now_usec();
        let (code, st) = match status {
            ExitStatus::Exited(c) => (1, c),
            ExitStatus::Signaled(s, false) => (2, s),
            ExitStatus::Signaled(s, true) => (3, s),
        };
        srv.exec_main.code = code;
        srv.exec_main.status = st;
        let ignore = srv
            .unit
            .exec_start
            .first()
            .map(|c| c.ignore_failure)
            .unwrap_or(false);
        let ty = srv.unit.effective_type();
        let clean = is_clean(status, ty, &srv.unit.success_exit_status);
        let success = clean || ignore;
        if srv.instance_of.is_none() || !success {
            if success {
                log::info!("{name}: Main process exited, {}", describe(status));
            } else {
                log::warn!("{name}: Main process exited, {}", describe(status));
            }
        }
        let result = if success {
            ServiceResult::Success
        } else {
            result_of(status)
        };
        match srv.state {
            ServiceState::Start => match ty {
                ServiceType::Oneshot => {
                    if success {
                        self.run_next_control(name);
                    } else {
                        srv.result = result;
                        self.enter_sigterm(name);
                    }
                }
                ServiceType::Forking => {
                    if success {
                        let pid = srv.unit.pid_file.as_ref().and_then(|p| read_pid_file(p));
                        if let Some(pid) = pid {
                            srv.main_pid = Some(pid);
                            srv.main_pgid = nix::unistd::getpgid(Some(Pid::from_raw(pid)))
                                .ok()
                                .map(|p| p.as_raw());
                            self.children
                                .insert(pid, ChildRole::ServiceMain(name.to_string()));
                        }
                        self.enter_start_post(name);
                    } else {
                        srv.result = result;
                        self.enter_sigterm(name);
                    }
                }
                _ => {
                    // Type=notify died before READY=1.
                    srv.result = if success {
                        ServiceResult::Protocol
                    } else {
                        result
                    };
                    self.enter_sigterm(name);
                }
            },
            ServiceState::StartPost | ServiceState::Running | ServiceState::Reload => {
                if success && srv.unit.remain_after_exit && srv.state == ServiceState::Running {
                    self.set_service_state(name, ServiceState::Exited);
                } else if srv.state == ServiceState::StartPost {
                    // The main process may go while ExecStartPost= runs; the stop
                    // follows when the phase is done (enter_running).
                    if !success {
                        srv.result = result;
                    }
                } else {
                    self.enter_stop(name, result);
                }
            }
            ServiceState::StopSigterm | ServiceState::StopSigkill
                if !processes_left(None, srv.main_pgid) =>
            {
                self.enter_stop_post(name);
            }
            _ => {}
        }
    }

    pub(super) fn on_child_exited(&mut self, pid: i32, status: ExitStatus) {
        let Some(role) = self.children.remove(&pid) else {
            return;
        };
        match role {
            ChildRole::ServiceMain(name) => self.main_exited(&name, status),
            ChildRole::ServiceControl(name) => {
                let ignore = self.control_ignore.remove(&pid).unwrap_or(false);
                self.control_exited(&name, status, ignore)
            }
            ChildRole::Stray(_) => {}
            ChildRole::SocketControl(idx) => {
                let ignore = self.control_ignore.remove(&pid).unwrap_or(false);
                self.socket_control_exited(idx, status, ignore)
            }
        }
    }
}

/// systemd.service(5) SuccessExitStatus=: exit 0, the listed codes/signals, and for
/// non-oneshot services SIGHUP, SIGINT, SIGTERM and SIGPIPE are clean exits.
fn is_clean(status: ExitStatus, ty: ServiceType, extra: &crate::unit::ExitStatusSet) -> bool {
    match status {
        ExitStatus::Exited(0) => true,
        ExitStatus::Exited(c) => u8::try_from(c).is_ok_and(|c| extra.statuses.contains(&c)),
        ExitStatus::Signaled(s, _) => {
            extra.signals.contains(&s)
                || (ty != ServiceType::Oneshot
                    && matches!(
                        s,
                        libc::SIGHUP | libc::SIGINT | libc::SIGTERM | libc::SIGPIPE
                    ))
        }
    }
}

/// The Restart= table of systemd.service(5).
pub(super) fn should_restart(
    unit: &ServiceUnit,
    main: super::service::ExecMain,
    result: ServiceResult,
) -> bool {
    let code_in = |set: &crate::unit::ExitStatusSet| match main.code {
        1 => u8::try_from(main.status).is_ok_and(|c| set.statuses.contains(&c)),
        2 | 3 => set.signals.contains(&main.status),
        _ => false,
    };
    if code_in(&unit.restart_prevent_exit_status) {
        return false;
    }
    if code_in(&unit.restart_force_exit_status) {
        return true;
    }
    if result == ServiceResult::StartLimitHit {
        return false;
    }
    let clean = result == ServiceResult::Success;
    let unclean_signal = matches!(result, ServiceResult::Signal | ServiceResult::CoreDump);
    let abnormal =
        unclean_signal || matches!(result, ServiceResult::Timeout | ServiceResult::Watchdog);
    match unit.restart {
        RestartPolicy::No => false,
        RestartPolicy::Always => true,
        RestartPolicy::OnSuccess => clean,
        RestartPolicy::OnFailure => !clean,
        RestartPolicy::OnAbnormal => abnormal,
        RestartPolicy::OnAbort => unclean_signal,
        RestartPolicy::OnWatchdog => result == ServiceResult::Watchdog,
    }
}

fn result_of(status: ExitStatus) -> ServiceResult {
    match status {
        ExitStatus::Exited(_) => ServiceResult::ExitCode,
        ExitStatus::Signaled(_, true) => ServiceResult::CoreDump,
        ExitStatus::Signaled(..) => ServiceResult::Signal,
    }
}

/// `$EXIT_CODE`/`$EXIT_STATUS` for ExecStopPost= (systemd.exec(5)).
fn exit_code_env(main: super::service::ExecMain) -> (String, String) {
    match main.code {
        1 => ("exited".into(), main.status.to_string()),
        2 => (
            "killed".into(),
            crate::unit::values::signal_name(main.status)
                .unwrap_or("?")
                .trim_start_matches("SIG")
                .to_string(),
        ),
        3 => (
            "dumped".into(),
            crate::unit::values::signal_name(main.status)
                .unwrap_or("?")
                .trim_start_matches("SIG")
                .to_string(),
        ),
        _ => (String::new(), String::new()),
    }
}

pub(super) fn describe(status: ExitStatus) -> String {
    match status {
        ExitStatus::Exited(0) => "code=exited, status=0/SUCCESS".to_string(),
        ExitStatus::Exited(1) => "code=exited, status=1/FAILURE".to_string(),
        ExitStatus::Exited(c) => format!("code=exited, status={c}"),
        ExitStatus::Signaled(s, core) => format!(
            "code={}, signal={}",
            if core { "dumped" } else { "killed" },
            crate::unit::values::signal_name(s)
                .unwrap_or("?")
                .trim_start_matches("SIG")
        ),
    }
}
