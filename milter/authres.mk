# milter/authres.mk - the authres check's sources in libmiltercore.a (see milter/local.mk).
# The Authentication-Results writer and authserv-id reader; no dependency
# beyond libc, so the checks map their results into its structs.
%canon_reldir%_libmiltercore_a_SOURCES += %reldir%/authres.c %reldir%/authres.h
