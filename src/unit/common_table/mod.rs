//! The tables every unit type shares: `[Unit]`, `[Install]`, systemd.exec(5) and
//! systemd.kill(5) settings, and the long list of directives activator accepts without
//! implementing them (sandboxing, cgroups, some conditions).
//!
//! systemd includes these in each type's gperf table through the
//! `EXEC_CONTEXT_CONFIG_ITEMS`/`KILL_CONTEXT_CONFIG_ITEMS` macros; here they are tables of
//! their own over the sub-structs (`UnitSection`, `ExecContext`…) the unit types embed.
//!
//! - `unit`: `[Unit]` (`UNIT_TABLE`, dependency lists through `deps`) and `[Install]`
//!   (`INSTALL_TABLE`).
//! - `condition`: the `Condition*=`/`Assert*=` kinds activator checks
//!   (`CONDITION_TABLE`, also `[Unit]`).
//! - `exec_context`: the systemd.exec(5) table `EXEC_TABLE` (credentials, directories,
//!   umask, nice, OOM score, `Limit*=`; `socket_user_group` is its `User=`/`Group=`
//!   parser for `SocketUser=`/`SocketGroup=`) and the systemd.kill(5) table `KILL_TABLE`.
//! - `environment`: the `Environment=`, `EnvironmentFile=`, `PassEnvironment=` and
//!   `UnsetEnvironment=` parsers of `EXEC_TABLE`.
//! - `stdio`: the `StandardInput=`/`StandardOutput=`/`StandardError=` parsers of
//!   `EXEC_TABLE`.
//! - `words`: `words` (list values) and `exec_lines` (`Exec*=`), shared with the
//!   per-type tables.
//! - `ignored`: `COMMON_IGNORED`, the accepted-but-not-implemented directives, and
//!   `compat_warning`.

mod condition;
mod environment;
mod exec_context;
mod ignored;
mod stdio;
mod unit;
mod words;

pub(crate) use condition::CONDITION_TABLE;
pub(crate) use exec_context::{socket_user_group, EXEC_TABLE, KILL_TABLE};
pub(crate) use ignored::{compat_warning, COMMON_IGNORED};
pub(crate) use unit::{INSTALL_TABLE, UNIT_TABLE};
pub(crate) use words::{exec_lines, list, words};
