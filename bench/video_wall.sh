#!/usr/bin/env bash
# Video wall benchmark: nine 640x360 H.264 tiles in one window.
#
# What it measures: nine distinct generated 640x360 30 fps H.264 MP4 clips,
# each DURATION seconds long (default 60), are played for DURATION seconds by
# each command below, one after the other in the same run, under GNU time:
#   a. examples/video_wall.rs (release build): one WINDOW-sized window
#      (default 1280x720: tiles of about 426x240, scaled down; 1920x1080:
#      tiles at the clips' own 640x360), a 3x3 grid of PlayerViews, each
#      with its own Player (audio off, looping on):
#      video_wall --tiles 9 --exit-after DURATION --stats-json F CLIPS...
#      Per-tile frames rendered / dropped come from its --stats-json file.
#   b. the floor: the same nine files in ONE gst-launch-1.0 pipeline of nine
#      branches `filesrc ! qtdemux ! h264parse ! avdec_h264 ! fakesink
#      sync=true`: demux and decode in real time, nothing shown. It ends when
#      the clips end, after the same DURATION seconds of media.
#   c. GTK alone: examples/gtk_floor.rs (release build), the same 3x3 grid
#      in a window of the same size showing a new frame 30 times a second in each
#      tile, out of phase, drawn as framescopesink draws them, with no video
#      at all. Floor + GTK alone is the least a wall drawn by this GTK could
#      cost on this machine.
# For each it prints CPU seconds (user + sys, whole process, start-up
# included), CPU seconds per second of playback, peak RSS, and the ratio of
# the wall's CPU to the floor's.
#
# Run:   bash bench/video_wall.sh          (DURATION=20 bash bench/video_wall.sh for a quick try;
#        WINDOW=1920x1080 bash bench/video_wall.sh for the tiles at their own size)
# Builds target/release/examples/video_wall and gtk_floor first. Starts its own Xvfb
# (WINDOW x 24 bits) when DISPLAY is empty. Clips and logs go to bench/out/
# (git-ignored); the clips are generated once per DURATION and then reused.
# Needs: /usr/bin/time (package time), gstreamer1.0-tools,
# gstreamer1.0-plugins-* (x264enc, avdec_h264), xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "bench: unknown argument '$1' (usage: DURATION=SECONDS bash bench/video_wall.sh)" >&2; exit 2 ;;
esac
seconds="${DURATION:-60}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: DURATION must be a positive integer number of seconds" >&2; exit 2; }
window="${WINDOW:-1280x720}"
[[ "$window" =~ ^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$ ]] || { echo "bench: WINDOW must be WIDTHxHEIGHT in pixels, such as 1920x1080" >&2; exit 2; }

need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing; install the Debian package $2 (or run scripts/setup.sh deps)" >&2; exit 1; }; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing; install the Debian package 'time' (apt-get install time)" >&2; exit 1; }
need gst-launch-1.0 gstreamer1.0-tools
need cargo cargo
[ -n "${DISPLAY:-}" ] || need Xvfb xvfb

out=bench/out
mkdir -p "$out"
tiles=9

# 1. The clips (bench/wall_clips.sh).
. bench/wall_clips.sh
wall_clips

# 2. The wall, release build.
cargo build --release --quiet --example video_wall --example gtk_floor
bin=target/release/examples/video_wall
gtk_bin=target/release/examples/gtk_floor

# 3. An X display: the caller's, or a private Xvfb on the first free number.
. bench/display.sh
bench_display "$out" "$window"

# shown ARGS...: ARGS as one copy-pasteable shell line.
shown() {
  local a line=""
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=,+!@%-]+$ ]]; then line+="$a "; else line+="'${a//\'/\'\\\'\'}' "; fi
  done
  echo "${line% }"
}

# measure LABEL CMD...: runs CMD under GNU time (with a hang guard) and
# records one table row and the exact command line.
names=(); cpus=(); rss=(); walls=(); cmdlines=(); oks=()
measure() {
  local label="$1" slug; shift
  slug=$(echo "$label" | tr -c 'a-zA-Z0-9\n' '-')
  local t="$out/$slug.time" log="$out/$slug.log" rc=0
  echo "bench: running $label" >&2
  /usr/bin/time -f '%e %U %S %M' -o "$t" \
    timeout -k 10 $((seconds * 3 + 60)) "$@" </dev/null >"$log" 2>&1 || rc=$?
  local e=0 u=0 s=0 m=0
  read -r e u s m < <(tail -n 1 "$t") || echo "bench: no timing for $label" >&2
  local ok=1
  [ "$rc" -eq 0 ] || { label="$label (exit $rc, see $log)"; ok=0; }
  if awk -v e="$e" -v s="$seconds" 'BEGIN { exit !(e < 0.95 * s) }'; then
    label="$label (ended early, see $log)"; ok=0
  fi
  oks+=("$ok"); names+=("$label"); walls+=("$e"); rss+=($((m / 1024)))
  cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
  cmdlines+=("$(shown "$@")")
}

stats="$out/video-wall-stats.json"
rm -f "$stats"
measure "video_wall, 9 PlayerViews" \
  "$bin" --tiles "$tiles" --exit-after "$seconds" --window-size "$window" --stats-json "$stats" "${clips[@]}"
floor=()
for clip in "${clips[@]}"; do
  floor+=(filesrc location="$clip" ! qtdemux ! h264parse ! avdec_h264 ! fakesink sync=true)
done
measure "gst-launch-1.0, 9 decode branches (floor)" gst-launch-1.0 -q "${floor[@]}"
measure "gtk_floor: GTK alone, 9 pictures at 30 fps, no video" \
  "$gtk_bin" --tiles "$tiles" --fps 30 --exit-after "$seconds" --window-size "$window"

# 4. Report. The stats file has one "key": value per line, tiles in order.
field() { [ -s "$stats" ] && sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$stats"; }
mapfile -t uris < <(field uri || true)
mapfile -t rendered < <(field rendered || true)
mapfile -t dropped < <(field dropped || true)
mapfile -t restarts < <(field restarts || true)
mapfile -t errors < <(field errors || true)
path=$(field video_path | head -n 1 || true)
play_s=$(field seconds | head -n 1 || true)
play_cpu=$(field cpu_seconds | head -n 1 || true)
renderer=$(glxinfo -B 2>/dev/null | sed -n 's/.*OpenGL renderer string: //p' || true)
[ -n "$renderer" ] || renderer="unknown (glxinfo missing: install mesa-utils)"

echo "## Video wall, 3x3 tiles of 640x360p30 H.264 in a ${window} window, ${seconds} s"
echo
echo "- date: $(date -u '+%F %H:%M UTC'); framescope $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src examples 2>/dev/null || echo ' (src/examples modified)')"
echo "- machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)); GL renderer: $renderer"
echo "- GStreamer: $(gst-launch-1.0 --version | sed -n 's/^GStreamer //p'); X display: $DISPLAY$([ -n "$xvfb_pid" ] && echo " (Xvfb ${window}x24)"); wall video path: ${path:-n/a}"
echo
echo "| command | CPU s (user+sys) | CPU s / s played | ratio to floor | peak RSS MB | wall-clock s |"
echo "|---|---|---|---|---|---|"
for i in "${!names[@]}"; do
  per=$(awk -v c="${cpus[$i]}" -v n="$seconds" 'BEGIN { printf "%.3f", c / n }')
  ratio=$(awk -v c="${cpus[$i]}" -v f="${cpus[1]}" 'BEGIN { if (f > 0) printf "%.2fx", c / f; else print "n/a" }')
  echo "| ${names[$i]} | ${cpus[$i]} | $per | $ratio | ${rss[$i]} | ${walls[$i]} |"
done
echo
# The least a GTK 4.8 wall could cost here: decoding (the floor) plus GTK
# drawing nine pictures (gtk_floor), with no conversion and no player.
if [ "${oks[1]}" = 1 ] && [ "${oks[2]}" = 1 ]; then
  awk -v f="${cpus[1]}" -v g="${cpus[2]}" -v w="${cpus[0]}" 'BEGIN {
    if (f > 0) printf "Floor + GTK alone: %.2f CPU s, %.2fx the floor (the least a wall drawn by this GTK could cost); the wall spends %.2f CPU s above it.\n\n", f + g, (f + g) / f, w - f - g }'
fi
if [ -n "$play_s" ]; then
  echo "The wall's own count over its ${play_s} s of playback (window shown to quit, start-up excluded): ${play_cpu} CPU s."
  echo
fi
echo "| tile | clip | rendered | dropped | restarts | errors |"
echo "|---|---|---|---|---|---|"
total_r=0; total_d=0
for i in "${!rendered[@]}"; do
  echo "| $((i + 1)) | $(basename "${uris[$i]:-?}") | ${rendered[$i]} | ${dropped[$i]:-?} | ${restarts[$i]:-?} | ${errors[$i]:-?} |"
  total_r=$((total_r + rendered[i])); total_d=$((total_d + ${dropped[$i]:-0}))
done
echo "| all | $((seconds * 30 * tiles)) frames in the clips | $total_r | $total_d | | |"
echo
echo "Commands (wall-clock seconds in brackets):"
for i in "${!names[@]}"; do echo "- [${walls[$i]} s] \`${cmdlines[$i]}\`"; done
