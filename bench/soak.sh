#!/usr/bin/env bash
# Kiosk soak test for Framescope (not part of the regular test run).
#
# What it does: generates a 5 s 640x360 30 fps H.264 + AAC MP4 once, then runs
#   framescope --kiosk --loop CLIP --stats-json bench/out/soak-stats.json
# under Xvfb for MINUTES (default 30), sampling the process's RSS every 10 s
# into bench/out/soak-rss.csv. At the end it presses the kiosk quit chord
# (Ctrl+Alt+Q, with xdotool), so the player writes its statistics and exits.
#
# It prints: RSS after the first minute (warm) and at the end, and the growth;
# frames rendered and dropped; the loops played; the largest step between
# consecutive frames at the video sink in running time, across the loop seams
# (a gap at the seam would show as a step above one frame, 33.3 ms) and
# anywhere (a frame lost to CPU starvation shows there); watchdog restarts.
# PASS needs: RSS growth < 10 MB, 0 dropped frames, the largest step across a
# seam below 1.5 frames, 0 restarts and errors. Run it on an otherwise idle
# machine: other work on the same cores makes frames late.
#
# Run:   bash bench/soak.sh [--minutes N]
# Builds target/release/framescope first. Starts its own Xvfb (1280x720x24)
# when DISPLAY is empty. Needs xvfb, xdotool, gstreamer1.0-tools, jq-free
# (the JSON is read with python3).
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=30
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="${2:?--minutes needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak: unknown argument '$1' (usage: bash bench/soak.sh [--minutes N])" >&2; exit 2 ;;
  esac
done
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] || { echo "soak: --minutes must be a positive integer" >&2; exit 2; }
need() { command -v "$1" >/dev/null || { echo "soak: $1 is missing; install the Debian package $2 (or run scripts/setup.sh deps)" >&2; exit 1; }; }
need gst-launch-1.0 gstreamer1.0-tools
need xdotool xdotool
need python3 python3
[ -n "${DISPLAY:-}" ] || need Xvfb xvfb

out=bench/out
mkdir -p "$out"
clip="$out/soak-640x360-5s-h264-aac.mp4"
if [ ! -s "$clip" ]; then
  echo "soak: generating $clip" >&2
  gst-launch-1.0 -q mp4mux name=m ! filesink location="$clip" \
    videotestsrc num-buffers=150 pattern=smpte ! video/x-raw,width=640,height=360,framerate=30/1 ! timeoverlay \
      ! videoconvert ! x264enc speed-preset=ultrafast key-int-max=30 ! h264parse ! queue ! m. \
    audiotestsrc num-buffers=235 samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 ! audioconvert \
      ! avenc_aac ! aacparse ! queue ! m. >/dev/null
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

stats="$out/soak-stats.json"
rss_csv="$out/soak-rss.csv"
rm -f "$stats"
echo "seconds,rss_kb" > "$rss_csv"
cmd=(target/release/framescope --kiosk --loop "$clip" --stats-json "$stats")
echo "soak: ${cmd[*]} for $minutes min on $DISPLAY" >&2
"${cmd[@]}" 2>"$out/soak-stderr.log" &
pid=$!
total=$((minutes * 60))
warm_kb=""
for ((t = 0; t <= total; t += 10)); do
  kill -0 "$pid" 2>/dev/null || { echo "soak: framescope exited early (see $out/soak-stderr.log)" >&2; exit 1; }
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  echo "$t,$rss" >> "$rss_csv"
  [ "$t" -eq 60 ] && warm_kb=$rss
  [ "$t" -lt "$total" ] && sleep 10
done
end_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
xdotool key ctrl+alt+q
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "soak: the quit chord did not end framescope" >&2; kill "$pid"; exit 1
fi
[ -s "$stats" ] || { echo "soak: no statistics were written" >&2; exit 1; }

python3 - "$stats" "${warm_kb:-0}" "$end_kb" "$minutes" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
warm, end, minutes = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
growth = (end - warm) / 1024
frame_ms = 1000 / 30
step = s.get("max_frame_step_ms") or 0.0
seam = s.get("max_loop_seam_step_ms") or 0.0
print(f"Kiosk soak, {minutes} min, 5 s 640x360 H.264+AAC clip looped (framescope --kiosk --loop):")
print(f"  RSS after 1 min   {warm / 1024:8.1f} MB")
print(f"  RSS at the end    {end / 1024:8.1f} MB   growth {growth:+.1f} MB")
# One round of the clip lasts as long as its audio: 235 AAC frames of 1024
# samples at 48 kHz (5.013 s), showing its 150 video frames.
round_s = 235 * 1024 / 48000
expected = s["played_seconds"] / round_s * 150
print(f"  frames rendered   {s['rendered']:8d}   dropped {s['dropped']}   (the video sink's own counters)")
print(f"  frames at the sink {s['frames_at_sink']:7d}   counted one by one; {expected:.0f} expected from the time played")
print(f"  played            {s['played_seconds']:8.1f} s   ({s['played_seconds'] / 5:.0f} loops)")
print(f"  loop seams crossed {s['loop_seams']:7d}   largest step across a seam {seam:.1f} ms")
print(f"  largest frame step {step:7.1f} ms anywhere  (one frame is {frame_ms:.1f} ms)")
print(f"  watchdog          restarts {s['restarts']}, errors {s['errors']}, stalls {s['stalls']}")
ok = (growth < 10 and s["dropped"] == 0 and s["loop_seams"] > 0 and seam < 1.5 * frame_ms
      and s["restarts"] == 0 and s["errors"] == 0)
print("PASS" if ok else "FAIL")
PY
