#include "simnet/config.h"
#include "simnet/rpc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const beh_names[BEH_N] = {
    [BEH_PUBLIC] = "public",
    [BEH_NO_LISTEN] = "no_listen",
    [BEH_STALL] = "stall",
    [BEH_SILENT_CLOSE] = "silent_close",
    [BEH_NACK] = "nack",
    [BEH_PRIVATE] = "private",
    [BEH_WRONG_CHAIN] = "wrong_chain",
    [BEH_OLD_VERSION] = "old_version",
    [BEH_LOW_POW] = "low_pow",
    [BEH_SHARED_IP] = "shared_ip",
    [BEH_MULTIHOMED] = "multihomed",
};

const char *sim_behavior_str(enum sim_behavior b)
{
	switch (b) {
	case BEH_PUBLIC:
	case BEH_NO_LISTEN:
	case BEH_STALL:
	case BEH_SILENT_CLOSE:
	case BEH_NACK:
	case BEH_PRIVATE:
	case BEH_WRONG_CHAIN:
	case BEH_OLD_VERSION:
	case BEH_LOW_POW:
	case BEH_SHARED_IP:
	case BEH_MULTIHOMED: return beh_names[b];
	}
	return "?";
}

bool sim_behavior_parse(const char *name, enum sim_behavior *out)
{
	for (int b = 0; b < BEH_N; b++)
		if (strcmp(name, beh_names[b]) == 0) {
			*out = (enum sim_behavior)b;
			return true;
		}
	return false;
}

/* The behaviour a "section.<name>" key names; an unknown name is an error. */
static bool behavior_of_key(const char *name, enum sim_behavior *b, char *err, size_t err_cap)
{
	const char *dot = strchr(name, '.');
	if (dot && sim_behavior_parse(dot + 1, b))
		return true;
	snprintf(err, err_cap,
	         "unknown behaviour '%s' (known: public, no_listen, stall, "
	         "silent_close, nack, private, wrong_chain, old_version, "
	         "low_pow, shared_ip, multihomed)",
	         dot ? dot + 1 : name);
	return false;
}

/* A weight (0..1e6) or, with max 1, a share (0..1). */
static bool number_upto(const char *value, double max, double *v, char *err, size_t err_cap)
{
	char *end;
	*v = strtod(value, &end);
	if (end != value && !*end && *v >= 0 && *v <= max)
		return true;
	if (max == 1)
		snprintf(err, err_cap, "expected a share from 0 to 1, got '%s'", value);
	else
		snprintf(err, err_cap, "expected a non-negative weight, got '%s'", value);
	return false;
}

/* behaviours.<name>: one weight per behaviour. */
static enum err set_share(void *out, const char *name, const char *value, char *err, size_t err_cap)
{
	struct sim_config *c = out;
	enum sim_behavior b;
	double v;
	if (!behavior_of_key(name, &b, err, err_cap) || !number_upto(value, 1e6, &v, err, err_cap))
		return ERR_CONFIG;
	c->share[b] = v;
	return ERR_OK;
}

/* old_close.<name>: the share (0 to 1) of that behaviour's nodes that close the old way. */
static enum err set_old_close(void *out, const char *name, const char *value, char *err,
                              size_t err_cap)
{
	struct sim_config *c = out;
	enum sim_behavior b;
	double v;
	if (!behavior_of_key(name, &b, err, err_cap) || !number_upto(value, 1, &v, err, err_cap))
		return ERR_CONFIG;
	c->old_close[b] = v;
	return ERR_OK;
}

/* dialers.mix.<kind>: one weight per dialer kind (simnet/dialer.h). */
static enum err set_dialer_mix(void *out, const char *name, const char *value, char *err,
                               size_t err_cap)
{
	static const char *const kinds[5] = {"forwarded", "nat_refused", "nat_silent", "port_zero",
	                                     "shared"};
	struct sim_config *c = out;
	const char *dot = strrchr(name, '.');
	int k = -1;
	for (int i = 0; dot && i < 5; i++)
		if (strcmp(dot + 1, kinds[i]) == 0)
			k = i;
	if (k < 0) {
		snprintf(err, err_cap,
		         "unknown dialer kind '%s' (known: forwarded, nat_refused, nat_silent, "
		         "port_zero, shared)",
		         dot ? dot + 1 : name);
		return ERR_CONFIG;
	}
	double v;
	if (!number_upto(value, 1e6, &v, err, err_cap))
		return ERR_CONFIG;
	c->dialer_mix[k] = v;
	return ERR_OK;
}

/*
 * locations.as.<number>: "CC WEIGHT NAME": the AS's country (two capital
 * letters), its relative share of nodes and its name. A number given twice
 * replaces the first entry.
 */
static enum err set_as(void *out, const char *name, const char *value, char *err, size_t err_cap)
{
	struct sim_config *c = out;
	const char *num = strrchr(name, '.') + 1; /* a wildcard child: there is a dot */
	char *end;
	unsigned long long asn = strtoull(num, &end, 10);
	if (*num < '1' || *num > '9' || *end || asn > UINT32_MAX) {
		snprintf(err, err_cap, "expected an AS number 1..4294967295 as the key, got '%s'",
		         num);
		return ERR_CONFIG;
	}
	char cc[3] = "";
	double wgt;
	int used = 0;
	if (sscanf(value, "%2[A-Z] %lf %n", cc, &wgt, &used) != 2 || strlen(cc) != 2 ||
	    !(wgt >= 0 && wgt <= 1e6) || !value[used] || strlen(value + used) > 100) {
		snprintf(err, err_cap,
		         "expected \"CC WEIGHT NAME\" (country code, weight 0..1e6, a name of 1 to "
		         "100 bytes), got '%s'",
		         value);
		return ERR_CONFIG;
	}
	if (c->as_builtin) { /* the first AS of a file or flag replaces the built-in table */
		for (size_t k = 0; k < c->as_n; k++)
			free(c->as[k].name);
		c->as_n = 0;
		c->as_builtin = false;
	}
	size_t i = 0;
	while (i < c->as_n && c->as[i].asn != asn)
		i++;
	if (i == c->as_n) {
		if (c->as_n == SIM_AS_MAX) {
			snprintf(err, err_cap, "more than %d ASes", SIM_AS_MAX);
			return ERR_CONFIG;
		}
		struct sim_as *nv = realloc(c->as, (c->as_n + 1) * sizeof *nv);
		if (!nv)
			return ERR_NOMEM;
		c->as = nv;
		memset(&c->as[c->as_n++], 0, sizeof *nv);
	}
	char *nm = strdup(value + used);
	if (!nm)
		return ERR_NOMEM;
	free(c->as[i].name);
	c->as[i] = (struct sim_as){.asn = (uint32_t)asn, .weight = wgt, .name = nm};
	memcpy(c->as[i].country, cc, 3);
	return ERR_OK;
}

#define K(n, t, f, lo, hi, h)                                                                      \
	{                                                                                          \
		n, t, offsetof(struct sim_config, f), lo, hi, h, NULL, NULL                        \
	}
const struct conf_key simcfg_keys[] = {
    K("nodes", CONF_INT, nodes, 1, 60000, "number of simulated nodes (200)"),
    K("seed", CONF_INT, seed, 0, 9007199254740991.0, "world seed (7)"),
    K("runtime_seed", CONF_INT, runtime_seed, 0, 9007199254740991.0,
      "seed of the nodes' run-time draws (Advertise and Nack samples); 0 = new each run (0)"),
    K("base", CONF_STRING, base, 0, 0, "first address, 127.0.0.0/8 or ::1 (127.20.0.0)"),
    K("port", CONF_INT, port, 1, 65535, "listening port of IPv4 nodes (9732)"),
    K("expected_pow", CONF_DOUBLE, expected_pow, 0, 64, "PoW every node demands (0)"),
    K("chain_name", CONF_STRING, chain_name, 0, 0, "network name (TEZOS_MAINNET)"),
    K("latency.min_ms", CONF_INT, latency_min_ms, 0, 60000, "per-node delay, low end (0)"),
    K("latency.max_ms", CONF_INT, latency_max_ms, 0, 60000, "per-node delay, high end (0)"),
    {"behaviors.*", CONF_CUSTOM, 0, 0, 0, "relative weight of each behaviour", set_share,
     NULL},
    {"old_close.*", CONF_CUSTOM, 0, 0, 0, "share of a behaviour closing as Octez <= v21",
     set_old_close, NULL},
    K("topology.min_degree", CONF_INT, min_degree, 1, 50, "edges per new core node (3)"),
    K("topology.bottleneck", CONF_INT, bottleneck, 0, 20, "planted core cut size (2)"),
    K("topology.islands", CONF_INT, islands, 0, 1000, "islands behind a bridge (2)"),
    K("topology.island_size", CONF_INT, island_size, 1, 10, "nodes per island (3)"),
    K("topology.listed_by", CONF_INT, listed_by, 1, 50, "listers of each non-core node (3)"),
    K("topology.nat_listed_by", CONF_INT, nat_listed_by, 1, 50, "max listers of a NATed node (3)"),
    K("topology.data_points", CONF_INT, data_points, -1, 100000, "never-dial points (-1: auto)"),
    K("topology.v6_nodes", CONF_INT, v6_nodes, 0, 99, "public nodes on [::1] (2)"),
    K("topology.v6_port_base", CONF_INT, v6_port_base, 0, 65000, "first [::1] port (0: auto)"),
    K("topology.shared_ip_group", CONF_INT, shared_ip_group, 2, 16, "peers per shared IP (3)"),
    K("topology.shared_identity", CONF_INT, shared_identity, 0, 1000,
      "public core nodes sharing one identity (0)"),
    K("nat.private_points", CONF_INT, nat_private_points, 0, 100000,
      "CGNAT, link-local, Docker-bridge points in lists (0)"),
    K("nat.port_mismatch", CONF_INT, nat_port_mismatch, 0, 60000,
      "public nodes announcing another port than they listen on (0)"),
    K("topology.seeds", CONF_INT, seeds, 1, 100, "seed points in the truth file (3)"),
    K("epoch", CONF_INT, epoch, 0, 1000000, "churn epoch, 0 = unchurned world (0)"),
    K("churn", CONF_DOUBLE, churn, 0, 1, "share of listening nodes churned per epoch (0.05)"),
    K("head.level", CONF_INT, head_level, 1, 2147483647.0, "best head level (9000000)"),
    K("head.max_lag", CONF_INT, head_max_lag, 0, 1000000, "levels a node may lag (5)"),
    K("stall.hold_ms", CONF_INT, stall_hold_ms, 0, 3600000, "stall keeps sockets (30000)"),
    K("wrong_chain.chain_name", CONF_STRING, wrong_chain_name, 0, 0, "other network name"),
    K("wrong_chain.hidden", CONF_DOUBLE, wrong_chain_hidden, 0, 1,
      "share of wrong_chain nodes only their own network lists (0.5)"),
    K("old_version.ddb_version", CONF_INT, old_ddb_version, 0, 1, "announced ddb (0)"),
    K("old_version.p2p_version", CONF_INT, old_p2p_version, 0, 0, "announced p2p (0)"),
    K("low_pow.max_bits", CONF_INT, low_pow_bits_max, 0, 255, "low_pow bit cap (2)"),
    K("rules.auth_timeout_ms", CONF_INT, auth_timeout_ms, 1, 600000, "handshake deadline (5000)"),
    K("rules.bootstrap_throttle_ms", CONF_INT, bootstrap_throttle_ms, 0, 60000, "(100)"),
    K("rules.branch_throttle_ms", CONF_INT, branch_throttle_ms, 0, 600000, "(4000)"),
    K("rules.max_incoming", CONF_INT, max_incoming, 1, 100000, "handshakes in flight (20)"),
    K("rules.advertise_size", CONF_INT, advertise_size, 1, 100, "Advertise/Nack size (50)"),
    K("rpc.share", CONF_DOUBLE, rpc_share, 0, 1,
      "share of public nodes that serve GET /version (0)"),
    K("rpc.port", CONF_INT, rpc_port, 1, 65535, "RPC port on the node's address (8732)"),
    K("rpc.hostile", CONF_DOUBLE, rpc_hostile, 0, 1,
      "share of RPC nodes with a hostile answer (0)"),
    K("rpc.releases", CONF_STRLIST, rpc_releases, 0, 0,
      "release mix, release=weight (v22.1=6, v21.4=3, v23.0~rc1=1)"),
    K("rpc.slow_ms", CONF_INT, rpc_slow_ms, 0, 600000, "a slow answer holds the socket (20000)"),
    K("dialers.count", CONF_INT, dialers_count, 1, 20000, "dialers with --dial (20)"),
    K("dialers.interval", CONF_DOUBLE, dialers_interval, 0, 86400,
      "seconds between one dialer's sessions; 0 = once (0)"),
    K("dialers.spread", CONF_DOUBLE, dialers_spread, 0, 3600,
      "seconds over which the first dials are spread (1)"),
    K("dialers.base", CONF_STRING, dialers_base, 0, 0,
      "first external address, 127.0.0.0/8 (default: base with third octet 200)"),
    K("dialers.port", CONF_INT, dialers_port, 1, 65535, "announced port (9732)"),
    K("dialers.shared_group", CONF_INT, dialers_shared_group, 2, 16,
      "dialers behind one shared address (3)"),
    K("dialers.advertise", CONF_INT, dialers_advertise, 0, 100,
      "points each dialer advertises (5)"),
    K("dialers.big_frame", CONF_INT, dialers_big_frame, 0, 20000,
      "dialers that send one ~8 MiB Current_branch after the handshake (0)"),
    {"dialers.mix.*", CONF_CUSTOM, 0, 0, 0, "relative weight of each dialer kind",
     set_dialer_mix, NULL},
    {"locations.as.*", CONF_CUSTOM, 0, 0, 0, "an AS: \"CC WEIGHT NAME\" (none)", set_as, NULL},
    K("locations.unlocated", CONF_DOUBLE, unlocated, 0, 1e6,
      "weight of nodes no network of the location database covers (0)"),
};
#undef K
const size_t simcfg_keys_n = sizeof simcfg_keys / sizeof simcfg_keys[0];

enum err simcfg_init(struct sim_config *c)
{
	static const double default_share[BEH_N] = {
	    [BEH_PUBLIC] = 0.25,       [BEH_NO_LISTEN] = 0.45,   [BEH_STALL] = 0.03,
	    [BEH_SILENT_CLOSE] = 0.03, [BEH_NACK] = 0.06,        [BEH_PRIVATE] = 0.03,
	    [BEH_WRONG_CHAIN] = 0.02,  [BEH_OLD_VERSION] = 0.04, [BEH_LOW_POW] = 0.03,
	    [BEH_SHARED_IP] = 0.04,    [BEH_MULTIHOMED] = 0.02,
	};
	memset(c, 0, sizeof *c);
	c->nodes = 200;
	c->seed = 7;
	c->port = 9732;
	c->expected_pow = 0.0;
	c->latency_min_ms = 0;
	c->latency_max_ms = 0;
	memcpy(c->share, default_share, sizeof c->share);
	c->min_degree = 3;
	c->bottleneck = 2;
	c->islands = 2;
	c->island_size = 3;
	c->listed_by = 3;
	c->nat_listed_by = 3;
	c->data_points = -1;
	c->v6_nodes = 2;
	c->v6_port_base = 0;
	c->shared_ip_group = 3;
	c->seeds = 3;
	c->epoch = 0;
	c->churn = 0.05;
	c->head_level = 9000000;
	c->head_max_lag = 5;
	c->stall_hold_ms = 30000;
	c->wrong_chain_hidden = 0.5;
	c->old_ddb_version = 0;
	c->old_p2p_version = 0;
	c->low_pow_bits_max = 2;
	c->auth_timeout_ms = 5000;
	c->bootstrap_throttle_ms = 100;
	c->branch_throttle_ms = 4000;
	c->max_incoming = 20;
	c->advertise_size = 50;
	c->rpc_port = 8732;
	c->rpc_slow_ms = 20000;
	if (conf_strlist_add(&c->rpc_releases, "v22.1=6") != ERR_OK ||
	    conf_strlist_add(&c->rpc_releases, "v21.4=3") != ERR_OK ||
	    conf_strlist_add(&c->rpc_releases, "v23.0~rc1=1") != ERR_OK) {
		simcfg_cleanup(c);
		return ERR_NOMEM;
	}
	c->dialers_count = 20;
	c->dialers_interval = 0;
	c->dialers_spread = 1.0;
	c->dialers_port = 9732;
	c->dialers_shared_group = 3;
	c->dialers_advertise = 5;
	c->dialers_big_frame = 0;
	for (int k = 0; k < 5; k++)
		c->dialer_mix[k] = 1.0;
	/* RFC 5398 documentation AS numbers: a few large hosts and a long tail. */
	static const char *const default_as[][2] = {
	    {"locations.as.64496", "US 25 Hyperscale Cloud"},
	    {"locations.as.64497", "DE 20 Budget Hosting"},
	    {"locations.as.64498", "FR 12 Euro Cloud"},
	    {"locations.as.64499", "FI 6 Nordic Servers"},
	    {"locations.as.64500", "SG 5 Asia Pacific Cloud"},
	    {"locations.as.64501", "JP 4 Tokyo Telecom"},
	    {"locations.as.64502", "NL 3 Dutch Datacenter"},
	    {"locations.as.64503", "CA 3 Maple Broadband"},
	    {"locations.as.64504", "GB 2 London Colo"},
	    {"locations.as.64505", "US 2 Midwest Cable"},
	    {"locations.as.64506", "BR 2 Sao Paulo Fibra"},
	    {"locations.as.64507", "KR 2 Seoul Net"},
	    {"locations.as.64508", "CH 2 Alpine Hosting"},
	    {"locations.as.64509", "PL 1 Warsaw ISP"},
	    {"locations.as.64510", "AU 1 Sydney Net"},
	    {"locations.as.64511", "IN 1 Mumbai Mobile"},
	};
	c->unlocated = 2;
	for (size_t k = 0; k < sizeof default_as / sizeof default_as[0]; k++) {
		char e[256];
		if (set_as(c, default_as[k][0], default_as[k][1], e, sizeof e) != ERR_OK) {
			simcfg_cleanup(c);
			return ERR_NOMEM;
		}
	}
	c->as_builtin = true;
	c->base = strdup("127.20.0.0");
	c->chain_name = strdup("TEZOS_MAINNET");
	c->wrong_chain_name = strdup("TEZOS_ITHACANET_2022-01-25T15:00:00Z");
	if (!c->base || !c->chain_name || !c->wrong_chain_name) {
		simcfg_cleanup(c);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

void simcfg_cleanup(struct sim_config *c)
{
	for (size_t i = 0; c->as && i < c->as_n; i++)
		free(c->as[i].name);
	free(c->as);
	c->as = NULL;
	c->as_n = 0;
	conf_free(simcfg_keys, simcfg_keys_n, c);
}

bool simcfg_base_v4(const char *text, uint32_t *out)
{
	struct in_addr a;
	if (inet_pton(AF_INET, text, &a) != 1)
		return false;
	uint32_t v = ntohl(a.s_addr);
	if ((v >> 24) != 127)
		return false;
	*out = v;
	return true;
}

enum err simcfg_check(const struct sim_config *c, char *err, size_t err_cap)
{
	uint32_t base;
	if (!c->base || (strcmp(c->base, "::1") != 0 && !simcfg_base_v4(c->base, &base))) {
		snprintf(err, err_cap,
		         "base '%s' refused: simnet binds only inside 127.0.0.0/8 or on ::1 "
		         "(give an IPv4 literal such as 127.20.0.0)",
		         c->base ? c->base : "");
		return ERR_CONFIG;
	}
	if (strcmp(c->base, "::1") != 0) {
		/* every node, plus one extra address per multihomed node */
		uint64_t last = (uint64_t)base + 2 * (uint64_t)c->nodes;
		if (last > 0x7fffffffu) {
			snprintf(err, err_cap,
			         "base %s leaves no room for %lld nodes inside 127.0.0.0/8",
			         c->base, c->nodes);
			return ERR_CONFIG;
		}
	} else if (c->nodes > 12000) {
		/* ports 20000 + i must stay below the ephemeral range (32768) */
		snprintf(err, err_cap,
		         "base ::1 gives one port per node from 20000: at most 12000 nodes");
		return ERR_CONFIG;
	}
	if (c->latency_min_ms > c->latency_max_ms) {
		snprintf(err, err_cap, "latency: min %lld ms above max %lld ms", c->latency_min_ms,
		         c->latency_max_ms);
		return ERR_CONFIG;
	}
	double total = 0;
	for (int b = 0; b < BEH_N; b++)
		total += c->share[b];
	if (!(total > 0)) {
		snprintf(err, err_cap, "behaviors: every weight is 0");
		return ERR_CONFIG;
	}
	if (!c->chain_name || !*c->chain_name || strlen(c->chain_name) > 1000 ||
	    !c->wrong_chain_name || strlen(c->wrong_chain_name) > 1000) {
		snprintf(err, err_cap, "chain names must be 1 to 1000 bytes");
		return ERR_CONFIG;
	}
	if (strcmp(c->chain_name, c->wrong_chain_name) == 0) {
		snprintf(err, err_cap, "wrong_chain.chain_name equals chain_name");
		return ERR_CONFIG;
	}
	if (c->bottleneck > 0 && c->min_degree < c->bottleneck + 1) {
		snprintf(err, err_cap,
		         "topology.min_degree (%lld) must be at least bottleneck + 1 (%lld) so "
		         "the planted cut is the minimum one",
		         c->min_degree, c->bottleneck + 1);
		return ERR_CONFIG;
	}
	double as_total = 0;
	for (size_t i = 0; i < c->as_n; i++)
		as_total += c->as[i].weight;
	if (c->as_n && !(as_total > 0)) {
		snprintf(err, err_cap, "locations: every AS weight is 0");
		return ERR_CONFIG;
	}
	if (c->dialers_big_frame > c->dialers_count) {
		snprintf(err, err_cap, "dialers.big_frame (%lld) above dialers.count (%lld)",
		         c->dialers_big_frame, c->dialers_count);
		return ERR_CONFIG;
	}
	if (c->v6_port_base != 0 && c->v6_port_base + 200 > 65535) {
		snprintf(err, err_cap, "topology.v6_port_base too high");
		return ERR_CONFIG;
	}
	if (c->rpc_share > 0 && c->rpc_releases.n == 0) {
		snprintf(err, err_cap, "rpc.releases: empty while rpc.share is above 0");
		return ERR_CONFIG;
	}
	if (c->rpc_releases.n > SIM_RELEASES_MAX) {
		snprintf(err, err_cap, "rpc.releases: at most %d", SIM_RELEASES_MAX);
		return ERR_CONFIG;
	}
	for (size_t i = 0; i < c->rpc_releases.n; i++) {
		struct sim_release r;
		if (sim_release_parse(c->rpc_releases.v[i], &r) != ERR_OK) {
			snprintf(err, err_cap,
			         "rpc.releases: '%s' is not release=weight (v22.1=6, v21.0~rc3=1, "
			         "v23.0+dev=1)",
			         c->rpc_releases.v[i]);
			return ERR_CONFIG;
		}
	}
	return ERR_OK;
}
