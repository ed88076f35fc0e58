//! `UnitSet`: what a load produced (units, diagnostics, what could not load), and
//! what it keeps to instantiate templates later without reading the disk again.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use super::name_map::NameMap;
use super::Loader;
use crate::diag::Diagnostics;
use crate::unit::dropin::{self, classify};
use crate::unit::lexer::Assignment;
use crate::unit::model::{LoadState, ServiceUnit, SocketUnit, Unit, UnitSource};
use crate::unit::specifier::{HostInfo, SpecifierContext};
use crate::unit::table;

/// What a template needs to be instantiated again for a new instance without touching
/// the disk: its merged assignments and where they came from.
#[derive(Debug)]
pub(super) struct TemplateSource {
    pub(super) assignments: Vec<Assignment>,
    pub(super) source: UnitSource,
    /// No `%` anywhere: an instance is the template with another name.
    pub(super) has_specifiers: bool,
    /// The template built under an instance name, for the fast path.
    pub(super) unit: ServiceUnit,
}

/// `map.extend(added)` (a later entry replaces an earlier one of the same name), with
/// the tree built in one pass from sorted entries rather than by one insert per entry.
fn extend_in_bulk<V>(map: &mut BTreeMap<String, V>, added: Vec<(String, V)>) {
    if added.is_empty() {
        return;
    }
    let mut all: Vec<(String, V)> = std::mem::take(map).into_iter().collect();
    all.extend(added);
    // Stable: of equal names, the one added later stays later and is the one kept.
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let mut kept: Vec<(String, V)> = Vec::with_capacity(all.len());
    for entry in all {
        if kept.last().is_some_and(|last| last.0 == entry.0) {
            kept.pop();
        }
        kept.push(entry);
    }
    *map = kept.into_iter().collect();
}

/// Everything loaded, plus what could not be.
#[derive(Debug, Clone, Default)]
pub struct UnitSet {
    /// Parsed sockets (`Loaded` or `BadSetting`), by real name.
    pub sockets: BTreeMap<String, Arc<SocketUnit>>,
    /// Parsed services (`Loaded` or `BadSetting`), by real name; templates appear as
    /// `foo@.service` (built with an empty instance).
    pub services: BTreeMap<String, Arc<ServiceUnit>>,
    /// All diagnostics, in the order they were found.
    pub diagnostics: Diagnostics,
    /// Units asked for that have no usable definition: `NotFound`, `Masked`, `Error`.
    pub unloaded: BTreeMap<String, LoadState>,
    /// Alias name → real name (`syslog.service` → `rsyslog.service`).
    pub aliases: BTreeMap<String, String>,
    /// Sockets that cannot be started because their service did not load, → that service.
    pub missing_service: BTreeMap<String, String>,
    /// For `load_named`: each argument and the unit name it resolved to (None when the
    /// argument is not a valid unit name).
    pub requested: Vec<(String, Option<String>)>,
    pub(super) search_path: Arc<[PathBuf]>,
    pub(super) templates: BTreeMap<String, Arc<TemplateSource>>,
    pub(super) host: Option<Arc<HostInfo>>,
    pub(super) map: Option<Arc<NameMap>>,
}

impl UnitSet {
    /// The service unit for `instance` of `template` (`foo@.service`), as systemd would
    /// load `foo@instance.service`. Re-applies specifiers only when the template has any.
    pub fn instantiate(&self, template: &str, instance: &str) -> Option<ServiceUnit> {
        let src = self.templates.get(template)?;
        let name = dropin::replace_instance(template, instance);
        if self.instance_differs(&name, instance, src) {
            return self.load_fresh(&name);
        }
        if !src.has_specifiers {
            let mut unit = src.unit.clone();
            unit.name = name;
            return Some(unit);
        }
        let host = self
            .host
            .clone()
            .unwrap_or_else(|| Arc::new(HostInfo::detect()));
        let ctx = SpecifierContext {
            unit_name: &name,
            fragment: src.source.fragment.as_deref(),
            host: &host,
        };
        match table::build_unit(&name, &src.assignments, &ctx, src.source.clone()).0 {
            Unit::Service(s) => Some(s),
            Unit::Socket(_) => None,
        }
    }

    /// Whether `foo@instance.service` has a fragment or drop-in directory of its own, so
    /// it is not just the template with another name.
    fn instance_differs(&self, name: &str, instance: &str, src: &TemplateSource) -> bool {
        let Some(map) = &self.map else { return false };
        if !map.has_service_instances {
            return false;
        }
        let fragment = map.find_fragment(name).0.ok().map(|f| map.path(&f));
        if fragment.as_deref() != src.source.fragment.as_deref() {
            return true;
        }
        let marker = format!("@{instance}.");
        dropin::dropin_dirs(
            &self.search_path,
            &|d, e| map.has_entry(d, e),
            name,
            &[],
            ".d",
        )
        .iter()
        .any(|d| d.to_string_lossy().contains(&marker))
    }

    /// Load one service from disk with the set's name map (slow path of `instantiate`).
    fn load_fresh(&self, name: &str) -> Option<ServiceUnit> {
        let map = Arc::clone(self.map.as_ref()?);
        let host = self
            .host
            .clone()
            .unwrap_or_else(|| Arc::new(HostInfo::detect()));
        let mut loader = Loader::with_map(
            map,
            Arc::default(),
            Arc::clone(&self.search_path),
            host,
            Diagnostics::new(),
        );
        let real = loader.load(name)?;
        loader.set.services.remove(&real).map(Arc::unwrap_or_clone)
    }

    /// Whether `template` came from a unit file (its raw assignments are kept).
    pub fn has_template_source(&self, template: &str) -> bool {
        self.templates.contains_key(template)
    }

    /// The template's unit when it has no specifiers to re-apply: every instance
    /// is that unit under another name, so the engine can share one copy.
    pub fn static_template(&self, template: &str) -> Option<&ServiceUnit> {
        self.templates
            .get(template)
            .filter(|src| !src.has_specifiers)
            .map(|src| &src.unit)
    }

    /// Units linked into `TARGET.wants/` directories of the search path (what
    /// `systemctl enable` made `WantedBy=TARGET`), sorted.
    pub fn wanted_by(&self, target: &str) -> Vec<String> {
        let mut out = BTreeSet::new();
        for dir in self.search_path.iter() {
            let Ok(entries) = fs::read_dir(dir.join(format!("{target}.wants"))) else {
                continue;
            };
            for e in entries.flatten() {
                if let Ok(name) = e.file_name().into_string() {
                    if classify(&name).is_some() {
                        out.insert(name);
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// Merge units made elsewhere (inetd.conf) into the set; same names replace.
    pub fn add_units(
        &mut self,
        sockets: Vec<SocketUnit>,
        services: Vec<ServiceUnit>,
        diags: Diagnostics,
    ) {
        // Built in one pass (an inetd.conf gives hundreds of units at start-up).
        let sockets = sockets.into_iter().map(|s| (s.name.clone(), Arc::new(s)));
        extend_in_bulk(&mut self.sockets, sockets.collect());
        let services = services.into_iter().map(|s| (s.name.clone(), Arc::new(s)));
        extend_in_bulk(&mut self.services, services.collect());
        self.diagnostics.extend(diags);
    }

    /// Merge another loaded set into this one (same names replace), keeping what
    /// `instantiate` needs for its templates — unlike `add_units`, which only has units.
    pub fn merge(&mut self, other: UnitSet) {
        self.sockets.extend(other.sockets);
        self.services.extend(other.services);
        self.diagnostics.extend(other.diagnostics);
        self.unloaded.extend(other.unloaded);
        self.aliases.extend(other.aliases);
        self.missing_service.extend(other.missing_service);
        self.requested.extend(other.requested);
        self.templates.extend(other.templates);
        self.adopt_context(other.host, other.map, other.search_path);
    }

    /// `merge` of each part in turn (same names: the later part wins), but every map is
    /// built once from all the parts' entries: inserting a large load's units one by one
    /// into growing trees was most of the serial end of a two-thread load.
    pub(super) fn merge_all(&mut self, parts: Vec<UnitSet>) {
        let mut sockets = Vec::new();
        let mut services = Vec::new();
        let mut unloaded = Vec::new();
        let mut aliases = Vec::new();
        let mut missing_service = Vec::new();
        let mut templates = Vec::new();
        for part in parts {
            sockets.extend(part.sockets);
            services.extend(part.services);
            self.diagnostics.extend(part.diagnostics);
            unloaded.extend(part.unloaded);
            aliases.extend(part.aliases);
            missing_service.extend(part.missing_service);
            self.requested.extend(part.requested);
            templates.extend(part.templates);
            self.adopt_context(part.host, part.map, part.search_path);
        }
        extend_in_bulk(&mut self.sockets, sockets);
        extend_in_bulk(&mut self.services, services);
        extend_in_bulk(&mut self.unloaded, unloaded);
        extend_in_bulk(&mut self.aliases, aliases);
        extend_in_bulk(&mut self.missing_service, missing_service);
        extend_in_bulk(&mut self.templates, templates);
    }

    /// Take the host facts and name map of a merged set when this one has none.
    fn adopt_context(
        &mut self,
        host: Option<Arc<HostInfo>>,
        map: Option<Arc<NameMap>>,
        search_path: Arc<[PathBuf]>,
    ) {
        if self.host.is_none() {
            self.host = host;
        }
        if self.map.is_none() {
            self.map = map;
            self.search_path = search_path;
        }
    }

    /// The search path the set was loaded from.
    pub fn search_path(&self) -> &[PathBuf] {
        &self.search_path
    }

    /// Load state of `name` (aliases resolved); None when it was never asked for.
    pub fn load_state(&self, name: &str) -> Option<LoadState> {
        let real = self.aliases.get(name).map(String::as_str).unwrap_or(name);
        if let Some(s) = self.sockets.get(real) {
            return Some(s.load_state);
        }
        if let Some(s) = self.services.get(real) {
            return Some(s.load_state);
        }
        self.unloaded.get(real).copied()
    }
}
