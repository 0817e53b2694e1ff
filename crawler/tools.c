/* The crawl command and the storage commands (--migrate, --replay). */
#include "crawler/tools.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "crawler/config.h"
#include "crawler/crawl.h"
#include "crawler/sink.h"
#include "db/conn.h"
#include "db/history.h"
#include "db/migrate.h"
#include "db/prune.h"
#include "journal/replay.h"

#ifndef TZCENSUS_VERSION
#define TZCENSUS_VERSION "0.1.0-dev"
#endif

/* A seed from the database: a seed like the configured ones (depth 0). */
static void offer_seed(void *ctx, const struct point *pt)
{
	crawl_offer(ctx, pt, 0);
}

int tools_migrate(const char *conninfo)
{
	char err[512];
	PGconn *db = db_connect(conninfo, err, sizeof err);
	if (!db) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		return 1;
	}
	int applied = 0;
	enum err e = db_migrate(db, &applied, err, sizeof err);
	if (e != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		db_close(db);
		return 1;
	}
	printf("migrations: %d applied, schema version %d\n", applied, db_schema_version(db));
	db_close(db);
	return 0;
}

int tools_prune(const char *conninfo, unsigned days, bool no_migrate)
{
	char err[512];
	PGconn *db = db_connect(conninfo, err, sizeof err);
	if (!db) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		return 1;
	}
	struct db_prune_result res;
	enum err e = no_migrate ? ERR_OK : db_migrate(db, NULL, err, sizeof err);
	if (e == ERR_OK)
		e = db_prune(db, days, &res, err, sizeof err);
	else
		memset(&res, 0, sizeof res);
	printf("prune: %zu crawl%s older than %u day%s pruned, %" PRIu64 " visits and %" PRIu64
	       " advertisements removed\n",
	       res.crawls, res.crawls == 1 ? "" : "s", days, days == 1 ? "" : "s", res.visits,
	       res.advertisements);
	if (e != ERR_OK) {
		db_close(db);
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		return 1;
	}
	/* Pruned crawls leave the node history: recompute its kept rows now
	 * rather than leave node_history slow until the next analysis. */
	int refreshed;
	if (db_node_history_refresh(db, &refreshed, err, sizeof err) != ERR_OK)
		fprintf(stderr,
		        "tzcensus-crawl: warning: %s (node_history is computed from visits "
		        "until a refresh)\n",
		        err);
	db_close(db);
	return 0;
}

static char *seeds_json(const struct crawl_config *cfg)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < cfg->seeds.n; i++)
		json_array_append_new(a, json_string(cfg->seeds.v[i]));
	char *t = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return t;
}

int tools_crawl(const struct crawl_config *cfg, const struct p2p_identity *id)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct crawl *cr = calloc(1, sizeof *cr);
	char err[512] = "";
	int status = 1;
	char *cfg_json = NULL, *seeds = NULL;
	if (!loop || !cr) {
		fprintf(stderr, "tzcensus-crawl: cannot start the event loop\n");
		free(cr);
		return 1;
	}
	if (crawl_init(cr, loop, cfg, id, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		free(cr);
		return 2;
	}
	cfg_json = crawl_config_json(cfg);
	seeds = seeds_json(cfg);
	struct crawl_rec start = {
		.started_at_us = cr->started_us,
		.vantage = cfg->vantage,
		.tool_version = "tzcensus " TZCENSUS_VERSION,
		.config_json = cfg_json,
		.seeds_json = seeds,
	};
	memcpy(start.uuid, cr->uuid, sizeof start.uuid);
	enum err why;
	cr->sink = sink_open(loop, cfg, &start, &cr->crawl_id, &why, err, sizeof err);
	if (!cr->sink) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		if (why == ERR_STATE)
			status = 75; /* EX_TEMPFAIL: another crawl of this vantage runs (main.c) */
		goto out;
	}
	cr->out = sink_out(cr->sink);
	size_t seeded = crawl_seed(cr);
	if (cfg->seed_from_db)
		seeded += sink_seed_from_db(cr->sink, offer_seed, cr);
	if (seeded == 0)
		log_warn("no seed point: the crawl has nothing to visit");
	if (cr->crawl_id >= 0)
		log_info("crawl %lld started (vantage %s, %zu seed points)",
			 (long long)cr->crawl_id, cfg->vantage, seeded);
	crawl_run(cr);

	struct frontier_stats fs;
	frontier_stats(cr->fr, &fs);
	struct crawl_end_rec end;
	memset(&end, 0, sizeof end);
	end.finished_at_us = clock_wall_us();
	/* no seed could be dialed: none resolved, the policy refused them, or none answered */
	bool failed = seeded == 0 || (!cr->aborted && cr->seeds_answered == 0);
	end.status = cr->aborted ? CRAWL_ABORTED : failed ? CRAWL_FAILED : CRAWL_FINISHED;
	memcpy(end.counts, cr->st.outcomes, sizeof end.counts);
	end.points_discovered = fs.points;
	enum err e = sink_finish(cr->sink, &end, err, sizeof err);
	double dur = (double)(end.finished_at_us - cr->started_us) / 1e6;
	crawl_summary(cr, crawl_status_str(end.status), dur, stdout);
	fflush(stdout);
	if (e != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		status = 1;
	} else if (end.status == CRAWL_ABORTED) {
		fprintf(stderr, "tzcensus-crawl: crawl aborted by a signal\n");
		status = 3;
	} else if (end.status == CRAWL_FAILED) {
		if (seeded == 0)
			fprintf(stderr, "tzcensus-crawl: crawl failed: no seed point could be "
					"used (none resolved)\n");
		else
			fprintf(stderr,
				"tzcensus-crawl: crawl failed: no seed could be dialed: %zu of %zu "
				"refused by the address policy, %zu dialed without an answer "
				"(first: %s)\n",
				cr->seeds_policy, seeded, cr->seeds_silent, cr->seed_why);
		status = 5; /* EXIT_NO_SEED */
	} else if (crawl_local_excess(cr)) {
		fprintf(stderr,
			"tzcensus-crawl: crawl incomplete: %llu local errors (descriptors, memory, "
			"sockets) in %llu dials, more than %.0f%%\n",
			(unsigned long long)crawl_local_errors(cr),
			(unsigned long long)(cr->st.dials + cr->st.local_unrecorded),
			100.0 * CRAWL_LOCAL_MAX_SHARE);
		status = 4;
	} else {
		status = 0;
	}
out:
	crawl_cleanup(cr);
	sink_close(cr->sink);
	free(cr);
	free(cfg_json);
	free(seeds);
	return status;
}

int tools_replay(const char *path, const char *conninfo, bool no_migrate)
{
	char err[512];
	PGconn *db = db_connect(conninfo, err, sizeof err);
	if (!db) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		return 1;
	}
	int applied = 0;
	if (!no_migrate && db_migrate(db, &applied, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		db_close(db);
		return 1;
	}
	struct journal_replay_stats st;
	memset(&st, 0, sizeof st);
	err[0] = '\0';
	enum err e = journal_replay(path, db, &st, err, sizeof err);
	db_close(db);
	char bad[64] = "";
	if (st.corrupt)
		snprintf(bad, sizeof bad, ", %llu damaged records skipped",
			 (unsigned long long)st.corrupt);
	printf("replay %s: %llu records, %llu crawls (%llu new), visits %llu read / %llu added, "
	       "advertisements %llu read / %llu added, RPC answers %llu read / %llu added, "
	       "last crawl id %lld%s%s%s\n",
	       path, (unsigned long long)st.records, (unsigned long long)st.crawls,
	       (unsigned long long)st.crawls_created, (unsigned long long)st.visits_read,
	       (unsigned long long)st.visits_added, (unsigned long long)st.advs_read,
	       (unsigned long long)st.advs_added, (unsigned long long)st.rpcs_read,
	       (unsigned long long)st.rpcs_added, (long long)st.last_crawl_id,
	       st.truncated ? ", last record truncated" : "", bad,
	       st.crawls_left_running ? ", a crawl without end left running (a crawler of its "
					"vantage is live)"
				      : "");
	if (e != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		return 1;
	}
	if (st.truncated || st.corrupt)
		fprintf(stderr, "tzcensus-crawl: warning: %s\n", err);
	return 0;
}
