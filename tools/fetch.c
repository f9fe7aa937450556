/*
 * fetch.c - one file over HTTPS (client certificate) or file:// into a
 * local file, bounded, resumable, with retries (fetch.h). The only file
 * that includes <curl/curl.h>.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetch.h"
#include "fetch_int.h"

/* What one request can end in besides FETCH_OK and FETCH_E_*: */
enum {
	X_REDIRECT = 1, /* a Location to follow, in x->next */
	X_RESTART = 2,  /* the .part cannot be continued: from zero */
	X_STATUS = 3,   /* no body status: judged after the transfer */
};

#define FETCH_USER_AGENT "repsync/" PACKAGE_VERSION
#define FETCH_LOW_SPEED_BYTES 1024L
#define FETCH_ORIGIN_MAX 512

/* struct xfer - everything one fetch_to_file call holds */
struct xfer {
	CURL *curl;
	struct fetch_opts opt; /* with the defaults filled in */
	struct fetch_result *res;
	const char *url0;              /* as given (checked) */
	char url[FETCH_URL_MAX];       /* the current request's */
	char next[FETCH_URL_MAX];      /* a redirect's target */
	char location[FETCH_URL_MAX];  /* Location of the response, as sent */
	char origin[FETCH_ORIGIN_MAX]; /* "https://host:port" of url0 */
	int is_file;
	struct fetch_part part; /* part.size: the bytes it holds */
	uint64_t max, expect;
	uint64_t offset; /* where this request starts */
	int resumed;
	int started;       /* body_begin ran for this request */
	int abort;         /* why write_cb stopped the transfer */
	int transient;     /* the failure may pass: retry */
	int have_range;    /* a valid Content-Range was seen */
	int have_location; /* 1: location, 2: too long */
	uint64_t range_start, range_total; /* total 0: '*' */
	char errbuf[CURL_ERROR_SIZE];
	uint64_t rng;
};

/* fetch_global_init - libcurl's global state, and a TLS-capable build */
int fetch_global_init(void)
{
	const curl_version_info_data *v;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return FETCH_E_NOMEM;
	v = curl_version_info(CURLVERSION_NOW);
	if (v == NULL || !(v->features & CURL_VERSION_SSL)) {
		curl_global_cleanup();
		return FETCH_E_TLS;
	}
	return FETCH_OK;
}

/* fetch_global_cleanup - libcurl's global cleanup */
void fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

/* printable - make text safe for one log line: anything outside
 * printable ASCII (a server's Location, curl's message) becomes '?' */
static void printable(char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

/* why_url - res->why as "URL: reason" (the URL cut at 160 bytes) */
static void why_url(struct xfer *x, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (snprintf(x->res->why, sizeof x->res->why, "%.160s: %s", x->url,
	            msg) < 0)
		x->res->why[0] = '\0';
	printable(x->res->why);
}

/* why_errno - res->why as "PATH: strerror(errno)"; FETCH_E_IO */
static int why_errno(struct xfer *x, const char *path, const char *what)
{
	int saved = errno;

	snprintf(x->res->why, sizeof x->res->why, "%.160s: %s%s%s", path,
	        what != NULL ? what : "", what != NULL ? ": " : "",
	        strerror(saved));
	printable(x->res->why);
	errno = saved;
	return FETCH_E_IO;
}

/* parse_url - check a URL against the policy (https with a host, or
 * file; no user or password) and give its origin, "scheme://host:port"
 * in lower case ("file:" for file URLs) */
static int parse_url(const char *url, int *is_file, char *origin, size_t len)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *s = NULL;
	int rc = FETCH_E_URL, n;

	if (strlen(url) >= FETCH_URL_MAX)
		return FETCH_E_URL;
	if ((u = curl_url()) == NULL)
		return FETCH_E_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto fail;
	/* A credential in a URL ends up in logs; partners use certificates. */
	if (curl_url_get(u, CURLUPART_USER, &s, 0) == CURLUE_OK ||
	        curl_url_get(u, CURLUPART_PASSWORD, &s, 0) == CURLUE_OK)
		goto fail;
	if (strcasecmp(scheme, "file") == 0) {
		*is_file = 1;
		n = snprintf(origin, len, "file:");
	} else if (strcasecmp(scheme, "https") == 0) {
		*is_file = 0;
		if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		        host[0] == '\0' ||
		        curl_url_get(u, CURLUPART_PORT, &port,
		                CURLU_DEFAULT_PORT) != CURLUE_OK)
			goto fail;
		n = snprintf(origin, len, "https://%s:%s", host, port);
	} else
		goto fail;
	if (n < 0 || (size_t)n >= len)
		goto fail;
	for (; *origin != '\0'; origin++)
		if (*origin >= 'A' && *origin <= 'Z')
			*origin = (char)(*origin - 'A' + 'a');
	rc = FETCH_OK;
fail:
	curl_free(s);
	curl_free(port);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

/* truncate_part - empty the .part: what it held cannot be continued */
static int truncate_part(struct xfer *x)
{
	if (fetch_part_truncate(&x->part) != 0)
		return why_errno(x, x->part.path, "truncate");
	x->resumed = 0;
	return FETCH_OK;
}

/* open_part - open (or create) dest.part, locked; one longer than any
 * answer allowed is emptied */
static int open_part(struct xfer *x, const char *dest)
{
	const char *what;
	uint64_t held;

	if (fetch_part_open(&x->part, dest, &what) != 0)
		return why_errno(x, x->part.path, what);
	held = x->part.size;
	if (held > x->max || (x->expect != 0 && held > x->expect))
		return truncate_part(x);
	return FETCH_OK;
}

/* add_sat - a + b, or UINT64_MAX when that overflows */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* check_total - a file of `total` bytes may still be what we want */
static int check_total(struct xfer *x, uint64_t total)
{
	if (total > x->max) {
		why_url(x,
		        "body of %" PRIu64 " bytes or more, over the limit "
		        "of %" PRIu64,
		        total, x->max);
		return FETCH_E_TOOBIG;
	}
	if (x->expect != 0 && total > x->expect) {
		why_url(x,
		        "body of %" PRIu64 " bytes or more, %" PRIu64
		        " expected",
		        total, x->expect);
		return FETCH_E_TOOBIG;
	}
	return FETCH_OK;
}

/* body_begin - judge a response when its body starts (or, for an empty
 * body, after the transfer): which status, where its bytes go, whether
 * its announced size can fit */
static int body_begin(struct xfer *x)
{
	long code = 0;
	curl_off_t cl = -1;
	int rc;

	x->started = 1;
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
	if (x->is_file) {
		/* libcurl seeked to the Range start itself */
		x->resumed = x->offset > 0;
	} else if (code == 206) {
		if (x->offset == 0) {
			why_url(x, "HTTP 206 to a request without Range");
			return FETCH_E_HTTP;
		}
		if (!x->have_range || x->range_start != x->offset)
			return X_RESTART;
		if (x->range_total != 0 &&
		        (rc = check_total(x, x->range_total)) != 0)
			return rc;
		x->resumed = 1;
	} else if (code == 200) {
		/* the whole file, whatever we asked: start again */
		if (x->part.size > 0 && (rc = truncate_part(x)) != 0)
			return rc;
	} else
		return X_STATUS;
	curl_easy_getinfo(x->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (cl >= 0)
		return check_total(x, add_sat(x->part.size, (uint64_t)cl));
	return FETCH_OK;
}

/* write_cb - body bytes into the .part, the limits checked first: a
 * byte over max_bytes is never written */
static size_t write_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	int rc;

	if (!x->started && (rc = body_begin(x)) != 0)
		goto stop;
	if ((rc = check_total(x, add_sat(x->part.size, len))) != 0)
		goto stop;
	if (fetch_part_append(&x->part, buf, len) != 0) {
		rc = why_errno(x, x->part.path, "write");
		goto stop;
	}
	return len;
stop:
	x->abort = rc;
	return CURL_WRITEFUNC_ERROR;
}

/* keep_location - the value of a Location header, blanks trimmed */
static void keep_location(struct xfer *x, const char *val, size_t len)
{
	while (len > 0 && (*val == ' ' || *val == '\t'))
		val++, len--;
	while (len > 0 && strchr(" \t\r\n", val[len - 1]) != NULL)
		len--;
	if (x->have_location != 0 || len == 0)
		return;
	if (len >= sizeof x->location) {
		x->have_location = 2;
		return;
	}
	memcpy(x->location, val, len);
	x->location[len] = '\0';
	x->have_location = 1;
}

/* header_cb - note Content-Range and Location; a new status line (an
 * interim 1xx answer came first) forgets them. The redirect is judged
 * here, not by libcurl: it computes CURLINFO_REDIRECT_URL only for a
 * transfer that completed, and we stop at the first byte of a body
 * that is not ours. */
static size_t header_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		x->have_range = 0;
		x->have_location = 0;
	} else if (len > 14 && strncasecmp(buf, "Content-Range:", 14) == 0)
		x->have_range = fetch_content_range(buf + 14, len - 14,
		                        &x->range_start, &x->range_total) == 0;
	else if (len > 9 && strncasecmp(buf, "Location:", 9) == 0)
		keep_location(x, buf + 9, len - 9);
	return len;
}

/* resolve_location - the Location, made absolute against x->url, into
 * x->next; a URL libcurl cannot parse is refused */
static int resolve_location(struct xfer *x)
{
	CURLU *u;
	char *abs = NULL;
	int rc = FETCH_E_REDIRECT;

	if ((u = curl_url()) == NULL)
		return FETCH_E_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, x->url, 0) == CURLUE_OK &&
	        curl_url_set(u, CURLUPART_URL, x->location, 0) == CURLUE_OK &&
	        curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK &&
	        strlen(abs) < sizeof x->next) {
		strcpy(x->next, abs);
		rc = X_REDIRECT;
	} else
		why_url(x, "unusable Location %.80s", x->location);
	curl_free(abs);
	curl_url_cleanup(u);
	return rc;
}

/* judge_status - what a response without a body for us means */
static int judge_status(struct xfer *x, long code)
{
	switch (code) {
	case 301:
	case 302:
	case 303:
	case 307:
	case 308:
		if (x->have_location == 1)
			return resolve_location(x);
		why_url(x, "HTTP %ld %s", code,
		        x->have_location == 2 ? "to a Location of 2 KB or more"
		                              : "without a Location");
		return x->have_location == 2 ? FETCH_E_REDIRECT : FETCH_E_HTTP;
	case 404:
		why_url(x, "HTTP 404");
		return FETCH_E_NOTFOUND;
	case 416:
		if (x->offset > 0)
			return X_RESTART;
		break;
	case 429:
		x->transient = 1;
		break;
	default:
		x->transient = code >= 500 && code <= 599;
		break;
	}
	why_url(x, "HTTP %ld", code);
	return FETCH_E_HTTP;
}

/* map_curl - a libcurl failure as a FETCH_E_* code (transient or not) */
static int map_curl(struct xfer *x, CURLcode cc)
{
	const char *msg =
	        x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(cc);

	why_url(x, "%s", msg);
	switch (cc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return FETCH_E_URL;
	case CURLE_RECV_ERROR:
		/* TLS 1.3 delivers the server's verdict on our certificate
		 * after the handshake, as an alert: not transient */
		if (strstr(msg, "alert") != NULL)
			return FETCH_E_TLS;
		/* FALLTHROUGH */
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		x->transient = 1;
		return FETCH_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		x->transient = 1;
		return FETCH_E_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return FETCH_E_TLS;
	case CURLE_FILE_COULDNT_READ_FILE:
		return FETCH_E_NOTFOUND;
	case CURLE_FILESIZE_EXCEEDED:
		why_url(x, "Content-Length over the limit of %" PRIu64, x->max);
		return FETCH_E_TOOBIG;
	case CURLE_BAD_DOWNLOAD_RESUME:
	case CURLE_RANGE_ERROR:
		return x->offset > 0 ? X_RESTART : FETCH_E_HTTP;
	case CURLE_OUT_OF_MEMORY:
		return FETCH_E_NOMEM;
	case CURLE_READ_ERROR:
	case CURLE_WRITE_ERROR:
		return FETCH_E_IO;
	default:
		return FETCH_E_HTTP;
	}
}

/* request - one GET of x->url from what the .part holds */
static int request(struct xfer *x)
{
	char range[32];
	long code = 0;
	CURLcode cc;
	int rc;

	x->offset = x->part.size;
	x->started = 0;
	x->abort = 0;
	x->transient = 0;
	x->have_range = 0;
	x->have_location = 0;
	x->errbuf[0] = '\0';
	snprintf(range, sizeof range, "%" PRIu64 "-", x->offset);
	if (curl_easy_setopt(x->curl, CURLOPT_URL, x->url) != CURLE_OK ||
	        curl_easy_setopt(x->curl, CURLOPT_RANGE,
	                x->offset > 0 ? range : NULL) != CURLE_OK) {
		why_url(x, "libcurl refused the URL");
		return FETCH_E_NOMEM;
	}
	cc = curl_easy_perform(x->curl);
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
	x->res->status = code;
	if (x->abort == X_STATUS)
		return judge_status(x, code);
	if (x->abort != 0)
		return x->abort;
	if (cc != CURLE_OK)
		return map_curl(x, cc);
	if (!x->started && (rc = body_begin(x)) != 0)
		return rc == X_STATUS ? judge_status(x, code) : rc;
	return FETCH_OK;
}

/* follow - take the redirect in x->next if it stays where we are */
static int follow(struct xfer *x)
{
	char origin[FETCH_ORIGIN_MAX];
	int is_file, rc;

	rc = parse_url(x->next, &is_file, origin, sizeof origin);
	if (rc == FETCH_E_NOMEM)
		return rc;
	if (rc != 0 || strcmp(origin, x->origin) != 0) {
		why_url(x,
		        "redirect to %.80s refused: another scheme, host "
		        "or port",
		        x->next);
		return FETCH_E_REDIRECT;
	}
	strcpy(x->url, x->next);
	return FETCH_OK;
}

/* attempt - the URL, its same-origin redirects, and at most one
 * restart from zero when the .part could not be continued */
static int attempt(struct xfer *x)
{
	unsigned i, hops = 0;
	int rc, restarted = 0;

	strcpy(x->url, x->url0);
	for (i = 0; i < x->opt.max_redirects + 2; i++) {
		rc = request(x);
		if (rc == X_RESTART) {
			if (restarted) {
				why_url(x, "resume refused twice");
				return FETCH_E_HTTP;
			}
			restarted = 1;
			if ((rc = truncate_part(x)) != 0)
				return rc;
			continue;
		}
		if (rc != X_REDIRECT)
			return rc;
		if (hops++ >= x->opt.max_redirects)
			break;
		if ((rc = follow(x)) != 0)
			return rc;
	}
	why_url(x, "more than %u redirects", x->opt.max_redirects);
	return FETCH_E_REDIRECT;
}

/* next_random - xorshift64*: jitter needs no cryptography */
static uint64_t next_random(struct xfer *x)
{
	x->rng ^= x->rng >> 12;
	x->rng ^= x->rng << 25;
	x->rng ^= x->rng >> 27;
	return x->rng * UINT64_C(2685821657736338717);
}

/* backoff - pause before retry n (0 first): backoff_ms doubled n times,
 * times 0.5-1.5, at most FETCH_BACKOFF_MAX_MS */
static void backoff(struct xfer *x, unsigned n)
{
	uint64_t ms = x->opt.backoff_ms;
	struct timespec ts, rem;
	unsigned i;

	for (i = 0; i < n && ms < FETCH_BACKOFF_MAX_MS; i++)
		ms *= 2;
	ms = ms * (500 + next_random(x) % 1001) / 1000;
	if (ms > FETCH_BACKOFF_MAX_MS)
		ms = FETCH_BACKOFF_MAX_MS;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	/* each interruption leaves less to sleep, so this ends */
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

/* run - attempts until one succeeds, fails for good, or none is left */
static int run(struct xfer *x)
{
	unsigned n;
	int rc = FETCH_E_INVAL;

	for (n = 0; n <= x->opt.retries; n++) {
		x->res->attempts = n + 1;
		x->res->why[0] = '\0';
		rc = attempt(x);
		if (rc == 0 || !x->transient || n == x->opt.retries)
			break;
		backoff(x, n);
	}
	return rc;
}

/* set_opt - the options every request of the call shares */
static int set_opt(struct xfer *x)
{
	const struct fetch_opts *o = &x->opt;
	CURL *c = x->curl;
	curl_off_t maxsize = x->max > (uint64_t)INT64_MAX
	                             ? (curl_off_t)INT64_MAX
	                             : (curl_off_t)x->max;

	if (curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,file") ||
	        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) ||
	        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) ||
	        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) ||
	        curl_easy_setopt(
	                c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) ||
	        curl_easy_setopt(c, CURLOPT_USERAGENT, FETCH_USER_AGENT) ||
	        curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L) ||
	        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf) ||
	        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) ||
	        curl_easy_setopt(c, CURLOPT_WRITEDATA, x) ||
	        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb) ||
	        curl_easy_setopt(c, CURLOPT_HEADERDATA, x) ||
	        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                (long)o->connect_timeout_ms) ||
	        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms) ||
	        curl_easy_setopt(
	                c, CURLOPT_LOW_SPEED_LIMIT, FETCH_LOW_SPEED_BYTES) ||
	        curl_easy_setopt(
	                c, CURLOPT_LOW_SPEED_TIME, (long)o->low_speed_secs) ||
	        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, maxsize))
		return FETCH_E_NOMEM;
	if (o->tls_cert != NULL &&
	        curl_easy_setopt(c, CURLOPT_SSLCERT, o->tls_cert) != CURLE_OK)
		return FETCH_E_NOMEM;
	if (o->tls_key != NULL &&
	        curl_easy_setopt(c, CURLOPT_SSLKEY, o->tls_key) != CURLE_OK)
		return FETCH_E_NOMEM;
	if (o->tls_ca != NULL) {
		if (curl_easy_setopt(c, CURLOPT_CAINFO, o->tls_ca) != CURLE_OK)
			return FETCH_E_NOMEM;
		/* The partner's CA alone: Debian's libcurl also reads
		 * /etc/ssl/certs unless told not to. A TLS backend without
		 * CA directories refuses this, and has none to switch off. */
		(void)curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	return FETCH_OK;
}

/* fill_opts - the caller's options with the defaults, checked */
static int fill_opts(struct fetch_opts *d, const struct fetch_opts *o)
{
	if (o != NULL)
		*d = *o;
	else
		memset(d, 0, sizeof *d);
	if (d->retries > FETCH_RETRIES_MAX ||
	        d->max_redirects > FETCH_REDIRECTS_MAX ||
	        (d->tls_key != NULL && d->tls_cert == NULL))
		return FETCH_E_INVAL;
#if UINT_MAX > LONG_MAX
	/* libcurl takes milliseconds as a long */
	if (d->connect_timeout_ms > LONG_MAX || d->timeout_ms > LONG_MAX)
		return FETCH_E_INVAL;
#endif
	if (d->connect_timeout_ms == 0)
		d->connect_timeout_ms = 10000;
	if (d->timeout_ms == 0)
		d->timeout_ms = 300000;
	if (d->low_speed_secs == 0)
		d->low_speed_secs = 30;
	if (d->backoff_ms == 0)
		d->backoff_ms = 1000;
	if (d->max_redirects == 0)
		d->max_redirects = 5;
	return FETCH_OK;
}

/* seed - the jitter's state: time, process and call differ */
static uint64_t seed(const struct xfer *x)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
	    ((uint64_t)getpid() << 17) ^ (uint64_t)(uintptr_t)x;
	return s != 0 ? s : 1;
}

/* commit - the whole body: check its length, flush it, name it dest */
static int commit(struct xfer *x, const char *dest)
{
	const char *what;

	if (x->expect != 0 && x->part.size < x->expect) {
		why_url(x, "%" PRIu64 " bytes, %" PRIu64 " expected",
		        x->part.size, x->expect);
		return FETCH_E_SIZE;
	}
	if (x->expect != 0 && x->part.size > x->expect)
		return check_total(x, x->part.size);
	if (fetch_part_commit(&x->part, dest, &what) != 0)
		return why_errno(x, dest, what);
	return FETCH_OK;
}

/* drop - after a failure: remove a .part that is empty, too big, or
 * of a file that is gone; keep any other for a resume */
static void drop(struct xfer *x, int rc)
{
	fetch_part_close(&x->part, rc == FETCH_E_TOOBIG ||
	                                   rc == FETCH_E_NOTFOUND ||
	                                   x->part.size == 0);
}

/* redact - cut "user:password@" out of a URL (for messages) */
static void redact(char *url)
{
	char *auth = strstr(url, "://"), *at;

	if (auth == NULL)
		return;
	auth += 3;
	for (at = auth + strcspn(auth, "/?#"); at > auth; at--)
		if (at[-1] == '@')
			break;
	if (at > auth)
		memmove(auth, at, strlen(at) + 1);
}

/* xfer_start - check the arguments, fill in x, make the curl handle */
static int xfer_start(struct xfer *x, const char *url, const char *dest,
        uint64_t max_bytes, uint64_t expect_size, const struct fetch_opts *o)
{
	int rc;

	x->part.fd = -1;
	x->url0 = url;
	x->max = max_bytes;
	x->expect = expect_size;
	x->rng = seed(x);
	snprintf(x->url, sizeof x->url, "%s", url);
	if (dest == NULL || dest[0] == '\0' || max_bytes == 0 ||
	        fill_opts(&x->opt, o) != 0) {
		why_url(x, "invalid argument");
		return FETCH_E_INVAL;
	}
	if ((rc = parse_url(url, &x->is_file, x->origin, sizeof x->origin))) {
		redact(x->url);
		why_url(x, "refused (https:// with a host, or file://; no "
		           "user or password)");
		return rc;
	}
	if (expect_size > max_bytes) {
		why_url(x,
		        "%" PRIu64 " bytes announced, over the limit of "
		        "%" PRIu64,
		        expect_size, max_bytes);
		return FETCH_E_TOOBIG;
	}
	if ((x->curl = curl_easy_init()) == NULL || set_opt(x) != 0) {
		why_url(x, "libcurl could not be set up");
		return FETCH_E_NOMEM;
	}
	return open_part(x, dest);
}

/* fetch_to_file - GET url into dest through dest.part */
int fetch_to_file(const char *url, const char *dest, uint64_t max_bytes,
        uint64_t expect_size, const struct fetch_opts *o,
        struct fetch_result *res)
{
	struct fetch_result scratch;
	struct xfer *x;
	int rc;

	if (res == NULL)
		res = &scratch;
	memset(res, 0, sizeof *res);
	if (url == NULL) {
		snprintf(res->why, sizeof res->why, "no URL");
		return FETCH_E_INVAL;
	}
	if ((x = calloc(1, sizeof *x)) == NULL) {
		snprintf(res->why, sizeof res->why, "out of memory");
		return FETCH_E_NOMEM;
	}
	x->res = res;
	rc = xfer_start(x, url, dest, max_bytes, expect_size, o);
	if (rc == 0)
		rc = run(x);
	if (rc == 0)
		rc = commit(x, dest);
	if (rc != 0) {
		drop(x, rc);
		if (res->why[0] == '\0')
			why_url(x, "%s", fetch_strerror(rc));
	} else
		res->why[0] = '\0';
	res->bytes = x->part.size;
	res->resumed = x->resumed;
	fetch_part_close(&x->part, 0);
	curl_easy_cleanup(x->curl);
	free(x);
	return rc;
}
