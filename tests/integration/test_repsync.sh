#!/bin/sh
# test_repsync.sh - two ISPs on one machine exchanging reputation with
# repsync: two stores, each published by its own nginx on loopback (a
# test CA, client certificates required), each pulling the other over
# https with mutual TLS; then the attacks and accidents a partner
# exchange must survive. Emits TAP.
#
# The cast, all in one temporary directory:
#   isp-a, isp-b  two stores (repctl observes into them), each with its
#                 repsync.conf, key pair, publish_dir and state_dir
#   nginx a, b    serve www/a and www/b: symbolic links to a's and b's
#                 publish_dir (www/a is pointed at an older copy to replay
#                 it)
#   nginx f       serves www/f, a link to a forged copy of isp-a's feed
#                 (forge/NAME): what a thief of isp-a's key, a broken
#                 mirror or a man in the middle would serve
#   isp-c         a third ISP pulling "isp-a" from nginx f: the receiver
#                 of every forged feed; its store and state are put back
#                 to a saved base (c.base: isp-a's first snapshot applied)
#                 before each case, so every case starts from the same
#                 watermark and has the next file, isp-a's delta, to
#                 fetch
#   isp-e, isp-r  receivers of a forged 200,000-record snapshot: e's pulls
#                 are killed with SIGKILL, r pulls once undisturbed
#   x-*, k, c-*   receivers of one case each (TLS, a cut snapshot,
#                 redirects)
# Forged feeds are made as a partner could make them: zstd, awk,
# sha256sum, and Debian's minisign signing with the (unencrypted,
# minisign-format) secret key repsync keygen wrote. Record columns are
# found by the feed header's fields=, whatever their order.
#
# The cases, in the order they run: 1 first sync both ways; 2 a nightly
# delta; 3 a delisting, then a replay of the older feed; 4 a local allow
# against a partner's listing; 5 a partner offline; 6 back after a long
# absence (deltas pruned); a publisher's new epoch; 16 mutual TLS; then on
# isp-c: 10 a replayed manifest; 7 a truncated download; 17 an oversized
# one; 8 bits flipped; 9 an unknown key; 11 an expired manifest; 13 clock
# skew; 14 a flood of /8s; 12 a sequence jump and 14 a sentinel
# (quarantine list, release, discard); 18 redirects; 15 kill -9 during a
# large snapshot, and the same snapshot cut; last, the audit logs.
#
# Needs nginx, openssl, minisign, zstd, python3; skips otherwise. Set
# TEST_REPSYNC_KEEP=1 to keep the directory.

# shellcheck disable=SC2317 # functions run by trap
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
# shellcheck source=tests/lib/nginx.sh
. "$top_srcdir/tests/lib/nginx.sh"

repsync="$top_builddir/tools/repsync"
repctl="$top_builddir/tools/repctl"

nginx_require
for _p in minisign zstd python3 sha256sum; do
	command -v $_p >/dev/null 2>&1 || skip_all "$_p not installed"
done
[ -x "$repsync" ] || skip_all "$repsync not built"
[ -x "$repctl" ] || skip_all "$repctl not built"

LC_ALL=C
export LC_ALL
# nothing between us and 127.0.0.1
unset https_proxy HTTPS_PROXY all_proxy ALL_PROXY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_repsync.XXXXXX") || exit 1
tap_tmp=$tmp
bgpid=

# cleanup - at exit: the pull we may have running, every nginx, $tmp
cleanup() {
	[ -z "$bgpid" ] || { kill -9 "$bgpid" 2>/dev/null; wait "$bgpid"; }
	nginx_stop_all
	if [ -n "$TEST_REPSYNC_KEEP" ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# todo REASON ASSERTION... - run ASSERTION (ok, is, like, ...) as a TAP
# TODO: its failure is reported with REASON but fails nothing; its pass
# shows as an unexpected pass (as harness.sh's todo)
todo() {
	_reason=$1 _failed=$tap_failed
	shift
	"$@" >"$tmp/todo.out"
	tap_failed=$_failed
	awk -v r="$_reason" 'NR == 1 { $0 = $0 " # TODO " r } { print }' \
		"$tmp/todo.out"
}

# shellcheck disable=SC2046
set -- $(nginx_ports 4)
[ $# -eq 4 ] || { echo "Bail out! no free ports"; exit 1; }
port_a=$1 port_b=$2 port_f=$3 port_dead=$4

ca_init "$tmp/ca" || { echo "Bail out! ca_init failed"; exit 1; }

#
# Helpers
#

# write_conf NAME PUBLISHER - $tmp/NAME.conf, the lines every ISP has;
# its store, keys, feed and state in $tmp/NAME. Partner lines are
# appended by partner_conf.
write_conf() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1.conf" <<EOF
# $1.conf for test_repsync.sh
store = $tmp/$1/rep.mdb
publisher = $2
secret_key = $tmp/$1/key
public_key = $tmp/$1/key.pub
publish_dir = $tmp/$1/feed
state_dir = $tmp/$1/state
publish_keep = 1h
publish_snapshot = 20h
connect_timeout = 2s
timeout = 20s
retries = 1
backoff = 50ms
EOF
}

# partner_conf NAME PARTNER URL KEY [CERT [CA]] - a partner in NAME.conf,
# with the test CA's client certificate (CERT: client, rogue-client, or
# none) and the CA its server is checked against
partner_conf() {
	cat >>"$tmp/$1.conf" <<EOF
partner.$2.url = $3
partner.$2.public_key = $4
partner.$2.tls_ca = $ca_dir/${6:-ca}.pem
EOF
	case ${5:-client} in
	none) ;;
	*)
		cat >>"$tmp/$1.conf" <<EOF
partner.$2.tls_cert = $ca_dir/${5:-client}.pem
partner.$2.tls_key = $ca_dir/${5:-client}.key
EOF
		;;
	esac
}

# rs NAME ARGS... - repsync with NAME.conf
rs() {
	_c=$1
	shift
	"$repsync" -c "$tmp/$_c.conf" "$@"
}

# rctl NAME ARGS... - repctl on NAME's store
rctl() {
	_c=$1
	shift
	"$repctl" --db "$tmp/$_c/rep.mdb" "$@"
}

# slot NAME SUBJECT PARTNER - what NAME's store holds from PARTNER about
# SUBJECT: its op (list, allow, delist), or "none"
slot() {
	_s=$(rctl "$1" show "$2" 2>/dev/null |
		sed -n "s/^  partner $3: \([a-z]*\),.*/\1/p")
	echo "${_s:-none}"
}

# wm NAME PARTNER - the watermark line of NAME's status for PARTNER
wm() {
	rs "$1" status "$2" 2>/dev/null | grep '^  watermark'
}

# held NAME PUBLISHER - NAME's export of PUBLISHER's slot, sorted, without
# the score (it depends on the second it is computed)
held() {
	rctl "$1" export --format csv --publisher "$2" | tail -n +2 |
		cut -d, -f1-7,9- | sort
}

# listed_by NAME PUBLISHER - the subjects NAME holds listed by PUBLISHER
listed_by() {
	held "$1" "$2" | awk -F, '$5 == "list" { print $1 }'
}

# feed_listed FILE - the subjects a feed file lists
feed_listed() {
	zstd -dc "$1" | awk -F'\t' '
		NR == 1 {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^fields=/) {
					n = split(substr($i, 8), f, ",")
					for (k = 1; k <= n; k++) col[f[k]] = k
				}
			next
		}
		/^#/ { next }
		$col["op"] == "list" { print $col["subject"] }' | sort
}

# alines NAME - how many lines NAME's audit log has
alines() {
	if [ -f "$tmp/$1/state/audit.log" ]; then
		wc -l <"$tmp/$1/state/audit.log" | tr -d ' '
	else
		echo 0
	fi
}

# anew NAME N - NAME's audit lines after the first N
anew() {
	tail -n +$(($2 + 1)) "$tmp/$1/state/audit.log" 2>/dev/null
}

# jget EXPR - a Python expression over the JSON lines on stdin (a, a
# list), printed
jget() {
	python3 -c 'import json, sys
a = [json.loads(l) for l in sys.stdin if l.strip()]
print(eval(sys.argv[1]))' "$1" 2>&1
}

# sign KEY FILE - FILE.minisig, made by Debian's minisign as a partner
# would make it (any trusted comment: ours says who forged it)
sign() {
	minisign -S -s "$1" -m "$2" -x "$2.minisig" \
		-t "forged by test_repsync.sh" </dev/null >/dev/null 2>&1
}

# forge_from SRC NAME - $fdir = $tmp/forge/NAME, a copy of the feed
# directory SRC, served by nginx f from now on
forge_from() {
	fdir=$tmp/forge/$2
	rm -rf "$fdir"
	mkdir -p "$tmp/forge"
	cp -a "$1" "$fdir"
	rm -f "$fdir/.state"
	ln -sfn "$fdir" "$tmp/www/f"
}

# mhead FIELD DIR - a field of the header of DIR's manifest (serial,
# epoch, ...)
mhead() {
	sed -n "1s/.*	$1=\([0-9]*\).*/\1/p" "$2/manifest"
}

# mfile KIND - the name of the KIND (snapshot, delta) file $fdir's
# manifest lists
mfile() {
	awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$fdir/manifest"
}

# man_edit AWK - rewrite $fdir/manifest with an awk program (-F'\t',
# OFS tab), then sign it with $forge_key
man_edit() {
	awk -F'\t' -v OFS='\t' "$1" "$fdir/manifest" >"$fdir/manifest.new" &&
		mv "$fdir/manifest.new" "$fdir/manifest" &&
		sign "$forge_key" "$fdir/manifest"
}

# man_set FIELD=VALUE... - set fields of $fdir's manifest header, sign it
man_set() {
	for _kv; do
		man_edit "NR == 1 {
			for (i = 2; i <= NF; i++)
				if (index(\$i, \"${_kv%%=*}=\") == 1) \$i = \"$_kv\"
		} { print }" || return 1
	done
}

# man_drop KIND - drop $fdir's manifest lines of KIND, fix the trailer
man_drop() {
	man_edit "\$1 == \"$1\" { next }
		/^#end/ { print \"#end\", \"files=\" n; next }
		NR > 1 { n++ } { print }"
}

# feed_edit KIND HI KEEP SUBJECTS GEN - rewrite $fdir's KIND file as a
# partner holding the key would: the header's range ends at HI (empty:
# unchanged); KEEP=0 drops the records it had; then one record for each
# of SUBJECTS (space-separated, seq = the range's first) and GEN more for
# generated addresses 20.x.y.1 (seq 1..GEN), each a copy of the file's
# first record with its subject and seq changed (whatever the other
# columns are: the header's fields= names them); the trailer counts them.
# The new file gets its hash name, the manifest line its name, size,
# hash, range and count; both are signed with $forge_key.
feed_edit() {
	_old=$(mfile "$1")
	[ -n "$_old" ] || { diag "feed_edit: no $1 in $fdir"; return 1; }
	zstd -dc "$fdir/$_old" | awk -F'\t' -v OFS='\t' -v hi="$2" \
		-v keep="$3" -v subjects="$4" -v gen="${5:-0}" '
		NR == 1 {
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^fields=/) {
					n = split(substr($i, 8), f, ",")
					for (k = 1; k <= n; k++) col[f[k]] = k
				}
				if ($i ~ /^seq=/) {
					split(substr($i, 5), r, "-")
					lo = r[1]
					if (hi != "") $i = "seq=" lo "-" hi
				}
			}
			print
			next
		}
		/^#end/ {
			ns = split(subjects, s, " ")
			for (k = 1; k <= ns; k++) {
				$0 = tmpl
				$col["subject"] = s[k]
				$col["seq"] = lo
				print
				cnt++
			}
			for (j = 1; j <= gen; j++) {
				$0 = tmpl
				$col["subject"] = sprintf("%d.%d.%d.1", \
					20 + int(j / 65536), int(j / 256) % 256, j % 256)
				$col["seq"] = j
				print
				cnt++
			}
			print "#end", "records=" cnt
			exit
		}
		{
			if (tmpl == "") tmpl = $0
			if (keep) { print; cnt++ }
		}' >"$fdir/new.tsv" || return 1
	zstd -q -1 -f "$fdir/new.tsv" -o "$fdir/new.zst" || return 1
	feed_install "$_old" "$fdir/new.zst" \
		"$(sed -n '1s/.*	seq=\([0-9]*-[0-9]*\).*/\1/p' "$fdir/new.tsv")" \
		"$(sed -n 's/^#end	records=//p' "$fdir/new.tsv")"
	_rc=$?
	rm -f "$fdir/new.tsv"
	return $_rc
}

# feed_install OLD NEW RANGE COUNT - NEW replaces $fdir's file OLD: named
# by its hash, signed with $forge_key, its manifest line saying its name,
# size, hash, RANGE and COUNT; the manifest signed again
feed_install() {
	_h=$(sha256sum "$2" | cut -c1-64)
	_size=$(wc -c <"$2" | tr -d ' ')
	rm -f "$fdir/$1" "$fdir/$1.minisig"
	mv "$2" "$fdir/$_h.tsv.zst" || return 1
	sign "$forge_key" "$fdir/$_h.tsv.zst" || return 1
	man_edit "\$2 == \"$1\" {
		\$2 = \"$_h.tsv.zst\"; \$3 = $_size; \$4 = \"$_h\"
		\$5 = \"$3\"; \$6 = $4
	} { print }"
}

# flip FILE OFFSET - flip the lowest bit of the byte at OFFSET
flip() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((_b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# flip_sig FILE - flip one bit of the Ed25519 signature in a minisig file
# (inside the base64 of its second line, which stays valid base64)
flip_sig() {
	sed -n 2p "$1" | base64 -d >"$tmp/sig.raw" 2>/dev/null &&
		flip "$tmp/sig.raw" 30 &&
		{
			sed -n 1p "$1"
			base64 -w0 "$tmp/sig.raw"
			echo
			sed -n '3,$p' "$1"
		} >"$tmp/sig.new" && mv "$tmp/sig.new" "$1"
}

# c_reset - isp-c's store and state back to the base (isp-a's first
# snapshot applied); forged files signed with isp-a's key
c_reset() {
	rm -rf "$tmp/c"
	cp -a "$tmp/c.base" "$tmp/c"
	forge_key=$tmp/a/key
}

# c_refused DESC PATTERN - isp-c's pull was refused with a reason
# matching PATTERN, and nothing moved: watermark and slot as in the base
c_refused() {
	is "$rc" 1 "$1: pull exits 1"
	like "$err" "$2" "$1: refused, saying why"
	is "$(wm c isp-a)" "$base_wm" "$1: watermark kept"
	is "$(held c isp-a)" "$base_held" "$1: nothing applied"
	is "$(anew c "$(($(alines c) - 1))" | jget 'a[0]["result"]')" refused \
		"$1: audited as refused"
}

mkdir -p "$tmp/www" "$tmp/saved" "$tmp/ngx"

#
# 1. First sync: each ISP publishes its snapshot and pulls the other's.
#
write_conf a isp-a
write_conf b isp-b
partner_conf a isp-b "https://127.0.0.1:$port_b/" "$tmp/b/key.pub"
partner_conf b isp-a "https://127.0.0.1:$port_a/" "$tmp/a/key.pub"
run rs a keygen
is "$rc" 0 "isp-a: keygen"
run rs b keygen
is "$rc" 0 "isp-b: keygen"
like "$(stat -c %a "$tmp/a/key")" '^600$' "keygen: the secret key is mode 0600"
printf 'x\n' >"$tmp/m.test"
sign "$tmp/a/key" "$tmp/m.test"
ok $? "Debian's minisign signs with repsync's secret key, unattended"
minisign -V -p "$tmp/a/key.pub" -m "$tmp/m.test" >/dev/null 2>&1
ok $? "Debian's minisign verifies with repsync's public key"

for s in 1.2.3.4 81.2.69.0/24 37.120.1.1; do
	rctl a observe "$s" spam --count 20 >/dev/null
done
for s in 5.6.7.8 89.160.20.0/24; do
	rctl b observe "$s" spam --count 20 >/dev/null
done
run rs a publish
is "$rc" 0 "isp-a: publish"
like "$out" '^wrote snapshot [0-9a-f]{64}\.tsv\.zst: 3 records' \
	"isp-a: publish writes a snapshot of 3 records"
run rs b publish
is "$rc" 0 "isp-b: publish"
cp -a "$tmp/a/feed" "$tmp/saved/a1"
snap_a1=$(awk -F'\t' '$1 == "snapshot" { print $2 }' "$tmp/a/feed/manifest")

ln -s "$tmp/a/feed" "$tmp/www/a"
ln -s "$tmp/b/feed" "$tmp/www/b"
nginx_start a "$tmp/ngx/a" "$port_a" "$tmp/www/a"
ok $? "nginx a serves isp-a's feed with client certificates required"
nginx_start b "$tmp/ngx/b" "$port_b" "$tmp/www/b"
ok $? "nginx b serves isp-b's feed"

run rs b pull
is "$rc" 0 "isp-b pulls isp-a over https: exit 0"
like "$out" "^isp-a: applied snapshot $snap_a1 \(sequence 1-3\): 3 records" \
	"isp-b: isp-a's snapshot applied"
is "$(slot b 1.2.3.4 isp-a)" list "isp-b: 1.2.3.4 listed by isp-a"
is "$(slot b 81.2.69.0/24 isp-a)" list "isp-b: 81.2.69.0/24 listed by isp-a"
run rs a pull
is "$rc" 0 "isp-a pulls isp-b over https: exit 0"
is "$(slot a 5.6.7.8 isp-b)" list "isp-a: 5.6.7.8 listed by isp-b"
is "$(listed_by a isp-b | tr '\n' ' ')" "5.6.7.8 89.160.20.0/24 " \
	"isp-a holds exactly isp-b's two listings"
is "$(slot a 1.2.3.4 isp-b)" none "isp-a: its own listing does not come back"
is "$(anew b 0 | jget '[(x["kind"], x["result"], x["records"]) for x in a]')" \
	"[('snapshot', 'applied', 3)]" \
	"isp-b's audit log: one line, the snapshot applied, 3 records"
run rs b status
like "$out" "watermark     epoch $(mhead epoch "$tmp/a/feed"), sequence 3, manifest serial $(mhead serial "$tmp/a/feed")," \
	"status: the watermark (isp-a's epoch, sequence 3, its serial)"
like "$out" "records held  3 listed, 0 allowed" "status: the records held"
like "$out" "stale         no" "status: not stale"
is "$rc" 0 "status: exit 0 when all is well"
grep -q "\"GET /manifest HTTP/1.1\" 200 " "$tmp/ngx/a/access.log"
ok $? "nginx a served the manifest (200) to the client certificate"

#
# 2. Nightly delta: only the delta is fetched.
#
rctl a observe 2.56.1.1 spam --count 20 >/dev/null
run rs a publish
is "$rc" 0 "isp-a: second publish"
like "$out" '^wrote delta [0-9a-f]{64}\.tsv\.zst: 1 records' \
	"isp-a: the second publish writes a delta of one record"
cp -a "$tmp/a/feed" "$tmp/saved/a2"
delta_a2=$(awk -F'\t' '$1 == "delta" { print $2 }' "$tmp/a/feed/manifest")
n=$(alines b)
nreq=$(wc -l <"$tmp/ngx/a/access.log")
run rs b pull
is "$rc" 0 "isp-b: nightly pull, exit 0"
is "$(anew b "$n" | jget '[(x["kind"], x["result"], x["seq"], x["file"]) for x in a]')" \
	"[('delta', 'applied', '4-4', '$delta_a2')]" \
	"isp-b's audit log: one line, kind delta, applied"
is "$(slot b 2.56.1.1 isp-a)" list "isp-b: the delta's listing arrived"
is "$(tail -n +$((nreq + 1)) "$tmp/ngx/a/access.log" |
	sed -n 's/.*"GET \/\([^ ]*\) HTTP[^"]*" \([0-9]*\) .*/\1 \2/p' | sort |
	tr '\n' ' ')" \
	"$delta_a2 200 $delta_a2.minisig 200 manifest 200 manifest.minisig 200 " \
	"nightly pull: nginx a served the manifest and the delta, nothing else"

#
# 3. A delisting travels, and a replay of the older feed does not undo it.
#
rctl a observe 1.2.3.4 ham --count 10 >/dev/null
run rs a publish
like "$out" '1 changed \(1 delisted\)' "isp-a: 1.2.3.4 delisted in its publish"
run rs b pull
is "$rc" 0 "isp-b: pull of the delisting, exit 0"
is "$(slot b 1.2.3.4 isp-a)" delist "isp-b: 1.2.3.4 is delisted by isp-a"
wm_b3=$(wm b isp-a)
ln -sfn "$tmp/saved/a2" "$tmp/www/a"
run rs b pull
is "$rc" 1 "replayed older feed: pull exits 1"
like "$err" "manifest serial $(mhead serial "$tmp/saved/a2") is below $(mhead serial "$tmp/a/feed").*replayed" \
	"replayed older feed: refused as a replay"
is "$(slot b 1.2.3.4 isp-a)" delist "replayed older feed: 1.2.3.4 stays delisted"
is "$(wm b isp-a)" "$wm_b3" "replayed older feed: watermark kept"
is "$(anew b $(($(alines b) - 1)) | jget '[(x["kind"], x["result"]) for x in a]')" \
	"[('manifest', 'refused')]" "replayed older feed: audited as refused"
ln -sfn "$tmp/a/feed" "$tmp/www/a"

#
# 4. A local allow beats the partner's listing.
#
run rctl b allow 37.120.1.1 --reason "our customer"
is "$rc" 0 "isp-b: repctl allow 37.120.1.1"
is "$(rctl b --json show 37.120.1.1 | jget '[
	a[0]["override"],
	a[0]["score"] == [t["value"] for t in a[0]["terms"] if t["kind"] == "override"][0],
	[(t["publisher"], t["value"] > 0) for t in a[0]["terms"] if t["kind"] == "partner"]]')" \
	"['allow', True, [('isp-a', True)]]" \
	"isp-b: the score is the allow's, isp-a's listing does not count"
like "$(rctl b show 37.120.1.1)" '^score: -[0-9.]+ \(override allow\)' \
	"isp-b: repctl show says the override decides"

#
# 5. A partner offline: the others still sync, the watermark stays.
#
partner_conf b isp-c "https://127.0.0.1:$port_dead/" "$tmp/a/key.pub"
rctl a observe 31.13.1.1 spam --count 20 >/dev/null
rs a publish >/dev/null
run rs b pull
is "$rc" 1 "a partner offline: pull exits 1"
like "$out" "^isp-a: applied delta" "a partner offline: isp-a still synced"
is "$(slot b 31.13.1.1 isp-a)" list "a partner offline: isp-a's news arrived"
like "$err" "isp-c: https://127\.0\.0\.1:$port_dead/manifest: " \
	"a partner offline: isp-c's failure said"
run rs b status isp-c
like "$out" "last failure  [0-9T:Z-]+: https://127\.0\.0\.1:$port_dead/manifest: " \
	"status: isp-c's failure and why"
like "$out" "watermark     (none|epoch 0, sequence 0,)" "status: isp-c never applied"
is "$rc" 1 "status: exit 1 while a partner fails"

nginx_stop a
wm_b5=$(wm b isp-a)
held_b5=$(held b isp-a)
rctl a observe 31.13.1.2 spam --count 20 >/dev/null
rs a publish >/dev/null
run rs b pull isp-a
is "$rc" 1 "isp-a's server down: pull exits 1"
is "$(wm b isp-a)" "$wm_b5" "isp-a's server down: watermark unchanged"
is "$(held b isp-a)" "$held_b5" "isp-a's server down: its slot unchanged"
run rs b status isp-a
like "$out" "last failure  [0-9T:Z-]+: https://127\.0\.0\.1:$port_a/manifest: " \
	"status: isp-a's failure and why"
unlike "$out" "recovered since" "status: isp-a not recovered yet"
nginx_start a "$tmp/ngx/a" "$port_a" "$tmp/www/a"
ok $? "nginx a back"
run rs b pull isp-a
is "$rc" 0 "isp-a back: pull exits 0"
is "$(slot b 31.13.1.2 isp-a)" list "isp-a back: what it published meanwhile arrived"
run rs b status isp-a
like "$out" "last failure  .*\(recovered since\)" "status: isp-a recovered"
echo "partner.isp-c.enabled = no" >>"$tmp/b.conf"

#
# 6. Back after a long absence: the deltas isp-b missed are gone; it
# resyncs from the snapshot.
#
n=$(alines b)
delta_old=$(awk -F'\t' '$1 == "delta" { print $2 }' "$tmp/a/feed/manifest")
for i in 1 2 3; do
	touch -d '25 hours ago' "$tmp/a/feed"/*.tsv.zst*
	rctl a observe "31.13.2.$i" spam --count 20 >/dev/null
	[ "$i" -eq 2 ] && rctl a observe 81.2.69.0/24 ham --count 10 >/dev/null
	rs a publish >/dev/null
done
is "$(grep -c '^delta' "$tmp/a/feed/manifest")" 1 \
	"isp-a's manifest lists only its newest delta"
[ ! -e "$tmp/a/feed/$delta_old" ] && [ ! -e "$tmp/a/feed/$delta_old.minisig" ]
ok $? "isp-a pruned an old delta and its signature"
is "$(find "$tmp/a/feed" -type f ! -name '.*' | wc -l | tr -d ' ')" 6 \
	"isp-a's feed: manifest, a delta, a snapshot and their signatures"
run rs b pull
is "$rc" 0 "long absence: pull exits 0"
is "$(anew b "$n" | jget '[(x["partner"], x["kind"], x["result"]) for x in a]')" \
	"[('isp-a', 'snapshot', 'applied')]" "long absence: resynced from the snapshot"
snap_now=$(awk -F'\t' '$1 == "snapshot" { print $2 }' "$tmp/a/feed/manifest")
is "$(listed_by b isp-a | tr '\n' ' ')" \
	"$(feed_listed "$tmp/a/feed/$snap_now" | tr '\n' ' ')" \
	"long absence: isp-b holds what isp-a's snapshot lists"
is "$(slot b 31.13.2.1 isp-a)" list "long absence: a listing from a pruned delta arrived"
unlike "$(slot b 81.2.69.0/24 isp-a)" '^list$' \
	"long absence: a listing isp-a dropped meanwhile is gone"
snap_hi=$(awk -F'\t' '$1 == "snapshot" { sub(/.*-/, "", $5); print $5 }' \
	"$tmp/a/feed/manifest")
like "$(wm b isp-a)" "sequence $snap_hi, manifest serial $(mhead serial "$tmp/a/feed")," \
	"long absence: watermark at isp-a's snapshot and serial"

#
# isp-a loses its publish_dir (a new disk, a restore): its next publish
# starts a new epoch, its serial still above every one before, and isp-b
# follows it from the new snapshot (no replay refused forever).
#
epoch_old=$(mhead epoch "$tmp/a/feed")
serial_old=$(mhead serial "$tmp/a/feed")
i=0
while [ "$(date +%s)" -le "$epoch_old" ] && [ "$i" -lt 20 ]; do
	sleep 0.2
	i=$((i + 1))
done
rm -rf "$tmp/a/feed"
run rs a publish
like "$out" "published isp-a epoch [0-9]+ serial [0-9]+:" "isp-a: a publish from nothing"
epoch_new=$(mhead epoch "$tmp/a/feed")
ok $((epoch_new <= epoch_old)) "isp-a: a new epoch, later than the old one"
ok $(($(mhead serial "$tmp/a/feed") <= serial_old)) \
	"isp-a: the serial still grows across the new epoch"
run rs b pull
is "$rc" 0 "new epoch: isp-b pulls it, exit 0"
like "$(wm b isp-a)" "epoch $epoch_new, " "new epoch: isp-b's watermark follows it"

#
# 16. Mutual TLS: no client certificate, one from another CA, a server
# from another CA: all refused before anything is read.
#
for v in none rogue-client rogue-server; do
	write_conf "x-$v" isp-x
	case $v in
	rogue-server) partner_conf "x-$v" isp-a "https://127.0.0.1:$port_a/" \
		"$tmp/a/key.pub" client rogue-ca ;;
	*) partner_conf "x-$v" isp-a "https://127.0.0.1:$port_a/" \
		"$tmp/a/key.pub" "$v" ;;
	esac
	run rs "x-$v" pull
	is "$rc" 1 "TLS $v: pull exits 1"
	case $v in
	rogue-server) like "$err" "isp-a: .*(certificate|TLS|SSL)" \
		"TLS $v: the server's certificate refused" ;;
	*) like "$err" "isp-a: https://127\.0\.0\.1:$port_a/manifest: (HTTP 400|.*(certificate|TLS|SSL|alert))" \
		"TLS $v: the client refused by nginx" ;;
	esac
	is "$(held "x-$v" isp-a)" "" "TLS $v: nothing applied"
done

#
# The forge: isp-c pulls "isp-a" from nginx f, which serves copies of
# isp-a's feeds, edited. Its base: isp-a's first snapshot applied; the
# next file to fetch is isp-a's first delta (saved/a2).
#
cat >"$tmp/ngx/f.conf" <<EOF
location /same/ {
	rewrite ^/same/(.*)\$ https://127.0.0.1:$port_f/\$1 redirect;
}
location /moved/ {
	rewrite ^/moved/(.*)\$ https://localhost:$port_f/\$1 redirect;
}
EOF
forge_key=$tmp/a/key
forge_from "$tmp/saved/a1" base
nginx_start f "$tmp/ngx/f" "$port_f" "$tmp/www/f" "$tmp/ngx/f.conf"
ok $? "nginx f serves the forged feeds"
write_conf c isp-c
echo "sentinels = 44.44.44.44" >>"$tmp/c.conf"
partner_conf c isp-a "https://127.0.0.1:$port_f/" "$tmp/a/key.pub"
run rs c pull
is "$rc" 0 "isp-c: the base (isp-a's first snapshot) applied"
rm -rf "$tmp/c/state/partner/isp-a.status"
cp -a "$tmp/c" "$tmp/c.base"
base_wm=$(wm c isp-a)
base_held=$(held c isp-a)
like "$base_wm" "sequence 3, manifest serial $(mhead serial "$tmp/saved/a1")," \
	"isp-c's base: sequence 3, isp-a's first serial"

# A copy of isp-a's second feed, untouched: applied (the forge works).
c_reset
forge_from "$tmp/saved/a2" plain
run rs c pull
is "$rc" 0 "forge, untouched copy: applied"
is "$(slot c 2.56.1.1 isp-a)" list "forge, untouched copy: the delta's listing arrived"

#
# 10. A replayed older manifest, after the newer one was applied.
#
forge_from "$tmp/saved/a1" replay
run rs c pull
is "$rc" 1 "replayed manifest: pull exits 1"
like "$err" "serial $(mhead serial "$tmp/saved/a1") is below $(mhead serial "$tmp/saved/a2").*replayed" \
	"replayed manifest: refused as a replay"
is "$(slot c 2.56.1.1 isp-a)" list "replayed manifest: nothing undone"

#
# 7. A truncated download: refused, kept to be resumed; the whole file
# then completes it.
#
c_reset
forge_from "$tmp/saved/a2" cut
d=$(mfile delta)
size=$(wc -c <"$fdir/$d" | tr -d ' ')
head -c $((size - 40)) "$tmp/saved/a2/$d" >"$fdir/$d"
run rs c pull
c_refused "truncated delta" "$((size - 40)) bytes, $size expected"
[ -s "$tmp/c/state/partner/isp-a/$d.part" ]
ok $? "truncated delta: the part is kept to resume"
cp "$tmp/saved/a2/$d" "$fdir/$d"
run rs c -v pull
is "$rc" 0 "truncated delta, then whole: applied"
like "$out" "fetched $d \($size bytes, resumed\)" \
	"truncated delta, then whole: the download resumed"

#
# 17. An oversized body: more bytes than the manifest says.
#
c_reset
forge_from "$tmp/saved/a2" big
d=$(mfile delta)
head -c 5000 /dev/urandom >>"$fdir/$d"
run rs c pull
c_refused "oversized delta" "(bytes or more, $size expected|over the limit of $size)"
[ ! -e "$tmp/c/state/partner/isp-a/$d.part" ] && [ ! -e "$tmp/c/state/partner/isp-a/$d" ]
ok $? "oversized delta: nothing of it kept"

#
# 8. A bit flipped: in the body, in the manifest, in a signature.
#
c_reset
forge_from "$tmp/saved/a2" flip-body
d=$(mfile delta)
flip "$fdir/$d" $((size / 2))
run rs c pull
c_refused "bit flipped in the delta" "$d: signature: signature does not match"

c_reset
forge_from "$tmp/saved/a2" flip-manifest
o=$(grep -bo 'serial=[0-9]*' "$fdir/manifest" | head -n 1 | cut -d: -f1)
serial=$(mhead serial "$fdir")
flip "$fdir/manifest" $((o + 6 + ${#serial}))
like "$(head -n 1 "$fdir/manifest")" \
	"	serial=$((serial - serial % 10 + ((serial % 10) ^ 1)))	" \
	"the flipped manifest says another serial"
run rs c pull
c_refused "bit flipped in the manifest" "manifest: manifest signature verification"

c_reset
forge_from "$tmp/saved/a2" flip-msig
flip_sig "$fdir/manifest.minisig"
run rs c pull
c_refused "bit flipped in the manifest's signature" "manifest: manifest signature verification"

c_reset
forge_from "$tmp/saved/a2" flip-dsig
flip_sig "$fdir/$(mfile delta).minisig"
run rs c pull
c_refused "bit flipped in the delta's signature" "signature: signature does not match"

#
# 9. An unknown key: the feed re-signed, whole, by another key.
#
write_conf rogue isp-a
rs rogue keygen >/dev/null 2>&1
c_reset
forge_from "$tmp/saved/a2" rogue
for f in "$fdir"/manifest "$fdir"/*.tsv.zst; do
	sign "$tmp/rogue/key" "$f"
done
run rs c pull
c_refused "signed by an unknown key" "manifest signed by a key that is not"

#
# 11. An expired manifest (re-signed with isp-a's key).
#
now=$(date +%s)
c_reset
forge_from "$tmp/saved/a2" expired
man_set "generated=$((now - 4 * 86400))" "valid_until=$((now - 3600))"
run rs c pull
c_refused "expired manifest" "manifest serial [0-9]+ expired 36[0-9][0-9] s ago"
run rs c check
is "$rc" 1 "expired manifest: repsync check exits 1"
like "$err" "isp-a: manifest serial [0-9]+ expired" "expired manifest: repsync check says so"

#
# 13. Clock skew of two days either way.
#
c_reset
forge_from "$tmp/saved/a2" future
man_set "generated=$((now + 2 * 86400))" "valid_until=$((now + 5 * 86400))"
run rs c pull
c_refused "manifest from 2 days in our future" "generated 17[0-9]{4} s in our future"

c_reset
forge_from "$tmp/saved/a2" past
man_set "generated=$((now - 2 * 86400))" "valid_until=$((now + 86400))"
run rs c pull
is "$rc" 0 "manifest from 2 days ago, still valid: accepted"
is "$(slot c 2.56.1.1 isp-a)" list "manifest from 2 days ago: its delta applied"

#
# 14. A flood of /8s: each dropped as too wide, counted; the rest applied.
#
c_reset
forge_from "$tmp/saved/a2" flood
eights=
for i in $(seq 45 104); do
	eights="$eights $i.0.0.0/8"
done
feed_edit delta "" 1 "$eights"
run rs c pull
is "$rc" 0 "flood of /8s: the file applied"
is "$(anew c "$(($(alines c) - 1))" | jget '[(x["result"], x["records"], x["dropped"], x["drop_reasons"]["prefix"]) for x in a]')" \
	"[('applied', 61, 60, 60)]" "flood of /8s: 60 dropped as prefix, in the audit"
is "$(held c isp-a | grep -c '/8,')" 0 "flood of /8s: none in the store"
is "$(slot c 2.56.1.1 isp-a)" list "flood of /8s: the good record applied"

#
# 12. A sequence jump (a stolen key): quarantined; release applies it.
# 14. A sentinel listed: quarantined whole; discard removes it.
#
c_reset
forge_from "$tmp/saved/a2" jump
feed_edit delta 6000004 1 "" || diag "feed_edit failed"
jump_id=isp-a-$(mhead serial "$fdir")-$(mfile delta | cut -c1-12)
run rs c pull
is "$rc" 1 "sequence jump: pull exits 1"
like "$err" "quarantined: sequence jumps by 6000001" \
	"sequence jump: quarantined, saying why"
is "$(wm c isp-a)" "$base_wm" "sequence jump: watermark kept"
is "$(slot c 2.56.1.1 isp-a)" none "sequence jump: nothing applied"
is "$(anew c "$(($(alines c) - 1))" | jget '[(x["kind"], x["result"]) for x in a]')" \
	"[('delta', 'quarantined')]" "sequence jump: audited as quarantined"

forge_from "$tmp/saved/a2" sentinel
feed_edit delta "" 1 "44.44.44.44 45.45.45.45"
sent_id=isp-a-$(mhead serial "$fdir")-$(mfile delta | cut -c1-12)
run rs c pull
is "$rc" 1 "sentinel listed: pull exits 1"
like "$err" "quarantined: lists 1 sentinel subject" "sentinel listed: quarantined whole"
is "$(slot c 45.45.45.45 isp-a)" none "sentinel listed: not even the other records applied"
is "$(slot c 2.56.1.1 isp-a)" none "sentinel listed: nor the file's real record"

run rs c quarantine list
is "$rc" 0 "quarantine list: exit 0"
like "$out" "^$jump_id	delta	.*sequence jumps" \
	"quarantine list: the sequence jump"
like "$out" "^$sent_id	delta	.*sentinel" "quarantine list: the sentinel"
run rs c status isp-a
like "$out" "quarantined   2" "status: 2 files in quarantine"
run rs c quarantine release "$jump_id"
is "$rc" 0 "quarantine release: exit 0"
like "$(wm c isp-a)" "sequence 6000004," "quarantine release: the watermark jumped"
is "$(anew c "$(($(alines c) - 1))" | jget '[(x["kind"], x["result"], x["seq"]) for x in a]')" \
	"[('delta', 'applied', '4-6000004')]" "quarantine release: audited as applied"
is "$(slot c 2.56.1.1 isp-a)" list "quarantine release: its records applied"
run rs c quarantine release "$sent_id"
is "$rc" 1 "quarantine release of the sentinel's file: refused still"
like "$err" "sentinel" "quarantine release of the sentinel's file: saying why"
is "$(slot c 45.45.45.45 isp-a)" none "quarantine release of the sentinel's file: nothing applied"
run rs c quarantine discard "$sent_id"
is "$rc" 0 "quarantine discard: exit 0"
[ ! -e "$tmp/c/state/quarantine/$sent_id" ]
ok $? "quarantine discard: the file is gone"
run rs c quarantine list
is "$out" "nothing in quarantine" "quarantine list: empty afterwards"
like "$(rs c status isp-a)" "quarantined   0" "status: nothing in quarantine"
is "$(slot c 45.45.45.45 isp-a)" none "quarantine discard: nothing of it applied"

#
# 18. Redirects: to the same origin followed, to another host refused.
#
for v in same moved; do
	write_conf "c-$v" isp-c
	partner_conf "c-$v" isp-a "https://127.0.0.1:$port_f/$v/" \
		"$tmp/a/key.pub"
	rm -rf "$tmp/c-$v"
	cp -a "$tmp/c.base" "$tmp/c-$v"
done
forge_from "$tmp/saved/a2" redirect
run rs c-same pull
is "$rc" 0 "redirect to the same host and port: followed, applied"
nget=$(grep -c '"GET /manifest ' "$tmp/ngx/f/access.log")
run rs c-moved pull
is "$rc" 1 "redirect to another host: pull exits 1"
like "$err" "redirect to https://localhost:$port_f/manifest refused" \
	"redirect to another host: refused, saying where"
is "$(grep -c '"GET /manifest ' "$tmp/ngx/f/access.log")" "$nget" \
	"redirect to another host: never followed"
is "$(held c-moved isp-a)" "$base_held" "redirect to another host: nothing applied"

#
# 15. kill -9 during a large snapshot: interrupted pulls, then a clean
# one, end where one undisturbed pull ends.
#
forge_from "$tmp/saved/a2" large
feed_edit snapshot 200000 0 "" 200000
man_drop delta
man_set "serial=$(($(mhead serial "$tmp/saved/a2") + 20))"
for v in e r; do
	write_conf "$v" "isp-$v"
	partner_conf "$v" isp-a "https://127.0.0.1:$port_f/" "$tmp/a/key.pub"
done
t0=$(date +%s%N)
run rs r pull
t1=$(date +%s%N)
is "$rc" 0 "large snapshot: the reference pull applies it"
like "$out" "200000 records" "large snapshot: 200000 records"
ms=$(((t1 - t0) / 1000000))
hits=0
for pct in 10 25 40 55 70 85; do
	"$repsync" -q -c "$tmp/e.conf" pull >/dev/null 2>&1 &
	bgpid=$!
	sleep "$(awk -v ms="$ms" -v p="$pct" 'BEGIN { printf "%.3f", ms * p / 100000 }')"
	kill -9 "$bgpid" 2>/dev/null && hits=$((hits + 1))
	wait "$bgpid" 2>/dev/null
	bgpid=
done
diag "reference pull ${ms} ms; $hits of 6 pulls killed while running" \
	"(the download takes a tenth of it, parsing and the commit the rest)"
ok $((hits < 2)) "large snapshot: at least two pulls killed midway"
run rs e pull
is "$rc" 0 "large snapshot: the clean pull after the kills exits 0"
rctl e stats >/dev/null 2>&1
ok $? "large snapshot: the store opens after the kills"
held r isp-a >"$tmp/r.held"
held e isp-a >"$tmp/e.held"
is "$(wc -l <"$tmp/e.held" | tr -d ' ')" 200000 "large snapshot: 200000 records held"
cmp -s "$tmp/r.held" "$tmp/e.held"
ok $? "large snapshot: the slot equals the undisturbed reference's"
is "$(wm e isp-a | sed 's/, moved .*//')" "$(wm r isp-a | sed 's/, moved .*//')" \
	"large snapshot: the watermark equals the reference's"

# The same snapshot cut in half and signed as it is (a publisher's crash):
# its first records parse, and none may be applied.
forge_from "$tmp/forge/large" large-cut
d=$(mfile snapshot)
head -c $(($(wc -c <"$fdir/$d") / 2)) "$fdir/$d" >"$tmp/cut.zst"
feed_install "$d" "$tmp/cut.zst" 1-200000 200000
man_set "serial=$(($(mhead serial "$tmp/saved/a2") + 21))"
write_conf k isp-k
partner_conf k isp-a "https://127.0.0.1:$port_f/" "$tmp/a/key.pub"
run rs k pull
is "$rc" 1 "large snapshot cut and signed: pull exits 1"
like "$err" "isp-a: [0-9a-f]{64}\.tsv\.zst: line [0-9]+ field [0-9]+: " \
	"large snapshot cut and signed: refused by the reader"
is "$(held k isp-a | wc -l | tr -d ' ')" 0 \
	"large snapshot cut and signed: none of its records applied"

#
# The audit logs: JSON, one line per file handled.
#
for v in a b c c-same c-moved e r k; do
	[ -f "$tmp/$v/state/audit.log" ] || continue
	python3 -c 'import json, sys
for l in sys.stdin:
    d = json.loads(l)
    assert set(("time", "partner", "serial", "file", "kind", "seq", "result",
        "reason", "records", "drop_reasons")) <= set(d), l' \
		<"$tmp/$v/state/audit.log" 2>"$tmp/py.err"
	ok $? "$v's audit log: every line JSON with the fields"
	[ -s "$tmp/py.err" ] && diag "$(cat "$tmp/py.err")"
done

done_testing
