#!/bin/sh
# test_postfix.sh - repmilter as the milter of Debian's Postfix, with real
# DNS servers, all on loopback. Emits TAP.
#
# The harness, all in one temporary directory:
#   rbldnsd (1)  bl.test (blocklist) and wl.test (allowlist)
#   rbldnsd (2)  bl2.test, the blocklist whose server stops answering
#   unbound      the one server repmilter asks: stub zones to the two
#                rbldnsd, local data for the other names, NXDOMAIN for
#                everything else (nothing leaves loopback)
#   Postfix      a private instance (postfix -c DIR): smtpd on two loopback
#                ports, one with repmilter as its milter and one without;
#                virtual(8) delivers to a maildir, the sink the test reads
#   repmilter    in the foreground, its log in a file
#   smtpsend     our SMTP client: XCLIENT sets each message's client
#
# Every message sent is written to a ledger; the last cases check that each
# was either delivered (found in the sink by its Message-ID) or refused with
# a reply we expect, and that Postfix's queue is empty.
#
# Needs root (Postfix's private instance), Postfix, unbound, rbldnsd and
# dig; skips otherwise. Set TEST_POSTFIX_KEEP=1 to keep the directory.

# shellcheck disable=SC2317 # functions run by trap and wait_for
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
# shellcheck source=tests/cli/tap.sh
. "$top_srcdir/tests/cli/tap.sh"

smtpsend="$top_builddir/tests/integration/smtpsend"
repctl="$top_builddir/tools/repctl"
repmilter="$top_builddir/milter/repmilter"

[ "$(id -u)" -eq 0 ] || skip_all "not root (a private Postfix instance needs it)"
for p in postfix postconf postqueue; do
	command -v $p >/dev/null 2>&1 || skip_all "postfix not installed"
done
for p in unbound rbldnsd dig; do
	command -v $p >/dev/null 2>&1 || skip_all "$p not installed"
done
if ! id postfix >/dev/null 2>&1 || ! getent group postdrop >/dev/null; then
	skip_all "no postfix user or postdrop group"
fi
[ -x "$smtpsend" ] || skip_all "$smtpsend not built"
[ -x "$repctl" ] || skip_all "$repctl not built"

LC_ALL=C
export LC_ALL
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_postfix.XXXXXX") || exit 1
tap_tmp=$tmp
chmod 755 "$tmp"

pid_rbl1='' pid_rbl2='' pid_unbound='' pid_milter=''
pf="$tmp/postfix"

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
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Postfix's programs run as postfix, deliveries and rbldnsd as nobody.
runuser -u nobody -- test -x "$tmp" 2>/dev/null ||
	skip_all "$tmp is not reachable by other users"

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

# Ports: SMTP with the milter, SMTP without, unbound, the two rbldnsd.
# shellcheck disable=SC2046
set -- $("$smtpsend" -P 5)
[ $# -eq 5 ] || { echo "Bail out! no free ports"; exit 1; }
port_smtp=$1 port_plain=$2 port_dns=$3 port_rbl1=$4 port_rbl2=$5

#
# DNS
#
dns="$tmp/dns"
mkdir "$dns"
# RFC 5782 probes: 127.0.0.2 listed, 127.0.0.1 not, in every zone.
printf '127.0.0.2\n192.0.2.66\n198.51.100.7\n' >"$dns/bl.txt"
printf '127.0.0.2\n198.51.100.7\n' >"$dns/wl.txt"
printf '127.0.0.2\n192.0.2.77\n192.0.2.78\n192.0.2.79\n' >"$dns/bl2.txt"
chmod 755 "$dns"
chmod 644 "$dns"/*.txt

# rbldnsd refuses to serve as root: -u nobody
rbldnsd -n -u nobody -b "127.0.0.1/$port_rbl1" -w "$dns" -c 0 -t 10 \
	bl.test:ip4set:bl.txt wl.test:ip4set:wl.txt >"$dns/rbl1.log" 2>&1 &
pid_rbl1=$!
rbldnsd -n -u nobody -b "127.0.0.1/$port_rbl2" -w "$dns" -c 0 -t 10 \
	bl2.test:ip4set:bl2.txt >"$dns/rbl2.log" 2>&1 &
pid_rbl2=$!

# write_unbound - unbound.conf. The test names live under .test and
# .example, which unbound serves itself by default; "." static answers
# NXDOMAIN for any other name instead of asking the root servers.
write_unbound() {
	cat >"$dns/unbound.conf" <<EOF
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
	local-zone: "bl.test." transparent
	local-zone: "wl.test." transparent
	local-zone: "bl2.test." transparent
	local-zone: "example." static
	local-data: "clean.example. 60 IN MX 10 mx.clean.example."
	local-data: "clean.example. 60 IN TXT \"v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip4:203.0.113.0/24 ~all\""
	local-data: "_dmarc.clean.example. 60 IN TXT \"v=DMARC1; p=none\""
	local-data: "mx.clean.example. 60 IN A 203.0.113.10"
	local-data: "mail.listed.example. 60 IN A 192.0.2.66"
	local-data: "mail.allowed.example. 60 IN A 198.51.100.7"
	local-data: "mail.denied.example. 60 IN A 192.0.2.9"
	local-zone: "2.0.192.in-addr.arpa." static
	local-data-ptr: "192.0.2.66 mail.listed.example."
	local-data-ptr: "192.0.2.9 mail.denied.example."
	local-zone: "100.51.198.in-addr.arpa." static
	local-data-ptr: "198.51.100.7 mail.allowed.example."
	local-zone: "113.0.203.in-addr.arpa." static
	local-data-ptr: "203.0.113.10 mx.clean.example."
stub-zone:
	name: "bl.test"
	stub-addr: 127.0.0.1@$port_rbl1
stub-zone:
	name: "wl.test"
	stub-addr: 127.0.0.1@$port_rbl1
stub-zone:
	name: "bl2.test"
	stub-addr: 127.0.0.1@$port_rbl2
EOF
}

# q NAME - the short A answer through unbound
q() {
	dig @127.0.0.1 -p "$port_dns" +short +time=1 +tries=1 "$1" A 2>&1
}

# q_status NAME - the answer's status (NOERROR, NXDOMAIN, ...)
q_status() {
	dig @127.0.0.1 -p "$port_dns" +time=1 +tries=1 "$1" A 2>&1 |
		sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}

# dns_ready - unbound answers a list zone (through rbldnsd)
dns_ready() {
	[ "$(q 2.0.0.127.bl.test)" = 127.0.0.2 ]
}

# start_unbound - unbound in the foreground, in the background; waits
# until it answers
start_unbound() {
	unbound -d -c "$dns/unbound.conf" >>"$dns/unbound.log" 2>&1 &
	pid_unbound=$!
	wait_for 50 dns_ready
}

write_unbound
unbound-checkconf "$dns/unbound.conf" >"$tap_tmp/out" 2>&1
ok $? "unbound accepts its configuration"
start_unbound
ok $? "unbound answers through rbldnsd"
is "$(q 66.2.0.192.bl.test)" 127.0.0.2 "DNS: a listed client is listed"
is "$(q_status 1.0.0.127.bl.test)" NXDOMAIN "DNS: 127.0.0.1 is not listed"
is "$(q 7.100.51.198.wl.test)" 127.0.0.2 "DNS: the allowlist lists its client"
is "$(q 2.0.0.127.bl2.test)" 127.0.0.2 "DNS: the second blocklist answers"
is "$(q mail.listed.example)" 192.0.2.66 "DNS: local data for other names"
is "$(q_status www.debian.org)" NXDOMAIN "DNS: no name outside the test"

#
# Postfix: a private instance
#
mkdir "$pf" "$tmp/spool" "$tmp/data" "$tmp/vmail" "$tmp/milter"
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
sock="$tmp/milter/repmilter.sock"
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
ok $? "postconf writes the private main.cf"
postfix -c "$pf" start >"$tap_tmp/out" 2>&1
rc=$?
ok $rc "the private Postfix starts"
[ $rc -eq 0 ] || diag "$(cat "$tap_tmp/out" "$tmp/maillog" 2>/dev/null)"

#
# Sending, and the ledger every message goes into
#
sink="$tmp/vmail/sink/new"
ledger="$tmp/ledger"
: >"$ledger"

# send PORT TAG ARGS... - smtpsend to PORT, tokens TAG.N; each line of
# its output goes to the ledger. $out holds the output, $rc the status,
# $code the first message's reply code.
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

# header FILE NAME - the unfolded value of header NAME in FILE
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

send "$port_plain" plain -x 203.0.113.10 -N mx.clean.example \
	-E mx.clean.example
is "$rc $code" "0 250" "Postfix alone accepts a message through XCLIENT"
f=$(wait_delivered plain.1)
ok $? "Postfix alone delivers it to the sink"
like "$(header "$f" Received)" \
	'^from mx\.clean\.example \(mx\.clean\.example \[203\.0\.113\.10\]\)' \
	"XCLIENT set the client the message was received from"

#
# repmilter
#
if [ ! -x "$repmilter" ]; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $repmilter not built"
	done_testing
fi

store="$tmp/rep.mdb"
conf="$tmp/repmilter.conf"
mlog="$tmp/repmilter.log"
reject_reply="550 5.7.1 repmilter-test: rejected as spam"
deny_reply="554 5.7.1 repmilter-test: denied by the operator"
tempfail_reply="451 4.7.1 repmilter-test: try again later"

# write_conf DRY_RUN - repmilter.conf. A client on bl.test or bl2.test
# scores 10, which rejects; wl.test allows and skips the other checks.
write_conf() {
	cat >"$conf" <<EOF
# repmilter.conf for test_postfix.sh
socket = unix:$sock
store = $store
user = ""
pid_file = ""
dns_servers = 127.0.0.1:$port_dns
dns_lists = bl.test*10, bl2.test*10, wl.test*-20
dns_allowlist_threshold = -10
dns_timeout = 500ms
dns_tries = 2
message_deadline = 2s
add_header_score = 5
tempfail_score = off
reject_score = 10
dry_run = $1
internal_networks = 192.0.2.255/32
socket_group = postfix
reject_reply = $reject_reply
tempfail_reply = $tempfail_reply
deny_reply = $deny_reply
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

# mlog_for ADDR - repmilter's per-message log lines for client ADDR
mlog_for() {
	grep -F "[$1] " "$mlog" | grep -F ' client='
}

write_conf no
run "$repmilter" -t -c "$conf"
is "$rc" 0 "repmilter -t accepts the test configuration"
[ "$rc" -eq 0 ] || diag "$out" "$err"
start_milter
ok $? "repmilter starts and makes its socket"

# reply_of TEXT - the reply in a line of send's output (no token, no ms=)
reply_of() {
	printf '%s\n' "$1" | sed 's/^[^ ]* ms=[0-9]* //'
}

# ms_of TEXT - the milliseconds in a line of send's output
ms_of() {
	printf '%s\n' "$1" | sed -n 's/^[^ ]* ms=\([0-9]*\) .*/\1/p'
}

#
# 1. A listed client: rejected at the end of DATA with our reply.
#
send "$port_smtp" listed -x 192.0.2.66 -N mail.listed.example \
	-E mail.listed.example
is "$(reply_of "$out")" "$reject_reply" \
	"listed client: rejected with the reject reply"
like "$(cat "$tmp/maillog")" \
	'milter-reject: END-OF-MESSAGE from mail\.listed\.example\[192\.0\.2\.66\]: 5\.7\.1 repmilter-test: rejected as spam' \
	"listed client: Postfix logs the reject at the end of DATA"
line=$(mlog_for 192.0.2.66)
like "$line" ' action=reject .*symbols=.*RBL_BL_TEST' \
	"listed client: one log line, action=reject, RBL_BL_TEST"
is "$(printf '%s\n' "$line" | wc -l)" 1 "listed client: exactly one log line"

#
# 2. A clean client: delivered, with our headers.
#
send "$port_smtp" clean -x 203.0.113.10 -N mx.clean.example \
	-E mx.clean.example -n 2
is "$(printf '%s\n' "$out" | cut -d ' ' -f 3 | tr '\n' ' ')" "250 250 " \
	"clean client: two messages accepted"
f=$(wait_delivered clean.1)
ok $? "clean client: delivered to the sink"
like "$(header "$f" X-Spam-Score)" '^-?[0-9]+\.[0-9]$' \
	"clean client: X-Spam-Score"
like "$(header "$f" X-Spam-Status)" '^No, score=-?[0-9.]+ required=5\.0 tests=' \
	"clean client: X-Spam-Status: No, score=..."
is "$(header "$f" X-Spam-Flag)" "" "clean client: no X-Spam-Flag"
like "$(mlog_for 203.0.113.10 | tail -n 1)" ' action=accept ' \
	"clean client: logged as accepted"
like "$(mlog_for 203.0.113.10 | tail -n 1)" ' from=<sender@clean\.example> ' \
	"clean client: the sender is logged in one pair of brackets"
qid=$(printf '%s\n' "$out" | sed -n 's/^clean\.1 .* queued as \([0-9A-F]*\)$/\1/p')
like "$(mlog_for 203.0.113.10)" "^(.* )?$qid: client=" \
	"clean client: the log line starts with the Postfix queue id"

# count_header FILE NAME - how many NAME headers FILE has
count_header() {
	sed '/^$/q' "$1" | grep -c -i "^$2:"
}

# A message from a file, carrying forged copies of our headers (and a line
# starting with a dot): only ours arrive, and the body arrives intact.
cat >"$tmp/forged.eml" <<'EOF'
From: <sender@clean.example>
To: <rcpt@sink.test>
Subject: forged headers
Message-ID: <forged.1@smtpsend.invalid>
X-Spam-Flag: YES
X-Spam-Status: Yes, score=99.0 required=5.0 tests=FORGED
X-Spam-Score: 99.0
X-Spam-Status: No, score=-99.0 required=5.0 tests=FORGED_TOO

.a line starting with a dot
the end
EOF
send "$port_smtp" forged -x 203.0.113.10 -N mx.clean.example \
	-E mx.clean.example -m "$tmp/forged.eml"
is "$code" 250 "forged headers: accepted"
f=$(wait_delivered forged.1)
ok $? "forged headers: delivered"
is "$(count_header "$f" X-Spam-Status) $(count_header "$f" X-Spam-Score) $(count_header "$f" X-Spam-Flag)" \
	"1 1 0" "forged headers: one X-Spam-Status and X-Spam-Score, no X-Spam-Flag"
unlike "$(sed '/^$/q' "$f")" 'FORGED|99\.0' "forged headers: none of the forged values is left"
is "$(sed '1,/^$/d' "$f")" ".a line starting with a dot
the end" "forged headers: the body arrives as sent"

#
# 3. An allowlisted client (on bl.test too): delivered; the lists do not
# count.
#
send "$port_smtp" allowed -x 198.51.100.7 -N mail.allowed.example \
	-E mail.allowed.example
is "$code" 250 "allowlisted client: accepted though on a blocklist"
f=$(wait_delivered allowed.1)
ok $? "allowlisted client: delivered"
like "$(header "$f" X-Spam-Status)" '^No, ' \
	"allowlisted client: X-Spam-Status: No"
line=$(mlog_for 198.51.100.7)
like "$line" 'skipped=allowlist' "allowlisted client: logged skipped=allowlist"
like "$line" 'RWL_WL_TEST' "allowlisted client: logged with RWL_WL_TEST"
# policy.h rule 4: at the allowlist threshold "the other checks [are]
# skipped"; DESIGN section 3: allowlisted clients skip scoring
unlike "$(header "$f" X-Spam-Status)" 'RBL_BL_TEST' \
	"allowlisted client: the blocklist is not scored"

#
# 4. An operator deny in the store: rejected with the deny reply.
#
run "$repctl" --db "$store" deny 192.0.2.9 --reason "test deny"
is "$rc" 0 "repctl deny writes the store repmilter has open"
send "$port_smtp" denied -x 192.0.2.9 -N mail.denied.example \
	-E mail.denied.example
is "$(reply_of "$out")" "$deny_reply" "denied client: rejected with the deny reply"
like "$(mlog_for 192.0.2.9 | tail -n 1)" ' override=deny:192\.0\.2\.9 reason="test deny" ' \
	"denied client: the log names the deny and its reason"
like "$(mlog_for 192.0.2.9)" 'action=reject' "denied client: logged as rejected"

#
# 5. The server of bl2.test stops answering: mail still flows, within the
# deadline, and the log names the list that timed out. Each message comes
# from another client listed on bl2.test, so that no answer is cached.
#
kill -STOP "$pid_rbl2"
for i in 77 78 79; do
	send "$port_smtp" dead$i -x 192.0.2.$i -N mail.clean.example \
		-E mail.clean.example
	is "$code" 250 "bl2.test silent: 192.0.2.$i accepted (not listed)"
	ms=$(ms_of "$out")
	ok "$([ "${ms:-99999}" -lt 3000 ] && echo 0 || echo 1)" \
		"bl2.test silent: answered in ${ms} ms, under the deadline + 1 s"
	like "$(mlog_for 192.0.2.$i)" 'timeouts=[^ ]*bl2\.test' \
		"bl2.test silent: the log says bl2.test timed out"
done
f=$(wait_delivered dead79.1)
ok $? "bl2.test silent: delivered"
like "$(header "$f" X-Spam-Status)" '^No, ' "bl2.test silent: X-Spam-Status: No"
kill -CONT "$pid_rbl2"
# unbound now backs off from that server: start it afresh
stop "$pid_unbound"
start_unbound
ok $? "unbound restarted after bl2.test came back"

#
# 6. repmilter dies: Postfix answers with milter_default_action (tempfail);
# restarted, it takes mail again.
#
kill -KILL "$pid_milter"
wait "$pid_milter" 2>/dev/null
pid_milter=
send "$port_smtp" killed -x 203.0.113.10 -N mx.clean.example \
	-E mx.clean.example -n 2
is "$(printf '%s\n' "$out" | cut -d ' ' -f 3 | tr '\n' ' ')" "451 451 " \
	"milter dead: both messages tempfailed (4xx)"
start_milter
ok $? "repmilter restarts on its stale socket"
send "$port_smtp" again -x 203.0.113.10 -N mx.clean.example \
	-E mx.clean.example
is "$code" 250 "milter back: mail accepted again"
f=$(wait_delivered again.1)
ok $? "milter back: delivered"
like "$(header "$f" X-Spam-Status)" '^No, ' "milter back: scored again"

#
# Dry run: after a reload (SIGHUP), a listed client is delivered marked as
# spam, not rejected.
#
write_conf yes
n0=$(grep -c 'configuration reloaded' "$mlog")
kill -HUP "$pid_milter"
wait_for 50 sh -c "[ \$(grep -c 'configuration reloaded' '$mlog') -gt $n0 ]"
ok $? "dry run: SIGHUP reloads the configuration"
send "$port_smtp" dry -x 192.0.2.66 -N mail.listed.example \
	-E mail.listed.example
is "$code" 250 "dry run: the listed client is accepted"
f=$(wait_delivered dry.1)
ok $? "dry run: delivered"
like "$(header "$f" X-Spam-Status)" '^Yes, score=[0-9.]+ required=5\.0 tests=.*RBL_BL_TEST' \
	"dry run: X-Spam-Status: Yes with RBL_BL_TEST"
is "$(header "$f" X-Spam-Flag)" YES "dry run: X-Spam-Flag: YES"
like "$(mlog_for 192.0.2.66 | tail -n 1)" 'action=reject dry_run=yes' \
	"dry run: logged as a reject not carried out"

#
# 7. None vanished: every message in the ledger was delivered once or
# refused with a reply we expect, nothing else is in the sink, and
# Postfix's queue is empty.
#
# queue_empty - postqueue says so
queue_empty() {
	postqueue -c "$pf" -p 2>&1 | grep -q '^Mail queue is empty'
}
wait_for 100 queue_empty
ok $? "Postfix's queue is empty"
nsent=0 ndelivered=0 nrefused=0 bad=
while read -r tok ms reply; do
	nsent=$((nsent + 1))
	case $reply in
	"250 "*)
		n=$(delivered "$tok" | wc -l)
		if [ "$n" -eq 1 ]; then
			ndelivered=$((ndelivered + 1))
		else
			bad="$bad $tok(accepted, $n in the sink)"
		fi
		;;
	"$reject_reply" | "$deny_reply" | \
		"451 4.7.1 Service unavailable - try again later")
		if [ -z "$(delivered "$tok")" ]; then
			nrefused=$((nrefused + 1))
		else
			bad="$bad $tok(refused but delivered)"
		fi
		;;
	*) bad="$bad $tok($reply)" ;;
	esac
done <"$ledger"
is "${bad:-none}" none "every message delivered once or refused by us"
# plain 1, listed 1, clean 2, forged 1, allowed 1, denied 1, dead 3,
# killed 2, again 1, dry 1
is "$nsent" 14 "14 messages sent, each with a final reply"
is "$((ndelivered + nrefused))" "$nsent" "delivered ($ndelivered) + refused ($nrefused) = sent"
is "$(find "$sink" -type f | wc -l)" "$ndelivered" "the sink holds nothing else"
# all but the one sent without the milter and the two while it was dead
is "$(grep -c ' client=.* action=' "$mlog")" 11 \
	"repmilter logged one line for each of the 11 messages it saw"

if [ "$tap_failed" -gt 0 ]; then
	diag "repmilter log:" "$(tail -n 40 "$mlog")"
	diag "Postfix log:" "$(tail -n 40 "$tmp/maillog")"
fi
done_testing
