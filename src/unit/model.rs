//! The typed configuration: what a `.socket` or `.service` means once parsed.
//!
//! This is the one model of the project. Unit files (`unit::loader`) and inetd.conf
//! (`inetd`) both produce these types; the engine only ever sees them and never
//! knows which file a unit came from. Defaults are systemd's (systemd.socket(5),
//! systemd.service(5), systemd.exec(5), systemd.kill(5)).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::sparse::Sparse;
use super::values::Usec;

crate::shared_default!(
    UnitSettings,
    ServiceSettings,
    SocketSettings,
    UnitDeps,
    InstallSection,
    SocketOptions,
    ExecContext,
    KillContext,
    ExitStatusSet,
    Vec<ExecCommand>,
    Vec<String>,
    Vec<PathBuf>,
    Vec<EnvironmentFile>,
    Vec<(Resource, ResourceLimit)>,
    Option<PathBuf>,
    Option<WorkingDirectory>,
);

/// Where a unit's definition came from, for diagnostics and `activatorctl cat`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitSource {
    /// Main fragment path (`/etc/systemd/system/foo.socket`), or the inetd.conf file.
    pub fragment: Option<std::sync::Arc<Path>>,
    /// Line in `fragment` this unit was generated from (inetd.conf entries); 0 otherwise.
    pub line: u32,
    /// Drop-in files applied, in the order they were applied.
    pub dropins: Sparse<Vec<PathBuf>>,
}

/// Load state as systemd reports it (`LoadState` property).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadState {
    #[default]
    Loaded,
    NotFound,
    BadSetting,
    Error,
    Masked,
}

impl LoadState {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadState::Loaded => "loaded",
            LoadState::NotFound => "not-found",
            LoadState::BadSetting => "bad-setting",
            LoadState::Error => "error",
            LoadState::Masked => "masked",
        }
    }
}

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

/// A rate limit: at most `burst` events per `interval`. `burst == 0` or
/// `interval == 0` disables it (systemd's convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    pub interval: Usec,
    pub burst: u32,
}

impl RateLimit {
    pub fn is_enabled(&self) -> bool {
        self.burst > 0 && self.interval.0 > 0
    }
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

/// Services activator runs inside the daemon (inetd's `internal`; RFC 862–868).
/// In unit files they are selected with the activator extension
/// `X-Activator-Builtin=` in `[Socket]` (systemd ignores `X-` keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builtin {
    Echo,
    Discard,
    Chargen,
    Daytime,
    Time,
}

impl Builtin {
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Echo => "echo",
            Builtin::Discard => "discard",
            Builtin::Chargen => "chargen",
            Builtin::Daytime => "daytime",
            Builtin::Time => "time",
        }
    }

    pub fn from_name(s: &str) -> Option<Builtin> {
        Some(match s {
            "echo" => Builtin::Echo,
            "discard" => Builtin::Discard,
            "chargen" => Builtin::Chargen,
            "daytime" => Builtin::Daytime,
            "time" => Builtin::Time,
            _ => return None,
        })
    }
}

/// The `[Unit]` section settings activator uses. `Description=` is kept on its
/// own (shared text: an inetd entry's socket and service carry the same one);
/// the rest, which nearly every unit leaves at its defaults, is a `Sparse`
/// group the section derefs to, so `unit.collect_mode` reads as before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitSection {
    pub description: Option<Arc<str>>,
    #[serde(flatten)]
    pub settings: Sparse<UnitSettings>,
}

impl std::ops::Deref for UnitSection {
    type Target = UnitSettings;
    fn deref(&self) -> &UnitSettings {
        &self.settings
    }
}

impl std::ops::DerefMut for UnitSection {
    fn deref_mut(&mut self) -> &mut UnitSettings {
        &mut self.settings
    }
}

/// The `[Unit]` settings other than `Description=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitSettings {
    pub documentation: Vec<String>,
    pub default_dependencies: bool,
    /// `StartLimitIntervalSec=`/`StartLimitBurst=`, default 10s/5.
    pub start_limit: RateLimit,
    pub collect_mode: CollectMode,
    /// Ordering and requirement dependencies, kept for `show` and for ordering starts.
    #[serde(flatten)]
    pub deps: Sparse<UnitDeps>,
}

impl Default for UnitSettings {
    fn default() -> Self {
        UnitSettings {
            documentation: Vec::new(),
            default_dependencies: true,
            start_limit: RateLimit {
                interval: Usec::from_secs(10),
                burst: 5,
            },
            collect_mode: CollectMode::Inactive,
            deps: Sparse::default(),
        }
    }
}

/// Dependencies of the `[Unit]` section (systemd.unit(5) "Requires=" …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitDeps {
    pub requires: Vec<String>,
    pub wants: Vec<String>,
    pub binds_to: Vec<String>,
    pub part_of: Vec<String>,
    pub after: Vec<String>,
    pub before: Vec<String>,
    pub conflicts: Vec<String>,
}

/// `CollectMode=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CollectMode {
    #[default]
    Inactive,
    InactiveOrFailed,
}

/// The `[Install]` section (used by `--wanted-by` and shown by `show`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InstallSection {
    pub wanted_by: Vec<String>,
    pub required_by: Vec<String>,
    pub alias: Vec<String>,
    pub also: Vec<String>,
}

/// One command of an `Exec*=` line (systemd.service(5) "Command lines").
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ExecCommand {
    /// Executable: absolute, or a bare name searched in systemd's fixed PATH at spawn time.
    pub path: String,
    /// Full argv including argv[0] (which `@` may have overridden). `$VAR`/`${VAR}`
    /// are still unexpanded; they are expanded at spawn time unless `no_env_expand`.
    pub argv: Vec<String>,
    /// `-`: a failure exit is recorded but treated as success.
    pub ignore_failure: bool,
    /// `:`: no environment variable substitution.
    pub no_env_expand: bool,
    /// `+`: run with full privileges (no User=/Group=).
    pub full_privileges: bool,
    /// `!`: skip only the credential change.
    pub no_setuid: bool,
    /// `|` (v258+): run via `/bin/sh -c`.
    pub via_shell: bool,
}

/// `StandardInput=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StdInput {
    #[default]
    Null,
    Tty,
    Socket,
    File(PathBuf),
    Data(Vec<u8>),
    Fd(String),
}

/// `StandardOutput=`/`StandardError=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StdOutput {
    /// Not set in the unit: systemd's default applies (stdout: `inherit` when stdin is a
    /// socket/tty, else journal; stderr: `inherit`).
    #[default]
    Default,
    Inherit,
    Null,
    Tty,
    Journal,
    Kmsg,
    JournalConsole,
    Socket,
    File(PathBuf),
    Append(PathBuf),
    Truncate(PathBuf),
    Fd(String),
}

/// A resource limit (`LimitNOFILE=soft:hard`); `None` means infinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResourceLimit {
    pub soft: Option<u64>,
    pub hard: Option<u64>,
}

/// Resource kinds of `Limit*=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Resource {
    Cpu,
    Fsize,
    Data,
    Stack,
    Core,
    Rss,
    Nofile,
    As,
    Nproc,
    Memlock,
    Locks,
    Sigpending,
    Msgqueue,
    Nice,
    Rtprio,
    Rttime,
}

/// `WorkingDirectory=` (`-` prefix: ignore when missing; `~`: the user's home).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkingDirectory {
    pub path: PathBuf,
    pub optional: bool,
    pub home: bool,
}

/// An `EnvironmentFile=` entry (`-` prefix: optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentFile {
    pub path: PathBuf,
    pub optional: bool,
}

/// The systemd.exec(5) settings activator honours, shared by services and the
/// socket's own Exec commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecContext {
    pub user: Option<String>,
    pub group: Option<String>,
    pub supplementary_groups: Sparse<Vec<String>>,
    /// inetd's initgroups rule (inetd.md §1.10): for entries without an explicit group,
    /// non-root users get `initgroups(user, pw_gid)`. systemd units never set this.
    pub init_groups: bool,
    pub working_directory: Sparse<Option<WorkingDirectory>>,
    pub root_directory: Sparse<Option<PathBuf>>,
    /// `Environment=` assignments in order (later wins at spawn time).
    pub environment: Vec<(String, String)>,
    pub environment_files: Sparse<Vec<EnvironmentFile>>,
    pub pass_environment: Sparse<Vec<String>>,
    pub unset_environment: Sparse<Vec<String>>,
    /// `UMask=`, default 0022.
    pub umask: u32,
    pub limits: Sparse<Vec<(Resource, ResourceLimit)>>,
    pub nice: Option<i32>,
    pub oom_score_adjust: Option<i32>,
    pub no_new_privileges: bool,
    pub standard_input: StdInput,
    pub standard_output: StdOutput,
    pub standard_error: StdOutput,
}

impl Default for ExecContext {
    fn default() -> Self {
        ExecContext {
            user: None,
            group: None,
            supplementary_groups: Sparse::default(),
            init_groups: false,
            working_directory: Sparse::default(),
            root_directory: Sparse::default(),
            environment: Vec::new(),
            environment_files: Sparse::default(),
            pass_environment: Sparse::default(),
            unset_environment: Sparse::default(),
            umask: 0o022,
            limits: Sparse::default(),
            nice: None,
            oom_score_adjust: None,
            no_new_privileges: false,
            standard_input: StdInput::Null,
            standard_output: StdOutput::Default,
            standard_error: StdOutput::Default,
        }
    }
}

/// `KillMode=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KillMode {
    #[default]
    ControlGroup,
    Mixed,
    Process,
    None,
}

/// systemd.kill(5) settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KillContext {
    pub kill_mode: KillMode,
    pub kill_signal: i32,
    pub restart_kill_signal: Option<i32>,
    pub final_kill_signal: i32,
    pub send_sigkill: bool,
    pub send_sighup: bool,
}

impl Default for KillContext {
    fn default() -> Self {
        KillContext {
            kill_mode: KillMode::ControlGroup,
            kill_signal: libc::SIGTERM,
            restart_kill_signal: None,
            final_kill_signal: libc::SIGKILL,
            send_sigkill: true,
            send_sighup: false,
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

impl std::ops::Deref for SocketUnit {
    type Target = SocketSettings;
    fn deref(&self) -> &SocketSettings {
        &self.settings
    }
}

impl std::ops::DerefMut for SocketUnit {
    fn deref_mut(&mut self) -> &mut SocketSettings {
        &mut self.settings
    }
}

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
        if self.accept {
            // systemd: the template is named after the socket's prefix (before any '@').
            let base = self.prefix_name();
            let base = base.split('@').next().unwrap_or(base);
            format!("{base}@.service")
        } else {
            format!("{}.service", self.prefix_name())
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

impl std::ops::Deref for ServiceUnit {
    type Target = ServiceSettings;
    fn deref(&self) -> &ServiceSettings {
        &self.settings
    }
}

impl std::ops::DerefMut for ServiceUnit {
    fn deref_mut(&mut self) -> &mut ServiceSettings {
        &mut self.settings
    }
}

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

/// Either kind of unit, as the loader returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
// Transient (the table builder's result, one at a time), so the size
// difference between the variants costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
pub enum Unit {
    Socket(SocketUnit),
    Service(ServiceUnit),
}

impl Unit {
    pub fn name(&self) -> &str {
        match self {
            Unit::Socket(s) => &s.name,
            Unit::Service(s) => &s.name,
        }
    }

    pub fn load_state(&self) -> LoadState {
        match self {
            Unit::Socket(s) => s.load_state,
            Unit::Service(s) => s.load_state,
        }
    }
}
