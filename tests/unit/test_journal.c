/* lib/journal: round trip, truncation at every byte of the last record, corruption, append. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal/journal.h"
#include "recfix.h"

#define NV 40
#define NA 90

static char dir[] = "/tmp/tzj_XXXXXX";

static void path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void crawl_fixture(struct crawl_rec *c)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < REC_UUID_LEN; i++)
		c->uuid[i] = (uint8_t)(0xa0 + i);
	c->started_at_us = 1764000000123456LL;
	c->vantage = "test-vantage";
	c->tool_version = "tzcensus 0.1";
	c->config_json = "{\"concurrency\": 10}";
	c->seeds_json = "[\"127.0.0.1:9732\"]";
}

static void end_fixture(struct crawl_end_rec *e)
{
	memset(e, 0, sizeof *e);
	e->finished_at_us = 1764000099000000LL;
	e->status = CRAWL_FINISHED;
	for (int i = 0; i < VISIT_OUTCOME_N; i++)
		e->counts[i] = (uint64_t)i * 3 + 1;
	e->points_discovered = 1234;
}

/* Writes a whole crawl: start, NV visits interleaved with NA advs, end. */
static void write_crawl(const char *path, unsigned sync_every)
{
	char err[256];
	struct journal_writer *w = journal_open(path, sync_every, NULL, err, sizeof err);
	assert_non_null(w);
	struct crawl_rec c;
	crawl_fixture(&c);
	assert_int_equal(journal_crawl_start(w, &c), ERR_OK);
	unsigned ai = 0;
	for (unsigned i = 0; i < NV; i++) {
		struct visit_rec v;
		char pb[REC_POINT_TEXT_MAX];
		recfix_visit(&v, i, pb, sizeof pb);
		assert_int_equal(journal_visit(w, &v), ERR_OK);
		for (; ai < NA && ai / 4 <= i; ai++) {
			struct adv_rec a;
			char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
			recfix_adv(&a, ai, fb, tb, sizeof fb);
			assert_int_equal(journal_adv(w, &a), ERR_OK);
		}
	}
	for (; ai < NA; ai++) {
		struct adv_rec a;
		char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
		recfix_adv(&a, ai, fb, tb, sizeof fb);
		assert_int_equal(journal_adv(w, &a), ERR_OK);
	}
	struct crawl_end_rec e;
	end_fixture(&e);
	assert_int_equal(journal_crawl_end(w, &e), ERR_OK);
	assert_int_equal(journal_records(w), 2 + NV + NA);
	assert_int_equal(journal_close(w), ERR_OK);
}

/* Reads everything, checks every record against the fixtures. Returns the final status. */
static enum err check_read(struct journal_reader *r, unsigned *n_out, bool *saw_end)
{
	unsigned n = 0, nv = 0, na = 0;
	*saw_end = false;
	struct journal_entry e;
	enum err st;
	while ((st = journal_next(r, &e)) == ERR_OK && e.kind != JOURNAL_END_OF_FILE) {
		assert_int_equal(e.index, n);
		switch (e.kind) {
		case JOURNAL_CRAWL_START: {
			struct crawl_rec c;
			crawl_fixture(&c);
			nv = na = 0;
			assert_memory_equal(e.u.start.uuid, c.uuid, REC_UUID_LEN);
			assert_true(e.u.start.started_at_us == c.started_at_us);
			assert_string_equal(e.u.start.vantage, c.vantage);
			assert_string_equal(e.u.start.tool_version, c.tool_version);
			assert_string_equal(e.u.start.config_json, c.config_json);
			assert_string_equal(e.u.start.seeds_json, c.seeds_json);
			break;
		}
		case JOURNAL_VISIT: {
			struct visit_rec v;
			char pb[REC_POINT_TEXT_MAX];
			recfix_visit(&v, nv++, pb, sizeof pb);
			assert_true(recfix_visit_eq(&v, &e.u.visit));
			break;
		}
		case JOURNAL_ADV: {
			struct adv_rec a;
			char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
			recfix_adv(&a, na++, fb, tb, sizeof fb);
			assert_true(recfix_adv_eq(&a, &e.u.adv));
			break;
		}
		case JOURNAL_CRAWL_END: {
			struct crawl_end_rec x;
			end_fixture(&x);
			assert_memory_equal(&x, &e.u.end, sizeof x);
			*saw_end = true;
			break;
		}
		case JOURNAL_RPC:
		case JOURNAL_END_OF_FILE:
			fail();
		}
		n++;
	}
	*n_out = n;
	return st;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void test_round_trip(void **state)
{
	(void)state;
	char p[256];
	path_in_dir(p, sizeof p, "rt.journal");
	write_crawl(p, 7);
	char err[256];
	struct journal_reader *r = journal_reader_open(p, err, sizeof err);
	assert_non_null(r);
	unsigned n;
	bool end;
	assert_int_equal(check_read(r, &n, &end), ERR_OK);
	assert_int_equal(n, 2 + NV + NA);
	assert_true(end);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(journal_reader_offset(r), (uint64_t)sb.st_size);
	/* At the end it stays at the end. */
	struct journal_entry e;
	assert_int_equal(journal_next(r, &e), ERR_OK);
	assert_int_equal(e.kind, JOURNAL_END_OF_FILE);
	journal_reader_free(r);
	unlink(p);
}

/* Cut the file at every byte offset inside the last record. */
static void test_truncated_every_offset(void **state)
{
	(void)state;
	char p[256];
	path_in_dir(p, sizeof p, "cut.journal");
	write_crawl(p, 0);
	size_t len;
	uint8_t *buf = slurp(p, &len);
	/* Find where the last record starts. */
	struct journal_reader *r = journal_reader_mem(buf, len);
	struct journal_entry e;
	uint64_t last = 0;
	while (journal_next(r, &e) == ERR_OK && e.kind != JOURNAL_END_OF_FILE)
		last = e.offset;
	journal_reader_free(r);
	assert_true(last > 0 && last < len);
	for (size_t cut = (size_t)last; cut < len; cut++) {
		r = journal_reader_mem(buf, cut);
		unsigned n;
		bool end;
		enum err st = check_read(r, &n, &end);
		assert_int_equal(n, 1 + NV + NA); /* everything but the last record */
		assert_false(end);
		if (cut == last) {
			assert_int_equal(st, ERR_OK); /* a clean boundary */
		} else {
			assert_int_equal(st, ERR_AGAIN);
			assert_non_null(strstr(journal_reader_why(r), "truncated record"));
			assert_int_equal(journal_reader_offset(r), last);
			/* Asking again gives the same answer. */
			assert_int_equal(journal_next(r, &e), ERR_AGAIN);
		}
		journal_reader_free(r);
	}
	/* The same through a real file, for a few cuts. */
	/* Descending: truncate() to a larger size would pad with zeros. */
	for (size_t cut = len - 1; cut > (size_t)last; cut -= cut > 3 ? 3 : cut) {
		assert_int_equal(truncate(p, (off_t)cut), 0);
		char err[256];
		r = journal_reader_open(p, err, sizeof err);
		assert_non_null(r);
		unsigned n;
		bool end;
		assert_int_equal(check_read(r, &n, &end), ERR_AGAIN);
		assert_int_equal(n, 1 + NV + NA);
		journal_reader_free(r);
	}
	free(buf);
	unlink(p);
}

/* Opening a torn journal for append cuts the torn record and appends after it. */
static void test_append_after_tear(void **state)
{
	(void)state;
	char p[256], err[256];
	path_in_dir(p, sizeof p, "tear.journal");
	write_crawl(p, 0);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(truncate(p, sb.st_size - 5), 0);
	struct journal_open_info info;
	struct journal_writer *w = journal_open(p, 0, &info, err, sizeof err);
	assert_non_null(w);
	assert_int_equal(info.records, 1 + NV + NA);
	assert_true(info.cut_len > 0);
	assert_int_equal(info.kept_len + info.cut_len, (uint64_t)sb.st_size - 5);
	struct crawl_end_rec e;
	end_fixture(&e);
	assert_int_equal(journal_crawl_end(w, &e), ERR_OK);
	assert_int_equal(journal_close(w), ERR_OK);
	struct journal_reader *r = journal_reader_open(p, err, sizeof err);
	unsigned n;
	bool end;
	assert_int_equal(check_read(r, &n, &end), ERR_OK);
	assert_int_equal(n, 2 + NV + NA);
	assert_true(end);
	journal_reader_free(r);
	/* A clean journal reopened: nothing cut. */
	w = journal_open(p, 0, &info, err, sizeof err);
	assert_non_null(w);
	assert_int_equal(info.cut_len, 0);
	assert_int_equal(info.records, 2 + NV + NA);
	assert_int_equal(journal_close(w), ERR_OK);
	unlink(p);
}

/* Offset of record idx (by reading), or 0. */
static uint64_t offset_of(const uint8_t *buf, size_t len, uint64_t idx)
{
	struct journal_reader *r = journal_reader_mem(buf, len);
	struct journal_entry e;
	uint64_t off = 0;
	while (journal_next(r, &e) == ERR_OK && e.kind != JOURNAL_END_OF_FILE)
		if (e.index == idx)
			off = e.offset;
	journal_reader_free(r);
	return off;
}

/*
 * Reads on over damaged records, checking every record it yields against the
 * fixtures by its seq. Returns the final status; *n records yielded,
 * *skipped the ERR_PROTO steps.
 */
static char last_skip[200]; /* journal_reader_why() of read_on()'s last skip */

static enum err read_on(struct journal_reader *r, unsigned *n, unsigned *skipped)
{
	struct journal_entry e;
	enum err st;
	*n = *skipped = 0;
	for (;;) {
		st = journal_next(r, &e);
		if (st == ERR_PROTO && journal_reader_resumable(r)) {
			(*skipped)++;
			assert_non_null(strstr(journal_reader_why(r), "corrupt record at offset"));
			snprintf(last_skip, sizeof last_skip, "%s", journal_reader_why(r));
			continue;
		}
		if (st != ERR_OK || e.kind == JOURNAL_END_OF_FILE)
			return st;
		(*n)++;
		if (e.kind == JOURNAL_VISIT) {
			struct visit_rec v;
			char pb[REC_POINT_TEXT_MAX];
			recfix_visit(&v, (unsigned)e.u.visit.seq - 1, pb, sizeof pb);
			assert_true(recfix_visit_eq(&v, &e.u.visit));
		} else if (e.kind == JOURNAL_ADV) {
			struct adv_rec a;
			char fb[REC_POINT_TEXT_MAX], tb[REC_POINT_TEXT_MAX];
			recfix_adv(&a, (unsigned)e.u.adv.seq - 1, fb, tb, sizeof fb);
			assert_true(recfix_adv_eq(&a, &e.u.adv));
		}
	}
}

/*
 * One flipped byte anywhere in a record — its 12-byte header or its body,
 * even where the body would still decode — is caught by a checksum: that
 * record alone is skipped and counted, every other one is read.
 */
static void test_flipped_byte(void **state)
{
	(void)state;
	char p[256];
	path_in_dir(p, sizeof p, "flip.journal");
	write_crawl(p, 0);
	size_t len;
	uint8_t *buf = slurp(p, &len);
	uint64_t off5 = offset_of(buf, len, 5), off6 = offset_of(buf, len, 6);
	assert_true(off5 > 0 && off6 > off5);
	uint8_t *bad = malloc(len);
	assert_non_null(bad);
	for (uint64_t at = off5; at < off6; at++) {
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(bad, buf, len);
			bad[at] ^= (uint8_t)(1u << bit);
			struct journal_reader *r = journal_reader_mem(bad, len);
			unsigned n, skipped;
			assert_int_equal(read_on(r, &n, &skipped), ERR_OK);
			assert_int_equal(skipped, 1);
			assert_int_equal(n, 2 + NV + NA - 1);
			assert_int_equal(journal_reader_corrupt(r), 1);
			assert_int_equal(journal_reader_offset(r), len);
			journal_reader_free(r);
		}
	}
	/* A flip the old format could not see: a visit's seq 6 -> 7 still decodes. */
	memcpy(bad, buf, len);
	struct journal_reader *r = journal_reader_mem(bad, len);
	struct journal_entry e;
	uint64_t voff = 0;
	while (journal_next(r, &e) == ERR_OK && e.kind != JOURNAL_END_OF_FILE)
		if (e.kind == JOURNAL_VISIT && e.u.visit.seq == 6)
			voff = e.offset;
	journal_reader_free(r);
	assert_true(voff > 0);
	/* Record body: Record.visit (tag 0x12, length), then Visit.seq (0x08, 6). */
	uint8_t *body = bad + voff + 12;
	size_t k = 0;
	while (k < 8 && !(body[k] == 0x08 && body[k + 1] == 6))
		k++;
	assert_true(k < 8);
	body[k + 1] = 7;
	r = journal_reader_mem(bad, len);
	unsigned n, skipped;
	assert_int_equal(read_on(r, &n, &skipped), ERR_OK);
	assert_int_equal(skipped, 1);
	assert_non_null(strstr(last_skip, "body checksum mismatch"));
	assert_int_equal(n, 2 + NV + NA - 1); /* the visit with seq 6 (now 7) is not yielded */
	journal_reader_free(r);
	/* Through a real file too. */
	FILE *f = fopen(p, "wb");
	assert_int_equal(fwrite(bad, 1, len, f), len);
	fclose(f);
	char err[256];
	r = journal_reader_open(p, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(read_on(r, &n, &skipped), ERR_OK);
	assert_int_equal(skipped, 1);
	assert_int_equal(n, 2 + NV + NA - 1);
	journal_reader_free(r);
	free(bad);
	free(buf);
	unlink(p);
}

static void test_corrupt_middle(void **state)
{
	(void)state;
	char p[256], err[256];
	path_in_dir(p, sizeof p, "bad.journal");
	write_crawl(p, 0);
	size_t len;
	uint8_t *buf = slurp(p, &len);
	uint64_t off5 = offset_of(buf, len, 5);
	uint8_t *bad = malloc(len + 64);
	assert_non_null(bad);

	/* Garbage inserted between two records: skipped to the next valid header. */
	memcpy(bad, buf, off5);
	memset(bad + off5, 0x5a, 40);
	memcpy(bad + off5 + 40, buf + off5, len - off5);
	struct journal_reader *r = journal_reader_mem(bad, len + 40);
	unsigned n, skipped;
	assert_int_equal(read_on(r, &n, &skipped), ERR_OK);
	assert_int_equal(skipped, 1);
	assert_int_equal(n, 2 + NV + NA);
	assert_non_null(strstr(last_skip, "40 bytes skipped"));
	journal_reader_free(r);

	/* A huge length whose header checks: not trusted (above the maximum). */
	memcpy(bad, buf, len);
	uint8_t *h = bad + off5;
	h[0] = 0x7f;
	uint32_t c = journal_crc32c(h, 8);
	h[8] = (uint8_t)(c >> 24), h[9] = (uint8_t)(c >> 16), h[10] = (uint8_t)(c >> 8), h[11] = (uint8_t)c;
	r = journal_reader_mem(bad, len);
	assert_int_equal(read_on(r, &n, &skipped), ERR_OK);
	assert_int_equal(skipped, 1);
	assert_int_equal(n, 2 + NV + NA - 1);
	journal_reader_free(r);

	/* Damage to the end of the file: skipped and counted, then the end. */
	memcpy(bad, buf, len);
	memset(bad + off5, 0xee, len - off5);
	r = journal_reader_mem(bad, len);
	assert_int_equal(read_on(r, &n, &skipped), ERR_OK);
	assert_int_equal(skipped, 1);
	assert_int_equal(n, 5);
	assert_non_null(strstr(last_skip, "no valid record after it"));
	journal_reader_free(r);

	/* The writer refuses to append to a file damaged in the middle. */
	memcpy(bad, buf, len);
	bad[off5 + 20] ^= 0x10;
	FILE *f = fopen(p, "wb");
	fwrite(bad, 1, len, f);
	fclose(f);
	assert_null(journal_open(p, 0, NULL, err, sizeof err));
	assert_non_null(strstr(err, "corrupt record at offset"));

	/* Not a journal; a format version from the future. */
	static const uint8_t notj[8] = {0, 'n', 'o', 'p', 'e', '!', '!', 2};
	r = journal_reader_mem(notj, sizeof notj);
	struct journal_entry e;
	assert_int_equal(journal_next(r, &e), ERR_PROTO);
	assert_false(journal_reader_resumable(r));
	assert_non_null(strstr(journal_reader_why(r), "not a tzcensus journal"));
	journal_reader_free(r);
	memcpy(bad, buf, len);
	bad[7] = 3;
	r = journal_reader_mem(bad, len);
	assert_int_equal(journal_next(r, &e), ERR_PROTO);
	assert_non_null(strstr(journal_reader_why(r), "format version 3"));
	journal_reader_free(r);
	f = fopen(p, "wb");
	fwrite(bad, 1, len, f);
	fclose(f);
	assert_null(journal_open(p, 0, NULL, err, sizeof err));
	assert_non_null(strstr(err, "format version 3"));
	free(bad);
	free(buf);
	unlink(p);
}

/* The same records in format 1 (before checksums): varint length + body. */
static uint8_t *to_format1(const uint8_t *v2, size_t len, size_t *out_len)
{
	uint8_t *o = malloc(len);
	assert_non_null(o);
	size_t i = 8, n = 0;
	while (i < len) {
		uint32_t bl = (uint32_t)v2[i] << 24 | (uint32_t)v2[i + 1] << 16 | (uint32_t)v2[i + 2] << 8 |
			      v2[i + 3];
		uint32_t x = bl;
		while (x >= 0x80) {
			o[n++] = (uint8_t)(x | 0x80);
			x >>= 7;
		}
		o[n++] = (uint8_t)x;
		memcpy(o + n, v2 + i + 12, bl);
		n += bl;
		i += 12 + bl;
	}
	*out_len = n;
	return o;
}

/* Old journals replay: format 1 is read as before, but never appended to. */
static void test_format1(void **state)
{
	(void)state;
	char p[256], err[256];
	path_in_dir(p, sizeof p, "old.journal");
	write_crawl(p, 0);
	size_t len, len1;
	uint8_t *buf = slurp(p, &len);
	uint8_t *old = to_format1(buf, len, &len1);
	assert_true(old[0] != 0); /* a varint, not the file header */
	struct journal_reader *r = journal_reader_mem(old, len1);
	unsigned n;
	bool end;
	assert_int_equal(check_read(r, &n, &end), ERR_OK);
	assert_int_equal(n, 2 + NV + NA);
	assert_true(end);
	assert_int_equal(journal_reader_format(r), 1);
	journal_reader_free(r);
	/* A damaged old record cannot be stepped over: the reader stops there. */
	uint64_t off5 = offset_of(old, len1, 5);
	old[off5 + 1] = 0xff; /* the Record's first tag */
	r = journal_reader_mem(old, len1);
	assert_int_equal(check_read(r, &n, &end), ERR_PROTO);
	assert_int_equal(n, 5);
	assert_false(journal_reader_resumable(r));
	journal_reader_free(r);
	FILE *f = fopen(p, "wb");
	assert_int_equal(fwrite(old, 1, off5, f), off5);
	fclose(f);
	assert_null(journal_open(p, 0, NULL, err, sizeof err));
	assert_non_null(strstr(err, "format 1 (written before record checksums)"));
	assert_non_null(strstr(err, "--replay"));
	free(old);
	free(buf);
	unlink(p);
}

/* A file torn inside its own header (a crash at creation) is started again. */
static void test_torn_file_header(void **state)
{
	(void)state;
	char p[256], err[256];
	path_in_dir(p, sizeof p, "hdr.journal");
	static const uint8_t part[5] = {0, 't', 'z', 'j', 'o'};
	FILE *f = fopen(p, "wb");
	fwrite(part, 1, sizeof part, f);
	fclose(f);
	struct journal_reader *r = journal_reader_open(p, err, sizeof err);
	struct journal_entry e;
	assert_int_equal(journal_next(r, &e), ERR_AGAIN);
	assert_non_null(strstr(journal_reader_why(r), "truncated file header"));
	journal_reader_free(r);
	struct journal_open_info info;
	struct journal_writer *w = journal_open(p, 0, &info, err, sizeof err);
	assert_non_null(w);
	assert_int_equal(info.cut_len, sizeof part);
	struct crawl_rec c;
	crawl_fixture(&c);
	assert_int_equal(journal_crawl_start(w, &c), ERR_OK);
	assert_int_equal(journal_close(w), ERR_OK);
	r = journal_reader_open(p, err, sizeof err);
	assert_int_equal(journal_next(r, &e), ERR_OK);
	assert_int_equal(e.kind, JOURNAL_CRAWL_START);
	assert_int_equal(e.offset, 8);
	assert_int_equal(journal_reader_format(r), 2);
	journal_reader_free(r);
	unlink(p);
}

static void test_crc32c(void **state)
{
	(void)state;
	/* The check value of CRC-32C (RFC 3720 appendix B.4 uses the same polynomial). */
	assert_int_equal(journal_crc32c((const uint8_t *)"123456789", 9), 0xe3069283u);
	assert_int_equal(journal_crc32c(NULL, 0), 0);
	uint8_t zeros[32] = {0};
	assert_int_equal(journal_crc32c(zeros, sizeof zeros), 0x8a9136aau); /* RFC 3720 B.4 */
}

static void test_sync_every(void **state)
{
	(void)state;
	char p[256], err[256];
	path_in_dir(p, sizeof p, "sync.journal");
	struct journal_writer *w = journal_open(p, 3, NULL, err, sizeof err);
	assert_non_null(w);
	struct crawl_rec c;
	crawl_fixture(&c);
	assert_int_equal(journal_crawl_start(w, &c), ERR_OK);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	off_t after_start = sb.st_size;
	assert_true(after_start > 0); /* the start is synced at once */
	struct visit_rec v;
	char pb[REC_POINT_TEXT_MAX];
	for (unsigned i = 0; i < 3; i++) {
		recfix_visit(&v, i, pb, sizeof pb);
		assert_int_equal(journal_visit(w, &v), ERR_OK);
		assert_int_equal(stat(p, &sb), 0);
		if (i < 2)
			assert_int_equal(sb.st_size, after_start); /* still buffered */
		else
			assert_true(sb.st_size > after_start); /* third record: batch boundary */
	}
	recfix_visit(&v, 3, pb, sizeof pb);
	assert_int_equal(journal_visit(w, &v), ERR_OK);
	off_t before = sb.st_size;
	assert_int_equal(journal_unsynced(w), 1);
	/* journal_flush writes (a SIGKILL cannot lose it now) but does not fsync. */
	assert_int_equal(journal_flush(w), ERR_OK);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_size > before);
	assert_int_equal(journal_unsynced(w), 1);
	before = sb.st_size;
	assert_int_equal(journal_flush(w), ERR_OK); /* nothing buffered: nothing written */
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, before);
	recfix_visit(&v, 4, pb, sizeof pb);
	assert_int_equal(journal_visit(w, &v), ERR_OK);
	assert_int_equal(journal_sync(w), ERR_OK);
	assert_int_equal(journal_unsynced(w), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_size > before);
	assert_string_equal(journal_error(w), "");
	assert_int_equal(journal_close(w), ERR_OK);
	unlink(p);
}

static void test_writer_errors(void **state)
{
	(void)state;
	char p[256], err[256] = "";
	assert_null(journal_open("/nonexistent-dir/x.journal", 0, NULL, err, sizeof err));
	assert_non_null(strstr(err, "journal: open /nonexistent-dir/x.journal"));
	assert_null(journal_reader_open("/nonexistent-dir/x.journal", err, sizeof err));
	path_in_dir(p, sizeof p, "inval.journal");
	struct journal_writer *w = journal_open(p, 0, NULL, err, sizeof err);
	assert_non_null(w);
	struct visit_rec v;
	visit_rec_init(&v);
	v.point = "not a point";
	assert_int_equal(journal_visit(w, &v), ERR_INVAL);
	struct adv_rec a = {.from = point_v4(0x01010101, 1), .to = point_v4(0x01010101, 2), .list_len = 0};
	assert_int_equal(journal_adv(w, &a), ERR_INVAL);
	struct crawl_end_rec e;
	end_fixture(&e);
	e.status = (enum crawl_status)17;
	assert_int_equal(journal_crawl_end(w, &e), ERR_INVAL);
	assert_int_equal(journal_records(w), 0);
	assert_int_equal(journal_close(w), ERR_OK);
	assert_int_equal(journal_close(NULL), ERR_OK);
	unlink(p);
}

/* A full disk (here: a file size limit) fails the sync; the data stays buffered. */
static void test_write_error_keeps_data(void **state)
{
	(void)state;
	char p[256], err[256];
	path_in_dir(p, sizeof p, "full.journal");
	struct journal_writer *w = journal_open(p, 1000, NULL, err, sizeof err);
	assert_non_null(w);
	struct crawl_rec c;
	crawl_fixture(&c);
	assert_int_equal(journal_crawl_start(w, &c), ERR_OK);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size + 100; /* room for a part of the next records */
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (unsigned i = 0; i < 5; i++) {
		struct visit_rec v;
		char pb[REC_POINT_TEXT_MAX];
		recfix_visit(&v, i, pb, sizeof pb);
		assert_int_equal(journal_visit(w, &v), ERR_OK); /* buffered, no sync yet */
	}
	assert_int_equal(journal_sync(w), ERR_IO);
	assert_non_null(strstr(journal_error(w), "journal: write"));
	assert_int_equal(journal_sync(w), ERR_IO); /* still full */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(journal_sync(w), ERR_OK); /* space again: the rest goes out */
	assert_int_equal(journal_close(w), ERR_OK);
	struct journal_reader *r = journal_reader_open(p, err, sizeof err);
	struct journal_entry e;
	unsigned n = 0;
	while (journal_next(r, &e) == ERR_OK && e.kind != JOURNAL_END_OF_FILE) {
		if (e.kind == JOURNAL_VISIT) {
			struct visit_rec v;
			char pb[REC_POINT_TEXT_MAX];
			recfix_visit(&v, n++, pb, sizeof pb);
			assert_true(recfix_visit_eq(&v, &e.u.visit));
		}
	}
	assert_int_equal(n, 5);
	struct stat end;
	assert_int_equal(stat(p, &end), 0);
	assert_int_equal(journal_reader_offset(r), (uint64_t)end.st_size);
	journal_reader_free(r);
	unlink(p);
}

/* Several crawls in one file read back in order. */
/* RpcVersion records: a release and an error come back field for field; bad ones are refused. */
static void test_rpc_round_trip(void **state)
{
	(void)state;
	char path[256], err[256];
	path_in_dir(path, sizeof path, "rpc.tzj");
	struct journal_writer *w = journal_open(path, 0, NULL, err, sizeof err);
	assert_non_null(w);
	struct crawl_rec c;
	crawl_fixture(&c);
	assert_int_equal(journal_crawl_start(w, &c), ERR_OK);
	struct rpc_rec ok, bad;
	rpc_rec_init(&ok);
	ok.point = "127.9.0.5:9732";
	ok.peer_id = "idtXYZ";
	ok.port = 8732;
	ok.probed_at_us = 1764000000999000LL;
	ok.http_status = 200;
	ok.major = 21;
	ok.minor = 0;
	ok.additional_info = "rc3";
	ok.commit_hash = "0123abcd";
	ok.commit_date = "2024-11-05 10:00:00 +0000";
	assert_int_equal(journal_rpc(w, &ok), ERR_OK);
	rpc_rec_init(&bad);
	bad.point = "[::1]:9733";
	bad.port = 18732;
	bad.probed_at_us = 5;
	bad.http_status = 302;
	bad.error = "redirect: 302";
	assert_int_equal(journal_rpc(w, &bad), ERR_OK);
	/* refused: an error with a version, a release without additional_info, port 0 */
	struct rpc_rec x = bad;
	x.major = 1;
	assert_int_equal(journal_rpc(w, &x), ERR_INVAL);
	x = ok;
	x.additional_info = NULL;
	assert_int_equal(journal_rpc(w, &x), ERR_INVAL);
	x = ok;
	x.port = 0;
	assert_int_equal(journal_rpc(w, &x), ERR_INVAL);
	x = ok;
	x.commit_hash = "tab\there";
	assert_int_equal(journal_rpc(w, &x), ERR_INVAL);
	assert_int_equal(journal_close(w), ERR_OK);

	struct journal_reader *r = journal_reader_open(path, err, sizeof err);
	assert_non_null(r);
	struct journal_entry e;
	assert_int_equal(journal_next(r, &e), ERR_OK);
	assert_int_equal(e.kind, JOURNAL_CRAWL_START);
	assert_int_equal(journal_next(r, &e), ERR_OK);
	assert_int_equal(e.kind, JOURNAL_RPC);
	assert_string_equal(e.u.rpc.point, ok.point);
	assert_string_equal(e.u.rpc.peer_id, ok.peer_id);
	assert_int_equal(e.u.rpc.port, 8732);
	assert_true(e.u.rpc.probed_at_us == ok.probed_at_us);
	assert_int_equal(e.u.rpc.http_status, 200);
	assert_int_equal(e.u.rpc.major, 21);
	assert_int_equal(e.u.rpc.minor, 0);
	assert_string_equal(e.u.rpc.additional_info, "rc3");
	assert_string_equal(e.u.rpc.commit_hash, ok.commit_hash);
	assert_string_equal(e.u.rpc.commit_date, ok.commit_date);
	assert_null(e.u.rpc.error);
	char rel[64];
	rpc_release_text(&e.u.rpc, rel, sizeof rel);
	assert_string_equal(rel, "v21.0~rc3");
	assert_int_equal(journal_next(r, &e), ERR_OK);
	assert_int_equal(e.kind, JOURNAL_RPC);
	assert_string_equal(e.u.rpc.point, "[::1]:9733");
	assert_null(e.u.rpc.peer_id);
	assert_int_equal(e.u.rpc.port, 18732);
	assert_int_equal(e.u.rpc.http_status, 302);
	assert_int_equal(e.u.rpc.major, REC_ABSENT_I32);
	assert_null(e.u.rpc.additional_info);
	assert_string_equal(e.u.rpc.error, "redirect: 302");
	rpc_release_text(&e.u.rpc, rel, sizeof rel);
	assert_string_equal(rel, "");
	assert_int_equal(journal_next(r, &e), ERR_OK);
	assert_int_equal(e.kind, JOURNAL_END_OF_FILE);
	journal_reader_free(r);
	unlink(path);
}

static void test_two_crawls(void **state)
{
	(void)state;
	char p[256], err[256];
	path_in_dir(p, sizeof p, "two.journal");
	write_crawl(p, 0);
	write_crawl(p, 0);
	struct journal_reader *r = journal_reader_open(p, err, sizeof err);
	unsigned n;
	bool end;
	assert_int_equal(check_read(r, &n, &end), ERR_OK);
	assert_int_equal(n, 2 * (2 + NV + NA));
	assert_true(end);
	journal_reader_free(r);
	unlink(p);
}

static int setup(void **state)
{
	(void)state;
	recfix_init();
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_append_after_tear),
		cmocka_unit_test(test_corrupt_middle),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_format1),
		cmocka_unit_test(test_torn_file_header),
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_sync_every),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_two_crawls),
		cmocka_unit_test(test_rpc_round_trip),
		cmocka_unit_test(test_write_error_keeps_data),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
