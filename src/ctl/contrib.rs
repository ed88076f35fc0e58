//! Shell completions and man pages of activatorctl and activatord, generated from
//! the clap definitions (ctl/cli.rs, daemon_cli.rs) so they cannot drift: `cargo run --example gen_contrib`
//! writes them into contrib/, and tests/ctl_contrib.rs fails when the
//! committed files differ from what this produces.

use clap_complete::Shell;

/// (path relative to the repository root, contents) of every generated file.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, command) in [
        ("activatorctl", super::cli::command as fn() -> clap::Command),
        ("activatord", crate::daemon_cli::command),
    ] {
        for (shell, file) in [
            (Shell::Bash, format!("contrib/completions/{name}.bash")),
            (Shell::Zsh, format!("contrib/completions/_{name}")),
            (Shell::Fish, format!("contrib/completions/{name}.fish")),
        ] {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut command(), name, &mut buf);
            out.push((file, buf));
        }
        let mut man = Vec::new();
        if clap_mangen::Man::new(command()).render(&mut man).is_ok() {
            out.push((format!("contrib/man/{name}.1"), man));
        }
    }
    out
}
