#!/usr/bin/env bash
# Run every libFuzzer harness of a fuzz build for a bounded time, on its corpus.
# usage: tools/fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?usage: tools/fuzz.sh BUILD_DIR SECONDS}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for f in "$build"/tests/fuzz/fuzz_*; do
	[ -f "$f" ] || continue
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus="$root/tests/fuzz/corpus/${name#fuzz_}"
	work=$(mktemp -d)
	cp -r "$corpus"/. "$work"/ 2>/dev/null || true
	echo "fuzz: $name for ${seconds}s"
	if ! "$f" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$work" \
		>"$build/$name.log" 2>&1; then
		echo "fuzz: $name FAILED, see $build/$name.log"; status=1
	else
		grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' "$build/$name.log" | sed "s/^/fuzz: $name /" || true
	fi
	rm -rf "$work"
done
exit $status
