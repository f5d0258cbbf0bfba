#!/usr/bin/env bash
# Black-box tests of the statistics commands: stats flows (the CSV contract: columns in the order
# given, count, conf_status; YYYY-MM and YYYY-Qn; _T margins; suppression with C and no count;
# --min-cell 0; --format json, sdmx-csv, xlsx with --output), stats refusals, overstays, rebuild and
# alerts; stats cases, referrals and services (cases made through a real `mmis serve`: the CSV
# contract, never a cell below 11 nor a line's hidden cells adding up to less, --min-cell 0
# refused to everyone, a case of two types under both); series import (strict: every bad line
# named, nothing imported), series list; indicators --year --json. Bad input is a clear error and
# changes nothing. Needs $MMIS.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmis-cli-stats.XXXXXX")
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$T"' EXIT
unset MMIS_DB MMIS_ADMIN_PASSWORD MMIS_MIN_CELL
export MMIS_AUDIT_KEY="$T/audit.key"
db="$T/s.db"
m() { "$MMIS" --db "$db" "$@"; }
printf '%s\n' 'Correct-Horse-Battery-9' >"$T/pw"
run m init --admin-password-file "$T/pw"
expect_exit 0 "init"

# --- crossings with known counts: January 2024, 12 SRB and 3 BIH at Debeli Brijeg, 7 SRB at Sukobin;
# February 2024, 6 SRB at Debeli Brijeg, 1 ALB at Sukobin (exits of some of January's).
{
	echo "time,bcp,direction,document_type,issuing_state,document_number,surname,sex,birth_date,nationality,transport"
	for i in $(seq 1 12); do echo "2024-01-$(printf %02d "$i")T10:00:00Z,MNE-DBR,entry,P,SRB,S$i,Jovanovic,F,1985-04-02,SRB,car"; done
	for i in 1 2 3; do echo "2024-01-1${i}T10:00:00Z,MNE-DBR,entry,P,BIH,B$i,Hodzic,M,2012,BIH,bus"; done
	for i in $(seq 1 7); do echo "2024-01-2${i}T10:00:00Z,MNE-SUK,entry,P,SRB,T$i,Petrovic,M,1950-06,SRB,"; done
	for i in $(seq 1 6); do echo "2024-02-0${i}T10:00:00Z,MNE-DBR,exit,P,SRB,S$i,Jovanovic,F,1985-04-02,SRB,car"; done
	echo "2024-02-10T10:00:00Z,MNE-SUK,entry,P,ALB,A1,Hoxha,X,,ALB,foot"
} >"$T/x.csv"
run m cross import "$T/x.csv"
expect_exit 0 "cross import of the synthetic crossings"

run m stats flows --from 2024-01-01 --to 2024-02-29 --by month,bcp --min-cell 0
expect_exit 0 "stats flows --by month,bcp"
want=$'month,bcp,count,conf_status\r\n2024-01,MNE-DBR,15,\r\n2024-01,MNE-SUK,7,\r\n2024-02,MNE-DBR,6,\r\n2024-02,MNE-SUK,1,\r'
[ "$OUT" = "$want" ]
ok $? "the CSV contract: dimensions in the order given, count, conf_status; months YYYY-MM"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by bcp,month --min-cell 0
expect_out $'^bcp,month,count,conf_status\r$' "columns follow the order of --by"
expect_out $'^MNE-DBR,2024-01,15,\r$' "with the same counts"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month,bcp --min-cell 0 --totals
expect_out $'^2024-01,_T,22,\r$' "--totals: a month's total coded _T"
expect_out $'^_T,MNE-SUK,8,\r$' "a BCP's total over the months"
expect_out $'^_T,_T,29,\r$' "and the grand total"
run m stats flows --from 2024-01-01 --to 2024-03-31 --by quarter,nationality --min-cell 0
expect_out $'^2024-Q1,SRB,25,\r$' "quarters are YYYY-Qn"
expect_out $'^2024-Q1,BIH,3,\r$' "nationalities"
run m stats flows --from 2024-01-01 --to 2024-01-31 --by age_band,sex --min-cell 0
expect_out $'^Y35-64,F,12,\r$' "age bands at the crossing: born 1985, 38 in 2024"
expect_out $'^Y_LT14,M,3,\r$' "born in 2012: under 14 in January 2024 whatever the day"
expect_out $'^Y_GE65,M,7,\r$' "born June 1950: 73"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by transport --min-cell 0
expect_out $'^UNK,7,\r$' "transport not recorded: UNK"

# Suppression: the deployment's minimum (5) hides 3 (BIH) and what would give it away.
run m stats flows --from 2024-01-01 --to 2024-01-31 --by nationality,bcp --totals
expect_exit 0 "stats flows with the default minimum cell"
expect_out $'^BIH,MNE-DBR,,C\r$' "a cell below 5 is C with no count"
expect_no ',[1-4],' "no published count is below 5"
expect_out $'^_T,_T,22,\r$' "the grand total is published"
n_c=$(printf '%s\n' "$OUT" | grep -c ',C')
[ "$n_c" -ge 4 ]
ok $? "secondary suppression: more cells than the one below 5 are hidden ($n_c)"
MMIS_MIN_CELL=2 run m stats flows --from 2024-01-01 --to 2024-01-31 --by nationality,bcp
expect_exit 1 "MMIS_MIN_CELL below 3 is refused"
expect_err "MMIS_MIN_CELL is the smallest count published, a whole number from 3 to 1000" "naming the setting"
MMIS_MIN_CELL=20 run m stats flows --from 2024-01-01 --to 2024-01-31 --by nationality
expect_out $'^SRB,,C\r$' "MMIS_MIN_CELL=20 hides 19"

# Formats.
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month --min-cell 0 --format json
expect_out '"dimensions":\["month"\]' "--format json"
expect_out '"month":"2024-01","count":22,"conf_status":null' "with the counts"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month,nationality --min-cell 0 --format sdmx-csv
expect_out $'^STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,citizen,geo,TIME_PERIOD,OBS_VALUE,CONF_STATUS\r$' "SDMX-CSV header"
expect_out $'^dataflow,MMIS:CROSSINGS\\(1.0\\),I,M,NR,RS,ME,2024-01,19,F\r$' "SDMX-CSV rows: citizen RS, geo ME"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month --format xlsx --output "$T/t.xlsx"
expect_exit 0 "--format xlsx --output"
check "the workbook is a zip with the table and a notes sheet" \
	python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); w = z.read("xl/workbook.xml").decode(); sys.exit(0 if "name=\"crossings\"" in w and "name=\"notes\"" in w else 1)' "$T/t.xlsx"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month --min-cell 0 --output "$T/t.csv"
check "--output writes the CSV there" grep -q '^2024-02,7,' "$T/t.csv"

# Bad input: a clear error naming the option, nothing written.
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month,planet
expect_exit 2 "an unknown dimension is a usage error"
expect_err "^mmis: --by: unknown dimension 'planet'" "naming --by and the dimension"
run m stats flows --from 2024-03-01 --to 2024-01-01 --by month
expect_exit 2 "--from after --to"
expect_err "^mmis: --from: from \(2024-03-01\) is after to \(2024-01-01\)" "says so"
run m stats flows --from 2024-13-01 --to 2024-12-31 --by month
expect_exit 2 "--from 2024-13-01"
expect_err "^mmis: --from: .*month 13" "names the month"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month --format pdf
expect_exit 2 "--format pdf"
expect_err "csv, json, xlsx or sdmx-csv" "lists the formats"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month --min-cell many
expect_err "^mmis: --min-cell: a whole number" "--min-cell many"
run m stats flows --from 2024-01-01 --to 2024-02-29
expect_exit 2 "--by is needed"
run m stats flows --from 2024-01-01 --to 2024-02-29 --by month,ground
expect_err "crossings are not counted by ground" "crossings have no ground"

# Other tables.
run m stats refusals --from 2024-01-01 --to 2024-12-31 --by ground --min-cell 0
expect_exit 0 "stats refusals"
[ "$OUT" = $'ground,count,conf_status\r' ]
ok $? "no refusals: the header alone"
run m stats overstays --on 2024-06-30 --by nationality --min-cell 0
expect_exit 0 "stats overstays --on"
expect_out $'^SRB,13,\r$' "13 travellers from Serbia overstay on 30 June 2024 (entered in January)"
run m stats cases --from 2024-01-01 --to 2024-12-31 --by year
expect_exit 0 "stats cases without cases"
[ "$OUT" = $'year,count,conf_status\r' ]
ok $? "no cases: the header alone"
run m stats rebuild
expect_exit 0 "stats rebuild"
expect_out "rebuilt the statistics' roll-ups from 29 crossings" "counts the crossings"
run m stats alerts --month 2024-01
expect_exit 0 "stats alerts"
expect_out "seasonal alerts for 2024-01 \(0 BCPs" "none without earlier years"

# --- protection cases, referrals and services (the rule: never a cell below 11, to anyone)
run m stats cases --from 2024-01-01 --to 2024-12-31 --by year --min-cell 0
expect_exit 1 "stats cases --min-cell 0 is refused, even on the command line (the system)"
expect_err "cases are never published with cells below 11, to anyone" "saying why"
run m stats referrals --from 2024-01-01 --to 2024-12-31 --by year --min-cell 4
expect_exit 1 "stats referrals --min-cell 4 is refused"
run m stats services --from 2024-01-01 --to 2024-12-31 --by year --min-cell 0
expect_err "services are never published with cells below 11" "stats services --min-cell 0 too"
run m stats cases --from 2024-01-01 --to 2024-12-31 --by year,bcp
expect_exit 2 "cases by bcp is a usage error"
expect_err "^mmis: --by: cases are not counted by bcp \(but by day, .*case_type, state, agency\)" \
	"naming the dimensions cases are counted by"
run m stats cases --from 2024-01-01 --to 2024-12-31 --by planet
expect_err "^mmis: --by: unknown dimension 'planet' \(cases are counted by" "an unknown dimension names the source"
run m stats referrals --from 2024-01-01 --to 2024-12-31 --by case_type
expect_err "referrals are not counted by case_type \(but by .*provider, service\)" "referrals have no case type"
run m stats services --from 2024-06-01 --to 2024-01-01 --by project
expect_exit 2 "stats services --from after --to"
run m stats cases --from 2024-01-01 --by year
expect_exit 2 "stats cases without --to"
run m stats cases --from 2024-01-01 --to 2024-12-31 --by month,year
expect_err "one period" "two periods"

# Cases made through the API as the case workers would: 24 opened by CSW in the first quarter
# (12 smuggled migrants; 12 presumed victims, one of them also an unaccompanied child), 23 by
# SHELTER in the second (12 smuggled, 11 presumed); 12 referred to SHELTER for shelter; 14
# services by SHELTER, 11 of them funded by the project P1.
run m agency add CSW --name "Centre for social work" --kind social_work
run m agency add SHELTER --name "Shelter" --kind ngo
run m agency add ADMIN --name "Administration" --kind government
for u in csw:case_worker:CSW shelter:case_worker:SHELTER admin2:admin:ADMIN; do
	IFS=: read -r name role agency <<<"$u"
	m user add "$name" --role "$role" --agency "$agency" --password-file "$T/pw" >/dev/null 2>&1
	m token create --user "$name" 2>/dev/null | grep -Eo 'mmis_[A-Za-z0-9_-]{43}' >"$T/token.$name"
done
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MMIS" --db "$db" serve --listen "127.0.0.1:$port" --threads 2 2>"$T/serve.log" >/dev/null &
server=$!
T="$T" PORT="$port" python3 - >"$T/make.log" 2>&1 <<'PY'
import json, os, sys, time, urllib.error, urllib.request
T, port = os.environ['T'], os.environ['PORT']
tok = {n: open(f'{T}/token.{n}').read().strip() for n in ('csw', 'shelter', 'admin2')}
def call(method, path, body=None, who='csw'):
    req = urllib.request.Request(f'http://127.0.0.1:{port}/api/v1{path}', method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={'Authorization': 'Bearer ' + tok[who], 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b'null')
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
for _ in range(300):
    try:
        urllib.request.urlopen(f'http://127.0.0.1:{port}/api/v1/healthz', timeout=2)
        break
    except OSError:
        time.sleep(0.1)
def must(want, got, what):
    if got[0] != want:
        sys.exit(f'{what}: {got}')
    return got[1]
must(200, call('PUT', '/agencies/SHELTER/services', {'services': ['shelter', 'psychosocial']}, 'admin2'), 'services')
must(201, call('POST', '/projects', {'code': 'P1', 'name': 'Project one', 'donor': 'A donor'}, 'admin2'), 'project')
cases = []
for i in range(47):
    q1 = i < 24
    types = ['smuggled_migrant'] if i % 2 == 0 else ['presumed_victim_of_trafficking']
    if i == 1:
        types.append('unaccompanied_child')
    body = {'types': types, 'opened_on': f'2024-0{2 if q1 else 5}-{1 + i % 27:02d}', 'surname': 'Synthetic',
            'citizenship': 'AFG' if i % 3 else 'SYR', 'sex': 'F' if i % 2 else 'M', 'birth_date': '1990'}
    cases.append((must(201, call('POST', '/cases', body, 'csw' if q1 else 'shelter'), f'case {i}')['id'], q1))
for k, (cid, q1) in enumerate(cases[:12]):
    must(201, call('POST', f'/cases/{cid}/consents', {'to_agency': 'SHELTER', 'scopes': ['identity'],
         'given_by': 'guardian', 'guardian_name': 'A guardian'}), f'consent {k}')
    must(201, call('POST', f'/cases/{cid}/referrals', {'to_agency': 'SHELTER', 'service': 'shelter'}), f'referral {k}')
for k, (cid, q1) in enumerate(cases[24:38]):
    body = {'service': 'shelter', 'delivered_on': '2024-06-01', 'provider': 'SHELTER'}
    if k < 11:
        body['project'] = 'P1'
    must(201, call('POST', f'/cases/{cid}/services', body, 'shelter'), f'service {k}')
print('made', len(cases), 'cases')
PY
made=$?
ok $made "47 cases, 12 referrals and 14 services made through the API"
[ "$made" = 0 ] || sed 's/^/#   /' "$T/make.log"
kill -TERM "$server" && wait "$server"
server=
today=$(date -u +%F)

run m stats cases --from 2024-01-01 --to 2024-06-30 --by quarter,agency
expect_exit 0 "stats cases --by quarter,agency"
want=$'quarter,agency,count,conf_status\r\n2024-Q1,CSW,24,\r\n2024-Q2,SHELTER,23,\r'
[ "$OUT" = "$want" ]
ok $? "the CSV contract: dimensions in the order given, count, conf_status; quarters YYYY-Qn"
run m stats cases --from 2024-01-01 --to 2024-06-30 --by agency,quarter --totals
expect_out $'^agency,quarter,count,conf_status\r$' "columns follow the order of --by"
expect_out $'^_T,_T,47,\r$' "47 cases in all"
run m stats cases --from 2024-01-01 --to 2024-06-30 --by case_type --totals
expect_out $'^smuggled_migrant,24,\r$' "24 smuggled migrants"
expect_out $'^unaccompanied_child,,C\r$' "the one unaccompanied child is hidden: C and no count"
expect_out $'^presumed_victim_of_trafficking,,C\r$' "and so are the 23 presumed victims, or 48 - 24 would tell"
expect_out $'^_T,48,\r$' "the case of two types counts under both: 48 types for 47 cases"
expect_no ',([1-9]|10),' "no published count below 11"
run m stats cases --from 2024-01-01 --to 2024-06-30 --by quarter,case_type --min-cell 12 --format json
expect_out '"min_cell":12' "--min-cell 12 is allowed (stricter)"
expect_out '"quarter":"2024-Q2","case_type":"presumed_victim_of_trafficking","count":null,"conf_status":"C"' \
	"and hides the 11 presumed victims of the second quarter"
run m stats cases --from 2024-01-01 --to 2024-06-30 --by nationality,sex,age_band
expect_out $'^AFG,F,Y18-34,' "nationality is the citizenship; age band at the opening"
run m stats cases --from 2024-01-01 --to 2024-06-30 --by state --format json
expect_out '"source":"cases"' "--format json"
expect_out '"state":"identified","count":47,"conf_status":null' "47 cases identified"
expect_out '"min_cell":11' "with the minimum cell 11"
run m stats cases --from 2024-01-01 --to 2024-06-30 --by year,case_type --format sdmx-csv
expect_out $'^STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,case_type,geo,TIME_PERIOD,OBS_VALUE,CONF_STATUS\r$' "SDMX-CSV: case_type"
expect_out $'^dataflow,MMIS:CASES\\(1.0\\),I,A,NR,smuggled_migrant,ME,2024,24,F\r$' "SDMX-CSV rows"
run m stats cases --from 2024-01-01 --to 2024-06-30 --by case_type --format xlsx --output "$T/cases.xlsx"
check "the cases' workbook says the rule of 11" \
	python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); s = z.read("xl/sharedStrings.xml").decode(); sys.exit(0 if "never published with a cell below 11" in s and "protection case records" in s else 1)' "$T/cases.xlsx"
run m stats referrals --from 2024-01-01 --to "$today" --by provider,service,state
expect_exit 0 "stats referrals"
[ "$OUT" = $'provider,service,state,count,conf_status\r\nSHELTER,shelter,pending,12,\r' ]
ok $? "12 referrals to SHELTER for shelter, waiting"
run m stats services --from 2024-01-01 --to 2024-12-31 --by project --totals
expect_exit 0 "stats services"
[ "$OUT" = $'project,count,conf_status\r\nNONE,,C\r\nP1,,C\r\n_T,14,\r' ]
ok $? "3 services without a project hidden, and the 11 of P1 too (14 - 11 = 3); NONE for no project"
run m stats services --from 2024-01-01 --to 2024-12-31 --by month,provider,service
expect_out $'^2024-06,SHELTER,shelter,14,\r$' "services by month, provider, service"
run m audit list --action stats.cases --json
expect_out '"outcome":"denied"' "refused case statistics are audited as denied"
expect_out 'cases by quarter,agency, 2024-01-01..2024-06-30, min cell 11' "and each table with its query"

# --- official series
cat >"$T/series.csv" <<'CSV'
indicator,period,value,source,unit
population,2011,620029,MONSTAT Census 2011,persons
immigrants,2011,3000,Test,persons
emigrants,2011,3496,Test,persons
remittances_usd,2011,441000000,World Bank,USD
immigrant_stock,2011,80000,UN DESA,persons
immigrant_stock_female,2011,44000,UN DESA,persons
CSV
cp "$T/series.csv" "$T/bad.csv"
cat >>"$T/bad.csv" <<'CSV'
population,2012,six hundred thousand,MONSTAT,persons
tourists,2012,5,MONSTAT,persons
population,2024-13,5,MONSTAT,persons
CSV
run m series import "$T/bad.csv"
expect_exit 1 "series import with bad lines fails"
expect_err "line 8: value: 'six hundred thousand' is not a number" "a non-numeric value: line and field"
expect_err "line 9: indicator: unknown indicator 'tourists'" "an unknown indicator"
expect_err "line 10: period: month 13 is out of range" "a period such as 2024-13"
expect_err "3 bad lines, nothing imported" "and nothing imported"
run m series list
[ "$(printf '%s\n' "$OUT" | grep -c .)" = 1 ]
ok $? "nothing was imported"
run m series import "$T/series.csv"
expect_exit 0 "series import"
expect_out "imported 6 values" "says how many"
printf 'country,indicator,period,value,source,unit\nSRB,population,2011,7186862,RZS,persons\n' >"$T/srb.csv"
run m series import "$T/srb.csv"
expect_exit 0 "a neighbour's series (country column)"
printf 'indicator,period,value,source,unit\npopulation,2011,2821977,INSTAT,persons\n' >"$T/alb.csv"
run m series import "$T/alb.csv" --country ALB
expect_exit 0 "or --country for a file without the column"
run m series list --json
expect_out '"country":"SRB","indicator":"population","period":"2011","value":7186862' "series list --json"
expect_out '"country":"ALB"' "Albania's too"

run m indicators --year 2011 --json
expect_exit 0 "indicators --year 2011 --json"
expect_out '"net_migration_rate":\{"value":-0.8,"exact":-0.7999' "net migration rate -0.8 per 1,000, and the exact value"
expect_out '"source":"Test; MONSTAT Census 2011","period":"2011"' "with its sources and period"
expect_out '"women_pct_immigrants":\{"value":55' "women among immigrants 55 %"
expect_out '"remittances_usd":\{"value":441000000,"source":"World Bank","period":"2011"' "remittances"
expect_out '"long_term":\{"year":2011' "the 12/16-month estimate beside them"
run m indicators --year 2012 --json
expect_out '"net_migration_rate":null,"women_pct_immigrants":null' "a year without inputs: null"
expect_out '"remittances_usd":null' "remittances null"
run m indicators --year 2011
expect_out "net migration rate +-0.8 per 1,000" "the text form"
run m indicators --year 11
expect_exit 2 "--year 11 is a usage error"
run m indicators
expect_exit 2 "--year is needed"

done_testing
