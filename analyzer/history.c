/*
 * history — stability over comparable crawls, and the completeness
 * estimate. See history.h; the methods are argued in docs/methodology.md
 * ("Node history", "Completeness").
 */
#include "analyzer/history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/model.h"
#include "core/buf.h"

void history_free(struct history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		struct hcrawl *c = &h->crawls[i];
		for (size_t j = 0; j < c->nodes_n; j++) {
			free(c->nodes[j].peer_id);
			free(c->nodes[j].chain_name);
			free(c->nodes[j].release);
		}
		free(c->nodes);
		free(c->started_at);
	}
	free(h->crawls);
	memset(h, 0, sizeof *h);
}

static char *dup_or_null(const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

enum err history_add_crawl(struct history *h, int64_t id, const char *started_at)
{
	if (h->n == h->cap) {
		size_t cap = grow_cap(h->cap, h->n + 1, 32, SIZE_MAX);
		struct hcrawl *p = realloc(h->crawls, cap * sizeof *p);
		if (!p)
			return ERR_NOMEM;
		h->crawls = p;
		h->cap = cap;
	}
	bool ok = true;
	struct hcrawl c = {.id = id, .started_at = dup_or_null(started_at, &ok)};
	if (!ok)
		return ERR_NOMEM;
	h->crawls[h->n++] = c;
	return ERR_OK;
}

enum err history_add_node(struct history *h, const char *peer_id, const char *chain_name,
                          int ddb_version, int p2p_version, const char *release)
{
	if (!h->n || !peer_id)
		return ERR_INVAL;
	struct hcrawl *c = &h->crawls[h->n - 1];
	if (c->nodes_n == c->nodes_cap) {
		size_t cap = grow_cap(c->nodes_cap, c->nodes_n + 1, 64, SIZE_MAX);
		struct hnode *p = realloc(c->nodes, cap * sizeof *p);
		if (!p)
			return ERR_NOMEM;
		c->nodes = p;
		c->nodes_cap = cap;
	}
	bool ok = true;
	struct hnode x = {
	    .peer_id = dup_or_null(peer_id, &ok),
	    .chain_name = dup_or_null(chain_name, &ok),
	    .ddb_version = ddb_version,
	    .p2p_version = p2p_version,
	    .release = dup_or_null(release, &ok),
	};
	if (!ok) {
		free(x.peer_id);
		free(x.chain_name);
		free(x.release);
		return ERR_NOMEM;
	}
	c->nodes[c->nodes_n++] = x;
	return ERR_OK;
}

static int cmp_hnode(const void *a, const void *b)
{
	return strcmp(((const struct hnode *)a)->peer_id, ((const struct hnode *)b)->peer_id);
}

void history_finish(struct history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct hcrawl *c = &h->crawls[i];
		/* qsort is not stable: "the first kept" means the first after sorting */
		if (c->nodes_n > 1) /* a crawl without nodes has no array: qsort wants one */
			qsort(c->nodes, c->nodes_n, sizeof *c->nodes, cmp_hnode);
		size_t k = 0;
		for (size_t j = 0; j < c->nodes_n; j++) {
			if (k && !strcmp(c->nodes[k - 1].peer_id, c->nodes[j].peer_id)) {
				free(c->nodes[j].peer_id);
				free(c->nodes[j].chain_name);
				free(c->nodes[j].release);
				continue;
			}
			c->nodes[k++] = c->nodes[j];
		}
		c->nodes_n = k;
	}
}

static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
	if (!v || json_object_set_new(o, k, v))
		*ok = false;
}

static void push(json_t *a, json_t *v, bool *ok)
{
	if (!v || json_array_append_new(a, v))
		*ok = false;
}

static bool has(const struct hcrawl *c, const char *peer_id)
{
	struct hnode key = {.peer_id = (char *)peer_id};
	return c->nodes_n &&
	       bsearch(&key, c->nodes, c->nodes_n, sizeof *c->nodes, cmp_hnode) != NULL;
}

/* Nodes of a not in b. */
static size_t minus(const struct hcrawl *a, const struct hcrawl *b)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nodes_n; i++)
		n += !has(b, a->nodes[i].peer_id);
	return n;
}

/* One crawl's versions: (chain, ddb, p2p, release) -> nodes, sorted by count. */
struct vkey {
	const struct hnode *x;
	size_t n;
};

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b ? 0 : (a ? 1 : -1);
	return strcmp(a, b);
}

static int cmp_version(const void *pa, const void *pb)
{
	const struct hnode *a = *(const struct hnode *const *)pa;
	const struct hnode *b = *(const struct hnode *const *)pb;
	int d = same_str(a->chain_name, b->chain_name);
	if (!d)
		d = (a->ddb_version > b->ddb_version) - (a->ddb_version < b->ddb_version);
	if (!d)
		d = (a->p2p_version > b->p2p_version) - (a->p2p_version < b->p2p_version);
	if (!d)
		d = same_str(a->release, b->release);
	return d;
}

static int cmp_vkey(const void *pa, const void *pb)
{
	const struct vkey *a = pa, *b = pb;
	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return cmp_version(&a->x, &b->x);
}

static json_t *opt_int(int v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *crawl_versions(const struct hcrawl *c, bool *ok)
{
	json_t *a = json_array();
	const struct hnode **p = calloc(c->nodes_n ? c->nodes_n : 1, sizeof *p);
	struct vkey *k = calloc(c->nodes_n ? c->nodes_n : 1, sizeof *k);
	if (!a || !p || !k) {
		*ok = false;
		goto out;
	}
	for (size_t i = 0; i < c->nodes_n; i++)
		p[i] = &c->nodes[i];
	qsort(p, c->nodes_n, sizeof *p, cmp_version);
	size_t kn = 0;
	for (size_t i = 0; i < c->nodes_n; i++) {
		if (kn && !cmp_version(&k[kn - 1].x, &p[i]))
			k[kn - 1].n++;
		else
			k[kn++] = (struct vkey){p[i], 1};
	}
	qsort(k, kn, sizeof *k, cmp_vkey);
	for (size_t i = 0; i < kn; i++) {
		json_t *v = json_object();
		if (!v) {
			*ok = false;
			break;
		}
		put(v, "chain_name", k[i].x->chain_name ? json_string(k[i].x->chain_name) : json_null(),
		    ok);
		put(v, "distributed_db_version", opt_int(k[i].x->ddb_version), ok);
		put(v, "p2p_version", opt_int(k[i].x->p2p_version), ok);
		if (k[i].x->release)
			put(v, "release", json_string(k[i].x->release), ok);
		put(v, "nodes", json_integer((json_int_t)k[i].n), ok);
		push(a, v, ok);
	}
out:
	free(p);
	free(k);
	return a;
}

struct rkey {
	const char *release;
	size_t n;
};

static int cmp_rkey_text(const void *pa, const void *pb)
{
	return strcmp(((const struct rkey *)pa)->release, ((const struct rkey *)pb)->release);
}

static int cmp_rkey(const void *pa, const void *pb)
{
	const struct rkey *a = pa, *b = pb;
	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(a->release, b->release);
}

/* One crawl's releases: [{release, nodes}], most nodes first, then by text. */
static json_t *crawl_releases(const struct hcrawl *c, bool *ok)
{
	json_t *a = json_array();
	struct rkey *k = calloc(c->nodes_n ? c->nodes_n : 1, sizeof *k);
	if (!a || !k) {
		*ok = false;
		free(k);
		return a;
	}
	size_t kn = 0;
	for (size_t i = 0; i < c->nodes_n; i++)
		if (c->nodes[i].release)
			k[kn++] = (struct rkey){c->nodes[i].release, 1};
	qsort(k, kn, sizeof *k, cmp_rkey_text);
	size_t w = 0;
	for (size_t i = 0; i < kn; i++) {
		if (w && !strcmp(k[w - 1].release, k[i].release))
			k[w - 1].n++;
		else
			k[w++] = k[i];
	}
	qsort(k, w, sizeof *k, cmp_rkey);
	for (size_t i = 0; i < w; i++) {
		json_t *v = json_object();
		if (!v) {
			*ok = false;
			break;
		}
		put(v, "release", json_string(k[i].release), ok);
		put(v, "nodes", json_integer((json_int_t)k[i].n), ok);
		push(a, v, ok);
	}
	free(k);
	return a;
}

json_t *history_json(const struct history *h, bool *ok)
{
	json_t *o = json_object();
	if (!o || !h->n) {
		*ok = o != NULL && *ok;
		return o;
	}
	size_t w0 = h->n > HISTORY_WINDOW ? h->n - HISTORY_WINDOW : 0, wn = h->n - w0;
	const struct hcrawl *cur = &h->crawls[h->n - 1];
	put(o, "window", json_integer((json_int_t)wn), ok);

	/* Every node public at least once in the window, with its count. */
	size_t all_n = 0;
	for (size_t i = w0; i < h->n; i++)
		all_n += h->crawls[i].nodes_n;
	const char **ids = calloc(all_n ? all_n : 1, sizeof *ids);
	if (!ids) {
		*ok = false;
		return o;
	}
	size_t k = 0;
	for (size_t i = w0; i < h->n; i++)
		for (size_t j = 0; j < h->crawls[i].nodes_n; j++)
			ids[k++] = h->crawls[i].nodes[j].peer_id;
	/* sort the ids by text: runs of one id = the crawls it was public in */
	struct hnode *tmp = calloc(all_n ? all_n : 1, sizeof *tmp);
	if (!tmp) {
		free(ids);
		*ok = false;
		return o;
	}
	for (size_t i = 0; i < all_n; i++)
		tmp[i].peer_id = (char *)ids[i];
	qsort(tmp, all_n, sizeof *tmp, cmp_hnode);
	size_t nodes = 0, stable = 0, always = 0, stable_now = 0, always_now = 0;
	size_t bins[10] = {0};
	for (size_t i = 0; i < all_n;) {
		size_t j = i;
		while (j < all_n && !strcmp(tmp[j].peer_id, tmp[i].peer_id))
			j++;
		size_t seen = j - i;
		double up = (double)seen / (double)wn;
		bool now = has(cur, tmp[i].peer_id);
		nodes++;
		int b = (int)(up * 10);
		bins[b > 9 ? 9 : b]++;
		if (up >= HISTORY_STABLE) {
			stable++;
			stable_now += now;
		}
		if (seen == wn) {
			always++;
			always_now += now;
		}
		i = j;
	}
	free(tmp);
	free(ids);

	json_t *u = json_object();
	if (u) {
		put(u, "nodes", json_integer((json_int_t)nodes), ok);
		put(u, "stable_nodes", json_integer((json_int_t)stable), ok);
		put(u, "stable_share", json_real(nodes ? (double)stable / (double)nodes : 0), ok);
		put(u, "stable_public_now", json_integer((json_int_t)stable_now), ok);
		json_t *a = json_array();
		for (int b = 0; a && b < 10; b++) {
			json_t *x = json_object();
			if (!x) {
				*ok = false;
				break;
			}
			put(x, "from", json_real(b / 10.0), ok);
			put(x, "to", json_real((b + 1) / 10.0), ok);
			put(x, "nodes", json_integer((json_int_t)bins[b]), ok);
			push(a, x, ok);
		}
		put(u, "distribution", a, ok);
	}
	put(o, "uptime", u, ok);

	json_t *core = json_object();
	if (core) {
		put(core, "nodes", json_integer((json_int_t)always), ok);
		put(core, "share_of_public_now",
		    json_real(cur->nodes_n ? (double)always_now / (double)cur->nodes_n : 0), ok);
	}
	put(o, "core", core, ok);

	json_t *nights = json_array();
	for (size_t i = w0; nights && i < h->n; i++) {
		const struct hcrawl *c = &h->crawls[i];
		json_t *x = json_object();
		if (!x) {
			*ok = false;
			break;
		}
		put(x, "crawl_id", json_integer((json_int_t)c->id), ok);
		put(x, "started_at", c->started_at ? json_string(c->started_at) : json_null(), ok);
		put(x, "public_nodes", json_integer((json_int_t)c->nodes_n), ok);
		if (i > 0) {
			put(x, "new", json_integer((json_int_t)minus(c, &h->crawls[i - 1])), ok);
			put(x, "gone", json_integer((json_int_t)minus(&h->crawls[i - 1], c)), ok);
		} else {
			put(x, "new", json_null(), ok);
			put(x, "gone", json_null(), ok);
		}
		put(x, "versions", crawl_versions(c, ok), ok);
		put(x, "releases", c->probed ? crawl_releases(c, ok) : json_null(), ok);
		push(nights, x, ok);
	}
	put(o, "crawls", nights, ok);
	return o;
}

/* ---- completeness ------------------------------------------------------------------ */

void completeness_chao(size_t observed, size_t occasions, size_t q1, size_t q2,
                       struct completeness *out)
{
	memset(out, 0, sizeof *out);
	out->observed = observed;
	out->occasions = occasions;
	out->q1 = q1;
	out->q2 = q2;
	double s = (double)observed, f1 = (double)q1, f2 = (double)q2;
	double a = occasions ? ((double)occasions - 1) / (double)occasions : 0;
	/* Chao (1987), bias-corrected form (Chao 2005): f0 = a f1 (f1-1) / (2 (f2+1)) */
	double f0 = a * f1 * (f1 - 1) / (2 * (f2 + 1));
	double d = f2 + 1;
	double var = a * f1 * (f1 - 1) / (2 * d) + a * a * f1 * (2 * f1 - 1) * (2 * f1 - 1) / (4 * d * d) +
	             a * a * f1 * f1 * f2 * (f1 - 1) * (f1 - 1) / (4 * d * d * d * d);
	out->estimate = s + f0;
	if (f0 > 0) {
		/* log-normal interval of the unseen part (Chao 1987): never below observed */
		double c = exp(1.96 * sqrt(log(1 + var / (f0 * f0))));
		out->low = s + f0 / c;
		out->high = s + f0 * c;
	} else {
		/* nothing estimated unseen: the interval is [observed, observed + 1.96 sd] */
		out->low = s;
		out->high = s + 1.96 * sqrt(var);
	}
}

struct cap_pair {
	uint32_t node;
	int round;
};

static int cmp_pair(const void *pa, const void *pb)
{
	const struct cap_pair *a = pa, *b = pb;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return (a->round > b->round) - (a->round < b->round);
}

/*
 * Capture histories over the Bootstrap rounds (the occasions): a public node
 * is caught in round r when the random part of some public node's Advertise
 * of round r names one of its points; only advertisers that answered every
 * round count, so that each occasion has the same effort. A node that any
 * list names in a
 * deterministic place (the ranked part of a sampled list, or a list that
 * holds all its sender's candidates) is seen for sure and left out of the
 * model: it is in `observed`, not in q1/q2 (docs/methodology.md,
 * "Completeness").
 */
enum err completeness_compute(const struct analysis *an, struct completeness *out)
{
	const struct model *mo = &an->mo;
	const struct acrawl *c = an->crawl;
	struct cap_pair *p = malloc((c->advs_n ? c->advs_n : 1) * sizeof *p);
	bool *sure = calloc(mo->n ? mo->n : 1, sizeof *sure);
	if (!p || !sure) {
		free(p);
		free(sure);
		return ERR_NOMEM;
	}
	/* the rounds each public advertiser answered (bit r-1), and the last round */
	uint32_t *answered = calloc(mo->n ? mo->n : 1, sizeof *answered);
	if (!answered) {
		free(p);
		free(sure);
		return ERR_NOMEM;
	}
	int rounds = 0;
	for (size_t i = 0; i < c->advs_n; i++) {
		const struct acrawl_adv *a = &c->advs[i];
		if (a->source != ADV_ADVERTISE || a->round < 1 || a->round > 32)
			continue;
		uint32_t u = model_vertex_of_point(mo, a->from);
		if (u == UINT32_MAX)
			continue;
		answered[u] |= 1u << (a->round - 1);
		if (a->round > rounds)
			rounds = a->round;
	}
	uint32_t all = rounds >= 32 ? UINT32_MAX : (1u << rounds) - 1;
	size_t n = 0;
	for (size_t i = 0; i < c->advs_n; i++) {
		const struct acrawl_adv *a = &c->advs[i];
		if (a->source == ADV_FOREIGN_NACK)
			continue;
		uint32_t u = model_vertex_of_point(mo, a->from), v = model_vertex_of_point(mo, a->to);
		if (u == UINT32_MAX || v == UINT32_MAX || u == v || mo->v[u].cls != VC_PUBLIC ||
		    mo->v[v].cls != VC_PUBLIC)
			continue;
		if (model_adv_rank(a->pos, a->list_len) >= 0)
			sure[v] = true;
		else if (a->source == ADV_ADVERTISE && a->round >= 1 && answered[u] == all)
			p[n++] = (struct cap_pair){v, a->round}; /* equal effort: every round */
	}
	free(answered);
	qsort(p, n, sizeof *p, cmp_pair);
	size_t q1 = 0, q2 = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, k = 0;
		for (; j < n && p[j].node == p[i].node; j++)
			k += j == i || p[j].round != p[j - 1].round;
		if (!sure[p[i].node]) {
			q1 += k == 1;
			q2 += k == 2;
		}
		i = j;
	}
	completeness_chao(mo->class_vertices[PC_PUBLIC], (size_t)rounds, q1, q2, out);
	free(p);
	free(sure);
	return ERR_OK;
}

json_t *completeness_json(const struct completeness *c, bool *ok)
{
	json_t *o = json_object();
	if (!o) {
		*ok = false;
		return NULL;
	}
	put(o, "estimate", json_real(c->estimate), ok);
	put(o, "low", json_real(c->low), ok);
	put(o, "high", json_real(c->high), ok);
	put(o, "method", json_string("chao-bootstrap-rounds"), ok);
	put(o, "observed", json_integer((json_int_t)c->observed), ok);
	put(o, "missed", json_real(c->estimate - (double)c->observed), ok);
	put(o, "occasions", json_integer((json_int_t)c->occasions), ok);
	put(o, "caught_once", json_integer((json_int_t)c->q1), ok);
	put(o, "caught_twice", json_integer((json_int_t)c->q2), ok);
	put(o, "confidence", json_real(0.95), ok);
	return o;
}
