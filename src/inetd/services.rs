//! services(5) reader: resolves inetd.conf service names (and aliases) to ports.
//! systemd does no name lookup, so the importer must (systemd.md §10). Read from a
//! file given with `--services` so tests never depend on the host's /etc/services.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A parsed services(5) database.
#[derive(Debug, Clone, Default)]
pub struct Services {
    /// `(name or alias, proto)` → port.
    by_name: HashMap<(String, String), u16>,
    /// `(port, proto)` → official name (first entry wins, like getservbyport).
    by_port: HashMap<(u16, String), String>,
    /// Where it came from, for messages.
    pub path: Option<PathBuf>,
}

impl Services {
    /// Parse services(5) text: `name port/proto [aliases...] [# comment]`.
    /// Malformed lines are skipped (the C library does the same).
    pub fn parse(text: &str) -> Services {
        let mut s = Services::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let (Some(name), Some(pp)) = (words.next(), words.next()) else {
                continue;
            };
            let Some((port, proto)) = pp.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            let proto = proto.to_ascii_lowercase();
            s.by_port
                .entry((port, proto.clone()))
                .or_insert_with(|| name.to_string());
            for n in std::iter::once(name).chain(words) {
                s.by_name
                    .entry((n.to_string(), proto.clone()))
                    .or_insert(port);
            }
        }
        s
    }

    /// Read and parse a file.
    pub fn load(path: &Path) -> std::io::Result<Services> {
        let bytes = std::fs::read(path)?;
        let mut s = Services::parse(&String::from_utf8_lossy(&bytes));
        s.path = Some(path.to_path_buf());
        Ok(s)
    }

    /// Port of `name` (official name or alias) for `proto` (`tcp`/`udp`).
    pub fn port(&self, name: &str, proto: &str) -> Option<u16> {
        self.by_name
            .get(&(name.to_string(), proto.to_string()))
            .copied()
    }

    /// Official name of `port`/`proto`, like getservbyport(3).
    pub fn name_of(&self, port: u16, proto: &str) -> Option<&str> {
        self.by_port
            .get(&(port, proto.to_string()))
            .map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_ports() {
        let s = Services::parse(
            "# comment\nftp\t\t21/tcp\nfsp\t\t21/udp\t\tfspd\nsmtp 25/tcp mail # x\nbroken line\nbad 99999/tcp\n",
        );
        assert_eq!(s.port("ftp", "tcp"), Some(21));
        assert_eq!(s.port("ftp", "udp"), None);
        assert_eq!(s.port("fspd", "udp"), Some(21));
        assert_eq!(s.port("mail", "tcp"), Some(25));
        assert_eq!(s.port("bad", "tcp"), None);
        assert_eq!(s.name_of(25, "tcp"), Some("smtp"));
    }
}
