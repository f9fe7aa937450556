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
# The harness itself (ports, servers, Postfix, repmilter, sending, the
# ledger) is in harness.sh, shared with test_postfix_auth.sh.
#
# Needs root (Postfix's private instance), Postfix, unbound, rbldnsd and
# dig; skips otherwise. Set TEST_POSTFIX_KEEP=1 to keep the directory.

# shellcheck disable=SC2317 # hooks run by harness.sh
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
# shellcheck source=tests/integration/harness.sh
. "$top_srcdir/tests/integration/harness.sh"

harness_require
harness_init test_postfix
harness_ports

#
# DNS
#
# RFC 5782 probes: 127.0.0.2 listed, 127.0.0.1 not, in every zone.
printf '127.0.0.2\n192.0.2.66\n198.51.100.7\n' >"$dns/bl.txt"
printf '127.0.0.2\n198.51.100.7\n' >"$dns/wl.txt"
printf '127.0.0.2\n192.0.2.77\n192.0.2.78\n192.0.2.79\n' >"$dns/bl2.txt"
start_rbldnsd pid_rbl1 "$port_rbl1" rbl1 \
	bl.test:ip4set:bl.txt wl.test:ip4set:wl.txt
start_rbldnsd pid_rbl2 "$port_rbl2" rbl2 bl2.test:ip4set:bl2.txt

# unbound_zones - this test's part of unbound.conf (see write_unbound)
unbound_zones() {
	cat <<EOF
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

# dns_ready - unbound answers a list zone (through rbldnsd)
dns_ready() {
	[ "$(q 2.0.0.127.bl.test)" = 127.0.0.2 ]
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
postfix_configure
ok $? "postconf writes the private main.cf"
postfix_start
ok $rc "the private Postfix starts"

#
# Sending: send, wait_delivered, header (harness.sh)
#
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

reject_reply="550 5.7.1 repmilter-test: rejected as spam"
deny_reply="554 5.7.1 repmilter-test: denied by the operator"
tempfail_reply="451 4.7.1 repmilter-test: try again later"

# write_conf DRY_RUN - repmilter.conf. A client on bl.test or bl2.test
# scores 10, which rejects; wl.test allows and skips the other checks.
write_conf() {
	{
		echo "# repmilter.conf for test_postfix.sh"
		milter_conf_base
		cat <<EOF
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
reject_reply = $reject_reply
tempfail_reply = $tempfail_reply
deny_reply = $deny_reply
EOF
	} >"$conf"
}

write_conf no
run "$repmilter" -t -c "$conf"
is "$rc" 0 "repmilter -t accepts the test configuration"
[ "$rc" -eq 0 ] || diag "$out" "$err"
start_milter
ok $? "repmilter starts and makes its socket"

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
milter_reload
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
wait_for 100 queue_empty
ok $? "Postfix's queue is empty"
ledger_check "$reject_reply" "$deny_reply" \
	"451 4.7.1 Service unavailable - try again later"
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
