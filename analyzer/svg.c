/*
 * svg — line and bar charts (see the header).
 *
 * Layout is fixed in viewBox units (W x H) and left to the browser to scale;
 * margins leave room for tick labels and axis titles. Axis ticks use the
 * classic 1-2-5 "nice number" steps so labels are round.
 */
#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define W    640.0
#define H    320.0
#define ML   64.0 /* left margin: y tick labels and title */
#define MR   16.0
#define MT   34.0 /* top: legend */
#define MB   52.0 /* bottom: x tick labels and title */
#define FONT "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

static void open_svg(struct rbuf *b, const char *id, const char *title, double h, bool xmlns)
{
	rbuf_printf(b,
	            "<svg%s id=\"%s\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	            "aria-labelledby=\"%s-t\" font-family=\"%s\" font-size=\"12\">\n",
	            xmlns ? " xmlns=\"http://www.w3.org/2000/svg\"" : "", id, W, h, id, FONT);
	rbuf_printf(b, "<title id=\"%s-t\">", id);
	rbuf_html(b, title);
	rbuf_puts(b, "</title>\n");
	rbuf_printf(b, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", W, h);
}

/* A "nice" step for about `ticks` intervals over span. */
static double nice_step(double span, int ticks)
{
	if (span <= 0 || !isfinite(span))
		return 1;
	double raw = span / ticks;
	double mag = pow(10, floor(log10(raw)));
	double f = raw / mag;
	double nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	return nf * mag;
}

static void fmt_tick(char *out, size_t cap, double v, enum svg_xaxis kind, double step)
{
	if (kind == SVG_X_SHARE) {
		snprintf(out, cap, "%.0f%%", v * 100.0);
		return;
	}
	if (kind == SVG_X_TIME) {
		time_t t = (time_t)v;
		struct tm tm;
		gmtime_r(&t, &tm);
		/* ticks closer than a day carry the time of day */
		strftime(out, cap, step < 86400.0 ? "%m-%d %H:%M" : "%Y-%m-%d", &tm);
		return;
	}
	if (fabs(v) >= 10000) {
		fmt_num(out, cap, round(v), 0);
		return;
	}
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step));
	if (dec > 6)
		dec = 6;
	snprintf(out, cap, "%.*f", dec, v);
}

static void axis_title(struct rbuf *b, double x, double y, const char *text, bool vertical)
{
	if (!text)
		return;
	if (vertical)
		rbuf_printf(b,
		            "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-90 %.1f %.1f)\" "
		            "text-anchor=\"middle\" fill=\"#374151\">",
		            x, y, x, y);
	else
		rbuf_printf(b,
		            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#374151\">",
		            x, y);
	rbuf_html(b, text);
	rbuf_puts(b, "</text>\n");
}

void svg_no_data(struct rbuf *b, const char *id, const char *title, const char *msg, bool xmlns)
{
	double h = 120;
	open_svg(b, id, title, h, xmlns);
	rbuf_printf(b,
	            "<rect x=\"8\" y=\"8\" width=\"%.0f\" height=\"%.0f\" fill=\"#f9fafb\" "
	            "stroke=\"#d1d5db\" stroke-dasharray=\"6 4\" rx=\"8\"/>\n",
	            W - 16, h - 16);
	rbuf_printf(b,
	            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"15\" "
	            "fill=\"#4b5563\">",
	            W / 2, h / 2 + 5);
	rbuf_html(b, msg);
	rbuf_puts(b, "</text>\n</svg>\n");
}

void svg_line_chart(struct rbuf *b, const struct svg_line *c, bool xmlns)
{
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	for (size_t s = 0; s < c->series_n; s++)
		for (size_t i = 0; i < c->series[s].n; i++) {
			double x = c->series[s].x[i], y = c->series[s].y[i];
			if (!isfinite(x) || !isfinite(y))
				continue;
			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
		}
	if (!isfinite(xmin)) {
		svg_no_data(b, c->id, c->title, "no data points", xmlns);
		return;
	}
	if (c->y_share) {
		ymin = 0;
		ymax = 1;
	}
	if (c->y_from_zero && ymin > 0)
		ymin = 0;
	if (ymax <= ymin)
		ymax = ymin + 1;
	if (xmax <= xmin) { /* one point: centre it in a span around it */
		double pad = c->x_axis == SVG_X_TIME    ? 86400.0
		             : c->x_axis == SVG_X_SHARE ? 0.05
		                                        : 1;
		xmin -= pad;
		xmax += pad;
	}
	double ystep = nice_step(ymax - ymin, 5);
	ymin = floor(ymin / ystep) * ystep;
	ymax = ceil(ymax / ystep) * ystep;
	double pw = W - ML - MR, ph = H - MT - MB;
#define PX(x) (ML + ((x)-xmin) / (xmax - xmin) * pw)
#define PY(y) (MT + ph - ((y)-ymin) / (ymax - ymin) * ph)

	open_svg(b, c->id, c->title, H, xmlns);
	/* y grid and labels */
	for (double y = ymin; y <= ymax + ystep / 2; y += ystep) {
		char lab[32];
		if (c->y_share)
			snprintf(lab, sizeof lab, "%.0f%%", y * 100);
		else
			fmt_tick(lab, sizeof lab, y, SVG_X_NUMBER, ystep);
		rbuf_printf(
		    b,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e7eb\"/>\n",
		    ML, PY(y), W - MR, PY(y));
		rbuf_printf(
		    b,
		    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#4b5563\">%s</text>\n",
		    ML - 6, PY(y) + 4, lab);
	}
	/* x ticks */
	double xstep;
	if (c->x_axis == SVG_X_TIME) {
		double days = (xmax - xmin) / 86400.0;
		xstep = 86400.0 * (days <= 6 ? 1 : nice_step(days, 5));
		/* Crawls within two days: UTC midnights give one tick or none, so
		 * tick whole hours (or minutes) instead, about five of them. */
		static const double sub_day[] = {300,  600,   900,   1800, 3600,
		                                 7200, 10800, 21600, 43200};
		if (days < 2) {
			xstep = sub_day[sizeof sub_day / sizeof sub_day[0] - 1];
			for (size_t i = 0; i < sizeof sub_day / sizeof sub_day[0]; i++)
				if ((xmax - xmin) / sub_day[i] <= 6) {
					xstep = sub_day[i];
					break;
				}
		}
	} else {
		xstep = nice_step(xmax - xmin, 6);
	}
	double x0 = ceil(xmin / xstep) * xstep;
	for (double x = x0; x <= xmax + xstep * 1e-9; x += xstep) {
		char lab[32];
		fmt_tick(lab, sizeof lab, x, c->x_axis, xstep);
		rbuf_printf(
		    b,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9ca3af\"/>\n",
		    PX(x), MT + ph, PX(x), MT + ph + 4);
		/* a label that would run past the right edge ends at its tick */
		bool at_edge = PX(x) + 3.6 * (double)strlen(lab) > W;
		rbuf_printf(b,
		            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
		            "fill=\"#4b5563\">%s</text>\n",
		            PX(x), MT + ph + 17, at_edge ? "end" : "middle", lab);
	}
	rbuf_printf(b,
	            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#6b7280\"/>\n",
	            ML, MT + ph, W - MR, MT + ph);
	axis_title(b, ML + pw / 2, H - 10, c->x_label, false);
	axis_title(b, 16, MT + ph / 2, c->y_label, true);

	/* series */
	double lx = ML;
	for (size_t s = 0; s < c->series_n; s++) {
		const struct svg_series *se = &c->series[s];
		rbuf_printf(b, "<g class=\"series\" data-name=\"");
		rbuf_html(b, se->name);
		rbuf_puts(b, "\">\n");
		if (se->n > 1) {
			rbuf_printf(b,
			            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
			            "stroke-linejoin=\"round\"%s points=\"",
			            se->color, se->dashed ? " stroke-dasharray=\"7 4\"" : "");
			for (size_t i = 0; i < se->n; i++)
				if (isfinite(se->x[i]) && isfinite(se->y[i]))
					rbuf_printf(b, "%s%.1f,%.1f", i ? " " : "", PX(se->x[i]),
					            PY(se->y[i]));
			rbuf_puts(b, "\"/>\n");
		}
		if (se->n <= 40)
			for (size_t i = 0; i < se->n; i++)
				if (isfinite(se->x[i]) && isfinite(se->y[i]))
					rbuf_printf(b,
					            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
					            "fill=\"%s\"/>\n",
					            PX(se->x[i]), PY(se->y[i]), se->color);
		rbuf_puts(b, "</g>\n");
		/* legend entry */
		rbuf_printf(b, "<rect x=\"%.1f\" y=\"10\" width=\"14\" height=\"4\" fill=\"%s\"/>",
		            lx, se->color);
		rbuf_printf(b, "<text x=\"%.1f\" y=\"16\" fill=\"#111827\">", lx + 19);
		rbuf_html(b, se->name);
		rbuf_puts(b, "</text>\n");
		lx += 19 + 7.2 * (double)strlen(se->name ? se->name : "") + 22;
	}
	rbuf_puts(b, "</svg>\n");
#undef PX
#undef PY
}

void svg_bar_chart(struct rbuf *b, const struct svg_bars *c, bool xmlns)
{
	double vmax = 0;
	size_t finite = 0;
	for (size_t i = 0; i < c->n; i++)
		if (isfinite(c->values[i])) {
			vmax = fmax(vmax, c->values[i]);
			finite++;
		}
	if (finite == 0) {
		svg_no_data(b, c->id, c->title, "no data", xmlns);
		return;
	}
	if (vmax <= 0)
		vmax = 1;
	double step = nice_step(vmax, 5);
	vmax = ceil(vmax / step) * step;
	const char *color = c->color ? c->color : SVG_BLUE;

	if (c->horizontal) {
		double row = 24, ml = 150, top = 14;
		double h = top + row * (double)c->n + 44;
		double pw = W - ml - 70;
		open_svg(b, c->id, c->title, h, xmlns);
		for (double v = 0; v <= vmax + step / 2; v += step) {
			char lab[32];
			fmt_tick(lab, sizeof lab, v, SVG_X_NUMBER, step);
			double x = ml + v / vmax * pw;
			rbuf_printf(b,
			            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			            "stroke=\"#e5e7eb\"/>\n",
			            x, top, x, top + row * (double)c->n);
			rbuf_printf(b,
			            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
			            "fill=\"#4b5563\">%s</text>\n",
			            x, top + row * (double)c->n + 15, lab);
		}
		for (size_t i = 0; i < c->n; i++) {
			double v = isfinite(c->values[i]) ? c->values[i] : 0;
			double y = top + row * (double)i;
			rbuf_printf(
			    b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#111827\">",
			    ml - 8, y + row / 2 + 4);
			rbuf_html(b, c->labels[i]);
			rbuf_puts(b, "</text>\n");
			rbuf_printf(b,
			            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			            "rx=\"2\" fill=\"%s\"/>\n",
			            ml, y + 4, v / vmax * pw, row - 8, color);
			char val[32];
			fmt_num(val, sizeof val, v, 2);
			rbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#374151\">%s</text>\n",
			            ml + v / vmax * pw + 5, y + row / 2 + 4, val);
		}
		axis_title(b, ml + pw / 2, h - 8, c->y_label, false);
		rbuf_puts(b, "</svg>\n");
		return;
	}

	double pw = W - ML - MR, ph = H - MT - MB;
	open_svg(b, c->id, c->title, H, xmlns);
	for (double v = 0; v <= vmax + step / 2; v += step) {
		char lab[32];
		fmt_tick(lab, sizeof lab, v, SVG_X_NUMBER, step);
		double y = MT + ph - v / vmax * ph;
		rbuf_printf(
		    b,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e7eb\"/>\n",
		    ML, y, W - MR, y);
		rbuf_printf(
		    b,
		    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#4b5563\">%s</text>\n",
		    ML - 6, y + 4, lab);
	}
	double slot = pw / (double)c->n;
	double gap = slot > 12 ? slot * 0.18 : 1;
	/* at most ~16 category labels, and no more than their width allows
	 * (about 7 units a character at font-size 12), so they do not overlap */
	size_t every = c->n > 16 ? (c->n + 15) / 16 : 1, longest = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->labels[i] && strlen(c->labels[i]) > longest)
			longest = strlen(c->labels[i]);
	while (slot * (double)every < 7.0 * (double)longest + 8 && every < c->n)
		every++;
	for (size_t i = 0; i < c->n; i++) {
		double v = isfinite(c->values[i]) ? c->values[i] : 0;
		double bh = v / vmax * ph;
		double x = ML + slot * (double)i;
		rbuf_printf(
		    b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
		    x + gap / 2, MT + ph - bh, slot - gap, bh, color);
		rbuf_puts(b, "<title>");
		rbuf_html(b, c->labels[i]);
		char val[32];
		fmt_num(val, sizeof val, v, 2);
		rbuf_printf(b, ": %s</title></rect>\n", val);
		if (i % every == 0) {
			rbuf_printf(
			    b,
			    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#4b5563\">",
			    x + slot / 2, MT + ph + 17);
			rbuf_html(b, c->labels[i]);
			rbuf_puts(b, "</text>\n");
		}
	}
	rbuf_printf(b,
	            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#6b7280\"/>\n",
	            ML, MT + ph, W - MR, MT + ph);
	axis_title(b, ML + pw / 2, H - 10, c->x_label, false);
	axis_title(b, 16, MT + ph / 2, c->y_label, true);
	rbuf_puts(b, "</svg>\n");
}
