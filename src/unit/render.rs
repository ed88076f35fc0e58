//! Unit-file text for a `SocketUnit`/`ServiceUnit`: the inverse of the loader, used by
//! `activatord convert` to turn inetd.conf entries into files systemd and activator
//! both read. Only settings that differ from systemd's defaults are written, with the
//! quoting of systemd.syntax(7)/systemd.service(5) "Command lines" and `%` doubled so
//! specifier expansion gives the text back.

use std::fmt::Write as _;

use super::exec::list;

use super::model::{
    BindIpv6Only, CollectMode, ExecCommand, ExecContext, InstallSection, Listen, RateLimit,
    RestartPolicy, ServiceUnit, SocketAddress, SocketUnit, StdInput, StdOutput, Timestamping,
    UnitSection, UnitSource,
};

/// Render a socket unit as unit-file text.
pub fn render_socket(s: &SocketUnit) -> String {
    let mut out = String::new();
    header(&mut out, &s.source);
    unit_section(&mut out, &s.unit);
    out.push_str("\n[Socket]\n");
    for l in &s.listen {
        kv(&mut out, l.directive(), &escape_percent(&listen_value(l)));
    }
    let o = &s.options;
    match o.bind_ipv6_only {
        BindIpv6Only::Default => {}
        BindIpv6Only::Both => kv(&mut out, "BindIPv6Only", "both"),
        BindIpv6Only::Ipv6Only => kv(&mut out, "BindIPv6Only", "ipv6-only"),
    }
    kv(&mut out, "Accept", yes_no(s.accept));
    if let Some(svc) = &s.service {
        kv(&mut out, "Service", &escape_percent(svc));
    }
    if s.max_connections != 64 {
        kv(&mut out, "MaxConnections", &s.max_connections.to_string());
    }
    if s.max_connections_per_source != 0 {
        kv(
            &mut out,
            "MaxConnectionsPerSource",
            &s.max_connections_per_source.to_string(),
        );
    }
    if let Some(l) = s.trigger_limit {
        rate_limit(&mut out, "TriggerLimit", l);
    }
    if let Some(l) = s.poll_limit {
        rate_limit(&mut out, "PollLimit", l);
    }
    if o.backlog != u32::MAX {
        kv(&mut out, "Backlog", &o.backlog.to_string());
    }
    if let Some(n) = o.send_buffer {
        kv(&mut out, "SendBuffer", &n.to_string());
    }
    if let Some(n) = o.receive_buffer {
        kv(&mut out, "ReceiveBuffer", &n.to_string());
    }
    for (key, on) in [
        ("ReusePort", o.reuse_port),
        ("FreeBind", o.free_bind),
        ("Transparent", o.transparent),
        ("KeepAlive", o.keep_alive),
        ("NoDelay", o.no_delay),
        ("Broadcast", o.broadcast),
        ("PassCredentials", o.pass_credentials),
        ("PassSecurity", o.pass_security),
        ("PassPacketInfo", o.pass_packet_info),
        ("Writable", o.writable),
        ("RemoveOnStop", o.remove_on_stop),
        ("FlushPending", s.flush_pending),
    ] {
        if on {
            kv(&mut out, key, "yes");
        }
    }
    if let Some(d) = &o.bind_to_device {
        kv(&mut out, "BindToDevice", &escape_percent(d));
    }
    for (key, v) in [
        ("KeepAliveTimeSec", o.keep_alive_time),
        ("KeepAliveIntervalSec", o.keep_alive_interval),
        ("DeferAcceptSec", o.defer_accept),
    ] {
        if let Some(v) = v {
            kv(&mut out, key, &v.to_string());
        }
    }
    for (key, v) in [
        ("KeepAliveProbes", o.keep_alive_probes.map(i64::from)),
        ("Priority", o.priority.map(i64::from)),
        ("IPTOS", o.ip_tos.map(i64::from)),
        ("IPTTL", o.ip_ttl.map(i64::from)),
        ("Mark", o.mark.map(i64::from)),
    ] {
        if let Some(v) = v {
            kv(&mut out, key, &v.to_string());
        }
    }
    match o.timestamping {
        Timestamping::Off => {}
        Timestamping::Microseconds => kv(&mut out, "Timestamping", "us"),
        Timestamping::Nanoseconds => kv(&mut out, "Timestamping", "ns"),
    }
    if let Some(c) = &o.tcp_congestion {
        kv(&mut out, "TCPCongestion", c);
    }
    if let Some(n) = o.pipe_size {
        kv(&mut out, "PipeSize", &n.to_string());
    }
    if let Some(u) = &o.socket_user {
        kv(&mut out, "SocketUser", &escape_percent(u));
    }
    if let Some(g) = &o.socket_group {
        kv(&mut out, "SocketGroup", &escape_percent(g));
    }
    if o.socket_mode != 0o666 {
        kv(&mut out, "SocketMode", &format!("{:04o}", o.socket_mode));
    }
    if o.directory_mode != 0o755 {
        kv(
            &mut out,
            "DirectoryMode",
            &format!("{:04o}", o.directory_mode),
        );
    }
    for p in &o.symlinks {
        let p = p.to_string_lossy();
        kv(
            &mut out,
            "Symlinks",
            &escape_percent(&list::UNQUOTE.quote(&p)),
        );
    }
    if let Some(n) = &s.file_descriptor_name {
        kv(&mut out, "FileDescriptorName", &escape_percent(n));
    }
    for (key, cmds) in [
        ("ExecStartPre", &s.exec_start_pre),
        ("ExecStartPost", &s.exec_start_post),
        ("ExecStopPre", &s.exec_stop_pre),
        ("ExecStopPost", &s.exec_stop_post),
    ] {
        for c in cmds {
            kv(&mut out, key, &render_exec_command(c));
        }
    }
    exec_context(&mut out, &s.exec);
    if let Some(b) = s.builtin {
        // Activator extension; systemd ignores `X-` keys silently.
        kv(&mut out, "X-Activator-Builtin", b.name());
    }
    install_section(&mut out, &s.install);
    out
}

/// Render a service unit as unit-file text.
pub fn render_service(s: &ServiceUnit) -> String {
    let mut out = String::new();
    header(&mut out, &s.source);
    unit_section(&mut out, &s.unit);
    out.push_str("\n[Service]\n");
    if let Some(t) = s.service_type {
        kv(&mut out, "Type", t.as_str());
    }
    for (key, cmds) in [
        ("ExecCondition", &*s.exec_condition),
        ("ExecStartPre", &s.exec_start_pre),
        ("ExecStart", &s.exec_start as &Vec<_>),
        ("ExecStartPost", &s.exec_start_post),
        ("ExecReload", &s.exec_reload),
        ("ExecStop", &s.exec_stop),
        ("ExecStopPost", &s.exec_stop_post),
    ] {
        for c in cmds {
            kv(&mut out, key, &render_exec_command(c));
        }
    }
    if s.remain_after_exit {
        kv(&mut out, "RemainAfterExit", "yes");
    }
    if s.restart != RestartPolicy::No {
        kv(&mut out, "Restart", s.restart.as_str());
    }
    for sock in &s.sockets {
        kv(
            &mut out,
            "Sockets",
            &escape_percent(&list::BARE.quote(sock)),
        );
    }
    if s.non_blocking {
        kv(&mut out, "NonBlocking", "yes");
    }
    if let Some(p) = &*s.pid_file {
        kv(&mut out, "PIDFile", &escape_percent(&p.to_string_lossy()));
    }
    exec_context(&mut out, &s.exec);
    install_section(&mut out, &s.install);
    out
}

/// One `Exec*=` value: prefixes, then the path, then argv[1..] — with `@path argv0`
/// when argv[0] is not the path (systemd.service(5) "Command lines").
pub fn render_exec_command(c: &ExecCommand) -> String {
    let mut out = String::new();
    if c.ignore_failure {
        out.push('-');
    }
    if c.no_env_expand {
        out.push(':');
    }
    if c.full_privileges {
        out.push('+');
    } else if c.no_setuid {
        out.push('!');
    }
    if c.via_shell {
        out.push('|');
    }
    let argv0_differs = c.argv.first().is_some_and(|a| *a != c.path);
    if argv0_differs {
        out.push('@');
    }
    out.push_str(&quote_word(&c.path));
    let rest = if argv0_differs {
        &c.argv[..]
    } else {
        c.argv.get(1..).unwrap_or(&[])
    };
    for a in rest {
        out.push(' ');
        out.push_str(&quote_word(a));
    }
    out
}

/// A word as systemd's `extract_first_word(UNQUOTE|CUNESCAPE)` reads it back:
/// bare when safe, else double-quoted with C escapes; `%` doubled (specifiers).
pub fn quote_word(w: &str) -> String {
    let safe = !w.is_empty()
        && w.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '/' | '_'
                        | '.'
                        | ','
                        | ':'
                        | '='
                        | '+'
                        | '-'
                        | '@'
                        | '%'
                        | '$'
                        | '{'
                        | '}'
                        | '^'
                        | '~'
                )
                || (!c.is_ascii() && !c.is_control())
        });
    if safe {
        return escape_percent(w);
    }
    let mut out = String::from("\"");
    for c in w.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '%' => out.push_str("%%"),
            c if c.is_control() && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn escape_percent(s: &str) -> String {
    s.replace('%', "%%")
}

fn header(out: &mut String, src: &UnitSource) {
    if let (Some(f), true) = (&src.fragment, src.line > 0) {
        let _ = writeln!(
            out,
            "# Generated from {}:{} by activatord convert",
            f.display(),
            src.line
        );
    }
}

fn kv(out: &mut String, key: &str, value: &str) {
    // The unit lexer ends a line at LF, CR and NUL (systemd's read_line()); such a
    // byte would cut the assignment short, and a plain value has no escape for it.
    // It also strips blanks around the value, so they are not written.
    let value = value.replace(['\n', '\r', '\0'], " ");
    let value = value.trim_matches([' ', '\t']);
    // An odd run of backslashes at the end would continue the line into the next
    // assignment; a plain value cannot end in one, so it gets one more.
    let odd = value.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
    let _ = writeln!(out, "{key}={value}{}", if odd { "\\" } else { "" });
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn rate_limit(out: &mut String, prefix: &str, l: RateLimit) {
    kv(
        out,
        &format!("{prefix}IntervalSec"),
        &l.interval.to_string(),
    );
    kv(out, &format!("{prefix}Burst"), &l.burst.to_string());
}

fn unit_section(out: &mut String, u: &UnitSection) {
    out.push_str("[Unit]\n");
    if let Some(d) = &u.description {
        kv(out, "Description", &escape_percent(d));
    }
    if !u.documentation.is_empty() {
        kv(
            out,
            "Documentation",
            &escape_percent(&list::STRV.join(&u.documentation)),
        );
    }
    if !u.default_dependencies {
        kv(out, "DefaultDependencies", "no");
    }
    if u.collect_mode == CollectMode::InactiveOrFailed {
        kv(out, "CollectMode", "inactive-or-failed");
    }
    let default_limit = UnitSection::default().start_limit;
    if u.start_limit != default_limit {
        kv(
            out,
            "StartLimitIntervalSec",
            &u.start_limit.interval.to_string(),
        );
        kv(out, "StartLimitBurst", &u.start_limit.burst.to_string());
    }
    for (key, words) in [
        ("Requires", &u.deps.requires),
        ("Wants", &u.deps.wants),
        ("BindsTo", &u.deps.binds_to),
        ("PartOf", &u.deps.part_of),
        ("After", &u.deps.after),
        ("Before", &u.deps.before),
        ("Conflicts", &u.deps.conflicts),
    ] {
        if !words.is_empty() {
            kv(out, key, &escape_percent(&list::DEPENDENCIES.join(words)));
        }
    }
}

fn install_section(out: &mut String, i: &InstallSection) {
    if *i == InstallSection::default() {
        return;
    }
    out.push_str("\n[Install]\n");
    for (key, words, flags) in [
        ("WantedBy", &i.wanted_by, list::STRV),
        ("RequiredBy", &i.required_by, list::STRV),
        ("Alias", &i.alias, list::STRV),
        ("Also", &i.also, list::BARE),
    ] {
        // Kept as written, specifiers unexpanded (they mean something on enable).
        if !words.is_empty() {
            kv(out, key, &flags.join(words));
        }
    }
}

fn exec_context(out: &mut String, e: &ExecContext) {
    if let Some(u) = &e.user {
        kv(out, "User", &escape_percent(u));
    }
    if let Some(g) = &e.group {
        kv(out, "Group", &escape_percent(g));
    }
    if !e.supplementary_groups.is_empty() {
        kv(
            out,
            "SupplementaryGroups",
            &escape_percent(&list::BARE.join(&e.supplementary_groups)),
        );
    }
    if let Some(w) = &*e.working_directory {
        let mut v = String::new();
        if w.optional {
            v.push('-');
        }
        if w.home {
            v.push('~');
        } else {
            v.push_str(&escape_percent(&w.path.to_string_lossy()));
        }
        kv(out, "WorkingDirectory", &v);
    }
    if let Some(r) = &*e.root_directory {
        kv(out, "RootDirectory", &escape_percent(&r.to_string_lossy()));
    }
    for (k, v) in &e.environment {
        kv(out, "Environment", &quote_word(&format!("{k}={v}")));
    }
    for f in &e.environment_files {
        let p = escape_percent(&f.path.to_string_lossy());
        kv(
            out,
            "EnvironmentFile",
            &if f.optional { format!("-{p}") } else { p },
        );
    }
    if !e.pass_environment.is_empty() {
        let v = list::UNQUOTE.join(&e.pass_environment);
        kv(out, "PassEnvironment", &escape_percent(&v));
    }
    if !e.unset_environment.is_empty() {
        let v = list::UNQUOTE_CUNESCAPE.join(&e.unset_environment);
        kv(out, "UnsetEnvironment", &escape_percent(&v));
    }
    if e.umask != 0o022 {
        kv(out, "UMask", &format!("{:04o}", e.umask));
    }
    if let Some(n) = e.nice {
        kv(out, "Nice", &n.to_string());
    }
    if let Some(n) = e.oom_score_adjust {
        kv(out, "OOMScoreAdjust", &n.to_string());
    }
    if e.no_new_privileges {
        kv(out, "NoNewPrivileges", "yes");
    }
    match &e.standard_input {
        StdInput::Null | StdInput::Data(_) => {}
        StdInput::Tty => kv(out, "StandardInput", "tty"),
        StdInput::Socket => kv(out, "StandardInput", "socket"),
        StdInput::File(p) => kv(
            out,
            "StandardInput",
            &format!("file:{}", escape_percent(&p.to_string_lossy())),
        ),
        StdInput::Fd(n) => kv(out, "StandardInput", &format!("fd:{n}")),
    }
    if let Some(v) = std_output(&e.standard_output) {
        kv(out, "StandardOutput", &v);
    }
    if let Some(v) = std_output(&e.standard_error) {
        kv(out, "StandardError", &v);
    }
}

fn std_output(o: &StdOutput) -> Option<String> {
    let path = |p: &std::path::Path| escape_percent(&p.to_string_lossy());
    Some(match o {
        StdOutput::Default => return None,
        StdOutput::Inherit => "inherit".into(),
        StdOutput::Null => "null".into(),
        StdOutput::Tty => "tty".into(),
        StdOutput::Journal => "journal".into(),
        StdOutput::Kmsg => "kmsg".into(),
        StdOutput::JournalConsole => "journal+console".into(),
        StdOutput::Socket => "socket".into(),
        StdOutput::File(p) => format!("file:{}", path(p)),
        StdOutput::Append(p) => format!("append:{}", path(p)),
        StdOutput::Truncate(p) => format!("truncate:{}", path(p)),
        StdOutput::Fd(n) => format!("fd:{n}"),
    })
}

/// The `Listen*=` value (before `%` escaping): systemd's canonical address text.
fn listen_value(l: &Listen) -> String {
    match l {
        Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => address(a),
        Listen::Fifo(p) | Listen::Special(p) | Listen::UsbFunction(p) => {
            p.to_string_lossy().into_owned()
        }
        Listen::Netlink(n) => format!("{} {}", n.family, n.group),
        Listen::MessageQueue(q) => q.clone(),
    }
}

fn address(a: &SocketAddress) -> String {
    match a {
        SocketAddress::Ip {
            port_only: true,
            addr,
            ..
        } => addr.port().to_string(),
        SocketAddress::Ip { addr, ifname, .. } => {
            let base = match addr {
                std::net::SocketAddr::V4(v4) => v4.to_string(),
                std::net::SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
            };
            match ifname {
                Some(i) => format!("{base}%{i}"),
                None => base,
            }
        }
        SocketAddress::Unix(p) => p.to_string_lossy().into_owned(),
        SocketAddress::Abstract(n) => format!("@{n}"),
        SocketAddress::Vsock { cid, port } => match cid {
            Some(c) => format!("vsock:{c}:{port}"),
            None => format!("vsock::{port}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::model::Builtin;
    use crate::unit::values::Usec;

    #[test]
    fn quoting() {
        assert_eq!(quote_word("in.telnetd"), "in.telnetd");
        assert_eq!(quote_word("a b"), "\"a b\"");
        assert_eq!(quote_word(""), "\"\"");
        assert_eq!(quote_word("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(quote_word("100%"), "100%%");
        assert_eq!(quote_word(";"), "\";\"");
        assert_eq!(quote_word("'x'"), "\"'x'\"");
        assert_eq!(quote_word("a\u{1}"), "\"a\\x01\"");
    }

    #[test]
    fn plain_values_hold_no_line_end() {
        // systemd's read_line() ends a line at LF, CR and NUL alike.
        let mut s = SocketUnit::new("x.socket");
        s.unit.description = Some(" a\rb\0c\nd\t".into());
        assert!(render_socket(&s).contains("\nDescription=a b c d\n"));
        // Nor a backslash that would continue it.
        s.unit.description = Some("x\\".into());
        assert!(render_socket(&s).contains("\nDescription=x\\\\\n"));
    }

    #[test]
    fn exec_argv0_form() {
        let c = ExecCommand {
            path: "/usr/sbin/in.tftpd".into(),
            argv: vec!["in.tftpd".into(), "-s".into(), "/srv tftp".into()],
            ..ExecCommand::default()
        };
        assert_eq!(
            render_exec_command(&c),
            "@/usr/sbin/in.tftpd in.tftpd -s \"/srv tftp\""
        );
        let c = ExecCommand {
            path: "/bin/cat".into(),
            argv: vec!["/bin/cat".into()],
            no_env_expand: true,
            ..ExecCommand::default()
        };
        assert_eq!(render_exec_command(&c), ":/bin/cat");
    }

    #[test]
    fn socket_text() {
        let mut s = SocketUnit::new("inetd-echo-tcp.socket");
        s.source.fragment = Some(std::path::Path::new("/etc/inetd.conf").into());
        s.source.line = 3;
        s.listen.push(Listen::Stream(SocketAddress::Ip {
            addr: "0.0.0.0:7".parse().unwrap(),
            ifname: None,
            port_only: false,
        }));
        s.listen.push(Listen::Stream(SocketAddress::Ip {
            addr: "[fe80::1]:7".parse().unwrap(),
            ifname: Some("lo".into()),
            port_only: false,
        }));
        s.options.bind_ipv6_only = BindIpv6Only::Ipv6Only;
        s.accept = true;
        s.trigger_limit = Some(RateLimit {
            interval: Usec::from_secs(60),
            burst: 256,
        });
        s.builtin = Some(Builtin::Echo);
        s.install.wanted_by.push("sockets.target".into());
        let text = render_socket(&s);
        assert_eq!(
            text,
            "# Generated from /etc/inetd.conf:3 by activatord convert\n[Unit]\n\n[Socket]\n\
             ListenStream=0.0.0.0:7\nListenStream=[fe80::1]:7%%lo\nBindIPv6Only=ipv6-only\nAccept=yes\n\
             TriggerLimitIntervalSec=1min\nTriggerLimitBurst=256\nX-Activator-Builtin=echo\n\n\
             [Install]\nWantedBy=sockets.target\n"
        );
    }
}
