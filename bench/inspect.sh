#!/usr/bin/env bash
# Frame listing benchmark for `framescope inspect --json --frames`.
#
# What it measures: on a generated 1-hour 1080p30 H.264 + AAC MP4 (a 10 s
# clip encoded once, then looped 360 times with ffmpeg -c copy, moov at the
# front), side by side in the same run and alternating, N times each:
#   a. target/release/framescope inspect --json --frames FILE > /dev/null
#   b. ffprobe -v error -show_packets -of json FILE > /dev/null
#   (and, for reference, framescope inspect --json FILE: no frame list)
# under GNU time (wall seconds, max RSS). It prints the median wall time and
# the largest max RSS of each, the ratios framescope / ffprobe, the frames each
# tool listed per stream (108000 video + 169200 audio: 470 AAC frames per
# loop, priming included), and whether the output streams: the time to the
# first frame line and to the first 100 kB (framescope piped into head)
# against the full run, and max RSS against a 100 MB budget (PASS/FAIL lines
# at the end). MB here is 1024 KiB.
#
# Run:   bash bench/inspect.sh [--runs N]      (default 3 runs of each)
# Builds target/release/framescope first. The media is generated once into
# target/bench-media/ (under a minute, about 150 MB) and then reused.
# Needs: /usr/bin/time (package time), gstreamer1.0-tools,
# gstreamer1.0-plugins-* (x264enc, avenc_aac), ffmpeg (ffmpeg, ffprobe).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (usage: bash bench/inspect.sh [--runs N])" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --runs must be a positive integer" >&2; exit 2; }

need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing; install the Debian package $2 (or run scripts/setup.sh deps)" >&2; exit 1; }; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing; install the Debian package 'time' (apt-get install time)" >&2; exit 1; }
need gst-launch-1.0 gstreamer1.0-tools
need ffmpeg ffmpeg
need ffprobe ffmpeg
need cargo cargo

budget_mb=100
media=target/bench-media
out="$media/out"
mkdir -p "$media" "$out"
clip="$media/ball-1080p30-10s-ultrafast-gop60-b2-aac.mp4"
long="$media/ball-1080p30-3600s-ultrafast-gop60-b2-aac.mp4"

# 1. The release binary.
cargo build --release --quiet
bin=target/release/framescope

# 2. The media: a 10 s clip (bouncing ball, x264 ultrafast, 2 s GOPs,
#    2 B-frames, 4:2:0 8-bit: without format=I420 x264enc negotiates 4:4:4
#    10-bit; 48 kHz stereo AAC, exactly 480000 samples), looped to one hour
#    without re-encoding.
if [ ! -s "$clip" ]; then
  echo "bench: encoding $clip" >&2
  gst-launch-1.0 -q -e \
    videotestsrc num-buffers=300 pattern=ball \
    ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 \
    ! x264enc speed-preset=ultrafast key-int-max=60 bframes=2 ! h264parse ! queue ! m. \
    audiotestsrc num-buffers=1000 samplesperbuffer=480 ! audio/x-raw,rate=48000,channels=2 \
    ! audioconvert ! avenc_aac ! aacparse ! queue ! m. \
    mp4mux name=m ! filesink location="$clip.part"
  mv "$clip.part" "$clip"
fi
if [ ! -s "$long" ]; then
  echo "bench: looping it to one hour: $long" >&2
  ffmpeg -v error -y -stream_loop 359 -i "$clip" -c copy -movflags +faststart -f mp4 "$long.part"
  mv "$long.part" "$long"
fi
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$long")
if ! awk -v d="$duration" 'BEGIN { exit !(d > 3590 && d < 3610) }'; then
  echo "bench: $long lasts $duration s, not about 3600 s; delete it and run again" >&2
  exit 1
fi
size_mb=$(( $(stat -c %s "$long") / 1048576 ))

# shown ARGS...: ARGS as one copy-pasteable shell line.
shown() {
  local a line=""
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=,+!@%-]+$ ]]; then line+="$a "; else line+="'${a//\'/\'\\\'\'}' "; fi
  done
  echo "${line% }"
}

# median NUMBERS...: the median (mean of the middle two for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# timed VAR_WALL VAR_RSS CMD...: runs CMD (stdout to /dev/null) under GNU
# time; appends wall seconds and max RSS KiB to the named arrays.
ok=1
timed() {
  local -n w="$1" r="$2"; shift 2
  local t="$out/time.txt" rc=0 e m
  /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>"$out/stderr.txt" </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "bench: exit $rc from: $(shown "$@")" >&2; sed 's/^/  /' "$out/stderr.txt" >&2; ok=0
  fi
  read -r e m < <(tail -n 1 "$t")
  w+=("$e"); r+=("$m")
  echo "bench:   $e s, $((m / 1024)) MB  $(basename "$1")" >&2
}

ours=("$bin" inspect --json --frames "$long")
theirs=(ffprobe -v error -show_packets -of json "$long")
head_only=("$bin" inspect --json "$long")

# 3. The timings, alternating.
#    Also, for reference, framescope without --frames (the media report
#    alone: GStreamer's Discoverer, which prerolls the decoders).
our_wall=(); our_rss=(); ff_wall=(); ff_rss=(); ho_wall=(); ho_rss=()
for i in $(seq "$runs"); do
  echo "bench: run $i of $runs" >&2
  timed our_wall our_rss "${ours[@]}"
  timed ff_wall ff_rss "${theirs[@]}"
  timed ho_wall ho_rss "${head_only[@]}"
done

# 4. The frames each listed, per stream (framescope's JSON has one frame
#    object per line; ffprobe's CSV one packet per line).
echo "bench: counting frames" >&2
"${ours[@]}" >"$out/frames.json"
our_frames=$(grep -c '"stream":' "$out/frames.json" || true)
our_per=$(sed -n 's/^ *{"stream":\([0-9]*\),.*/\1/p' "$out/frames.json" | sort -n | uniq -c | awk '{ printf "%s%s: %s", (NR > 1 ? ", " : ""), $2, $1 }')
our_kinds=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(", ".join("%s=%s" % (s["index"], s["type"]) for s in r["streams"]))' "$out/frames.json" 2>/dev/null || echo "JSON did not parse")
ffprobe -v error -show_entries packet=stream_index -of csv "$long" >"$out/packets.csv"
ff_frames=$(wc -l <"$out/packets.csv")
ff_per=$(cut -d, -f2 "$out/packets.csv" | sort -n | uniq -c | awk '{ printf "%s%s: %s", (NR > 1 ? ", " : ""), $2, $1 }')
ff_kinds=$(ffprobe -v error -show_entries stream=index,codec_type -of csv=p=0 "$long" | tr '\n' ' ' | sed 's/,/=/g; s/ $//; s/ /, /g')
rm -f "$out/frames.json" "$out/packets.csv"

# 5. Streaming: when the first frame line reaches the pipe, and how long
#    framescope piped into `head -c 100000` runs (it stops at the closed pipe).
echo "bench: streaming checks" >&2
t0=$EPOCHREALTIME
t1=$( { "${ours[@]}" 2>/dev/null || true; } | {
  while IFS= read -r line; do
    if [[ "$line" == *'"stream":'* ]]; then echo "$EPOCHREALTIME"; break; fi
  done
})
first_line=$(awk -v a="$t0" -v b="${t1:-}" 'BEGIN { if (b == "") print "never"; else printf "%.2f", b - a }')
head_cmd="$(shown "${ours[@]}") | head -c 100000 >/dev/null"
/usr/bin/time -f '%e %M' -o "$out/time.txt" bash -c "$head_cmd" 2>/dev/null
read -r head_wall head_rss < <(tail -n 1 "$out/time.txt")

# 6. Report.
ow=$(median "${our_wall[@]}"); fw=$(median "${ff_wall[@]}")
orss=$(( $(maximum "${our_rss[@]}") / 1024 )); frss=$(( $(maximum "${ff_rss[@]}") / 1024 ))
hw=$(median "${ho_wall[@]}"); hrss=$(( $(maximum "${ho_rss[@]}") / 1024 ))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
frac() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "never" || b <= 0) print "n/a"; else printf "%.0f%%", 100 * a / b }'; }
echo "## Inspect: 1-hour 1080p file, --frames"
echo
echo "- date: $(date -u '+%F %H:%M UTC'); framescope $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)')"
echo "- machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1))"
echo "- GStreamer: $(gst-launch-1.0 --version | sed -n 's/^GStreamer //p'); $(ffprobe -version | head -n 1 | cut -d' ' -f1-3)"
echo "- file: $long ($duration s, $size_mb MB, 1920x1080 30 fps H.264 4:2:0 ultrafast, GOP 60, 2 B-frames + 48 kHz stereo AAC; a 10 s clip looped 360 times)"
echo
echo "| | framescope inspect --json --frames | ffprobe -show_packets -of json | framescope / ffprobe |"
echo "|---|---|---|---|"
echo "| wall time, median of $runs | $ow s | $fw s | $(ratio "$ow" "$fw") |"
echo "| wall time, each run | ${our_wall[*]} s | ${ff_wall[*]} s | |"
echo "| max RSS, largest of $runs | $orss MB | $frss MB | $(ratio "$orss" "$frss") |"
echo "| max RSS of each run | $(printf '%s ' "${our_rss[@]}" | awk '{ for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? " " : ""), $i / 1024 }') MB | $(printf '%s ' "${ff_rss[@]}" | awk '{ for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? " " : ""), $i / 1024 }') MB | |"
echo "| frames listed | $our_frames ($our_per) | $ff_frames ($ff_per) | |"
echo "| streams | $our_kinds | $ff_kinds | |"
echo
echo "Reference: framescope without --frames (media report only): $hw s median, $hrss MB max RSS."
echo
echo "Streaming (framescope): first frame line on stdout after $first_line s ($(frac "$first_line" "$ow") of the full run's median); piped into head -c 100000: $head_wall s ($(frac "$head_wall" "$ow")), $((head_rss / 1024)) MB."
echo
echo "Commands (each run alternately under \`/usr/bin/time -f '%e %M'\`):"
echo "- \`$(shown "${ours[@]}") >/dev/null\`"
echo "- \`$(shown "${theirs[@]}") >/dev/null\`"
echo "- frames: \`$(shown "${ours[@]}") | grep -c '\"stream\":'\`; packets: \`ffprobe -v error -show_entries packet=stream_index -of csv $long | wc -l\`"
echo "- reference: \`$(shown "${head_only[@]}") >/dev/null\`"
echo "- streaming: \`$head_cmd\`"
echo
streams=FAIL
if [ "$first_line" != never ] && awk -v a="$first_line" -v h="$head_wall" -v w="$ow" 'BEGIN { exit !(a < 0.2 * w && h < 0.2 * w) }'; then streams=PASS; fi
echo "Output streams (first frame line and first 100 kB within 20% of the full run): $streams"
rss_verdict=FAIL
[ "$orss" -lt "$budget_mb" ] && rss_verdict=PASS
echo "Max RSS within the ${budget_mb} MB budget: $rss_verdict ($orss MB)"
[ "$ok" = 1 ] || echo "Note: a command exited non-zero (see the bench: lines on stderr)"
