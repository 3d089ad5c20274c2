#!/usr/bin/env bash
# Framescope's one set-up script. It installs whatever system packages are
# missing (Debian 12 names; uses sudo only when not root), then:
#   scripts/setup.sh run  [ARGS...]  builds in release mode and starts the player
#                                    (no ARGS: the embedded demo clip)
#   scripts/setup.sh test            runs formatting and lint checks and every test;
#                                    starts its own Xvfb when there is no DISPLAY
#   scripts/setup.sh deps            only installs the packages
#   scripts/setup.sh bench-deps      installs them and the players the benchmarks
#                                    compare against (mpv, Clapper)
# Idempotent: when everything is installed it goes straight to the build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: compilers and -dev packages for the GTK/GStreamer crates.
# gettext: msgfmt compiles the translations (build.rs, make install);
# xgettext and msgcmp check them (tests/i18n.rs, scripts/update-pot.sh).
BUILD_PACKAGES=(pkg-config build-essential libgtk-4-dev libadwaita-1-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gettext)
# Run: the GStreamer plugin sets, GL, icons, fonts, and GIO's TLS for HTTPS.
RUN_PACKAGES=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-gl gstreamer1.0-x gstreamer1.0-tools
  libgl1-mesa-dri libegl-mesa0 adwaita-icon-theme fonts-dejavu-core glib-networking)
# Chinese glyphs for the Simplified Chinese translation (po/zh_CN.po).
RUN_PACKAGES+=(fonts-wqy-microhei)
# Test and benchmark: a virtual X server, input and screenshot tools, GNU time,
# ffmpeg/ffprobe as the independent reference for decoded frames and packets,
# Graphviz for the inspector's SVG pipeline export, the AppStream and
# desktop-file validators for the installed desktop files, and a private
# session bus with gdbus for the MPRIS test, and GStreamer's RTSP server
# library for the RTSP tests' server, and openssl for the HTTPS test's server
# and certificates.
TEST_PACKAGES=(xvfb xauth xdotool x11-apps imagemagick mesa-utils time bc gstreamer1.0-plugins-base-apps ffmpeg graphviz
  appstream desktop-file-utils dbus-daemon libglib2.0-bin libgstrtspserver-1.0-dev openssl)
# The C ABI (scripts/build-capi.sh, make install, tests/capi.rs):
# g-ir-scanner and g-ir-compiler with the GIR files of GLib, GTK and
# GStreamer, nm and readelf (binutils) for the export check, and PyGObject
# with GTK 4's typelibs for the Python program; vapigen (valac) for the
# Vala bindings, framescope-0.vapi; Xvfb (xvfb-run) for the scanner when
# there is no display (the widget types' classes need GTK initialised).
BUILD_PACKAGES+=(gobject-introspection libgirepository1.0-dev binutils valac xvfb xauth)
TEST_PACKAGES+=(python3-gi gir1.2-gtk-4.0 gir1.2-gstreamer-1.0)
# xprop (x11-utils): the secrets test reads window titles with it.
TEST_PACKAGES+=(x11-utils)
# dbus-send: the remote-control test (tests/control.rs) sends calls with
# the wrong argument types, which gdbus (it reads the introspection first)
# cannot send.
TEST_PACKAGES+=(dbus-bin)
# gdb: a test that sees the app crash prints the backtrace from its core.
TEST_PACKAGES+=(gdb)
# The accessibility test (tests/accessibility.rs) reads the app's real
# AT-SPI tree: the AT-SPI bus (at-spi2-core) and pyatspi with Debian's
# python3, inside dbus-run-session (dbus-daemon, above).
TEST_PACKAGES+=(at-spi2-core python3-pyatspi)
# nginx with its RTMP module: tests/network.rs, tests/inspect_live.rs and
# bench/network.sh run their own nginx (a free port, their own configuration,
# pid file and log) as the RTMP server (tests/common/rtmp.rs). Debian 12's
# nginx-light is only nginx plus the echo module; nginx is what it installs.
TEST_PACKAGES+=(nginx-light libnginx-mod-rtmp)

# Benchmarks only (bench/playback.sh, bench/startup.sh): the players whose
# cost is measured in the same run as Framescope's.
BENCH_PACKAGES=(mpv clapper)

missing_packages() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      echo "$p"
    fi
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "setup: installing ${missing[*]}" >&2
  # Packages with a service (nginx) must not start it: the tests run their
  # own servers. Debian's invoke-rc.d asks policy-rc.d first.
  local policy=/usr/sbin/policy-rc.d placed=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    placed=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$placed" -eq 1 ] && "${sudo[@]}" rm -f "$policy"
  return 0
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    echo "setup: Rust is not installed; install it with rustup (https://rustup.rs) and run this again." >&2
    exit 1
  fi
}

# Starts a private Xvfb when no display is set; exported DISPLAY and a trap
# to stop it.
ensure_display() {
  if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    return 0
  fi
  local n
  for n in $(seq 99 140); do
    [ -e "/tmp/.X$n-lock" ] && continue
    # -noreset: without it Xvfb resets when its last client goes, and a
    # test's app connecting during the reset fails to open the display.
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp -noreset >/dev/null 2>&1 &
    XVFB_PID=$!
    trap 'kill "$XVFB_PID" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
      [ -S "/tmp/.X11-unix/X$n" ] && break
      sleep 0.1
    done
    export DISPLAY=":$n"
    echo "setup: started Xvfb on $DISPLAY" >&2
    return 0
  done
  echo "setup: could not start Xvfb" >&2
  exit 1
}

# GTK wants a private runtime folder; CI machines often have none.
ensure_runtime_dir() {
  if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "${XDG_RUNTIME_DIR}" ]; then
    XDG_RUNTIME_DIR="$(mktemp -d /tmp/framescope-runtime.XXXXXX)"
    chmod 700 "$XDG_RUNTIME_DIR"
    export XDG_RUNTIME_DIR
  fi
}

# One compiler or linker job per 2 GiB of available memory, at most one per
# core: linking a test binary against GTK and GStreamer takes about a gigabyte,
# and a many-core machine with little memory otherwise runs its linker out of
# memory. CARGO_BUILD_JOBS set by the caller wins.
limit_build_jobs() {
  [ -n "${CARGO_BUILD_JOBS:-}" ] && return 0
  local kib cores jobs
  kib="$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null || true)"
  cores="$(nproc 2>/dev/null || echo 1)"
  jobs=$(( ${kib:-0} / (2 * 1024 * 1024) ))
  [ "$jobs" -lt 1 ] && jobs=1
  [ "$jobs" -gt "$cores" ] && jobs="$cores"
  export CARGO_BUILD_JOBS="$jobs"
  echo "setup: building with $jobs parallel jobs" >&2
}

mode="${1:-run}"
[ $# -gt 0 ] && shift
case "$mode" in
  deps)
    install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ;;
  bench-deps)
    install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    ;;
  run)
    install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}"
    ensure_rust
    limit_build_jobs
    cargo build --release --locked
    exec target/release/framescope "$@"
    ;;
  test)
    install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_rust
    limit_build_jobs
    ensure_display
    ensure_runtime_dir
    cargo fmt --all -- --check
    cargo clippy --locked --all-targets -- -D warnings
    # The library alone, as embedders build it (no app dependencies).
    cargo clippy --locked --lib --no-default-features -- -D warnings
    # The C ABI crate (capi/, a workspace member that plain cargo commands here skip).
    cargo clippy --locked -p framescope-capi --all-targets -- -D warnings
    # The pixel loops' crate (pixels/, also a workspace member).
    cargo clippy --locked -p framescope-pixels --all-targets -- -D warnings
    # API docs: no broken or private links, every public item documented.
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
    # Plain example binaries: tests/wall.rs runs examples/video_wall (with
    # --all-targets cargo test builds examples only as test harnesses).
    cargo build --locked --examples
    cargo test --locked --no-fail-fast --all-targets
    cargo test --locked --no-fail-fast -p framescope-pixels
    cargo test --locked --doc
    ;;
  *)
    echo "usage: scripts/setup.sh run [FILE|URI...] | test | deps | bench-deps" >&2
    exit 2
    ;;
esac
