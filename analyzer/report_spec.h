/*
 * report_spec — the report renderer's declarations and the generic code that
 * walks them (internal to analyzer/report*.c; report.h is the contract).
 *
 * A table is declared once as a static struct rtable: its columns (heading,
 * key in the row object, format, CSV name, unit, description, flags). One
 * walker, rtab_*, writes its rows into the HTML table, the Markdown table
 * and the CSV file, and the datapackage.json entry comes from the same
 * columns. A row is a JSON object: an element of a report.json array as it
 * is, or an object the section builds for figures it computes. A chart is a
 * struct rchart (ids, titles, axes, series); chart_* render it twice (inline
 * and as a file) and place it with its caption.
 *
 * Peer text never goes through our own-text path: a column flagged RC_PEER
 * is escaped for every format (code cell in the page; in the CSV a leading
 * = + - @ is neutralised, as rbuf_csv does for every string cell), and RC_ANON
 * passes it through anon_point() when the report is anonymized.
 *
 * Keys the spec names that report.json lacks are recorded (r_missing) and
 * handed to report_opts.missing_cb, so tests can fail on them; the page shows
 * "n/a". Everything here writes into the struct rctx of one render; no global
 * state.
 */
#ifndef TZ_ANALYZER_REPORT_SPEC_H
#define TZ_ANALYZER_REPORT_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "report.h"
#include "report_doc.h"
#include "report_util.h"
#include "svg.h"

#define LACKS_MAX      24
#define MISSING_MAX    64
#define TABLE_ROWS_MAX 25 /* rows shown in the page; the CSV has them all */
#define RCOLS_MAX      16
#define DAY_S          86400

struct rctx {
	const json_t *cur;
	json_t *const *hist;
	size_t hist_n;
	const struct report_opts *o;
	struct doc d;
	char lacks[LACKS_MAX][200];
	size_t lacks_n;
	char missing[MISSING_MAX][96]; /* report.json keys the spec named, absent */
	size_t missing_n;
	const json_t *prev, *d7, *d30; /* comparison crawls, NULL when absent */
	bool empty;                    /* no public node: no seed answered */
};

/* How a cell is shown, and its Table Schema type. */
enum rfmt {
	RF_TEXT,   /* string; left; our text, or peer text with RC_PEER */
	RF_TEXT_R, /* string; right; a figure the section formatted (our text) */
	RF_LINK,   /* string; left; our text linked to the row's "url" */
	RF_COUNT,  /* integer; "12,345" */
	RF_COUNT2, /* integer; "12,345", up to 2 decimals when not whole */
	RF_INT,    /* integer; "12345" */
	RF_NUM3,   /* number; "12,345", up to 3 decimals */
	RF_SHARE,  /* number 0..1; "12.3%" */
	RF_G4,     /* number; 4 significant digits */
	RF_FIX3,   /* number; 3 decimals */
	RF_ROUND,  /* number; rounded, "1,234" */
	RF_TIME,   /* datetime (ISO 8601 text) */
};

#define RC_PEER 1u /* text from a peer or report.json: escaped everywhere, code cell */
#define RC_ANON 2u /* a point or address: truncated when anonymizing */
#define RC_REQ  4u /* a row without this key is skipped */
#define RC_CALC 8u /* computed here, not a report.json key: never reported missing */

struct rcol {
	const char *head; /* page heading; NULL: CSV only */
	const char *key;  /* key in the row object; NULL: the row itself (a string) */
	enum rfmt fmt;
	const char *csv; /* CSV field name; NULL: page only */
	const char *unit;
	const char *desc; /* datapackage.json description */
	unsigned flags;   /* RC_* */
};

struct rtable {
	const char *csv; /* file name; NULL: page only */
	const char *csv_title;
	const char *csv_desc;
	const char *none;            /* paragraph in place of an empty page table; NULL: nothing */
	const char *ordered;         /* "cut off the most": the "Showing ..." note says what the
	                                first rows are; NULL: "Showing 25 of N" */
	struct rcol cols[RCOLS_MAX]; /* up to the first with neither head nor csv */
};
#define RCOLS(a) (a), (sizeof(a) / sizeof((a)[0]))

/* One table being written: rows go to the page (first TABLE_ROWS_MAX) and CSV. */
struct rtab {
	struct rctx *r;
	const struct rtable *spec;
	struct rbuf *csv;            /* NULL: page only */
	const char *head[RCOLS_MAX]; /* heading overrides (section-built), NULL: spec */
	size_t page_rows;            /* rows given to the current page table */
	bool page_open;
};

void rtab_begin(struct rctx *r, struct rtab *t, const struct rtable *spec);
/* One row: src names where it came from in report.json ("versions[]") so an
 * absent key is recorded as src.key; NULL for rows the section built. */
void rtab_row(struct rtab *t, const json_t *row, const char *src);
/* Closes the page table (link to the CSV, "Showing ..." note) or writes the
 * spec's "none" paragraph; the next row opens a new page table into the same CSV. */
void rtab_close(struct rtab *t);
/* Every element of the array at path as a row; then rtab_close. */
void rtab_array(struct rctx *r, const struct rtable *spec, const char *path);

/* A two-column page table of figures read straight from report.json. */
struct rkv {
	const char *label; /* our text */
	const char *path;  /* in report.json */
	enum rfmt fmt;
	unsigned flags;
};
void rkv_rows(struct rctx *r, const struct rkv *rows, size_t n, const char *none);
void rkv_table(struct rctx *r, const char *const heads[2], const struct rkv *rows, size_t n);

/* A chart. Bars: labels[]/vals[]; lines: series[]. */
struct rchart {
	const char *id; /* [a-z0-9_]: element id and file name */
	const char *title;
	const char *x_label, *y_label;
	const char *caption;       /* our text, under the chart */
	const char *no_data;       /* message drawn when there is nothing to draw */
	const char *no_data_title; /* title of that frame; NULL: title */
	const char *csv;           /* the CSV behind it */
	bool horizontal;           /* bars: labels on the left */
	const char *color;         /* bars */
};
void chart_bars(struct rctx *r, const struct rchart *c, const char *const *labels,
                const double *vals, size_t n);
void chart_lines(struct rctx *r, const struct rchart *c, const struct svg_line *l,
                 const char *caption);
void chart_none(struct rctx *r, const struct rchart *c, const char *caption);

/* A histogram of report.json ({"value": count} or [[value, count]]) as a bar
 * chart and its two-column CSV (value, count): chart.csv, described by the
 * chart's caption; the columns' keys are "v" and "n". */
struct rhist {
	const char *path;
	struct rchart chart;
	const char *csv_title;
	struct rcol cols[2];
};
void chart_hist(struct rctx *r, const struct rhist *h);

/* report.json look-ups that record an absent key (see r_missing). */
const json_t *r_get(struct rctx *r, const char *path);
bool r_num(struct rctx *r, const char *path, double *v);
const char *r_str(struct rctx *r, const char *path);
void r_missing(struct rctx *r, const char *path);

void lack(struct rctx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An id or point as it may be published: truncated when anonymizing. */
const char *pub_id(const struct rctx *r, const char *s, char *buf, size_t cap);
/* A CSV number: empty when !ok (missing value), integers without decimals. */
void csv_num(struct rbuf *b, bool ok, double v);

/* A chart label for an Octez release (peer text): cut with "..." when it
 * would show wider than RELEASE_LABEL_MAX characters once escaped, never
 * inside a character; out holds RELEASE_LABEL_CAP bytes. */
#define RELEASE_LABEL_MAX 20
#define RELEASE_LABEL_CAP (4 * RELEASE_LABEL_MAX + 4)
void release_label(char *out, size_t cap, const char *s);

/* Sections, in page order. */
void section_provenance(struct rctx *r);
void section_headline(struct rctx *r);
void section_size(struct rctx *r);
void section_outcomes(struct rctx *r);
void section_resilience(struct rctx *r);
void section_versions(struct rctx *r);
void section_concentration(struct rctx *r);
void section_stability(struct rctx *r);
void section_location(struct rctx *r);
void section_nat(struct rctx *r);
void section_methodology(struct rctx *r);

/* The headline ratio (counts.public_ratio; derived by its definition, public
 * / (public + unverified + unreachable), when absent) of any crawl. */
bool headline_ratio(const json_t *j, double *v);
/* A ratio as every part of the page shows it ("22.7%"): the headline, its
 * census sentence and "Compare with" give the same figure. */
void fmt_ratio(char *out, size_t cap, double v);

#endif
