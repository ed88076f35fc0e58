//! Where a unit's drop-ins come from, and in which order they apply.
//!
//! systemd reads `NAME.d/*.conf` from every directory of the search path, plus the
//! directories of the unit's template (`foo@.service.d`), of its dash-prefixes
//! (`foo-bar-.socket.d`, `foo-.socket.d`), of its aliases, and finally the type-wide
//! `socket.d`/`service.d` (systemd.unit(5) "Description", src/shared/dropin.c
//! `unit_file_find_dirs()`/`unit_file_find_dropin_paths()`). All `.conf` files found are
//! merged and applied sorted by file name; a file name seen in an earlier directory of
//! that list masks the same name further down (src/basic/conf-files.c).
//!
//! Everything here is pure naming and directory listing, so it is tested without the
//! rest of the unit language. The small name classifier below mirrors
//! `unit_name_is_valid()` (src/basic/unit-name.c) for exactly what discovery needs.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};

/// Unit types systemd knows (src/basic/unit-def.c); a name needs one of these suffixes
/// to be a unit name at all, even though activator only loads sockets and services.
pub const UNIT_TYPES: &[&str] = &[
    "service",
    "mount",
    "swap",
    "socket",
    "target",
    "device",
    "automount",
    "timer",
    "path",
    "slice",
    "scope",
];

/// systemd's `UNIT_NAME_MAX`.
const UNIT_NAME_MAX: usize = 256;

/// What kind of unit name a string is (`UnitNameFlags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `foo.service`
    Plain,
    /// `foo@.service`
    Template,
    /// `foo@bar.service`
    Instance,
}

/// `valid_char` of a unit name (src/basic/unit-name.c), on bytes: every allowed
/// character is ASCII, so a byte of a multi-byte character is never valid either.
fn valid_byte(c: u8) -> bool {
    VALID_BYTES[usize::from(c)]
}

/// `valid_byte` as a table, looked up for every byte of every name a load classifies.
const VALID_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        table[i] = c.is_ascii_alphanumeric() || matches!(c, b':' | b'-' | b'_' | b'.' | b'\\');
        i += 1;
    }
    table
};

/// Classify `name` like `unit_name_classify()`; None when it is not a valid unit name.
/// (Called several times for every unit a load touches, hence on bytes.)
pub fn classify(name: &str) -> Option<NameKind> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() >= UNIT_NAME_MAX {
        return None;
    }
    let dot = b.iter().rposition(|&c| c == b'.')?;
    if !UNIT_TYPES.contains(&&name[dot + 1..]) {
        return None;
    }
    let stem = &b[..dot];
    match stem.iter().position(|&c| c == b'@') {
        None => {
            (!stem.is_empty() && stem.iter().all(|&c| valid_byte(c))).then_some(NameKind::Plain)
        }
        Some(at) => {
            let (prefix, instance) = (&stem[..at], &stem[at + 1..]);
            if prefix.is_empty() || !prefix.iter().all(|&c| valid_byte(c)) {
                return None;
            }
            if instance.is_empty() {
                Some(NameKind::Template)
            } else if instance.iter().all(|&c| valid_byte(c) || c == b'@') {
                Some(NameKind::Instance)
            } else {
                None
            }
        }
    }
}

/// Where the byte `b` (ASCII) is first / last in `s`. Unit names are short, and a byte
/// loop costs less on them than `str::find`'s general search, which several lookups
/// for every unit a load touches would pay.
fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.as_bytes().iter().position(|&c| c == b)
}

fn rfind_byte(s: &str, b: u8) -> Option<usize> {
    s.as_bytes().iter().rposition(|&c| c == b)
}

/// The type suffix (`socket`) of a unit name.
pub fn unit_type(name: &str) -> Option<&str> {
    rfind_byte(name, b'.').map(|i| &name[i + 1..])
}

/// `foo@bar.service` → `foo@.service`; None for non-instances.
pub fn template_of(name: &str) -> Option<String> {
    if classify(name)? != NameKind::Instance {
        return None;
    }
    let at = find_byte(name, b'@')?;
    let dot = rfind_byte(name, b'.')?;
    Some(format!("{}{}", &name[..=at], &name[dot..]))
}

/// The instance of `foo@bar.service` (`bar`); None for plain names and templates.
pub fn instance_of(name: &str) -> Option<&str> {
    let at = find_byte(name, b'@')?;
    let dot = rfind_byte(name, b'.')?;
    let inst = name.get(at + 1..dot)?;
    (!inst.is_empty()).then_some(inst)
}

/// `foo@.service` + `bar` → `foo@bar.service`.
pub fn replace_instance(template: &str, instance: &str) -> String {
    match (find_byte(template, b'@'), rfind_byte(template, b'.')) {
        (Some(at), Some(dot)) if at < dot => {
            format!("{}{}{}", &template[..=at], instance, &template[dot..])
        }
        _ => template.to_string(),
    }
}

/// Whether a search directory has a top-level entry of this name.
pub type EntryExists<'a> = &'a dyn Fn(&Path, &str) -> bool;

/// The directories `NAME.d` (or `.wants`, …: `suffix`) that may hold drop-ins of the unit
/// `name` with `aliases`, in systemd's precedence order (earlier wins for equal file names).
/// `exists(dir, entry)` says whether a top-level entry of a search directory exists (the
/// loader answers from its directory scan, systemd from its `unit_path_cache`); a path is
/// only built for the entries that do.
pub fn dropin_dirs(
    search_path: &[PathBuf],
    exists: EntryExists<'_>,
    name: &str,
    aliases: &[String],
    suffix: &str,
) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let mut buf = [0; ENTRY_NAME_MAX];
    for n in std::iter::once(name).chain(aliases.iter().map(String::as_str)) {
        for dir in search_path {
            find_dirs(dir, exists, n, suffix, &mut dirs, &mut buf, 0);
        }
    }
    // The type-wide "socket.d" comes last: the most generic, overridden by everything else.
    if let Some(t) = unit_type(name) {
        let entry = entry_name(&mut buf, t, suffix);
        for dir in search_path {
            push_if_exists(dir, exists, &entry, &mut dirs);
        }
    }
    dirs
}

/// Room for a unit name and a suffix such as `.requires`.
const ENTRY_NAME_MAX: usize = UNIT_NAME_MAX + 16;

/// `name` + `suffix`, put together in `buf`: a load looks up several candidate
/// directories per unit and almost none exist, so none costs an allocation (only
/// a name too long to be a unit's does).
fn entry_name<'b>(buf: &'b mut [u8; ENTRY_NAME_MAX], name: &str, suffix: &str) -> Cow<'b, str> {
    if let Some(b) = buf.get_mut(..name.len() + suffix.len()) {
        let (n, s) = b.split_at_mut(name.len());
        n.copy_from_slice(name.as_bytes());
        s.copy_from_slice(suffix.as_bytes());
        // Two strings back to back are one: this never fails.
        if let Ok(entry) = std::str::from_utf8(b) {
            return Cow::Borrowed(entry);
        }
    }
    Cow::Owned(format!("{name}{suffix}"))
}

/// Add `dir/entry` to `dirs` when the directory has that entry (once).
fn push_if_exists(dir: &Path, exists: EntryExists<'_>, entry: &str, dirs: &mut Vec<PathBuf>) {
    if exists(dir, entry) {
        let p = dir.join(entry);
        if !dirs.contains(&p) {
            dirs.push(p);
        }
    }
}

/// `unit_file_find_dirs()`: the unit's own dir, its template's, then its dash-prefixes'.
fn find_dirs(
    unit_path: &Path,
    exists: EntryExists<'_>,
    name: &str,
    suffix: &str,
    dirs: &mut Vec<PathBuf>,
    buf: &mut [u8; ENTRY_NAME_MAX],
    depth: usize,
) {
    // Each step strictly shortens the prefix, so this bound is never reached in practice.
    if depth > 64 {
        return;
    }
    push_if_exists(unit_path, exists, &entry_name(buf, name, suffix), dirs);
    let kind = classify(name);
    if kind == Some(NameKind::Instance) {
        if let Some(t) = template_of(name) {
            find_dirs(unit_path, exists, &t, suffix, dirs, buf, depth + 1);
        }
    }
    let Some(dot) = rfind_byte(name, b'.') else {
        return;
    };
    let stem = &name[..dot];
    let mut prefix = find_byte(stem, b'@').map_or(stem, |at| &stem[..at]);
    // "foo-bar-baz" → "foo-bar-"; "foo-bar-" → "foo-" (a trailing dash is chopped once).
    let mut chopped = false;
    loop {
        let Some(n) = rfind_byte(prefix, b'-') else {
            return;
        };
        if n == 0 {
            return;
        }
        if n + 1 < prefix.len() || chopped {
            prefix = &prefix[..=n];
            break;
        }
        prefix = &prefix[..n];
        chopped = true;
    }
    let instance = if kind == Some(NameKind::Instance) {
        instance_of(name).unwrap_or("")
    } else {
        ""
    };
    let built = if instance.is_empty() {
        format!("{prefix}{}", &name[dot..])
    } else {
        format!("{prefix}@{instance}{}", &name[dot..])
    };
    if classify(&built).is_some() {
        find_dirs(unit_path, exists, &built, suffix, dirs, buf, depth + 1);
    }
}

/// The `.conf` files of `dirs`, merged like `conf_files_list_strv()`: a file name found in
/// an earlier directory masks later ones; the result is sorted by file name. Hidden files
/// are skipped. Unreadable directories give one warning each.
/// `real_path` answers a directory's real path when the caller already knows it
/// (None: ask the filesystem).
pub fn conf_files(
    dirs: &[PathBuf],
    real_path: &dyn Fn(&Path) -> Option<PathBuf>,
    diags: &mut Diagnostics,
) -> Vec<PathBuf> {
    let mut by_name: HashMap<String, PathBuf> = HashMap::new();
    for dir in dirs {
        // systemd chases each drop-in directory and reports files under the real path
        // (`unit_file_add_dir()`), so a symlinked `foo.socket.d` shows its target.
        let Some(dir) = real_path(dir).or_else(|| fs::canonicalize(dir).ok()) else {
            continue;
        };
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            // systemd is silent about missing, non-directory and looping drop-in dirs;
            // only a directory it may not read is worth a line.
            Err(e) if e.kind() != io::ErrorKind::PermissionDenied => continue,
            Err(e) => {
                diags.push(Diagnostic::warning_at(
                    &dir,
                    0,
                    format!("Failed to open directory, ignoring: {}", errno_text(&e)),
                ));
                continue;
            }
        };
        for entry in entries.flatten() {
            let Ok(fname) = entry.file_name().into_string() else {
                continue;
            };
            if fname.starts_with('.') || !fname.ends_with(".conf") {
                continue;
            }
            by_name.entry(fname).or_insert_with(|| entry.path());
        }
    }
    let mut files: Vec<(String, PathBuf)> = by_name.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.into_iter().map(|(_, p)| p).collect()
}

/// The strerror() text systemd's `%m` prints (`Permission denied`), without Rust's
/// "(os error N)" suffix.
pub fn errno_text(e: &io::Error) -> String {
    // std formats OS errors with the C library's strerror_r(), as systemd's %m does.
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if e.raw_os_error().is_some() => text[..i].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn classifies_names_like_unit_name_is_valid() {
        assert_eq!(classify("foo.socket"), Some(NameKind::Plain));
        assert_eq!(classify("foo@.service"), Some(NameKind::Template));
        assert_eq!(classify("foo@a@b.service"), Some(NameKind::Instance));
        assert_eq!(
            classify("echo@1-127.0.0.1:7-127.0.0.1:4000.service"),
            Some(NameKind::Instance)
        );
        assert_eq!(classify("foo.conf"), None);
        assert_eq!(classify(".service"), None);
        assert_eq!(classify("@x.service"), None);
        assert_eq!(classify("a b.service"), None);
        assert_eq!(classify("socket.d"), None);
        assert_eq!(classify(&format!("{}.service", "a".repeat(250))), None);
        assert_eq!(classify("café.service"), None);
        assert_eq!(classify("a@café.service"), None);
        assert_eq!(classify("a\\x2d.service"), Some(NameKind::Plain));
    }

    #[test]
    fn template_and_instance_helpers() {
        assert_eq!(
            template_of("foo@bar.service").as_deref(),
            Some("foo@.service")
        );
        assert_eq!(template_of("foo.service"), None);
        assert_eq!(instance_of("foo@bar.service"), Some("bar"));
        assert_eq!(instance_of("foo@.service"), None);
        assert_eq!(replace_instance("foo@.service", "x"), "foo@x.service");
    }

    fn dirs_for(name: &str, aliases: &[&str], present: &[&str]) -> Vec<String> {
        let search = vec![PathBuf::from("/a"), PathBuf::from("/b")];
        let set: HashSet<PathBuf> = present.iter().map(PathBuf::from).collect();
        let aliases: Vec<String> = aliases.iter().map(|s| s.to_string()).collect();
        dropin_dirs(
            &search,
            &|d, e| set.contains(&d.join(e)),
            name,
            &aliases,
            ".d",
        )
        .into_iter()
        .map(|p| p.display().to_string())
        .collect()
    }

    #[test]
    fn prefix_dirs_follow_unit_file_find_dirs_order() {
        let all = [
            "/a/foo-bar-baz.socket.d",
            "/a/foo-bar-.socket.d",
            "/a/foo-.socket.d",
            "/b/foo-bar-baz.socket.d",
            "/b/foo-.socket.d",
            "/b/socket.d",
            "/a/socket.d",
        ];
        assert_eq!(
            dirs_for("foo-bar-baz.socket", &[], &all),
            vec![
                "/a/foo-bar-baz.socket.d",
                "/a/foo-bar-.socket.d",
                "/a/foo-.socket.d",
                "/b/foo-bar-baz.socket.d",
                "/b/foo-.socket.d",
                "/a/socket.d",
                "/b/socket.d",
            ]
        );
    }

    #[test]
    fn instance_dirs_include_template_and_instance_prefixes() {
        let all = [
            "/a/foo-bar@x.service.d",
            "/a/foo-bar@.service.d",
            "/a/foo-.service.d",
            "/a/foo-@x.service.d",
            "/a/foo-@.service.d",
        ];
        assert_eq!(
            dirs_for("foo-bar@x.service", &[], &all),
            vec![
                "/a/foo-bar@x.service.d",
                "/a/foo-bar@.service.d",
                "/a/foo-.service.d",
                "/a/foo-@x.service.d",
                "/a/foo-@.service.d",
            ]
        );
    }

    #[test]
    fn alias_dirs_come_after_own_dirs_before_type_dirs() {
        let all = ["/b/real.socket.d", "/a/al.socket.d", "/a/socket.d"];
        assert_eq!(
            dirs_for("real.socket", &["al.socket"], &all),
            vec!["/b/real.socket.d", "/a/al.socket.d", "/a/socket.d"]
        );
    }

    /// A name too long for the stack buffer is still looked up (on the heap).
    #[test]
    fn overlong_names_are_looked_up_too() {
        let long = format!("{}.socket", "a".repeat(ENTRY_NAME_MAX));
        let dir = format!("/a/{long}.d");
        assert_eq!(dirs_for(&long, &[], &[dir.as_str()]), vec![dir.clone()]);
    }

    #[test]
    fn leading_dash_and_no_dash_stop() {
        assert!(dirs_for("-foo.socket", &[], &["/a/-.socket.d"]).is_empty());
        assert_eq!(
            dirs_for("a-.socket", &[], &["/a/a-.socket.d"]),
            vec!["/a/a-.socket.d"]
        );
    }

    #[test]
    fn conf_files_merge_sort_and_mask() {
        let tmp = tempfile::tempdir().unwrap();
        let hi = tmp.path().join("hi");
        let lo = tmp.path().join("lo");
        fs::create_dir_all(&hi).unwrap();
        fs::create_dir_all(&lo).unwrap();
        fs::write(hi.join("20-b.conf"), "").unwrap();
        fs::write(lo.join("20-b.conf"), "").unwrap();
        fs::write(lo.join("10-a.conf"), "").unwrap();
        fs::write(lo.join(".hidden.conf"), "").unwrap();
        fs::write(lo.join("30-c.txt"), "").unwrap();
        let mut d = Diagnostics::new();
        let files = conf_files(
            &[hi.clone(), lo.clone(), tmp.path().join("none")],
            &|_| None,
            &mut d,
        );
        assert_eq!(files, vec![lo.join("10-a.conf"), hi.join("20-b.conf")]);
        assert!(d.is_empty());
    }

    #[test]
    fn errno_text_is_strerror() {
        let e = io::Error::from_raw_os_error(libc::ELOOP);
        assert_eq!(errno_text(&e), "Too many levels of symbolic links");
    }
}
