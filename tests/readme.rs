//! README.md cannot drift from the code: the directive table between its markers is
//! generated from the directive tables (`UPDATE_README=1 cargo test --test readme`
//! rewrites it), its test command is the one `.ci/run` runs, and its run example
//! names units and ports that `units/` really has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use activator::unit::table::{directives, DirectiveInfo, Support, UnitKind};

const BEGIN: &str = "<!-- BEGIN DIRECTIVES -->";
const END: &str = "<!-- END DIRECTIVES -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme_path() -> PathBuf {
    root().join("README.md")
}

fn readme() -> String {
    std::fs::read_to_string(readme_path()).expect("README.md")
}

/// Rows of `kind` in `section`, in table order, first occurrence of each key.
fn rows(kind: UnitKind, section: &str) -> Vec<DirectiveInfo> {
    let mut seen = std::collections::HashSet::new();
    directives(kind)
        .into_iter()
        .filter(|d| d.section == section && seen.insert(d.key))
        .collect()
}

/// Markdown-safe text: `|` would end a table cell, `<` start an HTML tag.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "\\<")
}

/// One Markdown block: a table of the supported directives, then the accepted but
/// ignored ones grouped by their reason.
fn block(out: &mut String, title: &str, list: &[DirectiveInfo]) {
    out.push_str(&format!("\n### {title}\n\n"));
    let supported: Vec<&DirectiveInfo> = list
        .iter()
        .filter(|d| d.support == Support::Supported)
        .collect();
    if !supported.is_empty() {
        out.push_str("| Directive | What activator does with it |\n|---|---|\n");
        for d in supported {
            out.push_str(&format!("| `{}=` | {} |\n", d.key, cell(d.summary)));
        }
    }
    // Reason → keys, in order of first appearance.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for d in list.iter().filter(|d| d.support == Support::Ignored) {
        if !groups.contains_key(d.summary) {
            order.push(d.summary);
        }
        groups.entry(d.summary).or_default().push(d.key);
    }
    if !order.is_empty() {
        out.push_str("\nAccepted with a warning and otherwise ignored:\n\n");
        for reason in order {
            let keys: Vec<String> = groups[reason].iter().map(|k| format!("`{k}=`")).collect();
            out.push_str(&format!("- {}: {}\n", cell(reason), keys.join(", ")));
        }
    }
}

/// The directive section as the README must hold it (between the markers).
fn directives_markdown() -> String {
    let socket = rows(UnitKind::Socket, "Socket");
    let service = rows(UnitKind::Service, "Service");
    let in_both = |d: &DirectiveInfo, other: &[DirectiveInfo]| other.iter().any(|o| o.key == d.key);
    let shared: Vec<DirectiveInfo> = socket
        .iter()
        .filter(|d| in_both(d, &service))
        .cloned()
        .collect();
    let socket_only: Vec<DirectiveInfo> = socket
        .iter()
        .filter(|d| !in_both(d, &service))
        .cloned()
        .collect();
    let service_only: Vec<DirectiveInfo> = service
        .iter()
        .filter(|d| !in_both(d, &socket))
        .cloned()
        .collect();
    let mut unit = rows(UnitKind::Socket, "Unit");
    for d in rows(UnitKind::Service, "Unit") {
        if !unit.iter().any(|u| u.key == d.key) {
            unit.push(d);
        }
    }
    let mut install = rows(UnitKind::Socket, "Install");
    for d in rows(UnitKind::Service, "Install") {
        if !install.iter().any(|u| u.key == d.key) {
            install.push(d);
        }
    }
    let mut out = String::from(
        "\n_Generated from the directive tables (`activator::unit::table::directives`) by\n\
         `UPDATE_README=1 cargo test --test readme`; do not edit by hand._\n",
    );
    block(&mut out, "`[Socket]`", &socket_only);
    block(&mut out, "`[Service]`", &service_only);
    block(
        &mut out,
        "Process settings, in `[Socket]` (for its `Exec*=` commands) and `[Service]`",
        &shared,
    );
    block(&mut out, "`[Unit]`", &unit);
    block(&mut out, "`[Install]`", &install);
    out.push('\n');
    out
}

#[test]
fn directive_table_is_current() {
    let text = readme();
    let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) else {
        panic!("README.md lacks the {BEGIN} / {END} markers");
    };
    assert!(b < e, "directive markers out of order");
    let current = &text[b + BEGIN.len()..e];
    let want = directives_markdown();
    if current == want {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some_and(|v| v == "1") {
        let new = format!("{}{BEGIN}{want}{}", &text[..b], &text[e..]);
        std::fs::write(readme_path(), new).expect("rewrite README.md");
        eprintln!("README.md: directive table rewritten");
        return;
    }
    panic!(
        "README.md's directive table is out of date with the directive tables.\n\
         Run `UPDATE_README=1 cargo test --test readme` and commit README.md."
    );
}

/// The `## Set-up` section: from its heading to the next `## ` heading.
fn setup_section(text: &str) -> &str {
    let start = text
        .find("\n## Set-up\n")
        .expect("README has a '## Set-up' section")
        + 1;
    let rest = &text[start + "## Set-up\n".len()..];
    let end = rest.find("\n## ").map(|i| i + 1).unwrap_or(rest.len());
    &text[start..start + "## Set-up\n".len() + end]
}

/// Contents of the fenced code blocks of `text`, in order.
fn fenced_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<&str>> = None;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            match cur.take() {
                Some(lines) => out.push(lines.join("\n")),
                None => cur = Some(Vec::new()),
            }
        } else if let Some(lines) = cur.as_mut() {
            lines.push(line);
        }
    }
    out
}

#[test]
fn setup_is_first_and_has_two_commands() {
    let text = readme();
    let first_h2 = text
        .lines()
        .find(|l| l.starts_with("## "))
        .expect("a ## heading");
    assert_eq!(first_h2, "## Set-up", "Set-up must be the first section");
    let blocks = fenced_blocks(setup_section(&text));
    assert!(
        blocks.len() >= 2,
        "Set-up needs the run and the test command"
    );
    for b in &blocks[..2] {
        assert_eq!(b.trim().lines().count(), 1, "one command per block: {b:?}");
    }
}

#[test]
fn test_command_is_what_ci_runs() {
    let text = readme();
    let blocks = fenced_blocks(setup_section(&text));
    let readme_cmd = blocks
        .get(1)
        .expect("second Set-up block")
        .trim()
        .to_string();
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    let last = ci
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with('#'))
        .expect("a command in .ci/run");
    assert_eq!(
        readme_cmd, last,
        "README's test command must be the last command of .ci/run"
    );
}

/// Tokens of `text` that end in `.socket`/`.service` (unit names it mentions).
fn unit_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || "@._-".contains(c))) {
        let w = word.trim_end_matches('.');
        if (w.ends_with(".socket") || w.ends_with(".service")) && !w.starts_with('.') {
            out.push(w.to_string());
        }
    }
    out
}

/// Ports the text connects to on 127.0.0.1 (`127.0.0.1 7007`, `127.0.0.1/5140`).
fn loopback_ports(text: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("127.0.0.1") {
        let rest = &text[i + "127.0.0.1".len()..];
        let Some(rest) = rest.strip_prefix([' ', ':', '/']) else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(p) = digits.parse() {
            out.push(p);
        }
    }
    out
}

#[test]
fn run_example_matches_units_dir() {
    let text = readme();
    let setup = setup_section(&text);
    let blocks = fenced_blocks(setup);
    let run = blocks.first().expect("first Set-up block");
    assert!(
        run.contains("--unit-path units"),
        "the run command must use --unit-path units: {run}"
    );
    let units_dir = root().join("units");
    let names = unit_names(setup);
    for must in [
        "echo.socket",
        "hello.socket",
        "greeter.socket",
        "errlog.socket",
    ] {
        assert!(
            names.iter().any(|n| n == must),
            "Set-up should name units/{must}"
        );
    }
    let mut unit_text = String::new();
    for n in &names {
        let p = units_dir.join(n);
        assert!(p.is_file(), "README names {n}, which units/ lacks");
        unit_text.push_str(&std::fs::read_to_string(&p).expect("unit file"));
    }
    let ports = loopback_ports(setup);
    assert!(!ports.is_empty(), "the Set-up example connects to no port");
    for p in ports {
        assert!(
            unit_text.contains(&format!(":{p}\n")),
            "port {p} from README's Set-up is in none of the units it names"
        );
    }
}

#[test]
fn helpers() {
    assert_eq!(
        loopback_ports("nc 127.0.0.1 7008\n> /dev/udp/127.0.0.1/5140 x 127.0.0.1:99"),
        vec![7008, 5140, 99]
    );
    assert_eq!(
        unit_names("(units/echo.socket) and hello@.service."),
        vec!["echo.socket", "hello@.service"]
    );
    assert_eq!(
        fenced_blocks("a\n```sh\nx\n```\nb\n```\ny\nz\n```\n"),
        vec!["x", "y\nz"]
    );
}
