#!/usr/bin/env bash
# Backup, restore and the keyed audit log as an operator uses them, against real files: exit codes
# and messages for a missing source, an existing or unwritable target, a key file others may
# read or that is too short; a keyed database refused without its key or with another.
set -euo pipefail
termijn=$1
processes=$2
source "$(dirname "$0")/harness.sh"
db="$work/t.db"
# Runs a command that must fail with exit code $1 and print $2.
refused() {
  local code=$1 message=$2; shift 2
  set +e
  out=$("$@" 2>&1); rc=$?
  set -e
  [ $rc -eq "$code" ] || fail "'$*' exit $rc (wanted $code): $out"
  echo "$out" | has -- "$message" || fail "'$*' said: $out (wanted: $message)"
}

"$termijn" deploy --db "$db" "$processes/landelijk.wth" > /dev/null
"$termijn" start --db "$db" landelijk --data '{"aanhouding": false, "kindermishandeling": false}' > /dev/null

# Backup.
refused 2 "there is no database at" "$termijn" backup --db "$work/none.db" --to "$work/b.db"
refused 2 "there is no directory" "$termijn" backup --db "$db" --to "$work/no/such/dir/b.db"
"$termijn" backup --db "$db" --to "$work/b.db" | has "backed up .*1 case, audit log intact" || fail "backup"
refused 2 "exists already" "$termijn" backup --db "$db" --to "$work/b.db"
"$termijn" backup --db "$db" --to "$work/b.db" --force > /dev/null || fail "backup --force"
chmod 500 "$work"
if [ ! -w "$work" ]; then  # root writes anywhere
  refused 2 "cannot copy" "$termijn" backup --db "$db" --to "$work/c.db"
fi
chmod 700 "$work"
ls "$work" | has partial && fail "a partial copy was left behind"

# Restore into a fresh path; into an existing one only with --force.
"$termijn" restore --from "$work/b.db" --db "$work/r.db" | has "restored" || fail "restore"
"$termijn" audit verify --db "$work/r.db" | has "audit log intact" || fail "restored audit"
refused 2 "exists already" "$termijn" restore --from "$work/b.db" --db "$work/r.db"

# The audit key: refused when others may read it or it is short.
head -c 32 /dev/urandom > "$work/audit.key"
chmod 644 "$work/audit.key"
refused 2 "chmod 600" "$termijn" audit key --db "$db" --audit-key "$work/audit.key"
chmod 600 "$work/audit.key"
head -c 16 /dev/urandom > "$work/short.key"; chmod 600 "$work/short.key"
refused 2 "needs at least 32" "$termijn" audit key --db "$db" --audit-key "$work/short.key"
refused 2 "give the key file" "$termijn" audit key --db "$db"
"$termijn" audit key --db "$db" --audit-key "$work/audit.key" --by beheerder | has "keyed from entry" \
  || fail "audit key"
# From now on the key is needed to open the database, to write to it and to verify it.
refused 2 "its audit log is keyed" "$termijn" audit verify --db "$db"
refused 2 "its audit log is keyed" "$termijn" cases --db "$db"
head -c 32 /dev/urandom > "$work/other.key"; chmod 600 "$work/other.key"
refused 2 "is not the key" "$termijn" audit verify --db "$db" --audit-key "$work/other.key"
TERMIJN_AUDIT_KEY_FILE="$work/audit.key" "$termijn" start --db "$db" landelijk \
  --data '{"aanhouding": false, "kindermishandeling": false}' > /dev/null || fail "keyed start"
"$termijn" audit verify --db "$db" --audit-key "$work/audit.key" | has "intact: .* entries, keyed from entry" \
  || fail "keyed verify"
refused 2 "its audit log is keyed" "$termijn" serve --db "$db" --once
"$termijn" serve --db "$db" --once --audit-key "$work/audit.key" 2>&1 | has "serving" || fail "keyed serve"
refused 2 "keyed" "$termijn" backup --db "$db" --to "$work/k.db"
"$termijn" backup --db "$db" --to "$work/k.db" --audit-key "$work/audit.key" | has "keyed from entry" \
  || fail "keyed backup"
# An unkeyed database with a key given: never keyed, or its keying removed.
refused 2 "is not keyed, yet an audit key was given" "$termijn" cases --db "$work/r.db" --audit-key "$work/audit.key"
echo "lifecycle commands: ok"
