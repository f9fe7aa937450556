/*
 * fetch.h - repsync's transport: one file from a partner, over HTTPS with
 * a client certificate or from a local file:// URL, into a local file,
 * bounded in size and time, resumable. The only user of libcurl.
 *
 * PURPOSE
 *	fetch_to_file GETs one URL into dest. The body goes to dest ".part"
 *	and becomes dest (fsync, rename, fsync of the directory) only when
 *	it is whole; a .part left by an interrupted run is continued with a
 *	Range request. Sizes are checked while bytes arrive, never after:
 *	a partner cannot fill our disk. What the bytes mean (signature,
 *	hash, format) is the caller's to check.
 *
 * POLICY (fixed; not options)
 *	- Schemes: https:// and file:// only (CURLOPT_PROTOCOLS_STR), no
 *	  user:password@ in a URL (FETCH_E_URL: a credential would end up in
 *	  logs and messages; partners authenticate with certificates).
 *	- TLS 1.2 or later; the peer's certificate and host name are always
 *	  verified, against tls_ca alone when it is given (the system's CA
 *	  directory is then switched off too, so a publicly trusted
 *	  certificate does not stand in for the partner's CA), against the
 *	  system's store otherwise.
 *	- Redirects (301, 302, 303, 307, 308) are followed, up to
 *	  max_redirects, only when the new URL has the same scheme, host and
 *	  port; anything else is FETCH_E_REDIRECT. libcurl's own following
 *	  is off: each Location is checked here.
 *	- Status 200 and 206 carry the body; 404 is FETCH_E_NOTFOUND, any
 *	  other status FETCH_E_HTTP. A 200 to a Range request restarts the
 *	  .part from zero; a 416, or a 206 starting elsewhere than asked,
 *	  restarts it with a plain GET (once per attempt).
 *	- No Accept-Encoding is sent: the bytes stored are the bytes served,
 *	  whose size and hash a manifest states.
 *	- User-Agent: "repsync/" PACKAGE_VERSION.
 *	- Proxies: libcurl's default is kept, which honours the environment
 *	  (https_proxy, all_proxy, no_proxy and their upper-case forms, but
 *	  never HTTP_PROXY); unset them for a direct connection.
 *
 * RETRIES
 *	A transient failure (FETCH_E_CONNECT: refused, unreachable, reset or
 *	cut off; FETCH_E_TIMEOUT; HTTP 5xx or 429) is tried again, at most
 *	`retries` more times, after a pause of backoff_ms, doubled each time
 *	and multiplied by a random factor between 0.5 and 1.5 (at most
 *	FETCH_BACKOFF_MAX_MS). A retry resumes from what the .part holds and
 *	starts again at the URL given (not at a redirect's target). Other
 *	failures are final at once. The worst case takes about
 *	(retries + 1) * (max_redirects + 2) * timeout_ms plus the pauses.
 *
 * OWNERSHIP
 *	struct fetch_opts and struct fetch_result are values the caller
 *	owns; `const char *` arguments are borrowed for the call only.
 *
 * THREADS
 *	fetch_global_init and fetch_global_cleanup once per process, before
 *	any thread is started and after all have stopped (libcurl's rule).
 *	In between, fetch_to_file may run in several threads at once (one
 *	easy handle per call; no signals: CURLOPT_NOSIGNAL), on different
 *	dest files.
 *
 * ERRORS
 *	0 or a negative FETCH_E_* code; fetch_strerror() names it, and
 *	fetch_to_file writes a one-line reason into res->why (URL and what
 *	failed, printable ASCII, credentials never: a URL holding one is
 *	refused). On FETCH_E_IO the reason carries strerror(errno). Nothing
 *	prints, exits or aborts.
 *
 * CAVEATS
 *	- dest's directory must exist. The .part is locked (flock) for the
 *	  call: a second fetch of the same dest at the same time fails
 *	  FETCH_E_IO instead of mixing bytes.
 *	- On failure the .part is kept for a later resume, except after
 *	  FETCH_E_TOOBIG and FETCH_E_NOTFOUND, or when it is empty: then it
 *	  is removed. dest itself is never touched on failure.
 *	- A resumed file is the old bytes followed by new ones; if the
 *	  partner replaced the file in between, the result is wrong in a way
 *	  only the caller's hash can tell. Feed files are immutable
 *	  (named by their hash), so this happens only on a broken server.
 *	- file:// reads a local path (host empty or "localhost"); a file
 *	  that cannot be opened, missing or unreadable, is FETCH_E_NOTFOUND
 *	  (libcurl does not tell the two apart). status is 0.
 *	- Timeouts count per request: timeout_ms bounds one request, not
 *	  the whole call (see RETRIES).
 */
#ifndef REPSYNC_FETCH_H
#define REPSYNC_FETCH_H

#include <stddef.h>
#include <stdint.h>

enum {
	FETCH_OK = 0,
	FETCH_E_INVAL = -1,     /* bad argument */
	FETCH_E_NOMEM = -2,     /* out of memory, libcurl unusable */
	FETCH_E_IO = -3,        /* local file: .part, dest, directory */
	FETCH_E_URL = -4,       /* bad or unsupported URL (https, file) */
	FETCH_E_CONNECT = -5,   /* no connection, or connection lost */
	FETCH_E_TLS = -6,       /* handshake, certificate */
	FETCH_E_HTTP = -7,      /* status other than 200/206 (and 404) */
	FETCH_E_NOTFOUND = -8,  /* 404, or no such file */
	FETCH_E_TOOBIG = -9,    /* body over max_bytes (or expect_size) */
	FETCH_E_SIZE = -10,     /* whole body shorter than expect_size */
	FETCH_E_TIMEOUT = -11,  /* connect, transfer or low-speed timeout */
	FETCH_E_REDIRECT = -12, /* elsewhere (scheme/host/port), too many */
};

/* Bounds on the options: fetch_to_file refuses more (FETCH_E_INVAL). */
#define FETCH_RETRIES_MAX 10
#define FETCH_REDIRECTS_MAX 20
#define FETCH_BACKOFF_MAX_MS 300000u /* one pause, after doubling */
#define FETCH_URL_MAX 2048           /* with the terminating NUL */

struct fetch_opts {
	const char *tls_cert; /* client certificate (PEM), or NULL */
	const char *tls_key;  /* its key (PEM); NULL: in tls_cert, or none */
	const char *tls_ca;   /* CA(s) for the server (PEM); NULL: system */
	unsigned connect_timeout_ms; /* 0: 10000 */
	unsigned timeout_ms;         /* one request; 0: 300000 */
	unsigned low_speed_secs;     /* abort below 1 KB/s this long; 0: 30 */
	unsigned retries;            /* extra attempts after a transient
	                                failure; 0: none */
	unsigned backoff_ms;         /* first pause; 0: 1000 */
	unsigned max_redirects;      /* same-origin redirects; 0: 5 */
};

struct fetch_result {
	long status;       /* last HTTP status; 0 for file:// or none */
	uint64_t bytes;    /* success: bytes in dest; failure: in .part */
	int resumed;       /* 1: continued a .part */
	unsigned attempts; /* 1 + retries made; 0: refused before any */
	char why[256];     /* failure: "URL: reason", "PATH: reason" for a
	                      local file; success: "" */
};

/* fetch_strerror - a static, human-readable text for an error code */
const char *fetch_strerror(int err);

/* fetch_global_init - libcurl's global state; once, before any thread.
 * FETCH_E_NOMEM if libcurl cannot start, FETCH_E_TLS if it was built
 * without TLS. */
int fetch_global_init(void) __attribute__((warn_unused_result));

/* fetch_global_cleanup - undo fetch_global_init; after every fetch */
void fetch_global_cleanup(void);

/*
 * fetch_to_file - GET url into dest (see PURPOSE, POLICY, RETRIES).
 * max_bytes (> 0) bounds the body: a Content-Length, a Content-Range
 * total or the bytes received beyond it fail FETCH_E_TOOBIG at once and
 * remove the .part. expect_size (0: unknown) is the exact length wanted:
 * more fails FETCH_E_TOOBIG the same way, less fails FETCH_E_SIZE and
 * keeps the .part; expect_size above max_bytes fails FETCH_E_TOOBIG
 * before any request. A .part longer than either is emptied first.
 * o may be NULL (all defaults). res (may be NULL) is filled on success
 * and on failure.
 */
int fetch_to_file(const char *url, const char *dest, uint64_t max_bytes,
        uint64_t expect_size, const struct fetch_opts *o,
        struct fetch_result *res) __attribute__((warn_unused_result));

/*
 * fetch_url_join - base, a directory URL "scheme://..." without query
 * or fragment, with or without a trailing '/', then name, a plain file
 * name of [A-Za-z0-9._-] that is not "." or "..", into out[len].
 * FETCH_E_URL for a bad base, FETCH_E_INVAL for a bad name or a short
 * out (untouched on failure).
 */
int fetch_url_join(const char *base, const char *name, char *out, size_t len)
        __attribute__((warn_unused_result));

#endif /* REPSYNC_FETCH_H */
