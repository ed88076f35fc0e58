//! The settings groups of inetd units, stored once for all entries alike (issue #4:
//! idle RSS). A group is decided by a few entry fields (the spawn limit, the user and
//! group, `Accept=`), so an entry with the same fields as an earlier one takes that
//! entry's group as it is: it is neither built nor compared field by field, which
//! for a usual inetd.conf (every line alike) is most of what mapping a line cost.
//! A group not seen yet is built and goes through the `SharePool` as any unit's
//! would, so which units share a group is the same as without the memo.

use super::entry::{Entry, ServiceSpec};
use crate::unit::model::{
    BindIpv6Only, CollectMode, InstallSection, RateLimit, ServiceSettings, SocketSettings,
    StdInput, UnitSettings,
};
use crate::unit::sparse::{SharePool, SharedDefault, Sparse, SHARE_POOL_MAX};
use crate::unit::values::Usec;

/// The window of inetd's spawn-rate limit: N spawns per 60 s (inetd.md §1.9).
const RATE_WINDOW: Usec = Usec::from_secs(60);

/// How many groups a `SharePool` stores at most. While fewer groups than that went
/// through a pool, it stored or found each: the group it returned is the one it would
/// return for an equal group later, so only those are remembered.
const POOL_ROOM: usize = SHARE_POOL_MAX;

/// The pools, and the group each pool handed out per deciding fields.
#[derive(Default)]
pub(super) struct SharedGroups {
    install: Pool<InstallSection>,
    unit: Pool<UnitSettings>,
    service: Pool<ServiceSettings>,
    socket: Pool<SocketSettings>,
    sockets_target: Memo<(), InstallSection>,
    collect_inactive_or_failed: Memo<(), UnitSettings>,
    by_credentials: Memo<(String, Option<String>), ServiceSettings>,
    by_limits: Memo<SocketKey, SocketSettings>,
}

/// What decides the settings group of an inet socket (`socket_settings` writes
/// nothing else).
#[derive(Clone, Copy, PartialEq, Eq)]
struct SocketKey {
    bind_ipv6_only: BindIpv6Only,
    sndbuf: Option<u64>,
    rcvbuf: Option<u64>,
    burst: u32,
    max_connections: Option<u32>,
    max_connections_per_source: Option<u32>,
}

/// A `SharePool` and how many groups went through it.
struct Pool<T: SharedDefault> {
    pool: SharePool<T>,
    shared: usize,
}

impl<T: SharedDefault> Default for Pool<T> {
    fn default() -> Self {
        Pool {
            pool: SharePool::default(),
            shared: 0,
        }
    }
}

impl<T: SharedDefault + PartialEq> Pool<T> {
    /// `SharePool::share`, and whether the pool surely holds the group returned.
    fn share(&mut self, group: Sparse<T>) -> (Sparse<T>, bool) {
        let held = self.shared < POOL_ROOM;
        self.shared += 1;
        (self.pool.share(group), held)
    }
}

struct Memo<K, T: SharedDefault>(Vec<(K, Sparse<T>)>);

impl<K, T: SharedDefault> Default for Memo<K, T> {
    fn default() -> Self {
        Memo(Vec::new())
    }
}

impl<K, T: SharedDefault + PartialEq> Memo<K, T> {
    /// The group remembered for a key `is_key` accepts, else `build()` shared
    /// through `pool` and remembered under `key()`.
    fn get_or_share(
        &mut self,
        pool: &mut Pool<T>,
        is_key: impl Fn(&K) -> bool,
        key: impl FnOnce() -> K,
        build: impl FnOnce() -> Sparse<T>,
    ) -> Sparse<T> {
        if let Some((_, group)) = self.0.iter().find(|(k, _)| is_key(k)) {
            return group.clone();
        }
        let (group, held) = pool.share(build());
        if held {
            self.0.push((key(), group.clone()));
        }
        group
    }
}

impl SharedGroups {
    /// `[Install]` of every inetd socket: `WantedBy=sockets.target`.
    pub(super) fn socket_install(&mut self) -> Sparse<InstallSection> {
        self.sockets_target.get_or_share(
            &mut self.install,
            |_| true,
            || (),
            || {
                let mut install = Sparse::<InstallSection>::default();
                install.wanted_by = vec!["sockets.target".to_string()];
                install
            },
        )
    }

    /// The socket's settings: spawn limit, buffer sizes, connection limits and, on a
    /// unix socket, its owner and mode.
    pub(super) fn socket(
        &mut self,
        e: &Entry,
        bind_ipv6_only: BindIpv6Only,
        accept: bool,
        rate: Option<u32>,
        default_unix_mode: u32,
    ) -> Sparse<SocketSettings> {
        // inetd's N spawns per minute (entry `.N`, else the dialect's default; 0 = off)
        // as TriggerLimitIntervalSec=60s + TriggerLimitBurst=N. The engine treats the
        // trigger limit as a pause that recovers, like inetd's re-bind after 10 min.
        let key = SocketKey {
            bind_ipv6_only,
            sndbuf: e.protocol.sndbuf,
            rcvbuf: e.protocol.rcvbuf,
            burst: rate.unwrap_or(0),
            // FreeBSD `/C/R/P`: C max children, P max children per source (0 = off).
            max_connections: e.wait.max_child.filter(|n| accept && *n > 0),
            max_connections_per_source: e.wait.per_ip.filter(|n| accept && *n > 0),
        };
        let ServiceSpec::Unix {
            user, group, mode, ..
        } = &e.service
        else {
            return self.by_limits.get_or_share(
                &mut self.socket,
                |k| *k == key,
                || key,
                || socket_settings(key),
            );
        };
        // Unix sockets (few) are not remembered: their key would hold names.
        let mut s = socket_settings(key);
        s.options.socket_mode = mode.unwrap_or(default_unix_mode);
        s.options.socket_user = user.clone();
        s.options.socket_group = group.clone();
        self.socket.share(s).0
    }

    /// The service's settings: the entry's user and group, the socket as stdin
    /// (stdout and stderr default to inherit it; inetd.md §1.10).
    pub(super) fn service(&mut self, user: &str, group: Option<&str>) -> Sparse<ServiceSettings> {
        self.by_credentials.get_or_share(
            &mut self.service,
            |(u, g)| u == user && g.as_deref() == group,
            || (user.to_string(), group.map(str::to_string)),
            || {
                let mut s = Sparse::<ServiceSettings>::default();
                s.exec.user = Some(user.to_string());
                s.exec.group = group.map(str::to_string);
                // Without an explicit group: initgroups(user, pw_gid) for non-root users.
                s.exec.init_groups = group.is_none();
                s.exec.standard_input = StdInput::Socket;
                s
            },
        )
    }

    /// The service's `[Unit]` settings: an instance per connection is collected even
    /// when it failed.
    pub(super) fn service_unit(&mut self, accept: bool) -> Sparse<UnitSettings> {
        if !accept {
            return Sparse::default();
        }
        self.collect_inactive_or_failed.get_or_share(
            &mut self.unit,
            |_| true,
            || (),
            || {
                let mut s = Sparse::<UnitSettings>::default();
                s.collect_mode = CollectMode::InactiveOrFailed;
                s
            },
        )
    }
}

/// An inet socket's settings for `key`; only what differs from the defaults is
/// stored (unit::sparse).
fn socket_settings(key: SocketKey) -> Sparse<SocketSettings> {
    let mut s = Sparse::<SocketSettings>::default();
    if s.options.bind_ipv6_only != key.bind_ipv6_only {
        s.options.bind_ipv6_only = key.bind_ipv6_only;
    }
    if key.sndbuf.is_some() {
        s.options.send_buffer = key.sndbuf;
    }
    if key.rcvbuf.is_some() {
        s.options.receive_buffer = key.rcvbuf;
    }
    s.trigger_limit = Some(RateLimit {
        interval: RATE_WINDOW,
        burst: key.burst,
    });
    if let Some(n) = key.max_connections {
        s.max_connections = n;
    }
    if let Some(n) = key.max_connections_per_source {
        s.max_connections_per_source = n;
    }
    s
}
