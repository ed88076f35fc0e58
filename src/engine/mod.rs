//! The event loop and the socket/service state machines.
