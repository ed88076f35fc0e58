//! Deadlines of the event loop: a min-heap of (instant, timer). Cancelled timers are
//! not removed; their owner checks a generation number when they fire.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// What a timer is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A paused listener (trigger/poll limit, accept() back-off) may resume.
    ResumeSocket { socket: usize, generation: u64 },
    /// `RestartSec=` elapsed for a service.
    /// `automatic`: Restart= (counted in NRestarts), not `activatorctl restart`.
    RestartService {
        service: String,
        generation: u64,
        automatic: bool,
    },
    /// The timeout of the service's current state (TimeoutStartSec=/TimeoutStopSec=).
    ServiceTimeout { service: String, generation: u64 },
    /// Poll whether a stopping service's processes are gone.
    GroupCheck { service: String, generation: u64 },
    /// The timeout of a socket's Exec command (TimeoutSec=).
    SocketTimeout { socket: usize, generation: u64 },
    /// WatchdogSec= passed without a `WATCHDOG=1`.
    Watchdog { service: String, generation: u64 },
    /// Shutdown deadline: SIGKILL whatever is left.
    ShutdownDeadline,
}

#[derive(Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64, Timer)>>,
    seq: u64,
}

impl Timers {
    pub fn add(&mut self, at: Instant, timer: Timer) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, timer)));
    }

    /// Milliseconds until the next deadline, for epoll_wait; None = no deadline.
    pub fn timeout_ms(&self, now: Instant) -> Option<u64> {
        self.heap.peek().map(|Reverse((at, _, _))| {
            let d = at.saturating_duration_since(now);
            // Round up so we never wake before the deadline and spin.
            (d + Duration::from_nanos(999_999)).as_millis() as u64
        })
    }

    /// Pop every timer due at `now`.
    pub fn expired(&mut self, now: Instant) -> Vec<Timer> {
        let mut due = Vec::new();
        while let Some(Reverse((at, _, _))) = self.heap.peek() {
            if *at > now {
                break;
            }
            if let Some(Reverse((_, _, t))) = self.heap.pop() {
                due.push(t);
            }
        }
        due
    }
}
