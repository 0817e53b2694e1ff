/*
 * report_text — the methodology section: our own prose as static text
 * tables (definitions, thresholds, blind spots) and the published figures
 * to compare with, each with its date and source.
 */
#include <stdio.h>

#include "report_spec.h"

static const char *const DEFS[] = {
    "Vertex: a node, identified by its peer id when a handshake revealed one (several "
    "points "
    "with one peer id are one vertex), else by its point.",
    "Each point of a crawl is exactly one of: public (sent a valid connection message "
    "announcing the crawl's chain, whatever followed), foreign (a valid connection message "
    "announcing another chain), unverified (accepted the TCP connection but sent no valid "
    "connection message), unreachable (every attempt was refused, timed out or had no route) "
    "or undialed (never dialed, or only into our own failure). A point dialed more than once "
    "takes the highest of these classes, in that order.",
    "Public nodes: the public points merged by peer id. Public ratio: public nodes / (public "
    "nodes + unverified points + unreachable points); foreign and undialed points are "
    "reported beside it, never inside it.",
    "Edge u-v: u advertised (or listed in a Nack) a point of v in this crawl. Undirected, "
    "simple. Strong edge: in the ranked part of the lists (rank below 30) in every round.",
    "S: all vertices; R: public vertices; R_core: largest connected component of R.",
    "Vertex connectivity of R_core: the fewest nodes whose removal disconnects it, with one "
    "witness cut (Esfahanian-Hakimi over unit-capacity max-flow).",
    "Backbone: the largest biconnected block of R (no single node splits it); its vertex "
    "connectivity, computed the same way, is the headline robustness figure.",
    "Single point of failure: an articulation point of R, with the number of public nodes "
    "its removal cuts off the largest part.",
    "Sole advertiser: the only node that advertised some point: a discovery single point "
    "of "
    "failure.",
    "Attack curves: giant-component share of R_core after removing the top share of nodes "
    "by "
    "degree or by betweenness, against random removal (mean of seeded runs).",
    "Coreness: the largest k such that a node belongs to the k-core (every node of it has "
    "at "
    "least k neighbours inside it).",
    "Concentration: Nakamoto coefficient at 50%, HHI on the 0-10,000 scale, Gini, over "
    "public "
    "nodes grouped by IPv4 /24, IPv4 /16 and IPv6 /48.",
};

static const char *const THR[] = {
    "One crawl is one snapshot from one vantage point; changes compare whole crawls.",
    "\"Previous\" is the last earlier crawl given to the report; \"7 days\" and \"30 "
    "days\" are "
    "the earlier crawls that started closest to exactly 7 and 30 days before this one, "
    "within "
    "36 hours and 3 days; when there is none, the change is shown as a dash.",
    "HHI bands (US DOJ): below 1,500 unconcentrated, 1,500 to 2,500 moderately, above "
    "2,500 "
    "highly concentrated.",
    "Tables in this page show at most 25 rows; the CSV beside the page has every row.",
};

static const char *const BLIND[] = {
    "Nodes behind NAT that announce no port, and nodes nobody advertises, are not seen at "
    "all.",
    "Advertisements are knowledge, not live connections: the graph is a \"has been "
    "connected\" "
    "graph, and its connectivity is discovery resilience, not link resilience.",
    "A node may advertise only part of what it knows (at most 100 points per Advertise "
    "message), so degrees are lower bounds.",
    "One vantage point: nodes that rate-limit or ban our address look unreachable.",
    "Peer ids are self-chosen: one operator can run many, one node can rotate them.",
};

/* Published figures to compare with, each with its date and source. */
static const struct {
	const char *network, *figure, *date, *source, *url;
} COMPARE[] = {
    {"Tezos", "200+ public nodes of 1,000+ in total (about 20% reachable)", "July 2020",
     "Baking Bad, \"Inspecting Tezos decentralization: 200+ public nodes, 1000+ in total\"",
     "https://baking-bad.org/blog/2020/07/30/"
     "inspecting-tezos-network-decentralization-200-public-nodes-1000-in-total/"},
    {"Bitcoin", "12,430 reachable nodes", "April 2024", "Bitnodes leaderboard",
     "https://bitnodes.io/nodes/leaderboard/"},
    {"Bitcoin", "11,692 reachable nodes", "October 2024", "Bitnodes leaderboard",
     "https://bitnodes.io/nodes/leaderboard/"},
    {"Bitcoin", "13,063 reachable nodes", "December 2024", "Bitnodes leaderboard",
     "https://bitnodes.io/nodes/leaderboard/"},
    {"Filecoin", "934 peer ids on 682 IP addresses", "January 2025 (week 1)",
     "ProbeLab Filecoin DHT report", "https://probelab.io/filecoin/dht/2025-01"},
    {"Bitcoin / Ethereum", "56% of Bitcoin and 28% of Ethereum nodes in hosting ASes",
     "2018 (FC 2018; data of 2017)",
     "Gencer, Basu, Eyal, van Renesse, Sirer, \"Decentralization in Bitcoin and Ethereum "
     "Networks\"",
     "https://arxiv.org/abs/1801.03998"},
    {"Bitcoin", "13 ASes host 30% of the network; 20% of nodes sit in fewer than 100 prefixes",
     "2017 (IEEE S&P 2017)",
     "Apostolaki, Zohar, Vanbever, \"Hijacking Bitcoin: Routing Attacks on "
     "Cryptocurrencies\"",
     "https://hackingdistributed.com/2017/05/01/bgp-attacks-on-btc/"},
};
#define COMPARE_N (sizeof COMPARE / sizeof COMPARE[0])

static const struct rtable COMPARE_TABLE = {
    "compare_with.csv",
    "Published figures to compare with",
    "Figures from other measurements, each with its date and source.",
    NULL,
    NULL,
    {
        {"Network", "network", RF_TEXT, "network", NULL, "network the figure is about", 0},
        {"Published figure", "figure", RF_TEXT, "figure", NULL, "the published figure", 0},
        {"Date", "date", RF_TEXT, "date", NULL, "when it was measured or published", 0},
        {"Source", "source", RF_LINK, "source", NULL, "who published it", 0},
        {NULL, "url", RF_TEXT, "url", NULL, "where", 0},
    }};

/* The analyzer writes its own definitions into report.json: show them as
 * recorded, so the page and the data cannot disagree. */
static void recorded_definitions(struct rctx *r)
{
	struct doc *d = &r->d;
	const json_t *defs_j = rj_get(r->cur, "definitions"); /* optional */
	if (!json_is_object(defs_j) || json_object_size(defs_j) == 0)
		return;
	doc_h3(d, "Definitions recorded by the analyzer");
	doc_ul_open(d);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)defs_j, k, v)
	{
		if (!json_is_string(v))
			continue;
		doc_li_open(d);
		doc_code_u(d, k);
		doc_t(d, ": ");
		doc_u(d, json_string_value(v));
		doc_li_close(d);
	}
	doc_ul_close(d);
}

static void compare_with(struct rctx *r)
{
	struct doc *d = &r->d;
	struct rtab t;
	rtab_begin(r, &t, &COMPARE_TABLE);
	rbuf_puts(&d->html, "<div class=\"compare\">\n");
	doc_h3(d, "Compare with");
	/* the headline's own figures (report.json counts), not a ratio of its own */
	char ours[320];
	double pub = 0, ratio = 0;
	r_get(r, "counts.public_ratio"); /* recorded when absent; derived as the headline does */
	if (r_num(r, "counts.public", &pub) && headline_ratio(r->cur, &ratio)) {
		char a[32], b[32];
		fmt_num(a, sizeof a, pub, 0);
		fmt_ratio(b, sizeof b, ratio);
		snprintf(ours, sizeof ours,
		         "This crawl: %s public nodes, public ratio %s (public nodes / (public "
		         "nodes + unverified points + unreachable points); foreign and undialed "
		         "points left out).",
		         a, b);
	} else {
		snprintf(ours, sizeof ours, "This crawl has no size figures to compare.");
	}
	doc_p(d, ours);
	for (size_t i = 0; i < COMPARE_N; i++) {
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s}", "network", COMPARE[i].network,
		                        "figure", COMPARE[i].figure, "date", COMPARE[i].date,
		                        "source", COMPARE[i].source, "url", COMPARE[i].url);
		rtab_row(&t, row, NULL);
		json_decref(row);
	}
	rtab_close(&t);
	doc_p(d,
	      "Different crawlers count differently (one vantage or many, one night or a week, "
	      "reachable or all seen): compare orders of magnitude and trends, not exact numbers.");
	rbuf_puts(&d->html, "</div>\n");
}

void section_methodology(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "methodology", "Methodology");
	doc_h3(d, "How the crawl works");
	doc_p(
	    d,
	    "The crawler starts from seed points and performs the real Octez P2P handshake with "
	    "every point it discovers: TCP connect, connection message with a proof-of-work "
	    "identity, "
	    "encrypted metadata, then Ack or Nack. After an Ack it asks for known peers "
	    "(Bootstrap) "
	    "and the current head, records the Advertise replies, and disconnects politely within "
	    "the 5-second authentication window. Points listed in Advertise and Nack messages are "
	    "dialed in turn until no new point appears. Private, reserved and denied ranges are "
	    "recorded but never dialed.");
	doc_h3(d, "What each figure means");
	doc_list(d, RCOLS(DEFS));
	recorded_definitions(r);
	doc_h3(d, "Thresholds and windows");
	doc_list(d, RCOLS(THR));
	doc_h3(d, "Known blind spots");
	doc_list(d, RCOLS(BLIND));
	compare_with(r);
	doc_raw(d, "</section>\n", NULL);
}
