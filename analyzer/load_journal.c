/* load_journal — a crawl journal (lib/journal) into a struct acrawl. */
#include <stdio.h>
#include <string.h>

#include "analyzer/load.h"
#include "core/hex.h"
#include "core/log.h"
#include "db/conn.h"
#include "journal/journal.h"

static void uuid_text(const uint8_t u[REC_UUID_LEN], char out[37])
{
	char hex[2 * REC_UUID_LEN + 1];
	hex_encode(hex, u, REC_UUID_LEN);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static enum err on_start(struct acrawl *c, const struct crawl_rec *s)
{
	char u[37], t[64];
	uuid_text(s->uuid, u);
	db_time_text(s->started_at_us, t, sizeof t);
	if (acrawl_set_str(&c->uuid, u) != ERR_OK || acrawl_set_str(&c->started_at, t) != ERR_OK ||
	    acrawl_set_str(&c->vantage, s->vantage) != ERR_OK ||
	    acrawl_set_str(&c->crawler_version, s->tool_version) != ERR_OK ||
	    acrawl_set_config_digest(c, s->config_json) != ERR_OK)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err on_visit(struct acrawl *c, const struct visit_rec *r)
{
	char chain[ACRAWL_CHAIN_TEXT_CAP];
	struct acrawl_visit v = acrawl_visit_blank();
	v.point = (char *)r->point;
	v.outcome = (char *)visit_outcome_str(r->outcome);
	v.peer_id = (char *)r->peer_id;
	if (r->chain_name) {
		acrawl_chain_text(r->chain_name, r->chain_name_len, chain, sizeof chain);
		v.chain_name = chain;
	}
	v.ddb_version = r->ddb_version;
	v.p2p_version = r->p2p_version;
	v.pow_bits = r->pow_bits;
	v.private_node = r->private_node;
	v.disable_mempool = r->disable_mempool;
	v.head_level = r->has_head ? r->head_level : -1;
	v.attempt = (int)r->attempt;
	v.advertised_port = r->advertised_port == REC_ABSENT_I32 ? -1 : (int)r->advertised_port;
	return acrawl_add_visit(c, &v);
}

enum err load_journal(const char *path, int64_t nth, struct acrawl *out, char *err, size_t cap)
{
	struct journal_reader *r = journal_reader_open(path, err, cap);
	if (!r)
		return ERR_IO;
	struct acrawl cur, best;
	acrawl_init(&cur);
	acrawl_init(&best);
	bool in_crawl = false, have_best = false, best_finished = false, done = false;
	int64_t index = 0;
	enum err e = ERR_OK;
	struct journal_entry en;
	while (!done) {
		e = journal_next(r, &en);
		if (e == ERR_AGAIN) {
			log_warn("%s: %s; using the records before it", path,
			         journal_reader_why(r));
			e = ERR_OK;
			en.kind = JOURNAL_END_OF_FILE;
		} else if (e != ERR_OK) {
			snprintf(err, cap, "%s: %s", path, journal_reader_why(r));
			break;
		}
		switch (en.kind) {
		case JOURNAL_END_OF_FILE: done = true; break;
		case JOURNAL_CRAWL_START:
			if (in_crawl && nth <= 0 && !best_finished) { /* an unfinished crawl */
				acrawl_free(&best);
				best = cur;
				have_best = true;
				acrawl_init(&cur);
			}
			if (nth > 0 && index == nth) {
				done = true;
				break;
			}
			acrawl_free(&cur);
			acrawl_init(&cur);
			index++;
			in_crawl = true;
			e = on_start(&cur, &en.u.start);
			break;
		case JOURNAL_VISIT:
			if (in_crawl)
				e = on_visit(&cur, &en.u.visit);
			break;
		case JOURNAL_ADV:
			/* another network's points (docs/crawler.md): no edge of this graph */
			if (in_crawl && en.u.adv.source != ADV_FOREIGN_NACK) {
				char from[POINT_FMT_CAP], to[POINT_FMT_CAP];
				point_format(&en.u.adv.from, from, sizeof from);
				point_format(&en.u.adv.to, to, sizeof to);
				e = acrawl_add_adv(&cur, from, to, en.u.adv.source,
				                   (int)en.u.adv.round, (int)en.u.adv.rank,
				                   (int)en.u.adv.list_len);
			}
			break;
		case JOURNAL_RPC:
			if (in_crawl) {
				char rel[96];
				rpc_release_text(&en.u.rpc, rel, sizeof rel);
				e = acrawl_add_rpc(&cur, en.u.rpc.point, rel[0] ? rel : NULL);
			}
			break;
		case JOURNAL_CRAWL_END: {
			char t[64];
			db_time_text(en.u.end.finished_at_us, t, sizeof t);
			if (in_crawl && (e = acrawl_set_str(&cur.finished_at, t)) == ERR_OK &&
			    (nth <= 0 || index == nth)) {
				acrawl_free(&best);
				best = cur;
				have_best = best_finished = true;
				acrawl_init(&cur);
				in_crawl = false;
				if (nth > 0)
					done = true;
			}
			break;
		}
		}
		if (e != ERR_OK) {
			if (e == ERR_NOMEM)
				snprintf(err, cap, "%s: out of memory", path);
			else
				snprintf(err, cap, "%s: record %llu: bad field", path,
				         (unsigned long long)en.index);
			break;
		}
	}
	journal_reader_free(r);
	if (e == ERR_OK && in_crawl && (nth > 0 ? index == nth && !have_best : !best_finished)) {
		log_warn("%s: the crawl has no CrawlEnd (interrupted); analyzing what it holds",
		         path);
		acrawl_free(&best);
		best = cur;
		acrawl_init(&cur);
		have_best = true;
	}
	acrawl_free(&cur);
	if (e == ERR_OK && !have_best) {
		snprintf(err, cap,
		         nth > 0 ? "%s: no crawl number %lld" : "%s: no crawl in the journal", path,
		         (long long)nth);
		e = ERR_INVAL;
	}
	if (e != ERR_OK) {
		acrawl_free(&best);
		return e;
	}
	acrawl_free(out);
	*out = best;
	return ERR_OK;
}
