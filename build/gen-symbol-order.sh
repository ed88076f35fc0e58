#!/bin/sh
# Regenerates build/activatord.order: the functions activatord runs, in phase
# order (an idle daemon's start-up, then serving, then the unit-file loader), so
# the linker places them together (lld --symbol-ordering-file, wired up in
# build.rs). An idle daemon then keeps ~0.5 MB of its code resident instead of
# ~2 MB scattered over the whole text: the kernel maps a file's pages in blocks
# around every page touched.
#
# Needs valgrind (callgrind lists every function executed), python3 and root
# (the built-ins bind ports 7-37). Run it after changes to the start-up or
# per-connection code, and whenever `--check` fails: symbol names carry hashes
# of the crate graph, so a new dependency, a feature or another compiler renames
# most of them. A stale list only costs memory; `--check` (run by .ci/run)
# builds the release binary and fails when under 95% of the names are in it.
# Usage: build/gen-symbol-order.sh [--check]   (from anywhere; about 3 minutes)
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
cargo build --release --bin activatord
BIN=$ROOT/target/release/activatord
if [ "${1:-}" = "--check" ]; then
    nm --defined-only "$BIN" | awk '{print $3}' | sort -u > "${TMPDIR:-/tmp}/activatord.syms.$$"
    total=$(sort -u build/activatord.order | wc -l)
    found=$(sort -u build/activatord.order | comm -12 - "${TMPDIR:-/tmp}/activatord.syms.$$" | wc -l)
    rm -f "${TMPDIR:-/tmp}/activatord.syms.$$"
    echo "build/activatord.order: $found of $total functions are in the release activatord"
    if [ $((found * 100)) -lt $((total * 95)) ]; then
        echo "build/activatord.order is stale: run build/gen-symbol-order.sh and commit it" >&2
        exit 1
    fi
    exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BASE=24100

# Scenario 1: 500 plain nowait lines, started and left idle (no client).
i=0
while [ "$i" -lt 500 ]; do
    echo "127.0.0.1:$((BASE + 500 + i)) stream tcp nowait root /bin/echo echo hello"
    i=$((i + 1))
done > "$WORK/idle.conf"

# Scenario 2: inetd.conf with every built-in, nowait and wait services, served.
{
    for b in echo discard chargen daytime time; do
        echo "127.0.0.1:$b stream tcp nowait root internal"
        echo "127.0.0.1:$b dgram udp wait root internal"
    done
    echo "127.0.0.1:$((BASE + 1)) dgram udp wait root /bin/cat cat"
    echo "127.0.0.1:$((BASE + 2)) stream tcp wait root /bin/true true"
    i=3
    while [ "$i" -lt 500 ]; do
        echo "127.0.0.1:$((BASE + i)) stream tcp nowait root /bin/echo echo hello"
        i=$((i + 1))
    done
} > "$WORK/inetd.conf"

# Scenario 3: the shipped example units (Accept=yes, LISTEN_FDS, UDP wait).
make -s -C contrib/errlogd >/dev/null 2>&1 || true

run() { # run NAME PORT_TO_WAIT_FOR CLIENT_SCRIPT ARGS...
    name=$1 wait_port=$2 client=$3
    shift 3
    rm -rf "$WORK/run"
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/$name.cg" \
        "$BIN" "$@" --bus=none --runtime-dir "$WORK/run" --log-level=warn 2>"$WORK/$name.err" &
    pid=$!
    n=0
    until ss -ltn | grep -q ":$wait_port "; do
        n=$((n + 1)); [ "$n" -lt 300 ] || { echo "$name: port $wait_port never bound" >&2; kill $pid; exit 1; }
        sleep 0.1
    done
    python3 - "$client" <<'PY'
import socket, sys, time
def tcp(port, data=b"x\n"):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(data)
        s.settimeout(2)
        try:
            s.recv(4096)
        except OSError:
            pass
        s.close()
    except OSError as e:
        print("client:", port, e, file=sys.stderr)
def udp(port, data=b"x\n"):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1)
    u.sendto(data, ("127.0.0.1", port))
    try:
        u.recv(4096)
    except OSError:
        pass
if sys.argv[1] == "none":
    sys.exit(0)
if sys.argv[1] == "inetd":
    for port in (7, 9, 19, 13, 37):
        tcp(port)
        udp(port)
    for _ in range(3):
        tcp(24103)
    udp(24101)
else:
    tcp(7007)
    tcp(7008)
    tcp(7009)
    udp(5140, b"hello errlog\n")
time.sleep(1)
PY
    kill "$pid"
    wait "$pid" || true
}
run idle $((BASE + 999)) none --inetd-conf "$WORK/idle.conf"
run inetd $((BASE + 499)) inetd --inetd-conf "$WORK/inetd.conf"
run units 7009 units --unit-path units

python3 - "$BIN" "$WORK/idle.cg" "$WORK/inetd.cg" "$WORK/units.cg" > build/activatord.order <<'PY'
import re, subprocess, sys
binary, outs = sys.argv[1], sys.argv[2:]
nm = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
text = [p[2] for p in (l.split() for l in nm.splitlines()) if len(p) == 3 and p[1] in "tTW"]
known = set(text)
runs = []
for out in outs:
    names = {}  # insertion-ordered set
    for line in open(out):
        m = re.match(r"c?fn=\(\d+\) (\S+)", line)
        if m and m.group(1) in known:
            names[m.group(1)] = None
    runs.append(list(names))
# The C runtime's start-up code (crt1.o, crtbegin.o) runs outside any function
# valgrind names; left in place it would pull the block around it in.
crt = ["_start", "frame_dummy", "register_tm_clones", "deregister_tm_clones",
       "__do_global_dtors_aux"]
# Under valgrind the spawn falls back to fork(); natively the vfork-style child
# runs in our address space, so all of sys::spawn follows the idle code.
spawn = [n for n in text if "3sys5spawn" in n]
# In scenario order, each adding what the ones before it did not run: what an
# idle daemon has run comes first and together, serving connections next, the
# unit-file loader last.
order = crt + runs[0] + spawn + [n for names in runs[1:] for n in names]
print("\n".join(dict.fromkeys(order)))
PY
echo "build/activatord.order: $(wc -l < build/activatord.order) functions"
