//! Directive tables: how lexed `Key=Value` assignments become a typed `SocketUnit` or
//! `ServiceUnit`.
//!
//! This is the shape of systemd's `src/core/load-fragment-gperf.gperf.in`: one table per
//! unit type (`socket_table`, `service_table`) plus the shared tables of `common_table`
//! (`[Unit]`, `[Install]`, systemd.exec(5), systemd.kill(5)), each entry naming a section,
//! a key, a value parser writing one field, whether activator honours it and a summary.
//! Unknown keys, the README directive list and parse warnings all come from these tables.
//! Warnings copy `systemd-analyze verify` (252) text so the two can be diffed line by line;
//! the few messages only activator emits are recognised by `is_activator_only`.

use std::borrow::Cow;
use std::path::Path;

use super::lexer::Assignment;
use super::model::{LoadState, ServiceUnit, SocketUnit, Unit, UnitSource};
use super::specifier::{expand_specifiers, SpecifierContext};
use super::values::ValueError;
use super::{common_table, service_table, socket_table, validate};
use crate::diag::{Diagnostic, Diagnostics};

/// The unit types activator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum UnitKind {
    Socket,
    Service,
}

impl UnitKind {
    /// Kind from a unit name's suffix (`foo.socket`, `foo@.service`).
    pub fn from_name(name: &str) -> Option<UnitKind> {
        if name.ends_with(".socket") {
            Some(UnitKind::Socket)
        } else if name.ends_with(".service") {
            Some(UnitKind::Service)
        } else {
            None
        }
    }

    /// The type-specific section name (`Socket`, `Service`).
    pub fn section(self) -> &'static str {
        match self {
            UnitKind::Socket => "Socket",
            UnitKind::Service => "Service",
        }
    }
}

/// Whether activator acts on a directive or only accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Support {
    /// Parsed into the model and honoured.
    Supported,
    /// Accepted with a warning ("not implemented by activator") and otherwise ignored.
    Ignored,
}

/// One row of the directive list (README table, `activator verify --directives`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DirectiveInfo {
    pub section: &'static str,
    pub key: &'static str,
    pub support: Support,
    pub summary: &'static str,
}

/// Sections a unit of this kind may contain (given to the lexer, which warns about others).
pub fn known_sections(kind: UnitKind) -> &'static [&'static str] {
    match kind {
        UnitKind::Socket => &["Unit", "Socket", "Install"],
        UnitKind::Service => &["Unit", "Service", "Install"],
    }
}

/// Which section an entry belongs to. `Type` is the unit type's own section, so the
/// shared exec/kill tables serve both `[Socket]` and `[Service]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sec {
    Unit,
    Install,
    Type,
}

impl Sec {
    fn name(self, kind: UnitKind) -> &'static str {
        match self {
            Sec::Unit => "Unit",
            Sec::Install => "Install",
            Sec::Type => kind.section(),
        }
    }
}

/// How `%` specifiers in the value are resolved before the parser sees it, and what
/// systemd says when that fails (the wording differs per setting type in 252).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expand {
    /// No expansion, or the parser expands word by word itself.
    No,
    /// `Failed to resolve unit specifiers in '%s', ignoring: …` (strings, paths, Listen*=).
    Quoted,
    /// `Failed to resolve unit specifiers in %s, ignoring: …` (unit names).
    Plain,
    /// `Failed to resolve unit specifiers in %s: …` and the unit is not loaded (user names).
    Fatal,
}

/// What a parser does with a value it cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reject {
    /// Warn at the assignment's line; the setting keeps its previous value.
    Warn(String),
    /// Error at the line, then "Unit configuration has fatal error": the unit is bad-setting
    /// and the rest of its file is not read (systemd's config_parse() aborting).
    Fatal(String),
}

pub(crate) type ParseResult = Result<(), Reject>;

/// A value parser: writes the field(s) of `T` a directive controls.
pub(crate) type ParseFn<T> = fn(&mut T, &mut Ctx<'_>, &str) -> ParseResult;

/// One directive of a table.
pub(crate) struct Entry<T: 'static> {
    pub section: Sec,
    pub key: &'static str,
    pub parse: ParseFn<T>,
    pub support: Support,
    pub summary: &'static str,
    pub expand: Expand,
}

impl<T> Entry<T> {
    /// A supported directive.
    pub const fn new(
        section: Sec,
        key: &'static str,
        expand: Expand,
        parse: ParseFn<T>,
        summary: &'static str,
    ) -> Entry<T> {
        Entry {
            section,
            key,
            parse,
            support: Support::Supported,
            summary,
            expand,
        }
    }
}

/// Directives accepted but not implemented; setting them warns once per assignment.
pub(crate) struct Ignored {
    pub section: Sec,
    /// Space-separated directive names.
    pub keys: &'static str,
    pub summary: &'static str,
}

/// Facts gathered while parsing that the validation needs but the model does not keep.
#[derive(Debug, Default, Clone)]
pub(crate) struct BuildState {
    /// `SuccessAction=` set to something other than `none`.
    pub success_action: bool,
    /// `BusName=` set.
    pub bus_name: bool,
    /// `RuntimeMaxSec=` set to a finite value.
    pub runtime_max: bool,
    /// `DeferTrigger=` enabled (refused with Accept=yes).
    pub defer_trigger: bool,
    /// `TriggerLimit*=`/`PollLimit*=` as written; defaults depend on Accept=.
    pub trigger_interval: Option<super::values::Usec>,
    pub trigger_burst: Option<u32>,
    pub poll_interval: Option<super::values::Usec>,
    pub poll_burst: Option<u32>,
}

/// What a parser may consult and report to while handling one assignment.
pub(crate) struct Ctx<'a> {
    pub key: &'a str,
    pub file: &'a Path,
    pub line: u32,
    pub spec: &'a SpecifierContext<'a>,
    pub diags: &'a mut Diagnostics,
    pub state: &'a mut BuildState,
    /// The unit is a template (`foo@.service`). systemd only ever loads instances, so
    /// what depends on the instance (`%i`, `%f`, `bar@%i.service`) is not judged here:
    /// specifier failures keep the raw text and template names are accepted.
    pub template: bool,
}

impl Ctx<'_> {
    /// A warning at this assignment's line that does not reject the value.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning_at(self.file, self.line, message));
    }

    /// Expand `%` specifiers; the error is the reason text systemd appends.
    pub fn expand(&self, s: &str) -> Result<String, String> {
        self.expand_cow(s).map(Cow::into_owned)
    }

    /// `expand`, borrowing `s` when it has nothing to expand.
    pub fn expand_cow<'s>(&self, s: &'s str) -> Result<Cow<'s, str>, String> {
        expand_word(s, self.spec, self.template).map_err(|e| specifier_reason(&e))
    }

    /// A dependency target systemd would accept from this unit.
    pub fn valid_dependency(&self, name: &str) -> bool {
        match super::name::split_unit_name(name) {
            Some(n) => self.template || !n.is_template(),
            None => false,
        }
    }
}

/// Specifier expansion of one word; templates keep words that need an instance.
/// Borrowed when the word stays as it is.
pub(crate) fn expand_word<'s>(
    s: &'s str,
    spec: &SpecifierContext,
    template: bool,
) -> Result<Cow<'s, str>, ValueError> {
    if !s.contains('%') {
        return Ok(Cow::Borrowed(s));
    }
    match expand_specifiers(s, spec) {
        Ok(e) => Ok(Cow::Owned(e)),
        Err(_) if template => Ok(Cow::Borrowed(s)),
        Err(e) => Err(e),
    }
}

/// The errno text systemd prints for a failed specifier expansion (`-EBADSLT` for an
/// unknown specifier, "Invalid slot").
pub(crate) fn specifier_reason(e: &ValueError) -> String {
    match e {
        ValueError::Other(s) => s.clone(),
        _ => "Invalid slot".to_string(),
    }
}

/// A unit type with its own table.
pub(crate) trait UnitTarget: Sized + 'static {
    const KIND: UnitKind;
    /// Entries of the type's own section (and its legacy aliases).
    fn table() -> &'static [Entry<Self>];
    /// Own-section directives accepted but not implemented.
    fn ignored() -> &'static [Ignored];
    /// The parts every shared table writes to, one at a time: each call stores a
    /// `Sparse` group only when a directive is actually written to it.
    fn unit_mut(&mut self) -> &mut super::model::UnitSection;
    fn install_mut(&mut self) -> &mut super::model::InstallSection;
    fn exec_mut(&mut self) -> &mut super::model::ExecContext;
    fn kill_mut(&mut self) -> &mut super::model::KillContext;
    fn name(&self) -> &str;
}

/// The accessors of `UnitTarget` both unit types share (same field names).
macro_rules! shared_parts {
    () => {
        fn unit_mut(&mut self) -> &mut super::model::UnitSection {
            &mut self.unit
        }
        fn install_mut(&mut self) -> &mut super::model::InstallSection {
            &mut self.install
        }
        fn exec_mut(&mut self) -> &mut super::model::ExecContext {
            &mut self.exec
        }
        fn kill_mut(&mut self) -> &mut super::model::KillContext {
            &mut self.kill
        }
        fn name(&self) -> &str {
            &self.name
        }
    };
}

impl UnitTarget for SocketUnit {
    const KIND: UnitKind = UnitKind::Socket;
    fn table() -> &'static [Entry<Self>] {
        socket_table::SOCKET_TABLE
    }
    fn ignored() -> &'static [Ignored] {
        socket_table::SOCKET_IGNORED
    }
    shared_parts!();
}

impl UnitTarget for ServiceUnit {
    const KIND: UnitKind = UnitKind::Service;
    fn table() -> &'static [Entry<Self>] {
        service_table::SERVICE_TABLE
    }
    fn ignored() -> &'static [Ignored] {
        service_table::SERVICE_IGNORED
    }
    shared_parts!();
}

/// The activator-only warning for a directive it accepts but does not implement.
pub(crate) fn not_implemented(key: &str) -> String {
    format!("Support for option {key}= is not implemented by activator, ignoring.")
}

const NOT_IMPLEMENTED_SUFFIX: &str = "is not implemented by activator, ignoring.";
/// Prefix of messages about activator's own `X-Activator-*` extension keys.
pub(crate) const EXTENSION_PREFIX: &str = "X-Activator-";

/// True for diagnostics systemd would not print: directives activator accepts but does
/// not implement, and problems with activator's `X-Activator-*` extensions.
pub fn is_activator_only(d: &Diagnostic) -> bool {
    d.message.ends_with(NOT_IMPLEMENTED_SUFFIX) || d.message.starts_with(EXTENSION_PREFIX)
}

/// Build a unit from its assignments (main fragment then drop-ins, in order). The kind
/// comes from the name's suffix. Never fails: problems are diagnostics, and a unit that
/// systemd would refuse has `load_state == BadSetting`.
pub fn build_unit(
    name: &str,
    assignments: &[Assignment],
    spec: &SpecifierContext,
    source: UnitSource,
) -> (Unit, Diagnostics) {
    let mut diags = Diagnostics::new();
    match UnitKind::from_name(name) {
        Some(UnitKind::Socket) => {
            let mut u = SocketUnit::new(name);
            u.source = source;
            let state = apply_all(&mut u, assignments, spec, &mut diags);
            match state {
                Some(state) => {
                    socket_table::finish(&mut u, &state);
                    if let Err(msg) = validate::validate_socket(&u, &state) {
                        diags.push(Diagnostic::unit_error(name, msg));
                        u.load_state = LoadState::BadSetting;
                    }
                }
                None => u.load_state = LoadState::BadSetting,
            }
            (Unit::Socket(u), diags)
        }
        Some(UnitKind::Service) => {
            let mut u = ServiceUnit::new(name);
            u.source = source;
            let state = apply_all(&mut u, assignments, spec, &mut diags);
            match state {
                Some(state) => {
                    for w in validate::service_warnings(&u, &state) {
                        diags.push(Diagnostic::unit_warning(name, w));
                    }
                    if let Err(msg) = validate::validate_service(&u, &state) {
                        diags.push(Diagnostic::unit_error(name, msg));
                        u.load_state = LoadState::BadSetting;
                    }
                }
                None => u.load_state = LoadState::BadSetting,
            }
            (Unit::Service(u), diags)
        }
        None => {
            let mut u = ServiceUnit::new(name);
            u.source = source;
            u.load_state = LoadState::Error;
            diags.push(Diagnostic::unit_error(
                name,
                "Unit type not supported by activator (only .socket and .service units are).",
            ));
            (Unit::Service(u), diags)
        }
    }
}

/// Apply every assignment; `None` when a fatal error stopped loading.
fn apply_all<T: UnitTarget>(
    target: &mut T,
    assignments: &[Assignment],
    spec: &SpecifierContext,
    diags: &mut Diagnostics,
) -> Option<BuildState> {
    let mut state = BuildState::default();
    let template = target.name().contains("@.");
    for a in assignments {
        if let Err(msg) = apply_one(target, template, a, spec, diags, &mut state) {
            diags.push(Diagnostic::error_at(&*a.file, a.line, msg));
            diags.push(Diagnostic::unit_error(
                target.name(),
                "Unit configuration has fatal error, unit will not be started.",
            ));
            return None;
        }
    }
    Some(state)
}

/// Look the key up and run its parser; `Err` carries a fatal message.
fn apply_one<T: UnitTarget>(
    target: &mut T,
    template: bool,
    a: &Assignment,
    spec: &SpecifierContext,
    diags: &mut Diagnostics,
    state: &mut BuildState,
) -> Result<(), String> {
    let kind = T::KIND;
    let sec = match &*a.section {
        "Unit" => Sec::Unit,
        "Install" => Sec::Install,
        s if s == kind.section() => Sec::Type,
        // The lexer only passes known sections; anything else is not ours to judge.
        _ => return Ok(()),
    };
    let mut ctx = Ctx {
        key: a.key(),
        file: &a.file,
        line: a.line,
        spec,
        diags,
        state,
        template,
    };
    let outcome = match sec {
        Sec::Type => {
            if let Some(e) = find(T::table(), sec, a.key()) {
                Some(run(e, target, &mut ctx, a.value()))
            } else if let Some(e) = find(common_table::EXEC_TABLE, sec, a.key()) {
                Some(run(e, target.exec_mut(), &mut ctx, a.value()))
            } else {
                find(common_table::KILL_TABLE, sec, a.key())
                    .map(|e| run(e, target.kill_mut(), &mut ctx, a.value()))
            }
        }
        Sec::Unit => find(common_table::UNIT_TABLE, sec, a.key())
            .or_else(|| find(common_table::CONDITION_TABLE, sec, a.key()))
            .map(|e| run(e, target.unit_mut(), &mut ctx, a.value())),
        Sec::Install => find(common_table::INSTALL_TABLE, sec, a.key())
            .map(|e| run(e, target.install_mut(), &mut ctx, a.value())),
    };
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(Reject::Warn(msg))) => {
            ctx.warn(msg);
            Ok(())
        }
        Some(Err(Reject::Fatal(msg))) => Err(msg),
        None => {
            let ignored = T::ignored()
                .iter()
                .chain(common_table::COMMON_IGNORED.iter())
                .any(|i| i.section == sec && i.keys.split_whitespace().any(|k| k == a.key()));
            if ignored {
                if let Some(msg) = common_table::compat_warning(a.key()) {
                    ctx.warn(msg);
                }
                ctx.warn(not_implemented(a.key()));
            } else if !a.key().starts_with("X-") {
                // systemd.syntax(7): keys starting with X- are for third parties.
                ctx.warn(format!(
                    "Unknown key '{}' in section [{}], ignoring.",
                    a.key(),
                    sec.name(kind)
                ));
            }
            Ok(())
        }
    }
}

fn find<T>(table: &'static [Entry<T>], sec: Sec, key: &str) -> Option<&'static Entry<T>> {
    table.iter().find(|e| e.section == sec && e.key == key)
}

/// Expand specifiers as the entry asks, then parse.
fn run<T>(e: &Entry<T>, target: &mut T, ctx: &mut Ctx<'_>, value: &str) -> ParseResult {
    let expanded;
    let value = match e.expand {
        Expand::No => value,
        // Nothing to expand: no copy (expand_word would return the same text).
        _ if !value.contains('%') => value,
        mode => match ctx.expand(value) {
            Ok(v) => {
                expanded = v;
                &expanded
            }
            Err(reason) => {
                return Err(match mode {
                    Expand::Quoted => Reject::Warn(format!(
                        "Failed to resolve unit specifiers in '{value}', ignoring: {reason}"
                    )),
                    Expand::Plain => Reject::Warn(format!(
                        "Failed to resolve unit specifiers in {value}, ignoring: {reason}"
                    )),
                    _ => Reject::Fatal(format!(
                        "Failed to resolve unit specifiers in {value}: {reason}"
                    )),
                })
            }
        },
    };
    (e.parse)(target, ctx, value)
}

/// Every directive of a unit kind, own section first, for documentation.
pub fn directives(kind: UnitKind) -> Vec<DirectiveInfo> {
    fn rows<T>(out: &mut Vec<DirectiveInfo>, table: &'static [Entry<T>], kind: UnitKind) {
        out.extend(table.iter().map(|e| DirectiveInfo {
            section: e.section.name(kind),
            key: e.key,
            support: e.support,
            summary: e.summary,
        }));
    }
    let mut out = Vec::new();
    match kind {
        UnitKind::Socket => rows(&mut out, socket_table::SOCKET_TABLE, kind),
        UnitKind::Service => rows(&mut out, service_table::SERVICE_TABLE, kind),
    }
    rows(&mut out, common_table::EXEC_TABLE, kind);
    rows(&mut out, common_table::KILL_TABLE, kind);
    rows(&mut out, common_table::UNIT_TABLE, kind);
    rows(&mut out, common_table::CONDITION_TABLE, kind);
    rows(&mut out, common_table::INSTALL_TABLE, kind);
    let own_ignored = match kind {
        UnitKind::Socket => socket_table::SOCKET_IGNORED,
        UnitKind::Service => service_table::SERVICE_IGNORED,
    };
    for ig in own_ignored
        .iter()
        .chain(common_table::COMMON_IGNORED.iter())
    {
        out.extend(ig.keys.split_whitespace().map(|k| DirectiveInfo {
            section: ig.section.name(kind),
            key: k,
            support: Support::Ignored,
            summary: ig.summary,
        }));
    }
    out
}

// ---- value helpers shared by the tables: systemd's wording for rejected values ----

pub(crate) fn warn(msg: impl Into<String>) -> Reject {
    Reject::Warn(msg.into())
}

/// config_parse_bool.
pub(crate) fn bool_value(v: &str) -> Result<bool, Reject> {
    super::values::parse_bool(v)
        .map_err(|_| warn(format!("Failed to parse boolean value, ignoring: {v}")))
}

/// config_parse_unsigned (u32 fields).
pub(crate) fn u32_value(v: &str) -> Result<u32, Reject> {
    super::values::parse_u32(v)
        .map_err(|_| warn(format!("Failed to parse unsigned value, ignoring: {v}")))
}

/// config_parse_int.
pub(crate) fn int_value(v: &str) -> Result<i32, Reject> {
    super::values::parse_int(v)
        .ok()
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| warn(format!("Failed to parse int value, ignoring: {v}")))
}

/// config_parse_sec.
pub(crate) fn sec_value(v: &str) -> Result<super::values::Usec, Reject> {
    super::values::parse_timespan(v)
        .map_err(|_| warn(format!("Failed to parse sec value, ignoring: {v}")))
}

/// config_parse_sec_fix_0: `0` means no timeout.
pub(crate) fn sec_fix_0(v: &str, what: &str) -> Result<super::values::Usec, Reject> {
    match super::values::parse_timespan(v) {
        Ok(t) if t.0 == 0 => Ok(super::values::Usec::INFINITY),
        Ok(t) => Ok(t),
        Err(_) => Err(warn(format!("Failed to parse {what}, ignoring: {v}"))),
    }
}

/// config_parse_mode.
pub(crate) fn mode_value(v: &str) -> Result<u32, Reject> {
    match super::values::parse_mode(v) {
        Ok(m) if m <= 0o7777 => Ok(m),
        _ => Err(warn(format!("Failed to parse mode value, ignoring: {v}"))),
    }
}

/// config_parse_signal.
pub(crate) fn signal_value(v: &str) -> Result<i32, Reject> {
    super::values::parse_signal(v)
        .map_err(|_| warn(format!("Failed to parse signal name, ignoring: {v}")))
}

/// Normalise an absolute path the way path_simplify_and_warn() does; `what` names the
/// directive in the message. `fatal` paths (WorkingDirectory=, RootDirectory=) say no
/// "ignoring" and stop the unit.
pub(crate) fn abs_path(v: &str, what: &str, fatal: bool) -> Result<String, Reject> {
    let reject = |why: &str| {
        if fatal {
            Reject::Fatal(format!("{what}= path is {why}: {v}"))
        } else {
            Reject::Warn(format!("{what}= path is {why}, ignoring: {v}"))
        }
    };
    // path_simplify_and_warn(): absolute as given, normalized once simplified (and
    // reported simplified).
    if !v.starts_with('/') {
        return Err(reject("not absolute"));
    }
    let parts: Vec<&str> = v
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let simplified = format!("/{}", parts.join("/"));
    if parts.contains(&"..") {
        return Err(if fatal {
            Reject::Fatal(format!("{what}= path is not normalized: {simplified}"))
        } else {
            Reject::Warn(format!(
                "{what}= path is not normalized, ignoring: {simplified}"
            ))
        });
    }
    Ok(simplified)
}

/// A user or group name systemd accepts in relaxed mode (valid_user_group_name with
/// VALID_USER_RELAX), or a numeric ID.
pub(crate) fn valid_user_group(v: &str) -> bool {
    if v.is_empty() || v == "." || v == ".." {
        return false;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        // Numeric IDs: 65535 and 4294967295 are reserved (systemd uid_is_valid).
        return matches!(v.parse::<u32>(), Ok(n) if n != 65535 && n != u32::MAX);
    }
    if v.starts_with(char::is_whitespace) || v.ends_with(char::is_whitespace) {
        return false;
    }
    !v.chars().any(|c| c == ':' || c == '/' || c.is_control()) && v.len() <= 256
}

/// A name for `$LISTEN_FDNAMES` (fdname_is_valid): printable ASCII without `:`, ≤255.
pub(crate) fn valid_fd_name(v: &str) -> bool {
    v.len() <= 255 && v.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activator_only_messages_are_recognised() {
        let d = Diagnostic::warning_at("/x", 1, not_implemented("ProtectSystem"));
        assert!(is_activator_only(&d));
        let d = Diagnostic::warning_at("/x", 1, "Failed to parse boolean value, ignoring: x");
        assert!(!is_activator_only(&d));
    }

    #[test]
    fn paths_are_normalised_or_refused() {
        assert_eq!(abs_path("/a//b/./c/", "X", false), Ok("/a/b/c".into()));
        assert_eq!(
            abs_path("rel", "ListenFIFO", false),
            Err(Reject::Warn(
                "ListenFIFO= path is not absolute, ignoring: rel".into()
            ))
        );
        assert!(matches!(
            abs_path("/a/../b", "X", true),
            Err(Reject::Fatal(_))
        ));
    }

    #[test]
    fn user_names() {
        assert!(valid_user_group("nobody"));
        assert!(valid_user_group("0"));
        assert!(valid_user_group("bad user!"));
        assert!(!valid_user_group("a:b"));
        assert!(!valid_user_group("4294967295"));
        assert!(!valid_user_group(""));
    }

    #[test]
    fn fd_names() {
        assert!(valid_fd_name("abc"));
        assert!(valid_fd_name(""));
        assert!(!valid_fd_name("bad:name"));
        assert!(!valid_fd_name("tab\there"));
    }

    #[test]
    fn every_key_appears_once_per_section() {
        for kind in [UnitKind::Socket, UnitKind::Service] {
            let mut seen = std::collections::HashSet::new();
            for d in directives(kind) {
                assert!(
                    seen.insert((d.section, d.key)),
                    "duplicate {}.{} for {kind:?}",
                    d.section,
                    d.key
                );
            }
        }
    }
}
