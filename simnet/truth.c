#include "simnet/truth.h"

#include "simnet/locdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "p2p/identity.h"
#include "simnet/head.h"
#include "simnet/rpc.h"

const uint8_t simnet_chain_id[4] = {0x7a, 0x06, 0xa7, 0x70};

void truth_peer_id_b58(const uint8_t peer_id[16], char *out, size_t cap)
{
	char b58[P2P_PEER_ID_B58_LEN + 1];
	p2p_peer_id_b58(b58, peer_id);
	snprintf(out, cap, "%s", b58);
}

static json_t *point_str(const struct world *w, uint32_t idx)
{
	char buf[POINT_FMT_CAP];
	point_format(&w->points[idx].pt, buf, sizeof buf);
	return json_string(buf);
}

/*
 * What a correct crawler records for one visit, in the visit outcome names of
 * DESIGN.md / lib/db/record.h, and the Nack motive it sees (-1: none).
 */
static const char *expected_outcome(enum sim_behavior b, int *motive)
{
	*motive = -1;
	switch (b) {
	case BEH_PUBLIC:
	case BEH_OLD_VERSION:
	case BEH_LOW_POW:
	case BEH_SHARED_IP:
	case BEH_MULTIHOMED: return "ok";
	case BEH_NO_LISTEN: return "refused";
	case BEH_STALL: return "handshake_timeout";
	case BEH_SILENT_CLOSE: return "silent_close";
	case BEH_NACK:
		*motive = 1; /* Too_many_connections */
		return "nack";
	case BEH_PRIVATE: return "closed";
	case BEH_WRONG_CHAIN:
		*motive = 2; /* Unknown_chain_name */
		return "foreign";
	}
	return "?";
}

/* json_*_set_new and json_array_append_new steal even on failure; the NULL
 * checks happen once at the end through a flag. */
#define SET(o, k, v) ok &= json_object_set_new((o), (k), (v)) == 0
#define APP(a, v)    ok &= json_array_append_new((a), (v)) == 0

static json_t *node_json(const struct world *w, const struct sim_config *c, size_t i,
                         const uint32_t *listed_by, const int32_t *as_of,
                         const struct sim_rpc_node *rpc, bool *okp)
{
	bool ok = true;
	const struct sim_node *nd = &w->nodes[i];
	json_t *o = json_object();
	char b58[40], hex[65];
	if (!o) {
		*okp = false;
		return NULL;
	}
	SET(o, "point", point_str(w, nd->pt[0]));
	json_t *pts = json_array();
	for (unsigned k = 0; pts && k < nd->pt_n; k++)
		APP(pts, point_str(w, nd->pt[k]));
	SET(o, "points", pts);
	truth_peer_id_b58(nd->peer_id, b58, sizeof b58);
	SET(o, "peer_id", json_string(b58));
	hex_encode(hex, nd->pk, sizeof nd->pk);
	SET(o, "public_key", json_string(hex));
	SET(o, "behavior", json_string(sim_behavior_str(nd->beh)));
	/* locations (simnet/locdb.h): null when the config has none or the node is unlocated */
	const struct sim_as *as = as_of[i] >= 0 ? &c->as[as_of[i]] : NULL;
	SET(o, "asn", as ? json_integer(as->asn) : json_null());
	SET(o, "as_name", as ? json_string(as->name) : json_null());
	SET(o, "country", as ? json_string(as->country) : json_null());
	SET(o, "listening", json_boolean(nd->beh != BEH_NO_LISTEN));
	int motive;
	SET(o, "expected_outcome", json_string(expected_outcome(nd->beh, &motive)));
	SET(o, "nack_motive", motive >= 0 ? json_integer(motive) : json_null());
	SET(o, "reveals", json_string(sim_reveal_str(nd->reveal)));
	SET(o, "role", json_string(sim_role_str(nd->role)));
	SET(o, "island", nd->island >= 0 ? json_integer(nd->island) : json_null());
	SET(o, "bridge", json_boolean(nd->bridge));
	json_t *adv = json_array();
	for (uint32_t k = 0; adv && k < nd->adv_n; k++)
		APP(adv, point_str(w, nd->adv[k]));
	SET(o, "advertises", adv);
	SET(o, "listed_by", json_integer(listed_by[i]));
	/* a node of the foreign network; foreign_only: no node of our chain lists it */
	SET(o, "foreign", json_boolean(nd->beh == BEH_WRONG_CHAIN));
	SET(o, "foreign_only", json_boolean(nd->foreign_only));
	SET(o, "head_level", json_integer(nd->head_level));
	SET(o, "head_timestamp", json_integer(nd->head_ts));
	uint8_t hash[32];
	if (sim_head_hash(nd->head_level, nd->head_ts, hash) == ERR_OK) {
		hex_encode(hex, hash, sizeof hash);
		SET(o, "head_hash", json_string(hex));
	} else
		ok = false;
	SET(o, "pow_bits", json_integer(nd->pow_bits));
	SET(o, "chain_name",
	    json_string(nd->beh == BEH_WRONG_CHAIN ? c->wrong_chain_name : c->chain_name));
	SET(o, "ddb_version", json_integer(nd->ddb_version));
	SET(o, "p2p_version", json_integer(nd->p2p_version));
	SET(o, "private_node", json_boolean(nd->beh == BEH_PRIVATE));
	SET(o, "latency_ms", json_integer(nd->latency_ms));
	SET(o, "old_close", json_boolean(nd->old_close));
	SET(o, "shared_identity", json_boolean(nd->shared_identity));
	SET(o, "announced_port",
	    json_integer(nd->announce_port ? nd->announce_port : w->points[nd->pt[0]].pt.port));
	if (rpc) { /* only with RPC servers (rpc.share > 0): older truth files unchanged */
		SET(o, "rpc", json_string(sim_rpc_kind_str((enum sim_rpc_kind)rpc[i].kind)));
		struct sim_release r;
		if (rpc[i].kind == SRPC_VERSION &&
		    sim_release_parse(c->rpc_releases.v[rpc[i].release], &r) == ERR_OK)
			SET(o, "release", json_string(r.text));
		else
			SET(o, "release", json_null());
	}
	*okp &= ok;
	return o;
}

json_t *truth_json(const struct world *w, const struct sim_config *c)
{
	bool ok = true;
	json_t *root = json_object();
	uint32_t *listed_by = calloc(w->node_n ? w->node_n : 1, sizeof *listed_by);
	int32_t *as_of = malloc((w->node_n + 1) * sizeof *as_of);
	if (!root || !listed_by || !as_of || locdb_assign(w, c, as_of) != ERR_OK)
		goto fail;
	/* listed_by: how many revealing nodes list one of this node's points */
	for (size_t i = 0; i < w->node_n; i++) {
		const struct sim_node *nd = &w->nodes[i];
		for (uint32_t k = 0; k < nd->adv_n; k++) {
			int32_t t = w->points[nd->adv[k]].node;
			if (t >= 0)
				listed_by[t]++;
		}
	}
	SET(root, "format", json_string("tzcensus-simnet-truth/1"));
	SET(root, "seed", json_integer((json_int_t)w->seed));
	SET(root, "chain_name", json_string(c->chain_name));
	char hex[9];
	hex_encode(hex, simnet_chain_id, 4);
	SET(root, "chain_id", json_string(hex));
	SET(root, "expected_pow", json_real(c->expected_pow));
	SET(root, "base", json_string(c->base));
	SET(root, "node_count", json_integer((json_int_t)w->node_n));
	if (w->epoch > 0) { /* epoch 0 leaves the file as it always was */
		SET(root, "epoch", json_integer((json_int_t)w->epoch));
		json_t *ch = json_object(), *down = json_array(), *up = json_array();
		for (size_t i = 0; down && i < w->churn_n; i++)
			APP(down, point_str(w, w->nodes[w->went_down[i]].pt[0]));
		for (size_t i = 0; up && i < w->churn_n; i++)
			APP(up, point_str(w, w->nodes[w->came_up[i]].pt[0]));
		if (ch) {
			SET(ch, "share", json_real(c->churn));
			SET(ch, "went_down", down);
			SET(ch, "came_up", up);
		} else {
			json_decref(down);
			json_decref(up);
		}
		SET(root, "churn", ch);
	}
	json_t *counts = json_object();
	size_t cnt[BEH_N];
	world_counts(w, cnt);
	for (int b = 0; counts && b < BEH_N; b++)
		SET(counts, sim_behavior_str((enum sim_behavior)b),
		    json_integer((json_int_t)cnt[b]));
	SET(root, "behaviors", counts);
	json_t *seeds = json_array();
	for (size_t i = 0; seeds && i < w->seed_n; i++)
		APP(seeds, point_str(w, w->seeds[i]));
	SET(root, "seeds", seeds);
	if (w->cut_n > 0) {
		json_t *b = json_object(), *cut = json_array();
		for (size_t i = 0; cut && i < w->cut_n; i++)
			APP(cut, point_str(w, w->nodes[w->cut[i]].pt[0]));
		if (b) {
			SET(b, "size", json_integer((json_int_t)w->cut_n));
			SET(b, "cut", cut);
			SET(b, "half_a", json_integer((json_int_t)w->half_a_n));
			SET(b, "half_b", json_integer((json_int_t)w->half_b_n));
		} else
			json_decref(cut);
		SET(root, "bottleneck", b);
	} else
		SET(root, "bottleneck", json_null());
	json_t *isl = json_array();
	for (size_t k = 0; isl && k < w->island_n; k++) {
		json_t *o = json_object(), *mem = json_array();
		json_t *bridge = point_str(w, w->nodes[w->bridges[k]].pt[0]);
		for (size_t i = 0; i < w->node_n; i++) {
			const struct sim_node *nd = &w->nodes[i];
			if (nd->island == (int32_t)k && mem)
				APP(mem, point_str(w, nd->pt[0]));
		}
		if (o) {
			SET(o, "bridge", bridge);
			SET(o, "members", mem);
		} else {
			json_decref(bridge);
			json_decref(mem);
		}
		APP(isl, o);
	}
	SET(root, "islands", isl);
	json_t *data = json_array();
	for (size_t i = 0; data && i < w->point_n; i++)
		if (w->points[i].kind == SP_DATA)
			APP(data, point_str(w, (uint32_t)i));
	SET(root, "data_points", data);
	/* the foreign network (the wrong_chain nodes), and the points only it lists */
	json_t *fo = json_object(), *only = json_array();
	for (size_t i = 0; only && i < w->node_n; i++)
		if (w->nodes[i].foreign_only)
			APP(only, point_str(w, w->nodes[i].pt[0]));
	if (fo) {
		SET(fo, "chain_name", json_string(c->wrong_chain_name));
		SET(fo, "nodes", json_integer((json_int_t)w->foreign_n));
		SET(fo, "foreign_only", only);
	} else
		json_decref(only);
	SET(root, "foreign_network", fo);
	json_t *rules = json_object();
	if (rules) {
		SET(rules, "auth_timeout_ms", json_integer(c->auth_timeout_ms));
		SET(rules, "bootstrap_throttle_ms", json_integer(c->bootstrap_throttle_ms));
		SET(rules, "branch_throttle_ms", json_integer(c->branch_throttle_ms));
		SET(rules, "max_incoming", json_integer(c->max_incoming));
		SET(rules, "advertise_size", json_integer(c->advertise_size));
		SET(rules, "stall_hold_ms", json_integer(c->stall_hold_ms));
	}
	SET(root, "rules", rules);
	json_t *locs = json_array(); /* the config's ASes, in its order */
	for (size_t a = 0; locs && a < c->as_n; a++) {
		json_t *x = json_object();
		if (x) {
			SET(x, "asn", json_integer(c->as[a].asn));
			SET(x, "name", json_string(c->as[a].name));
			SET(x, "country", json_string(c->as[a].country));
			SET(x, "weight", json_real(c->as[a].weight));
		}
		APP(locs, x);
	}
	SET(root, "locations", locs);
	struct sim_rpc_node *rpc = NULL;
	if (c->rpc_share > 0) {
		if (sim_rpc_plan(w, c, &rpc) != ERR_OK)
			ok = false;
		json_t *ro = json_object();
		if (ro) {
			SET(ro, "port", json_integer(c->rpc_port));
			SET(ro, "share", json_real(c->rpc_share));
			SET(ro, "hostile", json_real(c->rpc_hostile));
		}
		SET(root, "rpc", ro);
	}
	json_t *nodes = json_array();
	for (size_t i = 0; nodes && i < w->node_n; i++)
		APP(nodes, node_json(w, c, i, listed_by, as_of, rpc, &ok));
	SET(root, "nodes", nodes);
	free(rpc);
	free(listed_by);
	free(as_of);
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
fail:
	free(listed_by);
	free(as_of);
	json_decref(root);
	return NULL;
}

enum err truth_write(const struct world *w, const struct sim_config *c, const char *path, char *err,
                     size_t err_cap)
{
	json_t *root = truth_json(w, c);
	if (!root) {
		snprintf(err, err_cap, "out of memory building the truth file");
		return ERR_NOMEM;
	}
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		json_decref(root);
		snprintf(err, err_cap, "%s: path too long", path);
		return ERR_INVAL;
	}
	int rc = json_dump_file(root, tmp, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (rc != 0 || rename(tmp, path) != 0) {
		snprintf(err, err_cap, "%s: cannot write: %s", path, strerror(errno));
		remove(tmp);
		return ERR_IO;
	}
	return ERR_OK;
}
