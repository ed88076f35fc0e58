//! Turns a service's `ExecStart=` into a `sys::spawn::SpawnRequest`: environment
//! (systemd.exec(5) "Environment variables in spawned processes"), `$VAR` expansion,
//! executable lookup, stdio wiring (systemd.exec(5) StandardInput=), credentials and
//! the fds passed with `LISTEN_FDS` (sd_listen_fds(3)).
//!
//! Everything that allocates or may fail happens here, before the fork.

use std::borrow::Cow;
use std::ffi::CString;
use std::fs::OpenOptions;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::sys::spawn::{SpawnRequest, Stdio};
use crate::sys::user::{resolve_credentials, Credentials};
use crate::unit::env_file::parse_env_file;
use crate::unit::exec::{env_name_is_valid, expand_env_argv};
use crate::unit::{ExecCommand, ExecContext, StdInput, StdOutput};

/// systemd's compiled-in search path for bare command names (systemd.service(5)
/// "Command lines"; split-usr adds /sbin:/bin).
pub const EXEC_SEARCH_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The manager's default `$PATH` for services.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Why a command could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("Command {0} is not executable: No such file or directory")]
    NotFound(String),
    #[error("{0}")]
    Credentials(String),
    #[error("Failed to open {path}: {err}")]
    Open { path: PathBuf, err: std::io::Error },
    #[error("Failed to load environment file {path}: {err}")]
    EnvironmentFile { path: PathBuf, err: std::io::Error },
    #[error("invalid string (contains NUL) in {0}")]
    Nul(&'static str),
}

/// What the engine knows about this spawn beyond the unit.
pub struct SpawnInputs<'a> {
    pub exec: &'a ExecContext,
    pub command: &'a ExecCommand,
    /// Sockets passed with LISTEN_FDS, with their names, in order.
    pub listen_fds: &'a [(RawFd, String)],
    /// The socket that `StandardInput=socket`/`StandardOutput=socket` use.
    pub stdio_socket: Option<RawFd>,
    /// `REMOTE_ADDR`, `NOTIFY_SOCKET`, `INVOCATION_ID`, `MAINPID`...
    pub extra_env: &'a [(&'static str, String)],
    pub non_blocking: bool,
    /// Run in a new session (every service; not a container's main program, which
    /// keeps the terminal like tini's child does).
    pub new_session: bool,
}

/// A prepared request plus the fds it refers to, which must stay open until the
/// fork has happened.
pub struct Plan {
    pub request: SpawnRequest,
    pub keep_open: Vec<OwnedFd>,
}

/// User=, Group=, SupplementaryGroups=, inetd initgroups rule, and what they resolved to.
type CredentialEntry = (
    Option<String>,
    Option<String>,
    Vec<String>,
    bool,
    Option<Arc<Credentials>>,
);

/// Resolves and caches `User=`/`Group=` (NSS lookups are too slow to repeat for every
/// connection). The engine clears it on reload. A short list searched in place: a
/// daemon runs its services as a handful of users, and a hit then costs no copy of
/// the key and no allocation.
#[derive(Default)]
pub struct CredentialCache {
    entries: Vec<CredentialEntry>,
}

impl CredentialCache {
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn resolve(&mut self, exec: &ExecContext) -> Result<Option<Arc<Credentials>>, PlanError> {
        let hit = self.entries.iter().find(|(u, g, s, i, _)| {
            *u == exec.user
                && *g == exec.group
                && *s == *exec.supplementary_groups
                && *i == exec.init_groups
        });
        if let Some((.., c)) = hit {
            return Ok(c.clone());
        }
        let creds = resolve_credentials(
            exec.user.as_deref(),
            exec.group.as_deref(),
            &exec.supplementary_groups,
            exec.init_groups,
        )
        .map_err(|e| PlanError::Credentials(e.to_string()))?
        .map(Arc::new);
        self.entries.push((
            exec.user.clone(),
            exec.group.clone(),
            exec.supplementary_groups.to_vec(),
            exec.init_groups,
            creds.clone(),
        ));
        Ok(creds)
    }
}

/// Find the executable: absolute paths as they are, bare names in `EXEC_SEARCH_PATH`.
pub fn resolve_executable(path: &str) -> Option<PathBuf> {
    if path.starts_with('/') {
        return Some(PathBuf::from(path));
    }
    EXEC_SEARCH_PATH
        .split(':')
        .map(|d| Path::new(d).join(path))
        .find(|p| p.is_file())
}

/// `find_executable_full()` (src/basic/path-util.c) as `systemd-analyze verify` calls it:
/// a path with a slash must itself be an executable regular file (`check_x_access()`),
/// a bare name is looked up in `EXEC_SEARCH_PATH`. The error is the errno systemd
/// reports: the last one met other than EACCES, ENOENT when nothing was found.
pub fn find_executable(path: &str) -> Result<PathBuf, nix::errno::Errno> {
    use nix::errno::Errno;
    let check = |p: &Path| -> Result<(), Errno> {
        let meta = std::fs::metadata(p)
            .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))?;
        if meta.is_dir() {
            return Err(Errno::EISDIR);
        }
        if !meta.is_file() {
            return Err(Errno::EBADFD);
        }
        nix::unistd::access(p, nix::unistd::AccessFlags::X_OK)
    };
    if path.contains('/') {
        return check(Path::new(path)).map(|()| PathBuf::from(path));
    }
    let mut last = Errno::ENOENT;
    for dir in EXEC_SEARCH_PATH.split(':') {
        let candidate = Path::new(dir).join(path);
        match check(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(Errno::EACCES) => {}
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The assignments of one `EnvironmentFile=`: a file, or every file a wildcard
/// pattern matches, in order (exec_context_load_environment(): glob(3) without
/// flags, so `*` skips dot files and a pattern matching nothing is an error). With
/// `-` (`optional`) a missing or unreadable file is skipped.
fn read_environment_files(path: &Path, optional: bool) -> Result<Vec<(String, String)>, PlanError> {
    let text = path.to_string_lossy();
    let files = if text.contains(['*', '?', '[']) {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        match glob::glob_with(&text, options) {
            Ok(paths) => paths.filter_map(Result::ok).collect(),
            // glob(3) takes an unclosed `[` literally.
            Err(_) => vec![path.to_path_buf()],
        }
    } else {
        vec![path.to_path_buf()]
    };
    if files.is_empty() && !optional {
        return Err(PlanError::EnvironmentFile {
            path: path.to_path_buf(),
            err: std::io::ErrorKind::NotFound.into(),
        });
    }
    let mut pairs = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => pairs.extend(parse_environment_file(&text)),
            Err(_) if optional => {}
            Err(err) => return Err(PlanError::EnvironmentFile { path: file, err }),
        }
    }
    Ok(pairs)
}

/// The assignments of an `EnvironmentFile=` (systemd.exec(5)); like systemd's
/// strv_env_clean(), a name that is no valid variable name is dropped.
pub fn parse_environment_file(text: &str) -> Vec<(String, String)> {
    let mut pairs = parse_env_file(text);
    pairs.retain(|(k, _)| env_name_is_valid(k));
    pairs
}

/// One environment entry; borrowed from the unit, the credentials or the caller
/// where it can be (this runs once per spawn). `from_extra` is the index into
/// `SpawnInputs::extra_env` when the value is the caller's, which is what a
/// reused request fills in anew for every spawn (`spawn_cache`).
struct EnvEntry<'a> {
    key: Cow<'a, str>,
    value: Cow<'a, str>,
    from_extra: Option<usize>,
}

/// Assemble the environment in systemd's order (exec-invoke.c: manager env, our
/// env, PassEnvironment=, Environment=, EnvironmentFile=; later wins), then apply
/// UnsetEnvironment=.
fn build_environment<'a>(
    inputs: &'a SpawnInputs<'_>,
    creds: Option<&'a Credentials>,
) -> Result<Vec<EnvEntry<'a>>, PlanError> {
    let mut env: Vec<EnvEntry<'a>> = Vec::with_capacity(8 + inputs.extra_env.len());
    let set = |env: &mut Vec<EnvEntry<'a>>, key: Cow<'a, str>, value: Cow<'a, str>, from_extra| {
        if let Some(slot) = env.iter_mut().find(|e| e.key == key) {
            slot.value = value;
            slot.from_extra = from_extra;
        } else {
            env.push(EnvEntry {
                key,
                value,
                from_extra,
            });
        }
    };
    set(&mut env, "PATH".into(), DEFAULT_PATH.into(), None);
    if let Some(c) = creds {
        set(&mut env, "USER".into(), c.name.as_str().into(), None);
        set(&mut env, "LOGNAME".into(), c.name.as_str().into(), None);
        set(&mut env, "HOME".into(), c.home.to_string_lossy(), None);
        set(&mut env, "SHELL".into(), c.shell.to_string_lossy(), None);
    }
    if !inputs.listen_fds.is_empty() {
        let n = inputs.listen_fds.len().to_string();
        set(&mut env, "LISTEN_FDS".into(), n.into(), None);
        let names: Vec<&str> = inputs.listen_fds.iter().map(|(_, n)| n.as_str()).collect();
        set(
            &mut env,
            "LISTEN_FDNAMES".into(),
            names.join(":").into(),
            None,
        );
    }
    for (i, (k, v)) in inputs.extra_env.iter().enumerate() {
        set(&mut env, (*k).into(), v.as_str().into(), Some(i));
    }
    for name in &inputs.exec.pass_environment {
        if let Ok(v) = std::env::var(name) {
            set(&mut env, name.as_str().into(), v.into(), None);
        }
    }
    for (k, v) in &inputs.exec.environment {
        set(&mut env, k.as_str().into(), v.as_str().into(), None);
    }
    for file in &inputs.exec.environment_files {
        for (k, v) in read_environment_files(&file.path, file.optional)? {
            set(&mut env, k.into(), v.into(), None);
        }
    }
    for u in &inputs.exec.unset_environment {
        match u.split_once('=') {
            Some((k, v)) => env.retain(|e| !(e.key == k && e.value == v)),
            None => env.retain(|e| e.key != u.as_str()),
        }
    }
    Ok(env)
}

/// `KEY=VALUE` as one C string.
pub(super) fn env_cstring(key: &str, value: &str) -> Result<CString, PlanError> {
    let mut kv = Vec::with_capacity(key.len() + value.len() + 2);
    kv.extend_from_slice(key.as_bytes());
    kv.push(b'=');
    kv.extend_from_slice(value.as_bytes());
    CString::new(kv).map_err(|_| PlanError::Nul("environment"))
}

/// Whether `argv` has `$VAR`s to expand at spawn time.
fn argv_expands(cmd: &ExecCommand) -> bool {
    !cmd.no_env_expand && cmd.argv.iter().any(|a| a.contains('$'))
}

fn cstring(s: &str, what: &'static str) -> Result<CString, PlanError> {
    CString::new(s).map_err(|_| PlanError::Nul(what))
}

fn open_output(path: &Path, append: bool, truncate: bool) -> Result<OwnedFd, PlanError> {
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .append(append)
        .truncate(truncate)
        .mode(0o644)
        .open(path)
        .map_err(|err| PlanError::Open {
            path: path.to_path_buf(),
            err,
        })?;
    Ok(OwnedFd::from(f))
}

/// Wire stdin/stdout/stderr per systemd.exec(5). Journal-bound output goes to the
/// daemon's own stderr/stdout (activator has no journal of its own).
pub(super) fn stdio(
    inputs: &SpawnInputs<'_>,
    keep: &mut Vec<OwnedFd>,
) -> Result<[Stdio; 3], PlanError> {
    let exec = inputs.exec;
    let stdin = match &exec.standard_input {
        StdInput::Socket => match inputs.stdio_socket {
            Some(fd) => Stdio::Fd(fd),
            None => Stdio::Null,
        },
        StdInput::File(p) => {
            let f = std::fs::File::open(p).map_err(|err| PlanError::Open {
                path: p.clone(),
                err,
            })?;
            let fd = OwnedFd::from(f);
            let raw = fd.as_raw_fd();
            keep.push(fd);
            Stdio::Fd(raw)
        }
        // No TTY handling of our own: `tty` means the daemon's own stdin, which is
        // the container's terminal for `activatord --init -- CMD`.
        StdInput::Tty => Stdio::Inherit,
        _ => Stdio::Null,
    };
    let stdin_is_socket = matches!(exec.standard_input, StdInput::Socket);
    let mut out = |o: &StdOutput, is_err: bool| -> Result<Stdio, PlanError> {
        Ok(match o {
            // systemd: stdout defaults to `inherit` when stdin is a socket/tty, else
            // the journal; stderr defaults to `inherit` = a copy of stdout.
            StdOutput::Default if is_err => Stdio::Same,
            StdOutput::Default if stdin_is_socket => Stdio::Same,
            StdOutput::Inherit if is_err => Stdio::Same,
            StdOutput::Inherit if stdin_is_socket => Stdio::Same,
            StdOutput::Socket => match inputs.stdio_socket {
                Some(fd) => Stdio::Fd(fd),
                None => Stdio::Null,
            },
            StdOutput::Null => Stdio::Null,
            StdOutput::File(p) | StdOutput::Append(p) | StdOutput::Truncate(p) => {
                let fd = open_output(
                    p,
                    matches!(o, StdOutput::Append(_)),
                    matches!(o, StdOutput::Truncate(_)),
                )?;
                let raw = fd.as_raw_fd();
                keep.push(fd);
                Stdio::Fd(raw)
            }
            _ => Stdio::Inherit,
        })
    };
    let stdout = out(&exec.standard_output, false)?;
    let stderr = out(&exec.standard_error, true)?;
    Ok([stdin, stdout, stderr])
}

/// Prepare the spawn of one command.
pub fn plan(
    inputs: &SpawnInputs<'_>,
    creds_cache: &mut CredentialCache,
) -> Result<Plan, PlanError> {
    plan_with(inputs, creds_cache, None)
}

/// Whether the request for `inputs` differs between spawns only in the values of
/// `extra_env`, the stdio and the passed fds, so that `spawn_cache` may keep it:
/// no `EnvironmentFile=` (read at every spawn), no `$VAR` in argv (may name a
/// per-connection variable), no bare command name (searched at every spawn, as
/// systemd does), no `UnsetEnvironment=KEY=VALUE` (depends on the value) and no
/// optional `WorkingDirectory=` (its existence is checked at every spawn).
pub fn is_reusable(inputs: &SpawnInputs<'_>) -> bool {
    let (exec, cmd) = (inputs.exec, inputs.command);
    exec.environment_files.is_empty()
        && !argv_expands(cmd)
        && (cmd.via_shell || cmd.path.starts_with('/'))
        && !exec.unset_environment.iter().any(|u| u.contains('='))
        && !exec
            .working_directory
            .as_ref()
            .is_some_and(|wd| wd.optional)
}

/// `plan` for a request to keep (see `is_reusable`), plus where each
/// `extra_env` value went: (index in `envp`, index in `extra_env`).
pub(super) fn plan_reusable(
    inputs: &SpawnInputs<'_>,
    creds_cache: &mut CredentialCache,
) -> Result<(Plan, Vec<(usize, usize)>), PlanError> {
    let mut slots = Vec::new();
    let plan = plan_with(inputs, creds_cache, Some(&mut slots))?;
    Ok((plan, slots))
}

fn plan_with(
    inputs: &SpawnInputs<'_>,
    creds_cache: &mut CredentialCache,
    slots: Option<&mut Vec<(usize, usize)>>,
) -> Result<Plan, PlanError> {
    let cmd = inputs.command;
    let creds = if cmd.full_privileges || cmd.no_setuid {
        None
    } else {
        creds_cache.resolve(inputs.exec)?
    };
    let env = build_environment(inputs, creds.as_deref())?;
    // Nothing to expand in most command lines: no `$` in any word.
    let argv: Cow<'_, [String]> = if argv_expands(cmd) {
        let lookup = |k: &str| env.iter().find(|e| e.key == k).map(|e| e.value.to_string());
        Cow::Owned(expand_env_argv(&cmd.argv, &lookup))
    } else {
        Cow::Borrowed(&cmd.argv)
    };
    let (path, argv) = if cmd.via_shell {
        let a = vec!["/bin/sh".to_string(), "-c".to_string(), argv.join(" ")];
        (cstring("/bin/sh", "executable path")?, Cow::Owned(a))
    } else if cmd.path.starts_with('/') {
        (cstring(&cmd.path, "executable path")?, argv)
    } else {
        let path =
            resolve_executable(&cmd.path).ok_or_else(|| PlanError::NotFound(cmd.path.clone()))?;
        (cstring(&path.to_string_lossy(), "executable path")?, argv)
    };
    let mut keep = Vec::new();
    let [stdin, stdout, stderr] = stdio(inputs, &mut keep)?;
    let mut request = SpawnRequest::new(
        path,
        argv.iter()
            .map(|a| cstring(a, "argv"))
            .collect::<Result<_, _>>()?,
    );
    request.envp = env
        .iter()
        .map(|e| env_cstring(&e.key, &e.value))
        .collect::<Result<_, _>>()?;
    if let Some(slots) = slots {
        slots.extend(
            env.iter()
                .enumerate()
                .filter_map(|(i, e)| Some((i, e.from_extra?))),
        );
    }
    request.listen_pid_slot = !inputs.listen_fds.is_empty();
    request.stdin = stdin;
    request.stdout = stdout;
    request.stderr = stderr;
    request.fds = inputs.listen_fds.iter().map(|(fd, _)| *fd).collect();
    request.nonblocking = Some(inputs.non_blocking);
    request.umask = inputs.exec.umask;
    request.rlimits = inputs.exec.limits.to_vec();
    request.nice = inputs.exec.nice;
    request.new_session = inputs.new_session;
    if let Some(wd) = &*inputs.exec.working_directory {
        let dir = if wd.home {
            creds
                .as_ref()
                .map(|c| c.home.clone())
                .unwrap_or_else(|| PathBuf::from("/root"))
        } else {
            wd.path.clone()
        };
        if !wd.optional || dir.is_dir() {
            request.cwd = Some(cstring(&dir.to_string_lossy(), "WorkingDirectory")?);
        }
    } else {
        request.cwd = Some(cstring("/", "WorkingDirectory")?);
    }
    request.creds = creds;
    Ok(Plan {
        request,
        keep_open: keep,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_file_drops_invalid_names() {
        // systemd has no `export`: "export C" is no variable name (env-file.c).
        let v = parse_environment_file("A=1\nexport C='x y'\n1X=2\nB = \"two words\"\n");
        assert_eq!(
            v,
            vec![("A".into(), "1".into()), ("B".into(), "two words".into())]
        );
    }

    #[test]
    fn environment_file_wildcards() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("b.env", "B=2\nX=b\n"),
            ("a.env", "A=1\nX=a\n"),
            (".h.env", "H=1\n"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let pattern = dir.path().join("*.env");
        let got = read_environment_files(&pattern, false).unwrap();
        // Sorted matches, no dot files; the later file's X wins for the caller.
        assert_eq!(
            got,
            [("A", "1"), ("X", "a"), ("B", "2"), ("X", "b")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        let none = dir.path().join("*.conf");
        assert!(read_environment_files(&none, false).is_err());
        assert!(read_environment_files(&none, true).unwrap().is_empty());
        let missing = dir.path().join("missing");
        assert!(read_environment_files(&missing, false).is_err());
        assert!(read_environment_files(&missing, true).unwrap().is_empty());
    }

    #[test]
    fn bare_names_are_searched() {
        assert!(resolve_executable("sh").is_some());
        assert_eq!(resolve_executable("/x/y"), Some(PathBuf::from("/x/y")));
    }
}
