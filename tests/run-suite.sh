#!/bin/sh
# run-suite.sh - the whole test suite, as CI runs it (.ci/run):
#   deps        tools/install-deps.sh (root, or everything already present)
#   autoreconf  only when configure is missing or older than its sources
#   plain       build/plain:      configure --enable-werror; make; make check
#   sanitizers  build/sanitizers: the same with --enable-sanitizers
#   distcheck   build/plain:      make distcheck (the tarball builds and
#               passes its tests, out of tree, with --enable-werror)
# It prints every test case as make check runs it, the test-suite.log of a
# failed run, and closes with one line "suite: N passed, N failed" counting
# the test cases of the plain and sanitizer runs. The exit status is
# non-zero if anything failed.
#
# Usage: sh tests/run-suite.sh      (JOBS=N to change make's -j, default 2)
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
jobs=${JOBS:-2}
AM_COLOR_TESTS=no # plain summary lines, which are counted below
export AM_COLOR_TESTS

passed=0
failed=0
problems=""
closed=no
suite_start=$(date +%s)

# on_exit - a closing line even when the script stops on an error
# shellcheck disable=SC2317 # called by the trap
on_exit()
{
	rc=$?
	if [ "$closed" = no ]; then
		echo "run-suite: stopped early (status $rc)" >&2
		echo "suite: $passed passed, $((failed + 1)) failed"
	fi
}
trap on_exit EXIT

say()
{
	printf '\n==== %s\n' "$*"
}

# problem - remember a failed step; it is listed again at the end
problem()
{
	echo "run-suite: FAILED: $*" >&2
	problems="$problems
  $*"
}

# elapsed - seconds since $1
elapsed()
{
	echo $(($(date +%s) - $1))
}

# run_logged LOG CMD... - run CMD, showing its output and keeping it in LOG;
# returns CMD's status (a plain pipe into tee would lose it in sh)
run_logged()
{
	log=$1
	shift
	{
		rc=0
		"$@" 2>&1 || rc=$?
		echo "$rc" >"$log.rc"
	} | tee "$log"
	rc=$(cat "$log.rc")
	rm -f "$log.rc"
	return "$rc"
}

# summary_value LOG KEY - the number on automake's "# KEY: N" line
summary_value()
{
	v=$(sed -n "s/^# $2: *\\([0-9][0-9]*\\).*/\\1/p" "$1" | tail -n 1)
	echo "${v:-0}"
}

# count_results NAME LOG OK - add a make check run's summary to the totals
count_results()
{
	p=$(summary_value "$2" PASS)
	xf=$(summary_value "$2" XFAIL)
	f=$(summary_value "$2" FAIL)
	e=$(summary_value "$2" ERROR)
	xp=$(summary_value "$2" XPASS)
	bad=$((f + e + xp))
	if [ "$3" != yes ] && [ "$bad" -eq 0 ]; then
		bad=1 # make check failed before or after the tests: count it
	fi
	passed=$((passed + p + xf))
	failed=$((failed + bad))
	echo "run-suite: $1: $((p + xf)) passed, $bad failed"
}

# newer A B - is file A newer than file B? (test -nt is not POSIX)
newer()
{
	[ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]
}

# needs_autoreconf - configure or Makefile.in missing, or older than a
# file they are generated from
needs_autoreconf()
{
	[ -x configure ] && [ -f Makefile.in ] && [ -f build-aux/tap-driver.sh ] ||
		return 0
	for f in configure.ac Makefile.am */local.mk */*/local.mk m4/*.m4; do
		[ -e "$f" ] || continue
		if newer "$f" configure || newer "$f" Makefile.in; then
			return 0
		fi
	done
	return 1
}

# build_and_check NAME CONFIGURE-ARGS... - configure, make and make check
# in build/NAME; returns non-zero if any of them failed
build_and_check()
{
	name=$1
	shift
	dir=$top/build/$name
	t0=$(date +%s)
	mkdir -p "$dir"
	say "$name: ../../configure $*"
	if ! (cd "$dir" && ../../configure "$@" >configure.out 2>&1); then
		tail -n 30 "$dir/configure.out"
		problem "$name: configure (see build/$name/config.log)"
		failed=$((failed + 1))
		return 1
	fi
	say "$name: make -j$jobs"
	if ! (cd "$dir" && run_logged make.out make -j"$jobs"); then
		problem "$name: make"
		failed=$((failed + 1))
		return 1
	fi
	say "$name: make -j$jobs check"
	ok=yes
	(cd "$dir" && run_logged check.out make -j"$jobs" check) || ok=no
	if [ "$ok" = yes ]; then
		say "$name: summary"
		grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' \
			"$dir/check.out" || true
	else
		say "$name: test-suite.log"
		cat "$dir/test-suite.log" 2>/dev/null ||
			echo "(no test-suite.log: the failure came before the tests)"
		problem "$name: make check"
	fi
	count_results "$name" "$dir/check.out" "$ok"
	echo "run-suite: $name took $(elapsed "$t0") s"
	[ "$ok" = yes ]
}

# distcheck - the release tarball builds, passes its tests and installs
distcheck()
{
	dir=$top/build/plain
	t0=$(date +%s)
	say "distcheck: make -j$jobs distcheck (log: build/plain/distcheck.out)"
	if (cd "$dir" && make -j"$jobs" distcheck \
		DISTCHECK_CONFIGURE_FLAGS=--enable-werror \
		>distcheck.out 2>&1); then
		grep -E '^# (TOTAL|PASS|FAIL|ERROR):|ready for distribution' \
			"$dir/distcheck.out" || true
		echo "run-suite: distcheck took $(elapsed "$t0") s"
		return 0
	fi
	tail -n 60 "$dir/distcheck.out"
	find "$dir" -path '*/_build/*' -name test-suite.log -exec sh -c \
		'for f; do printf "\n==== distcheck: %s\n" "$f"; cat "$f"; done' \
		sh {} + 2>/dev/null || true
	problem "distcheck (see build/plain/distcheck.out)"
	failed=$((failed + 1))
	return 1
}

say "deps"
if ! sh tools/install-deps.sh; then
	problem "deps: tools/install-deps.sh"
	exit 1
fi

if [ -f config.status ]; then
	echo "run-suite: $top is configured in place; out-of-tree builds" \
		"need it clean: run 'make distclean' there first" >&2
	exit 1
fi
if needs_autoreconf; then
	say "autoreconf -fi"
	autoreconf -fi
fi

plain_ok=yes
build_and_check plain --enable-werror || plain_ok=no
build_and_check sanitizers --enable-werror --enable-sanitizers || true
if [ "$plain_ok" = yes ]; then
	distcheck || true
else
	echo "run-suite: distcheck skipped: the plain build failed"
fi

say "done in $(elapsed "$suite_start") s"
status=0
if [ -n "$problems" ] || [ "$failed" -ne 0 ]; then
	echo "run-suite: failed steps:$problems"
	status=1
fi
closed=yes
echo "suite: $passed passed, $failed failed"
exit "$status"
