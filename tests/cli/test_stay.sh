#!/usr/bin/env bash
# Black-box tests of `mmis stay calc`: the European Commission calculator's published examples
# (REFERENCES.md, the short-stay rule), the other options, and bad input. Needs $MMIS only.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
unset MMIS_DB

run "$MMIS" help
expect_out '^  stay calc ' "help lists stay calc"
run "$MMIS" stay calc --help
expect_exit 0 "stay calc --help exits 0"
expect_out -- '--window DAYS' "and lists its options"
run "$MMIS" stay
expect_exit 2 "stay alone needs a subcommand"
expect_err "stay calc" "and names it"

# Example 1: one stay 15.08-30.09.2014, re-entry 01.01.2015: may stay to 31.03.2015.
run "$MMIS" stay calc --on 2015-01-01 2014-08-15..2014-09-30 2015-01-01..
expect_exit 0 "example 1 (re-entry 01.01.2015) exits 0"
expect_out '^\{"on":"2015-01-01","days_used":48,"days_remaining":42,"overstay_days":0,"may_stay_until":"2015-03-31"\}$' \
	"example 1: may stay until 31.03.2015"
# Example 2: 15.08-30.09.2014 and 01.11-30.11.2014, check on 30.11.2014.
run "$MMIS" stay calc --on 2014-11-30 2014-08-15..2014-09-30 2014-11-01..2014-11-30
expect_exit 0 "example 2 exits 0"
expect_out '"days_used":77,"days_remaining":13,"overstay_days":0,"may_stay_until":"2014-12-13"' \
	"example 2: no overstay, may stay until 13.12.2014"
# Example 3: leaving on 09.06.2014 is a 9-day overstay (99 days).
run "$MMIS" stay calc --on 2014-06-09 2013-09-01..2013-09-30 2014-02-21..2014-04-20 2014-05-01..2014-06-09
expect_exit 0 "example 3 exits 0 (an overstay is a result, not an error)"
expect_out '"days_used":99,"days_remaining":0,"overstay_days":9,"may_stay_until":null' \
	"example 3: 99 days, 9 days of overstay, no day left"
# Example 4: re-entry on 30.08.2014 allows 50 days: 30.08-18.10.2014.
run "$MMIS" stay calc --on 2014-08-30 2014-05-01..2014-06-09 2014-08-30.. 2013-09-01..2013-09-30 2014-02-21..2014-04-20
expect_exit 0 "example 4 exits 0, stays in any order"
expect_out '"days_used":89,"days_remaining":1,"overstay_days":9,"may_stay_until":"2014-10-18"' \
	"example 4: may stay 50 days, until 18.10.2014"

run "$MMIS" stay calc --on 2024-03-01 2024-02-10..2024-02-20 2024-02-01..2024-02-15 2024-02-21..2024-02-21
expect_out '"days_used":21,' "overlapping and touching stays count each day once"
run "$MMIS" stay calc --on 2024-12-01
expect_exit 0 "no stays at all"
expect_out '"days_used":0,"days_remaining":90,"overstay_days":0,"may_stay_until":"2025-02-28"' \
	"90 days from the check on"
run "$MMIS" stay calc --limit 3 --window 10 --on 2024-01-11 2024-01-02..2024-01-03
expect_exit 0 "--limit and --window"
expect_out '"days_used":2,"days_remaining":1,"overstay_days":0,"may_stay_until":"2024-01-13"' \
	"3 days in any 10"

# Invalid data: exit 1, one line naming the stay.
run "$MMIS" stay calc --on 2024-04-01 2024-01-01..2024-01-05 2024-03-10..2024-03-01
expect_exit 1 "an exit before the entry exits 1"
expect_err '^mmis: stay 2: exit 2024-03-01 is before entry 2024-03-10$' "and names the stay"
expect_one_error_line "in one line"
run "$MMIS" stay calc --on 2024-04-01 2024-13-01..2024-01-05
expect_exit 1 "a bad date exits 1"
expect_err '^mmis: stay 1: entry: .*month 13' "and names the stay and the date"
run "$MMIS" stay calc --on 2024-04-01 2024-01-01..2024-02-30
expect_exit 1 "a bad exit date exits 1"
expect_err '^mmis: stay 1: exit: ' "and says it is the exit"
run "$MMIS" stay calc --on 2024-04-01 2024-01-01..2024-01-02 2024-02-01.. 2024-04-02..
expect_exit 1 "a stay after the check exits 1"
expect_err '^mmis: stay 3 starts after the day of the check$' "and names the stay"
run "$MMIS" stay calc --on 2024-04-01 garbage
expect_exit 1 "a stay that is not ENTRY..EXIT exits 1"
expect_err '^mmis: stay 1: .*ENTRY\.\.EXIT' "and says the form"
expect_one_error_line "in one line"

# Usage errors: exit 2.
run "$MMIS" stay calc 2024-01-01..2024-01-02
expect_exit 2 "--on is required"
expect_err -- '--on' "and named"
run "$MMIS" stay calc --on 2024-02-30
expect_exit 2 "a bad --on is a usage error"
expect_err '^mmis: --on: ' "and named"
run "$MMIS" stay calc --on 2024-02-01 --limit 0
expect_exit 2 "--limit 0 is refused"
run "$MMIS" stay calc --on 2024-02-01 --limit 9x
expect_exit 2 "--limit must be a number"
run "$MMIS" stay calc --on 2024-02-01 --window 90
expect_exit 2 "a limit not below the window is refused"
expect_err 'must be less than --window' "and explained"
run "$MMIS" stay calc --on 2024-02-01 --windw 90
expect_exit 2 "an unknown option exits 2"
expect_err 'usage: mmis stay calc' "with the usage"

done_testing
