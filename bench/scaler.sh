#!/usr/bin/env bash
# Scaling and conversion cost of the software video path.
#
# Runs examples/scaler_bench.rs (release build): decodes a clip as fast as it
# can three ways, interleaved, and prints the CPU seconds of each side by side
# in one run: decoding alone (the floor), `videoscale ! videoconvert` to BGRx
# at the picture's size (the software path before framescopescale), and
# `framescopescale` to the same size; and the ratio of the two scalers' cost
# over the floor.
#
# Run:   bash bench/scaler.sh [--clip FILE] [--size WxH] [--rounds N]
#        (default: a generated 20 s 1080p30 H.264 clip, 1179x663 — the
#        picture's size in a 1280x720 window — and 3 rounds;
#        needs scripts/setup.sh deps)
set -euo pipefail
cd "$(dirname "$0")/.."

clip=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --clip) clip="${2:?--clip needs a file}"; shift 2 ;;
    --size|--rounds) args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (usage: bash bench/scaler.sh [--clip FILE] [--size WxH] [--rounds N])" >&2; exit 2 ;;
  esac
done
command -v gst-launch-1.0 >/dev/null || { echo "bench: gst-launch-1.0 is missing; install gstreamer1.0-tools (scripts/setup.sh deps)" >&2; exit 1; }

out=bench/out
mkdir -p "$out"
if [ -z "$clip" ]; then
  # shellcheck source=bench/gop_clip.sh
  . bench/gop_clip.sh
  clip="$gop_clip"
fi
[ -s "$clip" ] || { echo "bench: $clip does not exist; give an existing file with --clip" >&2; exit 1; }

cargo build --release --quiet --example scaler_bench
echo "- date: $(date -u '+%F %H:%M UTC'); framescope $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)); GStreamer $(gst-launch-1.0 --gst-version | sed 's/.* //')"
target/release/examples/scaler_bench "$clip" "${args[@]}"
