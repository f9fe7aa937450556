# tests/ - unit tests (cmocka, one program per module), CLI tests,
# benchmarks (built, never run by make check).
include %reldir%/lib/local.mk
include %reldir%/unit/local.mk
include %reldir%/cli/local.mk
include %reldir%/milter/local.mk
include %reldir%/integration/local.mk
include %reldir%/conformance/spf/local.mk
include %reldir%/conformance/dkim/local.mk
include %reldir%/conformance/dmarc/local.mk
include %reldir%/conformance/authres/local.mk
include %reldir%/repsync/local.mk
include %reldir%/bench/local.mk
EXTRA_DIST += %reldir%/run-suite.sh
