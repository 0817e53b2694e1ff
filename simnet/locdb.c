/*
 * locdb — the simulated world's locations, and its libloc database.
 *
 * The database is written with libloc's own writer (the format IPFire
 * publishes), unsigned: tzcensus-analyze opens it like the real one and
 * never checks a signature (the analyzer trusts the file it is given).
 */
#include "simnet/locdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libloc/as.h>
#include <libloc/format.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <libloc/writer.h>

#include "core/rng.h"
#include "net/point.h"

#define LOC_STREAM 0x10ca7e5ull /* forks the location draws off the world seed */

struct addr_ref {
	uint8_t addr[16];
	uint32_t node;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct addr_ref *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);
	return c ? c : (x->node > y->node) - (x->node < y->node);
}

/* Every node point's address with its node, sorted by address then node. */
static struct addr_ref *addresses(const struct world *w, size_t *n_out)
{
	struct addr_ref *v = malloc((2 * w->node_n + 1) * sizeof *v);
	if (!v)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < w->node_n; i++)
		for (unsigned k = 0; k < w->nodes[i].pt_n; k++) {
			memcpy(v[n].addr, w->points[w->nodes[i].pt[k]].pt.addr, 16);
			v[n++].node = (uint32_t)i;
		}
	qsort(v, n, sizeof *v, cmp_ref);
	*n_out = n;
	return v;
}

static uint32_t find_root(uint32_t *root, uint32_t x)
{
	while (root[x] != x) {
		root[x] = root[root[x]];
		x = root[x];
	}
	return x;
}

enum err locdb_assign(const struct world *w, const struct sim_config *c, int32_t *as_of)
{
	for (size_t i = 0; i < w->node_n; i++)
		as_of[i] = -1;
	if (!c->as_n)
		return ERR_OK;
	double total = c->unlocated;
	for (size_t a = 0; a < c->as_n; a++)
		total += c->as[a].weight;
	int32_t *draw = malloc((w->node_n + 1) * sizeof *draw);
	size_t n = 0;
	struct addr_ref *v = addresses(w, &n);
	if (!draw || !v) {
		free(draw);
		free(v);
		return ERR_NOMEM;
	}
	struct rng r;
	rng_seed(&r, w->seed ^ LOC_STREAM);
	for (size_t i = 0; i < w->node_n; i++) {
		double x = rng_unit(&r) * total;
		draw[i] = -1;
		for (size_t a = 0; a < c->as_n; a++) {
			if (x < c->as[a].weight) {
				draw[i] = (int32_t)a;
				break;
			}
			x -= c->as[a].weight;
		}
	}
	/* Nodes linked by a shared address (a multihomed node's second point can
	 * be [::1], shared by every IPv6 node) form one group: union-find with
	 * the lowest node as the root, whose draw the whole group takes. */
	uint32_t *root = malloc((w->node_n + 1) * sizeof *root);
	if (!root) {
		free(draw);
		free(v);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < w->node_n; i++)
		root[i] = (uint32_t)i;
	for (size_t i = 1; i < n; i++) {
		if (memcmp(v[i - 1].addr, v[i].addr, 16))
			continue;
		uint32_t a = find_root(root, v[i - 1].node), b = find_root(root, v[i].node);
		if (a < b)
			root[b] = a;
		else
			root[a] = b;
	}
	for (size_t i = 0; i < w->node_n; i++)
		as_of[i] = draw[find_root(root, (uint32_t)i)];
	free(root);
	free(draw);
	free(v);
	return ERR_OK;
}

/* "127.20.0.5/32" or "::1/128" for an address of the world. */
static void network_text(const uint8_t addr[16], char *out, size_t cap)
{
	struct point p;
	memset(&p, 0, sizeof p);
	memcpy(p.addr, addr, 16);
	char a[POINT_FMT_CAP];
	point_format_addr(&p, a, sizeof a);
	bool v4 = !memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
	snprintf(out, cap, "%s/%d", a, v4 ? 32 : 128);
}

enum err locdb_write(const struct world *w, const struct sim_config *c, const char *path,
                     char *err, size_t err_cap)
{
	if (!c->as_n) {
		snprintf(err, err_cap,
		         "--location-db: the config has no locations (locations.as.<number>, see "
		         "config/simnet.yaml)");
		return ERR_CONFIG;
	}
	enum err e = ERR_NOMEM;
	struct loc_ctx *ctx = NULL;
	struct loc_writer *wr = NULL;
	FILE *f = NULL;
	size_t n = 0;
	struct addr_ref *v = addresses(w, &n);
	int32_t *as_of = malloc((w->node_n + 1) * sizeof *as_of);
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!v || !as_of || locdb_assign(w, c, as_of) != ERR_OK)
		goto out;
	if (loc_new(&ctx) < 0 || loc_writer_new(ctx, &wr, NULL, NULL) < 0)
		goto libloc;
	if (loc_writer_set_vendor(wr, "tzcensus-simnet") < 0 ||
	    loc_writer_set_description(wr, "the simulated world's ASes and countries") < 0 ||
	    loc_writer_set_license(wr, "CC0") < 0)
		goto libloc;
	for (size_t a = 0; a < c->as_n; a++) {
		struct loc_as *as = NULL;
		if (loc_writer_add_as(wr, &as, c->as[a].asn) < 0)
			goto libloc;
		int r = loc_as_set_name(as, c->as[a].name);
		loc_as_unref(as);
		if (r < 0)
			goto libloc;
	}
	/* No country table (names, continents): lookups read the code on each
	 * network, and libloc 0.9.16's writer never frees the countries added to
	 * it (found by ASan). */
	for (size_t i = 0; i < n; i++) {
		if (i && !memcmp(v[i - 1].addr, v[i].addr, 16))
			continue; /* one network per address: its lowest node's */
		int32_t a = as_of[v[i].node];
		if (a < 0)
			continue;
		char text[80];
		network_text(v[i].addr, text, sizeof text);
		struct loc_network *net = NULL;
		if (loc_writer_add_network(wr, &net, text) < 0)
			goto libloc;
		int r1 = loc_network_set_asn(net, c->as[a].asn);
		int r2 = loc_network_set_country_code(net, c->as[a].country);
		loc_network_unref(net);
		if (r1 < 0 || r2 < 0)
			goto libloc;
	}
	if (!(f = fopen(tmp, "wb"))) {
		snprintf(err, err_cap, "%s: %s", tmp, strerror(errno));
		e = ERR_IO;
		goto out;
	}
	if (loc_writer_write(wr, f, LOC_DATABASE_VERSION_UNSET) < 0) {
		snprintf(err, err_cap, "%s: libloc could not write the database", tmp);
		e = ERR_IO;
		goto out;
	}
	int rc = fclose(f);
	f = NULL;
	if (rc != 0 || rename(tmp, path) != 0) {
		snprintf(err, err_cap, "%s: %s", path, strerror(errno));
		e = ERR_IO;
		goto out;
	}
	e = ERR_OK;
	goto out;
libloc:
	snprintf(err, err_cap, "location database: libloc refused the world's data (%s)",
	         strerror(errno));
	e = ERR_IO;
out:
	if (f) {
		fclose(f);
		remove(tmp);
	}
	if (wr)
		loc_writer_unref(wr);
	if (ctx)
		loc_unref(ctx);
	free(v);
	free(as_of);
	return e;
}
