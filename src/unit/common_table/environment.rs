//! `Environment=`, `EnvironmentFile=`, `PassEnvironment=` and `UnsetEnvironment=`, the
//! systemd.exec(5) settings that build a process's environment (config_parse_environ
//! and friends in systemd's src/core/load-fragment.c). Here the values are only
//! checked and stored in `ExecContext`; the files are read and the variables resolved
//! when a process is spawned.

use std::path::PathBuf;

use super::words::{list, words};
use crate::unit::exec::{env_name_is_valid, split_words};
use crate::unit::model::{EnvironmentFile, ExecContext};
use crate::unit::table::{warn, Ctx, ParseResult};

/// config_parse_environ: quoted `VAR=value` words; words before a syntax error are kept.
pub(super) fn environment(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.environment.clear();
        return Ok(());
    }
    let (list, syntax_error) = match split_words(v) {
        Ok((list, _)) => (list, false),
        Err(_) => (words_before_syntax_error(v), true),
    };
    for word in list {
        let word = match ctx.expand(&word) {
            Ok(w) => w,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve specifiers in {word}, ignoring: {r}"
                ));
                continue;
            }
        };
        match word.split_once('=') {
            Some((name, value)) if env_name_is_valid(name) => {
                // Later assignments of the same name replace earlier ones (strv_env_replace).
                e.environment.retain(|(n, _)| n != name);
                e.environment.push((name.to_string(), value.to_string()));
            }
            _ => ctx.warn(format!("Invalid environment assignment, ignoring: {word}")),
        }
    }
    if syntax_error {
        return Err(warn(format!("Invalid syntax, ignoring: {v}")));
    }
    Ok(())
}

/// The words systemd extracted before hitting a quoting error: it applies them one by
/// one, so `Environment=A=1 "B=2` still sets A. They are the words of the longest
/// prefix, cut at whitespace, that splits cleanly.
fn words_before_syntax_error(v: &str) -> Vec<String> {
    v.char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .rev()
        .find_map(|i| split_words(&v[..i]).ok())
        .map(|(w, _)| w)
        .unwrap_or_default()
}

pub(super) fn environment_file(e: &mut ExecContext, _: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.environment_files.clear();
        return Ok(());
    }
    let (optional, rest) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v),
    };
    // Globs are expanded when the file is read, so only the absolute check applies here.
    if !rest.starts_with('/') {
        return Err(warn(format!(
            "EnvironmentFile= path is not absolute, ignoring: {rest}"
        )));
    }
    e.environment_files.push(EnvironmentFile {
        path: PathBuf::from(rest),
        optional,
    });
    Ok(())
}

pub(super) fn pass_environment(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.pass_environment.clear();
        return Ok(());
    }
    for word in words(v, list::UNQUOTE) {
        let Ok(word) = word else {
            // config_parse_pass_environ
            ctx.warn(format!(
                "Trailing garbage in PassEnvironment, ignoring: {v}"
            ));
            break;
        };
        let name = match ctx.expand(&word) {
            Ok(w) => w,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve specifiers in {word}, ignoring: {r}"
                ));
                continue;
            }
        };
        if !env_name_is_valid(&name) {
            ctx.warn(format!(
                "Invalid environment name for PassEnvironment, ignoring: {name}"
            ));
        } else if !e.pass_environment.contains(&name) {
            e.pass_environment.push(name);
        }
    }
    Ok(())
}

pub(super) fn unset_environment(e: &mut ExecContext, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        e.unset_environment.clear();
        return Ok(());
    }
    for word in words(v, list::UNQUOTE_CUNESCAPE) {
        let Ok(word) = word else {
            // config_parse_unset_environ
            ctx.warn(format!(
                "Trailing garbage in UnsetEnvironment, ignoring: {v}"
            ));
            break;
        };
        let item = match ctx.expand(&word) {
            Ok(w) => w,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve specifiers in {word}, ignoring: {r}"
                ));
                continue;
            }
        };
        let name = item.split_once('=').map_or(item.as_str(), |(n, _)| n);
        if !env_name_is_valid(name) {
            ctx.warn(format!(
                "Invalid environment name or assignment UnsetEnvironment, ignoring: {item}"
            ));
        } else if !e.unset_environment.contains(&item) {
            e.unset_environment.push(item);
        }
    }
    Ok(())
}
