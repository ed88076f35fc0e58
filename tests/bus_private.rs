//! The control plane on its private p2p socket, against a fake event loop:
//! every Manager method, the unit properties, signals (PropertiesChanged within
//! 50 ms of a change, counters included), `busctl --address=` through the Hello
//! stub, and access control for uid `nobody`.

mod bus_support;

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use activator::bus::names::{
    unit_path, MANAGER_IFACE, MANAGER_PATH, SERVICE_IFACE, SOCKET_IFACE, UNIT_IFACE,
};
use activator::bus::props::{status_from_props, PropMap};
use activator::bus::{BusChoice, UnitRow};
use activator::engine::control::{ControlRequest, Notification};
use bus_support::{call, next_matching, rt, run_cmd, service_unit, socket_unit, which, FakeEngine};
use zbus::{Connection, Message, MessageStream, OwnedObjectPath};

fn units() -> Vec<activator::engine::control::UnitStatus> {
    vec![
        socket_unit("echo.socket", true, 7777),
        socket_unit("web.socket", false, 8080),
        service_unit("web.service"),
    ]
}

async fn connect(fake: &FakeEngine) -> Connection {
    let s = std::os::unix::net::UnixStream::connect(&fake.socket).expect("connect");
    zbus::connection::Builder::unix_stream(s)
        .p2p()
        .build()
        .await
        .expect("p2p client")
}

async fn get_all(c: &Connection, path: &str, iface: &str) -> PropMap {
    call(
        c,
        path,
        "org.freedesktop.DBus.Properties",
        "GetAll",
        &(iface,),
    )
    .await
    .expect("GetAll")
}

fn error_name(e: &zbus::Error) -> String {
    match e {
        zbus::Error::MethodError(n, _, _) => n.to_string(),
        zbus::Error::FDO(e) => zbus::DBusError::name(e.as_ref()).to_string(),
        other => format!("{other:?}"),
    }
}

fn is_signal(m: &Message, path: &str, member: &str) -> bool {
    let h = m.header();
    m.message_type() == zbus::message::Type::Signal
        && h.path().map(|p| p.as_str() == path).unwrap_or(false)
        && h.member().map(|x| x.as_str() == member).unwrap_or(false)
}

#[test]
fn manager_methods_and_unit_properties() {
    let fake = FakeEngine::start(units(), BusChoice::None);
    rt().block_on(async {
        let c = connect(&fake).await;
        let rows: Vec<UnitRow> = call(&c, MANAGER_PATH, MANAGER_IFACE, "ListUnits", &())
            .await
            .unwrap();
        assert_eq!(rows.len(), 3);
        let echo = rows.iter().find(|r| r.0 == "echo.socket").unwrap();
        assert_eq!(
            (echo.2.as_str(), echo.3.as_str(), echo.4.as_str()),
            ("loaded", "active", "listening")
        );
        assert_eq!(echo.6.as_str(), "/org/activator1/unit/echo_2esocket");
        assert_eq!(echo.9.as_str(), "/");

        let p: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "GetUnit",
            &("echo.socket",),
        )
        .await
        .unwrap();
        assert_eq!(p.as_str(), unit_path("echo.socket"));
        let p2: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "LoadUnit",
            &("web.service",),
        )
        .await
        .unwrap();
        assert_eq!(p2.as_str(), "/org/activator1/unit/web_2eservice");

        // Every property of every interface reads back into the same status.
        for name in ["echo.socket", "web.socket", "web.service"] {
            let path = unit_path(name);
            let unit = get_all(&c, &path, UNIT_IFACE).await;
            let sock = if name.ends_with(".socket") {
                Some(get_all(&c, &path, SOCKET_IFACE).await)
            } else {
                None
            };
            let svc = if name.ends_with(".service") {
                Some(get_all(&c, &path, SERVICE_IFACE).await)
            } else {
                None
            };
            assert_eq!(
                status_from_props(&unit, sock.as_ref(), svc.as_ref()),
                fake.unit(name),
                "{name}"
            );
        }
        // Single property reads, with systemd's names.
        let path = unit_path("echo.socket");
        for (iface, prop) in [
            (UNIT_IFACE, "Id"),
            (UNIT_IFACE, "Description"),
            (UNIT_IFACE, "LoadState"),
            (UNIT_IFACE, "ActiveState"),
            (UNIT_IFACE, "SubState"),
            (UNIT_IFACE, "FragmentPath"),
            (UNIT_IFACE, "DropInPaths"),
            (UNIT_IFACE, "UnitFileState"),
            (UNIT_IFACE, "Triggers"),
            (UNIT_IFACE, "TriggeredBy"),
            (UNIT_IFACE, "ActiveEnterTimestamp"),
            (UNIT_IFACE, "InactiveEnterTimestamp"),
            (SOCKET_IFACE, "Listen"),
            (SOCKET_IFACE, "Accept"),
            (SOCKET_IFACE, "NAccepted"),
            (SOCKET_IFACE, "NConnections"),
            (SOCKET_IFACE, "NRefused"),
            (SOCKET_IFACE, "FileDescriptorName"),
            (SOCKET_IFACE, "MaxConnections"),
            (SOCKET_IFACE, "Result"),
        ] {
            let r: zbus::Result<zbus::OwnedVariant> = call(
                &c,
                &path,
                "org.freedesktop.DBus.Properties",
                "Get",
                &(iface, prop),
            )
            .await;
            assert!(r.is_ok(), "{iface}.{prop}: {r:?}");
        }
        let spath = unit_path("web.service");
        for prop in [
            "MainPID",
            "StatusText",
            "Result",
            "NRestarts",
            "ExecMainCode",
            "ExecMainStatus",
            "ExecMainPID",
            "Type",
            "Restart",
            "ExecStart",
        ] {
            let r: zbus::Result<zbus::OwnedVariant> = call(
                &c,
                &spath,
                "org.freedesktop.DBus.Properties",
                "Get",
                &(SERVICE_IFACE, prop),
            )
            .await;
            assert!(r.is_ok(), "Service.{prop}: {r:?}");
        }
        let mgr = get_all(&c, MANAGER_PATH, MANAGER_IFACE).await;
        for k in [
            "Version",
            "SystemState",
            "NNames",
            "NFailedUnits",
            "NJobs",
            "NListeningSockets",
            "DaemonPID",
            "UserspaceTimestamp",
        ] {
            assert!(mgr.contains_key(k), "manager property {k}");
        }

        // Errors carry systemd-like names.
        let e = call::<_, OwnedObjectPath>(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "GetUnit",
            &("nope.socket",),
        )
        .await
        .unwrap_err();
        assert_eq!(error_name(&e), "org.activator1.NoSuchUnit");
        let e = call::<_, OwnedObjectPath>(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "StartUnit",
            &("web.service", "bogus"),
        )
        .await
        .unwrap_err();
        assert_eq!(error_name(&e), "org.freedesktop.DBus.Error.InvalidArgs");
        let e = call::<_, ()>(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "KillUnit",
            &("web.service", "main", 0i32),
        )
        .await
        .unwrap_err();
        assert_eq!(error_name(&e), "org.freedesktop.DBus.Error.InvalidArgs");

        // State-changing methods (we are root or the daemon's uid here).
        let job: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "StartUnit",
            &("web.service", "replace"),
        )
        .await
        .unwrap();
        assert_eq!(job.as_str(), "/org/activator1/job/7");
        assert_eq!(fake.unit("web.service").active_state, "active");
        let st: zbus::OwnedVariant = call(
            &c,
            &spath,
            "org.freedesktop.DBus.Properties",
            "Get",
            &(UNIT_IFACE, "ActiveState"),
        )
        .await
        .unwrap();
        assert_eq!(
            <&str>::try_from(&st).unwrap(),
            "active",
            "no stale cache after a state change"
        );
        let _: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "RestartUnit",
            &("web.service", "replace"),
        )
        .await
        .unwrap();
        let _: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "ReloadUnit",
            &("web.service", "replace"),
        )
        .await
        .unwrap();
        let _: OwnedObjectPath = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "StopUnit",
            &("web.service", "replace"),
        )
        .await
        .unwrap();
        assert_eq!(fake.unit("web.service").active_state, "inactive");
        let () = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "KillUnit",
            &("web.service", "main", 15i32),
        )
        .await
        .unwrap();
        let () = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "ResetFailedUnit",
            &("web.service",),
        )
        .await
        .unwrap();
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "ResetFailed", &())
            .await
            .unwrap();
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Reload", &())
            .await
            .unwrap();
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Reexecute", &())
            .await
            .unwrap();
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Subscribe", &())
            .await
            .unwrap();
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Unsubscribe", &())
            .await
            .unwrap();
        let text: String = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "CatUnit",
            &("web.service",),
        )
        .await
        .unwrap();
        assert!(text.contains("Description=web.service test service"));
        let rows: Vec<UnitRow> = call(
            &c,
            MANAGER_PATH,
            MANAGER_IFACE,
            "ListUnitsByNames",
            &(vec!["web.service", "x.socket"],),
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1);

        // Unit object methods.
        let _: OwnedObjectPath = call(&c, &spath, UNIT_IFACE, "Start", &("replace",))
            .await
            .unwrap();
        assert_eq!(fake.unit("web.service").active_state, "active");
        let _: OwnedObjectPath = call(&c, &spath, UNIT_IFACE, "Stop", &("replace",))
            .await
            .unwrap();
        let () = call(&c, &spath, UNIT_IFACE, "Kill", &("all", 1i32))
            .await
            .unwrap();
        let () = call(&c, &spath, UNIT_IFACE, "ResetFailed", &())
            .await
            .unwrap();

        let reqs = fake.requests.lock().unwrap().clone();
        for want in [
            ControlRequest::DaemonReload,
            ControlRequest::DaemonReexec,
            ControlRequest::ResetFailed { name: None },
            ControlRequest::Kill {
                name: "web.service".into(),
                whom: "main".into(),
                signal: 15,
            },
        ] {
            assert!(reqs.contains(&want), "{want:?} not sent; got {reqs:?}");
        }

        // Introspection lists the interfaces with systemd's member names.
        let xml: String = call(
            &c,
            &unit_path("echo.socket"),
            "org.freedesktop.DBus.Introspectable",
            "Introspect",
            &(),
        )
        .await
        .unwrap();
        for needle in [
            "org.activator1.Unit",
            "org.activator1.Socket",
            "\"NAccepted\"",
            "\"Listen\" type=\"a(ss)\"",
        ] {
            assert!(xml.contains(needle), "{needle} missing in\n{xml}");
        }
        let xml: String = call(
            &c,
            MANAGER_PATH,
            "org.freedesktop.DBus.Introspectable",
            "Introspect",
            &(),
        )
        .await
        .unwrap();
        for needle in [
            "\"ListUnits\"",
            "type=\"a(ssssssouso)\"",
            "\"StartUnit\"",
            "\"KillUnit\"",
            "\"UnitNew\"",
            "\"JobRemoved\"",
            "\"PropertiesChanged\"",
        ] {
            assert!(
                xml.contains(needle),
                "{needle} missing in manager introspection"
            );
        }
    });
}

#[test]
fn properties_changed_within_50ms_counters_included() {
    let fake = FakeEngine::start(units(), BusChoice::None);
    rt().block_on(async {
        let c = connect(&fake).await;
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Subscribe", &())
            .await
            .unwrap();
        let mut stream = MessageStream::from(&c);
        let path = unit_path("echo.socket");
        let mut worst = Duration::ZERO;
        for i in 1..=20u32 {
            let t0 = Instant::now();
            fake.change("echo.socket", |u| u.socket.as_mut().unwrap().n_accepted = i);
            // The first notification of a unit may announce every property of
            // every interface (nothing was sent for it before): skip to the
            // Socket interface's change.
            let m = next_matching(&mut stream, Duration::from_secs(2), |m| {
                is_signal(m, &path, "PropertiesChanged")
                    && m.body()
                        .deserialize::<(String, HashMap<String, zbus::OwnedVariant>, Vec<String>)>()
                        .is_ok_and(|(iface, changed, _)| {
                            iface == SOCKET_IFACE
                                && changed.get("NAccepted").and_then(|v| u32::try_from(v).ok())
                                    == Some(i)
                        })
            })
            .await
            .expect("PropertiesChanged");
            worst = worst.max(t0.elapsed());
            let (iface, changed, _inv): (String, HashMap<String, zbus::OwnedVariant>, Vec<String>) =
                m.body().deserialize().unwrap();
            assert_eq!(iface, SOCKET_IFACE);
            if i > 1 {
                assert_eq!(changed.len(), 1, "only the counter changed: {changed:?}");
            }
            assert_eq!(u32::try_from(&changed["NAccepted"]).unwrap(), i);
        }
        eprintln!("PropertiesChanged latency, worst of 20: {worst:?}");
        assert!(worst < Duration::from_millis(50), "worst latency {worst:?}");

        // A state change: ActiveState/SubState on .Unit.
        fake.change("web.socket", |u| {
            u.active_state = "active".into();
            u.sub_state = "running".into();
        });
        let wpath = unit_path("web.socket");
        let m = next_matching(&mut stream, Duration::from_secs(2), |m| {
            is_signal(m, &wpath, "PropertiesChanged")
        })
        .await
        .unwrap();
        let (iface, changed, _): (String, HashMap<String, zbus::OwnedVariant>, Vec<String>) =
            m.body().deserialize().unwrap();
        assert_eq!(iface, UNIT_IFACE);
        assert_eq!(<&str>::try_from(&changed["SubState"]).unwrap(), "running");

        // Manager signals.
        fake.notify
            .send(Notification::JobNew {
                id: 3,
                unit: "web.service".into(),
            })
            .unwrap();
        fake.notify
            .send(Notification::JobRemoved {
                id: 3,
                unit: "web.service".into(),
                result: "done".into(),
            })
            .unwrap();
        fake.notify
            .send(Notification::UnitNew {
                id: "echo@1-a-b.service".into(),
            })
            .unwrap();
        fake.notify
            .send(Notification::UnitRemoved {
                id: "echo@1-a-b.service".into(),
            })
            .unwrap();
        fake.notify
            .send(Notification::Reloading { active: true })
            .unwrap();
        let m = next_matching(&mut stream, Duration::from_secs(2), |m| {
            is_signal(m, MANAGER_PATH, "JobNew")
        })
        .await
        .unwrap();
        let (id, job, unit): (u32, OwnedObjectPath, String) = m.body().deserialize().unwrap();
        assert_eq!(
            (id, job.as_str(), unit.as_str()),
            (3, "/org/activator1/job/3", "web.service")
        );
        let m = next_matching(&mut stream, Duration::from_secs(2), |m| {
            is_signal(m, MANAGER_PATH, "JobRemoved")
        })
        .await
        .unwrap();
        let (_, _, _, result): (u32, OwnedObjectPath, String, String) =
            m.body().deserialize().unwrap();
        assert_eq!(result, "done");
        let m = next_matching(&mut stream, Duration::from_secs(2), |m| {
            is_signal(m, MANAGER_PATH, "UnitNew")
        })
        .await
        .unwrap();
        let (id, p): (String, OwnedObjectPath) = m.body().deserialize().unwrap();
        assert_eq!(id, "echo@1-a-b.service");
        assert_eq!(p.as_str(), unit_path("echo@1-a-b.service"));
        assert!(
            next_matching(&mut stream, Duration::from_secs(2), |m| is_signal(
                m,
                MANAGER_PATH,
                "UnitRemoved"
            ))
            .await
            .is_some()
        );
        assert!(
            next_matching(&mut stream, Duration::from_secs(2), |m| is_signal(
                m,
                MANAGER_PATH,
                "Reloading"
            ))
            .await
            .is_some()
        );

        // After Unsubscribe nothing more arrives.
        let () = call(&c, MANAGER_PATH, MANAGER_IFACE, "Unsubscribe", &())
            .await
            .unwrap();
        fake.change("echo.socket", |u| {
            u.socket.as_mut().unwrap().n_accepted = 99
        });
        assert!(
            next_matching(&mut stream, Duration::from_millis(200), |m| is_signal(
                m,
                &path,
                "PropertiesChanged"
            ))
            .await
            .is_none()
        );
    });
}

fn busctl(fake: &FakeEngine, args: &[&str]) -> (i32, String, String) {
    let addr = format!("--address={}", fake.address());
    run_cmd(
        Command::new("busctl").arg(addr).args(args),
        Duration::from_secs(20),
    )
}

#[test]
fn busctl_talks_to_the_private_socket() {
    if !which("busctl") {
        eprintln!("SKIP: busctl not installed");
        return;
    }
    let fake = FakeEngine::start(units(), BusChoice::None);
    let (code, out, err) = busctl(
        &fake,
        &[
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "ListUnits",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("a(ssssssouso) 3 "), "{out}");
    assert!(out.contains("\"echo.socket\""));
    let (code, out, err) = busctl(
        &fake,
        &[
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "GetUnit",
            "s",
            "echo.socket",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "o \"/org/activator1/unit/echo_2esocket\"");
    let p = unit_path("echo.socket");
    let (code, out, err) = busctl(
        &fake,
        &["get-property", "org.activator1", &p, SOCKET_IFACE, "Listen"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "a(ss) 1 \"Stream\" \"127.0.0.1:7777\"");
    let (code, out, _) = busctl(
        &fake,
        &[
            "get-property",
            "org.activator1",
            &p,
            SOCKET_IFACE,
            "NAccepted",
        ],
    );
    assert_eq!((code, out.trim()), (0, "u 0"));
    let (code, out, err) = busctl(
        &fake,
        &[
            "--json=short",
            "get-property",
            "org.activator1",
            &p,
            UNIT_IFACE,
            "ActiveState",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), r#"{"type":"s","data":"active"}"#);
    let (code, out, err) = busctl(&fake, &["introspect", "org.activator1", &p]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("org.activator1.Socket") && out.contains(".NAccepted"),
        "{out}"
    );
    let (code, _, err) = busctl(
        &fake,
        &[
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "StartUnit",
            "ss",
            "web.service",
            "replace",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(fake.unit("web.service").active_state, "active");
    let (code, _, err) = busctl(
        &fake,
        &[
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "GetUnit",
            "s",
            "nope.service",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("nope.service not loaded"), "{err}");
}

fn as_nobody(fake: &FakeEngine, args: &[&str]) -> (i32, String, String) {
    let addr = format!("--address={}", fake.address());
    run_cmd(
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "busctl"])
            .arg(addr)
            .args(args),
        Duration::from_secs(20),
    )
}

#[test]
fn nobody_may_read_but_not_change_state() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIP: access-control test needs root (to run a client as nobody)");
        return;
    }
    if !which("setpriv") || !which("busctl") {
        eprintln!("SKIP: setpriv or busctl not installed");
        return;
    }
    let fake = FakeEngine::start(units(), BusChoice::None);
    let before = fake.units.lock().unwrap().clone();
    let n_requests = |fake: &FakeEngine| {
        fake.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| {
                !matches!(
                    r,
                    ControlRequest::GetUnit { .. }
                        | ControlRequest::ListUnits
                        | ControlRequest::Manager
                        | ControlRequest::Cat { .. }
                )
            })
            .count()
    };
    let p = unit_path("web.service");
    let denied: Vec<Vec<&str>> = vec![
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "StartUnit",
            "ss",
            "web.service",
            "replace",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "StopUnit",
            "ss",
            "echo.socket",
            "replace",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "RestartUnit",
            "ss",
            "echo.socket",
            "replace",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "ReloadUnit",
            "ss",
            "echo.socket",
            "replace",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "KillUnit",
            "ssi",
            "web.service",
            "all",
            "9",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "ResetFailedUnit",
            "s",
            "web.service",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "ResetFailed",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "Reload",
        ],
        vec![
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "Reexecute",
        ],
        vec![
            "call",
            "org.activator1",
            &p,
            UNIT_IFACE,
            "Start",
            "s",
            "replace",
        ],
        vec![
            "call",
            "org.activator1",
            &p,
            UNIT_IFACE,
            "Stop",
            "s",
            "replace",
        ],
        vec![
            "call",
            "org.activator1",
            &p,
            UNIT_IFACE,
            "Kill",
            "si",
            "all",
            "9",
        ],
        vec!["call", "org.activator1", &p, UNIT_IFACE, "ResetFailed"],
    ];
    for args in &denied {
        let (code, _, err) = as_nobody(&fake, args);
        assert_ne!(code, 0, "{args:?} should be refused");
        assert!(err.contains("Access denied"), "{args:?}: {err}");
    }
    assert_eq!(n_requests(&fake), 0, "a refused call reached the engine");
    assert_eq!(*fake.units.lock().unwrap(), before, "state changed");

    // Reads work for nobody.
    let (code, out, err) = as_nobody(
        &fake,
        &[
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "ListUnits",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("web.service"));
    let (code, out, err) = as_nobody(
        &fake,
        &[
            "get-property",
            "org.activator1",
            &p,
            UNIT_IFACE,
            "ActiveState",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "s \"inactive\"");

    // And activatorctl maps AccessDenied to systemctl's exit code 4.
    let ctl = env!("CARGO_BIN_EXE_activatorctl");
    let (code, _, err) = run_cmd(
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                ctl,
                "--control-socket",
            ])
            .arg(&fake.socket)
            .args(["start", "web.service"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("Failed to start web.service: Access denied"),
        "{err}"
    );
    let (code, out, err) = run_cmd(
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                ctl,
                "--control-socket",
            ])
            .arg(&fake.socket)
            .args(["status", "echo.socket"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("echo.socket"));
    assert_eq!(n_requests(&fake), 0);

    // Root (the daemon's uid here) may.
    let (code, _, err) = busctl(
        &fake,
        &[
            "call",
            "org.activator1",
            MANAGER_PATH,
            MANAGER_IFACE,
            "StartUnit",
            "ss",
            "web.service",
            "replace",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(fake.unit("web.service").active_state, "active");
}
