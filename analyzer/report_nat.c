/*
 * report_nat — the "Behind NAT" section: what the crawl says about nodes
 * that do not listen (report.json `nat`, docs/analyzer.md "NAT
 * diagnostics"), each figure in plain words, and the listener's inbound
 * classes when report.json has `nat.inbound` (optional: only a vantage that
 * runs tzcensus-listen has it; the crawl-side keys are checked).
 */
#include <stdio.h>
#include <string.h>

#include "report_spec.h"

static const struct rchart CAUSE_CHART = {
    "nat_unreachable",
    "Unreachable points by cause of the last failed dial",
    NULL,
    "points",
    "Unreachable points by how their last dial failed: refused (a host answered, nothing "
    "listens at that port), timed out (nothing answered: a firewall or NAT dropping), no route.",
    "no unreachable point",
    "Unreachable points by cause",
    "nat_unreachable.csv",
    true,
    SVG_VERMILLION};

static const struct rchart RANGE_CHART = {
    "nat_ranges",
    "Points in private ranges that public nodes advertise",
    NULL,
    "points",
    "Distinct points in each range found in public nodes' lists: peers that connected from "
    "inside a NAT, a container or a carrier NAT, advertised at an address nobody outside can "
    "dial. private: 10/8, 172.16/12 (but the bridge), 192.168/16, fc00::/7; Docker bridge: "
    "172.17.0.0/16; CGNAT: 100.64.0.0/10; link-local: 169.254/16, fe80::/10; loopback: "
    "127/8, ::1.",
    "no private point in any list",
    "Private points by range",
    "nat_ranges.csv",
    true,
    SVG_ORANGE};

static const struct {
	const char *key, *label;
} RANGES[] = {
    {"private", "private"},       {"docker_bridge", "Docker bridge"}, {"cgnat", "CGNAT"},
    {"link_local", "link-local"}, {"loopback", "loopback"},
};
#define RANGES_N (sizeof RANGES / sizeof RANGES[0])

static const struct rkv FIGURES[] = {
    {"Public nodes advertising private points", "nat.private_advertisers.nodes", RF_COUNT, 0},
    {"Distinct private points advertised", "nat.private_advertisers.points", RF_COUNT, 0},
    {"Public nodes announcing another port", "nat.port_mismatch.nodes", RF_COUNT, 0},
    {"Public points announcing port 0", "nat.port_mismatch.announce_zero", RF_COUNT, 0},
    {"Addresses with several nodes", "nat.shared_addresses.addresses", RF_COUNT, 0},
    {"Nodes at those addresses", "nat.shared_addresses.nodes", RF_COUNT, 0},
    {"Unreachable points", "nat.unreachable_by_cause.points", RF_COUNT, 0},
    {"Unreachable: refused", "nat.unreachable_by_cause.refused", RF_COUNT, 0},
    {"Unreachable: timed out", "nat.unreachable_by_cause.timed_out", RF_COUNT, 0},
    {"Unreachable: no route", "nat.unreachable_by_cause.no_route", RF_COUNT, 0},
};

static const struct rtable ADVERTISER_TABLE = {
    "nat_private_advertisers.csv",
    "Nodes advertising private points",
    "Public nodes whose lists hold points in private, Docker-bridge, CGNAT, link-local or "
    "loopback ranges, most such points first.",
    "No public node advertised a private point.",
    "with the most private points",
    {
        {"Node", "id", RF_TEXT, "id", NULL, "peer id", RC_PEER | RC_ANON | RC_REQ},
        {"Point", "point", RF_TEXT, "point", NULL, "the node's point (truncated when anonymized)",
         RC_PEER | RC_ANON},
        {"Private points", "points", RF_COUNT, "points", "points",
         "distinct private-range points in its lists", 0},
    }};

static const struct rtable MISMATCH_TABLE = {
    "nat_port_mismatch.csv",
    "Nodes announcing another port",
    "Public points whose connection message announced another port than the one dialed.",
    "Every public node announced the port we reached it at (or 0).",
    NULL,
    {
        {"Node", "id", RF_TEXT, "id", NULL, "peer id", RC_PEER | RC_ANON | RC_REQ},
        {"Point", "point", RF_TEXT, "point", NULL, "the point dialed (truncated when anonymized)",
         RC_PEER | RC_ANON},
        {"Dialed port", "dialed_port", RF_INT, "dialed_port", NULL, "port we reached it at", 0},
        {"Announced port", "announced_port", RF_INT, "announced_port", NULL,
         "port its connection message announced", 0},
    }};

static const struct rtable SHARED_TABLE = {
    "nat_shared_addresses.csv",
    "Addresses with several nodes",
    "Addresses at which several public nodes (peer ids) answered, most nodes first.",
    "No address answered with more than one node.",
    "with the most nodes",
    {
        {"Address", "address", RF_TEXT, "address", NULL, "IP address (truncated when anonymized)",
         RC_PEER | RC_ANON | RC_REQ},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "distinct peer ids at this address", 0},
        {"Points", "points", RF_COUNT, "points", "points", "public points at this address", 0},
    }};

/* nat.inbound, the listener's figures (contract names of the listener). */
static const struct {
	const char *key, *meaning;
} INBOUND_CLASSES[] = {
    {"reachable", "the dial-back reached the same node: it listens and is public"},
    {"nat_refused", "the dial-back was refused: nothing listens at its address and port"},
    {"nat_silent", "the dial-back timed out, found no route, or met silence"},
    {"port_zero", "it announced port 0: it says it does not listen"},
    {"other_peer", "the dial-back reached another node: several nodes behind one address"},
    {"not_dialed", "not dialed back (address policy or rate limit)"},
};
#define INBOUND_N (sizeof INBOUND_CLASSES / sizeof INBOUND_CLASSES[0])

static const struct rtable INBOUND_TABLE = {
    "nat_inbound.csv",
    "Inbound peers by dial-back class",
    "Peers that dialed our listener, by what the dial-back found.",
    NULL,
    NULL,
    {
        {"Class", "class", RF_TEXT, "class", NULL, "dial-back class", 0},
        {"Peers", "peers", RF_COUNT, "peers", "peers", "inbound peers in this class", 0},
        {"Meaning", "meaning", RF_TEXT, NULL, NULL, NULL, 0},
    }};

static double num_or(struct rctx *r, const char *path, char *text, size_t cap)
{
	double v = 0;
	if (r_num(r, path, &v))
		fmt_num(text, cap, v, 0);
	else
		snprintf(text, cap, "n/a");
	return v;
}

static void inbound(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h3(d, "Who dials in (the listener)");
	const json_t *in = rj_get(r->cur, "nat.inbound"); /* optional by contract */
	if (!json_is_object(in)) {
		doc_p(d, "No listener data for this vantage: a crawl only dials out, so the nodes "
		         "that never listen stay invisible to it. tzcensus-listen counts them when "
		         "they dial in (docs/operators.md).");
		return;
	}
	double hours = 0, peers = 0, hidden = 0;
	bool have_h = rj_num(in, "window_hours", &hours), have_p = rj_num(in, "peers", &peers),
	     have_s = rj_num(in, "hidden_share", &hidden);
	char h[32] = "n/a", p[32] = "n/a", s[32] = "n/a";
	if (have_h)
		fmt_num(h, sizeof h, hours, 1);
	if (have_p)
		fmt_num(p, sizeof p, peers, 0);
	if (have_s)
		snprintf(s, sizeof s, "%.1f%%", 100 * hidden);
	doc_p_open(d);
	doc_tf(d,
	       "In the %s hours before this crawl, %s peers dialed our listener. The listener "
	       "dialed each back at the address it came from and the port it announced. %s of "
	       "these peers were never found public by a crawl: nodes a crawler that only dials "
	       "out cannot see.",
	       h, p, s);
	doc_p_close(d);
	struct rtab t;
	rtab_begin(r, &t, &INBOUND_TABLE);
	const json_t *by = json_object_get(in, "by_class");
	for (size_t i = 0; i < INBOUND_N; i++) {
		json_t *row = json_pack("{ssss}", "class", INBOUND_CLASSES[i].key, "meaning",
		                        INBOUND_CLASSES[i].meaning);
		const json_t *v = json_object_get(by, INBOUND_CLASSES[i].key);
		if (row && json_is_number(v))
			json_object_set_new(row, "peers", json_real(json_number_value(v)));
		rtab_row(&t, row, "nat.inbound.by_class");
		json_decref(row);
	}
	rtab_close(&t);
}

void section_nat(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "nat", "Behind NAT");
	doc_p(d, "Most Tezos nodes run at home or in containers: they dial out and are never "
	         "reachable. Such a node still tells each node it connects to a port it claims to "
	         "listen on, and that node registers the address the connection came from with "
	         "that port and advertises it. The point then spreads through the network and "
	         "fails for everyone who dials it. What this crawl, which only dials out, can tell "
	         "about them:");
	static const char *const heads[2] = {"Figure", "Value"};
	rkv_table(r, heads, FIGURES, sizeof FIGURES / sizeof FIGURES[0]);

	char a[32], b[32];
	doc_h3(d, "Private points in advertised lists");
	num_or(r, "nat.private_advertisers.nodes", a, sizeof a);
	num_or(r, "nat.private_advertisers.points", b, sizeof b);
	doc_p_open(d);
	doc_tf(d,
	       "%s public nodes advertise %s points in ranges no one outside their network can "
	       "reach. Each is a peer that connected to them from behind a NAT or from a container "
	       "and was registered at its inside address. Docker's default bridge "
	       "(172.17.0.0/16) is counted on its own: a node in a container, or a Docker proxy "
	       "that makes every peer look as if it came from the bridge. A point in the "
	       "advertiser's own range is not counted.",
	       a, b);
	doc_p_close(d);
	const char *labels[RANGES_N];
	double vals[RANGES_N];
	size_t n = 0;
	double total = 0;
	for (size_t i = 0; i < RANGES_N; i++) {
		char path[96];
		snprintf(path, sizeof path, "nat.private_advertisers.by_range.%s.points",
		         RANGES[i].key);
		double v = 0;
		if (r_num(r, path, &v)) {
			labels[n] = RANGES[i].label;
			vals[n++] = v;
			total += v;
		}
	}
	if (total > 0)
		chart_bars(r, &RANGE_CHART, labels, vals, n);
	else
		chart_none(r, &RANGE_CHART, "No private point in any list.");
	rtab_array(r, &ADVERTISER_TABLE, "nat.private_advertisers.top");

	doc_h3(d, "Nodes announcing another port");
	num_or(r, "nat.port_mismatch.nodes", a, sizeof a);
	num_or(r, "nat.port_mismatch.checked_points", b, sizeof b);
	doc_p_open(d);
	doc_tf(d,
	       "%s public nodes (of %s public points that sent a connection message) announced "
	       "another port than the one we reached them at. Every node they connect to "
	       "advertises them at the announced port, a point that fails: usually a port "
	       "forward to another inside port, or a wrong advertised port in the node's "
	       "configuration.",
	       a, b);
	doc_p_close(d);
	rtab_array(r, &MISMATCH_TABLE, "nat.port_mismatch.top");

	doc_h3(d, "Several nodes at one address");
	num_or(r, "nat.shared_addresses.addresses", a, sizeof a);
	num_or(r, "nat.shared_addresses.nodes", b, sizeof b);
	doc_p_open(d);
	doc_tf(d,
	       "%s addresses answered with several nodes (%s nodes in all), each on its own port: "
	       "nodes behind one NAT address with a port forward each, or one host running "
	       "several nodes. Behind NAT without forwards they would collide on one point.",
	       a, b);
	doc_p_close(d);
	rtab_array(r, &SHARED_TABLE, "nat.shared_addresses.top");

	doc_h3(d, "Why unreachable points fail");
	num_or(r, "nat.unreachable_by_cause.points", a, sizeof a);
	doc_p_open(d);
	doc_tf(d,
	       "Of %s unreachable points, the chart shows how the last dial failed. Refused means "
	       "a host or NAT answered but nothing listens at that port, the mark of a node that "
	       "dials out only. Timed out means nothing answered at all, a firewall or NAT that "
	       "drops unsolicited connections. No route means the address is not reachable from "
	       "our vantage.",
	       a);
	doc_p_close(d);
	static const char *const causes[] = {"refused", "timed_out", "no_route"};
	static const char *const cause_labels[] = {"refused", "timed out", "no route"};
	double cv[3];
	size_t cn = 0;
	double ctotal = 0;
	const char *cl[3];
	for (size_t i = 0; i < 3; i++) {
		char path[64];
		snprintf(path, sizeof path, "nat.unreachable_by_cause.%s", causes[i]);
		double v = 0;
		if (r_num(r, path, &v)) {
			cl[cn] = cause_labels[i];
			cv[cn++] = v;
			ctotal += v;
		}
	}
	if (ctotal > 0)
		chart_bars(r, &CAUSE_CHART, cl, cv, cn);
	else
		chart_none(r, &CAUSE_CHART, "No unreachable point.");

	inbound(r);
	doc_raw(d, "</section>\n", NULL);
}
