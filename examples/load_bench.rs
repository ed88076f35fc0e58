//! Times the unit loader: `load_bench DIR [STUB_DIR]` loads every socket in DIR twice,
//! once with `load_all` and once with `load_named` on every socket path (what
//! `systemd-analyze verify DIR/*.socket` does), and prints the elapsed milliseconds.
//! Used by benches/load_units.sh. With `LOAD_ALL_ONLY` set it stops after `load_all`
//! (for profiling just that).

use std::path::PathBuf;
use std::time::Instant;

use activator::unit::loader::{load_all, load_named, LoaderOptions};
use activator::unit::model::LoadState;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: load_bench DIR [STUB_DIR]");
        std::process::exit(2);
    };
    let mut unit_paths = vec![dir.clone()];
    unit_paths.extend(args.map(PathBuf::from));
    let opts = LoaderOptions { unit_paths };

    let t = Instant::now();
    let set = load_all(&opts);
    let all_ms = t.elapsed().as_secs_f64() * 1000.0;
    if std::env::var_os("LOAD_ALL_ONLY").is_some() {
        println!("load_all: {all_ms:.1} ms");
        return;
    }
    let loaded = set
        .sockets
        .values()
        .filter(|s| s.load_state == LoadState::Loaded)
        .count();

    let mut sockets: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "socket"))
                .map(|p| p.display().to_string())
                .collect()
        })
        .unwrap_or_default();
    sockets.sort();
    let t = Instant::now();
    let named = load_named(&opts, &sockets);
    let named_ms = t.elapsed().as_secs_f64() * 1000.0;

    println!(
        "load_all: {all_ms:.1} ms ({loaded} sockets, {} services loaded, {} diagnostics)",
        set.services.len(),
        set.diagnostics.len()
    );
    // instantiate() runs once per Accept=yes connection: time it per template.
    for template in set.services.keys().filter(|n| n.contains("@.")) {
        const N: u32 = 10_000;
        let t = Instant::now();
        for i in 0..N {
            let inst = format!("{i}-127.0.0.1:7-127.0.0.1:40000");
            std::hint::black_box(set.instantiate(template, &inst));
        }
        let per = t.elapsed().as_secs_f64() * 1e6 / f64::from(N);
        println!("instantiate {template}: {per:.2} us per instance");
    }
    println!(
        "load_named: {named_ms:.1} ms ({} sockets, {} services)",
        named.sockets.len(),
        named.services.len()
    );
}
