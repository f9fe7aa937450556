# tools/trust.mk - owned by the trust module; appends to librepsync.a.
%canon_reldir%_librepsync_a_SOURCES += %reldir%/trust.c %reldir%/trust.h \
	%reldir%/plainlist.c %reldir%/plainlist.h
