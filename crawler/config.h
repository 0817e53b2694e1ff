/*
 * config — the crawler's settings: one struct, one key table shared by the
 * YAML file (--config) and the command-line flags (lib/conf), defaults, and
 * the checks that need more than a type and a range (seed syntax, CIDR
 * lists). Nothing here resolves a host name or opens a socket: --check-config
 * runs exactly crawl_config_validate().
 *
 * Ownership: strings and lists inside struct crawl_config are owned (heap);
 * crawl_config_free() releases them. Single-threaded, start-up only.
 */
#ifndef TZ_CRAWLER_CONFIG_H
#define TZ_CRAWLER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf/conf.h"
#include "core/err.h"
#include "crawler/frontier.h"
#include "net/policy.h"

#define CRAWL_DEFAULT_PORT 9732

struct crawl_config {
	char *db;                   /* libpq conninfo or URL; NULL: PG* environment */
	struct conf_strlist seeds;  /* "host:port", "a.b.c.d:port", "[v6]:port" (port optional) */
	bool seed_from_db;          /* add the points that answered in recent crawls */
	long long seed_from_db_crawls; /* how many recent finished crawls of this vantage */
	struct conf_strlist allow;  /* CIDR */
	struct conf_strlist deny;   /* CIDR */
	char *identity;             /* identity.json path */
	double expected_pow;        /* the network's PoW: peers' recorded; ours must reach it */
	char *chain;                /* chain name we announce */
	long long concurrency;      /* connections in flight */
	double connect_timeout;     /* s */
	double handshake_timeout;   /* s: connect done -> Ack read */
	long long bootstrap_rounds; /* Bootstrap messages per visit */
	double bootstrap_interval;  /* s between rounds, >= 0.1 */
	double advertise_wait;      /* s to wait for an Advertise after the last Bootstrap */
	bool no_head;               /* skip Get_current_branch */
	double head_wait;           /* s to wait for Current_branch */
	char *vantage;              /* name of the place the crawl runs from */
	char *journal;              /* journal file; NULL: none */
	bool json;                  /* summary as one JSON object */
	bool no_migrate;            /* do not apply migrations at start */
	long long per_ip_inflight;
	long long per_ip_ports;
	long long per_message_points;
	long long max_points;
	long long connect_retries;
	double retry_delay;         /* s */
	double retry_connect_timeout; /* s, capped by connect_timeout */
	double drain_timeout;       /* s given to in-flight visits after SIGINT/SIGTERM */
	double log_interval;        /* s between progress log lines without a terminal */
	double db_flush_timeout;    /* s the end of a crawl waits for the database */
	long long db_queue_mb;      /* writer queue cap: dialing pauses above it */
	long long ddb_version;      /* announced distributed_db_version */
	long long p2p_version;      /* announced p2p_version */
	/* the optional RPC probe (crawler/rpc.h): GET /version on public nodes */
	bool rpc_enabled;           /* rpc_probe.enabled */
	struct conf_strlist rpc_ports; /* rpc_probe.ports: decimal ports, default ["8732"] */
	double rpc_timeout;         /* rpc_probe.timeout: s for one whole request */
	long long announce_port;    /* port announced in our connection message (0: none) */
};

#define CRAWL_RPC_PORTS_MAX 8 /* rpc_probe.ports entries */

extern const struct conf_key crawl_config_keys[];
extern const size_t crawl_config_keys_n;

/*
 * Fills every default of the key table (strings allocated). ERR_NOMEM
 * (ERR_CONFIG only for a default outside its own range: a table mistake).
 */
enum err crawl_config_init(struct crawl_config *c) __attribute__((warn_unused_result));
void crawl_config_free(struct crawl_config *c);

/*
 * Checks what the key table cannot: every seed parses as host:port (host
 * names are only checked for syntax, never resolved), allow/deny entries are
 * CIDRs, the chain name is short enough. Writes "key: message" into err.
 */
enum err crawl_config_validate(const struct crawl_config *c, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/* Builds the address policy from allow/deny. ERR_CONFIG with a message. */
enum err crawl_config_policy(const struct crawl_config *c, struct policy *p, char *err,
			     size_t err_cap) __attribute__((warn_unused_result));

/* A seed split into host (no brackets) and port. */
struct seed_spec {
	char host[256];
	unsigned port;
	bool numeric; /* an IP literal: no resolution needed */
};

/* Parses "host[:port]", "[v6][:port]", a bare IPv6 literal. ERR_CONFIG. */
enum err seed_parse(const char *text, struct seed_spec *out) __attribute__((warn_unused_result));

/*
 * Writes one line per key of the table: "  name  help (default D, range)",
 * the settings part of --help.
 */
void crawl_config_help(FILE *f);

/* The frontier's limits from the settings (max_points, per_ip_*, retries). */
void crawl_config_frontier_limits(const struct crawl_config *c, struct frontier_limits *l);
/* rpc_probe.ports[i] as a number (validated first), 0 if i is out of range. */
unsigned crawl_config_rpc_port(const struct crawl_config *c, size_t i);

/* The settings as a JSON object text (for crawls.config); malloc'd, NULL on failure. */
char *crawl_config_json(const struct crawl_config *c);

#endif
