/*
 * replay — journal -> PostgreSQL with the same batches as the live writer
 * (db/batch.h), applied synchronously.
 */
#include "journal/replay.h"

#include <stdio.h>
#include <string.h>

#include "db/batch.h"
#include "db/crawl.h"
#include "journal/journal.h"

struct replay {
	PGconn *c;
	struct journal_replay_stats *st;
	struct db_batch b;
	int64_t crawl_id; /* 0: no crawl open */
	bool ended;
	bool after_corrupt;          /* a damaged record was skipped in this crawl */
	int64_t last_vseq, last_aseq; /* the crawl's last seqs (-1: none yet) */
	char *err;
	size_t err_cap;
};

static enum err flush(struct replay *r)
{
	if (db_batch_rows(&r->b) == 0)
		return ERR_OK;
	struct db_batch_result res;
	enum err e = db_batch_apply_sync(r->c, r->crawl_id, &r->b, &res, r->err, r->err_cap);
	if (e != ERR_OK)
		return e;
	r->st->visits_added += res.visits_added;
	r->st->advs_added += res.advs_added;
	r->st->rpcs_added += res.rpcs_added;
	db_batch_clear(&r->b);
	return ERR_OK;
}

/* Closes the open crawl: flush, and abort it if the journal never ended it. */
static enum err close_crawl(struct replay *r)
{
	if (!r->crawl_id)
		return ERR_OK;
	enum err e = flush(r);
	if (e == ERR_OK && !r->ended) {
		bool left = false;
		e = db_crawl_abort_if_running(r->c, r->crawl_id, &left, r->err, r->err_cap);
		r->st->crawls_left_running += left;
	}
	r->crawl_id = 0;
	return e;
}

static enum err on_entry(struct replay *r, const struct journal_entry *e, const char *path)
{
	enum err st = ERR_OK;
	switch (e->kind) {
	case JOURNAL_CRAWL_START: {
		if ((st = close_crawl(r)) != ERR_OK)
			return st;
		int created = 0;
		if ((st = db_crawl_ensure(r->c, &e->u.start, &r->crawl_id, &created, r->err,
					  r->err_cap)) != ERR_OK)
			return st;
		r->ended = false;
		r->after_corrupt = false;
		r->last_vseq = r->last_aseq = -1;
		r->st->crawls++;
		r->st->crawls_created += (uint64_t)created;
		r->st->last_crawl_id = r->crawl_id;
		return ERR_OK;
	}
	case JOURNAL_VISIT:
	case JOURNAL_ADV:
	case JOURNAL_RPC:
		if (!r->crawl_id) {
			snprintf(r->err, r->err_cap,
				 "journal: %s: record %llu at offset %llu comes before any crawl start",
				 path, (unsigned long long)e->index, (unsigned long long)e->offset);
			return ERR_PROTO;
		}
		/* A crawl's seqs only grow. After a skipped record, one that does not
		 * means the skipped record was the start of another crawl: its rows
		 * must not be filed under this one. */
		int64_t seq = (int64_t)(e->kind == JOURNAL_VISIT ? e->u.visit.seq : e->u.adv.seq);
		int64_t *last = e->kind == JOURNAL_VISIT ? &r->last_vseq : &r->last_aseq;
		if (r->after_corrupt && seq <= *last) {
			snprintf(r->err, r->err_cap,
				 "journal: %s: record %llu at offset %llu does not continue the "
				 "crawl before a damaged record (a lost crawl start?): stopped there",
				 path, (unsigned long long)e->index, (unsigned long long)e->offset);
			return ERR_PROTO;
		}
		*last = seq;
		if (e->kind == JOURNAL_VISIT) {
			st = db_batch_add_visit(&r->b, &e->u.visit);
			r->st->visits_read++;
		} else if (e->kind == JOURNAL_ADV) {
			st = db_batch_add_adv(&r->b, &e->u.adv);
			r->st->advs_read++;
		} else {
			st = db_batch_add_rpc(&r->b, &e->u.rpc);
			r->st->rpcs_read++;
		}
		if (st != ERR_OK) {
			snprintf(r->err, r->err_cap, "journal: %s: record %llu: %s", path,
				 (unsigned long long)e->index, err_str(st));
			return st;
		}
		if (db_batch_rows(&r->b) >= JOURNAL_REPLAY_BATCH)
			return flush(r);
		return ERR_OK;
	case JOURNAL_CRAWL_END:
		if (!r->crawl_id) {
			snprintf(r->err, r->err_cap,
				 "journal: %s: crawl end at offset %llu without a crawl start", path,
				 (unsigned long long)e->offset);
			return ERR_PROTO;
		}
		if ((st = flush(r)) != ERR_OK)
			return st;
		if ((st = db_crawl_end(r->c, r->crawl_id, &e->u.end, r->err, r->err_cap)) != ERR_OK)
			return st;
		r->ended = true;
		return close_crawl(r);
	case JOURNAL_END_OF_FILE:
		break;
	}
	return ERR_OK;
}

enum err journal_replay(const char *path, PGconn *c, struct journal_replay_stats *stats,
			char *err, size_t err_cap)
{
	struct journal_replay_stats dummy;
	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof *stats);
	if (err_cap)
		err[0] = '\0';
	if (!path || !c)
		return ERR_INVAL;
	struct journal_reader *rd = journal_reader_open(path, err, err_cap);
	if (!rd)
		return ERR_IO;
	struct replay r = {.c = c, .st = stats, .err = err, .err_cap = err_cap};
	db_batch_init(&r.b);
	struct journal_entry e;
	enum err st, rst;
	char first_bad[200] = "";
	for (;;) {
		rst = journal_next(rd, &e);
		if (rst == ERR_PROTO && journal_reader_resumable(rd)) {
			/* A damaged record: counted, skipped; the next one may be fine. */
			if (!stats->corrupt++)
				snprintf(first_bad, sizeof first_bad, "%s", journal_reader_why(rd));
			r.after_corrupt = true;
			continue;
		}
		if (rst != ERR_OK || e.kind == JOURNAL_END_OF_FILE)
			break;
		stats->records++;
		if ((st = on_entry(&r, &e, path)) != ERR_OK) {
			/* A record out of place: what came before it is kept. */
			if (st == ERR_PROTO) {
				enum err ce = close_crawl(&r);
				st = ce != ERR_OK ? ce : st;
			}
			goto out;
		}
	}
	/* Keep what was read, whatever stopped the reader. */
	if ((st = close_crawl(&r)) != ERR_OK)
		goto out;
	if (rst == ERR_AGAIN) {
		stats->truncated = true;
		snprintf(err, err_cap, "journal: %s: %s; everything before it was loaded", path,
			 journal_reader_why(rd));
		st = ERR_OK;
	} else if (rst == ERR_OK && stats->corrupt) {
		snprintf(err, err_cap,
			 "journal: %s: %llu damaged record(s) skipped, everything else loaded; "
			 "first: %s",
			 path, (unsigned long long)stats->corrupt, first_bad);
	} else if (rst != ERR_OK) {
		snprintf(err, err_cap, "journal: %s: %s; everything before it was loaded", path,
			 journal_reader_why(rd));
		st = rst == ERR_TOOBIG ? ERR_PROTO : rst;
	}
out:
	db_batch_cleanup(&r.b);
	journal_reader_free(rd);
	return st;
}
