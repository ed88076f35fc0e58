//! Runtime state of one service: a named service, or one Accept=yes instance.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::os::fd::OwnedFd;
use std::sync::Arc;

use super::control::ConditionRecord;
use super::ratelimit::RateLimiter;
use super::state::{ServiceResult, ServiceState, Timestamps};
use crate::unit::{ExecCommand, ServiceUnit};

/// Which Exec phase a control process belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Condition,
    StartPre,
    /// Type=oneshot: the ExecStart= commands run one after another as main processes.
    Start,
    StartPost,
    Reload,
    Stop,
    StopPost,
}

/// `ExecMain*` properties.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecMain {
    pub pid: i32,
    /// CLD_EXITED=1, CLD_KILLED=2, CLD_DUMPED=3 (0 = not exited yet).
    pub code: i32,
    pub status: i32,
    pub start: u64,
    pub exit: u64,
}

/// Outcome of a start's `Condition*=` and `Assert*=` lists, for status.
#[derive(Debug, Clone, Default)]
pub struct ConditionChecks {
    pub condition_result: bool,
    pub assert_result: bool,
    /// Realtime µs of the check.
    pub at: u64,
    pub conditions: Vec<ConditionRecord>,
    pub asserts: Vec<ConditionRecord>,
}

pub struct ServiceRuntime {
    pub name: String,
    /// The configuration this run uses (instantiated for templates; instances
    /// of a template without specifiers share one copy).
    pub unit: Arc<ServiceUnit>,
    /// Accept=yes over IP: the peer, which the instance's description names
    /// (`"<template Description> (<peer>)"`, as systemd's socket.c does). Kept
    /// raw: the description is only written out when someone asks for status.
    pub peer: Option<std::net::SocketAddr>,
    pub state: ServiceState,
    pub result: ServiceResult,
    pub main_pid: Option<i32>,
    /// Process group of the main process (kept after it exits, for leftovers).
    pub main_pgid: Option<i32>,
    pub control_pid: Option<i32>,
    pub phase: Option<Phase>,
    pub pending: VecDeque<ExecCommand>,
    /// Accept=yes: the socket that accepted the connection.
    pub instance_of: Option<usize>,
    /// Accept=yes: the connection, held until the main process has it.
    pub conn: Option<OwnedFd>,
    pub source: Option<IpAddr>,
    pub remote_env: Vec<(&'static str, String)>,
    /// Accept=no: sockets whose fds the service holds.
    pub holding: Vec<usize>,
    pub timestamps: Timestamps,
    pub n_restarts: u32,
    pub start_limit: RateLimiter,
    /// Bumped on every start/stop so stale timers are ignored.
    pub generation: u64,
    pub status_text: String,
    /// `ERRNO=` from the service (StatusErrno).
    pub status_errno: i32,
    pub exec_main: ExecMain,
    /// A stop was asked for (manual or shutdown): no Restart=.
    pub stop_requested: bool,
    /// ExecStart= finished successfully (so ExecStop= runs).
    pub started: bool,
    /// The stop path ends in a restart (activatorctl restart).
    pub restart_after_stop: bool,
    pub invocation_id: String,
    /// The last `Condition*=`/`Assert*=` check (units that have some; boxed, as
    /// few do and an Accept=yes instance is made per connection).
    pub checks: Option<Box<ConditionChecks>>,
    /// `FDSTORE=1` fds with their names, passed to the next main process.
    pub fd_store: Vec<(OwnedFd, String)>,
    pub watchdog_generation: u64,
    /// The start timeout of this start is armed.
    pub start_timeout_armed: bool,
}

impl ServiceRuntime {
    pub fn new(name: String, unit: impl Into<Arc<ServiceUnit>>) -> Self {
        let unit = unit.into();
        let start_limit = RateLimiter::default();
        ServiceRuntime {
            name,
            unit,
            peer: None,
            state: ServiceState::Dead,
            result: ServiceResult::Success,
            main_pid: None,
            main_pgid: None,
            control_pid: None,
            phase: None,
            pending: VecDeque::new(),
            instance_of: None,
            conn: None,
            source: None,
            remote_env: Vec::new(),
            holding: Vec::new(),
            timestamps: Timestamps::default(),
            n_restarts: 0,
            start_limit,
            generation: 0,
            status_text: String::new(),
            status_errno: 0,
            exec_main: ExecMain::default(),
            stop_requested: false,
            started: false,
            restart_after_stop: false,
            invocation_id: String::new(),
            checks: None,
            fd_store: Vec::new(),
            watchdog_generation: 0,
            start_timeout_armed: false,
        }
    }
}

/// Who a child process is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildRole {
    ServiceMain(String),
    ServiceControl(String),
    SocketControl(usize),
    /// A former main process (replaced through `MAINPID=`): only reaped.
    Stray(String),
}
