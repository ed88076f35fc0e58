//! Syscalls: sockets, fork/exec with fd layout, signals, users. The only place with `unsafe`.
