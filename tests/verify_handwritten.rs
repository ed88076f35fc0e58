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

/// Stage the fixture case `name`.
fn stage_case(name: &str) -> (tempfile::TempDir, Vec<PathBuf>) {
    let c = cases().into_iter().find(|c| c.name == name).expect("case");
    stage(&c)
}

/// Stage the case `name` and load `unit` from its first directory by path.
fn load_case(name: &str, unit: &str) -> (tempfile::TempDir, activator::unit::loader::UnitSet) {
    let (tmp, search) = stage_case(name);
    let arg = search[0].join(unit).display().to_string();
    let set = load_named(&LoaderOptions { unit_paths: search }, &[arg]);
    (tmp, set)
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
    let (_t, set) = load_case("mask-devnull", "m.socket");
    assert_eq!(set.load_state("m.socket"), Some(LoadState::Masked));
    let (_t, set) = load_case("alias-socket", "al.socket");
    assert_eq!(
        set.aliases.get("al.socket").map(String::as_str),
        Some("real.socket")
    );
    assert!(set.sockets.contains_key("real.socket"));
    let (_t, set) = load_case("alias-loop", "l1.socket");
    assert_eq!(set.load_state("l1.socket"), Some(LoadState::NotFound));
    let (_t, set) = load_case("accept-yes", "e.socket");
    assert!(set.services.contains_key("e@.service"));
    let inst = set
        .instantiate("e@.service", "7-127.0.0.1:7001-127.0.0.1:5555")
        .expect("instance");
    assert_eq!(inst.name, "e@7-127.0.0.1:7001-127.0.0.1:5555.service");
    let (_t, set) = load_case("accept-no-missing-service", "n.socket");
    assert_eq!(
        set.missing_service.get("n.socket").map(String::as_str),
        Some("n.service")
    );
    let (_t, set) = load_case("wants-dir", "w.socket");
    assert_eq!(
        set.wanted_by("sockets.target"),
        vec!["w.socket".to_string()]
    );
    let (_t, set) = load_case("dropin-order", "d.socket");
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
    let (_tmp, set) = load_case("dropin-template", "e.socket");
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
    let (_tmp, search) = stage_case("dropin-instance-specific");
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

/// `run_verify` end to end: exit status, `--dump`, `--json`, whole-path mode, inetd.
mod run_verify_cli {
    use activator::inetd::InetdOptions;
    use activator::verify::{run_verify, VerifyOptions};
    use std::fs;

    fn verify(opts: &VerifyOptions) -> (i32, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let rc = run_verify(opts, &mut out, &mut err);
        (
            rc,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for (name, text) in files {
            fs::write(t.path().join(name), text).unwrap();
        }
        t
    }

    #[test]
    fn valid_pair_is_quiet_and_dumps() {
        let t = dir_with(&[
            ("e.socket", "[Socket]\nListenStream=127.0.0.1:7101\n"),
            ("e.service", "[Service]\nExecStart=/bin/true\n"),
        ]);
        let opts = VerifyOptions {
            unit_paths: vec![t.path().to_path_buf()],
            units: vec![t.path().join("e.socket").display().to_string()],
            dump: true,
            ..VerifyOptions::default()
        };
        let (rc, out, err) = verify(&opts);
        assert_eq!((rc, err.as_str()), (0, ""));
        assert!(out.contains("127.0.0.1:7101"), "dump: {out}");
        assert!(out.contains("/bin/true"), "dump: {out}");
    }

    #[test]
    fn json_is_an_array_of_units() {
        let t = dir_with(&[
            (
                "e.socket",
                "[Socket]\nListenStream=127.0.0.1:7102\nAccept=yes\n",
            ),
            ("e@.service", "[Service]\nExecStart=/bin/cat\n"),
        ]);
        let opts = VerifyOptions {
            unit_paths: vec![t.path().to_path_buf()],
            units: vec![t.path().join("e.socket").display().to_string()],
            json: true,
            ..VerifyOptions::default()
        };
        let (rc, out, _) = verify(&opts);
        assert_eq!(rc, 0);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let names: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["e.socket", "e@.service"]);
    }

    #[test]
    fn syntax_warnings_and_missing_services_fail() {
        let t = dir_with(&[
            (
                "w.socket",
                "[Socket]\nListenStream=127.0.0.1:7103\nAccept=maybe\n",
            ),
            ("w.service", "[Service]\nExecStart=/bin/true\n"),
            ("n.socket", "[Socket]\nListenStream=127.0.0.1:7104\n"),
        ]);
        let one = |u: &str| VerifyOptions {
            unit_paths: vec![t.path().to_path_buf()],
            units: vec![t.path().join(u).display().to_string()],
            ..VerifyOptions::default()
        };
        let (rc, _, err) = verify(&one("w.socket"));
        assert_eq!(rc, 1);
        assert!(
            err.contains("w.socket:3: Failed to parse boolean value, ignoring: maybe"),
            "{err}"
        );
        let (rc, _, err) = verify(&one("n.socket"));
        assert_eq!(rc, 1);
        assert!(err.contains("n.socket: service n.service not loaded, socket cannot be started."));
        let (rc, _, err) = verify(&one("gone.socket"));
        assert_eq!(rc, 1);
        assert!(err.contains("Unit gone.socket not found."), "{err}");
    }

    #[test]
    fn no_arguments_verifies_every_socket_on_the_path() {
        let t = dir_with(&[
            ("a.socket", "[Socket]\nListenStream=127.0.0.1:7105\n"),
            ("a.service", "[Service]\nExecStart=/bin/true\n"),
            ("b.socket", "[Socket]\nListenStream=127.0.0.1:7106\n"),
        ]);
        let opts = VerifyOptions {
            unit_paths: vec![t.path().to_path_buf()],
            ..VerifyOptions::default()
        };
        let (rc, _, err) = verify(&opts);
        assert_eq!(rc, 1);
        assert!(
            err.contains("b.socket: service b.service not loaded"),
            "{err}"
        );
        assert!(!err.contains("a.socket"), "{err}");
    }

    #[test]
    fn inetd_units_are_merged() {
        let t = dir_with(&[("inetd.conf", "echo stream tcp nowait root internal\n")]);
        let services = t.path().join("services");
        fs::write(&services, "echo 7/tcp\necho 7/udp\n").unwrap();
        let opts = VerifyOptions {
            unit_paths: vec![t.path().join("none")],
            inetd_confs: vec![t.path().join("inetd.conf")],
            inetd: InetdOptions {
                services_file: services,
                ..InetdOptions::default()
            },
            json: true,
            ..VerifyOptions::default()
        };
        let (rc, out, err) = verify(&opts);
        assert_eq!(rc, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert!(!v.as_array().unwrap().is_empty(), "{out}");
    }
}

/// `load_all` (no names given) explains sockets it had to leave out.
#[test]
fn load_all_explains_alias_loops() {
    let (_tmp, search) = stage_case("alias-loop");
    let set = activator::unit::loader::load_all(&LoaderOptions { unit_paths: search });
    let msgs: Vec<String> = set.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m == "Unit l1.socket not found: its alias symlinks form a loop."),
        "{msgs:?}"
    );
    assert!(set.sockets.is_empty());
}

/// `merge` keeps template sources, so instances of merged-in templates still re-apply
/// specifiers.
#[test]
fn merge_keeps_templates() {
    let (_tmp, named) = load_case("dropin-template", "e.socket");
    let mut all = activator::unit::loader::UnitSet::default();
    all.merge(named);
    let a = all.instantiate("e@.service", "one").expect("one");
    assert_eq!(a.exec_start[0].argv, ["/bin/echo", "one"]);
}

/// A unit that cannot be opened (symlink loop) gets one diagnostic; the others load.
#[test]
fn unreadable_unit_does_not_stop_the_others() {
    let (_tmp, search) = stage_case("symlink-loop-outside");
    std::fs::write(
        search[0].join("ok.socket"),
        "[Socket]\nListenStream=127.0.0.1:7110\n",
    )
    .unwrap();
    std::fs::write(
        search[0].join("ok.service"),
        "[Service]\nExecStart=/bin/true\n",
    )
    .unwrap();
    let set = activator::unit::loader::load_all(&LoaderOptions { unit_paths: search });
    assert_eq!(set.load_state("ok.socket"), Some(LoadState::Loaded));
    assert_eq!(set.load_state("k.socket"), Some(LoadState::NotFound));
    let about_k: Vec<String> = set
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .filter(|m| m.contains("k.socket"))
        .collect();
    assert_eq!(about_k.len(), 1, "{about_k:?}");
    assert!(
        about_k[0].contains("Too many levels of symbolic links"),
        "{about_k:?}"
    );
}
