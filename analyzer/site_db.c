/*
 * site_db — the published site's nights from the database, and the file.
 *
 * One query reads every night: only the JSON paths of site_figures, not
 * whole report.json objects, so the cost grows with the nights, not with
 * the size of each analysis. "Published" and "comparable" are the rule of
 * the analyzer's history (load_db.c): finished, same vantage and chain,
 * publishable true or never gated (docs/researchers.md, "Which crawls to
 * compare or publish").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/site.h"

static PGresult *query(PGconn *db, const char *sql, int np, const char *const *params,
                       const char *what, char *err, size_t cap)
{
	PGresult *r = PQexecParams(db, sql, np, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, cap, "db: %s: %s", what, PQresultErrorMessage(r));
		char *nl = strchr(err, '\n');
		if (nl)
			*nl = 0;
		PQclear(r);
		return NULL;
	}
	return r;
}

/* "graph.backbone.x" -> "{graph,backbone,x}", a text[] literal for #>>. */
static void path_array(char *out, size_t cap, const char *dotted)
{
	size_t k = 0;
	out[k++] = '{';
	for (const char *s = dotted; *s && k + 2 < cap; s++)
		out[k++] = *s == '.' ? ',' : *s;
	out[k++] = '}';
	out[k] = 0;
}

/* The reference crawl: ref, or the latest finished, analyzed, not refused one. */
static enum err reference(PGconn *db, int64_t ref, int64_t *id, char **vantage, char **chain,
                          char *err, size_t cap)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, ref);
	const char *p[1] = {buf};
	PGresult *r = query(db,
	                    "SELECT c.id, c.vantage, c.config->>'chain' FROM crawls c "
	                    "WHERE ($1::bigint >= 0 AND c.id = $1) OR ($1::bigint < 0 "
	                    "AND c.status = 'finished' AND c.publishable IS NOT FALSE "
	                    "AND EXISTS (SELECT 1 FROM analyses a WHERE a.crawl_id = c.id)) "
	                    "ORDER BY c.started_at DESC, c.id DESC LIMIT 1",
	                    1, p, "reference crawl", err, cap);
	if (!r)
		return ERR_DB;
	enum err e = ERR_OK;
	*id = -1;
	if (PQntuples(r) == 1) {
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		if ((!PQgetisnull(r, 0, 1) && !(*vantage = strdup(PQgetvalue(r, 0, 1)))) ||
		    (!PQgetisnull(r, 0, 2) && !(*chain = strdup(PQgetvalue(r, 0, 2)))))
			e = ERR_NOMEM;
	} else if (ref >= 0) {
		snprintf(err, cap, "db: no crawl %" PRId64, ref);
		e = ERR_DB;
	}
	PQclear(r);
	return e;
}

static enum err load_nights(PGconn *db, int64_t ref, struct site_night **out, size_t *out_n,
                            char *err, size_t cap)
{
	char sql[2048], paths[SITE_FIGURES_MAX][128], refbuf[24];
	const char *p[1 + SITE_FIGURES_MAX];
	snprintf(refbuf, sizeof refbuf, "%" PRId64, ref);
	p[0] = refbuf;
	size_t len = (size_t)snprintf(sql, sizeof sql,
	                              "SELECT DISTINCT ON (a.crawl_id) a.crawl_id, "
	                              "floor(extract(epoch FROM c.started_at))::bigint");
	for (size_t i = 0; i < site_figures_n; i++) {
		path_array(paths[i], sizeof paths[i], site_figures[i].path);
		p[1 + i] = paths[i];
		len += (size_t)snprintf(sql + len, sizeof sql - len, ", a.metrics #>> $%zu::text[]",
		                        i + 2);
	}
	snprintf(
	    sql + len, sizeof sql - len,
	    " FROM analyses a JOIN crawls c ON c.id = a.crawl_id JOIN crawls cur ON cur.id = $1"
	    " WHERE c.status = 'finished' AND c.publishable IS NOT FALSE"
	    " AND c.vantage IS NOT DISTINCT FROM cur.vantage"
	    " AND c.config->>'chain' IS NOT DISTINCT FROM cur.config->>'chain'"
	    " ORDER BY a.crawl_id, a.computed_at DESC, a.id DESC");
	PGresult *r = query(db, sql, (int)(1 + site_figures_n), p, "published nights", err, cap);
	if (!r)
		return ERR_DB;
	size_t n = (size_t)PQntuples(r);
	struct site_night *nights = calloc(n ? n : 1, sizeof *nights);
	if (!nights) {
		PQclear(r);
		return ERR_NOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		nights[k].crawl_id = strtoll(PQgetvalue(r, (int)k, 0), NULL, 10);
		nights[k].started_at = strtoll(PQgetvalue(r, (int)k, 1), NULL, 10);
		for (size_t i = 0; i < site_figures_n; i++) {
			int col = (int)(2 + i);
			if (PQgetisnull(r, (int)k, col))
				continue;
			char *end;
			const char *s = PQgetvalue(r, (int)k, col);
			double v = strtod(s, &end);
			if (end != s && !*end) { /* a JSON number, not an object or text */
				nights[k].fig[i] = v;
				nights[k].has[i] = true;
			}
		}
	}
	PQclear(r);
	*out = nights;
	*out_n = n;
	return ERR_OK;
}

enum err site_build(PGconn *db, const char *dir, int64_t ref_crawl, const char *title,
                    size_t *nights_n, char *err, size_t cap)
{
	struct site_night *nights = NULL;
	size_t n = 0;
	char *vantage = NULL, *chain = NULL, path[4200], tmp[4300];
	struct rbuf b = {0};
	int64_t ref = -1;
	FILE *f = NULL;
	enum err e = reference(db, ref_crawl, &ref, &vantage, &chain, err, cap);
	if (e != ERR_OK)
		goto out;
	if (ref >= 0 && (e = load_nights(db, ref, &nights, &n, err, cap)) != ERR_OK)
		goto out;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, cap, "%s: %s", dir, strerror(errno));
		e = ERR_IO;
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		char rep[4200];
		snprintf(rep, sizeof rep, "%s/nights/%" PRId64 "/report.html", dir,
		         nights[k].crawl_id);
		nights[k].report = access(rep, R_OK) == 0;
	}
	struct site_opts o = {title, vantage, chain};
	site_render(&b, nights, n, &o);
	if (b.oom) {
		e = ERR_NOMEM;
		goto out;
	}
	snprintf(path, sizeof path, "%s/index.html", dir);
	snprintf(tmp, sizeof tmp, "%s/.index.html.%ld.tmp", dir, (long)getpid());
	e = ERR_IO;
	if (!(f = fopen(tmp, "w"))) {
		snprintf(err, cap, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	bool wrote = fwrite(b.p, 1, b.len, f) == b.len;
	if (fclose(f) != 0 || !wrote) {
		f = NULL;
		snprintf(err, cap, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	f = NULL;
	if (chmod(tmp, 0644) != 0 || rename(tmp, path) != 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	*nights_n = n;
	e = ERR_OK;
out:
	if (e == ERR_NOMEM)
		snprintf(err, cap, "out of memory building the site");
	rbuf_free(&b);
	free(nights);
	free(vantage);
	free(chain);
	return e;
}
