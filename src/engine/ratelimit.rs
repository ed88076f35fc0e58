//! A fixed-window rate limiter, systemd's `RateLimit` (src/basic/ratelimit.c):
//! at most `burst` events per `interval`, the window starting at the first event.
//!
//! Unlike systemd, hitting a trigger limit here pauses the listener until the window
//! ends instead of failing the socket for good (systemd #15633); see `engine::socket`.

use std::time::{Duration, Instant};

use crate::unit::RateLimit;

/// The window's state; the limit itself is read from the unit at each test, so
/// a reload that changes it applies at once and the window is kept (and a
/// socket's three limiters cost 24 bytes each: issue #4, idle RSS).
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    window_start: Option<Instant>,
    count: u32,
}

fn interval(limit: RateLimit) -> Duration {
    limit.interval.to_duration().unwrap_or(Duration::MAX)
}

impl RateLimiter {
    /// Count one event at `now` against `limit`; false when it is over the limit.
    pub fn test(&mut self, limit: RateLimit, now: Instant) -> bool {
        if !limit.is_enabled() {
            return true;
        }
        match self.window_start {
            Some(start) if now.saturating_duration_since(start) < interval(limit) => {}
            _ => {
                self.window_start = Some(now);
                self.count = 0;
            }
        }
        if self.count >= limit.burst {
            return false;
        }
        self.count += 1;
        true
    }

    /// When the current window of `limit` ends (the moment a paused listener may
    /// resume).
    pub fn window_end(&self, limit: RateLimit) -> Option<Instant> {
        self.window_start
            .and_then(|s| s.checked_add(interval(limit)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::values::Usec;

    #[test]
    fn burst_then_refuse_then_new_window() {
        let limit = RateLimit {
            interval: Usec::from_secs(2),
            burst: 3,
        };
        let mut rl = RateLimiter::default();
        let t0 = Instant::now();
        assert!(rl.test(limit, t0) && rl.test(limit, t0) && rl.test(limit, t0));
        assert!(!rl.test(limit, t0 + Duration::from_millis(10)));
        assert_eq!(rl.window_end(limit), Some(t0 + Duration::from_secs(2)));
        assert!(rl.test(limit, t0 + Duration::from_secs(2)));
    }

    #[test]
    fn disabled_never_refuses() {
        let limit = RateLimit {
            interval: Usec(0),
            burst: 1,
        };
        let mut rl = RateLimiter::default();
        let t0 = Instant::now();
        assert!((0..1000).all(|_| rl.test(limit, t0)));
    }
}
