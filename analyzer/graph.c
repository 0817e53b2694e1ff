/*
 * graph — the igraph bridge. Each wrapper builds an igraph_t from the
 * ugraph, calls one igraph routine, copies the answer out and destroys every
 * igraph object on every path.
 */
#include "analyzer/graph.h"

#include <igraph.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static char last_error[512];
static bool inited;

static void on_error(const char *reason, const char *file, int line, igraph_error_t err)
{
	snprintf(last_error, sizeof last_error, "igraph: %s%s%s (%s:%d)", igraph_strerror(err),
	         reason && *reason ? ": " : "", reason ? reason : "", file, line);
	IGRAPH_FINALLY_FREE();
}

static void on_warning(const char *reason, const char *file, int line)
{
	log_warn("igraph warning: %s (%s:%d)", reason, file, line);
}

void graph_init(void)
{
	if (inited)
		return;
	igraph_set_error_handler(on_error);
	igraph_set_warning_handler(on_warning);
	igraph_set_attribute_table(&igraph_cattribute_table);
	inited = true;
}

const char *graph_last_error(void)
{
	return last_error;
}

static enum err fail(igraph_error_t rc)
{
	if (!last_error[0])
		snprintf(last_error, sizeof last_error, "igraph: %s", igraph_strerror(rc));
	log_error("%s", last_error);
	return rc == IGRAPH_ENOMEM ? ERR_NOMEM : ERR_STATE;
}

static enum err to_igraph(const struct ugraph *g, igraph_t *ig)
{
	graph_init();
	last_error[0] = 0;
	igraph_vector_int_t ev;
	igraph_error_t rc = igraph_vector_int_init(&ev, (igraph_integer_t)(2 * g->m));
	if (rc != IGRAPH_SUCCESS)
		return fail(rc);
	for (size_t i = 0; i < g->m; i++) {
		VECTOR(ev)[2 * i] = g->eu[i];
		VECTOR(ev)[2 * i + 1] = g->ev[i];
	}
	rc = igraph_create(ig, &ev, (igraph_integer_t)g->n, IGRAPH_UNDIRECTED);
	igraph_vector_int_destroy(&ev);
	return rc == IGRAPH_SUCCESS ? ERR_OK : fail(rc);
}

enum err graph_components(const struct ugraph *g, struct graph_comps *c)
{
	memset(c, 0, sizeof *c);
	igraph_t ig;
	enum err e = to_igraph(g, &ig);
	if (e != ERR_OK)
		return e;
	igraph_vector_int_t memb, csize;
	igraph_integer_t no = 0;
	igraph_error_t rc = igraph_vector_int_init(&memb, 0);
	if (rc != IGRAPH_SUCCESS) {
		igraph_destroy(&ig);
		return fail(rc);
	}
	rc = igraph_vector_int_init(&csize, 0);
	if (rc != IGRAPH_SUCCESS) {
		igraph_vector_int_destroy(&memb);
		igraph_destroy(&ig);
		return fail(rc);
	}
	rc = igraph_connected_components(&ig, &memb, &csize, &no, IGRAPH_WEAK);
	if (rc != IGRAPH_SUCCESS) {
		e = fail(rc);
		goto out;
	}
	c->count = (uint32_t)no;
	c->membership = malloc(((size_t)g->n ? g->n : 1) * sizeof *c->membership);
	c->size = malloc(((size_t)no ? (size_t)no : 1) * sizeof *c->size);
	if (!c->membership || !c->size) {
		e = ERR_NOMEM;
		graph_comps_free(c);
		goto out;
	}
	for (uint32_t i = 0; i < g->n; i++)
		c->membership[i] = (uint32_t)VECTOR(memb)[i];
	for (igraph_integer_t i = 0; i < no; i++)
		c->size[i] = (uint32_t)VECTOR(csize)[i];
	/* igraph numbers components in order of their lowest vertex, so the
	 * first largest one is the one with the lowest vertex. */
	c->giant = 0;
	for (uint32_t i = 1; i < c->count; i++)
		if (c->size[i] > c->size[c->giant])
			c->giant = i;
	e = ERR_OK;
out:
	igraph_vector_int_destroy(&memb);
	igraph_vector_int_destroy(&csize);
	igraph_destroy(&ig);
	return e;
}

void graph_comps_free(struct graph_comps *c)
{
	if (!c)
		return;
	free(c->membership);
	free(c->size);
	memset(c, 0, sizeof *c);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/*
 * cut_off from the block-cut tree: nodes are blocks (weight = their non-AP
 * vertices) and articulation points (weight 1), a block joined to each AP it
 * holds. Rooting each tree, an AP's pieces are its child subtrees plus the
 * rest of the component above it.
 */
static enum err block_cut_tree(const struct ugraph *g, const igraph_vector_int_list_t *comps,
                               struct graph_blocks *b)
{
	uint32_t nb = b->blocks_n, na = b->aps_n, nt = nb + na;
	enum err e = ERR_NOMEM;
	uint32_t *apidx = malloc(((size_t)g->n ? g->n : 1) * sizeof *apidx);
	uint64_t *w = calloc(nt ? nt : 1, sizeof *w);
	size_t *first = calloc((size_t)nt + 1, sizeof *first);
	uint32_t *adj = NULL, *parent = NULL, *stack = NULL, *order = NULL;
	uint64_t *sub = NULL, *total = NULL;
	size_t links = 0;
	if (!apidx || !w || !first)
		goto out;
	for (uint32_t i = 0; i < g->n; i++)
		apidx[i] = UINT32_MAX;
	for (uint32_t i = 0; i < na; i++)
		apidx[b->aps[i]] = i;
	for (uint32_t k = 0; k < nb; k++) {
		const igraph_vector_int_t *vs = igraph_vector_int_list_get_ptr(comps, k);
		igraph_integer_t sz = igraph_vector_int_size(vs);
		for (igraph_integer_t j = 0; j < sz; j++) {
			uint32_t x = (uint32_t)VECTOR(*vs)[j];
			if (apidx[x] == UINT32_MAX) {
				w[k]++;
			} else {
				first[k + 1]++;
				first[nb + apidx[x] + 1]++;
				links++;
			}
		}
	}
	for (uint32_t i = 0; i < na; i++)
		w[nb + i] = 1;
	for (uint32_t i = 0; i < nt; i++)
		first[i + 1] += first[i];
	adj = malloc((2 * links + 1) * sizeof *adj);
	size_t *fill = malloc(((size_t)nt + 1) * sizeof *fill);
	if (!adj || !fill) {
		free(fill);
		goto out;
	}
	memcpy(fill, first, ((size_t)nt + 1) * sizeof *fill);
	for (uint32_t k = 0; k < nb; k++) {
		const igraph_vector_int_t *vs = igraph_vector_int_list_get_ptr(comps, k);
		igraph_integer_t sz = igraph_vector_int_size(vs);
		for (igraph_integer_t j = 0; j < sz; j++) {
			uint32_t x = (uint32_t)VECTOR(*vs)[j];
			if (apidx[x] != UINT32_MAX) {
				adj[fill[k]++] = nb + apidx[x];
				adj[fill[nb + apidx[x]]++] = k;
			}
		}
	}
	free(fill);
	parent = malloc((nt ? nt : 1) * sizeof *parent);
	stack = malloc((nt ? nt : 1) * sizeof *stack);
	order = malloc((nt ? nt : 1) * sizeof *order);
	sub = calloc(nt ? nt : 1, sizeof *sub);
	total = calloc(nt ? nt : 1, sizeof *total);
	if (!parent || !stack || !order || !sub || !total)
		goto out;
	for (uint32_t i = 0; i < nt; i++)
		parent[i] = UINT32_MAX - 1; /* unvisited */
	for (uint32_t r = 0; r < nt; r++) {
		if (parent[r] != UINT32_MAX - 1)
			continue;
		/* Iterative DFS: preorder, then sums in reverse preorder. */
		size_t sp = 0, no = 0;
		stack[sp++] = r;
		parent[r] = UINT32_MAX;
		while (sp) {
			uint32_t x = stack[--sp];
			order[no++] = x;
			for (size_t k = first[x]; k < first[x + 1]; k++) {
				uint32_t y = adj[k];
				if (parent[y] == UINT32_MAX - 1) {
					parent[y] = x;
					stack[sp++] = y;
				}
			}
		}
		for (size_t i = no; i-- > 0;) {
			uint32_t x = order[i];
			sub[x] += w[x];
			if (parent[x] != UINT32_MAX)
				sub[parent[x]] += sub[x];
		}
		for (size_t i = 0; i < no; i++)
			total[order[i]] = sub[r];
	}
	for (uint32_t i = 0; i < na; i++) {
		uint32_t t = nb + i;
		uint64_t largest = total[t] - sub[t]; /* the part above */
		for (size_t k = first[t]; k < first[t + 1]; k++) {
			uint32_t y = adj[k];
			if (parent[y] == t && sub[y] > largest)
				largest = sub[y];
		}
		b->cut_off[b->aps[i]] = (uint32_t)(total[t] - 1 - largest);
	}
	e = ERR_OK;
out:
	free(apidx);
	free(w);
	free(first);
	free(adj);
	free(parent);
	free(stack);
	free(order);
	free(sub);
	free(total);
	return e;
}

enum err graph_blocks(const struct ugraph *g, struct graph_blocks *b)
{
	memset(b, 0, sizeof *b);
	igraph_t ig;
	enum err e = to_igraph(g, &ig);
	if (e != ERR_OK)
		return e;
	igraph_vector_int_list_t comps;
	igraph_vector_int_t aps;
	igraph_integer_t no = 0;
	igraph_error_t rc = igraph_vector_int_list_init(&comps, 0);
	if (rc != IGRAPH_SUCCESS) {
		igraph_destroy(&ig);
		return fail(rc);
	}
	rc = igraph_vector_int_init(&aps, 0);
	if (rc != IGRAPH_SUCCESS) {
		igraph_vector_int_list_destroy(&comps);
		igraph_destroy(&ig);
		return fail(rc);
	}
	rc = igraph_biconnected_components(&ig, &no, NULL, NULL, &comps, &aps);
	if (rc != IGRAPH_SUCCESS) {
		e = fail(rc);
		goto out;
	}
	b->blocks_n = (uint32_t)no;
	b->aps_n = (uint32_t)igraph_vector_int_size(&aps);
	b->aps = malloc(((size_t)b->aps_n ? b->aps_n : 1) * sizeof *b->aps);
	b->cut_off = calloc((size_t)g->n ? g->n : 1, sizeof *b->cut_off);
	if (!b->aps || !b->cut_off) {
		e = ERR_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < b->aps_n; i++)
		b->aps[i] = (uint32_t)VECTOR(aps)[i];
	qsort(b->aps, b->aps_n, sizeof *b->aps, cmp_u32);
	igraph_integer_t best = -1;
	for (igraph_integer_t k = 0; k < no; k++) {
		igraph_integer_t sz =
		    igraph_vector_int_size(igraph_vector_int_list_get_ptr(&comps, k));
		if ((uint32_t)sz > b->largest_block) {
			b->largest_block = (uint32_t)sz;
			best = k;
		}
	}
	b->block = malloc(((size_t)b->largest_block + 1) * sizeof *b->block);
	if (!b->block) {
		e = ERR_NOMEM;
		goto out;
	}
	if (best >= 0) {
		const igraph_vector_int_t *vs = igraph_vector_int_list_get_ptr(&comps, best);
		for (uint32_t i = 0; i < b->largest_block; i++)
			b->block[i] = (uint32_t)VECTOR(*vs)[i];
		qsort(b->block, b->largest_block, sizeof *b->block, cmp_u32);
	}
	e = block_cut_tree(g, &comps, b);
out:
	if (e != ERR_OK)
		graph_blocks_free(b);
	igraph_vector_int_list_destroy(&comps);
	igraph_vector_int_destroy(&aps);
	igraph_destroy(&ig);
	return e;
}

void graph_blocks_free(struct graph_blocks *b)
{
	if (!b)
		return;
	free(b->aps);
	free(b->cut_off);
	free(b->block);
	memset(b, 0, sizeof *b);
}

enum err graph_coreness(const struct ugraph *g, uint32_t *core)
{
	igraph_t ig;
	enum err e = to_igraph(g, &ig);
	if (e != ERR_OK)
		return e;
	igraph_vector_int_t c;
	igraph_error_t rc = igraph_vector_int_init(&c, 0);
	if (rc != IGRAPH_SUCCESS) {
		igraph_destroy(&ig);
		return fail(rc);
	}
	rc = igraph_coreness(&ig, &c, IGRAPH_ALL);
	if (rc == IGRAPH_SUCCESS)
		for (uint32_t i = 0; i < g->n; i++)
			core[i] = (uint32_t)VECTOR(c)[i];
	igraph_vector_int_destroy(&c);
	igraph_destroy(&ig);
	return rc == IGRAPH_SUCCESS ? ERR_OK : fail(rc);
}

enum err graph_betweenness(const struct ugraph *g, const uint32_t *sources, uint32_t ns,
                           double *out)
{
	igraph_t ig;
	enum err e = to_igraph(g, &ig);
	if (e != ERR_OK)
		return e;
	igraph_vector_t res;
	igraph_vector_int_t src;
	igraph_error_t rc = igraph_vector_init(&res, 0);
	if (rc != IGRAPH_SUCCESS) {
		igraph_destroy(&ig);
		return fail(rc);
	}
	rc = igraph_vector_int_init(&src, ns);
	if (rc != IGRAPH_SUCCESS) {
		igraph_vector_destroy(&res);
		igraph_destroy(&ig);
		return fail(rc);
	}
	double scale = 1.0;
	if (ns > 0 && sources) {
		for (uint32_t i = 0; i < ns; i++)
			VECTOR(src)[i] = sources[i];
		rc = igraph_betweenness_subset(&ig, &res, igraph_vss_all(), false,
		                               igraph_vss_vector(&src), igraph_vss_all(), NULL);
		/* Sources-only counts each unordered pair once per source end
		 * sampled: scale to the full pair set. */
		scale = (double)g->n / ns;
	} else {
		rc = igraph_betweenness(&ig, &res, igraph_vss_all(), false, NULL);
	}
	if (rc == IGRAPH_SUCCESS)
		for (uint32_t i = 0; i < g->n; i++)
			out[i] = VECTOR(res)[i] * scale;
	igraph_vector_int_destroy(&src);
	igraph_vector_destroy(&res);
	igraph_destroy(&ig);
	return rc == IGRAPH_SUCCESS ? ERR_OK : fail(rc);
}

static igraph_error_t set_attr(igraph_t *ig, const struct graph_attr *a, bool vertex,
                               igraph_integer_t k)
{
	igraph_error_t rc = IGRAPH_SUCCESS;
	for (igraph_integer_t i = 0; i < k && rc == IGRAPH_SUCCESS; i++) {
		switch (a->type) {
		case GA_STRING: {
			const char *s = a->s[i] ? a->s[i] : "";
			rc = vertex ? igraph_cattribute_VAS_set(ig, a->name, i, s)
			            : igraph_cattribute_EAS_set(ig, a->name, i, s);
			break;
		}
		case GA_NUMBER:
			rc = vertex ? igraph_cattribute_VAN_set(ig, a->name, i, a->d[i])
			            : igraph_cattribute_EAN_set(ig, a->name, i, a->d[i]);
			break;
		case GA_BOOL:
			rc = vertex ? igraph_cattribute_VAB_set(ig, a->name, i, a->b[i])
			            : igraph_cattribute_EAB_set(ig, a->name, i, a->b[i]);
			break;
		}
	}
	return rc;
}

enum err graph_write_graphml(const struct ugraph *g, FILE *f, const struct graph_attr *va,
                             size_t va_n, const struct graph_attr *ea, size_t ea_n)
{
	igraph_t ig;
	enum err e = to_igraph(g, &ig);
	if (e != ERR_OK)
		return e;
	igraph_error_t rc = IGRAPH_SUCCESS;
	for (size_t i = 0; i < va_n && rc == IGRAPH_SUCCESS; i++)
		rc = set_attr(&ig, &va[i], true, (igraph_integer_t)g->n);
	for (size_t i = 0; i < ea_n && rc == IGRAPH_SUCCESS; i++)
		rc = set_attr(&ig, &ea[i], false, (igraph_integer_t)g->m);
	if (rc == IGRAPH_SUCCESS)
		rc = igraph_write_graph_graphml(&ig, f, false);
	igraph_destroy(&ig);
	return rc == IGRAPH_SUCCESS ? ERR_OK : fail(rc);
}
