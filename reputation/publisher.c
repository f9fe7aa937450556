/*
 * publisher.c - publishers (named sources of partner slots), their
 * watermarks, and the feeds partner slots came from.
 *
 * A publisher's id is small and stable, so each partner slot carries two
 * bytes instead of a name; the name lives once, in `pub` and `pubid`.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "store.h"

#define PUB_VALUE_V1 34 /* id 2, epoch 8, seq 8, serial 8, updated 8 */
#define PUB_VALUE 58    /* and weight 8, cap 8 (NaN: the default),
			   stale_after 8 (NaN: never) */

/* pub_decode - a publisher from its `pub` value */
static int pub_decode(const char *name, size_t nlen, const MDB_val *v,
        struct rep_publisher *out)
{
	const uint8_t *p = v->mv_data;

	if ((v->mv_size != PUB_VALUE && v->mv_size != PUB_VALUE_V1) ||
	        nlen > REP_PUBLISHER_MAX)
		return REP_E_CORRUPT;
	memset(out, 0, sizeof *out);
	memcpy(&out->id, p, 2);
	memcpy(&out->epoch, p + 2, 8);
	memcpy(&out->seq, p + 10, 8);
	memcpy(&out->serial, p + 18, 8);
	memcpy(&out->updated, p + 26, 8);
	out->weight = out->cap = out->stale_after = NAN;
	if (v->mv_size == PUB_VALUE) {
		memcpy(&out->weight, p + 34, 8);
		memcpy(&out->cap, p + 42, 8);
		memcpy(&out->stale_after, p + 50, 8);
	}
	memcpy(out->name, name, nlen);
	return REP_OK;
}

/* pub_encode - the `pub` value of a publisher */
static void pub_encode(const struct rep_publisher *pb, uint8_t *p)
{
	memcpy(p, &pb->id, 2);
	memcpy(p + 2, &pb->epoch, 8);
	memcpy(p + 10, &pb->seq, 8);
	memcpy(p + 18, &pb->serial, 8);
	memcpy(p + 26, &pb->updated, 8);
	memcpy(p + 34, &pb->weight, 8);
	memcpy(p + 42, &pb->cap, 8);
	memcpy(p + 50, &pb->stale_after, 8);
}

/* pub_get - a publisher by name inside a transaction */
static int pub_get(struct rep_store *st, MDB_txn *txn, const char *name,
        struct rep_publisher *out)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	int rc = mdb_get(txn, st->pub, &k, &v);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	return pub_decode(name, k.mv_size, &v, out);
}

/* rep_publisher_get - look a publisher up by name */
int rep_publisher_get(
        struct rep_store *st, const char *name, struct rep_publisher *out)
{
	struct rep_reader *rd;
	int rc;

	if (name == NULL || !rep_publisher_valid_name(name))
		return REP_E_INVAL;
	if ((rc = store_read_begin(st, &rd)) != REP_OK)
		return rc;
	rc = pub_get(st, rd->txn, name, out);
	store_read_end(st, rd);
	return rc;
}

/* rep_publisher_by_id - look a publisher up by id */
int rep_publisher_by_id(
        struct rep_store *st, uint16_t id, struct rep_publisher *out)
{
	char name[REP_PUBLISHER_MAX + 1];
	uint8_t key[2];
	MDB_val k = {2, key}, v;
	struct rep_reader *rd;
	int rc;

	be16(key, id);
	if ((rc = store_read_begin(st, &rd)) != REP_OK)
		return rc;
	rc = store_err(mdb_get(rd->txn, st->pubid, &k, &v));
	if (rc == REP_OK && v.mv_size > REP_PUBLISHER_MAX)
		rc = REP_E_CORRUPT;
	if (rc == REP_OK) {
		memcpy(name, v.mv_data, v.mv_size);
		name[v.mv_size] = '\0';
		rc = pub_get(st, rd->txn, name, out);
	}
	store_read_end(st, rd);
	return rc;
}

struct ensure {
	const char *name;
	uint16_t id;
};

/* pub_create - give a new publisher the next id */
static int pub_create(struct rep_store *st, MDB_txn *txn, void *arg)
{
	struct ensure *e = arg;
	struct rep_publisher pb;
	uint8_t key[2], val[PUB_VALUE];
	MDB_stat ms;
	MDB_val k, v;
	int rc = pub_get(st, txn, e->name, &pb);

	if (rc == REP_OK) { /* another writer was first */
		e->id = pb.id;
		return REP_OK;
	}
	if (rc != REP_E_NOTFOUND)
		return rc;
	if ((rc = mdb_stat(txn, st->pubid, &ms)) != MDB_SUCCESS)
		return store_err(rc);
	if (ms.ms_entries + 1 >= REP_PUBLISHERS_MAX)
		return REP_E_LIMIT;
	memset(&pb, 0, sizeof pb);
	pb.id = (uint16_t)(ms.ms_entries + 1);
	pb.weight = pb.cap = pb.stale_after = NAN;
	pub_encode(&pb, val);
	k = (MDB_val){strlen(e->name), (void *)e->name};
	v = (MDB_val){sizeof val, val};
	if ((rc = mdb_put(txn, st->pub, &k, &v, MDB_NOOVERWRITE)) !=
	        MDB_SUCCESS)
		return store_err(rc);
	be16(key, pb.id);
	k = (MDB_val){2, key};
	v = (MDB_val){strlen(e->name), (void *)e->name};
	if ((rc = mdb_put(txn, st->pubid, &k, &v, MDB_NOOVERWRITE)) !=
	        MDB_SUCCESS)
		return rc == MDB_KEYEXIST ? REP_E_CORRUPT : store_err(rc);
	e->id = pb.id;
	return REP_OK;
}

/* rep_publisher_ensure - the id of a publisher, created if new */
int rep_publisher_ensure(struct rep_store *st, const char *name, uint16_t *id)
{
	struct rep_publisher pb;
	struct ensure e = {name, 0};
	int rc;

	if (name == NULL || !rep_publisher_valid_name(name) || id == NULL)
		return REP_E_INVAL;
	rc = rep_publisher_get(st, name, &pb);
	if (rc == REP_OK) {
		*id = pb.id;
		return REP_OK;
	}
	if (rc != REP_E_NOTFOUND)
		return rc;
	if ((rc = store_write(st, pub_create, &e)) != REP_OK)
		return rc;
	*id = e.id;
	return REP_OK;
}

struct weigh {
	const char *name;
	double weight, cap, stale_after;
};

/* pub_weigh - store a publisher's weight and cap */
static int pub_weigh(struct rep_store *st, MDB_txn *txn, void *arg)
{
	struct weigh *w = arg;
	struct rep_publisher pb;
	uint8_t val[PUB_VALUE];
	MDB_val k, v;
	int rc = pub_get(st, txn, w->name, &pb);

	if (rc != REP_OK)
		return rc;
	pb.weight = w->weight;
	pb.cap = w->cap;
	pb.stale_after = w->stale_after;
	pub_encode(&pb, val);
	k = (MDB_val){strlen(w->name), (void *)w->name};
	v = (MDB_val){sizeof val, val};
	return store_err(mdb_put(txn, st->pub, &k, &v, 0));
}

/* rep_publisher_weigh - the weight and cap scores give a publisher */
int rep_publisher_weigh(struct rep_store *st, const char *name,
        double weight, double cap, double stale_after)
{
	struct rep_publisher pb;
	struct weigh w = {name, weight, cap, stale_after};
	int rc;

	if (name == NULL || !rep_publisher_valid_name(name) ||
	        !(isnan(weight) || (weight >= 0 && weight <= 1000)) ||
	        !(isnan(cap) || (cap >= 0 && cap <= 1000)) ||
	        !(isnan(stale_after) || stale_after > 0))
		return REP_E_INVAL;
	if ((rc = rep_publisher_get(st, name, &pb)) != REP_OK)
		return rc;
	if ((isnan(pb.weight) ? isnan(weight) : pb.weight == weight) &&
	        (isnan(pb.cap) ? isnan(cap) : pb.cap == cap) &&
	        (isnan(pb.stale_after) ? isnan(stale_after)
	                               : pb.stale_after == stale_after))
		return REP_OK; /* nothing to write */
	return store_write(st, pub_weigh, &w);
}

/* rep_publisher_list - visit every publisher, in name order */
int rep_publisher_list(struct rep_store *st,
        int (*fn)(const struct rep_publisher *, void *), void *arg)
{
	struct rep_publisher pb;
	MDB_cursor *cur;
	struct rep_reader *rd;
	MDB_val k, v;
	int rc, vrc = 0;

	if ((rc = store_read_begin(st, &rd)) != REP_OK)
		return rc;
	if ((rc = mdb_cursor_open(rd->txn, st->pub, &cur)) == MDB_SUCCESS) {
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
		        rc == MDB_SUCCESS && vrc == 0;
		        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			vrc = pub_decode(k.mv_data, k.mv_size, &v, &pb);
			if (vrc == REP_OK)
				vrc = fn(&pb, arg);
		}
		mdb_cursor_close(cur);
	}
	store_read_end(st, rd);
	if (vrc != 0)
		return vrc;
	return rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
}

/* store_watermark - move a publisher's watermark */
int store_watermark(struct rep_store *st, MDB_txn *txn, uint16_t pub,
        uint64_t epoch, uint64_t seq, uint64_t serial, int64_t now)
{
	uint8_t key[2], val[PUB_VALUE];
	char name[REP_PUBLISHER_MAX + 1];
	struct rep_publisher pb;
	MDB_val k = {2, key}, v;
	int rc;

	be16(key, pub);
	if ((rc = mdb_get(txn, st->pubid, &k, &v)) != MDB_SUCCESS)
		return store_err(rc);
	if (v.mv_size > REP_PUBLISHER_MAX)
		return REP_E_CORRUPT;
	memcpy(name, v.mv_data, v.mv_size);
	name[v.mv_size] = '\0';
	if ((rc = pub_get(st, txn, name, &pb)) != REP_OK)
		return rc;
	pb.epoch = epoch;
	pb.seq = seq;
	pb.serial = serial;
	pb.updated = now;
	pub_encode(&pb, val);
	k = (MDB_val){strlen(name), name};
	v = (MDB_val){sizeof val, val};
	return store_err(mdb_put(txn, st->pub, &k, &v, 0));
}

/* rep_feed_get - a feed by id */
int rep_feed_get(struct rep_store *st, uint32_t id, struct rep_feed *out)
{
	uint8_t key[4];
	MDB_val k = {4, key}, v;
	struct rep_reader *rd;
	int rc;

	be32(key, id);
	if ((rc = store_read_begin(st, &rd)) != REP_OK)
		return rc;
	rc = store_err(mdb_get(rd->txn, st->feed, &k, &v));
	if (rc == REP_OK &&
	        (v.mv_size < 18 || v.mv_size - 18 >= REP_FEED_NAME_MAX))
		rc = REP_E_CORRUPT;
	if (rc == REP_OK) {
		const uint8_t *p = v.mv_data;
		memset(out, 0, sizeof *out);
		out->id = id;
		out->publisher = (uint16_t)(p[0] << 8 | p[1]);
		memcpy(&out->serial, p + 2, 8);
		memcpy(&out->applied, p + 10, 8);
		memcpy(out->name, p + 18, v.mv_size - 18);
	}
	store_read_end(st, rd);
	return rc;
}
