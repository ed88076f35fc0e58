//! Test support for the control plane: a fake event loop that answers
//! `ControlRequest`s from a list of `UnitStatus` values and emits
//! `Notification`s, so the bus and activatorctl can be tested without the engine.
#![allow(dead_code)]

use std::future::poll_fn;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use activator::bus::{self, BusChoice, BusOptions, BusServer};
use activator::engine::control::{
    self, ControlError, ControlReply, ControlRequest, ManagerStatus, Notification, ServiceStatus,
    SocketStatus, UnitStatus,
};
use zbus::export::futures_core::Stream;
use zbus::{Connection, Message, MessageStream};

pub struct FakeEngine {
    pub units: Arc<Mutex<Vec<UnitStatus>>>,
    pub requests: Arc<Mutex<Vec<ControlRequest>>>,
    pub notify: Sender<Notification>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub server: Option<BusServer>,
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn socket_unit(name: &str, accept: bool, port: u16) -> UnitStatus {
    UnitStatus {
        id: name.into(),
        description: format!("{name} test socket"),
        load_state: "loaded".into(),
        active_state: "active".into(),
        sub_state: "listening".into(),
        result: "success".into(),
        fragment_path: format!("/etc/systemd/system/{name}"),
        unit_file_state: "enabled".into(),
        active_enter_timestamp: 1_700_000_000_000_000,
        socket: Some(SocketStatus {
            listen: vec![("Stream".into(), format!("127.0.0.1:{port}"))],
            accept,
            max_connections: 64,
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn service_unit(name: &str) -> UnitStatus {
    UnitStatus {
        id: name.into(),
        description: format!("{name} test service"),
        load_state: "loaded".into(),
        active_state: "inactive".into(),
        sub_state: "dead".into(),
        result: "success".into(),
        fragment_path: format!("/etc/systemd/system/{name}"),
        unit_file_state: "static".into(),
        service: Some(ServiceStatus {
            service_type: "simple".into(),
            restart: "no".into(),
            exec_start: vec!["/bin/cat".into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn answer(
    units: &Mutex<Vec<UnitStatus>>,
    notify: &Sender<Notification>,
    req: &ControlRequest,
) -> Result<ControlReply, ControlError> {
    let mut units = units.lock().unwrap();
    let find = |units: &mut Vec<UnitStatus>, name: &str| units.iter().position(|u| u.id == name);
    let set_state = |units: &mut Vec<UnitStatus>,
                     name: &str,
                     active: &str,
                     sub: &str|
     -> Result<ControlReply, ControlError> {
        let i = find(units, name).ok_or_else(|| ControlError::NoSuchUnit(name.into()))?;
        units[i].active_state = active.into();
        units[i].sub_state = sub.into();
        let _ = notify.send(Notification::UnitChanged(Box::new(units[i].clone())));
        Ok(ControlReply::Job {
            id: 7,
            unit: name.into(),
        })
    };
    match req {
        ControlRequest::ListUnits => Ok(ControlReply::Units(units.clone())),
        ControlRequest::GetUnit { name } => find(&mut units, name)
            .map(|i| ControlReply::Unit(Box::new(units[i].clone())))
            .ok_or_else(|| ControlError::NoSuchUnit(name.clone())),
        ControlRequest::Start { name } | ControlRequest::Restart { name } => {
            let sub = if name.ends_with(".socket") {
                "listening"
            } else {
                "running"
            };
            set_state(&mut units, name, "active", sub)
        }
        ControlRequest::Stop { name } => set_state(&mut units, name, "inactive", "dead"),
        ControlRequest::Reload { name } => find(&mut units, name)
            .map(|_| ControlReply::Done)
            .ok_or_else(|| ControlError::NoSuchUnit(name.clone())),
        ControlRequest::Kill { name, .. } => find(&mut units, name)
            .map(|_| ControlReply::Done)
            .ok_or_else(|| ControlError::NoSuchUnit(name.clone())),
        ControlRequest::ResetFailed { name: Some(name) } => {
            set_state(&mut units, name, "inactive", "dead").map(|_| ControlReply::Done)
        }
        ControlRequest::ResetFailed { name: None } => Ok(ControlReply::Done),
        ControlRequest::DaemonReload | ControlRequest::DaemonReexec => Ok(ControlReply::Done),
        ControlRequest::Cat { name } => find(&mut units, name)
            .map(|i| {
                ControlReply::Text(format!(
                    "# {}\n[Unit]\nDescription={}\n",
                    units[i].fragment_path, units[i].description
                ))
            })
            .ok_or_else(|| ControlError::NoSuchUnit(name.clone())),
        ControlRequest::Manager => Ok(ControlReply::Manager(ManagerStatus {
            version: "0.1.0".into(),
            state: "running".into(),
            n_units: units.len() as u32,
            n_failed_units: units.iter().filter(|u| u.active_state == "failed").count() as u32,
            n_sockets_listening: units.iter().filter(|u| u.sub_state == "listening").count() as u32,
            n_jobs: 0,
            pid: std::process::id(),
            startup_timestamp: 1_700_000_000_000_000,
        })),
    }
}

impl FakeEngine {
    /// Start a fake loop plus the real control plane on a socket in a temp dir
    /// that every user may reach (for the `nobody` tests).
    pub fn start(units: Vec<UnitStatus>, bus_choice: BusChoice) -> FakeEngine {
        let dir = tempfile::tempdir().expect("tempdir");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let socket = dir.path().join("activator/private");
        let (handle, inbox) = control::channel().expect("channel");
        let (ntx, nrx) = std::sync::mpsc::channel();
        let units = Arc::new(Mutex::new(units));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (units, requests, stop, ntx) =
                (units.clone(), requests.clone(), stop.clone(), ntx.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let mut fds = [nix::poll::PollFd::new(
                        inbox.fd(),
                        nix::poll::PollFlags::POLLIN,
                    )];
                    let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(50u16));
                    for msg in inbox.drain() {
                        requests.lock().unwrap().push(msg.request.clone());
                        let _ = msg.reply.send(answer(&units, &ntx, &msg.request));
                    }
                }
            })
        };
        let opts = BusOptions {
            control_socket: Some(socket.clone()),
            bus: bus_choice,
        };
        let server = bus::start(handle, nrx, &opts).expect("bus::start");
        FakeEngine {
            units,
            requests,
            notify: ntx,
            stop,
            thread: Some(thread),
            server: Some(server),
            socket,
            _dir: dir,
        }
    }

    pub fn address(&self) -> String {
        format!("unix:path={}", self.socket.display())
    }

    /// Change a unit and announce it, as the engine does.
    pub fn change(&self, name: &str, f: impl FnOnce(&mut UnitStatus)) {
        let mut units = self.units.lock().unwrap();
        let u = units.iter_mut().find(|u| u.id == name).expect("unit");
        f(u);
        self.notify
            .send(Notification::UnitChanged(Box::new(u.clone())))
            .unwrap();
    }

    pub fn unit(&self, name: &str) -> UnitStatus {
        self.units
            .lock()
            .unwrap()
            .iter()
            .find(|u| u.id == name)
            .cloned()
            .expect("unit")
    }

    pub fn dir(&self) -> &Path {
        self._dir.path()
    }
}

impl Drop for FakeEngine {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Run a command with a time bound; (exit code, stdout, stderr).
pub fn run_cmd(cmd: &mut std::process::Command, timeout: Duration) -> (i32, String, String) {
    use std::io::Read;
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let end = Instant::now() + timeout;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("command timed out: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut out = String::new();
    let mut err = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).ok();
    child.stderr.take().unwrap().read_to_string(&mut err).ok();
    (status.code().unwrap_or(-1), out, err)
}

pub fn which(bin: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
        .unwrap_or(false)
}

/// A current-thread tokio runtime for a test's zbus client.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Call `method` on `org.activator1` and decode the reply body.
pub async fn call<B, R>(
    c: &Connection,
    path: &str,
    iface: &str,
    method: &str,
    body: &B,
) -> zbus::Result<R>
where
    B: serde::Serialize + zbus::wire::DynamicType,
    R: serde::de::DeserializeOwned + zbus::wire::Type,
{
    let m = c
        .call_method(Some("org.activator1"), path, Some(iface), method, body)
        .await?;
    m.body().deserialize::<R>()
}

/// Next message matching `pred`, or None after `timeout`.
pub async fn next_matching(
    stream: &mut MessageStream,
    timeout: Duration,
    pred: impl Fn(&Message) -> bool,
) -> Option<Message> {
    let fut = async {
        loop {
            let m = poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await?;
            if let Ok(m) = m {
                if pred(&m) {
                    return Some(m);
                }
            }
        }
    };
    tokio::time::timeout(timeout, fut).await.ok().flatten()
}
