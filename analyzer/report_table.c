/*
 * report_table — the generic table walker and the checked report.json
 * look-ups (see report_spec.h).
 *
 * Why rows are JSON objects: most tables are arrays of report.json as they
 * stand, so a column is just a key; the few computed tables build the same
 * kind of object, and one walker serves both. The page shows the first
 * TABLE_ROWS_MAX rows of each table, the CSV every row.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "anon.h"
#include "report_spec.h"

static const struct {
	const char *type; /* Table Schema */
	bool right;       /* numbers align right in the page */
} FMT[] = {
    [RF_TEXT] = {"string", false},   [RF_TEXT_R] = {"string", true},
    [RF_LINK] = {"string", false},   [RF_COUNT] = {"integer", true},
    [RF_COUNT2] = {"integer", true}, [RF_INT] = {"integer", true},
    [RF_NUM3] = {"number", true},    [RF_SHARE] = {"number", true},
    [RF_G4] = {"number", true},      [RF_FIX3] = {"number", true},
    [RF_ROUND] = {"number", true},   [RF_TIME] = {"datetime", false},
};

static bool is_text(enum rfmt f)
{
	return f == RF_TEXT || f == RF_TEXT_R || f == RF_LINK || f == RF_TIME;
}

void lack(struct rctx *r, const char *fmt, ...)
{
	if (r->lacks_n == LACKS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->lacks[r->lacks_n++], sizeof r->lacks[0], fmt, ap);
	va_end(ap);
}

const char *pub_id(const struct rctx *r, const char *s, char *buf, size_t cap)
{
	if (!s)
		return "";
	if (!r->o->anonymize)
		return s;
	anon_point(s, buf, cap);
	return buf;
}

void csv_num(struct rbuf *b, bool ok, double v)
{
	if (!ok)
		return; /* empty field = missing value */
	if (v == floor(v) && fabs(v) < 1e15)
		rbuf_printf(b, "%.0f", v);
	else
		rbuf_printf(b, "%.10g", v);
}

/* ---- checked look-ups ------------------------------------------------- */

void r_missing(struct rctx *r, const char *path)
{
	for (size_t i = 0; i < r->missing_n; i++)
		if (strcmp(r->missing[i], path) == 0)
			return;
	if (r->missing_n < MISSING_MAX)
		snprintf(r->missing[r->missing_n++], sizeof r->missing[0], "%s", path);
}

const json_t *r_get(struct rctx *r, const char *path)
{
	const json_t *j = rj_get(r->cur, path);
	if (!j)
		r_missing(r, path);
	return j;
}

bool r_num(struct rctx *r, const char *path, double *v)
{
	const json_t *j = r_get(r, path);
	if (!json_is_number(j))
		return false;
	*v = json_number_value(j);
	return true;
}

const char *r_str(struct rctx *r, const char *path)
{
	return json_string_value(r_get(r, path));
}

/* ---- cells -------------------------------------------------------------- */

/* The page text of a number in format f. */
static void fmt_cell(char *out, size_t cap, enum rfmt f, double v)
{
	switch (f) {
	case RF_COUNT: fmt_num(out, cap, v, 0); break;
	case RF_COUNT2: fmt_num(out, cap, v, 2); break;
	case RF_INT: snprintf(out, cap, "%.0f", v); break;
	case RF_NUM3: fmt_num(out, cap, v, 3); break;
	case RF_SHARE: snprintf(out, cap, "%.1f%%", 100 * v); break;
	case RF_G4: snprintf(out, cap, "%.4g", v); break;
	case RF_FIX3: snprintf(out, cap, "%.3f", v); break;
	case RF_ROUND: fmt_num(out, cap, round(v), 0); break;
	case RF_TEXT:
	case RF_TEXT_R:
	case RF_LINK:
	case RF_TIME: snprintf(out, cap, "n/a"); break;
	}
}

static void num_cell(struct doc *d, const char *text)
{
	rbuf_puts(&d->html, "<td class=\"n\">");
	rbuf_puts(&d->md, " ");
	doc_t(d, text);
	doc_cell_close(d);
}

static void link_cell(struct doc *d, const char *text, const char *url)
{
	doc_cell_open(d);
	rbuf_printf(&d->html, "<a href=\"%s\">", url);
	rbuf_html(&d->html, text);
	rbuf_puts(&d->html, "</a>");
	rbuf_printf(&d->md, "[%s](%s)", text, url);
	doc_cell_close(d);
}

/* One page cell of column c for value v (NULL: absent, shown as none). */
static void page_cell(struct rctx *r, const struct rcol *c, const json_t *v, const json_t *row,
                      const char *none)
{
	struct doc *d = &r->d;
	char buf[ANON_POINT_CAP + 128];
	if (is_text(c->fmt)) {
		const char *s = json_string_value(v);
		if (!s)
			doc_cell_t(d, none);
		else if (c->fmt == RF_LINK)
			link_cell(d, s, json_string_value(json_object_get(row, "url")));
		else if (c->fmt == RF_TEXT_R)
			num_cell(d, s);
		else if (c->flags & RC_PEER)
			doc_cell_code(d, c->flags & RC_ANON ? pub_id(r, s, buf, sizeof buf) : s);
		else
			doc_cell_t(d, s);
		return;
	}
	if (json_is_number(v))
		fmt_cell(buf, sizeof buf, c->fmt, json_number_value(v));
	else
		snprintf(buf, sizeof buf, "%s", none);
	num_cell(d, buf);
}

static void csv_cell(struct rctx *r, struct rbuf *b, const struct rcol *c, const json_t *v)
{
	char buf[ANON_POINT_CAP + 128];
	if (is_text(c->fmt)) {
		const char *s = json_string_value(v);
		if (s) /* rbuf_csv neutralises a leading = + - @ in every string cell */
			rbuf_csv(b, c->flags & RC_ANON ? pub_id(r, s, buf, sizeof buf) : s);
		return;
	}
	csv_num(b, json_is_number(v), json_number_value(v));
}

/* ---- tables ------------------------------------------------------------- */

static size_t cols_n(const struct rtable *spec)
{
	size_t n = 0;
	while (n < RCOLS_MAX && (spec->cols[n].head || spec->cols[n].csv))
		n++;
	return n;
}

void rtab_begin(struct rctx *r, struct rtab *t, const struct rtable *spec)
{
	memset(t, 0, sizeof *t);
	t->r = r;
	t->spec = spec;
	if (!spec->csv)
		return;
	struct doc_field f[RCOLS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < cols_n(spec); i++) {
		const struct rcol *c = &spec->cols[i];
		if (c->csv)
			f[n++] = (struct doc_field){c->csv, FMT[c->fmt].type, c->unit, c->desc};
	}
	t->csv = doc_csv(&r->d, spec->csv, spec->csv_title, spec->csv_desc, f, n);
}

static void page_open(struct rtab *t)
{
	const char *heads[RCOLS_MAX];
	char align[RCOLS_MAX + 1];
	size_t n = 0;
	for (size_t i = 0; i < cols_n(t->spec); i++) {
		const struct rcol *c = &t->spec->cols[i];
		if (!c->head)
			continue;
		heads[n] = t->head[i] ? t->head[i] : c->head;
		align[n++] = FMT[c->fmt].right ? 'r' : 'l';
	}
	align[n] = '\0';
	doc_table_open(&t->r->d, heads, n, align);
	t->page_open = true;
}

void rtab_row(struct rtab *t, const json_t *row, const char *src)
{
	const struct rtable *s = t->spec;
	struct rctx *r = t->r;
	const json_t *v[RCOLS_MAX];
	size_t n = cols_n(s);
	bool page = false;
	for (size_t i = 0; i < n; i++) {
		const struct rcol *c = &s->cols[i];
		v[i] = c->key ? rj_get(row, c->key) : row;
		if ((c->flags & RC_REQ) && !json_is_string(v[i]))
			return;
		if (!v[i] && src && !(c->flags & RC_CALC)) {
			char path[96];
			snprintf(path, sizeof path, "%s.%s", src, c->key);
			r_missing(r, path);
		}
		page |= c->head != NULL;
	}
	if (page && t->page_rows++ < TABLE_ROWS_MAX) {
		if (!t->page_open)
			page_open(t);
		doc_row_open(&r->d);
		for (size_t i = 0; i < n; i++)
			if (s->cols[i].head)
				page_cell(r, &s->cols[i], v[i], row, "n/a");
		doc_row_close(&r->d);
	}
	if (!t->csv)
		return;
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (!s->cols[i].csv)
			continue;
		if (!first)
			rbuf_puts(t->csv, ",");
		csv_cell(r, t->csv, &s->cols[i], v[i]);
		first = false;
	}
	rbuf_puts(t->csv, "\r\n");
}

void rtab_close(struct rtab *t)
{
	struct doc *d = &t->r->d;
	if (t->page_open) {
		doc_table_close(d, t->spec->csv);
		if (t->page_rows > TABLE_ROWS_MAX) {
			doc_p_open(d);
			if (t->spec->ordered)
				doc_tf(d, "Showing the %d that %s, of %zu; the CSV has them all.",
				       TABLE_ROWS_MAX, t->spec->ordered, t->page_rows);
			else
				doc_tf(d, "Showing %d of %zu; the CSV has them all.",
				       TABLE_ROWS_MAX, t->page_rows);
			doc_p_close(d);
		}
	} else if (t->spec->none) {
		doc_p(d, t->spec->none);
	}
	t->page_open = false;
	t->page_rows = 0;
}

void rtab_array(struct rctx *r, const struct rtable *spec, const char *path)
{
	struct rtab t;
	rtab_begin(r, &t, spec);
	const json_t *a = r_get(r, path);
	char src[96];
	snprintf(src, sizeof src, "%s[]", path);
	for (size_t i = 0; i < json_array_size(a); i++)
		rtab_row(&t, json_array_get(a, i), src);
	rtab_close(&t);
}

/* ---- figure tables ------------------------------------------------------ */

void rkv_rows(struct rctx *r, const struct rkv *rows, size_t n, const char *none)
{
	for (size_t i = 0; i < n; i++) {
		const struct rcol c = {NULL, NULL, rows[i].fmt, NULL, NULL, NULL, rows[i].flags};
		doc_row_open(&r->d);
		doc_cell_t(&r->d, rows[i].label);
		page_cell(r, &c, r_get(r, rows[i].path), NULL, none);
		doc_row_close(&r->d);
	}
}

void rkv_table(struct rctx *r, const char *const heads[2], const struct rkv *rows, size_t n)
{
	const struct rkv *first = n ? &rows[0] : NULL;
	doc_table_open(&r->d, heads, 2, first && FMT[first->fmt].right ? "lr" : "ll");
	rkv_rows(r, rows, n, "n/a");
	doc_table_close(&r->d, NULL);
}
