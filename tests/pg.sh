#!/usr/bin/env bash
# tests/pg.sh - a throwaway PostgreSQL 15 server for the test suite.
#
#   tests/pg.sh start DIR   make DIR, start a server in it, print its URL on stdout
#   tests/pg.sh stop DIR    stop that server and remove DIR
#
# The server listens on 127.0.0.1 only, on the first free port from 54329 up, with its socket in DIR.
# Authentication is `trust` and fsync is off: for tests on this machine only, never for real data.
# Quiet on success; the server's and initdb's output goes to DIR/log.
set -euo pipefail

# Debian's PostgreSQL 15, by full path: other binaries named postgres or initdb may come first in PATH.
PGBIN=/usr/lib/postgresql/15/bin
FIRST_PORT=54329
LAST_PORT=54429

die() {
	echo "pg.sh: $*" >&2
	exit 1
}

usage() {
	die "usage: tests/pg.sh start DIR | tests/pg.sh stop DIR"
}

# PostgreSQL refuses to run as root: then run its programs as Debian's `postgres` user.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
	local dir=$1 port
	[ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found: install Debian's postgresql-15"
	[ ! -e "$dir/data" ] || die "$dir/data already exists: run tests/pg.sh stop $dir first"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	: >"$dir/log"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "no 'postgres' user: install Debian's postgresql-15"
		chown -R postgres: "$dir"
		runuser -u postgres -- test -w "$dir" ||
			die "user postgres cannot write $dir: choose a directory it can reach (under /tmp)"
	fi
	cd "$dir" # initdb and pg_ctl as `postgres` must be able to stand in the current directory

	as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
		>>"$dir/log" 2>&1 || die "initdb failed, see $dir/log"

	# Tests run without durability (fast); benchmarks ask for production settings with PG_FSYNC=on.
	local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	[ "${PG_FSYNC:-off}" = on ] && durability="-c fsync=on -c synchronous_commit=on"

	# A port can be taken between the check and the start (another test run): then try the next.
	for ((port = FIRST_PORT; port <= LAST_PORT; port++)); do
		port_in_use "$port" && continue
		if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -s \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability" \
			start >>"$dir/log" 2>&1; then
			echo "postgres://postgres@127.0.0.1:$port/postgres"
			return 0
		fi
		grep -q "could not bind\|could not create any TCP/IP sockets\|already in use" "$dir/log" ||
			die "PostgreSQL did not start, see $dir/log"
	done
	die "no free port in $FIRST_PORT-$LAST_PORT"
}

stop() {
	local dir=$1
	[ -d "$dir" ] || return 0
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/data/postmaster.pid" ]; then
		(cd "$dir" && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -s stop >>"$dir/log" 2>&1) ||
			die "pg_ctl stop failed, see $dir/log"
	fi
	rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
*) usage ;;
esac
