//! Runtime state of one socket unit: its open fds, its state (systemd's socket
//! sub-states, systemd.md §7.1), counters and limits.

use std::net::IpAddr;
use std::os::fd::OwnedFd;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::ratelimit::RateLimiter;
use super::state::{ActiveState, Timestamps};
use crate::unit::SocketUnit;

/// Socket sub-state (systemd's `SubState` for sockets, subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SocketState {
    Dead,
    /// ExecStartPre= running (fds not open yet).
    StartPre,
    /// ExecStartPost= running (fds open, not polled yet).
    StartPost,
    Listening,
    /// Accept=no: the service owns the fds; we do not poll them.
    Running,
    /// Not polled for a while (trigger limit or accept() back-off); resumes by itself.
    Paused,
    /// ExecStopPre= running (fds still open).
    StopPre,
    /// ExecStopPost= running (fds closed).
    StopPost,
    Failed,
}

impl SocketState {
    /// `ActiveState` for this sub-state.
    pub fn active_state(self) -> ActiveState {
        match self {
            SocketState::Dead => ActiveState::Inactive,
            SocketState::StartPre | SocketState::StartPost => ActiveState::Activating,
            SocketState::Listening | SocketState::Running | SocketState::Paused => {
                ActiveState::Active
            }
            SocketState::StopPre | SocketState::StopPost => ActiveState::Deactivating,
            SocketState::Failed => ActiveState::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SocketState::Dead => "dead",
            SocketState::StartPre => "start-pre",
            SocketState::StartPost => "start-post",
            SocketState::StopPre => "stop-pre",
            SocketState::StopPost => "stop-post",
            SocketState::Listening => "listening",
            SocketState::Running => "running",
            SocketState::Paused => "paused",
            SocketState::Failed => "failed",
        }
    }
}

/// Why a socket stopped or failed (`Result` property).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SocketResult {
    Success,
    Resources,
    Timeout,
    ExitCode,
    Signal,
    CoreDump,
    StartLimitHit,
    ServiceStartLimitHit,
}

impl SocketResult {
    pub fn as_str(self) -> &'static str {
        match self {
            SocketResult::Success => "success",
            SocketResult::Resources => "resources",
            SocketResult::Timeout => "timeout",
            SocketResult::ExitCode => "exit-code",
            SocketResult::Signal => "signal",
            SocketResult::CoreDump => "core-dump",
            SocketResult::StartLimitHit => "start-limit-hit",
            SocketResult::ServiceStartLimitHit => "service-start-limit-hit",
        }
    }
}

pub struct SocketRuntime {
    /// The definition; replace it with `set_unit` so `service` follows.
    pub unit: std::sync::Arc<SocketUnit>,
    /// `unit.service_name()`, kept: Accept=yes needs it once per connection.
    pub service: String,
    /// One fd per `unit.listen` entry, same order (the LISTEN_FDS order).
    pub fds: Vec<OwnedFd>,
    pub state: SocketState,
    pub result: SocketResult,
    /// Whether the fds are currently in the epoll set.
    pub polled: bool,
    pub n_accepted: u64,
    pub n_connections: u32,
    pub n_refused: u64,
    /// `unit.trigger_limit()`'s window.
    pub trigger: RateLimiter,
    /// `PollLimitIntervalSec=`/`PollLimitBurst=`'s window, when set in the unit.
    pub poll: RateLimiter,
    /// Open connections by source address (FxHash: counted per connection; no
    /// more entries than `MaxConnections=`).
    pub per_source: FxHashMap<IpAddr, u32>,
    /// Bumped whenever a resume timer must be invalidated.
    pub generation: u64,
    /// Local ports of the built-in's sockets (UDP loop protection).
    pub own_ports: Vec<u16>,
    pub timestamps: Timestamps,
    /// Times a rate limit paused the socket.
    pub n_paused: u32,
    /// Remaining commands of the current Exec phase, and the running one's pid.
    pub pending: std::collections::VecDeque<crate::unit::ExecCommand>,
    pub control_pid: Option<i32>,
    /// Realtime µs when the unit was last started (for the start limit).
    pub start_limit: RateLimiter,
}

impl SocketRuntime {
    /// The local ports of the fds, kept for built-ins only: they answer datagrams
    /// themselves and must not answer their own ports (UDP loop guard).
    pub fn refresh_own_ports(&mut self) {
        use std::os::fd::AsFd;
        self.own_ports = if self.unit.builtin.is_some() {
            self.fds
                .iter()
                .filter_map(|fd| match crate::sys::socket::local_address(fd.as_fd()) {
                    Some(crate::sys::socket::SockName::Ip(a)) => Some(a.port()),
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
    }

    /// A new definition (reload), with the derived service name.
    pub fn set_unit(&mut self, unit: std::sync::Arc<SocketUnit>) {
        self.service = unit.service_name();
        self.unit = unit;
    }

    pub fn new(unit: std::sync::Arc<SocketUnit>) -> Self {
        SocketRuntime {
            poll: RateLimiter::default(),
            start_limit: RateLimiter::default(),
            service: unit.service_name(),
            unit,
            fds: Vec::new(),
            state: SocketState::Dead,
            result: SocketResult::Success,
            polled: false,
            n_accepted: 0,
            n_connections: 0,
            n_refused: 0,
            trigger: RateLimiter::default(),
            per_source: FxHashMap::default(),
            generation: 0,
            own_ports: Vec::new(),
            timestamps: Timestamps::default(),
            n_paused: 0,
            pending: Default::default(),
            control_pid: None,
        }
    }
}
