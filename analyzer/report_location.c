/*
 * report_location — the section "Where the nodes are": public nodes by
 * autonomous system, country and hosting provider, and how many whole ASes
 * must fail to split the public core (docs/analyzer.md, "Where the nodes
 * are"; the keys are concentration.by_asn/by_country/by_provider,
 * graph.as_level, graph.core.attack_curves.by_asn and location).
 *
 * A report.json without a location database (`location` null or absent)
 * gets one paragraph and a line in "What this report lacks"; its location
 * keys are then never read, so they are not reported missing. AS names come
 * from the location database, not from a peer, but are still escaped as
 * foreign text (RC_PEER). --anonymize changes nothing here: AS numbers and
 * countries are not personal data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_spec.h"

static const struct {
	const char *key;   /* concentration.by_KEY */
	const char *label; /* page text */
	const char *unit;
} DIMS[] = {
    {"asn", "Autonomous system", "ASes"},
    {"country", "Country", "countries"},
    {"provider", "Hosting provider", "providers"},
};
#define DIMS_N (sizeof DIMS / sizeof DIMS[0])

static const struct rtable LOC_TABLE = {
    "location_concentration.csv",
    "Concentration by AS, country and provider",
    "Nakamoto coefficient, HHI and Gini of public nodes grouped by autonomous system, country "
    "and hosting provider (unlocated nodes are one group, unknown).",
    NULL,
    NULL,
    {
        {"Grouped by", "label", RF_TEXT, NULL, NULL, NULL, RC_CALC},
        {NULL, "by", RF_TEXT, "grouped_by", NULL, "asn, country or provider", RC_CALC},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes counted", 0},
        {"Groups", "groups", RF_COUNT, "groups", NULL, "distinct ASes, countries or providers", 0},
        {"Nakamoto", "nakamoto", RF_COUNT, "nakamoto", NULL,
         "fewest groups holding over 50% of the public nodes", 0},
        {"HHI", "hhi", RF_ROUND, "hhi", "0-10000", "Herfindahl-Hirschman index of group shares",
         0},
        {"Gini", "gini", RF_FIX3, "gini", "0-1", "Gini coefficient of nodes per group", 0},
    }};

static const struct rtable AS_TABLE = {
    "as_top.csv",
    "Largest autonomous systems",
    "The autonomous systems holding the most public nodes (ties by AS number as text).",
    "No public node.",
    NULL,
    {
        {"AS", "as", RF_TEXT, NULL, NULL, NULL, RC_CALC},
        {NULL, "asn", RF_INT, "asn", NULL, "AS number (empty: not located)", 0},
        {"Name", "name", RF_TEXT, "name", NULL, "the AS's name in the location database",
         RC_PEER | RC_REQ},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes in this AS", 0},
        {"Share", "share", RF_SHARE, "share", "share (0-1)", "nodes / public nodes", 0},
    }};

static const struct rtable COUNTRY_TABLE = {
    "country_top.csv",
    "Largest countries",
    "The countries holding the most public nodes (ISO 3166 codes as the location database "
    "gives them; unknown: not located).",
    "No public node.",
    NULL,
    {
        {"Country", "country", RF_TEXT, "country", NULL, "ISO 3166 alpha-2 code, or unknown",
         RC_PEER | RC_REQ},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes in this country", 0},
        {"Share", "share", RF_SHARE, "share", "share (0-1)", "nodes / public nodes", 0},
    }};

static const struct rtable PROVIDER_TABLE = {
    "provider_top.csv",
    "Largest hosting providers",
    "Public nodes per hosting provider (ASes grouped by the provider table; other: a located AS "
    "in no provider; unknown: not located).",
    "No public node.",
    NULL,
    {
        {"Provider", "provider", RF_TEXT, "provider", NULL, "provider name, other or unknown",
         RC_PEER | RC_REQ},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes on this provider", 0},
        {"Share", "share", RF_SHARE, "share", "share (0-1)", "nodes / public nodes", 0},
    }};

static const struct rtable AS_ATTACK_TABLE = {
    "as_attack.csv",
    "Whole ASes removed",
    "Giant component of the public core after removing whole autonomous systems, most core "
    "nodes first.",
    NULL,
    NULL,
    {
        {NULL, "removed", RF_INT, "ases_removed", "ASes", "ASes removed so far", RC_CALC},
        {NULL, "asn", RF_INT, "last_removed_asn", NULL, "the AS removed at this step", RC_CALC},
        {NULL, "giant", RF_FIX3, "giant", "share (0-1)",
         "largest component / public core nodes", RC_CALC},
    }};

static const struct rkv AS_GRAPH[] = {
    {"ASes in the public core", "graph.as_level.vertices", RF_COUNT, 0},
    {"AS pairs with adjacent nodes (edges)", "graph.as_level.edges", RF_COUNT, 0},
    {"AS-level vertex connectivity", "graph.as_level.vertex_connectivity", RF_COUNT, 0},
    {"Core nodes without an AS (left out)", "graph.as_level.unlocated_nodes", RF_COUNT, 0},
    {"Whole ASes whose failure halves the core", "graph.core.attack_curves.by_asn.ases_to_half",
     RF_COUNT, 0},
};

static const struct rchart AS_CHART = {"asns",
                                       "Largest autonomous systems by share of public nodes",
                                       NULL,
                                       "% of public nodes",
                                       "The autonomous systems holding the most public nodes.",
                                       "no public node",
                                       "Largest autonomous systems",
                                       "as_top.csv",
                                       true,
                                       SVG_BLUE};
static const struct rchart COUNTRY_CHART = {"countries",
                                            "Largest countries by share of public nodes",
                                            NULL,
                                            "% of public nodes",
                                            "The countries holding the most public nodes.",
                                            "no public node",
                                            "Largest countries",
                                            "country_top.csv",
                                            true,
                                            SVG_ORANGE};
static const struct rchart PROVIDER_CHART = {"providers",
                                             "Hosting providers by share of public nodes",
                                             NULL,
                                             "% of public nodes",
                                             "Public nodes per hosting provider.",
                                             "no public node",
                                             "Hosting providers",
                                             "provider_top.csv",
                                             true,
                                             SVG_PURPLE};
static const struct rchart AS_ATTACK_CHART = {
    "as_attack",
    "Giant component of the public core as whole ASes fail",
    "ASes removed (most core nodes first)",
    "giant component",
    NULL,
    "no AS attack curve: the public core is empty or unlocated",
    "Whole ASes removed",
    "as_attack.csv",
    false,
    NULL};

#define LOC_CHART_MAX 15

static void summary(struct rctx *r)
{
	struct rtab t;
	rtab_begin(r, &t, &LOC_TABLE);
	for (size_t i = 0; i < DIMS_N; i++) {
		char src[64];
		snprintf(src, sizeof src, "concentration.by_%s", DIMS[i].key);
		const json_t *o = r_get(r, src);
		json_t *row = json_is_object(o) ? json_copy((json_t *)o) : json_object();
		json_object_del(row, "top");
		json_object_set_new(row, "label", json_string(DIMS[i].label));
		json_object_set_new(row, "by", json_string(DIMS[i].key));
		rtab_row(&t, row, src);
		json_decref(row);
	}
	rtab_close(&t);
}

/*
 * Bar labels get 150 px (svg.c): about 18 characters. Longer ones are cut
 * on a UTF-8 character boundary and end with an ellipsis; the tables have
 * the whole names.
 */
#define LABEL_CHARS 18
static void fit_label(char *s)
{
	size_t chars = 0, i = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue; /* a continuation byte */
		if (++chars == LABEL_CHARS) {
			size_t j = i + 1;
			while (((unsigned char)s[j] & 0xc0) == 0x80)
				j++;
			if (s[j])
				memcpy(s + i, "\xe2\x80\xa6", 4); /* "…" and the NUL */
			return;
		}
	}
}

/* Chart and table of concentration.by_KEY.top; label_key names the group. */
static void top(struct rctx *r, const char *key, const struct rtable *spec,
                const struct rchart *chart)
{
	char src[64];
	snprintf(src, sizeof src, "concentration.by_%s.top", key);
	const json_t *top = r_get(r, src);
	const char *labels[LOC_CHART_MAX];
	double vals[LOC_CHART_MAX];
	char lb[LOC_CHART_MAX][96];
	size_t nb = 0;
	json_t *rows = json_array();
	for (size_t i = 0; i < json_array_size(top); i++) {
		const json_t *e = json_array_get(top, i);
		if (!json_is_object(e))
			continue;
		json_t *row = json_copy((json_t *)e);
		char as[32];
		double asn = 0, share = 0;
		if (!strcmp(key, "asn")) {
			if (rj_num(e, "asn", &asn))
				snprintf(as, sizeof as, "AS%.0f", asn);
			else
				snprintf(as, sizeof as, "unknown");
			json_object_set_new(row, "as", json_string(as));
		}
		if (nb < LOC_CHART_MAX && rj_num(e, "share", &share)) {
			const char *name = rj_str(e, "name"), *l = rj_str(e, key);
			if (!strcmp(key, "asn"))
				snprintf(lb[nb], sizeof lb[nb], "%s %s", as,
				         name && strcmp(name, "unknown") ? name : "");
			else
				snprintf(lb[nb], sizeof lb[nb], "%s", l ? l : "?");
			fit_label(lb[nb]);
			labels[nb] = lb[nb];
			vals[nb++] = 100 * share;
		}
		json_array_append_new(rows, row);
	}
	chart_bars(r, chart, labels, vals, nb);
	struct rtab t;
	rtab_begin(r, &t, spec);
	strncat(src, "[]", sizeof src - strlen(src) - 1);
	for (size_t i = 0; i < json_array_size(rows); i++)
		rtab_row(&t, json_array_get(rows, i), src);
	rtab_close(&t);
	json_decref(rows);
}

static void as_attack(struct rctx *r)
{
	const json_t *giant = r_get(r, "graph.core.attack_curves.by_asn.giant");
	const json_t *order = r_get(r, "graph.core.attack_curves.by_asn.order");
	size_t n = json_array_size(giant);
	double *x = calloc(n + 1, sizeof *x), *y = calloc(n + 1, sizeof *y);
	struct rtab t;
	rtab_begin(r, &t, &AS_ATTACK_TABLE);
	size_t k = 0;
	for (size_t i = 0; x && y && i < n; i++) {
		const json_t *g = json_array_get(giant, i);
		if (!json_is_number(g))
			continue;
		x[k] = (double)i;
		y[k++] = json_number_value(g);
		const json_t *a = i ? json_array_get(order, i - 1) : NULL;
		json_t *row = json_pack("{sisf}", "removed", (int)i, "giant", json_number_value(g));
		if (row && json_is_integer(a))
			json_object_set_new(row, "asn", json_integer(json_integer_value(a)));
		rtab_row(&t, row, NULL);
		json_decref(row);
	}
	if (!x || !y)
		r->d.html.oom = true;
	static const char cap[] = "Whole autonomous systems removed, the one with the most public "
	                          "core nodes first; nodes without an AS are never removed.";
	if (k < 2) {
		chart_none(r, &AS_ATTACK_CHART, cap);
	} else {
		struct svg_series s = {"by AS", SVG_VERMILLION, x, y, k, false};
		struct svg_line c = {AS_ATTACK_CHART.id, AS_ATTACK_CHART.title,
		                     AS_ATTACK_CHART.x_label, AS_ATTACK_CHART.y_label,
		                     SVG_X_NUMBER, true, true, &s, 1};
		chart_lines(r, &AS_ATTACK_CHART, &c, cap);
	}
	rtab_close(&t);
	free(x);
	free(y);
}

void section_location(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "location", "Where the nodes are");
	const json_t *loc = rj_get(r->cur, "location");
	if (!json_is_object(loc)) {
		doc_p(d, "This crawl was analyzed without a location database: no autonomous system, "
		         "country or hosting provider figures (tzcensus-analyze --location-db).");
		lack(r, "No location database: no figures by AS, country or provider.");
		doc_raw(d, "</section>\n", NULL);
		return;
	}
	const char *vendor = r_str(r, "location.vendor"), *created = r_str(r, "location.created");
	double cov = 0;
	bool have_cov = r_num(r, "location.coverage", &cov);
	char date[11] = "";
	if (created)
		snprintf(date, sizeof date, "%.10s", created);
	char covs[32] = "an unknown share";
	if (have_cov)
		snprintf(covs, sizeof covs, "%.1f%%", 100 * cov);
	char text[700];
	snprintf(text, sizeof text,
	         "Located with the %s location database of %s, offline: %s of public nodes "
	         "placed in an autonomous system; the rest count as unknown. Locations are as of "
	         "the database's date, not the crawl's. A country is where the network is "
	         "registered or geolocated, not where its operator is; providers group ASes by a "
	         "hand-kept table (other: an AS in none of them).",
	         vendor ? vendor : "(unnamed)", created ? date : "an unrecorded date", covs);
	doc_p(d, text);
	summary(r);

	doc_h3(d, "Autonomous systems");
	top(r, "asn", &AS_TABLE, &AS_CHART);
	doc_h3(d, "Countries");
	top(r, "country", &COUNTRY_TABLE, &COUNTRY_CHART);
	doc_h3(d, "Hosting providers");
	top(r, "provider", &PROVIDER_TABLE, &PROVIDER_CHART);

	doc_h3(d, "Resilience by AS");
	doc_p(d, "The AS graph: one vertex per autonomous system of the public core, an edge where "
	         "a node of one is adjacent to a node of the other. Its vertex connectivity is the "
	         "fewest whole ASes whose failure splits the ASes left; the attack curve removes "
	         "whole ASes, largest first.");
	static const char *const heads[] = {"Figure", "Value"};
	rkv_table(r, heads, RCOLS(AS_GRAPH));
	const json_t *cut = r_get(r, "graph.as_level.min_vertex_cut");
	if (json_array_size(cut)) {
		char buf[400] = "Minimum AS cut: ";
		for (size_t i = 0; i < json_array_size(cut) && i < 20; i++) {
			char one[32];
			snprintf(one, sizeof one, "%sAS%" JSON_INTEGER_FORMAT, i ? ", " : "",
			         json_integer_value(json_array_get(cut, i)));
			strncat(buf, one, sizeof buf - strlen(buf) - 1);
		}
		strncat(buf, ".", sizeof buf - strlen(buf) - 1);
		doc_p(d, buf);
	}
	as_attack(r);
	doc_raw(d, "</section>\n", NULL);
}
