#!/bin/sh
# Loader benchmark: generate N socket/service pairs (default 1000), time activator's
# loader (release build, examples/load_bench.rs) and `systemd-analyze verify` on the
# same files, print both. Usage: benches/load_units.sh [N]
set -eu
N=${1:-1000}
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
[ -n "${KEEP_WORK:-}" ] && echo "work dir: $WORK" || trap 'rm -rf "$WORK"' EXIT
UNITS=$WORK/units
STUBS=$WORK/stubs
mkdir -p "$UNITS" "$STUBS"
for t in sysinit sockets shutdown basic; do
    printf '[Unit]\nDescription=stub\n' > "$STUBS/$t.target"
done
i=0
while [ "$i" -lt "$N" ]; do
    port=$((20000 + i))
    # A mix of what real units use: descriptions, specifiers, exec quoting, a drop-in.
    printf '[Unit]\nDescription=bench socket %s\n\n[Socket]\nListenStream=127.0.0.1:%s\nListenStream=/run/bench-%%N.sock\nBacklog=128\nSocketMode=0660\n\n[Install]\nWantedBy=sockets.target\n' \
        "$i" "$port" > "$UNITS/b$i.socket"
    printf '[Unit]\nDescription=bench service %s\nRequires=b%s.socket\n\n[Service]\nExecStart=/bin/echo "hello world" %%n --port=%s\nUser=daemon\nRestart=on-failure\nTimeoutStopSec=5s\n' \
        "$i" "$i" "$port" > "$UNITS/b$i.service"
    if [ $((i % 10)) -eq 0 ]; then
        mkdir -p "$UNITS/b$i.socket.d"
        printf '[Socket]\nKeepAlive=yes\n' > "$UNITS/b$i.socket.d/10-keepalive.conf"
    fi
    i=$((i + 1))
done

# Two Accept=yes sockets: a template without specifiers (instantiate clones it) and one
# with %i (instantiate re-applies specifiers).
printf '[Socket]\nListenStream=127.0.0.1:19998\nAccept=yes\n' > "$UNITS/acc.socket"
printf '[Service]\nExecStart=/bin/cat\nStandardInput=socket\n' > "$UNITS/acc@.service"
printf '[Socket]\nListenStream=127.0.0.1:19999\nAccept=yes\n' > "$UNITS/accp.socket"
printf '[Service]\nExecStart=/bin/echo %%i %%n\nStandardInput=socket\n' > "$UNITS/accp@.service"

cargo build --release --quiet --example load_bench
# Flush the files just written: otherwise the kernel's writeback of them competes
# with the first measured runs for the machine's CPUs.
sync
RUNS=${RUNS:-5}
echo "== activator ($N pairs, release, $RUNS runs) =="
r=0
while [ "$r" -lt "$RUNS" ]; do
    "${CARGO_TARGET_DIR:-target}"/release/examples/load_bench "$UNITS" "$STUBS"
    r=$((r + 1))
done | tee "$WORK/ours.txt"
# median = the middle of the sorted runs (the upper middle for an even count)
median() { sort -n | awk '{v[NR] = $1} END {print v[int(NR / 2) + 1]}'; }
ours() { sed -n 's/^load_all: \([0-9.]*\) ms.*/\1/p' "$WORK/ours.txt"; }
echo "activator load_all best: $(ours | sort -n | head -1) ms, median: $(ours | median) ms"

if command -v systemd-analyze >/dev/null 2>&1; then
    echo "== systemd-analyze verify ($N sockets in one invocation, $RUNS runs) =="
    r=0
    while [ "$r" -lt "$RUNS" ]; do
        start=$(date +%s%N)
        rc=0
        SYSTEMD_UNIT_PATH="$UNITS:$STUBS" systemd-analyze verify --man=no --recursive-errors=no \
            "$UNITS"/*.socket >"$WORK/sd.out" 2>&1 || rc=$?
        end=$(date +%s%N)
        echo "systemd-analyze: $(( (end - start) / 1000000 )) ms (rc $rc, $(wc -l <"$WORK/sd.out") lines of output)"
        r=$((r + 1))
    done | tee "$WORK/sd.txt"
    sd() { sed -n 's/^systemd-analyze: \([0-9]*\) ms.*/\1/p' "$WORK/sd.txt"; }
    echo "systemd-analyze best: $(sd | sort -n | head -1) ms, median: $(sd | median) ms"
else
    echo "SKIP: systemd-analyze not installed"
fi
