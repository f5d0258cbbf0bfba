#!/usr/bin/env bash
# Black-box tests of the statistics commands: stats flows (the CSV contract: columns in the order
# given, count, conf_status; YYYY-MM and YYYY-Qn; _T margins; suppression with C and no count;
# --min-cell 0; --format json, sdmx-csv, xlsx with --output), stats refusals, overstays, cases (the
# follow-up), rebuild and alerts; series import (strict: every bad line named, nothing imported),
# series list; indicators --year --json. Bad input is a clear error and changes nothing. Needs $MMIS.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmis-cli-stats.XXXXXX")
trap 'rm -rf "$T"' EXIT
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
expect_exit 1 "stats cases: not available yet"
expect_err "arrive with the protection module" "says when they come"
run m stats cases --from 2024-01-01 --to 2024-12-31 --by year --min-cell 0
expect_err "never published with cells below 11" "and never unsuppressed"
run m stats rebuild
expect_exit 0 "stats rebuild"
expect_out "rebuilt the statistics' roll-ups from 29 crossings" "counts the crossings"
run m stats alerts --month 2024-01
expect_exit 0 "stats alerts"
expect_out "seasonal alerts for 2024-01 \(0 BCPs" "none without earlier years"

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
