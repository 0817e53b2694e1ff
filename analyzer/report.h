/*
 * report — renders one crawl's report.json (the contract of docs/analyzer.md) into the
 * published report: report.html (one self-contained file: inline CSS and SVG,
 * no script, no fetched font, responsive, print CSS), report.md (the same
 * content, charts as SVG files beside it), the CSV behind every chart and
 * table, and datapackage.json (Frictionless Data Package, Table Schema with
 * types and units).
 *
 * The renderer only reads the JSON objects it is given (borrowed); it owns
 * nothing after it returns. Missing keys do not stop it: the report says what
 * it lacks (no previous crawl, no seed answered, no graph figures...). Every
 * string that can come from a peer (ids, points, chain names) is escaped for
 * the format it lands in. Same inputs -> same bytes: nothing reads the clock,
 * the locale or a random source. Re-entrant (no global state).
 *
 * docs/report.md lists the report.json keys read, the files written and their
 * columns.
 */
#ifndef TZ_ANALYZER_REPORT_H
#define TZ_ANALYZER_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

struct report_opts {
	/* Pass every point and IP address through anon_point() (IPv4 -> /24,
	 * IPv6 -> /48) before it is written anywhere. */
	bool anonymize;
	/* Page title; NULL: "Tezos P2P network census". Borrowed. */
	const char *title;
	/* Shown in the provenance section when report.json carries no
	 * "analyzer"."version"; NULL: "unknown". Borrowed. */
	const char *analyzer_version;
	/* Result of gate_check() to print in the provenance section, or NULL
	 * when the gate was not run. Borrowed. */
	const char *gate_note;
	/* Called once per report.json key that a table, chart or figure of the
	 * report names and cur lacks (dotted path; "versions[].nodes" for a key
	 * of an array's elements), after rendering; NULL: not reported (the
	 * page shows "n/a" or says what it lacks). Tests fail on them. */
	void (*missing_cb)(void *arg, const char *path);
	void *missing_arg;
};

/* Fills *o with the defaults (everything off / NULL). */
void report_opts_default(struct report_opts *o);

/*
 * Writes report.html, report.md, the chart SVGs, the CSVs and datapackage.json
 * into outdir (which must exist). cur = this crawl's report.json; hist = the
 * report.json objects of earlier crawls, oldest first (hist_n may be 0, hist
 * then may be NULL). Returns ERR_OK; ERR_INVAL when cur is not an object or
 * its schema_version is not 1; ERR_IO when a file cannot be written (err gets
 * "path: strerror"); ERR_NOMEM. err (cap err_cap) gets a one-line reason.
 */
enum err report_render(const char *outdir, const json_t *cur, json_t *const *hist, size_t hist_n,
                       const struct report_opts *o, char *err, size_t err_cap)
    __attribute__((warn_unused_result));

#endif
