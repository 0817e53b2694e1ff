/*
 * report_doc — the twin HTML/Markdown writer and the file list (see header).
 *
 * Why one writer for both formats: docs/report.md promises "the same content" in
 * report.md and report.html; writing both from the same calls makes drift
 * impossible instead of something a test has to catch.
 */
#include "report_doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void doc_free(struct doc *d)
{
	if (!d)
		return;
	rbuf_free(&d->html);
	rbuf_free(&d->md);
	rbuf_free(&d->sink);
	for (size_t i = 0; i < d->files_n; i++)
		rbuf_free(&d->files[i].body);
	d->files_n = 0;
}

void doc_raw(struct doc *d, const char *html, const char *md)
{
	if (html)
		rbuf_puts(&d->html, html);
	if (md)
		rbuf_puts(&d->md, md);
}

void doc_t(struct doc *d, const char *text)
{
	rbuf_html(&d->html, text);
	rbuf_puts(&d->md, text);
}

void doc_u(struct doc *d, const char *text)
{
	rbuf_html(&d->html, text);
	rbuf_md(&d->md, text);
}

void doc_tf(struct doc *d, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	doc_t(d, tmp);
}

void doc_code_u(struct doc *d, const char *text)
{
	rbuf_puts(&d->html, "<code>");
	rbuf_html(&d->html, text);
	rbuf_puts(&d->html, "</code>");
	/* Escaped text, not a code span: a code span would show the backslashes. */
	rbuf_md(&d->md, text);
}

void doc_h2(struct doc *d, const char *id, const char *title)
{
	rbuf_printf(&d->html, "<section id=\"%s\">\n<h2>", id);
	rbuf_html(&d->html, title);
	rbuf_puts(&d->html, "</h2>\n");
	rbuf_printf(&d->md, "\n## %s\n\n", title);
}

void doc_h3(struct doc *d, const char *title)
{
	rbuf_puts(&d->html, "<h3>");
	rbuf_html(&d->html, title);
	rbuf_puts(&d->html, "</h3>\n");
	rbuf_printf(&d->md, "\n### %s\n\n", title);
}

void doc_p_open(struct doc *d)
{
	rbuf_puts(&d->html, "<p>");
}

void doc_p_close(struct doc *d)
{
	rbuf_puts(&d->html, "</p>\n");
	rbuf_puts(&d->md, "\n\n");
}

void doc_p(struct doc *d, const char *text)
{
	doc_p_open(d);
	doc_t(d, text);
	doc_p_close(d);
}

void doc_ul_open(struct doc *d)
{
	rbuf_puts(&d->html, "<ul>\n");
}

void doc_ul_close(struct doc *d)
{
	rbuf_puts(&d->html, "</ul>\n");
	rbuf_puts(&d->md, "\n");
}

void doc_list(struct doc *d, const char *const *items, size_t n)
{
	doc_ul_open(d);
	for (size_t i = 0; i < n; i++) {
		doc_li_open(d);
		doc_t(d, items[i]);
		doc_li_close(d);
	}
	doc_ul_close(d);
}

void doc_li_open(struct doc *d)
{
	rbuf_puts(&d->html, "<li>");
	rbuf_puts(&d->md, "- ");
}

void doc_li_close(struct doc *d)
{
	rbuf_puts(&d->html, "</li>\n");
	rbuf_puts(&d->md, "\n");
}

void doc_table_open(struct doc *d, const char *const *heads, size_t n, const char *align)
{
	rbuf_puts(&d->html, "<div class=\"tw\"><table>\n<thead><tr>");
	rbuf_puts(&d->md, "\n|");
	for (size_t i = 0; i < n; i++) {
		bool right = align && align[i] == 'r';
		rbuf_printf(&d->html, "<th%s>", right ? " class=\"n\"" : "");
		rbuf_html(&d->html, heads[i]);
		rbuf_puts(&d->html, "</th>");
		rbuf_printf(&d->md, " %s |", heads[i]);
	}
	rbuf_puts(&d->html, "</tr></thead>\n<tbody>\n");
	rbuf_puts(&d->md, "\n|");
	for (size_t i = 0; i < n; i++)
		rbuf_puts(&d->md, align && align[i] == 'r' ? " ---: |" : " --- |");
	rbuf_puts(&d->md, "\n");
	d->in_table = true;
}

void doc_row_open(struct doc *d)
{
	rbuf_puts(&d->html, "<tr>");
	rbuf_puts(&d->md, "|");
}

void doc_cell_open(struct doc *d)
{
	rbuf_puts(&d->html, "<td>");
	rbuf_puts(&d->md, " ");
}

void doc_cell_close(struct doc *d)
{
	rbuf_puts(&d->html, "</td>");
	rbuf_puts(&d->md, " |");
}

void doc_cell_t(struct doc *d, const char *text)
{
	doc_cell_open(d);
	doc_t(d, text);
	doc_cell_close(d);
}

void doc_cell_u(struct doc *d, const char *text)
{
	doc_cell_open(d);
	doc_u(d, text);
	doc_cell_close(d);
}

void doc_cell_code(struct doc *d, const char *text)
{
	doc_cell_open(d);
	doc_code_u(d, text);
	doc_cell_close(d);
}

void doc_row_close(struct doc *d)
{
	rbuf_puts(&d->html, "</tr>\n");
	rbuf_puts(&d->md, "\n");
}

void doc_table_close(struct doc *d, const char *csv_name)
{
	rbuf_puts(&d->html, "</tbody></table></div>\n");
	rbuf_puts(&d->md, "\n");
	d->in_table = false;
	if (csv_name) {
		rbuf_printf(&d->html, "<p class=\"data\">Data: <a href=\"%s\">%s</a></p>\n",
		            csv_name, csv_name);
		rbuf_printf(&d->md, "Data: [%s](%s)\n\n", csv_name, csv_name);
	}
}

static struct doc_file *new_file(struct doc *d, const char *name)
{
	if (d->files_n == DOC_FILES_MAX) {
		d->too_many_files = true;
		return NULL;
	}
	struct doc_file *f = &d->files[d->files_n++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	return f;
}

void doc_figure(struct doc *d, const char *name, const struct rbuf *svg_inline,
                struct rbuf *svg_file, const char *caption, const char *csv_name)
{
	char fname[64];
	snprintf(fname, sizeof fname, "%s.svg", name);
	struct doc_file *f = new_file(d, fname);
	if (f) {
		f->body = *svg_file;
		snprintf(f->title, sizeof f->title, "%s", caption);
	} else {
		rbuf_free(svg_file);
	}
	memset(svg_file, 0, sizeof *svg_file);

	rbuf_printf(&d->html, "<figure id=\"fig-%s\">\n", name);
	rbuf_puts(&d->html, "<div class=\"sw\">\n");
	if (svg_inline->len)
		rbuf_add(&d->html, svg_inline->p, svg_inline->len);
	rbuf_puts(&d->html, "</div>\n");
	rbuf_puts(&d->html, "<figcaption>");
	rbuf_html(&d->html, caption);
	if (csv_name)
		rbuf_printf(&d->html, " <span class=\"data\">Data: <a href=\"%s\">%s</a></span>",
		            csv_name, csv_name);
	rbuf_puts(&d->html, "</figcaption>\n</figure>\n");

	rbuf_printf(&d->md, "![%s](%s)\n\n*%s*", caption, fname, caption);
	if (csv_name)
		rbuf_printf(&d->md, " Data: [%s](%s)", csv_name, csv_name);
	rbuf_puts(&d->md, "\n\n");
}

struct rbuf *doc_csv(struct doc *d, const char *name, const char *title, const char *description,
                     const struct doc_field *fields, size_t fields_n)
{
	struct doc_file *f = new_file(d, name);
	if (!f)
		return &d->sink;
	f->is_csv = true;
	snprintf(f->title, sizeof f->title, "%s", title);
	snprintf(f->description, sizeof f->description, "%s", description);
	if (fields_n > DOC_FIELDS_MAX) {
		d->too_many_files = true;
		fields_n = DOC_FIELDS_MAX;
	}
	memcpy(f->fields, fields, fields_n * sizeof *fields);
	f->fields_n = fields_n;
	for (size_t i = 0; i < fields_n; i++)
		rbuf_printf(&f->body, "%s%s", i ? "," : "", fields[i].name);
	rbuf_puts(&f->body, "\r\n");
	return &f->body;
}

enum err doc_write_file(const char *outdir, const char *name, const char *data, size_t len,
                        char *err, size_t err_cap)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s", outdir, name);
	if (n < 0 || (size_t)n >= sizeof path) {
		snprintf(err, err_cap, "%s/%s: path too long", outdir, name);
		return ERR_INVAL;
	}
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, err_cap, "%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if ((len && fwrite(data, 1, len, f) != len) || fflush(f) != 0) {
		snprintf(err, err_cap, "%s: %s", path, strerror(errno));
		fclose(f);
		return ERR_IO;
	}
	if (fclose(f) != 0) {
		snprintf(err, err_cap, "%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	return ERR_OK;
}
