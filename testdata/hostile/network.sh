#!/bin/sh
# network.sh: secgate's network policy, end to end, on the built binary.
#
# Usage: testdata/hostile/network.sh PATH/TO/secgate
#
# Runs in a fresh network namespace (unshare -rn: nothing can leave the
# machine, only loopback is up), with a small Python server on 127.0.0.1
# that serves exploit data, a trickle, a redirect to plain http on another
# host, and a webhook; the server is also every process's HTTP proxy, so a
# plain-http request to any other host would reach it and be logged.
# It checks, for --epss, --kev, -p (policy sources), tickets sync
# --github-url and --webhook:
#   - plain http to a host other than loopback: exit 2 with the refusal
#     message, and no such request arrives (redirects included);
#   - loopback http works;
#   - --fetch-timeout cuts a server that sends a byte now and then;
#   - no credential of a URL or of GITHUB_TOKEN is printed.
# A control run with --allow-http shows that such a request would be seen.
# Needs: sh, unshare (util-linux), ip (iproute2), python3, grep.
# Exit status 0 when every check holds; the failures are listed otherwise.
set -eu

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/secgate" >&2
	exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ -z "${SECGATE_NETNS:-}" ]; then
	exec env SECGATE_NETNS=1 unshare -rn sh "$here/network.sh" "$bin"
fi
ip link set lo up

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
cp "$root/testdata/enrich/epss_scores-sample.csv" epss.csv
cp "$root/testdata/enrich/known_exploited_vulnerabilities-sample.json" kev.json
report="$root/testdata/corpus/npm-audit/npm6-advisories-5-advisories.json"
echo '[]' > tickets.json

cat > server.py <<'PY'
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def log(self):
        host = self.headers.get("Host", "")
        path = self.path.split("://", 1)[-1] if "://" in self.path else host + self.path
        with open("requests.log", "a") as f:
            f.write(self.command + " " + path.split("?")[0] + "\n")
    def send(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.log()
        p = self.path.split("?")[0]
        if p.endswith("/epss.csv") or p.endswith("/kev.json"):
            self.send(200, open(p.rsplit("/", 1)[1], "rb").read())
        elif "/slow" in p:
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif p.endswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/kev.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send(404)
    def do_POST(self):
        self.log()
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send(204)
    def do_CONNECT(self):
        self.log()
        self.send(403)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", 8765), H).serve_forever()
PY
python3 server.py &
server=$!
i=0
until python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8765), 1)' 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "the server did not start" >&2; exit 2; }
	sleep 0.1
done
srv=http://127.0.0.1:8765
export HTTP_PROXY=$srv HTTPS_PROXY=$srv NO_PROXY= XDG_CACHE_HOME="$work/cache" HOME="$work"
unset GITHUB_TOKEN || true

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect CODE PATTERN -- ARGS...: runs secgate, checks its exit code, that
# stderr matches PATTERN (grep -E; "" for none), and that no output holds
# SECRET.
expect() {
	code=$1 pattern=$2
	shift 3
	set +e
	"$bin" "$@" > out.txt 2> err.txt
	got=$?
	set -e
	[ "$got" -eq "$code" ] || fail "secgate $*: exit $got, want $code: $(cat err.txt)"
	if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" err.txt; then
		fail "secgate $*: stderr lacks /$pattern/: $(cat err.txt)"
	fi
	if grep -q SECRET out.txt err.txt; then
		fail "secgate $*: a credential was printed: $(cat out.txt err.txt)"
	fi
}

refusal='plain http to [^ ]+ \(use https, or allow it explicitly with --allow-http\)'

# --epss, --kev: plain http to other hosts refused; loopback allowed.
expect 2 "^secgate: error: epss http://u:redacted@example.invalid/e.csv\?key=redacted: $refusal" -- \
	ingest --epss 'http://u:SECRET@example.invalid/e.csv?key=SECRET2' "$report"
expect 2 "kev http://10.0.0.1/kev.json: $refusal" -- check --kev http://10.0.0.1/kev.json "$report"
expect 0 "" -- ingest --epss "$srv/epss.csv" --kev "$srv/kev.json" "$report"
grep -q '^GET 127.0.0.1:8765/kev.json$' requests.log || fail "the loopback server did not serve kev.json"
# A redirect to plain http on another host.
expect 2 "$refusal" -- ingest --kev "$srv/redirect" "$report"
# Credentials of an unreachable URL.
expect 2 "epss https://redacted@127.0.0.1:1/e.csv\?key=redacted: " -- \
	ingest --epss 'https://SECRET@127.0.0.1:1/e.csv?key=SECRET2' "$report"

# --fetch-timeout.
expect 2 "fetch timeout of 300ms" -- ingest --fetch-timeout 300ms --epss "$srv/slow.csv" "$report"
expect 2 "fetch timeout of 300ms" -- check --fetch-timeout 300ms -p "$srv/slow.tar.gz" "$report"

# Policy sources.
expect 2 "$refusal" -- check -p 'http://u:SECRET@example.invalid/b.tar.gz?token=SECRET2' "$report"
expect 2 "$refusal" -- pull 'http://example.invalid/b.tar.gz' out

# Shadow and replayed candidate policies are policy sources too; an OPA
# server is never asked over plain http on another host, and its
# credentials are never printed.
expect 2 "shadow policy: policy http://u:redacted@example.invalid/b.tar.gz: unsupported source: $refusal" -- \
	check --shadow-policy 'http://u:SECRET@example.invalid/b.tar.gz' "$report"
expect 2 "candidate policy: policy http://u:redacted@example.invalid/b.tar.gz: unsupported source: $refusal" -- \
	history replay --history replay.db --policy 'http://u:SECRET@example.invalid/b.tar.gz'
expect 2 "^secgate: error: --opa-url http://u:redacted@10.0.0.1:8181/\?t=redacted: $refusal" -- \
	check --opa-url 'http://u:SECRET@10.0.0.1:8181/?t=SECRET2' "$report"

# tickets sync: the token never travels over plain http to another host.
export GITHUB_TOKEN=SECRET-TOKEN
expect 2 "github: base URL http://ghe.example.invalid/api/v3/: $refusal" -- \
	tickets sync --github o/r --github-url http://ghe.example.invalid/api/v3/ tickets.json
unset GITHUB_TOKEN
expect 2 "webhook http://hooks.example.invalid/h\?token=redacted: $refusal" -- \
	tickets sync --webhook 'http://hooks.example.invalid/h?token=SECRET' tickets.json
expect 0 "" -- tickets sync --webhook "$srv/hook?token=SECRET" tickets.json
grep -q '^POST 127.0.0.1:8765/hook$' requests.log || fail "the loopback webhook got no POST"

# No request reached any host but loopback.
if grep -v '127.0.0.1:8765' requests.log; then
	fail "requests to other hosts arrived (above)"
fi

# Control: with --allow-http the request is made (through the proxy), and
# the log would have shown it.
expect 0 "" -- ingest --allow-http --kev http://example.invalid/kev.json "$report"
grep -q '^GET example.invalid/kev.json$' requests.log || fail "control: the allowed request was not seen"

if [ "$failures" -ne 0 ]; then
	echo "network.sh: $failures check(s) failed"
	exit 1
fi
echo "network.sh: all checks passed"
