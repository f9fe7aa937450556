# etc/ - sample configuration and service files.
#
# repmilter.conf is installed in $(sysconfdir) unless a file of that name
# is there already: an administrator's configuration is never overwritten.
# It is removed at uninstall only while it is the untouched sample. The
# systemd unit gets the installed path of the program. Every file also
# goes to $(docdir)/examples for reference.
systemdsystemunitdir = $(prefix)/lib/systemd/system
repmilter_examplesdir = $(docdir)/examples
dist_repmilter_examples_DATA = %reldir%/repmilter.conf \
	%reldir%/postfix-main.cf %reldir%/repmilter.service

install-data-local: install-etc-files
uninstall-local: uninstall-etc-files

install-etc-files:
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)'
	@if test -f '$(DESTDIR)$(sysconfdir)/repmilter.conf'; then \
	  echo "keeping $(DESTDIR)$(sysconfdir)/repmilter.conf"; \
	else \
	  echo " $(INSTALL_DATA) $(srcdir)/%reldir%/repmilter.conf '$(DESTDIR)$(sysconfdir)/repmilter.conf'"; \
	  $(INSTALL_DATA) $(srcdir)/%reldir%/repmilter.conf \
	    '$(DESTDIR)$(sysconfdir)/repmilter.conf'; \
	fi
	$(MKDIR_P) '$(DESTDIR)$(systemdsystemunitdir)'
	$(SED) -e 's|/usr/sbin/repmilter|$(sbindir)/repmilter|g' \
	  $(srcdir)/%reldir%/repmilter.service \
	  > '$(DESTDIR)$(systemdsystemunitdir)/repmilter.service'
	chmod 0644 '$(DESTDIR)$(systemdsystemunitdir)/repmilter.service'

uninstall-etc-files:
	@if cmp -s $(srcdir)/%reldir%/repmilter.conf \
	    '$(DESTDIR)$(sysconfdir)/repmilter.conf'; then \
	  echo " rm -f '$(DESTDIR)$(sysconfdir)/repmilter.conf'"; \
	  rm -f '$(DESTDIR)$(sysconfdir)/repmilter.conf'; \
	fi
	rm -f '$(DESTDIR)$(systemdsystemunitdir)/repmilter.service'

.PHONY: install-etc-files uninstall-etc-files
