//! The D-Bus control plane.
