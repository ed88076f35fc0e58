//! The scanned search path: which file each unit name means.
//!
//! systemd builds this map once per load (src/basic/unit-file.c
//! `unit_file_build_name_map()`): the first directory that has a name wins; a symlink
//! pointing inside the search path is an alias of the name it points to, one pointing
//! outside is a linked unit file (or a mask, for `/dev/null`); aliases are followed at
//! most `FOLLOW_MAX` hops (`unit_ids_map_get()`), and an instance falls back to its
//! template (`unit_file_find_fragment()`). Also kept: every top-level entry, so drop-in
//! directories are found without a `stat()` per candidate (`unit_path_cache`).

use std::borrow::Cow;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustc_hash::FxHashMap;

use super::bare;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::unit::dropin::{self, classify, errno_text, NameKind};

/// `systemd.unit(5)` follows at most this many alias hops (`FOLLOW_MAX`).
const FOLLOW_MAX: usize = 8;

/// Lexically drop `.` and resolve `..` (systemd's `CHASE_NOFOLLOW|CHASE_NONEXISTENT`
/// use on alias targets only needs this).
pub(super) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// One name in the name map: a file (or linked file / mask) or an alias of another name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MapEntry {
    /// The entry of this name in search directory i (its path is built when asked for).
    File(usize),
    Alias(String),
}

/// A name the scan saw: what it means (`unit_ids_map`; None for drop-in and `.wants`
/// directories, and for names whose link was refused), and in which search
/// directories it is (`unit_path_cache`).
#[derive(Debug, Default)]
struct Seen {
    id: Option<MapEntry>,
    dirs: DirSet,
}

/// A directory entry's type as `getdents` reported it (`lstat()` when it did not).
#[derive(Debug, Clone, Copy, Default)]
struct EntryType {
    dir: bool,
    link: bool,
    regular: bool,
}

/// A unit file the name map knows: file `name` in search directory `dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fragment<'a> {
    pub(super) dir: usize,
    pub(super) name: &'a str,
    /// The scan saw a regular file (no symlink, no device) there.
    pub(super) regular: bool,
}

/// Why a name has no fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unresolved {
    /// No such name (`-ENOENT`).
    Missing,
    /// An alias points to a name that does not exist (`-ENXIO`).
    Dangling,
    /// Alias chain longer than `FOLLOW_MAX` (`-ELOOP`).
    Loop,
}

/// Which search directories have an entry, and in which it is a regular file.
/// A search path longer than 64 directories keeps the rest in `more`.
#[derive(Debug, Default, Clone)]
struct DirSet {
    present: u64,
    regular: u64,
    more: Vec<(usize, bool)>,
}

impl DirSet {
    fn insert(&mut self, dir: usize, regular: bool) {
        match u32::try_from(dir).ok().and_then(|d| 1u64.checked_shl(d)) {
            Some(bit) => {
                self.present |= bit;
                if regular {
                    self.regular |= bit;
                }
            }
            None => self.more.push((dir, regular)),
        }
    }

    /// None: not in `dir`; Some(regular) otherwise.
    fn get(&self, dir: usize) -> Option<bool> {
        match u32::try_from(dir).ok().and_then(|d| 1u64.checked_shl(d)) {
            Some(bit) => (self.present & bit != 0).then_some(self.regular & bit != 0),
            None => self.more.iter().find(|(d, _)| *d == dir).map(|(_, r)| *r),
        }
    }
}

/// The scanned search path (`unit_ids_map`, `unit_names_map`, `unit_path_cache`).
#[derive(Debug, Default)]
pub(super) struct NameMap {
    /// Every top-level unit file and `.d`/`.wants`/`.requires` directory seen, by
    /// file name: what the name means, in which search directories it is, and in
    /// which it is a regular file (not a symlink): reading such a unit file needs no
    /// `fstat()` to tell a mask (`/dev/null`) from a unit file. Most drop-in
    /// directory candidates exist in no search directory, and this answers them
    /// without building a path. One map for both: one insert per directory entry.
    seen: FxHashMap<String, Seen>,
    /// Real name → every name pointing to it (including itself when it is a file).
    names: FxHashMap<String, Vec<String>>,
    /// The search directories, in order (`DirSet` bit i is `dirs[i]`).
    dirs: Vec<PathBuf>,
    /// Entries the scan saw as directories (not symlinks), under the real path
    /// of their search directory: drop-in directories need no `realpath()`.
    real_dirs: FxHashMap<PathBuf, PathBuf>,
    /// Whether any `foo@inst.service` file or `foo@inst.service.d` directory exists; when
    /// none does, every instance is exactly its template (fast `instantiate`).
    pub(super) has_service_instances: bool,
}

impl NameMap {
    /// Read every search directory into the name map (`unit_file_build_name_map()`).
    ///
    /// `sockets_seen` is told after each directory is read how many `.socket` entries
    /// the search path has shown so far, before they are examined (the parallel load
    /// starts its second thread from this).
    pub(super) fn scan(
        search: &[PathBuf],
        diags: &mut Diagnostics,
        sockets_seen: &mut dyn FnMut(usize),
    ) -> NameMap {
        let mut sockets = 0;
        let mut map = NameMap {
            dirs: search.to_vec(),
            ..NameMap::default()
        };
        for (dir_index, dir) in search.iter().enumerate() {
            let entries = match read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => {
                    diags.push(Diagnostic::warning_at(
                        dir,
                        0,
                        format!(
                            "Failed to open \"{}\", ignoring: {}",
                            dir.display(),
                            errno_text(&e)
                        ),
                    ));
                    continue;
                }
            };
            sockets += entries
                .iter()
                .filter(|(name, _)| name.ends_with(".socket"))
                .count();
            sockets_seen(sockets);
            map.seen.reserve(entries.len());
            let real_dir = fs::canonicalize(dir).ok();
            // Directory order is arbitrary, and only the warnings depend on the order
            // names are taken in: they are put in name order below, so the same
            // directory always says the same, without sorting every name.
            let mut found = Vec::new();
            for (name, ty) in entries {
                if let (Some(real), true) = (&real_dir, ty.dir) {
                    if name.ends_with(".d") {
                        map.real_dirs.insert(dir.join(&name), real.join(&name));
                    }
                }
                map.add_entry(search, dir_index, name, ty, &mut found);
            }
            found.sort_by(|a: &(String, Diagnostic), b| a.0.cmp(&b.0));
            diags.extend(found.into_iter().map(|(_, d)| d));
        }
        // Real name -> the names pointing to it. A (non-template) unit file under
        // its own name needs no entry for itself: `add_names` always includes the
        // name it is asked for, and that is nearly every unit.
        let keys: Vec<String> = map
            .seen
            .iter()
            .filter(|(src, e)| match &e.id {
                Some(MapEntry::File(_)) => classify(src) == Some(NameKind::Template),
                Some(MapEntry::Alias(_)) => true,
                None => false,
            })
            .map(|(src, _)| src.clone())
            .collect();
        for src in keys {
            let Ok(fragment) = map.resolve(&src) else {
                continue;
            };
            let mut dst = fragment.name.to_string();
            // An instance symlinked to a template is an alias of that instance only.
            if classify(&dst) == Some(NameKind::Template) {
                if let Some(inst) = dropin::instance_of(&src) {
                    dst = dropin::replace_instance(&dst, inst);
                }
            }
            map.names.entry(dst).or_default().push(src);
        }
        for v in map.names.values_mut() {
            v.sort();
        }
        map
    }

    /// `found` collects warnings with the name they are about.
    fn add_entry(
        &mut self,
        search: &[PathBuf],
        dir_index: usize,
        name: String,
        ty: EntryType,
        found: &mut Vec<(String, Diagnostic)>,
    ) {
        let kind = classify(&name);
        if kind.is_none()
            && ![".wants", ".requires", ".d"]
                .iter()
                .any(|s| name.ends_with(s))
        {
            return;
        }
        let unit_part = name.strip_suffix(".d").unwrap_or(&name);
        if unit_part.ends_with(".service") && classify(unit_part) == Some(NameKind::Instance) {
            self.has_service_instances = true;
        }
        // The first directory with a usable entry decides what the name is.
        let mut id = None;
        if kind.is_some() && self.seen.get(&name).is_none_or(|s| s.id.is_none()) {
            let mut diags = Diagnostics::new();
            id = add_id(search, dir_index, &name, ty.link, &mut diags);
            found.extend(diags.into_iter().map(|d| (name.clone(), d)));
        }
        let seen = self.seen.entry(name).or_default();
        if id.is_some() {
            seen.id = id;
        }
        seen.dirs.insert(dir_index, ty.regular);
    }

    /// The sorted names of the sockets on the search path that are not templates
    /// (what `load_all` loads).
    pub(super) fn socket_names(&self) -> Vec<String> {
        let mut names: Vec<&String> = self
            .seen
            .iter()
            .filter(|(n, e)| {
                e.id.is_some() && n.ends_with(".socket") && classify(n) != Some(NameKind::Template)
            })
            .map(|(n, _)| n)
            .collect();
        names.sort_unstable();
        names.into_iter().cloned().collect()
    }

    /// Whether `dir` (a search directory) has the top-level entry `entry`.
    pub(super) fn has_entry(&self, dir: &Path, entry: &str) -> bool {
        self.lookup(dir, entry).is_some()
    }

    /// Whether the search directory `dir` has `entry`, and if so whether it is a
    /// regular file.
    fn lookup(&self, dir: &Path, entry: &str) -> Option<bool> {
        let seen = self.seen.get(entry)?;
        seen.dirs.get(self.dir_index(dir)?)
    }

    /// Which search directory `dir` is. The paths the loader asks about are built from
    /// the search directories, so their bytes match; Path equality (components) is
    /// the fallback: a search directory given as `/x/` is the parent of `/x/y`.
    fn dir_index(&self, dir: &Path) -> Option<usize> {
        let bytes = dir.as_os_str().as_bytes();
        self.dirs
            .iter()
            .position(|d| d.as_os_str().as_bytes() == bytes)
            .or_else(|| self.dirs.iter().position(|d| d == dir))
    }

    /// The path of a fragment, written into `path` (whose allocation is reused).
    pub(super) fn write_path(&self, fragment: &Fragment<'_>, path: &mut PathBuf) {
        path.as_mut_os_string().clear();
        path.push(&self.dirs[fragment.dir]);
        path.push(fragment.name);
    }

    /// The path of a fragment.
    pub(super) fn path(&self, fragment: &Fragment<'_>) -> PathBuf {
        let mut path = PathBuf::new();
        self.write_path(fragment, &mut path);
        path
    }

    /// The real path of a drop-in directory the scan saw as a plain directory.
    pub(super) fn real_dir(&self, path: &Path) -> Option<PathBuf> {
        self.real_dirs.get(path).cloned()
    }

    /// `unit_ids_map_get()`: follow aliases to a unit file.
    pub(super) fn resolve(&self, name: &str) -> Result<Fragment<'_>, Unresolved> {
        let mut alias: Option<&str> = None;
        for _ in 0..FOLLOW_MAX {
            let key = alias.unwrap_or(name);
            let (key, seen, entry) = match self.id_of(key) {
                Some(found) => found,
                None => {
                    if alias.is_none() {
                        return Err(Unresolved::Missing);
                    }
                    let t = dropin::template_of(key).ok_or(Unresolved::Dangling)?;
                    self.id_of(&t).ok_or(Unresolved::Dangling)?
                }
            };
            match entry {
                MapEntry::File(dir) => {
                    let regular = seen.dirs.get(*dir).unwrap_or(false);
                    return Ok(Fragment {
                        dir: *dir,
                        name: key,
                        regular,
                    });
                }
                MapEntry::Alias(a) => alias = Some(a),
            }
        }
        Err(Unresolved::Loop)
    }

    /// The name as the map holds it, what the scan saw, and what the name is.
    fn id_of(&self, name: &str) -> Option<(&str, &Seen, &MapEntry)> {
        let (key, seen) = self.seen.get_key_value(name)?;
        Some((key, seen, seen.id.as_ref()?))
    }

    /// `unit_file_find_fragment()`: the fragment for `name` and all names of the unit.
    pub(super) fn find_fragment<'a>(
        &'a self,
        name: &'a str,
    ) -> (Result<Fragment<'a>, Unresolved>, Vec<Cow<'a, str>>) {
        let kind = classify(name);
        let instance = dropin::instance_of(name);
        let mut names = Vec::new();
        self.add_names(name, kind, instance, None, &mut names);
        let mut fragment = self.resolve(name);
        if kind == Some(NameKind::Instance) && matches!(fragment, Err(Unresolved::Missing)) {
            if let Some(t) = dropin::template_of(name) {
                fragment = self.resolve(&t);
            }
        }
        if let Ok(f) = &fragment {
            if f.name != name {
                let base = f.name;
                self.add_names(base, classify(base), instance, Some(base), &mut names);
            }
        }
        // Sorted and unique, as systemd keeps a unit's names in a set.
        names.sort_unstable();
        names.dedup();
        (fragment, names)
    }

    fn add_names<'a>(
        &'a self,
        name: &'a str,
        kind: Option<NameKind>,
        instance: Option<&str>,
        fragment_base: Option<&str>,
        names: &mut Vec<Cow<'a, str>>,
    ) {
        if kind != Some(NameKind::Template) {
            names.push(Cow::Borrowed(name));
        }
        let Some(aliases) = self.names.get(name) else {
            return;
        };
        for alias in aliases {
            match (instance, classify(alias)) {
                (Some(inst), Some(NameKind::Template)) => {
                    let inst_name = dropin::replace_instance(alias, inst);
                    // Exclude instances that have a fragment of their own elsewhere.
                    if let (Ok(f), Some(fb)) = (self.resolve(&inst_name), fragment_base) {
                        if f.name != fb {
                            continue;
                        }
                    }
                    names.push(Cow::Owned(inst_name));
                }
                _ => {
                    names.push(Cow::Borrowed(alias));
                }
            }
        }
    }
}

/// What the first directory with `name` says it is: a file, or an alias (None: a
/// link that cannot be used, with the warning in `diags`).
fn add_id(
    search: &[PathBuf],
    dir_index: usize,
    name: &str,
    is_link: bool,
    diags: &mut Diagnostics,
) -> Option<MapEntry> {
    if !is_link {
        return Some(MapEntry::File(dir_index));
    }
    let dir = &search[dir_index];
    let filename = dir.join(name);
    let target = match fs::read_link(&filename) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::unit_warning(
                name,
                format!(
                    "Failed to read symlink {}, ignoring: {}",
                    filename.display(),
                    errno_text(&e)
                ),
            ));
            return None;
        }
    };
    let simplified = normalize(&dir.join(target));
    let tail = search.iter().find_map(|s| simplified.strip_prefix(s).ok());
    let Some(tail) = tail else {
        // Linked unit file or mask: the link itself is the fragment.
        return Some(MapEntry::File(dir_index));
    };
    let dst = simplified
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let self_alias = dst == name;
    if tail.components().count() > 1 && !self_alias {
        diags.push(bare(
            Severity::Warning,
            format!(
                "Suspicious symlink {}→{}, treating as alias.",
                filename.display(),
                simplified.display()
            ),
        ));
    }
    if let Err(msg) = validate_alias(name, &dst) {
        diags.push(bare(Severity::Warning, msg));
        return None;
    }
    (!self_alias).then_some(MapEntry::Alias(dst))
}

/// The entries of a search directory with their types (`d_type` from `getdents`: no
/// `stat()` per entry). Names that are not UTF-8 cannot be unit names and are left out.
fn read_dir(dir: &Path) -> io::Result<Vec<(String, EntryType)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)?.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let ty = entry
            .file_type()
            .map(|t| EntryType {
                dir: t.is_dir(),
                link: t.is_symlink(),
                regular: t.is_file(),
            })
            .unwrap_or_default();
        out.push((name, ty));
    }
    Ok(out)
}

/// `unit_validate_alias_symlink_and_warn()`: an alias must keep the type and name kind.
fn validate_alias(src: &str, dst: &str) -> Result<(), String> {
    let src_kind = classify(src);
    let Some(dst_kind) = classify(dst) else {
        return Err(format!(
            "{src} points to \"{dst}\" which is not a valid unit name: Invalid cross-device link"
        ));
    };
    let kinds_ok = Some(dst_kind) == src_kind
        || (src_kind == Some(NameKind::Instance) && dst_kind == NameKind::Template);
    if !kinds_ok {
        return Err(format!(
            "{src}: symlink target name type \"{dst}\" does not match source, rejecting."
        ));
    }
    if dst_kind == NameKind::Instance && dropin::instance_of(src) != dropin::instance_of(dst) {
        return Err(format!(
            "{src}: unit symlink target \"{dst}\" instance name doesn't match, rejecting."
        ));
    }
    if dropin::unit_type(src) != dropin::unit_type(dst) {
        return Err(format!(
            "{src}: symlink target \"{dst}\" has incompatible suffix, rejecting."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn scan(dirs: &[&Path]) -> (NameMap, Diagnostics) {
        let search: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
        let mut d = Diagnostics::new();
        let m = NameMap::scan(&search, &mut d, &mut |_| {});
        (m, d)
    }

    fn resolve_path(m: &NameMap, name: &str) -> Result<PathBuf, Unresolved> {
        m.resolve(name).map(|f| m.path(&f))
    }

    #[test]
    fn first_directory_wins() {
        let t = tempfile::tempdir().unwrap();
        let (hi, lo) = (t.path().join("hi"), t.path().join("lo"));
        fs::create_dir_all(&hi).unwrap();
        fs::create_dir_all(&lo).unwrap();
        fs::write(hi.join("a.socket"), "x").unwrap();
        fs::write(lo.join("a.socket"), "y").unwrap();
        fs::write(lo.join("b.socket"), "y").unwrap();
        let (m, d) = scan(&[&hi, &lo]);
        assert!(d.is_empty());
        assert_eq!(resolve_path(&m, "a.socket"), Ok(hi.join("a.socket")));
        assert_eq!(resolve_path(&m, "b.socket"), Ok(lo.join("b.socket")));
        assert_eq!(resolve_path(&m, "c.socket"), Err(Unresolved::Missing));
    }

    #[test]
    fn aliases_loops_and_links() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path();
        fs::write(dir.join("real.socket"), "x").unwrap();
        symlink("real.socket", dir.join("al.socket")).unwrap();
        symlink("l2.socket", dir.join("l1.socket")).unwrap();
        symlink("l1.socket", dir.join("l2.socket")).unwrap();
        symlink("/dev/null", dir.join("masked.socket")).unwrap();
        symlink("gone.socket", dir.join("dangling.socket")).unwrap();
        symlink("real.socket", dir.join("bad.service")).unwrap();
        let (m, d) = scan(&[dir]);
        assert_eq!(resolve_path(&m, "al.socket"), Ok(dir.join("real.socket")));
        assert_eq!(resolve_path(&m, "l1.socket"), Err(Unresolved::Loop));
        assert_eq!(
            resolve_path(&m, "masked.socket"),
            Ok(dir.join("masked.socket"))
        );
        assert_eq!(
            resolve_path(&m, "dangling.socket"),
            Err(Unresolved::Dangling)
        );
        assert_eq!(resolve_path(&m, "bad.service"), Err(Unresolved::Missing));
        assert!(d.iter().any(|x| x.message.contains("incompatible suffix")));
        let (f, names) = m.find_fragment("al.socket");
        assert_eq!(f.map(|f| m.path(&f)), Ok(dir.join("real.socket")));
        assert_eq!(
            names,
            vec!["al.socket".to_string(), "real.socket".to_string()]
        );
    }

    /// Warnings about a directory's entries come in name order, whatever order the
    /// directory lists them in.
    #[test]
    fn scan_warnings_in_name_order() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path();
        fs::write(dir.join("real.service"), "x").unwrap();
        let names = ["m.socket", "c.socket", "x.socket", "a.socket", "k.socket"];
        for n in names {
            symlink("real.service", dir.join(n)).unwrap();
        }
        let (_, d) = scan(&[dir]);
        let said: Vec<&str> = d
            .iter()
            .filter_map(|x| names.iter().find(|n| x.message.starts_with(**n)).copied())
            .collect();
        assert_eq!(
            said,
            ["a.socket", "c.socket", "k.socket", "m.socket", "x.socket"]
        );
    }

    #[test]
    fn instance_falls_back_to_template() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path();
        fs::write(dir.join("e@.service"), "x").unwrap();
        fs::write(dir.join("e@special.service"), "y").unwrap();
        let (m, _) = scan(&[dir]);
        assert_eq!(
            m.find_fragment("e@foo.service").0.map(|f| m.path(&f)),
            Ok(dir.join("e@.service"))
        );
        assert_eq!(
            m.find_fragment("e@special.service").0.map(|f| m.path(&f)),
            Ok(dir.join("e@special.service"))
        );
    }

    #[test]
    fn cache_lists_dropin_dirs() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path();
        fs::create_dir(dir.join("a.socket.d")).unwrap();
        fs::create_dir(dir.join("sockets.target.wants")).unwrap();
        fs::create_dir(dir.join("junk")).unwrap();
        let (m, _) = scan(&[dir]);
        assert!(m.has_entry(dir, "a.socket.d"));
        assert!(m.has_entry(dir, "sockets.target.wants"));
        assert!(!m.has_entry(dir, "junk"));
        assert_eq!(m.lookup(dir, "a.socket.d"), Some(false));
    }
}
