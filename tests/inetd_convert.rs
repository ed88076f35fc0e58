//! `convert`: inetd.conf → unit files. The files must pass `systemd-analyze verify`
//! (the external oracle, systemd.md §9) and load back through the unit loader into
//! the same model `load_inetd` gives.

use std::path::{Path, PathBuf};
use std::process::Command;

use activator::inetd::{convert, load_inetd, Dialect, InetdOptions, InetdUnits};
use activator::unit::loader::{load_all, LoaderOptions};
use activator::unit::model::{ServiceUnit, SocketUnit};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inetd")
        .join(name)
}

fn opts(dialect: Dialect) -> InetdOptions {
    InetdOptions {
        dialect,
        services_file: fixture("services"),
    }
}

const CASES: [(&str, Dialect); 4] = [
    ("openbsd.conf", Dialect::OpenBsd),
    ("freebsd.conf", Dialect::FreeBsd),
    ("inetutils.conf", Dialect::Inetutils),
    ("busybox.conf", Dialect::Busybox),
];

fn converted(file: &str, dialect: Dialect) -> (tempfile::TempDir, InetdUnits) {
    let out = tempfile::tempdir().unwrap();
    let diags = convert(&[fixture(file)], &opts(dialect), out.path()).unwrap();
    let units = load_inetd(&[fixture(file)], &opts(dialect));
    assert_eq!(diags, units.diagnostics);
    (out, units)
}

#[test]
fn writes_one_file_per_unit() {
    for (file, dialect) in CASES {
        let (out, units) = converted(file, dialect);
        let mut written: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        let mut expected: Vec<String> = units
            .sockets
            .iter()
            .map(|s| s.name.clone())
            .chain(units.services.iter().map(|s| s.name.clone()))
            .collect();
        expected.sort();
        assert_eq!(written, expected, "{file}");
        assert!(!units.sockets.is_empty(), "{file}");
    }
}

#[test]
fn generated_text_example() {
    let (out, _) = converted("openbsd.conf", Dialect::OpenBsd);
    let sock = std::fs::read_to_string(out.path().join("inetd-telnet-tcp.socket")).unwrap();
    let conf = fixture("openbsd.conf");
    assert_eq!(
        sock,
        format!(
            "# Generated from {}:6 by activatord convert\n[Unit]\n\
             Description=inetd telnet stream tcp: /usr/sbin/tcpd\n\n[Socket]\n\
             ListenStream=0.0.0.0:23\nListenStream=[::]:23\nBindIPv6Only=ipv6-only\nAccept=yes\n\
             TriggerLimitIntervalSec=1min\nTriggerLimitBurst=256\n\n[Install]\nWantedBy=sockets.target\n",
            conf.display()
        )
    );
    let svc = std::fs::read_to_string(out.path().join("inetd-telnet-tcp@.service")).unwrap();
    assert!(svc.contains("\n[Service]\nExecStart=@/usr/sbin/tcpd /usr/sbin/in.telnetd\nUser=root\nStandardInput=socket\n"), "{svc}");
    assert!(svc.contains("CollectMode=inactive-or-failed\n"), "{svc}");
    let echo = std::fs::read_to_string(out.path().join("inetd-echo-tcp.socket")).unwrap();
    assert!(echo.contains("X-Activator-Builtin=echo\n"), "{echo}");
    let printf = std::fs::read_to_string(out.path().join("inetd-17002-tcp4@.service")).unwrap();
    assert!(
        printf.contains("ExecStart=:@/bin/echo echo 100%% $HOME \"\\\"x\"\n"),
        "{printf}"
    );
}

/// Lines of `systemd-analyze verify` output that are about the environment rather than
/// the generated text: programs not installed here, `User=nobody` advice, and builtin
/// sockets (no service).
fn relevant_errors(stderr: &str, builtin_sockets: &[String]) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !l.contains("is not executable") && !l.contains("No such file or directory"))
        // A warning about the inetd entry's own choice of user, not about the text.
        .filter(|l| !l.contains("Special user nobody configured"))
        .filter(|l| {
            !builtin_sockets
                .iter()
                .any(|b| l.contains(b.as_str()) || l.contains(&b.replace(".socket", "@")))
        })
        // Unit-name-less follow-ups of ignored errors.
        .filter(|l| !l.contains("Unit configuration has fatal error") || builtin_sockets.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn output_passes_systemd_analyze_verify() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIP: systemd-analyze not installed");
        return;
    }
    for (file, dialect) in CASES {
        let (out, units) = converted(file, dialect);
        let sockets: Vec<PathBuf> = units
            .sockets
            .iter()
            .map(|s| out.path().join(&s.name))
            .collect();
        let builtin: Vec<String> = units
            .sockets
            .iter()
            .filter(|s| s.builtin.is_some())
            .map(|s| s.name.clone())
            .collect();
        let res = Command::new("systemd-analyze")
            .env("SYSTEMD_UNIT_PATH", format!("{}:", out.path().display()))
            .arg("verify")
            .arg("--man=no")
            .args(&sockets)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&res.stderr);
        let bad = relevant_errors(&stderr, &builtin);
        assert!(
            bad.is_empty(),
            "{file}: systemd-analyze verify complained:\n{}\n--- full output:\n{stderr}",
            bad.join("\n")
        );
    }
}

/// The fields the engine acts on, to compare a socket from inetd.conf with the same
/// socket loaded from the converted unit file.
fn socket_key(s: &SocketUnit) -> impl PartialEq + std::fmt::Debug {
    (
        s.name.clone(),
        s.listen.clone(),
        s.accept,
        s.builtin,
        s.trigger_limit(),
        (
            s.options.bind_ipv6_only,
            s.options.send_buffer,
            s.options.receive_buffer,
            s.options.socket_mode,
            s.options.socket_user.clone(),
            s.options.socket_group.clone(),
            s.max_connections,
            s.max_connections_per_source,
            s.service_name(),
        ),
    )
}

fn service_key(s: &ServiceUnit) -> impl PartialEq + std::fmt::Debug {
    (
        s.name.clone(),
        s.exec_start.clone(),
        s.exec.user.clone(),
        s.exec.group.clone(),
        s.exec.standard_input.clone(),
        s.exec.standard_output.clone(),
        s.exec.standard_error.clone(),
        s.unit.collect_mode,
        s.unit.description.clone(),
    )
}

#[test]
fn round_trip_through_the_unit_loader() {
    for (file, dialect) in CASES {
        let (out, units) = converted(file, dialect);
        let set = load_all(&LoaderOptions {
            unit_paths: vec![out.path().to_path_buf()],
        });
        let errors: Vec<String> = set
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        for s in &units.sockets {
            let loaded = set
                .sockets
                .get(&s.name)
                .unwrap_or_else(|| panic!("{file}: {} not loaded: {:#?}", s.name, set.diagnostics));
            assert_eq!(socket_key(loaded), socket_key(s), "{file}");
        }
        for s in &units.services {
            let loaded = set
                .services
                .get(&s.name)
                .unwrap_or_else(|| panic!("{file}: {} not loaded: {:#?}", s.name, set.diagnostics));
            assert_eq!(service_key(loaded), service_key(s), "{file}");
        }
    }
}

#[test]
fn convert_reports_unwritable_output() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let err = convert(
        &[fixture("openbsd.conf")],
        &opts(Dialect::OpenBsd),
        &blocker.join("sub"),
    );
    assert!(err.is_err());
}
