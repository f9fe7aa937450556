# bench-env.sh - what the benchmarks that load a milter share: the DNS
# lists on rbldnsd, the sender domains' SPF, DKIM and DMARC records with
# an RSA-2048 and an Ed25519 key served by unbound, the reputation store,
# starting and stopping a filter, repmilter's configuration and the tally
# of its verdicts. Sourced (POSIX sh, dash) by run-milter-bench.sh and
# run-postfix-bench.sh; it starts nothing by itself.
#
# The sourcing script sets, before calling these functions:
#   $tmp       its temporary directory (everything goes there)
#   $pids      the processes to kill at exit (rbldnsd and unbound are
#              added to it)
#   $bench     tests/bench/bench_milter (signs the corpus, probes filters)
#   $repctl    tools/repctl (imports the store)
#   $entries   the store's size
# and gets: $rbl_port, $dns_port (unbound, the one server repmilter asks),
# $auth_args (bench_milter's options for the signed corpus), $rsa_pub,
# $ed_pub. Order: make_data; rbldnsd_start && auth_setup && unbound_start;
# make_store.
#
# The functions are named so as not to clash with
# tests/integration/harness.sh, which run-postfix-bench.sh sources too.

# shellcheck shell=sh
# shellcheck disable=SC2154 # tmp, bench, repctl, entries: the script's

# say TEXT - a progress line on stderr, so that stdout stays the figures
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

#
# Sender authentication: keys, records, the corpus check.
#

# the sender domains (mailcorpus's own names), the DKIM selectors
auth_domains="example.com example.net example.org news.example.com
mail.example.net shop.example bank.example travel.example lists.example.org
corp.example.com mailer.example.net promo.example social.example
forum.example.org billing.example.com alerts.example.net"
sel_rsa=rsa2048
sel_ed=ed25519

# make_keys - an RSA-2048 and an Ed25519 key; sets rsa_pub (SPKI, base64)
# and ed_pub (the raw 32-byte key, RFC 8463), or returns 1
make_keys() {
	if ! command -v openssl >/dev/null 2>&1; then
		say "openssl not installed: no DKIM keys"
		return 1
	fi
	if ! openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$tmp/rsa.pem" 2>"$tmp/openssl.log" ||
		! openssl genpkey -algorithm ED25519 -out "$tmp/ed25519.pem" \
			2>>"$tmp/openssl.log"; then
		say "openssl genpkey failed: $(tail -n 2 "$tmp/openssl.log")"
		return 1
	fi
	rsa_pub=$(openssl pkey -in "$tmp/rsa.pem" -pubout -outform DER |
		base64 -w0)
	ed_pub=$(openssl pkey -in "$tmp/ed25519.pem" -pubout -outform DER |
		tail -c 32 | base64 -w0)
	[ -n "$rsa_pub" ] && [ -n "$ed_pub" ]
}

# make_records - records.txt, "NAME<tab>TXT" per line, for every sender
# domain: SPF with an include chain (_spf1 covers 198.19.0.0-198.19.17.255,
# 90% of the clients; _spf2 covers 198.18.0.0/22, half of the listed
# addresses), DMARC p=reject and the two DKIM keys
make_records() {
	for d in $auth_domains; do
		printf '%s\t%s\n' "$d" \
			"v=spf1 include:_spf1.$d include:_spf2.$d -all" \
			"_spf1.$d" \
			"v=spf1 ip4:198.19.0.0/20 ip4:198.19.16.0/23 -all" \
			"_spf2.$d" \
			"v=spf1 ip4:198.18.0.0/22 ip6:2001:db8:25::/48 -all" \
			"_dmarc.$d" "v=DMARC1; p=reject" \
			"$sel_rsa._domainkey.$d" "v=DKIM1; k=rsa; p=$rsa_pub" \
			"$sel_ed._domainkey.$d" "v=DKIM1; k=ed25519; p=$ed_pub"
	done >"$tmp/records.txt"
	echo "$auth_domains" | tr ' ' '\n' | grep . >"$tmp/domains.txt"
}

# corpus_check - the signed corpus through python3-dkim (another DKIM
# implementation than repmilter's libopendkim), keys from records.txt:
# expect rsa and ed25519 to verify and tampered ones to fail. A check
# only: the load goes on when it cannot be made (in a sanitizer build
# bench_milter exits non-zero at the end, see dkimsign.h CAVEATS)
corpus_check() {
	py=/usr/bin/python3
	if [ ! -x $py ] || ! $py -c 'import dkim, nacl' 2>/dev/null; then
		echo "corpus check: skipped (no python3-dkim with nacl)"
		return 0
	fi
	mkdir "$tmp/corpus"
	# shellcheck disable=SC2086
	"$bench" --dump-corpus "$tmp/corpus" $auth_args 2>"$tmp/dump.log" ||
		echo "corpus check: bench_milter --dump-corpus exited" \
			"$?: $(grep -m 1 . "$tmp/dump.log")"
	$py - "$tmp/records.txt" "$tmp/corpus" <<'PYEOF'
import collections, glob, sys
import dkim
keys = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1]))
def dns(name, timeout=5):
    return keys.get(name.decode().rstrip("."), "").encode() or None
seen = collections.Counter()
for f in sorted(glob.glob(sys.argv[2] + "/*.eml")):
    kind = f.rsplit("-", 1)[1][:-4]
    data = open(f, "rb").read()
    if kind == "none":
        ok = "unsigned" if b"\nDKIM-Signature:" not in data else "SIGNED"
    else:
        ok = "pass" if dkim.verify(data, dnsfunc=dns) else "fail"
    seen[kind + "=" + ok] += 1
print("corpus check (python3-dkim):", " ".join(
    "%s:%d" % kv for kv in sorted(seen.items())))
PYEOF
}

# rbldnsd_start - the three zones on 127.0.0.1, a random port; sets
# rbl_port, or returns 1
rbldnsd_start() {
	rbldnsd=/usr/sbin/rbldnsd
	if [ ! -x "$rbldnsd" ] || ! command -v dig >/dev/null 2>&1; then
		say "rbldnsd or dig not installed: no DNS lists"
		return 1
	fi
	chmod 755 "$tmp" && chmod 644 "$tmp"/*.zone
	user=
	[ "$(id -u)" -eq 0 ] && user="-u nobody"
	for try in 1 2 3 4 5; do
		rbl_port=$(random_port "$try")
		# shellcheck disable=SC2086
		"$rbldnsd" -n $user -b "127.0.0.1/$rbl_port" -w "$tmp" -c 0 \
			bl1.bench.test:ip4set:bl1.zone \
			bl2.bench.test:ip4set:bl2.zone \
			wl.bench.test:ip4set:wl.zone >"$tmp/rbldnsd.log" 2>&1 &
		rpid=$!
		pids="$pids $rpid"
		i=0
		while [ $i -lt 50 ] && kill -0 "$rpid" 2>/dev/null; do
			if [ "$(dig @127.0.0.1 -p "$rbl_port" +short +time=1 \
				+tries=1 2.0.0.127.bl1.bench.test A)" = 127.0.0.2 ]
			then
				say "rbldnsd on 127.0.0.1/$rbl_port"
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

# local_data - records.txt as unbound local-data lines (each TXT split
# into strings of at most 255 octets), each domain a static zone
local_data() {
	awk -F '\t' '{
		line = "\tlocal-data: \047" $1 ". 3600 IN TXT"
		for (t = $2; length(t) > 0; t = substr(t, 256))
			line = line " \"" substr(t, 1, 255) "\""
		print line "\047"
	}' "$tmp/records.txt"
	for d in $auth_domains; do
		printf '\tlocal-zone: "%s." static\n' "$d"
	done
}

# unbound_conf PORT - unbound.conf: the records, the list zones passed
# to rbldnsd, NXDOMAIN for any other name ("." static: nothing leaves
# loopback)
unbound_conf() {
	cat <<EOF
server:
	interface: 127.0.0.1
	port: $1
	do-ip6: no
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	chroot: ""
	username: ""
	directory: "$tmp"
	pidfile: "$tmp/unbound.pid"
	use-syslog: no
	logfile: ""
	verbosity: 1
	num-threads: 1
	module-config: "iterator"
	local-zone: "." static
	local-zone: "bl1.bench.test." transparent
	local-zone: "bl2.bench.test." transparent
	local-zone: "wl.bench.test." transparent
EOF
	local_data
	for z in bl1 bl2 wl; do
		printf 'stub-zone:\n\tname: "%s.bench.test"\n' $z
		printf '\tstub-addr: 127.0.0.1@%s\n' "$rbl_port"
	done
}

# unbound_ready PORT - a list answer through rbldnsd, and a DKIM key
unbound_ready() {
	[ "$(dig @127.0.0.1 -p "$1" +short +time=1 +tries=1 \
		2.0.0.127.bl1.bench.test A)" = 127.0.0.2 ] &&
		dig @127.0.0.1 -p "$1" +short +time=1 +tries=1 \
			"$sel_ed._domainkey.example.com" TXT | grep -q 'k=ed25519'
}

# unbound_start - unbound in front of rbldnsd on 127.0.0.1; sets
# dns_port (the one server repmilter asks), or returns 1
unbound_start() {
	if ! command -v unbound >/dev/null 2>&1; then
		say "unbound not installed: no DNS for repmilter"
		return 1
	fi
	for try in 1 2 3 4 5; do
		port=$(random_port $((500 + try)))
		unbound_conf "$port" >"$tmp/unbound.conf"
		unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.log" 2>&1 &
		upid=$!
		pids="$pids $upid"
		i=0
		while [ $i -lt 50 ] && kill -0 "$upid" 2>/dev/null; do
			if unbound_ready "$port"; then
				dns_port=$port
				say "unbound on 127.0.0.1/$dns_port"
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		kill "$upid" 2>/dev/null
	done
	say "unbound did not start: $(tail -n 3 "$tmp/unbound.log")"
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
			--corpus 1 --warmup 0 --timeout-ms 2000 \
			>/dev/null 2>&1; then
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
			--corpus 1 --timeout-ms 200 >/dev/null 2>&1
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$2" 2>/dev/null
	wait "$2" 2>/dev/null
}


# yes_no WORD VARIANT - "no" when the variant turns WORD's check off
yes_no() {
	case $2 in
	no"$1" | noauth) echo no ;;
	*) echo yes ;;
	esac
}

# repmilter_conf SPEC VARIANT - the configuration for one run
repmilter_conf() {
	cat <<EOF
socket = $1
store = $tmp/store.mdb
dns_servers = 127.0.0.1:$dns_port
dns_lists = "bl1.bench.test*3, bl2.bench.test=127.0.0.[2..10]*4, wl.bench.test*-5"
user = ""
pid_file = ""
authserv_id = mx.bench.test
spf = $(yes_no spf "$2")
dkim = $(yes_no dkim "$2")
dmarc = $(yes_no dmarc "$2")
EOF
	# the default otherwise, whatever it is
	[ "$2" = nokeycache ] && echo "dkim_key_cache = 0"
	return 0
}

# auth_tally LOG LABEL - what repmilter found, from its verdict lines:
# shares of SPF (MAIL FROM), first DKIM and DMARC results ("absent": not
# in the line, e.g. unsigned), actions, timeouts, and the log lines that
# are neither verdicts nor start, stop and statistics
auth_tally() {
	awk -v label="$2" '
	function word(key,   w) {
		if (!match($0, " " key "=[a-z_]+"))
			return "absent"
		w = substr($0, RSTART + length(key) + 2)
		return substr(w, 1, RLENGTH - length(key) - 2)
	}
	/ action=/ { n++; c["spf " word("spf")]++; c["dkim " word("dkim")]++
		c["dmarc " word("dmarc")]++; c["action " word("action")]++
		if ($0 !~ /timeouts=-/) timeouts++; next }
	/started|stopping|stopped|configuration|stats:/ { next }
	{ other++; if (other <= 3) first = first "\n    " $0 }
	END {
		printf "auth %s: %d messages, %d with a timeout;", label, n,
			timeouts
		m = split("spf dkim dmarc action", keys, " ")
		for (i = 1; i <= m; i++) {
			printf " %s", keys[i]
			for (k in c)
				if (index(k, keys[i] " ") == 1)
					printf " %s %.1f%%", substr(k, \
						length(keys[i]) + 2),
						100 * c[k] / (n ? n : 1)
			printf ";"
		}
		printf " other log lines %d%s\n", other, first
	}' "$1"
}

# auth_setup - keys, records, unbound, the corpus check; sets auth_args
auth_setup() {
	make_keys || return 1
	make_records
	auth_args="--sender-domains $tmp/domains.txt"
	auth_args="$auth_args --dkim-keys $tmp/rsa.pem,$tmp/ed25519.pem"
	auth_args="$auth_args --dkim-selectors $sel_rsa,$sel_ed"
	corpus_check
	return 0
}
