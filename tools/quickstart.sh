#!/bin/sh
# quickstart.sh - from a fresh Debian 12 checkout to a reputation store you
# can query, in one command: install the dependencies, build, fill a small
# example store under ./run and ask repctl about it.
#
# Usage: sh tools/quickstart.sh   (as root on a fresh machine; without root
#                                  once the packages are installed)
#
# The store is a demonstration: each run starts it afresh. Every step is a
# function called at the bottom, so that later steps (starting repmilter on
# this store) slot in after the ones here.
set -eu

cd "$(dirname "$0")/.."
TOP=$(pwd)
BUILD=$TOP/build/plain
RUN=$TOP/run
STORE=$RUN/reputation.mdb
LIST=$RUN/example-partner.cidr
REPCTL=$BUILD/tools/repctl

step()
{
	printf '\n==== %s\n' "$*"
}

# repctl ARGS... - run the freshly built repctl on the example store, and
# show the command first as an operator would type it
repctl()
{
	printf '\n$ repctl --db %s' "$STORE"
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9./:_=-]*)
			printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
			;;
		*) printf ' %s' "$a" ;;
		esac
	done
	printf '\n'
	"$REPCTL" --db "$STORE" "$@"
}

# install_deps - the Debian packages (fast when all are present)
install_deps()
{
	step "dependencies"
	sh tools/install-deps.sh
}

# newer A B - is file A newer than file B? (test -nt is not POSIX)
newer()
{
	[ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]
}

# build - configure build/plain once, then make (incremental on reruns)
build()
{
	step "build (build/plain)"
	if [ ! -x configure ] || [ ! -f Makefile.in ] ||
		newer configure.ac configure || newer Makefile.am Makefile.in; then
		autoreconf -fi
	fi
	mkdir -p "$BUILD"
	if [ ! -f "$BUILD/Makefile" ]; then
		(cd "$BUILD" && ../../configure -q)
	fi
	(cd "$BUILD" && make -j2)
	[ -x "$REPCTL" ] || {
		echo "quickstart: $REPCTL was not built" >&2
		exit 1
	}
}

# make_store - a fresh, empty store under ./run
make_store()
{
	step "store"
	mkdir -p "$RUN"
	rm -f "$STORE" "$STORE-lock"
	echo "quickstart: example store: $STORE"
	echo "quickstart: (an installed repmilter uses $("$REPCTL" --help |
		sed -n 's/^default store: //p'))"
}

# write_partner_list - the plain CIDR list a partner without repmilter
# might publish (documentation ranges, RFC 5737)
write_partner_list()
{
	cat >"$LIST" <<'EOF'
# example-partner: sources of spam seen this week, one prefix a line
203.0.113.0/24
198.51.100.0/25
192.0.2.128/26
EOF
}

# fill_example - our own observations, an operator decision or two, and a
# partner's list imported as publisher "example-partner"
fill_example()
{
	step "fill the example store"
	repctl observe 203.0.113.7 spam --count 12
	repctl observe 203.0.113.7 ham --count 1
	repctl deny 198.51.100.23 --reason "phishing kit host, abuse ticket 4711"
	repctl allow example.org --reason "outbound mail domain of a customer" \
		--expires 90d
	write_partner_list
	repctl import --format cidr --publisher example-partner "$LIST"
}

# show_answers - what an operator asks: why is this address scored so,
# what is listed, how big is the store
show_answers()
{
	step "ask the store"
	repctl show 203.0.113.7
	repctl show 198.51.100.23
	repctl list
	repctl stats
}

# next_steps - where to go from here
next_steps()
{
	step "next"
	cat <<EOF
The example store is $STORE.
Try, for instance:
  $REPCTL --db $STORE --json show 203.0.113.7
  $REPCTL --db $STORE export --format rbldnsd --publisher example-partner
  $REPCTL --help
The whole test suite: sh tests/run-suite.sh
EOF
}

install_deps
build
make_store
fill_example
show_answers
next_steps
