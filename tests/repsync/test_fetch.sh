#!/bin/sh
# test_fetch.sh - repsync's transport (tools/fetch.c, through fetchtool)
# against nginx on loopback with a test CA: client certificates, server
# verification, size limits, resume, redirects, statuses, timeouts,
# retries, file:// and refused URLs. Emits TAP; skips without nginx or
# openssl. Set TEST_FETCH_KEEP=1 to keep the temporary directory.

# shellcheck disable=SC2034 # tap_tmp: read by tap.sh's run
# shellcheck disable=SC2154 # out: set by tap.sh's run
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
# shellcheck source=tests/lib/nginx.sh
. "$top_srcdir/tests/lib/nginx.sh"

fetchtool="$top_builddir/tests/repsync/fetchtool"
[ -x "$fetchtool" ] || skip_all "$fetchtool not built"
nginx_require

LC_ALL=C
export LC_ALL
# libcurl honours proxies from the environment: these tests go direct.
unset https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_fetch.XXXXXX") || exit 1
tap_tmp=$tmp

# cleanup - at exit: nginx, then $tmp
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	nginx_stop_all
	if [ -n "$TEST_FETCH_KEEP" ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ca="$tmp/ca"
www="$tmp/www"
dl="$tmp/dl"
mkdir "$www" "$dl" || exit 1
ca_init "$ca" || { echo "Bail out! ca_init failed"; exit 1; }
# shellcheck disable=SC2046
set -- $(nginx_ports 2)
[ $# -eq 2 ] || { echo "Bail out! no free ports"; exit 1; }
port=$1 port_closed=$2
base="https://127.0.0.1:$port"

# The served files: random bytes, and text for the chunked location
# (SSI, which drops Content-Length, must find no directives in it).
size=300000
half=150000
head -c "$size" /dev/urandom >"$www/data.bin"
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "line %06d of the text\n", i }' \
	>"$www/text.txt"
tsize=$(wc -c <"$www/text.txt" | tr -d ' ')

cat >"$tmp/extra.conf" <<EOF
location = /redir/same { return 302 $base/data.bin; }
location = /redir/relative { absolute_redirect off; return 302 /data.bin; }
location = /redir/other-host { return 302 https://127.0.0.2:$port/data.bin; }
location = /redir/other-port {
	return 302 https://127.0.0.1:$port_closed/data.bin;
}
location = /redir/plain { return 302 http://127.0.0.1:$port/data.bin; }
location = /redir/loop { return 302 /redir/loop; }
location = /unavailable { return 503; }
location /slow/ { alias "$www/"; limit_rate 2k; }
location /chunked/ { alias "$www/"; ssi on; ssi_types *; }
EOF
nginx_start feed "$tmp/nginx" "$port" "$www" "$tmp/extra.conf" ||
	{ echo "Bail out! nginx did not start"; exit 1; }

# fetch ARGS... - fetchtool; $out, $err, $rc as run sets them, $line its
# first line, $stats its second (attempts=... on failure)
fetch() {
	run "$fetchtool" "$@"
	line=$(printf '%s\n' "$out" | sed -n 1p)
	stats=$(printf '%s\n' "$out" | sed -n 2p)
}

# get URL DEST ARGS... - fetch with our client certificate and the CA
get() {
	_url=$1 _dest=$2
	shift 2
	fetch --cert "$ca/client.pem" --key "$ca/client.key" --ca "$ca/ca.pem" \
		"$@" "$_url" "$_dest"
}

# gone FILE... - none of the files exists
gone() {
	for _f in "$@"; do
		[ ! -e "$_f" ] || return 1
	done
}

# now_ms - milliseconds (GNU date)
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# bytes FILE - its size
bytes() {
	wc -c <"$1" | tr -d ' '
}

#
# TLS: the client certificate, the server's
#

get "$base/data.bin" "$dl/plain"
is "$line" "ok bytes=$size resumed=0 attempts=1 status=200" "plain download"
cmp -s "$www/data.bin" "$dl/plain"
ok $? "plain download: the bytes served"
gone "$dl/plain.part"
ok $? "plain download: no .part left"

get "https://localhost:$port/data.bin" "$dl/byname"
like "$line" "^ok bytes=$size " "the server's certificate names localhost too"

fetch --ca "$ca/ca.pem" "$base/data.bin" "$dl/nocert"
like "$line" "^error HTTP error: .*HTTP 400$" \
	"no client certificate: refused by nginx (400)"
gone "$dl/nocert" "$dl/nocert.part"
ok $? "no client certificate: nothing left"

fetch --cert "$ca/rogue-client.pem" --key "$ca/rogue-client.key" \
	--ca "$ca/ca.pem" "$base/data.bin" "$dl/rogue"
like "$line" "^error HTTP error: .*HTTP 400$" \
	"client certificate of another CA: refused by nginx (400)"

get "$base/data.bin" "$dl/rogueca" --ca "$ca/rogue-ca.pem"
like "$line" "^error TLS handshake or certificate refused: .*certificate" \
	"server certificate not signed by the CA given: refused"
gone "$dl/rogueca" "$dl/rogueca.part"
ok $? "server certificate refused: nothing left"

fetch --cert "$ca/client.pem" --key "$ca/client.key" "$base/data.bin" \
	"$dl/sysca"
like "$line" "^error TLS handshake or certificate refused: " \
	"without --ca the system's store is used: the test CA is unknown"

#
# Sizes
#

get "$base/data.bin" "$dl/max" --max 1000
like "$line" "^error file too big: .*over the limit of 1000$" \
	"Content-Length over --max: too big"
gone "$dl/max" "$dl/max.part"
ok $? "too big: no .part, no file"

get "$base/chunked/text.txt" "$dl/chunked"
is "$line" "ok bytes=$tsize resumed=0 attempts=1 status=200" \
	"chunked download (no Content-Length)"
cmp -s "$www/text.txt" "$dl/chunked"
ok $? "chunked download: the bytes served"

get "$base/chunked/text.txt" "$dl/chunkmax" --max 5000
like "$line" "^error file too big: " \
	"chunked body over --max: stopped while arriving"
gone "$dl/chunkmax" "$dl/chunkmax.part"
ok $? "chunked body over --max: no .part, no file"

get "$base/data.bin" "$dl/exp" --expect $((size + 1))
like "$line" "^error file shorter than expected: .*$size bytes, $((size + 1)) expected$" \
	"shorter than --expect: size error"
is "$(bytes "$dl/exp.part" 2>/dev/null)" "$size" \
	"shorter than --expect: the .part is kept for a resume"
gone "$dl/exp"
ok $? "shorter than --expect: no file"

get "$base/data.bin" "$dl/exp" --expect "$size"
is "$line" "ok bytes=$size resumed=0 attempts=1 status=200" \
	"a whole .part: 416 to its Range, fetched again from zero"
cmp -s "$www/data.bin" "$dl/exp"
ok $? "after the 416: the bytes served"

get "$base/data.bin" "$dl/exp2" --expect $((size - 1))
like "$line" "^error file too big: .*$((size - 1)) expected$" \
	"longer than --expect: too big"

#
# Resume
#

head -c "$half" "$www/data.bin" >"$dl/resume.part"
get "$base/data.bin" "$dl/resume"
is "$line" "ok bytes=$size resumed=1 attempts=1 status=206" \
	"half a .part: resumed with a Range request"
cmp -s "$www/data.bin" "$dl/resume"
ok $? "resumed: the bytes served"

head -c "$half" /dev/zero >"$dl/big.part"
head -c "$half" /dev/zero >>"$dl/big.part"
head -c 1000 /dev/zero >>"$dl/big.part"
get "$base/data.bin" "$dl/big" --max "$size"
is "$line" "ok bytes=$size resumed=0 attempts=1 status=200" \
	"a .part longer than --max: emptied, fetched from zero"

#
# Redirects
#

get "$base/redir/same" "$dl/same"
is "$line" "ok bytes=$size resumed=0 attempts=1 status=200" \
	"302 to the same host and port: followed"
cmp -s "$www/data.bin" "$dl/same"
ok $? "302 followed: the target's bytes"

get "$base/redir/relative" "$dl/relative"
is "$line" "ok bytes=$size resumed=0 attempts=1 status=200" \
	"302 to a relative Location: followed"

get "$base/redir/other-host" "$dl/otherhost"
like "$line" "^error redirect refused .*127\.0\.0\.2.* refused: another scheme, host or port$" \
	"302 to another host: refused"
gone "$dl/otherhost" "$dl/otherhost.part"
ok $? "302 to another host: nothing left"

get "$base/redir/other-port" "$dl/otherport"
like "$line" "^error redirect refused .*:$port_closed/data.bin refused" \
	"302 to another port: refused"

get "$base/redir/plain" "$dl/plain302"
like "$line" "^error redirect refused .*http://127.0.0.1:$port/data.bin refused" \
	"302 to http:// on the same host and port: refused"

get "$base/redir/loop" "$dl/loop" --redirects 3
like "$line" "^error redirect refused .*more than 3 redirects$" \
	"a redirect loop: stopped after --redirects"

#
# Statuses, retries, timeouts
#

get "$base/missing.bin" "$dl/missing" --retries 2 --backoff-ms 10
like "$line" "^error not found: .*HTTP 404$" "404: not found"
like "$stats" "^attempts=1 status=404 " "404: not retried"

get "$base/unavailable" "$dl/unavail" --retries 1 --backoff-ms 10
like "$line" "^error HTTP error: .*HTTP 503$" "503: an HTTP error"
like "$stats" "^attempts=2 status=503 " "503: retried (--retries 1)"

# A slow transfer in the background, and a second one into the same file
# meanwhile: the .part's lock refuses it.
t0=$(now_ms)
"$fetchtool" --cert "$ca/client.pem" --key "$ca/client.key" \
	--ca "$ca/ca.pem" --timeout-ms 1000 "$base/slow/data.bin" \
	"$dl/slow" >"$tmp/slow.out" 2>&1 &
slow_pid=$!
sleep 0.3
get "$base/data.bin" "$dl/slow"
like "$line" "^error local file error: .*slow.part: locked by another fetch: " \
	"a second fetch into the same file meanwhile: refused (lock)"
wait "$slow_pid"
t1=$(now_ms)
like "$(sed -n 1p "$tmp/slow.out")" "^error timed out: " \
	"slow body (limit_rate) past --timeout-ms: timed out"
elapsed=$((t1 - t0))
[ "$elapsed" -ge 900 ] && [ "$elapsed" -lt 4000 ]
ok $? "timed out after about --timeout-ms ($elapsed ms)"
[ -s "$dl/slow.part" ] && gone "$dl/slow"
ok $? "timed out: what arrived is kept in the .part"

get "$base/data.bin" "$dl/slow"
is "$line" "ok bytes=$size resumed=1 attempts=1 status=206" \
	"after the timeout: resumed from the .part"
cmp -s "$www/data.bin" "$dl/slow"
ok $? "after the timeout: the bytes served"

t0=$(now_ms)
get "https://127.0.0.1:$port_closed/data.bin" "$dl/closed" --retries 2 \
	--backoff-ms 50
t1=$(now_ms)
like "$line" "^error could not connect, or connection lost: " \
	"closed port: could not connect"
like "$stats" "^attempts=3 " "closed port, --retries 2: three attempts"
elapsed=$((t1 - t0))
[ "$elapsed" -ge 70 ] && [ "$elapsed" -lt 3000 ]
ok $? "closed port: backoff paused between attempts ($elapsed ms)"

#
# file://
#

fetch "file://$www/data.bin" "$dl/file"
is "$line" "ok bytes=$size resumed=0 attempts=1 status=0" "file:// download"
cmp -s "$www/data.bin" "$dl/file"
ok $? "file:// download: the file's bytes"

fetch "file://$www/nothing.bin" "$dl/filemissing"
like "$line" "^error not found: " "file:// of a missing file: not found"
gone "$dl/filemissing" "$dl/filemissing.part"
ok $? "file:// of a missing file: nothing left"

fetch --max 1000 "file://$www/data.bin" "$dl/filemax"
like "$line" "^error file too big: " "file:// over --max: too big"
gone "$dl/filemax" "$dl/filemax.part"
ok $? "file:// over --max: no .part, no file"

head -c "$half" "$www/data.bin" >"$dl/fileresume.part"
fetch "file://$www/data.bin" "$dl/fileresume"
is "$line" "ok bytes=$size resumed=1 attempts=1 status=0" \
	"file:// with half a .part: resumed"
cmp -s "$www/data.bin" "$dl/fileresume"
ok $? "file:// resumed: the file's bytes"

#
# URLs refused before any request
#

get "http://127.0.0.1:$port/data.bin" "$dl/http"
like "$line" "^error bad or unsupported URL " "http:// refused"
like "$stats" "^attempts=0 " "http://: no request made"

get "ftp://127.0.0.1:$port/data.bin" "$dl/ftp"
like "$line" "^error bad or unsupported URL " "ftp:// refused"

get "https://user:secret@127.0.0.1:$port/data.bin" "$dl/userinfo"
like "$line" "^error bad or unsupported URL " "user:password in the URL refused"
unlike "$line" "secret" "the refused URL's password is not repeated"

#
# fetch_url_join
#

fetch --join "$base/feed/" manifest.minisig
is "$line" "$base/feed/manifest.minisig" "join: base with a trailing /"
fetch --join "$base/feed" manifest
is "$line" "$base/feed/manifest" "join: base without a trailing /"
fetch --join "$base/feed/" ../secret
is "$line" "error invalid argument" "join: a name with / or .. refused"
fetch --join "$base/feed/" ..
is "$line" "error invalid argument" "join: the name .. refused"
fetch --join "$base/feed/?x=1" manifest
like "$line" "^error bad or unsupported URL" "join: a base with a query refused"

done_testing
