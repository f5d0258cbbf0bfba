#!/usr/bin/env bash
# Run the benchmarks against a built tree and print their tables with the machine they ran on.
# A PostgreSQL 15 server is started for the run, with fsync on (durable commits cost what they
# cost in production), on a free loopback port, and stopped at the end.
# usage: bench/run.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/run.sh BUILD_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/mmis-bench.XXXXXX")
chmod 755 "$work"
trap '"$here/../tests/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$(PG_FSYNC=on "$here/../tests/pg.sh" start "$work/pg")

echo "## Machine"
echo
echo "- $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "- $(free -g | awk '/Mem:/ {print $2}') GiB memory; $(uname -sr); $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "- disk under $work: $(df -h "$work" | awk 'NR==2 {print $1}')"
echo "- date: $(date -u +%Y-%m-%d)"
echo
echo "## Store: inserts"
echo
"$build/bench/store_bench" "$work" "$url"
echo
echo "## HTTP: requests per second"
echo
"$here/http_bench.sh" "$build" "$work/http"
echo
echo "## Stay rule: 90 days in any 180"
echo
"$build/bench/stay_bench"
echo
echo "## Crossings: import"
echo
"$build/bench/cross_bench" "$work" "${CROSS_ROWS:-1000000}" "$url"
echo
echo "## Crossings: recorded over HTTP"
echo
"$here/http_cross_bench.sh" "$build" "$work/http-cross"
echo
echo "## Alert lists: import, screening index, crossings screened"
echo
"$build/bench/screen_bench" "$work" "${SCREEN_ENTRIES:-1000000}" "$url"
echo
# Alert-list screening beside pg_trgm, and de-duplication (sizes: see bench/match/run.sh).
"$here/match/run.sh" "$build" "$url" "$work/match"
echo "## Statistics: roll-ups and recording"
echo
"$build/bench/stats_bench" "$work" "${STATS_CROSSINGS:-10000000}"
