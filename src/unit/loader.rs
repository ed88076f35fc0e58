//! The unit loader: from names on the search path to typed `SocketUnit`s/`ServiceUnit`s.
//!
//! It does what systemd's manager does before a unit can start, in the same order and
//! with the same messages: scan the search path into a name map (src/basic/unit-file.c
//! `unit_file_build_name_map()`: first directory wins, symlinks inside the search path are
//! aliases, symlinks outside are linked unit files, empty files and `/dev/null` links are
//! masks), find the fragment (falling back from `foo@bar.service` to `foo@.service`), read
//! the drop-ins (`unit::dropin`), hand the merged assignments to `table::build_unit`, and
//! finally pair every socket with the service it activates (systemd-analyze's
//! `verify_socket()`). Loading never fails as a whole: problems become diagnostics and the
//! other units still load.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod file;
mod name_map;
mod parallel;
mod unit_set;

use super::dropin::{self, classify, errno_text, NameKind};
use super::lexer::Assignment;
use super::model::{LoadState, ServiceUnit, SocketUnit, Unit, UnitSource};
use super::sparse::Sparse;
use super::specifier::{HostInfo, SpecifierContext};
use super::table::{self, UnitKind};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use file::{read_unit_file, ReadBuffers, SearchDirs, UnitFile};
use name_map::{normalize, NameMap, Unresolved};
use unit_set::TemplateSource;
pub use unit_set::UnitSet;

/// The system manager's search path, highest priority first (systemd.unit(5) "Unit File
/// Load Path"; the list `systemd-analyze unit-paths` prints on Debian's 252 build).
pub const DEFAULT_SYSTEM_UNIT_PATH: &[&str] = &[
    "/etc/systemd/system.control",
    "/run/systemd/system.control",
    "/run/systemd/transient",
    "/run/systemd/generator.early",
    "/etc/systemd/system",
    "/etc/systemd/system.attached",
    "/run/systemd/system",
    "/run/systemd/system.attached",
    "/run/systemd/generator",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/run/systemd/generator.late",
];

/// The instance systemd-analyze uses when asked to verify a template (`prepare_filename()`).
pub const VERIFY_TEMPLATE_INSTANCE: &str = "i";

/// The instance systemd loads an `Accept=yes` socket's template under when no connection
/// exists yet (`socket_load_service_unit(s, -1, …)`).
pub const ACCEPT_PROBE_INSTANCE: &str = "internal";

/// How to load units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoaderOptions {
    /// Directories to search, highest priority first; empty means
    /// `DEFAULT_SYSTEM_UNIT_PATH`.
    pub unit_paths: Vec<PathBuf>,
}

impl LoaderOptions {
    /// The effective search path.
    pub fn search_path(&self) -> Vec<PathBuf> {
        if self.unit_paths.is_empty() {
            DEFAULT_SYSTEM_UNIT_PATH.iter().map(PathBuf::from).collect()
        } else {
            self.unit_paths.clone()
        }
    }
}

/// `$SYSTEMD_UNIT_PATH` semantics: `a:b` replaces the search path, a trailing `:`
/// appends the defaults (systemd.unit(5) "Unit File Load Path").
pub fn unit_path_from_env(value: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = value
        .split(':')
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect();
    if value.ends_with(':') {
        paths.extend(DEFAULT_SYSTEM_UNIT_PATH.iter().map(PathBuf::from));
    }
    paths
}

/// Load every `.socket` on the search path (except templates, which only load as
/// instances) and the services they activate.
pub fn load_all(opts: &LoaderOptions) -> UnitSet {
    load_all_with(opts, PARALLEL_LOAD_MIN)
}

/// `load_all`, on two threads from `parallel_min` sockets on.
fn load_all_with(opts: &LoaderOptions, parallel_min: usize) -> UnitSet {
    let (mut set, unresolved) = parallel::scan_and_load(opts.search_path(), parallel_min);
    // Nobody named these sockets, so systemd would say nothing; a daemon loading its
    // whole configuration should still say why a socket on disk is not there.
    for (name, why) in unresolved {
        let msg = match why {
            Unresolved::Loop => format!("Unit {name} not found: its alias symlinks form a loop."),
            Unresolved::Dangling => {
                format!("Unit {name} not found: its alias symlink points to a missing unit.")
            }
            Unresolved::Missing => continue,
        };
        set.diagnostics.push(bare(Severity::Warning, msg));
    }
    set
}

/// Below this many sockets `load_all` stays on one thread (and every small tree,
/// all tests included, gets diagnostics in the exact order systemd would print).
const PARALLEL_LOAD_MIN: usize = 256;

/// Load the named units (or unit file paths, whose directories are put in front of the
/// search path as `systemd-analyze verify` does) plus the services their sockets need.
/// A template path is loaded as its instance `i`, like systemd-analyze.
pub fn load_named(opts: &LoaderOptions, names_or_paths: &[String]) -> UnitSet {
    let mut search = Vec::new();
    let mut requested = Vec::new();
    for arg in names_or_paths {
        let (dir, base) = split_arg(arg);
        if let Some(d) = dir {
            if !search.contains(&d) {
                search.push(d);
            }
        }
        let name = match classify(&base) {
            Some(NameKind::Template) => {
                Some(dropin::replace_instance(&base, VERIFY_TEMPLATE_INSTANCE))
            }
            Some(_) => Some(base),
            None => None,
        };
        requested.push((arg.clone(), name));
    }
    for p in opts.search_path() {
        if !search.contains(&p) {
            search.push(p);
        }
    }
    let mut loader = Loader::new(search);
    for (arg, name) in &requested {
        let Some(name) = name else {
            loader.set.diagnostics.push(bare(
                Severity::Error,
                format!("Failed to prepare filename {arg}: Invalid argument"),
            ));
            continue;
        };
        if !is_loadable_type(name) {
            loader.set.diagnostics.push(Diagnostic::unit_warning(
                name.as_str(),
                "activator loads only .socket and .service units, skipping.",
            ));
            continue;
        }
        let real = loader.load(name);
        if let Some(msg) = loader.load_state_message(name, &real) {
            loader.set.diagnostics.push(bare(Severity::Error, msg));
        }
    }
    loader.set.requested = requested;
    loader.pair_sockets();
    loader.finish()
}

/// `dir/name.socket` → (absolute dir, name); a bare name has no directory.
fn split_arg(arg: &str) -> (Option<PathBuf>, String) {
    if !arg.contains('/') {
        return (None, arg.to_string());
    }
    let p = Path::new(arg);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let abs = normalize(&abs);
    let base = abs
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    (abs.parent().map(Path::to_path_buf), base)
}

fn is_loadable_type(name: &str) -> bool {
    matches!(dropin::unit_type(name), Some("socket") | Some("service"))
}

/// A message systemd prints bare (no `UNIT:` prefix), like `Unit foo.socket not found.`
fn bare(severity: Severity, message: String) -> Diagnostic {
    Diagnostic {
        severity,
        file: None,
        line: 0,
        unit: None,
        message,
    }
}

/// Lexer findings that make systemd's `config_parse()` fail for a unit's main fragment
/// (the unit then has load state `error`), with the errno text systemd prints. In
/// drop-ins the same findings are only warnings.
fn fatal_in_fragment(d: &Diagnostic) -> Option<&'static str> {
    if d.message.starts_with("String is not UTF-8 clean") {
        Some("Invalid argument")
    } else if d.message.starts_with("Line too long")
        || d.message.starts_with("Continuation line too long")
    {
        Some("No buffer space available")
    } else if d.is_error() {
        Some("Bad message")
    } else {
        None
    }
}

/// What loading a name gave. Nearly every name is its unit's real name, which then
/// needs no copy of its own.
#[derive(Debug)]
enum Outcome {
    /// No unit object (not found, masked, unreadable).
    NoUnit,
    /// A unit, under the name asked for.
    Itself,
    /// A unit under another (its real) name.
    Unit(String),
}

/// One load run: the name map, the host facts specifiers need, and the set being built.
struct Loader {
    map: Arc<NameMap>,
    /// The search path, shared with the set and the other chunks of a parallel load.
    search: Arc<[PathBuf]>,
    host: Arc<HostInfo>,
    set: UnitSet,
    /// Requested name → what loading it gave, so each unit loads once.
    seen: rustc_hash::FxHashMap<String, Outcome>,
    /// The search directories held open, shared by the threads of one load.
    dirs: Arc<SearchDirs>,
    /// What every unit file and drop-in of this load is read and lexed through.
    bufs: ReadBuffers,
    /// Why a fragment could not be read, for the load-state message (`%m`).
    open_errors: HashMap<String, String>,
    /// Names whose fragment lookup failed, and why.
    unresolved: BTreeMap<String, Unresolved>,
}

impl Loader {
    fn new(search: Vec<PathBuf>) -> Loader {
        Loader::new_watching(search, &mut |_| {})
    }

    /// `new`, with `NameMap::scan`'s count of the sockets seen so far.
    fn new_watching(search: Vec<PathBuf>, sockets_seen: &mut dyn FnMut(usize)) -> Loader {
        let mut diags = Diagnostics::new();
        let map = Arc::new(NameMap::scan(&search, &mut diags, sockets_seen));
        let dirs = Arc::new(SearchDirs::open(&search));
        let host = Arc::new(HostInfo::detect());
        Loader::with_map(map, dirs, search.into(), host, diags)
    }

    /// `dirs`: the search directories held open (empty: files open by full path).
    fn with_map(
        map: Arc<NameMap>,
        dirs: Arc<SearchDirs>,
        search: Arc<[PathBuf]>,
        host: Arc<HostInfo>,
        diags: Diagnostics,
    ) -> Loader {
        let set = UnitSet {
            diagnostics: diags,
            search_path: Arc::clone(&search),
            ..UnitSet::default()
        };
        Loader {
            map,
            search,
            host,
            set,
            seen: Default::default(),
            dirs,
            bufs: ReadBuffers::default(),
            open_errors: HashMap::new(),
            unresolved: BTreeMap::new(),
        }
    }

    fn finish(mut self) -> UnitSet {
        self.set.host = Some(self.host);
        self.set.map = Some(self.map);
        self.set
    }

    /// Load `name` (a `.socket` or `.service`) once; returns its real name when a unit
    /// object exists (loaded or bad-setting), recording failures in `unloaded`.
    fn load(&mut self, name: &str) -> Option<String> {
        self.load_once(name);
        self.real_name(name).map(str::to_string)
    }

    /// `load`, for callers that need no copy of the real name.
    fn load_once(&mut self, name: &str) {
        if self.seen.contains_key(name) {
            return;
        }
        let outcome = self.load_uncached(name);
        if let Outcome::Unit(real) = &outcome {
            self.seen.insert(real.clone(), Outcome::Itself);
        }
        self.seen.insert(name.to_string(), outcome);
    }

    /// The real name of a unit `load` has seen, when a unit object exists.
    fn real_name<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        match self.seen.get(name)? {
            Outcome::NoUnit => None,
            Outcome::Itself => Some(name),
            Outcome::Unit(real) => Some(real),
        }
    }

    fn load_uncached(&mut self, name: &str) -> Outcome {
        let map = &*self.map;
        let (fragment, names) = map.find_fragment(name);
        let fragment = match fragment {
            Ok(f) => f,
            Err(why) => {
                // systemd says only "not found" for all three; `load_all` explains.
                self.unresolved.insert(name.to_string(), why);
                self.set
                    .unloaded
                    .insert(name.to_string(), LoadState::NotFound);
                return Outcome::NoUnit;
            }
        };
        // The unit's id is the fragment's name, with our instance put into a template.
        let real = match (classify(fragment.name), dropin::instance_of(name)) {
            (Some(NameKind::Template), Some(inst)) => dropin::replace_instance(fragment.name, inst),
            _ => fragment.name.to_string(),
        };
        let mut aliases = Vec::new();
        for n in names.into_iter().filter(|n| *n != real) {
            self.set.aliases.insert(n.to_string(), real.clone());
            aliases.push(n.into_owned());
        }
        let other_name = (real != name).then(|| real.clone());
        if let Some(real) = &other_name {
            self.set.aliases.insert(name.to_string(), real.clone());
            if self.seen.contains_key(real) {
                return match self.real_name(real) {
                    None => Outcome::NoUnit,
                    Some(r) if r == name => Outcome::Itself,
                    Some(r) => Outcome::Unit(r.to_string()),
                };
            }
        }
        let mut path = std::mem::take(&mut self.bufs.path);
        map.write_path(&fragment, &mut path);
        let at = (fragment.dir, fragment.regular);
        let built = self.read_and_build(real, &path, at, aliases);
        self.bufs.path = path;
        match other_name {
            _ if !built => Outcome::NoUnit,
            None => Outcome::Itself,
            Some(real) => Outcome::Unit(real),
        }
    }

    /// Read the fragment `real` resolved to (`at`: its search directory and whether the
    /// scan saw a regular file) and its drop-ins (through `self.bufs`), and build the
    /// unit; false when no unit object exists.
    fn read_and_build(
        &mut self,
        real: String,
        fragment: &Path,
        (dir, regular): (usize, bool),
        aliases: Vec<String>,
    ) -> bool {
        let name = fragment.file_name().and_then(|n| n.to_str());
        let at = self.dirs.get(dir).zip(name);
        match read_unit_file(fragment, at, regular, &mut self.bufs.file) {
            Ok(UnitFile::Masked) => {
                self.set.unloaded.insert(real, LoadState::Masked);
                return false;
            }
            Ok(UnitFile::NotAFile) => {
                self.set.unloaded.insert(real, LoadState::NotFound);
                return false;
            }
            Ok(UnitFile::Text) => {}
            Err(e) => {
                self.fail_open(&real, fragment, &e);
                return false;
            }
        }
        let kind = if real.ends_with(".socket") {
            UnitKind::Socket
        } else {
            UnitKind::Service
        };
        let map = &self.map;
        let dirs = dropin::dropin_dirs(
            &self.search,
            &|d, e| map.has_entry(d, e),
            &real,
            &aliases,
            ".d",
        );
        let mut diags = Diagnostics::new();
        let dropins = dropin::conf_files(&dirs, &|d| map.real_dir(d), &mut diags);
        let sections = table::known_sections(kind);
        // One path for the assignments and the unit's source.
        let file: Arc<Path> = Arc::from(fragment);
        let mut assignments = std::mem::take(&mut self.bufs.assignments);
        let lexed_from = diags.len();
        let text = self.bufs.file.text();
        self.bufs
            .lex
            .lex_into(text, &file, sections, &mut assignments, &mut diags);
        if let Some(errno) = diags[lexed_from..].iter().find_map(fatal_in_fragment) {
            self.set.diagnostics.extend(diags);
            self.set.unloaded.insert(real.clone(), LoadState::Error);
            self.open_errors.insert(real, errno.to_string());
            return false;
        }
        let mut applied = Vec::new();
        for d in &dropins {
            match read_unit_file(d, None, false, &mut self.bufs.file) {
                Ok(UnitFile::Masked | UnitFile::NotAFile) => applied.push(d.clone()),
                Ok(UnitFile::Text) => {
                    let (text, file) = (self.bufs.file.text(), Arc::from(d.as_path()));
                    self.bufs
                        .lex
                        .lex_into(text, &file, sections, &mut assignments, &mut diags);
                    applied.push(d.clone());
                }
                // A dangling drop-in link is listed but contributes nothing, silently
                // (config_parse() ignores ENOENT); other errors are worth a line.
                Err(e) if e.kind() == io::ErrorKind::NotFound => applied.push(d.clone()),
                Err(e) => diags.push(Diagnostic::warning_at(
                    d,
                    0,
                    format!(
                        "Failed to open configuration file '{}': {}",
                        d.display(),
                        errno_text(&e)
                    ),
                )),
            }
        }
        let ctx = SpecifierContext {
            unit_name: &real,
            fragment: Some(fragment),
            host: &self.host,
        };
        // Only an instance of a template keeps a copy of its source (for `instantiate`).
        let template = dropin::template_of(&real);
        let source = UnitSource {
            fragment: Some(file),
            line: 0,
            // Most units have none: no group stored for them.
            dropins: if applied.is_empty() {
                Sparse::default()
            } else {
                applied.into()
            },
        };
        let kept_source = template.as_ref().map(|_| source.clone());
        let (unit, build_diags) = table::build_unit(&real, &assignments, &ctx, source);
        diags.extend(build_diags);
        self.set.diagnostics.extend(diags);
        match unit {
            Unit::Socket(s) => {
                self.set.sockets.insert(real, Arc::new(s));
            }
            Unit::Service(s) => {
                if let (Some(t), Some(source)) = (template, kept_source) {
                    let kept = std::mem::take(&mut assignments);
                    self.remember_template(&t, &real, &s, kept, source);
                }
                self.set.services.insert(real, Arc::new(s));
            }
        }
        assignments.clear();
        self.bufs.assignments = assignments;
        true
    }

    fn fail_open(&mut self, real: &str, fragment: &Path, e: &io::Error) {
        let text = errno_text(e);
        self.set.diagnostics.push(Diagnostic::unit_warning(
            real,
            format!("Failed to open {}: {}", fragment.display(), text),
        ));
        // systemd 252 then reports the unit as not found (checked with a symlink loop).
        self.set
            .unloaded
            .insert(real.to_string(), LoadState::NotFound);
    }

    /// Keep what `instantiate` needs: the template's merged assignments.
    fn remember_template(
        &mut self,
        template: &str,
        instance_name: &str,
        unit: &ServiceUnit,
        assignments: Vec<Assignment>,
        source: UnitSource,
    ) {
        if self.set.templates.contains_key(template) {
            return;
        }
        let has_specifiers = assignments.iter().any(|a| a.value().contains('%'));
        let mut unit = unit.clone();
        unit.name = instance_name.to_string();
        self.set.templates.insert(
            template.to_string(),
            Arc::new(TemplateSource {
                assignments,
                source,
                has_specifiers,
                unit,
            }),
        );
    }

    /// The message `systemd-analyze verify` prints for a named unit that is not usable
    /// (`bus_unit_validate_load_state()`).
    fn load_state_message(&self, name: &str, real: &Option<String>) -> Option<String> {
        let real_name = real.clone().unwrap_or_else(|| {
            self.set
                .aliases
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.to_string())
        });
        let state = self.set.load_state(&real_name)?;
        match state {
            LoadState::Loaded => None,
            LoadState::NotFound => Some(format!("Unit {name} not found.")),
            LoadState::Masked => Some(format!("Unit {name} is masked.")),
            LoadState::BadSetting => Some(format!("Unit {name} has a bad unit file setting.")),
            LoadState::Error => Some(format!(
                "Unit {name} failed to load properly, please adjust/correct and reload service manager: {}",
                self.open_errors
                    .get(&real_name)
                    .map(String::as_str)
                    .unwrap_or("Input/output error")
            )),
        }
    }

    /// Load the sockets `names` and pair each with its service. Returns the names
    /// that did not resolve among `names` themselves: why a service is missing is
    /// said by the socket's "not loaded" error.
    fn load_sockets(&mut self, names: &[String]) -> BTreeMap<String, Unresolved> {
        for name in names {
            self.load_once(name);
        }
        let unresolved = std::mem::take(&mut self.unresolved);
        self.pair_sockets();
        unresolved
    }

    /// systemd-analyze's `verify_socket()`: every loaded socket needs a loaded service
    /// (`Service=`, `NAME.service`, or for `Accept=yes` the template `PREFIX@.service`).
    fn pair_sockets(&mut self) {
        let sockets: Vec<Arc<SocketUnit>> = self
            .set
            .sockets
            .values()
            .filter(|s| s.load_state == LoadState::Loaded && s.builtin.is_none())
            .cloned()
            .collect();
        for socket in sockets {
            let service = socket.service_name();
            let ok = if socket.accept {
                self.load_template(&service)
            } else {
                self.load_once(&service);
                self.real_name(&service).is_some_and(|r| {
                    self.set
                        .services
                        .get(r)
                        .is_some_and(|s| s.load_state == LoadState::Loaded)
                })
            };
            if !ok {
                // The template is kept under its own name for `instantiate`; systemd
                // reports it as the instance it probes with.
                let shown = if socket.accept {
                    dropin::replace_instance(&service, ACCEPT_PROBE_INSTANCE)
                } else {
                    service
                };
                self.set.diagnostics.push(Diagnostic::unit_error(
                    socket.name.as_str(),
                    format!("service {shown} not loaded, socket cannot be started."),
                ));
                self.set.missing_service.insert(socket.name.clone(), shown);
            }
        }
    }

    /// Load `foo@.service` for an `Accept=yes` socket: as the probe instance, then keep
    /// the result under the template name too.
    fn load_template(&mut self, template: &str) -> bool {
        if classify(template) != Some(NameKind::Template) {
            return false;
        }
        let probe = dropin::replace_instance(template, ACCEPT_PROBE_INSTANCE);
        let Some(real) = self.load(&probe) else {
            return false;
        };
        let Some(unit) = self.set.services.remove(&real) else {
            return false;
        };
        let ok = unit.load_state == LoadState::Loaded;
        // Shown and instantiated as the template; the probe instance is not a real unit.
        let real_template = dropin::template_of(&real).unwrap_or_else(|| template.to_string());
        let mut t = unit;
        Arc::make_mut(&mut t).name = real_template.clone();
        self.set.services.insert(real_template.clone(), t);
        if real_template != template {
            self.set
                .aliases
                .insert(template.to_string(), real_template.clone());
            if let Some(src) = self.set.templates.get(&real_template).cloned() {
                self.set.templates.insert(template.to_string(), src);
            }
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// The two-thread load (chunks taken as the threads go) gives what one thread
    /// gives: the same units, load states and diagnostics, and a service that
    /// sockets in several chunks share says its warning once.
    #[test]
    fn parallel_load_matches_sequential() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        for i in 0..300 {
            let extra = match i % 50 {
                0 => "Service=shared.service\n",
                7 => "ListenStream=nonsense:port\n",
                _ => "",
            };
            fs::write(
                d.join(format!("s{i}.socket")),
                format!("[Socket]\nListenStream=127.0.0.1:{}\n{extra}", 10000 + i),
            )
            .unwrap();
            if i % 50 != 0 && i % 61 != 3 {
                fs::write(
                    d.join(format!("s{i}.service")),
                    format!("[Service]\nExecStart=/bin/true {i}\nBogus{}=1\n", i % 3),
                )
                .unwrap();
            }
        }
        fs::write(
            d.join("shared.service"),
            "[Service]\nExecStart=/bin/true\nUnknownKey=1\n",
        )
        .unwrap();
        let opts = LoaderOptions {
            unit_paths: vec![d.to_path_buf()],
        };
        let one = load_all_with(&opts, usize::MAX);
        let two = load_all_with(&opts, 1);
        let states = |s: &UnitSet| {
            let sockets: Vec<_> = s
                .sockets
                .iter()
                .map(|(k, v)| (k.clone(), v.load_state))
                .collect();
            let services: Vec<_> = s
                .services
                .iter()
                .map(|(k, v)| (k.clone(), v.load_state))
                .collect();
            (
                sockets,
                services,
                s.unloaded.clone(),
                s.missing_service.clone(),
            )
        };
        assert_eq!(states(&one), states(&two));
        let sorted = |s: &UnitSet| {
            let mut v: Vec<String> = s.diagnostics.iter().map(|d| d.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(sorted(&one), sorted(&two));
        let shared = |s: &UnitSet| {
            s.diagnostics
                .iter()
                .filter(|d| d.message.contains("UnknownKey"))
                .count()
        };
        assert_eq!(shared(&two), 1);
        assert!(one.missing_service.len() >= 4, "{:?}", one.missing_service);
    }

    #[test]
    fn env_unit_path() {
        assert_eq!(
            unit_path_from_env("/a:/b"),
            vec![PathBuf::from("/a"), PathBuf::from("/b")]
        );
        assert_eq!(
            unit_path_from_env("/a:").len(),
            1 + DEFAULT_SYSTEM_UNIT_PATH.len()
        );
    }

    #[test]
    fn split_arg_makes_paths_absolute() {
        let (d, b) = split_arg("/x/y/../z/foo.socket");
        assert_eq!(d, Some(PathBuf::from("/x/z")));
        assert_eq!(b, "foo.socket");
        assert_eq!(split_arg("foo.socket"), (None, "foo.socket".to_string()));
    }
}
