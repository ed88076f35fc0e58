//! `activatorctl`: systemctl's habits for activatord. The client (client.rs)
//! speaks D-Bus to the daemon; everything printed is produced by pure
//! functions of `UnitStatus` values (status.rs, tables.rs, show.rs) so the
//! output can be snapshot-tested against what systemctl prints.

pub mod cli;
pub mod client;
mod commands;
pub mod contrib;
pub mod show;
pub mod status;
pub mod style;
pub mod tables;
pub mod time;

use clap::Parser;

/// Parse the command line, run, and return the exit code.
pub fn main() -> i32 {
    let cli = cli::Cli::parse();
    commands::run(cli)
}
