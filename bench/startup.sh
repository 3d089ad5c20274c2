#!/usr/bin/env bash
# Time to first frame of a local file, warm and cold, side by side.
#
# What it measures, on a generated 1 s 1080p30 H.264 High + AAC clip in a
# 1280x720 window, for each player in turn:
#   - wall seconds from launch to exit after playing the whole 1 s clip
#     (framescope --exit-at-end, gst-play-1.0 with ximagesink, mpv --vo=x11
#     --ao=null): start-up, first frame, one second of playback, teardown;
#   - Framescope's own time to the first frame handed to GTK, from the
#     process's start (`first_frame_s` in --stats-json);
#   - mpv --frames=1: launch to exit after its first frame.
# Warm: RUNS runs each after one unmeasured run, the median. Cold: the page
# cache dropped before each run (echo 3 > /proc/sys/vm/drop_caches, root
# only; skipped with a message otherwise), COLD_RUNS runs each, the median.
#
# Run:   bash bench/startup.sh [--runs N] [--cold-runs N]
# Needs what bench/playback.sh needs (it shares its clip recipe and Xvfb
# handling) and installs what is missing first (scripts/setup.sh
# bench-deps); mpv is optional.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
cold_runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --cold-runs) cold_runs="${2:?--cold-runs needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (usage: bash bench/startup.sh [--runs N] [--cold-runs N])" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$cold_runs"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench: run counts must be positive integers" >&2; exit 2; }
done
# The tools and mpv: installed when missing (BENCH_NO_INSTALL=1 skips this).
if [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
  bash scripts/setup.sh bench-deps || echo "bench: could not install the compared players (scripts/setup.sh bench-deps failed); mpv's rows are left out if it is missing" >&2
fi
command -v gst-launch-1.0 >/dev/null || { echo "bench: gst-launch-1.0 is missing; install gstreamer1.0-tools (or run scripts/setup.sh deps)" >&2; exit 1; }
command -v gst-play-1.0 >/dev/null || { echo "bench: gst-play-1.0 is missing; install gstreamer1.0-tools" >&2; exit 1; }

out=bench/out
mkdir -p "$out"
clip="$out/smpte-1080p30-1s-h264-high-b3-6000k-aac.mp4"
if [ ! -s "$clip" ]; then
  gst-launch-1.0 -q -e \
    videotestsrc num-buffers=30 pattern=smpte horizontal-speed=8 \
    ! video/x-raw,width=1920,height=1080,framerate=30/1 ! timeoverlay font-desc="Sans 48" \
    ! videoconvert ! video/x-raw,format=I420 ! x264enc bitrate=6000 bframes=3 ! h264parse ! queue ! mux. \
    audiotestsrc num-buffers=47 samplesperbuffer=1024 \
    ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! avenc_aac bitrate=128000 ! aacparse ! queue ! mux. \
    mp4mux name=mux ! filesink location="$clip.part"
  mv "$clip.part" "$clip"
fi
cargo build --release --quiet
bin=target/release/framescope

. bench/display.sh
bench_display "$out"

can_drop=no
if [ -w /proc/sys/vm/drop_caches ]; then can_drop=yes; fi
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) printf "%.3f", v[(NR+1)/2]; else printf "%.3f", (v[NR/2]+v[NR/2+1])/2}'; }
now() { date +%s.%N; }

stats="$out/startup-stats.json"
uri="file://$(realpath "$clip")"
# one NAME: runs player NAME once; prints its wall seconds (and, for
# framescope, its first_frame_s after a space).
one() {
  local start end
  start=$(now)
  case "$1" in
    framescope) "$bin" --no-resume --new-instance --exit-at-end --window-size 1280x720 --stats-json "$stats" "$clip" >/dev/null 2>&1 ;;
    gst-play) gst-play-1.0 -q --no-interactive --videosink=ximagesink '--audiosink=fakesink sync=true' "$uri" >/dev/null 2>&1 ;;
    mpv) mpv --no-config --really-quiet --vo=x11 --ao=null --geometry=1280x720 "$clip" >/dev/null 2>&1 ;;
    mpv-frame) mpv --no-config --really-quiet --vo=x11 --ao=null --geometry=1280x720 --frames=1 "$clip" >/dev/null 2>&1 ;;
  esac
  end=$(now)
  if [ "$1" = framescope ]; then
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}') $(sed -n 's/.*"first_frame_s": *\([0-9.]*\).*/\1/p' "$stats")"
  else
    awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f\n", b - a}'
  fi
}
players=(framescope gst-play)
if command -v mpv >/dev/null; then players+=(mpv mpv-frame); fi

declare -A warm cold warm_ff cold_ff
for p in "${players[@]}"; do
  echo "bench: $p, warm" >&2
  one "$p" >/dev/null
  results=$(for _ in $(seq "$runs"); do one "$p"; done)
  warm[$p]=$(echo "$results" | awk '{print $1}' | median)
  warm_ff[$p]=$(echo "$results" | awk 'NF>1 {print $2}' | median)
  if [ "$can_drop" = yes ]; then
    echo "bench: $p, cold" >&2
    results=$(for _ in $(seq "$cold_runs"); do drop_caches; one "$p"; done)
    cold[$p]=$(echo "$results" | awk '{print $1}' | median)
    cold_ff[$p]=$(echo "$results" | awk 'NF>1 {print $2}' | median)
  else
    cold[$p]="n/a"; cold_ff[$p]="n/a"
  fi
done

echo "## Time to first frame, 1 s 1080p clip ($(basename "$clip"))"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); framescope $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "- machine: $(nproc) cores; GStreamer $(gst-launch-1.0 --version | sed -n 's/.*GStreamer \([0-9.]*\).*/\1/p' | head -n 1); X display: $DISPLAY"
echo "- warm: median of $runs runs after one unmeasured run; cold: median of $cold_runs runs, page cache dropped before each ($([ "$can_drop" = yes ] && echo done || echo 'skipped: needs root'))"
echo
echo "| command | warm s | cold s | time to first frame, warm s | cold s |"
echo "|---|---|---|---|---|"
for p in "${players[@]}"; do
  case "$p" in
    framescope) what="framescope --exit-at-end (launch to exit, 1 s clip)"; ff_w=${warm_ff[$p]}; ff_c=${cold_ff[$p]} ;;
    gst-play) what="gst-play-1.0 ximagesink (launch to exit, 1 s clip)"; ff_w="n/a"; ff_c="n/a" ;;
    mpv) what="mpv --vo=x11 (launch to exit, 1 s clip)"; ff_w="n/a"; ff_c="n/a" ;;
    mpv-frame) what="mpv --vo=x11 --frames=1 (launch to exit after the first frame)"; ff_w="≤ ${warm[$p]}"; ff_c="≤ ${cold[$p]}" ;;
  esac
  echo "| $what | ${warm[$p]} | ${cold[$p]} | $ff_w | $ff_c |"
done
