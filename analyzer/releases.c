/*
 * releases — one pass over the RPC answers, one over the public vertices.
 */
#include "analyzer/releases.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/model.h"

struct rel_count {
	const char *release; /* borrowed from the crawl */
	size_t n;
};

static int cmp_release(const void *a, const void *b)
{
	const struct rel_count *x = a, *y = b;
	return strcmp(x->release, y->release);
}

static int cmp_count(const void *a, const void *b)
{
	const struct rel_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->release, y->release);
}

static void set(json_t *o, const char *k, json_t *v, bool *ok)
{
	if (!v || json_object_set_new(o, k, v) != 0)
		*ok = false;
}

json_t *releases_json(const struct analysis *an, bool *ok)
{
	const struct model *mo = &an->mo;
	const struct acrawl *c = an->crawl;
	json_t *o = json_object();
	const char **best = calloc(mo->n ? mo->n : 1, sizeof *best);
	struct rel_count *rc = calloc(mo->n ? mo->n : 1, sizeof *rc);
	if (!o || !best || !rc) {
		free(best);
		free(rc);
		*ok = false;
		return o;
	}
	for (size_t i = 0; c && i < c->rpcs_n; i++) {
		const struct acrawl_rpc *r = &c->rpcs[i];
		if (!r->release)
			continue;
		uint32_t v = model_vertex_of_point(mo, r->point);
		if (v == UINT32_MAX || mo->v[v].cls != VC_PUBLIC)
			continue;
		if (!best[v] || strcmp(r->release, best[v]) < 0)
			best[v] = r->release;
	}
	size_t public_n = 0, known = 0;
	for (uint32_t v = 0; v < mo->n; v++) {
		if (mo->v[v].cls != VC_PUBLIC)
			continue;
		public_n++;
		if (best[v])
			rc[known++] = (struct rel_count){.release = best[v], .n = 1};
	}
	qsort(rc, known, sizeof *rc, cmp_release);
	size_t w = 0;
	for (size_t i = 0; i < known; i++) {
		if (w && strcmp(rc[w - 1].release, rc[i].release) == 0)
			rc[w - 1].n++;
		else
			rc[w++] = rc[i];
	}
	qsort(rc, w, sizeof *rc, cmp_count);
	set(o, "coverage", public_n ? json_real((double)known / (double)public_n) : json_null(), ok);
	set(o, "public_nodes", json_integer((json_int_t)public_n), ok);
	set(o, "known", json_integer((json_int_t)known), ok);
	set(o, "probed", json_boolean(c && c->rpcs_n > 0), ok);
	json_t *top = json_array();
	for (size_t i = 0; top && i < w && i < RELEASES_TOP; i++) {
		json_t *e = json_object();
		if (!e) {
			*ok = false;
			break;
		}
		set(e, "release", json_string(rc[i].release), ok);
		set(e, "nodes", json_integer((json_int_t)rc[i].n), ok);
		set(e, "share", json_real((double)rc[i].n / (double)known), ok);
		if (json_array_append_new(top, e) != 0)
			*ok = false;
	}
	set(o, "top", top, ok);
	free(best);
	free(rc);
	return o;
}
