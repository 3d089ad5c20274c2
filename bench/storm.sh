#!/usr/bin/env bash
# The long random-operation storm (not part of the regular test run).
#
# What it does: builds the storm test (tests/storm.rs) in release mode and
# runs one seed for OPS operations (default 200 000) of the public API of
# PlayerView and Player, a few milliseconds apart, with valid and invalid
# values, under Xvfb. The test's own watchdog fails the run when the main
# loop stands still for 5 s; a crash or panic fails it too.
#
# It prints: the operations made, the longest main-loop turn, the longest
# single operation, the resident memory at each tenth of the run, and the
# threads, file descriptors and memory at 10 % and at the end, then PASS or
# FAIL against: 0 panics, hangs or crashes; longest turn under 100 ms;
# threads, descriptors and memory at the end within 10 % of the 10 % mark,
# each sampled with nothing playing and idle streaming threads gone (20 s).
#
# Run:   bash bench/storm.sh [--ops N] [--seed S]
# Starts its own Xvfb (1280x800x24) when DISPLAY is empty. About 70 minutes
# for 200 000 operations on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

ops=200000
seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --ops) ops="${2:?--ops needs a number}"; shift 2 ;;
    --seed) seed="${2:?--seed needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "storm.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

if [ -z "${DISPLAY:-}" ]; then
  Xvfb :93 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb 2>/dev/null || true' EXIT
  export DISPLAY=:93
  sleep 1
fi
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"; export XDG_RUNTIME_DIR
fi

cargo build --release --locked --test storm 2>&1 | tail -1
binary=$(cargo test --release --locked --test storm --no-run 2>&1 | sed -n 's/.*(\(.*storm-[0-9a-f]*\)).*/\1/p' | tail -1)
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); framescope $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (src modified)')"
echo "machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)); GStreamer: $(gst-launch-1.0 --version | sed -n 's/.*GStreamer //p' | head -1)"
echo "command: STORM_SEEDS=$seed STORM_OPS=$ops $binary"
out=$(mktemp)
status=0
STORM_SEEDS="$seed" STORM_OPS="$ops" STORM_DEADLINE_S=7200 STORM_SETTLE_MS=20000 "$binary" | tee "$out" || status=$?

python3 - "$out" "$status" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
status = int(sys.argv[2])
verdict = []
turn = re.search(r"longest-turn-ms=(\d+)", text)
tenth = re.search(r"at 10 %: (\d+) threads, (\d+) fds, (\d+) MB", text)
end = re.search(r"at the end: (\d+) threads, (\d+) fds, (\d+) MB", text)
ok = status == 0 and turn is not None
verdict.append(f"run: {'completed' if status == 0 else 'FAILED (panic, hang or crash: see above)'}")
if turn:
    t = int(turn.group(1))
    ok &= t < 100
    verdict.append(f"longest main-loop turn: {t} ms (target < 100)")
if tenth and end:
    for name, i in (("threads", 1), ("file descriptors", 2), ("resident MB", 3)):
        a, b = int(tenth.group(i)), int(end.group(i))
        within = b <= a * 1.10
        ok &= within
        verdict.append(f"{name}: {a} at 10 %, {b} at the end ({(b - a) / max(a, 1) * 100:+.0f} %, target within +10 %)")
else:
    ok = False
print("\n".join(verdict))
print("PASS" if ok else "FAIL")
PY
rm -f "$out"
