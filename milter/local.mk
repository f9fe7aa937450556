# milter/ - repmilter, the daemon in the mail path. Everything but the
# libmilter glue lives in libmiltercore.a, which the tests link too.
noinst_LIBRARIES += %reldir%/libmiltercore.a
%canon_reldir%_libmiltercore_a_SOURCES = \
	%reldir%/dns.c %reldir%/dns.h \
	%reldir%/dns_wire.c %reldir%/dns_wire.h \
	%reldir%/dns_cache.c %reldir%/dns_cache.h \
	%reldir%/dnsl.c %reldir%/dnsl.h \
	%reldir%/dnsl_rules.c %reldir%/dnsl_impl.h \
	%reldir%/policy.c %reldir%/policy.h \
	%reldir%/conf.c %reldir%/conf.h \
	%reldir%/conf_values.c %reldir%/conf_values.h \
	%reldir%/weights.c %reldir%/weights.h \
	%reldir%/engine.c %reldir%/engine.h \
	%reldir%/writer.c %reldir%/writer.h \
	%reldir%/session.c %reldir%/session.h \
	%reldir%/check_dnsl.c %reldir%/check_dnsl.h \
	%reldir%/check_rep.c %reldir%/check_rep.h \
	%reldir%/check_auth.c %reldir%/check_auth.h
%canon_reldir%_libmiltercore_a_CPPFLAGS = $(AM_CPPFLAGS) $(CARES_CFLAGS) \
	$(OPENDKIM_CFLAGS) $(CRYPTO_CFLAGS) $(PSL_CFLAGS)

# Sender authentication: one fragment per check, each adding its sources.
include %reldir%/spf.mk
include %reldir%/dkim.mk
include %reldir%/dmarc.mk
include %reldir%/authres.mk

MILTER_CORE_LIBS = $(top_builddir)/milter/libmiltercore.a $(COMMON_LIBS) \
	$(REP_LIBS) $(CARES_LIBS) $(SPF2_LIBS) $(OPENDKIM_LIBS) $(CRYPTO_LIBS) \
	$(PSL_LIBS)
dist_man_MANS += %reldir%/repmilter.8 %reldir%/repmilter.conf.5

# The daemon: the libmilter glue and main; the rest is in the core.
sbin_PROGRAMS += %reldir%/repmilter
%canon_reldir%_repmilter_SOURCES = %reldir%/main.c \
	%reldir%/callbacks.c %reldir%/callbacks.h
%canon_reldir%_repmilter_LDADD = $(MILTER_CORE_LIBS) $(MILTER_LIBS)
