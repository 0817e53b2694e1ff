/*
 * locfig — location figures. Every ranking breaks ties on the group's key
 * text (strcmp: AS numbers as decimal text, country codes, provider names),
 * like concentration.by_prefix, so the outputs do not depend on vertex
 * numbering. "unknown" (no network in the database) is a group of its own
 * in the concentration figures: a reader sees how much is unlocated rather
 * than shares that silently exclude it; location.coverage says the rest.
 */
#include "analyzer/locfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/analyze.h"
#include "analyzer/ipaddr.h"
#include "analyzer/location.h"

#define UNKNOWN "unknown"
#define OTHER   "other"

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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

enum err locfig_lookup(struct analysis *an)
{
	const struct model *mo = &an->mo;
	an->vloc = calloc((size_t)mo->n + 1, sizeof *an->vloc);
	uint32_t *asns = malloc(((size_t)mo->n + 1) * sizeof *asns);
	if (!an->vloc || !asns) {
		free(asns);
		return ERR_NOMEM;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < mo->n; i++) {
		const struct mvertex *x = &mo->v[i];
		for (uint32_t j = 0; j < x->points_n; j++) {
			struct ipaddr ip;
			if (ipaddr_of_point(mo->points[mo->vpoints[x->first_point + j]], &ip) !=
			    ERR_OK)
				continue;
			location_lookup(an->opts.loc, &ip, &an->vloc[i]);
			break;
		}
		if (an->vloc[i].asn)
			asns[k++] = an->vloc[i].asn;
	}
	qsort(asns, k, sizeof *asns, cmp_u32);
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (!w || asns[w - 1] != asns[i])
			asns[w++] = asns[i];
	an->as_v = asns;
	an->as_n = w;
	an->as_name = calloc(w + 1, sizeof *an->as_name);
	if (!an->as_name)
		return ERR_NOMEM;
	for (size_t i = 0; i < w; i++) {
		char name[LOCATION_NAME_MAX];
		location_as_name(an->opts.loc, asns[i], name, sizeof name);
		if (!(an->as_name[i] = strdup(name)))
			return ERR_NOMEM;
	}
	return ERR_OK;
}

void locfig_free(struct analysis *an)
{
	for (size_t i = 0; an->as_name && i < an->as_n; i++)
		free(an->as_name[i]);
	free(an->as_name);
	free(an->as_v);
	free(an->vloc);
	an->as_name = NULL;
	an->as_v = NULL;
	an->vloc = NULL;
	an->as_n = 0;
}

const char *locfig_as_name(const struct analysis *an, uint32_t asn)
{
	const uint32_t *p = an->as_v ? bsearch(&asn, an->as_v, an->as_n, sizeof asn, cmp_u32) : NULL;
	return p ? an->as_name[p - an->as_v] : "";
}

const char *locfig_provider(const struct analysis *an, uint32_t v)
{
	if (!an->vloc || !an->vloc[v].asn)
		return NULL;
	const char *p = providers_of(&an->opts.loc->prov, an->vloc[v].asn);
	return p ? p : OTHER;
}

/* ---- concentration ---------------------------------------------------------- */

enum dim { BY_ASN, BY_COUNTRY, BY_PROVIDER };

struct by_ctx {
	const struct analysis *an;
	enum dim d;
};

/* The group key of model vertex v along d, into buf. */
static const char *key_of(const struct analysis *an, uint32_t v, enum dim d, char *buf, size_t cap)
{
	const struct location_hit *h = &an->vloc[v];
	switch (d) {
	case BY_ASN:
		if (!h->asn)
			return UNKNOWN;
		snprintf(buf, cap, "%u", h->asn);
		return buf;
	case BY_COUNTRY: return h->country[0] ? h->country : UNKNOWN;
	case BY_PROVIDER: {
		const char *p = locfig_provider(an, v);
		return p ? p : UNKNOWN;
	}
	}
	return UNKNOWN;
}

/* A top row's label along d: {asn, name}, {country} or {provider}. */
static void by_label(json_t *x, const char *key, const void *ctx, bool *ok)
{
	const struct by_ctx *bc = ctx;
	bool unk = !strcmp(key, UNKNOWN);
	switch (bc->d) {
	case BY_ASN: {
		uint32_t asn = unk ? 0 : (uint32_t)strtoul(key, NULL, 10);
		put(x, "asn", unk ? json_null() : json_integer(asn), ok);
		put(x, "name", json_string(unk ? UNKNOWN : locfig_as_name(bc->an, asn)), ok);
		break;
	}
	case BY_COUNTRY: put(x, "country", json_string(key), ok); break;
	case BY_PROVIDER: put(x, "provider", json_string(key), ok); break;
	}
}

static json_t *by_json(const struct analysis *an, enum dim d, bool *ok)
{
	const struct model *mo = &an->mo;
	json_t *o = NULL;
	char **keys = calloc((size_t)mo->n + 1, sizeof *keys);
	size_t k = 0;
	if (!keys)
		goto fail;
	for (uint32_t v = 0; v < mo->n; v++) {
		if (mo->v[v].cls != VC_PUBLIC)
			continue;
		char buf[24];
		if (!(keys[k] = strdup(key_of(an, v, d, buf, sizeof buf))))
			goto fail;
		k++;
	}
	struct by_ctx bc = {an, d};
	o = concentration_json(keys, k, "groups", LOCFIG_TOP, by_label, &bc, ok);
	goto out;
fail:
	*ok = false;
out:
	for (size_t i = 0; keys && i < k; i++)
		free(keys[i]);
	free(keys);
	return o;
}

json_t *locfig_by_asn_json(const struct analysis *an, bool *ok)
{
	return by_json(an, BY_ASN, ok);
}

json_t *locfig_by_country_json(const struct analysis *an, bool *ok)
{
	return by_json(an, BY_COUNTRY, ok);
}

json_t *locfig_by_provider_json(const struct analysis *an, bool *ok)
{
	return by_json(an, BY_PROVIDER, ok);
}

json_t *locfig_meta_json(const struct analysis *an, bool *ok)
{
	const struct location *l = an->opts.loc;
	json_t *o = json_object();
	if (!o)
		return NULL;
	char created[32] = "";
	struct tm tm;
	if (gmtime_r(&l->created, &tm))
		strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	size_t pub = 0, located = 0, country = 0;
	for (uint32_t v = 0; v < an->mo.n; v++) {
		if (an->mo.v[v].cls != VC_PUBLIC)
			continue;
		pub++;
		located += an->vloc[v].asn != 0;
		country += an->vloc[v].country[0] != 0;
	}
	put(o, "vendor", json_string(l->vendor), ok);
	put(o, "created", json_string(created), ok);
	put(o, "coverage", json_real(pub ? (double)located / (double)pub : 0), ok);
	put(o, "public_nodes", json_integer((json_int_t)pub), ok);
	put(o, "located", json_integer((json_int_t)located), ok);
	put(o, "with_country", json_integer((json_int_t)country), ok);
	put(o, "providers", json_integer((json_int_t)l->prov.n), ok);
	return o;
}

/* ---- the AS-level graph ------------------------------------------------------ */

/* Index of the AS of core vertex i among an->as_v, or UINT32_MAX when unlocated. */
static uint32_t core_as(const struct analysis *an, uint32_t i)
{
	uint32_t asn = an->vloc[an->c_map[i]].asn;
	if (!asn)
		return UINT32_MAX;
	const uint32_t *p = bsearch(&asn, an->as_v, an->as_n, sizeof asn, cmp_u32);
	return (uint32_t)(p - an->as_v);
}

json_t *locfig_as_level_json(const struct analysis *an, bool *ok)
{
	const struct ugraph *c = &an->c;
	json_t *o = json_object();
	uint32_t *idx = malloc(((size_t)an->as_n + 1) * sizeof *idx); /* AS -> vertex */
	uint32_t *asn_of = malloc(((size_t)an->as_n + 1) * sizeof *asn_of);
	uint32_t *eu = malloc((c->m + 1) * sizeof *eu), *ev = malloc((c->m + 1) * sizeof *ev);
	struct ugraph g;
	memset(&g, 0, sizeof g);
	struct vconn_result vr;
	memset(&vr, 0, sizeof vr);
	if (!o || !idx || !asn_of || !eu || !ev)
		goto fail;
	for (size_t a = 0; a < an->as_n; a++)
		idx[a] = UINT32_MAX;
	uint32_t unlocated = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		uint32_t a = core_as(an, i);
		if (a == UINT32_MAX)
			unlocated++;
		else
			idx[a] = 0;
	}
	uint32_t nv = 0; /* vertices numbered by increasing AS number */
	for (size_t a = 0; a < an->as_n; a++)
		if (idx[a] != UINT32_MAX) {
			asn_of[nv] = an->as_v[a];
			idx[a] = nv++;
		}
	size_t k = 0;
	for (size_t e = 0; e < c->m; e++) {
		uint32_t a = core_as(an, c->eu[e]), b = core_as(an, c->ev[e]);
		if (a == UINT32_MAX || b == UINT32_MAX || a == b)
			continue;
		eu[k] = idx[a];
		ev[k++] = idx[b];
	}
	if (ugraph_build(&g, nv, eu, ev, k) != ERR_OK || vconn_compute(&g, &vr) != ERR_OK)
		goto fail;
	put(o, "vertices", json_integer(g.n), ok);
	put(o, "edges", json_integer((json_int_t)g.m), ok);
	put(o, "vertex_connectivity", json_integer(vr.kappa), ok);
	json_t *cut = json_array();
	for (uint32_t i = 0; cut && i < vr.cut_n; i++)
		push(cut, json_integer(asn_of[vr.cut[i]]), ok);
	put(o, "min_vertex_cut", cut, ok);
	put(o, "unlocated_nodes", json_integer(unlocated), ok);
	goto out;
fail:
	*ok = false;
out:
	vconn_result_free(&vr);
	ugraph_free(&g);
	free(idx);
	free(asn_of);
	free(eu);
	free(ev);
	return o;
}

struct asrank {
	uint32_t asn, n;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct asrank *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (x->asn > y->asn) - (x->asn < y->asn);
}

/*
 * Whole ASes removed, most R_core nodes first (ties: lower AS number):
 * vertices are ordered AS by AS, unlocated ones last (never removed), and
 * one union-find pass (attack_giant) gives the giant component after every
 * prefix; the curve samples it at AS boundaries.
 */
json_t *locfig_attack_json(const struct analysis *an, bool *ok)
{
	const struct ugraph *c = &an->c;
	json_t *o = json_object();
	struct asrank *rk = calloc((size_t)an->as_n + 1, sizeof *rk);
	uint32_t *start = calloc((size_t)an->as_n + 2, sizeof *start);
	uint32_t *order = malloc(((size_t)c->n + 1) * sizeof *order);
	uint32_t *giant = malloc(((size_t)c->n + 1) * sizeof *giant);
	uint32_t *pos = calloc((size_t)an->as_n + 1, sizeof *pos);
	if (!o || !rk || !start || !order || !giant || !pos)
		goto fail;
	for (size_t a = 0; a < an->as_n; a++)
		rk[a].asn = an->as_v[a];
	for (uint32_t i = 0; i < c->n; i++) {
		uint32_t a = core_as(an, i);
		if (a != UINT32_MAX)
			rk[a].n++;
	}
	qsort(rk, an->as_n, sizeof *rk, cmp_rank);
	size_t m = 0; /* ASes with R_core nodes */
	while (m < an->as_n && rk[m].n)
		m++;
	/* slot of each AS (by as_v index) in the removal order */
	for (size_t r = 0; r < m; r++) {
		const uint32_t *p = bsearch(&rk[r].asn, an->as_v, an->as_n, sizeof rk[r].asn, cmp_u32);
		pos[p - an->as_v] = (uint32_t)r;
		start[r + 1] = start[r] + rk[r].n;
	}
	uint32_t *fill = calloc(m + 1, sizeof *fill);
	if (!fill)
		goto fail;
	uint32_t tail = start[m];
	for (uint32_t i = 0; i < c->n; i++) {
		uint32_t a = core_as(an, i);
		if (a == UINT32_MAX) {
			order[tail++] = i;
		} else {
			uint32_t r = pos[a];
			order[start[r] + fill[r]++] = i;
		}
	}
	free(fill);
	if (attack_giant(c, order, giant) != ERR_OK)
		goto fail;
	json_t *curve = json_array(), *removed = json_array();
	json_int_t half = -1;
	for (size_t r = 0; curve && r <= m; r++) {
		double f = c->n ? (double)giant[start[r]] / c->n : 0;
		push(curve, json_real(f), ok);
		if (half < 0 && c->n && 2 * (uint64_t)giant[start[r]] < c->n)
			half = (json_int_t)r;
	}
	for (size_t r = 0; removed && r < m; r++)
		push(removed, json_integer(rk[r].asn), ok);
	put(o, "order", removed, ok);
	put(o, "giant", curve, ok);
	put(o, "ases_to_half", half >= 0 ? json_integer(half) : json_null(), ok);
	put(o, "x", json_string("ASes removed, most R_core nodes first"), ok);
	put(o, "y", json_string("largest component / R_core vertices"), ok);
	goto out;
fail:
	*ok = false;
out:
	free(rk);
	free(start);
	free(order);
	free(giant);
	free(pos);
	return o;
}
