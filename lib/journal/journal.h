/*
 * journal — the crawl's local, durable record file (protobuf-c,
 * schema/tzcensus.proto), written before results reach PostgreSQL so a crawl
 * made while the database was away is not lost.
 *
 * Format 2: an 8-byte file header ("\0tzjour" and the version byte 2), then
 * records, each a 12-byte header (body length, CRC-32C of the body, CRC-32C
 * of those 8 bytes) and a tzcensus.Record of at most JOURNAL_RECORD_MAX
 * bytes (the table is in journal_int.h). A crawl is CrawlStart,
 * Visit/Advertisement/RpcVersion records, CrawlEnd; a file may hold several
 * crawls one after another. Format 1 (varint length, no checksums, no file
 * header) is still read; the writer refuses to append to it.
 *
 * Writer: appends records to an in-memory buffer; journal_flush() write()s
 * it (the crawler calls it at every loop iteration, so a SIGKILL loses
 * nothing the loop finished with), and journal_sync() also fsync()s it (the
 * crawler: at least once a second; here: every sync_every records, at
 * CrawlStart, CrawlEnd and close). Opening an existing file appends; a torn
 * last record left by a crash is cut off first (reported). One writer per
 * file, single-threaded. The records' borrowed pointers are copied at once.
 *
 * Reader: yields the records in order; the entry's pointers are borrowed and
 * valid until the next journal_next() or journal_reader_free(). A truncated
 * last record is reported (ERR_AGAIN) after everything before it was
 * yielded; a damaged record of a format-2 file is reported (ERR_PROTO),
 * counted and stepped over, so the caller may go on with the next. The
 * reader never allocates more than JOURNAL_RECORD_MAX for a record whatever
 * length the file declares.
 */
#ifndef TZ_JOURNAL_JOURNAL_H
#define TZ_JOURNAL_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/record.h"

#define JOURNAL_RECORD_MAX (1u << 20) /* bytes of one packed record */
#define JOURNAL_SYNC_EVERY_DEFAULT 512

/* ---- writer ---------------------------------------------------------- */

struct journal_writer;

struct journal_open_info {
	uint64_t kept_len;   /* bytes of complete records already in the file */
	uint64_t cut_len;    /* bytes of a torn last record that were cut off (0 if none) */
	uint64_t records;    /* complete records already in the file */
};

/*
 * Opens path for appending (created 0644 if missing; the directory is
 * fsync'd after creation). sync_every = records between automatic fsyncs
 * (0 = JOURNAL_SYNC_EVERY_DEFAULT). info may be NULL. Returns NULL with err
 * text ("journal: open x: No such file or directory", or "journal: x: corrupt
 * record at offset N: ...") on failure: a file whose middle is damaged is
 * refused rather than appended to.
 */
struct journal_writer *journal_open(const char *path, unsigned sync_every,
				    struct journal_open_info *info, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/*
 * Append one record. ERR_INVAL if the record fails its check (record.h), ERR_IO
 * when a write or fsync failed (journal_error() has the text; the record is
 * kept buffered and the next sync retries), ERR_TOOBIG above
 * JOURNAL_RECORD_MAX.
 */
enum err journal_crawl_start(struct journal_writer *w, const struct crawl_rec *c)
	__attribute__((warn_unused_result));
enum err journal_visit(struct journal_writer *w, const struct visit_rec *v)
	__attribute__((warn_unused_result));
enum err journal_adv(struct journal_writer *w, const struct adv_rec *a)
	__attribute__((warn_unused_result));
enum err journal_rpc(struct journal_writer *w, const struct rpc_rec *r)
	__attribute__((warn_unused_result));
/* Appends CrawlEnd and syncs. */
enum err journal_crawl_end(struct journal_writer *w, const struct crawl_end_rec *e)
	__attribute__((warn_unused_result));

/* Writes everything buffered and fsyncs. ERR_IO on failure (data stays buffered). */
enum err journal_sync(struct journal_writer *w) __attribute__((warn_unused_result));

/*
 * Writes everything buffered, without fsync: safe from the process dying
 * (SIGKILL), not from the machine. ERR_IO on failure (data stays buffered).
 */
enum err journal_flush(struct journal_writer *w) __attribute__((warn_unused_result));

/* Records appended since the last successful fsync (0: nothing to sync). */
unsigned journal_unsynced(const struct journal_writer *w);

/* Last I/O error text ("" if none). */
const char *journal_error(const struct journal_writer *w);

/* Records appended through this writer. */
uint64_t journal_records(const struct journal_writer *w);

/* Syncs, closes and frees; returns the sync's status. Accepts NULL. */
enum err journal_close(struct journal_writer *w);

/* ---- reader ---------------------------------------------------------- */

enum journal_kind {
	JOURNAL_END_OF_FILE = 0,
	JOURNAL_CRAWL_START = 1,
	JOURNAL_VISIT = 2,
	JOURNAL_ADV = 3,
	JOURNAL_CRAWL_END = 4,
	JOURNAL_RPC = 5,
};

struct journal_entry {
	enum journal_kind kind;
	uint64_t offset; /* byte offset of the record's length prefix */
	uint64_t index;  /* 0-based record number in the file */
	union {
		struct crawl_rec start;
		struct visit_rec visit;
		struct adv_rec adv;
		struct crawl_end_rec end;
		struct rpc_rec rpc;
	} u;
};

struct journal_reader;

/* Opens a file for reading. NULL with err text on failure. */
struct journal_reader *journal_reader_open(const char *path, char *err, size_t err_cap)
	__attribute__((warn_unused_result));
/* Reads from a caller's buffer (borrowed for the reader's lifetime). */
struct journal_reader *journal_reader_mem(const uint8_t *buf, size_t len)
	__attribute__((warn_unused_result));

/*
 * Next record into e. Returns:
 *  ERR_OK     e filled; e->kind == JOURNAL_END_OF_FILE at a clean end.
 *  ERR_AGAIN  the file ends inside a record (a torn write): everything before
 *             was yielded; journal_reader_why() says where.
 *  ERR_TOOBIG a declared record length above JOURNAL_RECORD_MAX (format 1).
 *  ERR_PROTO  a damaged record (a checksum mismatch, or a complete record
 *             that does not decode or fails its checks), or a file that is
 *             not a journal / of an unknown format version. When
 *             journal_reader_resumable() is true (format 2), the reader has
 *             stepped over the damaged bytes: call again for the next
 *             record.
 *  ERR_IO     a read error.   ERR_NOMEM  out of memory.
 * After any other error the reader stays at that record and returns it again.
 */
enum err journal_next(struct journal_reader *r, struct journal_entry *e)
	__attribute__((warn_unused_result));

/* Offset of the next unread record (= the end of the good part after an error). */
uint64_t journal_reader_offset(const struct journal_reader *r);
/* Text explaining the last error ("truncated record at offset 120: 7 of 31 bytes"). */
const char *journal_reader_why(const struct journal_reader *r);

/* 1 or 2 once the first record (or the file header) was read; 0 before, or for an empty file. */
int journal_reader_format(const struct journal_reader *r);
/* True when the last journal_next() stepped over a damaged record (see above). */
bool journal_reader_resumable(const struct journal_reader *r);
/* Damaged records stepped over so far. */
uint64_t journal_reader_corrupt(const struct journal_reader *r);

/* CRC-32C (Castagnoli) of p[0..n), as the format uses it. */
uint32_t journal_crc32c(const uint8_t *p, size_t n);

void journal_reader_free(struct journal_reader *r);

#endif
