#!/usr/bin/env bash
# Black-box tests of `mmis mrz parse` and `mmis mrz make`: the ICAO 9303 specimens, the exit codes
# (0 valid, 1 a check digit fails, 2 not an MRZ) and make -> parse. Needs $MMIS; no database.
set -u
. "$(dirname "$0")/../lib/tap.sh"
: "${MMIS:?}"
unset MMIS_DB
T="--today 2025-06-01"

TD3=$'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n'
TD1=$'I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<\n'
TD2=$'I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6\n'
DE=$'IDD<<T220001293<<<<<<<<<<<<<<<\n6408125<2010315D<<<<<<<<<<<<<4\nMUSTERMANN<<ERIKA<<<<<<<<<<<<<\n'

# --- the specimens
run_stdin "$TD3" "$MMIS" mrz parse $T
expect_exit 0 "TD3 specimen: exit 0"
expect_out '^\{"format":"TD3","document_code":"P","issuing_state":"UTO","surname":"ERIKSSON","given_names":"ANNA MARIA","document_number":"L898902C3","nationality":"UTO","birth_date":"1974-08-12","expiry_date":"2012-04-15","sex":"F","optional_data":"ZE184226B","checks":\{"document_number":true,"birth_date":true,"expiry_date":true,"personal_number":true,"composite":true\},"valid":true,"warnings":\[' "TD3 specimen: the published answer"
expect_out "\"issuing state 'UTO' is not a known code\"" "an unknown code is a warning"
run_stdin "$TD1" "$MMIS" mrz parse $T
expect_exit 0 "TD1 specimen: exit 0"
expect_out '"format":"TD1","document_code":"I","issuing_state":"UTO","surname":"ERIKSSON","given_names":"ANNA MARIA","document_number":"D23145890","nationality":"UTO","birth_date":"1974-08-12","expiry_date":"2012-04-15","sex":"F"' "TD1 specimen: the published answer"
expect_out '"checks":\{"document_number":true,"birth_date":true,"expiry_date":true,"composite":true\},"valid":true' "TD1 specimen: its four checks"
run_stdin "$TD2" "$MMIS" mrz parse $T
expect_exit 0 "TD2 specimen: exit 0"
expect_out '"format":"TD2","document_code":"I","issuing_state":"UTO","surname":"ERIKSSON","given_names":"ANNA MARIA","document_number":"D23145890"' "TD2 specimen: the published answer"
run_stdin "$(printf '%s' "$TD3" | tr 'A-Z' 'a-z' | sed 's/^/   /; s/$/\r/')" "$MMIS" mrz parse $T
expect_exit 0 "lower case, indentation and CRLF are tolerated"
expect_out '"surname":"ERIKSSON"' "and read as upper case"

# --- the traps
run_stdin "$DE" "$MMIS" mrz parse $T
expect_exit 0 "German identity card: exit 0"
expect_out '"issuing_state":"D",.*"nationality":"D",.*"sex":"X"' "D<< is D, sex < is X"
expect_out '"warnings":\[\]' "D is a known code"
run_stdin $'P<XXAHASSAN<<ALI<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nX1234567<7XXA74<<<<1<3101012<<<<<<<<<<<<<<00\n' "$MMIS" mrz parse $T
expect_exit 0 "partial birth date: exit 0"
expect_out '"birth_date":"1974",' "a birth date with unknown month and day is the year"
run_stdin $'IDBELB12345678<9015<ABC<<<<<<<\n8501019M3001019BEL<<<<<<<<<<<7\nDUPONT<<JEAN<PIERRE<<<<<<<<<<<\n' "$MMIS" mrz parse $T
expect_exit 0 "long TD1 number: exit 0"
expect_out '"document_number":"B12345678901",.*"optional_data":"ABC"' "the whole number, then the optional data"
run_stdin $'P<RKSKRASNIQI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nP012345673RKS9003152M2906014<<<<<<<<<<<<<<<0\n' "$MMIS" mrz parse $T
expect_exit 0 "Kosovo, one name, empty personal number with '<': exit 0"
expect_out '"issuing_state":"RKS","surname":"KRASNIQI","given_names":""' "one name is the surname"
expect_out '"personal_number":true' "'<' checks an all-filler personal number"

# --- each check digit broken: exit 1, the JSON still printed
break_at() { # break_at TEXT OFFSET CHECK
	local text=$1 at=$2 name=$3 c
	c=${text:$at:1}
	case $c in 9) c=0 ;; '<') c=1 ;; *) c=$((c + 1)) ;; esac
	run_stdin "${text:0:$at}$c${text:$((at + 1))}" "$MMIS" mrz parse $T
	expect_exit 1 "$4: $name check broken exits 1"
	expect_out "\"$name\":false.*\"valid\":false" "$4: $name false, valid false"
}
break_at "$TD3" 54 document_number TD3
break_at "$TD3" 64 birth_date TD3
break_at "$TD3" 72 expiry_date TD3
break_at "$TD3" 87 personal_number TD3
break_at "$TD3" 88 composite TD3
break_at "$TD1" 14 document_number TD1
break_at "$TD1" 37 birth_date TD1
break_at "$TD1" 45 expiry_date TD1
break_at "$TD1" 60 composite TD1
break_at "$TD2" 46 document_number TD2
break_at "$TD2" 56 birth_date TD2
break_at "$TD2" 64 expiry_date TD2
break_at "$TD2" 72 composite TD2
expect_one_error_line "a failed check is one error line"
expect_err 'check digit wrong: composite' "naming the check"

# --- not an MRZ: exit 2, line and position named
run_stdin "${TD3:0:45}" "$MMIS" mrz parse $T
expect_exit 2 "one line: exit 2"
expect_err '^mmis: line 2, position 1: ' "one line: names line 2"
run_stdin "$TD3$TD3" "$MMIS" mrz parse $T
expect_exit 2 "four lines: exit 2"
expect_err '^mmis: line 4, position 1: .*has 2 or 3 lines' "four lines: names line 4"
run_stdin "${TD3:0:88}" "$MMIS" mrz parse $T
expect_exit 2 "a short line: exit 2"
expect_err '^mmis: line 2, position 44: the line has 43 characters' "a short line: names where it ends"
run_stdin "${TD3:0:60}#${TD3:61}" "$MMIS" mrz parse $T
expect_exit 2 "a bad character: exit 2"
expect_err "^mmis: line 2, position 16: '#' is not allowed in an MRZ" "a bad character: line and position"
expect_one_error_line "not an MRZ is one error line"
run_stdin "" "$MMIS" mrz parse $T
expect_exit 2 "empty input: exit 2"
run_stdin "${TD3:0:44}" "$MMIS" mrz parse $T extra
expect_exit 2 "an argument is a usage error"
run_stdin "$TD3" "$MMIS" mrz parse --today 2025-13-01
expect_exit 2 "a bad --today is a usage error"
run bash -c "printf 'P<UTO\\0' | \"$MMIS\" mrz parse"
expect_exit 2 "a NUL byte: exit 2"
expect_err 'line 1, position 6: byte 0x00' "a NUL byte: named"

# --- centuries against --today
run_stdin "$TD3" "$MMIS" mrz parse --today 2070-01-01
expect_out '"birth_date":"1974-08-12","expiry_date":"2112-04-15"' "expiry within 50 years of --today"
run_stdin "$TD3" "$MMIS" mrz parse --today 2074-08-11
expect_out '"birth_date":"1974-08-12"' "birth: the latest century not after --today"
run_stdin "$TD3" "$MMIS" mrz parse --today 2074-08-12
expect_out '"birth_date":"2074-08-12"' "birth on --today itself"

# --- make
run "$MMIS" mrz make --format TD3 --document-code P --issuing-state UTO --surname ERIKSSON \
	--given-names "ANNA MARIA" --document-number L898902C3 --nationality UTO --birth-date 1974-08-12 \
	--sex F --expiry-date 2012-04-15 --optional-data ZE184226B
expect_exit 0 "make TD3: exit 0"
[ "$OUT" = "${TD3%$'\n'}" ]; ok $? "make TD3 gives the specimen"
run "$MMIS" mrz make --format TD1 --document-code I --issuing-state UTO --surname ERIKSSON \
	--given-names "ANNA MARIA" --document-number D23145890 --nationality UTO --birth-date 1974-08-12 \
	--sex F --expiry-date 2012-04-15
[ "$OUT" = "${TD1%$'\n'}" ]; ok $? "make TD1 gives the specimen"
run "$MMIS" mrz make --format TD2 --document-code I --issuing-state UTO --surname ERIKSSON \
	--given-names "ANNA MARIA" --document-number D23145890 --nationality UTO --birth-date 1974-08-12 \
	--sex F --expiry-date 2012-04-15
[ "$OUT" = "${TD2%$'\n'}" ]; ok $? "make TD2 gives the specimen"
for fmt in MRVA MRVB; do
	run "$MMIS" mrz make --format $fmt --document-code V --issuing-state MNE --surname PETROVIC \
		--given-names MARKO --document-number VM1234567 --nationality SRB --birth-date 1990-02-28 \
		--sex M --expiry-date 2026-03-01
	expect_exit 0 "make $fmt: exit 0"
	made=$OUT
	run_stdin "$made" "$MMIS" mrz parse $T
	expect_exit 0 "make $fmt -> parse: valid"
	expect_out "\"format\":\"$fmt\",\"document_code\":\"V\",\"issuing_state\":\"MNE\",\"surname\":\"PETROVIC\",\"given_names\":\"MARKO\",\"document_number\":\"VM1234567\",\"nationality\":\"SRB\",\"birth_date\":\"1990-02-28\",\"expiry_date\":\"2026-03-01\",\"sex\":\"M\"" "make $fmt -> parse: the same fields"
done
run "$MMIS" mrz make --format TD3 --issuing-state UTO --surname "ERIKSSÖN" --document-number 1 \
	--nationality UTO --birth-date 1974 --sex F --expiry-date 2030-01-01
expect_exit 1 "make refuses a letter outside A-Z"
expect_err '^mmis: surname: .Ö. is not allowed' "naming the field and the letter"
run "$MMIS" mrz make --format TD4 --issuing-state UTO
expect_exit 2 "make: an unknown format is a usage error"
run "$MMIS" mrz make --format TD3 --issuing-state UTO
expect_exit 2 "make: missing fields are a usage error"
run "$MMIS" help mrz parse
expect_exit 0 "help mrz parse"
expect_out 'not an MRZ' "explains the exit codes"

done_testing
