//! activator: a systemd-compatible socket activator and super-server.
//!
//! The story of a connection: configuration (`unit` files or `inetd` conf) is parsed
//! into one typed model (`unit::model`); the `engine` binds every `Listen*` socket
//! through `sys`, waits on them in one event loop, and when traffic arrives either
//! answers it with a `builtin` or spawns the configured server (inetd-style on
//! stdio, or systemd-style with `LISTEN_FDS`) through `sys::spawn`.

pub mod diag;
pub mod unit;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub mod builtin;
pub mod bus;
pub mod ctl;
pub mod daemon;
pub mod daemon_cli;
pub mod engine;
pub mod inetd;
pub mod logging;
pub mod supervisor;
pub mod sys;
pub mod verify;
