# tests/lib - helpers the test programs share, built for make check only.
# libfakedns.a: a scripted DNS server on 127.0.0.1 (fakedns.h).
check_LIBRARIES += %reldir%/libfakedns.a
%canon_reldir%_libfakedns_a_SOURCES = %reldir%/fakedns.c %reldir%/fakedns.h
FAKEDNS_CPPFLAGS = -I$(top_srcdir)/%reldir%
FAKEDNS_LIBS = %reldir%/libfakedns.a
