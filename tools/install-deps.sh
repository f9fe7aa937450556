#!/bin/sh
# install-deps.sh - install the Debian 12 packages that building and testing
# repmilter need.
#
# Usage: sh tools/install-deps.sh        (as root, or with everything present)
#
# Fast when nothing is missing: it only asks dpkg. Otherwise, as root, it runs
# apt-get update once and installs the missing packages without recommends,
# with a temporary policy-rc.d so that no package starts its daemon (rbldnsd's
# would). Not root and something missing: it says what to install, exits 1.
set -eu

# What each package is for, so that the list can be pruned with confidence.
PACKAGES="
build-essential
autoconf
automake
libtool
pkg-config
liblmdb-dev
lmdb-utils
libcmocka-dev
libmilter-dev
libc-ares-dev
libspf2-dev
libopendkim-dev
libssl-dev
libidn2-dev
libpsl-dev
publicsuffix
libsodium-dev
libzstd-dev
libcurl4-openssl-dev
minisign
zstd
rbldnsd
dnsutils
unbound
postfix
miltertest
python3
python3-yaml
python3-dkim
ca-certificates
nginx
openssl
"
# build-essential .. pkg-config: compiler, autotools, make distcheck
# liblmdb-dev lmdb-utils:        the store (mdb_stat, mdb_dump for debugging)
# libcmocka-dev:                 unit tests
# libmilter-dev libc-ares-dev libspf2-dev libopendkim-dev libidn2-dev:
#                                the milter's checks and domain names
# libssl-dev:                    the DKIM key cache (libcrypto, as
#                                libopendkim uses it)
# libpsl-dev publicsuffix:      DMARC's organisational domain (Debian's list)
# libsodium-dev libzstd-dev:     repsync's signed, compressed feeds
# libcurl4-openssl-dev:          repsync's transport (HTTPS with client
#                                certificates, file://)
# minisign zstd:                 checking feeds with the tools partners use
# rbldnsd dnsutils:              DNS-list tests on loopback (rbldnsd, dig)
# unbound:                       a loopback DNS server for the other test zones
# postfix miltertest:            the milter's protocol and integration tests
# python3 ca-certificates:       test helpers
# nginx openssl:                 two ISPs serving feeds on loopback with a
#                                test CA and client certificates
# python3-yaml python3-dkim:     converting the SPF suite; signing test mail

POLICY=/usr/sbin/policy-rc.d

# installed - is the package installed (not merely known or half-configured)?
installed()
{
	st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$st" = "install ok installed" ]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	# shellcheck disable=SC2086 # one line, words split on purpose
	echo "install-deps: dpkg-query not found: this script is for Debian 12;" \
		"install the equivalents of:" $PACKAGES >&2
	exit 1
fi

missing=""
count=0
for p in $PACKAGES; do
	count=$((count + 1))
	installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all $count packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: as root run: apt-get install$missing" >&2
	echo "install-deps: (or: sudo sh tools/install-deps.sh)" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
made_policy=no
cleanup()
{
	if [ "$made_policy" = yes ]; then
		rm -f "$POLICY"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ ! -e "$POLICY" ]; then
	# Exit 101 means "action forbidden": invoke-rc.d starts no service.
	printf '#!/bin/sh\n# repmilter install-deps: no daemons during install\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"
	made_policy=yes
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix: no system configuration; the tests run private instances.
if command -v debconf-set-selections >/dev/null 2>&1; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
fi
apt-get update -q </dev/null
# shellcheck disable=SC2086 # word splitting of the list is intended
apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	$missing </dev/null

still=""
for p in $missing; do
	installed "$p" || still="$still $p"
done
if [ -n "$still" ]; then
	echo "install-deps: still missing after apt-get:$still" >&2
	exit 1
fi
echo "install-deps: done"
