#!/usr/bin/env bash
# Paired A/B of the 3x3 video wall: two builds of examples/video_wall.rs
# play the same nine clips AT THE SAME TIME on the same display, PAIRS
# times (default 6), the one started first alternating. On a machine whose
# speed drifts between runs (this project's VMs: ±15 % within minutes), the
# drift hits both sides of a pair alike, so per-pair differences show
# changes of a few per cent that sequential runs hide.
#
# For each side it prints, per pair, the process's CPU seconds (user + sys,
# GNU time) and its main thread's (utime + stime from /proc, read until it
# exits), then the means, the mean difference and in how many pairs the
# second side was cheaper.
#
# Run:   bash bench/wall_pair.sh OLD NEW [PAIRS]
# OLD and NEW are two different video_wall executables, for instance an
# older revision's, built beside this checkout:
#   git worktree add /tmp/old REV && (cd /tmp/old && cargo build --release --example video_wall)
#   bash bench/wall_pair.sh /tmp/old/target/release/examples/video_wall target/release/examples/video_wall
# DURATION (default 20) sets the seconds played per run; the clips are
# bench/video_wall.sh's (bench/wall_clips.sh). Starts its own Xvfb when
# DISPLAY is empty. Needs: /usr/bin/time (package time), gstreamer1.0-tools,
# x264enc, xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  -h|--help|"") sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ]; exit $? ;;
esac
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "bench: usage: bash bench/wall_pair.sh OLD NEW [PAIRS]" >&2; exit 2; }
pairs="${3:-6}"
[[ "$pairs" =~ ^[1-9][0-9]?$ ]] || { echo "bench: PAIRS must be a whole number from 1 to 99" >&2; exit 2; }
seconds="${DURATION:-20}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: DURATION must be a positive integer number of seconds" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing; install the Debian package 'time'" >&2; exit 1; }

out=bench/out
mkdir -p "$out"
tiles=9

for side in "$1" "$2"; do
  [ -f "$side" ] && [ -x "$side" ] || { echo "bench: '$side' is not an executable (build video_wall first, see --help)" >&2; exit 2; }
done
old="$1"
new="$2"

. bench/wall_clips.sh
wall_clips
. bench/display.sh
bench_display "$out"

# main_cpu PID: the main thread's utime + stime in clock ticks, 0 if gone.
main_cpu() {
  local stat
  stat=$(cat "/proc/$1/task/$1/stat" 2>/dev/null) || { echo 0; return; }
  local fields=(${stat##*) })
  echo $((fields[11] + fields[12]))
}

# play_pair FIRST SECOND: both at once; prints "total main" for FIRST, then SECOND.
play_pair() {
  local pids=() times=() mains=(0 0) i
  for i in 0 1; do
    times[$i]=$(mktemp)
    /usr/bin/time -o "${times[$i]}" -f '%U %S' \
      timeout -k 10 $((seconds * 3 + 60)) "${@:$((i + 1)):1}" --tiles "$tiles" --exit-after "$seconds" \
      --window-size 1280x720 "${clips[@]}" >/dev/null 2>&1 &
    pids[$i]=$!
  done
  # The players run under time and timeout: follow the video_wall processes.
  local walls=() deadline=$((SECONDS + seconds * 3 + 70))
  while [ "${#walls[@]}" -lt 2 ] && [ $SECONDS -lt $deadline ]; do
    walls=()
    for i in 0 1; do
      local p
      p=$(pgrep -n -f "^${@:$((i + 1)):1} --tiles" || true)
      [ -n "$p" ] && walls[$i]=$p
    done
    sleep 0.1
  done
  while kill -0 "${pids[0]}" 2>/dev/null || kill -0 "${pids[1]}" 2>/dev/null; do
    for i in 0 1; do
      local c
      c=$(main_cpu "${walls[$i]:-0}")
      [ "$c" -gt 0 ] && mains[$i]=$c
    done
    sleep 0.3
  done
  wait "${pids[0]}" "${pids[1]}" || echo "bench: a wall exited with an error" >&2
  local hz u s
  hz=$(getconf CLK_TCK)
  for i in 0 1; do
    read -r u s < <(tail -n 1 "${times[$i]}")
    awk -v u="$u" -v s="$s" -v m="${mains[$i]}" -v hz="$hz" 'BEGIN { printf "%.2f %.2f\n", u + s, m / hz }'
    rm -f "${times[$i]}"
  done
}

echo "## Paired video wall, ${seconds} s, $pairs pairs"
echo
echo "- date: $(date -u '+%F %H:%M UTC'); machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)); X display: $DISPLAY"
echo "- old: \`$old\`"
echo "- new: \`$new\`"
echo
echo "| pair | started first | old total | new total | old main | new main |"
echo "|---|---|---|---|---|---|"
results=()
for p in $(seq 1 "$pairs"); do
  if [ $((p % 2)) -eq 1 ]; then
    mapfile -t r < <(play_pair "$old" "$new"); o=${r[0]}; n=${r[1]}; first=old
  else
    mapfile -t r < <(play_pair "$new" "$old"); n=${r[0]}; o=${r[1]}; first=new
  fi
  echo "| $p | $first | ${o% *} | ${n% *} | ${o#* } | ${n#* } |"
  results+=("${o% *} ${n% *} ${o#* } ${n#* }")
done
printf '%s\n' "${results[@]}" | awk '
  { ot += $1; nt += $2; om += $3; nm += $4; if ($2 < $1) cheaper++ ; n++ }
  END {
    printf "| mean | | %.2f | %.2f (%+.1f %%) | %.2f | %.2f (%+.1f %%) |\n\n", ot / n, nt / n, 100 * (nt - ot) / ot, om / n, nm / n, 100 * (nm - om) / om
    printf "New cheaper in %d of %d pairs (total CPU).\n", cheaper, n
  }'
