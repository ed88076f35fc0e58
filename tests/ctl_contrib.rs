//! The committed completions and man page in contrib/ must be what the clap
//! definitions generate now. Regenerate with `cargo run --example gen_contrib`.

#[test]
fn contrib_completions_and_man_page_are_up_to_date() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (rel, want) in activator::ctl::contrib::generated_files() {
        match std::fs::read(root.join(&rel)) {
            Ok(have) if have == want => {}
            _ => stale.push(rel),
        }
    }
    assert!(
        stale.is_empty(),
        "stale or missing generated files {stale:?}: run `cargo run --example gen_contrib`"
    );
}

#[test]
fn dbus_policy_file_lets_root_own_the_name_and_everyone_call() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("contrib/dbus/org.activator1.conf"))
        .expect("policy file");
    assert!(text.contains(r#"<policy user="root">"#));
    assert!(text.contains(r#"<allow own="org.activator1"/>"#));
    assert!(text.contains(r#"<allow send_destination="org.activator1"/>"#));
}
