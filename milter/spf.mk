# milter/spf.mk - the spf check's sources in libmiltercore.a (see milter/local.mk).
# check_spf: the check; spf_dns: libspf2's DNS layer with the RFC 7208
# limits, spf_dns_resolver: its backend on dns.c; spf_parse, spf_macro: the
# record grammar checked before libspf2.
%canon_reldir%_libmiltercore_a_SOURCES += \
	%reldir%/check_spf.c %reldir%/check_spf.h \
	%reldir%/spf_dns.c %reldir%/spf_dns.h %reldir%/spf_dns_resolver.c \
	%reldir%/spf_parse.c %reldir%/spf_parse.h \
	%reldir%/spf_macro.c %reldir%/spf_macro.h
