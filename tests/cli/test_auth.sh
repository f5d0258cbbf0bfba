#!/usr/bin/env bash
# Black-box tests of the account and audit commands: users, agencies, tokens, the audit trail and
# what `mmis init` adds (the audit key, the first administrator). Needs $MMIS; uses
# $MMIS_TEST_PG_URL when set.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmis-cli-auth.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset MMIS_DB MMIS_ADMIN_PASSWORD
export MMIS_AUDIT_KEY="$T/audit.key"
db="$T/a.db"
PW='Correct-Horse-Battery-9'
PW2='Velika-Plaza-Ulcinj-42'
m() { "$MMIS" --db "$db" "$@"; }

# --- init: the key and the first administrator
printf '%s\n' "$PW" >"$T/admin.pw"
run m init --admin-password-file "$T/admin.pw"
expect_exit 0 "init with an administrator password file"
expect_out "created the audit key" "creates the audit key"
expect_out "created the administrator admin" "creates the administrator"
expect_no "admin password:" "and prints no password it was given"
check "the key file is mode 600" test "$(stat -c %a "$MMIS_AUDIT_KEY")" = 600
check "the key is 64 hex characters" grep -Eqx '[0-9a-f]{64}' "$MMIS_AUDIT_KEY"
run m init
expect_exit 0 "init again"
expect_no "administrator|audit key" "changes no account and no key"
run m user list
expect_out "^admin +admin +ADMIN +active" "the administrator is listed"

run "$MMIS" --db "$T/b.db" --audit-key "$T/b.key" init
expect_exit 0 "init without a password"
expect_out "^admin password: [A-Za-z0-9_-]{20,}$" "prints a generated password once"
MMIS_ADMIN_PASSWORD="$PW2" run "$MMIS" --db "$T/c.db" --audit-key "$T/c.key" init
expect_exit 0 "init with \$MMIS_ADMIN_PASSWORD"
expect_no "admin password:" "prints no password"
MMIS_ADMIN_PASSWORD="password123456" run "$MMIS" --db "$T/d.db" --audit-key "$T/d.key" init
expect_exit 1 "init refuses a weak administrator password"
expect_one_error_line "in one line"

# --- agencies
run m agency add BP --name "Border Police" --kind police
expect_exit 0 "agency add"
run m agency add CSW-PG --name "Centre for Social Work Podgorica"
expect_exit 0 "agency add without a kind"
run m agency add BP --name "Again"
expect_exit 1 "a second BP is refused"
expect_err "exists already" "saying it exists"
expect_one_error_line "in one line"
run m agency add bp --name "lower"
expect_exit 1 "a lower-case code is refused"
run m agency add XX
expect_exit 2 "agency add without --name is a usage error"
run m agency list
expect_out "^BP +police +Border Police$" "agency list"
run m agency list --json
expect_out '"code": ?"CSW-PG"' "agency list --json"
expect_out '"kind": ?"other"' "with the default kind"

# --- users
run_stdin "$PW"$'\n' m user add marko --role border_officer --agency BP --display-name "Marko P."
expect_exit 0 "user add with the password on stdin"
expect_out "^created user marko" "says so"
run m user add ivana --role case_worker --agency CSW-PG --password "$PW"
expect_exit 2 "a password on the command line is impossible"
expect_no "Correct-Horse" "and is not echoed"
run m user add ivana "$PW" --role case_worker --agency CSW-PG
expect_exit 2 "nor as an extra argument"
run m user add ivana --role case_worker --agency CSW-PG --pass "$PW"
expect_exit 2 "nor as an abbreviated option"
expect_no "Correct-Horse" "which is not echoed either"
run m init --admin-password "$PW"
expect_exit 2 "init takes no password on the command line"
printf '%s\n' "$PW2" >"$T/ivana.pw"
run m user add ivana --role case_worker --agency CSW-PG --password-file "$T/ivana.pw"
expect_exit 0 "user add with --password-file"
run_stdin $'password123456\n' m user add weak --role analyst --agency BP
expect_exit 1 "a weak password is refused"
expect_err "too weak" "saying why"
expect_one_error_line "in one line"
run_stdin "$PW"$'\n' m user add boss --role boss --agency BP
expect_exit 1 "an unknown role is refused"
run m user add nopw --role analyst --agency BP
expect_exit 1 "no password on stdin fails"
run m user add --role analyst --agency BP
expect_exit 2 "user add without a name is a usage error"
run m user list
expect_exit 0 "user list"
expect_out "^marko +border_officer +BP +active" "lists marko"
expect_out "^ivana +case_worker +CSW-PG +active" "lists ivana"
expect_no "weak" "not the refused user"
run m user list --json
expect_out '"display_name": ?"Marko P."' "user list --json"
expect_no 'argon2|password_hash' "without password hashes"

# --- tokens
run m token create --user marko --name nightly
expect_exit 0 "token create"
expect_out '^mmis_[A-Za-z0-9_-]{43}$' "prints the token"
check "and nothing else on stdout" test "$(printf '%s\n' "$OUT" | wc -l)" = 1
token=$OUT
run m token list
expect_out "marko +nightly" "token list"
expect_no "${token#mmis_}" "never shows the token"
check "the token is not stored" test "$(sqlite3 "$db" "SELECT count(*) FROM api_token WHERE token_hash LIKE '%${token#mmis_}%'")" = 0
id=$(sqlite3 "$db" "SELECT id FROM api_token WHERE name = 'nightly'")
run m token create --user nobody
expect_exit 1 "a token for an unknown user fails"

# --- disable, enable, passwd
run m user disable marko
expect_exit 0 "user disable"
run m user list
expect_out "^marko +border_officer +BP +disabled" "marko is disabled"
check "the token is revoked" test -n "$(sqlite3 "$db" "SELECT revoked_at FROM api_token WHERE id = '$id'")"
run m token revoke "$id"
expect_exit 1 "revoking it again fails"
expect_err "revoked already" "saying so"
run m user enable marko
expect_exit 0 "user enable"
run m user list
expect_out "^marko +border_officer +BP +active" "marko is active again"
run_stdin "$PW2"$'\n' m user passwd marko
expect_exit 0 "user passwd"
run m user disable nobody
expect_exit 1 "disabling an unknown user fails"
expect_err "no user 'nobody'" "naming it"
run m token create --user ivana
id2=$(sqlite3 "$db" "SELECT id FROM api_token WHERE revoked_at IS NULL")
run m token revoke "$id2"
expect_exit 0 "token revoke"

# --- the audit trail
run m audit list --action user.create
expect_exit 0 "audit list --action"
expect_out "user.create +ok +user .*username marko" "shows the creation of marko"
expect_out "os user " "naming the operating-system user"
expect_out "user.create +failed" "and the refused ones"
run m audit list --actor system --limit 2 --json
expect_exit 0 "audit list --json"
check "with --limit 2 items" test "$(printf '%s' "$OUT" | grep -o '"seq"' | wc -l)" = 2
run m audit list --from 2000-01-01 --to 2999-12-31 --object-type token
expect_out "token.create" "audit list by time and object type"
run m audit list --limit 0
expect_exit 2 "--limit 0 is a usage error"
run m audit list --from yesterday
expect_exit 2 "a bad --from is a usage error"
run m audit verify
expect_exit 0 "audit verify on an intact trail"
expect_out "^audit trail intact: [0-9]+ events checked$" "says it is intact"
expect_out "^head: [0-9]+ [0-9a-f]{64}$" "and gives the head"

sqlite3 "$db" "UPDATE audit_event SET detail='x' WHERE seq=2"
run m audit verify
expect_exit 1 "audit verify after an edit exits 1"
expect_err "event 2\b" "naming event 2"
expect_err "MAC does not match" "and why"
expect_one_error_line "in one line"

# --- the key
run "$MMIS" --db "$db" --audit-key "$T/missing.key" user list
expect_exit 1 "a missing key fails"
expect_err "missing\.key" "naming it"
expect_one_error_line "in one line"
cp "$MMIS_AUDIT_KEY" "$T/open.key" && chmod 644 "$T/open.key"
run "$MMIS" --db "$db" --audit-key "$T/open.key" user list
expect_exit 1 "a key readable by others is refused"
expect_err "chmod 600" "saying what to do"
run "$MMIS" --db "$T/b.db" --audit-key "$MMIS_AUDIT_KEY" audit verify
expect_exit 1 "another database's key does not verify"
expect_err "event 1\b" "from its first event"

# --- PostgreSQL
if [ -n "${MMIS_TEST_PG_URL:-}" ]; then
	name="mmis_cli_auth_$$_$RANDOM"
	psql -q "$MMIS_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
	pg="${MMIS_TEST_PG_URL%/*}/$name"
	MMIS_ADMIN_PASSWORD="$PW" run "$MMIS" --db "$pg" --audit-key "$T/pg.key" init
	expect_exit 0 "init on PostgreSQL with an administrator"
	expect_out "created the administrator admin" "creates it"
	run "$MMIS" --db "$pg" --audit-key "$T/pg.key" agency add BP --name "Border Police"
	expect_exit 0 "agency add on PostgreSQL"
	run_stdin "$PW"$'\n' "$MMIS" --db "$pg" --audit-key "$T/pg.key" user add marko --role border_officer --agency BP
	expect_exit 0 "user add on PostgreSQL"
	run "$MMIS" --db "$pg" --audit-key "$T/pg.key" token create --user marko
	expect_out '^mmis_' "token create on PostgreSQL"
	run "$MMIS" --db "$pg" --audit-key "$T/pg.key" audit verify
	expect_exit 0 "audit verify on PostgreSQL"
	psql -q "$pg" -c "UPDATE audit_event SET detail='x' WHERE seq=2" >/dev/null
	run "$MMIS" --db "$pg" --audit-key "$T/pg.key" audit verify
	expect_exit 1 "an edit on PostgreSQL is found"
	expect_err "event 2\b" "naming event 2"
	psql -q "$MMIS_TEST_PG_URL" -c "DROP DATABASE $name WITH (FORCE)" >/dev/null
else
	ok 1 "MMIS_TEST_PG_URL is not set: run the tests through tests/run.sh"
fi

done_testing
