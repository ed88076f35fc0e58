//! Property tests: any inetd.conf text, in any dialect, loads without panicking, every
//! diagnostic points at a line of the file, and every generated unit renders.

use std::path::{Path, PathBuf};

use activator::inetd::{load_inetd, Dialect, InetdOptions};
use activator::unit::render::{render_service, render_socket};
use proptest::prelude::*;

fn services_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inetd/services")
}

const DIALECTS: [Dialect; 4] = [
    Dialect::OpenBsd,
    Dialect::FreeBsd,
    Dialect::Inetutils,
    Dialect::Busybox,
];

/// A line made of plausible field values, so the deeper code paths get exercised.
fn entry_line() -> impl Strategy<Value = String> {
    let service = prop::sample::select(vec![
        "echo",
        "17001",
        "0",
        "99999",
        "ftp",
        "mail",
        "nosuch",
        "127.0.0.1:17002",
        "[::1]:17003",
        "*:17004",
        "a,b:17005",
        "/run/x.sock",
        ":u:g:777:/run/y",
        ":::17006",
        "tcpmux/+x",
        "rstatd/1-3",
        "[:",
        "127.0.0.1:",
        "fe80::1%lo:17007",
    ]);
    let socktype = prop::sample::select(vec!["stream", "dgram", "seqpacket", "raw", "x"]);
    let proto = prop::sample::select(vec![
        "tcp",
        "udp",
        "tcp4",
        "udp6",
        "tcp46",
        "udp46",
        "tcp6only",
        "unix",
        "rpc/udp",
        "tcp,sndbuf=1k",
        "udp,rcvbuf=2m,sndbuf=0",
        "tcp,foo=1",
        "sctp",
    ]);
    let wait = prop::sample::select(vec![
        "wait",
        "nowait",
        "nowait.5",
        "wait:0",
        "nowait/1/2/3",
        "nowait/1/2/3/4",
        "nowait.",
        "maybe",
    ]);
    let user = prop::sample::select(vec![
        "root",
        "nobody",
        "nobody:nogroup",
        "nobody.nogroup",
        "root/daemon",
        ":x",
        "nosuch_u",
        "a.b.c",
    ]);
    let server = prop::sample::select(vec!["internal", "/bin/cat", "cat", "bin/cat", "/"]);
    let args = prop::collection::vec("[ -~]{0,8}", 0..24);
    (service, socktype, proto, wait, user, server, args)
        .prop_map(|(a, b, c, d, e, f, g)| format!("{a} {b} {c} {d} {e} {f} {}", g.join(" ")))
}

fn check(text: &[u8], dialect: Dialect) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inetd.conf");
    std::fs::write(&path, text).unwrap();
    let u = load_inetd(
        &[path],
        &InetdOptions {
            dialect,
            services_file: services_fixture(),
        },
    );
    let lines = text.split(|b| *b == b'\n').count() as u32;
    for d in &u.diagnostics {
        prop_assert!(d.line <= lines, "{d}");
    }
    for s in &u.sockets {
        prop_assert!(!s.listen.is_empty());
        prop_assert!(render_socket(s).contains("[Socket]"));
    }
    for s in &u.services {
        prop_assert!(render_service(s).contains("ExecStart="));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(text in prop::collection::vec(any::<u8>(), 0..400), d in 0usize..4) {
        check(&text, DIALECTS[d])?;
    }

    #[test]
    fn random_printable_lines_never_panic(lines in prop::collection::vec("[ -~\t]{0,60}", 0..12), d in 0usize..4) {
        check(lines.join("\n").as_bytes(), DIALECTS[d])?;
    }

    #[test]
    fn plausible_entries_never_panic(
        lines in prop::collection::vec((entry_line(), prop::sample::select(vec!["", "\t", "#", " "])), 1..8),
        d in 0usize..4,
    ) {
        let text: Vec<String> = lines.into_iter().map(|(l, p)| format!("{p}{l}")).collect();
        check(text.join("\n").as_bytes(), DIALECTS[d])?;
    }
}

/// `%%` → `%`, the only specifier the renderer writes.
fn unescape_percent(
    w: &str,
) -> Result<std::borrow::Cow<'_, str>, activator::unit::values::ValueError> {
    Ok(w.replace("%%", "%").into())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// `ExecStart=` text from `render_exec_command` parses back (with systemd's word
    /// rules) into the same command.
    #[test]
    fn exec_quoting_round_trips(
        path in "(/[a-z][a-z.]{0,5}){1,3}",
        argv0 in "[ -~]{1,8}",
        args in prop::collection::vec("([ -~\t\n\x01\x7f]|é|😀){0,10}", 0..6),
        ignore_failure in any::<bool>(),
        no_env_expand in any::<bool>(),
        privileges in 0u8..3,
        same_argv0 in any::<bool>(),
    ) {
        let mut argv = vec![if same_argv0 { path.clone() } else { argv0 }];
        argv.extend(args);
        let cmd = activator::unit::model::ExecCommand {
            path,
            argv,
            ignore_failure,
            no_env_expand,
            full_privileges: privileges == 1,
            no_setuid: privileges == 2,
            ..Default::default()
        };
        let text = activator::unit::render::render_exec_command(&cmd);
        let parsed = activator::unit::exec::parse_exec_line_expand(&text, &unescape_percent)
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed.commands.len(), 1, "{}", text);
        prop_assert_eq!(&parsed.commands[0], &cmd, "{}", text);
    }
}
