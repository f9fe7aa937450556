#!/bin/sh
# quickstart.sh - from a fresh Debian 12 checkout to a running repmilter,
# in one command: install the dependencies, build, put a small worked
# example into the store, start repmilter with its defaults, show it
# deciding on sample mail (through its socket, as Postfix would talk to
# it) and leave it running, ready for Postfix.
#
# Usage: sh tools/quickstart.sh   (as root on a fresh machine; without root
#                                  once the packages are installed)
#
# As root repmilter runs as its installed defaults say: socket
# /run/repmilter/repmilter.sock, the default store, user repmilter (made
# here if missing). Without root it runs from ./run with a small
# configuration file instead. The example store starts afresh each run.
set -eu

cd "$(dirname "$0")/.."
TOP=$(pwd)
BUILD=$TOP/build/plain
RUN=$TOP/run
STORE=$RUN/reputation.mdb
LIST=$RUN/example-partner.cidr
REPCTL=$BUILD/tools/repctl
REPMILTER=$BUILD/milter/repmilter
SEND=$BUILD/tests/milter/miltersend
MLOG=$RUN/repmilter.log
if [ "$(id -u)" -eq 0 ]; then
	AS_ROOT=yes
	SOCKET=unix:/run/repmilter/repmilter.sock
	PIDFILE=/run/repmilter/repmilter.pid
	CONF=
else
	AS_ROOT=no
	SOCKET=unix:$RUN/repmilter.sock
	PIDFILE=$RUN/repmilter.pid
	CONF=$RUN/repmilter.conf
fi

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
	(cd "$BUILD" && make -j2 && make -j2 tests/milter/miltersend)
	for p in "$REPCTL" "$REPMILTER" "$SEND"; do
		[ -x "$p" ] || {
			echo "quickstart: $p was not built" >&2
			exit 1
		}
	done
}

# stop_previous - a repmilter left running by an earlier run
stop_previous()
{
	[ -s "$PIDFILE" ] || return 0
	pid=$(cat "$PIDFILE")
	kill -0 "$pid" 2>/dev/null || return 0
	echo "quickstart: stopping the repmilter of an earlier run"
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# make_store - a fresh, empty store: the default one as root, else ./run
make_store()
{
	step "store"
	stop_previous
	mkdir -p "$RUN"
	if [ "$AS_ROOT" = yes ]; then
		STORE=$("$REPCTL" --help | sed -n 's/^default store: //p')
	fi
	rm -f "$STORE" "$STORE-lock"
	mkdir -p "$(dirname "$STORE")"
	echo "quickstart: the store: $STORE"
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

# start_milter - repmilter with its defaults (root) or a ./run config,
# in the foreground of a new session so that it outlives this script and
# its log lands in ./run/repmilter.log
start_milter()
{
	step "start repmilter"
	if [ "$AS_ROOT" = yes ]; then
		getent passwd repmilter >/dev/null ||
			useradd --system --home-dir /nonexistent --no-create-home \
				--shell /usr/sbin/nologin repmilter
		install -d -o repmilter -g repmilter -m 0750 /run/repmilter
		set --
	else
		cat >"$CONF" <<EOF
# quickstart: repmilter's defaults, but everything under ./run
socket = $SOCKET
store = $STORE
pid_file = $PIDFILE
user = ""
EOF
		set -- -c "$CONF"
	fi
	printf '$ repmilter -f %s\n' "$*"
	: >"$MLOG"
	setsid "$REPMILTER" -f "$@" >>"$MLOG" 2>&1 </dev/null &
	i=0
	while [ ! -S "${SOCKET#unix:}" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "${SOCKET#unix:}" ] || {
		cat "$MLOG" >&2
		echo "quickstart: repmilter did not start" >&2
		exit 1
	}
	echo "quickstart: its configuration (repmilter -n), in part:"
	"$REPMILTER" -n "$@" | grep -E '^(socket|store|user|dns_lists|add_header_score|reject_score) ' |
		sed 's/^/  /'
}

# send CLIENT WHAT - one sample message as Postfix would hand it over
send()
{
	printf '\n-- %s: a message from client %s\n' "$2" "$1"
	"$SEND" -s "$SOCKET" -c "$1" -f "newsletter@example.com"
}

# show_decisions - sample mail through the milter, and its log lines
show_decisions()
{
	step "repmilter deciding on sample mail"
	send 192.0.2.10 "a client the store knows nothing of"
	send 203.0.113.7 "a client we saw send spam 12 times"
	send 198.51.100.23 "a client the operator denied"
	send 198.51.100.80 "a client on the partner's list"
	sleep 0.2
	printf '\n-- repmilter.log: one line per message\n'
	grep -E 'client=' "$MLOG" || true
}

# next_steps - where to go from here
next_steps()
{
	step "next"
	cat <<EOF
repmilter is running (pid $(cat "$PIDFILE" 2>/dev/null || echo ?)) on
$SOCKET; its log: $MLOG.
Connect Postfix with the lines in etc/postfix-main.cf. Stop it with
  kill \$(cat $PIDFILE)
Ask the store:
  $REPCTL --db $STORE show 203.0.113.7
  $REPCTL --db $STORE --json show 192.0.2.10
Manual pages: man -l milter/repmilter.8 milter/repmilter.conf.5 tools/repctl.1
Exchanging reputation with partners: man -l tools/repsync.8, and README's
"Joining a partner".
The whole test suite: sh tests/run-suite.sh
EOF
}

install_deps
build
make_store
fill_example
show_answers
start_milter
show_decisions
next_steps
