/*
 * trusttest.h - the quarantine heuristics' tests (test_trust_judge.c),
 * which test_trust.c runs with the rest.
 */
#ifndef REPSYNC_TRUSTTEST_H
#define REPSYNC_TRUSTTEST_H

void test_judge_passes_an_ordinary_delta(void **state);
void test_judge_sentinel(void **state);
void test_judge_sequence_jump(void **state);
void test_judge_record_budget(void **state);
void test_judge_snapshot_drop_share(void **state);
void test_judge_change_share(void **state);
void test_judge_shares_wait_for_min_records(void **state);
void test_judge_zero_limits_are_off(void **state);
void test_judge_truncates_into_a_small_buffer(void **state);

#endif /* REPSYNC_TRUSTTEST_H */
