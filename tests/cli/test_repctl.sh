#!/bin/sh
# test_repctl.sh - repctl driven as an operator would, against temporary
# stores: output, JSON and exit codes, including bad arguments and bad
# import files. Emits TAP.

top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/cli/tap.sh"

repctl="$top_builddir/tools/repctl"
[ -x "$repctl" ] || skip_all "$repctl not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

LC_ALL=C
export LC_ALL
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_repctl.XXXXXX") || exit 1
trap 'rm -rf "$tap_tmp"' EXIT
trap 'exit 1' HUP INT TERM

# A fixed clock: decay and expiry do not depend on when the test runs.
T0=1700000000
REPCTL_NOW=$T0
export REPCTL_NOW
unset SUDO_USER

ncase=0
# newdb - a fresh, empty store directory for the next case
newdb() {
	ncase=$((ncase + 1))
	mkdir "$tap_tmp/case$ncase"
	db="$tap_tmp/case$ncase/rep.mdb"
}

# rctl ARGS... - repctl on the current case's store
rctl() {
	"$repctl" --db "$db" "$@"
}

# at SECONDS ARGS... - repctl on the current store, SECONDS after T0
at() {
	_t=$((T0 + $1))
	shift
	REPCTL_NOW=$_t "$repctl" --db "$db" "$@"
}

# jget EXPR - evaluate a Python expression over the JSON on stdin (d)
jget() {
	PYTHONIOENCODING=utf-8 python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# garbage N SEED - N pseudo-random bytes, the same each run
garbage() {
	awk -v n="$1" -v seed="$2" 'BEGIN {
		srand(seed)
		for (i = 0; i < n; i++) printf "%c", int(rand() * 255) + 1
	}'
}

# lines TEXT - how many lines
lines() {
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l | tr -d ' '; fi
}

# entries PUBLISHER - that publisher's exported entries, sorted
entries() {
	rctl export --format csv --publisher "$1" | tail -n +2 | cut -d, -f1 |
		sort
}

# one_line_error TEXT DESCRIPTION - TEXT is one "repctl: " line
one_line_error() {
	case $1 in
	*"
"*) ok 1 "$2" ;;
	"repctl: "*) ok 0 "$2" ;;
	*) ok 1 "$2" ;;
	esac
}

# usage_error DESC ARGS... - exit 2 with the message and the help hint
usage_error() {
	_d=$1
	shift
	run rctl "$@"
	is "$rc" 2 "$_d: exit 2"
	like "$err" "^repctl: .*" "$_d: message"
	like "$err" "Try 'repctl --help'" "$_d: help hint"
}

#
# Usage.
#
newdb
run "$repctl"
is "$rc" 2 "no command: exit 2"
is "$err" "repctl: no command given
Try 'repctl --help'." "no command: one line and the hint"
run "$repctl" frobnicate
is "$rc" 2 "unknown command: exit 2"
like "$err" "unknown command 'frobnicate'" "unknown command: named"
run "$repctl" --frob show 192.0.2.1
is "$rc" 2 "unknown global option: exit 2"
like "$err" "unknown option '--frob'" "unknown global option: named"
usage_error "unknown command option" show --frob 192.0.2.1
usage_error "option without its argument" deny 192.0.2.1 --reason
usage_error "--db without its argument" show 192.0.2.1 --db
run "$repctl" --help
is "$rc" 0 "--help: exit 0"
like "$out" "usage: repctl" "--help: usage on stdout"
like "$out" "default store: " "--help: default store path"
run "$repctl" help
is "$rc" 0 "help: exit 0"
run "$repctl" show --help
is "$rc" 0 "show --help: exit 0"
run "$repctl" --version
is "$rc" 0 "--version: exit 0"
like "$out" "^repctl \(repmilter\) [0-9]" "--version: package and version"

usage_error "bad subject" deny 300.1.2.3 --reason x
usage_error "host bits set in subject" show 192.0.2.1/24
usage_error "bad domain subject" show 'exa mple.com'
usage_error "missing subject" show
usage_error "extra operand" show 192.0.2.1 192.0.2.2
usage_error "deny without --reason" deny 192.0.2.1
usage_error "allow with an empty --reason" allow 192.0.2.1 --reason ''
usage_error "duration 0" deny 192.0.2.1 --reason x --expires 0
usage_error "duration with bad unit" deny 192.0.2.1 --reason x --expires 10y
usage_error "duration junk" deny 192.0.2.1 --reason x --expires 1d2h
usage_error "duration negative" deny 192.0.2.1 --reason x --expires -5m
usage_error "duration overflow" deny 192.0.2.1 --reason x \
	--expires 99999999999999999999d
usage_error "unset with --expires" unset 192.0.2.1 --expires 1d
usage_error "count 0" observe 192.0.2.1 spam --count 0
usage_error "count negative" observe 192.0.2.1 spam --count -3
usage_error "count junk" observe 192.0.2.1 spam --count 3x
usage_error "count too big" observe 192.0.2.1 spam --count 1000001
usage_error "observe neither ham nor spam" observe 192.0.2.1 eggs
usage_error "list --limit 0" list --limit 0
usage_error "list unknown category" list --category nonsense
usage_error "export without --format" export
usage_error "export unknown format" export --format xml
usage_error "export --publisher with --local" export --format csv \
	--publisher a --local
usage_error "export rbldnsd of auth subjects" export --format rbldnsd \
	--kind auth
usage_error "import without --format" import --publisher a /dev/null
usage_error "import without --publisher" import --format cidr /dev/null
usage_error "import bad publisher name" import --format cidr \
	--publisher 'Bad Name' /dev/null
usage_error "import confidence out of range" import --format cidr \
	--publisher a --confidence 101 /dev/null
run env REPCTL_NOW=soon "$repctl" --db "$db" show 192.0.2.1
is "$rc" 2 "bad REPCTL_NOW: exit 2"
[ ! -e "$db" ]
ok $? "usage errors never create a store"

#
# Missing store for read commands.
#
newdb
for cmd in "show 192.0.2.1" "list" "stats" "export --format csv"; do
	# shellcheck disable=SC2086
	run rctl $cmd
	is "$rc" 3 "$cmd on a missing store: exit 3"
	is "$err" "repctl: no store at $db" "$cmd on a missing store: message"
done
[ ! -e "$db" ]
ok $? "read commands do not create a store"

#
# show, deny, allow, unset.
#
newdb
run rctl observe 198.51.100.9 ham
is "$rc" 0 "observe creates the store"
run rctl show 192.0.2.1
is "$rc" 1 "show of an unknown subject: exit 1"
like "$out" "^score: 0\.00" "show of an unknown subject: score 0"
like "$out" "no record" "show of an unknown subject: no record"
run rctl --json show 192.0.2.1
is "$rc" 1 "show --json of an unknown subject: exit 1"
is "$(printf '%s\n' "$out" | jget 'd["found"], d["score"], d["records"]')" \
	"(False, 0, [])" "show --json of an unknown subject: found false"

run rctl deny 192.0.2.1 --reason "spam run, ticket 42"
is "$rc" 0 "deny: exit 0"
like "$out" "^deny 192\.0\.2\.1 by " "deny: confirms"
run rctl show 192.0.2.1
is "$rc" 0 "show after deny: exit 0"
like "$out" "^score: 100\.00 \(override deny\)" "show after deny: score 100"
like "$out" "reason \"spam run, ticket 42\"" "show after deny: reason"
like "$out" "deny by [^ ]+ at 2023-11-14T22:13:20Z, expires never" \
	"show after deny: who, when, expiry"
run rctl --json show 192.0.2.1
printf '%s\n' "$out" | python3 -m json.tool >/dev/null
ok $? "show --json: valid JSON"
is "$(printf '%s\n' "$out" | jget 'd["score"]')" 100 "show --json: score 100"
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["override"]["action"]')" deny \
	"show --json: override action"
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["override"]["when"]')" \
	"2023-11-14T22:13:20Z" "show --json: override time from REPCTL_NOW"
is "$(printf '%s\n' "$out" | jget 'd["terms"][0]["kind"], d["terms"][0]["from"]')" \
	"('override', '192.0.2.1')" "show --json: the deciding term"
out2=$(rctl show --json 192.0.2.1)
is "$out2" "$out" "--json after the command is the same"

run rctl show 192.0.2.0/24
is "$rc" 1 "a deny of an address does not cover its prefix"
run rctl deny 203.0.113.0/24 --reason "bad net"
run rctl show 203.0.113.77
is "$rc" 0 "show of an address inside a denied prefix: exit 0"
like "$out" "^score: 100\.00" "covering prefix: score 100"
like "$out" "from 203\.0\.113\.0/24" "covering prefix: term names it"

run env SUDO_USER=alice "$repctl" --db "$db" allow example.com \
	--reason "our customer"
is "$rc" 0 "allow: exit 0"
run rctl --json show example.com
is "$(printf '%s\n' "$out" | jget 'd["override"], d["records"][0]["override"]["who"]')" \
	"('allow', 'alice')" "allow: action and SUDO_USER as who"
run rctl unset example.com --reason "contract ended"
is "$rc" 0 "unset: exit 0"
like "$out" "unset example\.com" "unset: confirms"
run rctl show example.com
is "$rc" 1 "show after unset: no record left"
run rctl unset example.com
is "$rc" 1 "unset without an override: exit 1"
like "$err" "^repctl: no override on example\.com$" "unset: message"

run rctl deny auth:example.net --reason 'quote " backslash \ tab	é' \
	--expires 1h
is "$rc" 0 "deny an auth subject with an odd reason"
run rctl --json show auth:example.net
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["override"]["reason"]')" \
	'quote " backslash \ tab	é' "JSON escaping round-trips the reason"
run rctl deny .example.org --reason "$(printf 'bad \377 byte')"
run rctl --json show www.example.org
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["override"]["reason"]')" \
	"$(printf 'bad \303\277 byte')" "an invalid byte becomes \\u00ff"
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["subject"]')" ".example.org" \
	"a name with subdomains covers www"
run rctl show 2001:DB8::1
is "$rc" 1 "IPv6 subject: exit 1 when unknown"
like "$out" "^subject: 2001:db8::1$" "IPv6 subject: canonical form"

#
# Expiry and purge.
#
newdb
rctl deny 192.0.2.7 --reason "for an hour" --expires 1h >/dev/null
run at 1800 --json show 192.0.2.7
is "$(printf '%s\n' "$out" | jget 'd["score"]')" 100 "override in force after 30m"
run at 7200 --json show 192.0.2.7
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["override"]["expired"]')" True \
	"override expired after 2h"
is "$(printf '%s\n' "$out" | jget 'd["override"]')" None \
	"an expired override decides nothing"
run at 1800 purge
is "$rc" 0 "purge before expiry: exit 0"
like "$out" "^purged: 0 overrides" "purge before expiry: nothing"
run at 7200 purge
like "$out" "^purged: 1 overrides, .* 1 records$" \
	"purge after expiry: the override and its record"
run at 7200 show 192.0.2.7
is "$rc" 1 "show after purge: no record"
run at 7200 --json purge
printf '%s\n' "$out" | python3 -m json.tool >/dev/null
ok $? "purge --json: valid JSON"
usage_error "purge bad retention" purge --retention 1q

#
# Observations and decay.
#
newdb
run rctl observe 192.0.2.9 spam --count 3
is "$rc" 0 "observe spam x3: exit 0"
like "$out" "observed 192\.0\.2\.9: spam \+3" "observe: confirms"
run rctl --json show 192.0.2.9
is "$(printf '%s\n' "$out" | jget '"%.2f" % d["records"][0]["local"]["spam_now"]')" \
	"3.00" "spam count 3 now"
run at $((7 * 86400)) --json show 192.0.2.9
is "$(printf '%s\n' "$out" | jget '"%.2f" % d["records"][0]["local"]["spam_now"]')" \
	"1.50" "spam count halved after 7 days"
is "$(printf '%s\n' "$out" | jget '"%.2f" % d["records"][0]["local"]["spam"]')" \
	"3.00" "stored count unchanged"
run at $((7 * 86400)) show 192.0.2.9
like "$out" "now ham 0\.00 spam 1\.50" "text show: decayed counts"
rctl observe 192.0.2.9 ham --count 2 >/dev/null
run rctl --json show 192.0.2.9
is "$(printf '%s\n' "$out" | jget '"%.0f %.0f" % (d["records"][0]["local"]["ham"], d["records"][0]["local"]["spam"])')" \
	"2 3" "ham and spam counted apart"

#
# import --format cidr: good, bad, truncated, corrupt.
#
newdb
cat >"$tap_tmp/good.txt" <<'EOF'
# a CIDR list
192.0.2.1
198.51.100.0/24   # a whole net

2001:db8::/32
EOF
run rctl import --format cidr --publisher lista "$tap_tmp/good.txt"
is "$rc" 0 "import cidr: exit 0"
like "$out" "imported 3 entries .* 3 applied, 0 delisted, 0 bad lines skipped" \
	"import cidr: summary"
is "$(entries lista | tr '\n' ' ')" "192.0.2.1 198.51.100.0/24 2001:db8::/32 " \
	"import cidr: entries exported"
run rctl --json show 198.51.100.20
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["partners"][0]["feed"]["name"]')" \
	"import:good.txt" "show names the import as the feed"
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["partners"][0]["publisher"], d["records"][0]["partners"][0]["seq"]')" \
	"('lista', 1)" "show gives publisher and seq"
before=$(entries lista)

printf '192.0.2.50\n10.0.0.1/24\n192.0.2.51\n' >"$tap_tmp/hostbits.txt"
run rctl import --format cidr --publisher lista "$tap_tmp/hostbits.txt"
is "$rc" 2 "import with host bits set: exit 2"
is "$err" \
	"repctl: $tap_tmp/hostbits.txt:2: 10.0.0.1/24: host bits set past prefix length; nothing imported" \
	"import with host bits set: file, line, entry, reason"
is "$(entries lista)" "$before" "failed import applied nothing"

printf '192.0.2.50\n198.51.100.' >"$tap_tmp/cut.txt"
run rctl import --format cidr --publisher lista "$tap_tmp/cut.txt"
is "$rc" 2 "truncated file (cut mid-line): exit 2"
like "$err" "cut\.txt:2: 198\.51\.100\.: " "truncated file: last line reported"
is "$(entries lista)" "$before" "truncated file applied nothing"

printf '192.0.2.1\n198.51.100.0/24\n2001:db8::/32' >"$tap_tmp/nonl.txt"
run rctl import --format cidr --publisher lista "$tap_tmp/nonl.txt"
is "$rc" 0 "a last line without newline is fine"
is "$(entries lista)" "$before" "... and is imported"

printf '192.0.2.60\n\000\001\377garbage\376\n192.0.2.61\n' >"$tap_tmp/nul.txt"
run rctl import --format cidr --publisher lista "$tap_tmp/nul.txt"
is "$rc" 2 "binary garbage with NUL: exit 2"
like "$err" "nul\.txt:2: NUL byte in line" "binary garbage: NUL reported"
one_line_error "$err" "binary garbage: one line on stderr"
garbage 3000 7 >"$tap_tmp/random.bin"
run rctl import --format rbldnsd --publisher lista "$tap_tmp/random.bin"
is "$rc" 2 "random bytes: exit 2"
one_line_error "$err" "random bytes: one line on stderr"
awk 'BEGIN { s = ""; for (i = 0; i < 5000; i++) s = s "1"; print "192.0.2.70"; print s }' \
	>"$tap_tmp/long.txt"
run rctl import --format cidr --publisher lista "$tap_tmp/long.txt"
is "$rc" 2 "overlong line: exit 2"
like "$err" "long\.txt:2: line longer than 4096 bytes" "overlong line reported"
is "$(entries lista)" "$before" "bad files applied nothing"

run rctl import --format cidr --publisher lista "$tap_tmp/missing.txt"
is "$rc" 2 "import of a missing file: exit 2"
like "$err" "missing\.txt: No such file or directory" "missing file: message"

printf '192.0.2.1\nnot-an-address\n198.51.100.0/24\n10.0.0.1/24\n2001:db8::/32\n' \
	>"$tap_tmp/skip.txt"
run rctl import --format cidr --publisher lista --skip-bad "$tap_tmp/skip.txt"
is "$rc" 0 "--skip-bad: exit 0"
like "$out" "imported 3 entries .*, 2 bad lines skipped" "--skip-bad: counts"
like "$err" "skip\.txt:2: not-an-address: .*\(skipped\)" "--skip-bad: reports"
is "$(entries lista)" "$before" "--skip-bad: good lines applied"

#
# Snapshot and merge semantics.
#
newdb
printf '192.0.2.1\n192.0.2.2\n192.0.2.3\n' >"$tap_tmp/abc.txt"
printf '192.0.2.1\n192.0.2.2\n' >"$tap_tmp/ab.txt"
printf '192.0.2.4\n' >"$tap_tmp/d.txt"
rctl import --format cidr --publisher snap "$tap_tmp/abc.txt" >/dev/null
run rctl import --format cidr --publisher snap "$tap_tmp/ab.txt"
like "$out" "\(seq 2\): .*, 1 delisted" "second import delists the missing entry"
is "$(entries snap | tr '\n' ' ')" "192.0.2.1 192.0.2.2 " \
	"snapshot: exported entries"
run rctl --json show 192.0.2.3
is "$(printf '%s\n' "$out" | jget 'd["records"][0]["partners"][0]["op"], d["records"][0]["partners"][0]["seq"]')" \
	"('delist', 2)" "snapshot: a tombstone at the new seq"
run rctl import --format cidr --publisher snap --merge "$tap_tmp/d.txt"
like "$out" "0 delisted" "--merge delists nothing"
is "$(entries snap | tr '\n' ' ')" "192.0.2.1 192.0.2.2 192.0.2.4 " \
	"--merge adds"
run rctl stats
like "$out" "publisher snap: list 3, delist 1, allow 0; seq 3" \
	"stats: per-publisher slots and seq"
printf '# a list that lost its entries\n' >"$tap_tmp/none.txt"
run rctl import --format cidr --publisher snap "$tap_tmp/none.txt"
is "$rc" 2 "an empty list is refused"
like "$err" "no entries; refusing to delist" "an empty list: says why"
is "$(entries snap | tr '\n' ' ')" "192.0.2.1 192.0.2.2 192.0.2.4 " \
	"an empty list delists nothing"

#
# import --format rbldnsd.
#
newdb
cat >"$tap_tmp/zone.txt" <<'EOF'
$TTL 300
$SOA 0 ns.example. hostmaster.example. 0 1h 1h 1w 1h
:127.0.0.2:Listed, see http://example.com/$
; ip4set forms
192.0.2.1
10.1
127.0.0.1-7 :3:with a value
172.16.0.0/12 # comment
198.51.100.1:3:a value without a blank
203.0.113.0/24;a comment without a blank
# ip6trie forms
2001:db8:c000/36
2001:db8:1:2
::1 # localhost
2001:db8:ffff::/48:127.0.0.3:a value
# dnset forms
.example.com
*.example.org
spam.example.net
EOF
run rctl import --format rbldnsd --publisher zone "$tap_tmp/zone.txt"
is "$rc" 0 "import rbldnsd: exit 0"
is "$(entries zone | tr '\n' ' ')" \
	"*.example.org .example.com 10.1.0.0/16 127.0.0.1 127.0.0.2/31 127.0.0.4/30 172.16.0.0/12 192.0.2.1 198.51.100.1 2001:db8:1:2::/64 2001:db8:c000::/36 2001:db8:ffff::/48 203.0.113.0/24 ::1 spam.example.net " \
	"import rbldnsd: addresses, abbreviations, ranges, IPv6, names"
printf '192.0.2.0/24\n!192.0.2.5\n' >"$tap_tmp/excl.txt"
run rctl import --format rbldnsd --publisher zone "$tap_tmp/excl.txt"
is "$rc" 2 "rbldnsd exclusion: exit 2"
like "$err" "excl\.txt:2: !192\.0\.2\.5: exclusions are not supported" \
	"rbldnsd exclusion: message"
printf '10.0.0.5-10.0.0.1\n' >"$tap_tmp/range.txt"
run rctl import --format rbldnsd --publisher zone "$tap_tmp/range.txt"
is "$rc" 2 "backwards range: exit 2"
printf '192.0.2.1\n192.0.2' | rctl import --format rbldnsd --publisher cut - \
	>"$tap_tmp/out" 2>&1
is "$?" 0 "rbldnsd: a cut line that still parses (192.0.2) is an entry"
is "$(entries cut | tr '\n' ' ')" "192.0.2.0/24 192.0.2.1 " \
	"stdin import: both entries"

#
# A million lines: parsed without per-line allocation, applied in one
# commit. Not a timed test (sanitizer builds are slower); the time is
# reported.
#
newdb
awk 'BEGIN { for (i = 0; i < 1000000; i++)
	printf "%d.%d.%d.%d\n", 10 + int(i / 65536) % 200, int(i / 256) % 256, i % 256, 1 + i % 7 }' \
	>"$tap_tmp/million.txt"
t1=$(date +%s)
run rctl import --format rbldnsd --publisher big "$tap_tmp/million.txt"
t2=$(date +%s)
is "$rc" 0 "import of a million lines: exit 0"
like "$out" "^imported 1000000 entries .*: 1000000 applied" \
	"import of a million lines: all applied"
diag "a million lines imported in about $((t2 - t1)) s"
run rctl stats
like "$out" "publisher big: list 1000000," "a million slots in the store"
rm -f "$tap_tmp/million.txt"

#
# Export round trips.
#
newdb
cat >"$tap_tmp/mix.txt" <<'EOF'
192.0.2.1
192.0.2.128/25
198.51.100.7
2001:db8::/48
EOF
rctl import --format cidr --publisher orig "$tap_tmp/mix.txt" >/dev/null
orig=$(entries orig)
rctl export --format csv --publisher orig >"$tap_tmp/x.csv"
is "$(head -n 1 "$tap_tmp/x.csv")" \
	"subject,kind,slot,publisher,op,category,confidence,score,first_seen,last_seen,expires" \
	"csv: header"
like "$(sed -n 2p "$tap_tmp/x.csv")" \
	"^192\.0\.2\.1,ip4,partner,orig,list,spam,100,[0-9.]+,2023-11-14T22:13:20Z,2023-11-14T22:13:20Z,$" \
	"csv: a row"
tail -n +2 "$tap_tmp/x.csv" | cut -d, -f1 >"$tap_tmp/x.list"
rctl import --format cidr --publisher fromcsv "$tap_tmp/x.list" >/dev/null
is "$(entries fromcsv)" "$orig" "csv round trip: same entries"

rctl export --format json --publisher orig >"$tap_tmp/x.json"
python3 -m json.tool "$tap_tmp/x.json" >/dev/null
ok $? "json export: valid JSON"
python3 -c 'import json, sys
for o in json.load(open(sys.argv[1])): print(o["subject"])' "$tap_tmp/x.json" \
	>"$tap_tmp/j.list"
rctl import --format cidr --publisher fromjson "$tap_tmp/j.list" >/dev/null
is "$(entries fromjson)" "$orig" "json round trip: same entries"

rctl export --format rbldnsd --publisher orig >"$tap_tmp/x4.zone"
rctl export --format rbldnsd --publisher orig --kind ip6 >"$tap_tmp/x6.zone"
like "$(sed -n 3p "$tap_tmp/x4.zone")" "^:127\.0\.0\.2:Listed by repmilter$" \
	"rbldnsd export: default value line"
like "$(tail -n 1 "$tap_tmp/x4.zone")" "^# end: 3 entries$" \
	"rbldnsd export: trailer"
rctl import --format rbldnsd --publisher fromzone "$tap_tmp/x4.zone" >/dev/null
rctl import --format rbldnsd --publisher fromzone --merge "$tap_tmp/x6.zone" \
	>/dev/null
is "$(entries fromzone)" "$orig" "rbldnsd round trip: same entries"

rctl observe 203.0.113.5 spam --count 5 >/dev/null
rctl observe 203.0.113.6 ham --count 5 >/dev/null
rctl allow 192.0.2.130 --reason "inside a listed /25" >/dev/null
rctl export --format rbldnsd >"$tap_tmp/all.zone"
like "$(cat "$tap_tmp/all.zone")" "203\.0\.113\.5" \
	"whole-store export: local spam listed"
unlike "$(cat "$tap_tmp/all.zone")" "203\.0\.113\.6" \
	"whole-store export: local ham not listed"
like "$(cat "$tap_tmp/all.zone")" "!192\.0\.2\.130" \
	"whole-store export: an operator allow is an exclusion"
rctl allow 198.51.100.0/24 --reason "a customer's net" >/dev/null
run rctl export --format csv
unlike "$out" "^198\.51\.100\.7," \
	"whole-store export: a listing inside an allowed prefix is not listed"
like "$out" "^198\.51\.100\.0/24,ip4,override,,allow," \
	"whole-store export: the allow itself is shown"
like "$(entries orig)" "198\.51\.100\.7" \
	"publisher export: the publisher's slot is exported as is"
run rctl export --format csv --local
is "$(printf '%s\n' "$out" | tail -n +2 | cut -d, -f1-5)" "203.0.113.5,ip4,local,,list" \
	"export --local: the local listing only"
run rctl export --format csv --publisher nosuch
is "$rc" 1 "export of an unknown publisher: exit 1"

#
# list and stats.
#
newdb
printf '192.0.2.1\n192.0.2.2\n192.0.2.3\n' >"$tap_tmp/l1.txt"
printf '198.51.100.1\n' >"$tap_tmp/l2.txt"
rctl import --format cidr --publisher one "$tap_tmp/l1.txt" >/dev/null
rctl import --format cidr --publisher two --category bot "$tap_tmp/l2.txt" \
	>/dev/null
rctl deny 203.0.113.1 --reason top >/dev/null
run rctl list
is "$rc" 0 "list: exit 0"
is "$(lines "$out")" 5 "list: every record"
like "$(printf '%s\n' "$out" | head -n 1)" "^ +1 +100\.00  203\.0\.113\.1  override deny$" \
	"list: highest score first"
run rctl list --limit 2
is "$(lines "$out")" 2 "list --limit 2"
run rctl list --publisher two
is "$(printf '%s\n' "$out" | awk '{ print $3 }')" "198.51.100.1" "list --publisher"
run rctl list --category bot
is "$(printf '%s\n' "$out" | awk '{ print $3 }')" "198.51.100.1" "list --category"
run rctl list --publisher nosuch
is "$rc" 1 "list of an unknown publisher: exit 1"
run rctl --json list --limit 3
is "$(printf '%s\n' "$out" | jget '[o["rank"] for o in d]')" "[1, 2, 3]" \
	"list --json: an array, ranked"
run rctl stats
is "$rc" 0 "stats: exit 0"
like "$out" "records: ip4 5, ip6 0, domain 0, auth 0" "stats: records by kind"
like "$out" "slots: local 0, override 1, partner 4" "stats: slots"
like "$out" "file size: [1-9][0-9]* bytes" "stats: file size"
like "$out" "readers: [0-9]+ of [1-9]" "stats: readers"
run rctl --json stats
is "$(printf '%s\n' "$out" | jget 'd["records"]["ip4"], len(d["publishers"])')" \
	"(5, 2)" "stats --json"

#
# compact: the free pages go back to the file system, the content stays.
#
newdb
# two imports of the same publisher rewrite every record: the pages of
# the first are left free
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "10.7.%d.%d\n", int(i / 256), i % 256 }' \
	>"$tap_tmp/c1.txt"
rctl import --format cidr --publisher one "$tap_tmp/c1.txt" >/dev/null
rctl import --format cidr --publisher one --category bot "$tap_tmp/c1.txt" \
	>/dev/null
run rctl --json stats
used=$(printf '%s\n' "$out" | jget 'd["map_used"]')
is "$(printf '%s\n' "$out" | jget 'd["map_free"] > 0 and d["map_used"] < d["file_size"]')" \
	"True" "stats --json: free pages are not counted as used"
like "$(rctl stats)" "map: [0-9]+ of [0-9]+ bytes used \([0-9.]+%\), [1-9][0-9]* free" \
	"stats: the free bytes"
rctl export --format csv >"$tap_tmp/c1.csv"
copy="$tap_tmp/case$ncase/copy.mdb"
run rctl compact --output "$copy"
is "$rc" 0 "compact --output: exit 0"
like "$out" "^compacted: [0-9]+ -> $used bytes" "compact --output: as big as the pages in use"
run "$repctl" --db "$copy" export --format csv
is "$out" "$(cat "$tap_tmp/c1.csv")" "compact --output: the copy holds the same records"
run rctl compact --output "$copy"
is "$rc" 2 "compact --output onto an existing file: exit 2"
one_line_error "$err" "compact --output onto an existing file: one line"
# another process holds the store open (LMDB's shared lock on the first
# byte of the lock file): in place would lose its writes
python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_SH, 1, 0, os.SEEK_SET)
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
	time.sleep(0.05)' "$db-lock" "$tap_tmp/held" &
holder=$!
while [ ! -e "$tap_tmp/held" ]; do sleep 0.05; done
size=$(wc -c <"$db")
run rctl compact
rm -f "$tap_tmp/held"
wait "$holder"
is "$rc" 3 "compact in place of a store open elsewhere: exit 3"
like "$err" "open in another process" "compact in place of a store open elsewhere: says why"
is "$(wc -c <"$db")" "$size" "compact in place of a store open elsewhere: file untouched"
run rctl --json compact
is "$rc" 0 "compact in place: exit 0"
is "$(printf '%s\n' "$out" | jget 'd["after"] == '"$used"' and d["before"] > d["after"]')" \
	"True" "compact in place: the file shrinks to the pages in use"
run rctl export --format csv
is "$out" "$(cat "$tap_tmp/c1.csv")" "compact in place: the same records"
is "$(rctl --json stats | jget 'd["map_free"]')" 0 "compact in place: no free page left"
run rctl observe 10.0.0.0 spam
is "$rc" 0 "compact in place: the store takes writes again"
run "$repctl" --db "$tap_tmp/nosuch.mdb" compact
is "$rc" 3 "compact of a missing store: exit 3"

#
# Broken stores: a one-line error and exit 3, never a crash.
#
newdb
garbage 65536 11 >"$db"
for cmd in "show 192.0.2.1" "stats" "list"; do
	# shellcheck disable=SC2086
	run rctl $cmd
	is "$rc" 3 "$cmd on a corrupt store: exit 3"
	one_line_error "$err" "$cmd on a corrupt store: one line"
done
run rctl deny 192.0.2.1 --reason x
is "$rc" 3 "deny on a corrupt store: exit 3"
one_line_error "$err" "deny on a corrupt store: one line"
newdb
rctl observe 192.0.2.1 spam >/dev/null
garbage 8192 13 | dd of="$db" bs=4096 count=2 conv=notrunc 2>/dev/null
run rctl show 192.0.2.1
is "$rc" 3 "store with a garbled header: exit 3"
one_line_error "$err" "garbled header: one line"
newdb
: >"$tap_tmp/case$ncase/file"
run "$repctl" --db "$tap_tmp/case$ncase/file/rep.mdb" deny 192.0.2.1 --reason x
is "$rc" 3 "store path that cannot be created: exit 3"
one_line_error "$err" "store path that cannot be created: one line"

done_testing
