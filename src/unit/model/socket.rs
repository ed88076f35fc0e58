//! The `.socket` unit: its `Listen*=` entries, socket options and settings
//! (systemd.socket(5)).

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Serialize;

use super::{
    Builtin, ExecCommand, ExecContext, InstallSection, KillContext, LoadState, RateLimit,
    UnitSection, UnitSource,
};
use crate::unit::sparse::Sparse;
use crate::unit::values::Usec;

/// A socket address as `ListenStream=`/`ListenDatagram=`/`ListenSequentialPacket=` take it
/// (systemd.socket(5) "ListenStream="; grammar in `unit::address`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum SocketAddress {
    /// IPv4 or IPv6 address and port. A bare port is `[::]:port` (dual-stack per
    /// `BindIPv6Only=`, falling back to `0.0.0.0:port` without IPv6).
    Ip {
        addr: SocketAddr,
        /// Interface name given after `%` for IPv6 scopes (`[fe80::1]:83%lo`).
        ifname: Option<String>,
        /// True when written as a bare port: bound as `[::]:port`, or `0.0.0.0:port`
        /// where the kernel has no IPv6.
        port_only: bool,
    },
    /// AF_UNIX filesystem socket.
    Unix(PathBuf),
    /// AF_UNIX abstract socket; the name without the leading `@`/NUL.
    Abstract(String),
    /// AF_VSOCK; `cid` None means any (`vsock::1234`).
    Vsock { cid: Option<u32>, port: u32 },
}

/// Netlink family and multicast group (`ListenNetlink=route 0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct NetlinkAddress {
    pub family: String,
    pub group: u32,
}

/// One `Listen*=` entry. A socket's entries form one ordered list across kinds, which is
/// the LISTEN_FDS order (systemd.socket(5)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Listen {
    Stream(SocketAddress),
    Datagram(SocketAddress),
    SequentialPacket(SocketAddress),
    Fifo(PathBuf),
    Special(PathBuf),
    Netlink(NetlinkAddress),
    MessageQueue(String),
    UsbFunction(PathBuf),
}

impl Listen {
    /// The type word of the D-Bus `Listen a(ss)` property and of `systemctl status`'s
    /// `Listen:` line: `Stream`, `Datagram`, `SequentialPacket`, `FIFO`, `Special`, `Netlink`,
    /// `MessageQueue`, `USBFunction`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Listen::Stream(_) => "Stream",
            Listen::Datagram(_) => "Datagram",
            Listen::SequentialPacket(_) => "SequentialPacket",
            Listen::Fifo(_) => "FIFO",
            Listen::Special(_) => "Special",
            Listen::Netlink(_) => "Netlink",
            Listen::MessageQueue(_) => "MessageQueue",
            Listen::UsbFunction(_) => "USBFunction",
        }
    }

    /// The directive that spells this entry (`ListenStream`).
    pub fn directive(&self) -> &'static str {
        match self {
            Listen::Stream(_) => "ListenStream",
            Listen::Datagram(_) => "ListenDatagram",
            Listen::SequentialPacket(_) => "ListenSequentialPacket",
            Listen::Fifo(_) => "ListenFIFO",
            Listen::Special(_) => "ListenSpecial",
            Listen::Netlink(_) => "ListenNetlink",
            Listen::MessageQueue(_) => "ListenMessageQueue",
            Listen::UsbFunction(_) => "ListenUSBFunction",
        }
    }

    /// Whether `Accept=yes` can accept() on it (stream and seqpacket sockets only).
    pub fn is_accepting(&self) -> bool {
        matches!(self, Listen::Stream(_) | Listen::SequentialPacket(_))
    }

    /// The socket address, for socket kinds.
    pub fn socket_address(&self) -> Option<&SocketAddress> {
        match self {
            Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => Some(a),
            _ => None,
        }
    }

    /// A filesystem node this entry creates (unix socket path or FIFO), if any.
    pub fn fs_path(&self) -> Option<&PathBuf> {
        match self {
            Listen::Stream(SocketAddress::Unix(p))
            | Listen::Datagram(SocketAddress::Unix(p))
            | Listen::SequentialPacket(SocketAddress::Unix(p))
            | Listen::Fifo(p) => Some(p),
            _ => None,
        }
    }
}

/// `BindIPv6Only=` (systemd.socket(5)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BindIpv6Only {
    #[default]
    Default,
    Both,
    Ipv6Only,
}

/// `Timestamping=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Timestamping {
    #[default]
    Off,
    Microseconds,
    Nanoseconds,
}

/// Options applied to listening fds (and, for `Accept=yes`, to each connection),
/// plus the filesystem-node options (systemd.socket(5) §Options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketOptions {
    pub bind_ipv6_only: BindIpv6Only,
    /// listen() backlog; systemd's default is "unlimited" (capped by somaxconn).
    pub backlog: u32,
    pub reuse_port: bool,
    pub free_bind: bool,
    pub transparent: bool,
    pub bind_to_device: Option<String>,
    pub keep_alive: bool,
    pub keep_alive_time: Option<Usec>,
    pub keep_alive_interval: Option<Usec>,
    pub keep_alive_probes: Option<u32>,
    pub no_delay: bool,
    pub defer_accept: Option<Usec>,
    pub receive_buffer: Option<u64>,
    pub send_buffer: Option<u64>,
    pub priority: Option<i32>,
    pub ip_tos: Option<i32>,
    pub ip_ttl: Option<i32>,
    pub mark: Option<i32>,
    pub broadcast: bool,
    pub pass_credentials: bool,
    pub pass_security: bool,
    pub pass_packet_info: bool,
    pub timestamping: Timestamping,
    pub tcp_congestion: Option<String>,
    pub pipe_size: Option<u64>,
    pub writable: bool,
    /// Owner of unix socket nodes and FIFOs (`SocketUser=`/`SocketGroup=`).
    pub socket_user: Option<String>,
    pub socket_group: Option<String>,
    /// `SocketMode=`, default 0666.
    pub socket_mode: u32,
    /// `DirectoryMode=`, default 0755.
    pub directory_mode: u32,
    pub remove_on_stop: bool,
    pub symlinks: Vec<PathBuf>,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            bind_ipv6_only: BindIpv6Only::Default,
            backlog: u32::MAX,
            reuse_port: false,
            free_bind: false,
            transparent: false,
            bind_to_device: None,
            keep_alive: false,
            keep_alive_time: None,
            keep_alive_interval: None,
            keep_alive_probes: None,
            no_delay: false,
            defer_accept: None,
            receive_buffer: None,
            send_buffer: None,
            priority: None,
            ip_tos: None,
            ip_ttl: None,
            mark: None,
            broadcast: false,
            pass_credentials: false,
            pass_security: false,
            pass_packet_info: false,
            timestamping: Timestamping::Off,
            tcp_congestion: None,
            pipe_size: None,
            writable: false,
            socket_user: None,
            socket_group: None,
            socket_mode: 0o666,
            directory_mode: 0o755,
            remove_on_stop: false,
            symlinks: Vec::new(),
        }
    }
}

/// A `.socket` unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketUnit {
    /// Full unit name, `foo.socket`.
    pub name: String,
    pub source: UnitSource,
    pub load_state: LoadState,
    pub unit: UnitSection,
    pub install: Sparse<InstallSection>,
    /// Every `Listen*=` in file order (the LISTEN_FDS order).
    pub listen: Vec<Listen>,
    pub accept: bool,
    /// Everything else: a group most sockets leave at its defaults, and that
    /// sockets built alike share (every socket of an inetd.conf with the same spawn
    /// limit). The socket derefs to it, so `socket.service` reads as before.
    #[serde(flatten)]
    pub settings: Sparse<SocketSettings>,
    /// Activator extension: run this service inside the daemon instead of a service unit.
    pub builtin: Option<Builtin>,
}

/// The settings of a `.socket` unit other than its name, source, sections,
/// `Listen*=`, `Accept=` and built-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketSettings {
    /// Explicit `Service=`; None means `<prefix>.service` (Accept=no) or the
    /// template `<prefix>@.service` (Accept=yes).
    pub service: Option<String>,
    /// `MaxConnections=`, default 64.
    pub max_connections: u32,
    /// `MaxConnectionsPerSource=`, 0 = off.
    pub max_connections_per_source: u32,
    /// `TriggerLimitIntervalSec=`/`TriggerLimitBurst=`; None means systemd's default
    /// for the Accept= mode (2s/20 or 2s/200), resolved by `trigger_limit()`.
    pub trigger_limit: Option<RateLimit>,
    /// `PollLimitIntervalSec=`/`PollLimitBurst=`; None means the default (2s/15 or 2s/150).
    pub poll_limit: Option<RateLimit>,
    pub flush_pending: bool,
    /// `FileDescriptorName=`; None means the default (unit name, or `connection`).
    pub file_descriptor_name: Option<String>,
    /// `TimeoutSec=` for the socket's own commands, default 90s; 0 = none.
    pub timeout: Usec,
    pub exec_start_pre: Sparse<Vec<ExecCommand>>,
    pub exec_start_post: Sparse<Vec<ExecCommand>>,
    pub exec_stop_pre: Sparse<Vec<ExecCommand>>,
    pub exec_stop_post: Sparse<Vec<ExecCommand>>,
    pub options: Sparse<SocketOptions>,
    /// Exec settings of the socket's own commands.
    pub exec: Sparse<ExecContext>,
    pub kill: Sparse<KillContext>,
}

impl Default for SocketSettings {
    fn default() -> Self {
        SocketSettings {
            service: None,
            max_connections: 64,
            max_connections_per_source: 0,
            trigger_limit: None,
            poll_limit: None,
            flush_pending: false,
            file_descriptor_name: None,
            timeout: Usec::from_secs(90),
            exec_start_pre: Sparse::default(),
            exec_start_post: Sparse::default(),
            exec_stop_pre: Sparse::default(),
            exec_stop_post: Sparse::default(),
            options: Sparse::default(),
            exec: Sparse::default(),
            kill: Sparse::default(),
        }
    }
}

derefs_to_settings!(SocketUnit => SocketSettings);

impl SocketUnit {
    pub fn new(name: impl Into<String>) -> Self {
        SocketUnit {
            name: name.into(),
            source: UnitSource::default(),
            load_state: LoadState::Loaded,
            unit: UnitSection::default(),
            install: Sparse::default(),
            listen: Vec::new(),
            accept: false,
            settings: Sparse::default(),
            builtin: None,
        }
    }

    /// Unit name without the `.socket` suffix.
    pub fn prefix_name(&self) -> &str {
        self.name.strip_suffix(".socket").unwrap_or(&self.name)
    }

    /// The service this socket activates: `Service=`, or `<name>.service`
    /// (Accept=no), or the template `<prefix>@.service` (Accept=yes).
    pub fn service_name(&self) -> String {
        if let Some(s) = &self.service {
            return s.clone();
        }
        // Asked for every socket at load and start: one allocation, no formatter.
        if self.accept {
            // systemd: the template is named after the socket's prefix (before any '@').
            let base = self.prefix_name();
            [base.split('@').next().unwrap_or(base), "@.service"].concat()
        } else {
            [self.prefix_name(), ".service"].concat()
        }
    }

    /// Whether this socket hands its fds to `service` when traffic arrives
    /// (Accept=no and not a built-in; `Sockets=` on the service side aside).
    pub fn activates(&self, service: &str) -> bool {
        !self.accept && self.builtin.is_none() && self.service_name() == service
    }

    /// Effective trigger limit (systemd.socket(5) TriggerLimitIntervalSec=).
    pub fn trigger_limit(&self) -> RateLimit {
        self.trigger_limit.unwrap_or(RateLimit {
            interval: Usec::from_secs(2),
            burst: if self.accept { 200 } else { 20 },
        })
    }

    /// Effective poll limit (systemd.socket(5) PollLimitIntervalSec=, v255+).
    pub fn poll_limit(&self) -> RateLimit {
        self.poll_limit.unwrap_or(RateLimit {
            interval: Usec::from_secs(2),
            burst: if self.accept { 150 } else { 15 },
        })
    }

    /// Effective fd name for `LISTEN_FDNAMES`.
    pub fn fd_name(&self) -> String {
        match &self.file_descriptor_name {
            Some(n) => n.clone(),
            None if self.accept => "connection".to_string(),
            None => self.name.clone(),
        }
    }
}
