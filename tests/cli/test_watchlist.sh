#!/usr/bin/env bash
# Black-box tests of the alert-list commands: watchlist import (native CSV and OpenSanctions; bad
# lines named with their field; all or nothing; a re-import replaces the list), watchlist list,
# and the contract of `mmis screen` (JSON lines in, one JSON line out per query, error lines for
# bad ones, exit 1 then; threshold and limit). Needs $MMIS.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmis-cli-watchlist.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset MMIS_DB MMIS_ADMIN_PASSWORD
export MMIS_AUDIT_KEY="$T/audit.key"
db="$T/w.db"
m() { "$MMIS" --db "$db" "$@"; }
printf '%s\n' 'Correct-Horse-Battery-9' >"$T/pw"
run m init --admin-password-file "$T/pw"
expect_exit 0 "init"

# --- import
cat >"$T/national.csv" <<'CSV'
id,name,aliases,birth_date,nationality,document_number
NA-1,Мухамед Абдулах,"Muhammad Abdullah;محمد عبد الله",1984-06-15,JOR,
NA-2,Radomir Vukašinović,,1969-02-11,SRB;D,X-123 456
NA-3,"Kastrati, Elvira",,1991,ALB;RKS,
CSV
run m watchlist import "$T/national.csv" --category entry_ban --action refuse_entry
expect_exit 0 "watchlist import"
expect_out "^imported 3 entries into the list national \(generation 1\)$" "says how many, into the list named after the file"
run m watchlist list
expect_exit 0 "watchlist list"
expect_out "^national +entry_ban +refuse_entry +3 +1 " "lists it with category, action, count and generation"
run m watchlist list --json
expect_out '"name": ?"national"' "watchlist list --json"

# Bad lines: each named with its line and field; nothing imported; the list as it was.
{
	echo "id,name,aliases,birth_date,nationality,document_number"
	echo "NA-1,Mohamed Abdalla,,,,"
	echo "NA-5,,,,,"
	echo "NA-6,\"?!.\",,,,"
	printf 'NA-7,%s,,,,\n' "$(head -c 10240 /dev/zero | tr '\0' a)"
	printf 'NA-8,Bad \xff UTF-8,,,,\n'
	echo "NA-9,Fine Name,,1984-02-30,,"
	echo "NA-1,Same Id,,,,"
} >"$T/bad.csv"
run m watchlist import "$T/bad.csv" --list national
expect_exit 1 "a file with bad lines is refused"
expect_err "line 3: name: an entry needs a name or a document number" "an empty name: line 3"
expect_err "line 4: name: name '\?!\.' has no letters" "punctuation only: line 4"
expect_err "line 5: name: name is longer than 1024 bytes" "a 10 kB name: line 5"
expect_err "line 6: name: field 2 is not valid UTF-8" "invalid UTF-8: line 6"
expect_err "line 7: birth_date: " "a bad date: line 7"
expect_err "line 8: id: id 'NA-1' is on line 2 already" "a repeated id: line 8"
expect_err "6 bad lines, nothing imported" "and says nothing was imported"
run m watchlist list
expect_out "^national +entry_ban +refuse_entry +3 +1 " "the list is as it was"

printf 'name,birth_date\nIvan Petrov,1980\n' >"$T/noid.csv"
run m watchlist import "$T/noid.csv"
expect_exit 1 "a CSV without an id column is refused"
expect_err "line 1: the file has no id column: expected the header id,name,aliases,birth_date,nationality,document_number" "with a clear error"
expect_one_error_line "in one line"
run m watchlist import "$T/national.csv" --format xml
expect_exit 2 "an unknown format is a usage error"
run m watchlist import "$T/national.csv" --list national --action shoot
expect_exit 1 "an unknown action is refused"
expect_err "action 'shoot' is not one of refuse_entry, detain, notify, check_further" "naming the actions"
run m watchlist import - --list x
expect_exit 1 "an empty standard input is refused"
expect_err "line 1: the file is empty" "as an empty file"
run m watchlist import -
expect_exit 2 "standard input needs --list"

# A re-import replaces the list.
printf 'id,name\nNA-1,Mohamed Abdalla\nNA-4,Elvira Kastrati\n' >"$T/national2.csv"
run m watchlist import "$T/national2.csv" --list national
expect_exit 0 "re-import"
expect_out "imported 2 entries into the list national \(generation 2\)" "generation 2"
run m watchlist list
expect_out "^national +entry_ban +refuse_entry +2 +2 " "the list now has the new file's entries, its action kept"
run m watchlist import "$T/national.csv" --list national
expect_exit 0 "and back"

# Lost and stolen documents: no names.
printf 'id,document_number\nLS-1,ZX0000009\nLS-2,ZX0000010\n' >"$T/lost.csv"
run m watchlist import "$T/lost.csv" --list lost --category lost_stolen_documents
expect_exit 0 "a list of documents only"

# OpenSanctions' targets.simple.csv.
cat >"$T/targets.simple.csv" <<'CSV'
id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset,first_seen,last_seen,last_change
NK-1,Person,Ivan Ivanovich Sidorov,Иван Иванович Сидоров,1961-03-02,ru;su,,P7654321,,,,test,,,
NK-2,Company,Some Company LLC,,,ru,,,,,,test,,,
CSV
run m watchlist import "$T/targets.simple.csv" --format opensanctions --list sanctions
expect_exit 0 "opensanctions import"
expect_out "imported 1 entries into the list sanctions \(generation 1\); 1 rows of other schemas than Person skipped, 1 unusable values left out" "Person rows only; a former state's code left out"
run m watchlist list
expect_out "^sanctions +sanctions +check_further +1 " "category sanctions by default, action check_further"

# --- screen
q=$(printf '%s\n' \
	'{"id":1,"name":"MOHAMMED ABDULLAH","birth_date":"1984-06-15","nationality":"JOR"}' \
	'{"id":"two","name":"Ivana Horvat"}' \
	'' \
	'{"id":3,"name":"Petra Novak","document_number":"zx 0000009"}' \
	'{"id":4,"name":"Ivan Sidorov","birth_date":"1961"}')
run_stdin "$q" m screen
expect_exit 0 "screen"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 4 ]
ok $? "one line out per query (the blank line is none)"
expect_out '^\{"id":1,"hits":\[\{"entry_id":"NA-1","list":"national","name":"Мухамед Абдулах","score":[01]\.[0-9]+,"reasons":\[' "a Latin name hits the Cyrillic entry, with its reasons"
expect_out '"category":"entry_ban","action":"refuse_entry"' "with the list's category and action"
expect_out '^\{"id":"two","hits":\[\]\}$' "no hit: an empty list"
expect_out '^\{"id":3,"hits":\[\{"entry_id":"LS-1","list":"lost","name":null,"score":1\.0' "a lost document hits exactly"
expect_out '^\{"id":4,"hits":\[\{"entry_id":"NK-1","list":"sanctions"' "an OpenSanctions entry"
printf '%s\n' "$OUT" | python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    s = [h["score"] for h in d["hits"]]
    assert s == sorted(s, reverse=True) and all(x >= 0.85 for x in s), d
'
ok $? "every line is JSON, hits best first, none under the default threshold 0.85"

q=$(printf '%s\n' '{"id":1,"name":"Mohamed Abdalla"}' '{"id":2,"name":"...."}' 'not json' \
	'{"id":4,"name":"Ivan","colour":"red"}' '{"id":5,"name":"Mohamed Abdalla"}')
run_stdin "$q" m screen
expect_exit 1 "bad lines: exit 1 at the end"
expect_out '^\{"id":2,"line":2,"error":\{"field":"name","message":"name '"'"'\.\.\.\.'"'"' has no letters"\}\}$' "an error line names the query, the line and the field"
expect_out '^\{"id":null,"line":3,"error":\{"field":null,' "a line that is not JSON"
expect_out '^\{"id":4,"line":4,"error":\{"field":"colour"' "an unknown member"
expect_out '^\{"id":5,"hits":\[\{"entry_id":"NA-1"' "the lines after a bad one are screened"
expect_err "^mmis: 3 bad lines \(answered with an error line each\)$" "stderr counts the bad lines"

run_stdin '{"id":1,"name":"Mohamed Abdalla"}' m screen --threshold 1
expect_out '^\{"id":1,"hits":\[\]\}$' "--threshold 1: only certain hits"
run_stdin '{"id":1,"name":"Elvira Kastrati"}' m screen --limit 1 --threshold 0.5
[ "$(printf '%s\n' "$OUT" | grep -o '"entry_id"' | wc -l)" = 1 ]
ok $? "--limit 1: one hit at most"
run m screen --threshold 0
expect_exit 2 "--threshold 0 is a usage error"
run m screen --limit 101
expect_exit 2 "--limit 101 is a usage error"
run m screen --threshold abc
expect_exit 2 "--threshold abc is a usage error"

# Crossings imported (an offline BCP's file) are screened: each document once.
cat >"$T/x.csv" <<'CSV'
time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,sex,birth_date,nationality
2026-01-05T10:00:00Z,MNE-DBR,entry,P,JOR,DM4417205,ABDULLAH,MOHAMMED,M,1984-06-15,JOR
2026-01-09T10:00:00Z,MNE-DBR,exit,P,JOR,DM4417205,ABDULLAH,MOHAMMED,M,1984-06-15,JOR
2026-01-05T11:00:00Z,MNE-DBR,entry,P,HRV,HR1234567,HORVAT,IVANA,F,1990-01-01,HRV
CSV
run m cross import "$T/x.csv" --agency NOPE
expect_exit 1 "cross import --agency of no agency"
expect_err "no agency 'NOPE'" "names the unknown agency"
run m agency add BP --name "Border Police" --kind police
run m cross import --agency BP "$T/x.csv"
expect_exit 0 "cross import --agency BP"
expect_out "^imported 3 crossings" "the crossings are imported"
expect_out "^1 alert-list hit among the 2 documents screened, pending: the agency's officers" "the listed traveller's hit is raised once, for the agency"

# Audited: one event per import, screening recorded.
run m audit list --action watchlist.import --json
expect_out '"outcome": ?"ok"' "imports are audited"
expect_out '"outcome": ?"failed"' "and so are refused ones"
run m audit list --action screen.query --json
expect_out '"action": ?"screen.query"' "screening is audited"
run m audit verify
expect_exit 0 "the audit chain is intact"

done_testing
