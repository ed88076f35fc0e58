//! The README's run command works: the shipped example units in `units/`, started
//! with a relative `--unit-path units`, serve on their unprivileged ports; and every
//! configuration the project ships passes `activatord verify`.

mod common;

use std::net::UdpSocket;
use std::process::Command;
use std::time::Duration;

use common::*;

/// contrib/errlogd/errlogd, which units/errlog.service runs (not committed: built here),
/// built once per run: the tests here run in parallel, and two makes building it at
/// once let one test see the binary while the linker is still writing it (not yet
/// executable, which `verify` then reports).
fn build_errlogd(root: &str) -> bool {
    static BUILT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *BUILT.get_or_init(|| {
        Command::new("make")
            .args(["-s", "-C", "contrib/errlogd"])
            .current_dir(root)
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    })
}

#[test]
fn shipped_example_units_serve() {
    let root = env!("CARGO_MANIFEST_DIR");
    if !build_errlogd(root) {
        return skip("make/cc not available to build contrib/errlogd");
    }
    if [7007u16, 7008, 7009]
        .iter()
        .any(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_err())
    {
        return skip("example ports 7007-7009 are in use (is the example daemon running?)");
    }
    // %T in errlog.service: keep the log out of the real /tmp.
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().to_str().unwrap().to_string();
    std::env::set_current_dir(root).unwrap();
    let d = Daemon::start_with_env(&["--unit-path", "units"], &[("TMPDIR", &tmpdir)]);
    d.wait_started();
    assert!(
        d.log_text()
            .contains("Started: 4 of 4 socket units listening"),
        "{}",
        d.log_text()
    );
    assert_eq!(exchange(7007, b"hi\n"), b"hi\n");
    let hello = String::from_utf8(exchange(7008, b"world\n")).unwrap();
    assert!(
        hello.contains("this is hello@0-127.0.0.1:7008-") && hello.contains("you said: world"),
        "{hello}"
    );
    let greeter = String::from_utf8(exchange(7009, b"")).unwrap();
    assert!(greeter.contains("LISTEN_FDNAMES=greeter"), "{greeter}");
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .send_to(b"disk full", "127.0.0.1:5140")
        .unwrap();
    let log = tmp.path().join("activator-errlog.log");
    let text = wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(&log)
            .ok()
            .filter(|t| t.contains("disk full"))
    });
    assert!(text.is_some(), "errlogd did not log: {}", d.log_text());
    assert_eq!(d.stop(), Some(0));
}

/// Every unit and inetd.conf the project ships verifies with no diagnostic at all,
/// named the way a user types them from the repository root (relative paths), so
/// that `%Y`, the commands' executability and the sockets' services are all checked.
/// Regression: `verify --unit-path units` once expanded `%Y` against the relative
/// search path and refused units/errlog.service ("Neither a valid executable name
/// nor an absolute path"), while the daemon, which makes its paths absolute, ran it.
#[test]
fn shipped_configurations_verify_cleanly() {
    let root = env!("CARGO_MANIFEST_DIR");
    if !build_errlogd(root) {
        return skip("make/cc not available to build contrib/errlogd");
    }
    let unit_files = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(std::path::Path::new(root).join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".socket") || n.ends_with(".service"))
            .collect();
        v.sort();
        v
    };
    let mut runs: Vec<Vec<String>> = Vec::new();
    for dir in ["units", "contrib/container/units"] {
        let names = unit_files(dir);
        assert!(!names.is_empty(), "{dir} has no units");
        // By name on a relative search path, and as relative file paths.
        let mut by_name = vec!["--unit-path".to_string(), dir.to_string()];
        by_name.extend(names.iter().cloned());
        runs.push(by_name);
        runs.push(names.iter().map(|n| format!("{dir}/{n}")).collect());
    }
    for conf in ["contrib/inetd.conf", "contrib/errlogd/inetd.conf"] {
        runs.push(vec!["--inetd-conf".to_string(), conf.to_string()]);
    }
    for args in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_activatord"))
            .arg("verify")
            .args(&args)
            .current_dir(root)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && text.is_empty(),
            "activatord verify {}: {:?}\n{text}",
            args.join(" "),
            out.status
        );
    }
}
