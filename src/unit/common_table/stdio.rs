//! `StandardInput=`, `StandardOutput=` and `StandardError=`, systemd.exec(5) "LOGGING
//! AND STANDARD INPUT/OUTPUT": the fixed kinds (`null`, `tty`, `socket`, `journal`…),
//! `fd:NAME` file descriptor names and `file:`/`append:`/`truncate:` paths, as
//! config_parse_exec_input/config_parse_exec_output read them.

use std::path::PathBuf;

use crate::unit::model::{ExecContext, StdInput, StdOutput};
use crate::unit::table::{valid_fd_name, warn, Ctx, ParseResult, Reject};

/// config_parse_exec_input.
pub(super) fn standard_input(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    e.standard_input = if let Some(name) = v.strip_prefix("fd:") {
        fd_name(ctx, v, name)?;
        StdInput::Fd(if name.is_empty() {
            "stdin".into()
        } else {
            name.into()
        })
    } else if let Some(path) = v.strip_prefix("file:") {
        StdInput::File(stdio_path(ctx, "StandardInput", path)?)
    } else {
        match v {
            "null" => StdInput::Null,
            "tty" | "tty-force" | "tty-fail" => StdInput::Tty,
            "socket" => StdInput::Socket,
            "data" => StdInput::Data(Vec::new()),
            _ => {
                return Err(warn(format!(
                    "Failed to parse input specifier, ignoring: {v}"
                )))
            }
        }
    };
    Ok(())
}

/// config_parse_exec_output.
pub(super) fn standard_output(field: &mut StdOutput, ctx: &mut Ctx, v: &str) -> ParseResult {
    let key = ctx.key.to_string();
    *field = if let Some(name) = v.strip_prefix("fd:") {
        fd_name(ctx, v, name)?;
        StdOutput::Fd(if name.is_empty() {
            "stdout".into()
        } else {
            name.into()
        })
    } else if let Some(p) = v.strip_prefix("file:") {
        StdOutput::File(stdio_path(ctx, &key, p)?)
    } else if let Some(p) = v.strip_prefix("append:") {
        StdOutput::Append(stdio_path(ctx, &key, p)?)
    } else if let Some(p) = v.strip_prefix("truncate:") {
        StdOutput::Truncate(stdio_path(ctx, &key, p)?)
    } else {
        match v {
            "inherit" => StdOutput::Inherit,
            "null" => StdOutput::Null,
            "tty" => StdOutput::Tty,
            "journal" => StdOutput::Journal,
            "kmsg" => StdOutput::Kmsg,
            "journal+console" | "kmsg+console" => StdOutput::JournalConsole,
            "socket" => StdOutput::Socket,
            "syslog" | "syslog+console" => {
                ctx.warn(format!(
                    "Standard output type {v} is obsolete, automatically updating to journal. \
                     Please update your unit file, and consider removing the setting altogether."
                ));
                if v == "syslog" {
                    StdOutput::Journal
                } else {
                    StdOutput::JournalConsole
                }
            }
            _ => {
                return Err(warn(format!(
                    "Failed to parse output specifier, ignoring: {v}"
                )))
            }
        }
    };
    Ok(())
}

fn fd_name(ctx: &mut Ctx, v: &str, name: &str) -> ParseResult {
    let _ = ctx;
    if valid_fd_name(name) {
        Ok(())
    } else {
        Err(warn(format!(
            "Invalid file descriptor name, ignoring: {}",
            &v[3..]
        )))
    }
}

/// `file:`/`append:`/`truncate:` paths: expanded, must be absolute (systemd warns
/// without "ignoring" but does not use the value).
fn stdio_path(ctx: &mut Ctx, key: &str, p: &str) -> Result<PathBuf, Reject> {
    let p = ctx.expand(p).map_err(|r| {
        warn(format!(
            "Failed to resolve unit specifiers in {p}, ignoring: {r}"
        ))
    })?;
    if !p.starts_with('/') {
        return Err(warn(format!("{key}= path is not absolute: {p}")));
    }
    Ok(PathBuf::from(p))
}
