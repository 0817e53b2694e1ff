/* crawl — the in-memory crawl: growable arrays of owned copies. */
#include "analyzer/crawl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/hex.h"

void acrawl_init(struct acrawl *c)
{
	memset(c, 0, sizeof *c);
}

static void visit_cleanup(struct acrawl_visit *v)
{
	free(v->point);
	free(v->outcome);
	free(v->peer_id);
	free(v->chain_name);
}

void acrawl_free(struct acrawl *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->visits_n; i++)
		visit_cleanup(&c->visits[i]);
	for (size_t i = 0; i < c->advs_n; i++) {
		free(c->advs[i].from);
		free(c->advs[i].to);
	}
	for (size_t i = 0; i < c->rpcs_n; i++) {
		free(c->rpcs[i].point);
		free(c->rpcs[i].release);
	}
	free(c->visits);
	free(c->advs);
	free(c->rpcs);
	free(c->uuid);
	free(c->started_at);
	free(c->finished_at);
	free(c->vantage);
	free(c->crawler_version);
	free(c->config_digest);
	memset(c, 0, sizeof *c);
}

struct acrawl_visit acrawl_visit_blank(void)
{
	struct acrawl_visit v = {
	    .ddb_version = -1,
	    .p2p_version = -1,
	    .pow_bits = -1,
	    .private_node = -1,
	    .disable_mempool = -1,
	    .head_level = -1,
	    .advertised_port = -1,
	};
	return v;
}

static enum err dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return ERR_OK;
	*out = strdup(s);
	return *out ? ERR_OK : ERR_NOMEM;
}

enum err acrawl_set_str(char **field, const char *value)
{
	char *copy;
	if (dup_opt(&copy, value) != ERR_OK)
		return ERR_NOMEM;
	free(*field);
	*field = copy;
	return ERR_OK;
}

static enum err grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	return array_reserve(arr, cap, n + 1, elem, 256);
}

enum err acrawl_add_visit(struct acrawl *c, const struct acrawl_visit *v)
{
	if (!v->point || !v->outcome)
		return ERR_INVAL;
	if (grow((void **)&c->visits, &c->visits_cap, c->visits_n, sizeof *c->visits) != ERR_OK)
		return ERR_NOMEM;
	struct acrawl_visit *d = &c->visits[c->visits_n];
	*d = *v;
	d->point = d->outcome = d->peer_id = d->chain_name = NULL;
	if (dup_opt(&d->point, v->point) != ERR_OK || dup_opt(&d->outcome, v->outcome) != ERR_OK ||
	    dup_opt(&d->peer_id, v->peer_id) != ERR_OK ||
	    dup_opt(&d->chain_name, v->chain_name) != ERR_OK) {
		visit_cleanup(d);
		return ERR_NOMEM;
	}
	c->visits_n++;
	return ERR_OK;
}

enum err acrawl_add_adv(struct acrawl *c, const char *from, const char *to, enum adv_source src,
                        int round, int pos, int list_len)
{
	if (!from || !to || pos < 0 || list_len <= 0 || pos >= list_len || round < 0)
		return ERR_INVAL;
	if (src != ADV_ADVERTISE && src != ADV_NACK)
		return ERR_INVAL;
	if (grow((void **)&c->advs, &c->advs_cap, c->advs_n, sizeof *c->advs) != ERR_OK)
		return ERR_NOMEM;
	struct acrawl_adv *a = &c->advs[c->advs_n];
	a->from = strdup(from);
	a->to = strdup(to);
	if (!a->from || !a->to) {
		free(a->from);
		free(a->to);
		return ERR_NOMEM;
	}
	a->source = src;
	a->round = round;
	a->pos = pos;
	a->list_len = list_len;
	c->advs_n++;
	return ERR_OK;
}

void acrawl_chain_text(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t k = 0;
	if (cap == 0)
		return;
	if (len > 128)
		len = 128;
	for (size_t i = 0; i < len; i++) {
		bool plain = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\';
		size_t need = plain ? 1 : 4;
		if (k + need >= cap)
			break;
		if (plain)
			out[k++] = (char)p[i];
		else
			k += (size_t)snprintf(out + k, cap - k, "\\x%02x", p[i]);
	}
	out[k] = 0;
}

enum err acrawl_set_config_digest(struct acrawl *c, const char *config_json)
{
	if (!config_json)
		return ERR_OK;
	json_error_t je;
	json_t *doc = json_loads(config_json, JSON_DECODE_ANY, &je);
	if (!doc)
		return ERR_OK; /* not JSON: no digest rather than a wrong one */
	char *canon = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(doc);
	if (!canon)
		return ERR_NOMEM;
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)canon, strlen(canon));
	free(canon);
	char text[7 + 2 * sizeof h + 1] = "sha256:";
	hex_encode(text + 7, h, sizeof h);
	return acrawl_set_str(&c->config_digest, text);
}

enum err acrawl_add_rpc(struct acrawl *c, const char *point, const char *release)
{
	if (!point)
		return ERR_INVAL;
	if (grow((void **)&c->rpcs, &c->rpcs_cap, c->rpcs_n, sizeof *c->rpcs) != ERR_OK)
		return ERR_NOMEM;
	struct acrawl_rpc *r = &c->rpcs[c->rpcs_n];
	r->point = strdup(point);
	r->release = release ? strdup(release) : NULL;
	if (!r->point || (release && !r->release)) {
		free(r->point);
		free(r->release);
		return ERR_NOMEM;
	}
	c->rpcs_n++;
	return ERR_OK;
}
