//! The `[Unit]` and `[Install]` sections, systemd.unit(5): description and
//! documentation, start rate limit, garbage collection, the dependency lists
//! (`Requires=`, `Wants=`, `After=`…, parsed by `deps`), and the `[Install]` lists that
//! only matter on enable. Every unit type shares them, whatever its own table holds;
//! in systemd they are the `Unit.*` and `Install.*` lines of
//! src/core/load-fragment-gperf.gperf.in.

use std::borrow::Cow;

use super::words::{list, words};
use crate::unit::exec::Flags;
use crate::unit::model::{CollectMode, InstallSection, UnitSection};
use crate::unit::table::{
    bool_value, sec_value, u32_value, warn, Ctx, Entry, Expand, ParseResult, Sec,
};

use Expand::{No as XN, Quoted as XQ};
use Sec::{Install as I, Unit as U};

// ---------------------------------------------------------------- [Unit]

#[rustfmt::skip]
pub(crate) static UNIT_TABLE: &[Entry<UnitSection>] = &[
    Entry::new(U, "Description", XQ, description, "Human-readable name shown by status"),
    Entry::new(U, "Documentation", XN, documentation, "Documentation URLs (http, https, file, info, man)"),
    Entry::new(U, "DefaultDependencies", XN, default_dependencies, "Implicit sysinit/sockets/shutdown.target dependencies"),
    Entry::new(U, "StartLimitIntervalSec", XN, start_limit_interval, "Start rate-limit window (default 10s)"),
    Entry::new(U, "StartLimitInterval", XN, start_limit_interval, "Old name of StartLimitIntervalSec="),
    Entry::new(U, "StartLimitBurst", XN, start_limit_burst, "Starts allowed per window (default 5)"),
    Entry::new(U, "CollectMode", XN, collect_mode, "inactive | inactive-or-failed garbage collection"),
    Entry::new(U, "Requires", XN, |u, c, v| deps(&mut u.deps.requires, c, v), "Start together; stop when it stops"),
    Entry::new(U, "Wants", XN, |u, c, v| deps(&mut u.deps.wants, c, v), "Start together (weak)"),
    Entry::new(U, "BindsTo", XN, |u, c, v| deps(&mut u.deps.binds_to, c, v), "Like Requires=, also stop when it goes inactive"),
    Entry::new(U, "BindTo", XN, |u, c, v| deps(&mut u.deps.binds_to, c, v), "Old name of BindsTo="),
    Entry::new(U, "RequiresOverridable", XN, requires_overridable, "Obsolete; treated as Requires="),
    Entry::new(U, "PartOf", XN, |u, c, v| deps(&mut u.deps.part_of, c, v), "Stop/restart with the listed units"),
    Entry::new(U, "After", XN, |u, c, v| deps(&mut u.deps.after, c, v), "Start after the listed units"),
    Entry::new(U, "Before", XN, |u, c, v| deps(&mut u.deps.before, c, v), "Start before the listed units"),
    Entry::new(U, "Conflicts", XN, |u, c, v| deps(&mut u.deps.conflicts, c, v), "Never run together with the listed units"),
    Entry {
        section: U,
        key: "SuccessAction",
        parse: success_action,
        support: crate::unit::table::Support::Ignored,
        summary: "Action when the unit succeeds (only its effect on validation is honoured)",
        expand: XN,
    },
];

fn description(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.description = (!v.is_empty()).then(|| v.into());
    Ok(())
}

/// config_parse_documentation: a list of URLs; unknown schemes are dropped with a warning.
fn documentation(u: &mut UnitSection, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        u.documentation.clear();
        return Ok(());
    }
    for word in words(v, list::STRV) {
        let Ok(word) = word else {
            // config_parse_unit_strv_printf
            ctx.warn(format!("Invalid syntax, ignoring: {v}"));
            break;
        };
        let url = match ctx.expand(&word) {
            Ok(x) => x,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {r}"
                ));
                continue;
            }
        };
        let valid = ["http://", "https://", "file:/", "info:", "man:"]
            .iter()
            .any(|p| url.starts_with(p) && url.len() > p.len())
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            u.documentation.push(url);
        } else {
            ctx.warn(format!("Invalid URL, ignoring: {url}"));
        }
    }
    Ok(())
}

fn default_dependencies(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.default_dependencies = bool_value(v)?;
    Ok(())
}

fn start_limit_interval(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.start_limit.interval = sec_value(v)?;
    Ok(())
}

fn start_limit_burst(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.start_limit.burst = u32_value(v)?;
    Ok(())
}

fn collect_mode(u: &mut UnitSection, _: &mut Ctx, v: &str) -> ParseResult {
    u.collect_mode = match v {
        "inactive" => CollectMode::Inactive,
        "inactive-or-failed" => CollectMode::InactiveOrFailed,
        _ => {
            return Err(warn(format!(
                "Failed to parse garbage collection mode, ignoring: {v}"
            )))
        }
    };
    Ok(())
}

/// config_parse_unit_deps: words, each specifier-expanded and checked to be a unit name.
/// Dependencies cannot be reset; an empty value adds nothing.
pub(crate) fn deps(list: &mut Vec<String>, ctx: &mut Ctx, v: &str) -> ParseResult {
    // With EXTRACT_RETAIN_ESCAPE alone no word can be bad.
    for word in words(v, list::DEPENDENCIES).flatten() {
        let has_specifiers = word.contains('%');
        let name = match ctx.expand_cow(&word) {
            Ok(Cow::Owned(x)) => Cow::Owned(x),
            Ok(Cow::Borrowed(_)) => word,
            Err(r) => {
                ctx.warn(format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {r}"
                ));
                continue;
            }
        };
        // In a template, a name built from %i is only known once instantiated.
        if ctx.valid_dependency(&name) || (ctx.template && has_specifiers) {
            if !list.iter().any(|n| *n == name) {
                list.push(name.into_owned());
            }
        } else {
            ctx.warn(format!(
                "Failed to add dependency on {name}, ignoring: Invalid argument"
            ));
        }
    }
    Ok(())
}

fn requires_overridable(u: &mut UnitSection, ctx: &mut Ctx, v: &str) -> ParseResult {
    ctx.warn(
        "Unit dependency type RequiresOverridable= is obsolete, replacing by Requires=, \
         please update your unit file",
    );
    deps(&mut u.deps.requires, ctx, v)
}

fn success_action(_: &mut UnitSection, ctx: &mut Ctx, v: &str) -> ParseResult {
    ctx.state.success_action = !v.is_empty() && v != "none";
    ctx.warn(crate::unit::table::not_implemented(ctx.key));
    Ok(())
}

// ---------------------------------------------------------------- [Install]

#[rustfmt::skip]
pub(crate) static INSTALL_TABLE: &[Entry<InstallSection>] = &[
    Entry::new(I, "WantedBy", XN, |i, c, v| install_list(&mut i.wanted_by, c, v, list::STRV), "Add Wants= from these units on enable"),
    Entry::new(I, "RequiredBy", XN, |i, c, v| install_list(&mut i.required_by, c, v, list::STRV), "Add Requires= from these units on enable"),
    Entry::new(I, "Alias", XN, |i, c, v| install_list(&mut i.alias, c, v, list::STRV), "Extra names created on enable"),
    Entry::new(I, "Also", XN, |i, c, v| install_list(&mut i.also, c, v, list::BARE), "Units enabled together with this one"),
];

/// [Install] lists are only interpreted on enable (specifiers included); keep the words.
/// install.c splits them as config_parse_strv does (`list::STRV`), `Also=` as
/// config_parse_also (`list::BARE`).
fn install_list(list: &mut Vec<String>, ctx: &mut Ctx, v: &str, flags: Flags) -> ParseResult {
    if v.is_empty() {
        list.clear();
        return Ok(());
    }
    for word in words(v, flags) {
        let Ok(word) = word else {
            ctx.warn(format!("Invalid syntax, ignoring: {v}"));
            break;
        };
        list.push(word.into_owned());
    }
    Ok(())
}
