//! Spawn requests kept per template, for Accept=yes instances.
//!
//! Every connection to an Accept=yes socket (every inetd `nowait` line) spawns
//! the same command of the same shared template unit: argv, executable, the
//! fixed environment, credentials, limits and working directory come out the
//! same each time. So the first spawn's `SpawnRequest` is kept and later spawns
//! only rewrite what differs: the values `exec_plan::build_environment` took
//! from `SpawnInputs::extra_env` (`REMOTE_ADDR`, `REMOTE_PORT`, `INVOCATION_ID`…),
//! stdio and the passed fds; the child writes `LISTEN_PID` itself. The result
//! is byte for byte what `exec_plan::plan` builds.
//!
//! Only units the engine shares between instances (templates without
//! specifiers) are kept, each with an `Arc` so that an entry is found by
//! pointer and can never match a different unit; only requests that
//! `exec_plan::is_reusable` allows. Reload clears it, as it clears the
//! credential cache the requests took their credentials from.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use super::exec_plan::{
    env_cstring, is_reusable, plan_reusable, stdio, CredentialCache, PlanError, SpawnInputs,
};
use crate::sys::spawn::SpawnRequest;
use crate::unit::ServiceUnit;

/// Templates whose requests are kept at most; a daemon has a handful of
/// Accept=yes sockets, and past this the cache starts over.
const MAX_ENTRIES: usize = 64;

/// One template's main command, ready to spawn again.
struct Entry {
    unit: Arc<ServiceUnit>,
    /// `extra_env` keys and passed fd names the request was built for; another
    /// set (a peer of another family) builds it anew.
    extra_keys: Vec<&'static str>,
    fd_names: Vec<String>,
    request: SpawnRequest,
    /// (index in `request.envp`, index in `extra_env`) of per-spawn values.
    slots: Vec<(usize, usize)>,
}

impl Entry {
    fn built_for(&self, inputs: &SpawnInputs<'_>) -> bool {
        self.extra_keys
            .iter()
            .copied()
            .eq(inputs.extra_env.iter().map(|(k, _)| *k))
            && self
                .fd_names
                .iter()
                .eq(inputs.listen_fds.iter().map(|(_, n)| n))
    }

    /// Write this spawn's values into the kept request; returns the fds it
    /// opened for stdio, which must stay open until the spawn has happened.
    fn refill(&mut self, inputs: &SpawnInputs<'_>) -> Result<Vec<OwnedFd>, PlanError> {
        let req = &mut self.request;
        for &(env_i, extra_i) in &self.slots {
            let (key, value) = &inputs.extra_env[extra_i];
            let old = &req.envp[env_i];
            if old.as_bytes().get(key.len() + 1..) != Some(value.as_bytes()) {
                req.envp[env_i] = env_cstring(key, value)?;
            }
        }
        let mut keep = Vec::new();
        [req.stdin, req.stdout, req.stderr] = stdio(inputs, &mut keep)?;
        req.fds.clear();
        req.fds.extend(inputs.listen_fds.iter().map(|(fd, _)| *fd));
        req.nonblocking = Some(inputs.non_blocking);
        req.new_session = inputs.new_session;
        Ok(keep)
    }
}

/// Kept spawn requests of shared template units (see the module comment).
#[derive(Default)]
pub struct SpawnCache {
    entries: Vec<Entry>,
}

impl SpawnCache {
    /// Forget every request (reload: units and credentials may have changed).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The request to spawn `unit`'s first `ExecStart=` with `inputs`, which must
    /// name that command and the unit's exec settings; `None` when it is not one
    /// to keep (the caller plans it the ordinary way). The fds returned must stay
    /// open until the spawn has happened.
    pub fn request(
        &mut self,
        unit: &Arc<ServiceUnit>,
        inputs: &SpawnInputs<'_>,
        creds: &mut CredentialCache,
    ) -> Option<Result<(&SpawnRequest, Vec<OwnedFd>), PlanError>> {
        let own_command = unit
            .exec_start
            .first()
            .is_some_and(|c| std::ptr::eq(c, inputs.command))
            && std::ptr::eq(&*unit.exec, inputs.exec);
        if !own_command || !is_reusable(inputs) {
            return None;
        }
        let found = self
            .entries
            .iter()
            .position(|e| Arc::ptr_eq(&e.unit, unit) && e.built_for(inputs));
        if let Some(i) = found {
            let entry = &mut self.entries[i];
            return Some(entry.refill(inputs).map(|keep| (&entry.request, keep)));
        }
        let (plan, slots) = match plan_reusable(inputs, creds) {
            Ok(built) => built,
            Err(e) => return Some(Err(e)),
        };
        // One entry per unit: a peer of another family replaces it.
        self.entries.retain(|e| !Arc::ptr_eq(&e.unit, unit));
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries.push(Entry {
            unit: unit.clone(),
            extra_keys: inputs.extra_env.iter().map(|(k, _)| *k).collect(),
            fd_names: inputs.listen_fds.iter().map(|(_, n)| n.clone()).collect(),
            request: plan.request,
            slots,
        });
        let entry = self.entries.last().expect("just pushed");
        Some(Ok((&entry.request, plan.keep_open)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::exec_plan::plan;
    use crate::unit::ExecCommand;
    use std::ffi::CString;

    fn unit(env: &[(&str, &str)]) -> Arc<ServiceUnit> {
        let mut u = ServiceUnit::new("t@.service");
        u.exec_start.push(ExecCommand {
            path: "/bin/true".into(),
            argv: vec!["true".into(), "x".into()],
            ..Default::default()
        });
        for (k, v) in env {
            u.exec.environment.push((k.to_string(), v.to_string()));
        }
        Arc::new(u)
    }

    fn inputs<'a>(u: &'a ServiceUnit, extra: &'a [(&'static str, String)]) -> SpawnInputs<'a> {
        SpawnInputs {
            exec: &u.exec,
            command: &u.exec_start[0],
            listen_fds: &[],
            stdio_socket: Some(7),
            extra_env: extra,
            non_blocking: false,
            new_session: true,
        }
    }

    fn remote(addr: &str, port: u16, id: &str) -> Vec<(&'static str, String)> {
        vec![
            ("REMOTE_ADDR", addr.to_string()),
            ("REMOTE_PORT", port.to_string()),
            ("INVOCATION_ID", id.to_string()),
        ]
    }

    fn envp(req: &SpawnRequest) -> Vec<String> {
        req.envp
            .iter()
            .map(|c: &CString| c.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_kept_request_equals_a_fresh_plan_for_every_connection() {
        let u = unit(&[("A", "1"), ("REMOTE_PORT", "fixed")]);
        let mut cache = SpawnCache::default();
        let mut creds = CredentialCache::default();
        for (addr, port, id) in [("10.0.0.1", 4000, "aa"), ("10.0.0.22", 5, "bb")] {
            let extra = remote(addr, port, id);
            let inp = inputs(&u, &extra);
            let fresh = plan(&inp, &mut creds).unwrap().request;
            let (kept, _) = cache.request(&u, &inp, &mut creds).unwrap().unwrap();
            assert_eq!(envp(kept), envp(&fresh));
            assert_eq!(kept.argv, fresh.argv);
            assert_eq!(kept.path, fresh.path);
            assert_eq!(kept.stdin, fresh.stdin);
            assert!(envp(kept).contains(&format!("REMOTE_ADDR={addr}")));
            // Environment= wins over the per-connection value, in its place.
            assert!(envp(kept).contains(&"REMOTE_PORT=fixed".to_string()));
        }
        assert_eq!(cache.entries.len(), 1);
    }

    #[test]
    fn another_unit_or_another_peer_family_is_built_anew() {
        let (u1, u2) = (unit(&[("A", "1")]), unit(&[("A", "2")]));
        let mut cache = SpawnCache::default();
        let mut creds = CredentialCache::default();
        let extra = remote("10.0.0.1", 1, "aa");
        let (r, _) = cache
            .request(&u1, &inputs(&u1, &extra), &mut creds)
            .unwrap()
            .unwrap();
        assert!(envp(r).contains(&"A=1".to_string()));
        let (r, _) = cache
            .request(&u2, &inputs(&u2, &extra), &mut creds)
            .unwrap()
            .unwrap();
        assert!(envp(r).contains(&"A=2".to_string()));
        // A unix peer without an address: no REMOTE_* at all.
        let unnamed = vec![("INVOCATION_ID", "cc".to_string())];
        let (r, _) = cache
            .request(&u1, &inputs(&u1, &unnamed), &mut creds)
            .unwrap()
            .unwrap();
        assert!(!envp(r).iter().any(|e| e.starts_with("REMOTE_")));
        assert!(envp(r).contains(&"INVOCATION_ID=cc".to_string()));
        assert_eq!(cache.entries.len(), 2);
    }

    #[test]
    fn commands_that_expand_or_are_not_the_units_own_are_not_kept() {
        let u = unit(&[]);
        let mut cache = SpawnCache::default();
        let mut creds = CredentialCache::default();
        let extra = remote("10.0.0.1", 1, "aa");
        let copy = u.exec_start[0].clone();
        let mut inp = inputs(&u, &extra);
        inp.command = &copy;
        assert!(cache.request(&u, &inp, &mut creds).is_none());
        let mut expanding = (*u).clone();
        expanding.exec_start[0].argv.push("$REMOTE_ADDR".into());
        let expanding = Arc::new(expanding);
        let inp = inputs(&expanding, &extra);
        assert!(cache.request(&expanding, &inp, &mut creds).is_none());
    }
}
