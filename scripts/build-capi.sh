#!/usr/bin/env bash
# Builds Framescope's C ABI for C, Python and other GObject-introspection
# languages into OUT (default target/capi, a debug build; --release for an
# optimised one):
#   OUT/lib/libframescope-0.so.0 (+ libframescope-0.so), soname libframescope-0.so.0
#   OUT/include/framescope-0/framescope.h
#   OUT/lib/pkgconfig/framescope-0.pc         (prefix=OUT: PKG_CONFIG_PATH=OUT/lib/pkgconfig)
#   OUT/share/gir-1.0/Framescope-0.gir        (g-ir-scanner)
#   OUT/lib/girepository-1.0/Framescope-0.typelib (g-ir-compiler: GI_TYPELIB_PATH)
#   OUT/share/vala/vapi/framescope-0.vapi     (vapigen, when valac is installed)
#   scripts/build-capi.sh [--release] [OUT [PREFIX [LIBDIR]]]
# PREFIX (default OUT) and LIBDIR (default PREFIX/lib) are the folders the
# .pc file names; make install passes the installation's. Needs gobject-introspection and
# libgirepository1.0-dev (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_args=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_args=(--release)
  shift
fi
out="${1:-target/capi}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
prefix="${2:-$out}"
libdir="${3:-$prefix/lib}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' capi/Cargo.toml | head -n1)"

for tool in g-ir-scanner g-ir-compiler pkg-config cc; do
  command -v "$tool" >/dev/null || {
    echo "build-capi: $tool is not installed; run scripts/setup.sh deps (gobject-introspection, libgirepository1.0-dev, gcc, pkg-config) and try again" >&2
    exit 1
  }
done

"${CARGO:-cargo}" build --locked -p framescope-capi "${cargo_args[@]}"
built="${CARGO_TARGET_DIR:-target}/$profile/libframescope_capi.so"

mkdir -p "$out/lib/pkgconfig" "$out/include/framescope-0" "$out/share/gir-1.0" "$out/lib/girepository-1.0"
rm -f "$out/lib/libframescope-0.so" "$out/lib/libframescope-0.so.0"
cp "$built" "$out/lib/libframescope-0.so.0"
ln -s libframescope-0.so.0 "$out/lib/libframescope-0.so"
cp capi/include/framescope.h "$out/include/framescope-0/framescope.h"
sed -e "s|@PREFIX@|$prefix|" -e "s|@LIBDIR@|$libdir|" -e "s|@VERSION@|$version|" capi/framescope-0.pc.in > "$out/lib/pkgconfig/framescope-0.pc"

# The scanner builds and runs a small program that links the library and
# calls each *_get_type function to read the types' properties and signals.
export PKG_CONFIG_PATH="$out/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# The widget types' classes need GTK, so it runs with a display: the one
# set, or a private Xvfb (xvfb-run).
display=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null || {
    echo "build-capi: no display and no xvfb-run; install xvfb and xauth (scripts/setup.sh deps) or set DISPLAY" >&2
    exit 1
  }
  display=(xvfb-run -a)
fi
# Its temporary files go to the working folder: OUT.
(cd "$out" && LD_LIBRARY_PATH="$out/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  "${display[@]}" g-ir-scanner --quiet --warn-all \
  --namespace=Framescope --nsversion=0 \
  --identifier-prefix=Framescope --symbol-prefix=framescope \
  --include=Gtk-4.0 --include=Gst-1.0 --pkg=gtk4 --pkg-export=framescope-0 \
  --c-include=framescope.h --library=framescope-0 --library-path="$out/lib" \
  -I"$out/include/framescope-0" \
  --output="$out/share/gir-1.0/Framescope-0.gir" \
  "$out/include/framescope-0/framescope.h")
g-ir-compiler --output="$out/lib/girepository-1.0/Framescope-0.typelib" \
  "$out/share/gir-1.0/Framescope-0.gir"

if command -v vapigen >/dev/null; then
  mkdir -p "$out/share/vala/vapi"
  vapigen --quiet --library=framescope-0 --pkg=gtk4 --pkg=gstreamer-1.0 \
    --directory="$out/share/vala/vapi" "$out/share/gir-1.0/Framescope-0.gir"
  printf 'gtk4\ngstreamer-1.0\n' > "$out/share/vala/vapi/framescope-0.deps"
fi
echo "build-capi: built into $out"
