#!/bin/sh
# run-postfix-bench.sh - the milter benchmark through Postfix, measured as
# DESIGN.md §8 did: realistic messages sent with XCLIENT over SMTP to
# Debian's Postfix on loopback, with no milter (Postfix alone), with the
# do-nothing libmilter filter (tests/bench/nullfilter) and with repmilter
# with every check on. Prints each run and a summary: messages/s, the
# ratios repmilter/null, null/alone and repmilter/alone with their range
# over the rounds, the filter's and Postfix's CPU per message.
#
# usage: run-postfix-bench.sh [--quick] [--messages M] [--corpus N]
#            [--concurrency LIST] [--per-session K] [--duration-max S]
#            [--store-entries N] [--rounds R] [--tmpfs] [--peer opendkim]
#            [--keep] [BUILDDIR]
#
# Needs root (a private Postfix instance, as tests/integration/harness.sh
# runs it); exits 2 otherwise, or when a program is missing. BUILDDIR
# (default .) holds the built programs: bench_milter, nullfilter,
# smtpsend, repctl, repmilter; the script builds nothing.
#
# The environment is run-milter-bench.sh's (tests/bench/bench-env.sh):
# rbldnsd serving three DNS lists, unbound serving SPF, DKIM (RSA-2048 and
# Ed25519 keys made at start) and DMARC records of the 16 sender domains,
# a store of --store-entries entries, repmilter with every check on. The
# corpus is bench_milter's (--write-corpus): --corpus messages (default
# 200, mean about 36 KB; 40% rsa-sha256, 20% ed25519-sha256, 10% signed
# then changed, 30% unsigned), and a manifest of --messages messages
# (default 5000; message i is corpus message i modulo --corpus) each with
# the client address it comes from (a tenth from listed addresses), its
# HELO name, envelope sender and recipients.
#
# Postfix (harness.sh's postfix_configure, then): smtpd on one loopback
# port with smtpd_milters = the filter's unix socket, milter_default_action
# = tempfail, and on another without milters (the Postfix-alone runs);
# every recipient domain is a relay domain delivered by the discard
# transport; XCLIENT allowed from 127.0.0.0/8; max_idle and max_use high
# so that no Postfix process exits during a run and its CPU time can be
# read from /proc; in_flow_delay = 0: with its default (1 s) smtpd stalls
# a message for a second whenever arrival outruns delivery, which the
# runs without a milter did, so the rate measured the queue manager.
# With XCLIENT, Postfix opens a milter connection for the session from
# 127.0.0.1 (connect, EHLO) and another for the client XCLIENT names: a
# filter sees two connections per session, as under any XCLIENT load.
#
# Load: tests/integration/smtpsend -L manifest -C SESSIONS -k K: SESSIONS
# worker processes (--concurrency, default 20), each session EHLO,
# XCLIENT ADDR NAME HELO of its first message, EHLO, then K messages
# (--per-session, default 1) of MAIL, RCPT, DATA, then QUIT. Each level
# starts the filter afresh (empty caches), sends an unmeasured warm-up and
# waits for an empty queue. Measured: msg/s = messages with a final reply
# / (last final reply - first MAIL); latency MAIL to final reply; CPU
# (utime + stime from /proc/PID/stat) per message of the filter process,
# of Postfix's smtpd and cleanup processes (cleanup talks to the milter
# for the content), of all of Postfix (master and its children, those
# reaped included, until the queue is empty again: delivery too), of the
# DNS servers and of the load generator; the machine's busy% and iow%
# (CPU time waiting for the disk: cleanup fsyncs each queue file) during
# the load. /proc counts in 10 ms ticks per process: each process started
# during a run may lose up to one (2 µs per message at the default
# size). Every message must get a final reply (2xx, 4xx or 5xx). --tmpfs
# puts Postfix's queue on a tmpfs mounted in the temporary directory: no
# fsync wait, the rate is then bound by CPU.
#
# --peer opendkim adds a fourth configuration: Debian's OpenDKIM 2.11
# (apt-get install opendkim; its system service need not run) verifying
# only, as DESIGN.md §8 measured it, with its query cache on and its key
# lookups forwarded by its libunbound to the same unbound, so that the
# ratios of this machine can be set beside §8's (OpenDKIM 0.75 of the
# do-nothing filter).
#
# --rounds R (default 3) repeats the configurations, in reverse
# order every other round. Everything listens on 127.0.0.1 only; every
# level is bounded in messages and in time (--duration-max, default 120
# s); every process it starts is stopped and the temporary directory
# removed on exit (--keep keeps it). `make bench-postfix` runs it.

LC_ALL=C
export LC_ALL
PATH=$PATH:/usr/sbin:/sbin

messages=5000
corpus=200
levels=20
per_session=1
duration=120
entries=1000000
rounds=3
keep=0
tmpfs=0
peers=
builddir=.
while [ $# -gt 0 ]; do
	case $1 in
	--quick) messages=500 entries=100000 rounds=1 ;;
	--messages) messages=$2 && shift ;;
	--corpus) corpus=$2 && shift ;;
	--concurrency) levels=$2 && shift ;;
	--per-session) per_session=$2 && shift ;;
	--duration-max) duration=$2 && shift ;;
	--store-entries) entries=$2 && shift ;;
	--rounds) rounds=$2 && shift ;;
	--keep) keep=1 ;;
	--tmpfs) tmpfs=1 ;;
	--peer)
		[ "$2" = opendkim ] ||
			{ echo "run-postfix-bench.sh: --peer opendkim" >&2 && exit 2; }
		peers=$2 && shift
		;;
	-h | --help) sed -n '2,74p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
	-*) echo "run-postfix-bench.sh: unknown option $1" >&2 && exit 2 ;;
	*) builddir=$1 ;;
	esac
	shift
done

# usage_error TEXT - exit 2
usage_error() {
	echo "run-postfix-bench.sh: $*" >&2
	exit 2
}

for v in "$messages" "$corpus" "$per_session" "$duration" "$entries" \
	"$rounds"; do
	case $v in
	'' | *[!0-9]* | 0) usage_error "not a positive number: '$v'" ;;
	esac
done
case $levels in
'' | *[!0-9,]* | ,* | *, | *,,*) usage_error "--concurrency $levels" ;;
esac
for c in $(echo "$levels" | tr ',' ' '); do
	[ "$c" -ge 1 ] && [ "$c" -le 100 ] && continue
	usage_error "--concurrency: 1 to 100 sessions (Postfix's" \
		"default_process_limit)"
done
[ "$(id -u)" -eq 0 ] ||
	usage_error "needs root (a private Postfix instance)"

here=$(dirname "$0")
top_srcdir=$here/../..
top_builddir=$builddir
bench=$builddir/tests/bench/bench_milter
nullfilter=$builddir/tests/bench/nullfilter
# harness.sh: the Postfix part (postfix_configure, postfix_start,
# postfix_stop, wait_for); it sets $smtpsend, $repctl and $repmilter from
# $top_builddir. Its DNS and sending functions are not used (bench-env.sh
# has the DNS); its cleanup is replaced by ours below.
# shellcheck source=tests/integration/harness.sh
. "$top_srcdir/tests/integration/harness.sh"
# shellcheck source=tests/bench/bench-env.sh
. "$here/bench-env.sh"

for p in "$bench" "$nullfilter" "$smtpsend" "$repctl" "$repmilter"; do
	[ -x "$p" ] || usage_error "$p not built (make tests/bench/bench_milter" \
		"tests/bench/nullfilter tests/integration/smtpsend tools/repctl" \
		"milter/repmilter)"
done
for p in postfix postconf rbldnsd unbound dig openssl runuser; do
	command -v $p >/dev/null 2>&1 || usage_error "$p not installed"
done
opendkim=$(command -v opendkim 2>/dev/null)
[ -z "$peers" ] || [ -n "$opendkim" ] ||
	usage_error "--peer opendkim: opendkim not installed (apt-get install" \
		"opendkim)"
if ! id postfix >/dev/null 2>&1 || ! getent group postdrop >/dev/null; then
	usage_error "no postfix user or postdrop group"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/postfixbench.XXXXXX") || exit 1
tap_tmp=$tmp
pf=$tmp/postfix
sock=$tmp/milter/filter.sock
pids=
fpid=
send_pid=
spool_mounted=
# cleanup - at exit: the load, the filter, Postfix, the DNS servers, the
# tmpfs, $tmp
cleanup() {
	for p in $send_pid $fpid; do
		kill -TERM "$p" 2>/dev/null
	done
	postfix_stop
	for p in $send_pid $fpid $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ -n "$spool_mounted" ]; then
		umount "$tmp/spool" 2>/dev/null || umount -l "$tmp/spool"
	fi
	if [ "$keep" -eq 1 ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

chmod 755 "$tmp"
runuser -u nobody -- test -x "$tmp" 2>/dev/null ||
	usage_error "$tmp is not reachable by other users (set TMPDIR)"
mkdir "$pf" "$tmp/spool" "$tmp/data" "$tmp/vmail" "$tmp/milter" "$tmp/load"
chmod 755 "$tmp/milter"
if [ "$tmpfs" -eq 1 ]; then
	mount -t tmpfs -o size=2g,mode=755 postfixbench "$tmp/spool" ||
		usage_error "cannot mount a tmpfs on $tmp/spool"
	spool_mounted=1
fi
clk_tck=$(getconf CLK_TCK)

# die TEXT - a reason on stderr, exit 1 (cleanup runs)
die() {
	say "$*"
	exit 1
}

#
# Postfix
#

# postfix_setup - harness.sh's private instance on two free ports
# ($port_smtp with smtpd_milters = unix:$sock, $port_plain without),
# changed for the load: every domain relayed to discard(8), processes
# that live through the whole benchmark
postfix_setup() {
	# shellcheck disable=SC2046
	set -- $("$smtpsend" -P 2)
	[ $# -eq 2 ] || die "no free ports"
	port_smtp=$1 port_plain=$2
	postfix_configure >"$tmp/postconf.log" 2>&1 ||
		die "postconf failed: $(tail -n 3 "$tmp/postconf.log")"
	postconf -c "$pf" -e \
		"relay_domains = static:ALL" \
		"relay_transport = discard:bench" \
		"default_transport = discard:bench" \
		"max_idle = 3600s" \
		"max_use = 1000000" \
		"in_flow_delay = 0" >>"$tmp/postconf.log" 2>&1 ||
		die "postconf failed: $(tail -n 3 "$tmp/postconf.log")"
	postfix_start >"$tmp/postfix-start.log" 2>&1 ||
		die "postfix did not start: $(tail -n 5 "$tmp/postfix-start.log")"
	mpid=$(tr -d ' ' <"$tmp/spool/pid/master.pid")
	say "postfix $(postconf -d -h mail_version) on 127.0.0.1:$port_smtp" \
		"(milter) and :$port_plain (none), master $mpid"
}

# queue_drained - no message file left in the queue (read from the spool,
# not with postqueue: its showq would count as Postfix's CPU)
queue_drained() {
	[ -z "$(find "$tmp/spool/maildrop" "$tmp/spool/incoming" \
		"$tmp/spool/active" "$tmp/spool/deferred" "$tmp/spool/hold" \
		-type f 2>/dev/null | head -n 1)" ]
}

# wait_drained - until the queue is empty, 120 s at most
wait_drained() {
	wait_for 1200 queue_drained && return 0
	say "queue not empty after 120 s:" \
		"$(find "$tmp/spool/deferred" -type f | wc -l) deferred"
	return 1
}

#
# CPU
#

# cpu_snapshot FILE - "PID GROUP TICKS" for the filter, the DNS servers
# and Postfix (the master with its reaped children, and each child by its
# command name) from /proc/PID/stat
cpu_snapshot() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v f="${fpid:-0}" \
		-v d=" $rbl_pid $dns_pid " -v m="$mpid" '{
		for (r = length($0); r > 0 && substr($0, r, 1) != ")"; r--)
			;
		l = index($0, "(")
		comm = substr($0, l + 1, r - l - 1)
		n = split(substr($0, r + 2), x, " ")
		if (n < 15)
			next
		pid = $1; ppid = x[2]; t = x[12] + x[13]
		if (pid == f)
			print pid, "filter", t
		else if (index(d, " " pid " "))
			print pid, "dns", t
		else if (pid == m)
			print pid, "pf:master", t + x[14] + x[15]
		else if (ppid == m)
			print pid, "pf:" comm, t + x[14] + x[15]
	}' >"$1"
}

# cpu_delta BEFORE AFTER - "GROUP TICKS" for each group: the processes
# alive at AFTER, minus their BEFORE (0 when they started since); and
# "pf:all", all of Postfix after minus before (what exited between is in
# the master's reaped-children times)
cpu_delta() {
	awk 'FNR == NR { b[$1] = $3; if ($2 ~ /^pf:/) pfb += $3; next }
		{ d[$2] += $3 - b[$1]; if ($2 ~ /^pf:/) pfa += $3 }
		END { for (g in d) print g, d[g]; print "pf:all", pfa - pfb }' \
		"$1" "$2"
}

#
# Filters
#

# filter_start KIND - none, or start nullfilter or repmilter (every check
# on) on unix:$sock, reachable by Postfix; sets fpid
filter_start() {
	fpid=
	rm -f "$sock"
	case $1 in
	none) return 0 ;;
	null)
		(
			umask 000
			exec "$nullfilter" -s "unix:$sock"
		) >"$tmp/null.log" 2>&1 &
		fpid=$!
		wait_ready "unix:$sock" "$fpid" 10 && return 0
		say "nullfilter did not start: $(tail -n 3 "$tmp/null.log")"
		;;
	rep)
		{
			repmilter_conf "unix:$sock" on
			echo "socket_group = postfix"
		} >"$tmp/repmilter.conf"
		"$repmilter" -f -c "$tmp/repmilter.conf" >>"$rlog" 2>&1 &
		fpid=$!
		wait_ready "unix:$sock" "$fpid" 30 && return 0
		say "repmilter did not start: $(tail -n 10 "$rlog")"
		;;
	opendkim)
		opendkim_conf
		"$opendkim" -f -x "$tmp/opendkim.conf" >>"$tmp/opendkim.log" 2>&1 &
		fpid=$!
		wait_ready "unix:$sock" "$fpid" 30 && return 0
		say "opendkim did not start: $(tail -n 10 "$tmp/opendkim.log")"
		;;
	esac
	kill -KILL "$fpid" 2>/dev/null
	fpid=
	return 1
}

# opendkim_conf - OpenDKIM verifying only, on unix:$sock, its libunbound
# forwarding to our unbound (which serves the keys). Not through
# ResolverConfiguration: Debian's OpenDKIM reads that file again for each
# message, and libunbound's parser, not thread-safe, then fails at 20
# sessions and the filter dies.
opendkim_conf() {
	cat >"$tmp/opendkim.conf" <<EOF
Mode v
Socket local:$sock
UMask 000
Syslog no
QueryCache yes
AuthservID mx.bench.test
PidFile $tmp/opendkim.pid
Nameservers 127.0.0.1@$dns_port
EOF
}

# filter_stop - stop the filter, if any
filter_stop() {
	[ -n "$fpid" ] && stop_filter "unix:$sock" "$fpid"
	fpid=
}

#
# Load
#

# load_send LEVEL PORT OUT [smtpsend options] - the manifest through
# Postfix with LEVEL sessions, each line of smtpsend's output in OUT
load_send() {
	_conc=$1 _port=$2 _out=$3
	shift 3
	"$smtpsend" -p "$_port" -L "$tmp/load/manifest" -C "$_conc" \
		-k "$per_session" -D "$duration" -t 30 -U -i m "$@" \
		>"$_out" 2>"$tmp/send.err" &
	send_pid=$!
	wait "$send_pid"
	_rc=$?
	send_pid=
	return $_rc
}

# row LABEL CONC SEND_OUT CPU_DELTA_1 CPU_DELTA_2 STAT_0 STAT_1 - the
# run's figures: from smtpsend's lines (mail=US end=US CODE) the rate,
# latency and the replies; CPU per message from the deltas (1: until the
# last reply, 2: until the queue was empty again); from /proc/stat's cpu
# line before and after the load, the share of the machine's CPU time
# that was busy and that waited for the disk
row() {
	grep -v '^#' "$3" | awk '{
		for (i = 2; i <= NF; i++)
			if ($i ~ /^mail=/) m = substr($i, 6) + 0
			else if ($i ~ /^end=/) { e = substr($i, 5) + 0; break }
		print (e - m) / 1000
	}' | sort -n >"$tmp/lat.txt"
	awk -v label="$1" -v conc="$2" -v hz="$clk_tck" \
		-v want="$messages" -v dur="$duration" '
	FILENAME == ARGV[1] { lat[++nl] = $1; next }
	FILENAME == ARGV[2] && /^# smtpsend:/ {
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			s[kv[1]] = kv[2]
		}
		next
	}
	FILENAME == ARGV[2] {
		for (i = 2; i <= NF; i++)
			if ($i ~ /^mail=/) m = substr($i, 6) + 0
			else if ($i ~ /^end=/) { e = substr($i, 5) + 0; code = $(i + 1); break }
		if (code == "ERR") { err++; next }
		n++
		if (t0 == "" || m < t0) t0 = m
		if (e > t1) t1 = e
		if (code ~ /^2/) acc++
		else if (code ~ /^4/) tf++
		else if (code ~ /^5/) rej++
		next
	}
	FILENAME == ARGV[3] { c1[$1] = $2; next }
	FILENAME == ARGV[4] { c2[$1] = $2; next }
	FILENAME == ARGV[5] || FILENAME == ARGV[6] {
		# cpu user nice system idle iowait irq softirq steal
		k = FILENAME == ARGV[5] ? -1 : 1
		busy += k * ($2 + $3 + $4 + $7 + $8); iow += k * $6
		all += k * ($2 + $3 + $4 + $5 + $6 + $7 + $8 + $9)
		next
	}
	function us(t) { return n ? t * 1e6 / hz / n : 0 }
	function pct(p) { return nl ? lat[int((nl - 1) * p) + 1] : 0 }
	END {
		secs = t1 > t0 ? (t1 - t0) / 1e6 : 0
		missing = (s["claimed"] != "" ? s["claimed"] : want) - n - err
		printf "%-10s %4d %6d %7.2f %8.1f %8.2f %8.2f %6d %6d %6d %6d" \
			" %8.0f %8.0f %8.0f %8.0f %7.0f %7.0f %5.0f %5.0f\n",
			label, conc, n,
			secs, (secs > 0 ? n / secs : 0), pct(0.5), pct(0.99),
			acc, rej, tf, err + missing, us(c1["filter"]),
			us(c1["pf:smtpd"]), us(c1["pf:cleanup"]),
			us(c2["pf:all"]), us(c2["dns"]),
			(n ? s["cpu_us"] / n : 0), (all ? 100 * busy / all : 0),
			(all ? 100 * iow / all : 0)
		if (err + missing > 0 || n < want)
			printf "# %s c=%d: %d of %d messages got a final reply" \
				" (%d ERR, %d without a line; --duration-max" \
				" %d s)\n", label, conc, n, want, err, missing,
				dur
	}' "$tmp/lat.txt" "$3" "$4" "$5" "$6" "$7"
}

# row_header - the columns of each run's row
row_header() {
	_f="%-10s %4s %6s %7s %8s %8s %8s %6s %6s %6s %6s %8s %8s %8s %8s"
	printf "$_f %7s %7s %5s %5s\n" label conc msgs secs msg/s p50_ms p99_ms \
		accept reject tempf errors filt_us smtpd_us clean_us pf_us \
		dns_us load_us busy% iow%
}

# run_level KIND LABEL PORT CONC - warm-up, empty queue, the measured
# load, empty queue again; the row to stdout and results.txt
run_level() {
	warm=$(($4 * 4))
	[ "$warm" -ge 50 ] || warm=50
	[ "$warm" -le "$messages" ] || warm=$messages
	load_send "$4" "$3" "$tmp/warm.txt" -n "$warm" ||
		say "warm-up: smtpsend exited $?: $(head -n 2 "$tmp/send.err")"
	wait_drained
	say "load: $2 c=$4 (load average $(cut -d ' ' -f 1-3 /proc/loadavg))"
	head -n 1 /proc/stat >"$tmp/stat0"
	cpu_snapshot "$tmp/cpu0"
	load_send "$4" "$3" "$tmp/send.txt" -n "$messages" ||
		say "smtpsend exited $?: $(head -n 3 "$tmp/send.err")"
	cpu_snapshot "$tmp/cpu1"
	head -n 1 /proc/stat >"$tmp/stat1"
	wait_drained
	cpu_snapshot "$tmp/cpu2"
	cpu_delta "$tmp/cpu0" "$tmp/cpu1" >"$tmp/d1"
	cpu_delta "$tmp/cpu0" "$tmp/cpu2" >"$tmp/d2"
	row "$2" "$4" "$tmp/send.txt" "$tmp/d1" "$tmp/d2" "$tmp/stat0" \
		"$tmp/stat1" |
		tee -a "$tmp/results.txt"
	# kept for --keep: what the row was made of
	_run=$tmp/runs/$1-r${2#*#}-c$4
	mkdir -p "$_run" && cp "$tmp/send.txt" "$tmp/cpu0" "$tmp/cpu1" \
		"$tmp/cpu2" "$tmp/d1" "$tmp/d2" "$tmp/stat0" "$tmp/stat1" \
		"$_run/"
}

# run_config KIND ROUND - one configuration at every level, the filter
# started afresh for each (the levels send the same clients: a filter
# kept running would find the later levels' DNS answers in its cache)
run_config() {
	label="$1#$2"
	rlog=$tmp/repmilter-$2.log
	port=$port_smtp
	[ "$1" = none ] && port=$port_plain
	for c in $(echo "$levels" | tr ',' ' '); do
		filter_start "$1" || die "no $1 filter"
		run_level "$1" "$label" "$port" "$c"
		filter_stop
	done
	if [ "$1" = rep ]; then
		auth_tally "$rlog" "repmilter#$2" >>"$tmp/auth.txt"
	fi
}

# summary - per level: each configuration's mean msg/s, the ratios with
# their range over the rounds, CPU per message
summary() {
	echo
	echo "summary ($rounds round(s), $messages messages per run," \
		"$per_session per session): none = Postfix alone, null =" \
		"nullfilter, rep = repmilter, every check on${peers:+,}" \
		"${peers:+opendkim = OpenDKIM verifying}"
	awk -v levels="$levels" -v peers="$peers" '
	/^#/ { next }
	{
		split($1, lr, "#"); k = lr[1]; r = lr[2]; c = $2
		rate[k, c, r] = $5; rounds[r] = 1
		for (f = 12; f <= 19; f++) cpu[k, c, f] += $f
		runs[k, c]++
	}
	function ratio(a, b, c,   r, v, lo, hi, s, n) {
		for (r in rounds) {
			if (rate[a, c, r] == "" || rate[b, c, r] + 0 == 0)
				continue
			v = rate[a, c, r] / rate[b, c, r]
			if (n == 0 || v < lo) lo = v
			if (n == 0 || v > hi) hi = v
			s += v; n++
		}
		if (n == 0) return "-"
		if (n == 1) return sprintf("%.2f", s)
		return sprintf("%.2f (%.2f-%.2f)", s / n, lo, hi)
	}
	function mean(k, c,   r, s, n) {
		for (r in rounds)
			if (rate[k, c, r] != "") { s += rate[k, c, r]; n++ }
		return n ? sprintf("%.0f", s / n) : "-"
	}
	function cpum(k, c, f) {
		return runs[k, c] ? sprintf("%.0f", cpu[k, c, f] / runs[k, c]) : "-"
	}
	END {
		nl = split(levels, lv, ",")
		printf "%4s | %6s %6s %6s | %-18s %-18s %-18s", "conc",
			"none", "null", "rep", "rep/null", "null/none",
			"rep/none"
		if (peers != "")
			printf " | %8s %-18s", "opendkim", "opendkim/null"
		printf "\n"
		for (i = 1; i <= nl; i++) {
			c = lv[i]
			printf "%4d | %6s %6s %6s | %-18s %-18s %-18s", c,
				mean("none", c), mean("null", c), mean("rep", c),
				ratio("rep", "null", c), ratio("null", "none", c),
				ratio("rep", "none", c)
			if (peers != "")
				printf " | %8s %-18s", mean(peers, c),
					ratio(peers, "null", c)
			printf "\n"
		}
		print ""
		print "CPU us/msg, mean over rounds: filter; Postfix smtpd," \
			" cleanup, all of Postfix (delivery included); DNS" \
			" servers; load generator; the machine busy, waiting" \
			" for the disk (%)"
		printf "%4s %-8s | %7s | %7s %7s %7s | %7s | %7s | %5s %5s\n",
			"conc", "kind", "filter", "smtpd", "cleanup", "postfix",
			"dns", "load", "busy", "iow"
		for (i = 1; i <= nl; i++) {
			c = lv[i]
			nk = split("none null rep " peers, ks, " ")
			for (j = 1; j <= nk; j++) {
				k = ks[j]
				printf "%4d %-8s | %7s | %7s %7s %7s | %7s |" \
					" %7s | %5s %5s\n", c, k, cpum(k, c, 12),
					cpum(k, c, 13), cpum(k, c, 14),
					cpum(k, c, 15), cpum(k, c, 16),
					cpum(k, c, 17), cpum(k, c, 18),
					cpum(k, c, 19)
			}
		}
	}' "$tmp/results.txt"
	grep '^#' "$tmp/results.txt"
	if [ -s "$tmp/auth.txt" ]; then
		echo
		echo "expected: spf pass 86%, fail 14%; dkim pass 60%, fail" \
			"10%, absent 30%; dmarc fail about 6%"
		cat "$tmp/auth.txt"
	fi
	_w=$(grep -c -E 'warning|fatal|panic|error' "$tmp/maillog" 2>/dev/null)
	echo "postfix log: ${_w:-0} warning/error lines"
	[ "${_w:-0}" -eq 0 ] ||
		grep -E 'warning|fatal|panic|error' "$tmp/maillog" | sort |
		uniq -c | sort -rn | head -n 5
}

#
# Main
#
say "$(nproc) CPU(s): $(grep -m 1 'model name' /proc/cpuinfo |
	sed 's/.*: //')"
make_data
if ! rbldnsd_start || ! auth_setup || ! unbound_start; then
	die "no DNS (rbldnsd, unbound) or DKIM keys"
fi
rbl_pid=$rpid dns_pid=$upid
make_store || die "no store"
# shellcheck disable=SC2086
"$bench" --write-corpus "$tmp/load" --messages "$messages" \
	--corpus "$corpus" --listed-file "$tmp/listed.txt" \
	--clients-file "$tmp/clients.txt" $auth_args 2>"$tmp/write.log" ||
	die "bench_milter --write-corpus: $(head -n 3 "$tmp/write.log")"
postfix_setup
: >"$tmp/results.txt"
row_header
r=1
while [ $r -le "$rounds" ]; do
	list="none null rep${peers:+ }$peers"
	[ $((r % 2)) -eq 0 ] && list=$(echo "$list" | tr ' ' '\n' | tac)
	for k in $list; do
		run_config "$k" $r
	done
	r=$((r + 1))
done
summary
