/*
 * site — the published site: one index.html over every published night of a
 * vantage and chain (tzcensus-analyze --site DIR).
 *
 * The page lists each night with its headline figures, draws the long-term
 * charts over the last 30, 90 and 365 days, and links to each night's report
 * when DIR/nights/CRAWL-ID/report.html exists. It is self-contained: inline
 * CSS and SVG (svg.c), no script, no font, image or stylesheet fetched, and a
 * Content-Security-Policy that forbids them.
 *
 * The figures are a declared table (site_figures): a column of the nights
 * table and, when chart is set, one chart per window. A figure no night has
 * (a key an older analyzer did not write) is left out of the page, so a new
 * report.json key can be added as one row before the nights carry it.
 *
 * site_render is pure (same nights -> same bytes; no clock, no locale);
 * site_build reads the database and writes the file. Neither keeps state.
 */
#ifndef TZ_ANALYZER_SITE_H
#define TZ_ANALYZER_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "analyzer/report_util.h"
#include "core/err.h"

#define SITE_FIGURES_MAX 8

struct site_figure {
	const char *key;   /* column name, [a-z_] */
	const char *title; /* column header and chart title */
	const char *unit;  /* y axis title */
	const char *path;  /* report.json dotted path (analyses.metrics) */
	bool share;        /* 0..1, shown as a percent */
	bool chart;        /* drawn over 30, 90 and 365 days */
};
extern const struct site_figure site_figures[];
extern const size_t site_figures_n;

/* One published night: the crawl and its latest analysis's figures. */
struct site_night {
	int64_t crawl_id;
	int64_t started_at; /* Unix seconds */
	double fig[SITE_FIGURES_MAX];
	bool has[SITE_FIGURES_MAX]; /* false: the analysis has no such key */
	bool report;                /* nights/CRAWL-ID/report.html exists */
};

struct site_opts {
	const char *title;   /* NULL: "Tezos P2P network census" */
	const char *vantage; /* shown in the header; NULL: none recorded */
	const char *chain;   /* likewise */
};

/* The whole index.html for nights (any order; n may be 0) into b. */
void site_render(struct rbuf *b, const struct site_night *nights, size_t n,
                 const struct site_opts *o);

/*
 * Builds DIR/index.html (written to a temporary name, then renamed) from the
 * nights comparable with crawl ref_crawl (-1: the latest finished crawl with
 * an analysis that the gate did not refuse): finished, same vantage and
 * chain, not refused by the publication gate; for each, its latest analysis.
 * DIR is created when missing. *nights_n gets the count of nights listed.
 * Returns ERR_OK, ERR_DB, ERR_IO or ERR_NOMEM with a reason in err.
 */
enum err site_build(PGconn *db, const char *dir, int64_t ref_crawl, const char *title,
                    size_t *nights_n, char *err, size_t cap) __attribute__((warn_unused_result));

#endif
