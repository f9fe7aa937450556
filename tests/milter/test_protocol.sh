#!/bin/sh
# test_protocol.sh - repmilter driven over its socket by our own MTA-side
# client (miltersend), with Debian's rbldnsd serving the DNS lists on
# loopback and a real store. No MTA. Emits TAP.

top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/cli/tap.sh"

repmilter="$top_builddir/milter/repmilter"
repctl="$top_builddir/tools/repctl"
send="$top_builddir/tests/milter/miltersend"
rbldnsd=/usr/sbin/rbldnsd
[ -x "$rbldnsd" ] || skip_all "rbldnsd not installed"
for p in "$repmilter" "$repctl" "$send"; do
	[ -x "$p" ] || skip_all "$p not built"
done

LC_ALL=C
export LC_ALL
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_protocol.XXXXXX") || exit 1
dns_pid=
mpid=
cleanup() {
	[ -n "$mpid" ] && kill -9 "$mpid" 2>/dev/null
	[ -n "$dns_pid" ] && kill -CONT "$dns_pid" 2>/dev/null &&
		kill "$dns_pid" 2>/dev/null
	wait 2>/dev/null
	[ -n "$KEEP" ] || rm -rf "$tap_tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

#
# DNS: a blocklist, an allowlist, a list that answers everything (its
# probe must disable it), one with an error code, an IPv6 list and a
# domain list.
#
cat >"$tap_tmp/bl.txt" <<'EOF2'
:127.0.0.2:Listed
127.0.0.2
192.0.2.66
192.0.2.67
198.51.100.8
192.0.2.77 :127.255.255.254:Open resolver
192.0.2.78 :10.0.0.1:Lost zone
EOF2
cat >"$tap_tmp/wl.txt" <<'EOF2'
:127.0.0.2:Allowed
127.0.0.2
198.51.100.7
198.51.100.8
EOF2
cat >"$tap_tmp/all.txt" <<'EOF2'
:127.0.0.2:Everything
0.0.0.0/0
EOF2
cat >"$tap_tmp/bl6.txt" <<'EOF2'
:127.0.0.2:Listed
::ffff:7f00:2
2001:db8::66
EOF2
# flip.test lacks its probe entry until the test adds it
echo 192.0.2.50 >"$tap_tmp/flip.txt"
cat >"$tap_tmp/dbl.txt" <<'EOF2'
:127.0.1.2:Bad domain
test
bad.example
EOF2
chmod 755 "$tap_tmp"
chmod 644 "$tap_tmp"/*.txt
user=
[ "$(id -u)" -eq 0 ] && user="-u nobody"

up=1
for try in 1 2 3 4 5; do
	port=$(awk -v s="$$$try" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
	# shellcheck disable=SC2086
	"$rbldnsd" -n $user -b "127.0.0.1/$port" -w "$tap_tmp" -c 1 \
		bl.test:ip4set:bl.txt wl.test:ip4set:wl.txt \
		all.test:ip4trie:all.txt bl6.test:ip6trie:bl6.txt \
		dbl.test:dnset:dbl.txt flip.test:ip4set:flip.txt \
		>"$tap_tmp/rbldnsd.log" 2>&1 &
	dns_pid=$!
	i=0
	while [ $i -lt 50 ]; do
		kill -0 "$dns_pid" 2>/dev/null || break
		dig @127.0.0.1 -p "$port" +short +time=1 +tries=1 \
			2.0.0.127.bl.test A 2>/dev/null | grep -q 127 && up=0 && break
		sleep 0.1
		i=$((i + 1))
	done
	[ $up -eq 0 ] && break
	kill "$dns_pid" 2>/dev/null
	wait "$dns_pid" 2>/dev/null
	dns_pid=
done
ok $up "rbldnsd serves the test lists on 127.0.0.1/$port"
[ $up -eq 0 ] || done_testing

sock="unix:$tap_tmp/milter.sock"
conf="$tap_tmp/repmilter.conf"
log="$tap_tmp/repmilter.log"
db="$tap_tmp/rep.mdb"

# config EXTRA... - write the configuration with extra lines
config() {
	{
		echo "socket = $sock"
		echo "store = $db"
		echo 'user = ""'
		echo 'pid_file = ""'
		echo "dns_servers = 127.0.0.1:$port"
		echo "dns_lists = bl.test*20, wl.test*-10, all.test*30, bl6.test*20, flip.test*6"
		echo "dns_domain_lists = dbl.test*7"
		echo "dns_timeout = 400ms"
		echo "dns_tries = 1"
		echo "message_deadline = 1s"
		echo "internal_networks = 203.0.113.0/24"
		echo "reject_reply = ${reject_reply:-550 5.7.1 Rejected by the test}"
		echo "deny_reply = 550 5.7.1 Denied by the operator"
		echo "observe_interval = 100ms"
		echo "authserv_id = mx.test.example"
		for line in "$@"; do
			echo "$line"
		done
	} >"$conf"
}

# start - repmilter in the foreground; wait for its socket and probes
start() {
	"$repmilter" -f -c "$conf" >>"$log" 2>&1 &
	mpid=$!
	i=0
	while [ $i -lt 50 ] && [ ! -S "$tap_tmp/milter.sock" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# the probes run at start; give them their round trip
	sleep 0.5
}

# stop - SIGTERM; the status of the process
stop() {
	kill -TERM "$mpid"
	wait "$mpid"
	stopped=$?
	mpid=
}

# msg ARGS... - one message through miltersend; output in $out
msg() {
	run "$send" -s "$sock" "$@"
}

config
run "$repmilter" -t -c "$conf"
is "$rc" 0 "-t accepts a good configuration"
run "$repmilter" -n -c "$conf"
like "$out" "^dns_servers = 127.0.0.1:$port$" "-n prints the effective configuration"
printf 'socket = unix:/x\nbogus = 1\nreject_score = high\n' >"$tap_tmp/bad.conf"
run "$repmilter" -t -c "$tap_tmp/bad.conf"
ok $((rc == 0)) "-t refuses a bad configuration"
like "$err" "bad.conf:2:.*bogus" "the error names the file, line and key"
like "$err" "bad.conf:3:.*reject_score" "every bad line is reported"
run "$repmilter" -x
is "$rc" 2 "an unknown option is a usage error"

start
like "$(cat "$log")" "started: socket=$sock" "repmilter starts and logs its socket"

msg -c 192.0.2.66
like "$out" "^verdict: reject$" "a listed client is rejected"
like "$out" "^reply: 550 5.7.1 Rejected by the test$" "with our code and text"

msg -c 192.0.2.1
like "$out" "^verdict: accept$" "a clean client is accepted"
like "$out" "^add-header: X-Spam-Score: " "with X-Spam-Score"
like "$out" "^add-header: X-Spam-Status: No, score=[-0-9.]+ required=5.0 tests=" "and X-Spam-Status"
unlike "$out" "X-Spam-Flag" "and no X-Spam-Flag"

msg -c 198.51.100.7
like "$out" "RWL_WL_TEST" "an allowlisted client carries the allowlist symbol"

msg -c 192.0.2.77
like "$out" "^verdict: accept$" "an error code (127.255.255.254) is not a listing"
msg -c 192.0.2.78
like "$out" "^verdict: accept$" "an answer outside 127/8 is not a listing"
like "$(cat "$log")" "zone=bl.test .*127.255.255.254.*error code" "the error code is logged"
like "$(cat "$log")" "zone=bl.test .*10.0.0.1.*outside 127.0.0.0/8" "the answer outside 127/8 is logged"

like "$(cat "$log")" "zone=all.test kind=ip disabled: probe failed: lists-all" \
	"a list that answers everything is disabled at start"
unlike "$(cat "$log")" "zone=bl.test kind=ip disabled" "a good list stays enabled"

msg -c 2001:db8::66
like "$out" "^verdict: reject$" "an IPv6 client is looked up by nibbles"

msg -c 192.0.2.2 -f someone@bad.example
like "$out" "^add-header: X-Spam-Status: Yes, score=7.0 .*tests=DBL_DBL_TEST_FROM" \
	"the sender domain is looked up on domain lists"
like "$out" "^add-header: X-Spam-Flag: YES$" "spam is flagged"
msg -c 192.0.2.3 -H bad.example
like "$out" "tests=DBL_DBL_TEST_HELO" "the HELO name is looked up on domain lists"

"$repctl" --db "$db" deny 192.0.2.99 --reason "test deny" >/dev/null
msg -c 192.0.2.99
like "$out" "^reply: 550 5.7.1 Denied by the operator$" "a deny in the store rejects"
"$repctl" --db "$db" allow 192.0.2.66 --reason "test allow" >/dev/null
msg -c 192.0.2.66
like "$out" "^verdict: accept$" "an allow in the store beats a listing"

# A reject that one partner's listing alone brings about is held back;
# two partners listing the client reject it (DESIGN.md section 5).
printf '192.0.2.150\n192.0.2.151\n' >"$tap_tmp/isp-a.txt"
printf '192.0.2.151\n' >"$tap_tmp/isp-b.txt"
for p in isp-a isp-b; do
	"$repctl" --db "$db" import --format cidr --publisher "$p" \
		--category bot --confidence 100 "$tap_tmp/$p.txt" >/dev/null
done
config "reputation_weight = 5"
kill -HUP "$mpid"
sleep 0.5
msg -c 192.0.2.150
unlike "$out" "^verdict: reject$" "one partner alone does not reject"
like "$out" "X-Spam-Flag: YES" "it flags the message instead"
like "$(cat "$log")" "192\.0\.2\.150.*action=add-header held_back=one-partner" \
	"and the log says the reject was held back"
msg -c 192.0.2.151
like "$out" "^verdict: reject$" "two partners listing the client reject it"
config
kill -HUP "$mpid"
sleep 0.5

msg -c 192.0.2.67 -a alice
like "$out" "^verdict: accept$" "an authenticated client is accepted"
unlike "$out" "add-header" "and not scored"
msg -c 203.0.113.5
unlike "$out" "add-header" "an internal network is not scored"

printf 'X-Spam-Status: No, forged\r\nX-Spam-Flag: NO\r\nSubject: x\r\n\r\nbody\r\n' >"$tap_tmp/forged.eml"
msg -c 192.0.2.4 "$tap_tmp/forged.eml"
like "$out" "^change-header: X-Spam-Status\[1\]: $" "an incoming X-Spam-Status is removed"
like "$out" "^change-header: X-Spam-Flag\[1\]: $" "an incoming X-Spam-Flag is removed"

# Authentication-Results: ours on top; an incoming one claiming our
# authserv-id is removed (the second of that name here), another kept
printf 'Authentication-Results: other.example; spf=pass\r\nAuthentication-Results: (c) MX.test.example; dkim=pass\r\nSubject: x\r\n\r\nbody\r\n' >"$tap_tmp/ar.eml"
msg -c 192.0.2.4 "$tap_tmp/ar.eml"
like "$out" "^add-header: Authentication-Results: mx.test.example;" "our Authentication-Results is added"
like "$out" "^change-header: Authentication-Results\[2\]: $" "an incoming one claiming our authserv-id is removed"
unlike "$out" "^change-header: Authentication-Results\[1\]" "another authserv-id's is kept"
msg -c 192.0.2.4 -a alice "$tap_tmp/ar.eml"
like "$out" "^change-header: Authentication-Results\[2\]: $" \
	"a forged one is removed from an authenticated client's mail too"
unlike "$out" "add-header" "which gets no headers of ours"

msg -c 192.0.2.5 -k 5
is "$(echo "$out" | grep -c '^verdict: accept$')" 5 "five messages on one connection"

# reload: a new reply text; then a bad file is refused and the old kept
reject_reply="550 5.7.1 Reloaded text"
config
kill -HUP "$mpid"
sleep 0.5
msg -c 192.0.2.67
like "$out" "^reply: 550 5.7.1 Reloaded text$" "SIGHUP reloads the configuration"
echo "reject_score = nonsense" >>"$conf"
kill -HUP "$mpid"
sleep 0.5
like "$(cat "$log")" "reload refused" "a bad configuration is refused on SIGHUP"
msg -c 192.0.2.67
like "$out" "^reply: 550 5.7.1 Reloaded text$" "and the running one is kept"

# thresholds and dry run
reject_reply=
config "dry_run = yes"
kill -HUP "$mpid"
sleep 0.5
msg -c 192.0.2.67
like "$out" "^verdict: accept$" "dry run accepts a listed client"
like "$out" "X-Spam-Status: Yes" "and marks it as spam"
like "$(cat "$log")" "action=reject dry_run=yes" "the log says what it would have done"
config "tempfail_score = 10" "reject_score = 25"
kill -HUP "$mpid"
sleep 0.5
msg -c 192.0.2.67
like "$out" "^verdict: tempfail$" "a score between the thresholds is tempfailed"
like "$out" "^reply: 451 4.7.1 " "with a 4xx reply"
config "dns_allowlist_threshold = -5"
kill -HUP "$mpid"
sleep 0.5
msg -c 198.51.100.8
like "$out" "^verdict: accept$" "the allowlist threshold skips a blocklisting"
like "$(cat "$log")" "198.51.100.8.*skipped=allowlist" "and the log says why"

# a list that fails its probe is disabled, and enabled again once a
# periodic probe passes (probes every second, answers cached 1 s at most)
like "$(cat "$log")" "zone=flip.test kind=ip disabled: probe failed: not-listing" \
	"a list without its RFC 5782 test entry is disabled"
msg -c 192.0.2.50
unlike "$out" "RBL_FLIP_TEST" "a disabled list is not asked"
config "dns_probe_interval = 1" "dns_cache_max_ttl = 1" "dns_cache_min_ttl = 0"
kill -HUP "$mpid"
sleep 1.2 # rbldnsd compares modification times to the second
printf '127.0.0.2\n192.0.2.50\n' >"$tap_tmp/flip.txt"
i=0
while [ $i -lt 80 ] &&
	! grep -q "zone=flip.test kind=ip enabled: probe passed" "$log"; do
	sleep 0.1
	i=$((i + 1))
done
like "$(cat "$log")" "zone=flip.test kind=ip enabled: probe passed" \
	"it is enabled again, loudly, when a later probe passes"
msg -c 192.0.2.50
like "$out" "tests=.*RBL_FLIP_TEST" "and scores again"

# a reload with the same DNS settings keeps the resolver and its cache:
# with the DNS server stopped, a client asked before the reload is still
# found on bl.test
config
kill -HUP "$mpid"
sleep 0.5
msg -c 192.0.2.67
like "$out" "^verdict: reject$" "a listed client is looked up (and its answers cached)"
config
kill -HUP "$mpid"
sleep 0.5 # the reload's probes bypass the cache: let them finish
kill -STOP "$dns_pid"
msg -c 192.0.2.67
kill -CONT "$dns_pid"
like "$out" "^verdict: reject$" \
	"after a reload the cached answers still count (the DNS server is stopped)"
like "$(grep 'client=.*192\.0\.2\.67' "$log" | tail -n 1)" "symbols=.*RBL_BL_TEST" \
	"the log shows the listing found in the cache"

# a DNS server that stops answering: mail flows within the deadline
config
kill -HUP "$mpid"
sleep 0.5
kill -STOP "$dns_pid"
t0=$(date +%s%N)
msg -c 192.0.2.200
t1=$(date +%s%N)
like "$out" "^verdict: accept$" "a dead DNS server leaves mail flowing"
ms=$(((t1 - t0) / 1000000))
ok $((ms > 2000)) "within the deadline and a margin (${ms} ms)"
like "$(cat "$log")" "client=.*192.0.2.200.* timeouts=([a-z0-9.-]+,)*bl.test" "the log names the list that timed out"
kill -CONT "$dns_pid"

stop
is "$stopped" 0 "SIGTERM ends repmilter cleanly"
like "$(cat "$log")" "stopped" "and it says so"
run "$repctl" --db "$db" show 192.0.2.1
like "$out" "ham" "the verdicts were stored as observations"

done_testing
