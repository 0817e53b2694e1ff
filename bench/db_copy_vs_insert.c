/*
 * Benchmark (not a test): rows per second stored by the COPY writer
 * (lib/db/writer.h) against row-by-row INSERT of the same rows, each into a
 * fresh database of the same server.
 *
 *   db_copy_vs_insert ADMIN_CONNINFO VISITS ADVS_PER_VISIT
 *
 * Rows look like a mainnet crawl: one visit per point (60% answer with a
 * peer id, chain, versions, head), and ADVS_PER_VISIT advertisements per
 * answering node, towards points drawn from the same population. Three
 * methods, same data:
 *   copy          the writer: COPY into staging + upsert, 2000-row batches
 *   insert-tx     one INSERT statement per row (a CTE upserting its points
 *                 and peer), 2000 rows per transaction
 *   insert-auto   the same statements, each its own transaction (autocommit)
 * Prints one line per method and the ratios copy / insert.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/hex.h"
#include "db/conn.h"
#include "db/crawl.h"
#include "db/migrate.h"
#include "db/record.h"
#include "db/writer.h"

struct row {
	bool is_visit;
	struct visit_rec v;
	struct adv_rec a;
	char p1[REC_POINT_TEXT_MAX], p2[REC_POINT_TEXT_MAX];
	char peer[32];
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_u32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const uint8_t key[32] = {7};
static const uint8_t hash[32] = {9};

static void point_text(char *out, uint32_t i)
{
	snprintf(out, REC_POINT_TEXT_MAX, "%u.%u.%u.%u:%u", 11 + (i >> 16) % 200, (i >> 8) & 255,
		 i & 255, 1 + (i * 7) % 250, 9732);
}

static struct row *make_rows(unsigned nv, unsigned per, size_t *n_out)
{
	size_t cap = (size_t)nv * (1 + per);
	struct row *rows = calloc(cap, sizeof *rows);
	size_t n = 0;
	uint64_t vseq = 0, aseq = 0;
	for (unsigned i = 0; i < nv; i++) {
		struct row *r = &rows[n++];
		r->is_visit = true;
		point_text(r->p1, i);
		visit_rec_init(&r->v);
		r->v.seq = ++vseq;
		r->v.point = r->p1;
		r->v.started_at_us = 1764000000000000LL + (int64_t)i * 1000;
		bool answers = next_u32() % 10 < 6;
		r->v.outcome = answers ? VISIT_OK : VISIT_TIMEOUT;
		if (answers) {
			snprintf(r->peer, sizeof r->peer, "idBench%022u", i);
			r->v.peer_id = r->peer;
			r->v.public_key = key;
			r->v.connect_ms = (int32_t)(next_u32() % 300);
			r->v.handshake_ms = (int32_t)(next_u32() % 900);
			r->v.advertised_port = 9732;
			r->v.pow_bits = 26;
			r->v.chain_name = (const uint8_t *)"TEZOS_MAINNET";
			r->v.chain_name_len = 13;
			r->v.ddb_version = 2;
			r->v.p2p_version = 1;
			r->v.disable_mempool = 0;
			r->v.private_node = 0;
			r->v.has_head = true;
			r->v.head_level = 9000000;
			r->v.head_timestamp = 1764000000;
			r->v.head_hash = hash;
			for (unsigned k = 0; k < per; k++) {
				struct row *a = &rows[n++];
				point_text(a->p1, i);
				uint32_t to = next_u32() % nv;
				if (to == i)
					to = (to + 1) % nv;
				point_text(a->p2, to);
				a->a.seq = ++aseq;
				if (point_parse(a->p1, strlen(a->p1), &a->a.from, NULL) != ERR_OK ||
				    point_parse(a->p2, strlen(a->p2), &a->a.to, NULL) != ERR_OK)
					abort();
				a->a.source = ADV_ADVERTISE;
				a->a.round = 1 + k / 50;
				a->a.rank = k % 50;
				a->a.list_len = 50;
				a->a.seen_at_us = r->v.started_at_us + 500000;
			}
		} else {
			r->v.connect_ms = REC_ABSENT_I32;
		}
	}
	*n_out = n;
	return rows;
}

static PGconn *fresh_db(const char *admin, const char *name, char *conninfo, size_t cap)
{
	char err[512], sql[160];
	PGconn *a = db_connect(admin, err, sizeof err);
	if (!a) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	if (db_exec(a, sql, err, sizeof err) != ERR_OK)
		fprintf(stderr, "%s\n", err);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	if (db_exec(a, sql, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	db_close(a);
	snprintf(conninfo, cap, "%s dbname=%s", admin, name);
	PGconn *c = db_connect(conninfo, err, sizeof err);
	if (!c || db_migrate(c, NULL, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return c;
}

static int64_t begin_crawl(PGconn *c)
{
	struct crawl_rec cr = {.started_at_us = 1764000000000000LL, .vantage = "bench"};
	memset(cr.uuid, 0x42, sizeof cr.uuid);
	int64_t id;
	char err[512];
	if (db_crawl_begin(c, &cr, &id, NULL, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return id;
}

static double run_copy(const char *admin, const struct row *rows, size_t n)
{
	char ci[512];
	PGconn *c = fresh_db(admin, "bench_copy", ci, sizeof ci);
	int64_t id = begin_crawl(c);
	struct db_writer_opts o = {.conninfo = ci, .crawl_id = id, .batch_rows = 2000,
				   .max_bytes = 256u << 20};
	struct db_writer *w = db_writer_new(&o);
	int64_t t0 = db_now_ms();
	for (size_t i = 0; i < n; i++) {
		enum err e = rows[i].is_visit ? db_writer_visit(w, &rows[i].v) : db_writer_adv(w, &rows[i].a);
		if (e != ERR_OK) {
			fprintf(stderr, "copy: submit: %s\n", err_str(e));
			exit(1);
		}
		/* Let the writer work as a crawler's loop would, every 500 rows. */
		if (i % 500 == 499)
			db_writer_step(w, DB_WANT_READ | DB_WANT_WRITE, db_now_ms());
	}
	if (db_writer_drain(w, 600000) != ERR_OK) {
		fprintf(stderr, "copy: %s\n", db_writer_last_error(w));
		exit(1);
	}
	int64_t t1 = db_now_ms();
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM visits) + (SELECT count(*) FROM advertisements)");
	PGresult *r = PQexec(c, sql);
	long long stored = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if ((size_t)stored != n) {
		fprintf(stderr, "copy: stored %lld of %zu rows\n", stored, n);
		exit(1);
	}
	db_writer_free(w);
	db_close(c);
	return (double)n / ((double)(t1 - t0) / 1000.0);
}

#define TS(x) "(timestamptz 'epoch' + (" x ")::bigint * interval '1 microsecond')"

static const char visit_sql[] =
	"WITH p AS (INSERT INTO points (addr, port, first_seen, last_seen)"
	"  VALUES ($2::inet, $3::int, " TS("$4") ", " TS("$4") ")"
	"  ON CONFLICT (addr, port) DO UPDATE SET last_seen = greatest(points.last_seen, excluded.last_seen)"
	"  RETURNING id),"
	" pe AS (INSERT INTO peers (peer_id, public_key, first_seen, last_seen)"
	"  SELECT $9, decode($10, 'hex'), " TS("$4") ", " TS("$4") " WHERE $9::text IS NOT NULL"
	"  ON CONFLICT (peer_id) DO UPDATE SET last_seen = greatest(peers.last_seen, excluded.last_seen))"
	" INSERT INTO visits (crawl_id, seq, point_id, started_at, outcome, connect_ms, handshake_ms,"
	"  attempt, peer_id, advertised_port, pow_bits, chain_name, chain_name_raw,"
	"  distributed_db_version, p2p_version, disable_mempool, private_node, head_level,"
	"  head_timestamp, head_timestamp_raw, head_hash)"
	" SELECT $1, $11, (SELECT id FROM p), " TS("$4") ", $5, $6, $7, $8, $9, $12, $13, $14,"
	"  convert_to($14, 'UTF8'), $15, $16, $17, $18, $19, to_timestamp($20::bigint), $20,"
	"  decode($21, 'hex')"
	" ON CONFLICT (crawl_id, seq) DO NOTHING";

static const char adv_sql[] =
	"WITH f AS (INSERT INTO points (addr, port, first_seen, last_seen)"
	"  VALUES ($3::inet, $4::int, " TS("$9") ", " TS("$9") ")"
	"  ON CONFLICT (addr, port) DO UPDATE SET last_seen = greatest(points.last_seen, excluded.last_seen)"
	"  RETURNING id),"
	" t AS (INSERT INTO points (addr, port, first_seen, last_seen)"
	"  VALUES ($5::inet, $6::int, " TS("$9") ", " TS("$9") ")"
	"  ON CONFLICT (addr, port) DO UPDATE SET last_seen = greatest(points.last_seen, excluded.last_seen)"
	"  RETURNING id)"
	" INSERT INTO advertisements (crawl_id, seq, from_point_id, to_point_id, source, round, rank,"
	"  list_len, seen_at)"
	" SELECT $1, $2, (SELECT id FROM f), (SELECT id FROM t), $7, $8, $10, $11, " TS("$9")
	" ON CONFLICT (crawl_id, seq) DO NOTHING";

/* Splits "a.b.c.d:port" into its two parts (the bench only makes IPv4). */
static void split(const char *pt, char *addr, char *port)
{
	const char *c = strrchr(pt, ':');
	memcpy(addr, pt, (size_t)(c - pt));
	addr[c - pt] = '\0';
	snprintf(port, 8, "%s", c + 1);
}

static void exec_ok(PGconn *c, PGresult *r, const char *what)
{
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s: %s", what, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
}

static double run_insert(const char *admin, const struct row *rows, size_t n, size_t per_tx,
			 const char *dbname)
{
	char ci[512];
	PGconn *c = fresh_db(admin, dbname, ci, sizeof ci);
	int64_t id = begin_crawl(c);
	char idt[24];
	snprintf(idt, sizeof idt, "%" PRId64, id);
	int64_t t0 = db_now_ms();
	for (size_t i = 0; i < n; i++) {
		if (per_tx > 1 && i % per_tx == 0)
			exec_ok(c, PQexec(c, "BEGIN"), "begin");
		const struct row *r = &rows[i];
		char b[24][80];
		const char *p[24] = {0};
		p[0] = idt;
		if (r->is_visit) {
			const struct visit_rec *v = &r->v;
			split(v->point, b[1], b[2]);
			p[1] = b[1];
			p[2] = b[2];
			snprintf(b[3], 80, "%" PRId64, v->started_at_us);
			p[3] = b[3];
			p[4] = visit_outcome_str(v->outcome);
#define OPT(k, x) \
	if ((x) != REC_ABSENT_I32) { snprintf(b[k], 80, "%d", (int)(x)); p[k] = b[k]; }
			OPT(5, v->connect_ms)
			OPT(6, v->handshake_ms)
			snprintf(b[7], 80, "%u", v->attempt);
			p[7] = b[7];
			p[8] = v->peer_id;
			if (v->public_key) {
				hex_encode(b[9], v->public_key, 32);
				p[9] = b[9];
			}
			snprintf(b[10], 80, "%" PRIu64, v->seq);
			p[10] = b[10];
			OPT(11, v->advertised_port)
			OPT(12, v->pow_bits)
			if (v->chain_name) {
				snprintf(b[13], 80, "%.*s", (int)v->chain_name_len, (const char *)v->chain_name);
				p[13] = b[13];
			}
			OPT(14, v->ddb_version)
			OPT(15, v->p2p_version)
			if (v->disable_mempool != REC_BOOL_ABSENT)
				p[16] = v->disable_mempool ? "t" : "f";
			if (v->private_node != REC_BOOL_ABSENT)
				p[17] = v->private_node ? "t" : "f";
			if (v->has_head) {
				snprintf(b[18], 80, "%d", (int)v->head_level);
				p[18] = b[18];
				snprintf(b[19], 80, "%" PRId64, v->head_timestamp);
				p[19] = b[19];
				hex_encode(b[20], v->head_hash, 32);
				p[20] = b[20];
			}
#undef OPT
			exec_ok(c, PQexecParams(c, visit_sql, 21, NULL, p, NULL, NULL, 0), "insert visit");
		} else {
			const struct adv_rec *a = &r->a;
			snprintf(b[1], 80, "%" PRIu64, a->seq);
			p[1] = b[1];
			split(r->p1, b[2], b[3]);
			split(r->p2, b[4], b[5]);
			p[2] = b[2];
			p[3] = b[3];
			p[4] = b[4];
			p[5] = b[5];
			p[6] = adv_source_str(a->source);
			snprintf(b[7], 80, "%u", a->round);
			p[7] = b[7];
			snprintf(b[8], 80, "%" PRId64, a->seen_at_us);
			p[8] = b[8];
			snprintf(b[9], 80, "%u", a->rank);
			p[9] = b[9];
			snprintf(b[10], 80, "%u", a->list_len);
			p[10] = b[10];
			exec_ok(c, PQexecParams(c, adv_sql, 11, NULL, p, NULL, NULL, 0), "insert adv");
		}
		if (per_tx > 1 && (i % per_tx == per_tx - 1 || i == n - 1))
			exec_ok(c, PQexec(c, "COMMIT"), "commit");
	}
	int64_t t1 = db_now_ms();
	PGresult *r = PQexec(c, "SELECT (SELECT count(*) FROM visits) + (SELECT count(*) FROM advertisements)");
	long long stored = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if ((size_t)stored != n) {
		fprintf(stderr, "%s: stored %lld of %zu rows\n", dbname, stored, n);
		exit(1);
	}
	db_close(c);
	return (double)n / ((double)(t1 - t0) / 1000.0);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: db_copy_vs_insert ADMIN_CONNINFO VISITS ADVS_PER_VISIT\n");
		return 2;
	}
	unsigned nv = (unsigned)strtoul(argv[2], NULL, 10);
	unsigned per = (unsigned)strtoul(argv[3], NULL, 10);
	size_t n;
	struct row *rows = make_rows(nv, per, &n);
	size_t visits = 0;
	for (size_t i = 0; i < n; i++)
		visits += rows[i].is_visit;
	printf("rows: %zu (%zu visits, %zu advertisements)\n", n, visits, n - visits);
	double copy = run_copy(argv[1], rows, n);
	printf("copy         %10.0f rows/s\n", copy);
	double itx = run_insert(argv[1], rows, n, 2000, "bench_insert_tx");
	printf("insert-tx    %10.0f rows/s\n", itx);
	double iauto = run_insert(argv[1], rows, n, 1, "bench_insert_auto");
	printf("insert-auto  %10.0f rows/s\n", iauto);
	printf("ratio copy/insert-tx   %.1fx\n", copy / itx);
	printf("ratio copy/insert-auto %.1fx\n", copy / iauto);
	free(rows);
	return 0;
}
