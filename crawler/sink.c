/*
 * Sinks: journal first (durable), then the database writer.
 */
#include "crawler/sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "crawler/config.h"
#include "crawler/crawl.h"
#include "journal/journal.h"

struct sink {
	struct ev_loop *loop;
	struct journal_writer *jw;
	bool journal_failed;
	uint64_t visits, advs;
};

struct sink *sink_open(struct ev_loop *loop, const struct crawl_config *cfg,
		       const struct crawl_rec *start, int64_t *crawl_id, char *err,
		       size_t err_cap)
{
	struct sink *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, err_cap, "out of memory");
		return NULL;
	}
	s->loop = loop;
	*crawl_id = -1;
	if (cfg->journal) {
		struct journal_open_info info;
		s->jw = journal_open(cfg->journal, 0, &info, err, err_cap);
		if (!s->jw) {
			free(s);
			return NULL;
		}
		if (info.cut_len)
			log_warn("journal %s: cut a torn last record of %llu bytes", cfg->journal,
				 (unsigned long long)info.cut_len);
		if (journal_crawl_start(s->jw, start) != ERR_OK) {
			snprintf(err, err_cap, "journal: %s", journal_error(s->jw));
			journal_close(s->jw);
			free(s);
			return NULL;
		}
	}
	return s;
}

size_t sink_seed_from_db(struct sink *s, struct crawl *cr)
{
	(void)s;
	(void)cr;
	return 0;
}

void sink_visit(struct sink *s, const struct visit_rec *v)
{
	s->visits++;
	if (s->jw && journal_visit(s->jw, v) != ERR_OK && !s->journal_failed) {
		s->journal_failed = true;
		log_error("journal: %s", journal_error(s->jw));
	}
}

void sink_adv(struct sink *s, const struct adv_rec *a)
{
	s->advs++;
	if (s->jw && journal_adv(s->jw, a) != ERR_OK && !s->journal_failed) {
		s->journal_failed = true;
		log_error("journal: %s", journal_error(s->jw));
	}
}

bool sink_busy(const struct sink *s)
{
	(void)s;
	return false;
}

bool sink_flushed(const struct sink *s)
{
	(void)s;
	return true;
}

size_t sink_pending(const struct sink *s)
{
	(void)s;
	return 0;
}

enum err sink_finish(struct sink *s, const struct crawl_end_rec *end, char *err, size_t err_cap)
{
	if (s->jw && journal_crawl_end(s->jw, end) != ERR_OK) {
		snprintf(err, err_cap, "journal: %s", journal_error(s->jw));
		return ERR_IO;
	}
	return ERR_OK;
}

void sink_emergency(struct sink *s)
{
	if (s && s->jw)
		if (journal_sync(s->jw) != ERR_OK)
			log_error("journal: %s", journal_error(s->jw));
}

void sink_close(struct sink *s)
{
	if (!s)
		return;
	if (s->jw && journal_close(s->jw) != ERR_OK)
		log_error("journal: %s", journal_error(s->jw));
	free(s);
}
