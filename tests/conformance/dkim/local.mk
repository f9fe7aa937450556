# tests/conformance/dkim - the dkim test vectors and the programs that run them.
# The programs link the milter's own check_dkim (libmiltercore.a); the key
# source is the fake of dkim_fake.c, passed in as a table of functions;
# test_check_dkim_dns serves keys from tests/lib/libfakedns.a instead.
DKIM_TESTS = \
	%reldir%/dkim_vectors \
	%reldir%/test_check_dkim \
	%reldir%/test_check_dkim_dns
check_PROGRAMS += $(DKIM_TESTS)
TESTS += $(DKIM_TESTS)
DKIM_TEST_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS) $(OPENDKIM_CFLAGS)
DKIM_TEST_LDADD = $(MILTER_CORE_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_dkim_vectors_SOURCES = %reldir%/dkim_vectors.c \
	%reldir%/dkim_fake.c %reldir%/dkim_fake.h
%canon_reldir%_dkim_vectors_CPPFLAGS = $(DKIM_TEST_CPPFLAGS)
%canon_reldir%_dkim_vectors_LDADD = $(DKIM_TEST_LDADD)
%canon_reldir%_test_check_dkim_SOURCES = %reldir%/test_check_dkim.c \
	%reldir%/dkim_testenv.c %reldir%/dkim_testenv.h \
	%reldir%/dkim_fake.c %reldir%/dkim_fake.h
%canon_reldir%_test_check_dkim_CPPFLAGS = $(DKIM_TEST_CPPFLAGS)
%canon_reldir%_test_check_dkim_LDADD = $(DKIM_TEST_LDADD)
%canon_reldir%_test_check_dkim_dns_SOURCES = %reldir%/test_check_dkim_dns.c \
	%reldir%/dkim_testenv.c %reldir%/dkim_testenv.h \
	%reldir%/dkim_fake.c %reldir%/dkim_fake.h
%canon_reldir%_test_check_dkim_dns_CPPFLAGS = $(DKIM_TEST_CPPFLAGS) \
	$(FAKEDNS_CPPFLAGS)
%canon_reldir%_test_check_dkim_dns_LDADD = $(FAKEDNS_LIBS) $(DKIM_TEST_LDADD)

# The vectors and keys, with their provenance and licences.
EXTRA_DIST += %reldir%/SOURCE.md %reldir%/vectors.tsv \
	%reldir%/expected-failures.tsv \
	%reldir%/keys/unit-keys.txt %reldir%/keys/rsa512.pem \
	%reldir%/rfc8463/signed-message.eml %reldir%/rfc8463/keys.txt \
	%reldir%/rfc8463/expected.tsv \
	%reldir%/rfc6376/signed-message.eml %reldir%/rfc6376/keys.txt \
	%reldir%/opendkim/keys.txt %reldir%/opendkim/expected.tsv \
	%reldir%/opendkim/LICENSE %reldir%/opendkim/LICENSE.Sendmail \
	%reldir%/opendkim/test-private-key.pem \
	%reldir%/mail-dkim/FAKE_DNS.dat \
	%reldir%/mail-dkim/expected-and-observed.tsv \
	%reldir%/dkimpy/LICENSE %reldir%/dkimpy/ed25519test2.msg \
	%reldir%/dkimpy/rfc6376.signed.msg \
	%reldir%/dkimpy/keys-file-query-exim.txt \
	%reldir%/dkimpy/keys-file-query-football.txt
EXTRA_DIST += \
	%reldir%/mail-dkim/corpus/bad_1.txt \
	%reldir%/mail-dkim/corpus/bad_1878954.txt \
	%reldir%/mail-dkim/corpus/bad_ietf01_1.txt \
	%reldir%/mail-dkim/corpus/bad_ietf01_2.txt \
	%reldir%/mail-dkim/corpus/bad_ietf01_3.txt \
	%reldir%/mail-dkim/corpus/badkey1_ed25519.txt \
	%reldir%/mail-dkim/corpus/badkey2_ed25519.txt \
	%reldir%/mail-dkim/corpus/badkey3_ed25519.txt \
	%reldir%/mail-dkim/corpus/badkey4_ed25519.txt \
	%reldir%/mail-dkim/corpus/badkey5_ed25519.txt \
	%reldir%/mail-dkim/corpus/badkey_1.txt \
	%reldir%/mail-dkim/corpus/badkey_10.txt \
	%reldir%/mail-dkim/corpus/badkey_11.txt \
	%reldir%/mail-dkim/corpus/badkey_12.txt \
	%reldir%/mail-dkim/corpus/badkey_13.txt \
	%reldir%/mail-dkim/corpus/badkey_14.txt \
	%reldir%/mail-dkim/corpus/badkey_15.txt \
	%reldir%/mail-dkim/corpus/badkey_2.txt \
	%reldir%/mail-dkim/corpus/badkey_3.txt \
	%reldir%/mail-dkim/corpus/badkey_4.txt \
	%reldir%/mail-dkim/corpus/badkey_5.txt \
	%reldir%/mail-dkim/corpus/badkey_6.txt \
	%reldir%/mail-dkim/corpus/badkey_7.txt \
	%reldir%/mail-dkim/corpus/badkey_8.txt \
	%reldir%/mail-dkim/corpus/badkey_9.txt \
	%reldir%/mail-dkim/corpus/good_1878523.txt \
	%reldir%/mail-dkim/corpus/good_83176.txt \
	%reldir%/mail-dkim/corpus/good_ietf01_1.txt \
	%reldir%/mail-dkim/corpus/good_ietf01_2.txt \
	%reldir%/mail-dkim/corpus/good_qp_1.txt \
	%reldir%/mail-dkim/corpus/good_qp_2.txt \
	%reldir%/mail-dkim/corpus/good_qp_3.txt \
	%reldir%/mail-dkim/corpus/good_rfc4871_3.txt \
	%reldir%/mail-dkim/corpus/good_rfc4871_4.txt \
	%reldir%/mail-dkim/corpus/goodkey_1.txt \
	%reldir%/mail-dkim/corpus/goodkey_2.txt \
	%reldir%/mail-dkim/corpus/goodkey_3.txt \
	%reldir%/mail-dkim/corpus/goodkey_4.txt \
	%reldir%/mail-dkim/corpus/goodkey_ed25519.txt \
	%reldir%/mail-dkim/corpus/ignore_1.txt \
	%reldir%/mail-dkim/corpus/ignore_2.txt \
	%reldir%/mail-dkim/corpus/ignore_3.txt \
	%reldir%/mail-dkim/corpus/ignore_4.txt \
	%reldir%/mail-dkim/corpus/ignore_5.txt \
	%reldir%/mail-dkim/corpus/ignore_6.txt \
	%reldir%/mail-dkim/corpus/ignore_7.txt \
	%reldir%/mail-dkim/corpus/ignore_8.txt \
	%reldir%/mail-dkim/corpus/mine_ietf01_1.txt \
	%reldir%/mail-dkim/corpus/mine_ietf01_2.txt \
	%reldir%/mail-dkim/corpus/mine_ietf01_3.txt \
	%reldir%/mail-dkim/corpus/mine_ietf01_4.txt \
	%reldir%/mail-dkim/corpus/mine_ietf05_1.txt \
	%reldir%/mail-dkim/corpus/multiple_1.txt \
	%reldir%/mail-dkim/corpus/multiple_2.txt \
	%reldir%/mail-dkim/corpus/no_body_1.txt \
	%reldir%/mail-dkim/corpus/no_body_2.txt \
	%reldir%/mail-dkim/corpus/no_body_3.txt \
	%reldir%/opendkim/vectors/t-test04.eml \
	%reldir%/opendkim/vectors/t-test05.eml \
	%reldir%/opendkim/vectors/t-test06.eml \
	%reldir%/opendkim/vectors/t-test07.eml \
	%reldir%/opendkim/vectors/t-test103.eml \
	%reldir%/opendkim/vectors/t-test104.eml \
	%reldir%/opendkim/vectors/t-test108.eml \
	%reldir%/opendkim/vectors/t-test109.eml \
	%reldir%/opendkim/vectors/t-test110.eml \
	%reldir%/opendkim/vectors/t-test112.eml \
	%reldir%/opendkim/vectors/t-test116.eml \
	%reldir%/opendkim/vectors/t-test118.eml \
	%reldir%/opendkim/vectors/t-test125.eml \
	%reldir%/opendkim/vectors/t-test126.eml \
	%reldir%/opendkim/vectors/t-test132.eml \
	%reldir%/opendkim/vectors/t-test138.eml \
	%reldir%/opendkim/vectors/t-test139.eml \
	%reldir%/opendkim/vectors/t-test20.eml \
	%reldir%/opendkim/vectors/t-test21.eml \
	%reldir%/opendkim/vectors/t-test22.eml \
	%reldir%/opendkim/vectors/t-test23.eml \
	%reldir%/opendkim/vectors/t-test32.eml \
	%reldir%/opendkim/vectors/t-test34.eml \
	%reldir%/opendkim/vectors/t-test35.eml \
	%reldir%/opendkim/vectors/t-test36.eml \
	%reldir%/opendkim/vectors/t-test37.eml \
	%reldir%/opendkim/vectors/t-test38.eml \
	%reldir%/opendkim/vectors/t-test39.eml \
	%reldir%/opendkim/vectors/t-test40.eml \
	%reldir%/opendkim/vectors/t-test43.eml \
	%reldir%/opendkim/vectors/t-test48.eml \
	%reldir%/opendkim/vectors/t-test51.eml \
	%reldir%/opendkim/vectors/t-test60.eml \
	%reldir%/opendkim/vectors/t-test61.eml \
	%reldir%/opendkim/vectors/t-test62.eml \
	%reldir%/opendkim/vectors/t-test63.eml \
	%reldir%/opendkim/vectors/t-test66.eml \
	%reldir%/opendkim/vectors/t-test68.eml \
	%reldir%/opendkim/vectors/t-test76.eml \
	%reldir%/opendkim/vectors/t-test78.eml \
	%reldir%/opendkim/vectors/t-test80.eml \
	%reldir%/opendkim/vectors/t-test82.eml \
	%reldir%/opendkim/vectors/t-test84.eml \
	%reldir%/opendkim/vectors/t-test93.eml \
	%reldir%/opendkim/vectors/t-test94.eml \
	%reldir%/opendkim/vectors/t-test96.eml \
	%reldir%/opendkim/vectors/t-test97.eml \
	%reldir%/opendkim/vectors/t-test99.eml
