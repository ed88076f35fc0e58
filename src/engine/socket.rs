//! Runtime state of one socket unit: its open fds, its state (systemd's socket
//! sub-states, systemd.md §7.1), counters and limits.

use std::collections::HashMap;
use std::net::IpAddr;
use std::os::fd::OwnedFd;

use serde::Serialize;

use super::ratelimit::RateLimiter;
use crate::unit::SocketUnit;

/// Socket sub-state (systemd's `SubState` for sockets, subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SocketState {
    Dead,
    Listening,
    /// Accept=no: the service owns the fds; we do not poll them.
    Running,
    /// Not polled for a while (trigger limit or accept() back-off); resumes by itself.
    Paused,
    Failed,
}

impl SocketState {
    /// `ActiveState` for this sub-state.
    pub fn active_state(self) -> &'static str {
        match self {
            SocketState::Dead => "inactive",
            SocketState::Listening | SocketState::Running | SocketState::Paused => "active",
            SocketState::Failed => "failed",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SocketState::Dead => "dead",
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
    ServiceStartLimitHit,
}

pub struct SocketRuntime {
    pub unit: SocketUnit,
    /// One fd per `unit.listen` entry, same order (the LISTEN_FDS order).
    pub fds: Vec<OwnedFd>,
    pub state: SocketState,
    pub result: SocketResult,
    /// Whether the fds are currently in the epoll set.
    pub polled: bool,
    pub n_accepted: u64,
    pub n_connections: u32,
    pub n_refused: u64,
    pub trigger: RateLimiter,
    pub per_source: HashMap<IpAddr, u32>,
    /// Bumped whenever a resume timer must be invalidated.
    pub generation: u64,
    /// Local ports of the built-in's sockets (UDP loop protection).
    pub own_ports: Vec<u16>,
}

impl SocketRuntime {
    pub fn new(unit: SocketUnit) -> Self {
        let trigger = RateLimiter::new(unit.trigger_limit());
        SocketRuntime {
            unit,
            fds: Vec::new(),
            state: SocketState::Dead,
            result: SocketResult::Success,
            polled: false,
            n_accepted: 0,
            n_connections: 0,
            n_refused: 0,
            trigger,
            per_source: HashMap::new(),
            generation: 0,
            own_ports: Vec::new(),
        }
    }
}
