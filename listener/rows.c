/*
 * Record -> JSON for inbound_ingest(). Text from peers (the chain name) goes
 * through jansson as UTF-8 with invalid bytes replaced, as visits.chain_name.
 */
#include "listener/rows.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "p2p/identity.h"

json_t *rows_time(int64_t us)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	char t[64];
	snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
	return json_string(t);
}

static json_t *addr_json(const struct point *p)
{
	char t[POINT_FMT_CAP];
	point_format_addr(p, t, sizeof t);
	return json_string(t);
}

static json_t *peer_json(const uint8_t id[16])
{
	char b58[P2P_PEER_ID_B58_LEN + 1];
	p2p_peer_id_b58(b58, id);
	return json_string(b58);
}

/* Peer bytes as text: valid UTF-8 kept, anything else (and NUL) U+FFFD. */
static json_t *text_json(const uint8_t *p, size_t len)
{
	char out[128 * 3 + 1];
	size_t o = 0;
	for (size_t i = 0; i < len && o + 4 < sizeof out; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else {
			out[o++] = (char)0xef;
			out[o++] = (char)0xbf;
			out[o++] = (char)0xbd;
		}
	}
	out[o] = '\0';
	return json_string(out);
}

json_t *rows_session(const struct lsn_session_rec *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(o, "started_at", rows_time(r->started_us));
	json_object_set_new(o, "ended_at", rows_time(r->ended_us));
	json_object_set_new(o, "source_addr", addr_json(&r->source));
	json_object_set_new(o, "source_port", json_integer(r->source.port));
	if (r->have_conn) {
		char hex[65];
		hex_encode(hex, r->public_key, 32);
		json_object_set_new(o, "announced_port", json_integer(r->announced_port));
		json_object_set_new(o, "peer_id", peer_json(r->peer_id));
		json_object_set_new(o, "public_key", json_string(hex));
		json_object_set_new(o, "pow_bits", json_integer(r->pow_bits));
		json_object_set_new(o, "chain_name", text_json(r->chain, r->chain_len));
		json_object_set_new(o, "distributed_db_version", json_integer(r->ddb_version));
		json_object_set_new(o, "p2p_version", json_integer(r->p2p_version));
	}
	if (r->have_meta) {
		json_object_set_new(o, "disable_mempool", json_boolean(r->disable_mempool));
		json_object_set_new(o, "private_node", json_boolean(r->private_node));
	}
	json_object_set_new(o, "end_reason", json_string(r->end_reason));
	if (r->error)
		json_object_set_new(o, "error", text_json((const uint8_t *)r->error, strlen(r->error)));
	if (r->have_head)
		json_object_set_new(o, "head_level", json_integer(r->head_level));
	json_object_set_new(o, "advertised_n", json_integer(r->advertised_n));
	return o;
}

json_t *rows_dialback(const struct lsn_dialback_rec *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(o, "peer_id", peer_json(r->peer_id));
	json_object_set_new(o, "addr", addr_json(&r->target));
	json_object_set_new(o, "port", json_integer(r->target.port));
	json_object_set_new(o, "started_at", rows_time(r->started_us));
	json_object_set_new(o, "class", json_string(nat_class_str(r->cls)));
	if (r->have_reached)
		json_object_set_new(o, "reached_peer_id", peer_json(r->reached));
	if (r->error)
		json_object_set_new(o, "error", text_json((const uint8_t *)r->error, strlen(r->error)));
	if (r->connect_ms >= 0)
		json_object_set_new(o, "connect_ms", json_integer(r->connect_ms));
	return o;
}

json_t *rows_adv(const struct lsn_adv_rec *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(o, "from_addr", addr_json(&r->from));
	json_object_set_new(o, "from_port", json_integer(r->from.port));
	json_object_set_new(o, "to_addr", addr_json(&r->to));
	json_object_set_new(o, "to_port", json_integer(r->to.port));
	json_object_set_new(o, "round", json_integer(r->round));
	json_object_set_new(o, "rank", json_integer(r->rank));
	json_object_set_new(o, "list_len", json_integer(r->list_len));
	json_object_set_new(o, "seen_at", rows_time(r->seen_us));
	return o;
}

static const char *const kinds[] = {"sessions", "dialbacks", "adverts"};

json_t *rows_batch_new(void)
{
	json_t *b = json_object();
	if (!b)
		return NULL;
	for (size_t i = 0; i < 3; i++)
		if (json_object_set_new(b, kinds[i], json_array()) != 0) {
			json_decref(b);
			return NULL;
		}
	return b;
}

size_t rows_batch_n(const json_t *batch)
{
	size_t n = 0;
	for (size_t i = 0; i < 3; i++)
		n += json_array_size(json_object_get(batch, kinds[i]));
	return n;
}

void rows_batch_merge(json_t *to, const json_t *from)
{
	for (size_t i = 0; i < 3; i++)
		json_array_extend(json_object_get(to, kinds[i]), json_object_get(from, kinds[i]));
}
