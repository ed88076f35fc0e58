//! Snapshot tests of activatorctl's text output, built from hand-made
//! `UnitStatus` values. Each snapshot was checked line by line against what
//! systemctl 252's `print_status_info()` / `list-sockets` / `list-units` print
//! for the same state (src/systemctl/systemctl-show.c,
//! systemctl-list-units.c; systemd.md §6.6): the glyphs, the colon in column
//! 12, `ADDRESS (Type)`, `Accepted: N; Connected: N;   Refused: N`, the
//! `Triggers:` ● lines, the table layout and its footers. Lines systemctl adds
//! from cgroups and the journal (Tasks, Memory, CPU, CGroup, log lines) have
//! no counterpart in activator and are absent.

use std::collections::HashMap;

use activator::ctl::show::format_show;
use activator::ctl::status::{format_manager_status, format_unit_status, StatusContext};
use activator::ctl::tables::{format_list_sockets, format_list_units, TableOptions};
use activator::engine::control::{ManagerStatus, ServiceStatus, SocketStatus, UnitStatus};

/// Tue 2024-01-02 10:00:00 UTC.
const T0: u64 = 1_704_189_600_000_000;
const MIN: u64 = 60_000_000;

fn ctx(states: &[(&str, &str)]) -> StatusContext {
    StatusContext {
        now: T0 + 5 * MIN,
        color: false,
        unit_states: states
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        comms: HashMap::from([(4242, "webd".to_string())]),
    }
}

fn echo_socket() -> UnitStatus {
    UnitStatus {
        id: "echo.socket".into(),
        description: "Echo service socket".into(),
        load_state: "loaded".into(),
        active_state: "active".into(),
        sub_state: "listening".into(),
        result: "success".into(),
        fragment_path: "/etc/systemd/system/echo.socket".into(),
        drop_in_paths: vec!["/etc/systemd/system/echo.socket.d/override.conf".into()],
        unit_file_state: "enabled".into(),
        triggers: vec!["echo@11-127.0.0.1:7777-127.0.0.1:40312.service".into()],
        active_enter_timestamp: T0,
        inactive_exit_timestamp: T0,
        state_change_timestamp: T0,
        socket: Some(SocketStatus {
            listen: vec![
                ("Stream".into(), "[::]:7777".into()),
                ("Stream".into(), "/run/echo.sock".into()),
            ],
            accept: true,
            n_accepted: 12,
            n_connections: 1,
            n_refused: 3,
            max_connections: 64,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn web_socket() -> UnitStatus {
    UnitStatus {
        id: "web.socket".into(),
        description: "Web server socket".into(),
        load_state: "loaded".into(),
        active_state: "active".into(),
        sub_state: "running".into(),
        result: "success".into(),
        fragment_path: "/etc/systemd/system/web.socket".into(),
        unit_file_state: "enabled".into(),
        triggers: vec!["web.service".into()],
        active_enter_timestamp: T0 - 62 * MIN,
        socket: Some(SocketStatus {
            listen: vec![("Stream".into(), "0.0.0.0:8080".into())],
            accept: false,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn web_service() -> UnitStatus {
    UnitStatus {
        id: "web.service".into(),
        description: "Web server".into(),
        load_state: "loaded".into(),
        active_state: "active".into(),
        sub_state: "running".into(),
        result: "success".into(),
        fragment_path: "/etc/systemd/system/web.service".into(),
        unit_file_state: "static".into(),
        triggered_by: vec!["web.socket".into()],
        active_enter_timestamp: T0 + 4 * MIN,
        service: Some(ServiceStatus {
            service_type: "notify".into(),
            restart: "no".into(),
            main_pid: 4242,
            exec_main_pid: 4242,
            status_text: "Serving 3 clients".into(),
            exec_start: vec!["/usr/bin/webd".into(), "--socket-activated".into()],
            exec_main_start_timestamp: T0 + 4 * MIN,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn failed_service() -> UnitStatus {
    UnitStatus {
        id: "broken.service".into(),
        description: "Broken server".into(),
        load_state: "loaded".into(),
        active_state: "failed".into(),
        sub_state: "failed".into(),
        result: "exit-code".into(),
        fragment_path: "/etc/systemd/system/broken.service".into(),
        unit_file_state: "static".into(),
        triggered_by: vec!["broken.socket".into()],
        active_enter_timestamp: T0 + 3 * MIN,
        active_exit_timestamp: T0 + 3 * MIN + 2_005_000,
        inactive_enter_timestamp: T0 + 3 * MIN + 2_005_000,
        service: Some(ServiceStatus {
            service_type: "simple".into(),
            restart: "no".into(),
            main_pid: 0,
            exec_main_pid: 1234,
            exec_main_code: 1,
            exec_main_status: 1,
            exec_start: vec!["/usr/bin/broken".into(), "-v".into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn status_accept_yes_socket_listening() {
    let text = format_unit_status(
        &echo_socket(),
        &ctx(&[("echo@11-127.0.0.1:7777-127.0.0.1:40312.service", "active")]),
    );
    insta::assert_snapshot!(text, @r"
    ● echo.socket - Echo service socket
         Loaded: loaded (/etc/systemd/system/echo.socket; enabled)
        Drop-In: /etc/systemd/system/echo.socket.d
                 └─override.conf
         Active: active (listening) since Tue 2024-01-02 10:00:00 UTC; 5min ago
       Triggers: ● echo@11-127.0.0.1:7777-127.0.0.1:40312.service
         Listen: [::]:7777 (Stream)
                 /run/echo.sock (Stream)
       Accepted: 12; Connected: 1;   Refused: 3
    ");
}

#[test]
fn status_accept_no_socket_with_running_service() {
    let c = ctx(&[("web.service", "active"), ("web.socket", "active")]);
    let text = format!(
        "{}\n{}",
        format_unit_status(&web_socket(), &c),
        format_unit_status(&web_service(), &c)
    );
    insta::assert_snapshot!(text, @r#"
    ● web.socket - Web server socket
         Loaded: loaded (/etc/systemd/system/web.socket; enabled)
         Active: active (running) since Tue 2024-01-02 08:58:00 UTC; 1h 7min ago
       Triggers: ● web.service
         Listen: 0.0.0.0:8080 (Stream)

    ● web.service - Web server
         Loaded: loaded (/etc/systemd/system/web.service; static)
         Active: active (running) since Tue 2024-01-02 10:04:00 UTC; 1min 0s ago
    TriggeredBy: ● web.socket
       Main PID: 4242 (webd)
         Status: "Serving 3 clients"
    "#);
}

#[test]
fn status_failed_service() {
    let text = format_unit_status(&failed_service(), &ctx(&[("broken.socket", "active")]));
    insta::assert_snapshot!(text, @r"
    × broken.service - Broken server
         Loaded: loaded (/etc/systemd/system/broken.service; static)
         Active: failed (Result: exit-code) since Tue 2024-01-02 10:03:02 UTC; 1min 57s ago
       Duration: 2.005s
    TriggeredBy: ● broken.socket
        Process: 1234 ExecStart=/usr/bin/broken -v (code=exited, status=1/FAILURE)
       Main PID: 1234 (code=exited, status=1/FAILURE)
    ");
}

#[test]
fn status_inactive_and_not_found() {
    let mut u = web_socket();
    u.active_state = "inactive".into();
    u.sub_state = "dead".into();
    u.inactive_enter_timestamp = T0;
    u.description = "web.socket".into();
    let nf = UnitStatus {
        id: "gone.socket".into(),
        load_state: "not-found".into(),
        active_state: "inactive".into(),
        sub_state: "dead".into(),
        ..Default::default()
    };
    let c = ctx(&[]);
    let text = format!(
        "{}{}",
        format_unit_status(&u, &c),
        format_unit_status(&nf, &c)
    );
    insta::assert_snapshot!(text, @r"
    ○ web.socket
         Loaded: loaded (/etc/systemd/system/web.socket; enabled)
         Active: inactive (dead) since Tue 2024-01-02 10:00:00 UTC; 5min ago
       Triggers: ● web.service
         Listen: 0.0.0.0:8080 (Stream)
    ○ gone.socket
         Loaded: not-found
         Active: inactive (dead)
    ");
}

fn several_sockets() -> Vec<UnitStatus> {
    let mut dgram = web_socket();
    dgram.id = "daytime.socket".into();
    dgram.triggers = vec![];
    dgram.socket.as_mut().unwrap().listen = vec![
        ("Datagram".into(), "0.0.0.0:13".into()),
        ("Stream".into(), "0.0.0.0:13".into()),
    ];
    let mut abs = web_socket();
    abs.id = "app.socket".into();
    abs.triggers = vec!["app.service".into()];
    abs.socket.as_mut().unwrap().listen = vec![
        ("Stream".into(), "/run/app/app.sock".into()),
        ("Stream".into(), "@app-abstract".into()),
    ];
    let mut idle = web_socket();
    idle.id = "idle.socket".into();
    idle.active_state = "inactive".into();
    idle.sub_state = "dead".into();
    idle.socket.as_mut().unwrap().listen = vec![("Stream".into(), "/run/idle.sock".into())];
    vec![echo_socket(), web_socket(), dgram, abs, idle]
}

#[test]
fn list_sockets_several() {
    let opts = TableOptions {
        all: false,
        legend: true,
        color: false,
    };
    insta::assert_snapshot!(format_list_sockets(&several_sockets(), opts, false), @r"
    LISTEN            UNIT           ACTIVATES
    0.0.0.0:13        daytime.socket -
    0.0.0.0:13        daytime.socket -
    0.0.0.0:8080      web.socket     web.service
    @app-abstract     app.socket     app.service
    [::]:7777         echo.socket    echo@11-127.0.0.1:7777-127.0.0.1:40312.service
    /run/app/app.sock app.socket     app.service
    /run/echo.sock    echo.socket    echo@11-127.0.0.1:7777-127.0.0.1:40312.service

    7 sockets listed.
    Pass --all to see loaded but inactive sockets, too.
    ");
    let all = TableOptions {
        all: true,
        legend: true,
        color: false,
    };
    insta::assert_snapshot!(format_list_sockets(&several_sockets(), all, true), @r"
    LISTEN            TYPE     UNIT           ACTIVATES
    0.0.0.0:13        Datagram daytime.socket -
    0.0.0.0:13        Stream   daytime.socket -
    0.0.0.0:8080      Stream   web.socket     web.service
    @app-abstract     Stream   app.socket     app.service
    [::]:7777         Stream   echo.socket    echo@11-127.0.0.1:7777-127.0.0.1:40312.service
    /run/app/app.sock Stream   app.socket     app.service
    /run/echo.sock    Stream   echo.socket    echo@11-127.0.0.1:7777-127.0.0.1:40312.service
    /run/idle.sock    Stream   idle.socket    web.service

    8 sockets listed.
    ");
    let bare = TableOptions {
        all: false,
        legend: false,
        color: false,
    };
    insta::assert_snapshot!(format_list_sockets(&several_sockets()[1..2], bare, false), @"0.0.0.0:8080 web.socket web.service");
}

#[test]
fn list_units_table() {
    let mut units = several_sockets();
    units.push(web_service());
    units.push(failed_service());
    let opts = TableOptions {
        all: false,
        legend: true,
        color: false,
    };
    insta::assert_snapshot!(format_list_units(&units, opts), @r"
      UNIT           LOAD   ACTIVE SUB       DESCRIPTION
      app.socket     loaded active running   Web server socket
    ● broken.service loaded failed failed    Broken server
      daytime.socket loaded active running   Web server socket
      echo.socket    loaded active listening Echo service socket
      web.service    loaded active running   Web server
      web.socket     loaded active running   Web server socket

    LOAD   = Reflects whether the unit definition was properly loaded.
    ACTIVE = The high-level unit activation state, i.e. generalization of SUB.
    SUB    = The low-level unit activation state, values depend on unit type.
    6 loaded units listed. Pass --all to see loaded but inactive units, too.
    ");
}

#[test]
fn manager_overview() {
    let m = ManagerStatus {
        version: "0.1.0".into(),
        state: "running".into(),
        n_units: 7,
        n_failed_units: 1,
        n_sockets_listening: 4,
        n_jobs: 0,
        pid: 77,
        startup_timestamp: T0,
    };
    insta::assert_snapshot!(format_manager_status(&m, "host1", &ctx(&[])), @r"
    ● host1
        State: degraded
        Units: 7 loaded
      Sockets: 4 listening
         Jobs: 0 queued
       Failed: 1 unit
        Since: Tue 2024-01-02 10:00:00 UTC; 5min ago
       Daemon: activatord 0.1.0 (PID 77)
    ");
}

#[test]
fn show_properties() {
    let only: Vec<String> = [
        "Listen",
        "NAccepted",
        "Accept",
        "ActiveState",
        "Triggers",
        "ActiveEnterTimestamp",
        "InactiveExitTimestamp",
        "DropInPaths",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    insta::assert_snapshot!(format_show(&echo_socket(), &only, false), @r"
    Listen=[::]:7777 (Stream)
    Listen=/run/echo.sock (Stream)
    Accept=yes
    NAccepted=12
    ActiveState=active
    DropInPaths=/etc/systemd/system/echo.socket.d/override.conf
    Triggers=echo@11-127.0.0.1:7777-127.0.0.1:40312.service
    InactiveExitTimestamp=Tue 2024-01-02 10:00:00 UTC
    ActiveEnterTimestamp=Tue 2024-01-02 10:00:00 UTC
    ");
    insta::assert_snapshot!(format_show(&failed_service(), &["ExecStart".to_string(), "MainPID".to_string(), "Result".to_string()], false), @r"
    MainPID=0
    Result=exit-code
    ExecStart={ path=/usr/bin/broken ; argv[]=/usr/bin/broken -v ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=1234 ; code=exited ; status=1 }
    ");
    insta::assert_snapshot!(format_show(&web_service(), &["SubState".to_string()], true), @"running");
}

#[test]
fn colours_only_when_asked() {
    let mut c = ctx(&[("broken.socket", "active")]);
    let plain = format_unit_status(&failed_service(), &c);
    assert!(!plain.contains('\x1b'));
    c.color = true;
    let coloured = format_unit_status(&failed_service(), &c);
    assert!(
        coloured.starts_with("\x1b[0;1;31m×\x1b[0m broken.service"),
        "{coloured:?}"
    );
    assert!(coloured.contains("\x1b[0;1;32m●\x1b[0m broken.socket"));
}

/// `status=N/NAME` uses systemd's exit status names (exit-status.c, libc, LSB and
/// systemd classes — `BSD` ones are not printed): the whole table against
/// `systemd-analyze exit-status`.
#[test]
fn exit_status_names_match_systemd_analyze() {
    use activator::ctl::style::exit_status_name;
    let out = match std::process::Command::new("systemd-analyze")
        .arg("exit-status")
        .output()
    {
        Ok(o) if o.status.success() => o,
        _ => {
            eprintln!("SKIP: systemd-analyze not installed; exit-status table not compared");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut compared = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [name, code, class] = f[..] else {
            continue;
        };
        let code: i32 = code.parse().unwrap();
        // The unit parser's table (SuccessExitStatus= names) has every class.
        let entry = (name, u8::try_from(code).unwrap());
        assert!(
            activator::unit::values::EXIT_STATUS_NAMES.contains(&entry),
            "{entry:?}"
        );
        let ours = exit_status_name(code);
        if class == "BSD" {
            assert_eq!(ours, None, "{code}");
        } else {
            assert_eq!(ours, Some(name), "{code}");
        }
        compared += 1;
    }
    assert!(compared > 60, "{compared}");
    // Nothing systemd does not name.
    let named = (0..256).filter(|c| exit_status_name(*c).is_some()).count();
    assert_eq!(
        named,
        text.lines().filter(|l| !l.ends_with("BSD")).count() - 1
    );
}
