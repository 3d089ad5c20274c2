#!/usr/bin/env bash
# Seek and step latency benchmark for Framescope.
#
# Generates a 20 s 1080p30 H.264 clip with 2 s GOPs (60 frames) and 2
# B-frames, then runs examples/timing_bench.rs (release build), which prints,
# side by side in one run: accurate-seek latency (call to exact frame) next to
# the floor, gst-launch-1.0 decoding from the keyframe before each target up
# to it; and backward-step latency, for the steps that decode a GOP and those
# the step cache serves.
#
# Run:   bash bench/timing.sh [--seeks N]      (needs scripts/setup.sh deps)
set -euo pipefail
cd "$(dirname "$0")/.."

seeks=20
while [ $# -gt 0 ]; do
  case "$1" in
    --seeks) seeks="${2:?--seeks needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (usage: bash bench/timing.sh [--seeks N])" >&2; exit 2 ;;
  esac
done
command -v gst-launch-1.0 >/dev/null || { echo "bench: gst-launch-1.0 is missing; install gstreamer1.0-tools (scripts/setup.sh deps)" >&2; exit 1; }

out=bench/out
mkdir -p "$out"
# shellcheck source=bench/gop_clip.sh
. bench/gop_clip.sh
clip="$gop_clip"

cargo build --release --quiet --example timing_bench
echo "- date: $(date -u '+%F %H:%M UTC'); framescope $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1))"
echo "- GStreamer: $(gst-launch-1.0 --version | sed -n 's/^GStreamer //p')"
echo "- command: target/release/examples/timing_bench $clip --fps 30 --gop-frames 60 --seeks $seeks"
echo
target/release/examples/timing_bench "$clip" --fps 30 --gop-frames 60 --seeks "$seeks"
