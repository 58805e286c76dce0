#!/usr/bin/env bash
# `termijn serve` over TLS with client certificates, configured as the shipped example shows, and
# tried with Python's ssl module as a second, independent TLS client: the organisation's
# certificate and token get an answer, a connection without a certificate gets none, and a
# half or careless configuration stops serve with the reason.
set -euo pipefail
termijn=$1
processes=$2
example=$3
source "$(dirname "$0")/harness.sh"
cd "$work"

# A CA, the server's certificate for 127.0.0.1 and a client certificate of Testregio.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 30 \
  -subj '/CN=Termijn Test CA' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
  > /dev/null 2>&1 || fail "openssl could not make the CA"
leaf() {  # name subject extensions days
  printf '%b' "$3" > "$1.ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" \
    -subj "$2" > /dev/null 2>&1 || fail "openssl could not make $1's key"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$4" -extfile "$1.ext" \
    -out "$1.pem" > /dev/null 2>&1 || fail "openssl could not sign $1"
  chmod 600 "$1.key"
}
leaf server /CN=localhost 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' 400
leaf client '/O=Testregio/CN=zorgsysteem' 'extendedKeyUsage=clientAuth\n' 30
leaf ending /CN=localhost 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' 10

"$termijn" deploy --db "$work/tls.db" "$processes/landelijk.wth" > /dev/null || fail "deploy"
token=$("$termijn" token add --db "$work/tls.db" --name hovj-testregio --org Testregio --role hovj --by test | tail -1)

# The example's TLS lines, uncommented, with this test's files in place of /etc/termijn/tls/.
{
  echo '[serve]'
  echo "db = \"$work/tls.db\""
  echo 'listen = "127.0.0.1:0"'
  sed -nE 's/^# (tls-[a-z-]+ = )/\1/p' "$example" \
    | sed -e "s#/etc/termijn/tls/server.pem#$work/server.pem#" -e "s#/etc/termijn/tls/server.key#$work/server.key#" \
          -e "s#/etc/termijn/tls/clients-ca.pem#$work/ca.pem#"
} > tls.toml
has '^tls-client-ca = ' tls.toml || fail "the example shows no tls-client-ca: $(cat tls.toml)"

serve=""
trap 'kill $serve 2>/dev/null || true; rm -rf "$work"' EXIT
start_serve() {  # serve's options -> $serve (its pid) and $port, once it listens
  "$termijn" serve "$@" > serve.log 2>&1 &
  serve=$!
  port=""
  for _ in $(seq 100); do
    port=$(/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    entry = json.loads(line)
    if entry["event"] == "http.listening": print(entry["port"])
' serve.log 2>/dev/null || true)
    [ -n "$port" ] && return
    kill -0 $serve 2>/dev/null || fail "serve stopped: $(cat serve.log)"
    sleep 0.1
  done
  fail "serve did not listen: $(cat serve.log)"
}
start_serve --config tls.toml
has '"event":"tls.ready"' serve.log || fail "no tls.ready in the log: $(cat serve.log)"
has 'https://127.0.0.1' serve.log || fail "the log does not say https: $(cat serve.log)"

client() {  # with-certificate|without -> prints the organisation, or "refused: <why>"
  /usr/bin/python3 - "$port" "$token" "$1" <<'PY'
import json, ssl, sys, urllib.request
port, token, mode = sys.argv[1:]
ctx = ssl.create_default_context(cafile="ca.pem")
if mode == "with-certificate":
    ctx.load_cert_chain("client.pem", "client.key")
req = urllib.request.Request(f"https://127.0.0.1:{port}/api/v1/whoami", headers={"Authorization": "Bearer " + token})
try:
    me = json.load(urllib.request.urlopen(req, context=ctx, timeout=10))
    print(me["organisation"], me["client_certificate"]["organisation"])
except Exception as e:
    print("refused:", type(e).__name__)
PY
}
[ "$(client with-certificate)" = "Testregio Testregio" ] || fail "with the certificate: $(client with-certificate)"
client without | has '^refused' || fail "answered without a client certificate"
kill $serve
wait $serve 2>/dev/null || true

# A certificate near its end: serve still starts, and says so at once.
start_serve --db "$work/tls.db" --listen 127.0.0.1:0 --tls-cert ending.pem --tls-key ending.key
has '"event":"tls.certificate_expiring".*ends in 9 day' serve.log || fail "no warning of the ending certificate: $(cat serve.log)"
kill $serve
wait $serve 2>/dev/null || true

# A half configuration, and a key others may read: serve stops before listening, with the reason.
set +e
out=$("$termijn" serve --db "$work/tls.db" --listen 127.0.0.1:0 --tls-cert server.pem 2>&1); rc=$?
set -e
[ $rc -ne 0 ] || fail "--tls-cert alone was accepted"
echo "$out" | has -- "--tls-cert and --tls-key go together" || fail "no reason for the half configuration: $out"
chmod 644 server.key
set +e
out=$("$termijn" serve --db "$work/tls.db" --listen 127.0.0.1:0 --tls-cert server.pem --tls-key server.key 2>&1); rc=$?
set -e
[ $rc -ne 0 ] || fail "a key others may read was accepted"
echo "$out" | has "server.key" || fail "the readable key is not named: $out"
echo "serve over TLS: ok"
