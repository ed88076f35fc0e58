//! Turns parsed inetd.conf entries into the typed `SocketUnit`/`ServiceUnit` pairs a
//! unit file would give (systemd.md §10): names are resolved (services(5), users,
//! hosts), each dialect's protocol meaning becomes `Listen*=` entries, `nowait` becomes
//! `Accept=yes` with a template service, and every problem is one diagnostic at the
//! entry's file:line while the other entries still load.

use nix::unistd::{Group, User};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::dialect::{Dialect, Family};
use super::entry::{Entry, Hosts, Server, ServiceSpec, SocketType};
use super::services::Services;
use super::InetdOptions;
use crate::diag::{Diagnostic, Diagnostics};
use crate::unit::model::{
    BindIpv6Only, Builtin, CollectMode, ExecCommand, InstallSection, Listen, RateLimit,
    ServiceSettings, ServiceUnit, SocketAddress, SocketSettings, SocketUnit, StdInput,
    UnitSettings, UnitSource,
};
use crate::unit::sparse::SharePool;
use crate::unit::values::Usec;

/// OpenBSD inetd keeps at most 20 arguments (MAXARGV) and drops the rest silently;
/// FreeBSD refuses the entry. We keep them all and warn.
const MAX_ARGS: usize = 20;

/// Unit names are at most 255 bytes (systemd.md §1.6); leave room for `@.service`.
const MAX_BASE_NAME: usize = 200;

/// The window of inetd's spawn-rate limit: N spawns per 60 s (inetd.md §1.9).
const RATE_WINDOW: Usec = Usec::from_secs(60);

/// Accumulates units from several files; names and duplicate ports are checked
/// across all of them.
pub struct Mapper<'a> {
    opts: &'a InetdOptions,
    services: Option<Services>,
    services_failed: bool,
    used_names: FxHashSet<String>,
    /// (listen type, address) → where it was first defined.
    used_listens: FxHashMap<(&'static str, SocketAddress), (PathBuf, u32)>,
    users: FxHashMap<String, bool>,
    groups: FxHashMap<String, bool>,
    hosts: FxHashMap<String, HostAddrs>,
    /// The file being mapped, shared by the `UnitSource` of all its units.
    fragment: Option<Arc<Path>>,
    /// Setting groups most entries have alike (`[Install]`, the socket's and the
    /// service's settings, the service's `[Unit]` settings), stored once (issue
    /// #4: idle RSS).
    shared: SharedGroups,
    pub sockets: Vec<SocketUnit>,
    pub services_out: Vec<ServiceUnit>,
    pub diagnostics: Diagnostics,
}

#[derive(Default)]
struct SharedGroups {
    install: SharePool<InstallSection>,
    unit: SharePool<UnitSettings>,
    service: SharePool<ServiceSettings>,
    socket: SharePool<SocketSettings>,
}

/// A host's addresses (port 0) with IPv6 scope names, or why it has none.
type HostAddrs = Result<Vec<(SocketAddr, Option<String>)>, String>;

/// One socket unit's worth of listening addresses.
struct ListenSet {
    listen: Vec<Listen>,
    bind_ipv6_only: BindIpv6Only,
    /// Per-listen name suffix used when a `wait` entry is split (`v4`, `v6`, address).
    suffixes: Vec<String>,
}

impl<'a> Mapper<'a> {
    pub fn new(opts: &'a InetdOptions) -> Self {
        Mapper {
            opts,
            services: None,
            services_failed: false,
            used_names: FxHashSet::default(),
            used_listens: FxHashMap::default(),
            users: FxHashMap::default(),
            hosts: FxHashMap::default(),
            groups: FxHashMap::default(),
            fragment: None,
            shared: SharedGroups::default(),
            sockets: Vec::new(),
            services_out: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Room for `entries` more entries (most map to one socket and one service): the
    /// unit vectors and lookup maps then grow once instead of copying as they go.
    pub fn reserve(&mut self, entries: usize) {
        self.sockets.reserve(entries);
        self.services_out.reserve(entries);
        self.used_names.reserve(entries);
        self.used_listens.reserve(entries);
    }

    pub fn dialect(&self) -> Dialect {
        self.opts.dialect
    }

    /// Map one entry; `default_hosts` is the current `addr:` line's value. Either all of
    /// the entry's units are added, or none and one error diagnostic.
    pub fn add_entry(&mut self, file: &Path, entry: &Entry, default_hosts: &Hosts) {
        let mut warnings = Vec::new();
        let result = self.build(file, entry, default_hosts, &mut warnings);
        let at = |m: String, error: bool| {
            if error {
                Diagnostic::error_at(file, entry.line, format!("{m}; entry ignored."))
            } else {
                Diagnostic::warning_at(file, entry.line, m)
            }
        };
        self.diagnostics
            .extend(warnings.into_iter().map(|m| at(m, false)));
        if let Err(msg) = result {
            self.diagnostics.push(at(msg, true));
        }
    }

    /// The steps of one entry: what runs, as whom, where it listens, how it is
    /// activated, then the units. `warnings` collects non-fatal messages.
    fn build(
        &mut self,
        file: &Path,
        e: &Entry,
        default_hosts: &Hosts,
        warnings: &mut Vec<String>,
    ) -> Result<(), String> {
        reject_unsupported(e)?;
        check_socket_type(e)?;
        let builtin = self.builtin_or_program(e, warnings)?;
        self.check_credentials(e, warnings)?;
        let set = self.listen_set(e, default_hosts)?;
        self.check_duplicates(e, &set)?;
        let accept = activation(e, builtin, warnings);
        let exec = exec_command(e, builtin, self.dialect(), warnings);

        // One unit, or (wait + several sockets) one unit per socket, since a service
        // with StandardInput=socket must get exactly one socket.
        let base = base_name(e);
        let groups: Vec<(String, Vec<Listen>)> = if !accept && set.listen.len() > 1 {
            set.listen
                .iter()
                .zip(&set.suffixes)
                .map(|(l, s)| (format!("{base}-{}", sanitize(s)), vec![l.clone()]))
                .collect()
        } else {
            vec![(base, set.listen.clone())]
        };
        for l in &set.listen {
            self.used_listens.insert(
                (l.type_name(), listen_address(l)),
                (file.to_path_buf(), e.line),
            );
        }
        for (candidate, listen) in groups {
            let prefix = self.unique_name(&candidate, e, default_hosts);
            let fragment = self.fragment(file);
            let mut socket = self.socket_unit(fragment, e, &prefix, listen, &set, accept, builtin);
            let shared = &mut self.shared;
            socket.install = shared.install.share(std::mem::take(&mut socket.install));
            socket.settings = shared.socket.share(std::mem::take(&mut socket.settings));
            if let Some(cmd) = &exec {
                let mut svc = service_unit(e, &socket, cmd.clone());
                svc.settings = shared.service.share(std::mem::take(&mut svc.settings));
                svc.unit.settings = shared.unit.share(std::mem::take(&mut svc.unit.settings));
                self.services_out.push(svc);
            }
            self.sockets.push(socket);
        }
        Ok(())
    }

    fn builtin_or_program(
        &mut self,
        e: &Entry,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Builtin>, String> {
        match &e.server {
            Server::Internal => {
                let b = self.builtin_for(e)?;
                if !e.args.is_empty() {
                    warnings.push("Arguments of internal services are ignored.".to_string());
                }
                Ok(Some(b))
            }
            Server::Program(p) => {
                // systemd.service(5): absolute, or a bare name searched in its PATH
                // (busybox inetd uses execvp too); `bin/cat` is neither.
                if !p.starts_with('/') && p.contains('/') {
                    return Err(format!(
                        "Server program '{p}' must be an absolute path or a bare name"
                    ));
                }
                Ok(None)
            }
        }
    }

    /// Unknown users and groups make the entry be ignored, as in every inetd
    /// (checked for builtins too).
    fn check_credentials(&mut self, e: &Entry, warnings: &mut Vec<String>) -> Result<(), String> {
        if !self.user_exists(&e.user.user) {
            return Err(format!("Unknown user '{}'", e.user.user));
        }
        if let Some(g) = &e.user.group {
            if !self.group_exists(g) {
                return Err(format!("Unknown group '{g}'"));
            }
        }
        if let Some(c) = &e.user.class {
            warnings.push(format!("Login class '{c}' is not supported; ignored."));
        }
        Ok(())
    }

    /// The same address and socket type twice cannot both be bound.
    fn check_duplicates(&self, e: &Entry, set: &ListenSet) -> Result<(), String> {
        for l in &set.listen {
            let key = (l.type_name(), listen_address(l));
            if let Some((f, line)) = self.used_listens.get(&key) {
                return Err(format!(
                    "Duplicate entry: {} {} is already defined at {}:{}",
                    e.socket_type.name(),
                    display_listen(l),
                    f.display(),
                    line
                ));
            }
        }
        Ok(())
    }

    /// `file` as the units' shared fragment path (one allocation per file).
    fn fragment(&mut self, file: &Path) -> Arc<Path> {
        match &self.fragment {
            Some(f) if **f == *file => f.clone(),
            _ => self.fragment.insert(Arc::from(file)).clone(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn socket_unit(
        &self,
        fragment: Arc<Path>,
        e: &Entry,
        prefix: &str,
        listen: Vec<Listen>,
        set: &ListenSet,
        accept: bool,
        builtin: Option<Builtin>,
    ) -> SocketUnit {
        let mut s = SocketUnit::new(concat(&[prefix, ".socket"]));
        s.source = UnitSource {
            fragment: Some(fragment),
            line: e.line,
            dropins: Default::default(),
        };
        s.unit.description = Some(describe(e, builtin).into());
        s.install.wanted_by = vec!["sockets.target".to_string()];
        s.listen = listen;
        s.accept = accept;
        s.builtin = builtin;
        // Only what differs from the defaults is stored (unit::sparse).
        if s.options.bind_ipv6_only != set.bind_ipv6_only {
            s.options.bind_ipv6_only = set.bind_ipv6_only;
        }
        if e.protocol.sndbuf.is_some() {
            s.options.send_buffer = e.protocol.sndbuf;
        }
        if e.protocol.rcvbuf.is_some() {
            s.options.receive_buffer = e.protocol.rcvbuf;
        }
        // inetd's N spawns per minute (entry `.N`, else the dialect's default; 0 = off)
        // as TriggerLimitIntervalSec=60s + TriggerLimitBurst=N. The engine treats the
        // trigger limit as a pause that recovers, like inetd's re-bind after 10 min.
        let rate = e.wait.rate.or(self.dialect().default_rate_limit());
        s.trigger_limit = Some(RateLimit {
            interval: RATE_WINDOW,
            burst: rate.unwrap_or(0),
        });
        if accept {
            // FreeBSD `/C/R/P`: C max children, P max children per source (0 = off).
            if let Some(n) = e.wait.max_child.filter(|n| *n > 0) {
                s.max_connections = n;
            }
            if let Some(n) = e.wait.per_ip.filter(|n| *n > 0) {
                s.max_connections_per_source = n;
            }
        }
        if let ServiceSpec::Unix {
            user, group, mode, ..
        } = &e.service
        {
            s.options.socket_mode = mode.unwrap_or(self.dialect().default_unix_mode());
            s.options.socket_user = user.clone();
            s.options.socket_group = group.clone();
        }
        s
    }

    fn builtin_for(&mut self, e: &Entry) -> Result<Builtin, String> {
        let name = match &e.service {
            // FreeBSD picks internal services on unix sockets by the last path component.
            ServiceSpec::Unix { path, .. } => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ServiceSpec::Inet { service, .. } => {
                if let Ok(port) = service.parse::<u16>() {
                    let proto = e.protocol.base().to_string();
                    self.services_db()
                        .and_then(|s| s.name_of(port, &proto))
                        .unwrap_or(service)
                        .to_string()
                } else {
                    service.clone()
                }
            }
            _ => String::new(),
        };
        let resolved = Builtin::from_name(&name).or_else(|| {
            // An alias of a builtin's port (`ttytst` for echo in some services files).
            let proto = e.protocol.base().to_string();
            let port = self.services_db()?.port(&name, &proto)?;
            let canonical = self.services_db()?.name_of(port, &proto)?;
            Builtin::from_name(canonical)
        });
        resolved.ok_or_else(|| {
            format!("Internal service '{name}' is not supported (only echo, discard, chargen, daytime, time)")
        })
    }

    fn services_db(&mut self) -> Option<&Services> {
        if self.services.is_none() && !self.services_failed {
            match Services::load(&self.opts.services_file) {
                Ok(s) => self.services = Some(s),
                Err(err) => {
                    self.services_failed = true;
                    self.diagnostics.push(Diagnostic::warning_at(
                        &self.opts.services_file,
                        0,
                        format!("Cannot read services file: {err}; only numeric ports resolve."),
                    ));
                }
            }
        }
        self.services.as_ref()
    }

    fn resolve_port(&mut self, e: &Entry, service: &str) -> Result<u16, String> {
        if service.bytes().all(|b| b.is_ascii_digit()) {
            return match service.parse::<u16>() {
                Ok(p) if p > 0 => Ok(p),
                _ => Err(format!("Invalid port '{service}'")),
            };
        }
        let proto = e.protocol.base().to_string();
        let file = self.opts.services_file.clone();
        match self.services_db() {
            Some(db) => db.port(service, &proto).ok_or_else(|| {
                format!(
                    "Unknown service '{service}/{proto}' (not in {})",
                    file.display()
                )
            }),
            None => Err(format!(
                "Unknown service '{service}/{proto}' ({} unreadable)",
                file.display()
            )),
        }
    }

    fn listen_set(&mut self, e: &Entry, default_hosts: &Hosts) -> Result<ListenSet, String> {
        let wrap = |addr: SocketAddress| match e.socket_type {
            SocketType::Dgram => Listen::Datagram(addr),
            SocketType::SeqPacket => Listen::SequentialPacket(addr),
            _ => Listen::Stream(addr),
        };
        let (hosts, service) = match &e.service {
            ServiceSpec::Unix { path, .. } => {
                return Ok(ListenSet {
                    listen: vec![wrap(SocketAddress::Unix(path.clone()))],
                    bind_ipv6_only: BindIpv6Only::Default,
                    suffixes: vec![String::new()],
                })
            }
            ServiceSpec::Inet { hosts, service } => {
                (hosts.as_ref().unwrap_or(default_hosts), service)
            }
            _ => return Err("Unsupported service".to_string()),
        };
        let port = self.resolve_port(e, service)?;
        let families = self
            .dialect()
            .families(&e.protocol.word)
            .ok_or_else(|| format!("Unknown protocol '{}'", e.protocol.word))?;
        let mut listen = Vec::new();
        let mut suffixes = Vec::new();
        let mut push = |addr: SocketAddr, ifname: Option<String>, suffix: String| {
            let l = wrap(SocketAddress::Ip {
                addr,
                ifname,
                port_only: false,
            });
            if !listen.contains(&l) {
                listen.push(l);
                suffixes.push(suffix);
            }
        };
        match hosts {
            Hosts::Any => {
                for f in families {
                    match f {
                        Family::V4 => push(
                            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
                            None,
                            "v4".into(),
                        ),
                        _ => push(
                            SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
                            None,
                            "v6".into(),
                        ),
                    }
                }
            }
            Hosts::List(list) => {
                for host in list {
                    let addrs = self.resolve_host(host, port)?;
                    let mut matched = false;
                    for (addr, ifname) in addrs {
                        let fits = families.iter().any(|f| match f {
                            Family::V4 => addr.is_ipv4(),
                            _ => addr.is_ipv6(),
                        });
                        if fits {
                            matched = true;
                            push(addr, ifname, crate::sys::addr_text::ip_string(addr.ip()));
                        }
                    }
                    if !matched {
                        return Err(format!(
                            "Host '{host}' has no address of the family protocol '{}' binds",
                            e.protocol.word
                        ));
                    }
                }
            }
        }
        // IPV6_V6ONLY only matters when an AF_INET6 socket is bound (a v4 host with
        // OpenBSD's bare `tcp` gives only the v4 socket).
        let any_v6 = listen.iter().any(|l| {
            matches!(l.socket_address(), Some(SocketAddress::Ip { addr, .. }) if addr.is_ipv6())
        });
        let mut bind_ipv6_only = BindIpv6Only::Default;
        for f in families.iter().filter(|_| any_v6) {
            match f {
                Family::V6Only => bind_ipv6_only = BindIpv6Only::Ipv6Only,
                Family::Dual => bind_ipv6_only = BindIpv6Only::Both,
                _ => {}
            }
        }
        Ok(ListenSet {
            listen,
            bind_ipv6_only,
            suffixes,
        })
    }

    /// First free name among `candidate`, `candidate-<host>`, `candidate-L<line>`.
    fn unique_name(&mut self, candidate: &str, e: &Entry, default_hosts: &Hosts) -> String {
        // Candidates in order, each built only when the ones before are taken.
        if let Some(t) = self.claim_name(candidate.to_string()) {
            return t;
        }
        if let ServiceSpec::Inet { hosts, .. } = &e.service {
            if let Hosts::List(list) = hosts.as_ref().unwrap_or(default_hosts) {
                let by_host = format!("{candidate}-{}", sanitize(&list.join("_")));
                if let Some(t) = self.claim_name(by_host) {
                    return t;
                }
            }
        }
        if let Some(t) = self.claim_name(format!("{candidate}-L{}", e.line)) {
            return t;
        }
        // Same file line twice (the same path given twice): count up.
        let mut n = 2u32;
        loop {
            let t = format!("{candidate}-L{}-{n}", e.line);
            if self.used_names.insert(t.clone()) {
                return t;
            }
            n += 1;
        }
    }

    /// `name` (cut to length) when no unit has it yet; it is then taken.
    fn claim_name(&mut self, mut name: String) -> Option<String> {
        truncate_to(&mut name, MAX_BASE_NAME + 20);
        if self.used_names.contains(&name) {
            return None;
        }
        self.used_names.insert(name.clone());
        Some(name)
    }

    /// `resolve_host`, once per host name per load (getaddrinfo may be slow).
    fn resolve_host(
        &mut self,
        host: &str,
        port: u16,
    ) -> Result<Vec<(SocketAddr, Option<String>)>, String> {
        let found = self
            .hosts
            .entry(host.to_string())
            .or_insert_with(|| resolve_host(host, 0))
            .clone()?;
        Ok(found
            .into_iter()
            .map(|(mut a, i)| {
                a.set_port(port);
                (a, i)
            })
            .collect())
    }

    /// `root` is taken as existing without an NSS lookup, as systemd's
    /// `synthesize_user_creds()` does (`sys::user::is_root_name`, which spawning
    /// uses; inetd's field is a name, so only `root` here); other names are looked
    /// up once per load.
    fn user_exists(&mut self, user: &str) -> bool {
        *self
            .users
            .entry(user.to_string())
            .or_insert_with(|| user == "root" || matches!(User::from_name(user), Ok(Some(_))))
    }

    fn group_exists(&mut self, group: &str) -> bool {
        *self
            .groups
            .entry(group.to_string())
            .or_insert_with(|| group == "root" || matches!(Group::from_name(group), Ok(Some(_))))
    }
}

/// RPC and TCPMUX entries have no socket of their own to give the engine.
fn reject_unsupported(e: &Entry) -> Result<(), String> {
    match &e.service {
        ServiceSpec::Rpc { name } => Err(format!(
            "RPC service '{name}' ({}) is not supported (no portmapper registration)",
            e.protocol.word
        )),
        ServiceSpec::Tcpmux { name, plus } => Err(format!(
            "TCPMUX service 'tcpmux/{}{name}' is not supported (RFC 1078 multiplexing)",
            if *plus { "+" } else { "" }
        )),
        _ => Ok(()),
    }
}

/// `tcp*` needs stream, `udp*` dgram; raw and rdm sockets are not supported.
fn check_socket_type(e: &Entry) -> Result<(), String> {
    let t = e.socket_type;
    if matches!(t, SocketType::Raw | SocketType::Rdm) {
        return Err(format!("Socket type '{}' is not supported", t.name()));
    }
    let ok = if e.protocol.is_unix() {
        true
    } else if e.protocol.word.starts_with("tcp") {
        t == SocketType::Stream
    } else {
        t == SocketType::Dgram
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Socket type '{}' does not match protocol '{}'",
            t.name(),
            e.protocol.word
        ))
    }
}

/// `Accept=`: nowait stream = one instance per connection (systemd.md §10); builtins
/// run in their natural mode; dgram nowait falls back to wait.
fn activation(e: &Entry, builtin: Option<Builtin>, warnings: &mut Vec<String>) -> bool {
    let stream = e.socket_type != SocketType::Dgram;
    let accept = if let Some(b) = builtin {
        // OpenBSD/inetutils copy the builtin's own wait flag (inetd.md §3.1).
        if e.wait.wait == stream {
            warnings.push(format!(
                "Internal service '{}' runs as {} {}; '{}' ignored.",
                b.name(),
                e.socket_type.name(),
                if stream { "nowait" } else { "wait" },
                if e.wait.wait { "wait" } else { "nowait" }
            ));
        }
        stream
    } else {
        if !stream && !e.wait.wait {
            // busybox implements dgram nowait by connecting the socket to the sender;
            // systemd refuses Accept=yes on datagram sockets.
            warnings.push(
                "'dgram nowait' is not supported; treated as 'wait' (Accept=no).".to_string(),
            );
        }
        stream && !e.wait.wait
    };
    if let Some(n) = e.wait.max_child.filter(|n| *n > 1) {
        if e.wait.wait {
            warnings.push(format!(
                "'wait/{n}' (several wait children) is not supported; one server runs at a time."
            ));
        }
    }
    if let Some(n) = e.wait.per_ip_per_min.filter(|n| *n > 0) {
        warnings.push(format!(
            "Per-IP connection rate '/{n}' has no equivalent; ignored."
        ));
    }
    accept
}

/// `ExecStart=`: the program with argv as written; argv[0] from the program's
/// basename when the entry has no arguments (inetd.md §1.1).
fn exec_command(
    e: &Entry,
    builtin: Option<Builtin>,
    dialect: Dialect,
    warnings: &mut Vec<String>,
) -> Option<ExecCommand> {
    let (Server::Program(p), None) = (&e.server, builtin) else {
        return None;
    };
    if e.args.len() > MAX_ARGS {
        warnings.push(format!(
            "{} arguments given; inetd keeps at most {MAX_ARGS} (OpenBSD drops the rest, FreeBSD refuses), all are passed.",
            e.args.len()
        ));
    }
    let mut argv = e.args.clone();
    if argv.is_empty() {
        if !dialect.argv0_from_program() {
            warnings.push("No arguments: FreeBSD inetd would pass an empty argv; using the program's basename as argv[0].".to_string());
        }
        argv.push(basename(p).to_string());
    }
    Some(ExecCommand {
        path: p.clone(),
        // inetd passes arguments literally: no `$VAR` expansion (the `:` prefix).
        no_env_expand: argv.iter().any(|a| a.contains('$')),
        argv,
        ..ExecCommand::default()
    })
}

/// The service a socket activates: the program on the socket as stdin (stdout and
/// stderr default to inherit it), as the entry's user (inetd.md §1.10).
fn service_unit(e: &Entry, socket: &SocketUnit, cmd: ExecCommand) -> ServiceUnit {
    let mut svc = ServiceUnit::new(socket.service_name());
    svc.source = socket.source.clone();
    svc.unit.description = socket.unit.description.clone();
    svc.exec_start = vec![cmd];
    svc.exec.user = Some(e.user.user.clone());
    svc.exec.group = e.user.group.clone();
    // Without an explicit group: initgroups(user, pw_gid) for non-root users.
    svc.exec.init_groups = e.user.group.is_none();
    svc.exec.standard_input = StdInput::Socket;
    if socket.accept {
        svc.unit.collect_mode = CollectMode::InactiveOrFailed;
    }
    svc
}

/// `inetd-<service>-<proto>`, the service as written (name, port or path).
fn base_name(e: &Entry) -> String {
    let svc = match &e.service {
        ServiceSpec::Unix { path, .. } => {
            Cow::Owned(path.to_string_lossy().trim_matches('/').replace('/', "-"))
        }
        _ => Cow::Borrowed(e.service_text.as_str()),
    };
    let mut base = String::with_capacity(8 + svc.len() + e.protocol.word.len());
    base.push_str("inetd-");
    push_sanitized(&mut base, &svc);
    base.push('-');
    push_sanitized(&mut base, &e.protocol.word);
    truncate_to(&mut base, MAX_BASE_NAME);
    base
}

/// IP literal (with optional `%scope`) or host name → addresses.
fn resolve_host(host: &str, port: u16) -> HostAddrs {
    let (ip_part, scope) = match host.split_once('%') {
        Some((a, s)) => (a, Some(s)),
        None => (host, None),
    };
    if let Ok(ip) = ip_part.parse::<IpAddr>() {
        return match (ip, scope) {
            (IpAddr::V6(v6), Some(scope)) => {
                let index = match scope.parse::<u32>() {
                    Ok(i) => i,
                    Err(_) => nix::net::if_::if_nametoindex(scope)
                        .map_err(|_| format!("Unknown interface '{scope}' in '{host}'"))?,
                };
                Ok(vec![(
                    SocketAddr::V6(SocketAddrV6::new(v6, port, 0, index)),
                    Some(scope.to_string()),
                )])
            }
            (IpAddr::V4(_), Some(_)) => Err(format!("Scope on an IPv4 address '{host}'")),
            (ip, None) => Ok(vec![(SocketAddr::new(ip, port), None)]),
        };
    }
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|err| format!("Cannot resolve host '{host}': {err}"))?;
    let mut out: Vec<(SocketAddr, Option<String>)> = Vec::new();
    for a in addrs {
        if !out.iter().any(|(x, _)| *x == a) {
            out.push((a, None));
        }
    }
    if out.is_empty() {
        return Err(format!("Host '{host}' has no addresses"));
    }
    Ok(out)
}

fn listen_address(l: &Listen) -> SocketAddress {
    match l.socket_address() {
        Some(a) => a.clone(),
        None => SocketAddress::Unix(PathBuf::new()),
    }
}

fn display_listen(l: &Listen) -> String {
    match l.socket_address() {
        Some(SocketAddress::Ip { addr, .. }) => addr.to_string(),
        Some(SocketAddress::Unix(p)) => p.display().to_string(),
        _ => String::new(),
    }
}

fn describe(e: &Entry, builtin: Option<Builtin>) -> String {
    // "internal echo", the program path, or a bare "internal".
    let (kind, what) = match (&e.server, builtin) {
        (_, Some(b)) => ("internal ", b.name()),
        (Server::Program(p), None) => ("", p.as_str()),
        (Server::Internal, None) => ("internal", ""),
    };
    let service = match &e.service {
        ServiceSpec::Unix { path, .. } => path.to_string_lossy(),
        _ => Cow::Borrowed(e.service_text.as_str()),
    };
    concat(&[
        "inetd ",
        &service,
        " ",
        e.socket_type.name(),
        " ",
        &e.protocol.word,
        ": ",
        kind,
        what,
    ])
}

fn basename(p: &str) -> &str {
    p.rsplit('/').find(|s| !s.is_empty()).unwrap_or(p)
}

/// Keep only unit-name characters (systemd.md §1.6: `[A-Za-z0-9:_.-\\]`, no `@` in a
/// prefix); everything else becomes `_`.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len().max(1));
    push_sanitized(&mut out, s);
    out
}

/// `sanitize(s)` appended to `out` (unit names are built once per inetd line, so
/// without the formatter and intermediate strings).
fn push_sanitized(out: &mut String, s: &str) {
    if s.is_empty() {
        out.push('_');
        return;
    }
    out.extend(s.chars().map(|c| {
        if c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-') {
            c
        } else {
            '_'
        }
    }));
}

/// The parts one after another, in a buffer of the right size.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

fn truncate_to(s: &mut String, max: usize) {
    if s.len() > max {
        // Only ASCII after sanitize, so any index is a char boundary.
        s.truncate(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_names() {
        assert_eq!(sanitize("telnet"), "telnet");
        assert_eq!(sanitize("a b@c/é"), "a_b_c__");
        assert_eq!(sanitize(""), "_");
    }

    #[test]
    fn basenames() {
        assert_eq!(basename("/usr/sbin/in.telnetd"), "in.telnetd");
        assert_eq!(basename("cat"), "cat");
        assert_eq!(basename("/x/"), "x");
    }

    /// Unit names stay unique: the entry's own name, else with its host list, else
    /// with its line number.
    #[test]
    fn colliding_names_get_host_then_line_suffixes() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("inetd.conf");
        std::fs::write(
            &conf,
            "127.0.0.1:7777 stream tcp nowait root /bin/cat cat\n\
             127.0.0.2:7777 stream tcp nowait root /bin/cat cat\n\
             *:7777 stream tcp nowait root /bin/cat cat\n",
        )
        .unwrap();
        let u = super::super::load_inetd(&[conf], &InetdOptions::default());
        let names: Vec<&str> = u.sockets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "inetd-7777-tcp.socket",
                "inetd-7777-tcp-127.0.0.2.socket",
                "inetd-7777-tcp-L3.socket"
            ],
            "{:?}",
            u.diagnostics
        );
    }

    #[test]
    fn scoped_hosts() {
        let v = resolve_host("fe80::1%1", 7).unwrap();
        assert_eq!(v[0].1.as_deref(), Some("1"));
        assert!(resolve_host("127.0.0.1%lo", 7).is_err());
        assert_eq!(
            resolve_host("::1", 7).unwrap()[0].0,
            "[::1]:7".parse().unwrap()
        );
    }
}
