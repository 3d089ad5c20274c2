#!/usr/bin/env bash
# Playback cost benchmark: plays one generated 1080p30 H.264 + AAC clip in real
# time with each player below, one after another in the same run, and prints
# CPU seconds per media second (user + sys from GNU time), peak RSS and the
# frames rendered and dropped, next to the decode-only floor:
#   gst-launch-1.0 … decodebin ! fakesink sync=true   (decode, no display)
#   framescope, auto / gl / software video path, 1280x720 window
#   gst-play-1.0 with ximagesink and with glimagesink (their own window size)
# Run: bash bench/playback.sh [--seconds N]      (needs scripts/setup.sh deps)
# Starts its own Xvfb when DISPLAY is unset. Audio goes to a synchronised
# fakesink for every player (this machine has no audio device).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
[ "${1:-}" = "--seconds" ] && seconds="$2"
out=bench/out
mkdir -p "$out"
clip="$out/bench-1080p30-${seconds}s.mp4"

for tool in /usr/bin/time gst-launch-1.0 gst-play-1.0 Xvfb; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing; run scripts/setup.sh deps" >&2; exit 1; }
done

if [ ! -s "$clip" ]; then
  echo "bench: generating $clip" >&2
  frames=$((seconds * 30)); buffers=$((seconds * 48000 / 1024))
  gst-launch-1.0 -q -e videotestsrc num-buffers="$frames" pattern=ball motion=sweep \
    ! video/x-raw,width=1920,height=1080,framerate=30/1 ! timeoverlay font-desc="Sans 48" \
    ! videoconvert ! x264enc bitrate=6000 key-int-max=60 bframes=2 speed-preset=veryfast \
    ! h264parse ! queue ! mux. \
    audiotestsrc num-buffers="$buffers" samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 \
    ! audioconvert ! avenc_aac ! aacparse ! queue ! mux. \
    mp4mux name=mux ! filesink location="$clip"
fi

cargo build --release --quiet
bin=target/release/framescope

if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 70 99); do [ -e "/tmp/.X$n-lock" ] || break; done
  Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb 2>/dev/null || true' EXIT
  export DISPLAY=":$n"
  sleep 1
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

uri="file://$(realpath "$clip")"
rows=()
commands=()

# measure NAME PATH STATS_JSON CMD...: runs CMD under GNU time and records a row.
measure() {
  local name="$1" path="$2" stats="$3"; shift 3
  local t="$out/time.txt"
  /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" >/dev/null 2>"$out/stderr.txt" || echo "bench: $name exited $?" >&2
  read -r elapsed user sys rss_kb < <(tail -n 1 "$t")
  local cpu rendered=n/a dropped=n/a
  cpu=$(echo "($user + $sys) / $seconds" | bc -l)
  if [ -n "$stats" ] && [ -s "$stats" ]; then
    rendered=$(python3 -c "import json;print(json.load(open('$stats'))['rendered'])")
    dropped=$(python3 -c "import json;print(json.load(open('$stats'))['dropped'])")
    path=$(python3 -c "import json;print(json.load(open('$stats'))['video_path'])")
  fi
  rows+=("$name|$path|$cpu|$((rss_kb / 1024))|$rendered|$dropped|$elapsed")
  commands+=("$name: $*")
}

measure "gst-launch decodebin ! fakesink (floor)" "none" "" \
  gst-launch-1.0 -q filesrc location="$clip" ! decodebin name=d \
  d. ! queue ! fakesink sync=true d. ! queue ! fakesink sync=true
for path in auto gl software; do
  rm -f "$out/stats-$path.json"
  measure "framescope --video-path $path" "$path" "$out/stats-$path.json" \
    "$bin" --exit-at-end --window-size 1280x720 --video-path "$path" --stats-json "$out/stats-$path.json" "$clip"
done
measure "gst-play-1.0 ximagesink" "software" "" \
  gst-play-1.0 -q --no-interactive --videosink=ximagesink --audiosink="fakesink sync=true" "$uri"
measure "gst-play-1.0 glimagesink" "gl" "" \
  gst-play-1.0 -q --no-interactive --videosink=glimagesink --audiosink="fakesink sync=true" "$uri"

floor=$(echo "${rows[0]}" | cut -d'|' -f3)
echo "## Playback cost, ${seconds} s 1080p30 H.264 + AAC ($(date -u +%F), $(nproc) cores)"
echo
echo "GStreamer $(gst-launch-1.0 --version | sed -n 's/^GStreamer //p'); GL renderer: $(glxinfo -B 2>/dev/null | sed -n 's/.*OpenGL renderer string: //p' || echo unknown)"
echo
echo "| command | video path | CPU s / media s | vs floor | peak RSS MB | rendered | dropped | wall s |"
echo "|---|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
  IFS='|' read -r name path cpu rss rendered dropped elapsed <<<"$row"
  printf '| %s | %s | %.3f | %.2fx | %s | %s | %s | %.1f |\n' "$name" "$path" "$cpu" "$(echo "$cpu / $floor" | bc -l)" "$rss" "$rendered" "$dropped" "$elapsed"
done
echo
echo "Commands:"
for c in "${commands[@]}"; do echo "- \`$c\`"; done
auto_row="${rows[1]}"
IFS='|' read -r _ _ auto_cpu _ _ auto_dropped _ <<<"$auto_row"
ratio=$(echo "$auto_cpu / $floor" | bc -l)
verdict=FAIL
if [ "$(echo "$ratio <= 3" | bc -l)" = 1 ] && [ "$auto_dropped" = 0 ]; then verdict=PASS; fi
echo
printf 'Target (auto path within 3x the floor CPU, zero dropped): %s (%.2fx, %s dropped)\n' "$verdict" "$ratio" "$auto_dropped"
