#!/usr/bin/env bash
# Regenerates po/framescope.pot, the template of every translatable string
# of the library and the app, with xgettext (Debian's gettext package):
# the Rust files that call the translation helpers of src/i18n.rs
# (`gettext`, `gettext_noop`, `tr`), read as C (gettext 0.21 has no Rust
# parser; each msgid is one plain string literal on one line), and the
# GtkBuilder files (strings marked translatable="yes").
#   scripts/update-pot.sh [OUTPUT]      (default po/framescope.pot)
# Then `msgmerge --update po/zh_CN.po po/framescope.pot` and translate.
# tests/i18n.rs fails when the committed template is stale. References
# name files without line numbers, so moving code does not make it stale.
set -euo pipefail
cd "$(dirname "$0")/.."
output="${1:-po/framescope.pot}"

# The Rust sources that use the helpers (src/i18n.rs itself only defines them).
mapfile -t rust_files < <(grep -rl --include='*.rs' 'i18n::' src \
  | grep -v '^src/i18n\.rs$' | LC_ALL=C sort)
ui_files=(ui/player-view.ui src/app/window/window.ui)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
common=(--package-name=framescope --msgid-bugs-address=https://github.com/framescope/framescope/issues
  --from-code=UTF-8 --add-comments=TRANSLATORS: --sort-by-file --no-wrap
  --add-location=file)
xgettext "${common[@]}" --language=C --keyword=gettext --keyword=gettext_noop --keyword=tr:1 \
  --flag=tr:1:no-c-format -o "$tmp/rust.pot" "${rust_files[@]}" \
  2> >(grep -v 'unterminated character constant' >&2)
xgettext "${common[@]}" --language=Glade -o "$tmp/ui.pot" "${ui_files[@]}" \
  2> >(grep -v 'fallback ITS rule file' >&2)
msgcat --use-first --sort-by-file --no-wrap --add-location=file -o "$tmp/all.pot" "$tmp/rust.pot" "$tmp/ui.pot"
# msgcat drops the template's header flags; keep xgettext's header (charset
# UTF-8 and the rest) from the first file.
mkdir -p "$(dirname "$output")"
cp "$tmp/all.pot" "$output"
echo "update-pot: $(grep -c '^msgid ' "$output") messages in $output" >&2
