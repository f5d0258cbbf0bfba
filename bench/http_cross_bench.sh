#!/usr/bin/env bash
# HTTP benchmark of recording crossings: POST /api/v1/crossings with wrk (bench/cross.lua: a new
# traveller per request, so each is a document lookup, a person, a document, a crossing, the stay
# status and an audit event in one durable SQLite transaction), beside SQLite's raw rate of one
# durable commit per inserted row measured in the same run. Prints a Markdown table.
# usage: bench/http_cross_bench.sh BUILD_DIR [WORK_DIR]
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (32), BENCH_THREADS (2: wrk's threads),
#   BENCH_SERVER_THREADS (the server's worker threads; default one per core),
#   BENCH_WATCHLIST (an alert-list CSV imported first: every crossing is screened against it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: bench/http_cross_bench.sh BUILD_DIR [WORK_DIR]}" && pwd)
mmis="$build/src/mmis"
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-32}
wthreads=${BENCH_THREADS:-2}
sthreads=${BENCH_SERVER_THREADS:-$(nproc)}
command -v wrk >/dev/null || { echo "http_cross_bench: wrk is not installed (tools/deps.sh test)" >&2; exit 1; }

if [ -n "${2:-}" ]; then
	work=$2
	mkdir -p "$work"
	own=
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/mmis-http-cross.XXXXXX")
	own=1
fi
pid=
cleanup() {
	if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
		# A graceful stop; a server still busy after 20 s is stopped hard (and said so).
		for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			echo "http_cross_bench: the server did not stop within 20 s of SIGTERM; killed" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null || true
	fi
	[ -z "$own" ] || rm -rf "$work"
	return 0
}
trap cleanup EXIT

db="$work/cross.db"
key="$work/cross-audit.key"
rm -f "$db" "$db-wal" "$db-shm" "$key"
pw="Bench-$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
printf '%s\n' "$pw" >"$work/pw"
chmod 600 "$work/pw"
m() { "$mmis" --db "$db" --audit-key "$key" "$@"; }
m init --admin-password-file "$work/pw" >/dev/null
m agency add BP --name "Border Police" --kind police >/dev/null
m user add bench.officer --role border_officer --agency BP --password-file "$work/pw" >/dev/null
token=$(m token create --user bench.officer --name bench | grep -o 'mmis_[A-Za-z0-9_-]*')
listed=0
if [ -n "${BENCH_WATCHLIST:-}" ]; then
	m watchlist import "$BENCH_WATCHLIST" --list bench >/dev/null
	listed=$(($(wc -l <"$BENCH_WATCHLIST") - 1))
fi

raw=$("$build/bench/cross_bench" --raw-durable "$work" 3000)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mmis" --db "$db" --audit-key "$key" serve --listen "127.0.0.1:$port" --threads "$sthreads" \
	>/dev/null 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 300); do
	python3 -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1',$port,timeout=1); c.request('GET','/api/v1/healthz'); sys.exit(c.getresponse().status!=200)" 2>/dev/null && break
	sleep 0.1
done

out=$(MMIS_TOKEN=$token wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency -s "$here/cross.lua" "http://127.0.0.1:$port")
rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v=v*1000}; printf "%.2f", v}' <<<"$out")
bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
saved=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from crossing').fetchone()[0])" "$db")

echo "wrk: $conns connections, $wthreads threads, ${secs} s; server: $sthreads worker threads on $(nproc) cores, SQLite in WAL with synchronous=FULL (every answer after a durable commit); $saved crossings saved."
echo
echo "| what | per second | p99 latency (ms) | non-2xx | ratio to raw |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| raw sqlite3 API, one durable commit per inserted row (one thread) | $raw | | | baseline |"
echo "| POST /api/v1/crossings (new traveller, status, audit; screened against $listed list entries) | ${rps:-0} | ${p99:-?} | ${bad:-0} | $(python3 -c "print('%.2f' % (float('${rps:-0}') / float('$raw')))") |"
