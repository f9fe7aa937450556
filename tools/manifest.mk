# tools/manifest.mk - owned by the manifest module; appends to librepsync.a.
# The manifest: the signed table of contents of a feed directory, and the
# plan of which files a receiver applies.
%canon_reldir%_librepsync_a_SOURCES += %reldir%/manifest.c %reldir%/manifest.h
