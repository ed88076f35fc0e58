//! Services run inside the daemon: echo, discard, chargen, daytime, time (RFC 862-868).
//!
//! Byte for byte what BSD inetd sends (inetd.md §2.2): `content` builds the
//! bytes, `stream` is a per-connection state machine the engine drives from its
//! event loop (it never blocks and keeps its buffers bounded), `datagram` turns
//! one request into at most one reply, with the loop/amplification protections
//! of inetd.md §2.3.

pub mod content;
pub mod datagram;
pub mod stream;

pub use datagram::{datagram_reply, refuse_source};
pub use stream::{Progress, StreamBuiltin};
