# tap.sh - a tiny TAP producer for the CLI tests; source it, then call
# ok/is/like/run, and done_testing at the end (the plan comes last).
# POSIX sh: runs under dash.

tap_n=0
tap_failed=0

# ok STATUS DESCRIPTION - a passing case when STATUS is 0
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# diag TEXT... - a comment line in the TAP stream
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# is GOT EXPECTED DESCRIPTION - equal strings
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:      '$1'" "expected: '$2'"
	fi
}

# like GOT PATTERN DESCRIPTION - GOT matches the grep -E PATTERN
like() {
	if printf '%s\n' "$1" | grep -E -q -e "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:      '$1'" "expected to match: '$2'"
	fi
}

# unlike GOT PATTERN DESCRIPTION - GOT does not match PATTERN
unlike() {
	if printf '%s\n' "$1" | grep -E -q -e "$2"; then
		ok 1 "$3"
		diag "got:      '$1'" "expected not to match: '$2'"
	else
		ok 0 "$3"
	fi
}

# run COMMAND... - run it; its stdout, stderr and status land in
# $out, $err and $rc (needs $tap_tmp, a scratch directory)
run() {
	"$@" >"$tap_tmp/out" 2>"$tap_tmp/err"
	rc=$?
	out=$(cat "$tap_tmp/out")
	err=$(cat "$tap_tmp/err")
}

# skip_all REASON - nothing can be tested here
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# done_testing - the plan, and a status for make check
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
