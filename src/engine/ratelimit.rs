//! A fixed-window rate limiter, systemd's `RateLimit` (src/basic/ratelimit.c):
//! at most `burst` events per `interval`, the window starting at the first event.
//!
//! Unlike systemd, hitting a trigger limit here pauses the listener until the window
//! ends instead of failing the socket for good (systemd #15633); see `engine::socket`.

use std::time::{Duration, Instant};

use crate::unit::RateLimit;

#[derive(Debug, Clone)]
pub struct RateLimiter {
    limit: RateLimit,
    window_start: Option<Instant>,
    count: u32,
    /// How many times the limit was hit since start (shown by status).
    pub hits: u64,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            window_start: None,
            count: 0,
            hits: 0,
        }
    }

    fn interval(&self) -> Duration {
        self.limit.interval.to_duration().unwrap_or(Duration::MAX)
    }

    /// Count one event at `now`; false when it is over the limit.
    pub fn test(&mut self, now: Instant) -> bool {
        if !self.limit.is_enabled() {
            return true;
        }
        match self.window_start {
            Some(start) if now.saturating_duration_since(start) < self.interval() => {}
            _ => {
                self.window_start = Some(now);
                self.count = 0;
            }
        }
        if self.count >= self.limit.burst {
            self.hits += 1;
            return false;
        }
        self.count += 1;
        true
    }

    /// When the current window ends (the moment a paused listener may resume).
    pub fn window_end(&self) -> Option<Instant> {
        self.window_start
            .and_then(|s| s.checked_add(self.interval()))
    }

    /// Replace the limit (reload) keeping the window.
    pub fn set_limit(&mut self, limit: RateLimit) {
        self.limit = limit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::values::Usec;

    #[test]
    fn burst_then_refuse_then_new_window() {
        let mut rl = RateLimiter::new(RateLimit {
            interval: Usec::from_secs(2),
            burst: 3,
        });
        let t0 = Instant::now();
        assert!(rl.test(t0) && rl.test(t0) && rl.test(t0));
        assert!(!rl.test(t0 + Duration::from_millis(10)));
        assert_eq!(rl.hits, 1);
        assert!(rl.test(t0 + Duration::from_secs(2)));
    }

    #[test]
    fn disabled_never_refuses() {
        let mut rl = RateLimiter::new(RateLimit {
            interval: Usec(0),
            burst: 1,
        });
        let t0 = Instant::now();
        assert!((0..1000).all(|_| rl.test(t0)));
    }
}
