#!/usr/bin/env bash
# Black-box tests of the duplicate-person commands: dedup (dry run, real, JSON, bad options),
# dedup list, show, accept (the merged crossings make an overstay), revert (a note needed; the
# overstay goes), reject (never proposed again), and bad ids. Needs $MMIS.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmis-cli-dedup.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset MMIS_DB MMIS_ADMIN_PASSWORD
export MMIS_AUDIT_KEY="$T/audit.key"
db="$T/d.db"
m() { "$MMIS" --db "$db" "$@"; }
printf '%s\n' 'Correct-Horse-Battery-9' >"$T/pw"
run m init --admin-password-file "$T/pw"
expect_exit 0 "init"

run m dedup
expect_exit 0 "dedup on an empty database"
expect_out "compared 0 persons at threshold 0.85" "compares nobody"

# Smirnov on two passports (61 days, then 71 days and present); Ivanov twice; a stranger; and a
# refused traveller known by name only.
d() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
{
	echo "time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,sex,birth_date,nationality,expiry_date,transport,purpose"
	echo "$(d '-150 days'),MNE-TGD,entry,P,RUS,R1000001,Smirnov,Dmitry,M,1984-06-12,RUS,2031-01-01,aircraft,tourism"
	echo "$(d '-90 days'),MNE-TGD,exit,P,RUS,R1000001,Smirnov,Dmitry,M,1984-06-12,RUS,2031-01-01,aircraft,tourism"
	echo "$(d '-70 days'),MNE-TIV,entry,P,RUS,R2000002,Smirnov,Dmitry,M,1984-06-12,RUS,2033-01-01,aircraft,tourism"
	echo "$(d '-40 days'),MNE-TGD,entry,P,RUS,R3000003,Ivanov,Ivan,M,1970-01-02,RUS,2031-01-01,aircraft,tourism"
	echo "$(d '-10 days'),MNE-TGD,entry,P,RUS,R4000004,Ivanov,Ivan,M,1970-01-02,RUS,2034-01-01,aircraft,tourism"
	echo "$(d '-5 days'),MNE-DOB,entry,P,SRB,S5000005,Jovanović,Ana,F,1990-01-30,SRB,2031-01-01,car,tourism"
	echo "$(d '-3 days'),MNE-TGD,entry,P,RUS,R6000006,Ivanov,Ivan,M,,RUS,2031-01-01,aircraft,tourism"
} >"$T/x.csv"
run m cross import "$T/x.csv"
expect_exit 0 "seven crossings imported"
run m border overstayers
expect_no "SMIRNOV" "neither record of Smirnov overstays alone"

# --- detection
run m dedup --dry-run
expect_exit 0 "dedup --dry-run"
expect_out "compared 6 persons at threshold 0.85 .*dry run: nothing stored" "says it stores nothing"
expect_out "pairs at or above the threshold: 2 \\(2 new proposals" "two pairs"
expect_out "not proposed: 2 pairs alike in name only" "Ivanov without a birth date matches only by name: not proposed"
expect_out "^[0-9.]+ +new +[0-9a-f-]{36}  SMIRNOV, DMITRY" "prints the pairs with their scores"
expect_out "^        - " "and their reasons"
run m dedup list
expect_out "^PROPOSAL" "dedup list: a header"
expect_no "proposed" "and nothing stored by the dry run"

run m dedup --threshold 0.2
expect_exit 2 "a threshold below 0.5 is a usage error"
expect_err "threshold" "naming it"
run m dedup --threshold high
expect_exit 2 "a threshold that is not a number too"
run m dedup --threads 0
expect_exit 2 "--threads 0 too"
run m dedup extra
expect_exit 2 "an unexpected argument too"

run m dedup --json
expect_exit 0 "dedup --json"
expect_out '"proposed": ?2' "stores two proposals"
expect_out '"names_only": ?2' "counts the name-only pairs"
expect_out '"reasons": ?\[' "with their reasons"
run m dedup
expect_out "0 new proposals, 2 open proposals refreshed" "a second run refreshes, proposes nothing twice"

run m dedup list --json
ab=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(next(m["id"] for m in json.load(sys.stdin)["items"] if m["persons"][0]["surname"] == "SMIRNOV"))')
cd_=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(next(m["id"] for m in json.load(sys.stdin)["items"] if m["persons"][0]["surname"] == "IVANOV"))')
[ -n "$ab" ] && [ -n "$cd_" ]
ok $? "dedup list --json: both proposals"
run m dedup list
expect_out "^$ab proposed +[0-9.]+  SMIRNOV, DMITRY" "dedup list shows them"
run m dedup list --status sideways
expect_exit 1 "an unknown status fails"
expect_err "status 'sideways' is not one of open, decided" "naming the statuses"
expect_one_error_line "in one line"
run m dedup list --limit 0
expect_exit 2 "--limit 0 is a usage error"

run m dedup show "$ab"
expect_exit 0 "dedup show"
expect_out "proposal $ab: proposed" "the proposal"
expect_out "document P RUS R1000001" "the first record's passport"
expect_out "document P RUS R2000002" "and the second's"
expect_out "2 crossing" "with their crossings"
expect_out "stay of both records together today: 90/180: 132 of 90 days used in the last 180 \(overstay\)" "and the overstay they make together"
run m dedup show 0190d6c4-7a8b-7c3d-8e9f-a0b1c2d3e4f5
expect_exit 1 "dedup show of an unknown id fails"
expect_err "no such proposal" "saying so"
run m dedup show
expect_exit 2 "dedup show without an id is a usage error"

# --- accept, revert
run m dedup accept "$ab" --survivor 0190d6c4-7a8b-7c3d-8e9f-a0b1c2d3e4f5
expect_exit 1 "accept with a survivor that is not one of the two fails"
expect_err "survivor" "naming it"
run m dedup accept "$ab" --note "same face in both passports"
expect_exit 0 "dedup accept"
expect_out "proposal $ab: accepted" "merged"
expect_out "moved: 1 travel_document 1 crossing" "what moved"
run m border overstayers
expect_out "SMIRNOV, DMITRY +RUS .* 132 +42$" "merged, Smirnov overstays: 132 days in 180, 42 over"
run m dedup accept "$ab"
expect_exit 1 "accepting again fails"
expect_err "the proposal is accepted: only a proposed one can be accepted" "saying why"
run m dedup revert "$ab"
expect_exit 2 "revert without --note is a usage error"
run m dedup revert "$ab" --note "brothers with one name and one birthday"
expect_exit 0 "dedup revert"
expect_out "proposal $ab: reverted" "undone"
run m border overstayers
expect_no "SMIRNOV" "and nobody overstays"

# --- reject
run m dedup reject "$cd_" --note "different fathers' names"
expect_exit 0 "dedup reject"
expect_out "proposal $cd_: rejected" "rejected"
run m dedup
expect_out "0 new proposals, 0 open proposals refreshed, 2 decided before" "neither pair is proposed again"
run m dedup list --status decided
expect_out "$ab reverted" "the history: the reverted merge"
expect_out "$cd_ rejected" "and the rejected pair"

run m audit list --action merge. --limit 100
expect_out "merge.accept +ok" "decisions are audited"
expect_out "merge.detect +ok .*dry run" "so are detections, the dry run too"
run m audit verify
expect_exit 0 "the audit trail verifies"

done_testing
