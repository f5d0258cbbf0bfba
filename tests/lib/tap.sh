# tap.sh - a tiny TAP producer for shell tests. Source it, call `run` then checks, end with `done_testing`.
#
#   run "$MMIS" --db x.db init      # runs a command, keeping stdout, stderr and the exit code
#   expect_exit 0 "init succeeds"
#   expect_out 'created'  "init says what it did"      # regex on stdout
#   expect_err 'no database' "names the problem"      # regex on stderr
_tap_n=0
_tap_failed=0
OUT= ERR= RC=

run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# run with the given text on stdin
run_stdin() {
	local input=$1 o e
	shift
	o=$(mktemp) e=$(mktemp)
	printf '%s' "$input" | "$@" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
}

ok() {
	local cond=$1 desc=$2
	_tap_n=$((_tap_n + 1))
	if [ "$cond" = 0 ]; then
		echo "ok $_tap_n - $desc"
	else
		echo "not ok $_tap_n - $desc"
		_tap_failed=$((_tap_failed + 1))
		{ echo "#   exit: $RC"; echo "$OUT" | sed 's/^/#   out: /'; echo "$ERR" | sed 's/^/#   err: /'; } | head -40
	fi
}

check() { # check DESC COMMAND...: passes when the command succeeds
	local desc=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$desc"
}

expect_exit() { [ "$RC" = "$1" ]; ok $? "$2"; }
expect_out() { printf '%s\n' "$OUT" | grep -Eq -- "$1"; ok $? "$2"; }
expect_err() { printf '%s\n' "$ERR" | grep -Eq -- "$1"; ok $? "$2"; }
expect_no() { ! printf '%s\n%s\n' "$OUT" "$ERR" | grep -Eq -- "$1"; ok $? "$2"; }
# One line on stderr, starting "mmis: " (the error convention).
expect_one_error_line() {
	[ "$(printf '%s\n' "$ERR" | grep -c .)" = 1 ] && [[ "$ERR" == "mmis: "* ]]
	ok $? "$1"
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" = 0 ]
}
