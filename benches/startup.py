#!/usr/bin/env python3
"""Startup time and idle memory with 500 services, activatord beside busybox inetd
and xinetd in one run, measured exactly as ../shared/bench measures its `svc500`
figure (its own peer classes, its NETLINK_SOCK_DIAG `wait_bound`, its memory
reading) with one difference: the bench's activator slot also writes 1,000 unit
files inside the timed window (12-70 ms of Python on this machine), which an
activatord reading `--inetd-conf` never opens. Here that write is left out, so
every peer's window holds the same work: write its own config, exec, bind all.

Usage (root, after ../shared/bench/setup.sh has built the peers):
    cargo build --release
    benches/startup.py [--reps N] [--bench DIR]

Prints, per peer, the median (min-max) startup in ms and RSS/PSS in KiB, and the
activator's ratios against busybox inetd and xinetd.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_bench(path):
    spec = importlib.util.spec_from_file_location("bench", os.path.join(path, "bench.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def arguments(reps):
    """The options both start-up benchmarks take."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=reps)
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "activatord"))
    return ap.parse_args()


def setup(a):
    """The harness module, its activator, busybox inetd and xinetd peers (activatord
    reading inetd.conf, no unit files written) and the 500 services; None after a
    SKIP notice when they cannot run here."""
    if os.geteuid() != 0:
        print("SKIP: the peers run as root (as in ../shared/bench)", file=sys.stderr)
        return None
    b = load_bench(a.bench)
    os.environ["ACTIVATOR_CMD"] = (
        f"{a.binary} --inetd-conf {{inetd_conf}} --bus=none "
        "--runtime-dir {workdir}/run --log-level=warn")
    # The one change: no unit files written for a daemon that reads inetd.conf.
    b.Activator.write_units = staticmethod(lambda unit_dir, svcs: None)
    peers = [b.Activator(), b.BusyboxInetd(), b.Xinetd()]
    for p in peers:
        ok, why = p.available()
        if not ok or (p.binary and not os.path.exists(p.binary)):
            print(f"SKIP: {p.name} not available ({why or p.binary}); run ../shared/bench/setup.sh",
                  file=sys.stderr)
            return None
    svcs = [b.Service(b.MANY_BASE + i, argv=[b.HELLO]) for i in range(b.MANY_COUNT)]
    return b, peers, svcs


def main():
    a = arguments(reps=7)
    ready = setup(a)
    if ready is None:
        return 0
    b, peers, svcs = ready
    res = {p.name: {"startup_ms": [], "rss_kib": [], "pss_kib": []} for p in peers}
    work = tempfile.mkdtemp(prefix="activator-startup-")
    for rep in range(a.reps):
        for p in peers:  # interleaved, so drift hits every peer alike
            wd = os.path.join(work, f"{p.name}.{rep}")
            os.makedirs(wd)
            time.sleep(0.2)
            t0 = time.monotonic()
            running = p.start(svcs, "stock", wd)
            try:
                ready = b.wait_bound(svcs, timeout=30)
                if ready is None:
                    print(f"{p.name}: not all ports bound; see {wd}", file=sys.stderr)
                    return 1
                res[p.name]["startup_ms"].append((time.monotonic() - t0) * 1000)
                time.sleep(0.5)
                rss, pss, _ = running.mem()
                res[p.name]["rss_kib"].append(rss)
                res[p.name]["pss_kib"].append(pss)
            finally:
                running.stop(grace=5)

    def cell(v):
        return f"{statistics.median(v):,.1f} ({min(v):,.1f}-{max(v):,.1f})"

    print(f"500 services, {a.reps} interleaved runs, median (min-max)")
    print(f"{'peer':15} {'startup ms':>24} {'RSS KiB':>28} {'PSS KiB':>28}")
    for p in peers:
        r = res[p.name]
        print(f"{p.name:15} {cell(r['startup_ms']):>24} {cell(r['rss_kib']):>28} {cell(r['pss_kib']):>28}")
    ours = res["activator"]
    for other in ("busybox-inetd", "xinetd"):
        o = res[other]
        print(f"activator / {other}: startup {statistics.median(ours['startup_ms']) / statistics.median(o['startup_ms']):.2f}x, "
              f"RSS {statistics.median(ours['rss_kib']) / statistics.median(o['rss_kib']):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
