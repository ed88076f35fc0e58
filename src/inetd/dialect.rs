//! Per-dialect rules of inetd.conf: the four inetds disagree on comments, continuation
//! lines, quoting, the user/group separator, what bare `tcp` binds and the default spawn
//! rate limit (inetd.md §1.2–§1.9). Everything dialect-specific is answered here so the
//! lexer and the mapping stay one code path.

/// Which inetd's reading of inetd.conf to follow (inetd.md §1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// OpenBSD inetd as packaged by Debian (openbsd-inetd 0.20221205): the default.
    #[default]
    OpenBsd,
    FreeBsd,
    /// GNU inetutils 2.4 inetd.
    Inetutils,
    Busybox,
}

/// The address families a protocol word asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `AF_INET`.
    V4,
    /// `AF_INET6` with `IPV6_V6ONLY=1` (`BindIPv6Only=ipv6-only`).
    V6Only,
    /// `AF_INET6` with `IPV6_V6ONLY=0`: one dual-stack socket (`BindIPv6Only=both`).
    Dual,
    /// `AF_INET6` leaving `IPV6_V6ONLY` at the kernel default (`BindIPv6Only=default`).
    V6Default,
}

impl Dialect {
    /// Parse the `--dialect` word.
    pub fn from_name(s: &str) -> Option<Dialect> {
        Some(match s.to_ascii_lowercase().as_str() {
            "openbsd" | "debian" | "openbsd-inetd" => Dialect::OpenBsd,
            "freebsd" => Dialect::FreeBsd,
            "inetutils" | "gnu" | "inetutils-inetd" => Dialect::Inetutils,
            "busybox" => Dialect::Busybox,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::OpenBsd => "openbsd",
            Dialect::FreeBsd => "freebsd",
            Dialect::Inetutils => "inetutils",
            Dialect::Busybox => "busybox",
        }
    }

    /// busybox's config parser cuts a line at the first `#` anywhere (inetd.md §1.3);
    /// the others only know `#` in column 1.
    pub fn hash_comments_anywhere(self) -> bool {
        self == Dialect::Busybox
    }

    /// OpenBSD and FreeBSD continue an entry on lines starting with a space or tab
    /// (their `skip()` peeks at the next line; inetd.md §1.3).
    pub fn continuation_lines(self) -> bool {
        matches!(self, Dialect::OpenBsd | Dialect::FreeBsd)
    }

    /// FreeBSD (`"..."`/`'...'`) and inetutils (argcv, shell-like) group quoted words;
    /// OpenBSD and busybox split at every blank (inetd.md §1.2 "args").
    pub fn quoting(self) -> bool {
        matches!(self, Dialect::FreeBsd | Dialect::Inetutils)
    }

    /// inetutils' argcv also knows backslash escapes.
    pub fn backslash_escapes(self) -> bool {
        self == Dialect::Inetutils
    }

    /// `user.group` is accepted by all but FreeBSD, whose grammar is `user[:group][/class]`.
    pub fn dot_group_separator(self) -> bool {
        self != Dialect::FreeBsd
    }

    /// FreeBSD has no `host:` prefixes; it binds everything to the `-a` address.
    pub fn host_prefixes(self) -> bool {
        self != Dialect::FreeBsd
    }

    /// What the protocol word (without `,sndbuf=` options) binds, per inetd.md §1.5.
    /// None for words this module does not know (`rpc/*` is handled before).
    pub fn families(self, proto: &str) -> Option<&'static [Family]> {
        use Family::*;
        let base = proto
            .strip_prefix("tcp")
            .or_else(|| proto.strip_prefix("udp"))?;
        Some(match (self, base) {
            // Debian openbsd-inetd since 0.20221205: bare tcp = a v4 socket plus a v6-only one.
            (Dialect::OpenBsd, "") => &[V4, V6Only],
            (_, "") | (_, "4") => &[V4],
            // inetutils spells dual-stack `tcp6` and v6-only `tcp6only`.
            (Dialect::Inetutils, "6") => &[Dual],
            // busybox opens an AF_INET6 socket and leaves IPV6_V6ONLY alone.
            (Dialect::Busybox, "6") => &[V6Default],
            (_, "6") | (_, "6only") => &[V6Only],
            (_, "46") => &[Dual],
            _ => return None,
        })
    }

    /// Spawns per 60 s before the entry is paused (inetd.md §1.9). None = no limit.
    ///
    /// OpenBSD and FreeBSD default to 256, inetutils 2.4 to 1000 (in code; its man page
    /// says 40), busybox has none. The limit maps to `TriggerLimitIntervalSec=60s` +
    /// `TriggerLimitBurst=N`: the engine treats the trigger limit as a pause that
    /// recovers, which is what inetd does (it re-binds after 10 minutes).
    pub fn default_rate_limit(self) -> Option<u32> {
        match self {
            Dialect::OpenBsd | Dialect::FreeBsd => Some(256),
            Dialect::Inetutils => Some(1000),
            Dialect::Busybox => None,
        }
    }

    /// Mode of unix socket nodes when the entry gives none: OpenBSD binds with umask
    /// 0111 (0666); FreeBSD's default is 0200 (inetd.md §1.6).
    pub fn default_unix_mode(self) -> u32 {
        match self {
            Dialect::FreeBsd => 0o200,
            _ => 0o666,
        }
    }

    /// Whether an entry without arguments gets argv[0] = basename(program) natively.
    /// FreeBSD passes an empty argv; we use the basename anyway and warn.
    pub fn argv0_from_program(self) -> bool {
        self != Dialect::FreeBsd
    }
}

impl std::str::FromStr for Dialect {
    type Err = String;

    /// For `--dialect`: `openbsd` (alias `debian`), `freebsd`, `inetutils`, `busybox`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::from_name(s).ok_or_else(|| {
            format!("unknown inetd dialect '{s}' (expected openbsd, freebsd, inetutils or busybox)")
        })
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_tcp_per_dialect() {
        assert_eq!(
            Dialect::OpenBsd.families("tcp"),
            Some(&[Family::V4, Family::V6Only][..])
        );
        assert_eq!(Dialect::FreeBsd.families("udp"), Some(&[Family::V4][..]));
        assert_eq!(
            Dialect::Inetutils.families("tcp6"),
            Some(&[Family::Dual][..])
        );
        assert_eq!(
            Dialect::FreeBsd.families("tcp6"),
            Some(&[Family::V6Only][..])
        );
        assert_eq!(
            Dialect::OpenBsd.families("tcp46"),
            Some(&[Family::Dual][..])
        );
        assert_eq!(
            Dialect::Inetutils.families("udp6only"),
            Some(&[Family::V6Only][..])
        );
        assert_eq!(Dialect::OpenBsd.families("sctp"), None);
        assert_eq!(Dialect::OpenBsd.families("tcp7"), None);
    }

    #[test]
    fn names_round_trip() {
        for d in [
            Dialect::OpenBsd,
            Dialect::FreeBsd,
            Dialect::Inetutils,
            Dialect::Busybox,
        ] {
            assert_eq!(Dialect::from_name(d.name()), Some(d));
            assert_eq!(d.to_string().parse::<Dialect>(), Ok(d));
        }
    }
}
