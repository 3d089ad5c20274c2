#!/usr/bin/env bash
# Seek-preview cost benchmark for Framescope.
#
# What it measures: the main pipeline's frames while the pointer sweeps the
# seek bar, on a generated 1080p30 H.264 clip (default 20 s, 2 s GOPs). Two
# runs of the same release binary one after the other, each playing the clip
# for --seconds of sweeping in a 1280x720 window, ended with SIGTERM:
#   1. framescope, pointer still in the middle of the picture   (baseline)
#   2. framescope, pointer sweeping the seek bar back and forth, a new
#      position every 100 ms (a preview decoded at each)       (previews)
# For each it prints frames rendered and dropped (--stats-json), CPU seconds
# (GNU time user + sys) and their ratio. Target: zero dropped frames while
# previewing (PASS/FAIL line).
#
# Run:   bash bench/preview.sh [--seconds N]
# Builds target/release/framescope first. Starts its own Xvfb (1280x720x24)
# when DISPLAY is empty. Clip and logs go to bench/out/ (git-ignored).
# Needs: /usr/bin/time, xdotool, gstreamer1.0-tools, x264enc, xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (usage: bash bench/preview.sh [--seconds N])" >&2; exit 2 ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --seconds must be a positive integer" >&2; exit 2; }
need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing; install the Debian package $2 (or run scripts/setup.sh deps)" >&2; exit 1; }; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing; install the Debian package 'time'" >&2; exit 1; }
need gst-launch-1.0 gstreamer1.0-tools
need xdotool xdotool
need cargo cargo

out=bench/out
mkdir -p "$out"
length=$((seconds + 10))
clip="$out/ball-1080p30-${length}s-gop60.mp4"
if [ ! -s "$clip" ]; then
  echo "bench: generating $clip" >&2
  gst-launch-1.0 -q -e videotestsrc num-buffers=$((length * 30)) pattern=smpte horizontal-speed=4 \
    ! video/x-raw,width=1920,height=1080,framerate=30/1 ! timeoverlay font-desc="Sans 48" \
    ! videoconvert ! x264enc bitrate=6000 key-int-max=60 bframes=2 ! h264parse ! mp4mux \
    ! filesink location="$clip.part"
  mv "$clip.part" "$clip"
fi
cargo build --release --locked --quiet

xvfb_pid=""
cleanup() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 120 160); do
    [ -e "/tmp/.X$n-lock" ] && continue
    Xvfb ":$n" -screen 0 1280x720x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    export DISPLAY=":$n"
    sleep 1
    break
  done
fi
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "${XDG_RUNTIME_DIR}" ]; then
  XDG_RUNTIME_DIR="$(mktemp -d /tmp/framescope-runtime.XXXXXX)"; chmod 700 "$XDG_RUNTIME_DIR"; export XDG_RUNTIME_DIR
fi

# One run: play, optionally sweep, end with SIGTERM; prints "rendered dropped cpu".
run() {
  local mode=$1 stats="$out/preview-$1.json" timing="$out/preview-$1.time"
  rm -f "$stats"
  /usr/bin/time -f '%U %S' -o "$timing" target/release/framescope --no-resume --mute \
    --window-size 1280x720 --stats-json "$stats" "$clip" 2>"$out/preview-$mode.log" &
  local pid=$!
  local window=""
  for _ in $(seq 100); do
    window=$(xdotool search --onlyvisible --name "Framescope" 2>/dev/null | tail -n1 || true)
    [ -n "$window" ] && break
    sleep 0.1
  done
  [ -n "$window" ] || { echo "bench: the player window did not appear" >&2; exit 1; }
  sleep 2
  xdotool mousemove --window "$window" 640 300
  local end=$((SECONDS + seconds)) x=200 dx=37
  while [ $SECONDS -lt $end ]; do
    if [ "$mode" = previews ]; then
      # The seek bar runs along the controls at the bottom of the window.
      xdotool mousemove --window "$window" "$x" 680
      x=$((x + dx)); if [ $x -gt 900 ] || [ $x -lt 200 ]; then dx=$((-dx)); fi
    fi
    sleep 0.1
  done
  local child
  child=$(pgrep -P "$pid" framescope || echo "$pid")
  kill -TERM "$child"
  wait "$pid" || true
  python3 - "$stats" "$timing" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
user, system = open(sys.argv[2]).read().split()[-2:]
print(s["rendered"], s["dropped"], f"{float(user) + float(system):.2f}")
PY
}

read -r base_r base_d base_cpu < <(run baseline)
read -r prev_r prev_d prev_cpu < <(run previews)
ratio=$(python3 -c "print(f'{$prev_cpu / max($base_cpu, 0.01):.2f}')")
echo "Seek previews on $clip (1080p30, 2 s GOPs), ${seconds} s of sweeping, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo
echo "| run | rendered | dropped | CPU s | CPU ratio |"
echo "|---|---|---|---|---|"
echo "| framescope, pointer still (baseline) | $base_r | $base_d | $base_cpu | 1.00x |"
echo "| framescope, pointer sweeping the seek bar every 100 ms | $prev_r | $prev_d | $prev_cpu | ${ratio}x |"
echo
echo "Command (both runs): target/release/framescope --no-resume --mute --window-size 1280x720 --stats-json F $clip, ended with SIGTERM after the sweep"
if [ "$prev_d" -eq 0 ]; then echo "Target: zero dropped frames while previewing: PASS"; else echo "Target: zero dropped frames while previewing: FAIL ($prev_d dropped; $base_d without previews)"; fi
