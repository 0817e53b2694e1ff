/*
 * report_peers — what the public nodes told us (versions, metadata flags,
 * proof of work, head lag) and how they cluster by address (concentration).
 */
#include <stdio.h>
#include <string.h>

#include "anon.h"
#include "report_spec.h"

/* ---- versions and metadata --------------------------------------------- */

static const struct rtable VERSION_TABLE = {
    "versions.csv",
    "Announced versions",
    "Public nodes per (chain name, distributed-DB version, P2P version).",
    "No node announced a version (no public node).",
    NULL,
    {
        {"Chain name", "chain_name", RF_TEXT, "chain_name", NULL,
         "chain name announced in the connection message (peer text)", RC_PEER},
        {"Distributed DB", "distributed_db_version", RF_INT, "distributed_db_version", NULL,
         "announced distributed-DB version", 0},
        {"P2P", "p2p_version", RF_INT, "p2p_version", NULL, "announced P2P version", 0},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes announcing this triple", 0},
        {"Share", "share", RF_SHARE, NULL, NULL, NULL, RC_CALC},
    }};

/* The Octez release, from the crawler's optional RPC probe (report.json
 * "releases", analyzer/releases.h): known only where a node's RPC answered. */
static const struct rtable RELEASE_TABLE = {
    "releases.csv",
    "Octez releases",
    "Public nodes per Octez release, as their RPC server answered GET /version: only nodes "
    "with a public RPC server are counted.",
    "No public node's RPC server answered with a release.",
    "are the most common",
    {
        {"Release", "release", RF_TEXT, "release", NULL,
         "Octez release the node's RPC server reported (version major.minor and "
         "additional_info, text from the node)",
         RC_PEER | RC_REQ},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes",
         "public nodes whose RPC server reported this release", 0},
        {"Share of known", "share", RF_SHARE, "share", "share (0-1)",
         "nodes / public nodes whose release is known", 0},
    }};
static const struct rchart RELEASE_CHART = {
    "releases",
    "Octez releases of public nodes with a public RPC",
    NULL,
    "% of nodes whose release is known",
    "The most common Octez releases, in % of the public nodes whose release is known (not of "
    "all public nodes).",
    "no release known",
    "Octez releases",
    "releases.csv",
    true,
    SVG_GREEN};
#define RELEASE_CHART_MAX 15
static void releases(struct rctx *r)
{
	struct doc *d = &r->d;
	const json_t *probed = r_get(r, "releases.probed");
	if (!json_is_boolean(probed)) {
		doc_p(d, "report.json gives no Octez release figures.");
		lack(r, "No Octez release figures in report.json.");
		return;
	}
	double known = 0, pub = 0, cov = 0;
	bool hp = r_num(r, "releases.public_nodes", &pub);
	if (hp && pub == 0) { /* nothing to ask: the probe's setting does not show */
		doc_p(d, "No public node, so no Octez release is known.");
		return;
	}
	if (!json_is_true(probed)) { /* with public nodes, no answer at all: it was off */
		doc_p(d,
		      "The crawler's RPC probe was off for this crawl (rpc_probe.enabled), so no "
		      "node's Octez release is known: the handshake does not tell it.");
		lack(r, "No Octez release: the crawler's RPC probe was off.");
		return;
	}
	bool hk = r_num(r, "releases.known", &known), hc = r_num(r, "releases.coverage", &cov);
	doc_p_open(d);
	if (hk && hp && hc) {
		char a[32], b[32];
		fmt_num(a, sizeof a, known, 0);
		fmt_num(b, sizeof b, pub, 0);
		doc_tf(d, "Release known for %s of %s public nodes (coverage %.1f%%). ", a, b,
		       100 * cov);
	}
	doc_t(d, "The release is known only for nodes with a public RPC: the crawler asks each "
	         "public node's address for GET /version on the RPC port (8732 by default), and "
	         "only nodes whose operator opened their RPC server to the Internet answer, so "
	         "the shares below describe those nodes, not every public node.");
	doc_p_close(d);

	const json_t *top = r_get(r, "releases.top");
	const char *labels[RELEASE_CHART_MAX];
	char lb[RELEASE_CHART_MAX][RELEASE_LABEL_CAP];
	double vals[RELEASE_CHART_MAX];
	size_t nb = 0;
	for (size_t i = 0; i < json_array_size(top) && nb < RELEASE_CHART_MAX; i++) {
		const json_t *e = json_array_get(top, i);
		const char *rel = rj_str(e, "release");
		double sh = 0;
		if (!rel || !rj_num(e, "share", &sh))
			continue;
		release_label(lb[nb], sizeof lb[nb], rel); /* peer text: the chart escapes it */
		labels[nb] = lb[nb];
		vals[nb++] = 100 * sh;
	}
	chart_bars(r, &RELEASE_CHART, labels, vals, nb);
	rtab_array(r, &RELEASE_TABLE, "releases.top");
}

static const struct rtable FLAG_TABLE = {
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    {
        {"Flag (from the metadata message)", "flag", RF_TEXT, NULL, NULL, NULL, 0},
        {"Public nodes", "nodes", RF_COUNT, NULL, NULL, NULL, 0},
        {"Share", "share", RF_SHARE, NULL, NULL, NULL, 0},
    }};
static const struct {
	const char *label, *path;
} FLAGS[] = {
    {"private_node = true", "metadata.private_node"},
    {"disable_mempool = true", "metadata.disable_mempool"},
};

static const struct rhist POW = {
    "metadata.pow_bits",
    {"pow", "Proof-of-work strength of public nodes", "proof-of-work bits", "public nodes",
     "Public nodes per proof-of-work strength (leading zero bits; Octez requires 26 by "
     "default).",
     "no proof-of-work figures: no public node", NULL, "pow_bits.csv", false, SVG_BLUE},
    "Proof-of-work histogram",
    {
        {NULL, "v", RF_INT, "pow_bits", "bits", "leading zero bits of the identity proof of work",
         0},
        {NULL, "n", RF_INT, "nodes", "nodes", "public nodes with this strength", 0},
    }};

static const struct rhist LAG = {
    "heads.lag_histogram",
    {"lag", "Head lag of public nodes", "lag (blocks)", "public nodes",
     "Public nodes per head lag (blocks behind the reference head level; outliers left out).",
     "no head levels reported", NULL, "head_lag.csv", false, SVG_BLUE},
    "Head-lag histogram",
    {
        {NULL, "v", RF_INT, "lag_blocks", "blocks", "blocks behind the reference head level", 0},
        {NULL, "n", RF_INT, "nodes", "nodes", "public nodes with this lag", 0},
    }};

static const struct rtable OUTLIER_TABLE = {
    "head_outliers.csv",
    "Head outliers",
    "Public nodes that announced a head more than heads.ahead_max levels above the median: "
    "listed here, left out of the reference level and the lag histogram.",
    "None: no node announced a head far above the others.",
    NULL,
    {
        {"Node (peer id or point)", "id", RF_TEXT, "node", NULL,
         "peer id when a handshake revealed it, else the point", RC_PEER | RC_ANON | RC_REQ},
        {"Point", "point", RF_TEXT, "point", NULL, "the node's first point (address and port)",
         RC_PEER | RC_ANON},
        {"Head level", "level", RF_COUNT, "level", "blocks", "the head level it announced", 0},
        {"Ahead by", "ahead", RF_COUNT, "ahead", "blocks",
         "level - the reference head level", 0},
    }};

/* How the reference head is chosen, with this crawl's figures. */
static void head_reference(struct rctx *r)
{
	struct doc *d = &r->d;
	double ref = 0, med = 0, ahead = 0, n = 0;
	doc_p_open(d);
	if (r_num(r, "heads.reference_level", &ref) && r_num(r, "heads.median_level", &med) &&
	    r_num(r, "heads.ahead_max", &ahead) && r_num(r, "heads.nodes_with_head", &n)) {
		char a[32], b[32], c[32], e[32];
		fmt_num(a, sizeof a, ref, 0);
		fmt_num(b, sizeof b, med, 0);
		fmt_num(c, sizeof c, ahead, 0);
		fmt_num(e, sizeof e, n, 0);
		doc_tf(d,
		       "Reference head level: %s, the highest head at most %s levels above the "
		       "median head of the public nodes (%s), so a node announcing a far-off level "
		       "cannot make the others look behind. Lag = reference - head, for each of the "
		       "%s public nodes that told us their head; heads above the reference are "
		       "outliers, listed below and left out of the histogram.",
		       a, c, b, e);
	} else {
		doc_t(d, "No node told us its head level.");
		lack(r, "No head levels: the head-lag histogram is empty.");
	}
	doc_p_close(d);
}

/* Each row of array a with "share" = key / (sum of key over a) added. */
static void rows_with_share(struct rtab *t, const json_t *a, const char *key, const char *src)
{
	double total = 0, x;
	for (size_t i = 0; i < json_array_size(a); i++)
		if (rj_num(json_array_get(a, i), key, &x))
			total += x;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *row = json_copy(json_array_get(a, i));
		if (json_is_object(row) && rj_num(row, key, &x) && total > 0)
			json_object_set_new(row, "share", json_real(x / total));
		rtab_row(t, row, src);
		json_decref(row);
	}
}

void section_versions(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "versions", "Versions and metadata");
	struct rtab t;
	rtab_begin(r, &t, &VERSION_TABLE);
	rows_with_share(&t, r_get(r, "versions"), "nodes", "versions[]");
	rtab_close(&t);

	doc_h3(d, "Octez releases");
	releases(r);

	doc_h3(d, "Flags");
	double pub = 0;
	bool hpub = r_num(r, "counts.public", &pub);
	rtab_begin(r, &t, &FLAG_TABLE);
	for (size_t i = 0; i < sizeof FLAGS / sizeof FLAGS[0]; i++) {
		double v = 0;
		json_t *row = json_pack("{ss}", "flag", FLAGS[i].label);
		if (r_num(r, FLAGS[i].path, &v)) {
			json_object_set_new(row, "nodes", json_real(v));
			if (hpub && pub > 0)
				json_object_set_new(row, "share", json_real(v / pub));
		}
		rtab_row(&t, row, NULL);
		json_decref(row);
	}
	rtab_close(&t);

	doc_h3(d, "Proof-of-work strength");
	chart_hist(r, &POW);

	doc_h3(d, "Head lag");
	head_reference(r);
	chart_hist(r, &LAG);
	doc_h3(d, "Heads far ahead (outliers)");
	rtab_array(r, &OUTLIER_TABLE, "heads.outliers");
	doc_raw(d, "</section>\n", NULL);
}

/* ---- release labels (also report_history.c) ---- */

/* How many characters s[0..] takes on the page (the escapers show a control
 * byte as \xNN, a bidi override as \u{NNNN}); *len: its bytes. */
static size_t shown_width(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x20 || s[0] == 0x7f) {
		*len = 1;
		return 4;
	}
	if (s[0] == 0xe2 && ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
	                     (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9))) {
		*len = 3;
		return 8;
	}
	size_t n = s[0] < 0x80 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	for (*len = 1; *len < n && (s[*len] & 0xc0) == 0x80; ++*len)
		;
	return 1;
}

/* A bar label: the release as shown, cut with "..." when wider than
 * RELEASE_LABEL_MAX characters (Octez's own are shorter; the table and the
 * CSV have the whole text). Cuts between characters, never inside one. */
void release_label(char *out, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, i = 0, cut = 0, len;
	while (p[i]) {
		size_t k = shown_width(p + i, &len);
		if (w + k <= RELEASE_LABEL_MAX - 3)
			cut = i + len;
		w += k;
		i += len;
	}
	if (w <= RELEASE_LABEL_MAX)
		snprintf(out, cap, "%s", s);
	else
		snprintf(out, cap, "%.*s...", (int)cut, s);
}

/* ---- concentration ----------------------------------------------------- */

static const struct {
	const char *key, *label;
} FAMILIES[] = {
    {"ipv4_24", "IPv4 /24"},
    {"ipv4_16", "IPv4 /16"},
    {"ipv6_48", "IPv6 /48"},
};
#define FAMILIES_N (sizeof FAMILIES / sizeof FAMILIES[0])

static const struct rtable CONC_TABLE = {
    "prefix_concentration.csv",
    "Prefix concentration",
    "Nakamoto coefficient, HHI and Gini of public nodes per prefix family.",
    NULL,
    NULL,
    {
        {"Prefix", "label", RF_TEXT, NULL, NULL, NULL, 0},
        {NULL, "family", RF_TEXT, "family", NULL, "ipv4_24, ipv4_16 or ipv6_48", 0},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes counted in this family", 0},
        {"Prefixes", "prefixes", RF_COUNT, "prefixes", "prefixes", "distinct prefixes among them",
         0},
        {"Nakamoto", "nakamoto", RF_COUNT, "nakamoto", "prefixes",
         "fewest prefixes holding over 50% of the nodes", 0},
        {"HHI", "hhi", RF_ROUND, "hhi", "0-10000", "Herfindahl-Hirschman index of prefix shares",
         0},
        {"Gini", "gini", RF_FIX3, "gini", "0-1", "Gini coefficient of nodes per prefix", 0},
    }};

static const struct rtable TOP_TABLE = {
    "prefix_top.csv",
    "Largest prefixes",
    "The prefixes holding the most public nodes, per family.",
    NULL,
    NULL,
    {
        {NULL, "family", RF_TEXT, "family", NULL, "ipv4_24, ipv4_16 or ipv6_48", 0},
        {"Prefix", "prefix", RF_TEXT, "prefix", NULL,
         "the prefix (already truncated: never a full address)", RC_PEER | RC_ANON | RC_REQ},
        {"Nodes", "nodes", RF_COUNT, "nodes", "nodes", "public nodes in this prefix", 0},
        {"Share", "share", RF_SHARE, "share", "share (0-1)", "nodes / public nodes of the family",
         0},
    }};
static const struct rchart TOP_CHART = {"prefixes",
                                        "Largest IPv4 /24 prefixes by share of public nodes",
                                        NULL,
                                        "% of public IPv4 nodes",
                                        "The largest IPv4 /24 prefixes, in % of public IPv4 nodes.",
                                        "no prefix figures",
                                        "Largest IPv4 /24 prefixes",
                                        "prefix_top.csv",
                                        true,
                                        SVG_GREEN};
#define TOP_CHART_MAX 15

static const struct rhist PEERS_PER_IP = {
    "concentration.peers_per_ip",
    {"peers_per_ip", "IP addresses by number of peer ids", "peer ids per IP", "IP addresses",
     "IP addresses per number of distinct peer ids they answered with.", "no public node", NULL,
     "peers_per_ip.csv", false, SVG_BLUE},
    "Peers per IP",
    {
        {NULL, "v", RF_INT, "peer_ids", "peer ids", "distinct peer ids seen on one IP address", 0},
        {NULL, "n", RF_INT, "ips", "addresses", "IP addresses with that many peer ids", 0},
    }};

static const struct rtable MANY_TABLE = {
    "ips_with_many_peer_ids.csv",
    "IPs with many peer ids",
    "Addresses that answered with several peer ids: many nodes on one host, or one node "
    "rotating identities.",
    NULL,
    NULL,
    {
        {"Address", "ip", RF_TEXT, "ip", NULL,
         "IP address (truncated when the report is anonymized)", RC_PEER | RC_ANON | RC_REQ},
        {"Peer ids", "peer_ids", RF_COUNT, "peer_ids", "peer ids",
         "distinct peer ids seen on this address", 0},
    }};

static void concentration_table(struct rctx *r)
{
	struct rtab t;
	rtab_begin(r, &t, &CONC_TABLE);
	bool any = false;
	for (size_t f = 0; f < FAMILIES_N; f++) {
		char src[64];
		snprintf(src, sizeof src, "concentration.by_prefix.%s", FAMILIES[f].key);
		const json_t *fam = r_get(r, src);
		json_t *row = json_is_object(fam) ? json_copy((json_t *)fam) : json_object();
		json_object_set_new(row, "label", json_string(FAMILIES[f].label));
		json_object_set_new(row, "family", json_string(FAMILIES[f].key));
		json_object_del(row, "top");
		any |= rj_get(row, "nakamoto") || rj_get(row, "hhi") || rj_get(row, "gini");
		rtab_row(&t, row, src);
		json_decref(row);
	}
	rtab_close(&t);
	if (!any)
		lack(r, "No prefix concentration figures.");
}

static void top_prefixes(struct rctx *r)
{
	struct rtab t;
	rtab_begin(r, &t, &TOP_TABLE);
	const json_t *top24 = r_get(r, "concentration.by_prefix.ipv4_24.top");
	const char *labels[TOP_CHART_MAX];
	double vals[TOP_CHART_MAX];
	char lb[TOP_CHART_MAX][ANON_POINT_CAP + 32];
	size_t nb = 0;
	for (size_t i = 0; i < json_array_size(top24) && i < TOP_CHART_MAX; i++) {
		const json_t *e = json_array_get(top24, i);
		const char *pfx = rj_str(e, "prefix");
		double s = 0;
		if (!pfx || !rj_num(e, "share", &s))
			continue;
		char tmp[ANON_POINT_CAP + 32];
		snprintf(lb[nb], sizeof lb[nb], "%s", pub_id(r, pfx, tmp, sizeof tmp));
		labels[nb] = lb[nb];
		vals[nb++] = 100 * s;
	}
	chart_bars(r, &TOP_CHART, labels, vals, nb);

	for (size_t f = 0; f < FAMILIES_N; f++) {
		char src[64];
		snprintf(src, sizeof src, "concentration.by_prefix.%s.top", FAMILIES[f].key);
		const json_t *top = r_get(r, src);
		if (json_array_size(top) == 0)
			continue;
		char title[64];
		snprintf(title, sizeof title, "Largest %s prefixes", FAMILIES[f].label);
		doc_h3(&r->d, title);
		strncat(src, "[]", sizeof src - strlen(src) - 1);
		for (size_t i = 0; i < json_array_size(top); i++) {
			json_t *row = json_copy(json_array_get(top, i));
			if (json_is_object(row))
				json_object_set_new(row, "family", json_string(FAMILIES[f].key));
			rtab_row(&t, row, src);
			json_decref(row);
		}
		rtab_close(&t);
	}
}

void section_concentration(struct rctx *r)
{
	struct doc *d = &r->d;
	doc_h2(d, "concentration", "Concentration");
	doc_p(d,
	      "How public nodes cluster by address. Nakamoto coefficient: the fewest prefixes that "
	      "together hold more than half of the nodes (higher is better). HHI: sum of squared "
	      "percentage shares, 0 to 10,000 (below 1,500 unconcentrated, above 2,500 highly "
	      "concentrated, in the US DOJ bands). Gini: 0 when every prefix holds as many nodes, "
	      "towards 1 when a few hold most.");
	concentration_table(r);
	top_prefixes(r);

	doc_h3(d, "Peers per IP address");
	chart_hist(r, &PEERS_PER_IP);
	const json_t *many = r_get(r, "concentration.ips_with_many_peer_ids");
	if (json_array_size(many) == 0)
		doc_p(d, "No IP address answered with more than one peer id.");
	else
		doc_p(d, "Addresses that answered with several peer ids (many nodes behind one "
		         "address, or one node rotating its identity):");
	rtab_array(r, &MANY_TABLE, "concentration.ips_with_many_peer_ids");
	doc_raw(d, "</section>\n", NULL);
}
