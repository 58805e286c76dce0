#!/usr/bin/env bash
# Keeps the Dutch catalog in step with the code (docs/translating.md):
#
#   tools/update-po.sh          extract every tr()/trn() message into po/termijn.pot and merge it
#                               into po/nl.po (new messages arrive untranslated, changed ones fuzzy)
#   tools/update-po.sh --check  change nothing; exit 1 when po/termijn.pot is not what the code
#                               says, or po/nl.po has a message untranslated, fuzzy or obsolete
#                               (the ctest i18n.dutch_catalog_is_complete)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "update-po: unknown argument '$1' (--check)" >&2; exit 2 ;;
esac

pot=$(mktemp --suffix=.pot)
web=$(mktemp -d)
trap 'rm -rf "$pot" "$pot.nl" "$web"' EXIT
# Only tr and trn mark messages (-k alone drops xgettext's C defaults such as gettext and _).
# Sorted by file so the template does not change when a file is added elsewhere. The header
# stays: it declares UTF-8, without which xgettext drops every non-ASCII character of a message
# (the report's ‘quotes’, dashes and minus signs); its creation date goes, so that the template
# changes only when the messages do.
find engine -name '*.cc' -o -name '*.h' | LC_ALL=C sort |
  xgettext --files-from=- --language=C++ --from-code=UTF-8 -k --keyword=tr --keyword=trn:1,2 \
    --package-name=termijn --msgid-bugs-address='docs/translating.md' --add-location=file --sort-by-file -o "$pot"
# The web page: t('...') in app.js, and the text of each element marked data-t in index.html
# (whitespace collapsed, as app.js reads it), written out as t() calls for xgettext to read.
mkdir -p "$web/web"
perl -0777 -ne 'while (/<(\w+)[^>]*\bdata-t\b[^>]*>(.*?)<\/\1>/sg) { ($t = $2) =~ s/\s+/ /g; $t =~ s/^ | $//g;
  $t =~ s/\\/\\\\/g; $t =~ s/\x27/\\\x27/g; print "t(\x27$t\x27);\n" }' web/index.html > "$web/web/index.html.js"
xgettext --join-existing --language=JavaScript -k --keyword=t --from-code=UTF-8 --directory=. --directory="$web" \
  --package-name=termijn --msgid-bugs-address='docs/translating.md' --add-location=file --sort-by-file \
  -o "$pot" web/app.js web/index.html.js
sed -i '/^"POT-Creation-Date: /d' "$pot"

if [ "$check" = 1 ]; then
  status=0
  if ! diff -q <(grep -v '^#:' "$pot") <(grep -v '^#:' po/termijn.pot) >/dev/null; then
    echo "po/termijn.pot is not what the code marks: run tools/update-po.sh" >&2
    diff <(grep -v '^#:' po/termijn.pot) <(grep -v '^#:' "$pot") | head -40 >&2
    status=1
  fi
  msgmerge --quiet --no-fuzzy-matching -o "$pot.nl" po/nl.po "$pot"
  missing=$(msgattrib --untranslated --no-obsolete "$pot.nl" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$pot.nl" | grep -c '^msgid ' || true)
  obsolete=$(msgattrib --only-obsolete po/nl.po | grep -c '^#~ msgid ' || true)
  # msgattrib prints the header entry with the others; it is not a message.
  [ "$missing" -gt 0 ] && missing=$((missing - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  if [ "$missing" -gt 0 ] || [ "$fuzzy" -gt 0 ] || [ "$obsolete" -gt 0 ]; then
    echo "po/nl.po: $missing untranslated, $fuzzy fuzzy, $obsolete obsolete (tools/update-po.sh, then translate)" >&2
    msgattrib --untranslated --no-obsolete "$pot.nl" | grep '^msgid ' | head -20 >&2
    status=1
  fi
  exit $status
fi

cp "$pot" po/termijn.pot
if [ -f po/nl.po ]; then
  msgmerge --quiet --update --backup=none --no-wrap po/nl.po po/termijn.pot
else
  msginit --no-translator --no-wrap --locale=nl_NL.UTF-8 --input=po/termijn.pot --output-file=po/nl.po
fi
echo "po/termijn.pot: $(grep -c '^msgid ' po/termijn.pot) messages; po/nl.po merged"
