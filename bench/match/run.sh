#!/usr/bin/env bash
# The identity-matching sections of `make bench` (bench/run.sh calls this), or alone:
#   bench/match/run.sh BUILD_DIR POSTGRES_URL [WORK_DIR]
# POSTGRES_URL is a throwaway server for the pg_trgm baseline (tests/pg.sh start DIR prints one).
# Smaller runs: MATCH_ENTRIES (default 1000000), MATCH_QUERIES (10000), MATCH_PG_QUERIES (1000),
# MATCH_MISSES (examples of misses and false alarms per kind, 3), DEDUP_RECORDS (1000000),
# E2E_ENTRIES (1000000) and E2E_QUERIES (10000) for `mmis screen` end to end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/match/run.sh BUILD_DIR POSTGRES_URL [WORK_DIR]}
url=${2:?usage: bench/match/run.sh BUILD_DIR POSTGRES_URL [WORK_DIR]}
work=${3:-}
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/mmis-match-bench.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

echo "## Identity matching: alert-list screening, with pg_trgm as the baseline"
echo
python3 "$here/eval.py" screen --build "$build" --work "$work/screen" \
	--entries "${MATCH_ENTRIES:-1000000}" --queries "${MATCH_QUERIES:-10000}" \
	--pg "$url" --pg-queries "${MATCH_PG_QUERIES:-1000}" --misses "${MATCH_MISSES:-3}" \
	--json "$work/screen.json"
rm -rf "$work/screen"
echo
echo "## Identity matching: de-duplicating person records"
echo
python3 "$here/eval.py" dedup --build "$build" --work "$work/dedup" \
	--records "${DEDUP_RECORDS:-1000000}" --threads 2 --json "$work/dedup.json"
rm -rf "$work/dedup"
echo
echo "## Identity matching: \`mmis watchlist import\` and \`mmis screen\` end to end"
echo
if "$build/src/mmis" screen --help >/dev/null 2>&1; then
	python3 "$here/eval.py" e2e --build "$build" --mmis "$build/src/mmis" --work "$work/e2e" \
		--entries "${E2E_ENTRIES:-1000000}" --queries "${E2E_QUERIES:-10000}" \
		--json "$work/e2e.json"
	rm -rf "$work/e2e"
else
	echo "(this build's mmis has no screen command)"
fi
