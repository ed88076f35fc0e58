//! Differential test over real Debian units (../shared/corpus/units/PACKAGE/): each
//! package directory is copied into a scratch dir with stub targets and every unit in it
//! is verified by `systemd-analyze verify` and by activator; load result, `file:line:`
//! warnings, Listen list, Accept, ExecStart argv, User and service pairing must agree.
//! "Command X is not executable" (binaries absent on this host) must agree too: both
//! tools look on the same host; where activator also reports a later command of a list,
//! that is current systemd's check, which 252 lacks (a note, see oracle.rs).

#[path = "verify_support/oracle.rs"]
mod oracle;

use std::fs;
use std::path::{Path, PathBuf};

/// (package/unit, substring of the mismatch line, why it is accepted).
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[];

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/units");
    p.is_dir().then_some(p)
}

#[test]
fn corpus_units_match_systemd_analyze() {
    if oracle::systemd_analyze().is_none() {
        eprintln!("SKIP: systemd-analyze not installed; differential test not run");
        return;
    }
    let Some(corpus) = corpus() else {
        eprintln!("SKIP: ../shared/corpus/units not present");
        return;
    };
    let mut packages: Vec<_> = fs::read_dir(&corpus).expect("corpus").flatten().collect();
    packages.sort_by_key(|d| d.file_name());
    let mut failures = Vec::new();
    let mut runs = 0;
    for pkg in packages {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join(pkg.file_name());
        oracle::copy_tree(&pkg.path(), &root);
        let stubs = tmp.path().join("stubs");
        oracle::write_stubs(&stubs);
        let search = vec![root.clone(), stubs];
        let mut units: Vec<String> = fs::read_dir(&root)
            .expect("pkg")
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".socket") || n.ends_with(".service"))
            .collect();
        units.sort();
        for unit in units {
            runs += 1;
            let cmp = oracle::compare(&search, &unit, tmp.path());
            let key = format!("{}/{}", pkg.file_name().to_string_lossy(), unit);
            for n in &cmp.notes {
                eprintln!("note: {key}: {n}");
            }
            for m in cmp.mismatches {
                match KNOWN_DIFFERENCES
                    .iter()
                    .find(|(k, sub, _)| *k == key && m.contains(sub))
                {
                    Some((_, _, why)) => eprintln!("known difference: {key}: {m} ({why})"),
                    None => failures.push(format!("{key}: {m}")),
                }
            }
        }
    }
    eprintln!("{runs} corpus units compared");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
