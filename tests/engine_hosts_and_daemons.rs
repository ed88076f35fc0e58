//! Real peers: datagrams from three network namespaces ("hosts") into one
//! errlogd, and real daemons from inetd.md §9 served end to end — `git daemon
//! --inetd` (inetd-style, Accept=yes) and `dbus-daemon` with `<listen>systemd:</listen>`
//! (LISTEN_FDS, Accept=no).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

fn have(cmd: &str) -> Option<String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .ok()?;
    let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!p.is_empty()).then_some(p)
}

/// A process holding a new network namespace; killed on drop.
struct NetNs(Child);

impl NetNs {
    fn new() -> Option<NetNs> {
        let c = Command::new("unshare")
            .args(["--net", "sleep", "120"])
            .stdin(Stdio::null())
            .spawn()
            .ok()?;
        // Wait until the child has entered its own namespace.
        let pid = c.id();
        let own = std::fs::read_link("/proc/self/ns/net").ok()?;
        wait_for(Duration::from_secs(5), || {
            let ns = std::fs::read_link(format!("/proc/{pid}/ns/net")).ok()?;
            (ns != own
                && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .ok()?
                    .trim()
                    == "sleep")
                .then_some(())
        })?;
        Some(NetNs(c))
    }

    fn path(&self) -> String {
        format!("/proc/{}/ns/net", self.0.id())
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }

    fn run(&self, cmd: &str) -> bool {
        Command::new("nsenter")
            .arg(format!("--net={}", self.path()))
            .args(["bash", "-c", cmd])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The seed use case: many hosts send to one UDP `wait` logger; every datagram
/// from each of three hosts lands in errlogd's one file.
#[test]
fn datagrams_from_three_hosts_land_in_one_errlogd_file() {
    if !is_root() {
        return skip("needs root for network namespaces");
    }
    if have("nsenter").is_none() || have("ip").is_none() || have("unshare").is_none() {
        return skip("needs nsenter, ip and unshare");
    }
    let units = UnitDir::new();
    let Some(errlogd) = build_errlogd(units.path()) else {
        return skip("no C compiler to build contrib/errlogd");
    };
    let (Some(srv), Some(h1), Some(h2), Some(h3)) =
        (NetNs::new(), NetNs::new(), NetNs::new(), NetNs::new())
    else {
        return skip("cannot create network namespaces");
    };
    // A bridge in the server's namespace, one veth to each host: nothing in the
    // machine's own namespace changes.
    assert!(srv.run("ip link set lo up && ip link add br0 type bridge && ip addr add 10.77.0.1/24 dev br0 && ip link set br0 up"));
    for (i, h) in [&h1, &h2, &h3].iter().enumerate() {
        let n = i + 1;
        assert!(srv.run(&format!(
            "ip link add vs{n} type veth peer name vh{n} netns {} && ip link set vs{n} master br0 && ip link set vs{n} up",
            h.pid()
        )));
        assert!(h.run(&format!(
            "ip link set lo up && ip addr add 10.77.0.1{n}/24 dev vh{n} && ip link set vh{n} up"
        )));
    }
    let log = units.path().join("errlog.log");
    units.write("errlog.socket", "[Socket]\nListenDatagram=10.77.0.1:5140\n");
    units.write(
        "errlog.service",
        &format!(
            "[Service]\nExecStart={} {} 5\nStandardInput=socket\n",
            errlogd.display(),
            log.display()
        ),
    );
    let net = format!("--net={}", srv.path());
    let d = Daemon::start_wrapped(
        &["nsenter", &net],
        &["--unit-path", units.path().to_str().unwrap()],
        &[],
    );
    d.wait_started();
    for (i, h) in [&h1, &h2, &h3].iter().enumerate() {
        for k in 0..20 {
            assert!(h.run(&format!(
                "printf 'host{} line {k}' > /dev/udp/10.77.0.1/5140",
                i + 1
            )));
        }
    }
    let text = wait_for(Duration::from_secs(10), || {
        let t = std::fs::read_to_string(&log).ok()?;
        (t.lines().count() >= 60).then_some(t)
    })
    .unwrap_or_else(|| {
        panic!(
            "log incomplete: {:?}\n{}",
            std::fs::read_to_string(&log),
            d.log_text()
        )
    });
    for n in 1..=3 {
        for k in 0..20 {
            assert!(
                text.contains(&format!("10.77.0.1{n} host{n} line {k}\n")),
                "host {n} line {k} missing:\n{text}"
            );
        }
    }
    assert_eq!(d.stop(), Some(0));
}

/// inetd-mode daemon: `git daemon --inetd` per connection, the connection on stdio.
#[test]
fn git_daemon_inetd_mode_serves_ls_remote() {
    let Some(git) = have("git") else {
        return skip("git not installed");
    };
    let units = UnitDir::new();
    let root = units.path().join("gitroot");
    let work = units.path().join("work");
    std::fs::create_dir_all(&root).unwrap();
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "set -e; git init -q -b main {w}; cd {w}; git -c user.email=t@t -c user.name=t commit -q --allow-empty -m one; git clone -q --bare {w} {r}/repo.git",
            w = work.display(),
            r = root.display()
        ))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "could not make a test repository");
    let port = free_port();
    units.write(
        "git.socket",
        &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n"),
    );
    units.write(
        "git@.service",
        &format!(
            "[Service]\nExecStart={git} daemon --inetd --export-all --base-path={r} {r}\nStandardInput=socket\nStandardError=journal\n",
            r = root.display()
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let out = Command::new(&git)
        .args(["ls-remote", &format!("git://127.0.0.1:{port}/repo.git")])
        .output()
        .expect("git ls-remote");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("refs/heads/main"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        d.wait_log("git@0-127.0.0.1:", Duration::from_secs(5)),
        "{}",
        d.log_text()
    );
    assert_eq!(d.stop(), Some(0));
}

/// LISTEN_FDS daemon: dbus-daemon takes its listening socket from activatord
/// (`<listen>systemd:</listen>`) on the first connection and answers a real client.
#[test]
fn dbus_daemon_takes_listen_fds_and_answers() {
    let (Some(dbus), Some(send)) = (have("dbus-daemon"), have("dbus-send")) else {
        return skip("dbus-daemon/dbus-send not installed");
    };
    let units = UnitDir::new();
    let sock = units.path().join("bus");
    let conf = units.path().join("bus.conf");
    std::fs::write(
        &conf,
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig><type>session</type><listen>systemd:</listen><auth>EXTERNAL</auth><policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
    )
    .unwrap();
    units.write(
        "bus.socket",
        &format!("[Socket]\nListenStream={}\n", sock.display()),
    );
    units.write(
        "bus.service",
        &format!(
            "[Service]\nExecStart={dbus} --config-file={} --nofork --nopidfile\n",
            conf.display()
        ),
    );
    let d = Daemon::start(&["--unit-path", units.path().to_str().unwrap()]);
    d.wait_started();
    let out = Command::new(&send)
        .arg(format!("--bus=unix:path={}", sock.display()))
        .args([
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ])
        .output()
        .expect("dbus-send");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("org.freedesktop.DBus"),
        "{text}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        d.log_text()
    );
    // The server may answer before the daemon, resumed after the exec, logs the spawn.
    assert!(
        d.wait_log("bus.service: started as pid", Duration::from_secs(5)),
        "{}",
        d.log_text()
    );
    assert_eq!(d.stop(), Some(0));
}
