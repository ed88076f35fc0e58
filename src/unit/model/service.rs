//! The `.service` unit and its settings (systemd.service(5)).

use std::path::PathBuf;

use serde::Serialize;

use super::{
    ExecCommand, ExecContext, InstallSection, KillContext, LoadState, UnitSection, UnitSource,
};
use crate::unit::sparse::Sparse;
use crate::unit::values::Usec;

/// `Type=` of a service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceType {
    #[default]
    Simple,
    Exec,
    Forking,
    Oneshot,
    Notify,
    NotifyReload,
    Dbus,
    Idle,
}

impl ServiceType {
    /// The `Type=` word.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::Simple => "simple",
            ServiceType::Exec => "exec",
            ServiceType::Forking => "forking",
            ServiceType::Oneshot => "oneshot",
            ServiceType::Notify => "notify",
            ServiceType::NotifyReload => "notify-reload",
            ServiceType::Dbus => "dbus",
            ServiceType::Idle => "idle",
        }
    }
}

/// `Restart=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    #[default]
    No,
    OnSuccess,
    OnFailure,
    OnAbnormal,
    OnWatchdog,
    OnAbort,
    Always,
}

impl RestartPolicy {
    /// The `Restart=` word.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::No => "no",
            RestartPolicy::OnSuccess => "on-success",
            RestartPolicy::OnFailure => "on-failure",
            RestartPolicy::OnAbnormal => "on-abnormal",
            RestartPolicy::OnWatchdog => "on-watchdog",
            RestartPolicy::OnAbort => "on-abort",
            RestartPolicy::Always => "always",
        }
    }
}

/// `NotifyAccess=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotifyAccess {
    #[default]
    None,
    Main,
    Exec,
    All,
}

/// An exit-status list (`SuccessExitStatus=`, `RestartPreventExitStatus=`…):
/// exit codes and signal numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExitStatusSet {
    pub statuses: Vec<u8>,
    pub signals: Vec<i32>,
}

/// A `.service` unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceUnit {
    /// Full unit name: `foo.service`, or a template `foo@.service`.
    pub name: String,
    pub source: UnitSource,
    pub load_state: LoadState,
    pub unit: UnitSection,
    pub install: Sparse<InstallSection>,
    /// `Type=`; None means the default (simple with ExecStart=, else oneshot).
    pub service_type: Option<ServiceType>,
    pub exec_start: Vec<ExecCommand>,
    /// Everything else: a group that services built alike share (every inetd
    /// service with the same user and limits). The service derefs to it, so
    /// `service.exec.user` reads as before.
    #[serde(flatten)]
    pub settings: Sparse<ServiceSettings>,
}

/// The settings of a `.service` unit other than its name, source, sections,
/// `Type=` and `ExecStart=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceSettings {
    pub exec_start_pre: Sparse<Vec<ExecCommand>>,
    pub exec_start_post: Sparse<Vec<ExecCommand>>,
    pub exec_condition: Sparse<Vec<ExecCommand>>,
    pub exec_reload: Sparse<Vec<ExecCommand>>,
    pub exec_stop: Sparse<Vec<ExecCommand>>,
    pub exec_stop_post: Sparse<Vec<ExecCommand>>,
    pub remain_after_exit: bool,
    pub restart: RestartPolicy,
    /// `RestartSec=`, default 100ms.
    pub restart_sec: Usec,
    pub restart_prevent_exit_status: Sparse<ExitStatusSet>,
    pub restart_force_exit_status: Sparse<ExitStatusSet>,
    pub success_exit_status: Sparse<ExitStatusSet>,
    /// `TimeoutStartSec=`; None means the default (90s; infinity for oneshot).
    pub timeout_start: Option<Usec>,
    /// `TimeoutStopSec=`, default 90s.
    pub timeout_stop: Usec,
    /// `WatchdogSec=`, 0 = off.
    pub watchdog: Usec,
    /// `NotifyAccess=`; None means the default (main for notify/watchdog/fd store, else none).
    pub notify_access: Option<NotifyAccess>,
    pub pid_file: Sparse<Option<PathBuf>>,
    /// `Sockets=`: extra socket units whose fds this service receives.
    pub sockets: Sparse<Vec<String>>,
    pub non_blocking: bool,
    pub file_descriptor_store_max: u32,
    pub exec: Sparse<ExecContext>,
    pub kill: KillContext,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            exec_start_pre: Sparse::default(),
            exec_start_post: Sparse::default(),
            exec_condition: Sparse::default(),
            exec_reload: Sparse::default(),
            exec_stop: Sparse::default(),
            exec_stop_post: Sparse::default(),
            remain_after_exit: false,
            restart: RestartPolicy::No,
            restart_sec: Usec::from_millis(100),
            restart_prevent_exit_status: Sparse::default(),
            restart_force_exit_status: Sparse::default(),
            success_exit_status: Sparse::default(),
            timeout_start: None,
            timeout_stop: Usec::from_secs(90),
            watchdog: Usec(0),
            notify_access: None,
            pid_file: Sparse::default(),
            sockets: Sparse::default(),
            non_blocking: false,
            file_descriptor_store_max: 0,
            exec: Sparse::default(),
            kill: KillContext::default(),
        }
    }
}

derefs_to_settings!(ServiceUnit => ServiceSettings);

impl ServiceUnit {
    pub fn new(name: impl Into<String>) -> Self {
        ServiceUnit {
            name: name.into(),
            source: UnitSource::default(),
            load_state: LoadState::Loaded,
            unit: UnitSection::default(),
            install: Sparse::default(),
            service_type: None,
            exec_start: Vec::new(),
            settings: Sparse::default(),
        }
    }

    /// Effective `Type=` (systemd.service(5): simple if ExecStart= is set, else oneshot).
    pub fn effective_type(&self) -> ServiceType {
        self.service_type.unwrap_or(if self.exec_start.is_empty() {
            ServiceType::Oneshot
        } else {
            ServiceType::Simple
        })
    }

    /// Effective `TimeoutStartSec=` (oneshot: infinity by default).
    pub fn effective_timeout_start(&self) -> Usec {
        match self.timeout_start {
            Some(t) => t,
            None if self.effective_type() == ServiceType::Oneshot => Usec::INFINITY,
            None => Usec::from_secs(90),
        }
    }

    /// Effective `NotifyAccess=`.
    pub fn effective_notify_access(&self) -> NotifyAccess {
        match self.notify_access {
            Some(a) => a,
            None if matches!(
                self.effective_type(),
                ServiceType::Notify | ServiceType::NotifyReload
            ) || self.watchdog.0 > 0
                || self.file_descriptor_store_max > 0 =>
            {
                NotifyAccess::Main
            }
            None => NotifyAccess::None,
        }
    }

    /// True for `foo@.service`.
    pub fn is_template(&self) -> bool {
        self.name.contains("@.")
    }
}
