#!/bin/sh
# run-milter-bench.sh - the milter benchmark: the do-nothing libmilter
# filter (tests/bench/nullfilter, the ceiling of DESIGN.md §8) and, when it
# is built, repmilter, under the same load from tests/bench/bench_milter,
# on a unix socket and on TCP 127.0.0.1. Prints each run and a summary:
# messages/s, latency MAIL..EOM reply (p50, p99), the filter's CPU per
# message and peak RSS, the ratio repmilter/null, and the CPU per message
# that SPF, DKIM and DMARC cost repmilter.
#
# usage: run-milter-bench.sh [--quick] [--messages M] [--concurrency LIST]
#            [--duration-max S] [--store-entries N] [--rounds R]
#            [--variants LIST] [--peer opendkim] [--cpus same|split]
#            [--keep] [BUILDDIR]
#
# BUILDDIR (default .) holds the built programs; the script builds
# nothing. It makes a temporary directory with: zone files for three DNS
# lists served by rbldnsd on a random high port of 127.0.0.1
# (bl1.bench.test, bl2.bench.test with return codes 127.0.0.2-10,
# wl.bench.test; each lists 127.0.0.2, the RFC 5782 probe), a reputation
# store of --store-entries entries imported with tools/repctl, and the
# address lists bench_milter draws clients from (a tenth of the sessions
# come from listed addresses).
#
# Sender authentication: an RSA-2048 and an Ed25519 key made with openssl
# at start; 16 sender domains, each with an SPF record that includes two
# more (together they cover 90% of the client addresses and half of the
# listed ones: SPF fails for the rest), a DMARC record (p=reject) and both
# DKIM keys (selectors rsa2048 and ed25519). unbound on another port of
# 127.0.0.1 serves these records and passes the list zones to rbldnsd;
# repmilter asks unbound only. bench_milter signs its corpus with the keys
# (40% rsa-sha256, 20% ed25519-sha256, 10% signed then changed, 30%
# unsigned); when /usr/bin/python3 has python3-dkim, the corpus is checked
# with it first, an implementation other than repmilter's.
#
# repmilter runs once per variant (--variants, default all): "on" (every
# check), "nospf", "nodkim", "nodmarc" (one check off) and "noauth" (all
# three off: the filter before sender authentication), and "nokeycache"
# (every check, DKIM keys decoded for every signature: dkim_key_cache = 0).
# A check's CPU is the all-on figure minus the figure with that check off;
# the key cache's saving is "nokeycache" minus "on". --rounds R
# (default 2) repeats the variants, in reverse order every other round, so
# that a drift of the machine weighs on every variant alike; the null
# filter runs in every round too. Figures are means over rounds; ratios
# and CPU differences show their range over the rounds as well.
# --peer opendkim runs Debian's OpenDKIM 2.11 (apt-get install opendkim),
# verifying only, under the same load in every round, its key lookups
# forwarded by its libunbound to the same unbound: a peer that checks
# DKIM alone, for the ratios (DESIGN.md §8: 0.75 of the null filter
# through Postfix).
# --cpus pins the filter to CPU 0 and the load generator to CPU 0 too
# ("same") or to CPU 1 ("split"); by default the kernel places them.
# Where they run weighs on the naive filter most, which makes a round
# trip per command: on a 2-core KVM guest a wake-up across CPUs cost the
# null filter 2.5 times the CPU of one on the same CPU (100 against 266
# us/msg), and unpinned runs drift between the two from round to round.
# Every process it starts is stopped on exit. A program that prints, not a
# test: `make bench-milter` runs it.

LC_ALL=C
export LC_ALL

messages=3000
levels=1,20,100
duration=60
entries=1000000
rounds=2
variants=on,nospf,nodkim,nodmarc,noauth,nokeycache
peer=
pin_filter="" pin_load=""
keep=0
builddir=.
while [ $# -gt 0 ]; do
	case $1 in
	--quick) messages=300 entries=100000 rounds=1 ;;
	--messages) messages=$2 && shift ;;
	--concurrency) levels=$2 && shift ;;
	--duration-max) duration=$2 && shift ;;
	--store-entries) entries=$2 && shift ;;
	--rounds) rounds=$2 && shift ;;
	--variants) variants=$2 && shift ;;
	--peer)
		[ "$2" = opendkim ] ||
			{ echo "run-milter-bench.sh: --peer opendkim" >&2 && exit 2; }
		peer=$2 && shift
		;;
	--cpus)
		case $2 in
		same) pin_filter="taskset -c 0" pin_load="taskset -c 0" ;;
		split) pin_filter="taskset -c 0" pin_load="taskset -c 1" ;;
		*) echo "run-milter-bench.sh: --cpus same|split" >&2 && exit 2 ;;
		esac
		shift
		;;
	--keep) keep=1 ;;
	-h | --help) sed -n '2,57p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
	-*) echo "run-milter-bench.sh: unknown option $1" >&2 && exit 2 ;;
	*) builddir=$1 ;;
	esac
	shift
done

if [ -n "$peer" ] && ! command -v opendkim >/dev/null 2>&1; then
	echo "run-milter-bench.sh: --peer opendkim: opendkim not installed" \
		"(apt-get install opendkim)" >&2
	exit 2
fi
bench=$builddir/tests/bench/bench_milter
nullfilter=$builddir/tests/bench/nullfilter
repctl=$builddir/tools/repctl
repmilter=$builddir/milter/repmilter
here=$(dirname "$0")
# shellcheck source=tests/bench/bench-env.sh
. "$here/bench-env.sh"
case $rounds in
'' | *[!0-9]* | 0) echo "run-milter-bench.sh: --rounds $rounds" >&2 && exit 2 ;;
esac
for p in "$bench" "$nullfilter"; do
	if [ ! -x "$p" ]; then
		echo "run-milter-bench.sh: $p not built" \
			"(make tests/bench/bench_milter tests/bench/nullfilter)" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/milterbench.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "$keep" -eq 1 ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# spec_for KIND TRY NAME - a unix socket in the temp dir, or a TCP port
# (another one for each run and try)
spec_for() {
	if [ "$1" = unix ]; then
		echo "unix:$tmp/$3.sock"
	else
		echo "inet:$(random_port $((runs * 10 + $2)))@127.0.0.1"
	fi
}

# run_load LABEL SPEC PID [bench options] - bench_milter with the signed
# corpus from the sender domains, rows to results.txt and stdout
run_load() {
	label=$1 spec=$2 pid=$3
	shift 3
	say "load: $label on $spec"
	# shellcheck disable=SC2086
	# shellcheck disable=SC2086
	$pin_load "$bench" --socket "$spec" --pid "$pid" --label "$label" \
		--concurrency "$levels" --messages "$messages" \
		--duration-max "$duration" --listed-file "$tmp/listed.txt" \
		--clients-file "$tmp/clients.txt" $auth_args "$@" |
		tee "$tmp/out.txt"
	grep -v '^#' "$tmp/out.txt" | grep -v '^label' >>"$tmp/results.txt"
}

# filter_up KIND NAME TRIES SECS LOG START - START SPEC, a function that
# execs a filter listening on SPEC, in the background with its output to
# LOG, on a unix socket or a TCP port (another port each try) until the
# filter answers; sets spec and fpid, or says why and returns 1
filter_up() {
	_kind=$1 _name=$2 _tries=$3 _secs=$4 _log=$5 _start=$6 _try=1
	while [ $_try -le "$_tries" ]; do
		spec=$(spec_for "$_kind" "$_try" "$_name")
		"$_start" "$spec" >"$_log" 2>&1 &
		fpid=$!
		pids="$pids $fpid"
		wait_ready "$spec" "$fpid" "$_secs" && return 0
		kill -KILL "$fpid" 2>/dev/null
		_try=$((_try + 1))
	done
	fpid=
	say "$_name did not start: $(tail -n 3 "$_log")"
	return 1
}

# null_exec SPEC - the null filter, with $null_opts
null_exec() {
	# shellcheck disable=SC2086
	exec $pin_filter "$nullfilter" -s "$1" $null_opts
}

# null_run KIND LABEL [nullfilter options] - the null filter, loaded
null_run() {
	kind=$1 label=$2 runs=$((runs + 1))
	shift 2
	null_opts="$*"
	filter_up "$kind" null 5 10 "$tmp/null.log" null_exec || return 1
	run_load "$label" "$spec" "$fpid"
	stop_filter "$spec" "$fpid"
}

# opendkim_exec SPEC - OpenDKIM verifying only, its DNS forwarded to our
# unbound
opendkim_exec() {
	case $1 in
	unix:*) _od=local:${1#unix:} ;;
	*) _od=$1 ;;
	esac
	cat >"$tmp/opendkim.conf" <<EOF
Mode v
Socket $_od
Syslog no
QueryCache yes
AuthservID mx.bench.test
Nameservers 127.0.0.1@$dns_port
EOF
	# shellcheck disable=SC2086
	exec $pin_filter opendkim -f -x "$tmp/opendkim.conf"
}

# peer_run KIND LABEL - the peer (OpenDKIM), loaded like the others
peer_run() {
	kind=$1 label=$2 runs=$((runs + 1))
	filter_up "$kind" opendkim 3 30 "$tmp/opendkim.log" opendkim_exec ||
		return 1
	run_load "$label" "$spec" "$fpid"
	stop_filter "$spec" "$fpid"
}

# repmilter_exec SPEC - repmilter in the foreground with $variant's checks
repmilter_exec() {
	repmilter_conf "$1" "$variant" >"$tmp/repmilter.conf"
	# shellcheck disable=SC2086
	exec $pin_filter "$repmilter" -f -c "$tmp/repmilter.conf"
}

# repmilter_run KIND VARIANT ROUND - start repmilter in the foreground on
# a unix socket or a TCP port with the variant's checks, load it
repmilter_run() {
	kind=$1 variant=$2 runs=$((runs + 1))
	name=repmilter
	[ "$variant" = on ] || name=rep-$variant
	log=$tmp/$name-$kind-$3.log
	filter_up "$kind" repmilter 3 30 "$log" repmilter_exec || return 1
	run_load "$name/$kind#$3" "$spec" "$fpid"
	stop_filter "$spec" "$fpid"
	auth_tally "$log" "$name/$kind#$3" | tee -a "$tmp/auth.txt"
}

# variants_run ROUND - the null filter and every variant of repmilter
# on both sockets; even rounds go through them backwards
variants_run() {
	list="null $(echo "$variants" | tr ',' ' ') $peer"
	[ $(($1 % 2)) -eq 0 ] && list=$(echo "$list" | tr ' ' '\n' | tac)
	for v in $list; do
		if [ "$v" = null ]; then
			null_run unix "null/unix#$1"
			null_run inet "null/inet#$1" -n
		elif [ "$v" = opendkim ]; then
			peer_run unix "opendkim/unix#$1"
			peer_run inet "opendkim/inet#$1"
		else
			repmilter_run unix "$v" "$1"
			repmilter_run inet "$v" "$1"
		fi
	done
}

# summary - null against repmilter at each socket and concurrency, the
# variants, what each check costs
summary() {
	echo
	echo "summary ($rounds round(s)): msg/s; latency MAIL..EOM reply" \
		"p50/p99 in ms; filter CPU us/msg; filter peak RSS kB"
	awk -v levels="$levels" -v variants="$variants" -v peer="$peer" \
		-f "$here/milter-bench-summary.awk" "$tmp/results.txt"
	if [ -s "$tmp/auth.txt" ]; then
		echo
		echo "expected with every check on: spf pass 86%, fail 14%" \
			"(client addresses); dkim pass 60%, fail 10%, absent" \
			"30%; dmarc fail about 6%"
		grep "^auth repmilter/" "$tmp/auth.txt"
	fi
	if [ -n "$peer" ]; then
		echo "opendkim: $(grep -c . "$tmp/opendkim.log") lines on" \
			"stderr at its last run"
		tail -n 3 "$tmp/opendkim.log"
	fi
}


: >"$tmp/results.txt"
make_data
runs=0
dns_port=
auth_args=
rbldnsd_start && auth_setup && unbound_start
store_ok=0
make_store && store_ok=1
# the stall DESIGN.md §8 measured: a filter that adds a header, on TCP,
# with and without TCP_NODELAY on its listening socket
levels_saved=$levels messages_saved=$messages
levels=1 messages=50
null_run inet nagle/inet-naive -H
null_run inet nagle/inet-nodelay -H -n
levels=$levels_saved messages=$messages_saved
if [ ! -x "$repmilter" ] || [ "$store_ok" -ne 1 ] || [ -z "$dns_port" ]
then
	echo "repmilter not built, or no store, keys or DNS: null filter only"
	null_run unix "null/unix#1"
	null_run inet "null/inet#1" -n
else
	r=1
	while [ $r -le "$rounds" ]; do
		variants_run $r
		r=$((r + 1))
	done
fi
summary
