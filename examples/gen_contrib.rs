//! Regenerate the shell completions and man pages of activatorctl and activatord
//! in contrib/:
//! `cargo run --example gen_contrib`.

fn main() -> std::io::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (rel, bytes) in activator::ctl::contrib::generated_files() {
        let path = root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes)?;
        println!("wrote {rel}");
    }
    Ok(())
}
