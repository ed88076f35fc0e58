//! User and group resolution for `User=`/`Group=`/`SupplementaryGroups=`, for
//! inetd.conf's `user[:group]` field and for `SocketUser=`/`SocketGroup=`.
//!
//! Two rule sets exist. systemd.exec(5) "User=": the uid and the user's primary
//! group (unless `Group=`), plus the user's groups from the group database
//! (exec-invoke.c calls initgroups() when a user is set and the gid is not 0) and
//! `SupplementaryGroups=`. inetd (inetd.md §1.10, the OpenBSD/busybox "scoop"
//! comment): without a group, a non-root user gets pw_gid + initgroups and root
//! keeps everything; with a group, root only gets setgid(group) and a non-root
//! user gets setgid(group) + initgroups(user, group). The NSS lookups happen here,
//! in the parent; the forked child only applies the numbers.

use std::ffi::CString;
use std::path::PathBuf;

use nix::unistd::{Gid, Group, Uid, User};

use super::SysError;

/// The identity a child switches to before exec: `setgroups(groups)`,
/// `setresgid(gid)`, `setresuid(uid)`. `name`/`home`/`shell` feed USER/HOME/SHELL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
    pub name: String,
    pub home: PathBuf,
    pub shell: PathBuf,
}

/// One passwd entry (or a synthesized one for a numeric uid without entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEntry {
    pub uid: u32,
    pub gid: u32,
    pub name: String,
    pub home: PathBuf,
    pub shell: PathBuf,
}

impl From<User> for UserEntry {
    fn from(u: User) -> Self {
        UserEntry {
            uid: u.uid.as_raw(),
            gid: u.gid.as_raw(),
            name: u.name,
            home: u.dir,
            shell: u.shell,
        }
    }
}

/// Whether `spec` is systemd's spelling of the super-user, answered without NSS:
/// user-util.c `synthesize_user_creds()` and `get_group_creds()` hardcode `root`
/// and `0` ("in order to avoid NSS lookups for root we hardcode its data").
pub fn is_root_name(spec: &str) -> bool {
    spec == "root" || spec == "0"
}

/// root's synthesized record (user-util.c `synthesize_user_creds`): uid and gid 0,
/// home `/root`, and current systemd's `default_root_shell()`: `/bin/bash` when
/// it exists (Debian's default-user-shell), else `/bin/sh`.
fn root_entry() -> UserEntry {
    let bash = std::path::Path::new("/bin/bash");
    UserEntry {
        uid: 0,
        gid: 0,
        name: "root".to_string(),
        home: PathBuf::from("/root"),
        shell: PathBuf::from(if bash.is_file() {
            "/bin/bash"
        } else {
            "/bin/sh"
        }),
    }
}

/// Look up a user by name or decimal uid. A numeric uid without a passwd entry is
/// accepted, as systemd does, with gid = uid and home `/`. root needs no lookup.
pub fn lookup_user(spec: &str) -> Result<UserEntry, SysError> {
    if is_root_name(spec) {
        return Ok(root_entry());
    }
    if let Ok(uid) = spec.parse::<u32>() {
        return Ok(match User::from_uid(Uid::from_raw(uid)) {
            Ok(Some(u)) => u.into(),
            _ => UserEntry {
                uid,
                gid: uid,
                name: spec.to_string(),
                home: PathBuf::from("/"),
                shell: PathBuf::from("/bin/sh"),
            },
        });
    }
    match User::from_name(spec) {
        Ok(Some(u)) => Ok(u.into()),
        _ => Err(SysError::UnknownUser(spec.to_string())),
    }
}

/// Look up a group by name or decimal gid.
pub fn lookup_group(spec: &str) -> Result<u32, SysError> {
    if is_root_name(spec) {
        return Ok(0);
    }
    if let Ok(gid) = spec.parse::<u32>() {
        return Ok(gid);
    }
    match Group::from_name(spec) {
        Ok(Some(g)) => Ok(g.gid.as_raw()),
        _ => Err(SysError::UnknownGroup(spec.to_string())),
    }
}

/// `getgrouplist(user, gid)`: the groups initgroups() would set. Falls back to
/// just `gid` when the lookup fails (numeric user without entry).
pub fn group_list(user: &str, gid: u32) -> Vec<u32> {
    let Ok(name) = CString::new(user) else {
        return vec![gid];
    };
    match nix::unistd::getgrouplist(&name, Gid::from_raw(gid)) {
        Ok(list) => list.into_iter().map(Gid::as_raw).collect(),
        Err(_) => vec![gid],
    }
}

/// The daemon's own uid, gid and sorted, distinct supplementary groups, read once (the
/// daemon never changes its identity).
fn own_identity() -> &'static (u32, u32, Vec<u32>) {
    static OWN: std::sync::OnceLock<(u32, u32, Vec<u32>)> = std::sync::OnceLock::new();
    OWN.get_or_init(|| {
        let mut groups = current_groups();
        groups.sort_unstable();
        groups.dedup();
        (
            nix::unistd::geteuid().as_raw(),
            nix::unistd::getegid().as_raw(),
            groups,
        )
    })
}

/// Whether switching to `c` is a no-op: exactly the daemon's own uid, gid and
/// groups (inetd's root entries, User=root under a root daemon).
/// Asked at every spawn, so the group sets are compared in place (no copy).
pub fn is_own_identity(c: &Credentials) -> bool {
    let (uid, gid, groups) = own_identity();
    c.uid == *uid
        && c.gid == *gid
        && c.groups.iter().all(|g| groups.binary_search(g).is_ok())
        && groups.iter().all(|g| c.groups.contains(g))
}

/// Whether the daemon runs as root (cached like `is_own_identity`).
pub fn running_as_root() -> bool {
    own_identity().0 == 0
}

/// Whether `c` has the daemon's own uid and gid (groups aside).
pub fn is_own_ids(c: &Credentials) -> bool {
    let (uid, gid, _) = own_identity();
    c.uid == *uid && c.gid == *gid
}

fn current_groups() -> Vec<u32> {
    nix::unistd::getgroups()
        .map(|g| g.into_iter().map(Gid::as_raw).collect())
        .unwrap_or_default()
}

fn push_unique(list: &mut Vec<u32>, more: impl IntoIterator<Item = u32>) {
    for g in more {
        if !list.contains(&g) {
            list.push(g);
        }
    }
}

/// Resolve names (or numeric ids) to credentials; `Ok(None)` when nothing is to
/// change (no user, no group, no supplementary groups).
pub fn resolve_credentials(
    user: Option<&str>,
    group: Option<&str>,
    supplementary: &[String],
    init_groups: bool,
) -> Result<Option<Credentials>, SysError> {
    if user.is_none() && group.is_none() && supplementary.is_empty() {
        return Ok(None);
    }
    let group = group.map(lookup_group).transpose()?;
    let extra = supplementary
        .iter()
        .map(|g| lookup_group(g))
        .collect::<Result<Vec<u32>, SysError>>()?;

    let Some(user) = user else {
        // Group= (or SupplementaryGroups=) without User=: the daemon's own uid.
        let uid = nix::unistd::getuid();
        let me = User::from_uid(uid).ok().flatten().map(UserEntry::from);
        let mut groups = if extra.is_empty() {
            current_groups()
        } else {
            Vec::new()
        };
        push_unique(&mut groups, extra);
        return Ok(Some(Credentials {
            uid: uid.as_raw(),
            gid: group.unwrap_or_else(|| nix::unistd::getgid().as_raw()),
            groups,
            name: me
                .as_ref()
                .map(|u| u.name.clone())
                .unwrap_or_else(|| uid.to_string()),
            home: me
                .as_ref()
                .map(|u| u.home.clone())
                .unwrap_or_else(|| "/".into()),
            shell: me.map(|u| u.shell).unwrap_or_else(|| "/bin/sh".into()),
        }));
    };

    let pw = lookup_user(user)?;
    let (gid, mut groups) = if init_groups {
        // inetd.md §1.10: root keeps its groups (and its gid unless one is given).
        match group {
            None if pw.uid == 0 => (nix::unistd::getgid().as_raw(), current_groups()),
            None => (pw.gid, group_list(&pw.name, pw.gid)),
            Some(g) if pw.uid == 0 => (g, current_groups()),
            Some(g) => (g, group_list(&pw.name, g)),
        }
    } else {
        // systemd exec-invoke.c get_supplementary_groups(): initgroups unless gid 0.
        let gid = group.unwrap_or(pw.gid);
        let groups = if gid != 0 {
            group_list(&pw.name, gid)
        } else if extra.is_empty() {
            current_groups()
        } else {
            Vec::new()
        };
        (gid, groups)
    };
    push_unique(&mut groups, extra);
    Ok(Some(Credentials {
        uid: pw.uid,
        gid,
        groups,
        name: pw.name,
        home: pw.home,
        shell: pw.shell,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_by_name_and_number() {
        let r = lookup_user("root").expect("root exists");
        assert_eq!((r.uid, r.gid), (0, 0));
        let n = lookup_user("0").expect("uid 0");
        assert_eq!(n.name, "root");
    }

    /// systemd user-util.c `synthesize_user_creds`/`get_group_creds`: root's
    /// record is hardcoded, so it resolves without the user database.
    #[test]
    fn root_is_synthesized_like_systemd() {
        let r = lookup_user("root").expect("root");
        assert_eq!(r.home, PathBuf::from("/root"));
        assert!(
            r.shell == std::path::Path::new("/bin/bash")
                || r.shell == std::path::Path::new("/bin/sh")
        );
        assert_eq!(lookup_group("root").expect("root group"), 0);
        assert_eq!(lookup_group("0").expect("gid 0"), 0);
        assert!(is_root_name("0") && !is_root_name("rootx") && !is_root_name("00"));
    }

    #[test]
    fn numeric_uid_without_entry_is_accepted() {
        let u = lookup_user("4000123").expect("numeric");
        assert_eq!((u.uid, u.gid), (4000123, 4000123));
    }

    #[test]
    fn unknown_names_are_errors() {
        assert!(matches!(
            resolve_credentials(Some("no-such-user-xyz"), None, &[], false),
            Err(SysError::UnknownUser(_))
        ));
        assert!(matches!(
            resolve_credentials(Some("root"), Some("no-such-group-xyz"), &[], false),
            Err(SysError::UnknownGroup(_))
        ));
    }

    #[test]
    fn nothing_to_change() {
        assert_eq!(resolve_credentials(None, None, &[], true).ok(), Some(None));
    }

    #[test]
    fn systemd_user_gets_primary_group_and_supplementary() {
        let Ok(nobody) = lookup_user("nobody") else {
            eprintln!("SKIP: no nobody user");
            return;
        };
        let c = resolve_credentials(Some("nobody"), None, &["0".into()], false)
            .unwrap()
            .unwrap();
        assert_eq!((c.uid, c.gid), (nobody.uid, nobody.gid));
        assert!(c.groups.contains(&nobody.gid));
        assert!(c.groups.contains(&0));
        assert_eq!(c.name, "nobody");
    }

    #[test]
    fn inetd_explicit_group_for_non_root() {
        let Ok(nobody) = lookup_user("nobody") else {
            eprintln!("SKIP: no nobody user");
            return;
        };
        let c = resolve_credentials(Some("nobody"), Some("0"), &[], true)
            .unwrap()
            .unwrap();
        assert_eq!((c.uid, c.gid), (nobody.uid, 0));
        assert!(c.groups.contains(&0));
    }
}
