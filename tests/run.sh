#!/usr/bin/env bash
# Run every test against a built tree: start a real PostgreSQL 15 for the store and CLI suites,
# run meson's test suites, stop PostgreSQL, and end with the line "N passed, N failed" counting
# every test case (each TAP line of each suite).
#
# usage: tests/run.sh BUILD_DIR [meson test arguments...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: tests/run.sh BUILD_DIR}
shift

work=$(mktemp -d "${TMPDIR:-/tmp}/mmis-tests.XXXXXX")
chmod 755 "$work"
pgdir="$work/pg"
cleanup() {
	"$here/pg.sh" stop "$pgdir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ! url=$("$here/pg.sh" start "$pgdir"); then
	echo "tests: could not start PostgreSQL (log: $pgdir/log)" >&2
	cat "$pgdir/log" >&2 2>/dev/null || true
	echo "0 passed, 1 failed"
	exit 1
fi
export MMIS_TEST_PG_URL="$url"
export TMPDIR="$work"

meson test -C "$build" --print-errorlogs --num-processes "$(nproc)" "$@"
status=$?

# Count test cases from meson's log: TAP "ok"/"not ok" lines; a suite that failed without a
# failing TAP line (a crash, a timeout) counts as one failure.
python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, re, sys
passed = failed = skipped = 0
bad = []
with open(sys.argv[1], encoding='utf-8', errors='replace') as f:
    for line in f:
        t = json.loads(line)
        out = t.get('stdout') or ''
        oks = nots = skips = 0
        for l in out.splitlines():
            if re.match(r'^ok\b', l):
                if re.search(r'#\s*skip', l, re.I):
                    skips += 1
                else:
                    oks += 1
            elif re.match(r'^not ok\b', l):
                nots += 1
        if t['result'] not in ('OK', 'EXPECTEDFAIL', 'SKIP') and nots == 0:
            nots = 1
        if t['result'] == 'SKIP' and oks + nots + skips == 0:
            skips = 1
        if nots:
            bad.append(t['name'])
        passed += oks; failed += nots; skipped += skips
if bad:
    print('failed suites: ' + ', '.join(bad))
print('%d passed, %d failed' % (passed, failed) + (', %d skipped' % skipped if skipped else ''))
sys.exit(1 if failed else 0)
PY
count=$?
[ $status -eq 0 ] && [ $count -eq 0 ]
