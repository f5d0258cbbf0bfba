#!/usr/bin/env bash
# Black-box tests of the border commands: bcp add, list and import; cross import (all or
# nothing, every bad line named); border overstayers (table, CSV, JSON); stay authorise. Needs
# $MMIS.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmis-cli-border.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset MMIS_DB MMIS_ADMIN_PASSWORD
export MMIS_AUDIT_KEY="$T/audit.key"
db="$T/b.db"
m() { "$MMIS" --db "$db" "$@"; }
printf '%s\n' 'Correct-Horse-Battery-9' >"$T/pw"
run m init --admin-password-file "$T/pw"
expect_exit 0 "init"

# --- BCPs
run m bcp list
expect_exit 0 "bcp list"
expect_out "^MNE-DBR +road +HRV +Debeli Brijeg$" "lists Debeli Brijeg (road, Croatia)"
expect_out "^MNE-TGD +air +- +Podgorica Airport$" "and Podgorica Airport"
run m bcp list --json
expect_out '"code": ?"MNE-KUL"' "bcp list --json"
run m bcp add MNE-TST --name "Test crossing" --kind road --neighbour SRB
expect_exit 0 "bcp add"
run m bcp add MNE-TS2 --name "Bus stop" --kind bus
expect_exit 1 "bcp add refuses a kind that is not road, rail, air, sea"
expect_err "kind 'bus' is not one of road, rail, air, sea" "naming it"
expect_one_error_line "in one line"
run m bcp add MNE-TS3 --kind road
expect_exit 2 "bcp add without --name is a usage error"
cat >"$T/bcp.csv" <<'CSV'
code,name,kind,neighbour
MNE-N01,One,road,SRB
MNE-N02,Two,rail,
MNE-N03,Three,air,
MNE-N04,Four,sea,
MNE-N05,Five,road,BIH
MNE-N06,Six,bus,ALB
MNE-N07,Seven,road,
CSV
run m bcp import "$T/bcp.csv"
expect_exit 1 "bcp import with a bad line fails"
expect_err "line 7: kind 'bus' is not one of road, rail, air, sea" "naming line 7"
run m bcp list
expect_no "MNE-N01" "and imports nothing"
sed -i 's/,bus,/,road,/' "$T/bcp.csv"
run m bcp import "$T/bcp.csv"
expect_exit 0 "bcp import"
expect_out "imported 7 BCPs" "says how many"

# --- crossings
d() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
{
	echo "time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,sex,birth_date,nationality,expiry_date,transport,purpose"
	echo "$(d '-200 days'),MNE-DBR,entry,P,SRB,S1,Jovanović,Ana,F,1985-04-02,SRB,2031-01-01,car,tourism"
	echo "$(d '-190 days'),MNE-DBR,exit,P,SRB,S1,Jovanović,Ana,F,1985-04-02,SRB,2031-01-01,car,tourism"
	echo "$(d '-120 days'),MNE-TGD,entry,P,RUS,R1,Ivanov,Ivan,M,1970,RUS,2030-01-01,aircraft,tourism"
	echo "$(d '-10 days'),MNE-KUL,exit,I,RKS,K1,Krasniqi,Arben,M,,RKS,,car,"
	echo "$(d '-95 days'),MNE-SUK,entry,P,ALB,A1,Hoxha,Elira,F,1999-12,ALB,2029-05-05,bus,work"
	echo "$(d '-5 days'),MNE-SUK,exit,P,ALB,A1,Hoxha,Elira,F,1999-12,ALB,2029-05-05,bus,work"
} >"$T/x.csv"
sed '7s/^[^,]*,/2025-02-30T10:00:00Z,/' "$T/x.csv" >"$T/bad.csv"
run m cross import "$T/bad.csv"
expect_exit 1 "cross import with a bad date on line 7 fails"
expect_err "line 7: .*day" "naming line 7"
expect_err "nothing imported" "saying nothing was imported"
run m border overstayers --json
expect_out '^\[\]$' "and nothing was imported"
run m cross import "$T/x.csv"
expect_exit 0 "cross import"
expect_out "imported 6 crossings \(4 new travellers, 1 exits without a recorded entry flagged\)" "says what it did"
run m border overstayers
expect_exit 0 "border overstayers"
expect_out "IVANOV, IVAN +RUS .* 121 +31$" "lists the traveller present for 121 days, 31 over"
expect_no "HOXHA" "but not one who left"
run m border overstayers --csv
expect_out "^person_id,surname,given_names,nationality" "--csv: a header"
expect_out ",IVANOV,IVAN,RUS,RUS,R1,.*,MNE-TGD,121,31" "--csv: the row"
run m border overstayers --on "$(date -u -d '-60 days' +%Y-%m-%d)" --json
expect_out '^\[\]$' "--on: nobody had overstayed 60 days ago"
run m border overstayers --on 2025-13-01
expect_exit 2 "--on with a bad date is a usage error"
# --- stay authorisations
ivanov=$(m border overstayers --json | grep -Eo '"person_id": ?"[^"]*"' | head -n 1 | grep -Eo '[0-9a-f-]{36}')
day() { date -u -d "$1" +%Y-%m-%d; }
run m stay authorise --person "$ivanov" --kind residence_permit --from "$(day '-30 days')" \
	--to "$(day '+335 days')" --number "RP 12-34"
expect_exit 0 "stay authorise: a residence permit"
expect_out "^created stay authorisation [0-9a-f-]{36}$" "prints its id"
expect_out "^status today: residence permit valid until $(day '+335 days')$" "and the status it makes"
run m border overstayers --json
expect_out '^\[\]$' "the permit's 30 days do not count: no longer an overstayer"
run m stay authorise --person "$ivanov" --kind visa --from "$(day '-5 days')" --to "$(day '+5 days')" --days 12
expect_exit 1 "a visa with more days than its validity is refused"
expect_err "12 days are more than the 11 days the visa is valid" "saying why"
expect_one_error_line "in one line"
run m stay authorise --person "$ivanov" --kind residence_permit --from "$(day '-5 days')" --to "$(day '+5 days')" --days 3
expect_exit 1 "--days with a residence permit is refused"
run m stay authorise --person "$ivanov" --kind tourist --from "$(day '-5 days')" --to "$(day '+5 days')"
expect_exit 1 "an unknown kind is refused"
expect_err "kind is one of visa, long_stay_visa, residence_permit" "naming the kinds"
run m stay authorise --person 01900000-0000-7000-8000-000000000000 --kind visa --from 2025-01-01 --to 2025-01-31
expect_exit 1 "an unknown person is refused"
expect_err "no such person" "saying so"
run m stay authorise --person "$ivanov" --kind visa --from 2025-02-30 --to 2025-03-31
expect_exit 2 "a bad date is a usage error"
run m stay authorise --person "$ivanov" --kind visa --from 2025-03-01 --to 2025-03-31 --days x
expect_exit 2 "so are bad --days"
run m stay authorise --kind visa
expect_exit 2 "and missing options"
run m audit list --action stay_authorisation.create
expect_out "stay_authorisation.create +ok" "the authorisation is audited"

run m cross import "$T/missing.csv"
expect_exit 1 "cross import of a missing file"
expect_one_error_line "in one line"
run m audit list --action crossing.import
expect_out "crossing.import +ok" "the import is audited once"
expect_out "crossing.import +failed" "and so is the failed one"

# An upgrade that brings the statistics to a database holding crossings counts them at once (as
# migration 0008 marks the roll-ups stale when it meets crossings).
sqlite3 "$db" "DELETE FROM stats_crossing_month; DELETE FROM stats_crossing_month_person; UPDATE stats_state SET value = 'stale' WHERE name = 'rollups'"
run m stats flows --from 2025-01-01 --to 2025-12-31 --by month
expect_exit 1 "stale roll-ups: the statistics refuse to answer"
expect_err "mmis stats rebuild" "and say what to run"
run m init
expect_exit 0 "init after the upgrade"
expect_out "^counted [1-9][0-9]* crossings$" "init counts the crossings into the roll-ups"
run m stats flows --from 2025-01-01 --to 2025-12-31 --by month --min-cell 0
expect_exit 0 "the statistics answer again"
run m init
expect_exit 0 "init again"
[ "$(printf '%s\n' "$OUT" | grep -c counted)" = 0 ]
ok $? "and counts nothing the second time"
done_testing
