//! Unit states and results with systemd's names (systemd.md §7), and the
//! timestamps every transition records.

use std::time::SystemTime;

use serde::Serialize;

/// Service sub-states (systemd.md §7.2, the subset activator enters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ServiceState {
    Dead,
    Condition,
    StartPre,
    Start,
    StartPost,
    Running,
    Exited,
    Reload,
    Stop,
    StopSigterm,
    StopSigkill,
    StopPost,
    Failed,
    AutoRestart,
}

impl ServiceState {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::Dead => "dead",
            ServiceState::Condition => "condition",
            ServiceState::StartPre => "start-pre",
            ServiceState::Start => "start",
            ServiceState::StartPost => "start-post",
            ServiceState::Running => "running",
            ServiceState::Exited => "exited",
            ServiceState::Reload => "reload",
            ServiceState::Stop => "stop",
            ServiceState::StopSigterm => "stop-sigterm",
            ServiceState::StopSigkill => "stop-sigkill",
            ServiceState::StopPost => "stop-post",
            ServiceState::Failed => "failed",
            ServiceState::AutoRestart => "auto-restart",
        }
    }

    /// `ActiveState` of this sub-state.
    pub fn active_state(self) -> ActiveState {
        use ServiceState::*;
        match self {
            Dead => ActiveState::Inactive,
            Condition | StartPre | Start | StartPost | AutoRestart => ActiveState::Activating,
            Running | Exited => ActiveState::Active,
            Reload => ActiveState::Reloading,
            Stop | StopSigterm | StopSigkill | StopPost => ActiveState::Deactivating,
            Failed => ActiveState::Failed,
        }
    }

    /// Whether the start phase (TimeoutStartSec=) is running.
    pub fn is_starting(self) -> bool {
        matches!(
            self,
            ServiceState::Condition
                | ServiceState::StartPre
                | ServiceState::Start
                | ServiceState::StartPost
        )
    }

    /// Whether the stop phase (TimeoutStopSec=) is running.
    pub fn is_stopping(self) -> bool {
        matches!(
            self,
            ServiceState::Stop
                | ServiceState::StopSigterm
                | ServiceState::StopSigkill
                | ServiceState::StopPost
        )
    }
}

/// `ActiveState` (systemd.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActiveState {
    Active,
    Reloading,
    Inactive,
    Failed,
    Activating,
    Deactivating,
}

impl ActiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            ActiveState::Active => "active",
            ActiveState::Reloading => "reloading",
            ActiveState::Inactive => "inactive",
            ActiveState::Failed => "failed",
            ActiveState::Activating => "activating",
            ActiveState::Deactivating => "deactivating",
        }
    }
}

/// Service `Result` (systemd.md §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ServiceResult {
    Success,
    Resources,
    Protocol,
    Timeout,
    ExitCode,
    Signal,
    CoreDump,
    Watchdog,
    StartLimitHit,
}

impl ServiceResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceResult::Success => "success",
            ServiceResult::Resources => "resources",
            ServiceResult::Protocol => "protocol",
            ServiceResult::Timeout => "timeout",
            ServiceResult::ExitCode => "exit-code",
            ServiceResult::Signal => "signal",
            ServiceResult::CoreDump => "core-dump",
            ServiceResult::Watchdog => "watchdog",
            ServiceResult::StartLimitHit => "start-limit-hit",
        }
    }
}

/// Realtime µs of the last transitions (`ActiveEnterTimestamp`…); 0 = never.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Timestamps {
    pub state_change: u64,
    pub active_enter: u64,
    pub active_exit: u64,
    pub inactive_enter: u64,
    pub inactive_exit: u64,
}

pub fn now_usec() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

impl Timestamps {
    /// Record a transition between two active states (unit.c `unit_notify`).
    pub fn record(&mut self, old: ActiveState, new: ActiveState) {
        let now = now_usec();
        self.state_change = now;
        let is_active = |s: ActiveState| matches!(s, ActiveState::Active | ActiveState::Reloading);
        let is_inactive = |s: ActiveState| matches!(s, ActiveState::Inactive | ActiveState::Failed);
        if is_inactive(old) && !is_inactive(new) {
            self.inactive_exit = now;
        } else if !is_inactive(old) && is_inactive(new) {
            self.inactive_enter = now;
        }
        if !is_active(old) && is_active(new) {
            self.active_enter = now;
        } else if is_active(old) && !is_active(new) {
            self.active_exit = now;
        }
    }
}
