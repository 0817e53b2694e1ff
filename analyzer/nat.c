/*
 * nat — the NAT diagnostics of one crawl. Every figure is a count over the
 * model's points and the crawl's visits and lists; the "top" lists are
 * sorted by count, then by display id or address, so the output is stable.
 */
#include "analyzer/nat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyze.h"

const char *nat_range_str(enum nat_range r)
{
	switch (r) {
	case NR_NONE: return "none";
	case NR_PRIVATE: return "private";
	case NR_DOCKER: return "docker_bridge";
	case NR_CGNAT: return "cgnat";
	case NR_LINK_LOCAL: return "link_local";
	case NR_LOOPBACK: return "loopback";
	}
	return "?";
}

enum nat_range nat_range_of(const struct ipaddr *ip)
{
	const uint8_t *a = ip->a;
	if (ip->v4) {
		if (a[0] == 10 || (a[0] == 192 && a[1] == 168))
			return NR_PRIVATE;
		if (a[0] == 172 && a[1] == 17)
			return NR_DOCKER;
		if (a[0] == 172 && (a[1] & 0xf0) == 16)
			return NR_PRIVATE;
		if (a[0] == 100 && (a[1] & 0xc0) == 64)
			return NR_CGNAT;
		if (a[0] == 169 && a[1] == 254)
			return NR_LINK_LOCAL;
		if (a[0] == 127)
			return NR_LOOPBACK;
		return NR_NONE;
	}
	static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	if ((a[0] & 0xfe) == 0xfc)
		return NR_PRIVATE;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return NR_LINK_LOCAL;
	if (!memcmp(a, lo6, 16))
		return NR_LOOPBACK;
	return NR_NONE;
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

static int cmp_str(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

/* Index of a point text in the model, or UINT32_MAX. */
static uint32_t point_index(const struct model *mo, const char *text)
{
	const char **p = bsearch(text, mo->points, mo->points_n, sizeof *mo->points, cmp_str);
	return p ? (uint32_t)(p - mo->points) : UINT32_MAX;
}

static bool range_of_text(const char *text, enum nat_range *r)
{
	struct ipaddr ip;
	if (ipaddr_of_point(text, &ip) != ERR_OK)
		return false;
	*r = nat_range_of(&ip);
	return true;
}

static const char *text_port(const char *point)
{
	const char *c = strrchr(point, ':');
	return c ? c + 1 : "";
}

/* ---- private_advertisers -------------------------------------------------- */

struct advp {
	uint32_t v;  /* advertiser vertex */
	uint8_t r;   /* enum nat_range */
	uint32_t to; /* advertised point index */
};

static int cmp_advp(const void *a, const void *b)
{
	const struct advp *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

static int cmp_rto(const void *a, const void *b)
{
	const struct advp *x = a, *y = b;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

struct vcount {
	uint32_t v;
	size_t n;
	size_t per[NR_N];
};

static int cmp_vcount(const void *a, const void *b)
{
	const struct vcount *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

static void vertex_point(const struct analysis *an, uint32_t v, char *out, size_t cap)
{
	const struct model *mo = &an->mo;
	const struct mvertex *x = &mo->v[v];
	const char *pt = x->points_n ? mo->points[mo->vpoints[x->first_point]] : x->id;
	if (an->opts.anon)
		an->opts.anon(pt, out, cap);
	else
		snprintf(out, cap, "%s", pt);
}

static json_t *node_entry(const struct analysis *an, uint32_t v, bool *ok)
{
	json_t *x = json_object();
	char pt[160];
	if (!x) {
		*ok = false;
		return NULL;
	}
	vertex_point(an, v, pt, sizeof pt);
	put(x, "id", json_string(an->disp[v]), ok);
	put(x, "point", json_string(pt), ok);
	return x;
}

/*
 * A point counts for an advertiser when its range is not the advertiser's
 * own: a crawl from inside a private network (or simnet, all on loopback)
 * reaches nodes whose neighbours share their range, which says nothing of NAT.
 */
static json_t *private_advertisers(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	const struct acrawl *c = an->crawl;
	struct advp *e = malloc((c->advs_n ? c->advs_n : 1) * sizeof *e);
	struct advp *byr = NULL;
	struct vcount *vc = NULL;
	json_t *o = json_object();
	size_t n = 0, vn = 0;
	if (!e || !o)
		goto nomem;
	for (size_t i = 0; i < c->advs_n; i++) {
		const struct acrawl_adv *a = &c->advs[i];
		enum nat_range rt, rf;
		if (!range_of_text(a->to, &rt) || rt == NR_NONE)
			continue;
		if (range_of_text(a->from, &rf) && rf == rt)
			continue;
		uint32_t pf = point_index(mo, a->from), pt = point_index(mo, a->to);
		if (pf == UINT32_MAX || pt == UINT32_MAX || mo->point_cls[pf] != PC_PUBLIC)
			continue;
		e[n++] = (struct advp){.v = mo->point_vertex[pf], .r = (uint8_t)rt, .to = pt};
	}
	qsort(e, n, sizeof *e, cmp_advp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || cmp_advp(&e[u - 1], &e[i]) != 0)
			e[u++] = e[i];
	n = u;
	/* per advertiser */
	vc = calloc(n ? n : 1, sizeof *vc);
	if (!vc)
		goto nomem;
	size_t nodes_per[NR_N] = {0};
	for (size_t i = 0; i < n; i++) {
		if (vn == 0 || vc[vn - 1].v != e[i].v)
			vc[vn++].v = e[i].v;
		struct vcount *x = &vc[vn - 1];
		if (x->per[e[i].r]++ == 0)
			nodes_per[e[i].r]++;
		x->n++;
	}
	/* distinct points per range, whoever listed them */
	byr = malloc((n ? n : 1) * sizeof *byr);
	if (!byr)
		goto nomem;
	memcpy(byr, e, n * sizeof *e);
	qsort(byr, n, sizeof *byr, cmp_rto);
	size_t points_per[NR_N] = {0}, points = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_rto(&byr[i - 1], &byr[i]) != 0) {
			points_per[byr[i].r]++;
			points++;
		}
	put(o, "nodes", json_integer((json_int_t)vn), ok);
	put(o, "points", json_integer((json_int_t)points), ok);
	json_t *br = json_object();
	for (int r = NR_PRIVATE; br && r < NR_N; r++) {
		json_t *x = json_object();
		if (x) {
			put(x, "nodes", json_integer((json_int_t)nodes_per[r]), ok);
			put(x, "points", json_integer((json_int_t)points_per[r]), ok);
		}
		put(br, nat_range_str((enum nat_range)r), x, ok);
	}
	put(o, "by_range", br, ok);
	qsort(vc, vn, sizeof *vc, cmp_vcount);
	json_t *top = json_array();
	for (size_t i = 0; top && i < vn && i < NAT_TOP_MAX; i++) {
		json_t *x = node_entry(an, vc[i].v, ok);
		json_t *rs = json_object();
		for (int r = NR_PRIVATE; rs && r < NR_N; r++)
			if (vc[i].per[r])
				put(rs, nat_range_str((enum nat_range)r),
				    json_integer((json_int_t)vc[i].per[r]), ok);
		if (x) {
			put(x, "points", json_integer((json_int_t)vc[i].n), ok);
			put(x, "ranges", rs, ok);
		} else
			json_decref(rs);
		push(top, x, ok);
	}
	put(o, "top", top, ok);
	free(e);
	free(byr);
	free(vc);
	return o;
nomem:
	*ok = false;
	free(e);
	free(byr);
	free(vc);
	json_decref(o);
	return NULL;
}

/* ---- port_mismatch -------------------------------------------------------- */

struct mism {
	uint32_t v, p; /* vertex, point index */
	int announced;
};

static int cmp_mism(const void *a, const void *b)
{
	const struct mism *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return (x->p > y->p) - (x->p < y->p);
}

/* Per public point, the announced port of its last visit that carried one. */
static json_t *port_mismatch(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	const struct acrawl *c = an->crawl;
	int *ann = malloc((mo->points_n ? mo->points_n : 1) * sizeof *ann);
	struct mism *m = NULL;
	json_t *o = json_object();
	if (!ann || !o)
		goto nomem;
	for (uint32_t p = 0; p < mo->points_n; p++)
		ann[p] = -1;
	for (size_t i = 0; i < c->visits_n; i++) {
		const struct acrawl_visit *v = &c->visits[i];
		if (v->advertised_port < 0)
			continue;
		uint32_t p = point_index(mo, v->point);
		if (p != UINT32_MAX && mo->point_cls[p] == PC_PUBLIC)
			ann[p] = v->advertised_port;
	}
	m = malloc((mo->points_n ? mo->points_n : 1) * sizeof *m);
	if (!m)
		goto nomem;
	size_t checked = 0, zero = 0, n = 0;
	for (uint32_t p = 0; p < mo->points_n; p++) {
		if (ann[p] < 0)
			continue;
		checked++;
		char said[16];
		snprintf(said, sizeof said, "%d", ann[p]);
		if (ann[p] == 0)
			zero++;
		else if (strcmp(said, text_port(mo->points[p])) != 0)
			m[n++] =
			    (struct mism){.v = mo->point_vertex[p], .p = p, .announced = ann[p]};
	}
	qsort(m, n, sizeof *m, cmp_mism);
	size_t nodes = 0;
	for (size_t i = 0; i < n; i++)
		nodes += i == 0 || m[i - 1].v != m[i].v;
	put(o, "nodes", json_integer((json_int_t)nodes), ok);
	put(o, "points", json_integer((json_int_t)n), ok);
	put(o, "checked_points", json_integer((json_int_t)checked), ok);
	put(o, "announce_zero", json_integer((json_int_t)zero), ok);
	json_t *top = json_array();
	for (size_t i = 0; top && i < n && i < NAT_TOP_MAX; i++) {
		json_t *x = json_object();
		char pt[160];
		const char *text = mo->points[m[i].p];
		if (an->opts.anon)
			an->opts.anon(text, pt, sizeof pt);
		else
			snprintf(pt, sizeof pt, "%s", text);
		if (x) {
			put(x, "id", json_string(an->disp[m[i].v]), ok);
			put(x, "point", json_string(pt), ok);
			put(x, "dialed_port", json_integer(strtol(text_port(text), NULL, 10)), ok);
			put(x, "announced_port", json_integer(m[i].announced), ok);
		}
		push(top, x, ok);
	}
	put(o, "top", top, ok);
	free(ann);
	free(m);
	return o;
nomem:
	*ok = false;
	free(ann);
	free(m);
	json_decref(o);
	return NULL;
}

/* ---- shared_addresses ----------------------------------------------------- */

struct addrv {
	char addr[IPADDR_TEXT_MAX];
	uint32_t v;
};

static int cmp_addrv(const void *a, const void *b)
{
	const struct addrv *x = a, *y = b;
	int s = strcmp(x->addr, y->addr);
	return s ? s : (x->v > y->v) - (x->v < y->v);
}

struct shared {
	size_t first, nodes, points;
};

static int cmp_shared(const void *a, const void *b)
{
	const struct shared *x = a, *y = b;
	if (x->nodes != y->nodes)
		return x->nodes > y->nodes ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

/* Addresses of public points at which several public vertices (peer ids) answered. */
static json_t *shared_addresses(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	struct addrv *a = malloc((mo->points_n ? mo->points_n : 1) * sizeof *a);
	struct shared *sh = NULL;
	json_t *o = json_object();
	size_t n = 0, shn = 0;
	if (!a || !o)
		goto nomem;
	for (uint32_t p = 0; p < mo->points_n; p++) {
		struct ipaddr ip;
		if (mo->point_cls[p] != PC_PUBLIC || ipaddr_of_point(mo->points[p], &ip) != ERR_OK)
			continue;
		ipaddr_format(&ip, a[n].addr, sizeof a[n].addr);
		a[n++].v = mo->point_vertex[p];
	}
	qsort(a, n, sizeof *a, cmp_addrv);
	sh = malloc((n ? n : 1) * sizeof *sh);
	if (!sh)
		goto nomem;
	size_t peers = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, nodes = 0;
		for (; j < n && !strcmp(a[j].addr, a[i].addr); j++)
			nodes += j == i || a[j - 1].v != a[j].v;
		if (nodes >= 2) {
			sh[shn++] = (struct shared){.first = i, .nodes = nodes, .points = j - i};
			peers += nodes;
		}
		i = j;
	}
	qsort(sh, shn, sizeof *sh, cmp_shared);
	put(o, "addresses", json_integer((json_int_t)shn), ok);
	put(o, "nodes", json_integer((json_int_t)peers), ok);
	json_t *top = json_array();
	for (size_t i = 0; top && i < shn && i < NAT_TOP_MAX; i++) {
		json_t *x = json_object();
		char addr[160];
		const char *text = a[sh[i].first].addr;
		if (an->opts.anon)
			an->opts.anon(text, addr, sizeof addr);
		else
			snprintf(addr, sizeof addr, "%s", text);
		if (x) {
			put(x, "address", json_string(addr), ok);
			put(x, "nodes", json_integer((json_int_t)sh[i].nodes), ok);
			put(x, "points", json_integer((json_int_t)sh[i].points), ok);
		}
		push(top, x, ok);
	}
	put(o, "top", top, ok);
	free(a);
	free(sh);
	return o;
nomem:
	*ok = false;
	free(a);
	free(sh);
	json_decref(o);
	return NULL;
}

/* ---- unreachable_by_cause ------------------------------------------------- */

enum cause { CAUSE_NONE = 0, CAUSE_REFUSED, CAUSE_TIMEOUT, CAUSE_NO_ROUTE };

static enum cause cause_of(const char *outcome)
{
	if (!strcmp(outcome, "refused"))
		return CAUSE_REFUSED;
	if (!strcmp(outcome, "timeout"))
		return CAUSE_TIMEOUT;
	if (!strcmp(outcome, "unreachable"))
		return CAUSE_NO_ROUTE;
	return CAUSE_NONE;
}

/* Each unreachable point counts once, by its last dial that failed unreachably. */
static json_t *unreachable_by_cause(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	const struct acrawl *c = an->crawl;
	struct last {
		int attempt;
		uint8_t cause;
	} *last = calloc(mo->points_n ? mo->points_n : 1, sizeof *last);
	json_t *o = json_object();
	if (!last || !o) {
		*ok = false;
		free(last);
		json_decref(o);
		return NULL;
	}
	for (size_t i = 0; i < c->visits_n; i++) {
		const struct acrawl_visit *v = &c->visits[i];
		enum cause k = cause_of(v->outcome);
		uint32_t p;
		if (k == CAUSE_NONE || (p = point_index(mo, v->point)) == UINT32_MAX ||
		    mo->point_cls[p] != PC_UNREACHABLE)
			continue;
		if (last[p].cause == CAUSE_NONE || v->attempt >= last[p].attempt)
			last[p] = (struct last){.attempt = v->attempt, .cause = (uint8_t)k};
	}
	size_t by[4] = {0};
	for (uint32_t p = 0; p < mo->points_n; p++)
		if (mo->point_cls[p] == PC_UNREACHABLE)
			by[last[p].cause]++;
	put(o, "points", json_integer((json_int_t)mo->class_points[PC_UNREACHABLE]), ok);
	put(o, "refused", json_integer((json_int_t)by[CAUSE_REFUSED]), ok);
	put(o, "timed_out", json_integer((json_int_t)by[CAUSE_TIMEOUT]), ok);
	put(o, "no_route", json_integer((json_int_t)by[CAUSE_NO_ROUTE]), ok);
	free(last);
	return o;
}

json_t *nat_report(const struct analysis *an, bool *ok)
{
	json_t *o = json_object();
	if (!o) {
		*ok = false;
		return NULL;
	}
	put(o, "private_advertisers", private_advertisers(an, ok), ok);
	put(o, "port_mismatch", port_mismatch(an, ok), ok);
	put(o, "shared_addresses", shared_addresses(an, ok), ok);
	put(o, "unreachable_by_cause", unreachable_by_cause(an, ok), ok);
	return o;
}
