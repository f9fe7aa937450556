#!/bin/sh
# test_rbldnsd.sh - an rbldnsd export served by Debian's rbldnsd on
# loopback answers the listed subjects and only those. Emits TAP.

top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/cli/tap.sh"

repctl="$top_builddir/tools/repctl"
rbldnsd=/usr/sbin/rbldnsd
if [ ! -x "$rbldnsd" ] || ! command -v dig >/dev/null 2>&1; then
	skip_all "rbldnsd or dig not installed"
fi
[ -x "$repctl" ] || skip_all "$repctl not built"

LC_ALL=C
export LC_ALL
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_rbldnsd.XXXXXX") || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tap_tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

db="$tap_tmp/rep.mdb"
rctl() {
	"$repctl" --db "$db" "$@"
}

#
# The store: a list with addresses and a /24, IPv6 and names; operator
# overrides: an allow inside the listed /24, an allowed /24 around a
# listed address, and a deny inside that.
#
cat >"$tap_tmp/list.txt" <<'EOF'
192.0.2.1
192.0.2.77
198.51.100.0/24
2001:db8::/48
.example.com
spam.example.net
EOF
run rctl import --format rbldnsd --publisher feed "$tap_tmp/list.txt"
is "$rc" 0 "import the list"
rctl allow 198.51.100.9 --reason "our customer" >/dev/null
rctl allow 192.0.2.0/24 --reason "our customers' net" >/dev/null
rctl deny 192.0.2.77 --reason "but not this one" >/dev/null
rctl export --format rbldnsd --publisher feed >"$tap_tmp/feed4.txt" &&
	rctl export --format rbldnsd --publisher feed --kind ip6 \
		>"$tap_tmp/feed6.txt" &&
	rctl export --format rbldnsd --publisher feed --kind domain \
		>"$tap_tmp/names.txt" &&
	rctl export --format rbldnsd >"$tap_tmp/all4.txt"
ok $? "export the rbldnsd datasets"

# rbldnsd refuses to run as root; as root it drops to -u, which must be
# able to read the files
chmod 755 "$tap_tmp"
chmod 644 "$tap_tmp"/*.txt
user=
[ "$(id -u)" -eq 0 ] && user="-u nobody"

# start PORT - rbldnsd in the foreground on 127.0.0.1/PORT, in the
# background of this shell
start() {
	# shellcheck disable=SC2086
	"$rbldnsd" -n $user -b "127.0.0.1/$1" -w "$tap_tmp" -c 0 \
		bl.test:ip4trie:feed4.txt bl6.test:ip6trie:feed6.txt \
		dbl.test:dnset:names.txt all.test:ip4trie:all4.txt \
		>"$tap_tmp/rbldnsd.log" 2>&1 &
	pid=$!
}

# q NAME [TYPE] - the short answer of our rbldnsd
q() {
	dig @127.0.0.1 -p "$port" +short +time=1 +tries=2 "$1" "${2:-A}" 2>&1
}

# Random high ports until one binds; the server answers once loaded.
up=1
for try in 1 2 3 4 5; do
	port=$(awk -v s="$$$try" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
	start "$port"
	i=0
	while [ $i -lt 50 ]; do
		kill -0 "$pid" 2>/dev/null || break
		dig @127.0.0.1 -p "$port" +short +time=1 +tries=1 \
			2.0.0.127.bl.test A >/dev/null 2>&1 && up=0 && break
		sleep 0.1
		i=$((i + 1))
	done
	[ $up -eq 0 ] && break
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
done
ok $up "rbldnsd serves the export on 127.0.0.1/$port"
if [ $up -ne 0 ]; then
	diag "$(cat "$tap_tmp/rbldnsd.log")"
	done_testing
fi

# listed NAME DESC / unlisted NAME DESC
listed() {
	is "$(q "$1")" 127.0.0.2 "$2 is listed"
}
unlisted() {
	is "$(q "$1")" "" "$2 is not listed"
}

listed 1.2.0.192.bl.test 192.0.2.1
listed 77.2.0.192.bl.test 192.0.2.77
listed 0.100.51.198.bl.test 198.51.100.0
listed 9.100.51.198.bl.test "198.51.100.9 (publisher slot)"
listed 255.100.51.198.bl.test 198.51.100.255
unlisted 2.2.0.192.bl.test 192.0.2.2
unlisted 0.2.0.192.bl.test 192.0.2.0
unlisted 76.2.0.192.bl.test 192.0.2.76
unlisted 0.101.51.198.bl.test 198.51.101.0
unlisted 255.99.51.198.bl.test 198.51.99.255
unlisted 2.0.0.127.bl.test 127.0.0.2
is "$(q 1.2.0.192.bl.test TXT)" '"Listed by repmilter"' "TXT of a listed address"

unlisted 1.2.0.192.all.test "whole store: 192.0.2.1 (inside an allowed /24)"
listed 77.2.0.192.all.test "whole store: 192.0.2.77 (denied inside it)"
listed 8.100.51.198.all.test "whole store: 198.51.100.8"
unlisted 9.100.51.198.all.test "whole store: 198.51.100.9 (operator allow)"

listed example.com.dbl.test "example.com"
listed www.example.com.dbl.test "www.example.com (subdomain)"
listed spam.example.net.dbl.test "spam.example.net"
unlisted www.spam.example.net.dbl.test "www.spam.example.net"
unlisted example.net.dbl.test "example.net"

# ip6trie: names are reversed nibbles
if command -v python3 >/dev/null 2>&1; then
	nib() {
		python3 -c 'import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]).reverse_pointer[:-9])' "$1"
	}
	listed "$(nib 2001:db8::1).bl6.test" "2001:db8::1"
	listed "$(nib 2001:db8:0:ffff::1).bl6.test" "2001:db8:0:ffff::1"
	unlisted "$(nib 2001:db8:1::1).bl6.test" "2001:db8:1::1"
else
	for i in 1 2 3; do ok 0 "# SKIP python3 not installed"; done
fi

done_testing
