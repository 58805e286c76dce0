#!/usr/bin/env bash
# `termijn serve --config FILE`: a value from the file is used, a flag on the command line wins,
# a key that is no option is refused (and a --listen that is not host:port), the shipped example
# names only real options, and the log is JSON lines unless the file or a flag says text.
set -euo pipefail
termijn=$1
processes=$2
example=$3
source "$(dirname "$0")/harness.sh"

cat > "$work/termijn.toml" <<TOML
[serve]
db = "$work/from-file.db"
processes = [ "$processes/landelijk.wth" ]
TOML
out=$("$termijn" serve --config "$work/termijn.toml" --once 2>&1)
echo "$out" | has "serving '$work/from-file.db'" || fail "the file's db was not used: $out"
# The default log: every line a JSON object with ts, level, event and msg.
echo "$out" | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    entry = json.loads(line)
    assert all(isinstance(entry[k], str) for k in ("ts", "level", "event", "msg")), line
' || fail "not JSON lines: $out"

out=$("$termijn" serve --config "$work/termijn.toml" --db "$work/from-flag.db" --once --log-format text 2>&1)
echo "$out" | has "serving '$work/from-flag.db'" || fail "the flag did not win: $out"
echo "$out" | has "^{" && fail "--log-format text gave JSON: $out"
[ -e "$work/from-flag.db" ] || fail "no database from the flag"

# Text from the file.
echo 'log-format = "text"' >> "$work/termijn.toml"
"$termijn" serve --config "$work/termijn.toml" --once 2>&1 | has "^[0-9-]*T[0-9:.]*Z info    serving" \
  || fail "the file's log-format was not used"

# A misspelt key: refused with its name, exit 2.
printf '[serve]\nlisten-on = "127.0.0.1:1"\n' > "$work/bad.toml"
set +e
out=$("$termijn" serve --config "$work/bad.toml" --once 2>&1); rc=$?
set -e
[ $rc -eq 2 ] || fail "a misspelt key: exit $rc: $out"
echo "$out" | has "listen-on" || fail "the misspelt key is not named: $out"
# A port that is not wholly a number: refused, exit 2, before anything listens.
for listen in 127.0.0.1:80abc 127.0.0.1:65536 127.0.0.1: 127.0.0.1:-1 :8080; do
  set +e
  out=$(timeout 20 "$termijn" serve --db "$work/listen.db" --processes "$processes/landelijk.wth" --listen "$listen" 2>&1); rc=$?
  set -e
  [ $rc -eq 2 ] || fail "--listen $listen: exit $rc: $out"
  echo "$out" | has "is not host:port" || fail "--listen $listen: no reason: $out"
done
# A file that is not there: exit 2.
set +e
"$termijn" serve --config "$work/none.toml" --once > /dev/null 2>&1; rc=$?
set -e
[ $rc -eq 2 ] || fail "a missing config file: exit $rc"

# The example: every option in it, set (but the audit key, which needs a keyed database, and the
# TLS files, which serve_tls.sh tries), is one serve takes; the flags put the files in the scratch
# folder.
sed -E 's/^# ([a-z-]+ = )/\1/' "$example" | grep -v -e '^audit-key' -e '^tls-' -e '^webhook-ca' > "$work/example.toml"
has '^max-timer-lag = 60' "$work/example.toml" || fail "the example was not uncommented"
echo "whsec_$(head -c 32 /dev/urandom | base64)" > "$work/webhook.secret"
chmod 600 "$work/webhook.secret"
"$termijn" serve --config "$work/example.toml" --db "$work/example.db" --processes "$processes/landelijk.wth" \
  --notify-log "$work/n.jsonl" --webhook-secret "$work/webhook.secret" --stdlib "$work" --once \
  > "$work/example.log" 2>&1 \
  || fail "the example does not read: $(cat "$work/example.log")"
echo "config file: ok"
