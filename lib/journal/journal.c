/*
 * journal writer — appends checksummed length-prefixed protobuf records,
 * written at every loop iteration and fsync'd at batch boundaries (the
 * caller adds a timer); the record frame is in journal_int.h. Also the
 * CRC-32C both sides use. The reader, which also reads format 1 and steps
 * over damage, is journal_read.c: the writer only writes format 2, and
 * uses the reader alone to check an existing file before appending to it.
 */
#include "journal/journal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "journal/journal_int.h"
#include "tzcensus.pb-c.h"

#define JOURNAL_BUF_MAX (64u << 20) /* buffered bytes while writes keep failing */

const uint8_t journal_file_magic[FILE_HDR_LEN] = {0x00, 't', 'z', 'j',
						   'o',  'u', 'r', FORMAT_VERSION};

/* ---- CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) --------------- */

uint32_t journal_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
	}
	return ~c;
}

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- writer ----------------------------------------------------------- */

struct journal_writer {
	int fd;
	char *path;
	unsigned sync_every;
	unsigned since_sync;
	uint64_t records;
	uint8_t *buf;
	size_t len, cap;
	char error[256];
};

static void set_error(struct journal_writer *w, const char *what, int errnum)
{
	snprintf(w->error, sizeof w->error, "journal: %s %s: %s", what, w->path, strerror(errnum));
}

/* Writes the buffer out; keeps what could not be written. */
static enum err flush_buf(struct journal_writer *w)
{
	size_t off = 0;
	while (off < w->len) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			set_error(w, "write", errno);
			memmove(w->buf, w->buf + off, w->len - off);
			w->len -= off;
			return ERR_IO;
		}
		off += (size_t)n;
	}
	w->len = 0;
	return ERR_OK;
}

enum err journal_flush(struct journal_writer *w)
{
	if (!w)
		return ERR_INVAL;
	return flush_buf(w);
}

unsigned journal_unsynced(const struct journal_writer *w)
{
	return w ? w->since_sync : 0;
}

enum err journal_sync(struct journal_writer *w)
{
	if (!w)
		return ERR_INVAL;
	enum err e = flush_buf(w);
	if (e != ERR_OK)
		return e;
	if (fsync(w->fd) != 0) {
		set_error(w, "fsync", errno);
		return ERR_IO;
	}
	w->since_sync = 0;
	return ERR_OK;
}

static enum err append_record(struct journal_writer *w, const Tzcensus__Record *rec, bool sync)
{
	size_t n = tzcensus__record__get_packed_size(rec);
	if (n > JOURNAL_RECORD_MAX)
		return ERR_TOOBIG;
	size_t need = w->len + n + HDR_LEN;
	if (need > JOURNAL_BUF_MAX)
		return ERR_FULL;
	if (need > w->cap) {
		size_t cap = grow_cap(w->cap, need, 65536, SIZE_MAX);
		uint8_t *nb = realloc(w->buf, cap);
		if (!nb)
			return ERR_NOMEM;
		w->buf = nb;
		w->cap = cap;
	}
	uint8_t *h = w->buf + w->len;
	size_t packed = tzcensus__record__pack(rec, h + HDR_LEN);
	assert(packed == n && n >= 1);
	be32_put(h, (uint32_t)n);
	be32_put(h + 4, journal_crc32c(h + HDR_LEN, n));
	be32_put(h + 8, journal_crc32c(h, 8));
	w->len += HDR_LEN + n;
	w->records++;
	if (sync || ++w->since_sync >= w->sync_every)
		return journal_sync(w);
	return ERR_OK;
}

static enum err scan_existing(struct journal_writer *w, struct journal_open_info *info,
			      char *err, size_t err_cap)
{
	struct journal_reader *r = journal_reader_open(w->path, err, err_cap);
	if (!r)
		return ERR_IO;
	struct journal_entry e;
	enum err st;
	while ((st = journal_next(r, &e)) == ERR_OK && e.kind != JOURNAL_END_OF_FILE)
		info->records++;
	info->kept_len = journal_reader_offset(r);
	if (journal_reader_format(r) == 1) {
		snprintf(err, err_cap,
			 "journal: %s: format 1 (written before record checksums): load it with "
			 "--replay and give this crawl a new journal file",
			 w->path);
		st = ERR_PROTO;
	} else if (st == ERR_AGAIN) {
		struct stat sb;
		if (fstat(w->fd, &sb) == 0)
			info->cut_len = (uint64_t)sb.st_size - info->kept_len;
		if (ftruncate(w->fd, (off_t)info->kept_len) != 0) {
			snprintf(err, err_cap, "journal: truncate %s: %s", w->path, strerror(errno));
			st = ERR_IO;
		} else {
			st = ERR_OK;
		}
	} else if (st != ERR_OK) {
		snprintf(err, err_cap, "journal: %s: %s", w->path, journal_reader_why(r));
	}
	journal_reader_free(r);
	return st;
}

struct journal_writer *journal_open(const char *path, unsigned sync_every,
				    struct journal_open_info *info, char *err, size_t err_cap)
{
	struct journal_open_info dummy;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	struct journal_writer *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, err_cap, "journal: out of memory");
		return NULL;
	}
	w->fd = -1;
	w->sync_every = sync_every ? sync_every : JOURNAL_SYNC_EVERY_DEFAULT;
	w->path = strdup(path);
	if (!w->path) {
		snprintf(err, err_cap, "journal: out of memory");
		goto fail;
	}
	bool existed = access(path, F_OK) == 0;
	w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		snprintf(err, err_cap, "journal: open %s: %s", path, strerror(errno));
		goto fail;
	}
	if (existed) {
		if (scan_existing(w, info, err, err_cap) != ERR_OK)
			goto fail;
	}
	if (info->kept_len == 0) {
		/* A new or empty file (or one torn inside its header): the header first. */
		w->buf = malloc(65536);
		if (!w->buf) {
			snprintf(err, err_cap, "journal: out of memory");
			goto fail;
		}
		w->cap = 65536;
		memcpy(w->buf, journal_file_magic, FILE_HDR_LEN);
		w->len = FILE_HDR_LEN;
		if (journal_sync(w) != ERR_OK) {
			snprintf(err, err_cap, "%s", w->error);
			goto fail;
		}
	}
	if (!existed) {
		/* Make the new name durable too. */
		char *dup = strdup(path);
		if (dup) {
			int dfd = open(dirname(dup), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				(void)fsync(dfd);
				close(dfd);
			}
			free(dup);
		}
	}
	return w;
fail:
	if (w->fd >= 0)
		close(w->fd);
	free(w->buf);
	free(w->path);
	free(w);
	return NULL;
}

const char *journal_error(const struct journal_writer *w)
{
	return w ? w->error : "";
}

uint64_t journal_records(const struct journal_writer *w)
{
	return w ? w->records : 0;
}

enum err journal_close(struct journal_writer *w)
{
	if (!w)
		return ERR_OK;
	enum err e = journal_sync(w);
	if (close(w->fd) != 0 && e == ERR_OK)
		e = ERR_IO;
	free(w->buf);
	free(w->path);
	free(w);
	return e;
}

enum err journal_crawl_start(struct journal_writer *w, const struct crawl_rec *c)
{
	if (!w || !c)
		return ERR_INVAL;
	Tzcensus__CrawlStart s = TZCENSUS__CRAWL_START__INIT;
	s.uuid.data = (uint8_t *)c->uuid;
	s.uuid.len = REC_UUID_LEN;
	s.started_at_us = c->started_at_us;
	s.vantage = (char *)c->vantage;
	s.tool_version = (char *)c->tool_version;
	s.config_json = (char *)c->config_json;
	s.seeds_json = (char *)c->seeds_json;
	Tzcensus__Record rec = TZCENSUS__RECORD__INIT;
	rec.kind_case = TZCENSUS__RECORD__KIND_START;
	rec.start = &s;
	/* The start of a crawl is a batch boundary: sync it at once. */
	return append_record(w, &rec, true);
}

enum err journal_visit(struct journal_writer *w, const struct visit_rec *v)
{
	if (!w || visit_rec_check(v) != ERR_OK)
		return ERR_INVAL;
	Tzcensus__Visit m = TZCENSUS__VISIT__INIT;
	m.seq = v->seq;
	m.point = (char *)v->point;
	m.started_at_us = v->started_at_us;
	m.outcome = (char *)visit_outcome_str(v->outcome);
	m.has_attempt = true;
	m.attempt = v->attempt;
	m.error = (char *)v->error;
#define OPT_U32(f)                          \
	if (v->f != REC_ABSENT_I32) {       \
		m.has_##f = true;           \
		m.f = (uint32_t)v->f;       \
	}
	OPT_U32(connect_ms)
	OPT_U32(handshake_ms)
	OPT_U32(advertised_port)
	OPT_U32(pow_bits)
	OPT_U32(ddb_version)
	OPT_U32(p2p_version)
#undef OPT_U32
	m.peer_id = (char *)v->peer_id;
	if (v->public_key) {
		m.has_public_key = true;
		m.public_key.data = (uint8_t *)v->public_key;
		m.public_key.len = REC_PUBLIC_KEY_LEN;
	}
	if (v->chain_name) {
		m.has_chain_name = true;
		m.chain_name.data = (uint8_t *)v->chain_name;
		m.chain_name.len = v->chain_name_len;
	}
	if (v->disable_mempool != REC_BOOL_ABSENT) {
		m.has_disable_mempool = true;
		m.disable_mempool = v->disable_mempool == 1;
	}
	if (v->private_node != REC_BOOL_ABSENT) {
		m.has_private_node = true;
		m.private_node = v->private_node == 1;
	}
	if (v->nack_motive != REC_NACK_MOTIVE_ABSENT) {
		m.has_nack_motive = true;
		m.nack_motive = v->nack_motive;
	}
	if (v->has_head) {
		m.has_head_level = m.has_head_timestamp = true;
		m.head_level = v->head_level;
		m.head_timestamp = v->head_timestamp;
		if (v->head_hash) {
			m.has_head_hash = true;
			m.head_hash.data = (uint8_t *)v->head_hash;
			m.head_hash.len = REC_BLOCK_HASH_LEN;
		}
	}
	Tzcensus__Record rec = TZCENSUS__RECORD__INIT;
	rec.kind_case = TZCENSUS__RECORD__KIND_VISIT;
	rec.visit = &m;
	return append_record(w, &rec, false);
}

enum err journal_adv(struct journal_writer *w, const struct adv_rec *a)
{
	if (!w || adv_rec_check(a) != ERR_OK)
		return ERR_INVAL;
	Tzcensus__Advertisement m = TZCENSUS__ADVERTISEMENT__INIT;
	char from[POINT_FMT_CAP], to[POINT_FMT_CAP];
	point_format(&a->from, from, sizeof from);
	point_format(&a->to, to, sizeof to);
	m.seq = a->seq;
	m.from_point = from;
	m.to_point = to;
	m.source = (char *)adv_source_str(a->source);
	m.round = a->round;
	m.rank = a->rank;
	m.list_len = a->list_len;
	m.seen_at_us = a->seen_at_us;
	Tzcensus__Record rec = TZCENSUS__RECORD__INIT;
	rec.kind_case = TZCENSUS__RECORD__KIND_ADV;
	rec.adv = &m;
	return append_record(w, &rec, false);
}

enum err journal_rpc(struct journal_writer *w, const struct rpc_rec *r)
{
	if (!w || rpc_rec_check(r) != ERR_OK)
		return ERR_INVAL;
	Tzcensus__RpcVersion m = TZCENSUS__RPC_VERSION__INIT;
	m.point = (char *)r->point;
	m.port = r->port;
	m.probed_at_us = r->probed_at_us;
	m.peer_id = (char *)r->peer_id;
#define OPT_U32(f)                        \
	if (r->f != REC_ABSENT_I32) {     \
		m.has_##f = true;         \
		m.f = (uint32_t)r->f;     \
	}
	OPT_U32(http_status)
	OPT_U32(major)
	OPT_U32(minor)
#undef OPT_U32
	m.additional_info = (char *)r->additional_info;
	m.commit_hash = (char *)r->commit_hash;
	m.commit_date = (char *)r->commit_date;
	m.error = (char *)r->error;
	Tzcensus__Record rec = TZCENSUS__RECORD__INIT;
	rec.kind_case = TZCENSUS__RECORD__KIND_RPC;
	rec.rpc = &m;
	return append_record(w, &rec, false);
}

enum err journal_crawl_end(struct journal_writer *w, const struct crawl_end_rec *e)
{
	if (!w || !e || (unsigned)e->status >= CRAWL_STATUS_N)
		return ERR_INVAL;
	Tzcensus__CrawlEnd m = TZCENSUS__CRAWL_END__INIT;
	Tzcensus__OutcomeCount counts[VISIT_OUTCOME_N];
	Tzcensus__OutcomeCount *ptrs[VISIT_OUTCOME_N];
	for (int i = 0; i < VISIT_OUTCOME_N; i++) {
		Tzcensus__OutcomeCount c = TZCENSUS__OUTCOME_COUNT__INIT;
		c.outcome = (char *)visit_outcome_str((enum visit_outcome)i);
		c.n = e->counts[i];
		counts[i] = c;
		ptrs[i] = &counts[i];
	}
	m.finished_at_us = e->finished_at_us;
	m.status = (char *)crawl_status_str(e->status);
	m.n_counts = VISIT_OUTCOME_N;
	m.counts = ptrs;
	m.has_points_discovered = true;
	m.points_discovered = e->points_discovered;
	Tzcensus__Record rec = TZCENSUS__RECORD__INIT;
	rec.kind_case = TZCENSUS__RECORD__KIND_END;
	rec.end = &m;
	return append_record(w, &rec, true);
}

