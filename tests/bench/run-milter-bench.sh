#!/bin/sh
# run-milter-bench.sh - the milter benchmark: the do-nothing libmilter
# filter (tests/bench/nullfilter, the ceiling of DESIGN.md §8) and, when it
# is built, repmilter, under the same load from tests/bench/bench_milter,
# on a unix socket and on TCP 127.0.0.1. Prints each run and a summary
# table: messages/s, latency MAIL..EOM reply (p50, p99), the filter's CPU
# per message and peak RSS, and the ratio repmilter/null.
#
# usage: run-milter-bench.sh [--quick] [--messages M] [--concurrency LIST]
#            [--duration-max S] [--store-entries N] [--keep] [BUILDDIR]
#
# BUILDDIR (default .) holds the built programs; the script builds
# nothing. It makes a temporary directory with: zone files for three DNS
# lists served by rbldnsd on a random high port of 127.0.0.1
# (bl1.bench.test, bl2.bench.test with return codes 127.0.0.2-10,
# wl.bench.test; each lists 127.0.0.2, the RFC 5782 probe), a reputation
# store of --store-entries entries imported with tools/repctl, and the
# address lists bench_milter draws clients from (a tenth of the sessions
# come from listed addresses). Every process it starts is stopped on exit.
# A program that prints, not a test: `make bench-milter` runs it.

LC_ALL=C
export LC_ALL

messages=3000
levels=1,20,100
duration=60
entries=1000000
keep=0
builddir=.
while [ $# -gt 0 ]; do
	case $1 in
	--quick) messages=300 entries=100000 ;;
	--messages) messages=$2 && shift ;;
	--concurrency) levels=$2 && shift ;;
	--duration-max) duration=$2 && shift ;;
	--store-entries) entries=$2 && shift ;;
	--keep) keep=1 ;;
	-h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
	-*) echo "run-milter-bench.sh: unknown option $1" >&2 && exit 2 ;;
	*) builddir=$1 ;;
	esac
	shift
done

bench=$builddir/tests/bench/bench_milter
nullfilter=$builddir/tests/bench/nullfilter
repctl=$builddir/tools/repctl
repmilter=$builddir/milter/repmilter
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

# say TEXT - a progress line on stderr, so that stdout stays the figures
say() {
	echo "== $*" >&2
}

# random_port N - a port from this shell's pid and the number N, below
# the ephemeral range: the load leaves thousands of client ports in
# TIME_WAIT there, and a listener could not bind one of them
eph_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
[ "${eph_low:-0}" -gt 12000 ] 2>/dev/null || eph_low=32768
random_port() {
	awk -v s="$$" -v n="$1" -v hi="$eph_low" \
		'BEGIN { srand(s * 1000 + n); print 10000 + int(rand() * (hi - 10000)) }'
}

#
# Data: addresses, zones, store.
#
make_data() {
	# 2,000 listed clients in 198.18.0.0/16, 5,000 others in 198.19.0.0/16
	awk 'BEGIN { for (i = 0; i < 2000; i++)
		printf "198.18.%d.%d\n", int(i / 250), 1 + i % 250 }' \
		>"$tmp/listed.txt"
	awk 'BEGIN { for (i = 0; i < 5000; i++)
		printf "198.19.%d.%d\n", int(i / 250), 1 + i % 250 }' \
		>"$tmp/clients.txt"
	{
		echo ":127.0.0.2:Listed in bl1.bench.test"
		echo "127.0.0.2"
		cat "$tmp/listed.txt"
	} >"$tmp/bl1.zone"
	# bl2: every other listed address, with codes 127.0.0.2 to 127.0.0.10
	awk 'BEGIN { print "127.0.0.2 :127.0.0.2:probe" }
		NR % 2 == 1 { printf "%s :127.0.0.%d:Listed in bl2\n", $1,
			2 + NR % 9 }' "$tmp/listed.txt" >"$tmp/bl2.zone"
	{
		echo ":127.0.0.2:Allowed by wl.bench.test"
		echo "127.0.0.2"
		head -n 100 "$tmp/clients.txt"
	} >"$tmp/wl.zone"
}

# make_store_list - $entries lines: the listed clients, then addresses
# spread over the IPv4 space (a bijection of the line number, so no
# duplicates), every hundredth one a /24
make_store_list() {
	awk -v n="$entries" 'BEGIN {
		while ((getline a < ARGV[1]) > 0 && k < n) { print a; k++ }
		for (i = 1; k < n; i++) {
			x = (i * 2654435761 + 12345) % 4294967296
			o1 = int(x / 16777216)
			if (o1 == 0 || o1 == 10 || o1 == 127 || o1 == 198 ||
			    o1 >= 224)
				continue
			o2 = int(x / 65536) % 256; o3 = int(x / 256) % 256
			if (k % 100 == 99)
				printf "%d.%d.%d.0/24\n", o1, o2, o3
			else
				printf "%d.%d.%d.%d\n", o1, o2, o3, x % 256
			k++
		}
		exit
	}' "$tmp/listed.txt" >"$tmp/store.txt"
}

# make_store - import the list into a fresh store
make_store() {
	if [ ! -x "$repctl" ]; then
		say "$repctl not built: no store"
		return 1
	fi
	make_store_list
	say "store: importing $entries entries"
	t0=$(date +%s%N)
	if ! "$repctl" --db "$tmp/store.mdb" import --format rbldnsd \
		--publisher bench "$tmp/store.txt" >"$tmp/import.log" 2>&1; then
		say "repctl import failed: $(tail -n 3 "$tmp/import.log")"
		return 1
	fi
	say "store: $((($(date +%s%N) - t0) / 1000000)) ms," \
		"$(du -k "$tmp/store.mdb" | cut -f1) kB"
}

# start_rbldnsd - the three zones on 127.0.0.1, a random port; sets
# dns_port, or returns 1
start_rbldnsd() {
	rbldnsd=/usr/sbin/rbldnsd
	if [ ! -x "$rbldnsd" ] || ! command -v dig >/dev/null 2>&1; then
		say "rbldnsd or dig not installed: no DNS lists"
		return 1
	fi
	chmod 755 "$tmp" && chmod 644 "$tmp"/*.zone
	user=
	[ "$(id -u)" -eq 0 ] && user="-u nobody"
	for try in 1 2 3 4 5; do
		dns_port=$(random_port "$try")
		# shellcheck disable=SC2086
		"$rbldnsd" -n $user -b "127.0.0.1/$dns_port" -w "$tmp" -c 0 \
			bl1.bench.test:ip4set:bl1.zone \
			bl2.bench.test:ip4set:bl2.zone \
			wl.bench.test:ip4set:wl.zone >"$tmp/rbldnsd.log" 2>&1 &
		rpid=$!
		pids="$pids $rpid"
		i=0
		while [ $i -lt 50 ] && kill -0 "$rpid" 2>/dev/null; do
			if [ "$(dig @127.0.0.1 -p "$dns_port" +short +time=1 \
				+tries=1 2.0.0.127.bl1.bench.test A)" = 127.0.0.2 ]
			then
				say "rbldnsd on 127.0.0.1/$dns_port"
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		kill "$rpid" 2>/dev/null
	done
	say "rbldnsd did not start: $(tail -n 3 "$tmp/rbldnsd.log")"
	return 1
}

#
# Filters.
#

# wait_ready SPEC PID SECONDS - until the filter answers one message
wait_ready() {
	i=0
	while [ $i -lt $(($3 * 10)) ] && kill -0 "$2" 2>/dev/null; do
		if "$bench" --socket "$1" --concurrency 1 --messages 1 \
			--warmup 0 --timeout-ms 2000 >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stop_filter SPEC PID - SIGTERM, one connection to wake libmilter's
# listener (it notices the signal only after a 5 s poll otherwise), then
# SIGKILL after 10 s
stop_filter() {
	kill -TERM "$2" 2>/dev/null
	i=0
	while [ $i -lt 100 ] && kill -0 "$2" 2>/dev/null; do
		"$bench" --socket "$1" --concurrency 1 --messages 1 --warmup 0 \
			--timeout-ms 200 >/dev/null 2>&1
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$2" 2>/dev/null
	wait "$2" 2>/dev/null
}

# spec_for KIND TRY NAME - a unix socket in the temp dir, or a TCP port
# (another one for each run and try)
spec_for() {
	if [ "$1" = unix ]; then
		echo "unix:$tmp/$3.sock"
	else
		echo "inet:$(random_port $((runs * 10 + $2)))@127.0.0.1"
	fi
}

# run_load LABEL SPEC PID [bench options] - bench_milter, rows to
# results.txt and stdout
run_load() {
	label=$1 spec=$2 pid=$3
	shift 3
	say "load: $label on $spec"
	"$bench" --socket "$spec" --pid "$pid" --label "$label" \
		--concurrency "$levels" --messages "$messages" \
		--duration-max "$duration" --listed-file "$tmp/listed.txt" \
		--clients-file "$tmp/clients.txt" "$@" | tee "$tmp/out.txt"
	grep -v '^#' "$tmp/out.txt" | grep -v '^label' >>"$tmp/results.txt"
}

# null_run KIND LABEL [nullfilter options] - start the null filter on a
# unix socket or a TCP port (another port if that one is taken), load it
null_run() {
	kind=$1 label=$2 runs=$((runs + 1))
	shift 2
	for try in 1 2 3 4 5; do
		spec=$(spec_for "$kind" "$try" null)
		"$nullfilter" -s "$spec" "$@" >"$tmp/null.log" 2>&1 &
		npid=$!
		pids="$pids $npid"
		wait_ready "$spec" "$npid" 10 && break
		kill -KILL "$npid" 2>/dev/null
		npid=
	done
	if [ -z "$npid" ]; then
		say "nullfilter did not start: $(tail -n 3 "$tmp/null.log")"
		return 1
	fi
	run_load "$label" "$spec" "$npid"
	stop_filter "$spec" "$npid"
}

# repmilter_conf SPEC - the configuration for one run
repmilter_conf() {
	cat <<EOF
socket = $1
store = $tmp/store.mdb
dns_servers = 127.0.0.1:$dns_port
dns_lists = "bl1.bench.test*3, bl2.bench.test=127.0.0.[2..10]*4, wl.bench.test*-5"
user = ""
pid_file = ""
EOF
}

# repmilter_run KIND - start repmilter in the foreground on a unix socket
# or a TCP port, load it
repmilter_run() {
	kind=$1 runs=$((runs + 1))
	for try in 1 2 3; do
		spec=$(spec_for "$kind" "$try" repmilter)
		repmilter_conf "$spec" >"$tmp/repmilter.conf"
		"$repmilter" -f -c "$tmp/repmilter.conf" \
			>"$tmp/repmilter.log" 2>&1 &
		rpid=$!
		pids="$pids $rpid"
		wait_ready "$spec" "$rpid" 30 && break
		kill -KILL "$rpid" 2>/dev/null
		rpid=
	done
	if [ -z "$rpid" ]; then
		say "repmilter did not start: $(tail -n 10 "$tmp/repmilter.log")"
		return 1
	fi
	run_load "repmilter/$kind" "$spec" "$rpid"
	stop_filter "$spec" "$rpid"
}

# summary - null against repmilter at each socket and concurrency
summary() {
	echo
	echo "summary: msg/s; latency MAIL..EOM reply p50/p99 in ms;" \
		"filter CPU us/msg; filter peak RSS kB"
	awk -v levels="$levels" '
	{ k = $1 "@" $2; rate[k] = $5; p50[k] = $6; p99[k] = $7
	  cpu[k] = $9; rss[k] = $11 }
	function cell(k) {
		if (!(k in rate))
			return sprintf("%-39s", "-")
		return sprintf("%8.0f %7s/%-8s %6s %6s", rate[k], p50[k],
			p99[k], cpu[k], rss[k])
	}
	function ratio(r, n) {
		if (!(r in rate) || !(n in rate) || rate[n] <= 0)
			return "-"
		return sprintf("%.2f", rate[r] / rate[n])
	}
	END {
		printf "%-6s %5s | %-39s | %-39s | %s\n", "socket", "conc",
			"null: msg/s p50/p99 cpu rss",
			"repmilter: msg/s p50/p99 cpu rss", "rep/null"
		n = split(levels, lv, ",")
		for (s = 1; s <= 2; s++) {
			sock = s == 1 ? "unix" : "inet"
			for (i = 1; i <= n; i++) {
				nk = "null/" sock "@" lv[i]
				rk = "repmilter/" sock "@" lv[i]
				printf "%-6s %5s | %s | %s | %s\n", sock, lv[i],
					cell(nk), cell(rk), ratio(rk, nk)
			}
		}
		printf "\nNagle check, TCP at concurrency 1 (a 40 ms " \
			"delayed-ACK stall shows as p50 >= 40 ms):\n"
		m = split("null/inet nagle/inet-naive nagle/inet-nodelay " \
			"repmilter/inet", names, " ")
		for (i = 1; i <= m; i++)
			if ((names[i] "@1") in p50)
				printf "  %-20s p50 %s ms\n", names[i],
					p50[names[i] "@1"]
	}' "$tmp/results.txt"
}

: >"$tmp/results.txt"
make_data
runs=0
dns_port=
start_rbldnsd || dns_port=
store_ok=0
make_store && store_ok=1
null_run unix null/unix
null_run inet null/inet -n
# the stall DESIGN.md §8 measured: a filter that adds a header, on TCP,
# with and without TCP_NODELAY on its listening socket
levels_saved=$levels messages_saved=$messages
levels=1 messages=50
null_run inet nagle/inet-naive -H
null_run inet nagle/inet-nodelay -H -n
levels=$levels_saved messages=$messages_saved
if [ ! -x "$repmilter" ]; then
	echo "repmilter not built: skipping"
elif [ "$store_ok" -ne 1 ] || [ -z "$dns_port" ]; then
	echo "repmilter: no store or no DNS lists: skipping"
else
	repmilter_run unix
	repmilter_run inet
fi
summary
