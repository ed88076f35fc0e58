//! Services run inside the daemon: echo, discard, chargen, daytime, time (RFC 862-868).
