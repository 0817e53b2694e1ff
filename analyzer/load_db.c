/*
 * load_db — crawls in, analyses out, through libpq (blocking).
 *
 * Rows are read with text results and converted here; the schema is
 * schema/migrations/001_core.sql (storage) and 050_analysis.sql (ours).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/load.h"
#include "analyzer/locfig.h"
#include "analyzer/output.h"
#include "core/hex.h"
#include "core/log.h"
#include "db/conn.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

static PGresult *query(PGconn *db, const char *sql, int np, const char *const *params,
                       ExecStatusType want, const char *what, char *err, size_t cap)
{
	PGresult *r = PQexecParams(db, sql, np, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != want) {
		snprintf(err, cap, "db: %s: %s", what, PQresultErrorMessage(r));
		char *nl = strchr(err, '\n');
		if (nl)
			*nl = 0;
		PQclear(r);
		return NULL;
	}
	return r;
}

static const char *val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static long long num(PGresult *r, int row, int col, long long absent)
{
	const char *s = val(r, row, col);
	return s ? strtoll(s, NULL, 10) : absent;
}

static int tri(PGresult *r, int row, int col)
{
	const char *s = val(r, row, col);
	return s ? (s[0] == 't') : -1;
}

enum err load_db(PGconn *db, int64_t crawl_id, struct acrawl *c, char *err, size_t cap)
{
	char idbuf[24];
	const char *p[1] = {idbuf};
	PGresult *r;
	if (crawl_id < 0) {
		r = query(db,
		          "SELECT id FROM crawls WHERE status = 'finished' "
		          "ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1",
		          0, NULL, PGRES_TUPLES_OK, "latest crawl", err, cap);
		if (!r)
			return ERR_DB;
		if (PQntuples(r) == 0) {
			snprintf(err, cap, "db: no finished crawl to analyze");
			PQclear(r);
			return ERR_INVAL;
		}
		crawl_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	snprintf(idbuf, sizeof idbuf, "%" PRId64, crawl_id);
	r = query(db,
	          "SELECT id, uuid::text, " TS("started_at") ", " TS(
	              "finished_at") ", vantage, tool_version, config::text, (SELECT " TS(
	              "pruned_at") " FROM crawl_totals t WHERE t.crawl_id = crawls.id) "
	              "FROM crawls WHERE id = $1",
	          1, p, PGRES_TUPLES_OK, "crawl", err, cap);
	if (!r)
		return ERR_DB;
	if (PQntuples(r) != 1) {
		snprintf(err, cap, "db: no crawl %" PRId64, crawl_id);
		PQclear(r);
		return ERR_INVAL;
	}
	if (val(r, 0, 7)) { /* retention took its visits: an analysis would read zeros */
		snprintf(err, cap,
		         "db: crawl %" PRId64 " was pruned at %s (tzcensus-crawl --prune-days): its "
		         "visits are gone; its figures stay in crawl_totals and its analyses",
		         crawl_id, val(r, 0, 7));
		PQclear(r);
		return ERR_INVAL;
	}
	c->id = crawl_id;
	enum err e = ERR_OK;
	if (acrawl_set_str(&c->uuid, val(r, 0, 1)) != ERR_OK ||
	    acrawl_set_str(&c->started_at, val(r, 0, 2)) != ERR_OK ||
	    acrawl_set_str(&c->finished_at, val(r, 0, 3)) != ERR_OK ||
	    acrawl_set_str(&c->vantage, val(r, 0, 4)) != ERR_OK ||
	    acrawl_set_str(&c->crawler_version, val(r, 0, 5)) != ERR_OK ||
	    acrawl_set_config_digest(c, val(r, 0, 6)) != ERR_OK)
		e = ERR_NOMEM;
	PQclear(r);
	if (e != ERR_OK)
		goto nomem;
	r = query(
	    db,
	    "SELECT p.point, v.outcome, v.peer_id, encode(v.chain_name_raw, 'hex'), "
	    "v.distributed_db_version, "
	    "v.p2p_version, v.pow_bits, v.private_node, v.disable_mempool, v.head_level, "
	    "v.attempt, v.advertised_port FROM visits v JOIN points p ON p.id = v.point_id WHERE v.crawl_id = $1",
	    1, p, PGRES_TUPLES_OK, "visits", err, cap);
	if (!r)
		return ERR_DB;
	for (int i = 0; i < PQntuples(r) && e == ERR_OK; i++) {
		struct acrawl_visit v = acrawl_visit_blank();
		v.point = (char *)val(r, i, 0);
		v.outcome = (char *)val(r, i, 1);
		v.peer_id = (char *)val(r, i, 2);
		char chain[ACRAWL_CHAIN_TEXT_CAP];
		const char *hex = val(r, i, 3);
		if (hex) { /* raw bytes, rendered as the journal loader does */
			uint8_t raw[128];
			size_t n = 0, hl = strlen(hex);
			if (hex_decode(raw, sizeof raw, &n, hex, hl > 256 ? 256 : hl) != ERR_OK)
				n = 0;
			acrawl_chain_text(raw, n, chain, sizeof chain);
			v.chain_name = chain;
		}
		v.ddb_version = (int)num(r, i, 4, -1);
		v.p2p_version = (int)num(r, i, 5, -1);
		v.pow_bits = (int)num(r, i, 6, -1);
		v.private_node = tri(r, i, 7);
		v.disable_mempool = tri(r, i, 8);
		v.head_level = num(r, i, 9, -1);
		v.attempt = (int)num(r, i, 10, 1);
		v.advertised_port = (int)num(r, i, 11, -1);
		e = acrawl_add_visit(c, &v);
	}
	PQclear(r);
	if (e != ERR_OK)
		goto nomem;
	r = query(db,
	          "SELECT pf.point, pt.point, a.source, a.round, a.rank, a.list_len "
	          "FROM advertisements a JOIN points pf ON pf.id = a.from_point_id "
	          "JOIN points pt ON pt.id = a.to_point_id WHERE a.crawl_id = $1"
	          /* another network's points (004_foreign.sql): no edge of this graph */
	          " AND a.source <> 'foreign_nack'",
	          1, p, PGRES_TUPLES_OK, "advertisements", err, cap);
	if (!r)
		return ERR_DB;
	for (int i = 0; i < PQntuples(r) && e == ERR_OK; i++) {
		enum adv_source src =
		    !strcmp(PQgetvalue(r, i, 2), "nack") ? ADV_NACK : ADV_ADVERTISE;
		e = acrawl_add_adv(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), src,
		                   (int)num(r, i, 3, 0), (int)num(r, i, 4, 0),
		                   (int)num(r, i, 5, 1));
	}
	PQclear(r);
	if (e == ERR_INVAL) {
		snprintf(err, cap, "db: crawl %" PRId64 ": an advertisement row out of range",
		         crawl_id);
		return e;
	}
	if (e != ERR_OK)
		goto nomem;
	/* the RPC probe's answers (007_rpc_versions.sql); the view spells the release */
	r = query(db,
	          "SELECT p.point, n.release FROM rpc_versions r"
	          " JOIN points p ON p.id = r.point_id"
	          " LEFT JOIN node_releases n ON n.crawl_id = r.crawl_id"
	          "  AND n.point_id = r.point_id AND n.port = r.port"
	          " WHERE r.crawl_id = $1 ORDER BY p.point, r.port",
	          1, p, PGRES_TUPLES_OK, "rpc_versions", err, cap);
	if (!r)
		return ERR_DB;
	for (int i = 0; i < PQntuples(r) && e == ERR_OK; i++)
		e = acrawl_add_rpc(c, PQgetvalue(r, i, 0), val(r, i, 1));
	PQclear(r);
	if (e != ERR_OK)
		goto nomem;
	return ERR_OK;
nomem:
	snprintf(err, cap, "out of memory loading crawl %" PRId64, crawl_id);
	return ERR_NOMEM;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Analyses of earlier crawls comparable with crawl $1: finished, of the
 * same vantage and chain (crawls.config->>'chain'), and not refused by the
 * publication gate (publishable true or never gated). A refused night (0
 * public after a broken start) or another vantage's view would otherwise
 * enter the trend, "vs 7/30 days", the size-over-time chart and the gate's
 * own median (docs/researchers.md, "Which crawls to compare or publish").
 */
#define COMPARABLE                                                                     \
	"JOIN crawls c ON c.id = a.crawl_id JOIN crawls cur ON cur.id = $1 "          \
	"WHERE a.crawl_id < $1 AND c.status = 'finished' AND c.publishable IS NOT FALSE " \
	"AND c.vantage IS NOT DISTINCT FROM cur.vantage "                             \
	"AND c.config->>'chain' IS NOT DISTINCT FROM cur.config->>'chain' "

enum err load_previous_db(PGconn *db, int64_t crawl_id, struct previous *prev, bool *found,
                          json_t ***hist, size_t *hist_n, size_t hist_max, char *err, size_t cap)
{
	*found = false;
	memset(prev, 0, sizeof *prev);
	char idbuf[24], lim[24];
	snprintf(idbuf, sizeof idbuf, "%" PRId64, crawl_id);
	snprintf(lim, sizeof lim, "%zu", hist_max);
	const char *p[2] = {idbuf, lim};
	PGresult *r = query(db,
	                    "SELECT a.id, a.crawl_id, a.metrics->'counts'->>'vertices', "
	                    "a.metrics->'graph'->'core'->>'vertex_connectivity', "
	                    "a.metrics->'graph'->'backbone'->>'vertex_connectivity' "
	                    "FROM analyses a " COMPARABLE
	                    "ORDER BY a.crawl_id DESC, a.computed_at DESC, a.id DESC LIMIT 1",
	                    1, p, PGRES_TUPLES_OK, "previous analysis", err, cap);
	if (!r)
		return ERR_DB;
	if (PQntuples(r) == 1) {
		char aid[24];
		snprintf(aid, sizeof aid, "%s", PQgetvalue(r, 0, 0));
		prev->crawl_id = num(r, 0, 1, 0);
		prev->vertices = (size_t)num(r, 0, 2, 0);
		prev->vertex_connectivity = num(r, 0, 3, -1);
		prev->backbone_connectivity = num(r, 0, 4, -1);
		PQclear(r);
		const char *q[1] = {aid};
		r = query(
		    db, "SELECT node FROM node_metrics WHERE analysis_id = $1 AND class = 'public'",
		    1, q, PGRES_TUPLES_OK, "previous nodes", err, cap);
		if (!r)
			return ERR_DB;
		size_t n = (size_t)PQntuples(r);
		prev->public_ids = calloc(n ? n : 1, sizeof *prev->public_ids);
		if (!prev->public_ids) {
			PQclear(r);
			return ERR_NOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			if (!(prev->public_ids[i] = strdup(PQgetvalue(r, (int)i, 0)))) {
				PQclear(r);
				previous_free(prev);
				return ERR_NOMEM;
			}
			prev->public_n++;
		}
		qsort(prev->public_ids, prev->public_n, sizeof *prev->public_ids, cmp_strp);
		*found = true;
	}
	PQclear(r);
	if (!hist)
		return ERR_OK;
	*hist = NULL;
	*hist_n = 0;
	r = query(
	    db,
	    "SELECT metrics::text FROM (SELECT DISTINCT ON (a.crawl_id) a.crawl_id, a.metrics "
	    "FROM analyses a " COMPARABLE
	    "ORDER BY a.crawl_id DESC, a.computed_at DESC, a.id DESC LIMIT $2) h ORDER BY crawl_id",
	    2, p, PGRES_TUPLES_OK, "history", err, cap);
	if (!r)
		return ERR_DB;
	size_t n = (size_t)PQntuples(r);
	*hist = calloc(n ? n : 1, sizeof **hist);
	if (!*hist) {
		PQclear(r);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *j = json_loads(PQgetvalue(r, (int)i, 0), 0, &je);
		if (j)
			(*hist)[(*hist_n)++] = j;
	}
	PQclear(r);
	return ERR_OK;
}

/* COPY text format: backslash, tab, newline and CR escaped. */
static void copy_text(char *out, size_t cap, size_t *len, const char *s)
{
	for (; *s && *len + 3 < cap; s++) {
		char c = *s;
		const char *esc = c == '\\'   ? "\\\\"
		                  : c == '\t' ? "\\t"
		                  : c == '\n' ? "\\n"
		                  : c == '\r' ? "\\r"
		                              : NULL;
		if (esc) {
			out[(*len)++] = esc[0];
			out[(*len)++] = esc[1];
		} else {
			out[(*len)++] = c;
		}
	}
	out[*len] = 0;
}

/* A text[] literal element: quoted, with " and \ escaped (then COPY-escaped). */
static void array_elem(char *out, size_t cap, size_t *len, const char *s)
{
	char tmp[256];
	size_t k = 0;
	tmp[k++] = '"';
	for (; *s && k + 3 < sizeof tmp; s++) {
		if (*s == '"' || *s == '\\')
			tmp[k++] = '\\';
		tmp[k++] = *s;
	}
	tmp[k++] = '"';
	tmp[k] = 0;
	copy_text(out, cap, len, tmp);
}

/* Appends s as it is (COPY syntax: tabs, \N, newline). */
static void add_raw(char *line, size_t lcap, size_t *len, const char *s)
{
	size_t l = strlen(s);
	if (*len + l + 1 < lcap) {
		memcpy(line + *len, s, l + 1);
		*len += l;
	}
}

/* "\tasn\tas_name\tcountry\tprovider\n" of model vertex v (\N when unknown). */
static void copy_location(const struct analysis *an, uint32_t v, char *line, size_t lcap,
                          size_t *len)
{
	const struct location_hit *h = an->vloc ? &an->vloc[v] : NULL;
	if (h && h->asn) {
		*len += (size_t)snprintf(line + *len, lcap - *len, "\t%u\t", h->asn);
		copy_text(line, lcap, len, locfig_as_name(an, h->asn));
	} else {
		add_raw(line, lcap, len, "\t\\N\t\\N");
	}
	add_raw(line, lcap, len, "\t");
	if (h && h->country[0])
		copy_text(line, lcap, len, h->country);
	else
		add_raw(line, lcap, len, "\\N");
	add_raw(line, lcap, len, "\t");
	const char *p = h ? locfig_provider(an, v) : NULL;
	if (p)
		copy_text(line, lcap, len, p);
	else
		add_raw(line, lcap, len, "\\N");
	add_raw(line, lcap, len, "\n");
}

static enum err copy_rows(PGconn *db, const struct analysis *an, const char *aid, char *err,
                          size_t cap)
{
	const struct model *mo = &an->mo;
	bool *ap_r = calloc((size_t)an->r.n + 1, sizeof *ap_r);
	bool *ap_s = calloc((size_t)mo->n + 1, sizeof *ap_s);
	char *line = malloc(65536);
	enum err e = ERR_NOMEM;
	if (!ap_r || !ap_s || !line)
		goto out;
	for (uint32_t i = 0; i < an->r_blocks.aps_n; i++)
		ap_r[an->r_blocks.aps[i]] = true;
	for (uint32_t i = 0; i < an->s_blocks.aps_n; i++)
		ap_s[an->s_blocks.aps[i]] = true;
	for (uint32_t i = 0; i < mo->n; i++) {
		const struct mvertex *x = &mo->v[i];
		uint32_t r = an->r_of[i], c = an->c_of[i];
		size_t len = 0;
		const size_t lcap = 65536;
		copy_text(line, lcap, &len, aid);
		line[len++] = '\t';
		char id[24];
		snprintf(id, sizeof id, "%" PRId64, an->crawl->id);
		copy_text(line, lcap, &len, id);
		line[len++] = '\t';
		copy_text(line, lcap, &len, x->id); /* real ids: the database is not published */
		len += (size_t)snprintf(line + len, lcap - len, "\t%s\t%s\t{", output_kind(x),
		                        vclass_str(x->cls));
		for (uint32_t j = 0; j < x->points_n && len + 1200 < lcap; j++) {
			if (j)
				line[len++] = ',';
			array_elem(line, lcap, &len, mo->points[mo->vpoints[x->first_point + j]]);
		}
		char bw[40] = "\\N", deg_r[16] = "\\N", core[16] = "\\N";
		if (c != UINT32_MAX)
			snprintf(bw, sizeof bw, "%.17g", an->betw[c]);
		if (r != UINT32_MAX) {
			snprintf(deg_r, sizeof deg_r, "%u", ugraph_deg(&an->r, r));
			snprintf(core, sizeof core, "%u", an->r_core[r]);
		}
		len += (size_t)snprintf(
		    line + len, lcap - len, "}\t%u\t%s\t%s\t%s\t%s\t%u\t%s\t%s",
		    ugraph_deg(&an->s, i), deg_r, c != UINT32_MAX ? "t" : "f", core,
		    r != UINT32_MAX && ap_r[r] ? "t" : "f",
		    r != UINT32_MAX ? an->r_blocks.cut_off[r] : 0, bw, ap_s[i] ? "t" : "f");
		copy_location(an, i, line, lcap, &len);
		if (PQputCopyData(db, line, (int)len) != 1) {
			db_errmsg(db, "copy node_metrics", err, cap);
			e = ERR_DB;
			goto out;
		}
	}
	e = ERR_OK;
out:
	free(ap_r);
	free(ap_s);
	free(line);
	return e;
}

enum err store_db(PGconn *db, const struct analysis *an, const json_t *manifest, char *err,
                  size_t cap)
{
	char *metrics = json_dumps(an->report, JSON_COMPACT);
	char *man = manifest ? json_dumps(manifest, JSON_COMPACT) : NULL;
	char crawl[24], seed[24];
	snprintf(crawl, sizeof crawl, "%" PRId64, an->crawl->id);
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)an->opts.seed);
	enum err e = ERR_NOMEM;
	if (!metrics || (manifest && !man))
		goto out;
	if ((e = db_exec(db, "BEGIN", err, cap)) != ERR_OK)
		goto out;
	char created[24] = "";
	const struct location *l = an->opts.loc;
	if (l)
		snprintf(created, sizeof created, "%lld", (long long)l->created);
	const char *p[8] = {crawl,   ANALYZER_VERSION, seed, an->opts.anon ? "t" : "f", metrics, man,
	                    l ? l->vendor : NULL, l ? created : NULL};
	PGresult *r = query(db,
	                    "INSERT INTO analyses (crawl_id, analyzer_version, seed, anonymized, "
	                    "metrics, manifest, location_db_vendor, location_db_created) "
	                    "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, to_timestamp($8)) "
	                    "RETURNING id",
	                    8, p, PGRES_TUPLES_OK, "insert analysis", err, cap);
	if (!r) {
		e = ERR_DB;
		goto rollback;
	}
	char aid[24];
	snprintf(aid, sizeof aid, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	r = query(db,
	          "COPY node_metrics (analysis_id, crawl_id, node, kind, class, points, degree, "
	          "degree_public, in_core, coreness, is_articulation, cut_off_if_removed, "
	          "betweenness, articulation_seen, asn, as_name, country, provider) FROM STDIN",
	          0, NULL, PGRES_COPY_IN, "copy node_metrics", err, cap);
	if (!r) {
		e = ERR_DB;
		goto rollback;
	}
	PQclear(r);
	e = copy_rows(db, an, aid, err, cap);
	if (PQputCopyEnd(db, e == ERR_OK ? NULL : "aborted") != 1 && e == ERR_OK) {
		db_errmsg(db, "copy end", err, cap);
		e = ERR_DB;
	}
	while ((r = PQgetResult(db))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && e == ERR_OK) {
			snprintf(err, cap, "db: copy node_metrics: %s", PQresultErrorMessage(r));
			e = ERR_DB;
		}
		PQclear(r);
	}
	if (e != ERR_OK)
		goto rollback;
	e = db_exec(db, "COMMIT", err, cap);
	goto out;
rollback:;
	char ignore[256];
	if (db_exec(db, "ROLLBACK", ignore, sizeof ignore) != ERR_OK)
		log_warn("%s", ignore); /* the connection is closed next anyway */
out:
	if (e == ERR_NOMEM)
		snprintf(err, cap, "out of memory storing the analysis");
	free(metrics);
	free(man);
	return e;
}

enum err store_gate_db(PGconn *db, int64_t crawl_id, bool publishable, const char *note,
                       char *err, size_t cap)
{
	char crawl[24];
	snprintf(crawl, sizeof crawl, "%" PRId64, crawl_id);
	const char *p[3] = {crawl, publishable ? "t" : "f", note};
	PGresult *r = query(db,
	                    "UPDATE crawls SET publishable = $2, publication_note = $3, "
	                    "publication_checked_at = now() WHERE id = $1",
	                    3, p, PGRES_COMMAND_OK, "mark publication", err, cap);
	if (!r)
		return ERR_DB;
	PQclear(r);
	return ERR_OK;
}

/*
 * The public nodes of the last `max` crawls comparable with crawl $1 (the
 * crawl itself included whatever its gate verdict, since it is gated after
 * its analysis), oldest first, each node once per crawl with what its
 * connection message announced (the highest chain name and versions among
 * its public visits). Same rule of comparability as COMPARABLE above, less
 * the crawls whose visits were pruned (crawl_totals): the history_crawls view
 * (schema/migrations/056_history_unpruned.sql).
 *
 * The Octez release of a node is the smallest release text (bytewise, as
 * analyzer/releases.c takes it) that the RPC probe got from any of its
 * points in that crawl (node_releases); a crawl with any rpc_versions row
 * ran the probe.
 */
enum err load_history_db(PGconn *db, int64_t crawl_id, size_t max, struct history *h, char *err,
                         size_t cap)
{
	char idbuf[24], lim[24];
	snprintf(idbuf, sizeof idbuf, "%" PRId64, crawl_id);
	snprintf(lim, sizeof lim, "%zu", max);
	const char *p[2] = {idbuf, lim};
	PGresult *w = query(
	    db,
	    "WITH cur AS (SELECT vantage, config->>'chain' AS chain FROM crawls WHERE id = $1) "
	    "SELECT id, " TS("started_at") ", probed FROM (SELECT c.id, c.started_at, "
	    "  EXISTS (SELECT 1 FROM rpc_versions r WHERE r.crawl_id = c.id) AS probed "
	    "  FROM crawls c, cur "
	    "  WHERE c.id <= $1 AND (c.id = $1 OR (c.status = 'finished' "
	    "  AND c.publishable IS NOT FALSE)) AND c.vantage IS NOT DISTINCT FROM cur.vantage "
	    "  AND c.config->>'chain' IS NOT DISTINCT FROM cur.chain "
	    "  AND NOT EXISTS (SELECT 1 FROM crawl_totals t WHERE t.crawl_id = c.id) "
	    "  ORDER BY c.id DESC LIMIT $2) w ORDER BY id",
	    2, p, PGRES_TUPLES_OK, "node history crawls", err, cap);
	if (!w)
		return ERR_DB;
	enum err e = ERR_OK;
	for (int k = 0; k < PQntuples(w) && e == ERR_OK; k++) {
		if ((e = history_add_crawl(h, num(w, k, 0, 0), val(w, k, 1))) != ERR_OK)
			break;
		h->crawls[h->n - 1].probed = !strcmp(PQgetvalue(w, k, 2), "t");
		/* One crawl at a time: each is an index scan of visits (crawl_id) and a
		 * small aggregate. The outcomes that make a visit with a peer id public
		 * come from visit_point_class() itself, evaluated once per outcome. */
		const char *q[1] = {PQgetvalue(w, k, 0)};
		PGresult *r = query(
		    db,
		    "SELECT v.peer_id, max(encode(v.chain_name_raw, 'hex')), "
		    "max(v.distributed_db_version), max(v.p2p_version), "
		    "min(n.release COLLATE \"C\") AS release "
		    "FROM visits v LEFT JOIN node_releases n ON n.crawl_id = v.crawl_id "
		    "AND n.point_id = v.point_id "
		    "WHERE v.crawl_id = $1 AND v.peer_id IS NOT NULL AND v.outcome IN "
		    "(SELECT name FROM outcomes WHERE visit_point_class(name, 'id') = 'public') "
		    "GROUP BY v.peer_id",
		    1, q, PGRES_TUPLES_OK, "node history", err, cap);
		if (!r) {
			PQclear(w);
			return ERR_DB;
		}
		for (int i = 0; i < PQntuples(r) && e == ERR_OK; i++) {
			const char *hex = val(r, i, 1);
			char text[ACRAWL_CHAIN_TEXT_CAP];
			if (hex) { /* raw bytes, rendered as load_db() does */
				uint8_t raw[128];
				size_t n = 0, hl = strlen(hex);
				if (hex_decode(raw, sizeof raw, &n, hex, hl > 256 ? 256 : hl) != ERR_OK)
					n = 0;
				acrawl_chain_text(raw, n, text, sizeof text);
			}
			e = history_add_node(h, val(r, i, 0), hex ? text : NULL, (int)num(r, i, 2, -1),
			                     (int)num(r, i, 3, -1), val(r, i, 4));
		}
		PQclear(r);
	}
	PQclear(w);
	if (e != ERR_OK) {
		snprintf(err, cap, "out of memory loading the node history");
		return e;
	}
	history_finish(h);
	return ERR_OK;
}
