//! Syscalls: sockets, fork/exec with fd layout, signals, users. The only place with `unsafe`.
//!
//! Everything that talks to the kernel directly lives here behind small, typed
//! functions, so the engine and the builtins stay safe code. Each `unsafe` block
//! carries a `// SAFETY:` line; code that runs in the child before `execve`
//! (spawn.rs: a CLONE_VM|CLONE_VFORK child sharing our memory, or a forked one)
//! is restricted to raw syscalls on pre-allocated memory.
#![allow(unsafe_code)]

pub mod addr_text;
pub mod cpu;
pub mod fds;
pub mod notify;
pub mod signals;
pub mod socket;
pub mod sockopt;
pub mod spawn;
pub mod time;
pub mod user;

pub use nix::errno::Errno;

/// An error from the syscall layer. `Os` carries the failing operation, what it was
/// applied to (an address, a path) and the errno.
#[derive(Debug, thiserror::Error)]
pub enum SysError {
    #[error("failed to {op} {target}: {errno}")]
    Os {
        op: &'static str,
        target: String,
        errno: Errno,
    },
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("unknown group {0}")]
    UnknownGroup(String),
    #[error("{0} is not supported")]
    Unsupported(String),
}

impl SysError {
    pub(crate) fn os(op: &'static str, target: impl Into<String>, errno: Errno) -> SysError {
        SysError::Os {
            op,
            target: target.into(),
            errno,
        }
    }

    /// The kernel error behind this failure, if there is one.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            SysError::Os { errno, .. } => Some(*errno),
            _ => None,
        }
    }
}
