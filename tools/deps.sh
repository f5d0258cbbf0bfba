#!/usr/bin/env bash
# Install every Debian package mmis needs to build, run and test (Debian 12). Idempotent: quiet
# and quick when everything is there. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and run.
build_pkgs=(gcc libc6-dev make pkg-config meson ninja-build python3
	libsqlite3-dev libpq-dev libjansson-dev libsodium-dev iso-codes)
# Tests: cmocka, a PostgreSQL 15 server the test script starts itself, the sqlite3 shell and
# util-linux's setpriv/runuser for the CLI tests.
test_pkgs=(clang libclang-rt-14-dev libcmocka-dev postgresql postgresql-client sqlite3 util-linux)

want=("${build_pkgs[@]}")
case "${1:-all}" in
	build) ;;
	all|test) want+=("${test_pkgs[@]}") ;;
	*) echo "usage: tools/deps.sh [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
