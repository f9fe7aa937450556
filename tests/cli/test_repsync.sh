#!/bin/sh
# test_repsync.sh - repsync's command line as an operator meets it: the
# configuration's errors and -n, keygen, publish and pull over file://,
# status, quarantine's arguments, exit codes. The exchange between two
# ISPs over HTTPS is tests/integration/test_repsync.sh. Emits TAP.

top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/cli/tap.sh"

repsync="$top_builddir/tools/repsync"
repctl="$top_builddir/tools/repctl"
[ -x "$repsync" ] || skip_all "$repsync not built"

LC_ALL=C
export LC_ALL
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_repsync.XXXXXX") || exit 1
trap 'rm -rf "$tap_tmp"' EXIT
trap 'exit 1' HUP INT TERM
t=$tap_tmp

# conf NAME [LINES...] - a configuration for ISP NAME under $t/NAME
conf() {
	_n=$1
	shift
	mkdir -p "$t/$_n"
	{
		echo "store = $t/$_n/store.mdb"
		echo "publisher = $_n"
		echo "secret_key = $t/$_n/key"
		echo "public_key = $t/$_n/key.pub"
		echo "publish_dir = $t/$_n/feed"
		echo "state_dir = $t/$_n/state"
		for _l in "$@"; do echo "$_l"; done
	} >"$t/$_n.conf"
}

# Configuration errors: each with FILE:LINE, all of them, exit 78.
conf bad "bogus = 1" "publish_min_ratio = 2" "partner.x.url = ftp://x/" \
	"partner.x.public_key = relative.pub" "partner.Bad.url = file:///x" \
	"partner.y.weight = 1" "store = /a" "store = /b" "partner.z.nokey = 1"
run "$repsync" -c "$t/bad.conf" status
is "$rc" 78 "a bad configuration exits 78"
like "$err" "bad.conf:7: unknown key bogus" "unknown key, with its line"
like "$err" "bad.conf:8: publish_min_ratio" "out-of-range value"
like "$err" "bad.conf:9: url: .*neither https" "a URL that is neither https nor file"
like "$err" "bad.conf:10: public_key: .*absolute" "a relative key path"
like "$err" "bad.conf:11: .*not a partner name" "a bad partner name"
like "$err" "partner y has no url" "a partner without url"
like "$err" "bad.conf:13: store repeated \(first set on line 1\)" "a repeated key"
like "$err" "bad.conf:15: unknown key nokey \(of a partner\)" "an unknown partner key"
like "$err" "partner y has no public_key" "a partner without key"
unlike "$err" "partner x has no url" "no second error for a url already refused"

run "$repsync" -c "$t/missing.conf" status
is "$rc" 78 "a missing configuration file named by -c exits 78"

run "$repsync" -c "$t/bad.conf"
is "$rc" 2 "no command: usage, exit 2"
run "$repsync" -h
is "$rc" 0 "-h exits 0"
like "$out" "quarantine list" "-h lists the commands"

conf a "publish_valid = 2d" "partner.b.url = file://$t/b/feed/" \
	"partner.b.public_key = $t/b/key.pub" "partner.b.weight = 0.5" \
	"partner.b.categories = spam bot"
run "$repsync" -c "$t/a.conf" -n
is "$rc" 0 "-n prints the configuration"
printf '%s\n' "$out" >"$t/a-printed.conf"
run "$repsync" -c "$t/a-printed.conf" -n
is "$out" "$(cat "$t/a-printed.conf")" "-n's output reads back to itself"
like "$(cat "$t/a-printed.conf")" "^partner\.b\.weight = 0\.5$" "-n shows partner options"

# Every option the program knows is in the sample and the manual.
sample="$top_srcdir/etc/repsync.conf"
manual="$top_srcdir/tools/repsync.8"
missing=
for k in $(awk -F' = ' '/^[a-z_]+ = / { print $1 }' "$t/a-printed.conf"); do
	grep -Eq "^#$k =( |$)" "$sample" || missing="$missing sample:$k"
	grep -Eq "^\.(BI|BR|B) $k( |$)" "$manual" || missing="$missing manual:$k"
done
for k in $(sed -n 's/^partner\.b\.\([a-z_0-9]*\) = .*/\1/p' "$t/a-printed.conf"); do
	grep -q "^#   partner\.NAME\.$k " "$sample" || missing="$missing sample:partner.$k"
	grep -q "^\.BI partner\. name \.$k " "$manual" || missing="$missing manual:partner.$k"
done
is "${missing:-none}" none "every option is in etc/repsync.conf and repsync(8)"

run "$repsync" -c "$t/a.conf" frobnicate
is "$rc" 2 "an unknown command exits 2"

# keygen: a key pair, never overwritten without -f.
run "$repsync" -c "$t/a.conf" keygen
is "$rc" 0 "keygen makes a key pair"
like "$out" "^RW[A-Za-z0-9+/]{54}$" "keygen prints the public key line"
is "$(stat -c %a "$t/a/key")" 600 "the secret key is mode 0600"
run "$repsync" -c "$t/a.conf" keygen
is "$rc" 1 "keygen refuses to overwrite"
if command -v minisign >/dev/null 2>&1; then
	echo data >"$t/signed"
	minisign -S -s "$t/a/key" -m "$t/signed" >/dev/null 2>&1 </dev/null
	run minisign -V -p "$t/a/key.pub" -m "$t/signed"
	is "$rc" 0 "Debian's minisign signs with our secret key and verifies with our public key"
fi

# publish: nothing observed yet is still a valid, empty feed.
run "$repsync" -c "$t/a.conf" publish
is "$rc" 0 "publish on an empty store"
like "$out" "serial [0-9]+: 0 records" "an empty first snapshot"
conf nopub "publisher ="
run "$repsync" -c "$t/nopub.conf" publish
is "$rc" 78 "publish without a publisher name exits 78"

# b publishes what it saw; a pulls it over file://.
conf b "partner.a.url = file://$t/a/feed/" "partner.a.public_key = $t/a/key.pub"
"$repsync" -q -c "$t/b.conf" keygen >/dev/null
for ip in 1.2.3.4 5.6.7.8; do
	"$repctl" --db "$t/b/store.mdb" observe "$ip" spam --count 30 >/dev/null
done
"$repctl" --db "$t/b/store.mdb" observe 192.0.2.1 spam --count 30 >/dev/null
"$repctl" --db "$t/b/store.mdb" observe 9.9.9.9 ham --count 30 >/dev/null
run "$repsync" -c "$t/b.conf" publish
is "$rc" 0 "publish"
like "$out" "serial [0-9]+: 3 records" "publish lists spam sources only"
run "$repsync" -c "$t/a.conf" pull
is "$rc" 0 "pull over file://"
like "$out" "applied snapshot .*3 records.* 1 dropped" "the documentation address is dropped"
run "$repctl" --db "$t/a/store.mdb" show 1.2.3.4
like "$out" "partner b: list" "the listing arrived"
like "$out" "partner b +\+[0-9.]+" "and counts in the score"
run "$repctl" --db "$t/a/store.mdb" show 192.0.2.1
like "$out" "no record" "the bogon did not"
run "$repctl" --db "$t/a/store.mdb" --json show 1.2.3.4
like "$out" '"weight"|0\.5|"partner"' "repctl show reads the partner in JSON"
line=$(tail -n 1 "$t/a/state/audit.log")
like "$line" '"result":"applied"' "the audit log has the applied file"
like "$line" '"bogon":1' "and counts the drop by reason"

run "$repsync" -c "$t/a.conf" pull
like "$out" "up to date" "a second pull has nothing to do"

# What a learned from b is never published again by a.
"$repctl" --db "$t/a/store.mdb" observe 7.7.7.7 spam --count 30 >/dev/null
run "$repsync" -c "$t/a.conf" publish
like "$out" "serial [0-9]+: 1 records, 1 changed.*snapshot kept" \
	"a publishes its own observation only, as a delta"
delta=$(awk '$1 == "delta" { print $2 }' "$t/a/feed/manifest")
if command -v zstd >/dev/null 2>&1; then
	body=$(zstd -dcq "$t/a/feed/$delta")
	like "$body" "^7\.7\.7\.7	list	" "the delta holds a's listing"
	body=$(cd "$t/a/feed" && zstd -dcq ./*.tsv.zst)
	unlike "$body" "1\.2\.3\.4|5\.6\.7\.8" "no feed of a holds what b told it"
fi
run "$repsync" -c "$t/a.conf" status b
is "$rc" 0 "status of a partner in sync"
like "$out" "records held +2 listed" "status shows the records held"
like "$out" "stale +no" "and that it is not stale"
run "$repsync" -c "$t/a.conf" status nobody
is "$rc" 2 "status of an unknown partner exits 2"
run "$repsync" -c "$t/a.conf" pull nobody
is "$rc" 2 "pull of an unknown partner exits 2"

# a partner whose directory vanished: exit 1, the reason kept.
conf c "partner.gone.url = file://$t/nowhere/" "partner.gone.public_key = $t/a/key.pub" \
	"partner.b.url = file://$t/b/feed/" "partner.b.public_key = $t/b/key.pub"
run "$repsync" -c "$t/c.conf" pull
is "$rc" 1 "a failing partner makes pull exit 1"
like "$out" "b: applied snapshot" "the other partner still synced"
like "$err" "gone: " "the failure is named"
# a weighs b at 0.5 (partner.b.weight), c at the default 1: repctl scores
# with the weight repsync stored
sa=$("$repctl" --db "$t/a/store.mdb" show 1.2.3.4 | awk '/^score:/ { print $2 }')
sc=$("$repctl" --db "$t/c/store.mdb" show 1.2.3.4 | awk '/^score:/ { print $2 }')
is "$(awk -v a="$sa" -v c="$sc" 'BEGIN { d = a * 2 - c
	print (c > 0.1 && d < 0.02 && d > -0.02) ? "half" : "not half" }')" half \
	"partner.NAME.weight reaches the score ($sa against $sc)"
like "$("$repctl" --db "$t/a/store.mdb" show 1.2.3.4)" \
	"partner b +\+[0-9.]+ +from 1\.2\.3\.4 \(weight 0\.50, cap 5\.00, freshness" \
	"repctl show names the weight and cap the term used"
like "$("$repctl" --db "$t/c/store.mdb" --json show 1.2.3.4)" '"weight": ?1(\.0+)?[,}]' \
	"and so does its JSON"
run "$repsync" -c "$t/c.conf" status gone
like "$out" "last failure .*: " "status keeps the failure's reason"
is "$rc" 1 "status exits 1 for a failing partner"

# A plain CIDR list from a partner without repmilter: the same trust
# rules, the whole list a snapshot each time.
mkdir -p "$t/plain"
printf '# a plain list\n1.2.3.0/24\n8.0.0.0/8\n10.1.2.3\n81.2.69.7\n' \
	>"$t/plain/list.txt"
conf d "partner.plain.url = file://$t/plain/list.txt" \
	"partner.plain.format = cidr" "partner.plain.category = bot" \
	"partner.plain.confidence = 40"
run "$repsync" -c "$t/d.conf" pull
is "$rc" 0 "a plain list is pulled"
like "$out" "applied list list.txt: 4 entries, 2 added.* 2 dropped" \
	"its /8 and private address are dropped"
run "$repctl" --db "$t/d/store.mdb" show 81.2.69.7
like "$out" "partner plain: list, category bot, confidence 40" \
	"with the configured category and confidence"
like "$(tail -n 1 "$t/d/state/audit.log")" '"prefix":1,"bogon":1' \
	"the audit log counts both drops"
run "$repsync" -c "$t/d.conf" pull
like "$out" "list unchanged" "an unchanged list is not applied again"
printf '1.2.3.0/24\n' >"$t/plain/list.txt"
run "$repsync" -c "$t/d.conf" pull
like "$out" "1 delisted" "an entry gone from the list is delisted"
printf '1.2.3.0/24\n!1.2.3.4\n' >"$t/plain/list.txt"
run "$repsync" -c "$t/d.conf" pull
is "$rc" 1 "a list with a bad line is refused"
like "$err" "list.txt line 2" "with the line at fault"

# A plain list with a pinned key must come with a good signature.
if command -v minisign >/dev/null 2>&1; then
	printf '81.2.69.0/24\n' >"$t/plain/signed.txt"
	minisign -S -s "$t/a/key" -m "$t/plain/signed.txt" >/dev/null 2>&1 </dev/null
	conf e "partner.signed.url = file://$t/plain/signed.txt" \
		"partner.signed.format = cidr" \
		"partner.signed.public_key = $t/a/key.pub"
	run "$repsync" -c "$t/e.conf" pull
	like "$out" "applied list signed.txt: 1 entries" "a signed plain list verifies"
	printf '81.2.70.0/24\n' >>"$t/plain/signed.txt"
	run "$repsync" -c "$t/e.conf" pull
	is "$rc" 1 "a plain list changed after signing is refused"
	like "$err" "signature does not verify" "because of its signature"
fi

# A feed file over max_feed_mb is not fetched, whatever the manifest says.
mkstore="$top_builddir/tests/bench/mkstore"
if [ -x "$mkstore" ]; then
	conf big
	"$repsync" -q -c "$t/big.conf" keygen >/dev/null
	"$mkstore" "$t/big/store.mdb" fill 150000
	"$repsync" -q -c "$t/big.conf" publish
	conf small "max_feed_mb = 1" "partner.big.url = file://$t/big/feed/" \
		"partner.big.public_key = $t/big/key.pub"
	run "$repsync" -c "$t/small.conf" pull
	is "$rc" 1 "a feed file over max_feed_mb is refused"
	like "$err" "more than max_feed_mb \(1 MB\)" "and the reason says so"
	is "$(find "$t/small/state/partner/big" -name '*.tsv.zst*' | wc -l)" 0 \
		"nothing of it was fetched"
fi

# One writing run at a time: a pull while another holds the lock fails
# at once, saying why; status and quarantine list still answer.
if command -v flock >/dev/null 2>&1; then
	flock -o "$t/a/state/lock" sleep 3 &
	holder=$!
	sleep 0.3
	run "$repsync" -c "$t/a.conf" pull
	is "$rc" 1 "a second writing run is refused while one runs"
	like "$err" "another repsync publish, pull or quarantine is running" \
		"with the reason"
	run "$repsync" -c "$t/a.conf" status b
	is "$rc" 0 "status answers meanwhile"
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
fi

run "$repsync" -c "$t/a.conf" quarantine list
is "$rc" 0 "quarantine list"
like "$out" "nothing in quarantine" "an empty quarantine"
run "$repsync" -c "$t/a.conf" quarantine release ../etc
is "$rc" 2 "a quarantine id with a slash is refused"
run "$repsync" -c "$t/a.conf" quarantine release b-1-abc
is "$rc" 1 "releasing an unknown id fails"
run "$repsync" -c "$t/a.conf" quarantine
is "$rc" 2 "quarantine without a subcommand is a usage error"

done_testing
