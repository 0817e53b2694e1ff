/*
 * sections — report.json: its census sections (crawl, counts, versions,
 * metadata, heads, concentration, trend, definitions), the JSON helpers the
 * sections share, and analysis_report(), which puts the object together once
 * analyze.c's pipeline has run. Its own file because the figures' wording
 * and shape change for reasons the graph algorithms never do; the graph
 * object is sections_graph.c.
 */
#include "analyzer/analyze_int.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/history.h"
#include "analyzer/ipaddr.h"
#include "analyzer/locfig.h"
#include "analyzer/nat.h"
#include "analyzer/releases.h"
#include "core/clock.h"

/* ---- json helpers -------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/*
 * Histogram object with numeric keys in numeric order (insertion order),
 * only the values that occur: sorted, then counted in runs, so one value of
 * 2^31 costs what a value of 3 costs (no counter per possible value).
 * Negative values are left out. Sorts vals in place.
 */
json_t *int_hist(long long *vals, size_t n, bool *ok)
{
	json_t *h = json_object();
	if (!h)
		return NULL;
	qsort(vals, n, sizeof *vals, cmp_ll);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && vals[j] == vals[i])
			j++;
		if (vals[i] >= 0) {
			char key[24];
			snprintf(key, sizeof key, "%lld", vals[i]);
			put(h, key, json_integer((json_int_t)(j - i)), ok);
		}
		i = j;
	}
	return h;
}


void vertex_point(const struct analysis *an, uint32_t v, char *out, size_t cap)
{
	const struct model *mo = &an->mo;
	const struct mvertex *x = &mo->v[v];
	const char *pt = x->points_n ? mo->points[mo->vpoints[x->first_point]] : x->id;
	if (an->opts.anon)
		an->opts.anon(pt, out, cap);
	else
		snprintf(out, cap, "%s", pt);
}

/* {"id": display id, "point": its first point}: a node as tables list it. */
json_t *node_obj(const struct analysis *an, uint32_t v, bool *ok)
{
	json_t *x = json_object();
	if (!x) {
		*ok = false;
		return NULL;
	}
	char pt[160];
	vertex_point(an, v, pt, sizeof pt);
	put(x, "id", json_string(an->disp[v]), ok);
	put(x, "point", json_string(pt), ok);
	return x;
}


/* ---- report sections ------------------------------------------------------ */

static json_t *sec_crawl(const struct acrawl *c, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "id", json_integer(c->id), ok);
	put(o, "uuid", str_or_null(c->uuid), ok);
	put(o, "started_at", str_or_null(c->started_at), ok);
	put(o, "finished_at", str_or_null(c->finished_at), ok);
	put(o, "vantage", str_or_null(c->vantage), ok);
	put(o, "crawler_version", str_or_null(c->crawler_version), ok);
	put(o, "config_digest", str_or_null(c->config_digest), ok);
	return o;
}

/*
 * The census figures (lib/db/census.h): public = nodes (public points
 * merged by peer id); foreign, unverified, unreachable and undialed =
 * points; the public ratio leaves foreign and undialed out.
 */
static json_t *sec_counts(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	const size_t *cp = mo->class_points;
	size_t nodes = mo->class_vertices[PC_PUBLIC];
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "points_seen", json_integer(mo->points_n), ok);
	put(o, "points_dialed", json_integer((json_int_t)mo->points_dialed), ok);
	put(o, "vertices", json_integer(mo->n), ok);
	put(o, "public", json_integer((json_int_t)nodes), ok);
	put(o, "public_points", json_integer((json_int_t)cp[PC_PUBLIC]), ok);
	put(o, "foreign", json_integer((json_int_t)cp[PC_FOREIGN]), ok);
	put(o, "unverified", json_integer((json_int_t)cp[PC_UNVERIFIED]), ok);
	put(o, "unreachable", json_integer((json_int_t)cp[PC_UNREACHABLE]), ok);
	put(o, "undialed", json_integer((json_int_t)cp[PC_UNDIALED]), ok);
	put(o, "public_ratio",
	    json_real(census_public_ratio(nodes, cp[PC_UNVERIFIED], cp[PC_UNREACHABLE])), ok);
	json_t *oc = json_object();
	for (size_t i = 0; oc && i < mo->outcomes_n; i++)
		put(oc, mo->outcomes[i].name, json_integer((json_int_t)mo->outcomes[i].n), ok);
	put(o, "outcomes", oc, ok);
	return o;
}

struct ver {
	const char *chain;
	int ddb, p2p;
	size_t n;
};

static int cmp_ver_key(const void *a, const void *b)
{
	const struct ver *x = a, *y = b;
	int c = strcmp(x->chain ? x->chain : "", y->chain ? y->chain : "");
	if (c)
		return c;
	if (x->ddb != y->ddb)
		return x->ddb < y->ddb ? -1 : 1;
	return (x->p2p > y->p2p) - (x->p2p < y->p2p);
}

static int cmp_ver_count(const void *a, const void *b)
{
	const struct ver *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return cmp_ver_key(a, b);
}

static json_t *sec_versions(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	struct ver *v = calloc(mo->n ? mo->n : 1, sizeof *v);
	json_t *a = json_array();
	if (!v || !a) {
		free(v);
		*ok = false;
		return a;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < mo->n; i++) {
		const struct mvertex *x = &mo->v[i];
		if (x->cls != VC_PUBLIC)
			continue;
		v[k].chain = x->chain_name;
		v[k].ddb = x->ddb_version;
		v[k].p2p = x->p2p_version;
		v[k++].n = 1;
	}
	qsort(v, k, sizeof *v, cmp_ver_key);
	size_t w = 0;
	for (size_t i = 0; i < k; i++) {
		if (w && !cmp_ver_key(&v[w - 1], &v[i]))
			v[w - 1].n++;
		else
			v[w++] = v[i];
	}
	qsort(v, w, sizeof *v, cmp_ver_count);
	for (size_t i = 0; i < w; i++) {
		json_t *o = json_object();
		if (!o) {
			*ok = false;
			break;
		}
		put(o, "chain_name", str_or_null(v[i].chain), ok);
		put(o, "distributed_db_version",
		    v[i].ddb >= 0 ? json_integer(v[i].ddb) : json_null(), ok);
		put(o, "p2p_version", v[i].p2p >= 0 ? json_integer(v[i].p2p) : json_null(), ok);
		put(o, "nodes", json_integer((json_int_t)v[i].n), ok);
		push(a, o, ok);
	}
	free(v);
	return a;
}

/* Public nodes whose metadata set the flag (private_node or disable_mempool). */
static json_t *flag_count(const struct model *mo, bool priv)
{
	size_t t = 0;
	for (uint32_t i = 0; i < mo->n; i++) {
		if (mo->v[i].cls != VC_PUBLIC)
			continue;
		t += (priv ? mo->v[i].private_node : mo->v[i].disable_mempool) == 1;
	}
	return json_integer((json_int_t)t);
}

static json_t *sec_metadata(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "private_node", flag_count(mo, true), ok);
	put(o, "disable_mempool", flag_count(mo, false), ok);
	long long *bits = malloc((mo->n ? mo->n : 1) * sizeof *bits);
	if (!bits) {
		*ok = false;
		return o;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < mo->n; i++)
		if (mo->v[i].cls == VC_PUBLIC)
			bits[k++] = mo->v[i].pow_bits;
	put(o, "pow_bits", int_hist(bits, k, ok), ok);
	free(bits);
	return o;
}

/*
 * Head lag against a reference one liar cannot move: the median head of the
 * public nodes sets a ceiling (median + HEAD_AHEAD_MAX); heads above it are
 * outliers, listed and left out; the reference is the highest head at or
 * below the ceiling, and a node's lag is reference - its head. With fewer
 * liars than honest nodes the median stays among honest heads, so any lie
 * more than HEAD_AHEAD_MAX above it changes no other node's lag.
 */
struct headv {
	long long level;
	uint32_t v;
};

static int cmp_headv(const void *a, const void *b)
{
	const struct headv *x = a, *y = b;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

static json_t *sec_heads(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	json_t *o = json_object();
	struct headv *h = malloc((mo->n ? mo->n : 1) * sizeof *h);
	long long *lag = malloc((mo->n ? mo->n : 1) * sizeof *lag);
	if (!o || !h || !lag) {
		free(h);
		free(lag);
		*ok = false;
		return o;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < mo->n; i++)
		if (mo->v[i].cls == VC_PUBLIC && mo->v[i].head_level >= 0)
			h[k++] = (struct headv){mo->v[i].head_level, i};
	qsort(h, k, sizeof *h, cmp_headv);
	long long median = k ? h[(k - 1) / 2].level : -1; /* lower median: a real head */
	long long ceiling = median + HEAD_AHEAD_MAX;
	size_t kept = 0;
	while (kept < k && h[kept].level <= ceiling)
		kept++;
	long long ref = kept ? h[kept - 1].level : -1;
	put(o, "max_level", ref >= 0 ? json_integer(ref) : json_null(), ok);
	put(o, "reference_level", ref >= 0 ? json_integer(ref) : json_null(), ok);
	put(o, "median_level", median >= 0 ? json_integer(median) : json_null(), ok);
	put(o, "highest_announced", k ? json_integer(h[k - 1].level) : json_null(), ok);
	put(o, "ahead_max", json_integer(HEAD_AHEAD_MAX), ok);
	put(o, "nodes_with_head", json_integer((json_int_t)k), ok);
	json_t *out = json_array();
	for (size_t i = kept; out && i < k; i++) {
		json_t *x = node_obj(an, h[i].v, ok);
		if (x) {
			put(x, "level", json_integer(h[i].level), ok);
			put(x, "ahead", json_integer(h[i].level - ref), ok);
		}
		push(out, x, ok);
	}
	put(o, "outliers", out, ok);
	for (size_t i = 0; i < kept; i++)
		lag[i] = ref - h[i].level;
	put(o, "lag_histogram", int_hist(lag, kept, ok), ok);
	free(h);
	free(lag);
	return o;
}



static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keycount {
	char *key;
	uint64_t n;
};

static int cmp_kc(const void *a, const void *b)
{
	const struct keycount *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Groups sorted strings into (key, count), most common first. */
static struct keycount *group(char **keys, size_t n, size_t *out_n)
{
	qsort(keys, n, sizeof *keys, cmp_strp);
	struct keycount *kc = calloc(n ? n : 1, sizeof *kc);
	if (!kc)
		return NULL;
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w && !strcmp(kc[w - 1].key, keys[i])) {
			kc[w - 1].n++;
		} else {
			kc[w].key = keys[i];
			kc[w++].n = 1;
		}
	}
	qsort(kc, w, sizeof *kc, cmp_kc);
	*out_n = w;
	return kc;
}

json_t *concentration_json(char **keys, size_t k, const char *groups_key, size_t top_n,
                           concentration_label_fn *label, const void *ctx, bool *ok)
{
	json_t *o = json_object();
	size_t gn = 0;
	struct keycount *kc = NULL;
	uint64_t *cnt = NULL;
	if (!o)
		goto fail;
	kc = group(keys, k, &gn);
	cnt = malloc((gn ? gn : 1) * sizeof *cnt);
	if (!kc || !cnt)
		goto fail;
	for (size_t i = 0; i < gn; i++)
		cnt[i] = kc[i].n;
	struct concentration c;
	concentration_of(cnt, gn, &c);
	put(o, "nodes", json_integer((json_int_t)k), ok);
	put(o, groups_key, json_integer((json_int_t)gn), ok);
	put(o, "nakamoto", json_integer(c.nakamoto), ok);
	put(o, "hhi", json_real(c.hhi), ok);
	put(o, "gini", json_real(c.gini), ok);
	json_t *top = json_array();
	for (size_t i = 0; top && i < gn && i < top_n; i++) {
		json_t *x = json_object();
		if (!x) {
			*ok = false;
			break;
		}
		label(x, kc[i].key, ctx, ok);
		put(x, "nodes", json_integer((json_int_t)kc[i].n), ok);
		put(x, "share", json_real((double)kc[i].n / (double)k), ok);
		push(top, x, ok);
	}
	put(o, "top", top, ok);
	goto out;
fail:
	*ok = false;
out:
	free(kc);
	free(cnt);
	return o;
}

static void prefix_label(json_t *x, const char *key, const void *ctx, bool *ok)
{
	(void)ctx;
	put(x, "prefix", json_string(key), ok);
}

static json_t *prefix_block(const struct analysis *an, int bits, bool want_v4, bool *ok)
{
	const struct model *mo = &an->mo;
	char **keys = calloc(mo->n ? mo->n : 1, sizeof *keys);
	json_t *o = NULL;
	size_t k = 0;
	if (!keys)
		goto fail;
	for (uint32_t i = 0; i < mo->n; i++) {
		const struct mvertex *x = &mo->v[i];
		if (x->cls != VC_PUBLIC)
			continue;
		for (uint32_t j = 0; j < x->points_n; j++) {
			struct ipaddr ip;
			if (ipaddr_of_point(mo->points[mo->vpoints[x->first_point + j]], &ip) !=
			    ERR_OK)
				continue;
			if (ip.v4 != want_v4)
				break;
			char buf[80];
			ipaddr_prefix(&ip, bits, buf, sizeof buf);
			if (!(keys[k++] = strdup(buf)))
				goto fail;
			break;
		}
	}
	o = concentration_json(keys, k, "prefixes", 10, prefix_label, NULL, ok);
	goto out;
fail:
	*ok = false;
out:
	for (size_t i = 0; keys && i < k; i++)
		free(keys[i]);
	free(keys);
	return o;
}

static json_t *sec_concentration(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	json_t *o = json_object();
	if (!o)
		return NULL;
	/* (ip, peer id) pairs from every point whose vertex is a peer id. */
	char **pairs = calloc(mo->points_n ? mo->points_n : 1, sizeof *pairs);
	size_t k = 0;
	if (!pairs) {
		*ok = false;
		return o;
	}
	for (uint32_t p = 0; p < mo->points_n; p++) {
		const struct mvertex *x = &mo->v[mo->point_vertex[p]];
		struct ipaddr ip;
		if (!x->is_peer || ipaddr_of_point(mo->points[p], &ip) != ERR_OK)
			continue;
		char addr[64], buf[160];
		ipaddr_format(&ip, addr, sizeof addr);
		snprintf(buf, sizeof buf, "%s %s", addr, x->id);
		if (!(pairs[k++] = strdup(buf))) {
			*ok = false;
			break;
		}
	}
	qsort(pairs, k, sizeof *pairs, cmp_strp);
	size_t w = 0;
	for (size_t i = 0; i < k; i++) { /* unique pairs, then strip to the ip */
		if (w && !strcmp(pairs[w - 1], pairs[i])) {
			free(pairs[i]);
			continue;
		}
		pairs[w++] = pairs[i];
	}
	for (size_t i = 0; i < w; i++)
		*strchr(pairs[i], ' ') = 0;
	size_t gn = 0;
	struct keycount *kc = group(pairs, w, &gn);
	long long *per = malloc((gn ? gn : 1) * sizeof *per);
	if (kc && per) {
		for (size_t i = 0; i < gn; i++)
			per[i] = (long long)kc[i].n;
		put(o, "peers_per_ip", int_hist(per, gn, ok), ok);
		json_t *many = json_array();
		for (size_t i = 0; many && i < gn && kc[i].n >= 2 && i < 20; i++) {
			json_t *x = json_object();
			char shown[160];
			if (an->opts.anon) {
				char pt[96];
				bool v6 = strchr(kc[i].key, ':') != NULL;
				snprintf(pt, sizeof pt, v6 ? "[%s]:0" : "%s:0", kc[i].key);
				an->opts.anon(pt, shown, sizeof shown);
			} else {
				snprintf(shown, sizeof shown, "%s", kc[i].key);
			}
			if (!x) {
				*ok = false;
				break;
			}
			put(x, "ip", json_string(shown), ok);
			put(x, "peer_ids", json_integer((json_int_t)kc[i].n), ok);
			push(many, x, ok);
		}
		put(o, "ips_with_many_peer_ids", many, ok);
	} else {
		*ok = false;
	}
	free(per);
	free(kc);
	for (size_t i = 0; i < w; i++)
		free(pairs[i]);
	free(pairs);
	json_t *bp = json_object();
	if (bp) {
		put(bp, "ipv4_24", prefix_block(an, 24, true, ok), ok);
		put(bp, "ipv4_16", prefix_block(an, 16, true, ok), ok);
		put(bp, "ipv6_48", prefix_block(an, 48, false, ok), ok);
	}
	put(o, "by_prefix", bp, ok);
	return o;
}

static json_t *sec_trend(const struct analysis *an, const struct previous *prev, bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	const struct model *mo = &an->mo;
	size_t pub = 0;
	for (uint32_t i = 0; i < mo->n; i++)
		pub += mo->v[i].cls == VC_PUBLIC;
	if (!prev) {
		put(o, "previous_crawl_id", json_null(), ok);
		put(o, "new", json_null(), ok);
		put(o, "gone", json_null(), ok);
		put(o, "delta_public", json_null(), ok);
		put(o, "delta_vertices", json_null(), ok);
		put(o, "delta_vertex_connectivity", json_null(), ok);
		put(o, "delta_backbone_vertex_connectivity", json_null(), ok);
		return o;
	}
	size_t nw = 0, kept = 0;
	for (uint32_t i = 0; i < mo->n; i++) {
		if (mo->v[i].cls != VC_PUBLIC)
			continue;
		const char *id = mo->v[i].id;
		if (bsearch(&id, prev->public_ids, prev->public_n, sizeof *prev->public_ids,
		            cmp_strp))
			kept++;
		else
			nw++;
	}
	put(o, "previous_crawl_id", json_integer(prev->crawl_id), ok);
	put(o, "new", json_integer((json_int_t)nw), ok);
	put(o, "gone", json_integer((json_int_t)(prev->public_n - kept)), ok);
	put(o, "delta_public", json_integer((json_int_t)pub - (json_int_t)prev->public_n), ok);
	put(o, "delta_vertices", json_integer((json_int_t)mo->n - (json_int_t)prev->vertices), ok);
	put(o, "delta_vertex_connectivity",
	    prev->vertex_connectivity >= 0
	        ? json_integer((json_int_t)an->kappa.kappa - prev->vertex_connectivity)
	        : json_null(),
	    ok);
	put(o, "delta_backbone_vertex_connectivity",
	    prev->backbone_connectivity >= 0
	        ? json_integer((json_int_t)an->block_kappa.kappa - prev->backbone_connectivity)
	        : json_null(),
	    ok);
	return o;
}

static json_t *sec_definitions(bool *ok)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "vertex",
	    json_string("a node: its peer id when a handshake revealed one (points "
	                "sharing a peer id are one vertex), else its point"),
	    ok);
	put(o, "public",
	    json_string("a point that sent a valid connection message announcing the crawl's "
	                "chain (whatever followed); counts.public counts nodes: public points "
	                "merged by peer id"),
	    ok);
	put(o, "foreign", json_string("a point whose connection message announced another chain"),
	    ok);
	put(o, "unverified",
	    json_string("a point that accepted TCP but sent no valid connection message"), ok);
	put(o, "unreachable",
	    json_string("a point whose every attempt was refused, timed out or had no route"), ok);
	put(o, "undialed",
	    json_string("a point never dialed (policy, self, not reached) or dialed only into "
	                "local_error"),
	    ok);
	put(o, "edge",
	    json_string("u advertised (or listed in a Nack) a point of v in this "
	                "crawl; undirected, simple, no self-loops. Octez advertises "
	                "points it has completed a handshake with: an edge means 'has "
	                "been connected', not 'is connected'"),
	    ok);
	put(o, "strong_edge",
	    json_string("in the ranked part (best 30; with a sampled list of 50, "
	                "the last 30 reversed) of every Advertise round of its "
	                "advertiser"),
	    ok);
	put(o, "S", json_string("all vertices"), ok);
	put(o, "R", json_string("public vertices (subgraph induced by them)"), ok);
	put(o, "R_core", json_string("largest connected component of R"), ok);
	put(o, "public_ratio",
	    json_string("public nodes / (public nodes + unverified points + unreachable points)"),
	    ok);
	put(o, "backbone",
	    json_string("the largest biconnected block of R: its vertex connectivity is the "
	                "fewest public nodes whose failure splits the well-knit centre"),
	    ok);
	put(o, "head_reference",
	    json_string("the highest head within heads.ahead_max levels above the median head "
	                "of public nodes; lag = reference - head; higher heads are outliers"),
	    ok);
	put(o, "betweenness",
	    json_string("on R_core, normalized by (n-1)(n-2)/2 like networkx; "
	                "sampled sources (scaled) above betweenness_exact_max"),
	    ok);
	put(o, "attack_curves",
	    json_string("element k: largest component / R_core vertices after "
	                "removing the top k% (degree, betweenness: ranked once, "
	                "not adaptive) or a random k% (mean of random_runs)"),
	    ok);
	put(o, "cut_off",
	    json_string("vertices separated from the largest remaining piece of "
	                "its component when the articulation point is removed"),
	    ok);
	put(o, "sole_advertisers",
	    json_string("public vertices that are the only neighbour of "
	                "some vertex"),
	    ok);
	put(o, "largest_block_vertex_connectivity",
	    json_string("vertex connectivity of the largest biconnected block of R (leaves and "
	                "islands hanging off one node make R_core's trivially 1)"),
	    ok);
	put(o, "strong_vertex_connectivity",
	    json_string("vertex connectivity of R_core keeping "
	                "only strong edges (0 if that is "
	                "disconnected)"),
	    ok);
	put(o, "by_prefix",
	    json_string("public vertices counted once, by their first point's "
	                "prefix; nakamoto = fewest prefixes holding > 50%, hhi = "
	                "sum of squared percentage shares"),
	    ok);
	put(o, "by_asn",
	    json_string("public vertices counted once, by the AS (by_country: country; "
	                "by_provider: provider table entry, else other) of their first point in "
	                "the location database; not located: the group unknown"),
	    ok);
	put(o, "as_level",
	    json_string("vertices: the ASes of R_core's located nodes; edge: a node of one is "
	                "adjacent in R_core to a node of the other"),
	    ok);
	return o;
}

/* ---- report.json ------------------------------------------------------------ */

enum err analysis_report(struct analysis *an, const struct previous *prev)
{
	bool ok = true;
	json_t *r = json_object();
	if (!r)
		return ERR_NOMEM;
	an->report = r;
	put(r, "schema_version", json_integer(REPORT_SCHEMA_VERSION), &ok);
	json_t *az = json_object();
	if (az) {
		put(az, "version", json_string(ANALYZER_VERSION), &ok);
		put(az, "seed", json_integer((json_int_t)an->opts.seed), &ok);
		put(az, "anonymized", json_boolean(an->opts.anon != NULL), &ok);
	}
	put(r, "analyzer", az, &ok);
	put(r, "crawl", sec_crawl(an->crawl, &ok), &ok);
	put(r, "counts", sec_counts(an, &ok), &ok);
	put(r, "versions", sec_versions(an, &ok), &ok);
	put(r, "releases", releases_json(an, &ok), &ok); /* analyzer/releases.c */
	put(r, "metadata", sec_metadata(an, &ok), &ok);
	put(r, "heads", sec_heads(an, &ok), &ok);
	json_t *g = sec_graph(an, &ok); /* sections_graph.c */
	put(r, "graph", g, &ok);
	json_t *conc = sec_concentration(an, &ok);
	put(r, "concentration", conc, &ok);
	double tl = clock_mono_s();
	if (an->opts.loc && g && conc) {
		put(r, "location", locfig_meta_json(an, &ok), &ok);
		put(conc, "by_asn", locfig_by_asn_json(an, &ok), &ok);
		put(conc, "by_country", locfig_by_country_json(an, &ok), &ok);
		put(conc, "by_provider", locfig_by_provider_json(an, &ok), &ok);
		put(g, "as_level", locfig_as_level_json(an, &ok), &ok);
		json_t *ac = json_object_get(json_object_get(g, "core"), "attack_curves");
		if (ac)
			put(ac, "by_asn", locfig_attack_json(an, &ok), &ok);
	} else {
		put(r, "location", json_null(), &ok);
	}
	an->location_s += clock_mono_s() - tl;
	put(r, "nat", nat_report(an, &ok), &ok);
	put(r, "trend", sec_trend(an, prev, &ok), &ok);
	struct completeness cmp;
	enum err e = completeness_compute(an, &cmp);
	if (e != ERR_OK)
		return e;
	put(r, "completeness", completeness_json(&cmp, &ok), &ok);
	put(r, "definitions", sec_definitions(&ok), &ok);
	return ok ? ERR_OK : ERR_NOMEM;
}
