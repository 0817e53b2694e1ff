/*
 * --probe: the crawl machinery with one point, no database, no discovery
 * (advertised points are reported, not dialed), printed as JSON.
 */
#include "crawler/probe.h"

#include <jansson.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/log.h"
#include "crawler/config.h"
#include "crawler/crawl.h"
#include "net/sockaddr.h"
#include "p2p/handshake.h"
#include "p2p/msg.h"

static void note_visit(void *ctx, const struct visit_rec *v, const struct hs_peer *peer)
{
	struct probe_result *p = ctx;
	p->visited = true;
	p->v = *v;
	snprintf(p->point, sizeof p->point, "%s", v->point);
	p->v.point = p->point;
	if (v->error) {
		snprintf(p->error, sizeof p->error, "%s", v->error);
		p->v.error = p->error;
	}
	if (v->peer_id) {
		snprintf(p->peer_id, sizeof p->peer_id, "%s", v->peer_id);
		p->v.peer_id = p->peer_id;
	}
	if (v->public_key) {
		memcpy(p->public_key, v->public_key, sizeof p->public_key);
		p->v.public_key = p->public_key;
	}
	if (v->chain_name) {
		p->chain_total = v->chain_name_len;
		p->chain_len = v->chain_name_len < sizeof p->chain ? v->chain_name_len
								   : sizeof p->chain;
		memcpy(p->chain, v->chain_name, p->chain_len);
		p->v.chain_name = p->chain;
		p->v.chain_name_len = p->chain_len;
	}
	if (v->head_hash) {
		memcpy(p->head_hash, v->head_hash, sizeof p->head_hash);
		p->v.head_hash = p->head_hash;
	}
	if (peer) {
		p->pow_ok = peer->pow_ok;
		p->chain_ok = peer->chain_ok;
	}
}

static void note_edge(void *ctx, const struct adv_rec *a)
{
	struct probe_result *p = ctx;
	if (p->edges_n == PROBE_EDGES_MAX)
		return;
	struct probe_edge *e = &p->edges[p->edges_n++];
	e->to = a->to;
	e->source = a->source;
	e->round = a->round;
	e->rank = a->rank;
	e->list_len = a->list_len;
}

struct visit_out probe_out(struct probe_result *p)
{
	struct visit_out o = {note_visit, note_edge, NULL, p};
	return o;
}

static json_t *opt_int(int64_t v, int64_t absent)
{
	return v == absent ? json_null() : json_integer((json_int_t)v);
}

static json_t *opt_bool(int8_t v)
{
	return v == REC_BOOL_ABSENT ? json_null() : json_boolean(v == 1);
}

/* Peer bytes as text: printable ASCII kept, anything else \xNN. */
static json_t *safe_text(const uint8_t *p, size_t n)
{
	char out[256 * 4 + 1];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < sizeof out; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", p[i]);
	}
	out[o] = '\0';
	return json_string(out);
}

void probe_print(const struct probe_result *p)
{
	const struct visit_rec *v = &p->v;
	json_t *o = json_object();
	json_object_set_new(o, "point", json_string(p->point));
	json_object_set_new(o, "outcome", json_string(visit_outcome_str(v->outcome)));
	json_object_set_new(o, "error", v->error ? json_string(v->error) : json_null());
	json_object_set_new(o, "connect_ms", opt_int(v->connect_ms, REC_ABSENT_I32));
	json_object_set_new(o, "handshake_ms", opt_int(v->handshake_ms, REC_ABSENT_I32));
	json_object_set_new(o, "peer_id", v->peer_id ? json_string(v->peer_id) : json_null());
	if (v->public_key) {
		char hx[65];
		hex_encode(hx, v->public_key, 32);
		json_object_set_new(o, "public_key", json_string(hx));
	} else {
		json_object_set_new(o, "public_key", json_null());
	}
	json_object_set_new(o, "advertised_port", opt_int(v->advertised_port, REC_ABSENT_I32));
	json_object_set_new(o, "pow_bits", opt_int(v->pow_bits, REC_ABSENT_I32));
	json_object_set_new(o, "pow_ok", v->pow_bits == REC_ABSENT_I32 ? json_null()
								   : json_boolean(p->pow_ok));
	if (v->chain_name) {
		json_object_set_new(o, "chain_name", safe_text(p->chain, p->chain_len));
		json_object_set_new(o, "chain_ok", json_boolean(p->chain_ok));
	} else {
		json_object_set_new(o, "chain_name", json_null());
		json_object_set_new(o, "chain_ok", json_null());
	}
	json_object_set_new(o, "distributed_db_version", opt_int(v->ddb_version, REC_ABSENT_I32));
	json_object_set_new(o, "p2p_version", opt_int(v->p2p_version, REC_ABSENT_I32));
	json_object_set_new(o, "disable_mempool", opt_bool(v->disable_mempool));
	json_object_set_new(o, "private_node", opt_bool(v->private_node));
	if (v->nack_motive != REC_NACK_MOTIVE_ABSENT) {
		json_object_set_new(o, "nack_motive", json_integer(v->nack_motive));
		json_object_set_new(o, "nack_motive_name", json_string(p2p_motive_str(v->nack_motive)));
	} else {
		json_object_set_new(o, "nack_motive", json_null());
		json_object_set_new(o, "nack_motive_name", json_null());
	}
	if (v->has_head) {
		json_t *h = json_object();
		json_object_set_new(h, "level", json_integer(v->head_level));
		json_object_set_new(h, "timestamp", json_integer((json_int_t)v->head_timestamp));
		char hx[65];
		hex_encode(hx, p->head_hash, 32);
		json_object_set_new(h, "hash", json_string(hx));
		json_object_set_new(o, "head", h);
	} else {
		json_object_set_new(o, "head", json_null());
	}
	json_t *adv = json_array();
	for (size_t i = 0; i < p->edges_n; i++) {
		const struct probe_edge *e = &p->edges[i];
		char text[POINT_FMT_CAP];
		point_format(&e->to, text, sizeof text);
		json_t *x = json_object();
		json_object_set_new(x, "source", json_string(adv_source_str(e->source)));
		json_object_set_new(x, "round", json_integer(e->round));
		json_object_set_new(x, "rank", json_integer(e->rank));
		json_object_set_new(x, "list_len", json_integer(e->list_len));
		json_object_set_new(x, "point", json_string(text));
		json_array_append_new(adv, x);
	}
	json_object_set_new(o, "advertised", adv);
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(o);
	fflush(stdout);
}

int probe_run(const struct crawl_config *cfg_in, const struct p2p_identity *id, const char *target)
{
	struct seed_spec s;
	if (seed_parse(target, &s) != ERR_OK) {
		log_error("--probe: '%s' is not host:port", target);
		return 2;
	}
	struct crawl_config cfg = *cfg_in; /* shallow: only read */
	cfg.connect_retries = 0;
	struct ev_loop *loop = ev_default_loop(0);
	struct crawl *cr = calloc(1, sizeof *cr);
	struct probe_result *res = calloc(1, sizeof *res);
	int status = 2;
	if (!cr || !res || !loop) {
		log_error("--probe: out of memory");
		goto out;
	}
	char err[256];
	if (crawl_init(cr, loop, &cfg, id, err, sizeof err) != ERR_OK) {
		log_error("--probe: %s", err);
		goto out;
	}
	cr->out = probe_out(res);
	cr->discover = false;
	cr->interactive = false;

	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = s.numeric ? AI_NUMERICHOST : AI_ADDRCONFIG;
	int rc = getaddrinfo(s.host, NULL, &hints, &ai);
	if (rc != 0) {
		log_error("--probe: %s: %s", s.host, gai_strerror(rc));
		crawl_cleanup(cr);
		goto out;
	}
	struct point pt;
	memset(&pt, 0, sizeof pt);
	pt.port = (uint16_t)s.port;
	const struct addrinfo *a = ai;
	for (; a; a = a->ai_next) {
		if (!point_from_addrinfo(a, (uint16_t)s.port, &pt))
			continue;
		if (policy_allows(&cr->policy, pt.addr))
			break;
	}
	freeaddrinfo(ai);
	if (!a) {
		/* nothing the policy lets us dial: say so like a crawl would record it */
		struct policy_verdict pv = policy_check(&cr->policy, pt.addr);
		char text[POINT_FMT_CAP];
		point_format(&pt, text, sizeof text);
		snprintf(err, sizeof err, "policy: %s", pv.why);
		struct visit_rec v;
		visit_rec_init(&v);
		v.point = text;
		v.outcome = VISIT_POLICY;
		v.attempt = 1;
		v.error = err;
		note_visit(res, &v, NULL);
		probe_print(res);
		crawl_cleanup(cr);
		status = 1;
		goto out;
	}
	uint32_t pid;
	(void)frontier_add(cr->fr, pt.addr, pt.port, 0, &pid, NULL);
	crawl_run(cr);
	crawl_cleanup(cr);
	if (!res->visited) {
		log_error("--probe: no visit was made");
		goto out;
	}
	probe_print(res);
	status = res->v.outcome == VISIT_OK ? 0 : 1;
out:
	free(res);
	free(cr);
	return status;
}
