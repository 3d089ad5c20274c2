#!/usr/bin/env bash
# Network benchmark for Framescope: time to first frame, RTSP and RTMP latency.
#
# What it measures, side by side in one run, on streams this benchmark
# serves itself from 127.0.0.1 (examples/network_bench.rs):
#   1. time to first frame of a local HLS stream (10 s, 2 s TS segments,
#      640x360 H.264), a local RTSP stream (live 320x240 H.264) and the same
#      camera published as FLV to a local nginx-rtmp (rtmp://): the
#      benchmark's own `ttff URL` mode (a headless Framescope player, process
#      start to its first frame at the sink) against
#      `gst-play-1.0 --no-interactive -q --videosink "fakesink num-buffers=1
#      sync=true" --audiosink fakesink URL` (process start to exit after its
#      first frame); the median of RUNS runs each, and the ratio;
#   2. end-to-end latency of the RTSP and RTMP streams, side by side: the
#      sender writes its clock into each frame's pixels before encoding and
#      the player's video sink reads it back as it renders; median and 95th
#      percentile over SECONDS_EACH s at the default latency and with
#      live-latency-ms 200 (RTSP's target: the median within 50 ms of the
#      configured latency: PASS/FAIL; RTMP has no jitter buffer to set).
#
# Run:   bash bench/network.sh            (RUNS=5 SECONDS_EACH=10 by default)
# Builds the example in release first. Output also goes to bench/out/network.txt.
# Needs: gstreamer1.0-tools (gst-play-1.0), libgstrtspserver-1.0-dev, x264enc,
# nginx-light + libnginx-mod-rtmp (without them the RTMP rows say why they
# are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "bench: unknown argument '$1' (usage: bash bench/network.sh)" >&2; exit 2 ;;
esac
command -v gst-play-1.0 >/dev/null || { echo "bench: gst-play-1.0 is missing; install the Debian package gstreamer1.0-tools" >&2; exit 1; }
mkdir -p bench/out
cargo build --release --locked --example network_bench
echo "framescope $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%d), $(nproc) cores"
RUNS="${RUNS:-5}" SECONDS_EACH="${SECONDS_EACH:-10}" target/release/examples/network_bench | tee bench/out/network.txt
