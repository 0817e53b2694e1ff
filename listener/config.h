/*
 * config — tzcensus-listen's settings: one struct, one key table shared by
 * the YAML file (--config) and the command-line flags (lib/conf), defaults,
 * and the checks a type and a range cannot express (the listen point, CIDR
 * lists). config/listener.example.yaml documents the same names.
 *
 * Ownership: strings and lists inside struct lsn_config are owned (heap);
 * lsn_config_free() releases them. Single-threaded, start-up only.
 */
#ifndef TZ_LISTENER_CONFIG_H
#define TZ_LISTENER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "core/err.h"
#include "net/point.h"
#include "net/policy.h"

struct lsn_config {
	char *listen;               /* "ADDR:PORT" we bind and announce */
	char *identity;             /* identity.json path */
	char *db;                   /* libpq conninfo or URL; NULL: PG* environment */
	bool no_db;                 /* keep nothing but the journal and the summary */
	char *journal;              /* journal file; NULL: none */
	char *vantage;              /* name of the place the listener runs at */
	double duration;            /* s; 0 = until SIGTERM/SIGINT */
	struct conf_strlist allow;  /* CIDR: dial-back policy (and inbound deny) */
	struct conf_strlist deny;   /* CIDR */
	double expected_pow;        /* the network's PoW: dialers below it are refused */
	char *chain;                /* chain name we announce */
	char *chain_id;             /* b58 chain id for our Get_current_branch; NULL: learnt */
	long long announce_port;    /* port our connection message announces; 0: the bound port */
	bool json;                  /* summary as one JSON object */
	bool no_migrate;
	long long ddb_version, p2p_version;
	/* inbound limits (Octez: max_incoming_unauthentified_connections 20) */
	long long max_unfinished;   /* handshakes in progress at once */
	long long max_sessions;     /* inbound connections at once */
	long long per_ip_sessions;  /* inbound connections at once per IP address */
	long long per_ip_per_minute; /* accepted connections per IP address per minute */
	long long max_peers;        /* peers remembered (dial-back state) */
	double auth_timeout;        /* s: accept -> the dialer's Ack */
	double session_time;        /* s an open session lasts at most */
	double advertise_wait;      /* s after the Ack to wait for Advertise and head */
	/* dial-back */
	double dialback_interval;   /* s between two dial-backs of one peer (6 h) */
	double dialback_delay;      /* s after the first inbound session */
	double dialback_timeout;    /* s for connect + the peer's connection message */
	long long max_dialbacks;    /* dial-backs in flight; more: not_dialed */
	char *metrics;              /* Prometheus textfile path; NULL: none */
	double metrics_interval;    /* s between metrics writes */
};

extern const struct conf_key lsn_config_keys[];
extern const size_t lsn_config_keys_n;

/* Fills every default (strings allocated). ERR_NOMEM. */
enum err lsn_config_init(struct lsn_config *c) __attribute__((warn_unused_result));
void lsn_config_free(struct lsn_config *c);

/*
 * Checks the listen point, CIDR lists, chain id and name, and builds the
 * dial-back policy into p and the bound point into listen_pt. ERR_CONFIG
 * with "key: message" in err.
 */
enum err lsn_config_validate(const struct lsn_config *c, struct policy *p, struct point *listen_pt,
			     uint8_t chain_id[4], bool *chain_id_known, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

#endif
