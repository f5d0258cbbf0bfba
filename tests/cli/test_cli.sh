#!/usr/bin/env bash
# Black-box tests of the `mmis` program: the command frame, init and db status on both backends,
# and the bad inputs the skeleton issue names. Needs $MMIS (the binary) and $MMIS_TEST_PG_URL.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmis-cli.XXXXXX")
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
unset MMIS_DB
export MMIS_AUDIT_KEY="$T/audit.key"

# --- the frame
run "$MMIS" version
expect_exit 0 "version exits 0"
expect_out '^mmis [0-9]+\.[0-9]+\.[0-9]+ \(database schema [0-9]+\)$' "version names the release and schema"
run "$MMIS" --version
expect_exit 0 "--version works as a global option"
run "$MMIS" help
expect_exit 0 "help exits 0"
expect_out '^  init ' "help lists init"
expect_out '^  db status ' "help lists db status"
run "$MMIS" help init
expect_exit 0 "help COMMAND exits 0"
expect_out '^usage: mmis \[--db URL\] init' "help COMMAND shows its usage"
run "$MMIS" db status --help
expect_exit 0 "COMMAND --help exits 0"
expect_out -- '--json' "COMMAND --help lists its options"
run "$MMIS"
expect_exit 2 "no command is a usage error"
run "$MMIS" frobnicate
expect_exit 2 "unknown command exits 2"
expect_err "'frobnicate' is not a command" "unknown command is named"
run "$MMIS" --frobnicate version
expect_exit 2 "unknown global flag exits 2"
expect_err "unknown option '--frobnicate'" "unknown global flag is named"
run "$MMIS" db status --frobnicate
expect_exit 2 "unknown command flag exits 2"
expect_err "unknown option '--frobnicate'" "unknown command flag is named"
expect_err "usage: mmis db status" "usage of the command follows"
run "$MMIS" db status --js
expect_exit 2 "an abbreviated option is refused"
expect_err "unknown option '--js'" "and named"
run "$MMIS" --d "$T/x.db" version
expect_exit 2 "an abbreviated global option is refused"
run "$MMIS" db status --json=secret-value
expect_exit 2 "a value given to a flag is refused"
run "$MMIS" --frob=secret-value version
expect_no "secret-value" "an unknown option's value is never echoed"
run "$MMIS" db
expect_exit 2 "a group without subcommand exits 2"
expect_err "db status" "and lists its subcommands"
run "$MMIS" --db
expect_exit 2 "--db without a value exits 2"
run "$MMIS" help frobnicate
expect_exit 2 "help on an unknown command exits 2"

# --- SQLite: create, idempotent, status
db="$T/a.db"
run "$MMIS" --db "$db" db status
expect_exit 1 "status of a missing database fails"
expect_err "no database at" "and says there is none"
expect_one_error_line "in one line"
check "a failed status creates no file" test ! -e "$db"
run "$MMIS" --db "$db" init
expect_exit 0 "init creates the database"
expect_out "^created .*a\.db \(sqlite\) at schema version [0-9]+$" "init says what it did"
latest=$("$MMIS" version | sed -E 's/.*schema ([0-9]+).*/\1/')
run "$MMIS" --db "$db" init
expect_exit 0 "init again succeeds"
expect_out "already at schema version $latest" "and changes nothing"
run "$MMIS" --db "$db" db status
expect_exit 0 "status exits 0"
expect_out "^backend: +sqlite$" "status names the backend"
expect_out "^schema version: $latest \(this mmis: $latest, current\)" "status gives the version"
run "$MMIS" --db "$db" db status --json
expect_exit 0 "status --json exits 0"
expect_out "\"backend\": ?\"sqlite\"" "json names the backend"
expect_out "\"schema_version\": ?$latest" "json gives the version"
MMIS_DB="$db" run "$MMIS" db status
expect_exit 0 "\$MMIS_DB names the database"
run env MMIS_DB="$db" "$MMIS" db status
expect_out "a\.db" "\$MMIS_DB is used when --db is absent"
check "the database is in WAL mode" test "$(sqlite3 "$db" 'PRAGMA journal_mode')" = wal
(cd "$T" && "$MMIS" init >/dev/null 2>&1)
check "the default database is ./mmis.db" test -f "$T/mmis.db"

# --- bad databases
printf 'this is a text file, not a database\n%.0s' {1..100} >"$T/text.db"
sum=$(sha256sum "$T/text.db")
run "$MMIS" --db "$T/text.db" db status
expect_exit 1 "a text file is refused"
expect_err "not an SQLite database" "and named as such"
expect_one_error_line "in one line"
run "$MMIS" --db "$T/text.db" init
expect_exit 1 "init refuses a text file too"
check "the text file is unchanged" test "$(sha256sum "$T/text.db")" = "$sum"

mkdir "$T/ro" && chmod 555 "$T/ro"
as_nobody=()
[ "$(id -u)" = 0 ] && as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
run "${as_nobody[@]}" "$MMIS" --db "$T/ro/x.db" init
expect_exit 1 "init in a read-only directory fails"
expect_one_error_line "with one line"
expect_err "ro/x\.db" "naming the file"
check "nothing is left in the read-only directory" test -z "$(ls -A "$T/ro")"

cp "$db" "$T/newer.db"
sqlite3 "$T/newer.db" "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2030-01-01T00:00:00.000Z')"
sum=$(sha256sum "$T/newer.db")
run "$MMIS" --db "$T/newer.db" init
expect_exit 1 "init refuses a database from a newer mmis"
expect_err "newer" "saying it is newer"
expect_one_error_line "in one line"
run "$MMIS" --db "$T/newer.db" db status
expect_exit 1 "status of a newer database exits 1"
expect_out "newer than this mmis" "and says why"
check "the newer database is unchanged" test "$(sha256sum "$T/newer.db")" = "$sum"

# --- PostgreSQL
run "$MMIS" --db "postgres://mmis:s3cret-pw@127.0.0.1:1/nowhere" init
expect_exit 1 "an unreachable PostgreSQL fails"
expect_one_error_line "with one line"
expect_err "127\.0\.0\.1" "naming the server"
expect_no "s3cret-pw" "without the password"

if [ -n "${MMIS_TEST_PG_URL:-}" ]; then
	name="mmis_cli_$$_$RANDOM"
	psql -q "$MMIS_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
	pg="${MMIS_TEST_PG_URL%/*}/$name"
	run "$MMIS" --db "$pg" init
	expect_exit 0 "init on PostgreSQL creates the schema"
	expect_out "\(postgres\) at schema version $latest$" "at the same version as SQLite"
	run "$MMIS" --db "$pg" init
	expect_out "already at schema version $latest" "init on PostgreSQL is idempotent"
	run "$MMIS" --db "$pg" db status
	expect_exit 0 "status on PostgreSQL"
	expect_out "^backend: +postgres$" "names the backend"
	run "$MMIS" --db "${MMIS_TEST_PG_URL%/*}/no_such_db_$$" db status
	expect_exit 1 "a missing PostgreSQL database fails"
	expect_one_error_line "with one line"
	psql -q "$MMIS_TEST_PG_URL" -c "DROP DATABASE $name" >/dev/null
else
	ok 1 "MMIS_TEST_PG_URL is not set: run the tests through tests/run.sh"
fi

done_testing
