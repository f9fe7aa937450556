/*
 * writer.h - the observation queue: verdicts in, batched store writes out.
 *
 * PURPOSE
 *	After each verdict the milter queues an observation (a subject, ham or
 *	spam, when). One writer thread takes them from a bounded queue and
 *	commits them to the store in batches, at most `batch` at a time and at
 *	least every `interval_ms`, because a durable LMDB commit costs
 *	milliseconds and mail must never wait for one. A full queue drops its
 *	oldest entry and counts it; a failed commit drops the batch and counts
 *	it (DESIGN.md section 4: the store cannot be written).
 *
 * THREADS
 *	writer_push may be called from any thread; it takes one mutex for a
 *	few instructions and never waits for the store.
 */
#ifndef REPMILTER_WRITER_H
#define REPMILTER_WRITER_H

#include <stdint.h>

#include "reputation.h"

#if defined(__GNUC__)
#define WRITER_MUST_CHECK __attribute__((warn_unused_result))
#else
#define WRITER_MUST_CHECK
#endif

struct writer;

struct writer_stats {
	uint64_t queued;  /* observations accepted by writer_push */
	uint64_t dropped; /* pushed out of a full queue */
	uint64_t written; /* committed to the store */
	uint64_t failed;  /* lost in a failed commit */
	uint64_t commits;
	unsigned pending; /* in the queue now */
};

/* writer_new - start the writer thread for store `st` (borrowed: it must
 * outlive the writer); returns 0 or -1 with errno */
int writer_new(struct rep_store *st, unsigned queue_len, unsigned batch,
        unsigned interval_ms, struct writer **out) WRITER_MUST_CHECK;

/* writer_push - queue one observation of `s` (IP subjects and domains;
 * copied) as ham or spam at time `when` */
void writer_push(
        struct writer *w, const struct rep_subject *s, int spam, int64_t when);

/* writer_stats - counters (copied) */
void writer_stats(struct writer *w, struct writer_stats *out);

/* writer_free - commit what is queued, stop the thread, free; NULL is a
 * no-op */
void writer_free(struct writer *w);

#endif /* REPMILTER_WRITER_H */
