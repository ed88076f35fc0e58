//! Turns parsed inetd.conf entries into the typed `SocketUnit`/`ServiceUnit` pairs a
//! unit file would give (systemd.md §10): names are resolved (services(5), users,
//! hosts), each dialect's protocol meaning becomes `Listen*=` entries, `nowait` becomes
//! `Accept=yes` with a template service, and every problem is one diagnostic at the
//! entry's file:line while the other entries still load.
//!
//! `Mapper` here holds the state across entries (lookup caches, names and addresses
//! taken) and runs the steps; `listen` builds the listening addresses, `rules` the
//! settings an entry's fields give by themselves, `groups` the settings groups units
//! share, `naming` the unit names and descriptions.

use nix::unistd::{Group, User};
use rustc_hash::{FxHashMap, FxHashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use super::dialect::Dialect;
use super::entry::{Entry, Hosts, Server, ServiceSpec};
use super::groups::SharedGroups;
use super::listen::{
    display_listen, listen_address, resolve_host, split_suffix, HostAddrs, ListenSet,
};
pub use super::naming::sanitize;
use super::naming::{base_name, describe, truncate_to, MAX_BASE_NAME};
use super::rules::{activation, check_socket_type, exec_command, reject_unsupported, service_unit};
use super::services::Services;
use super::InetdOptions;
use crate::diag::{Diagnostic, Diagnostics};
use crate::unit::exec::{filename_is_valid, path_simplify, string_is_safe};
use crate::unit::model::{
    BindIpv6Only, Builtin, Listen, ServiceUnit, SocketAddress, SocketUnit, UnitSource,
};

/// Accumulates units from several files; names and duplicate ports are checked
/// across all of them.
pub struct Mapper<'a> {
    opts: &'a InetdOptions,
    services: Option<Services>,
    services_failed: bool,
    used_names: FxHashSet<String>,
    /// (listen type, address) → where it was first defined.
    used_listens: FxHashMap<(&'static str, SocketAddress), (Arc<Path>, u32)>,
    users: FxHashMap<String, bool>,
    groups: FxHashMap<String, bool>,
    hosts: FxHashMap<String, HostAddrs>,
    /// The file being mapped, shared by the `UnitSource` of all its units.
    fragment: Option<Arc<Path>>,
    /// Reused for text that is built, then copied once (descriptions).
    scratch: String,
    /// Setting groups most entries have alike (`[Install]`, the socket's and the
    /// service's settings, the service's `[Unit]` settings), stored once (issue
    /// #4: idle RSS).
    shared: SharedGroups,
    pub sockets: Vec<SocketUnit>,
    pub services_out: Vec<ServiceUnit>,
    pub diagnostics: Diagnostics,
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
            scratch: String::new(),
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
        let fragment = self.fragment(file);
        for l in &set.listen {
            self.used_listens.insert(
                (l.type_name(), listen_address(l)),
                (fragment.clone(), e.line),
            );
        }
        let base = base_name(e);
        let (bind_ipv6_only, wildcard) = (set.bind_ipv6_only, set.wildcard);
        // Most entries make one unit: no vector for that case.
        let (split, single): (Vec<(String, Vec<Listen>)>, _) = if !accept && set.listen.len() > 1 {
            let split = set.listen.into_iter().map(|l| {
                let suffix = sanitize(&split_suffix(wildcard, &l));
                (format!("{base}-{suffix}"), vec![l])
            });
            (split.collect(), None)
        } else {
            (Vec::new(), Some((base, set.listen)))
        };
        let mut exec = exec;
        let mut groups = split.into_iter().chain(single).peekable();
        while let Some((candidate, listen)) = groups.next() {
            let prefix = self.unique_name(candidate, e, default_hosts);
            let fragment = fragment.clone();
            let socket =
                self.socket_unit(fragment, e, prefix, listen, bind_ipv6_only, accept, builtin);
            // The last unit takes the command; others get copies.
            let cmd = match groups.peek() {
                None => exec.take(),
                Some(_) => exec.clone(),
            };
            if let Some(cmd) = cmd {
                let mut svc = service_unit(&socket, cmd);
                svc.settings = self.shared.service(&e.user.user, e.user.group.as_deref());
                svc.unit.settings = self.shared.service_unit(socket.accept);
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
                // (busybox inetd uses execvp too); `bin/cat` is neither, and a name
                // starting with an ExecStart= prefix (`-cat`) cannot be written.
                let prefixed = p.starts_with(['-', '@', ':', '+', '!', '|']);
                if !p.starts_with('/') && (prefixed || !filename_is_valid(p)) {
                    return Err(format!(
                        "Server program '{p}' must be an absolute path or a bare name"
                    ));
                }
                // systemd refuses these executable names in ExecStart= (config_parse_exec);
                // one model for both front-ends means the same refusals here.
                if !string_is_safe(p) {
                    return Err(format!(
                        "Server program {:?} contains special characters (control characters, quotes or backslashes)",
                        p.as_ref()
                    ));
                }
                // `/.` is stored as `/`: a directory either way.
                if p.ends_with('/') || path_simplify(p).ends_with('/') {
                    return Err(format!("Server program '{p}' is a directory"));
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
        // FreeBSD's `:user:group:mode:/path` owner of a unix socket ("no such user").
        if let ServiceSpec::Unix { user, group, .. } = &e.service {
            if let Some(u) = user.as_deref().filter(|u| !self.user_exists(u)) {
                return Err(format!("Unknown socket user '{u}'"));
            }
            if let Some(g) = group.as_deref().filter(|g| !self.group_exists(g)) {
                return Err(format!("Unknown socket group '{g}'"));
            }
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
        &mut self,
        fragment: Arc<Path>,
        e: &Entry,
        prefix: String,
        listen: Vec<Listen>,
        bind_ipv6_only: BindIpv6Only,
        accept: bool,
        builtin: Option<Builtin>,
    ) -> SocketUnit {
        let mut name = prefix;
        name.push_str(".socket");
        let mut s = SocketUnit::new(name);
        s.source = UnitSource {
            fragment: Some(fragment),
            line: e.line,
            dropins: Default::default(),
        };
        s.unit.description = Some(describe(&mut self.scratch, e, builtin));
        s.install = self.shared.socket_install();
        s.listen = listen;
        s.accept = accept;
        s.builtin = builtin;
        let dialect = self.dialect();
        let rate = e.wait.rate.or(dialect.default_rate_limit());
        s.settings =
            self.shared
                .socket(e, bind_ipv6_only, accept, rate, dialect.default_unix_mode());
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
                    service.to_string()
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

    pub(super) fn resolve_port(&mut self, e: &Entry, service: &str) -> Result<u16, String> {
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

    /// First free name among `candidate`, `candidate-<host>`, `candidate-L<line>`
    /// (each cut to length).
    fn unique_name(&mut self, candidate: String, e: &Entry, default_hosts: &Hosts) -> String {
        // Candidates in order, each built only when the ones before are taken.
        if self.claim_name(&candidate) {
            return cut_name(candidate);
        }
        if let ServiceSpec::Inet { hosts, .. } = &e.service {
            if let Hosts::List(list) = hosts.as_ref().unwrap_or(default_hosts) {
                let by_host = format!("{candidate}-{}", sanitize(&list.join("_")));
                if self.claim_name(&by_host) {
                    return cut_name(by_host);
                }
            }
        }
        let by_line = format!("{candidate}-L{}", e.line);
        if self.claim_name(&by_line) {
            return cut_name(by_line);
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

    /// Whether no unit has `name` (cut to length) yet; it is then taken.
    fn claim_name(&mut self, name: &str) -> bool {
        // Only ASCII after sanitize, so any index is a char boundary.
        let name = &name[..name.len().min(MAX_NAME)];
        !self.used_names.contains(name) && self.used_names.insert(name.to_string())
    }

    /// The addresses of `host` (port 0), resolved once per host name per load
    /// (getaddrinfo may be slow).
    pub(super) fn host_addrs(
        &mut self,
        host: &str,
    ) -> Result<&[(SocketAddr, Option<String>)], String> {
        if !self.hosts.contains_key(host) {
            self.hosts.insert(host.to_string(), resolve_host(host, 0));
        }
        match &self.hosts[host] {
            Ok(found) => Ok(found),
            Err(e) => Err(e.clone()),
        }
    }

    /// `root` is taken as existing without an NSS lookup, as systemd's
    /// `synthesize_user_creds()` does (`sys::user::is_root_name`, which spawning
    /// uses; inetd's field is a name, so only `root` here); other names are looked
    /// up once per load.
    fn user_exists(&mut self, user: &str) -> bool {
        known_once(&mut self.users, user, |u| {
            matches!(User::from_name(u), Ok(Some(_)))
        })
    }

    fn group_exists(&mut self, group: &str) -> bool {
        known_once(&mut self.groups, group, |g| {
            matches!(Group::from_name(g), Ok(Some(_)))
        })
    }
}

/// Whether `name` is `root` or `exists`, asked once per name (the key is copied
/// only then).
fn known_once(
    known: &mut FxHashMap<String, bool>,
    name: &str,
    exists: impl FnOnce(&str) -> bool,
) -> bool {
    if let Some(&k) = known.get(name) {
        return k;
    }
    let k = name == "root" || exists(name);
    known.insert(name.to_string(), k);
    k
}

/// Longest unit name prefix: a base name and a suffix that makes it unique.
const MAX_NAME: usize = MAX_BASE_NAME + 20;

fn cut_name(mut name: String) -> String {
    truncate_to(&mut name, MAX_NAME);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
