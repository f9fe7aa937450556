# etc/ - sample configuration and service files.
#
# repmilter.conf and repsync.conf are installed in $(sysconfdir)
# unless a file of that name is there already: an
# administrator's configuration is never overwritten. Each is removed at
# uninstall only while it is the untouched sample. The systemd units get
# the installed path of their program. Every file also goes to
# $(docdir)/examples for reference; the nginx server block only there.
systemdsystemunitdir = $(prefix)/lib/systemd/system
repmilter_examplesdir = $(docdir)/examples
dist_repmilter_examples_DATA = %reldir%/repmilter.conf \
	%reldir%/postfix-main.cf %reldir%/repmilter.service \
	%reldir%/repsync.conf %reldir%/repsync.service \
	%reldir%/repsync.timer %reldir%/repsync-check.service \
	%reldir%/repsync-check.timer %reldir%/nginx-repsync.conf

# The repsync units name /usr/sbin/repsync; installed, they name the
# directory the program is installed in.
REPSYNC_UNITS = repsync.service repsync-check.service
REPSYNC_TIMERS = repsync.timer repsync-check.timer

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
	@if test -f '$(DESTDIR)$(sysconfdir)/repsync.conf'; then \
	  echo "keeping $(DESTDIR)$(sysconfdir)/repsync.conf"; \
	else \
	  echo " $(INSTALL_DATA) $(srcdir)/%reldir%/repsync.conf '$(DESTDIR)$(sysconfdir)/repsync.conf'"; \
	  $(INSTALL_DATA) $(srcdir)/%reldir%/repsync.conf \
	    '$(DESTDIR)$(sysconfdir)/repsync.conf'; \
	fi
	$(MKDIR_P) '$(DESTDIR)$(systemdsystemunitdir)'
	$(SED) -e 's|/usr/sbin/repmilter|$(sbindir)/repmilter|g' \
	  $(srcdir)/%reldir%/repmilter.service \
	  > '$(DESTDIR)$(systemdsystemunitdir)/repmilter.service'
	chmod 0644 '$(DESTDIR)$(systemdsystemunitdir)/repmilter.service'
	@for u in $(REPSYNC_UNITS); do \
	  echo " $(SED) -e s|/usr/sbin/repsync|$(sbindir)/repsync|g $(srcdir)/%reldir%/$$u > $(DESTDIR)$(systemdsystemunitdir)/$$u"; \
	  $(SED) -e "s|/usr/sbin/repsync|$(sbindir)/repsync|g" \
	    $(srcdir)/%reldir%/$$u \
	    > '$(DESTDIR)$(systemdsystemunitdir)/'$$u || exit 1; \
	  chmod 0644 '$(DESTDIR)$(systemdsystemunitdir)/'$$u || exit 1; \
	done
	@for u in $(REPSYNC_TIMERS); do \
	  echo " $(INSTALL_DATA) $(srcdir)/%reldir%/$$u '$(DESTDIR)$(systemdsystemunitdir)/'$$u"; \
	  $(INSTALL_DATA) $(srcdir)/%reldir%/$$u \
	    '$(DESTDIR)$(systemdsystemunitdir)/'$$u || exit 1; \
	done

uninstall-etc-files:
	@if cmp -s $(srcdir)/%reldir%/repmilter.conf \
	    '$(DESTDIR)$(sysconfdir)/repmilter.conf'; then \
	  echo " rm -f '$(DESTDIR)$(sysconfdir)/repmilter.conf'"; \
	  rm -f '$(DESTDIR)$(sysconfdir)/repmilter.conf'; \
	fi
	@if cmp -s $(srcdir)/%reldir%/repsync.conf \
	    '$(DESTDIR)$(sysconfdir)/repsync.conf'; then \
	  echo " rm -f '$(DESTDIR)$(sysconfdir)/repsync.conf'"; \
	  rm -f '$(DESTDIR)$(sysconfdir)/repsync.conf'; \
	fi
	rm -f '$(DESTDIR)$(systemdsystemunitdir)/repmilter.service'
	@for u in $(REPSYNC_UNITS) $(REPSYNC_TIMERS); do \
	  echo " rm -f '$(DESTDIR)$(systemdsystemunitdir)/'$$u"; \
	  rm -f '$(DESTDIR)$(systemdsystemunitdir)/'$$u; \
	done

.PHONY: install-etc-files uninstall-etc-files
