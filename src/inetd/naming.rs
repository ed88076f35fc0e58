//! Unit names and descriptions of inetd entries. Names follow systemd's unit-name
//! rules (systemd.md §1.6: only `[A-Za-z0-9:_.-\\]`, at most 255 bytes with the
//! suffix), so `inetd-<service>-<proto>` is built from the entry as written with every
//! other character made `_`; `Mapper` then makes each name unique. The description is
//! what `systemctl status` shows for the socket and its service.

use std::borrow::Cow;
use std::sync::Arc;

use super::entry::{Entry, Server, ServiceSpec};
use crate::unit::model::Builtin;

/// Unit names are at most 255 bytes (systemd.md §1.6); leave room for `@.service`.
pub(super) const MAX_BASE_NAME: usize = 200;

/// `inetd-<service>-<proto>`, the service as written (name, port or path).
pub(super) fn base_name(e: &Entry) -> String {
    let svc = match &e.service {
        ServiceSpec::Unix { path, .. } => {
            Cow::Owned(path.to_string_lossy().trim_matches('/').replace('/', "-"))
        }
        _ => Cow::Borrowed(&*e.service_text),
    };
    // Room for the `.socket` the socket's name adds.
    let mut base = String::with_capacity(15 + svc.len() + e.protocol.word.len());
    base.push_str("inetd-");
    push_sanitized(&mut base, &svc);
    base.push('-');
    push_sanitized(&mut base, &e.protocol.word);
    truncate_to(&mut base, MAX_BASE_NAME);
    base
}

/// Built in `scratch` (one allocation per entry: the shared text itself).
pub(super) fn describe(scratch: &mut String, e: &Entry, builtin: Option<Builtin>) -> Arc<str> {
    // "internal echo", the program path, or a bare "internal".
    let (kind, what) = match (&e.server, builtin) {
        (_, Some(b)) => ("internal ", b.name()),
        (Server::Program(p), None) => ("", p.as_ref()),
        (Server::Internal, None) => ("internal", ""),
    };
    let service = match &e.service {
        ServiceSpec::Unix { path, .. } => path.to_string_lossy(),
        _ => Cow::Borrowed(&*e.service_text),
    };
    scratch.clear();
    for part in [
        "inetd ",
        &service,
        " ",
        e.socket_type.name(),
        " ",
        &e.protocol.word,
        ": ",
        kind,
        what,
    ] {
        scratch.push_str(part);
    }
    Arc::from(scratch.as_str())
}

/// Keep only unit-name characters (systemd.md §1.6: `[A-Za-z0-9:_.-\\]`, no `@` in a
/// prefix); everything else becomes `_`.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len().max(1));
    push_sanitized(&mut out, s);
    out
}

/// `sanitize(s)` appended to `out` (unit names are built once per inetd line, so
/// without the formatter and intermediate strings).
fn push_sanitized(out: &mut String, s: &str) {
    if s.is_empty() {
        out.push('_');
        return;
    }
    out.extend(s.chars().map(|c| {
        if c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-') {
            c
        } else {
            '_'
        }
    }));
}

pub(super) fn truncate_to(s: &mut String, max: usize) {
    if s.len() > max {
        // Only ASCII after sanitize, so any index is a char boundary.
        s.truncate(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_names() {
        assert_eq!(sanitize("telnet"), "telnet");
        assert_eq!(sanitize("a b@c/é"), "a_b_c__");
        assert_eq!(sanitize(""), "_");
    }
}
