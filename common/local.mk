# common/ - small helpers shared by the programs; depends on libc alone.
