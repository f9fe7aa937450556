# tests/milter - protocol tests: filters driven over their socket by our own
# MTA-side client. libmiltertest.a holds the client (milterclient.h), the
# message corpus generator (mailcorpus.h) and the TCP_NODELAY helper of the
# test filters (nodelay.h); the benchmark in tests/bench links it too.
check_LIBRARIES += %reldir%/libmiltertest.a
%canon_reldir%_libmiltertest_a_SOURCES = \
	%reldir%/milterclient.c %reldir%/milterclient.h \
	%reldir%/mc_msg.c %reldir%/mc_send.c %reldir%/mc_io.c \
	%reldir%/mc_internal.h \
	%reldir%/nodelay.c %reldir%/nodelay.h \
	%reldir%/mailcorpus.c %reldir%/mailcorpus.h

MILTERTEST_LIBS = $(top_builddir)/%reldir%/libmiltertest.a

# echofilter: the libmilter filter the client's test drives
check_PROGRAMS += %reldir%/echofilter %reldir%/test_milterclient
TESTS += %reldir%/test_milterclient
%canon_reldir%_echofilter_LDADD = $(MILTERTEST_LIBS) $(MILTER_LIBS)
%canon_reldir%_test_milterclient_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
%canon_reldir%_test_milterclient_LDADD = $(MILTERTEST_LIBS) $(CMOCKA_LIBS)
EXTRA_%canon_reldir%_test_milterclient_DEPENDENCIES = %reldir%/echofilter$(EXEEXT)

# miltersend: the client as a command, for test_protocol.sh (repmilter over
# its socket; skips itself until repmilter is built)
check_PROGRAMS += %reldir%/miltersend
%canon_reldir%_miltersend_LDADD = $(MILTERTEST_LIBS)
MILTER_PROTOCOL_TESTS = %reldir%/test_protocol.sh
TESTS += $(MILTER_PROTOCOL_TESTS)
dist_check_SCRIPTS += $(MILTER_PROTOCOL_TESTS)
