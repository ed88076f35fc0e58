//! `activatord verify`: load units like `systemd-analyze verify` and print diagnostics.
