//! Shell completions and the man page of activatorctl, generated from the clap
//! definitions (cli.rs) so they cannot drift: `cargo run --example gen_contrib`
//! writes them into contrib/, and tests/ctl_contrib.rs fails when the
//! committed files differ from what this produces.

use clap_complete::Shell;

/// (path relative to the repository root, contents) of every generated file.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "contrib/completions/activatorctl.bash"),
        (Shell::Zsh, "contrib/completions/_activatorctl"),
        (Shell::Fish, "contrib/completions/activatorctl.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut super::cli::command(), "activatorctl", &mut buf);
        out.push((file.to_string(), buf));
    }
    let mut man = Vec::new();
    if clap_mangen::Man::new(super::cli::command())
        .render(&mut man)
        .is_ok()
    {
        out.push(("contrib/man/activatorctl.1".to_string(), man));
    }
    out
}
