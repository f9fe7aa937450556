# milter/ - repmilter, the daemon in the mail path.
