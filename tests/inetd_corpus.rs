//! The FreeBSD stock inetd.conf from the corpus with every entry uncommented: what
//! loads, and one diagnostic for each entry that cannot (unknown users and services,
//! RPC, FreeBSD's `auth` builtin, the duplicate cvspserver port).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use activator::inetd::{load_inetd, Dialect, InetdOptions};
use activator::unit::model::Builtin;

/// `../shared/` beside the project (as CI lays it out), relative to the crate.
const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/inetd/freebsd-inetd.conf"
);

fn services_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inetd/services")
}

/// `#name<TAB>...` lines are commented-out entries; `# text` lines are prose.
fn uncomment(text: &str) -> String {
    text.lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn corpus_copy() -> Option<(tempfile::TempDir, PathBuf, String)> {
    let text = match std::fs::read_to_string(CORPUS) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("SKIP: corpus {CORPUS} not readable: {e}");
            return None;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inetd.conf");
    let text = uncomment(&text);
    std::fs::write(&path, &text).unwrap();
    Some((dir, path, text))
}

#[test]
fn stock_commented_file_loads_nothing_and_complains_about_nothing() {
    let Ok(_) = std::fs::metadata(CORPUS) else {
        eprintln!("SKIP: corpus {CORPUS} missing");
        return;
    };
    for dialect in [
        Dialect::FreeBsd,
        Dialect::OpenBsd,
        Dialect::Inetutils,
        Dialect::Busybox,
    ] {
        let u = load_inetd(
            &[PathBuf::from(CORPUS)],
            &InetdOptions {
                dialect,
                services_file: services_fixture(),
            },
        );
        assert!(
            u.sockets.is_empty() && u.diagnostics.is_empty(),
            "{dialect:?}"
        );
    }
}

#[test]
fn uncommented_freebsd_corpus() {
    let Some((_dir, path, text)) = corpus_copy() else {
        return;
    };
    let u = load_inetd(
        &[path],
        &InetdOptions {
            dialect: Dialect::FreeBsd,
            services_file: services_fixture(),
        },
    );
    let line_of = |needle: &str| -> u32 {
        text.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i as u32 + 1)
            .unwrap_or_else(|| panic!("no line {needle}"))
    };
    let errors: BTreeSet<u32> = u
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.line)
        .collect();
    let all: Vec<String> = u.diagnostics.iter().map(|d| d.to_string()).collect();
    // Every error names its line; each failing entry has exactly one.
    assert_eq!(
        errors.len(),
        u.diagnostics.iter().filter(|d| d.is_error()).count(),
        "{all:#?}"
    );
    for must_fail in [
        "comsat",                                    // user tty does not exist here
        "ntalk",                                     // same
        "rstatd/1-3",                                // RPC
        "walld/1",                                   // RPC
        "auth\tstream\ttcp\tnowait\troot\tinternal", // FreeBSD's ident builtin
        "smtp",                                      // user qmaild does not exist here
        "swat",                                      // not in services(5)
        "prom-sysctl",                               // not in services(5)
    ] {
        assert!(
            errors.contains(&line_of(must_fail)),
            "{must_fail} should fail: {all:#?}"
        );
    }
    let second_cvs = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("cvspserver"))
        .map(|(i, _)| i as u32 + 1)
        .nth(1)
        .unwrap();
    assert!(errors.contains(&second_cvs), "duplicate port: {all:#?}");
    assert!(all
        .iter()
        .any(|m| m.contains(&format!(":{second_cvs}: Duplicate entry"))));
    for must_load in [
        "inetd-ftp-tcp.socket",
        "inetd-ftp-tcp6.socket",
        "inetd-ssh-tcp.socket",
        "inetd-telnet-tcp6.socket",
        "inetd-finger-tcp.socket",
        "inetd-tftp-udp.socket",
        "inetd-tftp-udp6.socket",
        "inetd-daytime-tcp.socket",
        "inetd-chargen-udp6.socket",
        "inetd-time-udp.socket",
        "inetd-cvspserver-tcp.socket",
        "inetd-pop3-tcp.socket",
        "inetd-nntp-tcp.socket",
        "inetd-netbios-ns-udp.socket",
    ] {
        assert!(
            u.sockets.iter().any(|s| s.name == must_load),
            "{must_load}: {all:#?}"
        );
    }
    // The 20 small-server lines are builtins, without service units.
    let builtins = u.sockets.iter().filter(|s| s.builtin.is_some()).count();
    assert_eq!(builtins, 20);
    assert!(u.sockets.iter().any(|s| s.name == "inetd-echo-udp.socket"
        && s.builtin == Some(Builtin::Echo)
        && !s.accept));
    // Every service belongs to a socket.
    for svc in &u.services {
        assert!(
            u.sockets.iter().any(|s| s.service_name() == svc.name),
            "{}",
            svc.name
        );
    }
    // FreeBSD `nowait/3/10`: MaxConnections=3.
    let finger = u
        .sockets
        .iter()
        .find(|s| s.name == "inetd-finger-tcp.socket")
        .unwrap();
    assert_eq!(finger.max_connections, 3);
}

#[test]
fn uncommented_corpus_converts_and_loads_back() {
    let Some((_dir, path, _text)) = corpus_copy() else {
        return;
    };
    let o = InetdOptions {
        dialect: Dialect::FreeBsd,
        services_file: services_fixture(),
    };
    let out = tempfile::tempdir().unwrap();
    activator::inetd::convert(std::slice::from_ref(&path), &o, out.path()).unwrap();
    let u = load_inetd(&[path], &o);
    let set = activator::unit::loader::load_all(&activator::unit::loader::LoaderOptions {
        unit_paths: vec![out.path().to_path_buf()],
    });
    for s in &u.sockets {
        let l = &set.sockets[&s.name];
        assert_eq!(
            (
                &l.listen,
                l.accept,
                l.builtin,
                l.trigger_limit(),
                l.max_connections
            ),
            (
                &s.listen,
                s.accept,
                s.builtin,
                s.trigger_limit(),
                s.max_connections
            )
        );
    }
    for s in &u.services {
        let l = &set.services[&s.name];
        assert_eq!(
            (
                &l.exec_start,
                &l.exec.user,
                &l.exec.group,
                &l.exec.standard_input
            ),
            (
                &s.exec_start,
                &s.exec.user,
                &s.exec.group,
                &s.exec.standard_input
            )
        );
    }
}
