/*
 * report_chart — charts from their declarations (see report_spec.h).
 *
 * Every chart is drawn twice, inline (no xmlns) for the page and standalone
 * for the SVG file beside report.md, and placed with its caption and the link
 * to the CSV behind it. A chart with nothing to draw is a frame saying why,
 * never a missing figure, so the page keeps its shape.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report_spec.h"

#define HIST_BINS_MAX 65536 /* distinct histogram values read (CSV rows) */
#define BARS_MAX      32    /* bars drawn; more bins are grouped into ranges */

static void place(struct rctx *r, const struct rchart *c, struct rbuf *in, struct rbuf *file,
                  const char *caption)
{
	doc_figure(&r->d, c->id, in, file, caption ? caption : c->caption, c->csv);
	rbuf_free(in);
	rbuf_free(file);
}

void chart_none(struct rctx *r, const struct rchart *c, const char *caption)
{
	struct rbuf in = {0}, file = {0};
	const char *title = c->no_data_title ? c->no_data_title : c->title;
	svg_no_data(&in, c->id, title, c->no_data, false);
	svg_no_data(&file, c->id, title, c->no_data, true);
	place(r, c, &in, &file, caption);
}

void chart_bars(struct rctx *r, const struct rchart *c, const char *const *labels,
                const double *vals, size_t n)
{
	if (n == 0) {
		chart_none(r, c, NULL);
		return;
	}
	struct svg_bars b = {c->id, c->title, c->x_label,    c->y_label, labels,
	                     vals,  n,        c->horizontal, c->color};
	struct rbuf in = {0}, file = {0};
	svg_bar_chart(&in, &b, false);
	svg_bar_chart(&file, &b, true);
	place(r, c, &in, &file, NULL);
}

void chart_lines(struct rctx *r, const struct rchart *c, const struct svg_line *l,
                 const char *caption)
{
	struct rbuf in = {0}, file = {0};
	svg_line_chart(&in, l, false);
	svg_line_chart(&file, l, true);
	place(r, c, &in, &file, caption);
}

/*
 * Whole-number histograms get a zero bin for every missing value between
 * their least and greatest, so the bars are an axis (26, 27, 28, ... not
 * 26, 28, 31) and a gap shows as a gap. In place; bins sorted by value;
 * returns the new count (unchanged when a value is not whole or the range
 * does not fit in cap).
 */
static size_t fill_gaps(struct rj_bin *bins, size_t n, size_t cap)
{
	if (n < 2)
		return n;
	for (size_t i = 0; i < n; i++)
		if (bins[i].value != floor(bins[i].value))
			return n;
	double span = bins[n - 1].value - bins[0].value + 1;
	if (span > (double)cap || span <= (double)n)
		return n;
	size_t m = (size_t)span, k = n;
	for (size_t i = m; i-- > 0;) { /* from the top, so no bin is overwritten unread */
		double v = bins[0].value + (double)i;
		if (k > 0 && bins[k - 1].value == v)
			bins[i] = bins[--k];
		else
			bins[i] = (struct rj_bin){v, 0};
	}
	return m;
}

/*
 * One bar per value, or per run of consecutive values when there are too
 * many to read (e.g. head lags in the thousands). The CSV keeps every value.
 */
void chart_hist(struct rctx *r, const struct rhist *h)
{
	struct rtable spec = {h->chart.csv, h->csv_title, h->chart.caption, NULL, NULL, {{0}}};
	spec.cols[0] = h->cols[0];
	spec.cols[1] = h->cols[1];
	struct rtab t;
	rtab_begin(r, &t, &spec);
	struct rj_bin *bins = calloc(HIST_BINS_MAX, sizeof *bins);
	const char **labels = calloc(BARS_MAX + 1, sizeof *labels);
	double *vals = calloc(BARS_MAX + 1, sizeof *vals);
	char(*lab)[40] = calloc(BARS_MAX + 1, sizeof *lab);
	if (!bins || !labels || !vals || !lab) {
		r->d.html.oom = true;
		goto out;
	}
	size_t n = rj_hist(r_get(r, h->path), bins, HIST_BINS_MAX);
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_pack("{sfsf}", "v", bins[i].value, "n", bins[i].count);
		rtab_row(&t, row, NULL);
		json_decref(row);
	}
	n = fill_gaps(bins, n, HIST_BINS_MAX);
	size_t per = n > BARS_MAX ? (n + BARS_MAX - 1) / BARS_MAX : 1;
	size_t bars_n = 0;
	for (size_t i = 0; i < n; i += per) {
		size_t last = i + per - 1 < n ? i + per - 1 : n - 1;
		double sum = 0;
		for (size_t k = i; k <= last; k++)
			sum += bins[k].count;
		if (last == i)
			snprintf(lab[bars_n], sizeof lab[bars_n], "%.10g", bins[i].value);
		else
			snprintf(lab[bars_n], sizeof lab[bars_n], "%.6g-%.6g", bins[i].value,
			         bins[last].value);
		labels[bars_n] = lab[bars_n];
		vals[bars_n++] = sum;
	}
	chart_bars(r, &h->chart, labels, vals, bars_n);
out:
	free(bins);
	free(labels);
	free(vals);
	free(lab);
}
