/*
 * config — every knob of the simulated network, read from YAML (lib/conf)
 * and overridden by command-line flags.
 *
 * struct sim_config is the one place the world generator and the server read
 * their parameters from. simcfg_keys is the key table (dotted YAML names;
 * config/simnet.yaml documents each one). Strings are owned by the struct:
 * simcfg_init() fills heap defaults, simcfg_cleanup() frees them. Not
 * thread-safe; no global state besides the constant key table.
 */
#ifndef SIMNET_CONFIG_H
#define SIMNET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/err.h"

/* Node behaviours (docs/simnet.md, "Behaviours"). Stored in the truth file by name;
 * never renumber. */
enum sim_behavior {
	BEH_PUBLIC = 0,
	BEH_NO_LISTEN = 1,
	BEH_STALL = 2,
	BEH_SILENT_CLOSE = 3,
	BEH_NACK = 4,
	BEH_PRIVATE = 5,
	BEH_WRONG_CHAIN = 6,
	BEH_OLD_VERSION = 7,
	BEH_LOW_POW = 8,
	BEH_SHARED_IP = 9,
	BEH_MULTIHOMED = 10,
};
#define BEH_N 11

/* "public", "no_listen", ... exactly as in the truth file and the config. */
const char *sim_behavior_str(enum sim_behavior b);
/* Name -> behaviour; false when the name is unknown. */
bool sim_behavior_parse(const char *name, enum sim_behavior *out);

/* One autonomous system of the simulated world (config `locations.as.<number>`). */
struct sim_as {
	uint32_t asn;
	char country[3]; /* ISO 3166 alpha-2 */
	double weight;   /* relative share of nodes */
	char *name;      /* owned */
};
#define SIM_AS_MAX 1000

struct sim_config {
	/* world */
	long long nodes;
	long long seed;
	long long runtime_seed; /* the nodes' run-time draws; 0 = a new seed each run */
	char *base;     /* first IPv4 address, 127.0.0.0/8 only */
	long long port; /* default listening port */
	double expected_pow;
	char *chain_name;
	long long latency_min_ms;
	long long latency_max_ms;
	double share[BEH_N]; /* behaviours.<name>: relative weights */
	/* old_close.<name>: share of that behaviour's nodes that close as Octez <= v21 */
	double old_close[BEH_N];
	/* topology */
	long long min_degree; /* edges each new core node attaches with (>= bottleneck+1) */
	long long bottleneck; /* planted minimum vertex cut between two core halves (0 = none) */
	long long islands;    /* number of islands hanging off one bridge node each */
	long long island_size;
	long long listed_by;     /* how many core nodes list each non-core listening node */
	long long nat_listed_by; /* at most this many core nodes list each no_listen node */
	long long data_points;   /* private/documentation-range points scattered in lists */
	long long v6_nodes;      /* public nodes that listen on [::1] instead of 127.x */
	long long
	    v6_port_base; /* first [::1] port; 0 = 10000 + 100 * (second octet of base % 200) */
	long long shared_ip_group;
	long long shared_identity; /* public core nodes that run one cloned identity (0 = none) */
	/* NAT cases (docs/simnet.md "NAT cases"), 0 = none */
	long long nat_private_points; /* CGNAT, link-local and Docker-bridge points in lists */
	long long nat_port_mismatch;  /* public nodes announcing another port than they listen on */
	long long seeds; /* core points listed in the truth file as crawl seeds */
	/* churn (docs/simnet.md "Epochs and churn") */
	long long epoch; /* 0 = the seed's world as built; k > 0 = churned from it */
	double churn;    /* share of the listening nodes that go away at epoch k > 0 */
	/* chain head */
	long long head_level;
	long long head_max_lag;
	/* per-behaviour options */
	long long stall_hold_ms;
	char *wrong_chain_name;
	double wrong_chain_hidden; /* share of wrong_chain nodes only their own network lists */
	long long old_ddb_version;
	long long old_p2p_version;
	long long low_pow_bits_max; /* low_pow stamps stay below min(this, expected_pow) bits */
	/* Octez rules (docs/protocol.md §9, §11, §14) */
	long long auth_timeout_ms;
	long long bootstrap_throttle_ms;
	long long branch_throttle_ms;
	long long max_incoming;
	long long advertise_size;
	/* RPC servers (simnet/rpc.h): GET /version on some public nodes */
	double rpc_share;             /* rpc.share: of the public nodes on their own IPv4 address */
	long long rpc_port;           /* rpc.port (8732) */
	double rpc_hostile;           /* rpc.hostile: of the RPC nodes, with a hostile answer */
	struct conf_strlist rpc_releases; /* rpc.releases: "v22.1=6", release=weight */
	long long rpc_slow_ms;        /* rpc.slow_ms: how long a slow answer keeps the socket */
	/* dialers (--dial; simnet/dialer.h, docs/simnet.md "Dialers") */
	long long dialers_count;
	double dialers_interval; /* s between one dialer's sessions; 0 = dial once */
	double dialers_spread;   /* s over which the first dials are spread */
	char *dialers_base;      /* first external address; "" = third octet 200 of base */
	long long dialers_port;  /* announced port of every dialer that announces one */
	long long dialers_shared_group;
	long long dialers_advertise; /* points each dialer advertises */
	long long dialers_big_frame; /* dialers that send one ~8 MiB frame after the handshake */
	double dialer_mix[5];    /* dialers.mix.<kind>: relative weights (enum dialer_kind) */
	/* locations (simnet/locdb.h): ASes in key order of the file, weight of unlocated nodes */
	struct sim_as *as; /* owned */
	size_t as_n;
	bool as_builtin; /* as[] is simcfg_init's table: the first configured AS replaces it */
	double unlocated;
};

extern const struct conf_key simcfg_keys[];
extern const size_t simcfg_keys_n;

/* Fills the defaults (heap strings). ERR_NOMEM on allocation failure. */
enum err simcfg_init(struct sim_config *c) __attribute__((warn_unused_result));
/* Frees the strings; safe twice. */
void simcfg_cleanup(struct sim_config *c);
/*
 * Cross-field checks after loading and overrides (latency min <= max, base
 * inside 127.0.0.0/8 with room for every node, at least one positive share,
 * ...). ERR_CONFIG with a message in err.
 */
enum err simcfg_check(const struct sim_config *c, char *err, size_t err_cap)
    __attribute__((warn_unused_result));
/* Parses the base address into a host-order IPv4; false when not a.b.c.d inside 127/8. */
bool simcfg_base_v4(const char *text, uint32_t *out);

#endif
