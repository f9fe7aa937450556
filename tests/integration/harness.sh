# harness.sh - what the Postfix integration tests share: a private
# Postfix on loopback with repmilter as its milter, rbldnsd and unbound as
# the DNS, smtpsend to send, and a ledger of every message sent. Sourced
# (after $top_srcdir and $top_builddir are set) by test_postfix.sh and
# test_postfix_auth.sh; it sources tests/cli/tap.sh. POSIX sh (dash).
#
# A test script calls, in this order:
#   harness_require         skip all unless root with Postfix, unbound,
#                           rbldnsd, dig, smtpsend and repctl
#   harness_init NAME       $tmp (mktemp NAME.XXXXXX), removed on exit with
#                           every process we started
#   harness_ports           $port_smtp (smtpd with the milter), $port_plain
#                           (smtpd without), $port_dns (unbound),
#                           $port_rbl1, $port_rbl2 (rbldnsd)
#   start_rbldnsd VAR PORT NAME ZONE...
#                           rbldnsd on PORT serving the zone files of $dns;
#                           its pid in $VAR
#   write_unbound; start_unbound
#                           unbound on $port_dns; the script defines the
#                           hooks unbound_zones (its zones, printed) and
#                           dns_ready (true once unbound answers)
#   postfix_configure; postfix_start
#   milter_conf_base        the first lines of a repmilter.conf
#   start_milter; milter_reload
#   send; wait_delivered; header; headers; ...
#   todo REASON ASSERTION...  an assertion that fails for a known bug
#   ledger_check REPLY...   every message delivered once or refused
#
# Names it owns: $tmp $tap_tmp $dns $pf $sock $sink $ledger $store $conf
# $mlog, $pid_rbl1 $pid_rbl2 $pid_unbound $pid_milter (stopped at exit),
# and the functions below. Set TEST_POSTFIX_KEEP=1 to keep $tmp.

# shellcheck shell=sh
# shellcheck disable=SC2317 # functions run by trap and wait_for
# shellcheck disable=SC2034 # variables set for the sourcing script
# shellcheck disable=SC2154 # top_srcdir, top_builddir: set by it
# shellcheck source=tests/cli/tap.sh
. "$top_srcdir/tests/cli/tap.sh"

smtpsend="$top_builddir/tests/integration/smtpsend"
repctl="$top_builddir/tools/repctl"
repmilter="$top_builddir/milter/repmilter"

# harness_require - skip the whole script unless the harness can run
harness_require() {
	[ "$(id -u)" -eq 0 ] ||
		skip_all "not root (a private Postfix instance needs it)"
	for _p in postfix postconf postqueue; do
		command -v $_p >/dev/null 2>&1 || skip_all "postfix not installed"
	done
	for _p in unbound rbldnsd dig; do
		command -v $_p >/dev/null 2>&1 || skip_all "$_p not installed"
	done
	if ! id postfix >/dev/null 2>&1 || ! getent group postdrop >/dev/null; then
		skip_all "no postfix user or postdrop group"
	fi
	[ -x "$smtpsend" ] || skip_all "$smtpsend not built"
	[ -x "$repctl" ] || skip_all "$repctl not built"
}

# harness_init NAME - the temporary directory, the exit trap
harness_init() {
	LC_ALL=C
	export LC_ALL
	PATH=$PATH:/usr/sbin:/sbin
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	tap_tmp=$tmp
	chmod 755 "$tmp"
	pid_rbl1='' pid_rbl2='' pid_unbound='' pid_milter=''
	dns="$tmp/dns"
	pf="$tmp/postfix"
	sock="$tmp/milter/repmilter.sock"
	sink="$tmp/vmail/sink/new"
	ledger="$tmp/ledger"
	store="$tmp/rep.mdb"
	conf="$tmp/repmilter.conf"
	mlog="$tmp/repmilter.log"
	trap cleanup EXIT
	trap 'exit 1' HUP INT TERM
	# Postfix's programs run as postfix, deliveries and rbldnsd as nobody.
	runuser -u nobody -- test -x "$tmp" 2>/dev/null ||
		skip_all "$tmp is not reachable by other users"
	mkdir "$dns" "$pf" "$tmp/spool" "$tmp/data" "$tmp/vmail" "$tmp/milter"
	chmod 755 "$dns"
	: >"$ledger"
}

# stop PID - end a process we started, stopped or not, and reap it
stop() {
	[ -n "$1" ] || return 0
	kill -CONT "$1" 2>/dev/null
	kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
	return 0
}

# postfix_stop - stop the private Postfix and wait for its master to go
postfix_stop() {
	[ -f "$pf/main.cf" ] || return 0
	mpid=$(tr -d ' ' <"$tmp/spool/pid/master.pid" 2>/dev/null)
	postfix -c "$pf" stop >/dev/null 2>&1
	i=0
	while [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$mpid" ] && kill -9 "$mpid" 2>/dev/null
	return 0
}

# cleanup - at exit: everything we started, then $tmp
cleanup() {
	postfix_stop
	stop "$pid_milter"
	stop "$pid_unbound"
	stop "$pid_rbl1"
	stop "$pid_rbl2"
	if [ -n "$TEST_POSTFIX_KEEP" ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}

# wait_for TENTHS COMMAND... - poll COMMAND until it succeeds, at most
# TENTHS tenths of a second
wait_for() {
	_n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# harness_ports - five free loopback ports (random, so that two scripts
# can run at once): SMTP with the milter, SMTP without, unbound, the two
# rbldnsd
harness_ports() {
	# shellcheck disable=SC2046
	set -- $("$smtpsend" -P 5)
	[ $# -eq 5 ] || { echo "Bail out! no free ports"; exit 1; }
	port_smtp=$1 port_plain=$2 port_dns=$3 port_rbl1=$4 port_rbl2=$5
}

#
# DNS
#

# start_rbldnsd VAR PORT NAME ZONE... - rbldnsd on PORT serving ZONEs
# (zone:type:file, files in $dns) in the background, its output in
# $dns/NAME.log, its pid in $VAR. rbldnsd refuses to serve as root: -u
# nobody. Names outside its zones it answers REFUSED.
start_rbldnsd() {
	_var=$1 _port=$2 _name=$3
	shift 3
	chmod 644 "$dns"/*.txt 2>/dev/null
	rbldnsd -n -u nobody -b "127.0.0.1/$_port" -w "$dns" -c 0 -t 10 \
		"$@" >"$dns/$_name.log" 2>&1 &
	eval "$_var=\$!"
}

# write_unbound - unbound.conf: the server, then what the script's
# unbound_zones prints (local zones and data, stub zones). Test names live
# under .test and .example, which unbound serves itself by default; "."
# static answers NXDOMAIN for any other name instead of asking the root
# servers.
write_unbound() {
	{
		cat <<EOF
server:
	interface: 127.0.0.1@$port_dns
	port: $port_dns
	do-ip6: no
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	chroot: ""
	username: ""
	directory: "$dns"
	pidfile: "$dns/unbound.pid"
	use-syslog: no
	logfile: ""
	verbosity: 1
	module-config: "iterator"
	domain-insecure: "test"
	domain-insecure: "example"
	domain-insecure: "in-addr.arpa"
	local-zone: "." static
EOF
		unbound_zones
	} >"$dns/unbound.conf"
}

# dig_short NAME TYPE - the short answer through unbound
dig_short() {
	dig @127.0.0.1 -p "$port_dns" +short +time=1 +tries=1 "$1" "$2" 2>&1
}

# dig_status NAME TYPE - the answer's status (NOERROR, NXDOMAIN, ...)
dig_status() {
	dig @127.0.0.1 -p "$port_dns" +time=1 +tries=1 "$1" "$2" 2>&1 |
		sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}

# q NAME - the short A answer through unbound
q() {
	dig_short "$1" A
}

# q_status NAME - the status of the A question
q_status() {
	dig_status "$1" A
}

# start_unbound - unbound in the foreground, in the background; waits
# until the script's dns_ready says it answers
start_unbound() {
	unbound -d -c "$dns/unbound.conf" >>"$dns/unbound.log" 2>&1 &
	pid_unbound=$!
	wait_for 50 dns_ready
}

#
# Postfix: a private instance
#

# postfix_configure - master.cf and main.cf: smtpd on $port_smtp with
# repmilter as its milter and on $port_plain without; virtual(8) delivers
# everything for sink.test to the maildir $sink. Returns postconf's status.
postfix_configure() {
	chown postfix "$tmp/data"
	chown nobody:"$(id -g nobody)" "$tmp/vmail"
	: >"$pf/main.cf"
	cat >"$pf/master.cf" <<EOF
127.0.0.1:$port_smtp inet n - n - - smtpd
127.0.0.1:$port_plain inet n - n - - smtpd -o smtpd_milters=
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	postconf -c "$pf" -e \
		"compatibility_level = 3.6" \
		"config_directory = $pf" \
		"queue_directory = $tmp/spool" \
		"data_directory = $tmp/data" \
		"mail_owner = postfix" \
		"setgid_group = postdrop" \
		"inet_interfaces = loopback-only" \
		"inet_protocols = ipv4" \
		"myhostname = mx.postfix-test.invalid" \
		"mydestination =" \
		"relay_domains =" \
		"mynetworks = 127.0.0.0/8" \
		"alias_maps =" \
		"alias_database =" \
		"biff = no" \
		"smtputf8_enable = no" \
		"smtpd_peername_lookup = no" \
		"smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
		"virtual_mailbox_domains = sink.test" \
		"virtual_mailbox_base = $tmp/vmail" \
		"virtual_mailbox_maps = static:sink/" \
		"virtual_uid_maps = static:$(id -u nobody)" \
		"virtual_gid_maps = static:$(id -g nobody)" \
		"maillog_file = $tmp/maillog" \
		"maillog_file_prefixes = $tmp" \
		"smtpd_milters = unix:$sock" \
		"milter_default_action = tempfail" \
		"milter_command_timeout = 10s" \
		"milter_content_timeout = 10s"
}

# postfix_start - start it; $rc its status, the logs as diagnostics when
# it fails
postfix_start() {
	postfix -c "$pf" start >"$tap_tmp/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || diag "$(cat "$tap_tmp/out" "$tmp/maillog" 2>/dev/null)"
	return $rc
}

# queue_empty - postqueue says so
queue_empty() {
	postqueue -c "$pf" -p 2>&1 | grep -q '^Mail queue is empty'
}

#
# Sending, and the ledger every message goes into
#

# send PORT TAG ARGS... - smtpsend to PORT, tokens TAG.N; each line of
# its output goes to the ledger. $out holds the output, $rc the status,
# $code the first message's reply code. A -f in ARGS replaces the sender.
send() {
	_port=$1 _tag=$2
	shift 2
	"$smtpsend" -p "$_port" -t 15 -T -i "$_tag" -f sender@clean.example \
		-r rcpt@sink.test "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	cat "$tmp/out" >>"$ledger"
	code=$(printf '%s\n' "$out" | head -n 1 | cut -d ' ' -f 3)
	[ $rc -eq 0 ] || diag "smtpsend: $(cat "$tmp/err")"
}

# delivered TOKEN - the sink file holding the message TOKEN, if any
delivered() {
	grep -l -F "Message-ID: <$1@smtpsend.invalid>" "$sink"/* 2>/dev/null
}

# wait_delivered TOKEN - wait (up to 10 s) for TOKEN in the sink, if it
# was accepted; prints its file
wait_delivered() {
	grep -q "^$1 ms=[0-9]* 250 " "$ledger" &&
		wait_for 100 delivered "$1" && delivered "$1"
}

# header FILE NAME - the unfolded value of header NAME in FILE (the last
# one when there are several)
header() {
	awk -v name="$2" '
		/^$/ { exit }
		/^[ \t]/ { if (hit) { sub(/^[ \t]+/, " "); v = v $0 }; next }
		{ hit = 0 }
		tolower(substr($0, 1, length(name) + 1)) == tolower(name ":") {
			hit = 1; v = substr($0, length(name) + 2)
			sub(/^[ \t]+/, "", v)
		}
		END { print v }' "$1"
}

# headers FILE NAME - the unfolded value of every header NAME in FILE, one
# a line, in the order of the file
headers() {
	awk -v name="$2" '
		function flush() { if (hit) print v; hit = 0 }
		/^$/ { exit }
		/^[ \t]/ { if (hit) { sub(/^[ \t]+/, " "); v = v $0 }; next }
		{ flush() }
		tolower(substr($0, 1, length(name) + 1)) == tolower(name ":") {
			hit = 1; v = substr($0, length(name) + 2)
			sub(/^[ \t]+/, "", v)
		}
		END { flush() }' "$1"
}

# count_header FILE NAME - how many NAME headers FILE has
count_header() {
	sed '/^$/q' "$1" | grep -c -i "^$2:"
}

# reply_of TEXT - the reply in a line of send's output (no token, no ms=)
reply_of() {
	printf '%s\n' "$1" | sed 's/^[^ ]* ms=[0-9]* //'
}

# ms_of TEXT - the milliseconds in a line of send's output
ms_of() {
	printf '%s\n' "$1" | sed -n 's/^[^ ]* ms=\([0-9]*\) .*/\1/p'
}

# ledger_check REPLY... - go through the ledger: a message answered 250
# must be in the sink exactly once, one answered with one of the REPLYs
# (our refusals) must not be there, any other answer is wrong. Sets
# $nsent, $ndelivered, $nrefused and $bad (the wrong ones, or empty).
ledger_check() {
	nsent=0 ndelivered=0 nrefused=0 bad=
	while read -r tok _ms reply; do
		nsent=$((nsent + 1))
		case $reply in
		"250 "*)
			n=$(delivered "$tok" | wc -l)
			if [ "$n" -eq 1 ]; then
				ndelivered=$((ndelivered + 1))
			else
				bad="$bad $tok(accepted, $n in the sink)"
			fi
			continue
			;;
		esac
		for _r in "$@"; do
			[ "$reply" = "$_r" ] || continue
			if [ -z "$(delivered "$tok")" ]; then
				nrefused=$((nrefused + 1))
			else
				bad="$bad $tok(refused but delivered)"
			fi
			continue 2
		done
		bad="$bad $tok($reply)"
	done <"$ledger"
}

# todo REASON ASSERTION... - run ASSERTION (ok, is, like, ...) as a TAP
# TODO: its failure is reported with REASON but fails nothing; its pass
# shows as an unexpected pass (XPASS), the sign to drop the todo
todo() {
	_reason=$1 _failed=$tap_failed
	shift
	"$@" >"$tmp/todo.out"
	tap_failed=$_failed
	awk -v r="$_reason" 'NR == 1 { $0 = $0 " # TODO " r } { print }' \
		"$tmp/todo.out"
}

#
# repmilter
#

# milter_conf_base - the lines every test's repmilter.conf starts with:
# its socket (in Postfix's group), store, and unbound as its only server
milter_conf_base() {
	cat <<EOF
socket = unix:$sock
store = $store
user = ""
pid_file = ""
socket_group = postfix
dns_servers = 127.0.0.1:$port_dns
EOF
}

# start_milter - repmilter in the foreground, in the background, its
# stderr appended to the log; waits until it says it started (its socket
# is made by then, in Postfix's group: socket_group = postfix).
start_milter() {
	_n=$(started_count)
	"$repmilter" -f -c "$conf" >>"$mlog" 2>&1 &
	pid_milter=$!
	wait_for 100 milter_ready "$_n"
}

# started_count - how many times repmilter logged that it started
started_count() {
	if [ -f "$mlog" ]; then
		grep -c 'started: socket=' "$mlog"
	else
		echo 0
	fi
}

# milter_ready N - repmilter runs and has logged its start N+1 times
milter_ready() {
	kill -0 "$pid_milter" 2>/dev/null || return 2
	[ "$(started_count)" -gt "$1" ] && [ -S "$sock" ]
}

# reloaded_count - how many times repmilter logged a reload
reloaded_count() {
	grep -c 'configuration reloaded' "$mlog"
}

# milter_reload - SIGHUP, and wait (5 s at most) until repmilter says it
# reloaded its configuration
milter_reload() {
	_n=$(reloaded_count)
	kill -HUP "$pid_milter"
	wait_for 50 sh -c "[ \$(grep -c 'configuration reloaded' '$mlog') -gt $_n ]"
}

# mlog_for ADDR - repmilter's per-message log lines for client ADDR
mlog_for() {
	grep -F "[$1] " "$mlog" | grep -F ' client='
}
