/*
 * location — offline lookups in an IPFire location database, and the
 * provider table.
 *
 * libloc keys every network by an IPv6 address: IPv4 addresses are looked
 * up as IPv4-mapped IPv6 (::ffff:a.b.c.d), which is also how an
 * IPv4-mapped point text ("[::ffff:1.2.3.4]:9732") arrives, so both forms
 * give the same answer. Special country codes of the database (A1 anonymous
 * proxy, A2 satellite, A3 anycast, XD/XN...) are kept as they are: they are
 * what the database says.
 */
#include "analyzer/location.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define PROVIDERS_FILE_MAX (1 << 20) /* a provider table is a few kB */

#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>

#include "core/buf.h"

const char *location_default_path(void)
{
	if (access(LOCATION_DB_UPDATED, R_OK) == 0)
		return LOCATION_DB_UPDATED;
	if (access(LOCATION_DB_SNAPSHOT, R_OK) == 0)
		return LOCATION_DB_SNAPSHOT;
	return NULL;
}

enum err location_open(struct location *l, const char *path, char *err, size_t cap)
{
	memset(l, 0, sizeof *l);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, cap, "location database %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (loc_new(&l->ctx) < 0) {
		fclose(f);
		snprintf(err, cap, "location database %s: libloc context failed", path);
		return ERR_NOMEM;
	}
	/* Our messages say what failed; libloc's own stderr lines (LOG_ERR) would repeat it. */
	loc_set_log_priority(l->ctx, 2);
	int r = loc_database_new(l->ctx, &l->db, f);
	fclose(f);
	if (r < 0 || !l->db) {
		snprintf(err, cap, "location database %s: not a libloc database", path);
		location_close(l);
		return ERR_CONFIG;
	}
	const char *v = loc_database_get_vendor(l->db);
	snprintf(l->vendor, sizeof l->vendor, "%s", v ? v : "");
	l->created = loc_database_created_at(l->db);
	return ERR_OK;
}

void location_close(struct location *l)
{
	if (!l)
		return;
	if (l->db)
		loc_database_unref(l->db);
	if (l->ctx)
		loc_unref(l->ctx);
	providers_free(&l->prov);
	memset(l, 0, sizeof *l);
}

void location_lookup(const struct location *l, const struct ipaddr *ip, struct location_hit *out)
{
	memset(out, 0, sizeof *out);
	if (!l || !l->db)
		return;
	struct in6_addr a;
	memset(&a, 0, sizeof a);
	if (ip->v4) {
		a.s6_addr[10] = 0xff;
		a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], ip->a, 4);
	} else {
		memcpy(a.s6_addr, ip->a, 16);
	}
	struct loc_network *n = NULL;
	if (loc_database_lookup(l->db, &a, &n) != 0 || !n)
		return;
	out->asn = loc_network_get_asn(n);
	const char *cc = loc_network_get_country_code(n);
	if (cc && strlen(cc) == 2)
		memcpy(out->country, cc, 3);
	loc_network_unref(n);
}

void location_as_name(const struct location *l, uint32_t asn, char *out, size_t cap)
{
	if (cap)
		out[0] = 0;
	if (!l || !l->db || !asn)
		return;
	struct loc_as *as = NULL;
	if (loc_database_get_as(l->db, &as, asn) != 0 || !as)
		return;
	const char *name = loc_as_get_name(as);
	snprintf(out, cap, "%s", name ? name : "");
	loc_as_unref(as);
}

/* ---- providers ----------------------------------------------------------- */

void providers_free(struct providers *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].asn);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

const char *providers_of(const struct providers *p, uint32_t asn)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (bsearch(&asn, p->v[i].asn, p->v[i].asn_n, sizeof asn, cmp_u32))
			return p->v[i].name;
	return NULL;
}

struct ydoc {
	yaml_document_t d;
	const char *path;
	char *err;
	size_t cap;
};

static enum err bad(struct ydoc *y, const yaml_node_t *n, const char *what)
{
	snprintf(y->err, y->cap, "%s:%zu: %s", y->path, n ? n->start_mark.line + 1 : 0, what);
	return ERR_CONFIG;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static enum err one_provider(struct ydoc *y, const yaml_node_t *m, struct provider *out)
{
	if (m->type != YAML_MAPPING_NODE)
		return bad(y, m, "a provider is a mapping with name, source and asns");
	const yaml_node_t *asns = NULL;
	const char *name = NULL;
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		const yaml_node_t *k = yaml_document_get_node(&y->d, pr->key);
		const yaml_node_t *v = yaml_document_get_node(&y->d, pr->value);
		const char *ks = scalar(k);
		if (!ks)
			return bad(y, k, "keys are plain names");
		if (!strcmp(ks, "name")) {
			if (!(name = scalar(v)) || !*name || strlen(name) >= LOCATION_NAME_MAX)
				return bad(y, v, "name: expected 1 to 127 bytes of text");
		} else if (!strcmp(ks, "source")) {
			if (!scalar(v))
				return bad(y, v, "source: expected text (where the AS numbers come from)");
		} else if (!strcmp(ks, "asns")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return bad(y, v, "asns: expected a sequence of AS numbers");
			asns = v;
		} else {
			return bad(y, k, "unknown key (known: name, source, asns)");
		}
	}
	if (!name || !asns)
		return bad(y, m, "a provider needs name and asns");
	size_t n = (size_t)(asns->data.sequence.items.top - asns->data.sequence.items.start);
	if (!(out->name = strdup(name)) || !(out->asn = calloc(n ? n : 1, sizeof *out->asn)))
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *v =
		    yaml_document_get_node(&y->d, asns->data.sequence.items.start[i]);
		const char *s = scalar(v);
		char *end;
		errno = 0;
		unsigned long long a = s ? strtoull(s, &end, 10) : 0;
		if (!s || !*s || *s == '-' || errno || *end || a == 0 || a > UINT32_MAX)
			return bad(y, v, "asns: expected AS numbers 1..4294967295");
		out->asn[out->asn_n++] = (uint32_t)a;
	}
	qsort(out->asn, out->asn_n, sizeof *out->asn, cmp_u32);
	return ERR_OK;
}

enum err providers_load(struct providers *p, const char *path, char *err, size_t cap)
{
	providers_free(p);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, cap, "providers %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	unsigned char *buf = NULL;
	size_t len = 0, bcap = 0;
	enum err e = ERR_OK;
	for (;;) {
		if (len == bcap) {
			if (bcap >= PROVIDERS_FILE_MAX) {
				snprintf(err, cap, "providers %s: larger than %d bytes", path,
				         PROVIDERS_FILE_MAX);
				e = ERR_CONFIG;
				break;
			}
			size_t nc = grow_cap(bcap, len + 1, 4096, SIZE_MAX);
			unsigned char *nb = realloc(buf, nc);
			if (!nb) {
				e = ERR_NOMEM;
				snprintf(err, cap, "providers %s: out of memory", path);
				break;
			}
			buf = nb;
			bcap = nc;
		}
		size_t r = fread(buf + len, 1, bcap - len, f);
		len += r;
		if (r == 0) {
			if (ferror(f)) {
				snprintf(err, cap, "providers %s: %s", path, strerror(errno));
				e = ERR_IO;
			}
			break;
		}
	}
	fclose(f);
	if (e == ERR_OK)
		e = providers_load_buf(p, path, buf ? buf : (const unsigned char *)"", len, err, cap);
	free(buf);
	return e;
}

enum err providers_load_default(struct providers *p, char *err, size_t cap)
{
	return providers_load_buf(p, "config/providers.yaml (built in)", location_providers_yaml,
	                          location_providers_yaml_len, err, cap);
}

enum err providers_load_buf(struct providers *p, const char *path, const unsigned char *text,
                            size_t len, char *err, size_t cap)
{
	providers_free(p);
	struct ydoc y = {.path = path, .err = err, .cap = cap};
	yaml_parser_t ps;
	enum err e = ERR_CONFIG;
	bool have_doc = false;
	if (!yaml_parser_initialize(&ps))
		return ERR_NOMEM;
	yaml_parser_set_input_string(&ps, text, len);
	if (!yaml_parser_load(&ps, &y.d)) {
		snprintf(err, cap, "%s:%zu: %s", path, ps.problem_mark.line + 1,
		         ps.problem ? ps.problem : "YAML error");
		goto out;
	}
	have_doc = true;
	const yaml_node_t *root = yaml_document_get_root_node(&y.d);
	const yaml_node_t *list = NULL;
	if (!root || root->type != YAML_MAPPING_NODE) {
		e = bad(&y, root, "expected a mapping with the key providers");
		goto out;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = yaml_document_get_node(&y.d, pr->key);
		const char *ks = scalar(k);
		if (!ks || strcmp(ks, "providers")) {
			e = bad(&y, k, "unknown key (known: providers)");
			goto out;
		}
		list = yaml_document_get_node(&y.d, pr->value);
	}
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		e = bad(&y, list ? list : root, "providers: expected a sequence of providers");
		goto out;
	}
	size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
	if (!(p->v = calloc(n ? n : 1, sizeof *p->v))) {
		e = ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m =
		    yaml_document_get_node(&y.d, list->data.sequence.items.start[i]);
		e = one_provider(&y, m, &p->v[p->n++]);
		if (e != ERR_OK)
			goto out;
		for (size_t j = 0; j < p->v[i].asn_n; j++) {
			uint32_t a = p->v[i].asn[j];
			const char *other = NULL;
			for (size_t q = 0; q < i && !other; q++)
				if (bsearch(&a, p->v[q].asn, p->v[q].asn_n, sizeof a, cmp_u32))
					other = p->v[q].name;
			if (other || (j && p->v[i].asn[j - 1] == a)) {
				char msg[256];
				snprintf(msg, sizeof msg, "AS%u is listed twice (%s, %s)", a,
				         other ? other : p->v[i].name, p->v[i].name);
				e = bad(&y, m, msg);
				goto out;
			}
		}
	}
	e = ERR_OK;
out:
	if (e == ERR_NOMEM)
		snprintf(err, cap, "providers %s: out of memory", path);
	if (have_doc)
		yaml_document_delete(&y.d);
	yaml_parser_delete(&ps);
	if (e != ERR_OK)
		providers_free(p);
	return e;
}
