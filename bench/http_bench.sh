#!/usr/bin/env bash
# HTTP benchmark: requests per second and p99 latency of `mmis serve` with wrk, for an
# authenticated API call (GET /api/v1/me with a bearer token: token lookup, user and role) and for
# a static file from the same server in the same run. Prints a Markdown table.
# usage: bench/http_bench.sh BUILD_DIR [WORK_DIR]
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (64), BENCH_THREADS (2: wrk's threads),
#   BENCH_SERVER_THREADS (the server's worker threads; default one per core)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: bench/http_bench.sh BUILD_DIR [WORK_DIR]}" && pwd)
mmis="$build/src/mmis"
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
wthreads=${BENCH_THREADS:-2}
sthreads=${BENCH_SERVER_THREADS:-$(nproc)}
command -v wrk >/dev/null || { echo "http_bench: wrk is not installed (tools/deps.sh test)" >&2; exit 1; }

if [ -n "${2:-}" ]; then
	work=$2
	mkdir -p "$work"
	own=
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/mmis-http-bench.XXXXXX")
	own=1
fi
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	[ -z "$own" ] || rm -rf "$work"
}
trap cleanup EXIT

db="$work/bench.db"
key="$work/bench-audit.key"
rm -f "$db" "$db-wal" "$db-shm" "$key"
mkdir -p "$work/web"
# A static file of the size of a small page.
python3 -c 'import sys; sys.stdout.write("<!doctype html><title>mmis</title>\n" + "<p>" + "x" * 4000 + "</p>\n")' >"$work/web/index.html"
pw="Bench-$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
printf '%s\n' "$pw" >"$work/admin.pw"
chmod 600 "$work/admin.pw"
"$mmis" --db "$db" --audit-key "$key" init --admin-password-file "$work/admin.pw" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mmis" --db "$db" --audit-key "$key" serve --listen "127.0.0.1:$port" --web "$work/web" --threads "$sthreads" \
	2>"$work/server.log" &
pid=$!

# Wait for the server, sign in as admin and make a token for the run.
token=$(python3 - "$port" "$pw" <<'PY'
import http.client, json, re, sys, time
port, pw = int(sys.argv[1]), sys.argv[2]
def req(method, path, body=None, headers=None):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers=dict(headers or {}, **({'Content-Type': 'application/json'} if body is not None else {})))
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data
for _ in range(300):
    try:
        if req('GET', '/api/v1/healthz')[0].status == 200:
            break
    except OSError:
        time.sleep(0.1)
r, data = req('POST', '/api/v1/session', {'username': 'admin', 'password': pw})
sess = re.match(r'mmis_session=([^;]+)', r.getheader('Set-Cookie') or '').group(1)
csrf = json.loads(data)['csrf_token']
r, data = req('POST', '/api/v1/tokens', {'username': 'admin', 'name': 'bench'},
              {'Cookie': 'mmis_session=' + sess, 'X-CSRF-Token': csrf})
print(json.loads(data)['token'])
PY
)

# wrk's Requests/sec and the 99% line of --latency, in milliseconds.
measure() {
	local out rps p99
	out=$(wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency "$@")
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v=v*1000}; printf "%.2f", v}' <<<"$out")
	local non2xx
	non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
	printf '%s %s %s\n' "${rps:-0}" "${p99:-?}" "${non2xx:-0}"
}

read -r me_rps me_p99 me_bad < <(measure -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me")
read -r st_rps st_p99 st_bad < <(measure "http://127.0.0.1:$port/index.html")

echo "wrk: $conns connections, $wthreads threads, ${secs} s each; server: $sthreads worker threads on $(nproc) cores, SQLite in WAL; one JSON log line per request to a file."
echo
echo "| request | requests/s | p99 latency (ms) | non-2xx |"
echo "| --- | ---: | ---: | ---: |"
echo "| GET /api/v1/me (bearer token) | $me_rps | $me_p99 | $me_bad |"
echo "| GET /index.html (static, 4 KiB) | $st_rps | $st_p99 | $st_bad |"
