# etc/ - sample configuration and service files.
