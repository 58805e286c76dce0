#!/usr/bin/env bash
# The .deb as an operator gets it: cpack builds it from this build, dpkg installs it, the files are
# where docs/operations.md says, systemd accepts the unit, and the program started as the unit
# starts it (its user, its ExecStart with the installed configuration) answers /readyz and a token
# issued the documented way. Then purged, which must take the state along. systemd is not PID 1
# here, so the unit's sandbox itself is not exercised, only checked by systemd-analyze.
# Exit 77 (skipped) without root or dpkg, or where termijn is installed or has state already:
# the test must not touch an operator's installation.
#   tests/packaging/deb_install.sh BUILD_DIR CPACK
set -euo pipefail
build=$1
cpack=$2
source "$(dirname "$0")/../cli/harness.sh"

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "installing a .deb needs root"
command -v dpkg > /dev/null || skip "no dpkg"
# One installation at a time on this machine (parallel ctest runs, other build trees).
exec 9> /run/lock/termijn-deb-test.lock
flock -w 600 9 || fail "another packaging test held the lock for 10 minutes"
dpkg-query -W -f='${Status}' termijn 2> /dev/null | has "installed" && skip "termijn is installed on this machine"
for path in /var/lib/termijn /var/log/termijn /etc/termijn; do
  if [ -e "$path" ]; then skip "$path exists: an earlier termijn's state, which the purge would destroy"; fi
done
user_before=$(getent passwd termijn || true)

server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; fi
  dpkg --purge termijn-dev termijn > /dev/null 2>&1 || true
  # The postrm keeps the user (docs/operations.md); the test removes the one it made.
  if [ -z "$user_before" ] && getent passwd termijn > /dev/null; then deluser --system termijn > /dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start=$(date +%s)
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" > "$work/cpack.log" 2>&1 \
  || fail "cpack: $(tail -30 "$work/cpack.log")"
debs=("$work"/cpack/termijn_*.deb "$work"/cpack/termijn-dev_*.deb)
[ -f "${debs[0]}" ] && [ -f "${debs[1]}" ] || fail "cpack made no termijn and termijn-dev packages: $(ls "$work/cpack")"
echo "cpack: $(( $(date +%s) - start )) s; $(du -h "${debs[0]}" | cut -f1) $(basename "${debs[0]}")"
depends=$(dpkg-deb -f "${debs[0]}" Depends)
echo "Depends: $depends"
for dep in tzdata adduser libsqlite3-0 libc6; do
  echo "$depends" | has -w "$dep" || fail "the package does not depend on $dep: $depends"
done

dpkg -i "${debs[@]}" > "$work/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$work/dpkg.log")"

# Where things live.
for file in /usr/bin/termijn /usr/share/termijn/stdlib/wth.wth /usr/share/termijn/processes/landelijk.wth \
            /lib/systemd/system/termijn.service /etc/termijn/termijn.toml /usr/lib/libtermijn.so.0 \
            /usr/include/termijn/engine/api/engine.h /usr/lib/cmake/termijn/termijnConfig.cmake; do
  [ -e "$file" ] || fail "$file is not installed"
done
dpkg-query -W -f='${Conffiles}' termijn | has '/etc/termijn/termijn.toml' || fail "termijn.toml is no conffile"
[ "$(stat -c %U:%a /var/lib/termijn)" = termijn:750 ] || fail "/var/lib/termijn is $(stat -c %U:%a /var/lib/termijn)"
[ "$(id -u termijn)" -lt 1000 ] || fail "termijn is no system user: $(id termijn)"
[ "$(pkg-config --modversion termijn)" = "$(dpkg-deb -f "${debs[1]}" Version)" ] || fail "pkg-config does not find termijn"

# systemd's own check of the installed unit; it may speak of other units on this machine.
unit=/lib/systemd/system/termijn.service
setting() { sed -n "s/^$1=//p" "$unit"; }
systemd-analyze verify "$unit" > "$work/verify.log" 2>&1 || true
has termijn "$work/verify.log" && fail "systemd-analyze verify: $(cat "$work/verify.log")"

# The database the configuration names is in the folder systemd lets the service write.
db=$(sed -n 's/^db = "\(.*\)"$/\1/p' /etc/termijn/termijn.toml)
[ "$(dirname "$db")" = "/var/lib/$(setting StateDirectory)" ] \
  || fail "termijn.toml's db '$db' is not in StateDirectory=$(setting StateDirectory)"

# The program as the unit runs it, but on a free port (port 0: the log says which): its user and
# group, umask, no new privileges, no capabilities, its ExecStart. setpriv execs it as systemd
# does (runuser would stay in between as its parent and answer SIGTERM itself).
user=$(setting User); group=$(setting Group)
read -ra exec_start <<< "$(setting ExecStart)"
[ -n "$user" ] && [ -n "$group" ] && [ ${#exec_start[@]} -gt 0 ] || fail "no User=, Group= or ExecStart= in $unit"
(umask "$(setting UMask)" && exec setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
   --bounding-set=-all --inh-caps=-all -- "${exec_start[@]}" --listen 127.0.0.1:0) > "$work/serve.log" 2>&1 &
server=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*"event":"http.listening".*"port":\([0-9]*\).*/\1/p' "$work/serve.log")
  [ -n "$port" ] && break
  kill -0 "$server" 2> /dev/null || fail "the server stopped: $(cat "$work/serve.log")"
  sleep 0.1
done
[ -n "$port" ] || fail "the server does not listen: $(cat "$work/serve.log")"
curl -sS --max-time 5 "http://127.0.0.1:$port/readyz" > "$work/readyz" 2>&1 || true
has '"status": *"ready"' "$work/readyz" || fail "/readyz: $(cat "$work/readyz") $(cat "$work/serve.log")"
[ "$(stat -c %U "$db")" = termijn ] || fail "the database is not the service's"

# The first token, as docs/operations.md says, while the server runs; the server takes it.
token=$(runuser -u termijn -- termijn token add --db "$db" --name beheer-test \
          --org Test --role beheer --by test 2>&1) || fail "token add: $token"
curl -sS --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/whoami" > "$work/whoami" 2>&1 || true
has '"role": *"beheer"' "$work/whoami" || fail "the new token was not taken: $(cat "$work/whoami")"

kill -TERM "$server"
rc=0; wait "$server" || rc=$?
server=""
[ $rc -eq 0 ] || fail "the server did not stop cleanly on SIGTERM (exit $rc): $(tail -5 "$work/serve.log")"

# Purge takes the state and the configuration along.
dpkg --purge termijn-dev termijn > "$work/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$work/purge.log")"
for path in /var/lib/termijn /var/log/termijn /etc/termijn /usr/bin/termijn /usr/share/termijn; do
  if [ -e "$path" ]; then fail "$path is left after the purge"; fi
done
echo "deb install: ok ($(( $(date +%s) - start )) s)"
