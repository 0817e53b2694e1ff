/*
 * report_util — the small tools the report, gate and chart modules share:
 * a growable text buffer with escapers for HTML/XML, Markdown and CSV, dotted
 * path look-ups in report.json, number and time formatting.
 *
 * struct rbuf owns its bytes; rbuf_free releases them and may be called twice.
 * A failed allocation sets rbuf.oom and later appends do nothing, so callers
 * check once at the end. Nothing here reads the locale or the clock.
 */
#ifndef TZ_ANALYZER_REPORT_UTIL_H
#define TZ_ANALYZER_REPORT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * A text builder: lib/core's growth rule (array_reserve) under text appends
 * that never fail at the call (a failed allocation sets oom, checked once).
 */
struct rbuf {
	char *p; /* NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	bool oom;
};

void rbuf_free(struct rbuf *b);
void rbuf_add(struct rbuf *b, const char *s, size_t n);
void rbuf_puts(struct rbuf *b, const char *s);
void rbuf_printf(struct rbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Escapers for text that may come from a peer. All three first make the text
 * safe to show: C0 controls, DEL and the Unicode bidirectional overrides
 * (U+202A..U+202E, U+2066..U+2069) become visible "\xNN" / "\u{NNNN}" text.
 *   rbuf_html: & < > " ' as entities (valid in HTML and in XML/SVG);
 *   rbuf_md:   backslash before every ASCII punctuation character Markdown
 *              gives a meaning to (so a name cannot open a link, a table
 *              cell or an HTML tag);
 *   rbuf_csv:  one RFC 4180 field, always quoted, "" inside; a leading
 *              = + - @ gets a ' in front so spreadsheets do not run it.
 */
void rbuf_html(struct rbuf *b, const char *s);
void rbuf_md(struct rbuf *b, const char *s);
void rbuf_csv(struct rbuf *b, const char *s);

/* report.json look-ups by dotted path ("graph.core.vertices"); NULL/false when
 * absent or of another type. rj_num accepts integers and reals. */
const json_t *rj_get(const json_t *root, const char *path);
bool rj_num(const json_t *root, const char *path, double *out);
const char *rj_str(const json_t *root, const char *path);

/*
 * Reads a histogram: an object {"label": count, ...} or an array of
 * [label, count] pairs. Fills up to cap (value, count) pairs sorted by
 * numeric value (labels that are not numbers are skipped) and returns how
 * many it filled.
 */
struct rj_bin {
	double value;
	double count;
};
size_t rj_hist(const json_t *h, struct rj_bin *bins, size_t cap);

/* Parses "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH[:MM]|-HH[:MM]]" into Unix seconds. */
bool rj_time(const char *s, int64_t *out);

/* "12,345" (integers, thousands separated by commas; non-integers with up to
 * 'digits' decimals) into out. */
void fmt_num(char *out, size_t cap, double v, int digits);

#endif
