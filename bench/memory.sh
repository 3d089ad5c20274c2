#!/usr/bin/env bash
# Resident memory under media churn, with and without the malloc arena limit.
#
# What it measures: examples/memory_churn (release) opens a generated 2 s
# clip COUNT times in one PlayerView ("open") or in a new view each time
# ("views"), and samples heap in use (mallinfo2) and resident size every 150
# opens, each with the player stopped, pipelines freed and malloc_trim run.
# Side by side in one run: glibc's own arenas (FRAMESCOPE_MALLOC_ARENAS=0)
# and Framescope's default (two arenas, src/engine/arenas.rs). It prints the
# samples and, for each, resident growth from the 150-open sample to the end.
# Target: resident growth within 10 % with the default.
#
# Run:   bash bench/memory.sh [--count N] [--mode open|views]
# Starts its own Xvfb when DISPLAY is empty. About 2 minutes per run.
set -euo pipefail
cd "$(dirname "$0")/.."

count=600
mode=views
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="${2:?--count needs a number}"; shift 2 ;;
    --mode) mode="${2:?--mode needs open or views}"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (usage: bash bench/memory.sh [--count N] [--mode open|views])" >&2; exit 2 ;;
  esac
done
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --count must be a positive integer" >&2; exit 2; }

if [ -z "${DISPLAY:-}" ]; then
  Xvfb :92 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb 2>/dev/null || true' EXIT
  export DISPLAY=:92
  sleep 1
fi
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"; export XDG_RUNTIME_DIR
fi
cargo build --release --locked --example memory_churn 2>&1 | tail -1
bin=target/release/examples/memory_churn
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); framescope $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (src modified)')"
echo "machine: $(nproc) cores; glibc $(ldd --version | head -1 | sed 's/.* //'); mode $mode, $count opens"
for setting in 0 default; do
  if [ "$setting" = default ]; then label="two arenas (default)"; env_args=(env -u FRAMESCOPE_MALLOC_ARENAS)
  else label="glibc's arenas (FRAMESCOPE_MALLOC_ARENAS=0)"; env_args=(env FRAMESCOPE_MALLOC_ARENAS=0); fi
  echo "## $label: ${env_args[*]} $bin $mode $count"
  out=$("${env_args[@]}" "$bin" "$mode" "$count")
  echo "$out"
  echo "$out" | awk -v label="$label" '
    /^opens=/ { split($3, r, "="); if ($1 == "opens=150") first = r[2]; last = r[2] }
    END { if (first > 0) printf "%s: resident %.1f -> %.1f MB from 150 opens to the end (%+.1f %%)\n", label, first, last, (last - first) * 100 / first }'
done
