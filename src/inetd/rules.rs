//! The rules that turn one entry's fields into unit settings without looking anything
//! up: which entries are refused (RPC, TCPMUX, a socket type the protocol does not
//! take), `Accept=` from `wait`/`nowait`, `ExecStart=` from the server path and
//! arguments, and the service unit the socket activates (inetd.md §1, systemd.md
//! §10). Apart from `Mapper`, which does the lookups (users, services(5), hosts) and
//! calls these in order for each entry.

use super::dialect::Dialect;
use super::entry::{Entry, Server, ServiceSpec, SocketType};
use crate::unit::exec::path_simplify;
use crate::unit::model::{Builtin, ExecCommand, ServiceUnit, SocketUnit};

/// OpenBSD inetd keeps at most 20 arguments (MAXARGV) and drops the rest silently;
/// FreeBSD refuses the entry. We keep them all and warn.
const MAX_ARGS: usize = 20;

/// RPC and TCPMUX entries have no socket of their own to give the engine.
pub(super) fn reject_unsupported(e: &Entry) -> Result<(), String> {
    match &e.service {
        ServiceSpec::Rpc { name } => Err(format!(
            "RPC service '{name}' ({}) is not supported (no portmapper registration)",
            e.protocol.word
        )),
        ServiceSpec::Tcpmux { name, plus } => Err(format!(
            "TCPMUX service 'tcpmux/{}{name}' is not supported (RFC 1078 multiplexing)",
            if *plus { "+" } else { "" }
        )),
        _ => Ok(()),
    }
}

/// `tcp*` needs stream, `udp*` dgram; raw and rdm sockets are not supported.
pub(super) fn check_socket_type(e: &Entry) -> Result<(), String> {
    let t = e.socket_type;
    if matches!(t, SocketType::Raw | SocketType::Rdm) {
        return Err(format!("Socket type '{}' is not supported", t.name()));
    }
    let ok = if e.protocol.is_unix() {
        true
    } else if e.protocol.word.starts_with("tcp") {
        t == SocketType::Stream
    } else {
        t == SocketType::Dgram
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Socket type '{}' does not match protocol '{}'",
            t.name(),
            e.protocol.word
        ))
    }
}

/// `Accept=`: nowait stream = one instance per connection (systemd.md §10); builtins
/// run in their natural mode; dgram nowait falls back to wait.
pub(super) fn activation(e: &Entry, builtin: Option<Builtin>, warnings: &mut Vec<String>) -> bool {
    let stream = e.socket_type != SocketType::Dgram;
    let accept = if let Some(b) = builtin {
        // OpenBSD/inetutils copy the builtin's own wait flag (inetd.md §3.1).
        if e.wait.wait == stream {
            warnings.push(format!(
                "Internal service '{}' runs as {} {}; '{}' ignored.",
                b.name(),
                e.socket_type.name(),
                if stream { "nowait" } else { "wait" },
                if e.wait.wait { "wait" } else { "nowait" }
            ));
        }
        stream
    } else {
        if !stream && !e.wait.wait {
            // busybox implements dgram nowait by connecting the socket to the sender;
            // systemd refuses Accept=yes on datagram sockets.
            warnings.push(
                "'dgram nowait' is not supported; treated as 'wait' (Accept=no).".to_string(),
            );
        }
        stream && !e.wait.wait
    };
    if let Some(n) = e.wait.max_child.filter(|n| *n > 1) {
        if e.wait.wait {
            warnings.push(format!(
                "'wait/{n}' (several wait children) is not supported; one server runs at a time."
            ));
        }
    }
    if let Some(n) = e.wait.per_ip_per_min.filter(|n| *n > 0) {
        warnings.push(format!(
            "Per-IP connection rate '/{n}' has no equivalent; ignored."
        ));
    }
    accept
}

/// `ExecStart=`: the program with argv as written; argv[0] from the program's
/// basename when the entry has no arguments (inetd.md §1.1).
pub(super) fn exec_command(
    e: &Entry,
    builtin: Option<Builtin>,
    dialect: Dialect,
    warnings: &mut Vec<String>,
) -> Option<ExecCommand> {
    let (Server::Program(p), None) = (&e.server, builtin) else {
        return None;
    };
    if e.args.len() > MAX_ARGS {
        warnings.push(format!(
            "{} arguments given; inetd keeps at most {MAX_ARGS} (OpenBSD drops the rest, FreeBSD refuses), all are passed.",
            e.args.len()
        ));
    }
    let mut argv: Vec<String> = e.args.iter().map(|a| a.to_string()).collect();
    if argv.is_empty() {
        if !dialect.argv0_from_program() {
            warnings.push("No arguments: FreeBSD inetd would pass an empty argv; using the program's basename as argv[0].".to_string());
        }
        argv.push(basename(p).to_string());
    }
    Some(ExecCommand {
        // As the unit loader stores it (`/usr//sbin/./x` is `/usr/sbin/x`).
        path: path_simplify(p),
        // inetd passes arguments literally: no `$VAR` expansion (the `:` prefix).
        no_env_expand: argv.iter().any(|a| a.contains('$')),
        argv,
        ..ExecCommand::default()
    })
}

/// The service a socket activates: the program on the socket. Its settings groups
/// (user, stdin, collect mode) come from `SharedGroups`.
pub(super) fn service_unit(socket: &SocketUnit, cmd: ExecCommand) -> ServiceUnit {
    let mut svc = ServiceUnit::new(socket.service_name());
    svc.source = socket.source.clone();
    svc.unit.description = socket.unit.description.clone();
    svc.exec_start = vec![cmd];
    svc
}

fn basename(p: &str) -> &str {
    p.rsplit('/').find(|s| !s.is_empty()).unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basenames() {
        assert_eq!(basename("/usr/sbin/in.telnetd"), "in.telnetd");
        assert_eq!(basename("cat"), "cat");
        assert_eq!(basename("/x/"), "x");
    }
}
