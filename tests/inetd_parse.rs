//! inetd.conf front-end: hand-written lines for every field variant of each dialect,
//! checked against the typed model they must produce (inetd.md §1, systemd.md §10).

use std::path::{Path, PathBuf};

use activator::inetd::{load_inetd, Dialect, InetdOptions, InetdUnits};
use activator::unit::model::{
    BindIpv6Only, Builtin, CollectMode, Listen, RateLimit, ServiceUnit, SocketAddress, SocketUnit,
    StdInput,
};
use activator::unit::values::Usec;

fn services_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inetd/services")
}

fn opts(dialect: Dialect) -> InetdOptions {
    InetdOptions {
        dialect,
        services_file: services_fixture(),
    }
}

/// Load `text` as one inetd.conf file named `inetd.conf` in a temp dir.
fn load(text: &str, dialect: Dialect) -> (InetdUnits, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inetd.conf");
    std::fs::write(&path, text).unwrap();
    (load_inetd(&[path], &opts(dialect)), dir)
}

fn socket<'a>(u: &'a InetdUnits, name: &str) -> &'a SocketUnit {
    u.sockets
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no socket {name}; have {:?}", names(u)))
}

fn service<'a>(u: &'a InetdUnits, name: &str) -> &'a ServiceUnit {
    u.services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}; have {:?}", names(u)))
}

fn names(u: &InetdUnits) -> Vec<String> {
    u.sockets
        .iter()
        .map(|s| s.name.clone())
        .chain(u.services.iter().map(|s| s.name.clone()))
        .collect()
}

fn ip(kind: &str, addr: &str) -> Listen {
    let a = SocketAddress::Ip {
        addr: addr.parse().unwrap(),
        ifname: None,
        port_only: false,
    };
    match kind {
        "stream" => Listen::Stream(a),
        _ => Listen::Datagram(a),
    }
}

fn messages(u: &InetdUnits) -> Vec<String> {
    u.diagnostics.iter().map(|d| d.to_string()).collect()
}

fn no_diags(u: &InetdUnits) {
    assert!(u.diagnostics.is_empty(), "{:#?}", messages(u));
}

#[test]
fn openbsd_bare_tcp_is_two_sockets_in_one_unit() {
    let (u, _d) = load(
        "telnet stream tcp nowait root /usr/sbin/in.telnetd in.telnetd -h\n",
        Dialect::OpenBsd,
    );
    no_diags(&u);
    let s = socket(&u, "inetd-telnet-tcp.socket");
    assert_eq!(
        s.listen,
        vec![ip("stream", "0.0.0.0:23"), ip("stream", "[::]:23")]
    );
    assert_eq!(s.options.bind_ipv6_only, BindIpv6Only::Ipv6Only);
    assert!(s.accept);
    assert_eq!(s.service_name(), "inetd-telnet-tcp@.service");
    assert_eq!(s.install.wanted_by, vec!["sockets.target"]);
    assert_eq!(s.source.line, 1);
    assert!(s.source.fragment.as_ref().unwrap().ends_with("inetd.conf"));
    // OpenBSD's default spawn limit: 256 per minute.
    assert_eq!(
        s.trigger_limit,
        Some(RateLimit {
            interval: Usec::from_secs(60),
            burst: 256
        })
    );
    let svc = service(&u, "inetd-telnet-tcp@.service");
    assert_eq!(svc.exec_start.len(), 1);
    assert_eq!(svc.exec_start[0].path, "/usr/sbin/in.telnetd");
    assert_eq!(svc.exec_start[0].argv, vec!["in.telnetd", "-h"]);
    assert_eq!(svc.exec.user.as_deref(), Some("root"));
    assert_eq!(svc.exec.group, None);
    assert!(svc.exec.init_groups);
    assert_eq!(svc.exec.standard_input, StdInput::Socket);
    assert_eq!(svc.unit.collect_mode, CollectMode::InactiveOrFailed);
}

#[test]
fn protocol_words_per_dialect() {
    let conf = "\
7001 stream tcp4 nowait nobody /bin/cat cat
7002 stream tcp6 nowait nobody /bin/cat cat
7003 stream tcp46 nowait nobody /bin/cat cat
7004 dgram udp wait nobody /bin/cat cat
7005 dgram udp6 wait nobody /bin/cat cat
7006 dgram udp46 wait nobody /bin/cat cat
7007 stream tcp6only nowait nobody /bin/cat cat
7008 dgram udp4 wait nobody /bin/cat cat
";
    // (unit, listens, bindipv6only) per dialect.
    let v4 = |k: &str, p: u16| ip(k, &format!("0.0.0.0:{p}"));
    let v6 = |k: &str, p: u16| ip(k, &format!("[::]:{p}"));
    let (u, _d) = load(conf, Dialect::OpenBsd);
    no_diags(&u);
    assert_eq!(
        socket(&u, "inetd-7001-tcp4.socket").listen,
        vec![v4("stream", 7001)]
    );
    assert_eq!(
        socket(&u, "inetd-7002-tcp6.socket").options.bind_ipv6_only,
        BindIpv6Only::Ipv6Only
    );
    assert_eq!(
        socket(&u, "inetd-7003-tcp46.socket").listen,
        vec![v6("stream", 7003)]
    );
    assert_eq!(
        socket(&u, "inetd-7003-tcp46.socket").options.bind_ipv6_only,
        BindIpv6Only::Both
    );
    // wait + two sockets: one unit per socket (StandardInput=socket takes exactly one).
    assert_eq!(
        socket(&u, "inetd-7004-udp-v4.socket").listen,
        vec![v4("dgram", 7004)]
    );
    assert_eq!(
        socket(&u, "inetd-7004-udp-v6.socket").listen,
        vec![v6("dgram", 7004)]
    );
    assert_eq!(
        service(&u, "inetd-7004-udp-v6.service").exec.standard_input,
        StdInput::Socket
    );
    assert!(!socket(&u, "inetd-7004-udp-v4.socket").accept);
    assert_eq!(
        socket(&u, "inetd-7007-tcp6only.socket")
            .options
            .bind_ipv6_only,
        BindIpv6Only::Ipv6Only
    );

    let (u, _d) = load(conf, Dialect::FreeBsd);
    no_diags(&u);
    assert_eq!(
        socket(&u, "inetd-7004-udp.socket").listen,
        vec![v4("dgram", 7004)]
    );
    assert_eq!(
        socket(&u, "inetd-7002-tcp6.socket").options.bind_ipv6_only,
        BindIpv6Only::Ipv6Only
    );
    assert_eq!(
        socket(&u, "inetd-7006-udp46.socket").options.bind_ipv6_only,
        BindIpv6Only::Both
    );

    let (u, _d) = load(conf, Dialect::Inetutils);
    no_diags(&u);
    // inetutils: tcp6 is dual-stack, tcp6only is v6-only.
    assert_eq!(
        socket(&u, "inetd-7002-tcp6.socket").options.bind_ipv6_only,
        BindIpv6Only::Both
    );
    assert_eq!(
        socket(&u, "inetd-7007-tcp6only.socket")
            .options
            .bind_ipv6_only,
        BindIpv6Only::Ipv6Only
    );
    assert_eq!(
        socket(&u, "inetd-7004-udp.socket").listen,
        vec![v4("dgram", 7004)]
    );
    assert_eq!(
        socket(&u, "inetd-7001-tcp4.socket")
            .trigger_limit
            .map(|l| l.burst),
        Some(1000)
    );

    let (u, _d) = load(conf, Dialect::Busybox);
    no_diags(&u);
    assert_eq!(
        socket(&u, "inetd-7002-tcp6.socket").options.bind_ipv6_only,
        BindIpv6Only::Default
    );
    assert_eq!(
        socket(&u, "inetd-7002-tcp6.socket").listen,
        vec![v6("stream", 7002)]
    );
    // busybox has no default rate limit: burst 0 = disabled.
    assert_eq!(
        socket(&u, "inetd-7001-tcp4.socket")
            .trigger_limit
            .map(|l| l.is_enabled()),
        Some(false)
    );
}

#[test]
fn hosts_default_host_lines_and_lists() {
    let conf = "\
127.0.0.1:7101 stream tcp nowait nobody /bin/cat cat
[::1]:7102 stream tcp nowait nobody /bin/cat cat
127.0.0.1,[::1]:7103 stream tcp nowait nobody /bin/cat cat
127.0.0.2:
7104 stream tcp4 nowait nobody /bin/cat cat
*:7105 stream tcp4 nowait nobody /bin/cat cat
*:
7106 stream tcp4 nowait nobody /bin/cat cat
::1:7107 stream tcp6 nowait nobody /bin/cat cat
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    no_diags(&u);
    // Bare tcp with a v4 host binds only the matching family.
    assert_eq!(
        socket(&u, "inetd-7101-tcp.socket").listen,
        vec![ip("stream", "127.0.0.1:7101")]
    );
    assert_eq!(
        socket(&u, "inetd-7102-tcp.socket").listen,
        vec![ip("stream", "[::1]:7102")]
    );
    assert_eq!(
        socket(&u, "inetd-7103-tcp.socket").listen,
        vec![ip("stream", "127.0.0.1:7103"), ip("stream", "[::1]:7103")]
    );
    assert_eq!(
        socket(&u, "inetd-7104-tcp4.socket").listen,
        vec![ip("stream", "127.0.0.2:7104")]
    );
    assert_eq!(
        socket(&u, "inetd-7105-tcp4.socket").listen,
        vec![ip("stream", "0.0.0.0:7105")]
    );
    assert_eq!(
        socket(&u, "inetd-7106-tcp4.socket").listen,
        vec![ip("stream", "0.0.0.0:7106")]
    );
    assert_eq!(
        socket(&u, "inetd-7107-tcp6.socket").listen,
        vec![ip("stream", "[::1]:7107")]
    );
}

#[test]
fn host_family_mismatch_is_one_error() {
    let (u, _d) = load(
        "127.0.0.1:7110 stream tcp6 nowait nobody /bin/cat cat\n",
        Dialect::OpenBsd,
    );
    assert!(u.sockets.is_empty());
    assert_eq!(u.diagnostics.len(), 1);
    assert!(u.diagnostics[0].is_error());
}

#[test]
fn service_names_aliases_and_ports() {
    let conf = "\
ftp stream tcp4 nowait root /usr/sbin/ftpd ftpd -l
mail stream tcp4 nowait nobody /usr/sbin/smtpd smtpd
comsat dgram udp4 wait nobody /usr/sbin/comsat comsat
2049 stream tcp4 nowait nobody /bin/cat cat
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    no_diags(&u);
    assert_eq!(
        socket(&u, "inetd-ftp-tcp4.socket").listen,
        vec![ip("stream", "0.0.0.0:21")]
    );
    // `mail` is an alias of smtp; the unit is named as written.
    assert_eq!(
        socket(&u, "inetd-mail-tcp4.socket").listen,
        vec![ip("stream", "0.0.0.0:25")]
    );
    assert_eq!(
        socket(&u, "inetd-comsat-udp4.socket").listen,
        vec![ip("dgram", "0.0.0.0:512")]
    );
    assert_eq!(
        socket(&u, "inetd-2049-tcp4.socket").listen,
        vec![ip("stream", "0.0.0.0:2049")]
    );
}

#[test]
fn bad_lines_are_one_diagnostic_each_and_the_rest_loads() {
    let conf = "\
echo stream tcp4 nowait root internal
nosuchservice stream tcp4 nowait root /bin/cat cat
7201 stream tcp4 nowait nosuchuser_h4 /bin/cat cat
7202 stream tcp4 nowait nobody:nosuchgroup_h4 /bin/cat cat
7203 stream tcp4
echo stream tcp4 nowait root internal
99999 stream tcp4 nowait root /bin/cat cat
7204 stream udp4 nowait root /bin/cat cat
7205 raw tcp4 nowait root /bin/cat cat
rstatd/1-3 dgram rpc/udp wait root /usr/libexec/rpc.rstatd rpc.rstatd
tcpmux/+hello stream tcp nowait root /bin/echo echo hi
auth stream tcp4 nowait root internal
7206 stream tcp4 nowait root bin/cat cat
7207 stream sctp nowait root /bin/cat cat
daytime stream tcp4 nowait root internal
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    let msgs = messages(&u);
    let lines: Vec<u32> = u.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(
        lines,
        vec![2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
        "{msgs:#?}"
    );
    assert!(u.diagnostics.iter().all(|d| d.is_error()), "{msgs:#?}");
    assert!(
        msgs[0].contains("inetd.conf:2: Unknown service 'nosuchservice/tcp'"),
        "{}",
        msgs[0]
    );
    assert!(msgs[1].contains("Unknown user 'nosuchuser_h4'"));
    assert!(msgs[2].contains("Unknown group 'nosuchgroup_h4'"));
    assert!(msgs[3].contains("Malformed entry"));
    assert!(msgs[4].contains("Duplicate entry"), "{}", msgs[4]);
    assert!(msgs[4].contains("inetd.conf:1"), "{}", msgs[4]);
    assert!(msgs[8].contains("RPC") && msgs[8].contains("not supported"));
    assert!(msgs[9].contains("TCPMUX") && msgs[9].contains("not supported"));
    assert!(msgs[10].contains("'auth' is not supported"));
    // Good entries around them still load.
    assert_eq!(u.sockets.len(), 2, "{:?}", names(&u));
    assert_eq!(
        socket(&u, "inetd-echo-tcp4.socket").builtin,
        Some(Builtin::Echo)
    );
    assert_eq!(
        socket(&u, "inetd-daytime-tcp4.socket").builtin,
        Some(Builtin::Daytime)
    );
}

#[test]
fn builtins_have_no_service_and_natural_modes() {
    let conf = "\
echo stream tcp4 nowait root internal
echo dgram udp4 wait root internal
discard stream tcp4 nowait root internal
chargen dgram udp4 wait root internal
time stream tcp4 wait root internal
19 stream tcp4 nowait root internal
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    assert!(u.services.is_empty());
    assert_eq!(u.sockets.len(), 6);
    assert!(socket(&u, "inetd-echo-tcp4.socket").accept);
    assert!(!socket(&u, "inetd-echo-udp4.socket").accept);
    assert_eq!(
        socket(&u, "inetd-discard-tcp4.socket").builtin,
        Some(Builtin::Discard)
    );
    assert_eq!(
        socket(&u, "inetd-chargen-udp4.socket").builtin,
        Some(Builtin::Chargen)
    );
    // `time stream wait`: forced to the builtin's natural nowait, with a warning.
    assert!(socket(&u, "inetd-time-tcp4.socket").accept);
    // A numeric port of a builtin resolves through services(5) (19 = chargen).
    assert_eq!(
        socket(&u, "inetd-19-tcp4.socket").builtin,
        Some(Builtin::Chargen)
    );
    assert_eq!(u.diagnostics.len(), 1, "{:#?}", messages(&u));
    assert_eq!(u.diagnostics[0].line, 5);
    assert!(!u.diagnostics[0].is_error());
}

#[test]
fn wait_suffixes() {
    let conf = "\
7301 stream tcp4 nowait.10 nobody /bin/cat cat
7302 stream tcp4 nowait:20 nobody /bin/cat cat
7303 stream tcp4 nowait/5/10/2 nobody /bin/cat cat
7304 dgram udp4 wait.3 nobody /bin/cat cat
7305 stream tcp4 wait nobody /usr/sbin/identd identd -w
7306 stream tcp4 nowait/7 nobody /bin/cat cat
";
    let (u, _d) = load(conf, Dialect::FreeBsd);
    let rate = |n: &str| socket(&u, n).trigger_limit.unwrap();
    assert_eq!(
        rate("inetd-7301-tcp4.socket"),
        RateLimit {
            interval: Usec::from_secs(60),
            burst: 10
        }
    );
    assert_eq!(rate("inetd-7302-tcp4.socket").burst, 20);
    let s = socket(&u, "inetd-7303-tcp4.socket");
    assert_eq!(s.max_connections, 5);
    assert_eq!(s.max_connections_per_source, 2);
    assert_eq!(s.trigger_limit.unwrap().burst, 256);
    assert_eq!(rate("inetd-7304-udp4.socket").burst, 3);
    assert!(!socket(&u, "inetd-7304-udp4.socket").accept);
    // stream wait: Accept=no, the listening socket on stdin.
    let s = socket(&u, "inetd-7305-tcp4.socket");
    assert!(!s.accept);
    assert_eq!(s.service_name(), "inetd-7305-tcp4.service");
    let svc = service(&u, "inetd-7305-tcp4.service");
    assert_eq!(svc.exec.standard_input, StdInput::Socket);
    assert_eq!(svc.unit.collect_mode, CollectMode::Inactive);
    assert_eq!(socket(&u, "inetd-7306-tcp4.socket").max_connections, 7);
    // `/10` (per-IP rate) has no equivalent: one warning on line 3.
    let w: Vec<u32> = u.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(w, vec![3], "{:#?}", messages(&u));
}

#[test]
fn users_groups_and_classes() {
    let conf = "\
7401 stream tcp4 nowait nobody:nogroup /bin/cat cat
7402 stream tcp4 nowait nobody.nogroup /bin/cat cat
7403 stream tcp4 nowait daemon/staff /bin/cat cat
7404 stream tcp4 nowait root:daemon/daemon /bin/cat cat
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    let s1 = service(&u, "inetd-7401-tcp4@.service");
    assert_eq!(
        (s1.exec.user.as_deref(), s1.exec.group.as_deref()),
        (Some("nobody"), Some("nogroup"))
    );
    assert!(!s1.exec.init_groups);
    let s2 = service(&u, "inetd-7402-tcp4@.service");
    assert_eq!(s2.exec.group.as_deref(), Some("nogroup"));
    let s3 = service(&u, "inetd-7403-tcp4@.service");
    assert_eq!(
        (s3.exec.user.as_deref(), s3.exec.group.as_deref()),
        (Some("daemon"), None)
    );
    assert!(s3.exec.init_groups);
    let s4 = service(&u, "inetd-7404-tcp4@.service");
    assert_eq!(s4.exec.group.as_deref(), Some("daemon"));
    // Login classes are accepted with a warning.
    let lines: Vec<u32> = u.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![3, 4]);
    assert!(u.diagnostics.iter().all(|d| !d.is_error()));

    // FreeBSD: '.' is not a separator, so `nobody.nogroup` is an unknown user.
    let (u, _d) = load(
        "7402 stream tcp4 nowait nobody.nogroup /bin/cat cat\n",
        Dialect::FreeBsd,
    );
    assert!(u.sockets.is_empty());
    assert!(messages(&u)[0].contains("Unknown user 'nobody.nogroup'"));
}

#[test]
fn unix_entries() {
    let conf = "\
/run/h4/echo.sock stream unix nowait nobody /bin/cat cat
:nobody:nogroup:0660:/run/h4/x.sock stream unix nowait root /bin/cat cat
/run/h4/dg.sock dgram unix wait root /bin/cat cat
/run/h4/chargen stream unix nowait root internal
";
    let (u, _d) = load(conf, Dialect::FreeBsd);
    no_diags(&u);
    let s = socket(&u, "inetd-run-h4-echo.sock-unix.socket");
    assert_eq!(
        s.listen,
        vec![Listen::Stream(SocketAddress::Unix(
            "/run/h4/echo.sock".into()
        ))]
    );
    assert_eq!(s.options.socket_mode, 0o200);
    assert!(s.accept);
    let s = socket(&u, "inetd-run-h4-x.sock-unix.socket");
    assert_eq!(s.options.socket_mode, 0o660);
    assert_eq!(s.options.socket_user.as_deref(), Some("nobody"));
    assert_eq!(s.options.socket_group.as_deref(), Some("nogroup"));
    let s = socket(&u, "inetd-run-h4-dg.sock-unix.socket");
    assert_eq!(
        s.listen,
        vec![Listen::Datagram(SocketAddress::Unix(
            "/run/h4/dg.sock".into()
        ))]
    );
    assert!(!s.accept);
    // FreeBSD chooses internal services on unix sockets by the last path component.
    assert_eq!(
        socket(&u, "inetd-run-h4-chargen-unix.socket").builtin,
        Some(Builtin::Chargen)
    );

    let (u, _d) = load(
        "/run/h4/echo.sock stream unix nowait nobody /bin/cat cat\n",
        Dialect::OpenBsd,
    );
    assert_eq!(u.sockets[0].options.socket_mode, 0o666);

    // An unknown socket owner makes the entry be ignored, like an unknown user.
    let (u, _d) = load(
        ":nosuchuser_h4::0660:/run/h4/y.sock stream unix nowait root /bin/cat cat\n\
         ::nosuchgroup_h4:0660:/run/h4/z.sock stream unix nowait root /bin/cat cat\n",
        Dialect::FreeBsd,
    );
    assert!(u.sockets.is_empty());
    let msgs = messages(&u);
    assert!(
        msgs[0].contains("Unknown socket user 'nosuchuser_h4'"),
        "{msgs:#?}"
    );
    assert!(
        msgs[1].contains("Unknown socket group 'nosuchgroup_h4'"),
        "{msgs:#?}"
    );

    // sun_path holds 107 bytes and the NUL: one more is an error, as the unit
    // loader's ListenStream= says "File name too long".
    let fits = format!("/run/{}", "a".repeat(102));
    let conf = format!(
        "{fits} stream unix nowait nobody /bin/cat cat\n{fits}b stream unix nowait nobody /bin/cat cat\n"
    );
    let (u, _d) = load(&conf, Dialect::OpenBsd);
    assert_eq!(u.sockets.len(), 1);
    let msgs = messages(&u);
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert!(msgs[0].contains(":2: ") && msgs[0].contains("is too long (at most 107 bytes)"));
}

#[test]
fn buffers() {
    let (u, _d) = load(
        "7501 stream tcp4,sndbuf=64k,rcvbuf=1m nowait nobody /bin/cat cat\n7502 dgram udp4,rcvbuf=4096 wait nobody /bin/cat cat\n",
        Dialect::OpenBsd,
    );
    no_diags(&u);
    let s = socket(&u, "inetd-7501-tcp4.socket");
    assert_eq!(s.options.send_buffer, Some(65536));
    assert_eq!(s.options.receive_buffer, Some(1 << 20));
    assert_eq!(
        socket(&u, "inetd-7502-udp4.socket").options.receive_buffer,
        Some(4096)
    );
}

/// systemd.service(5) "Command lines" / config_parse_exec(): an executable name with
/// control characters, quotes or backslashes, or one naming a directory, is refused;
/// the path is stored simplified. inetd entries get the same rules, so a converted
/// entry loads as a unit file (found by fuzz/fuzz_targets/inetd_convert.rs).
#[test]
fn server_paths_follow_the_unit_loader_rules() {
    let conf = "\
7611 stream tcp4 nowait nobody /bin/ca\x04t cat
7612 stream tcp4 nowait nobody /bin/it's x
7613 stream tcp4 nowait nobody /usr/bin/ x
7614 stream tcp4 nowait nobody /usr//bin/./cat cat
7615 stream tcp4 nowait nobody .. x
7616 stream tcp4 nowait nobody -cat cat
7617 stream tcp4 nowait nobody /. x
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    let msgs = messages(&u);
    let lines: Vec<u32> = u.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [1, 2, 3, 5, 6, 7], "{msgs:#?}");
    assert!(
        msgs[0].contains("\"/bin/ca\\u{4}t\" contains special characters"),
        "{}",
        msgs[0]
    );
    assert!(msgs[1].contains("special characters"), "{}", msgs[1]);
    assert!(
        msgs[2].contains("'/usr/bin/' is a directory"),
        "{}",
        msgs[2]
    );
    assert!(
        msgs[3].contains("must be an absolute path or a bare name"),
        "{}",
        msgs[3]
    );
    assert!(
        msgs[4].contains("'-cat' must be an absolute path or a bare name"),
        "{}",
        msgs[4]
    );
    let cmd = &service(&u, "inetd-7614-tcp4@.service").exec_start[0];
    assert_eq!(
        (cmd.path.as_str(), &cmd.argv[..]),
        ("/usr/bin/cat", &["cat".to_string()][..])
    );
}

#[test]
fn argv_rules_and_quoting() {
    let conf = "7601 stream tcp4 nowait nobody /bin/sh sh -c \"echo quoted ok\"\n7602 stream tcp4 nowait nobody /bin/cat\n";
    let argv = |u: &InetdUnits, n: &str| service(u, n).exec_start[0].argv.clone();
    let (u, _d) = load(conf, Dialect::Inetutils);
    no_diags(&u);
    assert_eq!(
        argv(&u, "inetd-7601-tcp4@.service"),
        vec!["sh", "-c", "echo quoted ok"]
    );
    assert_eq!(argv(&u, "inetd-7602-tcp4@.service"), vec!["cat"]);
    let (u, _d) = load(conf, Dialect::FreeBsd);
    assert_eq!(
        argv(&u, "inetd-7601-tcp4@.service"),
        vec!["sh", "-c", "echo quoted ok"]
    );
    // FreeBSD would pass an empty argv: basename anyway, with a warning.
    assert_eq!(argv(&u, "inetd-7602-tcp4@.service"), vec!["cat"]);
    assert_eq!(u.diagnostics.len(), 1);
    assert_eq!(u.diagnostics[0].line, 2);
    let (u, _d) = load(conf, Dialect::OpenBsd);
    assert_eq!(
        argv(&u, "inetd-7601-tcp4@.service"),
        vec!["sh", "-c", "\"echo", "quoted", "ok\""]
    );
    // More than 20 arguments: kept, with a warning.
    let many: Vec<String> = (0..25).map(|i| format!("a{i}")).collect();
    let (u, _d) = load(
        &format!(
            "7603 stream tcp4 nowait nobody /bin/echo echo {}\n",
            many.join(" ")
        ),
        Dialect::OpenBsd,
    );
    assert_eq!(argv(&u, "inetd-7603-tcp4@.service").len(), 26);
    assert_eq!(u.diagnostics.len(), 1);
    assert!(!u.diagnostics[0].is_error());
    // `$` is literal in inetd: no environment expansion for that command.
    let (u, _d) = load(
        "7604 stream tcp4 nowait nobody /bin/echo echo $HOME\n",
        Dialect::OpenBsd,
    );
    assert!(service(&u, "inetd-7604-tcp4@.service").exec_start[0].no_env_expand);
}

#[test]
fn comments_and_continuation_per_dialect() {
    let conf = "\
# comment
7701 stream tcp4 nowait nobody /bin/echo echo a#b
7702 stream tcp4 nowait nobody
\t/bin/echo echo cont
   # indented comment
";
    let argv = |u: &InetdUnits, n: &str| service(u, n).exec_start[0].argv.clone();
    let (u, _d) = load(conf, Dialect::OpenBsd);
    no_diags(&u);
    assert_eq!(argv(&u, "inetd-7701-tcp4@.service"), vec!["echo", "a#b"]);
    // The indented comment line continues the entry in OpenBSD (as the real parser does).
    assert_eq!(
        argv(&u, "inetd-7702-tcp4@.service"),
        vec!["echo", "cont", "#", "indented", "comment"]
    );
    assert_eq!(socket(&u, "inetd-7702-tcp4.socket").source.line, 3);

    let (u, _d) = load(conf, Dialect::Busybox);
    assert_eq!(argv(&u, "inetd-7701-tcp4@.service"), vec!["echo", "a"]);
    // No continuation in busybox: line 3 is malformed, line 4 is its own (bad) entry.
    let lines: Vec<u32> = u.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![3, 4], "{:#?}", messages(&u));
}

#[test]
fn duplicate_names_are_disambiguated_by_host() {
    let conf = "\
127.0.0.1:7801 stream tcp4 nowait nobody /bin/cat cat
127.0.0.2:7801 stream tcp4 nowait nobody /bin/cat cat
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    no_diags(&u);
    socket(&u, "inetd-7801-tcp4.socket");
    socket(&u, "inetd-7801-tcp4-127.0.0.2.socket");
    service(&u, "inetd-7801-tcp4-127.0.0.2@.service");
}

#[test]
fn directories_and_unreadable_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.conf"),
        "7902 stream tcp4 nowait nobody /bin/cat cat\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.conf"),
        "7901 stream tcp4 nowait nobody /bin/cat cat\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.conf");
    let u = load_inetd(
        &[dir.path().to_path_buf(), missing],
        &opts(Dialect::OpenBsd),
    );
    let socks: Vec<&str> = u.sockets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        socks,
        vec!["inetd-7901-tcp4.socket", "inetd-7902-tcp4.socket"]
    );
    assert_eq!(u.diagnostics.len(), 1);
    assert!(u.diagnostics[0].is_error());
}

#[test]
fn missing_services_file_resolves_numbers_only() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("inetd.conf");
    std::fs::write(&conf, "8001 stream tcp4 nowait nobody /bin/cat cat\nftp stream tcp4 nowait root /usr/sbin/ftpd ftpd\n").unwrap();
    let o = InetdOptions {
        dialect: Dialect::OpenBsd,
        services_file: dir.path().join("no-services"),
    };
    let u = load_inetd(&[conf], &o);
    assert_eq!(u.sockets.len(), 1);
    let errors: Vec<u32> = u
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.line)
        .collect();
    assert_eq!(errors, vec![2]);
}

#[test]
fn freebsd_accepts_host_prefixes_with_a_warning() {
    let (u, _d) = load(
        "127.0.0.1:8101 stream tcp nowait nobody /bin/cat cat\n127.0.0.1:\n",
        Dialect::FreeBsd,
    );
    assert_eq!(
        socket(&u, "inetd-8101-tcp.socket").listen,
        vec![ip("stream", "127.0.0.1:8101")]
    );
    let lines: Vec<(u32, bool)> = u
        .diagnostics
        .iter()
        .map(|d| (d.line, d.is_error()))
        .collect();
    assert_eq!(lines, vec![(1, false), (2, false)], "{:#?}", messages(&u));
}

#[test]
fn v4_host_with_openbsd_tcp_has_no_v6_option() {
    let (u, _d) = load(
        "127.0.0.1:8201 stream tcp nowait nobody /bin/cat cat\n",
        Dialect::OpenBsd,
    );
    assert_eq!(
        socket(&u, "inetd-8201-tcp.socket").options.bind_ipv6_only,
        BindIpv6Only::Default
    );
}

#[test]
fn default_host_disambiguates_names_and_blocks_only_exact_duplicates() {
    let conf = "\
8301 stream tcp4 nowait nobody /bin/cat cat
127.0.0.1:
8301 stream tcp4 nowait nobody /bin/cat cat
8301 stream tcp4 nowait nobody /bin/cat cat
";
    let (u, _d) = load(conf, Dialect::OpenBsd);
    socket(&u, "inetd-8301-tcp4.socket");
    assert_eq!(
        socket(&u, "inetd-8301-tcp4-127.0.0.1.socket").listen,
        vec![ip("stream", "127.0.0.1:8301")]
    );
    assert_eq!(u.diagnostics.len(), 1);
    assert_eq!(u.diagnostics[0].line, 4);
    assert!(
        messages(&u)[0].contains("Duplicate entry: stream 127.0.0.1:8301 is already defined at")
    );
}

#[test]
fn seqpacket_unix_and_type_mismatch() {
    let (u, _d) = load(
        "/run/h4/sp.sock seqpacket unix nowait nobody /bin/cat cat\n8401 seqpacket tcp nowait nobody /bin/cat cat\n",
        Dialect::FreeBsd,
    );
    assert_eq!(
        socket(&u, "inetd-run-h4-sp.sock-unix.socket").listen,
        vec![Listen::SequentialPacket(SocketAddress::Unix(
            "/run/h4/sp.sock".into()
        ))]
    );
    assert_eq!(u.diagnostics.len(), 1);
    assert!(messages(&u)[0].contains("does not match protocol"));
}

#[test]
fn busybox_dgram_nowait_falls_back_to_wait() {
    let (u, _d) = load(
        "8501 dgram udp nowait nobody /bin/cat cat\n",
        Dialect::Busybox,
    );
    let s = socket(&u, "inetd-8501-udp.socket");
    assert!(!s.accept);
    assert_eq!(s.service_name(), "inetd-8501-udp.service");
    assert_eq!(u.diagnostics.len(), 1);
    assert!(!u.diagnostics[0].is_error());
}
