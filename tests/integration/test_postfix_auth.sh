#!/bin/sh
# test_postfix_auth.sh - sender authentication (SPF, DKIM, DMARC and the
# Authentication-Results header) with repmilter as the milter of Debian's
# Postfix, all on loopback. Emits TAP.
#
# The harness (harness.sh, shared with test_postfix.sh), all in one
# temporary directory:
#   unbound      the one server repmilter asks: SPF, DKIM key and DMARC
#                records of the test domains as local data; the zone
#                tempfail.example stubbed to rbldnsd, which is not its
#                server and answers REFUSED, so unbound answers SERVFAIL
#                at once (a deterministic DNS temporary error)
#   rbldnsd      that server (a dummy list zone of its own)
#   Postfix      a private instance, repmilter as its milter, virtual(8)
#                delivering to a maildir, the sink the test reads
#   repmilter    in the foreground, its log in a file
#   smtpsend     our SMTP client: XCLIENT sets each message's client
#   dkimsign     Debian's python3-dkim signs the test messages with keys
#                made at test time (openssl): rsa-sha256 with RSA-2048 and
#                ed25519-sha256 (Debian's opendkim-testmsg makes broken
#                signatures, DESIGN section 8)
#
# The test domains:
#   signed.example  SPF 198.51.100.0/24 -all, keys rsa and ed, DMARC
#                   p=reject
#   other.example   SPF 203.0.113.0/24 -all, key rsa, DMARC p=none
#   tempfail.example  every lookup SERVFAILs
#   slow1.example, slow2.example  asked only while unbound is stopped
#
# Every message sent is written to a ledger; the last cases check that each
# was either delivered once or refused with one of our replies, and that
# Postfix's queue is empty.
#
# Needs root, Postfix, unbound, rbldnsd, dig, openssl and Debian's
# python3-dkim (dkimsign, with python3-nacl for ed25519); skips otherwise.
# Set TEST_POSTFIX_KEEP=1 to keep the directory.

# shellcheck disable=SC2317 # hooks run by harness.sh
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
# shellcheck source=tests/integration/harness.sh
. "$top_srcdir/tests/integration/harness.sh"

harness_require
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
dkimsign=$(command -v dkimsign 2>/dev/null) ||
	skip_all "dkimsign not installed (Debian's python3-dkim)"
# dkimsign's own interpreter: a python3 earlier in PATH may lack the module
dkimpy=$(sed -n '1s/^#![ ]*\([^ ]*\).*/\1/p' "$dkimsign")
"${dkimpy:-python3}" -c 'import dkim, nacl' >/dev/null 2>&1 ||
	skip_all "python3-dkim or python3-nacl not importable by $dkimsign"
[ -x "$repmilter" ] || skip_all "$repmilter not built"

harness_init test_postfix_auth
harness_ports

#
# Keys, made now: RSA-2048 (dkimpy wants PKCS#1, hence -traditional) and
# Ed25519 (dkimpy wants the base64 seed; the record the raw public key).
#
keys="$tmp/keys"
mkdir "$keys"

# make_keys - the key files in $keys, the public keys in $rsa_pub and
# $ed_pub (base64)
make_keys() {
	openssl genrsa -traditional -out "$keys/rsa.pem" 2048 \
		>/dev/null 2>&1 || return 1
	rsa_pub=$(openssl rsa -in "$keys/rsa.pem" -pubout -outform DER \
		2>/dev/null | base64 -w 0)
	openssl genpkey -algorithm ed25519 -out "$keys/ed.pem" \
		>/dev/null 2>&1 || return 1
	openssl pkey -in "$keys/ed.pem" -outform DER | tail -c 32 |
		base64 >"$keys/ed.key"
	ed_pub=$(openssl pkey -in "$keys/ed.pem" -pubout -outform DER |
		tail -c 32 | base64 -w 0)
	[ -n "$rsa_pub" ] && [ -n "$ed_pub" ] && [ -s "$keys/ed.key" ]
}
make_keys || skip_all "openssl cannot make the RSA and Ed25519 test keys"

# txt_strings TEXT - TEXT as DNS character-strings of at most 200 bytes,
# quoted, for a TXT record in unbound.conf
txt_strings() {
	printf '%s\n' "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' '
}

#
# DNS
#
# rbldnsd serves a dummy zone; for tempfail.example it is no server and
# answers REFUSED
printf '127.0.0.2\n' >"$dns/dummy.txt"
start_rbldnsd pid_rbl1 "$port_rbl1" rbl1 dummy.test:ip4set:dummy.txt

# unbound_zones - this test's part of unbound.conf (see write_unbound)
unbound_zones() {
	cat <<EOF
	local-zone: "example." static
	local-data: 'signed.example. 60 IN TXT "v=spf1 ip4:198.51.100.0/24 -all"'
	local-data: 'rsa._domainkey.signed.example. 60 IN TXT $(txt_strings "v=DKIM1; k=rsa; p=$rsa_pub")'
	local-data: 'ed._domainkey.signed.example. 60 IN TXT "v=DKIM1; k=ed25519; p=$ed_pub"'
	local-data: '_dmarc.signed.example. 60 IN TXT "v=DMARC1; p=reject"'
	local-data: 'other.example. 60 IN TXT "v=spf1 ip4:203.0.113.0/24 -all"'
	local-data: 'rsa._domainkey.other.example. 60 IN TXT $(txt_strings "v=DKIM1; k=rsa; p=$rsa_pub")'
	local-data: '_dmarc.other.example. 60 IN TXT "v=DMARC1; p=none"'
	local-zone: "tempfail.example." transparent
	local-zone: "dummy.test." transparent
stub-zone:
	name: "tempfail.example"
	stub-addr: 127.0.0.1@$port_rbl1
stub-zone:
	name: "dummy.test"
	stub-addr: 127.0.0.1@$port_rbl1
EOF
}

# dns_ready - unbound answers from its local data and through rbldnsd
dns_ready() {
	dig_short signed.example TXT | grep -q 'v=spf1' &&
		[ "$(q 2.0.0.127.dummy.test)" = 127.0.0.2 ]
}

write_unbound
unbound-checkconf "$dns/unbound.conf" >"$tap_tmp/out" 2>&1
rc=$?
ok $rc "unbound accepts its configuration"
[ $rc -eq 0 ] || diag "$(cat "$tap_tmp/out")"
start_unbound
ok $? "unbound answers"
is "$(dig_short signed.example TXT)" '"v=spf1 ip4:198.51.100.0/24 -all"' \
	"DNS: the SPF record of signed.example"
like "$(dig_short rsa._domainkey.signed.example TXT | tr -d '" ')" \
	"^v=DKIM1;k=rsa;p=$(printf '%s' "$rsa_pub" | cut -c 1-40)" \
	"DNS: the RSA key record, in several strings"
is "$(dig_short _dmarc.signed.example TXT)" '"v=DMARC1; p=reject"' \
	"DNS: the DMARC record of signed.example"
is "$(dig_status tempfail.example TXT)" SERVFAIL \
	"DNS: tempfail.example fails (SERVFAIL)"
is "$(dig_status www.debian.org A)" NXDOMAIN "DNS: no name outside the test"

#
# Postfix and repmilter
#
postfix_configure
ok $? "postconf writes the private main.cf"
postfix_start
ok $rc "the private Postfix starts"

authserv_id=mx.auth-test.invalid
id_re='mx\.auth-test\.invalid'
reject_reply="550 5.7.1 repmilter-auth-test: rejected"
# the default of spf_temperror_reply (repmilter.conf(5))
spf_temperror_reply="451 4.4.3 Temporary error checking SPF, try again later"
deadline_ms=2000

# write_conf DMARC_ENFORCE SPF_TEMPERROR_ACTION - repmilter.conf. No DNS
# lists: scores come from sender authentication alone, and no score here
# reaches reject_score, so a reject is DMARC's.
write_conf() {
	{
		echo "# repmilter.conf for test_postfix_auth.sh"
		milter_conf_base
		cat <<EOF
dns_timeout = 500ms
dns_tries = 2
message_deadline = ${deadline_ms}ms
spf = yes
dkim = yes
dmarc = yes
authserv_id = $authserv_id
dmarc_enforce = $1
spf_temperror_action = $2
add_header_score = 5
reject_score = 20
reject_reply = $reject_reply
EOF
	} >"$conf"
}

write_conf yes tempfail
run "$repmilter" -t -c "$conf"
is "$rc" 0 "repmilter -t accepts the test configuration"
[ "$rc" -eq 0 ] || diag "$out" "$err"
start_milter
ok $? "repmilter starts and makes its socket"

# message TOKEN FROM [HEADER...] - a small message with CRLF line ends
# into $tmp/TOKEN.eml, HEADERs first; its Message-ID carries TOKEN, as
# smtpsend's own messages do, so the ledger finds it in the sink
message() {
	_tok=$1 _from=$2
	shift 2
	{
		for _h in "$@"; do
			printf '%s\r\n' "$_h"
		done
		printf 'From: %s\r\nTo: <rcpt@sink.test>\r\n' "$_from"
		printf 'Subject: auth test %s\r\n' "$_tok"
		printf 'Date: %s\r\n' "$(date -u '+%a, %d %b %Y %H:%M:%S +0000')"
		printf 'Message-ID: <%s@smtpsend.invalid>\r\n' "$_tok"
		printf 'MIME-Version: 1.0\r\n'
		printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'
		printf 'Test message %s.\r\n' "$_tok"
		printf '.a line starting with a dot\r\nthe end\r\n'
	} >"$tmp/$_tok.eml"
}

# sign TOKEN KEYFILE ALGORITHM DOMAIN SELECTOR [CANON] - $tmp/TOKEN.eml
# signed in place by dkimsign (body canonicalization CANON, default simple)
sign() {
	"$dkimsign" --signalg "$3" --bcanon "${6:-simple}" "$5" "$4" "$2" \
		<"$tmp/$1.eml" >"$tmp/$1.signed" &&
		mv "$tmp/$1.signed" "$tmp/$1.eml"
}

# verifies FILE - python3-dkim verifies the first signature of FILE (a
# delivered message: LF line ends) with our keys, so nothing repmilter or
# Postfix did on the way broke it
verifies() {
	sed 's/$/\r/' "$1" | RSA_PUB=$rsa_pub ED_PUB=$ed_pub "$dkimpy" -c '
import os, sys, dkim
keys = {b"rsa._domainkey.signed.example.":
        b"v=DKIM1; k=rsa; p=" + os.environb[b"RSA_PUB"],
        b"ed._domainkey.signed.example.":
        b"v=DKIM1; k=ed25519; p=" + os.environb[b"ED_PUB"]}
def txt(name, timeout=5):
    return keys.get(name if name.endswith(b".") else name + b".")
sys.exit(0 if dkim.verify(sys.stdin.buffer.read(), dnsfunc=txt) else 1)'
}

# send_msg TAG ADDR HELO SENDER - send $tmp/TAG.1.eml through the milter
# from client ADDR (XCLIENT) with envelope sender SENDER
send_msg() {
	send "$port_smtp" "$1" -x "$2" -N "$3" -E "$3" -f "$4" -m "$tmp/$1.1.eml"
}

# ar_ours FILE - the Authentication-Results headers in FILE that carry
# our authserv-id (any case), unfolded, one a line
ar_ours() {
	headers "$1" Authentication-Results | grep -i "^\(([^)]*)\)\? *$id_re"
}

# mlog_last ADDR - repmilter's last per-message log line for ADDR
mlog_last() {
	mlog_for "$1" | tail -n 1
}

#
# 1. Signed by the From domain and sent from its SPF range: spf, dkim and
# dmarc pass, in our Authentication-Results; rsa-sha256 and
# ed25519-sha256.
#
message rsa.1 '<sender@signed.example>'
sign rsa.1 "$keys/rsa.pem" rsa-sha256 signed.example rsa
ok $? "dkimsign signs with the RSA-2048 key"
send_msg rsa 198.51.100.20 mail.signed.example sender@signed.example
is "$code" 250 "rsa-sha256, SPF range: accepted"
f=$(wait_delivered rsa.1)
ok $? "rsa-sha256, SPF range: delivered"
ar=$(ar_ours "$f")
is "$(printf '%s\n' "$ar" | grep -c .)" 1 \
	"rsa-sha256: one Authentication-Results of ours"
like "$ar" "^$id_re;" "rsa-sha256: under our authserv-id"
like "$ar" ' spf=pass smtp\.mailfrom=sender@signed\.example' \
	"rsa-sha256: spf=pass smtp.mailfrom=sender@signed.example"
like "$ar" ' dkim=pass header\.d=signed\.example [^;]*header\.s=rsa[ ;]' \
	"rsa-sha256: dkim=pass header.d=signed.example header.s=rsa"
like "$ar" ' dmarc=pass header\.from=signed\.example' \
	"rsa-sha256: dmarc=pass header.from=signed.example"
like "$(header "$f" X-Spam-Status)" '^No, .*DKIM_VALID.*DMARC_PASS.*SPF_PASS' \
	"rsa-sha256: X-Spam-Status: No, with DKIM_VALID, DMARC_PASS, SPF_PASS"
like "$(mlog_last 198.51.100.20)" \
	' action=accept .*spf=pass dkim=pass\(signed\.example\) dmarc=pass\(signed\.example\) ' \
	"rsa-sha256: logged spf=pass dkim=pass(signed.example) dmarc=pass(signed.example)"
is "$(sed '1,/^$/d' "$f")" "Test message rsa.1.
.a line starting with a dot
the end" "rsa-sha256: the body arrives as signed"
verifies "$f"
ok $? "rsa-sha256: the delivered message still verifies (python3-dkim)"

message ed.1 '<sender@signed.example>'
sign ed.1 "$keys/ed.key" ed25519-sha256 signed.example ed relaxed
ok $? "dkimsign signs with the Ed25519 key"
send_msg ed 198.51.100.21 mail.signed.example sender@signed.example
is "$code" 250 "ed25519-sha256, SPF range: accepted"
f=$(wait_delivered ed.1)
ok $? "ed25519-sha256, SPF range: delivered"
ar=$(ar_ours "$f")
like "$ar" "^$id_re;" "ed25519-sha256: our Authentication-Results"
like "$ar" ' spf=pass smtp\.mailfrom=sender@signed\.example' \
	"ed25519-sha256: spf=pass"
like "$ar" ' dkim=pass header\.d=signed\.example [^;]*header\.s=ed[ ;]' \
	"ed25519-sha256: dkim=pass header.d=signed.example header.s=ed"
like "$ar" ' dmarc=pass header\.from=signed\.example' \
	"ed25519-sha256: dmarc=pass header.from=signed.example"
like "$(mlog_last 198.51.100.21)" \
	' spf=pass dkim=pass\(signed\.example\) dmarc=pass\(signed\.example\) ' \
	"ed25519-sha256: logged with spf, dkim and dmarc passing"
verifies "$f"
ok $? "ed25519-sha256: the delivered message still verifies (python3-dkim)"

# DMARC passes on an aligned signature alone: sent from outside the SPF
# range, p=reject enforced, still delivered
message dkimonly.1 '<sender@signed.example>'
sign dkimonly.1 "$keys/rsa.pem" rsa-sha256 signed.example rsa
send_msg dkimonly 203.0.113.21 mail.other.example sender@signed.example
is "$code" 250 "signed, outside the SPF range: accepted (DKIM aligns)"
f=$(wait_delivered dkimonly.1)
ok $? "signed, outside the SPF range: delivered"
ar=$(ar_ours "$f")
like "$ar" ' spf=fail .* dkim=pass header\.d=signed\.example .* dmarc=pass header\.from=signed\.example' \
	"signed, outside the SPF range: spf=fail, dkim=pass, dmarc=pass"

# The RSA key of signed.example was decoded for rsa.1 and found parsed for
# dkimonly.1: the milter's own d2i_PUBKEY_bio is the one libopendkim calls
_n=$(grep -c ' stats: ' "$mlog")
kill -USR1 "$pid_milter"
wait_for 50 sh -c "[ \$(grep -c ' stats: ' '$mlog') -gt $_n ]"
ok $? "SIGUSR1 logs the counters"
like "$(grep ' stats: ' "$mlog" | tail -n 1)" \
	' dkim_keys=[1-9][0-9]* dkim_key_hits=[1-9][0-9]* dkim_key_misses=[1-9]' \
	"the second message signed with the RSA key found it parsed"

#
# 2a. A forged From under p=reject with dmarc_enforce = yes: rejected with
# reject_reply. Unsigned from outside the SPF range, and signed by and
# SPF-passing for another domain (nothing aligned).
#
message forged.1 '<ceo@signed.example>'
send_msg forged 203.0.113.22 mail.other.example sender@signed.example
is "$(reply_of "$out")" "$reject_reply" \
	"forged From, unsigned, enforce: rejected with reject_reply"
like "$(mlog_last 203.0.113.22)" ' action=reject .*spf=fail .*dmarc=fail\(signed\.example\) .*DMARC_FAIL_REJECT' \
	"forged From, unsigned, enforce: logged action=reject, dmarc=fail"
like "$(cat "$tmp/maillog")" \
	'milter-reject: END-OF-MESSAGE from mail\.other\.example\[203\.0\.113\.22\]: 5\.7\.1 repmilter-auth-test: rejected' \
	"forged From, unsigned, enforce: Postfix logs the milter's reject"

message forgedsig.1 '<ceo@signed.example>'
sign forgedsig.1 "$keys/rsa.pem" rsa-sha256 other.example rsa
send_msg forgedsig 203.0.113.23 mail.other.example bounce@other.example
is "$(reply_of "$out")" "$reject_reply" \
	"forged From, other domain's SPF and DKIM, enforce: rejected"
like "$(mlog_last 203.0.113.23)" \
	' action=reject .*spf=pass dkim=pass\(other\.example\) dmarc=fail\(signed\.example\) ' \
	"forged From, other domain's SPF and DKIM, enforce: spf and dkim pass, dmarc=fail"

#
# 3. Authentication-Results headers that claim our authserv-id arrive
# with the message: removed (all of them), ours is added; one of another
# authserv-id stays.
#
nl='
'
message forgedar.1 '<sender@signed.example>' \
	"Authentication-Results: $authserv_id; spf=pass smtp.mailfrom=forged@signed.example; dkim=pass header.d=forged.example" \
	"Authentication-Results: other-mx.example; spf=fail smtp.mailfrom=kept@signed.example" \
	"Authentication-Results: MX.AUTH-TEST.INVALID; dkim=pass header.d=forged-upper.example" \
	"Authentication-Results:${nl}	(a comment) $authserv_id 1;${nl}	dkim=pass header.d=forged-folded.example"
send_msg forgedar 198.51.100.22 mail.signed.example sender@signed.example
is "$code" 250 "forged Authentication-Results: accepted"
f=$(wait_delivered forgedar.1)
ok $? "forged Authentication-Results: delivered"
ar=$(ar_ours "$f")
is "$(printf '%s\n' "$ar" | grep -c .)" 1 \
	"forged Authentication-Results: exactly one with our authserv-id"
like "$ar" "^$id_re; .*x-repmilter=" \
	"forged Authentication-Results: the one left is ours"
like "$ar" ' spf=pass .* dmarc=pass header\.from=signed\.example' \
	"forged Authentication-Results: ours has spf=pass and dmarc=pass"
unlike "$ar" 'dkim=pass' \
	"forged Authentication-Results: ours claims no DKIM pass (unsigned)"
unlike "$(sed '/^$/q' "$f")" 'forged(-upper|-folded)?\.example|forged@' \
	"forged Authentication-Results: none of the forged values is left"
is "$(headers "$f" Authentication-Results | grep -c '^other-mx\.example;')" 1 \
	"forged Authentication-Results: another authserv-id's header is kept"
is "$(headers "$f" Authentication-Results | grep '^other-mx\.example;')" \
	"other-mx.example; spf=fail smtp.mailfrom=kept@signed.example" \
	"forged Authentication-Results: ... unchanged"
is "$(count_header "$f" Authentication-Results)" 2 \
	"forged Authentication-Results: two in all, ours and the other"

#
# 4a. SPF temperror (the sender domain's TXT lookup SERVFAILs) with
# spf_temperror_action = tempfail: our 451 4.4.3.
#
message tempfail.1 '<sender@tempfail.example>'
send_msg tempfail 198.51.100.23 mail.tempfail.example sender@tempfail.example
is "$(reply_of "$out")" "$spf_temperror_reply" \
	"SPF temperror, tempfail: deferred with spf_temperror_reply"
like "$(mlog_last 198.51.100.23)" ' action=tempfail .*spf=temperror' \
	"SPF temperror, tempfail: logged action=tempfail, spf=temperror"
like "$(mlog_last 198.51.100.23)" ' timeouts=- ' \
	"SPF temperror, tempfail: a SERVFAIL is no timeout (timeouts=-)"

#
# Reload (SIGHUP): dmarc_enforce = no, spf_temperror_action = accept.
#
write_conf no accept
milter_reload
ok $? "SIGHUP reloads the configuration (dmarc_enforce = no, accept)"

#
# 2b. The same forged From with dmarc_enforce = no: delivered, marked.
#
message forged2.1 '<ceo@signed.example>'
send_msg forged2 203.0.113.24 mail.other.example sender@signed.example
is "$code" 250 "forged From, unsigned, no enforce: accepted"
f=$(wait_delivered forged2.1)
ok $? "forged From, unsigned, no enforce: delivered"
like "$(ar_ours "$f")" ' spf=fail .* dmarc=fail header\.from=signed\.example' \
	"forged From, unsigned, no enforce: spf=fail, dmarc=fail"
like "$(header "$f" X-Spam-Status)" '^Yes, .*DMARC_FAIL_REJECT' \
	"forged From, unsigned, no enforce: X-Spam-Status: Yes, DMARC_FAIL_REJECT"

message forgedsig2.1 '<ceo@signed.example>'
sign forgedsig2.1 "$keys/rsa.pem" rsa-sha256 other.example rsa
send_msg forgedsig2 203.0.113.25 mail.other.example bounce@other.example
is "$code" 250 "forged From, other domain's SPF and DKIM, no enforce: accepted"
f=$(wait_delivered forgedsig2.1)
ok $? "forged From, other domain's SPF and DKIM, no enforce: delivered"
ar=$(ar_ours "$f")
like "$ar" ' dkim=pass header\.d=other\.example .* dmarc=fail header\.from=signed\.example' \
	"forged From, other domain's SPF and DKIM, no enforce: dkim=pass (other.example), dmarc=fail"
like "$(header "$f" X-Spam-Status)" 'DMARC_FAIL_REJECT' \
	"forged From, other domain's SPF and DKIM, no enforce: DMARC_FAIL_REJECT"

#
# 4b. SPF temperror with spf_temperror_action = accept: delivered.
#
message tempfail2.1 '<sender@tempfail.example>'
send_msg tempfail2 198.51.100.24 mail.tempfail.example sender@tempfail.example
is "$code" 250 "SPF temperror, accept: accepted"
f=$(wait_delivered tempfail2.1)
ok $? "SPF temperror, accept: delivered"
like "$(ar_ours "$f")" ' spf=temperror smtp\.mailfrom=sender@tempfail\.example' \
	"SPF temperror, accept: spf=temperror in our Authentication-Results"
like "$(header "$f" X-Spam-Status)" 'SPF_TEMPERROR' \
	"SPF temperror, accept: SPF_TEMPERROR in X-Spam-Status"

#
# 5. unbound stops answering (SIGSTOP): mail still flows, answered within
# message_deadline plus 1 s, and the log names the checks that timed out.
# Each message is from a domain not asked before, so nothing is cached.
#
kill -STOP "$pid_unbound"
for i in 1 2; do
	message slow$i.1 "<sender@slow$i.example>"
	sign slow$i.1 "$keys/rsa.pem" rsa-sha256 slow$i.example rsa
	send_msg slow$i 198.51.100.3$i mail.slow$i.example sender@slow$i.example
	is "$code" 250 "DNS silent: slow$i accepted"
	ms=$(ms_of "$out")
	ok "$([ "${ms:-99999}" -lt $((deadline_ms + 1000)) ] && echo 0 || echo 1)" \
		"DNS silent: slow$i answered in ${ms} ms, under the deadline + 1 s"
	line=$(mlog_last 198.51.100.3$i)
	like "$line" ' spf=temperror ' "DNS silent: slow$i logged spf=temperror"
	like "$line" ' dkim=temperror\(slow'$i'\.example\) ' \
		"DNS silent: slow$i logged dkim=temperror(slow$i.example)"
	# timeouts= holds names separated by commas, up to time_ms=
	like "$line" ' timeouts=([^ ]*,)?dkim(,[^ ]*)? time_ms=' \
		"DNS silent: slow$i logged the DKIM key lookup in timeouts="
	like "$line" ' timeouts=([^ ]*,)?dmarc(,[^ ]*)? time_ms=' \
		"DNS silent: slow$i logged the DMARC record lookup in timeouts="
	# repmilter.8: timeouts= "the checks that had no answer by the
	# deadline"; SPF's queries had none, as the DNS lists' do in
	# test_postfix.sh
	like "$line" ' timeouts=([^ ]*,)?spf(,[^ ]*)? time_ms=' \
		"DNS silent: slow$i logged the SPF lookups in timeouts="
done
f=$(wait_delivered slow2.1)
ok $? "DNS silent: delivered"
like "$(ar_ours "$f")" ' spf=temperror .* dkim=temperror header\.d=slow2\.example' \
	"DNS silent: spf=temperror and dkim=temperror in our Authentication-Results"
kill -CONT "$pid_unbound"
wait_for 50 dns_ready
ok $? "unbound answers again after SIGCONT"
message back.1 '<sender@signed.example>'
sign back.1 "$keys/rsa.pem" rsa-sha256 signed.example rsa
send_msg back 198.51.100.25 mail.signed.example sender@signed.example
is "$code" 250 "DNS back: accepted"
f=$(wait_delivered back.1)
ok $? "DNS back: delivered"
like "$(ar_ours "$f")" ' spf=pass .* dkim=pass header\.d=signed\.example .* dmarc=pass' \
	"DNS back: spf, dkim and dmarc pass again"

#
# 6. None vanished: every message in the ledger was delivered once or
# refused with one of our replies, nothing else is in the sink, and
# Postfix's queue is empty.
#
wait_for 100 queue_empty
ok $? "Postfix's queue is empty"
ledger_check "$reject_reply" "$spf_temperror_reply"
is "${bad:-none}" none "every message delivered once or refused by us"
# rsa, ed, dkimonly, forged, forgedsig, forgedar, tempfail, forged2,
# forgedsig2, tempfail2, slow1, slow2, back
is "$nsent" 13 "13 messages sent, each with a final reply"
is "$((ndelivered + nrefused))" "$nsent" \
	"delivered ($ndelivered) + refused ($nrefused) = sent"
is "$nrefused" 3 "3 refused: two DMARC rejects and one SPF temperror"
is "$(find "$sink" -type f | wc -l)" "$ndelivered" "the sink holds nothing else"
is "$(grep -c ' client=.* action=' "$mlog")" "$nsent" \
	"repmilter logged one line for each message"

if [ "$tap_failed" -gt 0 ]; then
	diag "repmilter log:" "$(tail -n 40 "$mlog")"
	diag "Postfix log:" "$(tail -n 40 "$tmp/maillog")"
fi
done_testing
