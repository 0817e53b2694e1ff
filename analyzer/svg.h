/*
 * svg — small static charts (line and bar) as SVG text, for the report.
 *
 * The output is one <svg> element with a viewBox, so it scales to any width
 * (width="100%" in the page) and prints sharp. It uses no script, no external
 * font or stylesheet, and only system font names. Text given by the caller
 * is XML-escaped here. Coordinates are printed with fixed decimals, so the
 * same data gives the same bytes. Writes into a caller's rbuf; owns nothing.
 */
#ifndef TZ_ANALYZER_SVG_H
#define TZ_ANALYZER_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "report_util.h"

/* Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
#define SVG_BLUE       "#0072b2"
#define SVG_ORANGE     "#e69f00"
#define SVG_GREEN      "#009e73"
#define SVG_VERMILLION "#d55e00"
#define SVG_PURPLE     "#cc79a7"
#define SVG_SKY        "#56b4e9"
#define SVG_GREY       "#6b7280"

enum svg_xaxis {
	SVG_X_NUMBER, /* plain numbers */
	SVG_X_TIME,   /* Unix seconds, labelled as UTC dates "YYYY-MM-DD"; under two
	                 days of span, hourly (or finer) ticks "MM-DD HH:MM" */
	SVG_X_SHARE,  /* 0..1, labelled as percent */
};

struct svg_series {
	const char *name;  /* legend text (escaped here) */
	const char *color; /* one of the SVG_* colours */
	const double *x, *y;
	size_t n;
	bool dashed;
};

struct svg_line {
	const char *id;      /* element id, [a-z0-9_-] */
	const char *title;   /* accessible title (escaped here) */
	const char *x_label; /* axis titles (escaped here) */
	const char *y_label;
	enum svg_xaxis x_axis;
	bool y_share;     /* y in 0..1, labelled as percent */
	bool y_from_zero; /* y axis starts at 0 */
	const struct svg_series *series;
	size_t series_n;
};

struct svg_bars {
	const char *id;
	const char *title;
	const char *x_label;
	const char *y_label;
	const char *const *labels; /* one per bar (escaped here) */
	const double *values;
	size_t n;
	bool horizontal; /* labels on the left, for long category names */
	const char *color;
};

/* xmlns: true for a standalone .svg file, false inline in HTML. */
void svg_line_chart(struct rbuf *b, const struct svg_line *c, bool xmlns);
void svg_bar_chart(struct rbuf *b, const struct svg_bars *c, bool xmlns);
/* A chart frame that says why there is nothing to draw (msg escaped here). */
void svg_no_data(struct rbuf *b, const char *id, const char *title, const char *msg, bool xmlns);

#endif
