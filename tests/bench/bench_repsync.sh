#!/bin/sh
# bench_repsync.sh - repsync's figures: publish a 1,000,000-entry snapshot
# and a 50,000-entry delta, pull and apply each on the other side through
# nginx with client certificates; seconds, bytes and peak RSS per step.
#
# Usage: sh tests/bench/bench_repsync.sh [--quick] BUILD_DIR
#	(or `make bench-repsync` in a build directory)
# --quick: 100,000 and 5,000 entries. Needs nginx and openssl. Talks to
# 127.0.0.1 only; everything lives in a temporary directory.
#
# Aims (issue 5): snapshot published, fetched, verified and applied in
# under 10 s; the delta in under 1 s; the compressed snapshot under 20 MB.
set -u

full=1000000 delta=50000
if [ "${1:-}" = --quick ]; then
	full=100000 delta=5000
	shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--quick] BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir
# shellcheck source=tests/lib/nginx.sh
. "$top_srcdir/tests/lib/nginx.sh"

command -v nginx >/dev/null 2>&1 || { echo "bench_repsync: needs nginx" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || { echo "bench_repsync: needs openssl" >&2; exit 1; }

repsync="$build/tools/repsync"
mkstore="$build/tests/bench/mkstore"
runrss="$build/tests/bench/runrss"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_repsync.XXXXXX") || exit 1
: >"$tmp/secs"
trap 'nginx_stop_all; rm -rf "$tmp"' EXIT INT TERM

ca_init "$tmp/ca" >/dev/null || { echo "bench_repsync: ca_init failed" >&2; exit 1; }
port=$(nginx_ports 1) || { echo "bench_repsync: no free port" >&2; exit 1; }
mkdir -p "$tmp/a/feed" "$tmp/b"
cat >"$tmp/a.conf" <<EOF
store = $tmp/a/store.mdb
publisher = isp-a
secret_key = $tmp/a/repsync.key
public_key = $tmp/a/repsync.pub
publish_dir = $tmp/a/feed
state_dir = $tmp/a/state
EOF
cat >"$tmp/b.conf" <<EOF
store = $tmp/b/store.mdb
publisher = isp-b
secret_key = $tmp/b/repsync.key
public_key = $tmp/b/repsync.pub
publish_dir = $tmp/b/feed
state_dir = $tmp/b/state
partner.isp-a.url = https://127.0.0.1:$port/
partner.isp-a.public_key = $tmp/a/repsync.pub
partner.isp-a.tls_cert = $ca_dir/client.pem
partner.isp-a.tls_key = $ca_dir/client.key
partner.isp-a.tls_ca = $ca_dir/ca.pem
EOF
"$repsync" -q -c "$tmp/a.conf" keygen >/dev/null || exit 1
nginx_start isp_a "$tmp/nginx" "$port" "$tmp/a/feed" ||
	{ echo "bench_repsync: nginx did not start" >&2; exit 1; }

# step NAME COMMAND... - run it under runrss; prints "NAME S s RSS MB"
step() {
	_name=$1
	shift
	"$runrss" "$@" >"$tmp/out" 2>"$tmp/err" || {
		echo "bench_repsync: $_name failed:" >&2
		cat "$tmp/out" "$tmp/err" >&2
		exit 1
	}
	awk -v n="$_name" '/^runrss:/ {
		split($2, s, "="); split($3, r, "=")
		printf "%-28s %8.3f s %8.1f MB peak RSS\n", n, s[2], r[2] / 1024
		print s[2] > "/dev/stderr"
	}' "$tmp/err" 2>>"$tmp/secs"
}

# total FIRST LAST AIM - seconds of steps FIRST..LAST (lines of $tmp/secs)
total() {
	awk -v a="$1" -v b="$2" -v aim="$3" -v what="$4" '
		NR >= a && NR <= b { t += $1 }
		END { printf "%-28s %8.3f s   (aim: under %s s)\n", what, t, aim }
	' "$tmp/secs"
}

# newest - bytes of the newest feed file of a kind in A's manifest
feed_bytes() {
	awk -v k="$1" '$1 == k { print $3 }' "$tmp/a/feed/manifest" | tail -n 1
}

echo "bench_repsync: $full entries, then a delta of $delta"
"$mkstore" "$tmp/a/store.mdb" fill "$full" || exit 1
step "publish snapshot" "$repsync" -q -c "$tmp/a.conf" publish
echo "snapshot bytes: $(feed_bytes snapshot)"
step "pull+verify+apply snapshot" "$repsync" -q -c "$tmp/b.conf" pull
"$mkstore" "$tmp/a/store.mdb" change "$delta" || exit 1
step "publish delta" "$repsync" -q -c "$tmp/a.conf" publish
echo "delta bytes: $(feed_bytes delta)"
step "pull+verify+apply delta" "$repsync" -q -c "$tmp/b.conf" pull
grep -c '"result":"applied"' "$tmp/b/state/audit.log" |
	sed 's/^/files applied: /'
total 1 2 10 "snapshot, end to end"
total 3 4 1 "delta, end to end"
awk -v b="$(feed_bytes snapshot)" 'BEGIN {
	printf "%-28s %8.1f MB (aim: under 20 MB)\n", "snapshot, compressed", b / 1e6 }'
