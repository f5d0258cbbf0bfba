#!/usr/bin/env bash
# Black-box tests of `mmis case list`, `mmis case access` and `mmis case settings`: the access
# table printed is the one docs/protection.md documents, the settings are set and checked, and
# listing is audited. Needs $MMIS and $MMIS_SOURCE_ROOT.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
: "${MMIS_SOURCE_ROOT:?}"
unset MMIS_DB MMIS_AUDIT_KEY
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
m() { "$MMIS" --db "$T/mmis.db" --audit-key "$T/audit.key" "$@"; }
printf 'Case-Admin-Pass-2791\n' >"$T/pw"
chmod 600 "$T/pw"

run "$MMIS" help
expect_out '^  case list ' "help lists case list"
expect_out '^  case settings ' "and case settings"
run m init --admin-password-file "$T/pw"
expect_exit 0 "init"

run m case access
expect_exit 0 "case access exits 0"
expect_out '^\| referral.create \| POST \| /api/v1/cases/\{id\}/referrals \| case.write \| case \|' \
	"prints the access table"
printf '%s\n' "$OUT" >"$T/printed.md"
# The table in docs/protection.md, between its markers, is exactly what the binary applies.
sed -n '/<!-- access-table -->/,/<!-- \/access-table -->/p' "$MMIS_SOURCE_ROOT/docs/protection.md" |
	grep '^|' >"$T/documented.md"
check "docs/protection.md holds exactly the access table the binary applies" diff -u "$T/documented.md" "$T/printed.md"
run m case access extra
expect_exit 2 "an extra argument is a usage error"

run m case settings
expect_exit 0 "case settings shows the settings"
expect_out '^reflection_days 90$' "a reflection period of 90 days by default"
expect_out '^reflection_warn_days 14$' "warned 14 days before"
run m case settings --reflection-days 60 --reflection-warn-days 10
expect_exit 0 "set both"
expect_out '^reflection_days 60$' "now 60 days"
run m case settings
expect_out '^reflection_warn_days 10$' "and kept"
run m case settings --reflection-days 0
expect_exit 2 "0 days is refused"
expect_err 'reflection-days is 1 to 365' "naming the range"
run m case settings --reflection-warn-days x
expect_exit 2 "not a number is refused"
run m case settings
expect_out '^reflection_days 60$' "nothing changed by the refusals"

run m case list
expect_exit 0 "case list on a database without cases"
expect_out '^ID +STATE +AGENCY +OPENED +TYPES$' "prints the header"
run m case list --json
expect_out '^\[\]$' "and an empty JSON array"
run m audit list --action case.list --json
expect_out '"action":"case.list"' "listing cases is in the audit trail"
run m audit list --action protection.settings --json
expect_out '"outcome":"ok"' "so is changing the settings"

done_testing
