# tools/fetch.mk - the transport (fetch.h): HTTPS with client
# certificates and file://, through libcurl (fetch.c, the only user of
# <curl/curl.h>), and what needs no libcurl (fetch_util.c: error texts,
# the .part file, Content-Range, fetch_url_join); appends to
# librepsync.a.
%canon_reldir%_librepsync_a_SOURCES += %reldir%/fetch.h %reldir%/fetch_int.h \
	%reldir%/fetch.c %reldir%/fetch_util.c
