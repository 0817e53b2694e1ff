/*
 * report_outcomes — how each dial ended (reachability): visits per outcome,
 * the class each outcome gives its point, and what it means.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/census.h"
#include "report_spec.h"

/* ---- reachability ----------------------------------------------------- */

/* conn: did a connection message arrive before the visit ended so? 'y' always,
 * 'n' never (nothing or not a byte was read), '?' either: the visit's class
 * then depends on it (census_visit_class). */
static const struct {
	const char *name, *meaning;
	char conn;
} OUTCOME_MEANING[] = {
    {"ok", "Handshake completed (Ack): the node is public and accepted us.", 'y'},
    {"nack",
     "The node answered, then refused us with a motive (often: too many connections); it is "
     "public, and its Nack may list other points.",
     'y'},
    {"refused", "TCP connection refused (RST): nothing listens on that port.", 'n'},
    {"timeout", "TCP connect timed out: filtered, or the host is down.", 'n'},
    {"unreachable", "No route to the host.", 'n'},
    {"silent_close",
     "Accepted the TCP connection, then closed it without a byte: busy, or it has banned us. "
     "Unverified, not unreachable.",
     'n'},
    {"closed", "Hung up in the middle of the handshake, e.g. a private node after the metadata.",
     '?'},
    {"handshake_timeout", "Connected, but the handshake did not finish in time.", '?'},
    {"protocol_error", "Sent a malformed, oversized or badly authenticated message.", '?'},
    {"incompatible", "Our chain, but no version we share.", 'y'},
    {"self", "The point is our own crawler.", 'n'},
    {"policy", "Discovered but not dialed: private or reserved range, port cap, deny list.", 'n'},
    {"local_error",
     "Our own side failed (descriptors, memory): says nothing about the node; counted as "
     "undialed.",
     'n'},
    {"foreign", "A node of another chain: counted beside this network, never in it.", 'y'},
};
#define OUTCOMES_N (sizeof OUTCOME_MEANING / sizeof OUTCOME_MEANING[0])

static const struct rtable OUTCOME_TABLE = {
    "outcomes.csv",
    "Visit outcomes",
    "How each visit (dial attempt) of the crawl ended, with what each outcome means.",
    NULL,
    NULL,
    {
        {"Outcome", "outcome", RF_TEXT, "outcome", NULL, "stable outcome name of a visit", RC_PEER},
        {"Visits", "visits", RF_COUNT2, "visits", "visits",
         "dial attempts (visits) with this outcome", 0},
        {"Share", "share", RF_SHARE, "share", "share (0-1)", "visits / all visits", 0},
        {"Point counts as", "class", RF_TEXT, "class", NULL,
         "class of a point with this outcome (docs/methodology.md, Definitions)", 0},
        {"Meaning", "meaning", RF_TEXT, "meaning", NULL, "what the outcome means", 0},
    }};
static const struct rchart OUTCOME_CHART = {"outcomes",
                                            "Visit outcomes: dial attempts per outcome",
                                            NULL,
                                            "visits",
                                            "Visits (dial attempts) per outcome.",
                                            "no outcome counts in report.json",
                                            "Visit outcomes",
                                            "outcomes.csv",
                                            true,
                                            SVG_BLUE};

/* The counts of the reachability paragraph, in its order. */
static const char *const REACH_PATHS[] = {
    "counts.points_seen", "counts.points_dialed", "counts.public_points",
    "counts.public",      "counts.foreign",       "counts.unverified",
    "counts.unreachable", "counts.undialed",
};
#define REACH_N (sizeof REACH_PATHS / sizeof REACH_PATHS[0])

/* The class a visit with this outcome gives its point, from the one
 * definition (lib/db/census.h); NULL for a name the crawler does not know. */
static const char *outcome_class(const char *name, char *buf, size_t cap)
{
	enum visit_outcome o;
	char conn = '?';
	if (visit_outcome_parse(name, strlen(name), &o) != ERR_OK)
		return NULL;
	for (size_t m = 0; m < OUTCOMES_N; m++)
		if (strcmp(name, OUTCOME_MEANING[m].name) == 0)
			conn = OUTCOME_MEANING[m].conn;
	enum point_class with = census_visit_class(o, true), without = census_visit_class(o, false);
	if (conn != '?' || with == without)
		return point_class_str(conn == 'y' ? with : without);
	snprintf(buf, cap, "%s with a peer id, else %s", point_class_str(with),
	         point_class_str(without));
	return buf;
}

static const char *outcome_meaning(const char *name)
{
	for (size_t m = 0; m < OUTCOMES_N; m++)
		if (strcmp(name, OUTCOME_MEANING[m].name) == 0)
			return OUTCOME_MEANING[m].meaning;
	return NULL;
}

/* Known outcomes in contract order, then unknown ones in name order. */
static size_t outcome_order(const json_t *oc, const char **names, double *vals, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < OUTCOMES_N; i++) {
		const json_t *v = json_object_get(oc, OUTCOME_MEANING[i].name);
		if (json_is_number(v) && n < cap) {
			names[n] = OUTCOME_MEANING[i].name;
			vals[n++] = json_number_value(v);
		}
	}
	size_t known_n = n;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)oc, k, v)
	{
		if (outcome_meaning(k) || !json_is_number(v) || n == cap)
			continue;
		size_t at = n++;
		while (at > known_n && strcmp(names[at - 1], k) > 0) {
			names[at] = names[at - 1];
			vals[at] = vals[at - 1];
			at--;
		}
		names[at] = k;
		vals[at] = json_number_value(v);
	}
	return n;
}

void section_outcomes(struct rctx *r)
{
	struct doc *d = &r->d;
	struct rtab t;
	rtab_begin(r, &t, &OUTCOME_TABLE);
	doc_h2(d, "reachability", "Reachability: how each dial ended");
	char c[REACH_N][32];
	for (size_t i = 0; i < REACH_N; i++) {
		double v = 0;
		if (r_num(r, REACH_PATHS[i], &v))
			fmt_num(c[i], sizeof c[i], v, 2);
		else
			snprintf(c[i], sizeof c[i], "n/a");
	}
	doc_p_open(d);
	doc_tf(d,
	       "%s points (address and port) were seen and %s of them dialed. Each point is "
	       "exactly one of (docs/methodology.md, Definitions):",
	       c[0], c[1]);
	doc_p_close(d);
	doc_ul_open(d);
	/* the words of docs/methodology.md; c[i + 3] counts class i */
	static const struct {
		const char *name, *meaning;
	} CLASS_TEXT[] = {
	    {"public points", "sent a valid connection message announcing this chain"},
	    {"foreign points", "sent a valid connection message announcing another chain"},
	    {"unverified points",
	     "accepted the TCP connection but sent no valid connection message"},
	    {"unreachable points", "every attempt was refused, timed out or had no route"},
	    {"undialed points", "never dialed, or dialed only into our own failure"},
	};
	for (size_t i = 0; i < sizeof CLASS_TEXT / sizeof CLASS_TEXT[0]; i++) {
		doc_li_open(d);
		doc_tf(d, "%s %s: %s", c[i ? i + 3 : 2], CLASS_TEXT[i].name, CLASS_TEXT[i].meaning);
		if (i == 0)
			doc_tf(d, "; they make %s public nodes (points with one peer id are one node)",
			       c[3]);
		doc_t(d, i + 1 < sizeof CLASS_TEXT / sizeof CLASS_TEXT[0] ? ";" : ".");
		doc_li_close(d);
	}
	doc_ul_close(d);
	doc_p(d, "Each dial attempt is a visit: the chart counts visits per outcome, and the table "
	         "says which class each outcome gives its point.");

	const json_t *oc = r_get(r, "counts.outcomes");
	if (!json_is_object(oc) || json_object_size(oc) == 0) {
		lack(r, "report.json has no outcome counts.");
		chart_none(r, &OUTCOME_CHART, "No outcome counts.");
		doc_raw(d, "</section>\n", NULL);
		return;
	}
	size_t cap = json_object_size(oc);
	const char **names = calloc(cap, sizeof *names);
	double *vals = calloc(cap, sizeof *vals);
	if (!names || !vals) {
		d->html.oom = true;
		goto out;
	}
	size_t n = outcome_order(oc, names, vals, cap);
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += vals[i];
	chart_bars(r, &OUTCOME_CHART, names, vals, n);
	for (size_t i = 0; i < n; i++) {
		const char *m = outcome_meaning(names[i]);
		char cbuf[96];
		const char *cls = outcome_class(names[i], cbuf, sizeof cbuf);
		json_t *row =
		    json_pack("{sssfssss}", "outcome", names[i], "visits", vals[i], "meaning",
		              m ? m : "Not a documented outcome name (newer crawler?).", "class",
		              cls ? cls : "unknown");
		if (total > 0)
			json_object_set_new(row, "share", json_real(vals[i] / total));
		rtab_row(&t, row, NULL);
		json_decref(row);
	}
	rtab_close(&t);
out:
	free(names);
	free(vals);
	doc_raw(d, "</section>\n", NULL);
}
