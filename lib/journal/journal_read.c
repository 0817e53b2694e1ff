/*
 * journal reader — reads a journal of format 2 (the frame is in
 * journal_int.h) or format 1 (a varint length, then the body), from a file
 * or from memory, record by record: checks each record's checksums, steps
 * over a damaged record or header (resync) and tells a torn last record
 * from damage. Its own file because reading is the half with the error
 * paths and shares no state with the writer; the writer (journal.c) uses
 * it only to check a file before appending.
 */
#include "journal/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "journal/journal_int.h"
#include "tzcensus.pb-c.h"

static uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A format-2 record header that checks itself; *len gets the body length. */
static bool hdr_ok(const uint8_t *h, uint32_t *len)
{
	if (journal_crc32c(h, 8) != be32_get(h + 8))
		return false;
	*len = be32_get(h);
	return *len >= 1 && *len <= JOURNAL_RECORD_MAX;
}

/* ---- reader ----------------------------------------------------------- */

struct journal_reader {
	int fd;              /* file source, or -1 */
	const uint8_t *mem;  /* memory source */
	size_t mem_len;
	int format;          /* 0 not known yet (nothing read), 1, 2 */
	uint64_t pos;        /* offset of the next record */
	uint64_t index;
	uint64_t corrupt_n;  /* damaged records stepped over (format 2) */
	bool resumable;      /* the last ERR_PROTO was stepped over */
	uint8_t *buf;        /* file source: the current record */
	size_t buf_cap;
	Tzcensus__Record *msg; /* the current decoded record (owned) */
	char why[200];
};

struct journal_reader *journal_reader_open(const char *path, char *err, size_t err_cap)
{
	struct journal_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, err_cap, "journal: out of memory");
		return NULL;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		snprintf(err, err_cap, "journal: open %s: %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	return r;
}

struct journal_reader *journal_reader_mem(const uint8_t *buf, size_t len)
{
	struct journal_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fd = -1;
	r->mem = buf;
	r->mem_len = len;
	return r;
}

void journal_reader_free(struct journal_reader *r)
{
	if (!r)
		return;
	if (r->msg)
		tzcensus__record__free_unpacked(r->msg, NULL);
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}

uint64_t journal_reader_offset(const struct journal_reader *r)
{
	return r ? r->pos : 0;
}

const char *journal_reader_why(const struct journal_reader *r)
{
	return r ? r->why : "";
}

int journal_reader_format(const struct journal_reader *r)
{
	return r ? r->format : 0;
}

bool journal_reader_resumable(const struct journal_reader *r)
{
	return r && r->resumable;
}

uint64_t journal_reader_corrupt(const struct journal_reader *r)
{
	return r ? r->corrupt_n : 0;
}

/*
 * Up to n bytes at offset at: *view points at them (into the memory source,
 * or dst for a file). Returns how many were there (< n at the end).
 */
static size_t src_read(struct journal_reader *r, uint64_t at, uint8_t *dst, size_t n,
		       const uint8_t **view, bool *ioerr)
{
	*ioerr = false;
	*view = dst;
	if (r->fd < 0) {
		if (at >= r->mem_len)
			return 0;
		size_t have = r->mem_len - (size_t)at;
		*view = r->mem + at;
		return have < n ? have : n;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(r->fd, dst + got, n - got, (off_t)(at + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			*ioerr = true;
			break;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static enum err fail_at(struct journal_reader *r, enum err e, const char *detail)
{
	snprintf(r->why, sizeof r->why, "%s at offset %llu (record %llu): %s",
		 e == ERR_AGAIN ? "truncated record" : "corrupt record", (unsigned long long)r->pos,
		 (unsigned long long)r->index, detail);
	return e;
}

static enum err io_fail(struct journal_reader *r)
{
	snprintf(r->why, sizeof r->why, "read at offset %llu: %s", (unsigned long long)r->pos,
		 strerror(errno));
	return ERR_IO;
}

/* A damaged format-2 record of len bytes at pos: step over it, report it. */
static enum err skip_corrupt(struct journal_reader *r, uint64_t len, const char *detail)
{
	fail_at(r, ERR_PROTO, detail);
	r->pos += len;
	r->index++;
	r->corrupt_n++;
	r->resumable = true;
	return ERR_PROTO;
}

/*
 * A format-2 header at pos that does not check: the next offset whose 12
 * bytes do (or the end of the data) is where the reader goes on.
 */
static enum err resync(struct journal_reader *r)
{
	enum { CHUNK = 65536 };
	uint8_t *chunk = r->fd >= 0 ? malloc(CHUNK) : NULL;
	if (r->fd >= 0 && !chunk) {
		snprintf(r->why, sizeof r->why, "out of memory");
		return ERR_NOMEM;
	}
	uint64_t at = r->pos + 1, found = UINT64_MAX;
	for (;;) {
		const uint8_t *v;
		bool ioerr;
		size_t k = src_read(r, at, chunk, CHUNK, &v, &ioerr);
		if (ioerr) {
			free(chunk);
			return io_fail(r);
		}
		for (size_t i = 0; i + HDR_LEN <= k; i++) {
			uint32_t len;
			if (hdr_ok(v + i, &len)) {
				found = at + i;
				break;
			}
		}
		if (found != UINT64_MAX || k < HDR_LEN || (r->fd < 0 && at + k >= r->mem_len))
			break;
		at += k - (HDR_LEN - 1); /* a header may straddle the chunks */
	}
	free(chunk);
	char d[160];
	if (found == UINT64_MAX) {
		uint64_t end = r->fd >= 0 ? (uint64_t)lseek(r->fd, 0, SEEK_END) : r->mem_len;
		snprintf(d, sizeof d,
			 "header checksum mismatch; no valid record after it (%llu bytes skipped)",
			 (unsigned long long)(end - r->pos));
		return skip_corrupt(r, end - r->pos, d);
	}
	snprintf(d, sizeof d,
		 "header checksum mismatch; %llu bytes skipped to the next valid record",
		 (unsigned long long)(found - r->pos));
	return skip_corrupt(r, found - r->pos, d);
}

/* Reads the file header at offset 0 and sets r->format. */
static enum err read_file_header(struct journal_reader *r, bool *empty)
{
	uint8_t h[FILE_HDR_LEN];
	const uint8_t *v;
	bool ioerr;
	size_t k = src_read(r, 0, h, sizeof h, &v, &ioerr);
	*empty = false;
	if (ioerr)
		return io_fail(r);
	if (k == 0) {
		*empty = true;
		return ERR_OK;
	}
	if (v[0] != 0x00) {
		r->format = 1;
		return ERR_OK;
	}
	size_t same = k < FILE_HDR_LEN - 1 ? k : FILE_HDR_LEN - 1;
	if (memcmp(v, journal_file_magic, same) != 0) {
		snprintf(r->why, sizeof r->why, "not a tzcensus journal (bad file header)");
		return ERR_PROTO;
	}
	if (k < FILE_HDR_LEN) {
		snprintf(r->why, sizeof r->why, "truncated file header (%zu of %d bytes)", k,
			 FILE_HDR_LEN);
		return ERR_AGAIN;
	}
	if (v[FILE_HDR_LEN - 1] != FORMAT_VERSION) {
		snprintf(r->why, sizeof r->why,
			 "journal format version %u is not one this program reads (1 and %d): "
			 "written by a newer tzcensus?",
			 v[FILE_HDR_LEN - 1], FORMAT_VERSION);
		return ERR_PROTO;
	}
	r->format = 2;
	r->pos = FILE_HDR_LEN;
	return ERR_OK;
}

/* Format 1: a varint length, then the body; the lengths on success. */
static enum err frame_v1(struct journal_reader *r, const uint8_t **body, uint64_t *body_len,
			 uint64_t *frame_len)
{
	uint64_t len = 0;
	size_t plen = 0;
	bool ioerr;
	for (;;) {
		const uint8_t *view;
		uint8_t b;
		if (src_read(r, r->pos + plen, &b, 1, &view, &ioerr) != 1) {
			if (ioerr)
				return io_fail(r);
			char d[64];
			snprintf(d, sizeof d, "length prefix cut after %zu byte(s)", plen);
			return fail_at(r, ERR_AGAIN, d);
		}
		b = view[0];
		if (plen < 9)
			len |= (uint64_t)(b & 0x7f) << (7 * plen);
		else if (b > 1)
			len = UINT64_MAX;
		else
			len |= (uint64_t)b << 63;
		plen++;
		if (!(b & 0x80))
			break;
		if (plen == 10)
			return fail_at(r, ERR_PROTO, "length prefix longer than 10 bytes");
	}
	if (len > JOURNAL_RECORD_MAX) {
		char d[96];
		snprintf(d, sizeof d, "declared length %llu above the maximum %u",
			 (unsigned long long)len, JOURNAL_RECORD_MAX);
		return fail_at(r, ERR_TOOBIG, d);
	}
	*body_len = len;
	*frame_len = plen + len;
	*body = NULL;
	return ERR_OK;
}

static enum err body_read(struct journal_reader *r, uint64_t at, uint64_t len,
			  const uint8_t **body)
{
	if (r->fd >= 0 && len > r->buf_cap) {
		size_t cap = grow_cap(r->buf_cap, (size_t)len, 4096, SIZE_MAX);
		uint8_t *nb = realloc(r->buf, cap);
		if (!nb) {
			snprintf(r->why, sizeof r->why, "out of memory");
			return ERR_NOMEM;
		}
		r->buf = nb;
		r->buf_cap = cap;
	}
	bool ioerr;
	size_t got = len ? src_read(r, at, r->buf, (size_t)len, body, &ioerr) : 0;
	if (len && ioerr)
		return io_fail(r);
	if (got < len) {
		char d[96];
		snprintf(d, sizeof d, "%zu of %llu bytes present", got, (unsigned long long)len);
		return fail_at(r, ERR_AGAIN, d);
	}
	return ERR_OK;
}

static bool str_ok(const char *s)
{
	return s != NULL;
}

/* Protobuf -> record views; ERR_PROTO when a field is out of its range. */
static enum err convert(Tzcensus__Record *m, struct journal_entry *e)
{
	switch ((int)m->kind_case) {
	case TZCENSUS__RECORD__KIND_START: {
		Tzcensus__CrawlStart *s = m->start;
		if (s->uuid.len != REC_UUID_LEN)
			return ERR_PROTO;
		e->kind = JOURNAL_CRAWL_START;
		memcpy(e->u.start.uuid, s->uuid.data, REC_UUID_LEN);
		e->u.start.started_at_us = s->started_at_us;
		e->u.start.vantage = s->vantage;
		e->u.start.tool_version = s->tool_version;
		e->u.start.config_json = s->config_json;
		e->u.start.seeds_json = s->seeds_json;
		return ERR_OK;
	}
	case TZCENSUS__RECORD__KIND_VISIT: {
		Tzcensus__Visit *s = m->visit;
		struct visit_rec *v = &e->u.visit;
		visit_rec_init(v);
		e->kind = JOURNAL_VISIT;
		v->seq = s->seq;
		v->point = s->point;
		v->started_at_us = s->started_at_us;
		if (!str_ok(s->outcome) ||
		    visit_outcome_parse(s->outcome, strlen(s->outcome), &v->outcome) != ERR_OK)
			return ERR_PROTO;
		v->attempt = s->attempt;
		if (v->attempt == 0)
			return ERR_PROTO;
		v->error = s->error;
#define OPT_I32(f)                                       \
	if (s->has_##f) {                                \
		if (s->f > INT32_MAX)                    \
			return ERR_PROTO;                \
		v->f = (int32_t)s->f;                    \
	}
		OPT_I32(connect_ms)
		OPT_I32(handshake_ms)
		OPT_I32(advertised_port)
		OPT_I32(pow_bits)
		OPT_I32(ddb_version)
		OPT_I32(p2p_version)
#undef OPT_I32
		v->peer_id = s->peer_id;
		if (s->has_public_key) {
			if (s->public_key.len != REC_PUBLIC_KEY_LEN)
				return ERR_PROTO;
			v->public_key = s->public_key.data;
		}
		if (s->has_chain_name) {
			/* A present empty chain name must stay present. */
			v->chain_name = s->chain_name.data ? s->chain_name.data : (const uint8_t *)"";
			v->chain_name_len = s->chain_name.len;
		}
		if (s->has_disable_mempool)
			v->disable_mempool = s->disable_mempool ? 1 : 0;
		if (s->has_private_node)
			v->private_node = s->private_node ? 1 : 0;
		if (s->has_nack_motive)
			v->nack_motive = s->nack_motive;
		if (s->has_head_level != s->has_head_timestamp)
			return ERR_PROTO;
		if (s->has_head_level) {
			v->has_head = true;
			v->head_level = s->head_level;
			v->head_timestamp = s->head_timestamp;
		}
		if (s->has_head_hash) {
			if (!s->has_head_level || s->head_hash.len != REC_BLOCK_HASH_LEN)
				return ERR_PROTO;
			v->head_hash = s->head_hash.data;
		}
		return visit_rec_check(v) == ERR_OK ? ERR_OK : ERR_PROTO;
	}
	case TZCENSUS__RECORD__KIND_ADV: {
		Tzcensus__Advertisement *s = m->adv;
		struct adv_rec *a = &e->u.adv;
		e->kind = JOURNAL_ADV;
		a->seq = s->seq;
		if (!str_ok(s->from_point) || !str_ok(s->to_point) ||
		    point_parse(s->from_point, strlen(s->from_point), &a->from, NULL) != ERR_OK ||
		    point_parse(s->to_point, strlen(s->to_point), &a->to, NULL) != ERR_OK)
			return ERR_PROTO;
		if (!str_ok(s->source) ||
		    adv_source_parse(s->source, strlen(s->source), &a->source) != ERR_OK)
			return ERR_PROTO;
		a->round = s->round;
		a->rank = s->rank;
		a->list_len = s->list_len;
		a->seen_at_us = s->seen_at_us;
		return adv_rec_check(a) == ERR_OK ? ERR_OK : ERR_PROTO;
	}
	case TZCENSUS__RECORD__KIND_END: {
		Tzcensus__CrawlEnd *s = m->end;
		struct crawl_end_rec *c = &e->u.end;
		memset(c, 0, sizeof *c);
		e->kind = JOURNAL_CRAWL_END;
		c->finished_at_us = s->finished_at_us;
		if (!str_ok(s->status) ||
		    crawl_status_parse(s->status, strlen(s->status), &c->status) != ERR_OK)
			return ERR_PROTO;
		for (size_t i = 0; i < s->n_counts; i++) {
			enum visit_outcome o;
			const char *name = s->counts[i]->outcome;
			if (!str_ok(name) || visit_outcome_parse(name, strlen(name), &o) != ERR_OK)
				return ERR_PROTO;
			c->counts[o] += s->counts[i]->n;
		}
		c->points_discovered = s->has_points_discovered ? s->points_discovered : 0;
		return ERR_OK;
	}
	case TZCENSUS__RECORD__KIND_RPC: {
		Tzcensus__RpcVersion *s = m->rpc;
		struct rpc_rec *r = &e->u.rpc;
		rpc_rec_init(r);
		e->kind = JOURNAL_RPC;
		if (s->port == 0 || s->port > 65535)
			return ERR_PROTO;
		r->point = s->point;
		r->port = (uint16_t)s->port;
		r->probed_at_us = s->probed_at_us;
		r->peer_id = s->peer_id;
#define OPT_I32(f)                                       \
	if (s->has_##f) {                                \
		if (s->f > INT32_MAX - 1)                \
			return ERR_PROTO;                \
		r->f = (int32_t)s->f;                    \
	}
		OPT_I32(http_status)
		OPT_I32(major)
		OPT_I32(minor)
#undef OPT_I32
		r->additional_info = s->additional_info;
		r->commit_hash = s->commit_hash;
		r->commit_date = s->commit_date;
		r->error = s->error;
		return rpc_rec_check(r) == ERR_OK ? ERR_OK : ERR_PROTO;
	}
	case TZCENSUS__RECORD__KIND__NOT_SET:
		break;
	}
	return ERR_PROTO;
}

enum err journal_next(struct journal_reader *r, struct journal_entry *e)
{
	memset(e, 0, sizeof *e);
	if (r->msg) {
		tzcensus__record__free_unpacked(r->msg, NULL);
		r->msg = NULL;
	}
	r->why[0] = '\0';
	r->resumable = false;
	enum err st;
	if (r->format == 0) {
		bool empty;
		if ((st = read_file_header(r, &empty)) != ERR_OK)
			return st;
		if (empty) {
			e->kind = JOURNAL_END_OF_FILE;
			return ERR_OK; /* a writer may append more: look again next time */
		}
	}

	/* Is there anything at pos? */
	uint8_t hdr[HDR_LEN];
	const uint8_t *hv;
	bool ioerr;
	size_t k = src_read(r, r->pos, hdr, r->format == 2 ? HDR_LEN : 1, &hv, &ioerr);
	if (ioerr)
		return io_fail(r);
	if (k == 0) {
		e->kind = JOURNAL_END_OF_FILE;
		e->offset = r->pos;
		e->index = r->index;
		return ERR_OK;
	}

	const uint8_t *body = NULL;
	uint64_t len, frame;
	if (r->format == 2) {
		if (k < HDR_LEN) {
			char d[64];
			snprintf(d, sizeof d, "header cut after %zu of %d bytes", k, HDR_LEN);
			return fail_at(r, ERR_AGAIN, d);
		}
		uint32_t n32;
		if (!hdr_ok(hv, &n32))
			return resync(r);
		len = n32;
		frame = HDR_LEN + len;
		uint32_t want = be32_get(hv + 4);
		if ((st = body_read(r, r->pos + HDR_LEN, len, &body)) != ERR_OK)
			return st;
		if (journal_crc32c(body, (size_t)len) != want)
			return skip_corrupt(r, frame, "body checksum mismatch");
	} else {
		if ((st = frame_v1(r, &body, &len, &frame)) != ERR_OK)
			return st;
		if ((st = body_read(r, r->pos + (frame - len), len, &body)) != ERR_OK)
			return st;
	}
	r->msg = tzcensus__record__unpack(NULL, (size_t)len, body);
	if (!r->msg) {
		char d[96];
		snprintf(d, sizeof d, "protobuf does not decode (%llu bytes)", (unsigned long long)len);
		return r->format == 2 ? skip_corrupt(r, frame, d) : fail_at(r, ERR_PROTO, d);
	}
	st = convert(r->msg, e);
	if (st != ERR_OK) {
		tzcensus__record__free_unpacked(r->msg, NULL);
		r->msg = NULL;
		memset(e, 0, sizeof *e);
		const char *d = "a field is missing or out of range";
		return r->format == 2 ? skip_corrupt(r, frame, d) : fail_at(r, ERR_PROTO, d);
	}
	e->offset = r->pos;
	e->index = r->index;
	r->pos += frame;
	r->index++;
	return ERR_OK;
}
