/* dbcheck — see dbcheck.h. */
#include "dbcheck.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/hex.h"
#include "db/batch.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "pgtest.h"
#include "recfix.h"

long long dbcheck_ll(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		fprintf(stderr, "dbcheck: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
		fail();
	}
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

PGconn *dbcheck_fresh(char *conninfo, size_t cap)
{
	pgtest_create(conninfo, cap);
	char err[512];
	PGconn *c = db_connect(conninfo, err, sizeof err);
	if (!c)
		fprintf(stderr, "%s\n", err);
	assert_non_null(c);
	assert_int_equal(db_migrate(c, NULL, err, sizeof err), ERR_OK);
	return c;
}

static int32_t opt_i32(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? REC_ABSENT_I32 : (int32_t)strtol(PQgetvalue(r, row, col), NULL, 10);
}

static int8_t opt_bool(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? REC_BOOL_ABSENT : PQgetvalue(r, row, col)[0] == 't';
}

/* Hex text -> bytes (malloc'd; NULL for SQL NULL). */
static uint8_t *unhex(PGresult *r, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(r, row, col))
		return NULL;
	const char *h = PQgetvalue(r, row, col);
	size_t n = strlen(h);
	uint8_t *b = malloc(n / 2 + 1);
	assert_non_null(b);
	assert_int_equal(hex_decode(b, n / 2 + 1, len, h, n), ERR_OK);
	return b;
}

void dbcheck_crawl(PGconn *c, int64_t crawl_id, unsigned nv, unsigned na)
{
	char sql[2048];
	snprintf(sql, sizeof sql,
		 "SELECT v.seq, p.point, (extract(epoch FROM v.started_at) * 1000000)::bigint,"
		 " v.outcome, v.attempt, v.error, v.connect_ms, v.handshake_ms, v.peer_id,"
		 " encode(pe.public_key, 'hex'), v.advertised_port, v.pow_bits,"
		 " encode(v.chain_name_raw, 'hex'), v.chain_name, v.distributed_db_version,"
		 " v.p2p_version, v.disable_mempool, v.private_node, v.nack_motive, v.head_level,"
		 " v.head_timestamp_raw, encode(v.head_hash, 'hex'),"
		 " (extract(epoch FROM v.head_timestamp))::bigint"
		 " FROM visits v JOIN points p ON p.id = v.point_id"
		 " LEFT JOIN peers pe ON pe.peer_id = v.peer_id"
		 " WHERE v.crawl_id = %lld ORDER BY v.seq",
		 (long long)crawl_id);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), nv);
	for (unsigned i = 0; i < nv; i++) {
		int row = (int)i;
		struct visit_rec want, got;
		char pb[REC_POINT_TEXT_MAX];
		recfix_visit(&want, i, pb, sizeof pb);
		visit_rec_init(&got);
		got.seq = strtoull(PQgetvalue(r, row, 0), NULL, 10);
		got.point = PQgetvalue(r, row, 1);
		got.started_at_us = strtoll(PQgetvalue(r, row, 2), NULL, 10);
		assert_int_equal(visit_outcome_parse(PQgetvalue(r, row, 3),
						     strlen(PQgetvalue(r, row, 3)), &got.outcome),
				 ERR_OK);
		got.attempt = (uint32_t)strtoul(PQgetvalue(r, row, 4), NULL, 10);
		got.error = PQgetisnull(r, row, 5) ? NULL : PQgetvalue(r, row, 5);
		got.connect_ms = opt_i32(r, row, 6);
		got.handshake_ms = opt_i32(r, row, 7);
		got.peer_id = PQgetisnull(r, row, 8) ? NULL : PQgetvalue(r, row, 8);
		size_t klen, clen, hlen;
		uint8_t *key = unhex(r, row, 9, &klen);
		got.public_key = key;
		got.advertised_port = opt_i32(r, row, 10);
		got.pow_bits = opt_i32(r, row, 11);
		uint8_t *chain = unhex(r, row, 12, &clen);
		got.chain_name = chain;
		got.chain_name_len = clen;
		got.ddb_version = opt_i32(r, row, 14);
		got.p2p_version = opt_i32(r, row, 15);
		got.disable_mempool = opt_bool(r, row, 16);
		got.private_node = opt_bool(r, row, 17);
		got.nack_motive = PQgetisnull(r, row, 18) ? REC_NACK_MOTIVE_ABSENT
							   : (int32_t)strtol(PQgetvalue(r, row, 18), NULL, 10);
		got.has_head = !PQgetisnull(r, row, 19);
		if (got.has_head) {
			got.head_level = (int32_t)strtol(PQgetvalue(r, row, 19), NULL, 10);
			got.head_timestamp = strtoll(PQgetvalue(r, row, 20), NULL, 10);
		}
		uint8_t *hash = unhex(r, row, 21, &hlen);
		got.head_hash = hash;
		/* Text columns hold the safe form (control characters as \xHH). */
		struct buf esafe = {0};
		if (want.error) {
			assert_int_equal(db_text_safe(&esafe, (const uint8_t *)want.error,
						      strlen(want.error)),
					 ERR_OK);
			assert_int_equal(buf_reserve(&esafe, 1), ERR_OK);
			esafe.p[esafe.len] = '\0';
			want.error = (const char *)esafe.p;
		}
		assert_true(recfix_visit_eq(&want, &got));
		buf_free(&esafe);
		if (key)
			assert_int_equal(klen, REC_PUBLIC_KEY_LEN);
		if (hash)
			assert_int_equal(hlen, REC_BLOCK_HASH_LEN);
		/* The safe text form is exactly db_text_safe() of the raw bytes. */
		if (want.chain_name) {
			struct buf safe = {0};
			assert_int_equal(db_text_safe(&safe, want.chain_name, want.chain_name_len), ERR_OK);
			assert_int_equal(strlen(PQgetvalue(r, row, 13)), safe.len);
			assert_memory_equal(PQgetvalue(r, row, 13), safe.p, safe.len);
			buf_free(&safe);
		} else {
			assert_true(PQgetisnull(r, row, 13));
		}
		/* head_timestamp: the calendar value, or NULL when the raw one has none. */
		if (want.has_head && want.head_timestamp >= -62135596800LL &&
		    want.head_timestamp <= 253402300799LL)
			assert_int_equal(strtoll(PQgetvalue(r, row, 22), NULL, 10), want.head_timestamp);
		else
			assert_true(PQgetisnull(r, row, 22));
		free(key);
		free(chain);
		free(hash);
	}
	PQclear(r);

	snprintf(sql, sizeof sql,
		 "SELECT a.seq, pf.point, pt.point, a.source, a.round, a.rank, a.list_len,"
		 " (extract(epoch FROM a.seen_at) * 1000000)::bigint"
		 " FROM advertisements a JOIN points pf ON pf.id = a.from_point_id"
		 " JOIN points pt ON pt.id = a.to_point_id"
		 " WHERE a.crawl_id = %lld ORDER BY a.seq",
		 (long long)crawl_id);
	r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), na);
	for (unsigned i = 0; i < na; i++) {
		int row = (int)i;
		struct adv_rec want, got;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&want, i, fb, tb, sizeof fb);
		memset(&got, 0, sizeof got);
		got.seq = strtoull(PQgetvalue(r, row, 0), NULL, 10);
		assert_int_equal(point_parse(PQgetvalue(r, row, 1), strlen(PQgetvalue(r, row, 1)),
					     &got.from, NULL),
				 ERR_OK);
		assert_int_equal(point_parse(PQgetvalue(r, row, 2), strlen(PQgetvalue(r, row, 2)),
					     &got.to, NULL),
				 ERR_OK);
		assert_int_equal(adv_source_parse(PQgetvalue(r, row, 3), strlen(PQgetvalue(r, row, 3)),
						  &got.source),
				 ERR_OK);
		got.round = (uint32_t)strtoul(PQgetvalue(r, row, 4), NULL, 10);
		got.rank = (uint32_t)strtoul(PQgetvalue(r, row, 5), NULL, 10);
		got.list_len = (uint32_t)strtoul(PQgetvalue(r, row, 6), NULL, 10);
		got.seen_at_us = strtoll(PQgetvalue(r, row, 7), NULL, 10);
		assert_true(recfix_adv_eq(&want, &got));
	}
	PQclear(r);
}
