#!/usr/bin/env bash
# The engine's command line as an operator uses it, against a real database file:
# serve --once deploys, start/complete drive a case, a second writer is refused while a server
# holds the database, and the audit log verifies.
set -euo pipefail
termijn=$1
processes=$2
source "$(dirname "$0")/harness.sh"
db="$work/t.db"

"$termijn" serve --db "$db" --processes "$processes" --once 2>&1 | has "deployed landelijk v2" \
  || fail "serve did not deploy"
"$termijn" start --db "$db" landelijk --data '{"aanhouding": false, "kindermishandeling": false}' | has -x "case 1" \
  || fail "start"
"$termijn" tasks --db "$db" --why | has "criteria_toetsen" || fail "no criteria task"
"$termijn" tasks --db "$db" --why | has "+ within 2 hours" || fail "no explanation"
# Wrong role: refused with a reason, exit 1.
set +e
out=$("$termijn" complete --db "$db" 1 --role politie 2>&1); rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong role exit $rc"
echo "$out" | has "is for role 'hovj'" || fail "no reason: $out"
# Bad JSON: a usage-level refusal with the parser's reason.
set +e
out=$("$termijn" complete --db "$db" 1 --role hovj --outputs '{nope' 2>&1); rc=$?
set -e
[ $rc -eq 1 ] || fail "bad json exit $rc"
echo "$out" | has "not valid JSON" || fail "bad json message: $out"
"$termijn" complete --db "$db" 1 --role hovj --key k1 \
  --outputs '{"meerderjarig": true, "ernstig_en_onmiddellijk_gevaar": true, "woont_anders_dan_incidenteel": true}'
# The same key again with the same command: the first answer, no second completion.
"$termijn" complete --db "$db" 1 --role hovj --key k1 \
  --outputs '{"meerderjarig": true, "ernstig_en_onmiddellijk_gevaar": true, "woont_anders_dan_incidenteel": true}'
# The same key for another command is refused: a key belongs to the command it was first used for.
set +e
out=$("$termijn" complete --db "$db" 1 --role hovj --key k1 --outputs '{}' 2>&1); rc=$?
set -e
[ $rc -eq 1 ] || fail "key reuse exit $rc: $out"
"$termijn" tasks --db "$db" | has "rihg" || fail "rihg not open"
# A server holds the database: another writer is refused.
"$termijn" serve --db "$db" 2> "$work/serve.log" &
server=$!
sleep 0.5
set +e
out=$("$termijn" cancel --db "$db" 1 2>&1); rc=$?
set -e
kill "$server"; wait "$server" || true
[ $rc -eq 1 ] || fail "second writer exit $rc"
echo "$out" | has "is writing to" || fail "lock message: $out"
"$termijn" cases --db "$db" | has "running" || fail "case not running"
"$termijn" audit verify --db "$db" | has "audit log intact" || fail "audit"
echo "engine commands: ok"
