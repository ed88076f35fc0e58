//! Directive tables: unit text in, typed unit and systemd-worded diagnostics out.
//!
//! The first half pins behaviour field by field; `differential_against_systemd_analyze`
//! runs the same small, tricky units through systemd 252's `systemd-analyze verify` and
//! requires our `FILE:LINE:` warnings and the bad-setting outcome to match its output.

use std::path::{Path, PathBuf};
use std::process::Command;

use activator::diag::Diagnostics;
use activator::unit::lexer::lex;
use activator::unit::model::*;
use activator::unit::specifier::{HostInfo, SpecifierContext};
use activator::unit::table::{
    build_unit, directives, is_activator_only, known_sections, Support, UnitKind,
};
use activator::unit::values::Usec;

fn build_at(path: &Path, name: &str, text: &str) -> (Unit, Diagnostics) {
    let kind = UnitKind::from_name(name).expect("test unit kind");
    let (assignments, mut diags) = lex(text.as_bytes(), path, known_sections(kind));
    let host = HostInfo::default();
    let spec = SpecifierContext {
        unit_name: name,
        fragment: Some(path),
        host: &host,
    };
    let source = UnitSource {
        fragment: Some(path.into()),
        ..UnitSource::default()
    };
    let (unit, more) = build_unit(name, &assignments, &spec, source);
    diags.extend(more);
    (unit, diags)
}

fn build(name: &str, text: &str) -> (Unit, Diagnostics) {
    build_at(&PathBuf::from(format!("/test/{name}")), name, text)
}

fn socket(text: &str) -> (SocketUnit, Vec<String>) {
    match build("t.socket", text) {
        (Unit::Socket(s), d) => (s, d.iter().map(|d| d.to_string()).collect()),
        _ => panic!("not a socket"),
    }
}

fn service(text: &str) -> (ServiceUnit, Vec<String>) {
    match build("t.service", text) {
        (Unit::Service(s), d) => (s, d.iter().map(|d| d.to_string()).collect()),
        _ => panic!("not a service"),
    }
}

#[test]
fn listen_entries_keep_file_order_across_kinds_and_reset_together() {
    let (s, d) =
        socket("[Socket]\nListenStream=80\nListenDatagram=0.0.0.0:81\nListenFIFO=/run/a.fifo\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.listen.len(), 3);
    assert_eq!(s.listen[0].directive(), "ListenStream");
    assert_eq!(s.listen[1].directive(), "ListenDatagram");
    assert_eq!(s.listen[2], Listen::Fifo("/run/a.fifo".into()));

    let (s, _) = socket(
        "[Socket]\nListenStream=80\nListenFIFO=/run/a\nListenDatagram=\nListenStream=/run/b.sock\n",
    );
    assert_eq!(
        s.listen,
        vec![Listen::Stream(SocketAddress::Unix("/run/b.sock".into()))]
    );
}

#[test]
fn invalid_values_warn_with_systemd_text_and_keep_defaults() {
    let (s, d) = socket(
        "[Socket]\nListenStream=127.0.0.1:99999\nAccept=maybe\nBacklog=-5\nListenFIFO=relative.fifo\nFileDescriptorName=bad:name\nlistenstream=80\nListenStream=80\n",
    );
    assert_eq!(
        d,
        vec![
            "/test/t.socket:2: Failed to parse address value in '127.0.0.1:99999', ignoring: Numerical result out of range",
            "/test/t.socket:3: Failed to parse boolean value, ignoring: maybe",
            "/test/t.socket:4: Failed to parse unsigned value, ignoring: -5",
            "/test/t.socket:5: ListenFIFO= path is not absolute, ignoring: relative.fifo",
            "/test/t.socket:6: Invalid file descriptor name, ignoring: bad:name",
            "/test/t.socket:7: Unknown key 'listenstream' in section [Socket], ignoring.",
        ]
    );
    assert!(!s.accept);
    assert_eq!(s.options.backlog, SocketOptions::default().backlog);
    assert_eq!(s.file_descriptor_name, None);
    assert_eq!(s.listen.len(), 1);
    assert_eq!(s.load_state, LoadState::Loaded);
}

#[test]
fn last_scalar_wins() {
    let (s, _) = socket("[Socket]\nListenStream=80\nAccept=1\nAccept=0\nBacklog=7\nBacklog=9\n");
    assert!(!s.accept);
    assert_eq!(s.options.backlog, 9);
}

#[test]
fn socket_options_are_typed() {
    let (s, d) = socket(
        "[Socket]\nListenStream=80\nBindIPv6Only=ipv6-only\nReusePort=yes\nKeepAlive=yes\nKeepAliveTimeSec=5min\nKeepAliveProbes=3\nNoDelay=true\nReceiveBuffer=1M\nSocketMode=0600\nDirectoryMode=0700\nSocketUser=www\nIPTOS=low-delay\nTimestamping=us\nSymlinks=/run/l1 /run/l2\nSymlinks=\nMaxConnections=10\nMaxConnectionsPerSource=2\nFlushPending=yes\nTimeoutSec=0\nBindToDevice=eth0\nDeferAcceptSec=10\nPassCredentials=yes\nTCPCongestion=cubic\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let o = &s.options;
    assert_eq!(o.bind_ipv6_only, BindIpv6Only::Ipv6Only);
    assert!(o.reuse_port && o.keep_alive && o.no_delay && o.pass_credentials);
    assert_eq!(o.keep_alive_time, Some(Usec::from_secs(300)));
    assert_eq!(o.keep_alive_probes, Some(3));
    assert_eq!(o.receive_buffer, Some(1 << 20));
    assert_eq!((o.socket_mode, o.directory_mode), (0o600, 0o700));
    assert_eq!(o.socket_user.as_deref(), Some("www"));
    assert_eq!(o.ip_tos, Some(16));
    assert_eq!(o.timestamping, Timestamping::Microseconds);
    assert!(o.symlinks.is_empty());
    assert_eq!((s.max_connections, s.max_connections_per_source), (10, 2));
    assert!(s.flush_pending);
    assert!(s.timeout.is_infinity());
    assert_eq!(o.bind_to_device.as_deref(), Some("eth0"));
    assert_eq!(o.defer_accept, Some(Usec::from_secs(10)));
    assert_eq!(o.tcp_congestion.as_deref(), Some("cubic"));
}

#[test]
fn trigger_limit_defaults_follow_accept() {
    let (s, _) = socket("[Socket]\nListenStream=80\nTriggerLimitIntervalSec=5s\nAccept=yes\n");
    assert_eq!(s.trigger_limit().interval, Usec::from_secs(5));
    assert_eq!(s.trigger_limit().burst, 200);
    let (s, _) = socket("[Socket]\nListenStream=80\nTriggerLimitBurst=7\n");
    assert_eq!(s.trigger_limit().interval, Usec::from_secs(2));
    assert_eq!(s.trigger_limit().burst, 7);
    let (s, _) = socket("[Socket]\nListenStream=80\nPollLimitBurst=0\n");
    assert!(!s.poll_limit().is_enabled());
}

#[test]
fn builtin_extension_and_x_keys() {
    let (s, d) =
        socket("[Socket]\nListenStream=7\nAccept=yes\nX-Activator-Builtin=echo\nX-Other=1\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.builtin, Some(Builtin::Echo));
    let (s, d) = build(
        "t.socket",
        "[Socket]\nListenStream=7\nX-Activator-Builtin=gopher\n",
    );
    assert!(matches!(s, Unit::Socket(ref s) if s.builtin.is_none()));
    assert_eq!(d.len(), 1);
    assert!(is_activator_only(&d[0]), "{}", d[0]);
}

#[test]
fn unsupported_directives_warn_as_activator_only() {
    let (_, d) = build(
        "t.service",
        "[Unit]\nConditionVirtualization=vm\n[Service]\nExecStart=/bin/true\nProtectSystem=strict\nPrivateTmp=yes\nCPUWeight=5\n",
    );
    assert_eq!(d.len(), 4, "{d:?}");
    assert!(d.iter().all(is_activator_only));
    assert_eq!(
        d[1].to_string(),
        "/test/t.service:5: Support for option ProtectSystem= is not implemented by activator, ignoring."
    );
}

/// Each list directive splits its value with the `extract_first_word()` flags of its
/// parser in systemd 252 (load-fragment.c, install.c). The outcomes were checked
/// with `systemd-analyze verify` (warnings name the words it got) and
/// `systemctl --root=DIR enable` ([Install]); the fixture
/// tests/fixtures/units/list-word-grammars runs the ones verify reports on.
#[test]
fn list_directives_split_words_as_their_systemd_parsers() {
    let (s, _) = service(concat!(
        "[Unit]\n",
        // RETAIN_ESCAPE: quotes and backslashes are text ("a and b" are refused).
        "After=\"a b\" c\\x2dd.device x\\ y.service\n",
        // UNQUOTE|RETAIN_ESCAPE.
        "Documentation=\"man:a\"b man:c\\x41d\n",
        "[Service]\nExecStart=/bin/true\n",
        // No flags: quotes are text, a backslash takes the next character.
        "Sockets=u\\x41v.socket w\\ x.socket\n",
        "SupplementaryGroups=\"g h\" i\\x41j k\\ l\n",
        // UNQUOTE: a backslash takes the next character.
        "PassEnvironment=\"PQ\" R\\x41S\n",
        // UNQUOTE|CUNESCAPE.
        "UnsetEnvironment=A\\x41 \"B\"\n",
        "[Install]\nWantedBy=\"m.target\" o\\x41p.target q\\ r.target\nAlso=\"s.service\"\n",
    ));
    let u = &s.unit;
    assert_eq!(u.deps.after, ["c\\x2dd.device", "y.service"]);
    assert_eq!(u.documentation, ["man:ab", "man:c\\x41d"]);
    assert_eq!(*s.sockets, ["ux41v.socket"]); // "w x.socket" is no unit name
    assert_eq!(*s.exec.supplementary_groups, ["\"g", "h\"", "ix41j", "k l"]);
    assert_eq!(*s.exec.pass_environment, ["PQ", "Rx41S"]);
    assert_eq!(*s.exec.unset_environment, ["AA", "B"]);
    assert_eq!(
        s.install.wanted_by,
        ["m.target", "o\\x41p.target", "q\\", "r.target"]
    );
    assert_eq!(s.install.also, ["\"s.service\""]);

    // A bad word ends the list; the words before it stay (config_parse_strv and
    // friends return after "Invalid syntax"); Symlinks= also stops at a bad path.
    let (s, d) = service(concat!(
        "[Unit]\nDocumentation=man:a(1) \"b\n",
        "[Service]\nExecStart=/bin/true\nPassEnvironment=A \"B C\n",
    ));
    assert_eq!(s.unit.documentation, ["man:a(1)"]);
    assert_eq!(*s.exec.pass_environment, ["A"]);
    assert_eq!(
        d,
        [
            "/test/t.service:2: Invalid syntax, ignoring: man:a(1) \"b",
            "/test/t.service:5: Trailing garbage in PassEnvironment, ignoring: A \"B C"
        ]
    );
    let (s, d) = socket("[Socket]\nListenStream=/run/x\nSymlinks=/a r /b\n");
    assert_eq!(s.options.symlinks, [PathBuf::from("/a")]);
    assert_eq!(
        d,
        ["/test/t.socket:3: Symlinks= path is not absolute, ignoring: r"]
    );
}

#[test]
fn unit_and_install_sections() {
    let (s, d) = socket(
        "[Unit]\nDescription=Echo %n\nDocumentation=man:echo(1) https://x.org nonsense\nDefaultDependencies=no\nStartLimitIntervalSec=30\nStartLimitBurst=2\nCollectMode=inactive-or-failed\nAfter=network.target a.service\nAfter=\nRequires=b.service\nWants=c.service\nBindsTo=d.service\nPartOf=e.service\nBefore=f.service\nConflicts=g.service\n[Socket]\nListenStream=80\n[Install]\nWantedBy=sockets.target\nAlias=x.socket\nAlso=y.service\nRequiredBy=z.target\n",
    );
    assert_eq!(d, vec!["/test/t.socket:3: Invalid URL, ignoring: nonsense"]);
    let u = &s.unit;
    assert_eq!(u.documentation, vec!["man:echo(1)", "https://x.org"]);
    assert!(!u.default_dependencies);
    assert_eq!(u.start_limit.interval, Usec::from_secs(30));
    assert_eq!(u.start_limit.burst, 2);
    assert_eq!(u.collect_mode, CollectMode::InactiveOrFailed);
    assert_eq!(u.deps.after, vec!["network.target", "a.service"]);
    assert_eq!(u.deps.requires, vec!["b.service"]);
    assert_eq!(u.deps.wants, vec!["c.service"]);
    assert_eq!(u.deps.binds_to, vec!["d.service"]);
    assert_eq!(u.deps.part_of, vec!["e.service"]);
    assert_eq!(u.deps.before, vec!["f.service"]);
    assert_eq!(u.deps.conflicts, vec!["g.service"]);
    assert_eq!(s.install.wanted_by, vec!["sockets.target"]);
    assert_eq!(s.install.alias, vec!["x.socket"]);
    assert_eq!(s.install.also, vec!["y.service"]);
    assert_eq!(s.install.required_by, vec!["z.target"]);
}

#[test]
fn specifiers_expand_in_description_and_listen() {
    let (s, d) = socket("[Unit]\nDescription=Socket %n of %p\n[Socket]\nListenStream=/run/%p.sock\nFileDescriptorName=%p-fd\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.unit.description.as_deref(), Some("Socket t.socket of t"));
    assert_eq!(
        s.listen,
        vec![Listen::Stream(SocketAddress::Unix("/run/t.sock".into()))]
    );
    assert_eq!(s.file_descriptor_name.as_deref(), Some("t-fd"));
}

#[test]
fn exec_lines_append_reset_and_expand() {
    let (s, d) = service(
        "[Service]\nExecStartPre=/bin/echo one\nExecStartPre=\nExecStartPre=-/bin/echo \"a b\" %n\nExecStart=@/usr/sbin/in.tftpd in.tftpd -s /srv\nExecStop=/bin/kill $MAINPID\n",
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.exec_start_pre.len(), 1);
    assert_eq!(
        s.exec_start_pre[0].argv,
        vec!["/bin/echo", "a b", "t.service"]
    );
    assert!(s.exec_start_pre[0].ignore_failure);
    assert_eq!(s.exec_start[0].path, "/usr/sbin/in.tftpd");
    assert_eq!(s.exec_start[0].argv, vec!["in.tftpd", "-s", "/srv"]);
    assert_eq!(s.exec_stop[0].argv[1], "$MAINPID");
}

#[test]
fn unbalanced_exec_quote_is_fatal_and_stops_parsing() {
    let (s, d) = service("[Service]\nExecStart=/bin/true \"unbalanced\nUser=nobody\n");
    assert_eq!(s.load_state, LoadState::BadSetting);
    assert_eq!(
        d,
        vec![
            "/test/t.service:2: Unbalanced quoting, ignoring: \"/bin/true \"unbalanced\"",
            "t.service: Unit configuration has fatal error, unit will not be started.",
        ]
    );
    assert_eq!(s.exec.user, None);
    // With the '-' prefix the line is only ignored.
    let (s, d) = service("[Service]\nExecStart=/bin/true\nExecStartPre=-/bin/true \"x\n");
    assert_eq!(s.load_state, LoadState::Loaded);
    assert_eq!(d.len(), 1);
}

#[test]
fn service_settings_are_typed() {
    let (s, d) = service(
        "[Service]\nType=notify\nExecStart=/usr/bin/food\nRemainAfterExit=yes\nRestart=on-failure\nRestartSec=5\nSuccessExitStatus=75 SIGHUP\nTimeoutStartSec=0\nTimeoutStopSec=10s\nWatchdogSec=30\nNotifyAccess=all\nPIDFile=food.pid\nSockets=a.socket b.service\nNonBlocking=yes\nFileDescriptorStoreMax=4\nUser=food\nGroup=food\nSupplementaryGroups=adm wheel\nWorkingDirectory=-~\nEnvironment=A=1 \"B=2 3\"\nEnvironment=A=4\nEnvironmentFile=-/etc/default/food\nUMask=0077\nLimitNOFILE=1024:4096\nNice=5\nStandardInput=socket\nStandardError=journal\nKillMode=mixed\nKillSignal=SIGINT\nSendSIGHUP=yes\n",
    );
    assert_eq!(
        d,
        vec!["/test/t.service:13: Unit must be of type socket, ignoring: b.service"]
    );
    assert_eq!(s.service_type, Some(ServiceType::Notify));
    assert!(s.remain_after_exit);
    assert_eq!(s.restart, RestartPolicy::OnFailure);
    assert_eq!(s.restart_sec, Usec::from_secs(5));
    assert_eq!(s.success_exit_status.statuses, vec![75]);
    assert_eq!(s.success_exit_status.signals, vec![libc::SIGHUP]);
    assert_eq!(s.timeout_start, Some(Usec::INFINITY));
    assert_eq!(s.timeout_stop, Usec::from_secs(10));
    assert_eq!(s.watchdog, Usec::from_secs(30));
    assert_eq!(s.notify_access, Some(NotifyAccess::All));
    assert_eq!(*s.pid_file, Some(PathBuf::from("/run/food.pid")));
    assert_eq!(*s.sockets, vec!["a.socket"]);
    assert!(s.non_blocking);
    assert_eq!(s.file_descriptor_store_max, 4);
    let e = &s.exec;
    assert_eq!(e.user.as_deref(), Some("food"));
    assert_eq!(*e.supplementary_groups, vec!["adm", "wheel"]);
    let wd = e.working_directory.as_ref().expect("working directory");
    assert!(wd.home && wd.optional);
    assert_eq!(
        e.environment,
        vec![
            ("B".to_string(), "2 3".to_string()),
            ("A".to_string(), "4".to_string())
        ]
    );
    assert!(e.environment_files[0].optional);
    assert_eq!(e.umask, 0o077);
    assert_eq!(
        *e.limits,
        vec![(
            Resource::Nofile,
            ResourceLimit {
                soft: Some(1024),
                hard: Some(4096)
            }
        )]
    );
    assert_eq!(e.nice, Some(5));
    assert_eq!(e.standard_input, StdInput::Socket);
    assert_eq!(e.standard_error, StdOutput::Journal);
    assert_eq!(s.kill.kill_mode, KillMode::Mixed);
    assert_eq!(s.kill.kill_signal, libc::SIGINT);
    assert!(s.kill.send_sighup);
}

#[test]
fn socket_validation_sets_bad_setting() {
    for (text, msg) in [
        ("[Socket]\nAccept=yes\n", "Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing."),
        ("[Socket]\nListenDatagram=53\nAccept=yes\n", "Unit configured for accepting sockets, but sockets are non-accepting. Refusing."),
        ("[Socket]\nListenStream=53\nAccept=yes\nService=x.service\n", "Explicit service configuration for accepting socket units not supported. Refusing."),
        ("[Socket]\nListenStream=53\nAccept=yes\nMaxConnections=0\n", "MaxConnection= setting too small. Refusing."),
        ("[Socket]\nListenStream=53\nSymlinks=/run/x\n", "Unit has symlinks set but none or more than one node in the file system. Refusing."),
    ] {
        let (s, d) = socket(text);
        assert_eq!(s.load_state, LoadState::BadSetting, "{text}");
        assert_eq!(d.last().map(String::as_str), Some(format!("t.socket: {msg}").as_str()));
    }
}

#[test]
fn service_validation_sets_bad_setting() {
    for (text, msg) in [
        ("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n", "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing."),
        ("[Service]\nUser=x\n", "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing."),
        ("[Service]\nExecStop=/bin/true\n", "Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing."),
        ("[Service]\nType=oneshot\nRestart=always\nExecStart=/bin/true\n", "Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing."),
    ] {
        let (s, d) = service(text);
        assert_eq!(s.load_state, LoadState::BadSetting, "{text}");
        assert_eq!(d.last().map(String::as_str), Some(format!("t.service: {msg}").as_str()));
    }
    let (s, _) = service("[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\n");
    assert_eq!(s.load_state, LoadState::Loaded);
}

#[test]
fn directive_list_covers_the_tables() {
    let socket = directives(UnitKind::Socket);
    let find = |key: &str| {
        socket
            .iter()
            .find(|d| d.key == key)
            .map(|d| (d.section, d.support))
    };
    assert_eq!(find("ListenStream"), Some(("Socket", Support::Supported)));
    assert_eq!(find("User"), Some(("Socket", Support::Supported)));
    assert_eq!(find("WantedBy"), Some(("Install", Support::Supported)));
    assert_eq!(find("ProtectSystem"), Some(("Socket", Support::Ignored)));
    let service = directives(UnitKind::Service);
    assert!(service
        .iter()
        .any(|d| d.key == "ExecStart" && d.section == "Service"));
    assert!(!service.iter().any(|d| d.key == "ListenStream"));
}

#[test]
fn dump_shows_effective_values() {
    let (u, _) = build(
        "t.socket",
        "[Unit]\nDescription=x\n[Socket]\nListenStream=80\nAccept=yes\nExecStartPre=-/bin/echo \"a b\"\n",
    );
    let text = activator::unit::dump::dump_unit(&u);
    for line in [
        "\t-> Unit t.socket:",
        "\t\tDescription: x",
        "\t\tListenStream: [::]:80",
        "\t\tAccept: yes",
        "\t\tService: t@.service",
        "\t\tFileDescriptorName: connection",
        "\t\tTriggerLimitBurst: 200",
        "\t\tTimeoutSec: 1min 30s",
        "\t\tKillSignal: SIGTERM",
        "\t\t-> ExecStartPre:",
        "\t\t\tCommand Line: /bin/echo \"a b\"",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    let (u, _) = build(
        "t.service",
        "[Service]\nExecStart=/bin/true\nUser=nobody\nLimitNOFILE=1024:4096\n",
    );
    let text = activator::unit::dump::dump_unit(&u);
    for line in [
        "\t\tType: simple",
        "\t\tUser: nobody",
        "\t\tLimitNOFILE: 4096",
        "\t\tLimitNOFILESoft: 1024",
        "\t\tTimeoutStartSec: 1min 30s",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    // JSON comes from serde on the model.
    let json = serde_json::to_string(&u).expect("json");
    assert!(json.contains("\"type\":\"service\""));
}

// ---------------------------------------------------------------- differential

/// Units chosen for edge cases: (file name, text). Each `.socket` gets a sibling
/// `.service`/`@.service` so a missing service is never the reason for a failure.
const DIFF_UNITS: &[(&str, &str)] = &[
    ("d01.socket", "[Socket]\nListenStream=127.0.0.1:99999\nListenStream=80\n"),
    ("d02.socket", "[Socket]\nListenStream=80\nAccept=maybe\nBacklog=-5\n"),
    ("d03.socket", "[Socket]\nListenFIFO=relative.fifo\nListenStream=80\nFileDescriptorName=bad:name\n"),
    ("d04.socket", "[Socket]\nlistenstream=80\nListenStream=80\nX-Foo=bar\nX-Activator-Builtin=echo\n"),
    ("d05.socket", "[Socket]\nListenStream=80\nListenDatagram=81\nAccept=yes\n"),
    ("d06.socket", "[Socket]\nAccept=yes\n"),
    ("d07.socket", "[Socket]\nListenStream=80\nAccept=yes\nService=d07.service\n"),
    ("d08.socket", "[Socket]\nListenStream=80\nAccept=yes\nMaxConnections=0\n"),
    ("d09.socket", "[Socket]\nListenStream=/run/d09.sock\nListenFIFO=/run/d09.fifo\nSymlinks=/run/d09.link\n"),
    ("d10.socket", "[Socket]\nListenStream=80\nListenStream=\nListenDatagram=82\nAccept=yes\nAccept=no\n"),
    ("d11.socket", "[Socket]\nListenStream=80\nExecStartPre=/bin/true \"x\nBacklog=5\n"),
    ("d12.socket", "[Socket]\nListenStream=80\nExecStartPre=-/bin/true \"x\n"),
    ("d13.socket", "[Socket]\nListenStream=80\nKeepAliveTimeSec=xyz\nReceiveBuffer=1Q\nSocketMode=999\nBindIPv6Only=sometimes\nTimestamping=bogus\nIPTOS=weird\n"),
    ("d14.socket", "[Socket]\nListenStream=80\nKillSignal=SIGFOO\nKillMode=bogus\nUMask=999\nNice=100\nLimitNOFILE=abc\nTriggerLimitBurst=-1\n"),
    ("d15.socket", "[Socket]\nListenStream=80\nService=foo.socket\nSymlinks=relative\nDirectoryMode=abc\nTriggerLimitIntervalSec=abc\n"),
    ("d16.socket", "[Socket]\nListenStream=80\nStandardInput=bogus\nStandardOutput=bogus\nEnvironmentFile=rel\nEnvironment=\"A=1\" B\n"),
    ("d17.socket", "[Unit]\nFoo=bar\nDocumentation=foo man:x(1)\n[Socket]\nListenStream=80\n[Socket]\nAccept=yes\n[Install]\nWantedBy=a b\n"),
    ("d18.socket", "[Socket]\nListenStream=80\nUser=a:b\nListenStream=81\n"),
    ("d19.socket", "[Socket]\nListenStream=80\nWorkingDirectory=rel\n"),
    ("d20.socket", "[Socket]\nListenStream=80\nMaxConnections=-1\nPriority=x\nIPTTL=x\nMark=x\nTimeoutSec=x\n"),
    ("d21.socket", "[Socket]\nListenNetlink=bogus 1\nListenSpecial=rel\nListenMessageQueue=rel\nListenStream=%Z\nListenStream=@d21\n"),
    ("d22.socket", "[Socket]\nListenStream=80\nOOMScoreAdjust=x\nUnsetEnvironment=1x\nPassEnvironment=1A\nService=bad!.service\n"),
    ("d23.socket", "[Socket]\nListenStream=80\nLimitCORE=10:5\nStandardOutput=syslog\nSocketUser=nobody\nKillMode=none\n"),
    ("d24.service", "[Service]\nExecStart=/bin/true\nExecStart=/bin/false\n"),
    ("d25.service", "[Service]\nType=oneshot\nRestart=always\nExecStart=/bin/true\n"),
    ("d26.service", "[Service]\nExecStart=/bin/true\nType=bogus\nRestart=bogus\nRestartSec=x\nTimeoutStartSec=x\nNotifyAccess=x\nSockets=foo.service\n"),
    ("d27.service", "[Service]\nExecStart=/bin/true\nNonBlocking=x\nFileDescriptorStoreMax=x\nSuccessExitStatus=1 FOO 2\nWatchdogSec=x\nTimeoutStopSec=x\nTimeoutSec=x\n"),
    ("d28.service", "[Service]\nExecStop=/bin/true\n"),
    ("d29.service", "[Service]\nType=simple\nExecStop=/bin/true\n"),
    ("d30.service", "[Service]\nExecStart=/bin/true\nExecStart=\nExecStart=/bin/false\nEnvironment=\nSupplementaryGroups=x:y\n"),
    ("d31.service", "[Unit]\nCollectMode=x\nStartLimitBurst=x\nStartLimitIntervalSec=x\nDefaultDependencies=x\nAfter=foo\n[Service]\nExecStart=-bin/true\nExecStart=/bin/true\n"),
    ("d32.service", "[Service]\nExecStart=/bin/true\nStandardInput=file:rel\nStandardOutput=fd:bad:x\nLimitFOO=1\nRootDirectory=rel\n"),
    ("d33.service", "[Service]\nRemainAfterExit=yes\nExecStop=/bin/true\nSendSIGKILL=x\nKillSignal=0\nOOMScoreAdjust=5000\nEnvironment=1A=b\n"),
    ("d34.socket", "[Unit]\nDescription=%Z\nAfter=%Z.service\n[Socket]\nListenStream=80\nFileDescriptorName=%Z\nSymlinks=/a/%Z\nEnvironment=A=%Z B=1\nPassEnvironment=A%Z\n"),
    ("d35.socket", "[Socket]\nListenStream=80\nService=a@.service\nService=%Z.service\nListenFIFO=/x/%Z\nBindToDevice=%Z\n"),
    ("d36.socket", "[Socket]\nListenStream=80\nExecStartPost=/bin/echo %Z\n"),
    ("d37.socket", "[Socket]\nListenStream=80\nSocketUser=%Z\n"),
    ("d38.service", "[Service]\nExecStart=/bin/echo e\\ f \"a\" \\x41 ; /bin/true\nType=oneshot\n"),
    ("d39.service", "[Service]\nExecStart=-/bin/true %Z\nExecStart=/bin/true\n"),
    ("d40.service", "[Service]\nExecStart=bin/true\n"),
    ("d41.service", "[Service]\nExecStart=/bin/true\nSockets=a.socket bad!.socket\nSockets=%Z.socket\nPIDFile=%Z\n"),
    ("d42.service", "[Service]\nExecStart=/bin/true\nEnvironment=\"A=1\nEnvironment=C=1 \"B=2\n"),
    ("d43.service", "[Unit]\nRequires=bar.service x\nDescription=a \\\n  b\n[Service]\n# comment\nExecStart=/bin/true \\\n  arg\n[Bogus]\nX=1\n[Service]\nUser=0\n"),
    ("d44.service", "[Service]\nExecStart=/bin/true\nStandardInput=fd:bad:x\nStandardOutput=append:rel\nStandardError=file:rel\nUMask=abc\nLimitNOFILE=-1\nNice=x\nNice=-21\n"),
    ("d45.service", "[Service]\nExecStart=/bin/true\nWorkingDirectory=/%Z\n"),
    ("d46.service", "[Service]\nType=oneshot\nRestart=on-success\nExecStart=/bin/true\n"),
    ("d47.service", "[Service]\nType=dbus\nExecStart=/bin/true\n"),
    ("d48.socket", "[Socket]\nListenStream=80\nListenStream=[::1]:81\nListenStream=localhost:85\nListenStream=*:86\nListenStream=::1:87\nListenStream=0\nListenDatagram=vsock::1235\nListenSequentialPacket=@x\nListenUSBFunction=rel\n"),
    ("d49.socket", "[Socket]\nListenStream=80\nKeepAliveProbes=x\nDeferAcceptSec=x\nTimeoutStopSec=x\nSuccessExitStatus=1\nBacklog=4294967296\nIPTOS=300\n"),
    ("d50.socket", "[Socket]\nListenStream=80\nKillSignal=0\nKillSignal=99\nFinalKillSignal=SIGFOO\nRestartKillSignal=HUP\nSendSIGHUP=maybe\n"),
    (
        "d51.service",
        "[Unit]\nRequiresOverridable=x51.service\nRequisiteOverridable=x51.service\nBindTo=x51.service\n[Service]\nExecStart=/bin/true\nSysVStartPriority=5\nMemoryLimit=5\nCPUShares=5\nStartupCPUShares=5\nBlockIODeviceWeight=/dev/sda 100\n",
    ),
    (
        "d53.service",
        "[Service]\nExecStart=/bin/true\nGroup=nobody\nSupplementaryGroups=nobody\nUser=65534\n",
    ),
    // Empty assignments: reset, or rejected like any other bad value.
    (
        "d54.service",
        "[Unit]\nDescription=\nDocumentation=\nAfter=\nCollectMode=\nStartLimitBurst=\nDefaultDependencies=\n[Service]\nExecStart=/bin/true\nType=\nRestart=\nRestartSec=\nStandardInput=\nStandardOutput=\nStandardError=\nKillSignal=\nKillMode=\nUMask=\nNice=\nLimitNOFILE=\nUser=\nGroup=\nSupplementaryGroups=\nWorkingDirectory=\nRootDirectory=\nEnvironmentFile=\nPassEnvironment=\nUnsetEnvironment=\nTimeoutStartSec=\nTimeoutStopSec=\nWatchdogSec=\nNotifyAccess=\nPIDFile=\nSockets=\nNonBlocking=\nSuccessExitStatus=\nOOMScoreAdjust=\nSendSIGKILL=\nRemainAfterExit=\n[Install]\nWantedBy=\n",
    ),
    (
        "d55.socket",
        "[Socket]\nListenStream=80\nAccept=\nBacklog=\nService=\nBindIPv6Only=\nSocketMode=\nSocketUser=\nSymlinks=\nReceiveBuffer=\nIPTOS=\nTimestamping=\nTriggerLimitBurst=\nTriggerLimitIntervalSec=\nMaxConnections=\nKeepAliveTimeSec=\nKeepAliveProbes=\nPriority=\nMark=\nDeferAcceptSec=\nTimeoutSec=\nBindToDevice=\nTCPCongestion=\nFileDescriptorName=\nExecStartPre=\nX-Activator-Builtin=\n",
    ),
    (
        "d52.socket",
        "[Socket]\nListenStream=80\nDocumentation=x\n[Service]\nX=1\n[X-Mine]\nY=2\n[Unit]\nDescription=\nTimeoutSec=5\n",
    ),
];

/// `FILE:LINE: message` lines and unit-level refusals of one verify run, minus the
/// lines that are about other things (missing targets, the summary line).
fn systemd_lines(dir: &Path, unit: &str) -> Option<(Vec<String>, bool)> {
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(dir.join(unit))
        .env("SYSTEMD_UNIT_PATH", format!("{}:", dir.display()))
        .env("SYSTEMD_LOG_LEVEL", "info")
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let bad = stderr.contains(&format!("Unit {unit} has a bad unit file setting"));
    let prefix = format!("{}:", dir.join(unit).display());
    let unit_prefix = format!("{unit}: ");
    let lines = stderr
        .lines()
        .filter(|l| l.starts_with(&prefix) || l.starts_with(&unit_prefix))
        .filter(|l| !l.contains("not loaded, socket cannot be started"))
        // Job simulation of dependencies, not parsing.
        .filter(|l| !l.contains(": Failed to create "))
        .map(str::to_string)
        .collect();
    Some((lines, bad))
}

#[test]
fn differential_against_systemd_analyze() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIP: systemd-analyze not installed; differential test not run");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in DIFF_UNITS {
        std::fs::write(dir.path().join(name), text).expect("write unit");
        if let Some(prefix) = name.strip_suffix(".socket") {
            let svc = "[Service]\nExecStart=/bin/true\n";
            std::fs::write(dir.path().join(format!("{prefix}.service")), svc).expect("write");
            std::fs::write(dir.path().join(format!("{prefix}@.service")), svc).expect("write");
        }
    }
    let mut failures = Vec::new();
    for (name, text) in DIFF_UNITS {
        let Some((expected, systemd_bad)) = systemd_lines(dir.path(), name) else {
            eprintln!("SKIP: systemd-analyze could not run");
            return;
        };
        let path = dir.path().join(name);
        let (unit, mut diags) = build_at(&path, name, text);
        // The lexer's and the tables' diagnostics come from two passes; systemd reads the
        // file once, so its output is in line order (unit-level messages last).
        diags.sort_by_key(|d| if d.line == 0 { u32::MAX } else { d.line });
        let ours: Vec<String> = diags
            .iter()
            .filter(|d| !is_activator_only(d))
            .map(|d| d.to_string())
            .collect();
        let our_bad = unit.load_state() == LoadState::BadSetting;
        if ours != expected || our_bad != systemd_bad {
            failures.push(format!(
                "{name}:\n  systemd (bad={systemd_bad}):\n    {}\n  activator (bad={our_bad}):\n    {}",
                expected.join("\n    "),
                ours.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}

#[test]
fn environment_keeps_words_before_a_quoting_error() {
    let (s, d) = service("[Service]\nExecStart=/bin/true\nEnvironment=C=1 \"B=2\n");
    assert_eq!(
        d,
        vec!["/test/t.service:3: Invalid syntax, ignoring: C=1 \"B=2"]
    );
    assert_eq!(s.exec.environment, vec![("C".to_string(), "1".to_string())]);
}

/// No directive systemd 252 accepts in [Unit]/[Socket]/[Service] is an "Unknown key" to
/// activator: each is either implemented or accepted with a "not implemented" warning.
#[test]
fn every_systemd_directive_is_in_a_table() {
    let Ok(out) = Command::new("/lib/systemd/systemd")
        .arg("--dump-configuration-items")
        .output()
    else {
        eprintln!("SKIP: /lib/systemd/systemd not installed; directive coverage not checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut section = String::new();
    let mut missing = Vec::new();
    for line in text.lines() {
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_string();
            continue;
        }
        let Some((key, _)) = line.split_once('=') else {
            continue;
        };
        let kinds: &[UnitKind] = match section.as_str() {
            "Unit" => &[UnitKind::Socket, UnitKind::Service],
            "Socket" => &[UnitKind::Socket],
            "Service" => &[UnitKind::Service],
            _ => continue,
        };
        for &kind in kinds {
            if !directives(kind)
                .iter()
                .any(|d| d.section == section && d.key == key)
            {
                missing.push(format!("[{section}] {key} ({kind:?})"));
            }
        }
    }
    assert!(missing.is_empty(), "not in any table: {missing:?}");
}

#[test]
fn templates_defer_instance_dependent_checks() {
    let text = "[Unit]\nDescription=Check %f\nBindsTo=%i.device\nAfter=bar@%i.service\n[Service]\nExecStart=/bin/echo %i %f\n";
    let (u, d) = build("foo@.service", text);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(u.load_state(), LoadState::Loaded);
    let (u, d) = build("foo@dev-sda.service", text);
    assert!(d.is_empty(), "{d:?}");
    let Unit::Service(s) = u else {
        panic!("service")
    };
    assert_eq!(
        s.exec_start[0].argv,
        vec!["/bin/echo", "dev-sda", "/dev/sda"]
    );
    assert_eq!(s.unit.deps.binds_to, vec!["dev-sda.device"]);
    assert_eq!(s.unit.deps.after, vec!["bar@dev-sda.service"]);
}

/// Settings whose dump line must read exactly like systemd 252's.
const DUMP_KEYS: &[&str] = &[
    "Description",
    "BindIPv6Only",
    "SocketMode",
    "DirectoryMode",
    "KeepAlive",
    "NoDelay",
    "FreeBind",
    "Transparent",
    "Broadcast",
    "PassCredentials",
    "PassSecurity",
    "PassPacketInfo",
    "TCPCongestion",
    "RemoveOnStop",
    "Writable",
    "FileDescriptorName",
    "FlushPending",
    "ReceiveBuffer",
    "SendBuffer",
    "IPTOS",
    "IPTTL",
    "Mark",
    "PipeSize",
    "Priority",
    "ListenStream",
    "ListenDatagram",
    "ListenSequentialPacket",
    "ListenFIFO",
    "ListenSpecial",
    "ListenNetlink",
    "ListenMessageQueue",
    "TriggerLimitIntervalSec",
    "TriggerLimitBurst",
    "TimeoutSec",
    "UMask",
    "Environment",
    "StandardInput",
    "StandardError",
    "User",
    "Group",
    "KillMode",
    "KillSignal",
    "RestartKillSignal",
    "FinalKillSignal",
    "SendSIGKILL",
    "SendSIGHUP",
    "Command Line",
    "RemainAfterExit",
    "Type",
    "Restart",
    "NotifyAccess",
    "RestartSec",
    "TimeoutStartSec",
    "TimeoutStopSec",
    "WatchdogSec",
    "PIDFile",
    "LimitNOFILE",
    "LimitNOFILESoft",
    "LimitCORE",
    "LimitCORESoft",
    "Nice",
    "OOMScoreAdjust",
    "KeepAliveTimeSec",
    "KeepAliveIntervalSec",
    "KeepAliveProbes",
    "DeferAcceptSec",
    "BindToDevice",
    "Timestamping",
    "Documentation",
];

const DUMP_UNITS: &[(&str, &str)] = &[
    ("u1.socket", "[Unit]\nDescription=Echo %n\nDocumentation=man:echo(1)\n[Socket]\nListenStream=80\nListenStream=127.0.0.1:81\nListenDatagram=[::1]:82\nListenSequentialPacket=@u1\nListenFIFO=/run/u1.fifo\nListenNetlink=route\nListenStream=vsock:2:1234\nListenStream=/run/u1.sock\nFileDescriptorName=abc\nSocketMode=0600\nDirectoryMode=0700\nReceiveBuffer=1M\nSendBuffer=64K\nIPTOS=low-delay\nIPTTL=7\nMark=3\nPriority=2\nKeepAlive=yes\nKeepAliveTimeSec=5min\nKeepAliveIntervalSec=75\nKeepAliveProbes=4\nDeferAcceptSec=10\nNoDelay=yes\nTimestamping=us\nTCPCongestion=cubic\nTriggerLimitBurst=7\nTimeoutSec=0\nExecStartPre=-/bin/echo \"a b\" $FOO ${FOO} %%\nExecStartPost=@/bin/true argv0name --flag=1 ;\nUser=daemon\nGroup=daemon\nUMask=0077\nEnvironment=A=1 \"B=2 3\"\nKillMode=mixed\nKillSignal=SIGINT\nSendSIGHUP=yes\n"),
    ("u2.socket", "[Socket]\nListenStream=2000\nAccept=yes\nTriggerLimitIntervalSec=5s\n"),
    ("u3.service", "[Service]\nType=notify\nExecStart=/usr/bin/env a\\x41 'x\\ty' \\;\nRestart=on-failure\nRestartSec=5\nTimeoutStartSec=0\nTimeoutStopSec=1min 30s\nWatchdogSec=30\nNotifyAccess=all\nPIDFile=u3.pid\nNonBlocking=yes\nLimitNOFILE=1024:4096\nLimitCORE=infinity\nNice=5\nOOMScoreAdjust=-100\nStandardInput=socket\nStandardError=journal\nUser=nobody\n"),
    ("u4.service", "[Service]\nType=oneshot\nExecStart=/bin/true\nExecStart=/bin/false\nRemainAfterExit=yes\n"),
];

fn dump_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim_start_matches('\t').split_once(": "))
        .filter(|(k, _)| DUMP_KEYS.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn dump_matches_systemd_for_shared_keys() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIP: systemd-analyze not installed; dump comparison not run");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let svc = "[Service]\nExecStart=/bin/true\n";
    for (name, text) in DUMP_UNITS {
        std::fs::write(dir.path().join(name), text).expect("write unit");
        if let Some(prefix) = name.strip_suffix(".socket") {
            std::fs::write(dir.path().join(format!("{prefix}.service")), svc).expect("write");
            std::fs::write(dir.path().join(format!("{prefix}@.service")), svc).expect("write");
        }
    }
    let mut failures = Vec::new();
    for (name, text) in DUMP_UNITS {
        let out = Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(dir.path().join(name))
            .env("SYSTEMD_UNIT_PATH", format!("{}:", dir.path().display()))
            .env("SYSTEMD_LOG_LEVEL", "debug")
            .output()
            .expect("systemd-analyze");
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Only this unit's block: it starts at "-> Unit NAME:" and ends at the next unit.
        let start = format!("-> Unit {name}:");
        let Some(block) = stdout
            .split("\t-> Unit ")
            .find(|b| b.starts_with(&start[8..]))
        else {
            failures.push(format!("{name}: no dump from systemd"));
            continue;
        };
        let mut theirs = dump_lines(block);
        if text.contains("Accept=yes") {
            // 252 dumps the unit name, but connection instances get "connection" (what
            // activator's fd_name() and its dump report).
            theirs.retain(|(k, _)| k != "FileDescriptorName");
        }
        let (unit, _) = build_at(&dir.path().join(name), name, text);
        let ours = dump_lines(&activator::unit::dump::dump_unit(&unit));
        for line in &theirs {
            if !ours.contains(line) {
                failures.push(format!("{name}: systemd has {}: {}", line.0, line.1));
            }
        }
        for line in &ours {
            if theirs.iter().any(|(k, _)| *k == line.0) && !theirs.contains(line) {
                failures.push(format!("{name}: activator has {}: {}", line.0, line.1));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "dump differences:\n{}",
        failures.join("\n")
    );
}

mod never_panics {
    use super::*;
    use activator::unit::lexer::Assignment;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn keys(kind: UnitKind) -> Vec<(&'static str, &'static str)> {
        directives(kind)
            .into_iter()
            .map(|d| (d.section, d.key))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
        /// Whatever the values, building a unit returns a unit and diagnostics.
        #[test]
        fn any_values(
            picks in proptest::collection::vec((any::<prop::sample::Index>(), "[ -~]{0,24}"), 1..12),
            socket in any::<bool>(),
        ) {
            let (kind, name) = if socket {
                (UnitKind::Socket, "p.socket")
            } else {
                (UnitKind::Service, "p@.service")
            };
            let table = keys(kind);
            let file: Arc<Path> = Arc::from(Path::new("/p"));
            let assignments: Vec<Assignment> = picks
                .iter()
                .enumerate()
                .map(|(i, (idx, value))| {
                    let (section, key) = table[idx.index(table.len())];
                    Assignment::new(section.into(), key, value, file.clone(), i as u32 + 1)
                })
                .collect();
            let host = HostInfo::default();
            let spec = SpecifierContext { unit_name: name, fragment: None, host: &host };
            let (unit, _) = build_unit(name, &assignments, &spec, UnitSource::default());
            let _ = activator::unit::dump::dump_unit(&unit);
        }
    }
}

/// `Condition*=` checks against systemd's own (`systemd-analyze condition`, which
/// tests conditions as the manager would, in this process's environment): each
/// condition, negated and not, must come out the same.
#[test]
fn conditions_match_systemd_analyze_condition() {
    use activator::engine::conditions::unmet;

    let Some(bin) = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    else {
        eprintln!("SKIP: systemd-analyze not installed; condition differential test not run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mk = |name: &str, text: &str, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        let p = d.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mk("empty", "", 0o644);
    mk("full", "x", 0o644);
    mk("exe", "#!/bin/sh\n", 0o755);
    mk("hidden-only/.dot", "x", 0o644);
    mk("hidden-only/a.dpkg-old", "x", 0o644);
    mk("hidden-only/b~", "x", 0o644);
    mk("hidden-only/lost+found", "x", 0o644);
    mk("visible/a.conf", "x", 0o644);
    std::fs::create_dir(d.join("emptydir")).unwrap();
    std::os::unix::fs::symlink(d.join("full"), d.join("link")).unwrap();
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling")).unwrap();
    let p = |n: &str| d.join(n).display().to_string();
    // In a container systemd reads PID 1's command line instead: take a word both
    // may hold, and one from each.
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    let init_word = std::fs::read("/proc/1/cmdline")
        .ok()
        .and_then(|c| {
            c.split(|b| *b == 0)
                .next()
                .map(|a| String::from_utf8_lossy(a).into_owned())
        })
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "x".into());
    let first_word = cmdline.split_whitespace().next().unwrap_or("x").to_string();
    let first_key = first_word.split('=').next().unwrap_or("x").to_string();
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let uid = nix::unistd::getuid().as_raw();
    let user = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| "root".into());
    let cases: Vec<(&str, String)> = vec![
        ("PathExists", p("full")),
        ("PathExists", p("nowhere")),
        ("PathExists", p("dangling")),
        ("PathExistsGlob", format!("{}/*.conf", p("visible"))),
        ("PathExistsGlob", format!("{}/*.conf", p("emptydir"))),
        ("PathIsDirectory", p("visible")),
        ("PathIsDirectory", p("full")),
        ("PathIsSymbolicLink", p("link")),
        ("PathIsSymbolicLink", p("dangling")),
        ("PathIsSymbolicLink", p("full")),
        ("PathIsMountPoint", "/".into()),
        ("PathIsMountPoint", "/proc".into()),
        ("PathIsMountPoint", p("visible")),
        ("PathIsMountPoint", p("nowhere")),
        ("PathIsReadWrite", p("full")),
        ("PathIsReadWrite", "/proc/sys".into()),
        ("PathIsReadWrite", p("nowhere")),
        ("DirectoryNotEmpty", p("visible")),
        ("DirectoryNotEmpty", p("hidden-only")),
        ("DirectoryNotEmpty", p("emptydir")),
        ("DirectoryNotEmpty", p("full")),
        ("DirectoryNotEmpty", p("nowhere")),
        ("FileNotEmpty", p("full")),
        ("FileNotEmpty", p("empty")),
        ("FileNotEmpty", p("visible")),
        ("FileNotEmpty", p("link")),
        ("FileIsExecutable", p("exe")),
        ("FileIsExecutable", p("full")),
        ("FileIsExecutable", p("visible")),
        ("User", uid.to_string()),
        ("User", (uid + 1).to_string()),
        ("User", user.clone()),
        ("User", "nobody".into()),
        ("User", "@system".into()),
        ("Group", nix::unistd::getgid().as_raw().to_string()),
        ("Group", "root".into()),
        ("Group", "nogroup".into()),
        ("Host", host.clone()),
        ("Host", host.to_uppercase()),
        ("Host", format!("{}*", host.chars().next().unwrap_or('x'))),
        ("Host", "no-such-host.example".into()),
        ("Host", "0123456789abcdef0123456789abcdef".into()),
        ("KernelCommandLine", first_word.clone()),
        ("KernelCommandLine", first_key.clone()),
        ("KernelCommandLine", "activator.no.such.word".into()),
        ("KernelCommandLine", init_word.clone()),
        ("Environment", "PATH".into()),
        ("Environment", "NO_SUCH_VARIABLE_H4".into()),
        (
            "Environment",
            format!("PATH={}", std::env::var("PATH").unwrap_or_default()),
        ),
        ("Architecture", "native".into()),
        ("Architecture", "x86-64".into()),
        ("Architecture", "arm64".into()),
        ("Architecture", "no-such-arch".into()),
        ("Capability", "CAP_SYS_ADMIN".into()),
        ("Capability", "cap_net_bind_service".into()),
        ("Capability", "CAP_NO_SUCH".into()),
    ];
    let mut mismatches = Vec::new();
    for (kind, param) in &cases {
        for prefix in ["", "!"] {
            let assignment = format!("Condition{kind}={prefix}{param}");
            let (s, d) = service(&format!(
                "[Unit]\n{assignment}\n[Service]\nExecStart=/bin/true\n"
            ));
            assert!(d.is_empty(), "{assignment}: {d:?}");
            assert_eq!(s.unit.conditions.len(), 1, "{assignment}");
            let ours = unmet(&s.unit.conditions).is_empty();
            let theirs = Command::new(&bin)
                .args(["condition", &assignment])
                .env("SYSTEMD_LOG_LEVEL", "err")
                .output()
                .unwrap()
                .status
                .success();
            if ours != theirs {
                mismatches.push(format!("{assignment}: activator {ours}, systemd {theirs}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// condition_test_list(): every plain condition, and one of the `|` ones.
#[test]
fn condition_lists_need_every_plain_one_and_one_trigger() {
    use activator::engine::conditions::unmet;
    let list = |text: &str| {
        let (s, d) = service(&format!("[Unit]\n{text}[Service]\nExecStart=/bin/true\n"));
        assert!(d.is_empty(), "{d:?}");
        s.unit.conditions.clone()
    };
    let l = list("ConditionPathExists=|/nonexistent-h4\nConditionPathExists=|/\n");
    assert!(unmet(&l).is_empty());
    let l = list("ConditionPathExists=|/nonexistent-h4\nConditionPathExists=|!/\n");
    assert_eq!(unmet(&l).len(), 2);
    let l = list("ConditionPathExists=/\nConditionPathExists=/nonexistent-h4\n");
    let failed: Vec<String> = unmet(&l).iter().map(|c| c.describe("Condition")).collect();
    assert_eq!(failed, ["ConditionPathExists=/nonexistent-h4"]);
    // An empty assignment resets the list; string kinds skip blanks after prefixes.
    let l = list(
        "ConditionPathExists=/nonexistent-h4\nConditionPathExists=\nConditionUser=| ! 4294967294\n",
    );
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].describe("Condition"), "ConditionUser=|!4294967294");
    assert!(unmet(&l).is_empty());
}
