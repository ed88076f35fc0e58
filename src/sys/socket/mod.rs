//! Listening fds: create and bind them, adopt inherited ones, and compare them.
//!
//! `open_listen` does for one `Listen*=` entry what systemd's socket.c
//! (`socket_open_fds`) and socket-util.c (`socket_address_listen`) do: create the
//! fd CLOEXEC|NONBLOCK, set the pre-bind options, create parent directories,
//! bind (a unix node gets exactly `SocketMode=`; a stale node is unlinked and the
//! bind retried), listen, chown the node, then apply the remaining options.
//! `take_listen_fds` is the client side of the protocol (sd_listen_fds_with_names),
//! used when activator is itself socket-activated.
//!
//! Three ideas, one file each; this file keeps the dispatch on the kind of
//! `Listen*=` entry that the opening and the adopting sides share:
//! - `addr`: socket addresses, kernel form and decoded (getsockname/getpeername,
//!   accept4), and the `REMOTE_ADDR`/`REMOTE_PORT` a connection's service gets;
//! - `open`: creating one listening fd (socket, FIFO, special file, netlink), its
//!   filesystem node and `Symlinks=`, and the options of accepted connections;
//! - `adopt`: taking the fds activator inherits when it is itself
//!   socket-activated, and checking that one is what a `Listen*=` entry would create.

mod addr;
mod adopt;
mod open;

pub use addr::{
    accept_connection, accept_with_peer, local_address, peer_address, push_remote_env, remote_env,
    SockName,
};
pub use adopt::{listen_matches, take_listen_fds};
pub use open::{
    apply_connection_options, create_symlinks, netlink_family, remove_node, remove_symlinks,
};

use std::os::fd::OwnedFd;

use super::SysError;
use crate::unit::model::{Listen, SocketAddress, SocketOptions};
use open::{open_fifo, open_netlink, open_socket, open_special};

/// The address as text for error messages (`[::]:80`, `/run/x.sock`, `@name`).
fn describe(listen: &Listen) -> String {
    match listen {
        Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => match a {
            SocketAddress::Ip {
                addr, port_only, ..
            } => {
                if *port_only {
                    format!("[::]:{}", addr.port())
                } else {
                    addr.to_string()
                }
            }
            SocketAddress::Unix(p) => p.display().to_string(),
            SocketAddress::Abstract(n) => format!("@{n}"),
            SocketAddress::Vsock { cid, port } => match cid {
                Some(c) => format!("vsock:{c}:{port}"),
                None => format!("vsock::{port}"),
            },
        },
        Listen::Fifo(p) | Listen::Special(p) | Listen::UsbFunction(p) => p.display().to_string(),
        Listen::Netlink(n) => format!("{} {}", n.family, n.group),
        Listen::MessageQueue(q) => q.clone(),
    }
}

fn socket_type(listen: &Listen) -> Option<libc::c_int> {
    match listen {
        Listen::Stream(_) => Some(libc::SOCK_STREAM),
        Listen::Datagram(_) => Some(libc::SOCK_DGRAM),
        Listen::SequentialPacket(_) => Some(libc::SOCK_SEQPACKET),
        _ => None,
    }
}

/// Create the fd for one `Listen*=` entry (systemd.socket(5)), CLOEXEC|NONBLOCK.
/// Option failures are logged and ignored; creation and bind failures are errors.
pub fn open_listen(listen: &Listen, opts: &SocketOptions) -> Result<OwnedFd, SysError> {
    match listen {
        Listen::Stream(a) | Listen::Datagram(a) | Listen::SequentialPacket(a) => {
            let ty = socket_type(listen).unwrap_or(libc::SOCK_STREAM);
            open_socket(listen, a, ty, opts)
        }
        Listen::Fifo(p) => open_fifo(p, opts),
        Listen::Special(p) => open_special(p, opts),
        Listen::Netlink(n) => open_netlink(n, opts),
        Listen::MessageQueue(_) | Listen::UsbFunction(_) => Err(SysError::Unsupported(format!(
            "{}={}",
            listen.directive(),
            describe(listen)
        ))),
    }
}
