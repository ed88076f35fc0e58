//! `load_all` on two threads: the scan of the search path, then the sockets (with the
//! services they pair with) loaded in chunks by whichever thread is free.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::file::{ReadBuffers, SearchDirs};
use super::name_map::{NameMap, Unresolved};
use super::{Loader, UnitSet};
use crate::diag::Diagnostics;
use crate::sys::cpu::{self, CpuSet};
use crate::unit::specifier::HostInfo;

/// Sockets per unit of work when loading on two threads.
const LOAD_CHUNK: usize = 32;

/// One chunk's outcome: the names it could not resolve, and its units.
type Part = (BTreeMap<String, Unresolved>, UnitSet);

/// Scan `search` and load every socket on it (and the services they pair with); from
/// `parallel_min` sockets on, on two threads when two CPUs are allowed.
///
/// Handing work to a second thread is slow twice over on a small machine (measured on
/// a 2-vCPU VM, each in a third to half of the runs): a new thread can wait 3 to 4 ms
/// for the idle CPU to take it, and waking a sleeping one tends to put it on the
/// waker's CPU, where it preempts the waker until the scheduler balances the two
/// (again 3 to 4 ms). So the helper is started during the scan, as soon as the
/// directories read show enough sockets (the rest of the scan, about 0.5 ms for 2,000
/// files, hides part of the first wait), and it moves itself off the scanning thread's
/// CPU, so that the wake-up finds it on its own.
pub(super) fn scan_and_load(
    search: Vec<PathBuf>,
    parallel_min: usize,
) -> (UnitSet, BTreeMap<String, Unresolved>) {
    let job: OnceLock<Job> = OnceLock::new();
    let idle = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (job_ref, idle_ref) = (&job, &idle);
        let mut helper = None;
        let mut start_helper = |sockets: usize| {
            if sockets < parallel_min || helper.is_some() {
                return;
            }
            helper = Some(match cpu::other_cpus() {
                Some(cpus) => std::thread::Builder::new()
                    .name("unit-loader".into())
                    .spawn_scoped(scope, move || help(cpus, job_ref, idle_ref)),
                None => Err(std::io::ErrorKind::Unsupported.into()),
            });
        };
        let mut loader = Loader::new_watching(search, &mut start_helper);
        let names = loader.map.socket_names();
        let helper = match helper {
            Some(Ok(h)) if names.len() >= parallel_min => h,
            started => {
                // Too few sockets after all (the count included masked and aliased
                // ones), or no second thread: load here.
                idle.store(true, Ordering::Release);
                if let Some(Ok(h)) = started {
                    h.thread().unpark();
                }
                let unresolved = loader.load_sockets(&names);
                return (loader.finish(), unresolved);
            }
        };
        let chunks = names.len().div_ceil(LOAD_CHUNK);
        let work = Job {
            map: Arc::clone(&loader.map),
            dirs: Arc::clone(&loader.dirs),
            host: Arc::clone(&loader.host),
            search: Arc::clone(&loader.search),
            names,
            next: AtomicUsize::new(0),
        };
        let set = loader.finish();
        let work = job.get_or_init(|| work);
        helper.thread().unpark();
        let mut done = work.take_chunks();
        // A second thread that died leaves its chunks undone; they load in `merge`.
        if let Ok(theirs) = helper.join() {
            done.extend(theirs);
        }
        let mut parts: Vec<Option<Part>> = (0..chunks).map(|_| None).collect();
        for (i, part) in done {
            parts[i] = Some(part);
        }
        work.merge(set, parts)
    })
}

/// The second thread: off the scanning thread's CPU, wait for the job or the word that
/// there is none (it is woken for either) and take chunks until none are left.
fn help(cpus: CpuSet, job: &OnceLock<Job>, idle: &AtomicBool) -> Vec<(usize, Part)> {
    cpu::run_on(&cpus);
    loop {
        if let Some(job) = job.get() {
            return job.take_chunks();
        }
        if idle.load(Ordering::Acquire) {
            return Vec::new();
        }
        std::thread::park();
    }
}

/// What both threads share: the scan's results and the next chunk to take.
struct Job {
    map: Arc<NameMap>,
    dirs: Arc<SearchDirs>,
    host: Arc<HostInfo>,
    search: Arc<[PathBuf]>,
    names: Vec<String>,
    next: AtomicUsize,
}

impl Job {
    fn chunk(&self, i: usize) -> Option<&[String]> {
        self.names.chunks(LOAD_CHUNK).nth(i)
    }

    /// Reading, lexing and building units are independent per unit; the threads take
    /// chunks as they go, so a thread that is slowed down (a busy CPU) leaves more
    /// chunks to the other instead of holding up the end.
    fn take_chunks(&self) -> Vec<(usize, Part)> {
        let mut done = Vec::new();
        let mut bufs = ReadBuffers::default();
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = self.chunk(i) else {
                return done;
            };
            done.push((i, self.load_chunk(chunk, &mut bufs)));
        }
    }

    /// `bufs`: the thread's read buffers, handed from chunk to chunk.
    fn load_chunk(&self, chunk: &[String], bufs: &mut ReadBuffers) -> Part {
        let mut l = Loader::with_map(
            Arc::clone(&self.map),
            Arc::clone(&self.dirs),
            Arc::clone(&self.search),
            Arc::clone(&self.host),
            Diagnostics::new(),
        );
        l.bufs = std::mem::take(bufs);
        let unresolved = l.load_sockets(chunk);
        *bufs = std::mem::take(&mut l.bufs);
        (unresolved, l.finish())
    }

    /// The chunks' results merged in chunk order, so the outcome does not depend on
    /// which thread took which chunk (a chunk no thread finished loads here).
    fn merge(
        &self,
        mut set: UnitSet,
        parts: Vec<Option<Part>>,
    ) -> (UnitSet, BTreeMap<String, Unresolved>) {
        let mut unresolved = BTreeMap::new();
        let mut said = rustc_hash::FxHashSet::default();
        let mut merged = Vec::with_capacity(parts.len());
        for (i, part) in parts.into_iter().enumerate() {
            let (u, mut part) = part.unwrap_or_else(|| {
                let chunk = self.chunk(i).unwrap_or(&[]);
                self.load_chunk(chunk, &mut ReadBuffers::default())
            });
            unresolved.extend(u);
            // A service two chunks both pair with is loaded by each: say things once.
            part.diagnostics.retain(|d| said.insert(d.clone()));
            merged.push(part);
        }
        set.merge_all(merged);
        (set, unresolved)
    }
}
