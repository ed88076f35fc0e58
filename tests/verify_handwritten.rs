//! Differential test over hand-written tricky units (tests/fixtures/units/*/): quoting,
//! continuations, drop-ins, templates, specifiers, bad values, masks, aliases. Each case
//! directory has a `CASE` file (`path: DIR…` search path relative to the case, `verify:
//! UNIT` per verify run); every run is compared with `systemd-analyze verify`.
//!
//! Where the local systemd (252) and current systemd differ, we follow current systemd
//! and list the case in `KNOWN_DIFFERENCES` with the reason.

#[path = "verify_support/oracle.rs"]
mod oracle;

use std::fs;
use std::path::{Path, PathBuf};

use activator::unit::loader::{load_named, LoaderOptions};
use activator::unit::model::LoadState;

/// (case/unit, substring of the mismatch line, why it is accepted).
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[(
    "specifiers-instance-escaped/e@-run-x.service",
    "Failed to resolve unit specifiers in %f",
    "unit::specifier reports EBADSLT (\"Invalid slot\") where systemd's \
     unit_name_path_unescape() fails with EINVAL; the unit is refused the same way",
)];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/units")
}

struct Case {
    name: String,
    path: Vec<String>,
    verify: Vec<String>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = fs::read_dir(fixtures())
        .expect("fixtures")
        .flatten()
        .collect();
    dirs.sort_by_key(|d| d.file_name());
    for d in dirs {
        let Ok(spec) = fs::read_to_string(d.path().join("CASE")) else {
            continue;
        };
        let mut c = Case {
            name: d.file_name().to_string_lossy().into_owned(),
            path: vec![".".into()],
            verify: Vec::new(),
        };
        for line in spec.lines() {
            if let Some(p) = line.strip_prefix("path:") {
                c.path = p.split_whitespace().map(String::from).collect();
            } else if let Some(v) = line.strip_prefix("verify:") {
                c.verify.push(v.trim().to_string());
            }
        }
        out.push(c);
    }
    out
}

/// Copy a case into a scratch dir; returns (tempdir, search path incl. stub dir).
fn stage(case: &Case) -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("case");
    oracle::copy_tree(&fixtures().join(&case.name), &root);
    let stubs = tmp.path().join("stubs");
    oracle::write_stubs(&stubs);
    let mut search: Vec<PathBuf> = case
        .path
        .iter()
        .map(|p| if p == "." { root.clone() } else { root.join(p) })
        .collect();
    search.push(stubs);
    (tmp, search)
}

#[test]
fn there_are_at_least_sixty_fixtures() {
    assert!(cases().len() >= 60, "only {} fixture cases", cases().len());
}

#[test]
fn handwritten_units_match_systemd_analyze() {
    if oracle::systemd_analyze().is_none() {
        eprintln!("SKIP: systemd-analyze not installed; differential test not run");
        return;
    }
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in cases() {
        let (tmp, search) = stage(&case);
        for unit in &case.verify {
            runs += 1;
            let cmp = oracle::compare(&search, unit, tmp.path());
            for n in &cmp.notes {
                eprintln!("note: {}: {n}", case.name);
            }
            for m in cmp.mismatches {
                let key = format!("{}/{}", case.name, unit);
                let known = KNOWN_DIFFERENCES
                    .iter()
                    .find(|(k, sub, _)| *k == key && m.contains(sub));
                match known {
                    Some((_, _, why)) => eprintln!("known difference: {key}: {m} ({why})"),
                    None => failures.push(format!("{}: {m}", case.name)),
                }
            }
        }
    }
    eprintln!("{runs} verify runs compared");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Loader facts that do not need systemd-analyze.
#[test]
fn loader_resolves_masks_aliases_and_templates() {
    let run = |case: &str, unit: &str| {
        let c = cases().into_iter().find(|c| c.name == case).expect("case");
        let (tmp, search) = stage(&c);
        let arg = search[0].join(unit).display().to_string();
        let set = load_named(&LoaderOptions { unit_paths: search }, &[arg]);
        (tmp, set)
    };
    let (_t, set) = run("mask-devnull", "m.socket");
    assert_eq!(set.load_state("m.socket"), Some(LoadState::Masked));
    let (_t, set) = run("alias-socket", "al.socket");
    assert_eq!(
        set.aliases.get("al.socket").map(String::as_str),
        Some("real.socket")
    );
    assert!(set.sockets.contains_key("real.socket"));
    let (_t, set) = run("alias-loop", "l1.socket");
    assert_eq!(set.load_state("l1.socket"), Some(LoadState::NotFound));
    let (_t, set) = run("accept-yes", "e.socket");
    assert!(set.services.contains_key("e@.service"));
    let inst = set
        .instantiate("e@.service", "7-127.0.0.1:7001-127.0.0.1:5555")
        .expect("instance");
    assert_eq!(inst.name, "e@7-127.0.0.1:7001-127.0.0.1:5555.service");
    let (_t, set) = run("accept-no-missing-service", "n.socket");
    assert_eq!(
        set.missing_service.get("n.socket").map(String::as_str),
        Some("n.service")
    );
    let (_t, set) = run("wants-dir", "w.socket");
    assert_eq!(
        set.wanted_by("sockets.target"),
        vec!["w.socket".to_string()]
    );
    let (_t, set) = run("dropin-order", "d.socket");
    let names: Vec<String> = set.sockets["d.socket"]
        .source
        .dropins
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["10-a.conf", "20-b.conf", "9-c.conf"]);
}

/// Specifiers are re-applied per instance; a template without `%` is cloned.
#[test]
fn instantiate_reapplies_specifiers() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "dropin-template")
        .expect("case");
    let (_tmp, search) = stage(&c);
    let arg = search[0].join("e.socket").display().to_string();
    let set = load_named(&LoaderOptions { unit_paths: search }, &[arg]);
    let a = set.instantiate("e@.service", "one").expect("one");
    let b = set.instantiate("e@.service", "two").expect("two");
    assert_eq!(a.exec_start[0].argv, ["/bin/echo", "one"]);
    assert_eq!(b.exec_start[0].argv, ["/bin/echo", "two"]);
    assert_eq!(a.exec.user.as_deref(), Some("daemon"));
    assert!(set.instantiate("nope@.service", "x").is_none());
}

/// An instance with its own drop-in directory or fragment is loaded from disk.
#[test]
fn instantiate_honours_instance_specific_files() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "dropin-instance-specific")
        .expect("case");
    let (_tmp, search) = stage(&c);
    let dir = search[0].clone();
    std::fs::write(
        dir.join("e.socket"),
        "[Socket]\nListenStream=127.0.0.1:7099\nAccept=yes\n",
    )
    .unwrap();
    let arg = dir.join("e.socket").display().to_string();
    let set = load_named(&LoaderOptions { unit_paths: search }, &[arg]);
    let x = set.instantiate("e@.service", "x").expect("x");
    let y = set.instantiate("e@.service", "y").expect("y");
    assert_eq!(x.exec.user.as_deref(), Some("root"));
    assert_eq!(y.exec.user.as_deref(), Some("daemon"));
    assert_eq!(x.name, "e@x.service");
}
