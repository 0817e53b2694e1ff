/*
 * batch — COPY text encoding and the staging-to-schema upsert.
 *
 * Why COPY into staging and not COPY straight into visits: visits need
 * point and peer ids that may not exist yet, and a retried batch must not
 * duplicate rows. Staging tables are TEMPORARY ... ON COMMIT DELETE ROWS, so
 * each transaction starts with them empty and no other session sees them.
 *
 * Timestamps travel as int64 microseconds and are converted in SQL
 * ('epoch' + n microseconds), which is exact and independent of the
 * session's TimeZone and DateStyle.
 */
#include "db/batch.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"

const char db_stage_setup_sql[] =
	"CREATE TEMPORARY TABLE IF NOT EXISTS tz_stage_visits ("
	" seq bigint, addr inet, port integer, started_us bigint, outcome text,"
	" attempt integer, error text, connect_ms integer, handshake_ms integer,"
	" peer_id text, public_key bytea, advertised_port integer, pow_bits integer,"
	" chain_name text, chain_name_raw bytea, ddb integer, p2p integer,"
	" disable_mempool boolean, private_node boolean, nack_motive smallint,"
	" head_level integer, head_ts bigint, head_hash bytea) ON COMMIT DELETE ROWS;"
	"CREATE TEMPORARY TABLE IF NOT EXISTS tz_stage_advs ("
	" seq bigint, from_addr inet, from_port integer, to_addr inet, to_port integer,"
	" source text, round integer, rank integer, list_len integer, seen_us bigint)"
	" ON COMMIT DELETE ROWS;"
	"CREATE TEMPORARY TABLE IF NOT EXISTS tz_stage_rpc ("
	" addr inet, port integer, rpc_port integer, probed_us bigint, peer_id text,"
	" http_status integer, major integer, minor integer, additional_info text,"
	" commit_hash text, commit_date text, error text) ON COMMIT DELETE ROWS";

const char db_copy_visits_sql[] = "COPY tz_stage_visits FROM STDIN";
const char db_copy_advs_sql[] = "COPY tz_stage_advs FROM STDIN";
const char db_copy_rpcs_sql[] = "COPY tz_stage_rpc FROM STDIN";

#define TS(x) "(timestamptz 'epoch' + (" x ") * interval '1 microsecond')"

/* %1$ = crawl id. Each statement is complete on its own. */
static const char *const upsert_fmt[DB_UPSERT_N] = {
	[DB_UPSERT_POINTS] =
		"INSERT INTO points (addr, port, first_seen, last_seen)"
		" SELECT addr, port, min(t), max(t) FROM ("
		"  SELECT addr, port, " TS("started_us") " AS t FROM tz_stage_visits"
		"  UNION ALL SELECT from_addr, from_port, " TS("seen_us") " FROM tz_stage_advs"
		"  UNION ALL SELECT to_addr, to_port, " TS("seen_us") " FROM tz_stage_advs"
		"  UNION ALL SELECT addr, port, " TS("probed_us") " FROM tz_stage_rpc) s"
		" GROUP BY addr, port ORDER BY addr, port"
		" ON CONFLICT (addr, port) DO UPDATE SET"
		"  first_seen = least(points.first_seen, excluded.first_seen),"
		"  last_seen = greatest(points.last_seen, excluded.last_seen)"
		" WHERE excluded.first_seen < points.first_seen"
		"  OR excluded.last_seen > points.last_seen",
	[DB_UPSERT_PEERS] =
		"INSERT INTO peers (peer_id, public_key, first_seen, last_seen)"
		" SELECT peer_id, (array_agg(public_key) FILTER (WHERE public_key IS NOT NULL))[1],"
		"  min(t), max(t) FROM ("
		"  SELECT peer_id, public_key, " TS("started_us") " AS t FROM tz_stage_visits"
		"  WHERE peer_id IS NOT NULL) s"
		" GROUP BY peer_id ORDER BY peer_id"
		" ON CONFLICT (peer_id) DO UPDATE SET"
		"  public_key = coalesce(peers.public_key, excluded.public_key),"
		"  first_seen = least(peers.first_seen, excluded.first_seen),"
		"  last_seen = greatest(peers.last_seen, excluded.last_seen)"
		" WHERE (peers.public_key IS NULL AND excluded.public_key IS NOT NULL)"
		"  OR excluded.first_seen < peers.first_seen"
		"  OR excluded.last_seen > peers.last_seen",
	[DB_UPSERT_VISITS] =
		"INSERT INTO visits (crawl_id, seq, point_id, started_at, outcome, error,"
		" connect_ms, handshake_ms, peer_id, advertised_port, pow_bits, chain_name,"
		" chain_name_raw, distributed_db_version, p2p_version, disable_mempool,"
		" private_node, nack_motive, head_level, head_timestamp, head_timestamp_raw,"
		" head_hash, attempt)"
		" SELECT %1$" PRId64 ", s.seq, p.id, " TS("s.started_us") ", s.outcome, s.error,"
		" s.connect_ms, s.handshake_ms, s.peer_id, s.advertised_port, s.pow_bits,"
		" s.chain_name, s.chain_name_raw, s.ddb, s.p2p, s.disable_mempool,"
		" s.private_node, s.nack_motive, s.head_level,"
		" CASE WHEN s.head_ts BETWEEN -62135596800 AND 253402300799"
		"  THEN " TS("s.head_ts * 1000000") " END,"
		" s.head_ts, s.head_hash, s.attempt"
		" FROM tz_stage_visits s JOIN points p ON p.addr = s.addr AND p.port = s.port"
		" ORDER BY s.seq"
		" ON CONFLICT (crawl_id, seq) DO NOTHING",
	[DB_UPSERT_ADVS] =
		"INSERT INTO advertisements (crawl_id, seq, from_point_id, to_point_id, source,"
		" round, rank, list_len, seen_at)"
		" SELECT %1$" PRId64 ", s.seq, pf.id, pt.id, s.source, s.round, s.rank,"
		" s.list_len, " TS("s.seen_us")
		" FROM tz_stage_advs s"
		" JOIN points pf ON pf.addr = s.from_addr AND pf.port = s.from_port"
		" JOIN points pt ON pt.addr = s.to_addr AND pt.port = s.to_port"
		" ORDER BY s.seq"
		" ON CONFLICT (crawl_id, seq) DO NOTHING",
	/* one row per (point, RPC port) and crawl: a retry or replay adds nothing */
	[DB_UPSERT_RPCS] =
		"INSERT INTO rpc_versions (crawl_id, point_id, peer_id, port, probed_at,"
		" http_status, major, minor, additional_info, commit_hash, commit_date, error)"
		" SELECT %1$" PRId64 ", p.id, s.peer_id, s.rpc_port, " TS("s.probed_us") ","
		" s.http_status, s.major, s.minor, s.additional_info, s.commit_hash,"
		" s.commit_date, s.error"
		" FROM tz_stage_rpc s JOIN points p ON p.addr = s.addr AND p.port = s.port"
		" ORDER BY p.id, s.rpc_port"
		" ON CONFLICT (crawl_id, point_id, port) DO NOTHING",
};

enum err db_upsert_sql(enum db_upsert_stmt i, int64_t crawl_id, char *out, size_t cap)
{
	if ((unsigned)i >= DB_UPSERT_N)
		return ERR_INVAL;
	/* Positional %1$ lets the visits and advs statements use the id once or not at all. */
	int n;
	if (i == DB_UPSERT_VISITS || i == DB_UPSERT_ADVS || i == DB_UPSERT_RPCS) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		n = snprintf(out, cap, upsert_fmt[i], crawl_id);
#pragma GCC diagnostic pop
	} else {
		n = snprintf(out, cap, "%s", upsert_fmt[i]);
	}
	return (n < 0 || (size_t)n >= cap) ? ERR_FULL : ERR_OK;
}

/* ---- buffers ----------------------------------------------------------- */

static void put(struct buf *b, const void *s, size_t n)
{
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* ---- COPY text fields ---------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (RFC 3629), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c >= 0x01 && c < 0x80)
		return 1;
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* <= U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Safe text, optionally COPY-escaped. Peer text ends up on researchers'
 * terminals (psql prints a cell's bytes as they are), so besides invalid
 * UTF-8 and NUL (U+FFFD) every other control character is written as the
 * four visible characters \xHH of its code point: C0 (U+0001-U+001F, tab
 * and newline included), DEL and C1 (U+0080-U+009F, valid UTF-8 that some
 * terminals obey like ESC [). The raw bytes stay in the bytea column. A
 * backslash is kept as it is, so the form is a fixed point: safe(safe(x)) ==
 * safe(x). COPY escaping comes on top: a backslash doubles. Worst case 5
 * output bytes per input byte (a control byte under COPY).
 */
static enum err text_out(struct buf *out, const uint8_t *in, size_t len, bool copy_escape)
{
	static const char hex[] = "0123456789abcdef";
	if (len > (SIZE_MAX - 16) / 5 || buf_reserve(out, len * 5 + 1) != ERR_OK)
		return ERR_NOMEM;
	size_t i = 0;
	while (i < len) {
		size_t k = utf8_seq(in + i, len - i);
		if (k == 0) {
			put(out, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		unsigned cp = k == 1   ? in[i]
			      : k == 2 ? ((in[i] & 0x1fu) << 6) | (in[i + 1] & 0x3fu)
				       : 0x100; /* longer sequences are above C1 */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			if (copy_escape)
				put(out, "\\\\", 2);
			else
				put(out, "\\", 1);
			char esc[3] = {'x', hex[cp >> 4], hex[cp & 15]};
			put(out, esc, 3);
			i += k;
			continue;
		}
		if (copy_escape && in[i] == '\\') {
			put(out, "\\\\", 2);
			i++;
			continue;
		}
		put(out, in + i, k);
		i += k;
	}
	return ERR_OK;
}

enum err db_text_safe(struct buf *out, const uint8_t *in, size_t len)
{
	return text_out(out, in, len, false);
}

static enum err f_sep(struct buf *b, bool first)
{
	if (first)
		return ERR_OK;
	if (buf_reserve(b, 1) != ERR_OK)
		return ERR_NOMEM;
	put(b, "\t", 1);
	return ERR_OK;
}

static enum err f_null(struct buf *b, bool first)
{
	if (f_sep(b, first) != ERR_OK || buf_reserve(b, 2) != ERR_OK)
		return ERR_NOMEM;
	put(b, "\\N", 2);
	return ERR_OK;
}

static enum err f_raw(struct buf *b, bool first, const char *s)
{
	size_t n = strlen(s);
	if (f_sep(b, first) != ERR_OK || buf_reserve(b, n) != ERR_OK)
		return ERR_NOMEM;
	put(b, s, n);
	return ERR_OK;
}

/*
 * Decimal text of v into out (at least 21 bytes), NUL-terminated; returns
 * its length. What snprintf "%" PRIu64 / PRId64 write, without the format
 * interpreter: the writer formats several integers per row, ~10^5 rows a crawl.
 */
static size_t fmt_u64(char *out, uint64_t v)
{
	char t[20];
	size_t n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = t[n - 1 - i];
	out[n] = '\0';
	return n;
}

static size_t fmt_i64(char *out, int64_t v)
{
	if (v >= 0)
		return fmt_u64(out, (uint64_t)v);
	out[0] = '-';
	return 1 + fmt_u64(out + 1, 0 - (uint64_t)v); /* INT64_MIN included */
}

static enum err f_bytes(struct buf *b, bool first, const char *s, size_t n)
{
	if (f_sep(b, first) != ERR_OK || buf_reserve(b, n) != ERR_OK)
		return ERR_NOMEM;
	put(b, s, n);
	return ERR_OK;
}

static enum err f_u64(struct buf *b, bool first, uint64_t v)
{
	char t[24];
	return f_bytes(b, first, t, fmt_u64(t, v));
}

static enum err f_i64(struct buf *b, int64_t v)
{
	char t[24];
	return f_bytes(b, false, t, fmt_i64(t, v));
}

static enum err f_opt_i32(struct buf *b, int32_t v)
{
	return v == REC_ABSENT_I32 ? f_null(b, false) : f_i64(b, v);
}

static enum err f_text(struct buf *b, const char *s)
{
	if (!s)
		return f_null(b, false);
	if (f_sep(b, false) != ERR_OK)
		return ERR_NOMEM;
	return text_out(b, (const uint8_t *)s, strlen(s), true);
}

static enum err f_bytea(struct buf *b, const uint8_t *p, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	if (!p)
		return f_null(b, false);
	if (n > (SIZE_MAX - 16) / 2 || f_sep(b, false) != ERR_OK ||
	    buf_reserve(b, 3 + 2 * n) != ERR_OK)
		return ERR_NOMEM;
	put(b, "\\\\x", 3); /* COPY turns \\ into \, bytea reads \x as hex */
	for (size_t i = 0; i < n; i++) {
		b->p[b->len++] = (uint8_t)hexd[p[i] >> 4];
		b->p[b->len++] = (uint8_t)hexd[p[i] & 15];
	}
	return ERR_OK;
}

static enum err f_bool(struct buf *b, int8_t v)
{
	if (v == REC_BOOL_ABSENT)
		return f_null(b, false);
	return f_raw(b, false, v ? "t" : "f");
}

/*
 * addr and port of canonical point text: "a.b.c.d" or v6 text, then the port.
 * point has passed rec_point_split already (visit_rec_check / adv_rec_check
 * run first), so an IPv4 point needs no second parse: its host is exactly
 * inet_ntop's text (glibc's inet_pton4 takes a.b.c.d without leading zeros
 * only) and its port is 1 to 5 digits, at most 65535.
 */
/* A point as COPY's "address<TAB>port", formatted from the struct (IPv4-mapped as IPv4). */
static enum err f_pt(struct buf *b, const struct point *pt)
{
	char t[INET6_ADDRSTRLEN + 8];
	size_t n = 0;
	if (point_is_v4(pt)) { /* dotted quad by hand: ~10^5 rows a crawl */
		for (int i = 12; i < 16; i++) {
			n += fmt_u64(t + n, pt->addr[i]);
			t[n++] = i < 15 ? '.' : '\t';
		}
	} else {
		if (!inet_ntop(AF_INET6, pt->addr, t, sizeof t))
			return ERR_INVAL;
		n = strlen(t);
		t[n++] = '\t';
	}
	n += fmt_u64(t + n, pt->port);
	return f_bytes(b, false, t, n);
}

static enum err f_point(struct buf *b, bool first, const char *point)
{
	char t[INET6_ADDRSTRLEN + 8];
	size_t n;
	uint16_t port;
	if (point[0] != '[') {
		const char *colon = strrchr(point, ':');
		n = (size_t)(colon - point);
		memcpy(t, point, n);
		unsigned v = 0;
		for (const char *d = colon + 1; *d; d++)
			v = v * 10 + (unsigned)(*d - '0');
		port = (uint16_t)v;
	} else {
		uint8_t addr[16];
		bool v4;
		if (rec_point_split(point, addr, &port, &v4) != ERR_OK ||
		    !inet_ntop(AF_INET6, addr, t, sizeof t))
			return ERR_INVAL;
		n = strlen(t);
	}
	t[n++] = '\t';
	n += fmt_u64(t + n, port);
	return f_bytes(b, first, t, n);
}

static enum err f_end(struct buf *b)
{
	if (buf_reserve(b, 1) != ERR_OK)
		return ERR_NOMEM;
	put(b, "\n", 1);
	return ERR_OK;
}

/* ---- batches ------------------------------------------------------------ */

void db_batch_init(struct db_batch *b)
{
	memset(b, 0, sizeof *b);
}

void db_batch_cleanup(struct db_batch *b)
{
	if (!b)
		return;
	buf_free(&b->visits);
	buf_free(&b->advs);
	buf_free(&b->rpcs);
	b->visits_n = b->advs_n = b->rpcs_n = 0;
}

void db_batch_clear(struct db_batch *b)
{
	b->visits.len = b->advs.len = b->rpcs.len = 0;
	b->visits_n = b->advs_n = b->rpcs_n = 0;
}

size_t db_batch_rows(const struct db_batch *b)
{
	return b->visits_n + b->advs_n + b->rpcs_n;
}

size_t db_batch_bytes(const struct db_batch *b)
{
	return b->visits.len + b->advs.len + b->rpcs.len;
}

enum err db_batch_add_visit(struct db_batch *b, const struct visit_rec *v)
{
	if (visit_rec_check(v) != ERR_OK)
		return ERR_INVAL;
	struct buf *o = &b->visits;
	size_t mark = o->len;
	enum err e = ERR_OK;
#define F(x)                           \
	do {                           \
		if (e == ERR_OK)       \
			e = (x);       \
	} while (0)
	F(f_u64(o, true, v->seq));
	F(f_point(o, false, v->point));
	F(f_i64(o, v->started_at_us));
	F(f_raw(o, false, visit_outcome_str(v->outcome)));
	F(f_i64(o, (int64_t)v->attempt));
	F(f_text(o, v->error));
	F(f_opt_i32(o, v->connect_ms));
	F(f_opt_i32(o, v->handshake_ms));
	F(f_text(o, v->peer_id));
	F(f_bytea(o, v->public_key, REC_PUBLIC_KEY_LEN));
	F(f_opt_i32(o, v->advertised_port));
	F(f_opt_i32(o, v->pow_bits));
	if (v->chain_name) {
		F(f_sep(o, false));
		F(text_out(o, v->chain_name, v->chain_name_len, true));
		F(f_bytea(o, v->chain_name, v->chain_name_len));
	} else {
		F(f_null(o, false));
		F(f_null(o, false));
	}
	F(f_opt_i32(o, v->ddb_version));
	F(f_opt_i32(o, v->p2p_version));
	F(f_bool(o, v->disable_mempool));
	F(f_bool(o, v->private_node));
	if (v->nack_motive == REC_NACK_MOTIVE_ABSENT)
		F(f_null(o, false));
	else
		F(f_i64(o, v->nack_motive));
	if (v->has_head) {
		F(f_i64(o, v->head_level));
		F(f_i64(o, v->head_timestamp));
	} else {
		F(f_null(o, false));
		F(f_null(o, false));
	}
	F(f_bytea(o, v->has_head ? v->head_hash : NULL, REC_BLOCK_HASH_LEN));
	F(f_end(o));
	if (e != ERR_OK) {
		o->len = mark; /* all or nothing */
		return e;
	}
	b->visits_n++;
	return ERR_OK;
}

enum err db_batch_add_adv(struct db_batch *b, const struct adv_rec *a)
{
	if (adv_rec_check(a) != ERR_OK)
		return ERR_INVAL;
	struct buf *o = &b->advs;
	size_t mark = o->len;
	enum err e = ERR_OK;
	F(f_u64(o, true, a->seq));
	F(f_pt(o, &a->from));
	F(f_pt(o, &a->to));
	F(f_raw(o, false, adv_source_str(a->source)));
	F(f_i64(o, a->round));
	F(f_i64(o, a->rank));
	F(f_i64(o, a->list_len));
	F(f_i64(o, a->seen_at_us));
	F(f_end(o));
	if (e != ERR_OK) {
		o->len = mark;
		return e;
	}
	b->advs_n++;
	return ERR_OK;
}

enum err db_batch_add_rpc(struct db_batch *b, const struct rpc_rec *r)
{
	if (rpc_rec_check(r) != ERR_OK)
		return ERR_INVAL;
	struct buf *o = &b->rpcs;
	size_t mark = o->len;
	enum err e = ERR_OK;
	F(f_point(o, true, r->point));
	F(f_i64(o, r->port));
	F(f_i64(o, r->probed_at_us));
	F(f_text(o, r->peer_id));
	F(f_opt_i32(o, r->http_status));
	F(f_opt_i32(o, r->major));
	F(f_opt_i32(o, r->minor));
	F(f_text(o, r->additional_info));
	F(f_text(o, r->commit_hash));
	F(f_text(o, r->commit_date));
	F(f_text(o, r->error));
	F(f_end(o));
#undef F
	if (e != ERR_OK) {
		o->len = mark;
		return e;
	}
	b->rpcs_n++;
	return ERR_OK;
}

/* ---- blocking apply --------------------------------------------------------- */

static enum err copy_sync(PGconn *c, const char *sql, const struct buf *data, char *err,
			  size_t err_cap)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	PQclear(r);
	if (st != PGRES_COPY_IN) {
		db_errmsg(c, "copy", err, err_cap);
		return ERR_DB;
	}
	size_t off = 0;
	while (off < data->len) {
		size_t n = data->len - off;
		if (n > (1u << 20))
			n = 1u << 20;
		if (PQputCopyData(c, (const char *)data->p + off, (int)n) != 1) {
			db_errmsg(c, "copy", err, err_cap);
			return ERR_DB;
		}
		off += n;
	}
	if (PQputCopyEnd(c, NULL) != 1) {
		db_errmsg(c, "copy", err, err_cap);
		return ERR_DB;
	}
	enum err e = ERR_OK;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && e == ERR_OK) {
			db_errmsg(c, "copy", err, err_cap);
			e = ERR_DB;
		}
		PQclear(r);
	}
	return e;
}

enum err db_batch_apply_sync(PGconn *c, int64_t crawl_id, const struct db_batch *b,
			     struct db_batch_result *res, char *err, size_t err_cap)
{
	struct db_batch_result dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof *res);
	if (db_exec(c, db_stage_setup_sql, err, err_cap) != ERR_OK)
		return ERR_DB;
	if (db_exec(c, "BEGIN", err, err_cap) != ERR_OK)
		return ERR_DB;
	if (b->visits_n && copy_sync(c, db_copy_visits_sql, &b->visits, err, err_cap) != ERR_OK)
		goto fail;
	if (b->advs_n && copy_sync(c, db_copy_advs_sql, &b->advs, err, err_cap) != ERR_OK)
		goto fail;
	if (b->rpcs_n && copy_sync(c, db_copy_rpcs_sql, &b->rpcs, err, err_cap) != ERR_OK)
		goto fail;
	for (int i = 0; i < DB_UPSERT_N; i++) {
		char sql[DB_UPSERT_SQL_MAX];
		if (db_upsert_sql((enum db_upsert_stmt)i, crawl_id, sql, sizeof sql) != ERR_OK)
			goto fail;
		PGresult *r = PQexec(c, sql);
		if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
			db_errmsg(c, "upsert", err, err_cap);
			PQclear(r);
			goto fail;
		}
		uint64_t n = strtoull(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		if (i == DB_UPSERT_POINTS)
			res->points_added_or_updated = n;
		else if (i == DB_UPSERT_VISITS)
			res->visits_added = n;
		else if (i == DB_UPSERT_ADVS)
			res->advs_added = n;
		else if (i == DB_UPSERT_RPCS)
			res->rpcs_added = n;
	}
	if (db_exec(c, "COMMIT", err, err_cap) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	PQclear(PQexec(c, "ROLLBACK"));
	return ERR_DB;
}
