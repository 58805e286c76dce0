#!/bin/sh
# docs/processes.md promises a table in which every rule names the scenario that proves it. This
# holds it to that: every scenario title in the table's last column is a scenario in
# processes/scenarios/, and every scenario there is named in the table.
#   tests/docs/processes_table.sh SOURCE_DIR
set -eu
root="$1"
table="$root/docs/processes.md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Table rows end in | "title" |: the title is the last quoted text of the row.
grep '^|.*| "[^"]*" |$' "$table" | sed 's/.*| "\([^"]*\)" |$/\1/' | sort > "$work/table"
grep -h '^scenario "' "$root"/processes/scenarios/*.scenario | sed 's/^scenario "\(.*\)"$/\1/' | sort > "$work/scenarios"

[ -s "$work/table" ] || { echo "FAILED: no scenario titles found in $table" >&2; exit 1; }
missing=$(comm -23 "$work/table" "$work/scenarios")
unlisted=$(comm -13 "$work/table" "$work/scenarios")
status=0
if [ -n "$missing" ]; then
  echo "FAILED: the table names scenarios that do not exist:" >&2
  echo "$missing" >&2
  status=1
fi
if [ -n "$unlisted" ]; then
  echo "FAILED: scenarios that no row of the table names:" >&2
  echo "$unlisted" >&2
  status=1
fi
[ $status -eq 0 ] && echo "processes table: $(wc -l < "$work/table") rules, each with its scenario"
exit $status
