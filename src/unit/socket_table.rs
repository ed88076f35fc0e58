//! The `[Socket]` directive table (systemd.socket(5)): Listen*= entries, activation
//! control, file-system node and socket options, the socket's own Exec*= commands, and the
//! activator extension `X-Activator-Builtin=`.
//!
//! Texts of rejected values are those of systemd 252's `load-fragment.c`, checked with
//! `systemd-analyze verify`.

use std::path::PathBuf;

use super::address::{parse_netlink, parse_socket_address};
use super::common_table::{exec_lines, list, socket_user_group, words};
use super::model::{BindIpv6Only, Builtin, Listen, RateLimit, SocketUnit, Timestamping};
use super::table::{
    abs_path, bool_value, int_value, mode_value, sec_fix_0, sec_value, u32_value, valid_fd_name,
    warn, BuildState, Ctx, Entry, Expand, Ignored, ParseResult, Reject, Sec, EXTENSION_PREFIX,
};
use super::values::{parse_bool, parse_ip_tos, parse_size_iec, Usec};

use Expand::{Fatal as XF, No as XN, Plain as XP, Quoted as XQ};
use Sec::Type as S;

type E = Entry<SocketUnit>;

#[rustfmt::skip]
pub(crate) static SOCKET_TABLE: &[E] = &[
    E::new(S, "ListenStream", XQ, |s, c, v| listen_socket(s, c, v, Listen::Stream), "SOCK_STREAM socket: port, IP:port, [IPv6]:port, /path, @abstract, vsock:CID:PORT"),
    E::new(S, "ListenDatagram", XQ, |s, c, v| listen_socket(s, c, v, Listen::Datagram), "SOCK_DGRAM socket (same address grammar)"),
    E::new(S, "ListenSequentialPacket", XQ, |s, c, v| listen_socket(s, c, v, Listen::SequentialPacket), "SOCK_SEQPACKET socket (AF_UNIX, vsock)"),
    E::new(S, "ListenFIFO", XQ, |s, c, v| listen_path(s, c, v, "ListenFIFO", Listen::Fifo), "Named pipe, created with SocketMode="),
    E::new(S, "ListenSpecial", XQ, |s, c, v| listen_path(s, c, v, "ListenSpecial", Listen::Special), "Character device or /proc, /sys file"),
    E::new(S, "ListenNetlink", XQ, listen_netlink, "Netlink family and multicast group (`route 0`)"),
    E::new(S, "ListenMessageQueue", XQ, |s, c, v| listen_path(s, c, v, "ListenMessageQueue", |p| Listen::MessageQueue(p.to_string_lossy().into_owned())), "POSIX message queue /name"),
    E::new(S, "ListenUSBFunction", XQ, |s, c, v| listen_path(s, c, v, "ListenUSBFunction", Listen::UsbFunction), "FunctionFS mount point"),
    E::new(S, "Accept", XN, |s, _, v| { s.accept = bool_value(v)?; Ok(()) }, "yes: one service instance per connection (inetd nowait); no: pass listening fds"),
    E::new(S, "Service", XP, service, "Service to activate (Accept=no only; default <name>.service)"),
    E::new(S, "MaxConnections", XN, |s, _, v| { s.max_connections = u32_value(v)?; Ok(()) }, "Accept=yes: concurrent connection limit (default 64)"),
    E::new(S, "MaxConnectionsPerSource", XN, |s, _, v| { s.max_connections_per_source = u32_value(v)?; Ok(()) }, "Accept=yes: per source IP/CID/UID limit (0 = off)"),
    E::new(S, "TriggerLimitIntervalSec", XN, |_, c, v| { c.state.trigger_interval = Some(sec_value(v)?); Ok(()) }, "Activation rate-limit window (default 2s)"),
    E::new(S, "TriggerLimitBurst", XN, |_, c, v| { c.state.trigger_burst = Some(u32_value(v)?); Ok(()) }, "Activations per window before the socket fails (20 / 200 with Accept=yes)"),
    E::new(S, "PollLimitIntervalSec", XN, |_, c, v| { c.state.poll_interval = Some(sec_value(v)?); Ok(()) }, "Wakeup rate-limit window (default 2s)"),
    E::new(S, "PollLimitBurst", XN, |_, c, v| { c.state.poll_burst = Some(u32_value(v)?); Ok(()) }, "Wakeups per window before polling pauses (15 / 150 with Accept=yes)"),
    E::new(S, "FlushPending", XN, |s, _, v| { s.flush_pending = bool_value(v)?; Ok(()) }, "Accept=no: drain queued data/connections before listening again"),
    E::new(S, "FileDescriptorName", XQ, file_descriptor_name, "Name of the fds in $LISTEN_FDNAMES"),
    E::new(S, "TimeoutSec", XN, |s, _, v| { s.timeout = sec_fix_0(v, "time value")?; Ok(()) }, "Timeout of the socket's own commands (default 90s; 0 = none)"),
    E::new(S, "ExecStartPre", XN, |s, c, v| exec_lines(&mut s.exec_start_pre, c, v), "Commands run before binding"),
    E::new(S, "ExecStartPost", XN, |s, c, v| exec_lines(&mut s.exec_start_post, c, v), "Commands run after binding"),
    E::new(S, "ExecStopPre", XN, |s, c, v| exec_lines(&mut s.exec_stop_pre, c, v), "Commands run before closing"),
    E::new(S, "ExecStopPost", XN, |s, c, v| exec_lines(&mut s.exec_stop_post, c, v), "Commands run after closing"),
    E::new(S, "SocketUser", XF, |s, c, v| socket_user_group(&mut s.options.socket_user, c, v), "Owner of socket nodes and FIFOs"),
    E::new(S, "SocketGroup", XF, |s, c, v| socket_user_group(&mut s.options.socket_group, c, v), "Group of socket nodes and FIFOs"),
    E::new(S, "SocketMode", XN, |s, _, v| { s.options.socket_mode = mode_value(v)?; Ok(()) }, "Mode of socket nodes and FIFOs (default 0666)"),
    E::new(S, "DirectoryMode", XN, |s, _, v| { s.options.directory_mode = mode_value(v)?; Ok(()) }, "Mode of created parent directories (default 0755)"),
    E::new(S, "RemoveOnStop", XN, |s, _, v| { s.options.remove_on_stop = bool_value(v)?; Ok(()) }, "Unlink nodes and Symlinks= on stop"),
    E::new(S, "Symlinks", XN, symlinks, "Symlinks to the socket node"),
    E::new(S, "BindIPv6Only", XN, bind_ipv6_only, "default | both | ipv6-only (IPV6_V6ONLY)"),
    E::new(S, "Backlog", XN, |s, _, v| { s.options.backlog = u32_value(v)?; Ok(()) }, "listen() backlog"),
    E::new(S, "ReusePort", XN, |s, _, v| { s.options.reuse_port = bool_value(v)?; Ok(()) }, "SO_REUSEPORT"),
    E::new(S, "FreeBind", XN, |s, _, v| { s.options.free_bind = bool_value(v)?; Ok(()) }, "IP_FREEBIND: bind to addresses not yet configured"),
    E::new(S, "Transparent", XN, |s, _, v| { s.options.transparent = bool_value(v)?; Ok(()) }, "IP_TRANSPARENT"),
    E::new(S, "BindToDevice", XN, bind_to_device, "SO_BINDTODEVICE"),
    E::new(S, "KeepAlive", XN, |s, _, v| { s.options.keep_alive = bool_value(v)?; Ok(()) }, "SO_KEEPALIVE"),
    E::new(S, "KeepAliveTimeSec", XN, |s, _, v| { s.options.keep_alive_time = Some(sec_value(v)?); Ok(()) }, "TCP_KEEPIDLE"),
    E::new(S, "KeepAliveIntervalSec", XN, |s, _, v| { s.options.keep_alive_interval = Some(sec_value(v)?); Ok(()) }, "TCP_KEEPINTVL"),
    E::new(S, "KeepAliveProbes", XN, |s, _, v| { s.options.keep_alive_probes = Some(u32_value(v)?); Ok(()) }, "TCP_KEEPCNT"),
    E::new(S, "NoDelay", XN, |s, _, v| { s.options.no_delay = bool_value(v)?; Ok(()) }, "TCP_NODELAY"),
    E::new(S, "DeferAcceptSec", XN, defer_accept, "TCP_DEFER_ACCEPT"),
    E::new(S, "ReceiveBuffer", XN, |s, _, v| { s.options.receive_buffer = Some(size(v)?); Ok(()) }, "SO_RCVBUF (IEC size)"),
    E::new(S, "SendBuffer", XN, |s, _, v| { s.options.send_buffer = Some(size(v)?); Ok(()) }, "SO_SNDBUF (IEC size)"),
    E::new(S, "PipeSize", XN, |s, _, v| { s.options.pipe_size = Some(size(v)?); Ok(()) }, "F_SETPIPE_SZ of FIFOs"),
    E::new(S, "Priority", XN, |s, _, v| { s.options.priority = Some(int_value(v)?); Ok(()) }, "SO_PRIORITY"),
    E::new(S, "IPTOS", XN, ip_tos, "IP_TOS (number, low-delay, throughput, reliability, low-cost)"),
    E::new(S, "IPTTL", XN, |s, _, v| { s.options.ip_ttl = Some(int_value(v)?); Ok(()) }, "IP_TTL / IPV6_UNICAST_HOPS"),
    E::new(S, "Mark", XN, |s, _, v| { s.options.mark = Some(int_value(v)?); Ok(()) }, "SO_MARK"),
    E::new(S, "Broadcast", XN, |s, _, v| { s.options.broadcast = bool_value(v)?; Ok(()) }, "SO_BROADCAST"),
    E::new(S, "PassCredentials", XN, |s, _, v| { s.options.pass_credentials = bool_value(v)?; Ok(()) }, "SO_PASSCRED"),
    E::new(S, "PassSecurity", XN, |s, _, v| { s.options.pass_security = bool_value(v)?; Ok(()) }, "SO_PASSSEC"),
    E::new(S, "PassPacketInfo", XN, |s, _, v| { s.options.pass_packet_info = bool_value(v)?; Ok(()) }, "IP_PKTINFO and friends"),
    E::new(S, "Timestamping", XN, timestamping, "off | us | ns (SO_TIMESTAMP/SO_TIMESTAMPNS)"),
    E::new(S, "TCPCongestion", XN, |s, _, v| { s.options.tcp_congestion = (!v.is_empty()).then(|| v.to_string()); Ok(()) }, "TCP_CONGESTION algorithm"),
    E::new(S, "Writable", XN, |s, _, v| { s.options.writable = bool_value(v)?; Ok(()) }, "ListenSpecial=: open read-write"),
    E::new(S, "X-Activator-Builtin", XN, builtin, "activator: serve echo/discard/chargen/daytime/time inside the daemon"),
    E {
        section: S,
        key: "DeferTrigger",
        parse: defer_trigger,
        support: super::table::Support::Ignored,
        summary: "v258 deferred activation (only its Accept=yes refusal is honoured)",
        expand: XN,
    },
];

pub(crate) static SOCKET_IGNORED: &[Ignored] = &[Ignored {
    section: S,
    keys: "SocketProtocol SmackLabel SmackLabelIPIn SmackLabelIPOut SELinuxContextFromNet \
             MessageQueueMaxMessages MessageQueueMessageSize PassFileDescriptorsToExec \
             DeferTriggerMaxSec PassPIDFD AcceptFileDescriptors",
    summary: "systemd.socket(5) option activator does not implement (accepted, ignored)",
}];

/// Resolve settings whose defaults depend on others (systemd's socket_add_extras()):
/// TriggerLimit*/PollLimit* defaults depend on Accept=.
pub(crate) fn finish(s: &mut SocketUnit, state: &BuildState) {
    let default_interval = Usec::from_secs(2);
    if state.trigger_interval.is_some() || state.trigger_burst.is_some() {
        s.trigger_limit = Some(RateLimit {
            interval: state.trigger_interval.unwrap_or(default_interval),
            burst: state
                .trigger_burst
                .unwrap_or(if s.accept { 200 } else { 20 }),
        });
    }
    if state.poll_interval.is_some() || state.poll_burst.is_some() {
        s.poll_limit = Some(RateLimit {
            interval: state.poll_interval.unwrap_or(default_interval),
            burst: state.poll_burst.unwrap_or(if s.accept { 150 } else { 15 }),
        });
    }
}

/// config_parse_socket_listen for socket addresses. Any empty Listen*= clears all kinds.
fn listen_socket(
    s: &mut SocketUnit,
    _: &mut Ctx,
    v: &str,
    make: fn(super::model::SocketAddress) -> Listen,
) -> ParseResult {
    if v.is_empty() {
        s.listen.clear();
        return Ok(());
    }
    let addr = parse_socket_address(v).map_err(|e| {
        warn(format!(
            "Failed to parse address value in '{v}', ignoring: {e}"
        ))
    })?;
    s.listen.push(make(addr));
    Ok(())
}

fn listen_path(
    s: &mut SocketUnit,
    _: &mut Ctx,
    v: &str,
    key: &str,
    make: fn(PathBuf) -> Listen,
) -> ParseResult {
    if v.is_empty() {
        s.listen.clear();
        return Ok(());
    }
    let p = abs_path(v, key, false)?;
    s.listen.push(make(PathBuf::from(p)));
    Ok(())
}

fn listen_netlink(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        s.listen.clear();
        return Ok(());
    }
    let nl = parse_netlink(v).map_err(|e| {
        warn(format!(
            "Failed to parse address value in '{v}', ignoring: {e}"
        ))
    })?;
    s.listen.push(Listen::Netlink(nl));
    Ok(())
}

/// config_parse_socket_service.
fn service(s: &mut SocketUnit, ctx: &mut Ctx, v: &str) -> ParseResult {
    if !v.ends_with(".service") {
        return Err(warn(format!("Unit must be of type service, ignoring: {v}")));
    }
    match super::name::split_unit_name(v) {
        None => Err(warn(format!(
            "Failed to load unit {v}, ignoring: Unit name {v} is not valid."
        ))),
        Some(n) if n.is_template() && !ctx.template => Err(warn(format!(
            "Failed to load unit {v}, ignoring: Unit name {v} is missing the instance name."
        ))),
        Some(_) => {
            s.service = Some(v.to_string());
            Ok(())
        }
    }
}

fn file_descriptor_name(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        s.file_descriptor_name = None;
        return Ok(());
    }
    if !valid_fd_name(v) {
        return Err(warn(format!("Invalid file descriptor name, ignoring: {v}")));
    }
    s.file_descriptor_name = Some(v.to_string());
    Ok(())
}

fn symlinks(s: &mut SocketUnit, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        s.options.symlinks.clear();
        return Ok(());
    }
    // config_parse_unit_path_strv_printf: the first bad word or path ends the list.
    for word in words(v, list::UNQUOTE) {
        let Ok(word) = word else {
            ctx.warn(format!("Invalid syntax, ignoring: {v}"));
            break;
        };
        let p = match ctx.expand(&word) {
            Ok(p) => p,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {r}"
                ));
                break;
            }
        };
        match abs_path(&p, "Symlinks", false) {
            Ok(p) => s.options.symlinks.push(PathBuf::from(p)),
            Err(Reject::Warn(m) | Reject::Fatal(m)) => {
                ctx.warn(m);
                break;
            }
        }
    }
    Ok(())
}

/// config_parse_socket_bind: the three names, or a boolean (yes = ipv6-only).
fn bind_ipv6_only(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    s.options.bind_ipv6_only = match v {
        "default" => BindIpv6Only::Default,
        "both" => BindIpv6Only::Both,
        "ipv6-only" => BindIpv6Only::Ipv6Only,
        _ => match parse_bool(v) {
            Ok(true) => BindIpv6Only::Ipv6Only,
            Ok(false) => BindIpv6Only::Both,
            Err(_) => {
                return Err(warn(format!(
                    "Failed to parse bind IPv6 only value, ignoring: {v}"
                )))
            }
        },
    };
    Ok(())
}

/// ifname_valid(): 1–15 printable ASCII characters other than `:`, `/`, `%`.
fn bind_to_device(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        s.options.bind_to_device = None;
        return Ok(());
    }
    let valid = v.len() < 16
        && v != "."
        && v != ".."
        && v.bytes()
            .all(|b| (33..=126).contains(&b) && !matches!(b, b':' | b'/' | b'%'));
    if !valid {
        return Err(warn(format!("Invalid interface name, ignoring: {v}")));
    }
    s.options.bind_to_device = Some(v.to_string());
    Ok(())
}

fn defer_accept(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    let t = sec_value(v)?;
    s.options.defer_accept = (t.0 != 0).then_some(t);
    Ok(())
}

/// config_parse_iec_size.
fn size(v: &str) -> Result<u64, Reject> {
    parse_size_iec(v).map_err(|e| warn(format!("Failed to parse size value '{v}', ignoring: {e}")))
}

fn ip_tos(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        s.options.ip_tos = None;
        return Ok(());
    }
    s.options.ip_tos = Some(
        parse_ip_tos(v)
            .map_err(|_| warn(format!("Failed to parse IP TOS value, ignoring: {v}")))?,
    );
    Ok(())
}

fn timestamping(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    s.options.timestamping = match v {
        "off" => Timestamping::Off,
        "us" | "usec" | "µs" => Timestamping::Microseconds,
        "ns" | "nsec" => Timestamping::Nanoseconds,
        _ => match parse_bool(v) {
            Ok(true) => Timestamping::Nanoseconds,
            Ok(false) => Timestamping::Off,
            Err(_) => {
                return Err(warn(format!(
                    "Failed to parse timestamping precision, ignoring: {v}"
                )))
            }
        },
    };
    Ok(())
}

/// Activator extension (systemd ignores `X-` keys): run an inetd internal service.
fn builtin(s: &mut SocketUnit, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        s.builtin = None;
        return Ok(());
    }
    match Builtin::from_name(v) {
        Some(b) => {
            s.builtin = Some(b);
            Ok(())
        }
        None => Err(warn(format!(
            "{EXTENSION_PREFIX}Builtin= value not recognised (expected echo, discard, chargen, \
             daytime or time), ignoring: {v}"
        ))),
    }
}

/// DeferTrigger= (v258+) is not implemented, but Accept=yes with it is refused at load.
fn defer_trigger(_: &mut SocketUnit, ctx: &mut Ctx, v: &str) -> ParseResult {
    ctx.state.defer_trigger = v == "patient" || matches!(parse_bool(v), Ok(true));
    ctx.warn(super::table::not_implemented(ctx.key));
    Ok(())
}
