/*
 * report_doc — writes one document twice, as HTML and as Markdown, so the
 * two formats carry the same content; and collects the CSV and SVG files
 * that go beside them, with the Table Schema of each CSV for
 * datapackage.json.
 *
 * Text comes in two kinds: our own wording (doc_t: escaped for HTML, written
 * as-is in Markdown; never pass peer data to it) and untrusted text (doc_u:
 * escaped for both). struct doc owns its buffers and files; doc_free
 * releases everything and may be called twice. Not thread-safe per object.
 */
#ifndef TZ_ANALYZER_REPORT_DOC_H
#define TZ_ANALYZER_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"
#include "report_util.h"

#define DOC_FILES_MAX  96 /* every CSV and chart of a report with every section (about 60) */
#define DOC_FIELDS_MAX 12

/* One column of a CSV, as Frictionless Table Schema describes it. */
struct doc_field {
	const char *name;
	const char *type; /* "string", "integer", "number", "datetime" */
	const char *unit; /* NULL when unitless */
	const char *description;
};

struct doc_file {
	char name[64]; /* file name inside outdir */
	char title[128];
	bool is_csv;
	struct rbuf body;
	struct doc_field fields[DOC_FIELDS_MAX]; /* CSV only; strings borrowed (static) */
	size_t fields_n;
	char description[256];
};

struct doc {
	struct rbuf html, md;
	struct doc_file files[DOC_FILES_MAX];
	size_t files_n;
	bool too_many_files;
	struct rbuf sink; /* rows of a CSV that did not fit in files[] */
	bool in_table;    /* Markdown: a table row needs its "|" cells on one line */
};

void doc_free(struct doc *d);

/* Raw markup, one string per format (trusted; caller escapes). */
void doc_raw(struct doc *d, const char *html, const char *md);
void doc_t(struct doc *d, const char *text); /* our own text */
void doc_u(struct doc *d, const char *text); /* untrusted text */
void doc_tf(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_code_u(struct doc *d, const char *text); /* untrusted, as code */

void doc_h2(struct doc *d, const char *id, const char *title);
void doc_h3(struct doc *d, const char *title);
void doc_p_open(struct doc *d);
void doc_p_close(struct doc *d);
void doc_p(struct doc *d, const char *text); /* a whole paragraph of our own text */
void doc_li_open(struct doc *d);             /* inside doc_ul_open/close */
void doc_li_close(struct doc *d);
void doc_ul_open(struct doc *d);
void doc_ul_close(struct doc *d);
/* A whole bullet list of our own text. */
void doc_list(struct doc *d, const char *const *items, size_t n);

/* Tables: align is a string of 'l'/'r' per column. */
void doc_table_open(struct doc *d, const char *const *heads, size_t n, const char *align);
void doc_row_open(struct doc *d);
void doc_cell_open(struct doc *d);
void doc_cell_close(struct doc *d);
void doc_cell_t(struct doc *d, const char *text);
void doc_cell_u(struct doc *d, const char *text);
void doc_cell_code(struct doc *d, const char *text); /* untrusted, monospace */
void doc_row_close(struct doc *d);
void doc_table_close(struct doc *d,
                     const char *csv_name); /* csv_name: "data: x.csv" note, or NULL */

/*
 * A chart: svg_inline goes into the HTML, svg_file is written as <name>.svg
 * and referenced from the Markdown. caption is our own text. Takes ownership
 * of svg_file's buffer (it is moved into the file list).
 */
void doc_figure(struct doc *d, const char *name, const struct rbuf *svg_inline,
                struct rbuf *svg_file, const char *caption, const char *csv_name);

/* Starts a CSV file: writes the header row from fields (copied; at most
 * DOC_FIELDS_MAX, their strings borrowed). Returns the file's body buffer to
 * append rows to (never NULL; d->sink when full, with too_many_files set). */
struct rbuf *doc_csv(struct doc *d, const char *name, const char *title, const char *description,
                     const struct doc_field *fields, size_t fields_n);

/* Writes every collected file and the two documents' given wrappers into
 * outdir. Returns ERR_IO (err filled) or ERR_NOMEM. */
enum err doc_write_file(const char *outdir, const char *name, const char *data, size_t len,
                        char *err, size_t err_cap) __attribute__((warn_unused_result));

#endif
