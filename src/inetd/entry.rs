//! One inetd.conf entry, parsed field by field into a typed `Entry` (inetd.md §1.1,
//! §1.2) — syntax only. Name lookups (services(5), users, hosts) and the meaning of
//! the fields happen in `mapping`.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::dialect::Dialect;
use super::lexer::RawEntry;
use crate::diag::{Diagnostic, Diagnostics};
use crate::unit::address::SUN_PATH_LEN;

/// What a logical line of inetd.conf is.
#[derive(Debug, Clone, PartialEq, Eq)]
// Not boxed: a `Line` lives for one step of the parse loop, and a box was one more
// allocation per entry.
#[allow(clippy::large_enum_variant)]
pub enum Line<'r> {
    /// `addr:` alone: the default bind host for following entries (inetd.md §1.4).
    DefaultHost(Hosts<'r>),
    Entry(Entry<'r>),
}

/// Bind hosts of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hosts<'r> {
    /// `*` (or no prefix and no default): the wildcard of each family.
    Any,
    /// Comma list as written, brackets removed: IP literals or host names.
    List(Vec<Cow<'r, str>>),
}

/// The service field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceSpec<'r> {
    /// `[hosts:]name-or-port`. `hosts` None = the current default host.
    Inet {
        hosts: Option<Hosts<'r>>,
        service: Cow<'r, str>,
    },
    /// A unix socket path, optionally with FreeBSD's `:user:group:mode:` prefix.
    Unix {
        path: PathBuf,
        user: Option<String>,
        group: Option<String>,
        mode: Option<u32>,
    },
    /// `name/versions` with an `rpc/*` protocol.
    Rpc { name: String },
    /// `tcpmux/[+]name`.
    Tcpmux { name: String, plus: bool },
}

/// The socket-type field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketType {
    Stream,
    Dgram,
    SeqPacket,
    Raw,
    Rdm,
}

impl SocketType {
    pub fn name(self) -> &'static str {
        match self {
            SocketType::Stream => "stream",
            SocketType::Dgram => "dgram",
            SocketType::SeqPacket => "seqpacket",
            SocketType::Raw => "raw",
            SocketType::Rdm => "rdm",
        }
    }
}

/// The protocol field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol<'r> {
    /// The protocol word without options: `tcp`, `udp6`, `unix`, `rpc/udp`.
    pub word: Cow<'r, str>,
    /// `,sndbuf=N[k|m]` (Debian openbsd-inetd, NetBSD).
    pub sndbuf: Option<u64>,
    /// `,rcvbuf=N[k|m]`.
    pub rcvbuf: Option<u64>,
}

impl Protocol<'_> {
    pub fn is_unix(&self) -> bool {
        self.word == "unix"
    }

    pub fn is_rpc(&self) -> bool {
        self.word.starts_with("rpc/")
    }

    /// `tcp` or `udp` for services(5) lookups.
    pub fn base(&self) -> &str {
        if self.word.starts_with("udp") {
            "udp"
        } else {
            "tcp"
        }
    }
}

/// The wait field with its per-dialect suffixes (inetd.md §1.9).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaitSpec {
    pub wait: bool,
    /// `.N` or `:N`: spawns per minute.
    pub rate: Option<u32>,
    /// FreeBSD `/C`: max concurrent children.
    pub max_child: Option<u32>,
    /// FreeBSD `/C/R`: connections per IP per minute.
    pub per_ip_per_min: Option<u32>,
    /// FreeBSD `/C/R/P`: concurrent children per IP.
    pub per_ip: Option<u32>,
}

/// The user field: `user[:group][/class]` or `user.group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec<'r> {
    pub user: Cow<'r, str>,
    pub group: Option<Cow<'r, str>>,
    pub class: Option<String>,
}

/// The server-program field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server<'r> {
    Internal,
    Program(Cow<'r, str>),
}

/// One parsed entry. Its words stay borrowed from the file text (copied only where
/// the lexer had to unquote them): what the units keep is copied once, when they
/// are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'r> {
    pub line: u32,
    pub service: ServiceSpec<'r>,
    /// The service field as written without the host prefix (used in unit names).
    pub service_text: Cow<'r, str>,
    pub socket_type: SocketType,
    pub protocol: Protocol<'r>,
    pub wait: WaitSpec,
    pub user: UserSpec<'r>,
    pub server: Server<'r>,
    /// Arguments from argv[0] on, as written.
    pub args: Vec<Cow<'r, str>>,
}

/// Parse one lexed entry. None (with an error diagnostic) when it cannot be used.
pub fn parse_entry<'r>(
    raw: RawEntry<'r>,
    file: &Path,
    dialect: Dialect,
) -> (Option<Line<'r>>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let err = |msg: String| Diagnostic::error_at(file, raw.line, msg);
    let mut f = raw.fields;
    if f.len() == 1 && f[0].ends_with(':') {
        let host = part_of(&f[0], &f[0][..f[0].len() - 1]);
        if !dialect.host_prefixes() {
            diags.push(Diagnostic::warning_at(
                file,
                raw.line,
                "Default-host lines are not FreeBSD inetd syntax; accepted anyway.",
            ));
        }
        return match parse_hosts(&host) {
            Ok(h) => (Some(Line::DefaultHost(h)), diags),
            Err(m) => {
                diags.push(err(m));
                (None, diags)
            }
        };
    }
    if f.len() < 6 {
        diags.push(err(format!(
            "Malformed entry: expected at least 6 fields (service socket-type protocol wait user server), found {}; entry ignored.",
            f.len()
        )));
        return (None, diags);
    }
    // The six fields move out; what stays in `f` is the arguments (no new vector).
    let mut head = f.drain(..6);
    let mut next = || head.next().unwrap_or_default();
    let [f0, f1, f2, f3, f4, f5] = [next(), next(), next(), next(), next(), next()];
    drop(head);
    let result = (|| -> Result<Entry<'r>, String> {
        let protocol = parse_protocol(&f2, dialect)?;
        let socket_type = parse_socket_type(&f1)?;
        let (service, service_text) = parse_service(&f0, &protocol, dialect, &mut |w| {
            diags.push(Diagnostic::warning_at(file, raw.line, w))
        })?;
        let wait = parse_wait(&f3)?;
        let user = parse_user(&f4, dialect)?;
        let server = if f5 == "internal" {
            Server::Internal
        } else {
            Server::Program(f5)
        };
        Ok(Entry {
            line: raw.line,
            service,
            service_text,
            socket_type,
            protocol,
            wait,
            user,
            server,
            args: f,
        })
    })();
    match result {
        Ok(e) => (Some(Line::Entry(e)), diags),
        Err(m) => {
            diags.push(err(format!("{m}; entry ignored.")));
            (None, diags)
        }
    }
}

fn parse_socket_type(s: &str) -> Result<SocketType, String> {
    Ok(match s {
        "stream" => SocketType::Stream,
        "dgram" => SocketType::Dgram,
        "seqpacket" => SocketType::SeqPacket,
        "raw" => SocketType::Raw,
        "rdm" => SocketType::Rdm,
        _ => return Err(format!("Unknown socket type '{s}'")),
    })
}

/// `part`, a slice of `field`, for as long as the field's text lives: borrowed from
/// the file when the field is, copied when the lexer had to unquote the field.
fn part_of<'r>(field: &Cow<'r, str>, part: &str) -> Cow<'r, str> {
    match field {
        Cow::Borrowed(whole) => {
            let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
            debug_assert!(start + part.len() <= whole.len(), "not a part of the field");
            Cow::Borrowed(&whole[start..start + part.len()])
        }
        Cow::Owned(_) => Cow::Owned(part.to_string()),
    }
}

fn parse_protocol<'r>(field: &Cow<'r, str>, dialect: Dialect) -> Result<Protocol<'r>, String> {
    let s: &str = field;
    let mut parts = s.split(',');
    let word = part_of(field, parts.next().unwrap_or(""));
    let known = word == "unix" || word.starts_with("rpc/") || dialect.families(&word).is_some();
    if !known {
        return Err(format!("Unknown protocol '{word}'"));
    }
    let mut p = Protocol {
        word,
        sndbuf: None,
        rcvbuf: None,
    };
    for opt in parts {
        let (key, value) = opt
            .split_once('=')
            .ok_or_else(|| format!("Malformed protocol option '{opt}'"))?;
        let size = parse_buffer_size(value)
            .ok_or_else(|| format!("Invalid buffer size '{value}' in '{opt}'"))?;
        match key {
            "sndbuf" => p.sndbuf = Some(size),
            "rcvbuf" => p.rcvbuf = Some(size),
            _ => return Err(format!("Unknown protocol option '{key}'")),
        }
    }
    Ok(p)
}

/// `N`, `Nk`, `Nm` (Debian openbsd-inetd's `,sndbuf=`): k = 1024, m = 1024².
pub fn parse_buffer_size(s: &str) -> Option<u64> {
    let (digits, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1024),
        b'm' | b'M' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    let v = n.checked_mul(mult)?;
    // The kernel takes an int; OpenBSD rejects values it cannot represent.
    (v > 0 && v <= i32::MAX as u64).then_some(v)
}

fn parse_hosts<'r>(field: &Cow<'r, str>) -> Result<Hosts<'r>, String> {
    let s: &str = field;
    if s == "*" || s.is_empty() {
        return Ok(Hosts::Any);
    }
    let mut list = Vec::with_capacity(1);
    for h in s.split(',') {
        let h = h
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(h);
        if h.is_empty() {
            return Err(format!("Empty host in host list '{s}'"));
        }
        if h == "*" {
            return Ok(Hosts::Any);
        }
        list.push(part_of(field, h));
    }
    Ok(Hosts::List(list))
}

fn parse_service<'r>(
    field: &Cow<'r, str>,
    proto: &Protocol,
    dialect: Dialect,
    warn: &mut dyn FnMut(String),
) -> Result<(ServiceSpec<'r>, Cow<'r, str>), String> {
    let s: &str = field;
    if proto.is_unix() {
        return parse_unix_service(s).map(|spec| (spec, field.clone()));
    }
    if proto.is_rpc() {
        let name = s.split('/').next().unwrap_or(s).to_string();
        return Ok((ServiceSpec::Rpc { name }, field.clone()));
    }
    // Host prefix: the rightmost colon splits (busybox `:::svc` is `::` + `svc`).
    let (hosts, service) = match s.rfind(':') {
        Some(pos) => {
            if !dialect.host_prefixes() {
                warn("Host prefixes are not FreeBSD inetd syntax; accepted anyway.".to_string());
            }
            (
                Some(parse_hosts(&part_of(field, &s[..pos]))?),
                &s[pos + 1..],
            )
        }
        None => (None, s),
    };
    if service.is_empty() {
        return Err(format!("Missing service name in '{s}'"));
    }
    if let Some(rest) = service.strip_prefix("tcpmux/") {
        let (plus, name) = match rest.strip_prefix('+') {
            Some(n) => (true, n),
            None => (false, rest),
        };
        return Ok((
            ServiceSpec::Tcpmux {
                name: name.to_string(),
                plus,
            },
            part_of(field, service),
        ));
    }
    let service = part_of(field, service);
    Ok((
        ServiceSpec::Inet {
            hosts,
            service: service.clone(),
        },
        service,
    ))
}

/// `/path` or FreeBSD's `:user:group:mode:/path` (inetd.md §1.6).
fn parse_unix_service(s: &str) -> Result<ServiceSpec<'static>, String> {
    let (user, group, mode, path) = match s.strip_prefix(':') {
        Some(rest) => {
            let mut it = rest.splitn(4, ':');
            let user = it.next().unwrap_or("");
            let group = it.next().unwrap_or("");
            let mode = it.next().unwrap_or("");
            let path = it
                .next()
                .ok_or_else(|| format!("Malformed ':user:group:mode:/path' unix service '{s}'"))?;
            let mode = if mode.is_empty() {
                None
            } else {
                Some(
                    u32::from_str_radix(mode, 8)
                        .ok()
                        .filter(|m| *m <= 0o7777)
                        .ok_or_else(|| format!("Invalid octal mode '{mode}' in '{s}'"))?,
                )
            };
            let opt = |x: &str| (!x.is_empty()).then(|| x.to_string());
            (opt(user), opt(group), mode, path)
        }
        None => (None, None, None, s),
    };
    if !path.starts_with('/') {
        return Err(format!("Unix socket path '{path}' is not absolute"));
    }
    // With its NUL it must fit sockaddr_un.sun_path (the unit loader's ListenStream=
    // refuses it too: "File name too long").
    if path.len() >= SUN_PATH_LEN {
        return Err(format!(
            "Unix socket path '{path}' is too long (at most {} bytes)",
            SUN_PATH_LEN - 1
        ));
    }
    Ok(ServiceSpec::Unix {
        path: PathBuf::from(path),
        user,
        group,
        mode,
    })
}

fn parse_wait(s: &str) -> Result<WaitSpec, String> {
    let (wait, rest) = if let Some(r) = s.strip_prefix("nowait") {
        (false, r)
    } else if let Some(r) = s.strip_prefix("wait") {
        (true, r)
    } else {
        return Err(format!("Expected 'wait' or 'nowait', found '{s}'"));
    };
    let mut spec = WaitSpec {
        wait,
        ..WaitSpec::default()
    };
    let num = |x: &str| -> Result<u32, String> {
        x.parse::<u32>()
            .map_err(|_| format!("Invalid number '{x}' in '{s}'"))
    };
    if rest.is_empty() {
    } else if let Some(n) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(':')) {
        spec.rate = Some(num(n)?);
    } else if let Some(n) = rest.strip_prefix('/') {
        let parts: Vec<&str> = n.split('/').collect();
        if parts.len() > 3 {
            return Err(format!("Too many '/' limits in '{s}'"));
        }
        spec.max_child = Some(num(parts[0])?);
        if let Some(p) = parts.get(1) {
            spec.per_ip_per_min = Some(num(p)?);
        }
        if let Some(p) = parts.get(2) {
            spec.per_ip = Some(num(p)?);
        }
    } else {
        return Err(format!("Expected 'wait' or 'nowait', found '{s}'"));
    }
    Ok(spec)
}

fn parse_user<'r>(field: &Cow<'r, str>, dialect: Dialect) -> Result<UserSpec<'r>, String> {
    let s: &str = field;
    let (rest, class) = match s.rsplit_once('/') {
        Some((u, c)) => (u, Some(c.to_string())),
        None => (s, None),
    };
    let split = rest.rsplit_once(':').or_else(|| {
        dialect
            .dot_group_separator()
            .then(|| rest.rsplit_once('.'))
            .flatten()
    });
    let (user, group) = match split {
        Some((u, g)) => (u, Some(part_of(field, g))),
        None => (rest, None),
    };
    if user.is_empty() || group.as_deref() == Some("") {
        return Err(format!("Malformed user field '{s}'"));
    }
    Ok(UserSpec {
        user: part_of(field, user),
        group,
        class,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str, d: Dialect) -> (Option<Line<'_>>, Diagnostics) {
        let raw = RawEntry {
            line: 1,
            fields: line.split_whitespace().map(Cow::Borrowed).collect(),
        };
        parse_entry(raw, Path::new("f"), d)
    }

    fn entry(line: &str, d: Dialect) -> Entry<'_> {
        match parse(line, d).0 {
            Some(Line::Entry(e)) => e,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn fields() {
        let e = entry("[::1],127.0.0.1:ftp stream tcp,sndbuf=64k,rcvbuf=1m nowait.10 ftp.nogroup /usr/sbin/ftpd ftpd -l", Dialect::OpenBsd);
        assert_eq!(
            e.service,
            ServiceSpec::Inet {
                hosts: Some(Hosts::List(vec!["::1".into(), "127.0.0.1".into()])),
                service: "ftp".into()
            }
        );
        assert_eq!(e.protocol.sndbuf, Some(65536));
        assert_eq!(e.protocol.rcvbuf, Some(1 << 20));
        assert_eq!(e.wait.rate, Some(10));
        assert_eq!(e.user.group.as_deref(), Some("nogroup"));
        assert_eq!(e.args, vec!["ftpd", "-l"]);
    }

    #[test]
    fn freebsd_suffixes_and_unix() {
        let e = entry(
            ":news:daemon:220:/var/run/sock stream unix nowait/3/10/2 news:daemon/staff internal",
            Dialect::FreeBsd,
        );
        assert_eq!(
            e.service,
            ServiceSpec::Unix {
                path: "/var/run/sock".into(),
                user: Some("news".into()),
                group: Some("daemon".into()),
                mode: Some(0o220)
            }
        );
        assert_eq!(
            (e.wait.max_child, e.wait.per_ip_per_min, e.wait.per_ip),
            (Some(3), Some(10), Some(2))
        );
        assert_eq!(e.user.class.as_deref(), Some("staff"));
        // FreeBSD: '.' is part of the user name.
        assert_eq!(
            entry("x stream tcp nowait a.b /bin/x", Dialect::FreeBsd)
                .user
                .user,
            "a.b"
        );
    }

    #[test]
    fn default_host_and_errors() {
        assert_eq!(
            parse("127.0.0.1:", Dialect::OpenBsd).0,
            Some(Line::DefaultHost(Hosts::List(vec!["127.0.0.1".into()])))
        );
        assert_eq!(
            parse("*:", Dialect::OpenBsd).0,
            Some(Line::DefaultHost(Hosts::Any))
        );
        for bad in [
            "echo stream tcp nowait root",
            "echo stream sctp nowait root internal",
            "echo strem tcp nowait root internal",
            "echo stream tcp maybe root internal",
            "echo stream tcp nowait.x root internal",
            "echo stream tcp,sndbuf=12q nowait root internal",
            "rel stream unix nowait root internal",
            "echo stream tcp nowait :g internal",
        ] {
            let (l, d) = parse(bad, Dialect::OpenBsd);
            assert!(l.is_none(), "{bad}");
            assert_eq!(d.len(), 1, "{bad}");
            assert!(d[0].is_error());
        }
    }

    /// Fields the lexer unquoted are owned: their parts (host list, service, user,
    /// group, protocol word) are copied, borrowed ones stay borrowed, and both read
    /// the same.
    #[test]
    fn parts_of_owned_and_borrowed_fields() {
        let owned = |t: &str| Cow::<str>::Owned(t.to_string());
        let raw = RawEntry {
            line: 3,
            fields: vec![
                owned("[::1],127.0.0.1:ftp"),
                Cow::Borrowed("stream"),
                owned("tcp6,sndbuf=1k"),
                Cow::Borrowed("nowait"),
                owned("ftp:nogroup"),
                Cow::Borrowed("/usr/sbin/ftpd"),
                owned("ftpd"),
                Cow::Borrowed("-l"),
            ],
        };
        let Some(Line::Entry(e)) = parse_entry(raw, Path::new("f"), Dialect::Inetutils).0 else {
            panic!("entry expected");
        };
        let ServiceSpec::Inet {
            hosts: Some(Hosts::List(hosts)),
            service,
        } = &e.service
        else {
            panic!("inet service expected: {:?}", e.service);
        };
        assert_eq!(hosts, &["::1", "127.0.0.1"]);
        assert!(hosts.iter().all(|h| matches!(h, Cow::Owned(_))));
        assert_eq!(service, "ftp");
        assert_eq!(e.service_text, "ftp");
        assert_eq!(e.protocol.word, "tcp6");
        assert!(matches!(e.protocol.word, Cow::Owned(_)));
        assert_eq!(e.user.user, "ftp");
        assert_eq!(e.user.group.as_deref(), Some("nogroup"));
        assert_eq!(e.args, vec!["ftpd", "-l"]);
        assert!(matches!(e.args[1], Cow::Borrowed(_)));

        let e = entry(
            "127.0.0.1:ftp stream tcp nowait ftp:nogroup /usr/sbin/ftpd ftpd",
            Dialect::OpenBsd,
        );
        assert!(matches!(e.service_text, Cow::Borrowed("ftp")));
        assert!(matches!(e.user.group, Some(Cow::Borrowed("nogroup"))));
    }

    #[test]
    fn buffer_sizes() {
        assert_eq!(parse_buffer_size("16k"), Some(16384));
        assert_eq!(parse_buffer_size("2m"), Some(2 << 20));
        assert_eq!(parse_buffer_size("100"), Some(100));
        assert_eq!(parse_buffer_size("k"), None);
        assert_eq!(parse_buffer_size("0"), None);
        assert_eq!(parse_buffer_size("99999999m"), None);
    }
}
