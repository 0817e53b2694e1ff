/*
 * replay — loads a journal into PostgreSQL, idempotently.
 *
 * Each crawl in the file is found by its uuid (or created), its visits and
 * advertisements are stored in batches keyed by (crawl, seq), so replaying a
 * journal twice — or one whose rows partly reached the database already —
 * adds nothing twice. A CrawlEnd sets the crawl's status and counts; a crawl
 * whose journal has no CrawlEnd is marked aborted if it is still running and
 * no crawler of its vantage is live (db/crawl.h: the vantage's lock).
 * Blocking; the schema must be migrated first (db_migrate).
 */
#ifndef TZ_JOURNAL_REPLAY_H
#define TZ_JOURNAL_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

#define JOURNAL_REPLAY_BATCH 5000 /* rows per transaction */

struct journal_replay_stats {
	uint64_t records;      /* complete records read */
	uint64_t crawls;       /* CrawlStart records */
	uint64_t crawls_created; /* crawls that were not in the database yet */
	uint64_t visits_read, advs_read, rpcs_read;
	uint64_t visits_added, advs_added, rpcs_added; /* rows actually inserted (0 on a second replay) */
	uint64_t crawls_left_running; /* without CrawlEnd, but a crawler of their vantage
					 is live: left running, not marked aborted */
	uint64_t corrupt;      /* damaged records skipped (checksum mismatch; see err) */
	bool truncated;        /* the file ended inside a record (see err) */
	int64_t last_crawl_id; /* id of the last crawl in the file, 0 if none */
};

/*
 * Replays path into c. Returns:
 *  ERR_OK    everything loaded. If the last record was torn (a crash while
 *            writing), stats->truncated is set, err says where ("journal: x:
 *            truncated record at offset N ...; everything before it was
 *            loaded"), and everything before it was loaded. Damaged records
 *            of a format-2 journal are skipped: stats->corrupt counts them
 *            and err names the first; the records after them are loaded
 *            (unless they cannot belong to the crawl being loaded: ERR_PROTO).
 *  ERR_PROTO a damaged record in the middle, or a record before any
 *            CrawlStart: everything before it was loaded; err says where.
 *  ERR_IO    the file cannot be read.   ERR_DB  the database failed (err has
 *            the server's message); what was committed stays, replay again.
 * stats may be NULL.
 */
enum err journal_replay(const char *path, PGconn *c, struct journal_replay_stats *stats,
			char *err, size_t err_cap) __attribute__((warn_unused_result));

#endif
