#!/usr/bin/env bash
# Install every Debian package mmis needs to build, run and test (Debian 12). Idempotent: quiet
# and quick when everything is there. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and run.
build_pkgs=(gcc libc6-dev make pkg-config meson ninja-build python3
	libsqlite3-dev libpq-dev libjansson-dev libsodium-dev iso-codes
	libcrack2-dev cracklib-runtime libmicrohttpd-dev libcsv-dev libicu-dev libxlsxwriter-dev)
# Tests: cmocka, a PostgreSQL 15 server the test script starts itself, the sqlite3 shell and
# util-linux's setpriv/runuser for the CLI tests.
test_pkgs=(clang libclang-rt-14-dev libcmocka-dev postgresql postgresql-client sqlite3 util-linux wrk)
# Browser tests (tests/browser): Debian's chromium driven by playwright-core under Node. Debian's
# nodejs and npm only when no node and npm are on PATH (another Node install conflicts with them).
test_pkgs+=(chromium)
command -v node >/dev/null && command -v npm >/dev/null || test_pkgs+=(nodejs npm)

want=("${build_pkgs[@]}")
mode=${1:-all}
case "$mode" in
	build) ;;
	all|test) want+=("${test_pkgs[@]}") ;;
	*) echo "usage: tools/deps.sh [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
		sudo=(sudo)
	fi
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser tests' npm packages, exactly as pinned by tests/browser/package-lock.json.
lock=tests/browser/package-lock.json
if [ "$mode" != build ] && { [ ! -d tests/browser/node_modules ] || [ "$lock" -nt tests/browser/node_modules ]; }; then
	echo "deps: npm ci --prefix tests/browser" >&2
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
	touch tests/browser/node_modules
fi
