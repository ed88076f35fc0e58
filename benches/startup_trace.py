#!/usr/bin/env python3
"""Startup with 500 services timed by the kernel: from the daemon's execve() to its
500th listen(), read from syscall tracepoints (perf), activatord beside busybox
inetd and xinetd, started by ../shared/bench's own peer classes on the same
services, interleaved.

`benches/startup.py` times the harness's window (Python writes the config, forks,
then polls NETLINK_SOCK_DIAG every millisecond); that window also holds Python
work that differs by slot (activator's command is a string the harness splits
with shlex) and the poller's ~1 ms granularity. This script times only what each
daemon does, so it shows differences of a tenth of a millisecond.

Usage (root, perf installed, after ../shared/bench/setup.sh built the peers):
    cargo build --release
    benches/startup_trace.py [--reps N] [--bench DIR]

Prints, per peer, the median (min-max) of execve -> 500th listen, of execve ->
first socket() and of first socket() -> 500th listen, and activator's ratios.
"""

import collections
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from startup import arguments, setup  # noqa: E402

EVENTS = "syscalls:sys_enter_execve,syscalls:sys_enter_socket,syscalls:sys_exit_listen"
COMMS = {"activatord": "activator", "busybox": "busybox-inetd", "xinetd": "xinetd"}


def trace(perf_data):
    """{peer: [(exec->500th listen, exec->1st socket, 1st socket->500th listen) ms]}"""
    out = subprocess.run(["perf", "script", "-i", perf_data, "-F", "comm,pid,time,event"],
                         capture_output=True, text=True, check=True).stdout
    execs, sockets, listens, comm_of = {}, {}, collections.defaultdict(list), {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+)\s+(\d+)\s+([\d.]+):\s+syscalls:(\S+):", line)
        if not m:
            continue
        comm, pid, t, ev = m.group(1), int(m.group(2)), float(m.group(3)), m.group(4)
        if ev == "sys_enter_execve":
            execs[pid] = t  # the last execve of a pid is the daemon's own
        elif ev == "sys_enter_socket":
            sockets.setdefault(pid, t)
        else:
            listens[pid].append(t)
            comm_of[pid] = comm
    res = collections.defaultdict(list)
    for pid, ts in listens.items():
        peer = COMMS.get(comm_of[pid])
        if peer and len(ts) >= 500 and pid in execs and pid in sockets:
            e, s, l500 = execs[pid], sockets[pid], ts[499]
            res[peer].append(((l500 - e) * 1000, (s - e) * 1000, (l500 - s) * 1000))
    return res


def main():
    a = arguments(reps=25)
    if not shutil.which("perf"):
        print("SKIP: perf is not installed (Debian package linux-perf)", file=sys.stderr)
        return 0
    ready = setup(a)
    if ready is None:
        return 0
    b, peers, svcs = ready
    work = tempfile.mkdtemp(prefix="activator-startup-trace-")
    data = os.path.join(work, "perf.data")
    perf = subprocess.Popen(["perf", "record", "-q", "-a", "-e", EVENTS, "-o", data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # perf attaches its tracepoints
        for rep in range(a.reps):
            for p in peers:  # interleaved, so drift hits every peer alike
                wd = os.path.join(work, f"{p.name}.{rep}")
                os.makedirs(wd)
                time.sleep(0.1)
                running = p.start(svcs, "stock", wd)
                try:
                    if b.wait_bound(svcs, timeout=30) is None:
                        print(f"{p.name}: not all ports bound; see {wd}", file=sys.stderr)
                        return 1
                finally:
                    running.stop(grace=5)
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=60)
    res = trace(data)
    shutil.rmtree(work, ignore_errors=True)

    def cell(v, k):
        x = [r[k] for r in v]
        return f"{statistics.median(x):.2f} ({min(x):.2f}-{max(x):.2f})"

    print(f"500 services, {a.reps} interleaved runs, ms from the kernel's tracepoints, median (min-max)")
    print(f"{'peer':15} {'execve -> 500th listen':>24} {'execve -> 1st socket':>24} {'1st socket -> 500th':>24}")
    for p in peers:
        v = res.get(p.name)
        if not v:
            print(f"{p.name}: no complete trace", file=sys.stderr)
            return 1
        print(f"{p.name:15} {cell(v, 0):>24} {cell(v, 1):>24} {cell(v, 2):>24}")
    ours = statistics.median(r[0] for r in res["activator"])
    for other in ("busybox-inetd", "xinetd"):
        theirs = statistics.median(r[0] for r in res[other])
        print(f"activator / {other}: execve -> 500th listen {ours / theirs:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
