#!/usr/bin/env bash
# Installs Framescope under PREFIX (default /usr/local; DESTDIR is honoured
# for packaging): the binary, a .desktop file whose MimeType line lists the
# formats the GStreamer plugins installed here can play, the AppStream
# metainfo, the app icons (full colour and symbolic), the translations
# (po/*.po compiled with msgfmt), the manual page, framescope(1), which the
# binary writes from its own command-line definitions, and the C ABI
# (scripts/build-capi.sh): libframescope-0.so, framescope.h under
# include/framescope-0/, framescope-0.pc, Framescope-0.gir and the typelib
# under LIBDIR/girepository-1.0 (LIBDIR: PREFIX/lib/<multiarch>), and
# framescope-0.vapi when vapigen is installed.
#   scripts/install.sh [PREFIX [BINARY]]     (or: make install PREFIX=…)
# BINARY defaults to target/release/framescope, built first if missing. The C
# ABI is built in release mode (CAPI_PROFILE=debug: a debug build, for tests).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${1:-/usr/local}"
binary="${2:-target/release/framescope}"
root="${DESTDIR:-}${prefix}"
app_id=org.framescope.Framescope

if [ ! -x "$binary" ]; then
  cargo build --release --locked
  binary=target/release/framescope
fi

# MIME type -> the GStreamer element that opens it.
mime_elements=(
  video/mp4=qtdemux video/quicktime=qtdemux video/x-m4v=qtdemux audio/mp4=qtdemux
  video/x-matroska=matroskademux video/webm=matroskademux audio/webm=matroskademux
  audio/x-matroska=matroskademux
  video/ogg=oggdemux application/ogg=oggdemux audio/ogg=oggdemux
  video/x-msvideo=avidemux video/mp2t=tsdemux video/mpeg=mpegpsdemux
  video/x-flv=flvdemux video/3gpp=qtdemux
  audio/mpeg=mpegaudioparse audio/flac=flacparse audio/x-wav=wavparse
  audio/aac=aacparse
  application/vnd.apple.mpegurl=hlsdemux application/x-mpegurl=hlsdemux
  application/dash+xml=dashdemux
)
mime_types=""
for pair in "${mime_elements[@]}"; do
  mime="${pair%%=*}"
  element="${pair#*=}"
  if gst-inspect-1.0 --exists "$element" 2>/dev/null; then
    mime_types+="$mime;"
  fi
done
[ -n "$mime_types" ] || { echo "install: no GStreamer demuxer is installed; install gstreamer1.0-plugins-good and try again" >&2; exit 1; }

install -Dm755 "$binary" "$root/bin/framescope"
mkdir -p "$root/share/applications"
sed "s|@MIME_TYPES@|$mime_types|" "data/$app_id.desktop.in" > "$root/share/applications/$app_id.desktop"
chmod 644 "$root/share/applications/$app_id.desktop"
install -Dm644 "data/$app_id.metainfo.xml" "$root/share/metainfo/$app_id.metainfo.xml"
install -Dm644 "data/icons/hicolor/scalable/apps/$app_id.svg" \
  "$root/share/icons/hicolor/scalable/apps/$app_id.svg"
install -Dm644 "data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" \
  "$root/share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
# Fixed sizes too: GTK under X11 draws the window icon from them with its
# own PNG reader instead of loading the SVG renderer for it.
for size in 16 32 48 64 128; do
  install -Dm644 "data/icons/hicolor/${size}x$size/apps/$app_id.png" \
    "$root/share/icons/hicolor/${size}x$size/apps/$app_id.png"
done
# The translations (po/LINGUAS), where the library looks first: beside the
# binary, ../share/locale (src/i18n.rs).
while read -r lang; do
  case "$lang" in ''|'#'*) continue ;; esac
  mkdir -p "$root/share/locale/$lang/LC_MESSAGES"
  msgfmt -o "$root/share/locale/$lang/LC_MESSAGES/framescope.mo" "po/$lang.po"
  chmod 644 "$root/share/locale/$lang/LC_MESSAGES/framescope.mo"
done < po/LINGUAS
man_page="$(mktemp)"
trap 'rm -f "$man_page"' EXIT
"$binary" --print-man-page > "$man_page"
install -Dm644 "$man_page" "$root/share/man/man1/framescope.1"

# The C ABI, built for this prefix.
multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
libdir="$prefix/lib${multiarch:+/$multiarch}"
capi_out="target/capi-install"
if [ "${CAPI_PROFILE:-release}" = debug ]; then
  bash scripts/build-capi.sh "$capi_out" "$prefix" "$libdir"
else
  bash scripts/build-capi.sh --release "$capi_out" "$prefix" "$libdir"
fi
install -Dm755 "$capi_out/lib/libframescope-0.so.0" "${DESTDIR:-}$libdir/libframescope-0.so.0"
ln -sfn libframescope-0.so.0 "${DESTDIR:-}$libdir/libframescope-0.so"
install -Dm644 "$capi_out/lib/pkgconfig/framescope-0.pc" "${DESTDIR:-}$libdir/pkgconfig/framescope-0.pc"
install -Dm644 "$capi_out/lib/girepository-1.0/Framescope-0.typelib" \
  "${DESTDIR:-}$libdir/girepository-1.0/Framescope-0.typelib"
install -Dm644 "$capi_out/include/framescope-0/framescope.h" "$root/include/framescope-0/framescope.h"
install -Dm644 "$capi_out/share/gir-1.0/Framescope-0.gir" "$root/share/gir-1.0/Framescope-0.gir"
if [ -f "$capi_out/share/vala/vapi/framescope-0.vapi" ]; then
  install -Dm644 "$capi_out/share/vala/vapi/framescope-0.vapi" "$root/share/vala/vapi/framescope-0.vapi"
  install -Dm644 "$capi_out/share/vala/vapi/framescope-0.deps" "$root/share/vala/vapi/framescope-0.deps"
fi

# Refresh the desktop's caches for a live install (not when packaging).
if [ -z "${DESTDIR:-}" ]; then
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$root/share/applications" || true
  command -v gtk4-update-icon-cache >/dev/null && gtk4-update-icon-cache -q -t "$root/share/icons/hicolor" 2>/dev/null || true
  [ "$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null && ldconfig || true
fi
echo "install: Framescope installed under $root"
