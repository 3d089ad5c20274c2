# Sourced by the bench scripts (startup.sh, playback.sh, video_wall.sh): an
# X display and a runtime directory for the players they measure.
#
# bench_display OUTDIR [WxH]: keeps the caller's DISPLAY when set; otherwise
# starts a private Xvfb (WxH, by default 1280x720, at 24 bits; -noreset so it
# never resets between clients)
# on the first free display number, logging to OUTDIR/xvfb.log, and exports
# DISPLAY. Makes and exports XDG_RUNTIME_DIR when unset. Both go away when
# the script exits; a script that has more to clean up defines
# bench_more_cleanup, which runs first. Sets xvfb_pid ("" when the caller's
# display is used).

xvfb_pid=""
bench_runtime_dir=""

bench_cleanup() {
  if declare -F bench_more_cleanup >/dev/null; then bench_more_cleanup; fi
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
  if [ -n "$bench_runtime_dir" ]; then rm -rf "$bench_runtime_dir"; fi
}

bench_display() {
  local out="$1" screen="${2:-1280x720}" n=77
  trap bench_cleanup EXIT
  if [ -z "${DISPLAY:-}" ]; then
    while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 "${screen}x24" -nolisten tcp -noreset >"$out/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
    [ -e "/tmp/.X11-unix/X$n" ] || { echo "bench: Xvfb :$n did not start, see $out/xvfb.log" >&2; exit 1; }
    export DISPLAY=":$n"
  fi
  if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
    bench_runtime_dir=$(mktemp -d); chmod 700 "$bench_runtime_dir"
    export XDG_RUNTIME_DIR="$bench_runtime_dir"
  fi
}
