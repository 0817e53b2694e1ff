/*
 * journal — checksummed length-prefixed protobuf records, written at every
 * loop iteration and fsync'd at batch boundaries (the caller adds a timer).
 *
 * Format 2 (what this writer writes):
 *
 *   file header, 8 bytes: 00 74 7a 6a 6f 75 72 02  ("\0tzjour", version 2)
 *   then records, one after another:
 *     offset  size  field
 *     0       4     n, the body's length, big-endian, 1..JOURNAL_RECORD_MAX
 *     4       4     CRC-32C of the body, big-endian
 *     8       4     CRC-32C of bytes 0..7 (the header checks itself)
 *     12      n     body: one tzcensus.Record (protobuf)
 *
 * Format 1 (before checksums): no file header; a varint length, then the
 * body. Still read (old journals replay), never appended to. A format-1 file
 * cannot start with 0x00 (an empty record, which it refuses), so the first
 * byte tells the formats apart; a format-1 reader refuses a format-2 file
 * as a corrupt record at offset 0.
 *
 * Why two checksums: the body's CRC catches a record whose bytes were
 * flipped but still decode; the header's own CRC makes its length
 * trustworthy, so a damaged body is skipped exactly, and a damaged header is
 * skipped by looking for the next offset whose 12 bytes check (a false match
 * has odds 2^-32 per offset). A torn write at a crash can only cut the last
 * record, which the reader tells from damage by its length: the bytes end
 * before the record does. Why CRC-32C: it detects every burst of up to 32
 * flipped bits and is a few lines of code; the journal defends against
 * faulty disks and crashes, not against someone who edits it on purpose.
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
#include "tzcensus.pb-c.h"

#define JOURNAL_BUF_MAX (64u << 20) /* buffered bytes while writes keep failing */
#define HDR_LEN 12                  /* a format-2 record's header */
#define FILE_HDR_LEN 8
#define FORMAT_VERSION 2

static const uint8_t file_magic[FILE_HDR_LEN] = {0x00, 't', 'z', 'j',
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
		memcpy(w->buf, file_magic, FILE_HDR_LEN);
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
	if (memcmp(v, file_magic, same) != 0) {
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
