//! `%`-specifiers (systemd.unit(5) "Specifiers"), resolved at load time.
//!
//! Host facts (`%H`, `%m`, `%b`, `%u`, …) are gathered once by `HostInfo::detect()`
//! and reused for every unit; unit facts (`%n`, `%i`, `%f`, …) come from the unit name
//! and fragment path. The expansion loop is systemd's `specifier_printf()`
//! (src/shared/specifier.c, v252): `%%` is `%`, an unknown letter or digit is an error
//! ("Invalid slot", EBADSLT), any other character after `%` and a trailing `%` are
//! kept verbatim. Values were checked against `systemd-analyze verify` (252).

use std::borrow::Cow;
use std::path::Path;

use super::env_file::parse_env_file;
use super::name;
use super::values::ValueError;

/// Facts about the host and the manager's user, for host-dependent specifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostInfo {
    /// `%H`: kernel host name.
    pub hostname: String,
    /// `%l`: host name up to the first dot.
    pub short_hostname: String,
    /// `%q`: PRETTY_HOSTNAME of /etc/machine-info, else the host name.
    pub pretty_hostname: String,
    /// `%m`: /etc/machine-id (32 hex digits); empty when unavailable.
    pub machine_id: String,
    /// `%b`: boot ID without dashes; empty when unavailable.
    pub boot_id: String,
    /// `%v`: `uname -r`.
    pub kernel_release: String,
    /// `%a`: systemd's architecture name (`x86-64`, `arm64`, …).
    pub architecture: String,
    /// `%o %w %W %B %A %M`: os-release ID, VERSION_ID, VARIANT_ID, BUILD_ID,
    /// IMAGE_VERSION, IMAGE_ID (empty when unset).
    pub os_id: String,
    pub os_version_id: String,
    pub os_variant_id: String,
    pub os_build_id: String,
    pub os_image_version: String,
    pub os_image_id: String,
    /// `%u %U %g %G %h %s`: the manager's own user (not `User=`).
    pub user_name: String,
    pub uid: u32,
    pub group_name: String,
    pub gid: u32,
    pub home: String,
    pub shell: String,
    /// `%t %S %C %L %E`: runtime, state, cache, logs and configuration directories
    /// (`/run`, `/var/lib`, … for root; XDG directories otherwise).
    pub runtime_dir: String,
    pub state_dir: String,
    pub cache_dir: String,
    pub log_dir: String,
    pub config_dir: String,
    /// `%T %V`: temporary directories (`$TMPDIR` or `/tmp`, `/var/tmp`).
    pub tmp_dir: String,
    pub var_tmp_dir: String,
}

fn read_trimmed(path: &str) -> Option<String> {
    let s = std::fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// systemd's architecture name for a `uname -m` machine (src/basic/architecture.c).
pub fn architecture_from_uname(machine: &str) -> String {
    let a = match machine {
        "x86_64" => "x86-64",
        "i386" | "i486" | "i586" | "i686" => "x86",
        "aarch64" => "arm64",
        "aarch64_be" => "arm64-be",
        m if m.starts_with("armv") || m == "arm" => {
            if m.ends_with('b') {
                "arm-be"
            } else {
                "arm"
            }
        }
        "ppc64le" => "ppc64-le",
        "ppc64" => "ppc64",
        "ppcle" => "ppc-le",
        "ppc" => "ppc",
        "s390x" => "s390x",
        "s390" => "s390",
        "riscv64" => "riscv64",
        "riscv32" => "riscv32",
        "loongarch64" => "loongarch64",
        "mips64" => "mips64",
        "mips" => "mips",
        "parisc64" => "parisc64",
        "parisc" => "parisc",
        "sparc64" => "sparc64",
        "sparc" => "sparc",
        "alpha" => "alpha",
        "ia64" => "ia64",
        "m68k" => "m68k",
        "sh" => "sh",
        "arc" => "arc",
        other => other,
    };
    a.to_string()
}

/// `$TMPDIR`, `$TEMP`, `$TMP` (first absolute one) else `fallback` (`tmp_dir()`).
fn tmp_dir_from_env(fallback: &str) -> String {
    for var in ["TMPDIR", "TEMP", "TMP"] {
        if let Ok(v) = std::env::var(var) {
            if v.starts_with('/') && !v.split('/').any(|c| c == "..") {
                return v;
            }
        }
    }
    fallback.to_string()
}

/// systemd's UID_NOBODY, whose home and shell get_home_dir()/get_shell() hard-code.
const NOBODY_UID: u32 = 65534;

/// systemd 252 default_root_shell(): DEFAULT_USER_SHELL (`/bin/bash` in Debian's build)
/// when it exists, else `/bin/sh`. Measured: `env -u SHELL systemd-analyze verify` on a
/// unit with `%s` prints `/bin/bash` for root, whatever /etc/passwd says.
fn default_root_shell() -> &'static str {
    if Path::new("/bin/bash").exists() {
        "/bin/bash"
    } else {
        "/bin/sh"
    }
}

fn absolute_env(var: &str) -> Option<String> {
    std::env::var(var)
        .ok()
        .filter(|v| v.starts_with('/') && !v.split('/').any(|c| c == ".." || c == "."))
}

impl HostInfo {
    /// Gather host facts: kernel hostname (falling back to /etc/hostname), machine and
    /// boot IDs, uname, os-release (/etc, then /usr/lib), the current user via
    /// getuid()/getpwuid(), and the manager directories (system ones for root,
    /// `$XDG_RUNTIME_DIR` & co otherwise). Cheap: a few small file reads, call once.
    pub fn detect() -> HostInfo {
        let mut h = HostInfo::default();

        // %H: gethostname_malloc() uses the kernel hostname.
        h.hostname = nix::unistd::gethostname()
            .ok()
            .and_then(|s| s.into_string().ok())
            .filter(|s| !s.is_empty() && s != "(none)")
            .or_else(|| read_trimmed("/etc/hostname"))
            .unwrap_or_else(|| "localhost".to_string());
        h.short_hostname = h
            .hostname
            .split('.')
            .next()
            .unwrap_or(&h.hostname)
            .to_string();
        h.pretty_hostname = std::fs::read_to_string("/etc/machine-info")
            .ok()
            .and_then(|t| {
                parse_env_file(&t)
                    .into_iter()
                    .find(|(k, v)| k == "PRETTY_HOSTNAME" && !v.is_empty())
                    .map(|(_, v)| v)
            })
            .unwrap_or_else(|| h.hostname.clone());

        h.machine_id = read_trimmed("/etc/machine-id")
            .filter(|s| s.len() == 32 && s.bytes().all(|c| c.is_ascii_hexdigit()))
            .map(|s| s.to_ascii_lowercase())
            .unwrap_or_default();
        h.boot_id = read_trimmed("/proc/sys/kernel/random/boot_id")
            .map(|s| s.replace('-', "").to_ascii_lowercase())
            .unwrap_or_default();

        if let Ok(u) = nix::sys::utsname::uname() {
            h.kernel_release = u.release().to_string_lossy().into_owned();
            h.architecture = architecture_from_uname(&u.machine().to_string_lossy());
        }

        let os_release = std::fs::read_to_string("/etc/os-release")
            .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
            .map(|t| parse_env_file(&t))
            .unwrap_or_default();
        let field = |name: &str| {
            os_release
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        h.os_id = field("ID");
        h.os_version_id = field("VERSION_ID");
        h.os_variant_id = field("VARIANT_ID");
        h.os_build_id = field("BUILD_ID");
        h.os_image_version = field("IMAGE_VERSION");
        h.os_image_id = field("IMAGE_ID");

        // The manager's user (specifier_user_name() & co). Root never needs NSS.
        let uid = nix::unistd::getuid();
        let gid = nix::unistd::getgid();
        h.uid = uid.as_raw();
        h.gid = gid.as_raw();
        let pw = if uid.is_root() {
            None
        } else {
            nix::unistd::User::from_uid(uid).ok().flatten()
        };
        h.user_name = if uid.is_root() {
            "root".to_string()
        } else {
            pw.as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| h.uid.to_string())
        };
        h.group_name = if gid.as_raw() == 0 {
            "root".to_string()
        } else {
            nix::unistd::Group::from_gid(gid)
                .ok()
                .flatten()
                .map(|g| g.name)
                .unwrap_or_else(|| h.gid.to_string())
        };
        // get_home_dir()/get_shell(): $HOME/$SHELL first, then root's fixed values,
        // then the password database.
        h.home = absolute_env("HOME").unwrap_or_else(|| {
            if uid.is_root() {
                "/root".to_string()
            } else if uid.as_raw() == NOBODY_UID {
                "/".to_string()
            } else {
                pw.as_ref()
                    .map(|p| p.dir.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "/".to_string())
            }
        });
        h.shell = absolute_env("SHELL").unwrap_or_else(|| {
            if uid.is_root() {
                default_root_shell().to_string()
            } else if uid.as_raw() == NOBODY_UID {
                "/usr/sbin/nologin".to_string()
            } else {
                pw.as_ref()
                    .map(|p| p.shell.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "/bin/sh".to_string())
            }
        });

        if uid.is_root() {
            h.runtime_dir = "/run".into();
            h.state_dir = "/var/lib".into();
            h.cache_dir = "/var/cache".into();
            h.log_dir = "/var/log".into();
            h.config_dir = "/etc".into();
        } else {
            // A user manager (systemd 252 src/core/manager.c prefixes).
            let config =
                absolute_env("XDG_CONFIG_HOME").unwrap_or_else(|| format!("{}/.config", h.home));
            h.runtime_dir =
                absolute_env("XDG_RUNTIME_DIR").unwrap_or_else(|| format!("/run/user/{}", h.uid));
            h.state_dir = config.clone();
            h.cache_dir =
                absolute_env("XDG_CACHE_HOME").unwrap_or_else(|| format!("{}/.cache", h.home));
            h.log_dir = format!("{config}/log");
            h.config_dir = config;
        }
        h.tmp_dir = tmp_dir_from_env("/tmp");
        h.var_tmp_dir = tmp_dir_from_env("/var/tmp");
        h
    }

    /// Fixed, host-independent values (root on a Debian 12 box) for tests and docs.
    pub fn example() -> HostInfo {
        HostInfo {
            hostname: "host.example.com".into(),
            short_hostname: "host".into(),
            pretty_hostname: "host.example.com".into(),
            machine_id: "0123456789abcdef0123456789abcdef".into(),
            boot_id: "fedcba9876543210fedcba9876543210".into(),
            kernel_release: "6.1.0".into(),
            architecture: "x86-64".into(),
            os_id: "debian".into(),
            os_version_id: "12".into(),
            user_name: "root".into(),
            uid: 0,
            group_name: "root".into(),
            gid: 0,
            home: "/root".into(),
            shell: "/bin/sh".into(),
            runtime_dir: "/run".into(),
            state_dir: "/var/lib".into(),
            cache_dir: "/var/cache".into(),
            log_dir: "/var/log".into(),
            config_dir: "/etc".into(),
            tmp_dir: "/tmp".into(),
            var_tmp_dir: "/var/tmp".into(),
            ..HostInfo::default()
        }
    }
}

/// What a specifier is expanded against: the unit's name, fragment and the host.
pub struct SpecifierContext<'a> {
    /// Full unit name (`foo@bar.service`).
    pub unit_name: &'a str,
    /// The fragment file (`%y`, `%Y`), if any.
    pub fragment: Option<&'a Path>,
    pub host: &'a HostInfo,
}

fn inval() -> ValueError {
    ValueError::Invalid
}

impl<'a> SpecifierContext<'a> {
    /// Prefix and instance of the unit name (`unit_name_to_prefix`, instance).
    fn parts(&self) -> (&'a str, Option<&'a str>) {
        let n = self.unit_name;
        let stem = n.rfind('.').map_or(n, |i| &n[..i]);
        match stem.split_once('@') {
            Some((p, i)) => (p, Some(i)),
            None => (stem, None),
        }
    }

    /// The value of specifier `c`, or None when `c` is not one. Borrowed where the
    /// context holds the text as it is: most specifiers then cost no allocation.
    fn lookup(&self, c: char) -> Option<Result<Cow<'a, str>, ValueError>> {
        let h: &'a HostInfo = self.host;
        let (prefix, instance) = self.parts();
        let unesc = |s: &str| name::try_unescape(s).map(Cow::Owned).ok_or_else(inval);
        let last_component = || match prefix.rfind('-') {
            Some(i) => &prefix[i + 1..],
            None => prefix,
        };
        let text = |s: &'a String| Ok(Cow::Borrowed(s.as_str()));
        Some(match c {
            'n' => Ok(Cow::Borrowed(self.unit_name)),
            'N' => Ok(Cow::Borrowed(
                self.unit_name
                    .rfind('.')
                    .map_or(self.unit_name, |i| &self.unit_name[..i]),
            )),
            'p' => Ok(Cow::Borrowed(prefix)),
            'P' => unesc(prefix),
            'i' => Ok(Cow::Borrowed(instance.unwrap_or_default())),
            'I' => unesc(instance.unwrap_or("")),
            'j' => Ok(Cow::Borrowed(last_component())),
            'J' => unesc(last_component()),
            // specifier_filename(): instance (or prefix) as a path.
            'f' => name::unit_name_path_unescape(instance.unwrap_or(prefix))
                .map(Cow::Owned)
                .ok_or_else(inval),
            'y' => Ok(self
                .fragment
                .map(|p| p.to_string_lossy())
                .unwrap_or_default()),
            'Y' => Ok(self
                .fragment
                .and_then(|p| p.parent())
                .map(|p| p.to_string_lossy())
                .unwrap_or_default()),
            // Deprecated cgroup specifiers; without a cgroup manager the root is empty.
            'c' => Ok(Cow::Owned(format!("/{}", self.unit_name))),
            'r' | 'R' => Ok(Cow::Borrowed("")),
            't' => text(&h.runtime_dir),
            'S' => text(&h.state_dir),
            'C' => text(&h.cache_dir),
            'L' => text(&h.log_dir),
            'E' => text(&h.config_dir),
            'T' => text(&h.tmp_dir),
            'V' => text(&h.var_tmp_dir),
            'd' => Ok(Cow::Owned(format!(
                "{}/credentials/{}",
                h.runtime_dir, self.unit_name
            ))),
            'h' => text(&h.home),
            's' => text(&h.shell),
            'u' => text(&h.user_name),
            'U' => Ok(Cow::Owned(h.uid.to_string())),
            'g' => text(&h.group_name),
            'G' => Ok(Cow::Owned(h.gid.to_string())),
            'H' => text(&h.hostname),
            'l' => text(&h.short_hostname),
            'q' => text(&h.pretty_hostname),
            'm' if h.machine_id.is_empty() => {
                Err(ValueError::Other("No such file or directory".into()))
            }
            'm' => text(&h.machine_id),
            'b' if h.boot_id.is_empty() => {
                Err(ValueError::Other("No such file or directory".into()))
            }
            'b' => text(&h.boot_id),
            'v' => text(&h.kernel_release),
            'a' => text(&h.architecture),
            'o' => text(&h.os_id),
            'w' => text(&h.os_version_id),
            'W' => text(&h.os_variant_id),
            'B' => text(&h.os_build_id),
            'A' => text(&h.os_image_version),
            'M' => text(&h.os_image_id),
            _ => return None,
        })
    }
}

/// Expand `%` specifiers in `s` (systemd.unit(5) "Specifiers"). Unknown specifiers
/// are `Err(ValueError::Other("Invalid slot"))`, the text systemd prints:
/// "Failed to resolve unit specifiers in '…', ignoring: Invalid slot".
pub fn expand_specifiers(s: &str, ctx: &SpecifierContext) -> Result<String, ValueError> {
    if !s.contains('%') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    // The text between specifiers is copied a run at a time.
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let mut after = rest[i + 1..].chars();
        match after.next() {
            // A trailing '%' is kept.
            None => out.push('%'),
            Some('%') => out.push('%'),
            Some(n) => match ctx.lookup(n) {
                Some(v) => out.push_str(&v?),
                None if n.is_ascii_alphanumeric() => {
                    return Err(ValueError::Other("Invalid slot".into()))
                }
                None => {
                    out.push('%');
                    out.push(n);
                }
            },
        }
        rest = after.as_str();
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(unit: &str, s: &str) -> Result<String, ValueError> {
        let host = HostInfo::example();
        let frag = format!("/tmp/h1sd/sub/{unit}");
        let ctx = SpecifierContext {
            unit_name: unit,
            fragment: Some(Path::new(&frag)),
            host: &host,
        };
        expand_specifiers(s, &ctx)
    }

    /// Same unit and specifiers as checked with `systemd-analyze verify` (252).
    #[test]
    fn unit_specifiers_match_systemd_252() {
        let unit = r"a-b\x2dc-d@x\x2dy-z.service";
        assert_eq!(
            expand(
                unit,
                "n=%n N=%N p=%p P=%P i=%i I=%I j=%j J=%J f=%f y=%y Y=%Y"
            )
            .unwrap(),
            r"n=a-b\x2dc-d@x\x2dy-z.service N=a-b\x2dc-d@x\x2dy-z p=a-b\x2dc-d P=a/b-c/d i=x\x2dy-z I=x-y/z j=d J=d f=/x-y/z y=/tmp/h1sd/sub/a-b\x2dc-d@x\x2dy-z.service Y=/tmp/h1sd/sub"
        );
        assert_eq!(
            expand(unit, "c=%c,r=%r,R=%R").unwrap(),
            r"c=/a-b\x2dc-d@x\x2dy-z.service,r=,R="
        );
        assert_eq!(
            expand(unit, "d=%d pct=%% %- end%").unwrap(),
            r"d=/run/credentials/a-b\x2dc-d@x\x2dy-z.service pct=% %- end%"
        );
    }

    #[test]
    fn host_specifiers() {
        assert_eq!(
            expand("x.socket", "%t/%H/%l/%m/%b/%v/%a/%o/%w/%W/%u/%U/%g/%G/%h/%s/%T/%V/%S/%C/%L/%E")
                .unwrap(),
            "/run/host.example.com/host/0123456789abcdef0123456789abcdef/fedcba9876543210fedcba9876543210/6.1.0/x86-64/debian/12//root/0/root/0//root//bin/sh//tmp//var/tmp//var/lib//var/cache//var/log//etc"
        );
    }

    #[test]
    fn plain_names_and_errors() {
        assert_eq!(
            expand("foo.socket", "%p|%i|%I|%f|%j").unwrap(),
            "foo|||/foo|foo"
        );
        assert_eq!(expand("echo@q.service", "%f %i %p").unwrap(), "/q q echo");
        assert_eq!(
            expand("x.socket", "%z"),
            Err(ValueError::Other("Invalid slot".into()))
        );
        assert_eq!(
            expand("x.socket", "[fe80::1]:85%1"),
            Err(ValueError::Other("Invalid slot".into()))
        );
        assert_eq!(
            expand("x.socket", "[fe80::1]:85%%lo").unwrap(),
            "[fe80::1]:85%lo"
        );
        assert_eq!(expand("x.socket", "100%").unwrap(), "100%");
        assert_eq!(expand("x.socket", "é%é").unwrap(), "é%é");
        let host = HostInfo::default();
        let ctx = SpecifierContext {
            unit_name: "x.socket",
            fragment: None,
            host: &host,
        };
        assert!(expand_specifiers("%m", &ctx).is_err());
        assert_eq!(expand_specifiers("%y", &ctx).unwrap(), "");
    }

    #[test]
    fn detect_is_sane() {
        let h = HostInfo::detect();
        assert!(!h.hostname.is_empty());
        assert!(h.runtime_dir.starts_with('/'));
        assert!(h.home.starts_with('/'));
        assert!(!h.user_name.is_empty());
        assert!(!h.architecture.is_empty());
        assert_eq!(architecture_from_uname("x86_64"), "x86-64");
        assert_eq!(architecture_from_uname("aarch64"), "arm64");
    }

    #[test]
    fn env_file_parsing() {
        let v = parse_env_file("# c\nID=debian\nVERSION_ID=\"12\"\nX='a b'\nY=\"q\\\"z\"\n");
        assert_eq!(v[0], ("ID".into(), "debian".into()));
        assert_eq!(v[1], ("VERSION_ID".into(), "12".into()));
        assert_eq!(v[2], ("X".into(), "a b".into()));
        assert_eq!(v[3], ("Y".into(), "q\"z".into()));
    }
}
