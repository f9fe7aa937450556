# nginx.sh - nginx on loopback behind a test CA, for repsync's tests: the
# transport's (tests/repsync/test_fetch.sh) and the two-ISP integration
# test. Sourced (after $top_srcdir is set); it sources tests/cli/tap.sh.
# POSIX sh (dash). Runs as root (CI) and as any other user.
#
# A test script calls:
#   nginx_require           skip all ("1..0 # SKIP") unless nginx and
#                           openssl are installed
#   nginx_ports N           print N free loopback TCP ports (random, in
#                           20000-31999, below Linux's ephemeral range)
#   ca_init DIR             a test CA and certificates in DIR (below);
#                           sets $ca_dir
#   nginx_start NAME DIR PORT ROOT [EXTRA_CONF_FILE]
#                           nginx for ROOT on https://127.0.0.1:PORT with
#                           client certificates required (signed by
#                           $ca_dir/ca.pem); its files under DIR; returns
#                           once it answers (non-zero, the error log as
#                           diagnostics, if it does not within 5 s)
#   nginx_stop NAME         stop it (and reap it)
#   nginx_stop_all          stop every nginx started: call it from the
#                           script's EXIT trap
#
# Files of ca_init DIR (PEM; EC P-256 keys; valid two days):
#   ca.pem ca.key                  the test CA
#   server.pem server.key          for 127.0.0.1, ::1 and localhost (SAN),
#                                  signed by the CA
#   client.pem client.key          CN=repsync-client, signed by the CA
#   rogue-ca.pem rogue-ca.key      a second CA, trusted by nobody
#   rogue-client.pem rogue-client.key   CN=repsync-client, signed by the
#                                  rogue CA
# openssl's output goes to DIR/openssl.log.
#
# nginx_start NAME: NAME is [a-z0-9_]+; DIR holds nginx.conf, nginx.pid,
# error.log, access.log and temporary directories. EXTRA_CONF_FILE is
# included inside the server block (locations: redirects, limit_rate,
# return 503, ...). nginx runs with "daemon off" as a background job of
# the script, so the script knows its pid ($nginx_pid_NAME) and stops
# exactly what it started. As root its workers run as root too (the test
# files are usually in a mode 0700 directory).
#
# Names it owns: $ca_dir, $nginx_names, $nginx_pid_NAME, the functions
# below and those starting with _nginx.

# shellcheck shell=sh
# shellcheck disable=SC2034 # variables set for the sourcing script
# shellcheck disable=SC2154 # top_srcdir: set by it
# shellcheck source=tests/cli/tap.sh
. "$top_srcdir/tests/cli/tap.sh"

PATH=$PATH:/usr/sbin:/sbin
nginx_names=

# nginx_require - skip the whole script unless nginx and openssl exist
nginx_require() {
	command -v nginx >/dev/null 2>&1 || skip_all "nginx not installed"
	command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
}

# _nginx_port_used PORT - some socket (any state, IPv4 or IPv6) has PORT
# as its local port; Linux's /proc, so elsewhere nothing counts as used
_nginx_port_used() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$(printf ':%04X' "$1")" '
			substr($2, length($2) - 4) == p { f = 1 }
			END { exit !f }'
}

# nginx_ports N - N distinct free ports, space-separated
nginx_ports() {
	_got='' _n=0 _tries=0
	while [ "$_n" -lt "$1" ] && [ "$_tries" -lt 500 ]; do
		_tries=$((_tries + 1))
		_p=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		_p=$((_p % 12000 + 20000))
		case " $_got " in *" $_p "*) continue ;; esac
		_nginx_port_used "$_p" && continue
		_got="$_got $_p"
		_n=$((_n + 1))
	done
	[ "$_n" -eq "$1" ] || return 1
	echo "${_got# }"
}

# _nginx_ssl ARGS... - openssl, its output logged in $ca_dir/openssl.log
_nginx_ssl() {
	openssl "$@" >>"$ca_dir/openssl.log" 2>&1 && return 0
	diag "openssl $1 failed:" "$(tail -n 5 "$ca_dir/openssl.log")"
	return 1
}

# _nginx_ca NAME CN - a self-signed CA: NAME.pem, NAME.key
_nginx_ca() {
	_nginx_ssl req -config "$ca_dir/req.cnf" -x509 -new -newkey ec \
		-pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$2" \
		-keyout "$ca_dir/$1.key" -out "$ca_dir/$1.pem" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash"
}

# _nginx_cert NAME CN CA SERIAL EXTENSIONS - a key and a certificate
# signed by CA (CA.pem, CA.key): NAME.pem, NAME.key
_nginx_cert() {
	printf '%s\n' "basicConstraints = critical,CA:FALSE" \
		"keyUsage = critical,digitalSignature" \
		"authorityKeyIdentifier = keyid" "$5" >"$ca_dir/$1.ext"
	_nginx_ssl req -config "$ca_dir/req.cnf" -new -newkey ec \
		-pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
		-keyout "$ca_dir/$1.key" -out "$ca_dir/$1.csr" &&
		_nginx_ssl x509 -req -in "$ca_dir/$1.csr" -days 2 \
			-CA "$ca_dir/$3.pem" -CAkey "$ca_dir/$3.key" \
			-set_serial "$4" -extfile "$ca_dir/$1.ext" \
			-out "$ca_dir/$1.pem"
}

# ca_init DIR - the test CA, the server and client certificates, the
# rogue CA and its client certificate (see the top of this file)
ca_init() {
	ca_dir=$1
	mkdir -p "$ca_dir" || return 1
	# openssl's own configuration (Debian's adds v3_ca extensions
	# -addext would duplicate) is not used: everything is said here.
	printf '%s\n' "[req]" "distinguished_name = dn" "[dn]" \
		>"$ca_dir/req.cnf"
	_nginx_ca ca "repsync test CA" &&
		_nginx_ca rogue-ca "repsync rogue CA" &&
		_nginx_cert server localhost ca 1 \
			"extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost" &&
		_nginx_cert client repsync-client ca 2 \
			"extendedKeyUsage = clientAuth" &&
		_nginx_cert rogue-client repsync-client rogue-ca 3 \
			"extendedKeyUsage = clientAuth"
}

# _nginx_ready PID DIR PORT - nginx runs, wrote its pid, and completes a
# TLS handshake (without a client certificate nginx still does: it
# answers such a request 400)
_nginx_ready() {
	kill -0 "$1" 2>/dev/null || return 2
	[ -s "$2/nginx.pid" ] || return 1
	openssl s_client -connect "127.0.0.1:$3" -servername localhost \
		</dev/null >/dev/null 2>&1
}

# _nginx_conf DIR PORT ROOT EXTRA - nginx.conf on stdout
_nginx_conf() {
	if [ "$(id -u)" -eq 0 ]; then
		echo "user root $(id -gn);"
	fi
	cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid "$1/nginx.pid";
error_log "$1/error.log" info;
events {
	worker_connections 64;
}
http {
	default_type application/octet-stream;
	access_log "$1/access.log";
	client_body_temp_path "$1/tmp/body";
	proxy_temp_path "$1/tmp/proxy";
	fastcgi_temp_path "$1/tmp/fastcgi";
	uwsgi_temp_path "$1/tmp/uwsgi";
	scgi_temp_path "$1/tmp/scgi";
	server {
		listen 127.0.0.1:$2 ssl;
		server_name localhost;
		root "$3";
		autoindex off;
		ssl_certificate "$ca_dir/server.pem";
		ssl_certificate_key "$ca_dir/server.key";
		ssl_client_certificate "$ca_dir/ca.pem";
		ssl_verify_client on;
		ssl_verify_depth 2;
		ssl_protocols TLSv1.2 TLSv1.3;
EOF
	[ -z "$4" ] || echo "		include \"$4\";"
	printf '\t}\n}\n'
}

# nginx_start NAME DIR PORT ROOT [EXTRA_CONF_FILE] - start nginx and wait
# (5 s at most) until it answers; $nginx_pid_NAME holds its pid
nginx_start() {
	case $1 in
	'' | *[!a-z0-9_]*)
		echo "Bail out! nginx_start: bad name '$1'"
		exit 1
		;;
	esac
	[ -n "$ca_dir" ] || { echo "Bail out! nginx_start before ca_init"; exit 1; }
	nginx_stop "$1"
	mkdir -p "$2/tmp" || return 1
	rm -f "$2/nginx.pid"
	_nginx_conf "$2" "$3" "$4" "${5:-}" >"$2/nginx.conf"
	nginx -p "$2" -e "$2/error.log" -c "$2/nginx.conf" \
		>>"$2/stderr.log" 2>&1 &
	eval "nginx_pid_$1=\$!"
	nginx_names="$nginx_names $1"
	_i=0
	while [ "$_i" -lt 50 ]; do
		eval "_nginx_ready \"\$nginx_pid_$1\" \"\$2\" \"\$3\""
		case $? in
		0) return 0 ;;
		2) break ;;
		esac
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "nginx $1 did not start:" \
		"$(tail -n 5 "$2/stderr.log" "$2/error.log" 2>/dev/null)"
	nginx_stop "$1"
	return 1
}

# nginx_stop NAME - TERM (nginx's fast shutdown), then, after 5 s, KILL
# for the master and its workers; reap it
nginx_stop() {
	eval "_pid=\${nginx_pid_$1:-}"
	[ -n "$_pid" ] || return 0
	kill "$_pid" 2>/dev/null
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ "$_i" -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$_pid" 2>/dev/null; then
		pkill -KILL -P "$_pid" 2>/dev/null
		kill -KILL "$_pid" 2>/dev/null
	fi
	wait "$_pid" 2>/dev/null
	eval "nginx_pid_$1="
	return 0
}

# nginx_stop_all - every nginx this script started
nginx_stop_all() {
	for _name in $nginx_names; do
		nginx_stop "$_name"
	done
	nginx_names=
}
